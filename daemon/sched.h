/*
 * sched.h - when matching runs happen, and making sure only one happens at
 * a time across every daemon (and command line) on the database.
 *
 * Runs start on request (POST /v1/runs), on a schedule (schedule.interval,
 * schedule.daily_at), and, with schedule.match_on_arrival, when sign-ups
 * arrived since the last run: told by the sign-up handler, woken by NOTIFY
 * for rows other programs write, checked again after every reconnect and
 * every schedule.poll_interval in case a notification was missed. A run
 * queued in the runs table by another program (NOTIFY sparkmatch_run) is
 * picked up too.
 *
 * A run executes on a worker thread with its own connection. It first
 * claims the database's single active-run slot: a session advisory lock
 * (held for the whole run, so a crashed owner releases it) and then the
 * runs table's unique "active" index (INSERT ... ON CONFLICT DO NOTHING).
 * Holding the lock, an active row nobody holds is known to be abandoned and
 * is closed as failed.
 */
#ifndef SPARKMATCH_SCHED_H
#define SPARKMATCH_SCHED_H

#include <stdbool.h>

#include "attrs.h"
#include "conf.h"
#include "err.h"

struct event_base;
struct metrics;
struct pg;
struct sched;
struct worker;

struct sched_request {
	const char *trigger;		/* "api", "schedule", "arrival", "notify" */
	const char *requested_by;	/* the token name, or "" */
	enum conf_mode mode;
	bool dry_run;
};

/*
 * Told once the run is claimed (run_id > 0, err NULL) or refused (err:
 * ERR_KIND_CONFLICT when a run is active elsewhere, ERR_KIND_UNAVAILABLE
 * when the database is unreachable). Runs on the loop thread.
 */
typedef void sched_claimed_cb(void *arg, long long run_id, const struct err *err);

struct sched *sched_new(struct event_base *base, struct pg *pg, struct worker *worker,
    struct metrics *metrics, const struct conf *c);
void sched_free(struct sched *s);

/* Apply the [schedule] and [match] keys of a new configuration (re-arms the timers). */
void sched_configure(struct sched *s, const struct conf *c);

/* Start no more runs (shutdown); a run in progress finishes. */
void sched_stop(struct sched *s);

/* Whether this daemon is executing (or claiming) a run now. */
bool sched_running(const struct sched *s);

/*
 * Start a run now. Returns -1 with err (ERR_KIND_CONFLICT naming the run in
 * progress here, ERR_KIND_UNAVAILABLE when stopping) without calling cb;
 * otherwise cb is called later, exactly once.
 */
int sched_request(struct sched *s, const struct sched_request *rq, sched_claimed_cb *cb,
    void *arg, struct err *err) MUSTCHECK;

/* A sign-up was applied (by this daemon's API). */
void sched_arrival(struct sched *s);

/* A notification arrived on one of the channels the daemon listens to. */
void sched_notify(struct sched *s, const char *channel);

/* LISTEN is (again) in effect, or queries can be sent again: look for what may have been missed. */
void sched_listening(struct sched *s);

#endif
