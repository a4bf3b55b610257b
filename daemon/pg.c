/* pg.c - a pool of non-blocking libpq connections driven by libevent. */
#include "pg.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"

#define PG_QUEUE_MAX 1024

/*
 * The life of one connection. Every change goes through pg_conn_set_state(),
 * which traces it.
 */
enum pg_conn_state {
	PG_CONN_DOWN = 0,	/* no PGconn; the pool's reconnect timer will pick it */
	PG_CONN_CONNECTING,	/* PQconnectPoll() in progress; watching what it asked for */
	PG_CONN_SETUP,		/* connected listener; its LISTEN statements are in flight */
	PG_CONN_IDLE,		/* ready; watching the socket for notifications and EOF */
	PG_CONN_BUSY,		/* one query sent; reading its results */
};

static const char *const pg_state_names[] = { "down", "connecting", "setup", "idle", "busy" };

struct pg_query {
	TAILQ_ENTRY(pg_query) entry;
	char *sql;
	int nparams;
	char **params;
	pg_cb *cb;
	void *arg;
};

TAILQ_HEAD(pg_queue, pg_query);

struct pg_conn {
	struct pg *pool;
	int index;		/* for logs; the listener is nconns */
	bool listener;
	enum pg_conn_state state;
	PGconn *conn;
	struct event ev;	/* socket readiness; re-assigned when fd or interest change */
	bool ev_set;
	evutil_socket_t ev_fd;
	short ev_what;
	struct event timeout;	/* connect timeout */
	struct pg_query *q;	/* in flight (BUSY) */
	PGresult *res;		/* the result kept while reading (BUSY, SETUP) */
	bool ever_up;
};

struct pg {
	struct event_base *base;
	char *conninfo;
	char *appname;
	char **channels;
	int nchannels;
	void (*on_notify)(void *, const char *, const char *);
	void (*on_event)(void *, enum pg_event);
	void *arg;

	int nconns;
	struct pg_conn *conns;	/* nconns query connections, then the listener if any */
	int total;		/* nconns + (listener ? 1 : 0) */

	struct pg_queue queue;
	size_t queued;
	struct event kick;	/* deferred dispatch */
	struct event retry;	/* reconnect timer */
	struct pg_conn *attempt;	/* the connection attempt in flight, if any */
	int failures;		/* consecutive failed attempts */
	int64_t backoff_ms, min_ms, max_ms;
	int64_t connect_timeout_ms;
	uint64_t rng;
	bool up;
	bool started;
	bool closing;
	uint64_t nqueries, nreconnects;
};

static void pg_conn_io(evutil_socket_t fd, short what, void *arg);
static void pg_conn_lost(struct pg_conn *c, const char *why);
static void pg_schedule(struct pg *p);

static void
pg_conn_set_state(struct pg_conn *c, enum pg_conn_state st)
{
	if (c->state != st)
		log_debug("db conn %d: %s -> %s", c->index, pg_state_names[c->state],
		    pg_state_names[st]);
	c->state = st;
}

/* Watch fd for what (EV_READ and/or EV_WRITE); a no-op when nothing changes. */
static void
pg_conn_watch(struct pg_conn *c, evutil_socket_t fd, short what)
{
	if (c->ev_set && c->ev_fd == fd && c->ev_what == what)
		return;
	if (c->ev_set)
		event_del(&c->ev);
	event_assign(&c->ev, c->pool->base, fd, what | EV_PERSIST, pg_conn_io, c);
	event_add(&c->ev, NULL);
	c->ev_set = true;
	c->ev_fd = fd;
	c->ev_what = what;
}

static void
pg_conn_unwatch(struct pg_conn *c)
{
	if (c->ev_set)
		event_del(&c->ev);
	c->ev_set = false;
	event_del(&c->timeout);
}

static bool
pg_conn_usable(const struct pg_conn *c)
{
	return !c->listener && (c->state == PG_CONN_IDLE || c->state == PG_CONN_BUSY);
}

