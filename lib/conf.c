/* conf.c - the configuration table and its parser. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"

enum conf_type {
	CONF_STR,
	CONF_INT,
	CONF_BOOL,
	CONF_DURATION,	/* int64 milliseconds; "30s", "5m", "1h", "7d", "250ms" */
	CONF_SIZE,	/* int64 bytes; "64k", "1M" */
	CONF_MODE,	/* optimal | stable */
	CONF_LEVEL,	/* error | warn | info | debug */
	CONF_DAILY,	/* "HH:MM" UTC or "" */
	CONF_ORGRULE,	/* forbid | allow, stored as bool "forbid" */
};

struct conf_key {
	const char *section;
	const char *name;
	enum conf_type type;
	size_t offset;
	const char *def;
	int64_t min, max;	/* for numbers */
	bool reloadable;
};

#define K(sec, key, type, field, def, min, max, rel) \
	{ sec, key, type, offsetof(struct conf, field), def, min, max, rel }

/* The single source of truth: config/sparkmatch.conf documents the same keys. */
static const struct conf_key conf_keys[] = {
	K("database", "conninfo", CONF_STR, db_conninfo, "", 0, 0, false),
	K("database", "reconnect_min", CONF_DURATION, db_reconnect_min_ms, "500ms", 10, 3600000, true),
	K("database", "reconnect_max", CONF_DURATION, db_reconnect_max_ms, "30s", 10, 3600000, true),
	K("database", "pool_size", CONF_INT, db_pool_size, "4", 1, 100, false),
	K("database", "connect_timeout", CONF_DURATION, db_connect_timeout_ms, "10s", 1000, 600000, true),

	K("http", "listen", CONF_STR, http_listen, "127.0.0.1", 0, 0, false),
	K("http", "port", CONF_INT, http_port, "8080", 0, 65535, false),
	K("http", "max_body", CONF_SIZE, http_max_body, "64k", 1024, 64 << 20, true),
	K("http", "max_headers", CONF_SIZE, http_max_headers, "8k", 1024, 1 << 20, true),
	K("http", "read_timeout", CONF_DURATION, http_read_timeout_ms, "30s", 1000, 3600000, true),
	K("http", "write_timeout", CONF_DURATION, http_write_timeout_ms, "30s", 1000, 3600000, true),
	K("http", "max_connections", CONF_INT, http_max_connections, "1024", 1, 1000000, true),
	K("http", "public_url", CONF_STR, http_public_url, "http://127.0.0.1:8080", 0, 0, true),

	K("auth", "signup_secret_file", CONF_STR, auth_signup_secret_file, "", 0, 0, true),
	K("auth", "signup_tolerance", CONF_DURATION, auth_signup_tolerance_ms, "5m", 1000, 86400000, true),
	K("auth", "admin_token_file", CONF_STR, auth_admin_token_file, "", 0, 0, true),

	K("score", "coverage", CONF_INT, score_coverage, "1000", 1, 100000, true),
	K("score", "both_families_bonus", CONF_INT, score_both_families_bonus, "100", 0, 100000, true),
	K("score", "strong_level", CONF_INT, score_strong_level, "4", 1, 5, true),
	K("score", "tz_free_hours", CONF_INT, score_tz_free_hours, "3", 0, 12, true),
	K("score", "tz_penalty_per_hour", CONF_INT, score_tz_penalty_per_hour, "20", 0, 100000, true),
	K("score", "support_priority", CONF_INT, score_support_priority, "3", 1, 5, true),
	K("score", "support_level", CONF_INT, score_support_level, "4", 1, 5, true),

	K("match", "mode", CONF_MODE, match_mode, "optimal", 0, 0, true),
	K("match", "min_score", CONF_INT, match_min_score, "250", 1, 1000000, true),
	K("match", "same_organisation", CONF_ORGRULE, match_forbid_same_organisation, "forbid", 0, 0, true),
	K("match", "candidates_per_mentee", CONF_INT, match_candidates_per_mentee, "8", 1, 100000, true),
	K("match", "candidates_per_mentor", CONF_INT, match_candidates_per_mentor, "8", 1, 1000000, true),
	K("match", "threads", CONF_INT, match_threads, "0", 0, 256, true),
	K("match", "require_approval", CONF_BOOL, match_require_approval, "false", 0, 0, true),
	K("match", "proposal_ttl", CONF_DURATION, match_proposal_ttl_ms, "14d", 60000, INT64_C(31536000000), true),

	K("schedule", "interval", CONF_DURATION, schedule_interval_ms, "0", 0, INT64_C(31536000000), true),
	K("schedule", "daily_at", CONF_DAILY, schedule_daily_minute, "", 0, 0, true),
	K("schedule", "match_on_arrival", CONF_BOOL, schedule_match_on_arrival, "false", 0, 0, true),
	K("schedule", "poll_interval", CONF_DURATION, schedule_poll_interval_ms, "60s", 1000, 86400000, true),

	K("delivery", "webhook_url", CONF_STR, delivery_webhook_url, "", 0, 0, true),
	K("delivery", "webhook_secret_file", CONF_STR, delivery_webhook_secret_file, "", 0, 0, true),
	K("delivery", "smtp_url", CONF_STR, delivery_smtp_url, "", 0, 0, true),
	K("delivery", "smtp_from", CONF_STR, delivery_smtp_from, "Sparks Mentorship <mentoring@sparks.invalid>", 0, 0, true),
	K("delivery", "smtp_username", CONF_STR, delivery_smtp_username, "", 0, 0, true),
	K("delivery", "smtp_password_file", CONF_STR, delivery_smtp_password_file, "", 0, 0, true),
	K("delivery", "max_attempts", CONF_INT, delivery_max_attempts, "8", 1, 1000, true),
	K("delivery", "backoff_initial", CONF_DURATION, delivery_backoff_initial_ms, "30s", 100, 86400000, true),
	K("delivery", "backoff_max", CONF_DURATION, delivery_backoff_max_ms, "1h", 100, 604800000, true),
	K("delivery", "templates_dir", CONF_STR, delivery_templates_dir, "", 0, 0, true),

	K("daemon", "shutdown_timeout", CONF_DURATION, daemon_shutdown_timeout_ms, "20s", 100, 3600000, false),
	K("daemon", "worker_threads", CONF_INT, daemon_worker_threads, "2", 1, 64, false),

	K("log", "level", CONF_LEVEL, log_level, "info", 0, 0, true),
};

