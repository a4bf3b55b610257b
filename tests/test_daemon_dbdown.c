/*
 * test_daemon_dbdown.c - the database stopped and restarted under a running
 * sparkmatchd: 503 (with Retry-After, at once) while it is down, recovery
 * by itself when it is back. Uses its own private PostgreSQL (scripts/pgctl.sh),
 * not the shared test server.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "testdb.h"
#include "xmalloc.h"

static char *pgdir;
static char conninfo[512];
static struct daemon_proc *d;

#define MENTEE_BODY \
	"{\"role\":\"mentee\",\"external_id\":\"down-1\",\"name\":\"Ada\"," \
	"\"email\":\"ada@example.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"]," \
	"\"goals\":[{\"skill\":\"vision\",\"priority\":5}]}"

/* Run a shell command; the first line of its output into out (may be NULL). */
static int
sh(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	char buf[1024] = "";
	int st;

	cr_assert_not_null(p);
	while (fgets(buf, sizeof buf, p) != NULL) {
		if (out != NULL && out[0] == '\0') {
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(out, len, "%s", buf);
		}
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
pg(const char *what)
{
	char *script = testdb_srcpath("scripts/pgctl.sh");
	char *cmd = xasprintf("PGCTL_FAST=1 %s %s %s 2>&1", script, what, pgdir);
	char out[512] = "";

	cr_assert_eq(sh(cmd, out, sizeof out), 0, "pgctl.sh %s failed: %s", what, out);
	if (strcmp(what, "start") == 0 && conninfo[0] == '\0')
		snprintf(conninfo, sizeof conninfo, "%s", out);
	free(cmd);
	free(script);
}

static void
setup(void)
{
	const char *base = getenv("SPARKMATCH_TEST_TMP");
	char tmpl[512], *bin, *cmd;

	snprintf(tmpl, sizeof tmpl, "%s/pgdown.XXXXXX", base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpl));
	chmod(tmpl, 0755);
	pgdir = xstrdup(tmpl);
	pg("start");
	bin = testdb_binpath("sparkmatch");
	cmd = xasprintf("%s -d '%s' migrate 2>&1", bin, conninfo);
	cr_assert_eq(sh(cmd, NULL, 0), 0, "migrate failed");
	free(cmd);
	free(bin);
}

static void
teardown(void)
{
	char *cmd, loc[512] = "", *script = testdb_srcpath("scripts/pgctl.sh");

	if (d != NULL)
		daemon_stop(d);
	d = NULL;
	cmd = xasprintf("%s stop %s >/dev/null 2>&1; cat %s/location 2>/dev/null", script, pgdir, pgdir);
	sh(cmd, loc, sizeof loc);
	free(cmd);
	if (loc[0] == '/')
		cmd = xasprintf("rm -rf '%s' '%s'", loc, pgdir);
	else
		cmd = xasprintf("rm -rf '%s'", pgdir);
	sh(cmd, NULL, 0);
	free(cmd);
	free(script);
	free(pgdir);
}

TestSuite(daemon_dbdown, .init = setup, .fini = teardown, .timeout = 300);

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll /healthz until it answers want. */
static void
wait_health(int want)
{
	long long end = now_ms() + DAEMON_WAIT_MS;
	struct daemon_resp r;

	for (;;) {
		cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
		if (r.status == want) {
			daemon_resp_free(&r);
			return;
		}
		daemon_resp_free(&r);
		cr_assert_lt(now_ms(), end, "/healthz never answered %d", want);
		poll(NULL, 0, 50);
	}
}

Test(daemon_dbdown, unavailable_while_down_and_recovers_by_itself)
{
	struct daemon_opts o;
	struct daemon_resp r;

	memset(&o, 0, sizeof o);
	o.conninfo = conninfo;
	d = daemon_start(&o);
	wait_health(200);
	/* Give both worker threads a connection that the outage will break. */
	cr_assert_eq(daemon_admin(d, "GET", "/v1/explain?mentee=a&mentor=b", NULL, &r), 0);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_admin(d, "GET", "/v1/explain?mentee=a&mentor=b", NULL, &r), 0);
	daemon_resp_free(&r);

	pg("stop");
	wait_health(503);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 503);
	cr_assert_not_null(daemon_resp_header(&r, "Retry-After"));
	cr_assert_not_null(strstr(r.body, "\"database\":\"down\""));
	daemon_resp_free(&r);

	/* A write is refused at once, with Retry-After, and not half done. */
	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 503, "%s", r.body);
	cr_assert_str_eq(daemon_resp_error_code(&r), "unavailable");
	cr_assert_not_null(daemon_resp_header(&r, "Retry-After"));
	daemon_resp_free(&r);

	/* Admin reads and writes too; a database token cannot even be checked. */
	cr_assert_eq(daemon_admin(d, "GET", "/v1/mentees", NULL, &r), 0);
	cr_assert_eq(r.status, 503, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_admin(d, "POST", "/v1/runs", NULL, &r), 0);
	cr_assert_eq(r.status, 503, "%s", r.body);
	daemon_resp_free(&r);
	{
		const char *h[] = { "Authorization: Bearer smk_some_database_token", NULL };

		cr_assert_eq(daemon_http(d, "GET", "/v1/skills", h, NULL, 0, &r), 0);
		cr_assert_eq(r.status, 503, "%s", r.body);
		daemon_resp_free(&r);
	}

	/* Metrics still answer, and say the database is down. */
	cr_assert_eq(daemon_http(d, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "sparkmatch_db_up 0\n"));
	daemon_resp_free(&r);
	cr_assert(daemon_wait_log(d, "database is down", 1, 0));

	pg("start");
	wait_health(200);
	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	daemon_resp_free(&r);
	/* The worker threads' own connections recover too. */
	cr_assert_eq(daemon_admin(d, "POST", "/v1/runs", NULL, &r), 0);
	cr_assert_eq(r.status, 202, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_admin(d, "GET", "/v1/explain?mentee=down-1&mentor=nobody", NULL, &r), 0);
	cr_assert_eq(r.status, 404, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert_null(strstr(r.body, "sparkmatch_db_reconnects_total 0\n"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "sparkmatch_db_up 1\n"));
	daemon_resp_free(&r);
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}

Test(daemon_dbdown, starts_without_the_database_and_becomes_ready_when_it_appears)
{
	struct daemon_opts o;
	struct daemon_resp r;

	pg("stop");
	memset(&o, 0, sizeof o);
	o.conninfo = conninfo;
	o.no_wait_ready = true;
	d = daemon_start(&o);
	cr_assert_eq(daemon_count_notify(d, "READY=1"), 0);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 503);
	daemon_resp_free(&r);
	pg("start");
	cr_assert(daemon_wait_notify(d, "READY=1", DAEMON_WAIT_MS));
	wait_health(200);
	cr_assert_eq(daemon_stop(d), 0);
	d = NULL;
}
