/*
 * cert.h - an independent optimality certificate for a matching.
 *
 * Given the problem, the weight offset big_m (weights are score + big_m),
 * an assignment and LP duals u (mentees) and v (mentors), check:
 *   primal:  each mentee on a candidate pair or unmatched, no mentor over
 *            capacity;
 *   dual:    u >= 0, v >= 0 and u[i] + v[j] >= w(i,j) on every pair;
 *   slack:   matched pairs tight, u[i] > 0 only if i is matched,
 *            v[j] > 0 only if j is full;
 *   offset:  big_m is large enough for the lexicographic objective.
 * Together these prove that the assignment matches as many mentees as
 * possible and, among those, has the highest total score.
 */
#ifndef SPARKMATCH_CERT_H
#define SPARKMATCH_CERT_H

#include <stdint.h>

#include "attrs.h"
#include "err.h"
#include "problem.h"

/*
 * Verify the certificate. Returns 0 if it holds, -1 with the first
 * violation described in e (kind ERR_KIND_INTERNAL: a solver bug).
 */
int cert_check(const struct problem *p, int64_t big_m, const uint32_t *mentor_of,
    const int64_t *u, const int64_t *v, struct err *e) MUSTCHECK;

#endif
