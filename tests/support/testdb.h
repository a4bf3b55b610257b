/*
 * testdb.h - a fresh, migrated PostgreSQL database per test.
 *
 * scripts/run-tests.sh starts a private server and a migrated template; each
 * test clones it, so tests never see each other's rows and can run in
 * parallel. Blocking libpq is fine here: this is test code.
 */
#ifndef SPARKMATCH_TESTDB_H
#define SPARKMATCH_TESTDB_H

#include <libpq-fe.h>

/*
 * Create a database cloned from the migrated template and return its
 * conninfo (caller frees with testdb_drop). Aborts the test on failure.
 */
char *testdb_create(void);
/*
 * Create a database holding the sample cohort (the CSVs in config/cohort, 44
 * mentees and 14 mentors), loaded by a real `sparkmatch import`.
 */
char *testdb_create_sample(void);
/* Create an empty database (no migrations applied). */
char *testdb_create_empty(void);
/* Drop the database and free the conninfo string. */
void testdb_drop(char *conninfo);
/* Connect, failing the test on error. Close with PQfinish. */
PGconn *testdb_connect(const char *conninfo);
/* Run one parameterless statement, failing the test unless it succeeds. */
void testdb_exec(PGconn *conn, const char *sql);
/* Run a query whose first column of the first row is an integer. */
long long testdb_scalar(PGconn *conn, const char *sql);
/* Path of a file in the source tree (caller frees). */
char *testdb_srcpath(const char *rel);
/* Path of a built binary, e.g. "sparkmatch" (caller frees). */
char *testdb_binpath(const char *name);

#endif
