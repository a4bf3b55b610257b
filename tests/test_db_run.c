/*
 * test_db_run.c - matching runs against a real database: what a run writes
 * (one transaction), dry runs write nothing, the result equals the optimum
 * over ALL pairs, hard rules and capacities hold, stable runs have no
 * blocking pair, runs are incremental and deterministic, and only one runs
 * at a time.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohortdb.h"
#include "match.h"
#include "proc.h"
#include "run.h"
#include "score.h"
#include "testdb.h"
#include "xmalloc.h"

static struct run_report *
do_run(PGconn *conn, const struct conf *conf, enum conf_mode mode, bool record, bool dry)
{
	struct run_request req = { .mode = mode, .dry_run = dry, .trigger = "cli",
		.requested_by = "test", .record = record };
	struct run_report *rep = NULL;
	struct err err;

	cr_assert_eq(run_execute(conn, conf, &req, &rep, &err), 0, "%s", err.msg);
	return rep;
}

/* The optimum over every allowed pair of the waiting cohort, solved without pricing. */
static void
dense_optimum(PGconn *conn, const struct conf *conf, uint32_t *matched, int64_t *total)
{
	struct err err;
	struct cohort *c;
	struct scorer *s;
	struct score_params sp;
	struct problem_builder *b;
	struct problem *p = NULL;
	struct match_result *res = NULL;
	struct match_opts o;
	int32_t *row;

	c = cohortdb_load(conn, COHORTDB_WAITING, &err);
	cr_assert_not_null(c, "%s", err.msg);
	score_params_from_conf(&sp, conf);
	s = scorer_new(c, &sp);
	b = problem_builder_new(cohort_mentee_count(c), cohort_mentor_count(c));
	row = xcalloc(cohort_mentor_count(c) + 1, sizeof *row);
	for (uint32_t j = 0; j < cohort_mentor_count(c); j++) {
		const struct cohort_person *m = cohort_mentor(c, j);

		cr_assert_eq(problem_builder_set_capacity(b, j, m->used < m->capacity ?
		    m->capacity - m->used : 0, &err), 0);
	}
	for (uint32_t i = 0; i < cohort_mentee_count(c); i++) {
		scorer_row(s, i, row);
		for (uint32_t j = 0; j < cohort_mentor_count(c); j++) {
			if (row[j] > 0)
				cr_assert_eq(problem_builder_add(b, i, j, row[j], &err), 0);
		}
	}
	cr_assert_eq(problem_builder_finish(b, &p, NULL, &err), 0, "%s", err.msg);
	match_opts_init(&o);
	cr_assert_eq(match_solve_problem(p, &o, &res, &err), 0, "%s", err.msg);
	*matched = match_result_matched(res);
	*total = match_result_total(res);
	match_result_free(res);
	problem_free(p);
	problem_builder_free(b);
	free(row);
	scorer_free(s);
	cohort_free(c);
}

/* Run as the CLI would: a recorded optimal run of the sample cohort. */
Test(run, writes_run_and_proposals_in_one_go)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct conf conf;
	struct run_report *rep;
	uint32_t dense_matched;
	int64_t dense_total;

	conf_defaults(&conf);
	dense_optimum(conn, &conf, &dense_matched, &dense_total);
	rep = do_run(conn, &conf, CONF_MODE_OPTIMAL, true, false);
	cr_expect_eq(rep->npairs, dense_matched, "the run must match as many as the dense optimum");
	cr_expect_eq(rep->total_score, dense_total, "the run must reach the dense optimum's total");
	cr_expect_eq(rep->mentees_waiting, 44);
	cr_expect_gt(rep->run_id, 0);

	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals"), rep->npairs);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals WHERE status = 'approved' "
	    "AND expires_at > now() + interval '13 days'"), rep->npairs);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentees WHERE status = 'proposed'"), rep->npairs);
	cr_expect_eq(testdb_scalar(conn, "SELECT sum(score) FROM proposals"), rep->total_score);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM runs WHERE status = 'succeeded' AND NOT dry_run "
	    "AND finished_at IS NOT NULL"), 1);
	cr_expect_eq(testdb_scalar(conn, "SELECT (stats->>'matched')::int FROM runs"), rep->npairs);
	cr_expect_eq(testdb_scalar(conn, "SELECT (stats->>'total_score')::bigint FROM runs"), rep->total_score);
	cr_expect_eq(testdb_scalar(conn, "SELECT (parameters->>'min_score')::int FROM runs"), 250);
	/* Every proposal carries its per-skill explanation, adding up to its score. */
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals WHERE jsonb_array_length(explanation->'skills') > 0 "
	    "AND (explanation->>'score')::int = score AND (explanation->>'coverage')::int + "
	    "(explanation->>'both_families_bonus')::int - (explanation->>'timezone_penalty')::int = score"),
	    rep->npairs);
	/* Hard rules: shared language, other organisation, minimum score, capacity. */
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals p JOIN mentees e ON e.id = p.mentee_id "
	    "JOIN mentors m ON m.id = p.mentor_id WHERE NOT (e.languages && m.languages) "
	    "OR (e.organisation <> '' AND e.organisation = m.organisation) OR p.score < 250"), 0);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM (SELECT m.id FROM mentors m JOIN proposals p "
	    "ON p.mentor_id = m.id GROUP BY m.id, m.capacity HAVING count(*) > m.capacity) x"), 0);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM audit_log WHERE action = 'run.start'"), 1);
	run_report_free(rep);
	conf_free(&conf);
	PQfinish(conn);
	testdb_drop(ci);
}

