/* db.c - blocking libpq helpers and PostgreSQL error mapping. */
#include "db.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* Server notices ("relation already exists, skipping") are debug chatter, not output. */
static void
db_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("postgres: %.*s", (int)strcspn(message, "\n"), message);
}

/*
 * libpq's messages may span lines ("could not connect ...\n\tIs the server
 * running ...?"); logs and API errors want one line, so join them with "; ".
 */
static void
db_copy_line(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (const char *p = src ? src : ""; *p != '\0' && n + 3 < len; p++) {
		if (*p == '\n' || *p == '\r') {
			while (p[1] == '\n' || p[1] == '\r' || p[1] == '\t' || p[1] == ' ')
				p++;
			if (p[1] != '\0' && n > 0) {
				dst[n++] = ';';
				dst[n++] = ' ';
			}
			continue;
		}
		dst[n++] = *p == '\t' ? ' ' : *p;
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

PGconn *
db_connect(const char *conninfo, const char *application_name, struct err *err)
{
	const char *keys[] = { "dbname", "application_name", "client_encoding", NULL };
	const char *vals[] = { conninfo, application_name, "UTF8", NULL };
	PGconn *conn;

	/* expand_dbname lets conninfo be a full "key=value" string or URI. */
	conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[ERR_MSG_MAX];

		db_copy_line(msg, sizeof msg, PQerrorMessage(conn));
		err_set(err, ERR_KIND_UNAVAILABLE, "cannot connect to PostgreSQL: %s", msg);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, db_notice, NULL);
	/*
	 * Once the tables are analysed the planner overestimates the cohort
	 * queries and JIT-compiles them, which cost more than the queries (0.27 s
	 * of a 1.1 s load at 100,000 x 20,000; 5x the load at 10,000 x 2,000).
	 * Best effort: a server without the setting simply keeps its default.
	 */
	PQclear(PQexec(conn, "SET jit = off"));
	return conn;
}

/* A DETAIL that is a field path ("email", "goals[2].skill") names the field. */
static int
db_detail_is_field(const char *d)
{
	if (d == NULL || d[0] == '\0' || strlen(d) >= ERR_FIELD_MAX)
		return 0;
	for (const char *p = d; *p; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_-.[]", *p) == NULL)
			return 0;
	}
	return 1;
}

/* "mentees_email_check" -> "email"; "mentees_email_key" -> "email". */
static void
db_field_from_constraint(const char *table, const char *cons, char *out, size_t len)
{
	static const char *const suffixes[] = { "_check", "_fkey", "_key", "_pkey" };
	size_t tl = table ? strlen(table) : 0, cl;

	out[0] = '\0';
	if (cons == NULL)
		return;
	if (tl && strncmp(cons, table, tl) == 0 && cons[tl] == '_')
		cons += tl + 1;
	cl = strlen(cons);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);

		if (cl > sl && strcmp(cons + cl - sl, suffixes[i]) == 0) {
			cl -= sl;
			break;
		}
	}
	if (cl >= len)
		cl = len - 1;
	memcpy(out, cons, cl);
	out[cl] = '\0';
}

int
db_err_from_result(const PGconn *conn, const PGresult *res, struct err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	enum err_kind kind = ERR_KIND_INTERNAL;
	char msg[ERR_MSG_MAX], field[ERR_FIELD_MAX] = "";

	if (primary != NULL)
		db_copy_line(msg, sizeof msg, primary);
	else if (res != NULL && PQresultErrorMessage(res)[0] != '\0')
		db_copy_line(msg, sizeof msg, PQresultErrorMessage(res));
	else
		db_copy_line(msg, sizeof msg, conn ? PQerrorMessage(conn) : "unknown database error");

	if (state == NULL) {
		/* No SQLSTATE: the connection itself failed. */
		kind = (conn == NULL || PQstatus(conn) != CONNECTION_OK) ? ERR_KIND_UNAVAILABLE
		    : ERR_KIND_INTERNAL;
	} else if (strncmp(state, "22", 2) == 0 || strcmp(state, "23502") == 0 ||
	    strcmp(state, "23503") == 0 || strcmp(state, "23514") == 0) {
		kind = ERR_KIND_INVALID;
	} else if (strcmp(state, "23505") == 0 || strcmp(state, "55000") == 0 ||
	    strcmp(state, "40001") == 0) {
		kind = ERR_KIND_CONFLICT;
	} else if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	    strcmp(state, "53300") == 0) {
		kind = ERR_KIND_UNAVAILABLE;
	}

	if (res != NULL && kind != ERR_KIND_INTERNAL && kind != ERR_KIND_UNAVAILABLE) {
		if (db_detail_is_field(detail))
			snprintf(field, sizeof field, "%s", detail);
		else if (PQresultErrorField(res, PG_DIAG_COLUMN_NAME) != NULL)
			snprintf(field, sizeof field, "%s", PQresultErrorField(res, PG_DIAG_COLUMN_NAME));
		else
			db_field_from_constraint(PQresultErrorField(res, PG_DIAG_TABLE_NAME),
			    PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME), field, sizeof field);
	}
	err_set(err, kind, "%s", msg);
	snprintf(err->field, sizeof err->field, "%s", field);
	return -1;
}

/* res if it succeeded; else NULL with err filled and res cleared. */
static PGresult *
db_checked(PGconn *conn, PGresult *res, struct err *err)
{
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		db_err_from_result(conn, res, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

PGresult *
db_query(PGconn *conn, const char *sql, int nparams, const char *const *params,
    struct err *err)
{
	return db_checked(conn, PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0), err);
}

int
db_prepare(PGconn *conn, const char *sql, int nparams, struct err *err)
{
	PGresult *res = db_checked(conn, PQprepare(conn, "", sql, nparams, NULL), err);

	PQclear(res);
	return res == NULL ? -1 : 0;
}

PGresult *
db_query_prepared(PGconn *conn, int nparams, const char *const *params, struct err *err)
{
	return db_checked(conn, PQexecPrepared(conn, "", nparams, params, NULL, NULL, 0), err);
}

PGresult *
db_query_row(PGconn *conn, const char *sql, int nparams, const char *const *params,
    struct err *err)
{
	PGresult *res = db_query(conn, sql, nparams, params, err);

	if (res != NULL && PQntuples(res) != 1) {
		err_set(err, PQntuples(res) == 0 ? ERR_KIND_NOT_FOUND : ERR_KIND_INTERNAL,
		    "expected one row, got %d", PQntuples(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

int
db_exec(PGconn *conn, const char *sql, struct err *err)
{
	PGresult *res = db_query(conn, sql, 0, NULL, err);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

void
db_rollback_quietly(PGconn *conn)
{
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
}
