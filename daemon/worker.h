/*
 * worker.h - threads for work that must not run on the event loop: matching
 * runs and score explanations (CPU-heavy, with blocking libpq on the
 * thread's own connection).
 *
 * A job runs on a worker thread; anything it wants to say to the loop (a
 * run has been claimed, the job is done) is handed back with event_active()
 * and runs on the loop thread. The loop never waits for a worker.
 */
#ifndef SPARKMATCH_WORKER_H
#define SPARKMATCH_WORKER_H

#include <libpq-fe.h>
#include <stddef.h>

#include "attrs.h"
#include "err.h"

struct event_base;
struct worker;
struct worker_ctx;

/* A job's body; runs on a worker thread. */
typedef void worker_fn(struct worker_ctx *ctx, void *arg);
/* Something to run on the loop thread. */
typedef void worker_loop_fn(void *arg);

/*
 * nthreads threads connecting with conninfo (copied) on first use. The
 * event base must have been created after evthread_use_pthreads().
 */
struct worker *worker_new(struct event_base *base, const char *conninfo, int nthreads);

/* Wait for running jobs to finish, stop the threads and free. NULL is a no-op. */
void worker_free(struct worker *w);

/*
 * Queue fn(ctx, arg) for a thread; done(arg) runs on the loop once fn has
 * returned (and after everything fn posted). Returns -1 with err
 * (ERR_KIND_UNAVAILABLE) when the queue is full.
 */
int worker_submit(struct worker *w, worker_fn *fn, worker_loop_fn *done, void *arg,
    struct err *err) MUSTCHECK;

/* Jobs queued or running (loop thread). */
size_t worker_busy(const struct worker *w);

/*
 * On a worker thread: the thread's connection, (re)connected as needed.
 * Returns NULL with err filled (ERR_KIND_UNAVAILABLE) when it cannot connect.
 */
PGconn *worker_db(struct worker_ctx *ctx, struct err *err) MUSTCHECK;

/* On a worker thread: run fn(arg) on the loop thread soon. */
void worker_post(struct worker_ctx *ctx, worker_loop_fn *fn, void *arg);

#endif
