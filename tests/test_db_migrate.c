/*
 * test_db_migrate.c - migrations against a real PostgreSQL: up from empty,
 * re-run is a no-op, a broken file leaves nothing behind, an edited file is
 * refused; the seeded taxonomy; the schema's constraints refuse bad rows.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "migrate.h"
#include "testdb.h"
#include "xmalloc.h"

static int
count_sql_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		n += l > 4 && strcmp(de->d_name + l - 4, ".sql") == 0;
	}
	closedir(d);
	return n;
}

Test(migrate, up_from_empty_then_noop)
{
	char *ci = testdb_create_empty(), *dir = testdb_srcpath("schema");
	PGconn *conn = testdb_connect(ci);
	struct err err;
	int applied = -1;

	cr_assert_eq(migrate_run(conn, dir, NULL, &applied, &err), 0, "%s", err.msg);
	cr_expect_eq(applied, count_sql_files(dir));
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM schema_migrations"), applied);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
	    "('skills','mentees','mentee_goals','mentee_support','mentors','mentor_strengths','mentor_support',"
	    "'exclusions','runs','proposals','outbox','signup_keys','api_tokens','audit_log','time_zones')"), 15);
	cr_assert_eq(migrate_run(conn, dir, NULL, &applied, &err), 0, "%s", err.msg);
	cr_expect_eq(applied, 0, "a second run applies nothing");
	PQfinish(conn);
	free(dir);
	testdb_drop(ci);
}

/* Copy schema/ into a scratch directory we may add broken files to. */
static char *
scratch_schema(void)
{
	char *src = testdb_srcpath("schema"), *tmpl = xstrdup("/tmp/sm-schema-XXXXXX");
	char *dir = mkdtemp(tmpl), *cmd;

	cr_assert_not_null(dir);
	cmd = xasprintf("cp %s/*.sql %s/", src, dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(src);
	return dir;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void
remove_dir(char *dir)
{
	char *cmd = xasprintf("rm -rf %s", dir);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

Test(migrate, broken_migration_is_rolled_back_and_named)
{
	char *ci = testdb_create_empty(), *dir = scratch_schema();
	PGconn *conn = testdb_connect(ci);
	struct err err;
	int applied = 0, before;

	cr_assert_eq(migrate_run(conn, dir, NULL, &applied, &err), 0, "%s", err.msg);
	before = applied;
	write_file(dir, "900_broken.sql",
	    "CREATE TABLE half_done (x integer);\n"
	    "INSERT INTO half_done VALUES (1);\n"
	    "SELECT no_such_column FROM half_done;\n");
	cr_assert_eq(migrate_run(conn, dir, NULL, &applied, &err), -1);
	cr_expect(strstr(err.msg, "900_broken.sql:3: ") != NULL, "%s", err.msg);
	cr_expect(strstr(err.msg, "no_such_column") != NULL, "%s", err.msg);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"), 0,
	    "the failed file left a table behind");
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM schema_migrations"), before);

	/* Once fixed, it applies. */
	write_file(dir, "900_broken.sql", "CREATE TABLE half_done (x integer);\n");
	cr_assert_eq(migrate_run(conn, dir, NULL, &applied, &err), 0, "%s", err.msg);
	cr_expect_eq(applied, 1);

	/* Editing an applied migration is refused rather than silently skipped. */
	write_file(dir, "900_broken.sql", "CREATE TABLE half_done (x bigint);\n");
	cr_assert_eq(migrate_run(conn, dir, NULL, &applied, &err), -1);
	cr_expect(strstr(err.msg, "changed after it was applied") != NULL, "%s", err.msg);

	write_file(dir, "1_bad name.sql", "SELECT 1;\n");
	cr_assert_eq(migrate_run(conn, dir, NULL, &applied, &err), -1);
	cr_expect(strstr(err.msg, "must be named NNN_name.sql") != NULL, "%s", err.msg);
	PQfinish(conn);
	remove_dir(dir);
	testdb_drop(ci);
}

/* The codes of PRODUCT.md, exactly, with their families. */
Test(taxonomy, seeded_with_the_product_codes)
{
	static const char *const expected[][2] = {
		{ "vision", "leadership" }, { "change", "leadership" }, { "smart-risk", "leadership" },
		{ "growing-people", "leadership" }, { "values-decisions", "leadership" },
		{ "initiative", "leadership" }, { "speaking-up", "leadership" },
		{ "supporting-others", "leadership" }, { "composure", "leadership" },
		{ "leading-by-example", "leadership" }, { "trust-morale", "leadership" },
		{ "empowerment", "leadership" }, { "continuous-learning", "leadership" },
		{ "process", "management" }, { "planning", "management" }, { "resources", "management" },
		{ "execution", "management" }, { "data-decisions", "management" },
		{ "stability", "management" }, { "managing-change", "management" },
		{ "training", "management" }, { "productivity", "management" },
		{ "short-term-goals", "management" },
		{ "career-advice", "support" }, { "networking", "support" }, { "resume-tips", "support" },
		{ "insight-support", "support" },
	};
	char *ci = testdb_create();
	PGconn *conn = testdb_connect(ci);
	PGresult *res = PQexec(conn, "SELECT code, family, name, try_first FROM skills ORDER BY position");
	size_t n = sizeof expected / sizeof expected[0];

	cr_assert_eq(PQntuples(res), (int)n);
	for (size_t i = 0; i < n; i++) {
		cr_expect_str_eq(PQgetvalue(res, (int)i, 0), expected[i][0]);
		cr_expect_str_eq(PQgetvalue(res, (int)i, 1), expected[i][1], "%s", expected[i][0]);
		cr_expect(strlen(PQgetvalue(res, (int)i, 2)) > 0);
		cr_expect(strlen(PQgetvalue(res, (int)i, 3)) > 0, "%s has no suggestion to try", expected[i][0]);
	}
	PQclear(res);
	PQfinish(conn);
	testdb_drop(ci);
}

/* Run a statement that must fail with the given SQLSTATE. */
static void
expect_refused(PGconn *conn, const char *sql, const char *state)
{
	PGresult *res = PQexec(conn, sql);
	const char *got = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	cr_expect(PQresultStatus(res) == PGRES_FATAL_ERROR, "accepted: %s", sql);
	cr_expect(got != NULL && strcmp(got, state) == 0, "%s: SQLSTATE %s, want %s (%s)", sql,
	    got ? got : "none", state, PQresultErrorMessage(res));
	PQclear(res);
}

Test(constraints, refuse_bad_rows)
{
	char *ci = testdb_create();
	PGconn *conn = testdb_connect(ci);

	testdb_exec(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e1', 'Ada', 'ada@x.org', 'Europe/London', '{en}')");
	testdb_exec(conn, "INSERT INTO mentors (external_id, name, email, timezone, languages, capacity) "
	    "VALUES ('m1', 'Mo', 'mo@x.org', 'UTC', '{en,fr}', 2)");
	/* priority and level are 1..5, capacity >= 0 */
	expect_refused(conn, "INSERT INTO mentee_goals VALUES (1, 'vision', 6)", "23514");
	expect_refused(conn, "INSERT INTO mentee_goals VALUES (1, 'vision', 0)", "23514");
	expect_refused(conn, "INSERT INTO mentor_strengths VALUES (1, 'vision', 9)", "23514");
	expect_refused(conn, "UPDATE mentors SET capacity = -1", "23514");
	/* unknown skill, unknown mentee */
	expect_refused(conn, "INSERT INTO mentee_goals VALUES (1, 'juggling', 3)", "23503");
	expect_refused(conn, "INSERT INTO mentee_goals VALUES (99, 'vision', 3)", "23503");
	/* unique external ids and e-mail addresses (case-insensitive) */
	expect_refused(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e1', 'Other', 'other@x.org', 'UTC', '{en}')", "23505");
	expect_refused(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e2', 'Other', 'ADA@x.org', 'UTC', '{en}')", "23505");
	/* formats: e-mail, time zone, languages, status */
	expect_refused(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e3', 'X', 'no-at-sign', 'UTC', '{en}')", "23514");
	expect_refused(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e3', 'X', 'x@x.org', 'Mars/Base', '{en}')", "23503");
	expect_refused(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e3', 'X', 'x@x.org', 'UTC', '{}')", "23514");
	expect_refused(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e3', 'X', 'x@x.org', 'UTC', '{en,en}')", "23514");
	expect_refused(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('e3', 'X', 'x@x.org', 'UTC', '{English}')", "23514");
	expect_refused(conn, "UPDATE mentees SET status = 'lost'", "23514");
	/* support lists take support skills only */
	expect_refused(conn, "INSERT INTO mentee_support VALUES (1, 'vision')", "22023");
	testdb_exec(conn, "INSERT INTO mentee_support VALUES (1, 'networking')");
	/* exclusions need a reason and are unique per pair */
	expect_refused(conn, "INSERT INTO exclusions (mentee_id, mentor_id, reason) VALUES (1, 1, '')", "23514");
	testdb_exec(conn, "INSERT INTO exclusions (mentee_id, mentor_id, reason) VALUES (1, 1, 'same team')");
	expect_refused(conn, "INSERT INTO exclusions (mentee_id, mentor_id, reason) VALUES (1, 1, 'again')", "23505");

	/* runs: checked mode, one active at a time */
	expect_refused(conn, "INSERT INTO runs (mode, trigger) VALUES ('greedy', 'cli')", "23514");
	testdb_exec(conn, "INSERT INTO runs (mode, trigger) VALUES ('optimal', 'cli')");
	expect_refused(conn, "INSERT INTO runs (mode, trigger) VALUES ('stable', 'api')", "23505");
	cr_expect_eq(testdb_scalar(conn, "WITH x AS (INSERT INTO runs (mode, trigger) VALUES ('stable', 'api') "
	    "ON CONFLICT DO NOTHING RETURNING id) SELECT count(*) FROM x"), 0,
	    "claiming the run slot twice must do nothing");

	/* proposals: checked status, legal transitions only, one live per mentee */
	expect_refused(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation, status) "
	    "VALUES ((SELECT min(id) FROM runs), 1, 1, 500, '{}', 'maybe')", "23514");
	testdb_exec(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation) "
	    "VALUES ((SELECT min(id) FROM runs), 1, 1, 500, '{}')");
	expect_refused(conn, "UPDATE proposals SET status = 'accepted'", "55000");
	testdb_exec(conn, "UPDATE proposals SET status = 'approved'");
	testdb_exec(conn, "UPDATE proposals SET status = 'sent'");
	expect_refused(conn, "UPDATE proposals SET status = 'approved'", "55000");
	testdb_exec(conn, "INSERT INTO runs (mode, trigger, status, started_at, finished_at) "
	    "VALUES ('optimal', 'cli', 'succeeded', now(), now())");
	expect_refused(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation) "
	    "VALUES ((SELECT max(id) FROM runs), 1, 1, 400, '{}')", "23505");
	testdb_exec(conn, "UPDATE proposals SET status = 'declined'");
	testdb_exec(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation) "
	    "VALUES ((SELECT max(id) FROM runs), 1, 1, 400, '{}')");
	/* tokens are SHA-256 digests */
	expect_refused(conn, "INSERT INTO api_tokens (name, token_sha256) VALUES ('t', '\\x00')", "23514");

	/* Erasing a person removes their goals, exclusions and proposals with them. */
	testdb_exec(conn, "DELETE FROM mentees WHERE id = 1");
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals"), 0);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM exclusions"), 0);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentee_support"), 0);
	PQfinish(conn);
	testdb_drop(ci);
}

/* signup_apply: idempotent on webhook-id, updates by external_id, names bad fields. */
Test(signup_apply, idempotent_and_field_errors)
{
	char *ci = testdb_create();
	PGconn *conn = testdb_connect(ci);
	const char *body = "{\"role\":\"mentee\",\"external_id\":\"f-1\",\"name\":\"Ada\",\"email\":\"ada@x.org\","
	    "\"timezone\":\"Europe/London\",\"languages\":[\"en\"],\"organisation\":\"\","
	    "\"goals\":[{\"skill\":\"vision\",\"priority\":4}],\"support\":[]}";
	const char *p[3] = { "wh-1", "\\x0000000000000000000000000000000000000000000000000000000000000001", body };
	PGresult *res;
	struct err err;

	for (int k = 0; k < 2; k++) {
		res = db_query(conn, "SELECT signup_apply($1, $2::bytea, $3::jsonb)->>'replayed'", 3, p, &err);
		cr_assert_not_null(res, "%s", err.msg);
		cr_expect_str_eq(PQgetvalue(res, 0, 0), k == 0 ? "false" : "true");
		PQclear(res);
	}
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentees"), 1);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentee_goals"), 1);

	/* Same id, different body: a conflict, not a silent replay. */
	p[1] = "\\x0000000000000000000000000000000000000000000000000000000000000002";
	res = db_query(conn, "SELECT signup_apply($1, $2::bytea, $3::jsonb)", 3, p, &err);
	cr_expect_null(res);
	cr_expect_eq(err.kind, ERR_KIND_CONFLICT);
	cr_expect_str_eq(err.field, "webhook-id");

	/* A new delivery for the same person updates the profile. */
	p[0] = "wh-2";
	p[2] = "{\"role\":\"mentee\",\"external_id\":\"f-1\",\"name\":\"Ada L.\",\"email\":\"ada@x.org\","
	    "\"timezone\":\"Europe/London\",\"languages\":[\"en\"],\"organisation\":\"\","
	    "\"goals\":[{\"skill\":\"planning\",\"priority\":2},{\"skill\":\"change\",\"priority\":5}],\"support\":[]}";
	res = db_query(conn, "SELECT signup_apply($1, $2::bytea, $3::jsonb)->>'created'", 3, p, &err);
	cr_assert_not_null(res, "%s", err.msg);
	cr_expect_str_eq(PQgetvalue(res, 0, 0), "false");
	PQclear(res);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentees WHERE name = 'Ada L.'"), 1);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentee_goals"), 2);

	p[0] = "wh-3";
	p[2] = "{\"role\":\"mentee\",\"external_id\":\"f-2\",\"name\":\"B\",\"email\":\"b@x.org\","
	    "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\",\"priority\":1},"
	    "{\"skill\":\"juggling\",\"priority\":2}]}";
	res = db_query(conn, "SELECT signup_apply($1, $2::bytea, $3::jsonb)", 3, p, &err);
	cr_expect_null(res);
	cr_expect_eq(err.kind, ERR_KIND_INVALID);
	cr_expect_str_eq(err.field, "goals[1].skill");
	cr_expect(strstr(err.msg, "juggling") != NULL);
	p[2] = "{\"role\":\"mentee\",\"external_id\":\"f-2\",\"name\":\"B\",\"email\":\"ADA@x.org\","
	    "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\",\"priority\":1}]}";
	res = db_query(conn, "SELECT signup_apply($1, $2::bytea, $3::jsonb)", 3, p, &err);
	cr_expect_null(res);
	cr_expect_eq(err.kind, ERR_KIND_CONFLICT);
	cr_expect_str_eq(err.field, "email");
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM signup_keys WHERE webhook_id = 'wh-3'"), 0,
	    "a refused sign-up must leave no idempotency key");
	PQfinish(conn);
	testdb_drop(ci);
}
