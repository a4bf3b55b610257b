/*
 * match.h - the matching engine's top-level API: arrays in, arrays out.
 *
 * Mentees are 0..n-1 and mentors 0..m-1, in id order (the caller sorts by
 * id, so index order is the "id ascending" tie-break). Capacities are the
 * mentors' remaining places. Scores are integers >= 1; a pair is either
 * allowed (score >= 1) or not.
 *
 * Modes:
 *   MATCH_MODE_OPTIMAL  lexicographic optimum: as many mentees matched as
 *                       possible, then the highest total score; proven by
 *                       LP duals (certificate checked, see cert.h).
 *   MATCH_MODE_STABLE   mentee-proposing deferred acceptance: no mentee and
 *                       mentor would both rather be with each other (both
 *                       rank by score; ties by mentee id, then mentor id).
 *
 * Two entry points:
 *   match_solve_problem()  all candidate pairs are given (struct problem);
 *   match_solve_oracle()   a cohort where scores come from a row oracle:
 *       the engine builds candidates from each mentee's k best mentors and
 *       each mentor's l best mentees, solves, then prices every pair against
 *       the duals and re-solves (warm) until no pair can improve the result.
 *       The answer is optimal (or stable) over ALL allowed pairs, not only
 *       the candidates.
 *
 * Determinism: the same input and options give the same result, byte for
 * byte, on any machine and with any number of threads (integer arithmetic,
 * index-order iteration, fixed tie-breaks, order-independent merges).
 * Timings in the stats are of course not deterministic.
 */
#ifndef SPARKMATCH_MATCH_H
#define SPARKMATCH_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"
#include "flow.h"
#include "price.h"
#include "problem.h"

enum match_mode {
	MATCH_MODE_OPTIMAL = 0,
	MATCH_MODE_STABLE,
};

/*
 * Fills scores[0..n_mentors) for one mentee: the pair score (>= 1), or a
 * value <= 0 for "not allowed". Must be thread-safe (called concurrently
 * for different mentees) and deterministic.
 */
typedef price_row_fn match_row_fn;

struct match_opts {
	enum match_mode mode;
	uint32_t k_per_mentee;	/* oracle: each mentee's best k mentors (0 = default 8) */
	uint32_t l_per_mentor;	/* oracle: each mentor's best l mentees (0 = default 8) */
	uint32_t max_add;	/* oracle: pairs priced in per mentee and round (0 = default 16) */
	int threads;		/* oracle scans; 0 = online CPUs */
	bool compare;		/* also solve the other mode and report both objectives */
	bool certify;		/* check the optimality certificate (always on unless NDEBUG) */
};

/* Work and time of one solve. Times are wall-clock seconds. */
struct match_stats {
	enum match_mode mode;
	uint64_t allowed;	/* allowed pairs (oracle: seen by the first scan) */
	uint64_t candidates;	/* pairs in the final candidate problem */
	uint32_t pricing_rounds;	/* oracle, optimal: scans after the first solve */
	uint64_t priced_in;	/* oracle, optimal: pairs added by pricing */
	uint64_t rows_priced;	/* oracle, optimal: mentee rows scanned by pricing */
	uint64_t proposals;	/* stable: proposals made */
	uint32_t extensions;	/* oracle, stable: rounds of on-demand list extension */
	struct flow_stats flow;	/* optimal: solver counters, summed over solves */
	int threads;
	double t_candidates;	/* oracle: the first scan */
	double t_solve;		/* optimal solves (all rounds) */
	double t_pricing;	/* oracle: pricing scans */
	double t_stable;	/* deferred acceptance (with its oracle calls) */
	double t_total;
	/* With opts.compare: both modes' objectives (the other mode solved too). */
	bool compared;
	uint32_t optimal_matched;
	int64_t optimal_total;
	uint32_t stable_matched;
	int64_t stable_total;
};

struct match_result;

/* Defaults: optimal mode, k = l = 8, max_add = 16, all CPUs, certify. */
void match_opts_init(struct match_opts *o);

/*
 * Solve a problem whose candidate pairs are all given. On success *out is a
 * result the caller frees with match_result_free(). Fails only on invalid
 * input (scores too large for 64-bit weights) or a failed certificate (a bug).
 */
int match_solve_problem(const struct problem *p, const struct match_opts *opts,
    struct match_result **out, struct err *e) MUSTCHECK;

/*
 * Solve a cohort of n_mentees x n_mentors with capacity[n_mentors] whose
 * scores come from row(ctx, mentee, scores) (see match_row_fn). Exact over
 * all allowed pairs. The caller frees *out with match_result_free().
 */
int match_solve_oracle(uint32_t n_mentees, uint32_t n_mentors, const uint32_t *capacity,
    match_row_fn row, void *ctx, const struct match_opts *opts,
    struct match_result **out, struct err *e) MUSTCHECK;

void match_result_free(struct match_result *r);

uint32_t match_result_n_mentees(const struct match_result *r);
uint32_t match_result_n_mentors(const struct match_result *r);
/* mentor_of[mentee], PROBLEM_NONE (UINT32_MAX) when unmatched. */
const uint32_t *match_result_mentor_of(const struct match_result *r);
/* score[mentee] of its pair, 0 when unmatched. */
const int32_t *match_result_score(const struct match_result *r);
uint32_t match_result_matched(const struct match_result *r);
int64_t match_result_total(const struct match_result *r);
/*
 * Optimal mode: the LP duals behind the certificate, for weights
 * score + big_m: u[mentee] >= 0, v[mentor] >= 0, u + v >= weight on every
 * allowed pair, equality on matched pairs. NULL in stable mode.
 */
const int64_t *match_result_u(const struct match_result *r);
const int64_t *match_result_v(const struct match_result *r);
int64_t match_result_big_m(const struct match_result *r);
const struct match_stats *match_result_stats(const struct match_result *r);

#endif
