/*
 * test_score.c - scoring, checked against examples worked out by hand,
 * every hard rule, and the fast row path against the pair path.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cohort.h"
#include "score.h"
#include "strbuf.h"
#include "xmalloc.h"

static const struct score_params params = {
	.coverage = 1000, .both_families_bonus = 100, .strong_level = 4,
	.tz_free_hours = 3, .tz_penalty_per_hour = 20, .support_priority = 3,
	.support_level = 4, .min_score = 250, .forbid_same_organisation = true,
};

enum { VISION, PLANNING, COMPOSURE, NETWORKING };

static struct cohort *
worked_cohort(void)
{
	struct cohort *c = cohort_new();
	const char *en[] = { "en" }, *enfr[] = { "en", "fr" }, *de[] = { "de" };
	struct err err;

	cohort_add_skill(c, "vision", COHORT_FAMILY_LEADERSHIP, "Vision", "");
	cohort_add_skill(c, "planning", COHORT_FAMILY_MANAGEMENT, "Planning", "");
	cohort_add_skill(c, "composure", COHORT_FAMILY_LEADERSHIP, "Composure", "");
	cohort_add_skill(c, "networking", COHORT_FAMILY_SUPPORT, "Networking", "");

	/* Mentee 0: vision 5, planning 3, networking as support; UTC; Acme. */
	cohort_add_mentee(c, 1, "e1", "Ada", "ada@x.org", "UTC", 0, en, 1, "Acme", "waiting");
	cohort_add_goal(c, 0, VISION, 5, false);
	cohort_add_goal(c, 0, PLANNING, 3, false);
	cohort_add_goal(c, 0, NETWORKING, 1, true);
	/* Mentee 1: no goals at all. */
	cohort_add_mentee(c, 2, "e2", "Bo", "bo@x.org", "UTC", 0, en, 1, "", "waiting");
	/* Mentee 2: composure 2, in UTC+13, to test the wrap-around of the clock. */
	cohort_add_mentee(c, 3, "e3", "Cy", "cy@x.org", "Pacific/Auckland", 780, en, 1, "", "waiting");
	cohort_add_goal(c, 2, COMPOSURE, 2, false);

	/* Mentor 0: vision 4, planning 5 (strong in both), offers networking; UTC+5. */
	cohort_add_mentor(c, 10, "m0", "Mo", "mo@x.org", "Asia/Karachi", 300, enfr, 2, "Beta", "active", 2, 0);
	cohort_add_strength(c, 0, VISION, 4, false);
	cohort_add_strength(c, 0, PLANNING, 5, false);
	cohort_add_strength(c, 0, NETWORKING, 1, true);
	/* Mentor 1: vision 5 only; UTC-9:30. */
	cohort_add_mentor(c, 11, "m1", "Mi", "mi@x.org", "Pacific/Marquesas", -570, en, 1, "", "active", 1, 0);
	cohort_add_strength(c, 1, VISION, 5, false);
	/* Mentor 2: a perfect fit but from the mentee's own organisation. */
	cohort_add_mentor(c, 12, "m2", "Ma", "ma@x.org", "UTC", 0, en, 1, "Acme", "active", 1, 0);
	cohort_add_strength(c, 2, VISION, 5, false);
	cohort_add_strength(c, 2, PLANNING, 5, false);
	/* Mentor 3: speaks only German. */
	cohort_add_mentor(c, 13, "m3", "Me", "me@x.org", "UTC", 0, de, 1, "", "active", 1, 0);
	cohort_add_strength(c, 3, VISION, 5, false);
	/* Mentor 4: strong only in what the mentee does not want; UTC-10. */
	cohort_add_mentor(c, 14, "m4", "Mu", "mu@x.org", "Pacific/Honolulu", -600, en, 1, "", "active", 1, 0);
	cohort_add_strength(c, 4, COMPOSURE, 5, false);
	/* An admin excluded mentee 0 with mentor 1. */
	cohort_add_block(c, 0, 1, COHORT_BLOCK_EXCLUDED);
	cr_assert_eq(cohort_finish(c, &err), 0, "%s", err.msg);
	return c;
}

