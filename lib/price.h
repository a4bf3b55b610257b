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

/* What the first pass returns; release with price_cands_release(). */
struct price_cands {
	struct problem *problem;	/* the candidate pairs (caller may take it over) */
	uint64_t allowed;		/* allowed pairs (score >= 1) over the whole cohort */
	int32_t max_score;		/* their largest score; 0 if none */
	uint32_t k;			/* the k used (at most the number of mentors) */
	struct problem_pair *top;	/* mentee i's best k at [i*k, i*k + top_len[i]) */
	uint32_t *top_len;		/* [n] */
	int32_t *row_bound;		/* [n] no pair of mentee i outside its best k scores more */
	int32_t *col_bound;		/* [m] no pair of mentor j outside its best l scores more */
};

/*
 * One pass over all pairs: the candidate problem holds each mentee's k best
 * mentors and each mentor's l best mentees (score descending, ties by id),
 * so popular mentors cannot crowd everyone else out of the lists. A bound
 * of 0 means all of that side's allowed pairs are candidates.
 */
int price_candidates(const struct price_oracle *o, uint32_t k, uint32_t l,
    struct price_cands *out, struct err *e) MUSTCHECK;
void price_cands_release(struct price_cands *c);

/*
 * Pricing rounds. Each round scans pairs against the duals (u per mentee,
 * v per mentor; weights score + big_m) and returns, sorted by (mentee,
 * mentor), the pairs with positive reduced profit w - u - v, at most max_add
 * per mentee (the most profitable; 0 = no limit). From the second round on
 * a mentee's row is skipped when no pair outside the candidates can have
 * turned profitable since the previous round: the duals of its possible
 * partners did not drop enough, given the score bounds of price_cands.
 * The caller must add the returned pairs to the candidates before the next
 * round. When a round returns nothing, every allowed pair of the cohort is
 * dual feasible.
 */
struct price_scan;

struct price_scan *price_scan_new(const struct price_oracle *o, const struct price_cands *c,
    int64_t big_m, uint32_t max_add);
void price_scan_free(struct price_scan *ps);
/*
 * One round against the current candidates cand (their pairs are skipped:
 * they are dual feasible after a solve). *out is caller-freed (NULL if
 * none); *rows gets the number of rows scanned.
 */
uint64_t price_scan_round(struct price_scan *ps, const struct problem *cand,
    const int64_t *u, const int64_t *v, struct problem_pair **out, uint32_t *rows);

/* Work counters of price_stable(). */
struct price_stable_stats {
	uint64_t proposals;
	uint32_t extensions;	/* rounds of on-demand list extension */
	uint64_t rows;		/* oracle rows computed for extensions */
	uint64_t offered;	/* preference entries handed to the engine */
};

/*
 * Stable mode over the oracle, exact with respect to all allowed pairs:
 * mentees start with their best k from price_candidates and a mentee that
 * runs out gets the next part of its list computed on demand, without the
 * mentors that would refuse it already (they only get choosier). Writes
 * mentor_of[n] and score_of[n] (0 when unmatched).
 */
void price_stable(const struct price_oracle *o, const struct price_cands *c,
    uint32_t *mentor_of, int32_t *score_of, struct price_stable_stats *st);

#endif