#define FIELD(c, k, type) ((type *)(void *)((char *)(c) + (k)->offset))
#define CFIELD(c, k, type) ((const type *)(const void *)((const char *)(c) + (k)->offset))

/* Parse a decimal integer with an optional unit table; -1 on junk or overflow. */
static int
conf_parse_scaled(const char *s, const char *const *units, const int64_t *mult,
    size_t nunits, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < nunits; i++) {
		if (strcmp(end, units[i]) == 0) {
			if (v > INT64_MAX / mult[i])
				return -1;
			*out = v * mult[i];
			return 0;
		}
	}
	return -1;
}

/* Store one value; on error fill err with a message (no location). */
static int
conf_set(struct conf *c, const struct conf_key *k, const char *val, struct err *err)
{
	static const char *const dur_units[] = { "ms", "s", "m", "h", "d" };
	static const int64_t dur_mult[] = { 1, 1000, 60000, 3600000, 86400000 };
	static const char *const size_units[] = { "k", "K", "M", "G" };
	static const int64_t size_mult[] = { 1024, 1024, 1 << 20, 1 << 30 };
	int64_t v = 0;
	enum log_level lvl;
	int hh, mm, n;

	switch (k->type) {
	case CONF_STR:
		free(*FIELD(c, k, char *));
		*FIELD(c, k, char *) = xstrdup(val);
		return 0;
	case CONF_BOOL:
		if (strcmp(val, "true") == 0 || strcmp(val, "yes") == 0 || strcmp(val, "on") == 0)
			*FIELD(c, k, bool) = true;
		else if (strcmp(val, "false") == 0 || strcmp(val, "no") == 0 || strcmp(val, "off") == 0)
			*FIELD(c, k, bool) = false;
		else
			return err_set(err, ERR_KIND_INVALID, "%s.%s: expected true or false, got '%s'",
			    k->section, k->name, val);
		return 0;
	case CONF_INT:
		if (conf_parse_scaled(val[0] == '-' ? "x" : val, NULL, NULL, 0, &v) < 0)
			return err_set(err, ERR_KIND_INVALID, "%s.%s: expected a whole number, got '%s'",
			    k->section, k->name, val);
		break;
	case CONF_DURATION:
		if (conf_parse_scaled(val, dur_units, dur_mult, ARRAY_SIZE(dur_units), &v) < 0)
			return err_set(err, ERR_KIND_INVALID,
			    "%s.%s: expected a duration like 30s, 5m, 6h or 1d, got '%s'",
			    k->section, k->name, val);
		/* A bare number is seconds, as people write "interval = 60". */
		if (isdigit((unsigned char)val[strlen(val) - 1]))
			v *= 1000;
		break;
	case CONF_SIZE:
		if (conf_parse_scaled(val, size_units, size_mult, ARRAY_SIZE(size_units), &v) < 0)
			return err_set(err, ERR_KIND_INVALID, "%s.%s: expected a size like 65536, 64k or 1M, got '%s'",
			    k->section, k->name, val);
		break;
	case CONF_MODE:
		if (strcmp(val, "optimal") == 0)
			*FIELD(c, k, enum conf_mode) = CONF_MODE_OPTIMAL;
		else if (strcmp(val, "stable") == 0)
			*FIELD(c, k, enum conf_mode) = CONF_MODE_STABLE;
		else
			return err_set(err, ERR_KIND_INVALID, "%s.%s: expected optimal or stable, got '%s'",
			    k->section, k->name, val);
		return 0;
	case CONF_ORGRULE:
		if (strcmp(val, "forbid") == 0)
			*FIELD(c, k, bool) = true;
		else if (strcmp(val, "allow") == 0)
			*FIELD(c, k, bool) = false;
		else
			return err_set(err, ERR_KIND_INVALID, "%s.%s: expected forbid or allow, got '%s'",
			    k->section, k->name, val);
		return 0;
	case CONF_LEVEL:
		if (log_level_parse(val, &lvl) < 0)
			return err_set(err, ERR_KIND_INVALID, "%s.%s: expected error, warn, info or debug, got '%s'",
			    k->section, k->name, val);
		*FIELD(c, k, int) = (int)lvl;
		return 0;
	case CONF_DAILY:
		if (val[0] == '\0') {
			*FIELD(c, k, int) = -1;
			return 0;
		}
		n = -1;
		if (sscanf(val, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != (int)strlen(val) ||
		    strlen(val) != 5 || hh < 0 || hh > 23 || mm < 0 || mm > 59)
			return err_set(err, ERR_KIND_INVALID, "%s.%s: expected a UTC time HH:MM, got '%s'",
			    k->section, k->name, val);
		*FIELD(c, k, int) = hh * 60 + mm;
		return 0;
	}
	if (v < k->min || v > k->max)
		return err_set(err, ERR_KIND_INVALID, "%s.%s: %s is out of range (%lld to %lld%s)",
		    k->section, k->name, val, (long long)k->min, (long long)k->max,
		    k->type == CONF_DURATION ? " ms" : k->type == CONF_SIZE ? " bytes" : "");
	if (k->type == CONF_INT)
		*FIELD(c, k, int) = (int)v;
	else
		*FIELD(c, k, int64_t) = v;
	return 0;
}

void
conf_defaults(struct conf *c)
{
	struct err err;

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (conf_set(c, &conf_keys[i], conf_keys[i].def, &err) < 0) {
			/* A bad default is a programming error caught by the tests. */
			fprintf(stderr, "fatal: built-in default: %s\n", err.msg);
			abort();
		}
	}
}

