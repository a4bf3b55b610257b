/*
 * fullrun.c - a full optimal run of a synthetic cohort through the row
 * oracle, pricing over ALL pairs (match_solve_oracle), as the daemon's
 * matching run does. Built and run by `make -C bench fullrun`.
 *
 *   fullrun [-n MENTEES] [-m MENTORS] [-t THREADS] [--stable] [--compare] [--seed S]
 *           [--scorer]
 *
 * The oracle has the shape of the real scorer: 27 skills; each mentee has
 * 3-6 goals with priorities 1-5; each mentor has levels 0-5 on about a third
 * of the skills and a bonus 0-19; score = sum of priority x level + bonus;
 * pairs below 25 or without a shared language are not allowed. It reads
 * dense per-skill arrays, so a row is a few vectorised passes over the
 * mentors. Prints the result, the time per phase and the peak RSS, and
 * whether the run met the targets (under 10 s, under 1 GiB).
 *
 * With --scorer the oracle is the production one instead: a synthetic
 * cohort is built in memory with cohort_add_*() (27 skill areas, 3-6 goals
 * and sometimes a kind of support per mentee, strengths on about a third of
 * the areas per mentor, 5 languages, 8 time zones, 500 organisations, one
 * exclusion per 100 mentees) and scored by scorer_row() with the default
 * configuration, exactly as `sparkmatch run` and sparkmatchd do after
 * loading a cohort from PostgreSQL.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cohort.h"
#include "conf.h"
#include "err.h"
#include "match.h"
#include "score.h"

#define SKILLS 27
#define MAX_GOALS 6
#define MIN_SCORE 25

struct synth {
	uint32_t n, m;
	int16_t *level[SKILLS];		/* [m] per skill */
	int16_t *bonus;			/* [m] */
	uint8_t *lang;			/* [m] language bit set */
	uint8_t *ngoals;		/* [n] */
	uint8_t (*goal)[MAX_GOALS];	/* [n] skill of each goal */
	uint8_t (*prio)[MAX_GOALS];	/* [n] priority 1-5 */
	uint8_t *mlang;			/* [n] */
	uint32_t *cap;			/* [m] 1-5 */
};

static uint64_t
next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The oracle: thread-safe (reads only), vectorised by the compiler. */
__attribute__((optimize("O3"), target_clones("avx512f", "avx2", "default")))
static void
synth_row(void *ctx, uint32_t i, int32_t *out)
{
	const struct synth *c = ctx;
	uint32_t m = c->m;
	uint8_t lm = c->mlang[i];

	for (uint32_t j = 0; j < m; j++)
		out[j] = c->bonus[j];
	for (int g = 0; g < c->ngoals[i]; g++) {
		const int16_t *lv = c->level[c->goal[i][g]];
		int32_t w = c->prio[i][g];

		for (uint32_t j = 0; j < m; j++)
			out[j] += w * lv[j];
	}
	for (uint32_t j = 0; j < m; j++)
		out[j] = ((c->lang[j] & lm) != 0 && out[j] >= MIN_SCORE) ? out[j] : 0;
}

static void
synth_init(struct synth *c, uint32_t n, uint32_t m, uint64_t seed)
{
	uint64_t s = seed;

	c->n = n;
	c->m = m;
	for (int k = 0; k < SKILLS; k++)
		c->level[k] = calloc((size_t)m + 1, sizeof *c->level[k]);
	c->bonus = calloc((size_t)m + 1, sizeof *c->bonus);
	c->lang = calloc((size_t)m + 1, 1);
	c->cap = calloc((size_t)m + 1, sizeof *c->cap);
	c->ngoals = calloc((size_t)n + 1, 1);
	c->goal = calloc((size_t)n + 1, sizeof *c->goal);
	c->prio = calloc((size_t)n + 1, sizeof *c->prio);
	c->mlang = calloc((size_t)n + 1, 1);
	if (c->bonus == NULL || c->lang == NULL || c->cap == NULL || c->ngoals == NULL ||
	    c->goal == NULL || c->prio == NULL || c->mlang == NULL) {
		fprintf(stderr, "fullrun: out of memory\n");
		exit(1);
	}
	for (uint32_t j = 0; j < m; j++) {
		for (int k = 0; k < SKILLS; k++)
			c->level[k][j] = next(&s) % 3 == 0 ? (int16_t)(next(&s) % 6) : 0;
		c->bonus[j] = (int16_t)(next(&s) % 20);
		c->lang[j] = 1 | (next(&s) % 4 == 0 ? 2 : 0) | (next(&s) % 8 == 0 ? 4 : 0);
		c->cap[j] = 1 + (uint32_t)(next(&s) % 5);
	}
	for (uint32_t i = 0; i < n; i++) {
		c->ngoals[i] = (uint8_t)(3 + next(&s) % 4);
		for (int g = 0; g < c->ngoals[i]; g++) {
			c->goal[i][g] = (uint8_t)(next(&s) % SKILLS);
			c->prio[i][g] = (uint8_t)(1 + next(&s) % 5);
		}
		c->mlang[i] = next(&s) % 10 == 0 ? 2 : (next(&s) % 20 == 0 ? 4 : 1);
	}
}

