/* worker.c - worker threads that hand results back to the loop. */
#include "worker.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "db.h"
#include "log.h"
#include "xmalloc.h"

#define WORKER_QUEUE_MAX 256

struct worker_item {
	STAILQ_ENTRY(worker_item) entry;
	worker_fn *fn;			/* jobs */
	worker_loop_fn *loop_fn;	/* posts and completions */
	void *arg;
	bool completion;
};

STAILQ_HEAD(worker_list, worker_item);

struct worker_ctx {
	struct worker *w;
	int index;
	pthread_t thread;
	PGconn *conn;
};

struct worker {
	struct event_base *base;
	char *conninfo;
	int nthreads;
	struct worker_ctx *threads;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct worker_list jobs;	/* waiting for a thread (guarded by lock) */
	size_t njobs;
	struct worker_list posted;	/* waiting for the loop (guarded by lock) */
	struct event wake;		/* activated from threads */
	bool stopping;
	size_t busy;			/* loop thread only */
};

/* Run what the threads have posted, in order, on the loop thread. */
static void
worker_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct worker_list todo;
	struct worker_item *it;

	(void)fd;
	(void)what;
	STAILQ_INIT(&todo);
	pthread_mutex_lock(&w->lock);
	STAILQ_CONCAT(&todo, &w->posted);
	pthread_mutex_unlock(&w->lock);
	while ((it = STAILQ_FIRST(&todo)) != NULL) {
		STAILQ_REMOVE_HEAD(&todo, entry);
		if (it->completion)
			w->busy--;
		if (it->loop_fn != NULL)
			it->loop_fn(it->arg);
		log_set_context(NULL);
		free(it);
	}
}

static void
worker_post_item(struct worker *w, worker_loop_fn *fn, void *arg, bool completion)
{
	struct worker_item *it = xcalloc(1, sizeof *it);

	it->loop_fn = fn;
	it->arg = arg;
	it->completion = completion;
	pthread_mutex_lock(&w->lock);
	STAILQ_INSERT_TAIL(&w->posted, it, entry);
	pthread_mutex_unlock(&w->lock);
	event_active(&w->wake, EV_TIMEOUT, 0);
}

void
worker_post(struct worker_ctx *ctx, worker_loop_fn *fn, void *arg)
{
	worker_post_item(ctx->w, fn, arg, false);
}

/*
 * A server that went away since the last job left its goodbye and EOF on the
 * socket: reading what is there (without blocking) shows it, so the job starts
 * on a fresh connection instead of failing on a dead one.
 */
static bool
worker_conn_alive(PGconn *conn)
{
	struct pollfd pfd = { PQsocket(conn), POLLIN, 0 };

	for (int i = 0; i < 8 && PQstatus(conn) == CONNECTION_OK; i++) {
		if (poll(&pfd, 1, 0) <= 0)
			break;
		if (!PQconsumeInput(conn))
			return false;
	}
	return PQstatus(conn) == CONNECTION_OK;
}

PGconn *
worker_db(struct worker_ctx *ctx, struct err *err)
{
	char app[32];

	if (ctx->conn != NULL && worker_conn_alive(ctx->conn))
		return ctx->conn;
	if (ctx->conn != NULL)
		PQfinish(ctx->conn);
	snprintf(app, sizeof app, "sparkmatchd-worker-%d", ctx->index);
	ctx->conn = db_connect(ctx->w->conninfo, app, err);
	return ctx->conn;
}

static void *
worker_main(void *arg)
{
	struct worker_ctx *ctx = arg;
	struct worker *w = ctx->w;
	sigset_t all;

	/* Signals belong to the loop thread (libevent's handler). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct worker_item *it;

		pthread_mutex_lock(&w->lock);
		while (STAILQ_EMPTY(&w->jobs) && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		it = STAILQ_FIRST(&w->jobs);
		if (it == NULL) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		STAILQ_REMOVE_HEAD(&w->jobs, entry);
		w->njobs--;
		pthread_mutex_unlock(&w->lock);
		it->fn(ctx, it->arg);
		log_set_context(NULL);
		worker_post_item(w, it->loop_fn, it->arg, true);
		free(it);
	}
	if (ctx->conn != NULL)
		PQfinish(ctx->conn);
	ctx->conn = NULL;
	return NULL;
}

struct worker *
worker_new(struct event_base *base, const char *conninfo, int nthreads)
{
	struct worker *w = xcalloc(1, sizeof *w);

	w->base = base;
	w->conninfo = xstrdup(conninfo);
	w->nthreads = nthreads > 0 ? nthreads : 1;
	w->threads = xcalloc((size_t)w->nthreads, sizeof *w->threads);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	STAILQ_INIT(&w->jobs);
	STAILQ_INIT(&w->posted);
	event_assign(&w->wake, base, -1, 0, worker_wake_cb, w);
	for (int i = 0; i < w->nthreads; i++) {
		w->threads[i].w = w;
		w->threads[i].index = i;
		if (pthread_create(&w->threads[i].thread, NULL, worker_main, &w->threads[i]) != 0) {
			fprintf(stderr, "fatal: cannot start a worker thread\n");
			abort();
		}
	}
	return w;
}

void
worker_free(struct worker *w)
{
	struct worker_item *it;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i].thread, NULL);
	/* Deliver what the threads said last, so nothing they own is lost. */
	worker_wake_cb(-1, 0, w);
	event_del(&w->wake);
	while ((it = STAILQ_FIRST(&w->jobs)) != NULL) {
		STAILQ_REMOVE_HEAD(&w->jobs, entry);
		free(it);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->threads);
	free(w->conninfo);
	free(w);
}

int
worker_submit(struct worker *w, worker_fn *fn, worker_loop_fn *done, void *arg, struct err *err)
{
	struct worker_item *it;

	pthread_mutex_lock(&w->lock);
	if (w->njobs >= WORKER_QUEUE_MAX || w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return err_set(err, ERR_KIND_UNAVAILABLE, "too much background work queued");
	}
	it = xcalloc(1, sizeof *it);
	it->fn = fn;
	it->loop_fn = done;
	it->arg = arg;
	STAILQ_INSERT_TAIL(&w->jobs, it, entry);
	w->njobs++;
	w->busy++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

size_t
worker_busy(const struct worker *w)
{
	return w->busy;
}
