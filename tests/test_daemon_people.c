/*
 * test_daemon_people.c - the admin API for mentees and mentors on a real
 * sparkmatchd: bearer tokens, listing, reading, updating, erasing, and the
 * audit log.
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

#define ADA \
	"{\"role\":\"mentee\",\"external_id\":\"ada\",\"name\":\"Ada\",\"email\":\"ada@example.org\"," \
	"\"timezone\":\"Europe/Paris\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\"," \
	"\"priority\":5},{\"skill\":\"planning\",\"priority\":2}]}"
#define BOB \
	"{\"role\":\"mentee\",\"external_id\":\"bob\",\"name\":\"Bob\",\"email\":\"bob@example.org\"," \
	"\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"change\",\"priority\":3}]}"
#define GRACE \
	"{\"role\":\"mentor\",\"external_id\":\"grace\",\"name\":\"Grace\",\"email\":\"grace@example.org\"," \
	"\"timezone\":\"UTC\",\"languages\":[\"en\"],\"strengths\":[{\"skill\":\"vision\",\"level\":5}]," \
	"\"capacity\":2}"

static void
signup(const char *body)
{
	struct daemon_resp r;

	cr_assert_eq(daemon_signup(d, body, &r, NULL, 0), 0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	daemon_resp_free(&r);
}

static void
setup(void)
{
	d = daemon_start_fresh(&conninfo, &db, NULL);
	signup(ADA);
	signup(BOB);
	signup(GRACE);
}

static void
teardown(void)
{
	daemon_stop_fresh(d, db, conninfo);
	d = NULL;
}

TestSuite(daemon_people, .init = setup, .fini = teardown, .timeout = 120);

static long long
id_of(const char *table, const char *ext)
{
	char *sql = xasprintf("SELECT id FROM %s WHERE external_id = '%s'", table, ext);
	long long v = testdb_scalar(db, sql);

	free(sql);
	return v;
}

/* An admin request; the answer's status. */
static int
admin(const char *method, const char *path, const char *body, struct daemon_resp *r)
{
	cr_assert_eq(daemon_admin(d, method, path, body, r), 0);
	return r->status;
}

static bool
has(const struct daemon_resp *r, const char *s)
{
	return strstr(r->body, s) != NULL;
}

Test(daemon_people, admin_endpoints_need_a_valid_bearer_token)
{
	const char *wrong[] = { "Authorization: Bearer not-the-token-at-all", NULL };
	const char *basic[] = { "Authorization: Basic dXNlcjpwYXNz", NULL };
	char hdr[128];
	const char *dbtok[] = { hdr, NULL };
	struct daemon_resp r;

	cr_assert_eq(daemon_http(d, "GET", "/v1/mentees", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 401);
	cr_assert_str_eq(daemon_resp_error_code(&r), "unauthorized");
	cr_assert_not_null(daemon_resp_header(&r, "WWW-Authenticate"));
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/v1/mentees", wrong, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 401);
	daemon_resp_free(&r);
	cr_assert_eq(daemon_http(d, "GET", "/v1/mentees", basic, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 401);
	daemon_resp_free(&r);

	/* A token created by `sparkmatch token create` (its SHA-256 in api_tokens). */
	testdb_exec(db, "INSERT INTO api_tokens (name, token_sha256) VALUES ('ops', "
	    "sha256('smk_database_token_for_tests'))");
	snprintf(hdr, sizeof hdr, "Authorization: Bearer smk_database_token_for_tests");
	cr_assert_eq(daemon_http(d, "GET", "/v1/mentees", dbtok, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM api_tokens WHERE last_used_at IS NOT NULL"), 1);
	testdb_exec(db, "UPDATE api_tokens SET revoked_at = now()");
	cr_assert_eq(daemon_http(d, "GET", "/v1/mentees", dbtok, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 401);
	daemon_resp_free(&r);
}

Test(daemon_people, list_filter_and_page_mentees)
{
	struct daemon_resp r;
	cJSON *j, *items, *next;
	char path[96];

	cr_assert_eq(admin("GET", "/v1/mentees", NULL, &r), 200, "%s", r.body);
	j = daemon_resp_json(&r);
	items = cJSON_GetObjectItem(j, "items");
	cr_assert_eq(cJSON_GetArraySize(items), 2);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "external_id")->valuestring, "ada");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "status")->valuestring, "waiting");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "goals")), 2);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "next_after")));
	cJSON_Delete(j);
	daemon_resp_free(&r);

	cr_assert_eq(admin("GET", "/v1/mentees?limit=1", NULL, &r), 200);
	j = daemon_resp_json(&r);
	next = cJSON_GetObjectItem(j, "next_after");
	cr_assert(cJSON_IsNumber(next));
	snprintf(path, sizeof path, "/v1/mentees?limit=1&after=%d", next->valueint);
	cJSON_Delete(j);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", path, NULL, &r), 200);
	cr_assert(has(&r, "\"external_id\": \"bob\"") || has(&r, "\"external_id\":\"bob\""), "%s", r.body);
	daemon_resp_free(&r);

	cr_assert_eq(admin("GET", "/v1/mentees?status=paused", NULL, &r), 200);
	cr_assert(has(&r, "\"items\": []") || has(&r, "\"items\":[]"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees?status=asleep", NULL, &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees?limit=0", NULL, &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees?limit=5000", NULL, &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees?after=-3", NULL, &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees?sort=name", NULL, &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees?limit=1&limit=2", NULL, &r), 400);
	daemon_resp_free(&r);
}

