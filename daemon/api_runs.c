/* api_runs.c - /v1/runs: start a matching run, list runs, read one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "log.h"
#include "sched.h"
#include "xmalloc.h"

#define RUN_OBJ \
	"jsonb_build_object('id', r.id, 'mode', r.mode, 'trigger', r.trigger," \
	" 'requested_by', r.requested_by, 'dry_run', r.dry_run, 'status', r.status," \
	" 'created_at', " API_TS("r.created_at") ", 'started_at', " API_TS("r.started_at") "," \
	" 'finished_at', " API_TS("r.finished_at") "," \
	" 'duration_seconds', round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 3)," \
	" 'outcome', r.outcome, 'parameters', r.parameters, 'stats', r.stats," \
	" 'proposals', coalesce((SELECT jsonb_object_agg(c.status, c.n) FROM (SELECT status, count(*) AS n" \
	"   FROM proposals WHERE run_id = r.id GROUP BY status) c), '{}'::jsonb)," \
	" 'score', (SELECT jsonb_build_object('mean', round(avg(score), 2), 'min', min(score)," \
	"   'max', max(score)) FROM proposals WHERE run_id = r.id))"

void
api_runs_list(struct http_req *req, void *arg)
{
	static const char sql[] =
	    "SELECT jsonb_build_object('items', coalesce(jsonb_agg(x.j ORDER BY x.id DESC), '[]'::jsonb),"
	    " 'next_before', CASE WHEN count(*) = $2::int THEN min(x.id) END)::text"
	    " FROM (SELECT r.id, " RUN_OBJ " AS j FROM runs r"
	    "       WHERE ($1::bigint IS NULL OR r.id < $1::bigint)"
	    "       ORDER BY r.id DESC LIMIT $2::int) x";
	const char *before, *params[2];
	char limit[24], after[24];

	if (api_page(req, limit, after) < 0 || api_query_id(req, "before", "run", &before) < 0)
		return;
	params[0] = before;
	params[1] = limit;
	api_json_query(arg, req, sql, 2, params, 200, "");
}

void
api_runs_get(struct http_req *req, void *arg)
{
	static const char sql[] = "SELECT " RUN_OBJ "::text FROM runs r WHERE r.id = $1::bigint";
	const char *params[1];
	char id[24], msg[48];

	if (api_path_id(req, "run", id, NULL) < 0)
		return;
	snprintf(msg, sizeof msg, "no run %s", id);
	params[0] = id;
	api_json_query(arg, req, sql, 1, params, 200, msg);
}

struct api_run {
	struct http_req *req;
	enum conf_mode mode;
	bool dry_run;
};

static void
api_runs_claimed(void *arg, long long run_id, const struct err *err)
{
	struct api_run *r = arg;
	char location[48];
	cJSON *body;

	http_req_enter(r->req);
	if (err != NULL) {
		http_reply_err(r->req, err);
	} else {
		snprintf(location, sizeof location, "/v1/runs/%lld", run_id);
		http_req_add_header(r->req, "Location", location);
		body = cJSON_CreateObject();
		cJSON_AddNumberToObject(body, "id", (double)run_id);
		cJSON_AddStringToObject(body, "status", "running");
		cJSON_AddStringToObject(body, "trigger", "api");
		cJSON_AddStringToObject(body, "mode", r->mode == CONF_MODE_STABLE ? "stable" : "optimal");
		cJSON_AddBoolToObject(body, "dry_run", r->dry_run);
		cJSON_AddStringToObject(body, "requested_by", http_req_actor(r->req));
		http_reply_json(r->req, 202, body);
	}
	free(r);
}

/* POST /v1/runs {"mode", "dry_run"}: 202 once the run has claimed the active slot. */
void
api_runs_create(struct http_req *req, void *arg)
{
	static const char *const fields[] = { "mode", "dry_run", NULL };
	struct api_env *env = arg;
	struct sched_request rq;
	struct api_run *r;
	const char *mode = NULL;
	bool dry_run = false;
	cJSON *body = api_body(req, fields, true);
	struct err err;

	if (body == NULL)
		return;
	if (json_get_string(body, "", "mode", false, false, 16, &mode, &err) < 0 ||
	    json_get_bool(body, "", "dry_run", false, &dry_run, &err) < 0) {
		http_reply_err(req, &err);
		goto done;
	}
	memset(&rq, 0, sizeof rq);
	rq.mode = env->conf->match_mode;
	if (mode != NULL) {
		if (strcmp(mode, "optimal") == 0) {
			rq.mode = CONF_MODE_OPTIMAL;
		} else if (strcmp(mode, "stable") == 0) {
			rq.mode = CONF_MODE_STABLE;
		} else {
			http_reply_error(req, 400, "invalid", "mode", "mode must be \"optimal\" or \"stable\"");
			goto done;
		}
	}
	rq.trigger = "api";
	rq.requested_by = http_req_actor(req);
	rq.dry_run = dry_run;
	r = xcalloc(1, sizeof *r);
	r->req = req;
	r->mode = rq.mode;
	r->dry_run = dry_run;
	if (sched_request(env->sched, &rq, api_runs_claimed, r, &err) < 0) {
		free(r);
		http_reply_err(req, &err);
	}
done:
	cJSON_Delete(body);
}
