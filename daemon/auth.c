/* auth.c - sign-up signatures and admin bearer tokens. */
#include "auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "pg.h"
#include "whsig.h"
#include "xmalloc.h"

struct auth {
	struct whsig_key *signup;	/* NULL: sign-ups not configured */
	bool have_bootstrap;
	unsigned char bootstrap[32];	/* SHA-256 of the bootstrap token */
};

/* An admin check waiting for the database. */
struct auth_pending {
	struct http_req *req;
	http_handler *next;
	void *arg;
};

static void
auth_sha256(const char *s, unsigned char out[32])
{
	unsigned int len = 32;

	if (!EVP_Digest(s, strlen(s), out, &len, EVP_sha256(), NULL)) {
		fprintf(stderr, "fatal: SHA-256 failed in the crypto library\n");
		abort();
	}
}

void
auth_token_hash(const char *token, char out[65])
{
	unsigned char d[32];

	auth_sha256(token, d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

struct auth *
auth_new(const struct conf *c, struct err *err)
{
	struct auth *a = xcalloc(1, sizeof *a);
	char *secret = NULL;

	if (c->auth_signup_secret_file[0] != '\0') {
		if (conf_read_secret(c->auth_signup_secret_file, &secret, err) < 0)
			goto failed;
		a->signup = whsig_key_new(secret, err);
		if (a->signup == NULL) {
			err_prefix(err, "%s: ", c->auth_signup_secret_file);
			goto failed;
		}
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
		secret = NULL;
	}
	if (c->auth_admin_token_file[0] != '\0') {
		if (conf_read_secret(c->auth_admin_token_file, &secret, err) < 0)
			goto failed;
		if (strlen(secret) < 16) {
			err_set(err, ERR_KIND_INVALID, "%s: the bootstrap token must be at least 16 characters",
			    c->auth_admin_token_file);
			goto failed;
		}
		auth_sha256(secret, a->bootstrap);
		a->have_bootstrap = true;
	}
	if (secret != NULL)
		OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	return a;
failed:
	if (secret != NULL)
		OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	auth_free(a);
	return NULL;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	whsig_key_free(a->signup);
	OPENSSL_cleanse(a, sizeof *a);
	free(a);
}

bool
auth_signup_enabled(const struct auth *a)
{
	return a->signup != NULL;
}

int
auth_signup_verify(const struct auth *a, const struct http_req *req, int64_t tolerance_ms,
    struct err *err)
{
	size_t len;
	const char *body = http_req_body(req, &len);

	if (a->signup == NULL)
		return err_set(err, ERR_KIND_UNAVAILABLE, "sign-ups are not configured");
	return whsig_verify(a->signup, http_req_header(req, "webhook-id"),
	    http_req_header(req, "webhook-timestamp"), http_req_header(req, "webhook-signature"),
	    body, len, (int64_t)time(NULL), tolerance_ms / 1000, err);
}

static void
auth_token_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct auth_pending *p = arg;
	struct http_req *req = p->req;

	http_req_enter(req);
	if (err != NULL) {
		http_reply_err(req, err);
	} else if (PQntuples(res) != 1) {
		log_info("refused: unknown or revoked bearer token");
		http_reply_error(req, 401, "unauthorized", NULL, "invalid bearer token");
	} else {
		http_req_set_actor(req, PQgetvalue(res, 0, 0));
		p->next(req, p->arg);
	}
	free(p);
}

void
auth_admin(const struct auth *a, struct pg *pg, struct http_req *req, http_handler *next,
    void *arg)
{
	/* Remember use at most once a minute, so reads do not each write a row. */
	static const char sql[] =
	    "WITH t AS (SELECT id, name, last_used_at FROM api_tokens"
	    "           WHERE token_sha256 = decode($1, 'hex') AND revoked_at IS NULL),"
	    " u AS (UPDATE api_tokens SET last_used_at = now() FROM t"
	    "       WHERE api_tokens.id = t.id"
	    "         AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'))"
	    " SELECT name FROM t";
	const char *h = http_req_header(req, "Authorization");
	const char *token;
	unsigned char digest[32];
	char hex[65];
	const char *params[1];
	struct auth_pending *p;
	struct err err;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7 + strspn(h + 7, " ")] == '\0') {
		http_reply_error(req, 401, "unauthorized", NULL,
		    "an Authorization: Bearer token is required");
		return;
	}
	token = h + 7 + strspn(h + 7, " ");
	auth_sha256(token, digest);
	if (a->have_bootstrap && CRYPTO_memcmp(digest, a->bootstrap, sizeof digest) == 0) {
		http_req_set_actor(req, "bootstrap");
		next(req, arg);
		return;
	}
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	params[0] = hex;
	p = xcalloc(1, sizeof *p);
	p->req = req;
	p->next = next;
	p->arg = arg;
	if (pg_query(pg, sql, 1, params, auth_token_cb, p, &err) < 0) {
		free(p);
		http_reply_err(req, &err);
	}
}