/*
 * Mentee 0 priorities: vision 5, planning 3, networking (support) 3; P = 11.
 * Coefficients: vision 5*1000/55 = 90, planning 3000/55 = 54, networking 54.
 * Mentor 0: 90*4 + 54*5 + 54*4 (support level) = 360 + 270 + 216 = 846;
 * strong in vision (leadership) and planning (management): +100;
 * 5h apart, 3h free: 2h * 20 = -40. Score 906.
 */
Test(score, worked_example_full_breakdown)
{
	struct cohort *c = worked_cohort();
	struct scorer *s = scorer_new(c, &params);
	struct score_explain e;
	enum score_verdict v;

	cr_expect_eq(scorer_pair(s, 0, 0, &v), 906);
	cr_expect_eq(v, SCORE_OK);
	scorer_explain(s, 0, 0, &e);
	cr_expect_eq(e.score, 906);
	cr_expect_eq(e.coverage, 846);
	cr_expect_eq(e.bonus, 100);
	cr_expect_eq(e.tz_distance_min, 300);
	cr_expect_eq(e.tz_penalty, 40);
	cr_assert_eq(e.nlines, 3);
	/* Lines by points: vision 360, planning 270, networking 216. */
	cr_expect_eq(e.lines[0].skill, VISION);
	cr_expect_eq(e.lines[0].points, 360);
	cr_expect_eq(e.lines[0].max_points, 450);
	cr_expect_eq(e.lines[0].priority, 5);
	cr_expect_eq(e.lines[0].level, 4);
	cr_expect_eq(e.lines[1].skill, PLANNING);
	cr_expect_eq(e.lines[1].points, 270);
	cr_expect_eq(e.lines[2].skill, NETWORKING);
	cr_expect_eq(e.lines[2].points, 216);
	cr_expect(e.lines[2].support);
	cr_expect_eq(e.lines[2].priority, 3);
	cr_assert_eq(e.nshared, 1);
	cr_expect_str_eq(cohort_language(c, e.shared_langs[0]), "en");
	score_explain_release(&e);
	scorer_free(s);
	cohort_free(c);
}

/*
 * Mentor 1 for mentee 0: vision 90*5 = 450, no bonus; 9h30 apart:
 * (570 - 180) minutes * 20 / 60 = 130. Raw score 320, but excluded.
 */
Test(score, exclusion_blocks_a_good_pair)
{
	struct cohort *c = worked_cohort();
	struct scorer *s = scorer_new(c, &params);
	enum score_verdict v;
	int32_t row[5];

	cr_expect_eq(scorer_pair(s, 0, 1, &v), 320);
	cr_expect_eq(v, SCORE_EXCLUDED);
	scorer_row(s, 0, row);
	cr_expect_eq(row[0], 906);
	cr_expect_eq(row[1], 0, "excluded pairs are not candidates");
	scorer_free(s);
	cohort_free(c);
}

