/*
 * test_daemon_life.c - sparkmatchd's process life: systemd notifications,
 * SIGHUP reload (good and bad files), SIGTERM drain, a second SIGTERM, the
 * shutdown deadline, and start-up errors.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "testdb.h"
#include "xmalloc.h"

static char *conninfo;
static struct daemon_proc *d;

static void
setup(void)
{
	conninfo = testdb_create();
}

static void
teardown(void)
{
	if (d != NULL)
		daemon_stop(d);
	d = NULL;
	testdb_drop(conninfo);
}

TestSuite(daemon_life, .init = setup, .fini = teardown, .timeout = 180);

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until at least n notifications contain needle. */
static bool
wait_notify_count(const char *needle, int n)
{
	long long end = now_ms() + DAEMON_WAIT_MS;

	while (daemon_count_notify(d, needle) < n) {
		if (now_ms() > end)
			return false;
		poll(NULL, 0, 20);
	}
	return true;
}

/* Wait until n of the daemon's queries are blocked on a lock. */
static void
wait_lock_waiters(PGconn *conn, int n)
{
	long long end = now_ms() + DAEMON_WAIT_MS;

	for (;;) {
		/* conn is inside a transaction: drop its cached activity statistics first. */
		testdb_exec(conn, "SELECT pg_stat_clear_snapshot()");
		if (testdb_scalar(conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
		    "current_database() AND application_name = 'sparkmatchd' AND "
		    "wait_event_type = 'Lock'") >= n)
			return;
		cr_assert_lt(now_ms(), end, "the daemon's queries never reached the lock");
		poll(NULL, 0, 20);
	}
}

/* Hold proposals locked in an open transaction: GET /metrics then waits on it. */
static PGconn *
lock_proposals(void)
{
	PGconn *c = testdb_connect(conninfo);

	testdb_exec(c, "BEGIN");
	testdb_exec(c, "LOCK TABLE proposals IN ACCESS EXCLUSIVE MODE");
	return c;
}

static int
send_metrics_request(void)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	int fd = daemon_connect(d);

	cr_assert(fd >= 0);
	cr_assert_eq(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
	return fd;
}

Test(daemon_life, ready_and_status_reach_an_abstract_notify_socket)
{
	struct daemon_opts o = { .conninfo = conninfo };

	d = daemon_start(&o);
	cr_assert(daemon_wait_notify(d, "READY=1\nSTATUS=listening on 127.0.0.1:", DAEMON_WAIT_MS));
	cr_assert_eq(daemon_count_notify(d, "READY=1"), 1);
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}

Test(daemon_life, path_notify_socket_and_watchdog_pings)
{
	struct daemon_opts o = { .conninfo = conninfo, .path_socket = true,
		.watchdog_usec = "200000" };

	d = daemon_start(&o);
	cr_assert(wait_notify_count("WATCHDOG=1", 2));
	cr_assert(daemon_wait_log(d, "watchdog: pinging every 100 ms", 1, DAEMON_WAIT_MS));
}

Test(daemon_life, sighup_applies_a_good_file)
{
	struct daemon_opts o = { .conninfo = conninfo };
	const char *h[] = { "Content-Type: application/json", NULL };
	char body[2048];
	struct daemon_resp r;

	memset(body, ' ', sizeof body);
	d = daemon_start(&o);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", h, body, sizeof body, &r), 0);
	cr_assert_eq(r.status, 400, "a 2 KiB body is within the default limit");
	daemon_resp_free(&r);

	daemon_write_config(d, "[http]\nmax_body = 1k");
	daemon_kill(d, SIGHUP);
	cr_assert(wait_notify_count("RELOADING=1", 1));
	cr_assert(wait_notify_count("READY=1", 2));
	cr_assert(daemon_wait_log(d, "reload: configuration reloaded", 1, DAEMON_WAIT_MS));
	cr_assert_eq(daemon_http(d, "GET", "/healthz", h, body, sizeof body, &r), 0);
	cr_assert_eq(r.status, 413, "the new limit applies");
	daemon_resp_free(&r);
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}

Test(daemon_life, sighup_keeps_the_old_config_when_the_new_file_is_bad)
{
	struct daemon_opts o = { .conninfo = conninfo };
	struct daemon_resp r;
	char *text;

	d = daemon_start(&o);
	text = xasprintf("[database]\nconninfo = \"%s\"\n[http]\nport = 0\nbogus = 1\n", conninfo);
	daemon_write_raw_config(d, text);
	free(text);
	daemon_kill(d, SIGHUP);
	cr_assert(daemon_wait_log(d, "sparkmatch.conf:5: unknown key 'bogus' in [http]; "
	    "keeping the running configuration", 1, DAEMON_WAIT_MS));
	cr_assert(wait_notify_count("READY=1", 2));
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	daemon_resp_free(&r);

	/* A file that parses but names an unreadable secret is refused too. */
	text = xasprintf("[database]\nconninfo = \"%s\"\n[http]\nport = 0\n"
	    "[auth]\nsignup_secret_file = /nonexistent/secret\n", conninfo);
	daemon_write_raw_config(d, text);
	free(text);
	daemon_kill(d, SIGHUP);
	cr_assert(daemon_wait_log(d, "keeping the running configuration", 2, DAEMON_WAIT_MS));
	cr_assert(daemon_wait_log(d, "/nonexistent/secret: cannot open secret file", 1, DAEMON_WAIT_MS));
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}

Test(daemon_life, sighup_names_keys_that_need_a_restart)
{
	struct daemon_opts o = { .conninfo = conninfo };

	d = daemon_start(&o);
	daemon_write_config(d, "[daemon]\nshutdown_timeout = 7s");
	daemon_kill(d, SIGHUP);
	cr_assert(daemon_wait_log(d, "reload: daemon.shutdown_timeout changed; the new value(s) take "
	    "effect after a restart", 1, DAEMON_WAIT_MS));
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}

