/* run.c - executing a matching run: claim, snapshot, solve, write, account. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cohortdb.h"
#include "db.h"
#include "log.h"
#include "match.h"
#include "xmalloc.h"

/* Held by whichever process is executing a run; any constant unique to us. */
#define RUN_LOCK_KEY "727002"
#define RUN_MAX_ATTEMPTS 3

const char run_queue_sql[] =
    "INSERT INTO runs (mode, trigger, requested_by, dry_run) "
    "VALUES ($1, $2, $3, $4::boolean) ON CONFLICT DO NOTHING RETURNING id";

/* An admin's request is an admin action: audited with the claim, in one statement. */
static const char run_insert_running_sql[] =
    "WITH r AS ("
    "  INSERT INTO runs (mode, trigger, requested_by, dry_run, status, started_at, parameters) "
    "  VALUES ($1, $2, $3, $4::boolean, 'running', now(), $5::jsonb) "
    "  ON CONFLICT DO NOTHING RETURNING id), "
    "a AS ("
    "  INSERT INTO audit_log (actor, action, target_type, target_id, details) "
    "  SELECT $3, 'run.start', 'run', r.id, jsonb_build_object('mode', $1::text, 'dry_run', $4::boolean) "
    "  FROM r WHERE $2 IN ('api', 'cli')) "
    "SELECT id FROM r";

/* $1: a run id, or NULL for the oldest queued run. */
static const char run_start_queued_sql[] =
    "UPDATE runs SET status = 'running', started_at = now(), parameters = $2::jsonb "
    "WHERE id = (SELECT id FROM runs WHERE status = 'queued' "
    "            AND ($1::bigint IS NULL OR id = $1::bigint) ORDER BY id LIMIT 1) "
    "RETURNING id, mode, dry_run, trigger, requested_by";

static const char run_orphans_sql[] =
    "UPDATE runs SET status = 'failed', finished_at = now(), "
    "outcome = 'interrupted: the process executing it stopped' "
    "WHERE status = 'running' RETURNING id";

static const char run_active_sql[] =
    "SELECT id, status FROM runs WHERE status IN ('queued', 'running')";

static const char run_write_sql[] =
    "WITH x AS ("
    "  SELECT * FROM jsonb_to_recordset($2::jsonb) "
    "  AS x(mentee_id bigint, mentor_id bigint, score integer, explanation jsonb)), "
    "ins AS ("
    "  INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation, status, expires_at) "
    "  SELECT $1::bigint, mentee_id, mentor_id, score, explanation, $3, now() + $4::interval "
    "  FROM x ORDER BY mentee_id RETURNING id, mentee_id), "
    "upd AS ("
    "  UPDATE mentees SET status = 'proposed', updated_at = now() "
    "  FROM ins WHERE mentees.id = ins.mentee_id RETURNING mentees.id) "
    "SELECT ins.id, ins.mentee_id, (SELECT count(*) FROM upd) FROM ins ORDER BY ins.mentee_id";

static const char run_finish_sql[] =
    "UPDATE runs SET status = 'succeeded', finished_at = now(), stats = $2::jsonb, outcome = $3 "
    "WHERE id = $1::bigint";

static const char run_fail_sql[] =
    "UPDATE runs SET status = 'failed', finished_at = now(), "
    "started_at = coalesce(started_at, now()), outcome = $2 "
    "WHERE id = $1::bigint AND status IN ('queued', 'running')";

static double
run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
run_report_free(struct run_report *r)
{
	if (r == NULL)
		return;
	scorer_free(r->scorer);
	cohort_free(r->cohort);
	free(r->pairs);
	free(r);
}

static const char *
run_mode_name(enum conf_mode m)
{
	return m == CONF_MODE_STABLE ? "stable" : "optimal";
}