Test(run, dry_run_writes_nothing_and_is_deterministic)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct conf conf;
	struct run_report *a, *b, *c;
	struct strbuf ta = STRBUF_INIT, tb = STRBUF_INIT;

	conf_defaults(&conf);
	a = do_run(conn, &conf, CONF_MODE_OPTIMAL, false, true);
	conf.match_threads = 1;
	b = do_run(conn, &conf, CONF_MODE_OPTIMAL, false, true);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM runs"), 0);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals"), 0);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM mentees WHERE status <> 'waiting'"), 0);
	cr_assert_eq(a->npairs, b->npairs);
	for (uint32_t k = 0; k < a->npairs; k++) {
		cr_expect_eq(a->pairs[k].mentee, b->pairs[k].mentee);
		cr_expect_eq(a->pairs[k].mentor, b->pairs[k].mentor, "different threads, different answer");
	}
	/* A recorded run proposes exactly what the preview showed. */
	c = do_run(conn, &conf, CONF_MODE_OPTIMAL, true, false);
	cr_assert_eq(c->npairs, a->npairs);
	for (uint32_t k = 0; k < a->npairs; k++)
		cr_expect_eq(a->pairs[k].mentor, c->pairs[k].mentor);
	run_report_text(a, &ta);
	cr_expect(strstr(strbuf_str(&ta), "dry run: nothing was written.") != NULL);
	run_report_text(c, &tb);
	cr_expect(strstr(strbuf_str(&tb), "recorded run") != NULL);
	strbuf_free(&ta);
	strbuf_free(&tb);
	run_report_free(a);
	run_report_free(b);
	run_report_free(c);
	conf_free(&conf);
	PQfinish(conn);
	testdb_drop(ci);
}

/* A dry run requested through the runs table records statistics, not proposals. */
Test(run, queued_dry_run_records_stats_only)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct conf conf;
	struct run_request req = { .trigger = "api", .requested_by = "token:admin", .record = true };
	struct run_report *rep = NULL;
	struct err err;
	char id[24];

	conf_defaults(&conf);
	snprintf(id, sizeof id, "%lld", testdb_scalar(conn,
	    "INSERT INTO runs (mode, trigger, requested_by, dry_run) VALUES ('stable', 'api', 'token:admin', true) RETURNING id"));
	req.run_id = strtoll(id, NULL, 10);
	cr_assert_eq(run_execute(conn, &conf, &req, &rep, &err), 0, "%s", err.msg);
	cr_expect_eq(rep->mode, CONF_MODE_STABLE, "the queued run's mode wins");
	cr_expect(rep->dry_run);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals"), 0);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM runs WHERE status = 'succeeded' AND dry_run "
	    "AND (stats->>'matched')::int > 0 AND stats ? 'optimal'"), 1);
	run_report_free(rep);
	/* It is not queued any more. */
	cr_expect_eq(run_execute(conn, &conf, &req, &rep, &err), -1);
	cr_expect_eq(err.kind, ERR_KIND_CONFLICT);
	conf_free(&conf);
	PQfinish(conn);
	testdb_drop(ci);
}