static void
pg_emit(struct pg *p, enum pg_event ev)
{
	if (p->on_event != NULL)
		p->on_event(p->arg, ev);
}

static void
pg_query_free(struct pg_query *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	free(q);
}

/* Complete q with an error and free it. */
static void
pg_query_fail(struct pg *p, struct pg_query *q, enum err_kind kind, const char *why)
{
	struct err err;

	err_set(&err, kind, "%s", why);
	p->nqueries++;
	q->cb(q->arg, NULL, &err);
	log_set_context(NULL);
	pg_query_free(q);
}

/* Fail everything waiting in the queue (the pool went down or is closing). */
static void
pg_fail_queue(struct pg *p, const char *why)
{
	struct pg_queue failing;
	struct pg_query *q;

	/* Detach first: callbacks may try to queue again (and be refused). */
	TAILQ_INIT(&failing);
	TAILQ_CONCAT(&failing, &p->queue, entry);
	p->queued = 0;
	while ((q = TAILQ_FIRST(&failing)) != NULL) {
		TAILQ_REMOVE(&failing, q, entry);
		pg_query_fail(p, q, ERR_KIND_UNAVAILABLE, why);
	}
}

/* Recompute "up" and announce a change. */
static void
pg_update_up(struct pg *p)
{
	bool up = false;

	for (int i = 0; i < p->nconns; i++)
		up |= pg_conn_usable(&p->conns[i]);
	if (up == p->up)
		return;
	p->up = up;
	if (up) {
		log_info("database is up");
		pg_emit(p, PG_EVENT_UP);
	} else {
		log_warn("database is down: no connection left; refusing queries until it is back");
		pg_fail_queue(p, "the database is unavailable");
		pg_emit(p, PG_EVENT_DOWN);
	}
}

/* Flush what libpq has buffered; watch for writability while it has more. */
static int
pg_conn_flush(struct pg_conn *c)
{
	int r = PQflush(c->conn);

	if (r < 0)
		return -1;
	pg_conn_watch(c, PQsocket(c->conn), r == 1 ? EV_READ | EV_WRITE : EV_READ);
	return 0;
}

/* Send q on the idle connection c. */
static void
pg_conn_send(struct pg_conn *c, struct pg_query *q)
{
	c->q = q;
	pg_conn_set_state(c, PG_CONN_BUSY);
	if (!PQsendQueryParams(c->conn, q->sql, q->nparams, NULL, (const char *const *)q->params,
	    NULL, NULL, 0) || pg_conn_flush(c) < 0)
		pg_conn_lost(c, PQerrorMessage(c->conn));
}

/* Hand queued queries to idle connections. */
static void
pg_dispatch(struct pg *p)
{
	for (int i = 0; i < p->nconns && !TAILQ_EMPTY(&p->queue); i++) {
		struct pg_conn *c = &p->conns[i];
		struct pg_query *q;

		if (c->state != PG_CONN_IDLE)
			continue;
		q = TAILQ_FIRST(&p->queue);
		TAILQ_REMOVE(&p->queue, q, entry);
		p->queued--;
		pg_conn_send(c, q);
	}
}

static void
pg_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pg_dispatch(arg);
}

