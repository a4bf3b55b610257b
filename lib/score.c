/* score.c - compatibility scores, fast rows for matching, and breakdowns. */
#include "score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct scorer {
	const struct cohort *c;
	struct score_params p;
	uint32_t nm;		/* mentors */
	uint32_t mpad;		/* mentors rounded up to 16, the row stride */
	uint32_t nskills;
	uint8_t *lvl;		/* [nskills][mpad] mentor level per skill, 0 = absent */
	int32_t *bonus;		/* [mpad] both-families bonus */
	uint32_t ntz;
	int32_t *tz_offsets;	/* distinct mentee UTC offsets, sorted */
	uint16_t *mentee_tz;	/* [mentees] index into tz_offsets */
	int32_t *base;		/* [ntz][mpad] bonus - timezone penalty */
	uint32_t lw;		/* 64-bit words per language mask */
	uint64_t *mlang;	/* [lw][mpad] */
	uint64_t *elang;	/* [mentees][lw] */
	uint32_t *mlang32;	/* [mpad] when every language fits in 32 bits, else NULL */
	uint32_t *morg;		/* [mpad] */
	uint32_t *coef_start;	/* [mentees + 1] */
	uint16_t *coef_skill;
	int32_t *coef_val;
	int32_t *coef_prio;
	bool *coef_support;
};

void
score_params_from_conf(struct score_params *p, const struct conf *c)
{
	p->coverage = c->score_coverage;
	p->both_families_bonus = c->score_both_families_bonus;
	p->strong_level = c->score_strong_level;
	p->tz_free_hours = c->score_tz_free_hours;
	p->tz_penalty_per_hour = c->score_tz_penalty_per_hour;
	p->support_priority = c->score_support_priority;
	p->support_level = c->score_support_level;
	p->min_score = c->match_min_score;
	p->forbid_same_organisation = c->match_forbid_same_organisation;
}

/* Minutes between two UTC offsets, the short way round the clock. */
static int32_t
score_tz_distance(int32_t a, int32_t b)
{
	int32_t d = abs(a - b) % 1440;

	return d > 720 ? 1440 - d : d;
}

static int32_t
score_tz_penalty(const struct score_params *p, int32_t distance)
{
	int32_t over = distance - p->tz_free_hours * 60;

	if (over <= 0)
		return 0;
	return (int32_t)((int64_t)p->tz_penalty_per_hour * over / 60);
}

static int
score_int_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static void
scorer_build_mentors(struct scorer *s)
{
	const struct cohort *c = s->c;

	s->lvl = xcalloc((size_t)s->nskills * s->mpad + 1, 1);
	s->bonus = xcalloc(s->mpad, sizeof *s->bonus);
	s->morg = xcalloc(s->mpad, sizeof *s->morg);
	s->mlang = xcalloc((size_t)s->lw * s->mpad, sizeof *s->mlang);
	if (s->lw == 1 && cohort_language_count(c) <= 32)
		s->mlang32 = xcalloc(s->mpad, sizeof *s->mlang32);
	for (uint32_t j = 0; j < s->nm; j++) {
		const struct cohort_person *m = cohort_mentor(c, j);
		const struct cohort_item *it = cohort_mentor_items(c, j);
		const uint16_t *langs = cohort_person_languages(c, m);
		bool lead = false, mgmt = false;

		for (uint32_t k = 0; k < m->item_count; k++) {
			int level = it[k].support ? s->p.support_level : it[k].value;
			enum cohort_family f = cohort_skill_family(c, it[k].skill);

			s->lvl[(size_t)it[k].skill * s->mpad + j] = (uint8_t)level;
			if (level >= s->p.strong_level && !it[k].support) {
				lead |= f == COHORT_FAMILY_LEADERSHIP;
				mgmt |= f == COHORT_FAMILY_MANAGEMENT;
			}
		}
		s->bonus[j] = lead && mgmt ? s->p.both_families_bonus : 0;
		s->morg[j] = m->org;
		for (uint32_t l = 0; l < m->lang_count; l++) {
			s->mlang[(size_t)(langs[l] / 64) * s->mpad + j] |= UINT64_C(1) << (langs[l] % 64);
			if (s->mlang32 != NULL)
				s->mlang32[j] |= UINT32_C(1) << langs[l];
		}
	}
}

