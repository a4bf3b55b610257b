/* test_stable.c - deferred acceptance: no blocking pair, mentee-optimal, exact. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "stable.h"
#include "testgen.h"
#include "xmalloc.h"

/* Score of (i, j) or 0 when not allowed. */
static int32_t
pair_score(const struct problem *p, uint32_t i, uint32_t j)
{
	uint64_t k = problem_find(p, i, j);

	return k == UINT64_MAX ? 0 : problem_score(p)[k];
}

/* Mentee i prefers mentor a (score sa) to b (score sb): score, then lower id. */
static bool
mentee_prefers(int32_t sa, uint32_t a, int32_t sb, uint32_t b)
{
	return sa > sb || (sa == sb && a < b);
}

/* Mentor prefers mentee a (score sa) to b: score, then lower id. */
static bool
mentor_prefers(int32_t sa, uint32_t a, int32_t sb, uint32_t b)
{
	return sa > sb || (sa == sb && a < b);
}

/* Independent check: feasible and no blocking pair. Returns a message or NULL. */
static const char *
blocking(const struct problem *p, const uint32_t *mo, uint32_t *bi, uint32_t *bj)
{
	uint32_t n = problem_n_mentees(p), m = problem_n_mentors(p);
	uint32_t *used = xcalloc(m + 1, sizeof *used);
	const char *why = NULL;

	for (uint32_t i = 0; i < n; i++) {
		if (mo[i] == PROBLEM_NONE)
			continue;
		if (pair_score(p, i, mo[i]) == 0) {
			why = "matched on a pair that is not allowed";
			*bi = i;
			*bj = mo[i];
			goto done;
		}
		if (++used[mo[i]] > problem_capacity(p)[mo[i]]) {
			why = "over capacity";
			*bi = i;
			*bj = mo[i];
			goto done;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < m; j++) {
			int32_t s = pair_score(p, i, j);
			bool i_wants, j_wants = false;

			if (s == 0 || mo[i] == j)
				continue;
			i_wants = mo[i] == PROBLEM_NONE ||
			    mentee_prefers(s, j, pair_score(p, i, mo[i]), mo[i]);
			if (!i_wants)
				continue;
			if (used[j] < problem_capacity(p)[j]) {
				j_wants = true;
			} else {
				for (uint32_t k = 0; k < n; k++)
					if (mo[k] == j && mentor_prefers(s, i, pair_score(p, k, j), k))
						j_wants = true;
			}
			if (j_wants) {
				why = "blocking pair";
				*bi = i;
				*bj = j;
				goto done;
			}
		}
	}
done:
	free(used);
	return why;
}

Test(stable, no_blocking_pairs_random)
{
	struct testgen_rng r = { 31337 };

	for (int it = 0; it < 300; it++) {
		uint32_t n = 1 + testgen_below(&r, 60), m = 1 + testgen_below(&r, 15);
		struct problem *p = testgen_problem(&r, n, m, 4, 5 + testgen_below(&r, 80),
		    it % 3 == 0 ? 3 : 500);
		uint32_t *mo = xmalloc((n + 1) * sizeof *mo);
		uint32_t bi = 0, bj = 0;
		const char *why;

		(void)stable_solve(p, mo);
		why = blocking(p, mo, &bi, &bj);
		cr_assert_null(why, "it %d: %s (mentee %u, mentor %u)", it, why, bi, bj);
		free(mo);
		problem_free(p);
	}
}

/* Brute force: every stable assignment; DA must give each mentee its best. */
struct bf {
	const struct problem *p;
	uint32_t *mo;
	uint32_t *left;
	uint32_t *best;		/* per mentee: best partner over stable matchings */
	int32_t *bests;
	uint32_t count;
};

static void
bf_rec(struct bf *b, uint32_t i)
{
	uint32_t n = problem_n_mentees(b->p), m = problem_n_mentors(b->p);
	uint32_t bi, bj;

	if (i == n) {
		if (blocking(b->p, b->mo, &bi, &bj) != NULL)
			return;
		b->count++;
		for (uint32_t k = 0; k < n; k++) {
			uint32_t j = b->mo[k];
			int32_t s = j == PROBLEM_NONE ? 0 : pair_score(b->p, k, j);

			if (j != PROBLEM_NONE && (b->best[k] == PROBLEM_NONE ||
			    mentee_prefers(s, j, b->bests[k], b->best[k]))) {
				b->best[k] = j;
				b->bests[k] = s;
			}
		}
		return;
	}
	b->mo[i] = PROBLEM_NONE;
	bf_rec(b, i + 1);
	for (uint32_t j = 0; j < m; j++) {
		if (pair_score(b->p, i, j) == 0 || b->left[j] == 0)
			continue;
		b->left[j]--;
		b->mo[i] = j;
		bf_rec(b, i + 1);
		b->left[j]++;
	}
	b->mo[i] = PROBLEM_NONE;
}

Test(stable, mentee_optimal_brute_force)
{
	struct testgen_rng r = { 4711 };

	for (int it = 0; it < 400; it++) {
		uint32_t n = 1 + testgen_below(&r, 6), m = 1 + testgen_below(&r, 3);
		struct problem *p = testgen_problem(&r, n, m, 2, 30 + testgen_below(&r, 70),
		    it % 2 ? 3 : 20);
		struct bf b = { p, NULL, NULL, NULL, NULL, 0 };
		uint32_t *da = xmalloc((n + 1) * sizeof *da);

		b.mo = xmalloc((n + 1) * sizeof *b.mo);
		b.left = xmalloc((m + 1) * sizeof *b.left);
		b.best = xmalloc((n + 1) * sizeof *b.best);
		b.bests = xcalloc(n + 1, sizeof *b.bests);
		for (uint32_t j = 0; j < m; j++)
			b.left[j] = problem_capacity(p)[j];
		for (uint32_t i = 0; i < n; i++)
			b.best[i] = PROBLEM_NONE;
		bf_rec(&b, 0);
		cr_assert(b.count > 0, "it %d: a stable matching always exists", it);
		(void)stable_solve(p, da);
		for (uint32_t i = 0; i < n; i++)
			cr_assert_eq(da[i], b.best[i], "it %d mentee %u: DA %u, best stable %u",
			    it, i, da[i], b.best[i]);
		free(da);
		free(b.mo);
		free(b.left);
		free(b.best);
		free(b.bests);
		problem_free(p);
	}
}

Test(stable, ties_everywhere_follow_ids)
{
	/* Everyone scores 5 everywhere: mentee 0 gets mentor 0, and so on. */
	struct problem_pair pr[12];
	uint32_t cap[3] = { 1, 1, 1 };
	uint32_t mo[4];
	struct problem *p;
	struct err e;
	uint32_t k = 0;

	for (uint32_t i = 0; i < 4; i++)
		for (uint32_t j = 0; j < 3; j++)
			pr[k++] = (struct problem_pair){ i, j, 5 };
	cr_assert_eq(problem_from_pairs(4, 3, cap, pr, 12, &p, &e), 0);
	(void)stable_solve(p, mo);
	cr_assert(mo[0] == 0 && mo[1] == 1 && mo[2] == 2 && mo[3] == PROBLEM_NONE);
	problem_free(p);
}
