/*
 * test_cli_admin.c - the admin command as a real process against a real
 * database: bad CSV changes nothing, explain, proposals, approve/reject with
 * audit entries, status, usage errors.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "testdb.h"
#include "xmalloc.h"

/* Run `sparkmatch -d CONNINFO args...`. */
static void
sm(struct proc_result *r, const char *ci, ...)
{
	const char *argv[16];
	char *bin = testdb_binpath("sparkmatch");
	va_list ap;
	int n = 0;

	argv[n++] = bin;
	argv[n++] = "-d";
	argv[n++] = ci;
	va_start(ap, ci);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	proc_run(argv, NULL, r);
	free(bin);
}

static char *
write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/sm-cli-XXXXXX.csv");
	int fd = mkstemps(path, 4);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(cli, import_is_all_or_nothing)
{
	char *ci = testdb_create();
	char *bad = write_tmp(
	    "external_id,name,email,timezone,languages,organisation,goals,support\n"
	    "ok-1,Ok,ok@x.org,UTC,en,,vision:3,\n"
	    "# a comment line\n"
	    "bad-1,Bad,bad@x.org,UTC,en,,vision:3;juggling:2,\n");
	char *badfmt = write_tmp(
	    "external_id,name,email,timezone,languages,organisation,goals,support\n"
	    "ok-1,Ok,ok@x.org,UTC,en,,vision:7,\n");
	char *nohdr = write_tmp("just,some,columns\n");
	PGconn *conn = testdb_connect(ci);
	struct proc_result r;

	sm(&r, ci, "import", bad, NULL);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, ":4: goals[1].skill: unknown skill code \"juggling\"") != NULL, "%s", r.err);
	proc_result_free(&r);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentees"), 0, "the good row must not stay");

	sm(&r, ci, "import", badfmt, NULL);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, ":2: goals[0].priority: must be an integer from 1 to 5") != NULL, "%s", r.err);
	proc_result_free(&r);

	sm(&r, ci, "import", nohdr, NULL);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "cannot tell mentees from mentors") != NULL, "%s", r.err);
	proc_result_free(&r);

	sm(&r, ci, "import", "--dry-run", badfmt, NULL);
	cr_expect_eq(r.status, 1, "a dry run validates too");
	proc_result_free(&r);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM audit_log"), 0);
	unlink(bad);
	unlink(badfmt);
	unlink(nohdr);
	free(bad);
	free(badfmt);
	free(nohdr);
	PQfinish(conn);
	testdb_drop(ci);
}

Test(cli, explain_candidates_and_usage)
{
	char *ci = testdb_create_sample();
	struct proc_result r;

	sm(&r, ci, "explain", "mentee-011", "mentor-003", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "Kavya Iyer (mentee-011) and Priya Raman (mentor-003)") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "initiative") != NULL);
	cr_expect(strstr(r.out, ": eligible") != NULL, "%s", r.out);
	proc_result_free(&r);

	/* Grace Kim speaks only Korean: nobody shares a language with her. */
	sm(&r, ci, "explain", "mentee-033", "mentor-011", NULL);
	cr_assert_eq(r.status, 0);
	cr_expect(strstr(r.out, "no shared language") != NULL, "%s", r.out);
	proc_result_free(&r);
	sm(&r, ci, "candidates", "--mentee", "mentee-033", NULL);
	cr_assert_eq(r.status, 0);
	cr_expect(strstr(r.out, "no eligible mentor") != NULL, "%s", r.out);
	proc_result_free(&r);

	sm(&r, ci, "candidates", "--top", "1", NULL);
	cr_assert_eq(r.status, 0);
	cr_expect(strstr(r.out, "1.  991  Priya Raman (mentor-003)") != NULL, "%s", r.out);
	proc_result_free(&r);

	sm(&r, ci, "explain", "nobody", "mentor-003", NULL);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "no mentee 'nobody'") != NULL);
	proc_result_free(&r);
	sm(&r, ci, "frobnicate", NULL);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "unknown command 'frobnicate'") != NULL);
	proc_result_free(&r);
	sm(&r, ci, "candidates", "--top", "zero", NULL);
	cr_expect_eq(r.status, 2);
	proc_result_free(&r);
	testdb_drop(ci);
}

Test(cli, review_and_status)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct proc_result r;
	char id1[24], id2[24];

	testdb_exec(conn, "INSERT INTO runs (mode, trigger, status, started_at, finished_at) "
	    "VALUES ('optimal', 'cli', 'succeeded', now(), now())");
	testdb_exec(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation) "
	    "SELECT r.id, e.id, m.id, 991, '{\"skills\":[{\"name\":\"Taking initiative\",\"points\":310}],"
	    "\"both_families_bonus\":100}' FROM runs r, mentees e, mentors m "
	    "WHERE e.external_id = 'mentee-011' AND m.external_id = 'mentor-003'");
	testdb_exec(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation) "
	    "SELECT r.id, e.id, m.id, 979, '{}' FROM runs r, mentees e, mentors m "
	    "WHERE e.external_id = 'mentee-004' AND m.external_id = 'mentor-013'");
	testdb_exec(conn, "UPDATE mentees SET status = 'proposed' WHERE external_id IN ('mentee-011', 'mentee-004')");
	snprintf(id1, sizeof id1, "%lld", testdb_scalar(conn, "SELECT min(id) FROM proposals"));
	snprintf(id2, sizeof id2, "%lld", testdb_scalar(conn, "SELECT max(id) FROM proposals"));

	sm(&r, ci, "proposals", "--why", NULL);
	cr_assert_eq(r.status, 0);
	cr_expect(strstr(r.out, "pending-review") != NULL);
	cr_expect(strstr(r.out, "Kavya Iyer (mentee-011) -> Priya Raman (mentor-003)") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "why: Taking initiative (310), strong in both leadership and management (+100)") != NULL,
	    "%s", r.out);
	proc_result_free(&r);

	sm(&r, ci, "approve", id1, NULL);
	cr_expect_eq(r.status, 0, "%s", r.err);
	proc_result_free(&r);
	sm(&r, ci, "approve", id1, NULL);
	cr_expect_eq(r.status, 1, "approving twice is a conflict");
	cr_expect(strstr(r.err, "is approved and cannot be approved now") != NULL, "%s", r.err);
	proc_result_free(&r);
	sm(&r, ci, "reject", "--reason", "mentor is on leave", id2, "999999", NULL);
	cr_expect_eq(r.status, 1, "one of two ids does not exist");
	cr_expect(strstr(r.out, "rejected") != NULL);
	cr_expect(strstr(r.err, "there is no proposal 999999") != NULL, "%s", r.err);
	proc_result_free(&r);

	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals WHERE status = 'approved'"), 1);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentees WHERE external_id = 'mentee-004' "
	    "AND status = 'waiting'"), 1, "a rejected mentee waits again");
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM audit_log WHERE action IN ('approve', 'reject') "
	    "AND actor LIKE 'cli:%'"), 2);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM audit_log WHERE details->>'reason' = 'mentor is on leave'"), 1);

	sm(&r, ci, "status", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "mentees    44: 43 waiting, 1 proposed, 0 matched, 0 paused") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "capacity 34, in use 1") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "1 approved, 1 rejected") != NULL, "%s", r.out);
	proc_result_free(&r);
	PQfinish(conn);
	testdb_drop(ci);
}
