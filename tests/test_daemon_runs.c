/*
 * test_daemon_runs.c - matching runs through real sparkmatchd processes:
 * POST /v1/runs (202 once claimed), at most one run at a time in one daemon
 * and across two daemons on one database, abandoned and queued runs,
 * schedules, runs on arrival (API sign-ups and rows written by another
 * program, through LISTEN/NOTIFY), and a drain that waits for the run.
 *
 * A run is kept in progress deterministically by locking the mentees table
 * in the test: the run blocks loading its cohort until the test commits.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "testdb.h"
#include "xmalloc.h"

static char *conninfo;
static struct daemon_proc *d, *d2;
static PGconn *db;

static void
setup(void)
{
	conninfo = testdb_create();
	db = testdb_connect(conninfo);
}

static void
teardown(void)
{
	if (d != NULL)
		daemon_stop(d);
	if (d2 != NULL)
		daemon_stop(d2);
	d = d2 = NULL;
	PQfinish(db);
	testdb_drop(conninfo);
}

TestSuite(daemon_runs, .init = setup, .fini = teardown, .timeout = 180);

static struct daemon_proc *
start(const char *extra)
{
	struct daemon_opts o;

	memset(&o, 0, sizeof o);
	o.conninfo = conninfo;
	o.extra = extra;
	return daemon_start(&o);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until the query's scalar reaches at least want. */
static void
wait_scalar(const char *sql, long long want)
{
	long long end = now_ms() + DAEMON_WAIT_MS;

	while (testdb_scalar(db, sql) < want) {
		cr_assert_lt(now_ms(), end, "timed out waiting for: %s >= %lld", sql, want);
		poll(NULL, 0, 20);
	}
}

/* Wait until no run is in progress. */
static void
wait_runs_finished(void)
{
	long long end = now_ms() + DAEMON_WAIT_MS;

	while (testdb_scalar(db, "SELECT count(*) FROM runs WHERE status IN ('queued', 'running')") > 0) {
		cr_assert_lt(now_ms(), end, "a run never finished");
		poll(NULL, 0, 20);
	}
}

static PGconn *
lock_mentees(void)
{
	PGconn *c = testdb_connect(conninfo);

	testdb_exec(c, "BEGIN");
	testdb_exec(c, "LOCK TABLE mentees IN ACCESS EXCLUSIVE MODE");
	return c;
}

/* Wait until a run blocks on the lock (its cohort load). */
static void
wait_run_blocked(void)
{
	wait_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
	    "application_name LIKE 'sparkmatchd-worker-%' AND wait_event_type = 'Lock'", 1);
}

static long long
post_run(struct daemon_proc *p, const char *body, int want)
{
	struct daemon_resp r;
	long long id = 0;
	cJSON *j;

	cr_assert_eq(daemon_admin(p, "POST", "/v1/runs", body, &r), 0);
	cr_assert_eq(r.status, want, "%s", r.body);
	if (want == 202) {
		j = daemon_resp_json(&r);
		id = (long long)cJSON_GetObjectItem(j, "id")->valuedouble;
		cJSON_Delete(j);
		cr_assert_not_null(daemon_resp_header(&r, "Location"));
	}
	daemon_resp_free(&r);
	return id;
}

Test(daemon_runs, a_requested_run_is_claimed_recorded_and_finished)
{
	struct daemon_resp r;
	char path[48];
	long long id;
	cJSON *j;

	d = start(NULL);
	id = post_run(d, "{\"mode\":\"stable\",\"dry_run\":true}", 202);
	cr_assert_gt(id, 0);
	wait_runs_finished();
	snprintf(path, sizeof path, "/v1/runs/%lld", id);
	cr_assert_eq(daemon_admin(d, "GET", path, NULL, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	j = daemon_resp_json(&r);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "mode")->valuestring, "stable");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "trigger")->valuestring, "api");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "requested_by")->valuestring, "bootstrap");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "dry_run")));
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "finished_at")));
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "duration_seconds")));
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "stats")));
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "proposals")));
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "parameters"), "mode")->valuestring,
	    "stable");
	cJSON_Delete(j);
	daemon_resp_free(&r);

	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'run.start' AND "
	    "actor = 'bootstrap' AND target_type = 'run'"), 1);
	cr_assert_eq(daemon_admin(d, "GET", "/v1/runs", NULL, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "\"next_before\": null"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_admin(d, "GET", "/v1/runs/424242", NULL, &r), 0);
	cr_assert_eq(r.status, 404);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert_not_null(strstr(r.body, "sparkmatch_runs_total{trigger=\"api\","), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "sparkmatch_run_duration_seconds_count 1\n"));
	daemon_resp_free(&r);
}

Test(daemon_runs, bad_run_requests_are_refused)
{
	d = start(NULL);
	post_run(d, "{\"mode\":\"fastest\"}", 400);
	post_run(d, "{\"dry_run\":\"yes\"}", 400);
	post_run(d, "{\"mode\":\"optimal\",\"priority\":1}", 400);
	post_run(d, "[]", 400);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs"), 0);
}

Test(daemon_runs, one_run_at_a_time_in_one_daemon)
{
	PGconn *locker;
	long long id;

	d = start(NULL);
	locker = lock_mentees();
	id = post_run(d, NULL, 202);
	wait_run_blocked();
	post_run(d, NULL, 409);
	testdb_exec(locker, "COMMIT");
	PQfinish(locker);
	wait_runs_finished();
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs"), 1);
	cr_assert_gt(post_run(d, NULL, 202), id);
	wait_runs_finished();
}

