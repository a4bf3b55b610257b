/*
 * api_people.c - /v1/mentees and /v1/mentors: list, get, update, delete.
 *
 * An update of profile fields merges the patch into the stored profile and
 * sends the result through the same validation (lib/signup) and the same
 * statement (signup_apply) as a sign-up, guarded by the row's updated_at so
 * a concurrent change is a 409 rather than lost. A status change (pausing
 * and resuming) is its own statement. Delete erases the person's personal
 * data: the row and, by cascade, goals, strengths, exclusions, proposals and
 * their messages; mentees left without their mentor go back to waiting.
 * Every write also writes the audit log, in the same statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "json.h"
#include "log.h"
#include "pg.h"
#include "signup.h"
#include "strbuf.h"
#include "xmalloc.h"

#define MENTEE_OBJ \
	"jsonb_build_object('id', m.id, 'external_id', m.external_id, 'name', m.name," \
	" 'email', m.email, 'timezone', m.timezone, 'languages', to_jsonb(m.languages)," \
	" 'organisation', m.organisation, 'status', m.status," \
	" 'goals', coalesce((SELECT jsonb_agg(jsonb_build_object('skill', g.skill, 'priority', g.priority)" \
	"   ORDER BY g.priority DESC, g.skill) FROM mentee_goals g WHERE g.mentee_id = m.id), '[]')," \
	" 'support', coalesce((SELECT jsonb_agg(s.skill ORDER BY s.skill) FROM mentee_support s" \
	"   WHERE s.mentee_id = m.id), '[]')," \
	" 'created_at', " API_TS("m.created_at") ", 'updated_at', " API_TS("m.updated_at") "," \
	" 'waiting_since', " API_TS("m.waiting_since") ")"

#define MENTOR_OBJ \
	"jsonb_build_object('id', m.id, 'external_id', m.external_id, 'name', m.name," \
	" 'email', m.email, 'timezone', m.timezone, 'languages', to_jsonb(m.languages)," \
	" 'organisation', m.organisation, 'status', m.status, 'capacity', m.capacity," \
	" 'used', (SELECT count(*) FROM proposals p WHERE p.mentor_id = m.id" \
	"   AND p.status IN ('pending-review', 'approved', 'sent', 'accepted'))," \
	" 'strengths', coalesce((SELECT jsonb_agg(jsonb_build_object('skill', g.skill, 'level', g.level)" \
	"   ORDER BY g.level DESC, g.skill) FROM mentor_strengths g WHERE g.mentor_id = m.id), '[]')," \
	" 'support', coalesce((SELECT jsonb_agg(s.skill ORDER BY s.skill) FROM mentor_support s" \
	"   WHERE s.mentor_id = m.id), '[]')," \
	" 'created_at', " API_TS("m.created_at") ", 'updated_at', " API_TS("m.updated_at") ")"

#define LIST_SQL(table, obj) \
	"SELECT jsonb_build_object('items', coalesce(jsonb_agg(x.j ORDER BY x.id), '[]'::jsonb)," \
	" 'next_after', CASE WHEN count(*) = $3::int THEN max(x.id) END)::text" \
	" FROM (SELECT m.id, " obj " AS j FROM " table " m" \
	"       WHERE m.id > $1::bigint AND ($2::text IS NULL OR m.status = $2::text)" \
	"       ORDER BY m.id LIMIT $3::int) x"

#define GET_SQL(table, obj) "SELECT " obj "::text FROM " table " m WHERE m.id = $1::bigint"

/* The stored profile in sign-up form, and the version it was read at. */
#define PROFILE_SQL(table, items, itemtab, value, support, extra) \
	"SELECT jsonb_build_object('role', '" table "', 'external_id', m.external_id, 'name', m.name," \
	" 'email', m.email, 'timezone', m.timezone, 'languages', to_jsonb(m.languages)," \
	" 'organisation', m.organisation" extra "," \
	" '" items "', coalesce((SELECT jsonb_agg(jsonb_build_object('skill', g.skill, '" value "', g." value ")" \
	"   ORDER BY g.skill) FROM " itemtab " g WHERE g." table "_id = m.id), '[]')," \
	" 'support', coalesce((SELECT jsonb_agg(s.skill ORDER BY s.skill) FROM " support " s" \
	"   WHERE s." table "_id = m.id), '[]'))::text, m.updated_at::text" \
	" FROM " table "s m WHERE m.id = $1::bigint"