static void
synth_free(struct synth *c)
{
	for (int k = 0; k < SKILLS; k++)
		free(c->level[k]);
	free(c->bonus);
	free(c->lang);
	free(c->cap);
	free(c->ngoals);
	free(c->goal);
	free(c->prio);
	free(c->mlang);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The production path: a real cohort and the real scorer. */
static void
real_row(void *ctx, uint32_t i, int32_t *out)
{
	scorer_row(ctx, i, out);
}

static struct cohort *
real_cohort(uint32_t n, uint32_t m, uint64_t seed, uint32_t *cap)
{
	static const char *const langs[] = { "en", "es", "fr", "de", "pt" };
	static const int32_t tz[] = { -480, -300, -180, 0, 60, 120, 330, 540 };
	struct cohort *c = cohort_new();
	uint64_t s = seed;
	char code[16], org[16], ext[24];
	const char *pl[2];
	struct err e;

	for (int k = 0; k < SKILLS; k++) {
		snprintf(code, sizeof code, "skill-%02d", k);
		cohort_add_skill(c, code, k < 12 ? COHORT_FAMILY_LEADERSHIP :
		    k < 24 ? COHORT_FAMILY_MANAGEMENT : COHORT_FAMILY_SUPPORT, code, "");
	}
	for (uint32_t j = 0; j < m; j++) {
		int np = 1;

		pl[0] = next(&s) % 5 == 0 ? langs[1 + next(&s) % 4] : "en";
		if (next(&s) % 3 == 0)
			pl[np++] = pl[0] == langs[0] ? langs[1 + next(&s) % 4] : "en";
		snprintf(org, sizeof org, "org%u", (unsigned)(next(&s) % 500));
		snprintf(ext, sizeof ext, "mentor-%u", j + 1);
		cap[j] = 1 + (uint32_t)(next(&s) % 5);
		cohort_add_mentor(c, j + 1, ext, ext, "", "UTC", tz[next(&s) % 8], pl, np, org,
		    "active", cap[j], 0);
		for (int k = 0; k < SKILLS; k++) {
			if (next(&s) % 3 == 0)
				cohort_add_strength(c, j, (uint32_t)k, 1 + (int)(next(&s) % 5), k >= 24);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		int ng = 3 + (int)(next(&s) % 4);
		uint32_t used = 0;

		pl[0] = next(&s) % 10 == 0 ? langs[1 + next(&s) % 4] : "en";
		snprintf(org, sizeof org, "org%u", (unsigned)(next(&s) % 500));
		snprintf(ext, sizeof ext, "mentee-%u", i + 1);
		cohort_add_mentee(c, i + 1, ext, ext, "", "UTC", tz[next(&s) % 8], pl, 1, org,
		    "waiting");
		for (int g = 0; g < ng; g++) {
			uint32_t k = (uint32_t)(next(&s) % 24);

			if (used & (1u << k))
				continue;
			used |= 1u << k;
			cohort_add_goal(c, i, k, 1 + (int)(next(&s) % 5), false);
		}
		if (next(&s) % 4 == 0)
			cohort_add_goal(c, i, 24 + (uint32_t)(next(&s) % 3), 3, true);
		if (i % 100 == 0)
			cohort_add_block(c, i, (uint32_t)(next(&s) % m), COHORT_BLOCK_EXCLUDED);
	}
	if (cohort_finish(c, &e) != 0) {
		fprintf(stderr, "fullrun: %s\n", e.msg);
		exit(1);
	}
	return c;
}

int
main(int argc, char **argv)
{
	uint32_t n = 100000, m = 20000;
	uint64_t seed = 1, h = 1469598103934665603ULL;
	struct match_opts opts;
	struct match_result *res = NULL;
	const struct match_stats *st;
	struct synth c;
	struct cohort *rc = NULL;
	struct scorer *sc = NULL;
	struct score_params sp;
	struct conf conf;
	uint32_t *rcap = NULL;
	bool real = false;
	struct rusage ru;
	struct err e;
	const uint32_t *mo;
	long rss_mib;
	int ok, rv;

	match_opts_init(&opts);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			m = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			opts.threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--stable") == 0)
			opts.mode = MATCH_MODE_STABLE;
		else if (strcmp(argv[i], "--compare") == 0)
			opts.compare = true;
		else if (strcmp(argv[i], "--scorer") == 0)
			real = true;
		else {
			fprintf(stderr, "usage: fullrun [-n MENTEES] [-m MENTORS] [-t THREADS] "
			    "[--stable] [--compare] [--seed S] [--scorer]\n");
			return 2;
		}
	}
	memset(&c, 0, sizeof c);
	if (real) {
		double t0 = now_s();

		rcap = calloc((size_t)m + 1, sizeof *rcap);
		if (rcap == NULL) {
			fprintf(stderr, "fullrun: out of memory\n");
			return 1;
		}
		rc = real_cohort(n, m, seed, rcap);
		conf_defaults(&conf);
		score_params_from_conf(&sp, &conf);
		conf_free(&conf);
		sc = scorer_new(rc, &sp);
		printf("cohort: built and scorer ready in %.2f s (not counted below)\n", now_s() - t0);
		rv = match_solve_oracle(n, m, rcap, real_row, sc, &opts, &res, &e);
	} else {
		synth_init(&c, n, m, seed);
		rv = match_solve_oracle(n, m, c.cap, synth_row, &c, &opts, &res, &e);
	}
	if (rv != 0) {
		fprintf(stderr, "fullrun: %s\n", e.msg);
		goto done;
	}
	st = match_result_stats(res);
	mo = match_result_mentor_of(res);
	for (uint32_t i = 0; i < n; i++) {
		h ^= mo[i];
		h *= 1099511628211ULL;
	}
	getrusage(RUSAGE_SELF, &ru);
	rss_mib = ru.ru_maxrss / 1024;
	printf("fullrun: %u mentees x %u mentors (%.2e pairs, %llu allowed), %s oracle, %s mode, "
	    "%d threads\n", n, m, (double)n * m, (unsigned long long)st->allowed,
	    real ? "production scorer" : "synthetic",
	    opts.mode == MATCH_MODE_OPTIMAL ? "optimal" : "stable", st->threads);
	printf("result: matched %u, total %lld, assignment hash %016llx\n",
	    match_result_matched(res), (long long)match_result_total(res),
	    (unsigned long long)h);
	printf("work: candidates %llu, pricing rounds %u, rows priced %llu, pairs priced in %llu, "
	    "list extensions %u\n", (unsigned long long)st->candidates, st->pricing_rounds,
	    (unsigned long long)st->rows_priced, (unsigned long long)st->priced_in,
	    st->extensions);
	printf("time: candidates %.2f s, solves %.2f s, pricing %.2f s, stable %.2f s, total %.2f s\n",
	    st->t_candidates, st->t_solve, st->t_pricing, st->t_stable, st->t_total);
	if (st->compared)
		printf("compare: optimal %u %lld, stable %u %lld\n", st->optimal_matched,
		    (long long)st->optimal_total, st->stable_matched, (long long)st->stable_total);
	ok = st->t_total < 10.0 && rss_mib < 1024;
	printf("peak RSS %ld MiB; targets (< 10 s, < 1 GiB): %s\n", rss_mib, ok ? "met" : "MISSED");
	rv = 0;
done:
	match_result_free(res);
	synth_free(&c);
	scorer_free(sc);
	cohort_free(rc);
	free(rcap);
	return rv == 0 ? 0 : 1;
}