/* An independent check: no mentee and mentor both prefer each other to what they have. */
Test(run, stable_run_has_no_blocking_pair)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct conf conf;
	struct run_report *rep;
	const struct cohort *c;
	uint32_t ne, nm, *mentor_of, *load;
	int32_t *worst, *row;

	conf_defaults(&conf);
	rep = do_run(conn, &conf, CONF_MODE_STABLE, true, false);
	c = rep->cohort;
	ne = cohort_mentee_count(c);
	nm = cohort_mentor_count(c);
	mentor_of = xcalloc(ne, sizeof *mentor_of);
	load = xcalloc(nm, sizeof *load);
	worst = xcalloc(nm, sizeof *worst);
	row = xcalloc(nm, sizeof *row);
	for (uint32_t i = 0; i < ne; i++)
		mentor_of[i] = UINT32_MAX;
	for (uint32_t k = 0; k < rep->npairs; k++)
		mentor_of[rep->pairs[k].mentee] = rep->pairs[k].mentor;
	for (uint32_t j = 0; j < nm; j++)
		worst[j] = INT32_MAX;
	for (uint32_t k = 0; k < rep->npairs; k++) {
		uint32_t j = rep->pairs[k].mentor;

		load[j]++;
		if (rep->pairs[k].score < worst[j])
			worst[j] = rep->pairs[k].score;
	}
	for (uint32_t i = 0; i < ne; i++) {
		int32_t mine = 0;

		scorer_row(rep->scorer, i, row);
		if (mentor_of[i] != UINT32_MAX)
			mine = row[mentor_of[i]];
		for (uint32_t j = 0; j < nm; j++) {
			const struct cohort_person *m = cohort_mentor(c, j);
			uint32_t cap = m->capacity - m->used;
			bool mentee_prefers, mentor_prefers;

			if (row[j] <= 0 || j == mentor_of[i])
				continue;
			mentee_prefers = mentor_of[i] == UINT32_MAX || row[j] > mine ||
			    (row[j] == mine && j < mentor_of[i]);
			/* Ties on the mentor side: lower mentee index first; a full mentor's worst is its threshold. */
			mentor_prefers = load[j] < cap || row[j] > worst[j];
			if (load[j] >= cap && row[j] == worst[j]) {
				uint32_t worst_i = 0;

				for (uint32_t x = 0; x < ne; x++) {
					if (mentor_of[x] == j && scorer_pair(rep->scorer, x, j, NULL) == worst[j])
						worst_i = x;
				}
				mentor_prefers = i < worst_i;
			}
			cr_expect_not(mentee_prefers && mentor_prefers,
			    "blocking pair: mentee %u and mentor %u (score %d)", i, j, row[j]);
		}
	}
	cr_expect(rep->compared);
	cr_expect_geq(rep->optimal_matched, rep->npairs);
	cr_expect_eq(testdb_scalar(conn, "SELECT (stats->'optimal'->>'matches_given_up')::int FROM runs"),
	    (long long)rep->optimal_matched - rep->npairs);
	free(mentor_of);
	free(load);
	free(worst);
	free(row);
	run_report_free(rep);
	conf_free(&conf);
	PQfinish(conn);
	testdb_drop(ci);
}

/* The second run keeps the first run's proposals and fills only what is left. */
Test(run, incremental_runs_keep_live_proposals)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct conf conf;
	struct run_report *first, *second;
	long long live_before;

	conf_defaults(&conf);
	first = do_run(conn, &conf, CONF_MODE_OPTIMAL, true, false);
	live_before = testdb_scalar(conn, "SELECT count(*) FROM proposals");
	/* Two mentors take one more mentee each; a proposal is declined; a newcomer arrives. */
	testdb_exec(conn, "UPDATE mentors SET capacity = capacity + 1 WHERE external_id IN ('mentor-006', 'mentor-008')");
	testdb_exec(conn, "UPDATE proposals SET status = 'sent' WHERE mentee_id = (SELECT id FROM mentees WHERE external_id = 'mentee-043')");
	testdb_exec(conn, "UPDATE proposals SET status = 'declined' WHERE mentee_id = (SELECT id FROM mentees WHERE external_id = 'mentee-043')");
	testdb_exec(conn, "UPDATE mentees SET status = 'waiting' WHERE external_id = 'mentee-043'");
	second = do_run(conn, &conf, CONF_MODE_OPTIMAL, true, false);
	cr_expect_eq(second->mentees_waiting, 44 - first->npairs + 1, "only waiting mentees are matched");
	cr_expect_eq(second->capacity_available, 2 + 1, "two new places and the declined one");
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals WHERE run_id = (SELECT min(id) FROM runs) "
	    "AND status = 'approved'"), live_before - 1, "the first run's live proposals are untouched");
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM (SELECT m.id FROM mentors m JOIN proposals p "
	    "ON p.mentor_id = m.id AND p.status IN ('pending-review','approved','sent','accepted') "
	    "GROUP BY m.id, m.capacity HAVING count(*) > m.capacity) x"), 0, "capacity exceeded across runs");
	/* A declined pair is never proposed again. */
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals p JOIN mentees e ON e.id = p.mentee_id "
	    "WHERE e.external_id = 'mentee-043' GROUP BY p.mentor_id ORDER BY count(*) DESC LIMIT 1"), 1);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals WHERE status IN "
	    "('pending-review','approved','sent','accepted') GROUP BY mentee_id ORDER BY count(*) DESC LIMIT 1"), 1);
	run_report_free(first);
	run_report_free(second);
	conf_free(&conf);
	PQfinish(conn);
	testdb_drop(ci);
}