static void
scorer_build_mentees(struct scorer *s)
{
	const struct cohort *c = s->c;
	uint32_t ne = cohort_mentee_count(c), ngoals = 0, k = 0;
	int32_t *offs = xcalloc(ne ? ne : 1, sizeof *offs);

	/* Distinct mentee offsets: one precomputed base row per offset. */
	for (uint32_t i = 0; i < ne; i++)
		offs[i] = cohort_mentee(c, i)->tz_offset_min;
	if (ne > 0)
		qsort(offs, ne, sizeof *offs, score_int_cmp);
	s->ntz = 0;
	for (uint32_t i = 0; i < ne; i++) {
		if (s->ntz == 0 || offs[s->ntz - 1] != offs[i])
			offs[s->ntz++] = offs[i];
	}
	s->tz_offsets = offs;
	s->mentee_tz = xcalloc(ne ? ne : 1, sizeof *s->mentee_tz);
	s->elang = xcalloc((size_t)(ne ? ne : 1) * s->lw, sizeof *s->elang);
	for (uint32_t i = 0; i < ne; i++) {
		const struct cohort_person *e = cohort_mentee(c, i);
		const uint16_t *langs = cohort_person_languages(c, e);
		int32_t *hit = bsearch(&e->tz_offset_min, offs, s->ntz, sizeof *offs, score_int_cmp);

		s->mentee_tz[i] = (uint16_t)(hit - offs);
		for (uint32_t l = 0; l < e->lang_count; l++)
			s->elang[(size_t)i * s->lw + langs[l] / 64] |= UINT64_C(1) << (langs[l] % 64);
		ngoals += e->item_count;
	}
	s->base = xcalloc((size_t)(s->ntz ? s->ntz : 1) * s->mpad, sizeof *s->base);
	for (uint32_t t = 0; t < s->ntz; t++) {
		for (uint32_t j = 0; j < s->nm; j++) {
			int32_t d = score_tz_distance(offs[t], cohort_mentor(c, j)->tz_offset_min);

			s->base[(size_t)t * s->mpad + j] = s->bonus[j] - score_tz_penalty(&s->p, d);
		}
	}

	s->coef_start = xcalloc((size_t)ne + 1, sizeof *s->coef_start);
	s->coef_skill = xcalloc(ngoals ? ngoals : 1, sizeof *s->coef_skill);
	s->coef_val = xcalloc(ngoals ? ngoals : 1, sizeof *s->coef_val);
	s->coef_prio = xcalloc(ngoals ? ngoals : 1, sizeof *s->coef_prio);
	s->coef_support = xcalloc(ngoals ? ngoals : 1, sizeof *s->coef_support);
	for (uint32_t i = 0; i < ne; i++) {
		const struct cohort_person *e = cohort_mentee(c, i);
		const struct cohort_item *it = cohort_mentee_items(c, i);
		int64_t total = 0;

		for (uint32_t g = 0; g < e->item_count; g++)
			total += it[g].support ? s->p.support_priority : it[g].value;
		for (uint32_t g = 0; g < e->item_count; g++) {
			int32_t prio = it[g].support ? s->p.support_priority : it[g].value;

			s->coef_skill[k] = it[g].skill;
			s->coef_prio[k] = prio;
			s->coef_support[k] = it[g].support;
			s->coef_val[k] = (int32_t)((int64_t)prio * s->p.coverage / (5 * total));
			k++;
		}
		s->coef_start[i + 1] = k;
	}
}

struct scorer *
scorer_new(const struct cohort *c, const struct score_params *p)
{
	struct scorer *s = xcalloc(1, sizeof *s);

	s->c = c;
	s->p = *p;
	if (s->p.min_score < 1)
		s->p.min_score = 1;
	s->nm = cohort_mentor_count(c);
	s->mpad = (s->nm + 15) & ~UINT32_C(15);
	if (s->mpad == 0)
		s->mpad = 16;
	s->nskills = cohort_skill_count(c);
	s->lw = (cohort_language_count(c) + 63) / 64;
	if (s->lw == 0)
		s->lw = 1;
	scorer_build_mentors(s);
	scorer_build_mentees(s);
	return s;
}