/* One write: the profile through signup_apply, if nobody changed it since it was read. */
#define APPLY_SQL(table) \
	"WITH cur AS (SELECT id FROM " table "s WHERE id = $1::bigint AND updated_at = $2::timestamptz" \
	"             FOR UPDATE)," \
	" ap AS (SELECT signup_apply(NULL, NULL, $3::jsonb) AS r FROM cur)," \
	" au AS (INSERT INTO audit_log (actor, action, target_type, target_id, details)" \
	"        SELECT $4, '" table ".update', '" table "', $1::bigint, $5::jsonb FROM ap)" \
	" SELECT r::text FROM ap"

#define STATUS_SQL(table, changeable, waiting_since) \
	"WITH cur AS (SELECT id, status FROM " table "s WHERE id = $1::bigint FOR UPDATE)," \
	" up AS (UPDATE " table "s m SET status = $2::text, updated_at = now()" waiting_since \
	"        FROM cur WHERE m.id = cur.id AND cur.status IN " changeable " RETURNING m.id)," \
	" au AS (INSERT INTO audit_log (actor, action, target_type, target_id, details)" \
	"        SELECT $3, '" table ".status', '" table "', id, jsonb_build_object('status', $2::text)" \
	"        FROM up)" \
	" SELECT cur.status, (SELECT count(*) FROM up) FROM cur"

#define FORGET_KEYS(table) \
	" k AS (UPDATE signup_keys SET result = result - 'external_id'" \
	"       WHERE result->>'role' = '" table "' AND result->>'id' = $1::bigint::text" \
	"         AND EXISTS (SELECT 1 FROM d))," \
	" au AS (INSERT INTO audit_log (actor, action, target_type, target_id)" \
	"        SELECT $2, '" table ".delete', '" table "', id FROM d)" \
	" SELECT '{}'::text FROM d"

static const char *const mentee_statuses[] = { "waiting", "proposed", "matched", "paused", NULL };
static const char *const mentor_statuses[] = { "active", "paused", NULL };
static const char *const mentee_settable[] = { "waiting", "paused", NULL };
static const char *const mentee_fields[] = { "name", "email", "timezone", "languages",
	"organisation", "goals", "support", "status", NULL };
static const char *const mentor_fields[] = { "name", "email", "timezone", "languages",
	"organisation", "strengths", "capacity", "support", "status", NULL };

struct api_people_role {
	const char *name;		/* "mentee" */
	const char *const *statuses;	/* all, for the list filter */
	const char *const *fields;	/* PATCH members */
	const char *const *settable_list;	/* statuses PATCH may set */
	const char *settable;		/* the same, for messages */
	const char *list_sql, *get_sql, *profile_sql, *apply_sql, *status_sql, *delete_sql;
};

static const struct api_people_role api_people_roles[] = {
	{
		"mentee", mentee_statuses, mentee_fields, mentee_settable, "waiting or paused",
		LIST_SQL("mentees", MENTEE_OBJ),
		GET_SQL("mentees", MENTEE_OBJ),
		PROFILE_SQL("mentee", "goals", "mentee_goals", "priority", "mentee_support", ""),
		APPLY_SQL("mentee"),
		STATUS_SQL("mentee", "('waiting', 'paused')",
		    ", waiting_since = CASE WHEN $2::text = 'waiting' THEN now() ELSE m.waiting_since END"),
		"WITH d AS (DELETE FROM mentees WHERE id = $1::bigint RETURNING id),"
		FORGET_KEYS("mentee"),
	},
	{
		"mentor", mentor_statuses, mentor_fields, mentor_statuses, "active or paused",
		LIST_SQL("mentors", MENTOR_OBJ),
		GET_SQL("mentors", MENTOR_OBJ),
		PROFILE_SQL("mentor", "strengths", "mentor_strengths", "level", "mentor_support",
		    ", 'capacity', m.capacity"),
		APPLY_SQL("mentor"),
		STATUS_SQL("mentor", "('active', 'paused')", ""),
		"WITH d AS (DELETE FROM mentors WHERE id = $1::bigint RETURNING id),"
		/* Mentees whose proposal or match disappears with the mentor wait again. */
		" w AS (UPDATE mentees SET status = 'waiting', waiting_since = now(), updated_at = now()"
		"       WHERE status IN ('proposed', 'matched') AND EXISTS (SELECT 1 FROM d)"
		"         AND id IN (SELECT mentee_id FROM proposals WHERE mentor_id = $1::bigint"
		"                    AND status IN ('pending-review', 'approved', 'sent', 'accepted'))),"
		FORGET_KEYS("mentor"),
	},
};

enum { API_MENTEE = 0, API_MENTOR = 1 };

