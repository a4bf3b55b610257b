/*
 * test_daemon_signup.c - POST /v1/signups on a real sparkmatchd: signatures
 * checked on the raw bytes, idempotent replays, updates by external_id, and
 * bad input refused with nothing written.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "testdb.h"
#include "whsig.h"
#include "xmalloc.h"

static char *conninfo;
static struct daemon_proc *d;
static PGconn *db;

#define MENTEE_BODY \
	"{\"role\":\"mentee\",\"external_id\":\"form-1\",\"name\":\"Ada Mentee\"," \
	"\"email\":\"ada@example.org\",\"timezone\":\"Europe/Paris\",\"languages\":[\"en\",\"fr\"]," \
	"\"organisation\":\"Acme\",\"goals\":[{\"skill\":\"vision\",\"priority\":5}," \
	"{\"skill\":\"planning\",\"priority\":2}],\"support\":[\"career-advice\"]}"

#define MENTOR_BODY \
	"{\"role\":\"mentor\",\"external_id\":\"form-9\",\"name\":\"Grace Mentor\"," \
	"\"email\":\"grace@example.org\",\"timezone\":\"America/New_York\",\"languages\":[\"en\"]," \
	"\"strengths\":[{\"skill\":\"vision\",\"level\":5},{\"skill\":\"process\",\"level\":4}]," \
	"\"capacity\":3}"

static void
setup(void)
{
	d = daemon_start_fresh(&conninfo, &db, NULL);
}

static void
teardown(void)
{
	daemon_stop_fresh(d, db, conninfo);
	d = NULL;
}

TestSuite(daemon_signup, .init = setup, .fini = teardown, .timeout = 120);

/* Rows in every table a sign-up may write. */
static long long
rows(void)
{
	return testdb_scalar(db, "SELECT (SELECT count(*) FROM mentees) + (SELECT count(*) FROM mentors)"
	    " + (SELECT count(*) FROM mentee_goals) + (SELECT count(*) FROM mentor_strengths)"
	    " + (SELECT count(*) FROM mentee_support) + (SELECT count(*) FROM signup_keys)");
}

static long long
now(void)
{
	return (long long)time(NULL);
}

Test(daemon_signup, a_mentee_signs_up)
{
	struct daemon_resp r;
	cJSON *j;
	char loc[64];

	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	j = daemon_resp_json(&r);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "role")->valuestring, "mentee");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "external_id")->valuestring, "form-1");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "created")));
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "replayed")));
	snprintf(loc, sizeof loc, "/v1/mentees/%d", cJSON_GetObjectItem(j, "id")->valueint);
	cr_assert_str_eq(daemon_resp_header(&r, "Location"), loc);
	cJSON_Delete(j);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees WHERE external_id = 'form-1' "
	    "AND name = 'Ada Mentee' AND status = 'waiting'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT sum(priority) FROM mentee_goals"), 7);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentee_support"), 1);
}

Test(daemon_signup, a_mentor_signs_up)
{
	struct daemon_resp r;

	cr_assert_eq(daemon_signup(d, MENTOR_BODY, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT capacity FROM mentors WHERE external_id = 'form-9'"), 3);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentor_strengths"), 2);
}

Test(daemon_signup, a_replayed_delivery_creates_nothing_new)
{
	struct daemon_resp r1, r2;
	long long before, ts = now();

	cr_assert_eq(daemon_signup_as(d, "msg_replay_1", ts, NULL, NULL, NULL, MENTEE_BODY,
	    strlen(MENTEE_BODY), &r1), 0);
	cr_assert_eq(r1.status, 201, "%s", r1.body);
	before = rows();
	cr_assert_eq(daemon_signup_as(d, "msg_replay_1", ts, NULL, NULL, NULL, MENTEE_BODY,
	    strlen(MENTEE_BODY), &r2), 0);
	cr_assert_eq(r2.status, 201, "a replay is answered like the first delivery: %s", r2.body);
	cr_assert_not_null(strstr(r2.body, "\"replayed\":true"), "%s", r2.body);
	cr_assert_eq(rows(), before);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees"), 1);
	daemon_resp_free(&r1);
	daemon_resp_free(&r2);
}

Test(daemon_signup, the_same_webhook_id_with_another_body_is_a_conflict)
{
	struct daemon_resp r;
	long long before;

	cr_assert_eq(daemon_signup_as(d, "msg_dup", now(), NULL, NULL, NULL, MENTEE_BODY,
	    strlen(MENTEE_BODY), &r), 0);
	cr_assert_eq(r.status, 201);
	daemon_resp_free(&r);
	before = rows();
	cr_assert_eq(daemon_signup_as(d, "msg_dup", now(), NULL, NULL, NULL, MENTOR_BODY,
	    strlen(MENTOR_BODY), &r), 0);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"field\":\"webhook-id\""), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(rows(), before);
}

