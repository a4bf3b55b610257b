/*
 * test_daemon_http.c - the HTTP layer of a real sparkmatchd: health,
 * metrics, routing errors, request ids, limits and the connection cap.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "strbuf.h"
#include "testdb.h"

static char *conninfo;
static struct daemon_proc *d;

static void
start(const char *extra)
{
	struct daemon_opts o = { .conninfo = conninfo, .extra = extra };

	d = daemon_start(&o);
}

static void
setup(void)
{
	conninfo = testdb_create();
}

static void
teardown(void)
{
	if (d != NULL)
		cr_expect_eq(daemon_stop(d), 0, "sparkmatchd did not exit cleanly");
	d = NULL;
	testdb_drop(conninfo);
}

TestSuite(daemon_http, .init = setup, .fini = teardown, .timeout = 120);

Test(daemon_http, healthz_answers_ok_with_the_database_up)
{
	struct daemon_resp r;
	cJSON *j;

	start(NULL);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(daemon_resp_header(&r, "Content-Type"), "application/json");
	cr_assert_not_null(daemon_resp_header(&r, "X-Request-Id"));
	j = daemon_resp_json(&r);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "status")->valuestring, "ok");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "database")->valuestring, "up");
	cJSON_Delete(j);
	daemon_resp_free(&r);

	cr_assert_eq(daemon_http(d, "HEAD", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body_len, 0);
	daemon_resp_free(&r);
}

Test(daemon_http, metrics_are_prometheus_text)
{
	struct daemon_resp r;

	start(NULL);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/nowhere", NULL, NULL, 0, &r), 0);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(daemon_resp_header(&r, "Content-Type"),
	    "text/plain; version=0.0.4; charset=utf-8");
	cr_assert_not_null(strstr(r.body, "# TYPE sparkmatch_http_requests_total counter\n"));
	cr_assert_not_null(strstr(r.body,
	    "sparkmatch_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1\n"),
	    "%s", r.body);
	cr_assert_not_null(strstr(r.body,
	    "sparkmatch_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"));
	cr_assert_not_null(strstr(r.body,
	    "sparkmatch_http_request_duration_seconds_count{route=\"/healthz\"} 1\n"));
	cr_assert_not_null(strstr(r.body,
	    "sparkmatch_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1\n"));
	cr_assert_not_null(strstr(r.body, "sparkmatch_db_up 1\n"));
	cr_assert_not_null(strstr(r.body, "sparkmatch_db_reconnects_total 0\n"));
	cr_assert_not_null(strstr(r.body, "sparkmatch_proposals{status=\"pending-review\"} 0\n"));
	cr_assert_not_null(strstr(r.body, "sparkmatch_mentees{status=\"waiting\"} 0\n"));
	cr_assert_not_null(strstr(r.body, "# TYPE sparkmatch_signups_total counter\n"));
	cr_assert_not_null(strstr(r.body, "# TYPE sparkmatch_run_duration_seconds histogram\n"));
	/* Every line is a comment or "name{labels} value". */
	for (char *line = strtok(r.body, "\n"); line != NULL; line = strtok(NULL, "\n"))
		cr_assert(line[0] == '#' || strncmp(line, "sparkmatch_", 11) == 0, "odd line: %s", line);
	daemon_resp_free(&r);
}