static void
api_people_list(struct http_req *req, struct api_env *env, const struct api_people_role *r)
{
	const char *status = http_req_query(req, "status");
	const char *params[3];
	char limit[24], after[24];

	if (api_page(req, limit, after) < 0)
		return;
	if (status != NULL && !api_in(r->statuses, status)) {
		http_reply_error(req, 400, "invalid", "status", "unknown %s status '%s'", r->name, status);
		return;
	}
	params[0] = after;
	params[1] = status;
	params[2] = limit;
	api_json_query(env, req, r->list_sql, 3, params, 200, "");
}

static void
api_people_get(struct http_req *req, struct api_env *env, const struct api_people_role *r)
{
	const char *params[1];
	char id[24], msg[64];

	if (api_path_id(req, r->name, id, NULL) < 0)
		return;
	params[0] = id;
	snprintf(msg, sizeof msg, "no %s %s", r->name, id);
	api_json_query(env, req, r->get_sql, 1, params, 200, msg);
}

static void
api_people_delete(struct http_req *req, struct api_env *env, const struct api_people_role *r)
{
	const char *params[2];
	char id[24], msg[64];

	if (api_path_id(req, r->name, id, NULL) < 0)
		return;
	params[0] = id;
	params[1] = http_req_actor(req);
	snprintf(msg, sizeof msg, "no %s %s", r->name, id);
	http_req_enter(req);
	log_info("erasing %s %s for %s", r->name, id, http_req_actor(req));
	api_json_query(env, req, r->delete_sql, 2, params, 204, msg);
}

/* A PATCH in progress: read the profile, merge, validate, write, read back. */
struct api_patch {
	struct http_req *req;
	struct api_env *env;
	const struct api_people_role *r;
	char id[24];
	char *status;		/* a status change, or NULL */
	cJSON *patch;
	char *fields;		/* the audit details: {"fields": [...]} */
};

static void
api_patch_free(struct api_patch *p)
{
	cJSON_Delete(p->patch);
	free(p->status);
	free(p->fields);
	free(p);
}

static void
api_patch_query(struct api_patch *p, const char *sql, int n, const char *const *params, pg_cb *cb)
{
	struct err err;

	if (pg_query(p->env->pg, sql, n, params, cb, p, &err) < 0) {
		http_reply_err(p->req, &err);
		api_patch_free(p);
	}
}

static void
api_patch_reread_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_patch *p = arg;

	http_req_enter(p->req);
	if (err != NULL)
		http_reply_db_err(p->req, err);
	else if (PQntuples(res) == 0)
		http_reply_error(p->req, 404, "not_found", NULL, "no %s %s", p->r->name, p->id);
	else
		http_reply_raw(p->req, 200, "application/json", PQgetvalue(res, 0, 0),
		    (size_t)PQgetlength(res, 0, 0));
	api_patch_free(p);
}

static void
api_patch_reread(struct api_patch *p)
{
	const char *params[1] = { p->id };

	api_patch_query(p, p->r->get_sql, 1, params, api_patch_reread_cb);
}

static void
api_patch_status_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_patch *p = arg;

	http_req_enter(p->req);
	if (err != NULL) {
		http_reply_db_err(p->req, err);
	} else if (PQntuples(res) == 0) {
		http_reply_error(p->req, 404, "not_found", NULL, "no %s %s", p->r->name, p->id);
	} else if (strcmp(PQgetvalue(res, 0, 1), "0") == 0) {
		http_reply_error(p->req, 409, "conflict", "status",
		    "this %s is %s; only %s can be set here", p->r->name, PQgetvalue(res, 0, 0),
		    p->r->settable);
	} else {
		log_info("%s %s is now %s (by %s)", p->r->name, p->id, p->status, http_req_actor(p->req));
		api_patch_reread(p);
		return;
	}
	api_patch_free(p);
}

static void
api_patch_apply_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_patch *p = arg;

	http_req_enter(p->req);
	if (err != NULL) {
		http_reply_db_err(p->req, err);
	} else if (PQntuples(res) == 0) {
		http_reply_error(p->req, 409, "conflict", NULL,
		    "this %s was changed or deleted meanwhile; read it again and retry", p->r->name);
	} else {
		log_info("%s %s updated (by %s)", p->r->name, p->id, http_req_actor(p->req));
		api_patch_reread(p);
		return;
	}
	api_patch_free(p);
}

