/* testdb.c - per-test databases cloned from the migrated template. */
#include "testdb.h"

#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "xmalloc.h"

static atomic_int testdb_counter;

static const char *
testdb_base(void)
{
	const char *c = getenv("SPARKMATCH_TEST_CONNINFO");

	cr_assert(c != NULL && c[0] != '\0',
	    "SPARKMATCH_TEST_CONNINFO is not set: run tests through `make check`");
	return c;
}

/* Server notices are not test output. */
static void
testdb_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

PGconn *
testdb_connect(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);

	cr_assert(PQstatus(conn) == CONNECTION_OK, "connect %s: %s", conninfo,
	    PQerrorMessage(conn));
	PQsetNoticeProcessor(conn, testdb_quiet, NULL);
	return conn;
}

void
testdb_exec(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);

	cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
	    PQerrorMessage(conn));
	PQclear(res);
}

long long
testdb_scalar(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	long long v;

	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1,
	    "%s: %s", sql, PQerrorMessage(conn));
	v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

/* Create a database, optionally from the template, and return its conninfo. */
static char *
testdb_make(int from_template)
{
	const char *tmpl = getenv("SPARKMATCH_TEST_TEMPLATE");
	char name[64], *sql, *conninfo;
	PGconn *admin;

	snprintf(name, sizeof name, "t_%ld_%d", (long)getpid(),
	    atomic_fetch_add(&testdb_counter, 1));
	admin = testdb_connect(testdb_base());
	if (from_template && tmpl != NULL)
		sql = xasprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl);
	else
		sql = xasprintf("CREATE DATABASE %s", name);
	testdb_exec(admin, sql);
	free(sql);
	PQfinish(admin);
	conninfo = xasprintf("%s dbname=%s", testdb_base(), name);
	return conninfo;
}

char *
testdb_create(void)
{
	return testdb_make(1);
}

char *
testdb_create_empty(void)
{
	return testdb_make(0);
}

void
testdb_drop(char *conninfo)
{
	const char *db;
	PGconn *admin;
	char *sql;

	if (conninfo == NULL)
		return;
	db = strrchr(conninfo, '=');
	admin = testdb_connect(testdb_base());
	sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", db + 1);
	testdb_exec(admin, sql);
	free(sql);
	PQfinish(admin);
	free(conninfo);
}

char *
testdb_srcpath(const char *rel)
{
	const char *src = getenv("SPARKMATCH_SRCDIR");

	return xasprintf("%s/%s", src ? src : ".", rel);
}

char *
testdb_binpath(const char *name)
{
	const char *b = getenv("SPARKMATCH_BUILD");

	return xasprintf("%s/%s", b ? b : "build", name);
}

char *
testdb_create_sample(void)
{
	char *ci = testdb_create(), *bin = testdb_binpath("sparkmatch");
	char *mentors = testdb_srcpath("config/cohort/mentors.csv");
	char *mentees = testdb_srcpath("config/cohort/mentees.csv");
	const char *argv[] = { bin, "-d", ci, "import", mentors, mentees, NULL };
	struct proc_result r;

	proc_run(argv, NULL, &r);
	cr_assert_eq(r.status, 0, "import failed: %s", r.err);
	cr_expect(strstr(r.out, "imported 44 mentees (44 new, 0 updated) and 14 mentors (14 new, "
	    "0 updated)") != NULL, "%s", r.out);
	proc_result_free(&r);
	free(bin);
	free(mentors);
	free(mentees);
	return ci;
}