/* The settings that decide the result, stored with the run. */
static cJSON *
run_parameters(const struct conf *c, enum conf_mode mode)
{
	cJSON *p = cJSON_CreateObject(), *s = cJSON_AddObjectToObject(p, "score");

	cJSON_AddStringToObject(p, "mode", run_mode_name(mode));
	cJSON_AddNumberToObject(p, "min_score", c->match_min_score);
	cJSON_AddStringToObject(p, "same_organisation",
	    c->match_forbid_same_organisation ? "forbid" : "allow");
	cJSON_AddBoolToObject(p, "require_approval", c->match_require_approval);
	cJSON_AddNumberToObject(p, "candidates_per_mentee", c->match_candidates_per_mentee);
	cJSON_AddNumberToObject(p, "candidates_per_mentor", c->match_candidates_per_mentor);
	cJSON_AddNumberToObject(s, "coverage", c->score_coverage);
	cJSON_AddNumberToObject(s, "both_families_bonus", c->score_both_families_bonus);
	cJSON_AddNumberToObject(s, "strong_level", c->score_strong_level);
	cJSON_AddNumberToObject(s, "tz_free_hours", c->score_tz_free_hours);
	cJSON_AddNumberToObject(s, "tz_penalty_per_hour", c->score_tz_penalty_per_hour);
	cJSON_AddNumberToObject(s, "support_priority", c->score_support_priority);
	cJSON_AddNumberToObject(s, "support_level", c->score_support_level);
	return p;
}

cJSON *
run_stats_json(const struct run_report *r)
{
	cJSON *s = cJSON_CreateObject(), *ms;

	cJSON_AddNumberToObject(s, "mentees_waiting", r->mentees_waiting);
	cJSON_AddNumberToObject(s, "mentors_available", r->mentors_available);
	cJSON_AddNumberToObject(s, "capacity_available", (double)r->capacity_available);
	cJSON_AddNumberToObject(s, "candidates", (double)r->candidates);
	cJSON_AddNumberToObject(s, "pricing_rounds", r->pricing_rounds);
	cJSON_AddNumberToObject(s, "priced_pairs", (double)r->priced_pairs);
	cJSON_AddNumberToObject(s, "matched", r->npairs);
	cJSON_AddNumberToObject(s, "unmatched", r->mentees_waiting - r->npairs);
	cJSON_AddNumberToObject(s, "total_score", (double)r->total_score);
	if (r->npairs > 0) {
		/* Integer mean, rounded half up: stats are as deterministic as the matching. */
		cJSON_AddNumberToObject(s, "mean_score",
		    (double)((r->total_score * 2 + r->npairs) / (2 * (int64_t)r->npairs)));
		cJSON_AddNumberToObject(s, "min_score", r->min_score);
		cJSON_AddNumberToObject(s, "max_score", r->max_score);
	}
	if (r->compared) {
		cJSON *o = cJSON_AddObjectToObject(s, "optimal");

		cJSON_AddNumberToObject(o, "matched", r->optimal_matched);
		cJSON_AddNumberToObject(o, "total_score", (double)r->optimal_total);
		cJSON_AddNumberToObject(o, "matches_given_up", (double)r->optimal_matched - r->npairs);
		cJSON_AddNumberToObject(o, "score_given_up", (double)(r->optimal_total - r->total_score));
	}
	ms = cJSON_AddObjectToObject(s, "milliseconds");
	cJSON_AddNumberToObject(ms, "load", (double)(int64_t)r->ms_load);
	cJSON_AddNumberToObject(ms, "solve", (double)(int64_t)r->ms_solve);
	cJSON_AddNumberToObject(ms, "write", (double)(int64_t)r->ms_write);
	cJSON_AddNumberToObject(ms, "total", (double)(int64_t)r->ms_total);
	return s;
}

/* Oracle for the matching engine: a mentee's scores against every mentor. */
static void
run_row(void *ctx, uint32_t mentee, int32_t *scores)
{
	scorer_row(ctx, mentee, scores);
}

