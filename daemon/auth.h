/*
 * auth.h - who may call the API: sign-up webhooks by their Standard
 * Webhooks signature, admins by bearer token.
 *
 * Admin tokens live in api_tokens as SHA-256 hashes (`sparkmatch token
 * create`); the token in auth.admin_token_file is accepted too, as
 * "bootstrap", so a fresh installation can be administered before any token
 * exists. Secrets are read when the configuration is (start-up, SIGHUP).
 */
#ifndef SPARKMATCH_AUTH_H
#define SPARKMATCH_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "conf.h"
#include "err.h"
#include "http.h"

struct auth;
struct pg;

/*
 * Read the secrets c names (a sign-up secret and/or a bootstrap token; an
 * empty setting disables that path). Returns NULL with err filled when a
 * configured file cannot be read or holds no valid secret. Free with
 * auth_free().
 */
struct auth *auth_new(const struct conf *c, struct err *err) MUSTCHECK;
void auth_free(struct auth *a);

/* Whether a sign-up secret is configured. */
bool auth_signup_enabled(const struct auth *a);

/*
 * Check the sign-up signature headers of req against its raw body, with
 * timestamps allowed tolerance_ms either side of now. Returns -1 with err
 * filled (the failing header in err->field) when they do not hold.
 */
int auth_signup_verify(const struct auth *a, const struct http_req *req,
    int64_t tolerance_ms, struct err *err) MUSTCHECK;

/*
 * Authenticate req's bearer token and, when it is valid, record the token's
 * name as the request's actor and call next(req, arg) (possibly before this
 * returns); otherwise answer 401 (or 503 when the database is needed and
 * unavailable).
 */
void auth_admin(const struct auth *a, struct pg *pg, struct http_req *req,
    http_handler *next, void *arg);

/* The lower-case hex SHA-256 of a token, into out[65]. */
void auth_token_hash(const char *token, char out[65]);

#endif
