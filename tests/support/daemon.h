/*
 * daemon.h - a real sparkmatchd for integration tests.
 *
 * daemon_start() writes a private configuration (127.0.0.1, port 0, a
 * sign-up secret and a bootstrap admin token in files beside it), starts the
 * built binary with NOTIFY_SOCKET pointing at a socket the test owns, and
 * waits for READY=1; the port is read from the STATUS message. The daemon's
 * log goes to a file the test can read. The daemon is killed if the test
 * process dies, so a failed assertion leaves nothing running.
 *
 * Waiting is always bounded polling for a condition (DAEMON_WAIT_MS), never
 * a sleep whose length matters.
 */
#ifndef SPARKMATCH_TEST_DAEMON_H
#define SPARKMATCH_TEST_DAEMON_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DAEMON_WAIT_MS 60000
#define DAEMON_SIGNUP_SECRET "whsec_dGVzdC1zaWdudXAtc2VjcmV0LWZvci1zcGFya21hdGNo"
#define DAEMON_ADMIN_TOKEN "test-bootstrap-admin-token-0123456789"

struct daemon_opts {
	const char *conninfo;		/* required */
	const char *extra;		/* more configuration text, appended */
	bool no_wait_ready;		/* only wait until it listens (database may be down) */
	bool path_socket;		/* NOTIFY_SOCKET as a path rather than an abstract name */
	const char *watchdog_usec;	/* WATCHDOG_USEC for the daemon, or NULL */
	bool no_secrets;		/* no sign-up secret or bootstrap token configured */
	int nofile;			/* RLIMIT_NOFILE for the daemon, 0 = inherited */
};

struct daemon_proc;

struct daemon_resp {
	int status;
	char *head;			/* status line and headers */
	char *body;			/* NUL-terminated */
	size_t body_len;
};

/*
 * The fixture most daemon suites share: a fresh migrated database (its
 * conninfo in *conninfo), a connection to it (*db) and, started on it with
 * the given extra configuration (or NULL), the daemon returned.
 */
struct daemon_proc *daemon_start_fresh(char **conninfo, PGconn **db, const char *extra);
/* Undo it: stop d if it is not NULL (expecting a clean exit), close db, drop the database. */
void daemon_stop_fresh(struct daemon_proc *d, PGconn *db, char *conninfo);

/* Start a daemon; fails the test when it does not come up. */
struct daemon_proc *daemon_start(const struct daemon_opts *o);
/* SIGTERM, wait for the exit, clean up; returns the exit status (-1 if it had to be killed). */
int daemon_stop(struct daemon_proc *d);
/* Send a signal. */
void daemon_kill(struct daemon_proc *d, int sig);
/* Wait up to timeout_ms for the process to exit; its exit status, or -1 on timeout. */
int daemon_wait_exit(struct daemon_proc *d, int timeout_ms);
int daemon_port(const struct daemon_proc *d);
pid_t daemon_pid(const struct daemon_proc *d);
/* The directory holding its configuration and secrets (for tests that rewrite them). */
const char *daemon_dir(const struct daemon_proc *d);
const char *daemon_config_path(const struct daemon_proc *d);

/* Rewrite the configuration: the base keys plus extra (NULL = none). */
void daemon_write_config(struct daemon_proc *d, const char *extra);
/* Write raw text as the configuration file. */
void daemon_write_raw_config(struct daemon_proc *d, const char *text);

/*
 * Wait until a notification containing needle has been received (counting
 * those received before). Returns false on timeout.
 */
bool daemon_wait_notify(struct daemon_proc *d, const char *needle, int timeout_ms);
/* How many notifications received so far contain needle. */
int daemon_count_notify(struct daemon_proc *d, const char *needle);
/* Wait until the log contains needle, at least `times` times. */
bool daemon_wait_log(struct daemon_proc *d, const char *needle, int times, int timeout_ms);
/* The log so far (caller frees). */
char *daemon_log(const struct daemon_proc *d);

/*
 * One HTTP/1.1 request on a fresh connection (Connection: close). headers
 * is NULL or a NULL-terminated list of "Name: value". Returns 0 with *out
 * filled (free with daemon_resp_free), or -1 when no answer came (connection
 * refused or reset).
 */
int daemon_http(const struct daemon_proc *d, const char *method, const char *path,
    const char *const *headers, const char *body, size_t len, struct daemon_resp *out);
/* Same, with a JSON body and the bootstrap admin token. body may be NULL. */
int daemon_admin(const struct daemon_proc *d, const char *method, const char *path,
    const char *body, struct daemon_resp *out);
/* POST /v1/signups signed with the test secret and a fresh webhook-id (copied to id_out if not NULL). */
int daemon_signup(const struct daemon_proc *d, const char *body, struct daemon_resp *out,
    char *id_out, size_t id_len);
/*
 * POST /v1/signups with explicit webhook headers: id and timestamp are sent
 * as given and signed with secret (NULL = the test secret); a non-NULL
 * signature replaces the computed one; content_type NULL = application/json.
 */
int daemon_signup_as(const struct daemon_proc *d, const char *id, long long timestamp,
    const char *secret, const char *signature, const char *content_type, const char *body,
    size_t len, struct daemon_resp *out);
/* A raw connection to the daemon (blocking, with generous timeouts); -1 on failure. */
int daemon_connect(const struct daemon_proc *d);
/* Read one answer from fd (until the connection closes or Content-Length is satisfied). */
int daemon_read_response(int fd, struct daemon_resp *out);

const char *daemon_resp_header(const struct daemon_resp *r, const char *name);
/* The body as JSON (fails the test when it is not). Free with cJSON_Delete. */
cJSON *daemon_resp_json(const struct daemon_resp *r);
/* The "error.code" of an error answer, or "" (static storage). */
const char *daemon_resp_error_code(const struct daemon_resp *r);
void daemon_resp_free(struct daemon_resp *r);

#endif