/* Score and solve the loaded cohort into r->pairs. */
static int
run_solve(struct run_report *r, const struct conf *conf, struct err *err)
{
	uint32_t ne = cohort_mentee_count(r->cohort), nm = cohort_mentor_count(r->cohort);
	uint32_t *cap = xcalloc(nm ? nm : 1, sizeof *cap);
	struct match_opts opts;
	struct match_result *res = NULL;
	int rc = -1;

	const uint32_t *mentor_of;
	const struct match_stats *st;

	match_opts_init(&opts);
	opts.mode = r->mode == CONF_MODE_STABLE ? MATCH_MODE_STABLE : MATCH_MODE_OPTIMAL;
	opts.k_per_mentee = (uint32_t)conf->match_candidates_per_mentee;
	opts.l_per_mentor = (uint32_t)conf->match_candidates_per_mentor;
	opts.threads = conf->match_threads;
	/* A stable run reports what it gives up against the optimum. */
	opts.compare = r->mode == CONF_MODE_STABLE;
	for (uint32_t j = 0; j < nm; j++) {
		const struct cohort_person *m = cohort_mentor(r->cohort, j);

		cap[j] = m->used < m->capacity ? m->capacity - m->used : 0;
		r->capacity_available += cap[j];
		r->mentors_available += cap[j] > 0;
	}
	if (match_solve_oracle(ne, nm, cap, run_row, r->scorer, &opts, &res, err) < 0)
		goto done;
	r->pairs = xcalloc(ne ? ne : 1, sizeof *r->pairs);
	mentor_of = match_result_mentor_of(res);
	for (uint32_t i = 0; i < ne; i++) {
		uint32_t j = mentor_of[i];
		int32_t s;

		if (j == PROBLEM_NONE)
			continue;
		s = scorer_pair(r->scorer, i, j, NULL);
		r->pairs[r->npairs].mentee = i;
		r->pairs[r->npairs].mentor = j;
		r->pairs[r->npairs].score = s;
		r->total_score += s;
		if (r->npairs == 0 || s < r->min_score)
			r->min_score = s;
		if (r->npairs == 0 || s > r->max_score)
			r->max_score = s;
		r->npairs++;
	}
	if (r->total_score != match_result_total(res)) {
		err_set(err, ERR_KIND_INTERNAL, "scores disagree: engine total %lld, scorer %lld",
		    (long long)match_result_total(res), (long long)r->total_score);
		goto done;
	}
	st = match_result_stats(res);
	r->candidates = st->candidates;
	r->pricing_rounds = st->pricing_rounds;
	r->priced_pairs = st->priced_in;
	r->compared = st->compared && r->mode == CONF_MODE_STABLE;
	r->optimal_matched = st->optimal_matched;
	r->optimal_total = st->optimal_total;
	rc = 0;
done:
	match_result_free(res);
	free(cap);
	return rc;
}

