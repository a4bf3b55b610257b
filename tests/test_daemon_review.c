/*
 * test_daemon_review.c - skills, exclusions, proposals (list, read, approve,
 * reject) and explanations on a real sparkmatchd.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "testdb.h"
#include "xmalloc.h"

static char *conninfo;
static struct daemon_proc *d;
static PGconn *db;

static const char *const people[] = {
	"{\"role\":\"mentee\",\"external_id\":\"ada\",\"name\":\"Ada\",\"email\":\"ada@example.org\","
	"\"timezone\":\"Europe/Paris\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\","
	"\"priority\":5},{\"skill\":\"planning\",\"priority\":2}]}",
	"{\"role\":\"mentee\",\"external_id\":\"bob\",\"name\":\"Bob\",\"email\":\"bob@example.org\","
	"\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"change\",\"priority\":3}]}",
	"{\"role\":\"mentor\",\"external_id\":\"grace\",\"name\":\"Grace\",\"email\":\"grace@example.org\","
	"\"timezone\":\"Europe/Berlin\",\"languages\":[\"en\",\"de\"],\"strengths\":[{\"skill\":\"vision\","
	"\"level\":5},{\"skill\":\"process\",\"level\":4}],\"capacity\":2}",
	"{\"role\":\"mentor\",\"external_id\":\"linus\",\"name\":\"Linus\",\"email\":\"linus@example.org\","
	"\"timezone\":\"UTC\",\"languages\":[\"fi\"],\"strengths\":[{\"skill\":\"change\",\"level\":3}]}",
};

static void
setup(void)
{
	struct daemon_resp r;

	d = daemon_start_fresh(&conninfo, &db, NULL);
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
		cr_assert_eq(daemon_signup(d, people[i], &r, NULL, 0), 0);
		cr_assert_eq(r.status, 201, "%s", r.body);
		daemon_resp_free(&r);
	}
	/* A finished run that proposed Ada to Grace and Bob to Linus. */
	testdb_exec(db, "INSERT INTO runs (id, mode, trigger, status, started_at, finished_at) "
	    "VALUES (7, 'optimal', 'cli', 'succeeded', now(), now())");
	testdb_exec(db, "INSERT INTO proposals (id, run_id, mentee_id, mentor_id, score, explanation) "
	    "SELECT 70, 7, m.id, t.id, 812, '{\"lines\": [{\"skill\": \"vision\"}]}' FROM mentees m, "
	    "mentors t WHERE m.external_id = 'ada' AND t.external_id = 'grace'");
	testdb_exec(db, "INSERT INTO proposals (id, run_id, mentee_id, mentor_id, score, explanation) "
	    "SELECT 71, 7, m.id, t.id, 300, '{}' FROM mentees m, mentors t "
	    "WHERE m.external_id = 'bob' AND t.external_id = 'linus'");
	testdb_exec(db, "UPDATE mentees SET status = 'proposed'");
}

static void
teardown(void)
{
	daemon_stop_fresh(d, db, conninfo);
	d = NULL;
}

TestSuite(daemon_review, .init = setup, .fini = teardown, .timeout = 120);

static int
admin(const char *method, const char *path, const char *body, struct daemon_resp *r)
{
	cr_assert_eq(daemon_admin(d, method, path, body, r), 0);
	return r->status;
}

static long long
id_of(const char *table, const char *ext)
{
	char *sql = xasprintf("SELECT id FROM %s WHERE external_id = '%s'", table, ext);
	long long v = testdb_scalar(db, sql);

	free(sql);
	return v;
}

Test(daemon_review, skills_are_listed_in_order)
{
	struct daemon_resp r;
	cJSON *j, *items;

	cr_assert_eq(admin("GET", "/v1/skills", NULL, &r), 200, "%s", r.body);
	j = daemon_resp_json(&r);
	items = cJSON_GetObjectItem(j, "items");
	cr_assert_eq(cJSON_GetArraySize(items), 27);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "code")->valuestring, "vision");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 13), "family")->valuestring,
	    "management");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "try_first")));
	cJSON_Delete(j);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/v1/skills", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 401);
	daemon_resp_free(&r);
}

