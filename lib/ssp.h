/*
 * ssp.h - a deliberately simple reference solver for tests: successive
 * shortest paths with Bellman-Ford (queue-based) on the explicit network
 * source -> mentee -> mentor -> sink plus one "unmatched" arc per mentee.
 * Slow (roughly n * V * E); shares no code with flow.c.
 */
#ifndef SPARKMATCH_SSP_H
#define SPARKMATCH_SSP_H

#include <stdint.h>

#include "attrs.h"
#include "err.h"
#include "problem.h"

/*
 * Maximise the sum of (score + big_m) over the matched pairs and write the
 * assignment to mentor_of[n_mentees] (PROBLEM_NONE = unmatched).
 */
int ssp_solve(const struct problem *p, int64_t big_m, uint32_t *mentor_of,
    struct err *e) MUSTCHECK;

#endif
