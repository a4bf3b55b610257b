/*
 * fullrun.c - a full optimal run of a synthetic cohort through the row
 * oracle, pricing over ALL pairs (match_solve_oracle), as the daemon's
 * matching run does. Built and run by `make -C bench fullrun`.
 *
 *   fullrun [-n MENTEES] [-m MENTORS] [-t THREADS] [--stable] [--compare] [--seed S]
 *
 * The oracle has the shape of the real scorer: 27 skills; each mentee has
 * 3-6 goals with priorities 1-5; each mentor has levels 0-5 on about a third
 * of the skills and a bonus 0-19; score = sum of priority x level + bonus;
 * pairs below 25 or without a shared language are not allowed. It reads
 * dense per-skill arrays, so a row is a few vectorised passes over the
 * mentors. Prints the result, the time per phase and the peak RSS, and
 * whether the run met the targets (under 10 s, under 1 GiB).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "match.h"

#define SKILLS 27
#define MAX_GOALS 6
#define MIN_SCORE 25

struct cohort {
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
cohort_row(void *ctx, uint32_t i, int32_t *out)
{
	const struct cohort *c = ctx;
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
cohort_init(struct cohort *c, uint32_t n, uint32_t m, uint64_t seed)
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
cohort_free(struct cohort *c)
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

int
main(int argc, char **argv)
{
	uint32_t n = 100000, m = 20000;
	uint64_t seed = 1, h = 1469598103934665603ULL;
	struct match_opts opts;
	struct match_result *res = NULL;
	const struct match_stats *st;
	struct cohort c;
	struct rusage ru;
	struct err e;
	const uint32_t *mo;
	long rss_mib;
	int ok;

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
		else {
			fprintf(stderr, "usage: fullrun [-n MENTEES] [-m MENTORS] [-t THREADS] "
			    "[--stable] [--compare] [--seed S]\n");
			return 2;
		}
	}
	cohort_init(&c, n, m, seed);
	if (match_solve_oracle(n, m, c.cap, cohort_row, &c, &opts, &res, &e) != 0) {
		fprintf(stderr, "fullrun: %s\n", e.msg);
		cohort_free(&c);
		return 1;
	}
	st = match_result_stats(res);
	mo = match_result_mentor_of(res);
	for (uint32_t i = 0; i < n; i++) {
		h ^= mo[i];
		h *= 1099511628211ULL;
	}
	getrusage(RUSAGE_SELF, &ru);
	rss_mib = ru.ru_maxrss / 1024;
	printf("fullrun: %u mentees x %u mentors (%.2e pairs, %llu allowed), %s mode, %d threads\n",
	    n, m, (double)n * m, (unsigned long long)st->allowed,
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
	match_result_free(res);
	cohort_free(&c);
	return 0;
}
