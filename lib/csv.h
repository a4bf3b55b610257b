/*
 * csv.h - reading RFC 4180 CSV: comma separated, fields optionally in
 * double quotes with "" for a quote, quoted fields may span lines, LF or
 * CRLF line ends, UTF-8. Blank lines and lines starting with '#' (outside
 * quotes) are skipped, so sample files can carry comments.
 */
#ifndef SPARKMATCH_CSV_H
#define SPARKMATCH_CSV_H

#include "attrs.h"
#include "err.h"

struct csv;

/* Open a file ("-" for standard input). NULL with err filled on failure. */
struct csv *csv_open(const char *path, struct err *err) MUSTCHECK;
/* Read from memory (copied); name is used in messages. */
struct csv *csv_open_string(const char *name, const char *text);
void csv_free(struct csv *c);

/*
 * Read the next record. Returns 1 with *fields and *n set (valid until the next
 * call), 0 at end of input, -1 with err ("file:line: ...") on malformed input.
 */
int csv_next(struct csv *c, const char *const **fields, int *n, struct err *err) MUSTCHECK;
/* The line on which the last record started. */
int csv_line(const struct csv *c);
const char *csv_name(const struct csv *c);

#endif