Test(score, hard_rules)
{
	struct cohort *c = worked_cohort();
	struct scorer *s = scorer_new(c, &params);
	struct score_params allow = params;
	struct scorer *s2;
	enum score_verdict v;
	int32_t row[5];

	/* Same organisation: 90*5 + 54*5 = 720 + 100 bonus, same zone, but forbidden. */
	cr_expect_eq(scorer_pair(s, 0, 2, &v), 820);
	cr_expect_eq(v, SCORE_SAME_ORGANISATION);
	scorer_pair(s, 0, 3, &v);
	cr_expect_eq(v, SCORE_NO_LANGUAGE);
	/* Composure is not wanted by mentee 0: 0 points, 10h apart costs 140. */
	cr_expect_eq(scorer_pair(s, 0, 4, &v), -140);
	cr_expect_eq(v, SCORE_BELOW_MINIMUM);
	scorer_pair(s, 1, 0, &v);
	cr_expect_eq(v, SCORE_NO_GOALS);
	scorer_row(s, 1, row);
	for (int j = 0; j < 5; j++)
		cr_expect_eq(row[j], 0);

	allow.forbid_same_organisation = false;
	s2 = scorer_new(c, &allow);
	cr_expect_eq(scorer_pair(s2, 0, 2, &v), 820);
	cr_expect_eq(v, SCORE_OK);
	scorer_row(s2, 0, row);
	cr_expect_eq(row[2], 820);
	scorer_free(s2);
	scorer_free(s);
	cohort_free(c);
}

/*
 * Mentee 2 (UTC+13) and mentor 4 (UTC-10): 23 hours apart one way, 1 hour
 * the other; the clock wraps, so no penalty. Composure 2 of P = 2:
 * coefficient 2*1000/10 = 200, level 5: 1000 points. Score 1000.
 */
Test(score, timezone_distance_wraps_around_the_clock)
{
	struct cohort *c = worked_cohort();
	struct scorer *s = scorer_new(c, &params);
	struct score_explain e;

	scorer_explain(s, 2, 4, &e);
	cr_expect_eq(e.tz_distance_min, 60);
	cr_expect_eq(e.tz_penalty, 0);
	cr_expect_eq(e.score, 1000);
	cr_expect_eq(e.verdict, SCORE_OK);
	score_explain_release(&e);
	scorer_free(s);
	cohort_free(c);
}

Test(score, explanation_json_and_text)
{
	struct cohort *c = worked_cohort();
	struct scorer *s = scorer_new(c, &params);
	struct score_explain e;
	struct strbuf sb = STRBUF_INIT;
	cJSON *j, *first;

	scorer_explain(s, 0, 0, &e);
	j = score_explain_json(s, &e);
	cr_expect_eq(cJSON_GetObjectItem(j, "score")->valueint, 906);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(j, "eligible")));
	cr_expect_eq(cJSON_GetObjectItem(j, "timezone_penalty")->valueint, 40);
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "skills"), 0);
	cr_expect_str_eq(cJSON_GetObjectItem(first, "skill")->valuestring, "vision");
	cr_expect_str_eq(cJSON_GetObjectItem(first, "family")->valuestring, "leadership");
	cr_expect_eq(cJSON_GetObjectItem(first, "points")->valueint, 360);
	cJSON_Delete(j);
	score_explain_text(s, &e, false, "", &sb);
	cr_expect(strstr(strbuf_str(&sb), "vision 4/5 +360 of 450") != NULL, "%s", strbuf_str(&sb));
	cr_expect(strstr(strbuf_str(&sb), "both families +100") != NULL);
	cr_expect(strstr(strbuf_str(&sb), "5h apart -40") != NULL);
	strbuf_free(&sb);
	score_explain_release(&e);

	scorer_explain(s, 0, 3, &e);
	j = score_explain_json(s, &e);
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(j, "eligible")));
	cr_expect_str_eq(cJSON_GetObjectItem(j, "verdict")->valuestring, "no-shared-language");
	cJSON_Delete(j);
	score_explain_release(&e);
	scorer_free(s);
	cohort_free(c);
}

