/*
 * dimacs.h - the plain-text problem format of `sparkmatch solve`, in the
 * spirit of DIMACS:
 *
 *   c any comment
 *   p sparkmatch <mentees> <mentors> <pairs>
 *   m <mentor> <capacity>          one line per mentor
 *   a <mentee> <mentor> <score>    one line per allowed pair
 *
 * Ids are 1-based, scores integers >= 1. Comment and blank lines may appear
 * anywhere; the p line comes before any m or a line; m and a lines may be
 * interleaved. The reader maps or slurps the file and scans it by hand (no
 * scanf), so millions of pairs parse in a fraction of a second.
 */
#ifndef SPARKMATCH_DIMACS_H
#define SPARKMATCH_DIMACS_H

#include <stddef.h>
#include <stdio.h>

#include "attrs.h"
#include "err.h"
#include "problem.h"

/*
 * Parse buf[0..len). name is used in messages, which read
 * "name:line: what is wrong". The caller frees *out with problem_free().
 */
int dimacs_parse(const char *name, const char *buf, size_t len,
    struct problem **out, struct err *e) MUSTCHECK;

/* Read and parse a file; path "-" reads standard input (named "<stdin>"). */
int dimacs_read(const char *path, struct problem **out, struct err *e) MUSTCHECK;

/* Write p in the format above (optional comment line first); -1 on I/O error. */
int dimacs_write(FILE *f, const struct problem *p, const char *comment,
    struct err *e) MUSTCHECK;

#endif