/* Drop the connection, fail its query, and let the pool reconnect later. */
static void
pg_conn_lost(struct pg_conn *c, const char *why)
{
	struct pg *p = c->pool;
	struct pg_query *q = c->q;
	char msg[256];
	bool was_attempt = p->attempt == c;

	snprintf(msg, sizeof msg, "%s", why && why[0] ? why : "connection closed");
	msg[strcspn(msg, "\n")] = '\0';
	if (c->state == PG_CONN_CONNECTING)
		log_warn("db conn %d: cannot connect: %s", c->index, msg);
	else
		log_warn("db conn %d: connection lost: %s", c->index, msg);
	pg_conn_unwatch(c);
	PQclear(c->res);
	c->res = NULL;
	c->q = NULL;
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
	pg_conn_set_state(c, PG_CONN_DOWN);
	if (was_attempt) {
		p->attempt = NULL;
		p->failures++;
		p->backoff_ms = p->failures == 1 ? p->min_ms : p->backoff_ms * 2;
		if (p->backoff_ms > p->max_ms)
			p->backoff_ms = p->max_ms;
	}
	if (q != NULL)
		pg_query_fail(p, q, ERR_KIND_UNAVAILABLE, "the database connection was lost");
	pg_update_up(p);
	pg_schedule(p);
}

/* Deliver the completed query of c to its owner. */
static void
pg_conn_complete(struct pg_conn *c)
{
	struct pg *p = c->pool;
	struct pg_query *q = c->q;
	PGresult *res = c->res;
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	bool broken = PQstatus(c->conn) != CONNECTION_OK;
	struct err err;
	char why[ERR_MSG_MAX];

	c->q = NULL;
	c->res = NULL;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		err_clear(&err);
	} else {
		db_err_from_result(c->conn, res, &err);
		/* libpq's messages can run over several lines; logs and answers take one. */
		err.msg[strcspn(err.msg, "\n")] = '\0';
		if (broken)
			err.kind = ERR_KIND_UNAVAILABLE;
	}
	snprintf(why, sizeof why, "%s", PQerrorMessage(c->conn));
	/* Settle the connection first, so the callback sees a consistent pool. */
	if (broken)
		pg_conn_lost(c, why);
	else
		pg_conn_set_state(c, PG_CONN_IDLE);
	p->nqueries++;
	q->cb(q->arg, res, err.kind == ERR_KIND_NONE ? NULL : &err);
	log_set_context(NULL);
	pg_query_free(q);
	PQclear(res);
	pg_dispatch(p);
}

/* The listener's LISTEN statements are done. */
static void
pg_conn_setup_done(struct pg_conn *c)
{
	struct pg *p = c->pool;
	ExecStatusType st = c->res ? PQresultStatus(c->res) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK) {
		char why[ERR_MSG_MAX];

		snprintf(why, sizeof why, "LISTEN failed: %s",
		    c->res ? PQresultErrorMessage(c->res) : PQerrorMessage(c->conn));
		pg_conn_lost(c, why);
		return;
	}
	PQclear(c->res);
	c->res = NULL;
	pg_conn_set_state(c, PG_CONN_IDLE);
	log_debug("db conn %d: listening on %d channel(s)", c->index, p->nchannels);
	pg_emit(p, PG_EVENT_LISTENING);
}

/* Read every result available without blocking; finish the query when done. */
static void
pg_conn_read_results(struct pg_conn *c)
{
	while (!PQisBusy(c->conn)) {
		PGresult *res = PQgetResult(c->conn);

		if (res == NULL) {
			if (c->state == PG_CONN_SETUP)
				pg_conn_setup_done(c);
			else
				pg_conn_complete(c);
			return;
		}
		/* Keep the first error, else the last result. */
		if (c->res == NULL || (PQresultStatus(c->res) != PGRES_FATAL_ERROR)) {
			PQclear(c->res);
			c->res = res;
		} else {
			PQclear(res);
		}
	}
}

static void
pg_conn_notifies(struct pg_conn *c)
{
	struct pg *p = c->pool;
	PGnotify *n;

	while ((n = PQnotifies(c->conn)) != NULL) {
		log_debug("db conn %d: notification on %s: %s", c->index, n->relname, n->extra);
		if (p->on_notify != NULL)
			p->on_notify(p->arg, n->relname, n->extra);
		log_set_context(NULL);
		PQfreemem(n);
	}
}

