/*
 * api_proposals.c - /v1/proposals (list, get, approve, reject) and
 * /v1/explain (a pair's score, skill by skill).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cohortdb.h"
#include "json.h"
#include "log.h"
#include "pg.h"
#include "review.h"
#include "score.h"
#include "worker.h"
#include "xmalloc.h"

#define PERSON(alias) \
	"jsonb_build_object('id', " alias ".id, 'external_id', " alias ".external_id, 'name', " alias ".name)"

#define PROPOSAL_OBJ(extra) \
	"jsonb_build_object('id', p.id, 'run_id', p.run_id, 'mentee', " PERSON("me") "," \
	" 'mentor', " PERSON("mo") ", 'score', p.score, 'status', p.status," \
	" 'mentee_response', p.mentee_response, 'mentor_response', p.mentor_response," \
	" 'decided_by', p.decided_by, 'created_at', " API_TS("p.created_at") "," \
	" 'updated_at', " API_TS("p.updated_at") ", 'expires_at', " API_TS("p.expires_at") extra ")"

static const char *const proposal_statuses[] = { "pending-review", "approved", "sent", "accepted",
	"declined", "expired", "rejected", NULL };

void
api_proposals_list(struct http_req *req, void *arg)
{
	static const char sql[] =
	    "SELECT jsonb_build_object('items', coalesce(jsonb_agg(x.j ORDER BY x.id), '[]'::jsonb),"
	    " 'next_after', CASE WHEN count(*) = $4::int THEN max(x.id) END)::text"
	    " FROM (SELECT p.id, " PROPOSAL_OBJ("") " AS j"
	    "       FROM proposals p JOIN mentees me ON me.id = p.mentee_id"
	    "       JOIN mentors mo ON mo.id = p.mentor_id"
	    "       WHERE p.id > $1::bigint AND ($2::bigint IS NULL OR p.run_id = $2::bigint)"
	    "         AND ($3::text IS NULL OR p.status = $3::text)"
	    "       ORDER BY p.id LIMIT $4::int) x";
	const char *run, *status = http_req_query(req, "status"), *params[4];
	char limit[24], after[24];

	if (api_page(req, limit, after) < 0 || api_query_id(req, "run", "run", &run) < 0)
		return;
	if (status != NULL && !api_in(proposal_statuses, status)) {
		http_reply_error(req, 400, "invalid", "status", "unknown proposal status '%s'", status);
		return;
	}
	params[0] = after;
	params[1] = run;
	params[2] = status;
	params[3] = limit;
	api_json_query(arg, req, sql, 4, params, 200, "");
}

/* A proposal with its per-skill explanation, as the scorer stored it. */
void
api_proposals_get(struct http_req *req, void *arg)
{
	static const char sql[] =
	    "SELECT " PROPOSAL_OBJ(", 'explanation', p.explanation") "::text"
	    " FROM proposals p JOIN mentees me ON me.id = p.mentee_id"
	    " JOIN mentors mo ON mo.id = p.mentor_id WHERE p.id = $1::bigint";
	const char *params[1];
	char id[24], msg[64];

	if (api_path_id(req, "proposal", id, NULL) < 0)
		return;
	snprintf(msg, sizeof msg, "no proposal %s", id);
	params[0] = id;
	api_json_query(arg, req, sql, 1, params, 200, msg);
}

struct api_review {
	struct http_req *req;
	long long id;
	bool approve;
};

static void
api_review_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_review *r = arg;
	struct err rerr;
	cJSON *body;

	http_req_enter(r->req);
	if (err != NULL) {
		http_reply_db_err(r->req, err);
	} else if (review_result(res, r->id, r->approve, &rerr) < 0) {
		http_reply_err(r->req, &rerr);
	} else {
		log_info("proposal %lld %s by %s", r->id, r->approve ? "approved" : "rejected",
		    http_req_actor(r->req));
		body = cJSON_CreateObject();
		cJSON_AddNumberToObject(body, "id", (double)r->id);
		cJSON_AddStringToObject(body, "status", PQgetvalue(res, 0, 1));
		cJSON_AddStringToObject(body, "previous_status", PQgetvalue(res, 0, 0));
		http_reply_json(r->req, 200, body);
	}
	free(r);
}

