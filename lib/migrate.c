/* migrate.c - the migration runner. */
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Any constant will do; it only has to differ from other advisory lock users. */
#define MIGRATE_LOCK_KEY "727001"

struct migration {
	int version;
	char *name;
	char *path;
};

static void
migrate_list_free(struct migration *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].path);
	}
	free(m);
}

static int
migrate_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* NNN_name.sql with a lower-case name. */
static int
migrate_name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len < 9 || strcmp(n + len - 4, ".sql") != 0)
		return 0;
	if (!isdigit((unsigned char)n[0]) || !isdigit((unsigned char)n[1]) ||
	    !isdigit((unsigned char)n[2]) || n[3] != '_')
		return 0;
	for (size_t i = 4; i < len - 4; i++) {
		if (!islower((unsigned char)n[i]) && !isdigit((unsigned char)n[i]) && n[i] != '_')
			return 0;
	}
	return 1;
}

/* The .sql files in dir, sorted by version; duplicates and odd names are errors. */
static int
migrate_list(const char *dir, struct migration **out, size_t *count, struct err *err)
{
	struct migration *m = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return err_set(err, ERR_KIND_INVALID, "%s: cannot open migrations directory: %s",
		    dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 4 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (!migrate_name_ok(de->d_name)) {
			err_set(err, ERR_KIND_INVALID,
			    "%s/%s: migration files must be named NNN_name.sql (lower case)",
			    dir, de->d_name);
			goto failed;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			m = xreallocarray(m, cap, sizeof *m);
		}
		m[n].version = atoi(de->d_name);
		m[n].name = xstrdup(de->d_name);
		m[n].path = xasprintf("%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	d = NULL;
	if (n > 0)
		qsort(m, n, sizeof *m, migrate_cmp);
	for (size_t i = 1; i < n; i++) {
		if (m[i].version == m[i - 1].version) {
			err_set(err, ERR_KIND_INVALID, "%s: %s and %s share version %03d", dir,
			    m[i - 1].name, m[i].name, m[i].version);
			goto failed;
		}
	}
	*out = m;
	*count = n;
	return 0;
failed:
	if (d != NULL)
		closedir(d);
	migrate_list_free(m, n);
	return -1;
}

static int
migrate_read(const char *path, struct strbuf *sb, struct err *err)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return err_set(err, ERR_KIND_INVALID, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_append(sb, buf, n);
	if (ferror(f)) {
		fclose(f);
		return err_set(err, ERR_KIND_INVALID, "%s: read error", path);
	}
	fclose(f);
	return 0;
}

static void
migrate_sha256_hex(const struct strbuf *sb, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(sb->data ? sb->data : "", sb->len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

/* PostgreSQL reports a 1-based character (not byte) position; turn it into a line. */
static int
migrate_line_of(const char *sql, const char *position)
{
	long pos = position ? strtol(position, NULL, 10) : 0;
	int line = 1;
	long chars = 0;

	if (pos <= 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		if (++chars >= pos)
			break;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* Look up the recorded checksum of a version; "" if not applied. */
static const char *
migrate_recorded(PGresult *applied, int version)
{
	for (int i = 0; i < PQntuples(applied); i++) {
		if (atoi(PQgetvalue(applied, i, 0)) == version)
			return PQgetvalue(applied, i, 2);
	}
	return "";
}

/* Apply one file and record it, atomically. */
static int
migrate_apply(PGconn *conn, const struct migration *m, const struct strbuf *sql,
    const char *sha, struct err *err)
{
	char version[16];
	const char *params[3];
	PGresult *res;
	int line;

	if (db_exec(conn, "BEGIN", err) < 0)
		return -1;
	res = PQexec(conn, strbuf_str(sql));
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_err_from_result(conn, res, err);
		line = migrate_line_of(strbuf_str(sql),
		    PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION));
		PQclear(res);
		db_rollback_quietly(conn);
		if (line > 0)
			return err_prefix(err, "%s:%d: ", m->path, line);
		return err_prefix(err, "%s: ", m->path);
	}
	PQclear(res);
	snprintf(version, sizeof version, "%d", m->version);
	params[0] = version;
	params[1] = m->name;
	params[2] = sha;
	res = db_query(conn, "INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
	    3, params, err);
	if (res == NULL) {
		db_rollback_quietly(conn);
		return err_prefix(err, "%s: recording: ", m->path);
	}
	PQclear(res);
	if (db_exec(conn, "COMMIT", err) < 0) {
		db_rollback_quietly(conn);
		return err_prefix(err, "%s: commit: ", m->path);
	}
	return 0;
}

/* Take the lock, make sure the bookkeeping table exists, read what is applied. */
static PGresult *
migrate_prepare(PGconn *conn, struct err *err)
{
	if (db_exec(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err) < 0)
		return NULL;
	if (db_exec(conn,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version integer PRIMARY KEY,"
	    " name text NOT NULL,"
	    " sha256 text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())", err) < 0)
		return NULL;
	return db_query(conn, "SELECT version, name, sha256, applied_at FROM schema_migrations ORDER BY version",
	    0, NULL, err);
}

static void
migrate_unlock(PGconn *conn)
{
	PQclear(PQexec(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
}

int
migrate_run(PGconn *conn, const char *dir, FILE *log, int *applied, struct err *err)
{
	struct migration *m = NULL;
	struct strbuf sql = STRBUF_INIT;
	PGresult *done = NULL;
	size_t n = 0;
	int count = 0, rc = -1;
	char sha[65];

	if (applied != NULL)
		*applied = 0;
	if (migrate_list(dir, &m, &n, err) < 0)
		return -1;
	if (n == 0) {
		err_set(err, ERR_KIND_INVALID, "%s: no migrations found", dir);
		goto failed;
	}
	done = migrate_prepare(conn, err);
	if (done == NULL)
		goto unlock;
	for (size_t i = 0; i < n; i++) {
		const char *recorded = migrate_recorded(done, m[i].version);

		strbuf_reset(&sql);
		if (migrate_read(m[i].path, &sql, err) < 0)
			goto unlock;
		migrate_sha256_hex(&sql, sha);
		if (recorded[0] != '\0') {
			if (strcmp(recorded, sha) != 0) {
				err_set(err, ERR_KIND_CONFLICT,
				    "%s: changed after it was applied; add a new migration instead",
				    m[i].path);
				goto unlock;
			}
			continue;
		}
		if (migrate_apply(conn, &m[i], &sql, sha, err) < 0)
			goto unlock;
		count++;
		if (log != NULL)
			fprintf(log, "applied %s\n", m[i].name);
	}
	if (applied != NULL)
		*applied = count;
	rc = 0;
unlock:
	migrate_unlock(conn);
failed:
	PQclear(done);
	strbuf_free(&sql);
	migrate_list_free(m, n);
	return rc;
}

int
migrate_status(PGconn *conn, const char *dir, FILE *out, struct err *err)
{
	struct migration *m = NULL;
	PGresult *done = NULL;
	size_t n = 0;
	int rc = -1;

	if (migrate_list(dir, &m, &n, err) < 0)
		return -1;
	done = migrate_prepare(conn, err);
	if (done == NULL)
		goto failed;
	for (size_t i = 0; i < n; i++) {
		const char *when = NULL;

		for (int r = 0; r < PQntuples(done); r++) {
			if (atoi(PQgetvalue(done, r, 0)) == m[i].version)
				when = PQgetvalue(done, r, 3);
		}
		fprintf(out, "%-28s %s%s\n", m[i].name, when ? "applied " : "pending",
		    when ? when : "");
	}
	rc = 0;
failed:
	migrate_unlock(conn);
	PQclear(done);
	migrate_list_free(m, n);
	return rc;
}