static void
pg_notice(void *arg, const char *message)
{
	struct pg_conn *c = arg;

	log_debug("db conn %d: postgres: %.*s", c->index, (int)strcspn(message, "\n"), message);
}

/* PQconnectPoll() reported success. */
static void
pg_conn_connected(struct pg_conn *c)
{
	struct pg *p = c->pool;
	bool again = c->ever_up;

	event_del(&c->timeout);
	PQsetnonblocking(c->conn, 1);
	PQsetNoticeProcessor(c->conn, pg_notice, c);
	p->attempt = NULL;
	p->failures = 0;
	p->backoff_ms = p->min_ms;
	c->ever_up = true;
	log_info("db conn %d: connected%s", c->index, again ? " again" : "");
	if (again) {
		p->nreconnects++;
		pg_emit(p, PG_EVENT_RECONNECTED);
	}
	if (c->listener) {
		struct strbuf sql = STRBUF_INIT;

		for (int i = 0; i < p->nchannels; i++) {
			char *id = PQescapeIdentifier(c->conn, p->channels[i], strlen(p->channels[i]));

			if (id == NULL) {
				strbuf_free(&sql);
				pg_conn_lost(c, PQerrorMessage(c->conn));
				return;
			}
			strbuf_printf(&sql, "LISTEN %s;", id);
			PQfreemem(id);
		}
		pg_conn_set_state(c, PG_CONN_SETUP);
		if (!PQsendQuery(c->conn, strbuf_str(&sql)) || pg_conn_flush(c) < 0) {
			strbuf_free(&sql);
			pg_conn_lost(c, PQerrorMessage(c->conn));
			return;
		}
		strbuf_free(&sql);
	} else {
		pg_conn_set_state(c, PG_CONN_IDLE);
		pg_conn_watch(c, PQsocket(c->conn), EV_READ);
		pg_update_up(p);
		pg_dispatch(p);
	}
	pg_schedule(p);
}

/* One step of the non-blocking connect. */
static void
pg_conn_poll(struct pg_conn *c)
{
	switch (PQconnectPoll(c->conn)) {
	case PGRES_POLLING_OK:
		pg_conn_connected(c);
		return;
	case PGRES_POLLING_FAILED:
		pg_conn_lost(c, PQerrorMessage(c->conn));
		return;
	case PGRES_POLLING_WRITING:
		/* The socket may be a new one (another host or address): re-read it. */
		pg_conn_watch(c, PQsocket(c->conn), EV_WRITE);
		return;
	case PGRES_POLLING_READING:
	default:
		pg_conn_watch(c, PQsocket(c->conn), EV_READ);
		return;
	}
}

static void
pg_conn_io(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn *c = arg;

	(void)fd;
	switch (c->state) {
	case PG_CONN_DOWN:
		return;
	case PG_CONN_CONNECTING:
		pg_conn_poll(c);
		return;
	case PG_CONN_SETUP:
	case PG_CONN_IDLE:
	case PG_CONN_BUSY:
		break;
	}
	if ((what & EV_WRITE) && pg_conn_flush(c) < 0) {
		pg_conn_lost(c, PQerrorMessage(c->conn));
		return;
	}
	if (!(what & EV_READ))
		return;
	if (!PQconsumeInput(c->conn)) {
		pg_conn_lost(c, PQerrorMessage(c->conn));
		return;
	}
	pg_conn_notifies(c);
	if (c->state == PG_CONN_IDLE) {
		if (PQstatus(c->conn) != CONNECTION_OK)
			pg_conn_lost(c, PQerrorMessage(c->conn));
		return;
	}
	/* A flush may still be pending: keep write interest until it is done. */
	if (pg_conn_flush(c) < 0) {
		pg_conn_lost(c, PQerrorMessage(c->conn));
		return;
	}
	pg_conn_read_results(c);
}

static void
pg_conn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct pg_conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == PG_CONN_CONNECTING)
		pg_conn_lost(c, "timed out connecting");
}

