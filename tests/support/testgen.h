/*
 * testgen.h - deterministic random matching problems and a brute-force
 * lexicographic optimum, shared by the matching engine's unit tests.
 */
#ifndef SPARKMATCH_TESTGEN_H
#define SPARKMATCH_TESTGEN_H

#include <stdint.h>

#include "problem.h"

/* splitmix64: tiny, seedable, identical on every machine. */
struct testgen_rng {
	uint64_t s;
};

uint64_t testgen_next(struct testgen_rng *r);
/* Uniform in [0, n) (n > 0). */
uint32_t testgen_below(struct testgen_rng *r, uint32_t n);

/*
 * A random problem: capacities uniform in [0, max_cap], each pair present
 * with probability density_pct/100, scores uniform in [1, max_score].
 * Caller frees with problem_free().
 */
struct problem *testgen_problem(struct testgen_rng *r, uint32_t n, uint32_t m,
    uint32_t max_cap, uint32_t density_pct, int32_t max_score);

/* Exhaustive search: the lexicographic optimum (matched, then total). */
void testgen_brute(const struct problem *p, uint32_t *matched, int64_t *total);

/* A dense score matrix n x m (<= 0 = not allowed) as a problem; caller frees. */
struct problem *testgen_from_dense(uint32_t n, uint32_t m, const uint32_t *capacity,
    const int32_t *scores);

#endif