Test(daemon_signup, a_repeat_signup_updates_the_profile)
{
	static const char again[] =
	    "{\"role\":\"mentee\",\"external_id\":\"form-1\",\"name\":\"Ada Lovelace\","
	    "\"email\":\"ada@example.org\",\"timezone\":\"Europe/London\",\"languages\":[\"en\"],"
	    "\"goals\":[{\"skill\":\"change\",\"priority\":3}]}";
	struct daemon_resp r;

	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 201);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_signup(d, again, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "\"created\":false") != NULL, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees WHERE name = 'Ada Lovelace' "
	    "AND timezone = 'Europe/London'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentee_goals"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentee_support"), 0);
}

/* Expect a 401 naming field, and nothing written. */
static void
expect_refused(struct daemon_resp *r, const char *field)
{
	char want[64];

	cr_assert_eq(r->status, 401, "%s", r->body);
	cr_assert_str_eq(daemon_resp_error_code(r), "bad_signature");
	snprintf(want, sizeof want, "\"field\":\"%s\"", field);
	cr_assert_not_null(strstr(r->body, want), "%s", r->body);
	cr_assert_eq(rows(), 0);
	daemon_resp_free(r);
}

Test(daemon_signup, signature_vectors)
{
	struct whsig_key *k;
	struct err err;
	struct daemon_resp r;
	char body[] = MENTEE_BODY, *good = NULL, *several;
	long long ts = now();
	const char *h[4];

	k = whsig_key_new(DAEMON_SIGNUP_SECRET, &err);
	cr_assert_not_null(k);
	cr_assert_eq(whsig_sign(k, "msg_v", ts, body, strlen(body), &good, &err), 0);

	/* One byte of the body flipped after signing. */
	body[20] ^= 0x20;
	cr_assert_eq(daemon_signup_as(d, "msg_v", ts, NULL, good, NULL, body, strlen(body), &r), 0);
	expect_refused(&r, "webhook-signature");
	body[20] ^= 0x20;

	/* Signed with someone else's secret. */
	cr_assert_eq(daemon_signup_as(d, "msg_w", ts, "whsec_c29tZW9uZS1lbHNlcy1zZWNyZXQ=", NULL, NULL,
	    body, strlen(body), &r), 0);
	expect_refused(&r, "webhook-signature");

	/* Correctly signed, but too old, and too far ahead. */
	cr_assert_eq(daemon_signup_as(d, "msg_old", ts - 600, NULL, NULL, NULL, body, strlen(body), &r), 0);
	expect_refused(&r, "webhook-timestamp");
	cr_assert_eq(daemon_signup_as(d, "msg_new", ts + 600, NULL, NULL, NULL, body, strlen(body), &r), 0);
	expect_refused(&r, "webhook-timestamp");

	/* A signature header with no valid entry, and one with garbage. */
	cr_assert_eq(daemon_signup_as(d, "msg_v", ts, NULL,
	    "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL, body, strlen(body), &r), 0);
	expect_refused(&r, "webhook-signature");
	cr_assert_eq(daemon_signup_as(d, "msg_v", ts, NULL, "nonsense", NULL, body, strlen(body), &r), 0);
	expect_refused(&r, "webhook-signature");

	/* Missing headers. */
	h[0] = "Content-Type: application/json";
	h[1] = NULL;
	cr_assert_eq(daemon_http(d, "POST", "/v1/signups", h, body, strlen(body), &r), 0);
	expect_refused(&r, "webhook-id");

	/* Several signatures (a sender rotating keys), one of them valid. */
	several = xasprintf("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= %s", good);
	cr_assert_eq(daemon_signup_as(d, "msg_v", ts, NULL, several, NULL, body, strlen(body), &r), 0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	daemon_resp_free(&r);
	free(several);
	free(good);
	whsig_key_free(k);
}

Test(daemon_signup, malformed_bodies_are_refused_and_write_nothing)
{
	static const struct {
		const char *body;
		size_t len;		/* 0 = strlen */
		int status;
		const char *field;	/* expected in the answer, or NULL */
	} cases[] = {
		{ "", 0, 400, NULL },
		{ "not json", 0, 400, NULL },
		{ "[1,2,3]", 0, 400, NULL },
		{ "{\"role\":\"mentee\"", 0, 400, NULL },
		{ MENTEE_BODY " trailing", 0, 400, NULL },
		{ "{\"role\":\"mentee\",\"role\":\"mentor\"}", 0, 400, NULL },
		{ "{\"role\":\"boss\"}", 0, 400, "role" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
		  "\"priority\":5}],\"shoe_size\":44}", 0, 400, "shoe_size" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
		  "\"priority\":9}]}", 0, 400, "goals[0].priority" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
		  "\"priority\":\"5\"}]}", 0, 400, "goals[0].priority" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
		  "\"priority\":1e999}]}", 0, 400, NULL },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"not-an-email\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
		  "\"priority\":5}]}", 0, 400, "email" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"\xff\xfe\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
		  "\"priority\":5}]}", 0, 400, NULL },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\0y\"}", 32, 400, NULL },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[]}", 0, 400, "goals" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"juggling\","
		  "\"priority\":5}]}", 0, 422, "goals[0].skill" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"Mars/Olympus_Mons\",\"languages\":[\"en\"],\"goals\":[{\"skill\":"
		  "\"vision\",\"priority\":5}]}", 0, 422, "timezone" },
		{ "{\"role\":\"mentor\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"strengths\":[{\"skill\":\"vision\","
		  "\"level\":5}],\"capacity\":1000}", 0, 400, "capacity" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"n\",\"email\":\"a@b.co\","
		  "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
		  "\"priority\":5}],\"support\":[\"planning\"]}", 0, 422, "support[0]" },
	};
	struct daemon_resp r;
	char id[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].body);

		snprintf(id, sizeof id, "msg_bad_%zu", i);
		cr_assert_eq(daemon_signup_as(d, id, now(), NULL, NULL, NULL, cases[i].body, len, &r), 0);
		cr_assert_eq(r.status, cases[i].status, "case %zu: %d %s", i, r.status, r.body);
		if (cases[i].field != NULL) {
			char want[96];

			snprintf(want, sizeof want, "\"field\":\"%s\"", cases[i].field);
			cr_assert_not_null(strstr(r.body, want), "case %zu: %s", i, r.body);
		}
		cr_assert_eq(rows(), 0, "case %zu wrote something", i);
		daemon_resp_free(&r);
	}
	/* A correctly signed body of the wrong media type. */
	cr_assert_eq(daemon_signup_as(d, "msg_ct", now(), NULL, NULL, "text/plain", MENTEE_BODY,
	    strlen(MENTEE_BODY), &r), 0);
	cr_assert_eq(r.status, 415);
	daemon_resp_free(&r);
	cr_assert_eq(rows(), 0);
}