Test(daemon_runs, two_daemons_never_run_two_matchings_at_once)
{
	PGconn *locker;
	long long a, b;

	d = start(NULL);
	d2 = start(NULL);
	locker = lock_mentees();
	a = post_run(d, NULL, 202);
	wait_run_blocked();
	/* The other daemon sees the slot taken, whichever way it asks. */
	post_run(d2, NULL, 409);
	post_run(d2, "{\"mode\":\"stable\"}", 409);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
	testdb_exec(locker, "COMMIT");
	PQfinish(locker);
	wait_runs_finished();
	b = post_run(d2, NULL, 202);
	cr_assert_gt(b, a);
	wait_runs_finished();
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs"), 2);
	/* Their lifetimes do not overlap. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs x JOIN runs y ON x.id < y.id "
	    "WHERE tstzrange(x.started_at, x.finished_at) && tstzrange(y.started_at, y.finished_at)"), 0);
}

Test(daemon_runs, two_daemons_on_a_schedule_take_turns)
{
	d = start("[schedule]\ninterval = 1s");
	d2 = start("[schedule]\ninterval = 1s");
	wait_scalar("SELECT count(*) FROM runs WHERE trigger = 'schedule' AND finished_at IS NOT NULL", 4);
	cr_assert_eq(daemon_stop(d), 0);
	cr_assert_eq(daemon_stop(d2), 0);
	d = d2 = NULL;
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs x JOIN runs y ON x.id < y.id "
	    "WHERE tstzrange(x.started_at, x.finished_at) && tstzrange(y.started_at, y.finished_at)"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs WHERE status IN ('queued', 'running')"), 0);
}

Test(daemon_runs, an_abandoned_run_is_closed_by_the_next_claimer)
{
	d = start(NULL);
	testdb_exec(db, "INSERT INTO runs (id, mode, trigger, status, started_at) "
	    "VALUES (500, 'optimal', 'cli', 'running', now() - interval '1 hour')");
	cr_assert_neq(post_run(d, NULL, 202), 500);
	wait_runs_finished();
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs WHERE id = 500 AND status = 'failed' "
	    "AND outcome LIKE 'interrupted%'"), 1);
}

Test(daemon_runs, a_run_queued_by_another_program_is_picked_up)
{
	d = start(NULL);
	testdb_exec(db, "INSERT INTO runs (id, mode, trigger, requested_by, status) "
	    "VALUES (600, 'stable', 'cli', 'cli:someone', 'queued')");
	wait_scalar("SELECT count(*) FROM runs WHERE id = 600 AND finished_at IS NOT NULL", 1);
	cr_assert(daemon_wait_log(d, "run 600 (queued by cli, cli:someone) taken over", 1, DAEMON_WAIT_MS));
}

#define ADA \
	"{\"role\":\"mentee\",\"external_id\":\"ada\",\"name\":\"Ada\",\"email\":\"ada@example.org\"," \
	"\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\",\"priority\":5}]}"

Test(daemon_runs, sign_ups_trigger_a_run_when_configured)
{
	struct daemon_resp r;

	d = start("[schedule]\nmatch_on_arrival = true");
	cr_assert_eq(daemon_signup(d, ADA, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 201);
	daemon_resp_free(&r);
	wait_scalar("SELECT count(*) FROM runs WHERE trigger IN ('arrival', 'notify') AND "
	    "finished_at IS NOT NULL", 1);
	wait_runs_finished();
	/* Another program writes a mentee straight into the database: NOTIFY wakes the daemon. */
	testdb_exec(db, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "VALUES ('direct', 'Direct', 'direct@example.org', 'UTC', '{en}')");
	wait_scalar("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL", 2);
	wait_runs_finished();
	cr_assert(daemon_wait_log(d, "sign-ups arrived since the last run", 2, DAEMON_WAIT_MS));
}

Test(daemon_runs, without_match_on_arrival_sign_ups_wait)
{
	struct daemon_resp r;

	d = start(NULL);
	cr_assert_eq(daemon_signup(d, ADA, &r, NULL, 0), 0);
	daemon_resp_free(&r);
	/* A request goes through the same queue, so once it is answered the arrival was seen. */
	cr_assert_eq(daemon_admin(d, "GET", "/v1/mentees", NULL, &r), 0);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM runs"), 0);
}

Test(daemon_runs, sigterm_waits_for_the_run_in_progress)
{
	PGconn *locker;
	long long id;
	char *sql;

	d = start(NULL);
	locker = lock_mentees();
	id = post_run(d, NULL, 202);
	wait_run_blocked();
	daemon_kill(d, SIGTERM);
	cr_assert(daemon_wait_notify(d, "STOPPING=1", DAEMON_WAIT_MS));
	cr_assert_lt(daemon_wait_exit(d, 0), 0, "exited with a run in progress");
	testdb_exec(locker, "COMMIT");
	PQfinish(locker);
	cr_assert_eq(daemon_wait_exit(d, DAEMON_WAIT_MS), 0);
	sql = xasprintf("SELECT count(*) FROM runs WHERE id = %lld AND finished_at IS NOT NULL AND "
	    "outcome NOT LIKE 'abandoned%%'", id);
	cr_assert_eq(testdb_scalar(db, sql), 1);
	free(sql);
	daemon_stop(d);
	d = NULL;
}

Test(daemon_runs, a_reload_changes_the_schedule)
{
	d = start(NULL);
	daemon_write_config(d, "[schedule]\ninterval = 1s");
	daemon_kill(d, SIGHUP);
	cr_assert(daemon_wait_log(d, "reload: configuration reloaded", 1, DAEMON_WAIT_MS));
	wait_scalar("SELECT count(*) FROM runs WHERE trigger = 'schedule' AND finished_at IS NOT NULL", 2);
	daemon_write_config(d, NULL);
	daemon_kill(d, SIGHUP);
	cr_assert(daemon_wait_log(d, "reload: configuration reloaded", 2, DAEMON_WAIT_MS));
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}
