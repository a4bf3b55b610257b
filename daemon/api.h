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

/* api_ops.c */
void api_healthz(struct http_req *req, void *arg);
void api_metrics(struct http_req *req, void *arg);

/* api_signup.c */
void api_signup(struct http_req *req, void *arg);

#endif
