/* sched.c - scheduled, triggered and requested matching runs, one at a time. */
#include "sched.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "pg.h"
#include "run.h"
#include "worker.h"
#include "xmalloc.h"

/*
 * What the scheduler is doing. Wake-ups that arrive while it is busy set
 * `recheck`, so one more look happens afterwards rather than one per wake-up.
 */
enum sched_state {
	SCHED_IDLE = 0,		/* nothing in flight */
	SCHED_CHECKING,		/* asking the database whether sign-ups arrived since the last run */
	SCHED_CLAIMING,		/* a run job is on a worker thread, not claimed yet */
	SCHED_RUNNING,		/* a claimed run is executing */
};

static const char *const sched_state_names[] = { "idle", "checking", "claiming", "running" };

struct sched {
	struct event_base *base;
	struct pg *pg;
	struct worker *worker;
	struct metrics *metrics;
	struct conf conf;		/* the [schedule] and [match] keys in force */

	enum sched_state state;
	bool recheck;			/* woken while busy: look again when done */
	bool ignore_check;		/* a request overtook the check in flight */
	const char *wake_trigger;	/* "arrival" or "notify": what woke the check */
	long long run_id;		/* while RUNNING */
	bool stopping;

	struct event interval;
	struct event daily;
	struct event poll;
};

/* One run attempt, from request to finish. */
struct sched_job {
	struct sched *s;
	char trigger[16];
	char *requested_by;
	enum conf_mode mode;
	bool dry_run;
	struct conf conf;		/* the settings in force when it was requested (a copy: reloads happen) */
	sched_claimed_cb *cb;
	void *arg;
	/* Filled on the worker thread. */
	bool claimed;
	long long run_id;
	struct err err;			/* why it was not claimed, or why it failed */
	bool ok;
	bool taken_over;		/* a run another program queued */
	double seconds;
	uint32_t matched, waiting;
};

static void sched_wake(struct sched *s, const char *trigger);

static void
sched_set_state(struct sched *s, enum sched_state st)
{
	if (s->state != st)
		log_debug("sched: %s -> %s", sched_state_names[s->state], sched_state_names[st]);
	s->state = st;
}

static double
sched_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
sched_mode_name(enum conf_mode m)
{
	return m == CONF_MODE_STABLE ? "stable" : "optimal";
}

/* ---- the worker thread's side ---- */

static void
sched_claimed_loop(void *arg);

/*
 * Claim the run slot and execute the run with lib/run, which owns the
 * protocol (advisory lock, unique active row, orphaned runs closed, queued
 * runs taken over) shared with `sparkmatch run`.
 */
static void
sched_job_fn(struct worker_ctx *ctx, void *arg)
{
	struct sched_job *job = arg;
	struct run_request req = {
		.mode = job->mode, .dry_run = job->dry_run, .trigger = job->trigger,
		.requested_by = job->requested_by, .take_queued = true, .record = true,
	};
	struct run_claim claim;
	struct run_report *rep = NULL;
	char ctxname[32];
	double start;
	PGconn *conn;

	log_set_context("run");
	conn = worker_db(ctx, &job->err);
	if (conn == NULL || run_claim(conn, &job->conf, &req, &claim, &job->err) < 0) {
		worker_post(ctx, sched_claimed_loop, job);
		return;
	}
	job->claimed = true;
	job->run_id = claim.run_id;
	job->mode = claim.mode;
	job->dry_run = claim.dry_run;
	job->taken_over = claim.taken_over;
	if (claim.taken_over) {
		snprintf(job->trigger, sizeof job->trigger, "%s", claim.trigger);
		free(job->requested_by);
		job->requested_by = xstrdup(claim.requested_by);
	}
	snprintf(ctxname, sizeof ctxname, "run=%lld", job->run_id);
	log_set_context(ctxname);
	worker_post(ctx, sched_claimed_loop, job);

	start = sched_now();
	job->ok = run_execute_claimed(conn, &job->conf, &claim, &rep, &job->err) == 0;
	job->seconds = sched_now() - start;
	if (job->ok) {
		job->matched = rep->npairs;
		job->waiting = rep->mentees_waiting;
	}
	run_report_free(rep);
	run_release(conn);
}

/* ---- the loop's side ---- */

static void
sched_job_free(struct sched_job *job)
{
	free(job->requested_by);
	conf_free(&job->conf);
	free(job);
}