static void
api_patch_profile_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_patch *p = arg;
	struct signup su;
	struct err verr;
	cJSON *profile = NULL, *item;
	char *canonical = NULL;
	const char *params[5];

	memset(&su, 0, sizeof su);
	http_req_enter(p->req);
	if (err != NULL) {
		http_reply_db_err(p->req, err);
		goto failed;
	}
	if (PQntuples(res) == 0) {
		http_reply_error(p->req, 404, "not_found", NULL, "no %s %s", p->r->name, p->id);
		goto failed;
	}
	profile = cJSON_Parse(PQgetvalue(res, 0, 0));
	cJSON_ArrayForEach(item, p->patch) {
		cJSON *copy = cJSON_Duplicate(item, 1);

		if (cJSON_GetObjectItemCaseSensitive(profile, item->string) != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(profile, item->string, copy);
		else
			cJSON_AddItemToObject(profile, item->string, copy);
	}
	if (signup_from_json(profile, &su, &verr) < 0) {
		http_reply_err(p->req, &verr);
		goto failed;
	}
	canonical = signup_canonical(&su);
	params[0] = p->id;
	params[1] = PQgetvalue(res, 0, 1);
	params[2] = canonical;
	params[3] = http_req_actor(p->req);
	params[4] = p->fields;
	api_patch_query(p, p->r->apply_sql, 5, params, api_patch_apply_cb);
	goto done;
failed:
	api_patch_free(p);
done:
	signup_release(&su);
	cJSON_Delete(profile);
	free(canonical);
}

static void
api_people_patch(struct http_req *req, struct api_env *env, const struct api_people_role *r)
{
	struct api_patch *p = xcalloc(1, sizeof *p);
	const cJSON *st, *item;
	cJSON *fields;
	const char *params[3];

	p->req = req;
	p->env = env;
	p->r = r;
	if (api_path_id(req, r->name, p->id, NULL) < 0)
		goto failed;
	p->patch = api_body(req, r->fields, false);
	if (p->patch == NULL)
		goto failed;
	if (cJSON_GetArraySize(p->patch) == 0) {
		http_reply_error(req, 400, "invalid", "body", "nothing to change");
		goto failed;
	}
	st = cJSON_GetObjectItemCaseSensitive(p->patch, "status");
	if (st != NULL) {
		if (cJSON_GetArraySize(p->patch) != 1) {
			http_reply_error(req, 400, "invalid", "status",
			    "change the status on its own, not with other fields");
			goto failed;
		}
		if (!cJSON_IsString(st) || !api_in(r->settable_list, st->valuestring)) {
			http_reply_error(req, 400, "invalid", "status", "status must be %s", r->settable);
			goto failed;
		}
		p->status = xstrdup(st->valuestring);
		params[0] = p->id;
		params[1] = p->status;
		params[2] = http_req_actor(req);
		api_patch_query(p, r->status_sql, 3, params, api_patch_status_cb);
		return;
	}
	/* The audit log names the fields changed, not their (personal) values. */
	fields = cJSON_CreateObject();
	cJSON_AddItemToObject(fields, "fields", cJSON_CreateArray());
	cJSON_ArrayForEach(item, p->patch)
		cJSON_AddItemToArray(cJSON_GetObjectItem(fields, "fields"), cJSON_CreateString(item->string));
	p->fields = cJSON_PrintUnformatted(fields);
	cJSON_Delete(fields);
	params[0] = p->id;
	api_patch_query(p, r->profile_sql, 1, params, api_patch_profile_cb);
	return;
failed:
	api_patch_free(p);
}

void
api_mentees_list(struct http_req *req, void *arg)
{
	api_people_list(req, arg, &api_people_roles[API_MENTEE]);
}

void
api_mentees_get(struct http_req *req, void *arg)
{
	api_people_get(req, arg, &api_people_roles[API_MENTEE]);
}

void
api_mentees_patch(struct http_req *req, void *arg)
{
	api_people_patch(req, arg, &api_people_roles[API_MENTEE]);
}

void
api_mentees_delete(struct http_req *req, void *arg)
{
	api_people_delete(req, arg, &api_people_roles[API_MENTEE]);
}

void
api_mentors_list(struct http_req *req, void *arg)
{
	api_people_list(req, arg, &api_people_roles[API_MENTOR]);
}

void
api_mentors_get(struct http_req *req, void *arg)
{
	api_people_get(req, arg, &api_people_roles[API_MENTOR]);
}

void
api_mentors_patch(struct http_req *req, void *arg)
{
	api_people_patch(req, arg, &api_people_roles[API_MENTOR]);
}

void
api_mentors_delete(struct http_req *req, void *arg)
{
	api_people_delete(req, arg, &api_people_roles[API_MENTOR]);
}