void
scorer_free(struct scorer *s)
{
	if (s == NULL)
		return;
	free(s->lvl);
	free(s->bonus);
	free(s->tz_offsets);
	free(s->mentee_tz);
	free(s->base);
	free(s->mlang);
	free(s->elang);
	free(s->mlang32);
	free(s->morg);
	free(s->coef_start);
	free(s->coef_skill);
	free(s->coef_val);
	free(s->coef_prio);
	free(s->coef_support);
	free(s);
}

const struct cohort *scorer_cohort(const struct scorer *s) { return s->c; }
const struct score_params *scorer_params(const struct scorer *s) { return &s->p; }

/* Do mentee i and mentor j share a language? */
static bool
scorer_shares_language(const struct scorer *s, uint32_t i, uint32_t j)
{
	for (uint32_t w = 0; w < s->lw; w++) {
		if (s->elang[(size_t)i * s->lw + w] & s->mlang[(size_t)w * s->mpad + j])
			return true;
	}
	return false;
}

/*
 * The hot loop of matching: a handful of passes over contiguous arrays that
 * the compiler vectorises; built for AVX2 and for baseline x86-64, chosen at
 * load time, so one binary runs everywhere and gives identical integers.
 */
__attribute__((target_clones("avx2", "default")))
void
scorer_row(const struct scorer *s, uint32_t i, int32_t *out)
{
	const int32_t *restrict base = s->base + (size_t)s->mentee_tz[i] * s->mpad;
	const struct cohort_person *e = cohort_mentee(s->c, i);
	uint32_t a = s->coef_start[i], b = s->coef_start[i + 1], nm = s->nm;
	const int32_t min = s->p.min_score;
	const uint32_t org = e->org;
	const uint32_t forbid = s->p.forbid_same_organisation && org != 0;
	const uint32_t *restrict morg = s->morg;
	int32_t *restrict o = out;
	const uint32_t *blocked;
	uint32_t nblocked;

	if (a == b) {
		memset(out, 0, (size_t)nm * sizeof *out);
		return;
	}
	for (uint32_t j = 0; j < nm; j++)
		o[j] = base[j];
	for (uint32_t k = a; k < b; k++) {
		const uint8_t *restrict lv = s->lvl + (size_t)s->coef_skill[k] * s->mpad;
		const int32_t cf = s->coef_val[k];

		for (uint32_t j = 0; j < nm; j++)
			o[j] += cf * (int32_t)lv[j];
	}
	if (s->mlang32 != NULL) {
		const uint32_t el = (uint32_t)s->elang[i];
		const uint32_t *restrict ml = s->mlang32;

		for (uint32_t j = 0; j < nm; j++) {
			int32_t v = o[j];
			int ok = ((ml[j] & el) != 0) & !(forbid & (morg[j] == org)) & (v >= min);

			o[j] = ok ? v : 0;
		}
	} else {
		for (uint32_t j = 0; j < nm; j++) {
			int32_t v = o[j];
			int ok = scorer_shares_language(s, i, j) & !(forbid & (morg[j] == org)) & (v >= min);

			o[j] = ok ? v : 0;
		}
	}
	nblocked = cohort_blocks(s->c, i, &blocked, NULL);
	for (uint32_t k = 0; k < nblocked; k++)
		o[blocked[k]] = 0;
}

/* The raw score of a pair, whatever the rules say. */
static int32_t
scorer_raw(const struct scorer *s, uint32_t i, uint32_t j)
{
	int32_t v = s->base[(size_t)s->mentee_tz[i] * s->mpad + j];

	for (uint32_t k = s->coef_start[i]; k < s->coef_start[i + 1]; k++)
		v += s->coef_val[k] * (int32_t)s->lvl[(size_t)s->coef_skill[k] * s->mpad + j];
	return v;
}

int32_t
scorer_pair(const struct scorer *s, uint32_t i, uint32_t j, enum score_verdict *verdict)
{
	int32_t v = scorer_raw(s, i, j);
	enum score_verdict why = SCORE_OK;
	enum cohort_block blk;
	uint32_t org = cohort_mentee(s->c, i)->org;

	if (s->coef_start[i] == s->coef_start[i + 1])
		why = SCORE_NO_GOALS;
	else if (!scorer_shares_language(s, i, j))
		why = SCORE_NO_LANGUAGE;
	else if (s->p.forbid_same_organisation && org != 0 && s->morg[j] == org)
		why = SCORE_SAME_ORGANISATION;
	else if ((blk = cohort_block_of(s->c, i, j)) != 0)
		why = blk == COHORT_BLOCK_EXCLUDED ? SCORE_EXCLUDED :
		    blk == COHORT_BLOCK_DECLINED ? SCORE_DECLINED : SCORE_REJECTED;
	else if (v < s->p.min_score)
		why = SCORE_BELOW_MINIMUM;
	if (verdict != NULL)
		*verdict = why;
	return v;
}