/* Start a non-blocking connect on c. */
static void
pg_conn_connect(struct pg_conn *c)
{
	struct pg *p = c->pool;
	/*
	 * TCP keepalives notice a server that vanished without closing the
	 * connection; given before dbname, the configured conninfo overrides them.
	 */
	const char *keys[] = { "keepalives", "keepalives_idle", "keepalives_interval",
		"keepalives_count", "dbname", "application_name", "client_encoding", NULL };
	const char *vals[] = { "1", "10", "5", "3", p->conninfo, p->appname, "UTF8", NULL };
	struct timeval tv = { (time_t)(p->connect_timeout_ms / 1000),
		(suseconds_t)(p->connect_timeout_ms % 1000) * 1000 };

	p->attempt = c;
	pg_conn_set_state(c, PG_CONN_CONNECTING);
	c->conn = PQconnectStartParams(keys, vals, 1);
	if (c->conn == NULL) {
		pg_conn_lost(c, "out of memory");
		return;
	}
	if (PQstatus(c->conn) == CONNECTION_BAD || PQsocket(c->conn) < 0) {
		pg_conn_lost(c, PQerrorMessage(c->conn));
		return;
	}
	evtimer_add(&c->timeout, &tv);
	/* As libpq's documentation says: behave as if the last poll asked to write. */
	pg_conn_watch(c, PQsocket(c->conn), EV_WRITE);
}

/* A uniformly random delay in [backoff/2, backoff]. */
static int64_t
pg_jitter(struct pg *p, int64_t backoff)
{
	/* xorshift64: good enough to spread reconnects of many daemons apart. */
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return backoff / 2 + (int64_t)(p->rng % (uint64_t)(backoff / 2 + 1));
}

static void
pg_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pg *p = arg;

	(void)fd;
	(void)what;
	if (p->closing || p->attempt != NULL)
		return;
	/* Query connections first: they are what the API waits for. */
	for (int i = 0; i < p->total; i++) {
		if (p->conns[i].state == PG_CONN_DOWN) {
			pg_conn_connect(&p->conns[i]);
			return;
		}
	}
}

/* Arm the reconnect timer if a connection is down and no attempt is in flight. */
static void
pg_schedule(struct pg *p)
{
	struct timeval tv = { 0, 0 };
	bool any_down = false;
	int64_t ms;

	if (p->closing || !p->started || p->attempt != NULL || evtimer_pending(&p->retry, NULL))
		return;
	for (int i = 0; i < p->total; i++)
		any_down |= p->conns[i].state == PG_CONN_DOWN;
	if (!any_down)
		return;
	ms = p->failures == 0 ? 0 : pg_jitter(p, p->backoff_ms);
	if (p->failures > 0)
		log_info("reconnecting to the database in %lld ms", (long long)ms);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(&p->retry, &tv);
}

struct pg *
pg_new(struct event_base *base, const struct pg_config *cfg)
{
	struct pg *p = xcalloc(1, sizeof *p);
	struct timespec ts;

	p->base = base;
	p->conninfo = xstrdup(cfg->conninfo ? cfg->conninfo : "");
	p->appname = xstrdup(cfg->application_name ? cfg->application_name : "sparkmatchd");
	for (const char *const *ch = cfg->channels; ch != NULL && *ch != NULL; ch++)
		p->nchannels++;
	p->channels = xcalloc((size_t)p->nchannels + 1, sizeof *p->channels);
	for (int i = 0; i < p->nchannels; i++)
		p->channels[i] = xstrdup(cfg->channels[i]);
	p->on_notify = cfg->on_notify;
	p->on_event = cfg->on_event;
	p->arg = cfg->arg;
	p->nconns = cfg->nconns > 0 ? cfg->nconns : 1;
	p->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
	p->total = p->nconns + (p->nchannels > 0 ? 1 : 0);
	p->conns = xcalloc((size_t)p->total, sizeof *p->conns);
	for (int i = 0; i < p->total; i++) {
		struct pg_conn *c = &p->conns[i];

		c->pool = p;
		c->index = i;
		c->listener = i >= p->nconns;
		evtimer_assign(&c->timeout, base, pg_conn_timeout, c);
	}
	TAILQ_INIT(&p->queue);
	event_assign(&p->kick, base, -1, 0, pg_kick_cb, p);
	evtimer_assign(&p->retry, base, pg_retry_cb, p);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	p->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15u;
	pg_set_backoff(p, cfg->reconnect_min_ms, cfg->reconnect_max_ms);
	p->backoff_ms = p->min_ms;
	return p;
}

