/*
 * db.h - blocking libpq helpers for the command line and worker threads.
 *
 * The daemon's event loop never uses these (it drives libpq asynchronously);
 * db_err_from_result() is shared by both to turn a PostgreSQL error into a
 * struct err with a kind and, where the schema names one, the input field.
 */
#ifndef SPARKMATCH_DB_H
#define SPARKMATCH_DB_H

#include <libpq-fe.h>

#include "attrs.h"
#include "err.h"

/*
 * Connect with a conninfo string or URI ("" = libpq defaults / PG* env), in
 * UTF-8 and with JIT compilation off for the session. Returns NULL with err
 * filled on failure. Close with PQfinish().
 */
PGconn *db_connect(const char *conninfo, const char *application_name,
    struct err *err) MUSTCHECK;

/* Run a statement without parameters and without rows (BEGIN, COMMIT, DDL). */
int db_exec(PGconn *conn, const char *sql, struct err *err) MUSTCHECK;

/*
 * Run a parameterised statement (text parameters; NULL entries are SQL NULL).
 * Returns the result (caller PQclear()s it) or NULL with err filled.
 */
PGresult *db_query(PGconn *conn, const char *sql, int nparams,
    const char *const *params, struct err *err) MUSTCHECK;

/*
 * For one statement run many times (a bulk import): db_prepare() parses and
 * plans sql once as the connection's unnamed statement, db_query_prepared()
 * runs it like db_query(). Another db_prepare() replaces it.
 */
int db_prepare(PGconn *conn, const char *sql, int nparams, struct err *err) MUSTCHECK;
PGresult *db_query_prepared(PGconn *conn, int nparams, const char *const *params,
    struct err *err) MUSTCHECK;

/* Like db_query(), for statements that must return exactly one row. */
PGresult *db_query_row(PGconn *conn, const char *sql, int nparams,
    const char *const *params, struct err *err) MUSTCHECK;

/* Roll back the current transaction, if any, ignoring errors (for cleanup paths). */
void db_rollback_quietly(PGconn *conn);

/*
 * Fill err from a failed result (or from the connection when res is NULL):
 * kind from the SQLSTATE (22xxx/23502/23503/23514 invalid, 23505 and 55000
 * conflict, 08xxx/57Pxx unavailable), field from the schema's DETAIL or the
 * violated constraint. Returns -1.
 */
int db_err_from_result(const PGconn *conn, const PGresult *res, struct err *err);

#endif