/* POST /v1/proposals/{id}/approve and /reject, with an optional {"reason"}. */
static void
api_review(struct http_req *req, struct api_env *env, bool approve)
{
	static const char *const fields[] = { "reason", NULL };
	cJSON *body;
	const char *reason = "", *params[4];
	struct api_review *r;
	char id[24];
	struct err err;
	long long v;

	if (api_path_id(req, "proposal", id, &v) < 0)
		return;
	body = api_body(req, fields, true);
	if (body == NULL)
		return;
	if (json_get_string(body, "", "reason", false, true, 500, &reason, &err) < 0) {
		http_reply_err(req, &err);
		cJSON_Delete(body);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->req = req;
	r->id = v;
	r->approve = approve;
	params[0] = id;
	params[1] = approve ? "approve" : "reject";
	params[2] = http_req_actor(req);
	params[3] = reason;
	if (pg_query(env->pg, review_decide_sql, 4, params, api_review_cb, r, &err) < 0) {
		free(r);
		http_reply_err(req, &err);
	}
	cJSON_Delete(body);
}

void
api_proposals_approve(struct http_req *req, void *arg)
{
	api_review(req, arg, true);
}

void
api_proposals_reject(struct http_req *req, void *arg)
{
	api_review(req, arg, false);
}

/* An explanation computed on a worker thread (loading and scoring are not loop work). */
struct api_explain {
	struct http_req *req;
	char *mentee, *mentor;		/* ids or external ids, as asked */
	struct score_params sp;		/* the configuration when asked */
	char *json;			/* the answer, when found */
	struct err err;
};

/* Index of a person by external id, else by database id; -1 if neither. */
static int64_t
api_explain_find(const struct cohort *c, bool mentee, const char *key)
{
	uint32_t n = mentee ? cohort_mentee_count(c) : cohort_mentor_count(c);
	long long id;

	for (uint32_t i = 0; i < n; i++) {
		const struct cohort_person *p = mentee ? cohort_mentee(c, i) : cohort_mentor(c, i);

		if (strcmp(p->external_id, key) == 0)
			return i;
	}
	if (api_parse_id(key, &id) < 0)
		return -1;
	return mentee ? cohort_mentee_find(c, id) : cohort_mentor_find(c, id);
}

static cJSON *
api_explain_person(const struct cohort_person *p)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)p->id);
	cJSON_AddStringToObject(o, "external_id", p->external_id);
	cJSON_AddStringToObject(o, "name", p->name);
	return o;
}

/* Worker thread: load everyone, score the pair, render it. */
static void
api_explain_job(struct worker_ctx *ctx, void *arg)
{
	struct api_explain *x = arg;
	struct cohort *c = NULL;
	struct scorer *s = NULL;
	struct score_explain e;
	int64_t i, j;
	PGconn *conn;
	cJSON *out;

	log_set_context("explain");
	conn = worker_db(ctx, &x->err);
	if (conn == NULL)
		return;
	c = cohortdb_load(conn, COHORTDB_ALL, &x->err);
	if (c == NULL)
		return;
	i = api_explain_find(c, true, x->mentee);
	j = api_explain_find(c, false, x->mentor);
	if (i < 0 || j < 0) {
		err_set(&x->err, ERR_KIND_NOT_FOUND, "no %s '%s'", i < 0 ? "mentee" : "mentor",
		    i < 0 ? x->mentee : x->mentor);
		snprintf(x->err.field, sizeof x->err.field, "%s", i < 0 ? "mentee" : "mentor");
		goto done;
	}
	s = scorer_new(c, &x->sp);
	scorer_explain(s, (uint32_t)i, (uint32_t)j, &e);
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "mentee", api_explain_person(cohort_mentee(c, (uint32_t)i)));
	cJSON_AddItemToObject(out, "mentor", api_explain_person(cohort_mentor(c, (uint32_t)j)));
	cJSON_AddItemToObject(out, "explanation", score_explain_json(s, &e));
	cJSON_AddNumberToObject(out, "mentor_capacity", cohort_mentor(c, (uint32_t)j)->capacity);
	cJSON_AddNumberToObject(out, "mentor_used", cohort_mentor(c, (uint32_t)j)->used);
	x->json = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	score_explain_release(&e);
done:
	scorer_free(s);
	cohort_free(c);
}

/* Loop thread: answer. */
static void
api_explain_done(void *arg)
{
	struct api_explain *x = arg;

	http_req_enter(x->req);
	x->err.msg[strcspn(x->err.msg, "\n")] = '\0';
	if (x->json != NULL)
		http_reply_raw(x->req, 200, "application/json", x->json, strlen(x->json));
	else
		http_reply_err(x->req, &x->err);
	free(x->json);
	free(x->mentee);
	free(x->mentor);
	free(x);
}

/* GET /v1/explain?mentee=&mentor= (database ids or external ids). */
void
api_explain(struct http_req *req, void *arg)
{
	struct api_env *env = arg;
	const char *mentee = http_req_query(req, "mentee"), *mentor = http_req_query(req, "mentor");
	struct api_explain *x;
	struct err err;

	if (mentee == NULL || mentee[0] == '\0' || mentor == NULL || mentor[0] == '\0') {
		http_reply_error(req, 400, "invalid", mentee == NULL || mentee[0] == '\0' ? "mentee" : "mentor",
		    "both mentee and mentor are required (ids or external ids)");
		return;
	}
	if (!pg_is_up(env->pg)) {
		http_reply_error(req, 503, "unavailable", NULL, "the database is unavailable; retry later");
		return;
	}
	x = xcalloc(1, sizeof *x);
	x->req = req;
	x->mentee = xstrdup(mentee);
	x->mentor = xstrdup(mentor);
	score_params_from_conf(&x->sp, env->conf);
	err_clear(&x->err);
	if (worker_submit(env->worker, api_explain_job, api_explain_done, x, &err) < 0) {
		free(x->mentee);
		free(x->mentor);
		free(x);
		http_reply_err(req, &err);
	}
}