Test(daemon_people, get_one_mentee_and_mentor)
{
	struct daemon_resp r;
	char path[64];

	snprintf(path, sizeof path, "/v1/mentees/%lld", id_of("mentees", "ada"));
	cr_assert_eq(admin("GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert(has(&r, "\"name\": \"Ada\"") || has(&r, "\"name\":\"Ada\""), "%s", r.body);
	cr_assert(has(&r, "\"created_at\""));
	daemon_resp_free(&r);
	snprintf(path, sizeof path, "/v1/mentors/%lld", id_of("mentors", "grace"));
	cr_assert_eq(admin("GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert(has(&r, "\"capacity\": 2") || has(&r, "\"capacity\":2"), "%s", r.body);
	cr_assert(has(&r, "\"used\": 0") || has(&r, "\"used\":0"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees/999999", NULL, &r), 404);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees/abc", NULL, &r), 400);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentees/0", NULL, &r), 400);
	daemon_resp_free(&r);
}

Test(daemon_people, patch_updates_a_profile_and_audits_it)
{
	struct daemon_resp r;
	char path[64];
	long long ada = id_of("mentees", "ada");

	snprintf(path, sizeof path, "/v1/mentees/%lld", ada);
	cr_assert_eq(admin("PATCH", path, "{\"name\":\"Ada Lovelace\",\"goals\":[{\"skill\":\"change\","
	    "\"priority\":4}]}", &r), 200, "%s", r.body);
	cr_assert(has(&r, "Ada Lovelace"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees WHERE name = 'Ada Lovelace'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentee_goals g JOIN mentees m ON "
	    "m.id = g.mentee_id WHERE m.external_id = 'ada'"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE actor = 'bootstrap' AND "
	    "action = 'mentee.update' AND target_type = 'mentee' AND details = "
	    "'{\"fields\": [\"name\", \"goals\"]}'::jsonb"), 1);
	/* Values are not copied into the audit log. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE details::text LIKE '%Lovelace%'"), 0);
}

Test(daemon_people, bad_patches_change_nothing)
{
	static const struct {
		const char *body;
		int status;
		const char *field;
	} cases[] = {
		{ "{}", 400, "body" },
		{ "not json", 400, NULL },
		{ "{\"name\":\"A\",\"name\":\"B\"}", 400, NULL },
		{ "{\"external_id\":\"other\"}", 400, "external_id" },
		{ "{\"role\":\"mentor\"}", 400, "role" },
		{ "{\"name\":\"\"}", 400, "name" },
		{ "{\"name\":42}", 400, "name" },
		{ "{\"goals\":[{\"skill\":\"vision\",\"priority\":6}]}", 400, "goals[0].priority" },
		{ "{\"goals\":[{\"skill\":\"juggling\",\"priority\":3}]}", 422, "goals[0].skill" },
		{ "{\"timezone\":\"Nowhere/Special\"}", 422, "timezone" },
		{ "{\"email\":\"bob@example.org\"}", 409, "email" },
		{ "{\"status\":\"matched\"}", 400, "status" },
		{ "{\"status\":\"paused\",\"name\":\"X\"}", 400, "status" },
		{ "{\"capacity\":3}", 400, "capacity" },
	};
	struct daemon_resp r;
	char path[64];
	long long before = testdb_scalar(db, "SELECT count(*) FROM audit_log");
	char *snapshot_sql = xasprintf("SELECT md5(string_agg(m::text || g::text, ',' ORDER BY g.skill)) "
	    "FROM mentees m JOIN mentee_goals g ON g.mentee_id = m.id WHERE m.external_id = 'ada'");
	PGresult *s0 = PQexec(db, snapshot_sql), *s1;

	snprintf(path, sizeof path, "/v1/mentees/%lld", id_of("mentees", "ada"));
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(admin("PATCH", path, cases[i].body, &r), cases[i].status, "case %zu: %s", i, r.body);
		if (cases[i].field != NULL) {
			char want[96];

			snprintf(want, sizeof want, "\"field\":\"%s\"", cases[i].field);
			cr_assert(has(&r, want), "case %zu: %s", i, r.body);
		}
		daemon_resp_free(&r);
	}
	s1 = PQexec(db, snapshot_sql);
	cr_assert_str_eq(PQgetvalue(s0, 0, 0), PQgetvalue(s1, 0, 0), "a refused patch changed the row");
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log"), before);
	PQclear(s0);
	PQclear(s1);
	free(snapshot_sql);
}

Test(daemon_people, pause_and_resume)
{
	struct daemon_resp r;
	char path[64];
	long long bob = id_of("mentees", "bob");

	snprintf(path, sizeof path, "/v1/mentees/%lld", bob);
	cr_assert_eq(admin("PATCH", path, "{\"status\":\"paused\"}", &r), 200, "%s", r.body);
	cr_assert(has(&r, "\"status\": \"paused\"") || has(&r, "\"status\":\"paused\""), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("PATCH", path, "{\"status\":\"waiting\"}", &r), 200);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'mentee.status'"), 2);

	/* A mentee with a live proposal is not paused from here. */
	testdb_exec(db, "UPDATE mentees SET status = 'proposed' WHERE external_id = 'bob'");
	cr_assert_eq(admin("PATCH", path, "{\"status\":\"paused\"}", &r), 409, "%s", r.body);
	daemon_resp_free(&r);

	snprintf(path, sizeof path, "/v1/mentors/%lld", id_of("mentors", "grace"));
	cr_assert_eq(admin("PATCH", path, "{\"status\":\"paused\"}", &r), 200, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("PATCH", path, "{\"capacity\":5}", &r), 200, "%s", r.body);
	cr_assert(has(&r, "\"capacity\": 5") || has(&r, "\"capacity\":5"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("PATCH", "/v1/mentors/999999", "{\"capacity\":5}", &r), 404);
	daemon_resp_free(&r);
}

Test(daemon_people, delete_erases_the_person)
{
	struct daemon_resp r;
	char path[64];
	long long ada = id_of("mentees", "ada");

	snprintf(path, sizeof path, "/v1/mentees/%lld", ada);
	cr_assert_eq(admin("DELETE", path, NULL, &r), 204, "%s", r.body);
	cr_assert_eq(r.body_len, 0);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", path, NULL, &r), 404);
	daemon_resp_free(&r);
	cr_assert_eq(admin("DELETE", path, NULL, &r), 404);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees WHERE external_id = 'ada'"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentee_goals"), 1);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM signup_keys WHERE result::text LIKE '%\"ada\"%'"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'mentee.delete'"), 1);
}

