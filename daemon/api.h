/*
 * api.h - the REST API (/v1, /healthz, /metrics): the route table, the
 * environment handlers share, and the handlers themselves.
 *
 * Like tmux's cmd-*.c, the handlers live in one file per area (api_ops.c,
 * api_signup.c, ...) and share this header and the api_ prefix. A request
 * reads straight down: route (http.c) -> authenticate (auth.c) -> validate
 * -> one SQL statement (pg.c) -> answer; no step calls back up.
 */
#ifndef SPARKMATCH_API_H
#define SPARKMATCH_API_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "http.h"

struct auth;
struct event_base;
struct metrics;
struct pg;
struct sched;
struct worker;

/* What every handler may use; owned by the server, alive as long as it. */
struct api_env {
	struct event_base *base;
	const struct conf *conf;	/* the current configuration (replaced on reload) */
	struct pg *pg;
	struct http *http;
	struct metrics *metrics;
	struct auth *auth;		/* replaced on reload */
	struct sched *sched;
	struct worker *worker;
};

extern const struct http_route api_routes[];
extern const size_t api_nroutes;

/* Timestamps in answers: ISO 8601, UTC, second precision. */
#define API_TS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * Run one statement whose first row's first column is a JSON document and
 * answer it with ok_status (204: no body); answer 404 with not_found when it
 * returns no row, and map errors (database "invalid" is 422).
 */
void api_json_query(struct api_env *env, struct http_req *req, const char *sql, int nparams,
    const char *const *params, int ok_status, const char *not_found);

/* Parse a positive database id ("12"); -1 when it is not one. */
int api_parse_id(const char *s, long long *out) MUSTCHECK;

/*
 * The path's {id} as a decimal string in id[24] (and in *v unless NULL);
 * answers 400 ("a <noun> id is ...") and returns -1 when it is not an id.
 */
int api_path_id(struct http_req *req, const char *noun, char id[24], long long *v) MUSTCHECK;

/*
 * An optional query parameter that must be an id: *out is its text, or NULL
 * when it is absent. Answers 400 ("a <noun> id is ...", field name) and
 * returns -1 when it is given but not an id.
 */
int api_query_id(struct http_req *req, const char *name, const char *noun, const char **out)
    MUSTCHECK;

/* Whether s is one of the NULL-terminated list. */
bool api_in(const char *const *list, const char *s);

/*
 * The list parameters: ?limit= (1..1000, default 100) and ?after= (an id,
 * default 0) as decimal strings in limit[24] and after[24]. Answers 400 and
 * returns -1 when one is malformed.
 */
int api_page(struct http_req *req, char limit[24], char after[24]) MUSTCHECK;

/*
 * The request's JSON object body, parsed strictly and limited to the allowed
 * members; answers 400 and returns NULL when it is not one. An empty body is
 * "{}" when empty_ok. Free with cJSON_Delete.
 */
cJSON *api_body(struct http_req *req, const char *const *allowed, bool empty_ok);

/* api_ops.c */
void api_healthz(struct http_req *req, void *arg);
void api_metrics(struct http_req *req, void *arg);

/* api_people.c */
void api_mentees_list(struct http_req *req, void *arg);
void api_mentees_get(struct http_req *req, void *arg);
void api_mentees_patch(struct http_req *req, void *arg);
void api_mentees_delete(struct http_req *req, void *arg);
void api_mentors_list(struct http_req *req, void *arg);
void api_mentors_get(struct http_req *req, void *arg);
void api_mentors_patch(struct http_req *req, void *arg);
void api_mentors_delete(struct http_req *req, void *arg);

/* api_catalog.c */
void api_skills_list(struct http_req *req, void *arg);
void api_exclusions_list(struct http_req *req, void *arg);
void api_exclusions_create(struct http_req *req, void *arg);
void api_exclusions_delete(struct http_req *req, void *arg);

/* api_proposals.c */
void api_proposals_list(struct http_req *req, void *arg);
void api_proposals_get(struct http_req *req, void *arg);
void api_proposals_approve(struct http_req *req, void *arg);
void api_proposals_reject(struct http_req *req, void *arg);
void api_explain(struct http_req *req, void *arg);

/* api_runs.c */
void api_runs_list(struct http_req *req, void *arg);
void api_runs_get(struct http_req *req, void *arg);
void api_runs_create(struct http_req *req, void *arg);

/* api_signup.c */
void api_signup(struct http_req *req, void *arg);

#endif
