/* api.c - the route table, the admin gate, and helpers the handlers share. */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "json.h"
#include "pg.h"
#include "xmalloc.h"

/* Authenticate an admin, then hand on to the route's handler. */
static void
api_admin(struct http_req *req, void *arg)
{
	struct api_env *env = arg;

	auth_admin(env->auth, env->pg, req, http_req_route(req)->then, env);
}

struct api_json_query {
	struct http_req *req;
	int ok_status;
	char *not_found;
};

static void
api_json_query_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_json_query *q = arg;

	http_req_enter(q->req);
	if (err != NULL)
		http_reply_db_err(q->req, err);
	else if (PQntuples(res) == 0)
		http_reply_error(q->req, 404, "not_found", NULL, "%s", q->not_found);
	else if (q->ok_status == 204)
		http_reply_raw(q->req, 204, NULL, NULL, 0);
	else
		http_reply_raw(q->req, q->ok_status, "application/json", PQgetvalue(res, 0, 0),
		    (size_t)PQgetlength(res, 0, 0));
	free(q->not_found);
	free(q);
}

void
api_json_query(struct api_env *env, struct http_req *req, const char *sql, int nparams,
    const char *const *params, int ok_status, const char *not_found)
{
	struct api_json_query *q = xcalloc(1, sizeof *q);
	struct err err;

	q->req = req;
	q->ok_status = ok_status;
	q->not_found = xstrdup(not_found ? not_found : "not found");
	if (pg_query(env->pg, sql, nparams, params, api_json_query_cb, q, &err) < 0) {
		free(q->not_found);
		free(q);
		http_reply_err(req, &err);
	}
}

int
api_parse_id(const char *s, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || s[0] < '1' || s[0] > '9' || strlen(s) > 18)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
api_path_id(struct http_req *req, const char *noun, char id[24], long long *v)
{
	long long n;

	if (api_parse_id(http_req_param(req, 0), &n) < 0) {
		http_reply_error(req, 400, "invalid", "id", "a %s id is a positive whole number", noun);
		return -1;
	}
	snprintf(id, 24, "%lld", n);
	if (v != NULL)
		*v = n;
	return 0;
}

int
api_query_id(struct http_req *req, const char *name, const char *noun, const char **out)
{
	const char *s = http_req_query(req, name);
	long long v;

	*out = s;
	if (s != NULL && api_parse_id(s, &v) < 0) {
		http_reply_error(req, 400, "invalid", name, "a %s id is a positive whole number", noun);
		return -1;
	}
	return 0;
}

bool
api_in(const char *const *list, const char *s)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, s) == 0)
			return true;
	}
	return false;
}

int
api_page(struct http_req *req, char limit[24], char after[24])
{
	const char *l = http_req_query(req, "limit"), *a = http_req_query(req, "after");
	long long v;

	snprintf(limit, 24, "100");
	snprintf(after, 24, "0");
	if (l != NULL) {
		if (api_parse_id(l, &v) < 0 || v > 1000) {
			http_reply_error(req, 400, "invalid", "limit", "limit must be a whole number from 1 to 1000");
			return -1;
		}
		snprintf(limit, 24, "%lld", v);
	}
	if (a != NULL) {
		if (strcmp(a, "0") != 0 && api_parse_id(a, &v) < 0) {
			http_reply_error(req, 400, "invalid", "after", "after must be an id (a whole number)");
			return -1;
		}
		snprintf(after, 24, "%s", a);
	}
	return 0;
}

cJSON *
api_body(struct http_req *req, const char *const *allowed, bool empty_ok)
{
	size_t len;
	const char *body = http_req_body(req, &len);
	struct err err;
	cJSON *obj;

	if (len == 0 && empty_ok)
		return cJSON_CreateObject();
	obj = json_parse_object(body, len, &err);
	if (obj == NULL || json_only_fields(obj, "", allowed, &err) < 0) {
		cJSON_Delete(obj);
		http_reply_err(req, &err);
		return NULL;
	}
	return obj;
}

#define GET EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define PATCH EVHTTP_REQ_PATCH
#define DELETE EVHTTP_REQ_DELETE
#define ADMIN(method, pattern, fn, flags, query) { method, pattern, api_admin, flags, query, fn }
#define OPEN(method, pattern, fn, flags, query) { method, pattern, fn, flags, query, NULL }
#define BODY HTTP_ROUTE_BODY

/* docs/openapi.yaml describes each of these. */
const struct http_route api_routes[] = {
	OPEN(GET, "/healthz", api_healthz, 0, NULL),
	OPEN(GET, "/metrics", api_metrics, 0, NULL),
	OPEN(POST, "/v1/signups", api_signup, BODY, NULL),

	ADMIN(GET, "/v1/mentees", api_mentees_list, 0, "status,limit,after"),
	ADMIN(GET, "/v1/mentees/{id}", api_mentees_get, 0, NULL),
	ADMIN(PATCH, "/v1/mentees/{id}", api_mentees_patch, BODY, NULL),
	ADMIN(DELETE, "/v1/mentees/{id}", api_mentees_delete, 0, NULL),
	ADMIN(GET, "/v1/mentors", api_mentors_list, 0, "status,limit,after"),
	ADMIN(GET, "/v1/mentors/{id}", api_mentors_get, 0, NULL),
	ADMIN(PATCH, "/v1/mentors/{id}", api_mentors_patch, BODY, NULL),
	ADMIN(DELETE, "/v1/mentors/{id}", api_mentors_delete, 0, NULL),
	ADMIN(GET, "/v1/skills", api_skills_list, 0, NULL),
	ADMIN(GET, "/v1/exclusions", api_exclusions_list, 0, "mentee,mentor,limit,after"),
	ADMIN(POST, "/v1/exclusions", api_exclusions_create, BODY, NULL),
	ADMIN(DELETE, "/v1/exclusions/{id}", api_exclusions_delete, 0, NULL),
	ADMIN(GET, "/v1/runs", api_runs_list, 0, "limit,before"),
	ADMIN(POST, "/v1/runs", api_runs_create, BODY, NULL),
	ADMIN(GET, "/v1/runs/{id}", api_runs_get, 0, NULL),
	ADMIN(GET, "/v1/proposals", api_proposals_list, 0, "run,status,limit,after"),
	ADMIN(GET, "/v1/proposals/{id}", api_proposals_get, 0, NULL),
	ADMIN(POST, "/v1/proposals/{id}/approve", api_proposals_approve, BODY, NULL),
	ADMIN(POST, "/v1/proposals/{id}/reject", api_proposals_reject, BODY, NULL),
	ADMIN(GET, "/v1/explain", api_explain, 0, "mentee,mentor"),
};

const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
