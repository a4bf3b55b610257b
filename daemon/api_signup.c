/* api_signup.c - POST /v1/signups, the sign-up form's webhook. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "log.h"
#include "metrics.h"
#include "pg.h"
#include "sched.h"
#include "signup.h"
#include "xmalloc.h"

struct api_signup {
	struct http_req *req;
	struct api_env *env;
};

static void
api_signup_done(void *arg, const PGresult *res, const struct err *err)
{
	struct api_signup *s = arg;
	struct http_req *req = s->req;
	cJSON *result = NULL, *body;
	const cJSON *id, *created, *replayed;
	char location[64];
	bool was_created;

	http_req_enter(req);
	if (err != NULL) {
		if (err->kind != ERR_KIND_UNAVAILABLE && err->kind != ERR_KIND_INTERNAL)
			metrics_signup(s->env->metrics, "rejected");
		log_info("sign-up refused by the database: %s", err->msg);
		http_reply_db_err(req, err);
		goto done;
	}
	result = cJSON_Parse(PQgetvalue(res, 0, 0));
	id = cJSON_GetObjectItemCaseSensitive(result, "id");
	created = cJSON_GetObjectItemCaseSensitive(result, "created");
	replayed = cJSON_GetObjectItemCaseSensitive(result, "replayed");
	if (!cJSON_IsNumber(id) || !cJSON_IsBool(created) || !cJSON_IsBool(replayed)) {
		struct err bad;

		err_set(&bad, ERR_KIND_INTERNAL, "signup_apply returned %s", PQgetvalue(res, 0, 0));
		http_reply_err(req, &bad);
		goto done;
	}
	was_created = cJSON_IsTrue(created);
	metrics_signup(s->env->metrics, cJSON_IsTrue(replayed) ? "replayed" :
	    was_created ? "created" : "updated");
	log_info("sign-up %s: %s %s (id %.0f)%s", was_created ? "created" : "updated",
	    cJSON_GetObjectItemCaseSensitive(result, "role")->valuestring,
	    cJSON_GetObjectItemCaseSensitive(result, "external_id")->valuestring, id->valuedouble,
	    cJSON_IsTrue(replayed) ? ", a replay of a delivery already applied" : "");
	snprintf(location, sizeof location, "/v1/%ss/%.0f",
	    cJSON_GetObjectItemCaseSensitive(result, "role")->valuestring, id->valuedouble);
	http_req_add_header(req, "Location", location);
	if (!cJSON_IsTrue(replayed))
		sched_arrival(s->env->sched);
	/* A replay is answered as the first delivery was. */
	body = cJSON_Duplicate(result, 1);
	http_reply_json(req, was_created ? 201 : 200, body);
done:
	cJSON_Delete(result);
	free(s);
}

/*
 * Verify the signature on the raw bytes, then validate, then one statement
 * (signup_apply) that stores the webhook-id and upserts the profile in the
 * same transaction. The answer is sent once that statement has committed.
 */
void
api_signup(struct http_req *req, void *arg)
{
	static const char sql[] = "SELECT signup_apply($1, decode($2, 'hex'), $3::jsonb)";
	struct api_env *env = arg;
	struct api_signup *s = NULL;
	struct signup su;
	unsigned char digest[32];
	unsigned int dlen = sizeof digest;
	char hex[65], *canonical = NULL;
	const char *params[3], *body;
	struct err err;
	size_t len;

	memset(&su, 0, sizeof su);
	if (!auth_signup_enabled(env->auth)) {
		http_reply_error(req, 503, "unavailable", NULL,
		    "sign-ups are not configured on this server (auth.signup_secret_file)");
		return;
	}
	if (auth_signup_verify(env->auth, req, env->conf->auth_signup_tolerance_ms, &err) < 0) {
		metrics_signup(env->metrics, "rejected");
		log_info("sign-up refused: %s", err.msg);
		http_reply_error(req, 401, "bad_signature", err.field, "%s", err.msg);
		return;
	}
	body = http_req_body(req, &len);
	if (signup_parse(body, len, &su, &err) < 0) {
		metrics_signup(env->metrics, "rejected");
		log_info("sign-up refused: %s", err.msg);
		http_reply_err(req, &err);
		goto done;
	}
	EVP_Digest(body, len, digest, &dlen, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	canonical = signup_canonical(&su);
	params[0] = http_req_header(req, "webhook-id");
	params[1] = hex;
	params[2] = canonical;
	s = xcalloc(1, sizeof *s);
	s->req = req;
	s->env = env;
	if (pg_query(env->pg, sql, 3, params, api_signup_done, s, &err) < 0) {
		free(s);
		http_reply_err(req, &err);
	}
done:
	free(canonical);
	signup_release(&su);
}
