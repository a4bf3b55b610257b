/*
 * problem.h - a matching problem in memory: mentees, mentors with
 * capacities, and the candidate pairs with their scores.
 *
 * Mentees are 0..n-1 and mentors 0..m-1 (index order is id order, so index
 * order is the "id asc" tie-break everywhere). Pairs are stored in CSR form
 * per mentee, sorted by mentee then mentor: 32-bit mentor ids and scores,
 * 64-bit row offsets, no per-pair allocation. A problem is immutable once
 * built; it is made by a builder (pairs in any order) or by merging new
 * pairs into an existing problem (pricing).
 *
 * Objective (see match.h): lexicographic, first the number of matched
 * mentees, then the total score. Solvers reduce it to one integer weight
 * per pair, score + big_m, with big_m from problem_big_m().
 */
#ifndef SPARKMATCH_PROBLEM_H
#define SPARKMATCH_PROBLEM_H

#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

/* "No mentor" in a mentor_of[] array. */
#define PROBLEM_NONE UINT32_MAX
/* Largest number of candidate pairs a problem may hold. */
#define PROBLEM_MAX_PAIRS ((uint64_t)UINT32_MAX - 1)

struct problem;
struct problem_builder;

/* A pair as the builder and the merge take it (0-based ids). */
struct problem_pair {
	uint32_t mentee;
	uint32_t mentor;
	int32_t score;
};

/*
 * Start a problem with n_mentees and n_mentors; every capacity starts at 0.
 * Free with problem_builder_free() (problem_builder_finish() does not free it).
 */
struct problem_builder *problem_builder_new(uint32_t n_mentees, uint32_t n_mentors);
void problem_builder_free(struct problem_builder *b);
/* Reserve room for this many pairs (a hint; adding beyond it still works). */
void problem_builder_reserve(struct problem_builder *b, uint64_t n_pairs);
/* Set a mentor's (remaining) capacity. Fails if the mentor is out of range. */
int problem_builder_set_capacity(struct problem_builder *b, uint32_t mentor,
    uint32_t capacity, struct err *e) MUSTCHECK;
/*
 * Add one candidate pair. Fails on an id out of range, a score below 1 or
 * too many pairs; duplicates are detected by problem_builder_finish().
 */
int problem_builder_add(struct problem_builder *b, uint32_t mentee,
    uint32_t mentor, int32_t score, struct err *e) MUSTCHECK;
/*
 * Sort the pairs into CSR (by mentee, then mentor) and return the problem in
 * *out (caller frees with problem_free). On a duplicate pair it fails and,
 * if dup_index is not NULL, stores there the 0-based insertion index of the
 * second occurrence. The builder stays valid (and must still be freed).
 */
int problem_builder_finish(struct problem_builder *b, struct problem **out,
    uint64_t *dup_index, struct err *e) MUSTCHECK;

/*
 * Build a problem directly from arrays: capacity[n_mentors] and n_pairs
 * pairs in any order. Same checks as the builder. Caller frees *out.
 */
int problem_from_pairs(uint32_t n_mentees, uint32_t n_mentors,
    const uint32_t *capacity, const struct problem_pair *pairs, uint64_t n_pairs,
    struct problem **out, struct err *e) MUSTCHECK;

/*
 * A new problem with the pairs of p plus add[0..n_add), which must be sorted
 * by (mentee, mentor), be valid and not already be in p. Used by pricing.
 * Caller frees the result; p is unchanged.
 */
struct problem *problem_merge(const struct problem *p,
    const struct problem_pair *add, uint64_t n_add);

/* A deep copy with the same pairs and new capacities (NULL keeps them). */
struct problem *problem_with_capacity(const struct problem *p, const uint32_t *capacity);

void problem_free(struct problem *p);

uint32_t problem_n_mentees(const struct problem *p);
uint32_t problem_n_mentors(const struct problem *p);
uint64_t problem_n_pairs(const struct problem *p);
/* capacity[mentor]. */
const uint32_t *problem_capacity(const struct problem *p);
/* CSR row offsets: mentee i's pairs are [row[i], row[i+1]); n+1 entries. */
const uint64_t *problem_row(const struct problem *p);
/* Mentor of each pair (ascending within a row). */
const uint32_t *problem_col(const struct problem *p);
/* Score of each pair (>= 1). */
const int32_t *problem_score(const struct problem *p);
/* Largest and smallest score (0 and 0 when there are no pairs). */
int32_t problem_max_score(const struct problem *p);
int32_t problem_min_score(const struct problem *p);
/* Sum of the capacities (64-bit). */
uint64_t problem_total_capacity(const struct problem *p);
/* Index of pair (mentee, mentor) or UINT64_MAX if it is not a candidate. */
uint64_t problem_find(const struct problem *p, uint32_t mentee, uint32_t mentor);

/*
 * Check that mentor_of[0..n) is a feasible assignment of p (each mentee on
 * a candidate pair or PROBLEM_NONE, no mentor over capacity) and return the
 * number matched and the total score. Fails with a message naming the first
 * violation.
 */
int problem_evaluate(const struct problem *p, const uint32_t *mentor_of,
    uint32_t *matched, int64_t *total, struct err *e) MUSTCHECK;

/*
 * The weight offset that makes "maximise sum of (score + big_m)" the same as
 * "maximise the number matched, then the total score", for scores in
 * [min_score, max_score] on n_mentees x n_mentors:
 * big_m = (min(n, m) - 1) * (max_score - min_score) + 1. Any augmenting path
 * removes at most min(n, m) - 1 pairs and adds one more than it removes, so
 * with this offset it always gains. Fails if weights or totals could
 * overflow 64-bit arithmetic.
 */
int problem_big_m(uint32_t n_mentees, uint32_t n_mentors, int32_t min_score,
    int32_t max_score, int64_t *big_m, struct err *e) MUSTCHECK;

#endif