Test(daemon_life, sigterm_finishes_the_request_in_flight)
{
	struct daemon_opts o = { .conninfo = conninfo };
	struct daemon_resp r;
	PGconn *locker;
	int fd;

	d = daemon_start(&o);
	locker = lock_proposals();
	fd = send_metrics_request();
	wait_lock_waiters(locker, 1);

	daemon_kill(d, SIGTERM);
	cr_assert(daemon_wait_notify(d, "STOPPING=1", DAEMON_WAIT_MS));
	cr_assert_lt(daemon_wait_exit(d, 0), 0, "exited with a request in flight");
	cr_assert_lt(daemon_connect(d), 0, "still accepting connections while draining");

	testdb_exec(locker, "COMMIT");
	cr_assert_eq(daemon_read_response(fd, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "sparkmatch_proposals{status=\"pending-review\"} 0"));
	cr_assert_str_eq(daemon_resp_header(&r, "Connection"), "close");
	daemon_resp_free(&r);
	close(fd);
	cr_assert_eq(daemon_wait_exit(d, DAEMON_WAIT_MS), 0);
	cr_assert(daemon_wait_log(d, "shutdown: drained; exiting", 1, 0));
	PQfinish(locker);
}

Test(daemon_life, second_sigterm_exits_at_once)
{
	struct daemon_opts o = { .conninfo = conninfo };
	PGconn *locker;
	int fd;

	d = daemon_start(&o);
	locker = lock_proposals();
	fd = send_metrics_request();
	wait_lock_waiters(locker, 1);
	daemon_kill(d, SIGTERM);
	cr_assert(daemon_wait_notify(d, "STOPPING=1", DAEMON_WAIT_MS));
	daemon_kill(d, SIGTERM);
	cr_assert_eq(daemon_wait_exit(d, DAEMON_WAIT_MS), 1);
	cr_assert(daemon_wait_log(d, "second SIGTERM; exiting at once", 1, 0));
	testdb_exec(locker, "ROLLBACK");
	PQfinish(locker);
	close(fd);
}

Test(daemon_life, shutdown_deadline_ends_a_stuck_drain)
{
	struct daemon_opts o = { .conninfo = conninfo, .extra = "[daemon]\nshutdown_timeout = 300ms" };
	PGconn *locker;
	int fd;

	d = daemon_start(&o);
	locker = lock_proposals();
	fd = send_metrics_request();
	wait_lock_waiters(locker, 1);
	daemon_kill(d, SIGTERM);
	cr_assert_eq(daemon_wait_exit(d, DAEMON_WAIT_MS), 1);
	cr_assert(daemon_wait_log(d, "shutdown: daemon.shutdown_timeout reached with 1 request(s)", 1, 0));
	testdb_exec(locker, "ROLLBACK");
	PQfinish(locker);
	close(fd);
}

/* Run sparkmatchd with args; its combined output in *out (caller frees); exit status. */
static int
run_daemon(const char *args, char **out)
{
	char *bin = testdb_binpath("sparkmatchd");
	char *cmd = xasprintf("%s %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	char buf[4096];
	size_t n;
	int st;

	cr_assert_not_null(p);
	n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	*out = xstrdup(buf);
	free(cmd);
	free(bin);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(daemon_life, a_bad_file_at_start_up_names_file_and_line)
{
	const char *base = getenv("SPARKMATCH_TEST_TMP");
	char *path = xasprintf("%s/bad-%ld.conf", base ? base : "/tmp", (long)getpid());
	char *args = xasprintf("-c %s", path), *out;
	FILE *f = fopen(path, "w");

	fputs("[http]\nport = 8080\nmax_body = lots\n", f);
	fclose(f);
	cr_assert_eq(run_daemon(args, &out), 1);
	cr_assert_not_null(strstr(out, "bad-"), "%s", out);
	cr_assert_not_null(strstr(out, ".conf:3: http.max_body: expected a size"), "%s", out);
	free(out);
	free(args);

	args = xasprintf("-t -c %s", path);
	f = fopen(path, "w");
	fputs("[auth]\nadmin_token_file = /nonexistent/token\n", f);
	fclose(f);
	cr_assert_eq(run_daemon(args, &out), 1);
	cr_assert_not_null(strstr(out, "/nonexistent/token: cannot open secret file"), "%s", out);
	free(out);
	f = fopen(path, "w");
	fputs("[http]\nport = 8080\n", f);
	fclose(f);
	cr_assert_eq(run_daemon(args, &out), 0);
	cr_assert_not_null(strstr(out, "configuration ok"), "%s", out);
	free(out);
	free(args);
	unlink(path);
	free(path);
}

Test(daemon_life, healthz_gives_up_on_a_database_that_does_not_answer)
{
	struct daemon_opts o = { .conninfo = conninfo };
	struct daemon_resp r;
	PGconn *locker;
	int fds[4];

	d = daemon_start(&o);
	/* Every pooled connection waits on a lock, so the health query cannot run. */
	locker = lock_proposals();
	for (int i = 0; i < 4; i++)
		fds[i] = send_metrics_request();
	wait_lock_waiters(locker, 4);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 503, "%s", r.body);
	cr_assert_not_null(daemon_resp_header(&r, "Retry-After"));
	daemon_resp_free(&r);
	cr_assert(daemon_wait_log(d, "health: the database did not answer within 5 s", 1, 0));
	testdb_exec(locker, "COMMIT");
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(daemon_read_response(fds[i], &r), 0);
		cr_assert_eq(r.status, 200);
		daemon_resp_free(&r);
		close(fds[i]);
	}
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	daemon_resp_free(&r);
	PQfinish(locker);
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}
