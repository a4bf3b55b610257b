/*
 * price.h - candidate generation and pricing over a row oracle, for cohort
 * runs where the pair scores are computed on demand rather than stored.
 *
 * The oracle fills scores[0..n_mentors) for one mentee: the pair score
 * (>= 1) or a value <= 0 for "not allowed" (a hard rule, or below the
 * minimum score). It must be thread-safe: it is called concurrently from
 * several threads for different mentees. Work is split over threads in
 * chunks of mentees and every result is merged in mentee/mentor order, so
 * the output never depends on the number of threads or their timing.
 */
#ifndef SPARKMATCH_PRICE_H
#define SPARKMATCH_PRICE_H

#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"
#include "problem.h"

typedef void (*price_row_fn)(void *ctx, uint32_t mentee, int32_t *scores);

struct price_oracle {
	uint32_t n_mentees;
	uint32_t n_mentors;
	const uint32_t *capacity;	/* [n_mentors] */
	price_row_fn row;
	void *ctx;
	int threads;			/* >= 1 */
};

/* What the first full pass saw. */
struct price_summary {
	uint64_t allowed;	/* pairs with a score >= 1 */
	int32_t max_score;	/* over allowed pairs; 0 if none */
};

/*
 * One pass over all pairs: the candidate problem holds each mentee's k best
 * mentors and each mentor's l best mentees (score descending, ties by id),
 * so popular mentors cannot crowd everyone else out of the lists. Also
 * returns the number of allowed pairs and their largest score in *sum. If top_k is not
 * NULL it receives n*k entries: mentee i's best mentors in preference order
 * at [i*k, i*k+top_len[i]) (top_len gets n entries); the caller frees both.
 * The caller frees *out with problem_free().
 */
int price_candidates(const struct price_oracle *o, uint32_t k, uint32_t l,
    struct problem **out, struct price_summary *sum, struct problem_pair **top_k,
    uint32_t **top_len, struct err *e) MUSTCHECK;

/*
 * Pricing: scan all pairs against the duals (u per mentee, v per mentor;
 * weights score + big_m) and return, sorted by (mentee, mentor), the pairs
 * with positive reduced profit w - u - v, at most max_per_mentee per mentee
 * (the most profitable; 0 = no limit). *out is caller-freed (NULL if none).
 */
uint64_t price_violations(const struct price_oracle *o, int64_t big_m, const int64_t *u,
    const int64_t *v, uint32_t max_per_mentee, struct problem_pair **out);

/* Work counters of price_stable(). */
struct price_stable_stats {
	uint64_t proposals;
	uint32_t extensions;	/* rounds of on-demand list extension */
	uint64_t rows;		/* oracle rows computed for extensions */
	uint64_t offered;	/* preference entries handed to the engine */
};

/*
 * Stable mode over the oracle, exact with respect to all allowed pairs:
 * mentees start with the lists from price_candidates (top_k/top_len) and a
 * mentee that runs out gets the next part of its list computed on demand,
 * without the mentors that would refuse it already (they only get choosier).
 * Writes mentor_of[n] and score_of[n] (0 when unmatched).
 */
void price_stable(const struct price_oracle *o, uint32_t k, const struct problem_pair *top_k,
    const uint32_t *top_len, uint32_t *mentor_of, int32_t *score_of,
    struct price_stable_stats *st);

#endif