Test(daemon_signup, an_email_taken_by_another_mentee_is_a_conflict)
{
	static const char other[] =
	    "{\"role\":\"mentee\",\"external_id\":\"form-2\",\"name\":\"Someone Else\","
	    "\"email\":\"ADA@example.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"],"
	    "\"goals\":[{\"skill\":\"vision\",\"priority\":1}]}";
	struct daemon_resp r;
	long long before;

	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	daemon_resp_free(&r);
	before = rows();
	cr_assert_eq(daemon_signup(d, other, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"field\":\"email\""));
	daemon_resp_free(&r);
	cr_assert_eq(rows(), before);
}

Test(daemon_signup, signups_are_counted_in_metrics)
{
	struct daemon_resp r;

	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_signup(d, "{}", &r, NULL, 0), 0);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert_not_null(strstr(r.body, "sparkmatch_signups_total{result=\"created\"} 1\n"), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "sparkmatch_signups_total{result=\"updated\"} 1\n"));
	cr_assert_not_null(strstr(r.body, "sparkmatch_signups_total{result=\"rejected\"} 1\n"));
	cr_assert_not_null(strstr(r.body, "sparkmatch_mentees{status=\"waiting\"} 1\n"));
	daemon_resp_free(&r);
}

Test(daemon_signup, without_a_secret_signups_are_unavailable)
{
	struct daemon_opts o;
	struct daemon_resp r;

	cr_assert_eq(daemon_stop(d), 0);
	memset(&o, 0, sizeof o);
	o.conninfo = conninfo;
	o.no_secrets = true;
	d = daemon_start(&o);
	cr_assert_eq(daemon_signup(d, MENTEE_BODY, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 503);
	cr_assert_not_null(daemon_resp_header(&r, "Retry-After"));
	daemon_resp_free(&r);
	cr_assert_eq(rows(), 0);
}
