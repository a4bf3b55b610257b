/*
 * conf.h - sparkmatch's configuration: one INI-style file, every key typed,
 * defaulted and documented in one table (conf.c), sample in config/.
 *
 *   # comment
 *   [section]
 *   key = value        values may be "quoted"; durations take s/m/h/d,
 *                      sizes take k/M (1024-based)
 *
 * Parsing never logs secrets: keys ending in _file name files whose
 * contents are read only when needed, with conf_read_secret().
 */
#ifndef SPARKMATCH_CONF_H
#define SPARKMATCH_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "attrs.h"
#include "err.h"

enum conf_mode {
	CONF_MODE_OPTIMAL = 0,
	CONF_MODE_STABLE,
};

struct conf {
	/* [database] */
	char *db_conninfo;		/* "" = $DATABASE_URL, else libpq defaults */
	int64_t db_reconnect_min_ms;
	int64_t db_reconnect_max_ms;
	int db_pool_size;		/* sparkmatchd's query connections */
	int64_t db_connect_timeout_ms;

	/* [http] */
	char *http_listen;
	int http_port;
	int64_t http_max_body;
	int64_t http_max_headers;
	int64_t http_read_timeout_ms;
	int64_t http_write_timeout_ms;
	int http_max_connections;
	char *http_public_url;		/* base of accept/decline links */

	/* [auth] */
	char *auth_signup_secret_file;
	int64_t auth_signup_tolerance_ms;
	char *auth_admin_token_file;

	/* [score] */
	int score_coverage;		/* points for a mentor covering every goal at level 5 */
	int score_both_families_bonus;
	int score_strong_level;
	int score_tz_free_hours;
	int score_tz_penalty_per_hour;
	int score_support_priority;
	int score_support_level;

	/* [match] */
	enum conf_mode match_mode;
	int match_min_score;
	bool match_forbid_same_organisation;
	int match_candidates_per_mentee;
	int match_candidates_per_mentor;
	int match_threads;		/* 0 = one per online CPU */
	bool match_require_approval;
	int64_t match_proposal_ttl_ms;

	/* [schedule] */
	int64_t schedule_interval_ms;	/* 0 = off */
	int schedule_daily_minute;	/* minutes after 00:00 UTC, -1 = off */
	bool schedule_match_on_arrival;
	int64_t schedule_poll_interval_ms;

	/* [delivery] */
	char *delivery_webhook_url;
	char *delivery_webhook_secret_file;
	char *delivery_smtp_url;
	char *delivery_smtp_from;
	char *delivery_smtp_username;
	char *delivery_smtp_password_file;
	int delivery_max_attempts;
	int64_t delivery_backoff_initial_ms;
	int64_t delivery_backoff_max_ms;
	char *delivery_templates_dir;	/* "" = <datadir>/templates */

	/* [daemon] */
	int64_t daemon_shutdown_timeout_ms;
	int daemon_worker_threads;	/* threads for runs and explanations */

	/* [log] */
	int log_level;			/* enum log_level */
};

/* Fill *c with every key's default. Release with conf_free(). */
void conf_defaults(struct conf *c);

/*
 * Parse path into *c, starting from defaults. On failure *c is left holding
 * defaults only and err says "path:line: message". Release with conf_free().
 */
int conf_load(struct conf *c, const char *path, struct err *err) MUSTCHECK;

/* Parse a config held in memory; name is used in messages. */
int conf_load_string(struct conf *c, const char *name, const char *text,
    struct err *err) MUSTCHECK;

/* Free the strings inside c (not c itself); safe on a zeroed struct. */
void conf_free(struct conf *c);

/* Deep copy. */
void conf_copy(struct conf *dst, const struct conf *src);

/*
 * Keys that differ between a and b but cannot change without a restart,
 * as a comma-separated list in buf ("" when none).
 */
void conf_restart_keys(const struct conf *a, const struct conf *b, char *buf,
    size_t len);

/* Write every key with its effective value (secret file paths, never contents). */
void conf_dump(const struct conf *c, FILE *f);

/*
 * Read a secret from a file: the first line, surrounding white space removed.
 * Returns a malloc'd string in *out (caller frees). The message never
 * includes the secret.
 */
int conf_read_secret(const char *path, char **out, struct err *err) MUSTCHECK;

/* The configured connection string: db_conninfo, else $DATABASE_URL, else "". */
const char *conf_conninfo(const struct conf *c);

/*
 * Seconds from now until the next schedule.daily_at (minute of the day,
 * UTC): 1..86400, so a run that just fired is next due tomorrow.
 */
long conf_daily_wait(int minute, time_t now);

#endif