Test(run, review_and_rules_from_config)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct conf conf;
	struct run_report *rep;

	conf_defaults(&conf);
	conf.match_require_approval = true;
	conf.match_forbid_same_organisation = false;
	testdb_exec(conn, "INSERT INTO exclusions (mentee_id, mentor_id, reason) SELECT e.id, m.id, 'test' "
	    "FROM mentees e, mentors m WHERE m.external_id = 'mentor-003'");
	rep = do_run(conn, &conf, CONF_MODE_OPTIMAL, true, false);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals WHERE status = 'pending-review'"), rep->npairs);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM proposals p JOIN mentors m ON m.id = p.mentor_id "
	    "WHERE m.external_id = 'mentor-003'"), 0, "an excluded mentor was proposed");
	cr_expect_eq(testdb_scalar(conn, "SELECT ((parameters->>'same_organisation') = 'allow')::int FROM runs"), 1);
	run_report_free(rep);
	conf_free(&conf);
	PQfinish(conn);
	testdb_drop(ci);
}

Test(run, one_at_a_time_and_orphans)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci), *other = testdb_connect(ci);
	struct conf conf;
	struct run_request req = { .trigger = "cli", .requested_by = "test", .record = true };
	struct run_report *rep = NULL;
	struct err err;

	conf_defaults(&conf);
	/* Another process is executing: it holds the lock. */
	testdb_exec(other, "SELECT pg_advisory_lock(727002)");
	cr_expect_eq(run_execute(conn, &conf, &req, &rep, &err), -1);
	cr_expect_eq(err.kind, ERR_KIND_CONFLICT);
	cr_expect(strstr(err.msg, "in progress") != NULL, "%s", err.msg);
	testdb_exec(other, "SELECT pg_advisory_unlock(727002)");

	/* A run queued for the daemon holds the slot; the CLI does not start another. */
	testdb_exec(other, "INSERT INTO runs (mode, trigger) VALUES ('optimal', 'api')");
	cr_expect_eq(run_execute(conn, &conf, &req, &rep, &err), -1);
	cr_expect(strstr(err.msg, "is queued; only one run at a time") != NULL, "%s", err.msg);
	/* ... but an executor that takes queued runs executes it. */
	req.take_queued = true;
	cr_assert_eq(run_execute(conn, &conf, &req, &rep, &err), 0, "%s", err.msg);
	run_report_free(rep);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM runs WHERE status = 'succeeded' AND trigger = 'api'"), 1);

	/* A run left running by a process that died is closed by the next executor. */
	testdb_exec(other, "INSERT INTO runs (mode, trigger, status, started_at) VALUES ('optimal', 'schedule', 'running', now())");
	req.take_queued = false;
	cr_assert_eq(run_execute(conn, &conf, &req, &rep, &err), 0, "%s", err.msg);
	run_report_free(rep);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM runs WHERE status = 'failed' AND outcome LIKE 'interrupted%'"), 1);
	cr_expect_eq(testdb_scalar(conn, "SELECT count(*) FROM runs WHERE status IN ('queued', 'running')"), 0);
	conf_free(&conf);
	PQfinish(other);
	PQfinish(conn);
	testdb_drop(ci);
}

Test(run, cli_prints_the_proposals_with_reasons)
{
	char *ci = testdb_create_sample(), *bin = testdb_binpath("sparkmatch");
	const char *argv[] = { bin, "-d", ci, "run", NULL };
	const char *again[] = { bin, "-d", ci, "run", "--mode", "stable", "--dry-run", NULL };
	struct proc_result r;

	proc_run(argv, NULL, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "Kavya Iyer (mentee-011) -> Priya Raman (mentor-003), score 991") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "unmatched: Grace Kim (mentee-033): no eligible mentor") != NULL);
	cr_expect(strstr(r.out, "optimal matching: 34 of 44 waiting mentees matched") != NULL, "%s", r.out);
	proc_result_free(&r);
	proc_run(again, NULL, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "nobody is waiting") != NULL || strstr(r.out, "of 10 waiting") != NULL, "%s", r.out);
	proc_result_free(&r);
	free(bin);
	testdb_drop(ci);
}
