/* api_ops.c - GET /healthz and GET /metrics. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"
#include "metrics.h"
#include "pg.h"
#include "sched.h"
#include "strbuf.h"
#include "xmalloc.h"

#define API_HEALTHZ_TIMEOUT_S 5

/* A health check: answered by the query or by the timer, whichever is first. */
struct api_healthz {
	struct http_req *req;		/* NULL once answered */
	struct event *timer;
};

static void
api_healthz_answer(struct api_healthz *h, const struct err *err)
{
	cJSON *body = cJSON_CreateObject();

	http_req_enter(h->req);
	cJSON_AddStringToObject(body, "status", err ? "unavailable" : "ok");
	cJSON_AddStringToObject(body, "database", err ? "down" : "up");
	if (err != NULL) {
		log_info("health: %s", err->msg);
		http_req_add_header(h->req, "Retry-After", "5");
	}
	http_reply_json(h->req, err ? 503 : 200, body);
	h->req = NULL;
}

static void
api_healthz_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct api_healthz *h = arg;
	struct err err;

	(void)fd;
	(void)what;
	err_set(&err, ERR_KIND_UNAVAILABLE, "the database did not answer within %d s",
	    API_HEALTHZ_TIMEOUT_S);
	if (h->req != NULL)
		api_healthz_answer(h, &err);
}

/* The query always completes (or fails) eventually: this is where h ends. */
static void
api_healthz_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_healthz *h = arg;

	(void)res;
	if (h->req != NULL)
		api_healthz_answer(h, err);
	event_free(h->timer);
	free(h);
}

/*
 * 200 when the database answers a query now; 503 at once when the pool is
 * down, or after API_HEALTHZ_TIMEOUT_S when the query hangs.
 */
void
api_healthz(struct http_req *req, void *arg)
{
	struct api_env *env = arg;
	struct api_healthz *h = xcalloc(1, sizeof *h);
	struct timeval tv = { API_HEALTHZ_TIMEOUT_S, 0 };
	struct err err;

	h->req = req;
	h->timer = evtimer_new(env->base, api_healthz_timeout, h);
	if (pg_query(env->pg, "SELECT 1", 0, NULL, api_healthz_cb, h, &err) < 0) {
		api_healthz_answer(h, &err);
		event_free(h->timer);
		free(h);
		return;
	}
	evtimer_add(h->timer, &tv);
}

/* The families the daemon keeps, then gauges read from the pool and the database. */
struct api_metrics {
	struct http_req *req;
	struct api_env *env;
	struct strbuf out;
};

static void
api_metrics_finish(struct api_metrics *m)
{
	http_reply_raw(m->req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    strbuf_str(&m->out), m->out.len);
	strbuf_free(&m->out);
	free(m);
}

static void
api_metrics_db_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct api_metrics *m = arg;
	int header = 1;

	http_req_enter(m->req);
	if (err != NULL) {
		log_warn("metrics: database counts unavailable: %s", err->msg);
		api_metrics_finish(m);
		return;
	}
	/* Rows: (family, label value, count); family is "proposals" or "mentees". */
	for (int r = 0; r < PQntuples(res); r++) {
		const char *fam = PQgetvalue(res, r, 0);
		struct strbuf labels = STRBUF_INIT;
		bool prop = strcmp(fam, "proposals") == 0;

		strbuf_puts(&labels, "status=\"");
		metrics_label_escape(&labels, PQgetvalue(res, r, 1));
		strbuf_puts(&labels, "\"");
		if (r > 0 && strcmp(fam, PQgetvalue(res, r - 1, 0)) != 0)
			header = 1;
		metrics_render_sample(&m->out,
		    prop ? "sparkmatch_proposals" : "sparkmatch_mentees",
		    prop ? "Proposals in the database, by status." : "Mentees in the database, by status.",
		    "gauge", strbuf_str(&labels), strtod(PQgetvalue(res, r, 2), NULL), header);
		header = 0;
		strbuf_free(&labels);
	}
	api_metrics_finish(m);
}

void
api_metrics(struct http_req *req, void *arg)
{
	static const char sql[] =
	    "SELECT 'mentees', s, count(m.id) FROM unnest(ARRAY['waiting','proposed','matched','paused']) s"
	    " LEFT JOIN mentees m ON m.status = s GROUP BY s"
	    " UNION ALL "
	    "SELECT 'proposals', s, count(p.id) FROM unnest(ARRAY['pending-review','approved','sent',"
	    "'accepted','declined','expired','rejected']) s"
	    " LEFT JOIN proposals p ON p.status = s GROUP BY s"
	    " ORDER BY 1, 2";
	struct api_env *env = arg;
	struct api_metrics *m = xcalloc(1, sizeof *m);
	struct pg_stats st;
	struct err err;

	m->req = req;
	m->env = env;
	strbuf_init(&m->out);
	metrics_render(env->metrics, &m->out);
	pg_get_stats(env->pg, &st);
	metrics_render_sample(&m->out, "sparkmatch_db_up",
	    "1 while at least one database connection is up.", "gauge", "", st.conns_up > 0, 1);
	metrics_render_sample(&m->out, "sparkmatch_db_connections",
	    "Database query connections up.", "gauge", "", st.conns_up, 1);
	metrics_render_sample(&m->out, "sparkmatch_db_listening",
	    "1 while LISTEN is in effect.", "gauge", "", st.listening, 1);
	metrics_render_sample(&m->out, "sparkmatch_db_queries_waiting",
	    "Queries queued for a free connection.", "gauge", "", (double)st.queued, 1);
	metrics_render_sample(&m->out, "sparkmatch_http_connections",
	    "Open client connections.", "gauge", "", (double)http_connections(env->http), 1);
	metrics_render_sample(&m->out, "sparkmatch_run_active",
	    "1 while this daemon executes a matching run.", "gauge", "", sched_running(env->sched), 1);
	if (pg_query(env->pg, sql, 0, NULL, api_metrics_db_cb, m, &err) < 0)
		api_metrics_finish(m);
}