static uint64_t
rnd(uint64_t *x)
{
	/* splitmix64: deterministic on every machine. */
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A random cohort; with many_languages, more than 64 distinct languages. */
static struct cohort *
random_cohort(uint64_t seed, uint32_t ne, uint32_t nm, bool many_languages)
{
	struct cohort *c = cohort_new();
	uint32_t nlang = many_languages ? 90 : 6, nskills = 27;
	char code[16], lang[8];
	struct err err;

	for (uint32_t k = 0; k < nskills; k++) {
		snprintf(code, sizeof code, "s%u", k);
		cohort_add_skill(c, code, k < 13 ? COHORT_FAMILY_LEADERSHIP : k < 23 ?
		    COHORT_FAMILY_MANAGEMENT : COHORT_FAMILY_SUPPORT, code, "");
	}
	for (uint32_t r = 0; r < 2; r++) {
		uint32_t n = r == 0 ? ne : nm;

		for (uint32_t i = 0; i < n; i++) {
			char l1[8], l2[8];
			const char *ls[2] = { l1, l2 };
			const char *org = rnd(&seed) % 3 == 0 ? "Org A" : rnd(&seed) % 2 ? "Org B" : "";
			int32_t off = (int32_t)(rnd(&seed) % 27) * 60 - 720 + (rnd(&seed) % 4 == 0 ? 30 : 0);

			snprintf(l1, sizeof l1, "l%u", (uint32_t)(rnd(&seed) % nlang));
			snprintf(l2, sizeof l2, "l%u", (uint32_t)(rnd(&seed) % nlang));
			if (r == 0)
				cohort_add_mentee(c, i + 1, "", "", "", "", off, ls, 2, org, "waiting");
			else
				cohort_add_mentor(c, i + 1, "", "", "", "", off, ls, 2, org, "active", 2, 0);
			for (uint32_t g = 0, ng = 1 + rnd(&seed) % 6; g < ng; g++) {
				uint32_t sk = (uint32_t)(rnd(&seed) % nskills);
				int v = 1 + (int)(rnd(&seed) % 5);

				if (r == 0)
					cohort_add_goal(c, i, sk, v, sk >= 23);
				else
					cohort_add_strength(c, i, sk, v, sk >= 23);
			}
		}
	}
	for (uint32_t b = 0; b < ne; b++)
		cohort_add_block(c, (uint32_t)(rnd(&seed) % ne), (uint32_t)(rnd(&seed) % nm),
		    1 + (int)(rnd(&seed) % 3));
	(void)lang;
	cr_assert_eq(cohort_finish(c, &err), 0, "%s", err.msg);
	return c;
}

static void
check_row_matches_pairs(bool many_languages)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct cohort *c = random_cohort(seed, 60, 37, many_languages);
		struct score_params p = params;
		struct scorer *s;
		int32_t row[37];

		p.min_score = 100;
		p.forbid_same_organisation = seed % 2;
		s = scorer_new(c, &p);
		for (uint32_t i = 0; i < 60; i++) {
			scorer_row(s, i, row);
			for (uint32_t j = 0; j < 37; j++) {
				enum score_verdict v;
				int32_t sc = scorer_pair(s, i, j, &v);
				struct score_explain e;

				cr_assert_eq(row[j], v == SCORE_OK ? sc : 0,
				    "seed %llu pair %u,%u: row %d, pair %d (%s)", (unsigned long long)seed,
				    i, j, row[j], sc, score_verdict_text(v));
				if (v == SCORE_OK)
					cr_assert_geq(sc, p.min_score);
				scorer_explain(s, i, j, &e);
				cr_assert_eq(e.score, sc);
				cr_assert_eq(e.coverage + e.bonus - e.tz_penalty, sc,
				    "the breakdown must add up to the score");
				score_explain_release(&e);
			}
		}
		scorer_free(s);
		cohort_free(c);
	}
}

Test(score, row_agrees_with_pairs_few_languages)
{
	check_row_matches_pairs(false);
}

Test(score, row_agrees_with_pairs_many_languages)
{
	check_row_matches_pairs(true);
}

Test(score, verdict_names)
{
	for (int v = SCORE_OK; v <= SCORE_BELOW_MINIMUM; v++) {
		cr_expect_str_neq(score_verdict_text((enum score_verdict)v), "unknown");
		cr_expect_str_neq(score_verdict_code((enum score_verdict)v), "unknown");
	}
}
