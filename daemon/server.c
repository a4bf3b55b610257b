/* server.c - the event loop's owner: start-up, reload, drain and shutdown. */
#include "server.h"

#include <event2/event.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "pg.h"
#include "sched.h"
#include "sdnotify.h"
#include "worker.h"
#include "xmalloc.h"

#define SERVER_DRAIN_POLL_MS 20

struct server {
	char *config_path;
	struct conf conf;		/* current; reloadable keys follow SIGHUP */
	char *conninfo;			/* as started: database.conninfo needs a restart */
	int64_t shutdown_timeout_ms;	/* as started */
	char where[160];		/* "127.0.0.1:8080" */

	struct event_base *base;
	struct metrics *metrics;
	struct auth *auth;
	struct pg *pg;
	struct http *http;
	struct worker *worker;
	struct sched *sched;
	struct api_env env;

	struct event *ev_term, *ev_int, *ev_hup;
	struct event *ev_watchdog;
	struct event *ev_drain;
	struct event *ev_deadline;
	bool ready;			/* READY=1 sent */
	bool stopping;
	int exit_code;
};

static const char *const server_channels[] = { "sparkmatch_signup", "sparkmatch_run", NULL };

static void PRINTFLIKE(1, 2)
server_notify(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (sdnotify_send("%s", msg) < 0)
		log_warn("cannot notify the service manager: %s", strerror(errno));
}

/* READY=1 once listening and connected to the database, and never twice. */
static void
server_maybe_ready(struct server *s)
{
	char status[256];

	if (s->ready || s->stopping || !pg_is_up(s->pg))
		return;
	s->ready = true;
	snprintf(status, sizeof status, "listening on %s, database connected", s->where);
	server_notify("READY=1\nSTATUS=%s", status);
	log_info("ready: %s", status);
}

static void
server_pg_event(void *arg, enum pg_event ev)
{
	struct server *s = arg;

	switch (ev) {
	case PG_EVENT_UP:
		server_maybe_ready(s);
		if (s->ready && !s->stopping)
			server_notify("STATUS=%s", "database connected");
		/* Whatever arrived while no query could be sent is looked for now. */
		sched_listening(s->sched);
		break;
	case PG_EVENT_DOWN:
		if (!s->stopping)
			server_notify("STATUS=%s", "database unavailable; reconnecting");
		break;
	case PG_EVENT_RECONNECTED:
		metrics_db_reconnect(s->metrics);
		break;
	case PG_EVENT_LISTENING:
		sched_listening(s->sched);
		break;
	}
}

static void
server_pg_notify(void *arg, const char *channel, const char *payload)
{
	struct server *s = arg;

	log_debug("notification on %s (%s)", channel, payload);
	sched_notify(s->sched, channel);
}

static void
server_limits(const struct conf *c, struct http_limits *l)
{
	l->max_body = c->http_max_body;
	l->max_headers = c->http_max_headers;
	l->read_timeout_ms = c->http_read_timeout_ms;
	l->write_timeout_ms = c->http_write_timeout_ms;
	l->max_connections = c->http_max_connections;
}

