/* testgen.c - random problems and brute force for the engine tests. */
#include "testgen.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#include "xmalloc.h"

uint64_t
testgen_next(struct testgen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t
testgen_below(struct testgen_rng *r, uint32_t n)
{
	return (uint32_t)(testgen_next(r) % n);
}

struct problem *
testgen_problem(struct testgen_rng *r, uint32_t n, uint32_t m, uint32_t max_cap,
    uint32_t density_pct, int32_t max_score)
{
	uint32_t *cap = xcalloc((size_t)m + 1, sizeof *cap);
	struct problem_pair *pairs = xmalloc(((size_t)n * m + 1) * sizeof *pairs);
	uint64_t np = 0;
	struct problem *p = NULL;
	struct err e;

	for (uint32_t j = 0; j < m; j++)
		cap[j] = testgen_below(r, max_cap + 1);
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < m; j++) {
			if (testgen_below(r, 100) < density_pct)
				pairs[np++] = (struct problem_pair){ i, j,
				    (int32_t)testgen_below(r, (uint32_t)max_score) + 1 };
		}
	}
	/* Shuffle so the builder sees pairs out of order. */
	for (uint64_t k = np; k > 1; k--) {
		uint64_t q = testgen_next(r) % k;
		struct problem_pair t = pairs[k - 1];

		pairs[k - 1] = pairs[q];
		pairs[q] = t;
	}
	if (problem_from_pairs(n, m, cap, pairs, np, &p, &e) != 0)
		cr_assert_fail("testgen_problem: %s", e.msg);
	free(cap);
	free(pairs);
	return p;
}

struct brute {
	const struct problem *p;
	uint32_t *left;
	uint32_t best_matched;
	int64_t best_total;
};

static void
brute_rec(struct brute *b, uint32_t i, uint32_t matched, int64_t total)
{
	const uint64_t *row = problem_row(b->p);
	const uint32_t *col = problem_col(b->p);
	const int32_t *score = problem_score(b->p);

	if (i == problem_n_mentees(b->p)) {
		if (matched > b->best_matched ||
		    (matched == b->best_matched && total > b->best_total)) {
			b->best_matched = matched;
			b->best_total = total;
		}
		return;
	}
	brute_rec(b, i + 1, matched, total);
	for (uint64_t k = row[i]; k < row[i + 1]; k++) {
		if (b->left[col[k]] == 0)
			continue;
		b->left[col[k]]--;
		brute_rec(b, i + 1, matched + 1, total + score[k]);
		b->left[col[k]]++;
	}
}

void
testgen_brute(const struct problem *p, uint32_t *matched, int64_t *total)
{
	struct brute b = { p, NULL, 0, 0 };
	uint32_t m = problem_n_mentors(p);

	b.left = xmalloc(((size_t)m + 1) * sizeof *b.left);
	for (uint32_t j = 0; j < m; j++)
		b.left[j] = problem_capacity(p)[j];
	brute_rec(&b, 0, 0, 0);
	free(b.left);
	*matched = b.best_matched;
	*total = b.best_total;
}

struct problem *
testgen_from_dense(uint32_t n, uint32_t m, const uint32_t *capacity, const int32_t *scores)
{
	struct problem_pair *pairs = xmalloc(((size_t)n * m + 1) * sizeof *pairs);
	uint64_t np = 0;
	struct problem *p = NULL;
	struct err e;

	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < m; j++)
			if (scores[(size_t)i * m + j] > 0)
				pairs[np++] = (struct problem_pair){ i, j, scores[(size_t)i * m + j] };
	if (problem_from_pairs(n, m, capacity, pairs, np, &p, &e) != 0)
		cr_assert_fail("testgen_from_dense: %s", e.msg);
	free(pairs);
	return p;
}