static int
score_line_cmp(const void *a, const void *b)
{
	const struct score_line *x = a, *y = b;

	if (x->points != y->points)
		return x->points > y->points ? -1 : 1;
	if (x->max_points != y->max_points)
		return x->max_points > y->max_points ? -1 : 1;
	return (x->skill > y->skill) - (x->skill < y->skill);
}

void
scorer_explain(const struct scorer *s, uint32_t i, uint32_t j, struct score_explain *out)
{
	const struct cohort_person *e = cohort_mentee(s->c, i), *m = cohort_mentor(s->c, j);
	const uint16_t *el = cohort_person_languages(s->c, e), *ml = cohort_person_languages(s->c, m);
	uint32_t a = s->coef_start[i], b = s->coef_start[i + 1];

	memset(out, 0, sizeof *out);
	out->mentee = i;
	out->mentor = j;
	out->score = scorer_pair(s, i, j, &out->verdict);
	out->bonus = s->bonus[j];
	out->tz_distance_min = score_tz_distance(e->tz_offset_min, m->tz_offset_min);
	out->tz_penalty = score_tz_penalty(&s->p, out->tz_distance_min);
	out->nlines = b - a;
	out->lines = xcalloc(out->nlines ? out->nlines : 1, sizeof *out->lines);
	for (uint32_t k = a; k < b; k++) {
		struct score_line *ln = &out->lines[k - a];

		ln->skill = s->coef_skill[k];
		ln->priority = s->coef_prio[k];
		ln->support = s->coef_support[k];
		ln->level = s->lvl[(size_t)ln->skill * s->mpad + j];
		ln->points = s->coef_val[k] * ln->level;
		ln->max_points = s->coef_val[k] * 5;
		out->coverage += ln->points;
	}
	qsort(out->lines, out->nlines, sizeof *out->lines, score_line_cmp);
	out->shared_langs = xcalloc(e->lang_count ? e->lang_count : 1, sizeof *out->shared_langs);
	for (uint32_t x = 0; x < e->lang_count; x++) {
		for (uint32_t y = 0; y < m->lang_count; y++) {
			if (el[x] == ml[y]) {
				out->shared_langs[out->nshared++] = el[x];
				break;
			}
		}
	}
}

void
score_explain_release(struct score_explain *e)
{
	if (e == NULL)
		return;
	free(e->lines);
	free(e->shared_langs);
	e->lines = NULL;
	e->shared_langs = NULL;
}

const char *
score_verdict_text(enum score_verdict v)
{
	switch (v) {
	case SCORE_OK: return "eligible";
	case SCORE_NO_GOALS: return "the mentee has no goals";
	case SCORE_NO_LANGUAGE: return "no shared language";
	case SCORE_SAME_ORGANISATION: return "same organisation";
	case SCORE_EXCLUDED: return "excluded by an admin";
	case SCORE_DECLINED: return "proposed before and declined";
	case SCORE_REJECTED: return "proposed before and rejected by an admin";
	case SCORE_BELOW_MINIMUM: return "score below the minimum";
	}
	return "unknown";
}

const char *
score_verdict_code(enum score_verdict v)
{
	switch (v) {
	case SCORE_OK: return "eligible";
	case SCORE_NO_GOALS: return "no-goals";
	case SCORE_NO_LANGUAGE: return "no-shared-language";
	case SCORE_SAME_ORGANISATION: return "same-organisation";
	case SCORE_EXCLUDED: return "excluded";
	case SCORE_DECLINED: return "declined-before";
	case SCORE_REJECTED: return "rejected-before";
	case SCORE_BELOW_MINIMUM: return "below-minimum";
	}
	return "unknown";
}

