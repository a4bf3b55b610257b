/*
 * flow.h - the exact optimal solver: min-cost flow on the compact network
 * source -> mentee -> mentor -> sink (mentor capacities on the mentor->sink
 * arcs, one implicit "stay unmatched" arc per mentee), solved by shortest
 * augmenting paths (Dijkstra on reduced costs, Jonker-Volgenant style: one
 * search per mentee, early exit, lazy potential update of the scanned part).
 *
 * Weights are w = score + big_m (problem_big_m()), which makes the maximum
 * weight matching the lexicographic optimum (most matched, then best total).
 *
 * The solver keeps LP duals: u[i] >= 0 per mentee, v[j] >= 0 per mentor with
 * u[i] + v[j] >= w(i,j) on every candidate pair, equality on matched pairs,
 * u[i] > 0 only for matched mentees and v[j] > 0 only for full mentors.
 * Any (mentor_of, u, v) may be passed back in as a warm start (after pairs
 * were added, capacities changed, ...): the solver keeps what is still
 * consistent and repairs the rest, so a warm start never changes the
 * optimum, only the time to reach it. A cold start (nobody matched, all
 * v = 0) first computes a maximum-cardinality matching (bmatch.h): mentors
 * that are full in every maximum matching are filled from the mentor side
 * by reverse searches, the others from the mentee side by forward searches.
 * docs/performance.md explains the choice with measurements.
 */
#ifndef SPARKMATCH_FLOW_H
#define SPARKMATCH_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"
#include "problem.h"

/* A solution with its duals; plain arrays owned by the struct. */
struct flow_solution {
	uint32_t n_mentees;
	uint32_t n_mentors;
	uint32_t *mentor_of;	/* [n_mentees], PROBLEM_NONE when unmatched */
	int64_t *u;		/* [n_mentees] mentee duals */
	int64_t *v;		/* [n_mentors] mentor duals */
};

/* Work counters of one flow_solve() call. */
struct flow_stats {
	uint64_t kept;		/* warm-start assignments kept */
	uint64_t dropped;	/* warm-start assignments found inconsistent */
	uint64_t direct;	/* mentees placed on their best pair without a search */
	uint64_t searches;	/* forward shortest-path searches */
	uint64_t reverse;	/* reverse searches that refill a freed, priced slot */
	uint64_t scanned;	/* mentors scanned by all searches */
	uint64_t relaxed;	/* arcs relaxed by all searches */
};

/* An empty solution (nobody matched, all duals 0). Free with flow_solution_free. */
struct flow_solution *flow_solution_new(uint32_t n_mentees, uint32_t n_mentors);
void flow_solution_free(struct flow_solution *s);
/* Forget everything (cold start). */
void flow_solution_reset(struct flow_solution *s);

/*
 * Solve p optimally for weights score + big_m. sol must have p's sizes; its
 * contents are the warm start (flow_solution_reset() for a cold one) and are
 * replaced by the optimal solution and duals. stats may be NULL. Fails only
 * on a size mismatch or when weights would overflow.
 */
int flow_solve(const struct problem *p, int64_t big_m, struct flow_solution *sol,
    struct flow_stats *stats, struct err *e) MUSTCHECK;

#endif
