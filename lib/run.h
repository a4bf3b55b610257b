/*
 * run.h - one matching run against the database.
 *
 * run_execute() loads who is waiting (one REPEATABLE READ snapshot), scores
 * and solves, and writes the run's proposals, the mentees' new status and
 * the run's statistics in ONE transaction, retrying on a serialization
 * conflict. At most one run executes at a time across every process on the
 * database: the executor holds an advisory lock, and the runs table admits
 * one queued-or-running row (INSERT ... ON CONFLICT DO NOTHING claims it).
 * A run left "running" by a process that died is marked failed by the next
 * executor, which knows it is orphaned because it holds the lock.
 *
 * Blocking libpq: call it from the CLI or a worker thread with its own
 * connection, never from an event loop.
 */
#ifndef SPARKMATCH_RUN_H
#define SPARKMATCH_RUN_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "cohort.h"
#include "conf.h"
#include "err.h"
#include "score.h"
#include "strbuf.h"

/*
 * Claim the run slot with a queued run: $1 mode, $2 trigger, $3 requested
 * by, $4 dry run ("true"/"false"). Returns the new id, or no row when a run
 * is already queued or running.
 */
extern const char run_queue_sql[];

struct run_request {
	enum conf_mode mode;
	bool dry_run;
	const char *trigger;		/* cli, api, schedule, arrival, notify */
	const char *requested_by;
	int64_t run_id;			/* > 0: execute this queued run */
	bool take_queued;		/* run_id == 0: execute the oldest queued run if any */
	bool record;			/* false: a preview that writes nothing at all */
};

/* The run slot, once claimed: which run, in which mode. */
struct run_claim {
	int64_t run_id;			/* 0 for a preview that records nothing */
	enum conf_mode mode;
	bool dry_run;
	bool taken_over;		/* it was a queued run, not a new one */
	char trigger[16];
	char requested_by[96];
};

struct run_pair {
	uint32_t mentee;		/* cohort indices */
	uint32_t mentor;
	int32_t score;
	int64_t proposal_id;		/* 0 when nothing was written */
};

struct run_report {
	int64_t run_id;			/* 0 when not recorded */
	enum conf_mode mode;
	bool dry_run;
	struct cohort *cohort;		/* owned: to print names and reasons */
	struct scorer *scorer;		/* owned */
	struct run_pair *pairs;		/* by mentee index */
	uint32_t npairs;
	uint32_t mentees_waiting;
	uint32_t mentors_available;	/* with free capacity */
	uint64_t capacity_available;
	uint64_t candidates;		/* pairs in the final candidate graph */
	uint32_t pricing_rounds;
	uint64_t priced_pairs;		/* pairs pricing added beyond the top-K/L lists */
	int64_t total_score;
	int32_t min_score, max_score;
	/* Stable mode: what the optimal matching would reach on the same data. */
	bool compared;
	uint32_t optimal_matched;
	int64_t optimal_total;
	double ms_load, ms_solve, ms_write, ms_total;
	double started;			/* monotonic ms when execution began */
};

/*
 * Claim the run slot: take the advisory lock (ERR_KIND_CONFLICT when another
 * process holds it), mark runs orphaned by dead processes failed, then start
 * the named queued run, or the oldest queued one (take_queued), or insert a
 * new running run. An API-triggered run is audited in the same statement.
 * A preview (record false) only takes the lock. On success the lock is held
 * until run_release().
 */
int run_claim(PGconn *conn, const struct conf *conf, const struct run_request *req,
    struct run_claim *claim, struct err *err) MUSTCHECK;

/*
 * Execute a claimed run: load, score, solve and write in one transaction
 * (retried on serialization conflicts), finishing the run as succeeded with
 * its statistics, or as failed with the reason. On success *out holds the
 * report (free with run_report_free).
 */
int run_execute_claimed(PGconn *conn, const struct conf *conf, const struct run_claim *claim,
    struct run_report **out, struct err *err) MUSTCHECK;

/* Release the lock taken by run_claim(). */
void run_release(PGconn *conn);

/* run_claim + run_execute_claimed + run_release. */
int run_execute(PGconn *conn, const struct conf *conf, const struct run_request *req,
    struct run_report **out, struct err *err) MUSTCHECK;
void run_report_free(struct run_report *r);

/* The statistics stored in runs.stats (caller deletes). */
cJSON *run_stats_json(const struct run_report *r);

/*
 * The report for people: each proposal with its reasons, why each unmatched
 * mentee is (which scores every mentor again for them), then the summary.
 */
void run_report_text(const struct run_report *r, struct strbuf *out);
/* The summary alone: counts, scores, timings, the run id. */
void run_report_summary(const struct run_report *r, struct strbuf *out);

#endif