/* The proposals as the JSON array run_write_sql reads. */
static char *
run_pairs_json(const struct run_report *r)
{
	cJSON *arr = cJSON_CreateArray();
	char *text;

	for (uint32_t k = 0; k < r->npairs; k++) {
		const struct run_pair *p = &r->pairs[k];
		cJSON *o = cJSON_CreateObject();
		struct score_explain e;

		scorer_explain(r->scorer, p->mentee, p->mentor, &e);
		cJSON_AddNumberToObject(o, "mentee_id", (double)cohort_mentee(r->cohort, p->mentee)->id);
		cJSON_AddNumberToObject(o, "mentor_id", (double)cohort_mentor(r->cohort, p->mentor)->id);
		cJSON_AddNumberToObject(o, "score", p->score);
		cJSON_AddItemToObject(o, "explanation", score_explain_json(r->scorer, &e));
		score_explain_release(&e);
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return text;
}

/* Write proposals, mentee status and statistics, inside the open transaction. */
static int
run_write(PGconn *conn, const struct conf *conf, struct run_report *r, double solved,
    struct err *err)
{
	char id[24], ttl[48], *pairs = NULL, *stats = NULL, outcome[160];
	const char *wp[4], *fp[3];
	PGresult *res = NULL;
	cJSON *sj;
	int rc = -1;

	snprintf(id, sizeof id, "%lld", (long long)r->run_id);
	if (!r->dry_run && r->npairs > 0) {
		pairs = run_pairs_json(r);
		snprintf(ttl, sizeof ttl, "%lld milliseconds", (long long)conf->match_proposal_ttl_ms);
		wp[0] = id;
		wp[1] = pairs;
		wp[2] = conf->match_require_approval ? "pending-review" : "approved";
		wp[3] = ttl;
		res = db_query(conn, run_write_sql, 4, wp, err);
		if (res == NULL) {
			err_prefix(err, "writing proposals: ");
			goto done;
		}
		if ((uint32_t)PQntuples(res) != r->npairs ||
		    strtoul(PQgetvalue(res, 0, 2), NULL, 10) != r->npairs) {
			err_set(err, ERR_KIND_CONFLICT, "mentees changed while the run was computed; retry");
			goto done;
		}
		/* Rows come back in mentee id order, which is cohort index order. */
		for (uint32_t k = 0; k < r->npairs; k++)
			r->pairs[k].proposal_id = strtoll(PQgetvalue(res, (int)k, 0), NULL, 10);
		PQclear(res);
		res = NULL;
	}
	/* The times stored with the run: everything but the final UPDATE and COMMIT. */
	r->ms_write = run_now_ms() - solved;
	r->ms_total = run_now_ms() - r->started;
	sj = run_stats_json(r);
	stats = cJSON_PrintUnformatted(sj);
	cJSON_Delete(sj);
	snprintf(outcome, sizeof outcome, "%s%u of %u waiting mentees matched",
	    r->dry_run ? "dry run: " : "", r->npairs, r->mentees_waiting);
	fp[0] = id;
	fp[1] = stats;
	fp[2] = outcome;
	res = db_query(conn, run_finish_sql, 3, fp, err);
	if (res == NULL)
		goto done;
	rc = 0;
done:
	PQclear(res);
	free(pairs);
	free(stats);
	return rc;
}

/* One attempt inside one snapshot: load, solve, write. */
static int
run_attempt(PGconn *conn, const struct conf *conf, struct run_report *r, struct err *err)
{
	struct score_params sp;
	double t0 = run_now_ms(), t1, t2;

	if (db_exec(conn, r->run_id > 0 ? "BEGIN ISOLATION LEVEL REPEATABLE READ" :
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err) < 0)
		return -1;
	r->cohort = cohortdb_load(conn, COHORTDB_WAITING, err);
	if (r->cohort == NULL)
		goto failed;
	score_params_from_conf(&sp, conf);
	r->scorer = scorer_new(r->cohort, &sp);
	r->mentees_waiting = cohort_mentee_count(r->cohort);
	t1 = run_now_ms();
	if (run_solve(r, conf, err) < 0)
		goto failed;
	t2 = run_now_ms();
	r->ms_load = t1 - t0;
	r->ms_solve = t2 - t1;
	if (r->run_id > 0 && run_write(conn, conf, r, t2, err) < 0)
		goto failed;
	if (db_exec(conn, r->run_id > 0 ? "COMMIT" : "ROLLBACK", err) < 0)
		goto failed;
	r->ms_write = run_now_ms() - t2;
	r->ms_total = run_now_ms() - r->started;
	return 0;
failed:
	db_rollback_quietly(conn);
	return -1;
}

/* Forget what a failed attempt computed, keeping the request's identity. */
static void
run_report_reset(struct run_report *r)
{
	struct run_report keep = { .run_id = r->run_id, .mode = r->mode, .dry_run = r->dry_run,
		.started = r->started };

	scorer_free(r->scorer);
	cohort_free(r->cohort);
	free(r->pairs);
	*r = keep;
}

/* Start a queued run (the named one, or the oldest); 1 if one was started, 0 if none. */
static int
run_take_queued(PGconn *conn, int64_t run_id, const char *params, struct run_claim *c,
    struct err *err)
{
	char id[24];
	const char *p[2] = { run_id > 0 ? id : NULL, params };
	PGresult *res;

	snprintf(id, sizeof id, "%lld", (long long)run_id);
	res = db_query(conn, run_start_queued_sql, 2, p, err);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	c->run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	c->mode = strcmp(PQgetvalue(res, 0, 1), "stable") == 0 ? CONF_MODE_STABLE : CONF_MODE_OPTIMAL;
	c->dry_run = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	c->taken_over = true;
	snprintf(c->trigger, sizeof c->trigger, "%s", PQgetvalue(res, 0, 3));
	snprintf(c->requested_by, sizeof c->requested_by, "%s", PQgetvalue(res, 0, 4));
	PQclear(res);
	return 1;
}

/* Insert a new running run; fails with a conflict naming the run holding the slot. */
static int
run_insert(PGconn *conn, const struct run_request *req, const char *params, struct run_claim *c,
    struct err *err)
{
	const char *p[5] = { run_mode_name(req->mode), req->trigger, req->requested_by,
		req->dry_run ? "true" : "false", params };
	PGresult *res = db_query(conn, run_insert_running_sql, 5, p, err);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		res = db_query(conn, run_active_sql, 0, NULL, err);
		if (res != NULL && PQntuples(res) > 0)
			err_set(err, ERR_KIND_CONFLICT, "run %s is %s; only one run at a time",
			    PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
		else if (res != NULL)
			err_set(err, ERR_KIND_CONFLICT, "another run took the slot; try again");
		PQclear(res);
		return -1;
	}
	c->run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int
run_claim(PGconn *conn, const struct conf *conf, const struct run_request *req,
    struct run_claim *c, struct err *err)
{
	PGresult *res;
	cJSON *pj;
	char *params;
	int got = 0;

	memset(c, 0, sizeof *c);
	c->mode = req->mode;
	c->dry_run = req->dry_run || !req->record;
	snprintf(c->trigger, sizeof c->trigger, "%s", req->trigger ? req->trigger : "");
	snprintf(c->requested_by, sizeof c->requested_by, "%s", req->requested_by ? req->requested_by : "");
	res = db_query(conn, "SELECT pg_try_advisory_lock(" RUN_LOCK_KEY ")", 0, NULL, err);
	if (res == NULL)
		return -1;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		res = db_query(conn, run_active_sql, 0, NULL, err);
		if (res != NULL && PQntuples(res) > 0)
			err_set(err, ERR_KIND_CONFLICT, "run %s is in progress", PQgetvalue(res, 0, 0));
		else if (res != NULL)
			err_set(err, ERR_KIND_CONFLICT, "a matching run is in progress in another process");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	/* We hold the lock, so nobody executes a "running" row: its owner is gone. */
	res = db_query(conn, run_orphans_sql, 0, NULL, err);
	if (res == NULL)
		goto failed;
	for (int k = 0; k < PQntuples(res); k++)
		log_warn("run %s was left running by a process that stopped; marked failed",
		    PQgetvalue(res, k, 0));
	PQclear(res);
	if (!req->record)
		return 0;
	pj = run_parameters(conf, req->mode);
	params = cJSON_PrintUnformatted(pj);
	cJSON_Delete(pj);
	if (req->run_id > 0 || req->take_queued)
		got = run_take_queued(conn, req->run_id, params, c, err);
	if (got == 0 && req->run_id > 0) {
		err_set(err, ERR_KIND_CONFLICT, "run %lld is not queued (already started, or no such run)",
		    (long long)req->run_id);
		got = -1;
	} else if (got == 0) {
		got = run_insert(conn, req, params, c, err);
	}
	free(params);
	if (got < 0)
		goto failed;
	return 0;
failed:
	run_release(conn);
	return -1;
}

void
run_release(PGconn *conn)
{
	PQclear(PQexec(conn, "SELECT pg_advisory_unlock(" RUN_LOCK_KEY ")"));
}

static void
run_mark_failed(PGconn *conn, int64_t run_id, const char *why)
{
	char id[24];
	const char *p[2] = { id, why };
	struct err err;
	PGresult *res;

	snprintf(id, sizeof id, "%lld", (long long)run_id);
	res = db_query(conn, run_fail_sql, 2, p, &err);
	if (res == NULL)
		log_error("run %lld: could not record its failure: %s", (long long)run_id, err.msg);
	PQclear(res);
}

int
run_execute_claimed(PGconn *conn, const struct conf *conf, const struct run_claim *c,
    struct run_report **out, struct err *err)
{
	struct run_report *r = xcalloc(1, sizeof *r);

	*out = NULL;
	r->started = run_now_ms();
	r->run_id = c->run_id;
	r->mode = c->mode;
	r->dry_run = c->dry_run;
	for (int attempt = 1;; attempt++) {
		if (run_attempt(conn, conf, r, err) == 0)
			break;
		if (err->kind != ERR_KIND_CONFLICT || attempt == RUN_MAX_ATTEMPTS) {
			if (r->run_id > 0)
				run_mark_failed(conn, r->run_id, err->msg);
			run_report_free(r);
			return -1;
		}
		log_info("run %lld: %s; attempt %d of %d", (long long)r->run_id, err->msg, attempt + 1,
		    RUN_MAX_ATTEMPTS);
		run_report_reset(r);
	}
	*out = r;
	return 0;
}

int
run_execute(PGconn *conn, const struct conf *conf, const struct run_request *req,
    struct run_report **out, struct err *err)
{
	struct run_claim c;
	int rc;

	*out = NULL;
	if (run_claim(conn, conf, req, &c, err) < 0)
		return -1;
	rc = run_execute_claimed(conn, conf, &c, out, err);
	run_release(conn);
	return rc;
}

/* Why a mentee got nobody: no eligible mentor at all, or all of them taken. */
static void
run_unmatched_reason(const struct run_report *r, uint32_t i, int32_t *row, struct strbuf *out)
{
	uint32_t nm = cohort_mentor_count(r->cohort), eligible = 0;

	scorer_row(r->scorer, i, row);
	for (uint32_t j = 0; j < nm; j++)
		eligible += row[j] > 0;
	if (eligible == 0)
		strbuf_puts(out, "no eligible mentor (no shared language, a rule, or every score below the minimum)");
	else
		strbuf_printf(out, "%u eligible mentor%s, all full: %s", eligible, eligible == 1 ? "" : "s",
		    r->mode == CONF_MODE_STABLE ? "each prefers the mentees it has" :
		    "their places went where they matched more mentees or fitted better");
}

void
run_report_text(const struct run_report *r, struct strbuf *out)
{
	uint32_t ne = cohort_mentee_count(r->cohort), k = 0;
	int32_t *row = xcalloc(cohort_mentor_count(r->cohort) + 1, sizeof *row);

	for (uint32_t p = 0; p < r->npairs; p++) {
		const struct run_pair *pr = &r->pairs[p];
		const struct cohort_person *e = cohort_mentee(r->cohort, pr->mentee);
		const struct cohort_person *m = cohort_mentor(r->cohort, pr->mentor);
		struct score_explain ex;

		scorer_explain(r->scorer, pr->mentee, pr->mentor, &ex);
		if (pr->proposal_id > 0)
			strbuf_printf(out, "#%-5lld ", (long long)pr->proposal_id);
		strbuf_printf(out, "%s (%s) -> %s (%s), score %d\n        ", e->name, e->external_id,
		    m->name, m->external_id, pr->score);
		score_explain_text(r->scorer, &ex, false, "", out);
		strbuf_putc(out, '\n');
		score_explain_release(&ex);
	}
	for (uint32_t i = 0; i < ne; i++) {
		if (k < r->npairs && r->pairs[k].mentee == i) {
			k++;
			continue;
		}
		strbuf_printf(out, "unmatched: %s (%s): ", cohort_mentee(r->cohort, i)->name,
		    cohort_mentee(r->cohort, i)->external_id);
		run_unmatched_reason(r, i, row, out);
		strbuf_putc(out, '\n');
	}
	free(row);
	strbuf_putc(out, '\n');
	run_report_summary(r, out);
}

void
run_report_summary(const struct run_report *r, struct strbuf *out)
{
	strbuf_printf(out, "%s matching: %u of %u waiting mentees matched, %u mentors "
	    "with %llu free places; total score %lld",
	    run_mode_name(r->mode), r->npairs, r->mentees_waiting,
	    r->mentors_available, (unsigned long long)r->capacity_available, (long long)r->total_score);
	if (r->npairs > 0)
		strbuf_printf(out, ", mean %lld, lowest %d",
		    (long long)((r->total_score * 2 + r->npairs) / (2 * (int64_t)r->npairs)), r->min_score);
	strbuf_printf(out, ".\n");
	if (r->compared)
		strbuf_printf(out, "stable matching gives up %lld matches and %lld points against the "
		    "optimal matching (%u matched, total %lld).\n",
		    (long long)r->optimal_matched - r->npairs, (long long)(r->optimal_total - r->total_score),
		    r->optimal_matched, (long long)r->optimal_total);
	strbuf_printf(out, "candidate pairs %llu (pricing: %u round%s, %llu pair%s added); "
	    "load %.0f ms, solve %.0f ms, write %.0f ms.\n", (unsigned long long)r->candidates,
	    r->pricing_rounds, r->pricing_rounds == 1 ? "" : "s", (unsigned long long)r->priced_pairs,
	    r->priced_pairs == 1 ? "" : "s", r->ms_load, r->ms_solve, r->ms_write);
	if (r->run_id > 0)
		strbuf_printf(out, "%s run %lld.\n", r->dry_run ? "recorded dry" : "recorded", (long long)r->run_id);
	else
		strbuf_printf(out, "dry run: nothing was written.\n");
}