Test(daemon_people, deleting_a_mentor_frees_their_mentees)
{
	struct daemon_resp r;
	char path[64];
	long long grace = id_of("mentors", "grace");

	testdb_exec(db, "INSERT INTO runs (mode, trigger, status, started_at, finished_at) "
	    "VALUES ('optimal', 'cli', 'succeeded', now(), now())");
	testdb_exec(db, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation) "
	    "SELECT r.id, m.id, t.id, 700, '{}' FROM runs r, mentees m, mentors t "
	    "WHERE m.external_id = 'ada' AND t.external_id = 'grace'");
	testdb_exec(db, "UPDATE mentees SET status = 'proposed' WHERE external_id = 'ada'");
	snprintf(path, sizeof path, "/v1/mentors/%lld", grace);
	cr_assert_eq(admin("GET", path, NULL, &r), 200);
	cr_assert(has(&r, "\"used\": 1") || has(&r, "\"used\":1"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("DELETE", path, NULL, &r), 204, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentors"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM proposals"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees WHERE status = 'waiting'"), 2);
}

Test(daemon_people, list_mentors_and_refuse_other_media_types)
{
	const char *h[] = { "Authorization: Bearer " DAEMON_ADMIN_TOKEN, "Content-Type: text/plain", NULL };
	struct daemon_resp r;
	char path[64];

	cr_assert_eq(admin("GET", "/v1/mentors", NULL, &r), 200, "%s", r.body);
	cr_assert(has(&r, "grace"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentors?status=paused", NULL, &r), 200);
	cr_assert(!has(&r, "grace"), "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(admin("GET", "/v1/mentors?status=waiting", NULL, &r), 400);
	daemon_resp_free(&r);
	snprintf(path, sizeof path, "/v1/mentors/%lld", id_of("mentors", "grace"));
	cr_assert_eq(daemon_http(d, "PATCH", path, h, "{\"capacity\":3}", 14, &r), 0);
	cr_assert_eq(r.status, 415, "%s", r.body);
	daemon_resp_free(&r);
	cr_assert_eq(testdb_scalar(db, "SELECT capacity FROM mentors"), 2);
}