static void
sched_claimed_loop(void *arg)
{
	struct sched_job *job = arg;
	struct sched *s = job->s;

	if (job->claimed) {
		sched_set_state(s, SCHED_RUNNING);
		s->run_id = job->run_id;
		if (job->taken_over)
			log_info("run %lld (queued by %s, %s) taken over", job->run_id, job->trigger,
			    job->requested_by[0] ? job->requested_by : "unknown");
		log_info("run %lld started (%s, %s%s%s%s)", job->run_id, job->trigger,
		    sched_mode_name(job->mode), job->dry_run ? ", dry run" : "",
		    job->requested_by[0] ? ", by " : "", job->requested_by);
	} else if (job->err.kind == ERR_KIND_CONFLICT) {
		log_info("run (%s) not started: %s", job->trigger, job->err.msg);
	} else {
		log_warn("run (%s) not started: %s", job->trigger, job->err.msg);
	}
	if (job->cb != NULL)
		job->cb(job->arg, job->claimed ? job->run_id : 0, job->claimed ? NULL : &job->err);
	job->cb = NULL;
}

static void
sched_done_loop(void *arg)
{
	struct sched_job *job = arg;
	struct sched *s = job->s;

	if (job->claimed) {
		if (job->ok)
			log_info("run %lld succeeded in %.3f s: %u of %u waiting mentees matched%s",
			    job->run_id, job->seconds, job->matched, job->waiting,
			    job->dry_run ? " (dry run)" : "");
		else
			log_error("run %lld failed after %.3f s: %s", job->run_id, job->seconds, job->err.msg);
		metrics_run(s->metrics, job->trigger, job->ok ? "succeeded" : "failed", job->seconds);
	}
	s->run_id = 0;
	sched_set_state(s, SCHED_IDLE);
	sched_job_free(job);
	if (s->recheck && !s->stopping) {
		s->recheck = false;
		sched_wake(s, s->wake_trigger ? s->wake_trigger : "notify");
	}
}

/* Hand a run attempt to a worker thread. */
static int
sched_start(struct sched *s, const struct sched_request *rq, sched_claimed_cb *cb, void *arg,
    struct err *err)
{
	struct sched_job *job = xcalloc(1, sizeof *job);

	job->s = s;
	snprintf(job->trigger, sizeof job->trigger, "%s", rq->trigger);
	job->requested_by = xstrdup(rq->requested_by ? rq->requested_by : "");
	job->mode = rq->mode;
	job->dry_run = rq->dry_run;
	conf_copy(&job->conf, &s->conf);
	job->cb = cb;
	job->arg = arg;
	err_clear(&job->err);
	if (worker_submit(s->worker, sched_job_fn, sched_done_loop, job, err) < 0) {
		sched_job_free(job);
		return -1;
	}
	if (s->state == SCHED_CHECKING)
		s->ignore_check = true;
	sched_set_state(s, SCHED_CLAIMING);
	return 0;
}

/* A run nobody waits for (schedule, arrivals). */
static void
sched_start_quietly(struct sched *s, const char *trigger)
{
	struct sched_request rq = { trigger, "", s->conf.match_mode, false };
	struct err err;

	if (sched_start(s, &rq, NULL, NULL, &err) < 0)
		log_warn("run (%s) not started: %s", trigger, err.msg);
}

static void
sched_check_cb(void *arg, const PGresult *res, const struct err *err)
{
	struct sched *s = arg;
	bool pending, queued;

	if (s->state != SCHED_CHECKING || s->ignore_check) {
		s->ignore_check = false;
		return;
	}
	sched_set_state(s, SCHED_IDLE);
	if (s->stopping)
		return;
	if (err != NULL) {
		log_warn("sched: cannot look for new sign-ups: %s", err->msg);
		return;
	}
	pending = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	queued = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	if (queued) {
		sched_start_quietly(s, "notify");
	} else if (pending && s->conf.schedule_match_on_arrival) {
		log_info("sched: sign-ups arrived since the last run; matching");
		sched_start_quietly(s, s->wake_trigger ? s->wake_trigger : "notify");
	}
}

/*
 * Ask whether anyone started waiting (or a mentor became available) since
 * the last run started, and whether another program queued a run.
 */
static void
sched_wake(struct sched *s, const char *trigger)
{
	static const char sql[] =
	    "SELECT EXISTS (SELECT 1 FROM mentees WHERE status = 'waiting' AND updated_at > l.t)"
	    "    OR EXISTS (SELECT 1 FROM mentors WHERE status = 'active' AND updated_at > l.t),"
	    " EXISTS (SELECT 1 FROM runs WHERE status = 'queued')"
	    " FROM (SELECT coalesce(max(started_at), '-infinity') AS t FROM runs"
	    "       WHERE status IN ('succeeded', 'failed')) l";
	struct err err;

	if (s->stopping)
		return;
	s->wake_trigger = trigger;
	if (s->state != SCHED_IDLE) {
		s->recheck = true;
		return;
	}
	if (!pg_is_up(s->pg))
		return;	/* looked at again once LISTEN is back */
	if (pg_query(s->pg, sql, 0, NULL, sched_check_cb, s, &err) < 0) {
		log_warn("sched: cannot look for new sign-ups: %s", err.msg);
		return;
	}
	s->ignore_check = false;
	sched_set_state(s, SCHED_CHECKING);
}