Test(daemon_review, exclusions_are_created_listed_and_deleted)
{
	struct daemon_resp r;
	char body[256], path[64];
	long long ada = id_of("mentees", "ada");
	long long linus = id_of("mentors", "linus");
	cJSON *j;
	int id;

	snprintf(body, sizeof body, "{\"mentee_id\":%lld,\"mentor_id\":%lld,\"reason\":\"same team\"}",
	    ada, linus);
	cr_assert_eq(admin("POST", "/v1/exclusions", body, &r), 201, "%s", r.body);
	j = daemon_resp_json(&r);
	id = cJSON_GetObjectItem(j, "id")->valueint;
	cr_assert_str_eq(cJSON_GetObjectItem(j, "created_by")->valuestring, "bootstrap");
	cJSON_Delete(j);
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/exclusions", body, &r), 409, "%s", r.body);
	daemon_resp_free(&r);

	snprintf(path, sizeof path, "/v1/exclusions?mentee=%lld", ada);
	cr_assert_eq(admin("GET", path, NULL, &r), 200);
	cr_assert_not_null(strstr(r.body, "same team"));
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/exclusions?mentor=999999", NULL, &r), 200);
	cr_assert_null(strstr(r.body, "same team"));
	daemon_resp_free(&r);

	/* Refused: unknown people, missing reason, extra fields, wrong types. */
	cr_assert_eq(admin("POST", "/v1/exclusions",
	    "{\"mentee_id\":999999,\"mentor_id\":1,\"reason\":\"x\"}", &r), 422, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/exclusions", "{\"mentee_id\":1,\"mentor_id\":1}", &r), 400);
	cr_assert_not_null(strstr(r.body, "\"field\":\"reason\""));
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/exclusions",
	    "{\"mentee_id\":1,\"mentor_id\":1,\"reason\":\"x\",\"until\":\"never\"}", &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/exclusions",
	    "{\"mentee_id\":\"1\",\"mentor_id\":1,\"reason\":\"x\"}", &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/exclusions",
	    "{\"mentee_id\":1.5,\"mentor_id\":1,\"reason\":\"x\"}", &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM exclusions"), 1);

	snprintf(path, sizeof path, "/v1/exclusions/%d", id);
	cr_assert_eq(admin("DELETE", path, NULL, &r), 204);
	daemon_resp_free(&r);
	cr_assert_eq(admin("DELETE", path, NULL, &r), 404);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'exclusion.%'"), 2);
}

Test(daemon_review, proposals_are_listed_and_read_with_their_explanation)
{
	struct daemon_resp r;
	cJSON *j;

	cr_assert_eq(admin("GET", "/v1/proposals?run=7&status=pending-review", NULL, &r), 200, "%s", r.body);
	j = daemon_resp_json(&r);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 2);
	cJSON_Delete(j);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/proposals?run=8", NULL, &r), 200);
	cr_assert_not_null(strstr(r.body, "\"items\": []"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/proposals?status=maybe", NULL, &r), 400);
	daemon_resp_free(&r);

	cr_assert_eq(admin("GET", "/v1/proposals/70", NULL, &r), 200, "%s", r.body);
	j = daemon_resp_json(&r);
	cr_assert_eq(cJSON_GetObjectItem(j, "score")->valueint, 812);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "mentee"), "name")->valuestring, "Ada");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "mentor"), "name")->valuestring, "Grace");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "explanation")));
	cJSON_Delete(j);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/proposals/99", NULL, &r), 404);
	daemon_resp_free(&r);
}

Test(daemon_review, approve_and_reject)
{
	struct daemon_resp r;

	cr_assert_eq(admin("POST", "/v1/proposals/70/approve", NULL, &r), 200, "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"status\":\"approved\""), "%s", r.body);
	cr_assert_not_null(strstr(r.body, "\"previous_status\":\"pending-review\""));
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/proposals/70/approve", NULL, &r), 409, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM proposals WHERE id = 70 AND "
	    "status = 'approved' AND decided_by = 'bootstrap'"), 1);

	cr_assert_eq(admin("POST", "/v1/proposals/71/reject", "{\"reason\":\"no shared language\"}", &r),
	    200, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees WHERE external_id = 'bob' AND "
	    "status = 'waiting'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'reject' AND "
	    "target_id = 71 AND details->>'reason' = 'no shared language'"), 1);

	cr_assert_eq(admin("POST", "/v1/proposals/99/approve", NULL, &r), 404);
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/proposals/71/approve", "{\"reason\":7}", &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("POST", "/v1/proposals/71/approve", "{\"note\":\"x\"}", &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/proposals/71/approve", NULL, &r), 405);
	daemon_resp_free(&r);
}

Test(daemon_review, explain_a_pair)
{
	struct daemon_resp r;
	cJSON *j;

	cr_assert_eq(admin("GET", "/v1/explain?mentee=ada&mentor=grace", NULL, &r), 200, "%s", r.body);
	j = daemon_resp_json(&r);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "mentee"), "external_id")->valuestring,
	    "ada");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(j, "explanation")), "%s", r.body);
	cr_assert_eq(cJSON_GetObjectItem(j, "mentor_capacity")->valueint, 2);
	cr_assert_eq(cJSON_GetObjectItem(j, "mentor_used")->valueint, 1);
	cJSON_Delete(j);
	daemon_resp_free(&r);

	cr_assert_eq(admin("GET", "/v1/explain?mentee=ada&mentor=nobody", NULL, &r), 404);
	cr_assert_not_null(strstr(r.body, "\"field\":\"mentor\""));
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/explain?mentee=ada", NULL, &r), 400);
	daemon_resp_free(&r);
}