/* SIGHUP: re-read the file; keep everything as it was if anything in it is wrong. */
static void
server_reload(struct server *s)
{
	struct conf fresh;
	struct http_limits lim;
	struct auth *auth;
	struct err err;
	char restart[512];

	if (s->stopping)
		return;
	if (sdnotify_send("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)sdnotify_monotonic_usec()) < 0)
		log_warn("cannot notify the service manager: %s", strerror(errno));
	log_info("reload: reading %s", s->config_path);
	if (conf_load(&fresh, s->config_path, &err) < 0) {
		log_error("reload: %s; keeping the running configuration", err.msg);
		conf_free(&fresh);
		goto done;
	}
	auth = auth_new(&fresh, &err);
	if (auth == NULL) {
		log_error("reload: %s; keeping the running configuration", err.msg);
		conf_free(&fresh);
		goto done;
	}
	conf_restart_keys(&s->conf, &fresh, restart, sizeof restart);
	if (restart[0] != '\0')
		log_warn("reload: %s changed; the new value(s) take effect after a restart", restart);
	auth_free(s->auth);
	s->auth = s->env.auth = auth;
	conf_free(&s->conf);
	s->conf = fresh;
	log_set_level((enum log_level)s->conf.log_level);
	server_limits(&s->conf, &lim);
	http_set_limits(s->http, &lim);
	pg_set_backoff(s->pg, s->conf.db_reconnect_min_ms, s->conf.db_reconnect_max_ms);
	sched_configure(s->sched, &s->conf);
	if (!auth_signup_enabled(s->auth))
		log_warn("auth.signup_secret_file is not set: POST /v1/signups answers 503");
	log_info("reload: configuration reloaded");
done:
	server_notify("READY=1\nSTATUS=%s", s->ready ? "running" : "waiting for the database");
}

/* Everything in flight is finished: leave the loop. */
static void
server_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	(void)fd;
	(void)what;
	if (http_busy(s->http) > 0 || pg_pending(s->pg) > 0 || worker_busy(s->worker) > 0)
		return;
	log_info("shutdown: drained; exiting");
	event_base_loopexit(s->base, NULL);
}

static void
server_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	(void)fd;
	(void)what;
	log_error("shutdown: daemon.shutdown_timeout reached with %zu request(s), %zu query(ies) "
	    "and %zu job(s) in flight; exiting now", http_busy(s->http), pg_pending(s->pg),
	    worker_busy(s->worker));
	/* A worker may be inside a transaction: PostgreSQL rolls it back when we go. */
	_exit(1);
}

static void
server_shutdown(struct server *s, const char *why)
{
	struct timeval poll = { 0, SERVER_DRAIN_POLL_MS * 1000 };
	struct timeval deadline = { (time_t)(s->shutdown_timeout_ms / 1000),
		(suseconds_t)(s->shutdown_timeout_ms % 1000) * 1000 };

	if (s->stopping) {
		log_warn("shutdown: second %s; exiting at once", why);
		_exit(1);
	}
	s->stopping = true;
	http_drain(s->http);
	sched_stop(s->sched);
	server_notify("STOPPING=1\nSTATUS=%s", "draining");
	log_info("shutdown: %s; no longer accepting, finishing %zu request(s) in flight", why,
	    http_busy(s->http));
	s->ev_drain = event_new(s->base, -1, EV_PERSIST, server_drain_cb, s);
	event_add(s->ev_drain, &poll);
	s->ev_deadline = evtimer_new(s->base, server_deadline_cb, s);
	event_add(s->ev_deadline, &deadline);
}

static void
server_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;

	(void)what;
	if (sig == SIGHUP)
		server_reload(s);
	else
		server_shutdown(s, sig == SIGINT ? "SIGINT" : "SIGTERM");
}

static void
server_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (sdnotify_send("WATCHDOG=1") < 0)
		log_warn("cannot ping the watchdog: %s", strerror(errno));
}

