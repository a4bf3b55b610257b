/*
 * cmd_token.c - `sparkmatch token create NAME | list | revoke NAME`: the
 * admin API's bearer tokens.
 *
 * A token is "smk_" and 43 characters of base64url (32 random bytes from
 * OpenSSL's RAND_bytes), printed once when created; only its SHA-256 is
 * stored (api_tokens.token_sha256), so a lost token is revoked and replaced,
 * never recovered. Creating and revoking write the audit log in the same
 * transaction.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clictx.h"
#include "cmd.h"
#include "db.h"
#include "whsig.h"

#define TOKEN_BYTES 32

static int
token_usage(FILE *f, int rc)
{
	fprintf(f,
	    "usage: sparkmatch token create NAME   print a new admin API token (shown once)\n"
	    "       sparkmatch token list          list tokens (never their values)\n"
	    "       sparkmatch token revoke NAME   stop accepting a token\n");
	return rc;
}

/* "smk_" + base64url of TOKEN_BYTES random bytes, into out[64]; -1 if the RNG fails. */
static int
token_generate(char out[64])
{
	unsigned char raw[TOKEN_BYTES];
	char *b64, *p;

	if (RAND_bytes(raw, sizeof raw) != 1)
		return -1;
	b64 = whsig_b64encode(raw, sizeof raw);
	OPENSSL_cleanse(raw, sizeof raw);
	for (p = b64; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	p = strchr(b64, '=');
	if (p != NULL)
		*p = '\0';
	snprintf(out, 64, "smk_%s", b64);
	OPENSSL_cleanse(b64, strlen(b64));
	free(b64);
	return 0;
}

static void
token_sha256_hex(const char *token, char hex[65])
{
	unsigned char d[32];
	unsigned int len = sizeof d;

	EVP_Digest(token, strlen(token), d, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static int
token_create(PGconn *conn, const char *name)
{
	static const char sql[] =
	    "INSERT INTO api_tokens (name, token_sha256) VALUES ($1, decode($2, 'hex')) RETURNING id";
	char token[64], hex[65];
	const char *params[2] = { name, hex };
	PGresult *res = NULL;
	struct err err;
	int rc = 1;

	if (token_generate(token) < 0) {
		fprintf(stderr, "sparkmatch token: the random number generator failed\n");
		return 1;
	}
	token_sha256_hex(token, hex);
	if (db_exec(conn, "BEGIN", &err) < 0)
		goto failed;
	res = db_query(conn, sql, 2, params, &err);
	if (res == NULL) {
		if (err.kind == ERR_KIND_CONFLICT)
			snprintf(err.msg, sizeof err.msg, "a token named '%s' already exists", name);
		goto failed;
	}
	if (audit_write(conn, audit_cli_actor(), "token.create", "api_token",
	    strtoll(PQgetvalue(res, 0, 0), NULL, 10), NULL, &err) < 0 ||
	    db_exec(conn, "COMMIT", &err) < 0)
		goto failed;
	printf("%s\n", token);
	fprintf(stderr, "token '%s' created; it is shown only this once. Use it as "
	    "\"Authorization: Bearer <token>\".\n", name);
	rc = 0;
	goto done;
failed:
	db_rollback_quietly(conn);
	fprintf(stderr, "sparkmatch token create: %s\n", err.msg);
done:
	OPENSSL_cleanse(token, sizeof token);
	PQclear(res);
	return rc;
}

static int
token_list(PGconn *conn)
{
	static const char sql[] =
	    "SELECT name, to_char(created_at, 'YYYY-MM-DD HH24:MI'),"
	    " coalesce(to_char(last_used_at, 'YYYY-MM-DD HH24:MI'), 'never'),"
	    " coalesce('revoked ' || to_char(revoked_at, 'YYYY-MM-DD HH24:MI'), 'active')"
	    " FROM api_tokens ORDER BY name";
	struct err err;
	PGresult *res = db_query(conn, sql, 0, NULL, &err);

	if (res == NULL) {
		fprintf(stderr, "sparkmatch token list: %s\n", err.msg);
		return 1;
	}
	printf("%-24s %-16s %-16s %s\n", "NAME", "CREATED", "LAST USED", "STATE");
	for (int i = 0; i < PQntuples(res); i++)
		printf("%-24s %-16s %-16s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
	PQclear(res);
	return 0;
}

static int
token_revoke(PGconn *conn, const char *name)
{
	static const char sql[] =
	    "UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING id";
	const char *params[1] = { name };
	PGresult *res = NULL;
	struct err err;
	int rc = 1;

	if (db_exec(conn, "BEGIN", &err) < 0)
		goto failed;
	res = db_query(conn, sql, 1, params, &err);
	if (res == NULL)
		goto failed;
	if (PQntuples(res) == 0) {
		err_set(&err, ERR_KIND_NOT_FOUND, "no active token named '%s'", name);
		goto failed;
	}
	if (audit_write(conn, audit_cli_actor(), "token.revoke", "api_token",
	    strtoll(PQgetvalue(res, 0, 0), NULL, 10), NULL, &err) < 0 ||
	    db_exec(conn, "COMMIT", &err) < 0)
		goto failed;
	fprintf(stderr, "token '%s' revoked\n", name);
	rc = 0;
	goto done;
failed:
	db_rollback_quietly(conn);
	fprintf(stderr, "sparkmatch token revoke: %s\n", err.msg);
done:
	PQclear(res);
	return rc;
}

int
cmd_token(int argc, char **argv)
{
	PGconn *conn;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return token_usage(stdout, 0);
	if (!((argc == 3 && strcmp(argv[1], "create") == 0) ||
	    (argc == 2 && strcmp(argv[1], "list") == 0) ||
	    (argc == 3 && strcmp(argv[1], "revoke") == 0)))
		return token_usage(stderr, 2);
	if (argc == 3 && (argv[2][0] == '\0' || strlen(argv[2]) > 100)) {
		fprintf(stderr, "sparkmatch token: a name is 1 to 100 characters\n");
		return 2;
	}
	conn = clictx_db();
	if (conn == NULL)
		return 1;
	if (strcmp(argv[1], "create") == 0)
		return token_create(conn, argv[2]);
	if (strcmp(argv[1], "revoke") == 0)
		return token_revoke(conn, argv[2]);
	return token_list(conn);
}