void
conf_free(struct conf *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (conf_keys[i].type == CONF_STR) {
			free(*FIELD(c, &conf_keys[i], char *));
			*FIELD(c, &conf_keys[i], char *) = NULL;
		}
	}
}

void
conf_copy(struct conf *dst, const struct conf *src)
{
	memcpy(dst, src, sizeof *dst);
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (conf_keys[i].type == CONF_STR) {
			const char *s = *CFIELD(src, &conf_keys[i], char *);

			*FIELD(dst, &conf_keys[i], char *) = xstrdup(s ? s : "");
		}
	}
}

static const struct conf_key *
conf_find(const char *section, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	}
	return NULL;
}

static bool
conf_section_known(const char *section)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (strcmp(conf_keys[i].section, section) == 0)
			return true;
	}
	return false;
}

/* Trim white space at both ends, in place. */
static char *
conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Parse one "key = value" or "[section]" line; err gets a message without location. */
static int
conf_line(struct conf *c, char *line, char *section, size_t seclen,
    bool *seen, struct err *err)
{
	char *eq, *key, *val, *close;
	const struct conf_key *k;
	size_t vlen;

	line = conf_trim(line);
	if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
		return 0;
	if (line[0] == '[') {
		close = strchr(line, ']');
		if (close == NULL || close[1] != '\0')
			return err_set(err, ERR_KIND_INVALID, "malformed section header '%s'", line);
		*close = '\0';
		line = conf_trim(line + 1);
		if (!conf_section_known(line))
			return err_set(err, ERR_KIND_INVALID, "unknown section [%s]", line);
		snprintf(section, seclen, "%s", line);
		return 0;
	}
	eq = strchr(line, '=');
	if (eq == NULL)
		return err_set(err, ERR_KIND_INVALID, "expected 'key = value', got '%s'", line);
	*eq = '\0';
	key = conf_trim(line);
	val = conf_trim(eq + 1);
	if (section[0] == '\0')
		return err_set(err, ERR_KIND_INVALID, "key '%s' outside any [section]", key);
	k = conf_find(section, key);
	if (k == NULL)
		return err_set(err, ERR_KIND_INVALID, "unknown key '%s' in [%s]", key, section);
	if (seen[k - conf_keys])
		return err_set(err, ERR_KIND_INVALID, "%s.%s is set twice", section, key);
	seen[k - conf_keys] = true;
	vlen = strlen(val);
	if (val[0] == '"') {
		if (vlen < 2 || val[vlen - 1] != '"')
			return err_set(err, ERR_KIND_INVALID, "%s.%s: unterminated quoted value", section, key);
		val[vlen - 1] = '\0';
		val++;
	} else {
		/* An unquoted value ends at a " #" comment. */
		char *hash = strstr(val, " #");

		if (hash != NULL) {
			*hash = '\0';
			val = conf_trim(val);
		}
	}
	return conf_set(c, k, val, err);
}