void
pg_start(struct pg *p)
{
	p->started = true;
	pg_schedule(p);
}

void
pg_set_backoff(struct pg *p, int64_t min_ms, int64_t max_ms)
{
	p->min_ms = min_ms > 0 ? min_ms : 1;
	p->max_ms = max_ms >= p->min_ms ? max_ms : p->min_ms;
	if (p->backoff_ms > p->max_ms)
		p->backoff_ms = p->max_ms;
}

void
pg_free(struct pg *p)
{
	if (p == NULL)
		return;
	p->closing = true;
	event_del(&p->retry);
	event_del(&p->kick);
	for (int i = 0; i < p->total; i++) {
		struct pg_conn *c = &p->conns[i];
		struct pg_query *q = c->q;

		pg_conn_unwatch(c);
		c->q = NULL;
		PQclear(c->res);
		if (c->conn != NULL)
			PQfinish(c->conn);
		c->conn = NULL;
		c->state = PG_CONN_DOWN;
		if (q != NULL)
			pg_query_fail(p, q, ERR_KIND_UNAVAILABLE, "the daemon is shutting down");
	}
	pg_fail_queue(p, "the daemon is shutting down");
	for (int i = 0; i < p->nchannels; i++)
		free(p->channels[i]);
	free(p->channels);
	free(p->conns);
	free(p->conninfo);
	free(p->appname);
	free(p);
}

int
pg_query(struct pg *p, const char *sql, int nparams, const char *const *params, pg_cb *cb,
    void *arg, struct err *err)
{
	struct pg_query *q;

	if (p->closing || !p->up)
		return err_set(err, ERR_KIND_UNAVAILABLE, "the database is unavailable");
	if (p->queued >= PG_QUEUE_MAX)
		return err_set(err, ERR_KIND_UNAVAILABLE, "too many database queries waiting");
	q = xcalloc(1, sizeof *q);
	q->sql = xstrdup(sql);
	q->nparams = nparams;
	q->params = xcalloc((size_t)(nparams > 0 ? nparams : 1), sizeof *q->params);
	for (int i = 0; i < nparams; i++)
		q->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	q->cb = cb;
	q->arg = arg;
	TAILQ_INSERT_TAIL(&p->queue, q, entry);
	p->queued++;
	/* Dispatch on the next pass of the loop, so cb never runs inside this call. */
	event_active(&p->kick, EV_TIMEOUT, 0);
	return 0;
}

bool
pg_is_up(const struct pg *p)
{
	return p->up;
}

size_t
pg_pending(const struct pg *p)
{
	size_t n = p->queued;

	for (int i = 0; i < p->nconns; i++)
		n += p->conns[i].q != NULL;
	return n;
}

void
pg_get_stats(const struct pg *p, struct pg_stats *st)
{
	memset(st, 0, sizeof *st);
	st->conns = p->nconns;
	for (int i = 0; i < p->nconns; i++)
		st->conns_up += pg_conn_usable(&p->conns[i]);
	st->listening = p->total > p->nconns && p->conns[p->nconns].state == PG_CONN_IDLE;
	st->queued = p->queued;
	st->queries = p->nqueries;
	st->reconnects = p->nreconnects;
}
