/* api_catalog.c - /v1/skills and /v1/exclusions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "log.h"

#define EXCLUSION_OBJ \
	"jsonb_build_object('id', e.id, 'mentee_id', e.mentee_id, 'mentor_id', e.mentor_id," \
	" 'reason', e.reason, 'created_by', e.created_by, 'created_at', " API_TS("e.created_at") ")"

/* The skill taxonomy, in its display order. */
void
api_skills_list(struct http_req *req, void *arg)
{
	static const char sql[] =
	    "SELECT jsonb_build_object('items', coalesce(jsonb_agg(jsonb_build_object("
	    " 'code', code, 'family', family, 'name', name, 'description', description,"
	    " 'try_first', try_first) ORDER BY position, code), '[]'::jsonb))::text FROM skills";

	api_json_query(arg, req, sql, 0, NULL, 200, "");
}

void
api_exclusions_list(struct http_req *req, void *arg)
{
	static const char sql[] =
	    "SELECT jsonb_build_object('items', coalesce(jsonb_agg(x.j ORDER BY x.id), '[]'::jsonb),"
	    " 'next_after', CASE WHEN count(*) = $4::int THEN max(x.id) END)::text"
	    " FROM (SELECT e.id, " EXCLUSION_OBJ " AS j FROM exclusions e"
	    "       WHERE e.id > $1::bigint AND ($2::bigint IS NULL OR e.mentee_id = $2::bigint)"
	    "         AND ($3::bigint IS NULL OR e.mentor_id = $3::bigint)"
	    "       ORDER BY e.id LIMIT $4::int) x";
	const char *mentee, *mentor, *params[4];
	char limit[24], after[24];

	if (api_page(req, limit, after) < 0 || api_query_id(req, "mentee", "mentee", &mentee) < 0 ||
	    api_query_id(req, "mentor", "mentor", &mentor) < 0)
		return;
	params[0] = after;
	params[1] = mentee;
	params[2] = mentor;
	params[3] = limit;
	api_json_query(arg, req, sql, 4, params, 200, "");
}

/* A pair never to propose: {"mentee_id", "mentor_id", "reason"}. */
void
api_exclusions_create(struct http_req *req, void *arg)
{
	static const char *const fields[] = { "mentee_id", "mentor_id", "reason", NULL };
	static const char sql[] =
	    "WITH e AS (INSERT INTO exclusions (mentee_id, mentor_id, reason, created_by)"
	    "           VALUES ($1::bigint, $2::bigint, $3, $4) RETURNING *),"
	    " a AS (INSERT INTO audit_log (actor, action, target_type, target_id, details)"
	    "       SELECT $4, 'exclusion.create', 'exclusion', e.id,"
	    "              jsonb_build_object('mentee_id', e.mentee_id, 'mentor_id', e.mentor_id) FROM e)"
	    " SELECT " EXCLUSION_OBJ "::text FROM e";
	cJSON *body = api_body(req, fields, false);
	int64_t mentee, mentor;
	const char *reason = NULL, *params[4];
	char smentee[24], smentor[24];
	struct err err;

	if (body == NULL)
		return;
	if (json_get_int(body, "", "mentee_id", true, 1, INT64_C(1) << 53, &mentee, &err) < 0 ||
	    json_get_int(body, "", "mentor_id", true, 1, INT64_C(1) << 53, &mentor, &err) < 0 ||
	    json_get_string(body, "", "reason", true, false, 500, &reason, &err) < 0) {
		http_reply_err(req, &err);
		goto done;
	}
	snprintf(smentee, sizeof smentee, "%lld", (long long)mentee);
	snprintf(smentor, sizeof smentor, "%lld", (long long)mentor);
	params[0] = smentee;
	params[1] = smentor;
	params[2] = reason;
	params[3] = http_req_actor(req);
	api_json_query(arg, req, sql, 4, params, 201, "");
done:
	cJSON_Delete(body);
}

void
api_exclusions_delete(struct http_req *req, void *arg)
{
	static const char sql[] =
	    "WITH d AS (DELETE FROM exclusions WHERE id = $1::bigint RETURNING *),"
	    " a AS (INSERT INTO audit_log (actor, action, target_type, target_id, details)"
	    "       SELECT $2, 'exclusion.delete', 'exclusion', d.id,"
	    "              jsonb_build_object('mentee_id', d.mentee_id, 'mentor_id', d.mentor_id) FROM d)"
	    " SELECT '{}'::text FROM d";
	const char *params[2];
	char id[24], msg[64];

	if (api_path_id(req, "exclusion", id, NULL) < 0)
		return;
	snprintf(msg, sizeof msg, "no exclusion %s", id);
	params[0] = id;
	params[1] = http_req_actor(req);
	api_json_query(arg, req, sql, 2, params, 204, msg);
}