static void
sched_interval_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sched *s = arg;

	(void)fd;
	(void)what;
	if (s->stopping)
		return;
	if (s->state == SCHED_CLAIMING || s->state == SCHED_RUNNING) {
		log_info("sched: a run is in progress; skipping this scheduled one");
		return;
	}
	sched_start_quietly(s, "schedule");
}

static void
sched_arm_daily(struct sched *s)
{
	struct timeval tv = { 0, 0 };

	if (s->conf.schedule_daily_minute < 0 || s->stopping)
		return;
	tv.tv_sec = conf_daily_wait(s->conf.schedule_daily_minute, time(NULL));
	evtimer_add(&s->daily, &tv);
}

static void
sched_daily_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sched *s = arg;

	sched_interval_cb(fd, what, arg);
	sched_arm_daily(s);
}

static void
sched_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sched_wake(arg, "notify");
}

static void
sched_ms(struct timeval *tv, int64_t ms)
{
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

void
sched_configure(struct sched *s, const struct conf *c)
{
	struct timeval tv;

	conf_free(&s->conf);
	conf_copy(&s->conf, c);
	event_del(&s->interval);
	event_del(&s->daily);
	event_del(&s->poll);
	if (s->stopping)
		return;
	if (c->schedule_interval_ms > 0) {
		sched_ms(&tv, c->schedule_interval_ms);
		event_add(&s->interval, &tv);
	}
	sched_arm_daily(s);
	/* Polled whether or not runs follow arrivals: runs queued by other programs too. */
	sched_ms(&tv, c->schedule_poll_interval_ms);
	event_add(&s->poll, &tv);
	log_debug("sched: interval %lld ms, daily at %d, match on arrival %s, poll %lld ms",
	    (long long)c->schedule_interval_ms, c->schedule_daily_minute,
	    c->schedule_match_on_arrival ? "on" : "off", (long long)c->schedule_poll_interval_ms);
}

struct sched *
sched_new(struct event_base *base, struct pg *pg, struct worker *worker, struct metrics *metrics,
    const struct conf *c)
{
	struct sched *s = xcalloc(1, sizeof *s);

	s->base = base;
	s->pg = pg;
	s->worker = worker;
	s->metrics = metrics;
	conf_defaults(&s->conf);
	event_assign(&s->interval, base, -1, EV_PERSIST, sched_interval_cb, s);
	evtimer_assign(&s->daily, base, sched_daily_cb, s);
	event_assign(&s->poll, base, -1, EV_PERSIST, sched_poll_cb, s);
	sched_configure(s, c);
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	event_del(&s->interval);
	event_del(&s->daily);
	event_del(&s->poll);
	conf_free(&s->conf);
	free(s);
}

void
sched_stop(struct sched *s)
{
	s->stopping = true;
	event_del(&s->interval);
	event_del(&s->daily);
	event_del(&s->poll);
}

bool
sched_running(const struct sched *s)
{
	return s->state == SCHED_CLAIMING || s->state == SCHED_RUNNING;
}

int
sched_request(struct sched *s, const struct sched_request *rq, sched_claimed_cb *cb, void *arg,
    struct err *err)
{
	if (s->stopping)
		return err_set(err, ERR_KIND_UNAVAILABLE, "the daemon is shutting down");
	if (s->state == SCHED_RUNNING)
		return err_set(err, ERR_KIND_CONFLICT, "run %lld is in progress", s->run_id);
	if (s->state == SCHED_CLAIMING)
		return err_set(err, ERR_KIND_CONFLICT, "a run is starting");
	if (!pg_is_up(s->pg))
		return err_set(err, ERR_KIND_UNAVAILABLE, "the database is unavailable");
	return sched_start(s, rq, cb, arg, err);
}

void
sched_arrival(struct sched *s)
{
	if (s->conf.schedule_match_on_arrival)
		sched_wake(s, "arrival");
}

void
sched_notify(struct sched *s, const char *channel)
{
	if (strcmp(channel, "sparkmatch_run") == 0)
		sched_wake(s, "notify");
	else if (s->conf.schedule_match_on_arrival)
		sched_wake(s, "notify");
}

void
sched_listening(struct sched *s)
{
	sched_wake(s, "notify");
}
