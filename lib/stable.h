/*
 * stable.h - stable mode: mentee-proposing deferred acceptance with mentor
 * capacities.
 *
 * Both sides rank by pair score with one strict global tie order: score
 * descending, then mentee id ascending, then mentor id ascending. A mentee
 * proposes to its allowed mentors best first; a mentor keeps its best
 * `capacity` proposals and rejects the rest. The result is the
 * mentee-optimal stable matching: no allowed pair (i, j) where i is
 * unmatched or prefers j, and j has room or prefers i to its worst mentee.
 * It is unique, so the proposal order does not matter.
 *
 * The engine (stable_da_*) takes each mentee's preferences in pieces, so a
 * caller that computes scores on demand (cohort runs, see price.h) can hand
 * out a mentee's list lazily and still get the exact result over all pairs.
 */
#ifndef SPARKMATCH_STABLE_H
#define SPARKMATCH_STABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "problem.h"

struct stable_da;

/* Engine for n mentees and m mentors with capacity[m]. Free with stable_da_free. */
struct stable_da *stable_da_new(uint32_t n_mentees, uint32_t n_mentors, const uint32_t *capacity);
void stable_da_free(struct stable_da *da);
/*
 * Give mentee i its next preferences, best first: mentors[0..len) with their
 * scores, strictly after everything offered before in the tie order. The
 * arrays are copied. With last set (or len 0) these are all the mentee's
 * remaining acceptable mentors: once used up, it stays unmatched.
 */
void stable_da_offer(struct stable_da *da, uint32_t mentee, const uint32_t *mentors,
    const int32_t *scores, uint32_t len, bool last);
/*
 * Run proposals until every unmatched mentee has used up what it was
 * offered. Writes the mentees that are unmatched and may still have
 * acceptable mentors (no last offer yet) to need[] (room for n), in index
 * order, and returns how many.
 */
uint32_t stable_da_run(struct stable_da *da, uint32_t *need);
/*
 * Whether mentor j would now accept mentee i at this score. Mentors only get
 * choosier, so a pair refused now is refused for good. Read-only: safe to
 * call from several threads while the engine is not running.
 */
bool stable_da_would_accept(const struct stable_da *da, uint32_t mentor, uint32_t mentee,
    int32_t score);
/*
 * Snapshot of every mentor's bar: mentor j now accepts (score s, mentee i)
 * iff s > thr_s[j], or s == thr_s[j] and i < thr_i[j]. Arrays of n_mentors.
 */
void stable_da_thresholds(const struct stable_da *da, int32_t *thr_s, uint32_t *thr_i);
/* The last (score, mentor) offered to mentee i; false if nothing yet. */
bool stable_da_last_offered(const struct stable_da *da, uint32_t mentee, int32_t *score,
    uint32_t *mentor);
/* mentor_of[n] (PROBLEM_NONE = unmatched); valid until the next call. */
const uint32_t *stable_da_assignment(const struct stable_da *da);
/* score_of[n]: each matched mentee's accepted score, 0 when unmatched. */
void stable_da_scores(const struct stable_da *da, int32_t *score_of);
/* Number of proposals made so far. */
uint64_t stable_da_proposals(const struct stable_da *da);

/*
 * Deferred acceptance over all pairs of p. Writes mentor_of[n] and returns
 * the number of proposals made.
 */
uint64_t stable_solve(const struct problem *p, uint32_t *mentor_of);

#endif
