/*
 * migrate.h - applying the numbered SQL files under schema/.
 *
 * Files are named NNN_name.sql and applied in number order, each in its own
 * transaction together with its row in schema_migrations (version, name,
 * SHA-256 of the file). Re-running applies nothing new. A file that fails
 * is rolled back entirely and reported as "NNN_name.sql:LINE: message". A
 * file changed after it was applied is refused. An advisory lock keeps two
 * migrators from racing.
 */
#ifndef SPARKMATCH_MIGRATE_H
#define SPARKMATCH_MIGRATE_H

#include <libpq-fe.h>
#include <stdio.h>

#include "attrs.h"
#include "err.h"

/*
 * Apply every pending migration in dir. Progress lines ("applied
 * 002_people.sql") go to log (may be NULL). *applied receives how many files
 * were applied (may be NULL).
 */
int migrate_run(PGconn *conn, const char *dir, FILE *log, int *applied,
    struct err *err) MUSTCHECK;

/* Print each migration in dir with "applied <time>" or "pending". */
int migrate_status(PGconn *conn, const char *dir, FILE *out, struct err *err) MUSTCHECK;

#endif