struct server *
server_new(const char *config_path, struct conf *conf, struct err *err)
{
	struct server *s = xcalloc(1, sizeof *s);
	struct pg_config pgc;
	struct http_limits lim;
	uint64_t wd;
	char status[256];

	s->config_path = xstrdup(config_path);
	s->conf = *conf;
	memset(conf, 0, sizeof *conf);
	s->conninfo = xstrdup(conf_conninfo(&s->conf));
	s->shutdown_timeout_ms = s->conf.daemon_shutdown_timeout_ms;
	s->base = event_base_new();
	if (s->base == NULL) {
		err_set(err, ERR_KIND_INTERNAL, "cannot create the event loop");
		goto failed;
	}
	s->metrics = metrics_new();
	s->auth = auth_new(&s->conf, err);
	if (s->auth == NULL)
		goto failed;
	if (!auth_signup_enabled(s->auth))
		log_warn("auth.signup_secret_file is not set: POST /v1/signups answers 503");

	memset(&pgc, 0, sizeof pgc);
	pgc.conninfo = s->conninfo;
	pgc.application_name = "sparkmatchd";
	pgc.nconns = s->conf.db_pool_size;
	pgc.connect_timeout_ms = s->conf.db_connect_timeout_ms;
	pgc.reconnect_min_ms = s->conf.db_reconnect_min_ms;
	pgc.reconnect_max_ms = s->conf.db_reconnect_max_ms;
	pgc.channels = server_channels;
	pgc.on_notify = server_pg_notify;
	pgc.on_event = server_pg_event;
	pgc.arg = s;
	s->pg = pg_new(s->base, &pgc);
	s->worker = worker_new(s->base, s->conninfo, s->conf.daemon_worker_threads);
	s->sched = sched_new(s->base, s->pg, s->worker, s->metrics, &s->conf);

	s->env.base = s->base;
	s->env.conf = &s->conf;
	s->env.pg = s->pg;
	s->env.metrics = s->metrics;
	s->env.auth = s->auth;
	s->env.worker = s->worker;
	s->env.sched = s->sched;
	server_limits(&s->conf, &lim);
	s->http = http_new(s->base, api_routes, api_nroutes, &s->env, s->metrics, &lim);
	s->env.http = s->http;
	if (http_listen(s->http, s->conf.http_listen, s->conf.http_port, err) < 0)
		goto failed;
	snprintf(s->where, sizeof s->where, "%s%s%s:%d",
	    strchr(s->conf.http_listen, ':') ? "[" : "", s->conf.http_listen,
	    strchr(s->conf.http_listen, ':') ? "]" : "", http_port(s->http));
	log_info("listening on %s", s->where);
	snprintf(status, sizeof status, "listening on %s, connecting to the database", s->where);
	server_notify("STATUS=%s", status);

	s->ev_term = evsignal_new(s->base, SIGTERM, server_signal_cb, s);
	s->ev_int = evsignal_new(s->base, SIGINT, server_signal_cb, s);
	s->ev_hup = evsignal_new(s->base, SIGHUP, server_signal_cb, s);
	event_add(s->ev_term, NULL);
	event_add(s->ev_int, NULL);
	event_add(s->ev_hup, NULL);
	wd = sdnotify_watchdog_usec();
	if (wd > 0) {
		struct timeval tv = { (time_t)(wd / 2 / 1000000), (suseconds_t)(wd / 2 % 1000000) };

		s->ev_watchdog = event_new(s->base, -1, EV_PERSIST, server_watchdog_cb, s);
		event_add(s->ev_watchdog, &tv);
		log_info("watchdog: pinging every %llu ms", (unsigned long long)(wd / 2000));
	}
	pg_start(s->pg);
	return s;
failed:
	server_free(s);
	return NULL;
}

int
server_run(struct server *s)
{
	event_base_dispatch(s->base);
	return s->exit_code;
}

void
server_free(struct server *s)
{
	if (s == NULL)
		return;
	if (s->ev_term != NULL)
		event_free(s->ev_term);
	if (s->ev_int != NULL)
		event_free(s->ev_int);
	if (s->ev_hup != NULL)
		event_free(s->ev_hup);
	if (s->ev_watchdog != NULL)
		event_free(s->ev_watchdog);
	if (s->ev_drain != NULL)
		event_free(s->ev_drain);
	if (s->ev_deadline != NULL)
		event_free(s->ev_deadline);
	if (s->sched != NULL)
		sched_stop(s->sched);
	/* Joins the threads and delivers their last results (to sched, to handlers). */
	worker_free(s->worker);
	sched_free(s->sched);
	/* Queries still queued complete with "unavailable" while the HTTP side can answer. */
	pg_free(s->pg);
	http_free(s->http);
	auth_free(s->auth);
	metrics_free(s->metrics);
	if (s->base != NULL)
		event_base_free(s->base);
	conf_free(&s->conf);
	free(s->conninfo);
	free(s->config_path);
	free(s);
}
