/*
 * bmatch.h - maximum-cardinality b-matching (Hopcroft-Karp with mentor
 * capacities) and its Konig vertex cover, ignoring scores.
 *
 * The optimal solver uses the cover as a warm start: mentors in the cover
 * are exactly the ones every maximum matching fills and that unmatched
 * mentees compete for, so their duals sit at the big-M level.
 */
#ifndef SPARKMATCH_BMATCH_H
#define SPARKMATCH_BMATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "problem.h"

/*
 * Compute a maximum-cardinality assignment of p into mentor_of[n] (NONE =
 * unmatched) and, if cover_mentor is not NULL, mark in cover_mentor[m]
 * (1/0) the mentors reachable from unmatched mentees by alternating paths
 * (the mentor side of the canonical Konig cover; it does not depend on
 * which maximum matching was found). Returns the cardinality.
 */
uint32_t bmatch_max(const struct problem *p, uint32_t *mentor_of, uint8_t *cover_mentor);

#endif