cJSON *
score_explain_json(const struct scorer *s, const struct score_explain *e)
{
	cJSON *o = cJSON_CreateObject(), *arr, *langs;

	cJSON_AddNumberToObject(o, "score", e->score);
	cJSON_AddBoolToObject(o, "eligible", e->verdict == SCORE_OK);
	cJSON_AddStringToObject(o, "verdict", score_verdict_code(e->verdict));
	if (e->verdict != SCORE_OK)
		cJSON_AddStringToObject(o, "reason", score_verdict_text(e->verdict));
	cJSON_AddNumberToObject(o, "min_score", s->p.min_score);
	cJSON_AddNumberToObject(o, "coverage", e->coverage);
	cJSON_AddNumberToObject(o, "both_families_bonus", e->bonus);
	cJSON_AddNumberToObject(o, "timezone_penalty", e->tz_penalty);
	cJSON_AddNumberToObject(o, "timezone_distance_minutes", e->tz_distance_min);
	langs = cJSON_AddArrayToObject(o, "shared_languages");
	for (uint32_t k = 0; k < e->nshared; k++)
		cJSON_AddItemToArray(langs, cJSON_CreateString(cohort_language(s->c, e->shared_langs[k])));
	arr = cJSON_AddArrayToObject(o, "skills");
	for (uint32_t k = 0; k < e->nlines; k++) {
		const struct score_line *ln = &e->lines[k];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "skill", cohort_skill_code(s->c, ln->skill));
		cJSON_AddStringToObject(x, "name", cohort_skill_name(s->c, ln->skill));
		cJSON_AddStringToObject(x, "family", cohort_family_name(cohort_skill_family(s->c, ln->skill)));
		cJSON_AddNumberToObject(x, "priority", ln->priority);
		cJSON_AddNumberToObject(x, "level", ln->level);
		cJSON_AddNumberToObject(x, "points", ln->points);
		cJSON_AddNumberToObject(x, "max_points", ln->max_points);
		if (ln->support)
			cJSON_AddBoolToObject(x, "support", true);
		cJSON_AddItemToArray(arr, x);
	}
	return o;
}

/* "5h", "5h30" for a distance in minutes. */
static void
score_hours(int32_t minutes, char *buf, size_t len)
{
	if (minutes % 60 == 0)
		snprintf(buf, len, "%dh", minutes / 60);
	else
		snprintf(buf, len, "%dh%02d", minutes / 60, minutes % 60);
}

void
score_explain_text(const struct scorer *s, const struct score_explain *e, bool multiline,
    const char *indent, struct strbuf *out)
{
	const char *sep = multiline ? "\n" : ", ";
	char hours[16];

	for (uint32_t k = 0; k < e->nlines; k++) {
		const struct score_line *ln = &e->lines[k];

		if (multiline)
			strbuf_printf(out, "%s%-22s priority %d, mentor level %d: %+d of %d%s%s",
			    indent, cohort_skill_code(s->c, ln->skill), ln->priority, ln->level,
			    ln->points, ln->max_points, ln->support ? " (support)" : "", sep);
		else
			strbuf_printf(out, "%s %d/5 %+d of %d%s", cohort_skill_code(s->c, ln->skill),
			    ln->level, ln->points, ln->max_points, sep);
	}
	if (e->bonus > 0)
		strbuf_printf(out, "%s%s %+d%s", multiline ? indent : "",
		    multiline ? "strong in both leadership and management:" : "both families",
		    e->bonus, sep);
	if (e->tz_distance_min == 0) {
		strbuf_printf(out, "%ssame time zone", multiline ? indent : "");
	} else {
		score_hours(e->tz_distance_min, hours, sizeof hours);
		strbuf_printf(out, "%s%s apart %+d", multiline ? indent : "", hours, -e->tz_penalty);
	}
	if (multiline) {
		strbuf_printf(out, "%s%sshared languages:", sep, indent);
		for (uint32_t k = 0; k < e->nshared; k++)
			strbuf_printf(out, " %s", cohort_language(s->c, e->shared_langs[k]));
		if (e->nshared == 0)
			strbuf_puts(out, " none");
		strbuf_printf(out, "%s%sscore %d (minimum %d): %s", sep, indent, e->score,
		    s->p.min_score, score_verdict_text(e->verdict));
	} else if (e->verdict != SCORE_OK) {
		strbuf_printf(out, " [%s]", score_verdict_text(e->verdict));
	}
}