int
conf_load_string(struct conf *c, const char *name, const char *text, struct err *err)
{
	char section[64] = "";
	bool seen[ARRAY_SIZE(conf_keys)] = { false };
	char *copy = xstrdup(text), *line, *next;
	int lineno = 0, rc = -1;

	conf_defaults(c);
	for (line = copy; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (conf_line(c, line, section, sizeof section, seen, err) < 0) {
			err_prefix(err, "%s:%d: ", name, lineno);
			goto failed;
		}
	}
	if (c->db_reconnect_min_ms > c->db_reconnect_max_ms) {
		err_set(err, ERR_KIND_INVALID, "%s: database.reconnect_min is larger than database.reconnect_max", name);
		goto failed;
	}
	if (c->delivery_backoff_initial_ms > c->delivery_backoff_max_ms) {
		err_set(err, ERR_KIND_INVALID, "%s: delivery.backoff_initial is larger than delivery.backoff_max", name);
		goto failed;
	}
	rc = 0;
failed:
	free(copy);
	if (rc < 0) {
		conf_free(c);
		conf_defaults(c);
	}
	return rc;
}

int
conf_load(struct conf *c, const char *path, struct err *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		int saved = errno;	/* conf_defaults() allocates and may change errno */

		conf_defaults(c);
		return err_set(err, ERR_KIND_INVALID, "%s: cannot open: %s", path, strerror(saved));
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_append(&sb, buf, n);
	if (ferror(f)) {
		fclose(f);
		strbuf_free(&sb);
		conf_defaults(c);
		return err_set(err, ERR_KIND_INVALID, "%s: read error", path);
	}
	fclose(f);
	if (memchr(strbuf_str(&sb), '\0', sb.len) != NULL) {
		strbuf_free(&sb);
		conf_defaults(c);
		return err_set(err, ERR_KIND_INVALID, "%s: contains a NUL byte; not a text file", path);
	}
	rc = conf_load_string(c, path, strbuf_str(&sb), err);
	strbuf_free(&sb);
	return rc;
}

