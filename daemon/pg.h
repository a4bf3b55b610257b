/*
 * pg.h - PostgreSQL on the event loop: a small pool of non-blocking libpq
 * connections for queries, plus one connection that LISTENs.
 *
 * Nothing here blocks. Queries wait in one FIFO queue and go to the first
 * idle connection; each connection is an explicit state machine driven by
 * its socket (see enum pg_conn_state in pg.c). Lost connections are
 * re-established on a back-off timer with jitter, one attempt at a time.
 * While no query connection is up the pool is "down": pg_query() refuses at
 * once (so the HTTP layer can answer 503 immediately) and everything queued
 * is failed.
 *
 * The listener re-issues LISTEN after every reconnect and then reports
 * PG_EVENT_LISTENING, so the owner can read whatever it may have missed.
 */
#ifndef SPARKMATCH_PG_H
#define SPARKMATCH_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

struct event_base;
struct pg;

/*
 * A query's completion. On success err is NULL and res is the result
 * (PGRES_TUPLES_OK or PGRES_COMMAND_OK). On failure err says why (kind
 * ERR_KIND_UNAVAILABLE when the connection was lost or the pool shut down;
 * a database error is mapped by db_err_from_result()) and res is the error
 * result or NULL. res belongs to the pool and is valid during the call only.
 */
typedef void pg_cb(void *arg, const PGresult *res, const struct err *err);

enum pg_event {
	PG_EVENT_UP,		/* the first query connection is up (again) */
	PG_EVENT_DOWN,		/* the last query connection was lost */
	PG_EVENT_RECONNECTED,	/* a connection lost earlier is back */
	PG_EVENT_LISTENING,	/* LISTEN is (again) in effect on the listener */
};

struct pg_config {
	const char *conninfo;		/* key=value string or URI */
	const char *application_name;
	int nconns;			/* query connections, >= 1 */
	int64_t connect_timeout_ms;	/* per attempt; 0 = 10 s */
	int64_t reconnect_min_ms;
	int64_t reconnect_max_ms;
	const char *const *channels;	/* NULL-terminated; NULL or empty = no listener */
	void (*on_notify)(void *arg, const char *channel, const char *payload);
	void (*on_event)(void *arg, enum pg_event ev);
	void *arg;
};

/* A pool on base (copies cfg's strings). Connects once pg_start() is called. */
struct pg *pg_new(struct event_base *base, const struct pg_config *cfg);

/* Begin connecting. */
void pg_start(struct pg *pg);

/*
 * Close every connection. Queries still queued or in flight are completed
 * with ERR_KIND_UNAVAILABLE first. NULL is a no-op.
 */
void pg_free(struct pg *pg);

/* Change the reconnect back-off bounds (on reload). */
void pg_set_backoff(struct pg *pg, int64_t min_ms, int64_t max_ms);

/*
 * Queue a parameterised statement (text parameters, NULL = SQL NULL; sql
 * and params are copied). cb runs later on the loop, never from inside this
 * call. Returns -1 with err (ERR_KIND_UNAVAILABLE) when the pool is down or
 * its queue is full.
 */
int pg_query(struct pg *pg, const char *sql, int nparams, const char *const *params,
    pg_cb *cb, void *arg, struct err *err) MUSTCHECK;

/* True while at least one query connection is up. */
bool pg_is_up(const struct pg *pg);

/* Queries queued or in flight. */
size_t pg_pending(const struct pg *pg);

struct pg_stats {
	int conns_up;			/* query connections up */
	int conns;			/* query connections configured */
	bool listening;
	size_t queued;
	uint64_t queries;		/* completed, successfully or not */
	uint64_t reconnects;
};

void pg_get_stats(const struct pg *pg, struct pg_stats *st);

#endif