Test(daemon_http, unknown_paths_and_methods_get_json_errors)
{
	struct daemon_resp r;

	start(NULL);
	cr_assert_eq(daemon_http(d, "GET", "/v1/nothing-here", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(daemon_resp_error_code(&r), "not_found");
	daemon_resp_free(&r);

	cr_assert_eq(daemon_http(d, "DELETE", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(daemon_resp_error_code(&r), "method_not_allowed");
	cr_assert_str_eq(daemon_resp_header(&r, "Allow"), "GET, HEAD");
	daemon_resp_free(&r);

	cr_assert_eq(daemon_http(d, "OPTIONS", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 405);
	daemon_resp_free(&r);
}

Test(daemon_http, error_bodies_have_code_message_and_field)
{
	struct daemon_resp r;
	cJSON *j, *e;

	start(NULL);
	cr_assert_eq(daemon_http(d, "GET", "/healthz?verbose=1", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 400);
	j = daemon_resp_json(&r);
	e = cJSON_GetObjectItem(j, "error");
	cr_assert(cJSON_IsObject(e));
	cr_assert_str_eq(cJSON_GetObjectItem(e, "code")->valuestring, "invalid");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(e, "message")));
	cr_assert_str_eq(cJSON_GetObjectItem(e, "field")->valuestring, "verbose");
	cJSON_Delete(j);
	daemon_resp_free(&r);
}

Test(daemon_http, body_on_a_bodiless_route_is_refused)
{
	const char *h[] = { "Content-Type: application/json", NULL };
	struct daemon_resp r;

	start(NULL);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", h, "{}", 2, &r), 0);
	cr_assert_eq(r.status, 400);
	daemon_resp_free(&r);
}

Test(daemon_http, request_ids_are_echoed_or_generated_and_logged)
{
	const char *good[] = { "X-Request-Id: trace-42.abc:7", NULL };
	const char *bad[] = { "X-Request-Id: has spaces and \"quotes\"", NULL };
	struct daemon_resp r;
	char want[128];

	start(NULL);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", good, NULL, 0, &r), 0);
	cr_assert_str_eq(daemon_resp_header(&r, "X-Request-Id"), "trace-42.abc:7");
	daemon_resp_free(&r);
	cr_assert(daemon_wait_log(d, "req=trace-42.abc:7: GET /healthz 200", 1, DAEMON_WAIT_MS));

	cr_assert_eq(daemon_http(d, "GET", "/healthz", bad, NULL, 0, &r), 0);
	cr_assert_neq(strcmp(daemon_resp_header(&r, "X-Request-Id"), "has spaces"), 0);
	cr_assert_eq(strlen(daemon_resp_header(&r, "X-Request-Id")), 16);
	snprintf(want, sizeof want, "req=%s: GET /healthz 200", daemon_resp_header(&r, "X-Request-Id"));
	daemon_resp_free(&r);
	cr_assert(daemon_wait_log(d, want, 1, DAEMON_WAIT_MS));
}

Test(daemon_http, oversized_body_is_refused_and_the_daemon_carries_on)
{
	const char *h[] = { "Content-Type: application/json", NULL };
	size_t n = 64 * 1024;
	char *big = malloc(n);
	struct daemon_resp r;

	memset(big, 'x', n);
	start("[http]\nmax_body = 1k");
	/* One byte over: a JSON error naming the limit. */
	cr_assert_eq(daemon_http(d, "POST", "/v1/signups", h, big, 1025, &r), 0);
	cr_assert_eq(r.status, 413);
	cr_expect_str_eq(daemon_resp_error_code(&r), "too_large");
	cr_expect(strstr(r.body, "http.max_body") != NULL, "%s", r.body);
	daemon_resp_free(&r);
	/* Exactly the limit gets through to the handler (which refuses the signature). */
	cr_assert_eq(daemon_http(d, "POST", "/v1/signups", h, big, 1024, &r), 0);
	cr_assert_eq(r.status, 401, "%d %s", r.status, r.body);
	daemon_resp_free(&r);
	/* Far over: cut off by the HTTP library, still 413. */
	cr_assert_eq(daemon_http(d, "POST", "/v1/signups", h, big, n, &r), 0);
	cr_assert_eq(r.status, 413);
	daemon_resp_free(&r);
	free(big);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	daemon_resp_free(&r);
}

Test(daemon_http, oversized_headers_are_refused)
{
	struct strbuf hv = STRBUF_INIT;
	const char *h[2];
	struct daemon_resp r;

	start("[http]\nmax_headers = 1k");
	strbuf_puts(&hv, "X-Padding: ");
	for (int i = 0; i < 3000; i++)
		strbuf_putc(&hv, 'p');
	h[0] = strbuf_str(&hv);
	h[1] = NULL;
	cr_assert_eq(daemon_http(d, "GET", "/healthz", h, NULL, 0, &r), 0);
	cr_assert(r.status == 400 || r.status == 413 || r.status == 431, "status %d", r.status);
	daemon_resp_free(&r);
	strbuf_free(&hv);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	daemon_resp_free(&r);
}

Test(daemon_http, idle_half_requests_are_timed_out)
{
	char buf[256];
	int fd;
	ssize_t n;

	start("[http]\nread_timeout = 1s");
	fd = daemon_connect(d);
	cr_assert(fd >= 0);
	cr_assert_gt(send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n", 32, MSG_NOSIGNAL), 0);
	/* The daemon closes the connection on its own (the socket's timeout is much longer). */
	n = recv(fd, buf, sizeof buf, 0);
	cr_assert_leq(n, 0, "expected the connection to be closed, got %zd bytes", n);
	close(fd);
	cr_assert(daemon_wait_log(d, "connection closed (0 open)", 1, DAEMON_WAIT_MS));
}

Test(daemon_http, keep_alive_serves_several_requests)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	struct daemon_resp r;
	int fd;

	start(NULL);
	fd = daemon_connect(d);
	cr_assert(fd >= 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
		cr_assert_eq(daemon_read_response(fd, &r), 0);
		cr_assert_eq(r.status, 200);
		daemon_resp_free(&r);
	}
	close(fd);
}

Test(daemon_http, connection_cap_pauses_accepting_until_one_closes)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	struct daemon_resp r;
	int a, b, c;

	start("[http]\nmax_connections = 2");
	a = daemon_connect(d);
	b = daemon_connect(d);
	cr_assert(a >= 0 && b >= 0);
	cr_assert(daemon_wait_log(d, "connection accepted (2 open)", 1, DAEMON_WAIT_MS));
	cr_assert(daemon_wait_log(d, "not accepting connections for now: at http.max_connections",
	    1, DAEMON_WAIT_MS));
	/* The kernel queues the third; the daemon takes it once one of the first two goes. */
	c = daemon_connect(d);
	cr_assert(c >= 0);
	cr_assert_eq(send(c, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
	close(a);
	cr_assert_eq(daemon_read_response(c, &r), 0);
	cr_assert_eq(r.status, 200);
	daemon_resp_free(&r);
	cr_assert(daemon_wait_log(d, "accepting connections again", 1, DAEMON_WAIT_MS));
	close(b);
	close(c);
}

Test(daemon_http, a_client_that_vanishes_mid_request_does_no_harm)
{
	static const char req[] =
	    "POST /v1/signups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	    "Content-Length: 100\r\n\r\n{\"role\":";
	struct daemon_resp r;

	start(NULL);
	for (int i = 0; i < 5; i++) {
		int fd = daemon_connect(d);

		cr_assert(fd >= 0);
		cr_assert_gt(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), 0);
		close(fd);
	}
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	daemon_resp_free(&r);
}

Test(daemon_http, out_of_descriptors_pauses_accepting_and_recovers)
{
	struct daemon_opts o = { .conninfo = conninfo, .nofile = 40 };
	struct daemon_resp r;
	int fds[60], n = 0;

	d = daemon_start(&o);
	/* More connections than descriptors left: accept() fails with EMFILE. */
	for (int i = 0; i < 60; i++) {
		fds[n] = daemon_connect(d);
		if (fds[n] >= 0)
			n++;
	}
	cr_assert(daemon_wait_log(d, "not accepting connections for now: Too many open files", 1,
	    DAEMON_WAIT_MS));
	for (int i = 0; i < n; i++)
		close(fds[i]);
	cr_assert_eq(daemon_http(d, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	daemon_resp_free(&r);
	cr_assert(daemon_wait_log(d, "accepting connections again", 1, DAEMON_WAIT_MS));
}