void
conf_restart_keys(const struct conf *a, const struct conf *b, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		const struct conf_key *k = &conf_keys[i];
		bool same;

		if (k->reloadable)
			continue;
		switch (k->type) {
		case CONF_STR:
			same = strcmp(*CFIELD(a, k, char *), *CFIELD(b, k, char *)) == 0;
			break;
		case CONF_INT:
			same = *CFIELD(a, k, int) == *CFIELD(b, k, int);
			break;
		default:
			same = *CFIELD(a, k, int64_t) == *CFIELD(b, k, int64_t);
			break;
		}
		if (!same && used < len) {
			int n = snprintf(buf + used, len - used, "%s%s.%s", used ? ", " : "",
			    k->section, k->name);

			if (n > 0)
				used += (size_t)n;
		}
	}
}

void
conf_dump(const struct conf *c, FILE *f)
{
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	const char *section = "";

	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		const struct conf_key *k = &conf_keys[i];
		int64_t v;

		if (strcmp(section, k->section) != 0) {
			fprintf(f, "%s[%s]\n", i ? "\n" : "", k->section);
			section = k->section;
		}
		fprintf(f, "%s = ", k->name);
		switch (k->type) {
		case CONF_STR:
			fprintf(f, "\"%s\"\n", *CFIELD(c, k, char *));
			break;
		case CONF_INT:
			fprintf(f, "%d\n", *CFIELD(c, k, int));
			break;
		case CONF_BOOL:
			fprintf(f, "%s\n", *CFIELD(c, k, bool) ? "true" : "false");
			break;
		case CONF_ORGRULE:
			fprintf(f, "%s\n", *CFIELD(c, k, bool) ? "forbid" : "allow");
			break;
		case CONF_DURATION:
			v = *CFIELD(c, k, int64_t);
			if (v % 1000 == 0)
				fprintf(f, "%llds\n", (long long)(v / 1000));
			else
				fprintf(f, "%lldms\n", (long long)v);
			break;
		case CONF_SIZE:
			fprintf(f, "%lld\n", (long long)*CFIELD(c, k, int64_t));
			break;
		case CONF_MODE:
			fprintf(f, "%s\n", *CFIELD(c, k, enum conf_mode) == CONF_MODE_STABLE ? "stable" : "optimal");
			break;
		case CONF_LEVEL:
			fprintf(f, "%s\n", levels[*CFIELD(c, k, int)]);
			break;
		case CONF_DAILY:
			if (*CFIELD(c, k, int) < 0)
				fprintf(f, "\"\"\n");
			else
				fprintf(f, "%02d:%02d\n", *CFIELD(c, k, int) / 60, *CFIELD(c, k, int) % 60);
			break;
		}
	}
}

int
conf_read_secret(const char *path, char **out, struct err *err)
{
	char buf[4096], *s;
	size_t n;
	FILE *f;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return err_set(err, ERR_KIND_INVALID, "no secret file configured");
	f = fopen(path, "r");
	if (f == NULL)
		return err_set(err, ERR_KIND_INVALID, "%s: cannot open secret file: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	s = buf + strcspn(buf, "\r\n");
	*s = '\0';
	s = conf_trim(buf);
	if (s[0] == '\0')
		return err_set(err, ERR_KIND_INVALID, "%s: secret file is empty", path);
	*out = xstrdup(s);
	/* Do not leave the secret in a stack buffer longer than needed. */
	explicit_bzero(buf, sizeof buf);
	return 0;
}

const char *
conf_conninfo(const struct conf *c)
{
	const char *env;

	if (c->db_conninfo != NULL && c->db_conninfo[0] != '\0')
		return c->db_conninfo;
	env = getenv("DATABASE_URL");
	return env ? env : "";
}

long
conf_daily_wait(int minute, time_t now)
{
	long today = (long)(now % 86400), wait;

	if (today < 0)
		today += 86400;
	wait = (long)minute * 60 - today;
	return wait <= 0 ? wait + 86400 : wait;
}
