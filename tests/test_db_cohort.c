/*
 * test_db_cohort.c - loading a cohort from PostgreSQL: the sample cohort
 * through the real import command, who counts as waiting, used capacity,
 * blocked pairs, DST-aware offsets, and a fixed number of queries.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohortdb.h"
#include "proc.h"
#include "score.h"
#include "testdb.h"
#include "xmalloc.h"

static int64_t
find_ext(const struct cohort *c, bool mentee, const char *ext)
{
	uint32_t n = mentee ? cohort_mentee_count(c) : cohort_mentor_count(c);

	for (uint32_t i = 0; i < n; i++) {
		const struct cohort_person *p = mentee ? cohort_mentee(c, i) : cohort_mentor(c, i);

		if (strcmp(p->external_id, ext) == 0)
			return i;
	}
	return -1;
}

Test(cohortdb, loads_the_sample_cohort)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct err err;
	struct cohort *c = cohortdb_load(conn, COHORTDB_WAITING, &err);
	const struct cohort_person *kavya, *kenji;
	const struct cohort_item *it;
	int64_t k;

	cr_assert_not_null(c, "%s", err.msg);
	cr_expect_eq(cohort_mentee_count(c), 44);
	cr_expect_eq(cohort_mentor_count(c), 14);
	cr_expect_eq(cohort_skill_count(c), 27);
	for (uint32_t i = 1; i < cohort_mentee_count(c); i++)
		cr_expect_lt(cohort_mentee(c, i - 1)->id, cohort_mentee(c, i)->id, "mentees in id order");

	k = find_ext(c, true, "mentee-011");
	cr_assert_geq(k, 0);
	kavya = cohort_mentee(c, (uint32_t)k);
	cr_expect_str_eq(kavya->name, "Kavya Iyer");
	cr_expect_str_eq(kavya->timezone, "Asia/Kolkata");
	cr_expect_eq(kavya->tz_offset_min, 330);
	cr_expect_eq(kavya->lang_count, 3);
	cr_expect_str_eq(cohort_org_name(c, kavya->org), "Northwind Health");
	cr_assert_eq(kavya->item_count, 4, "3 goals and 1 kind of support");
	it = cohort_mentee_items(c, (uint32_t)k);
	for (uint32_t g = 0; g < kavya->item_count; g++) {
		const char *code = cohort_skill_code(c, it[g].skill);

		if (strcmp(code, "networking") == 0)
			cr_expect(it[g].support);
		else if (strcmp(code, "initiative") == 0)
			cr_expect_eq(it[g].value, 5);
	}
	k = find_ext(c, false, "mentor-005");
	cr_assert_geq(k, 0);
	kenji = cohort_mentor(c, (uint32_t)k);
	cr_expect_eq(kenji->capacity, 2);
	cr_expect_eq(kenji->used, 0);
	cr_expect_eq(kenji->tz_offset_min, 540);
	cr_expect_eq(kenji->item_count, 5);
	cohort_free(c);
	PQfinish(conn);
	testdb_drop(ci);
}

Test(cohortdb, live_proposals_paused_people_and_blocks)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	struct err err;
	struct cohort *c;
	int64_t i, j, other;

	testdb_exec(conn, "INSERT INTO runs (mode, trigger, status, started_at, finished_at) "
	    "VALUES ('optimal', 'cli', 'succeeded', now(), now())");
	/* Aisha has a live proposal with Grace: Aisha is not waiting, Grace has used 1 of 3. */
	testdb_exec(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation) "
	    "SELECT r.id, e.id, m.id, 700, '{}' FROM runs r, mentees e, mentors m "
	    "WHERE e.external_id = 'mentee-001' AND m.external_id = 'mentor-001'");
	/* Ben declined Amara before; Chen is excluded from Priya; Kenji is paused. */
	testdb_exec(conn, "INSERT INTO proposals (run_id, mentee_id, mentor_id, score, explanation, status) "
	    "SELECT r.id, e.id, m.id, 500, '{}', 'pending-review' FROM runs r, mentees e, mentors m "
	    "WHERE e.external_id = 'mentee-002' AND m.external_id = 'mentor-006'");
	testdb_exec(conn, "UPDATE proposals SET status = 'rejected' WHERE mentee_id = "
	    "(SELECT id FROM mentees WHERE external_id = 'mentee-002')");
	testdb_exec(conn, "INSERT INTO exclusions (mentee_id, mentor_id, reason) "
	    "SELECT e.id, m.id, 'reports to them' FROM mentees e, mentors m "
	    "WHERE e.external_id = 'mentee-003' AND m.external_id = 'mentor-003'");
	testdb_exec(conn, "UPDATE mentors SET status = 'paused' WHERE external_id = 'mentor-005'");
	testdb_exec(conn, "UPDATE mentees SET status = 'paused' WHERE external_id = 'mentee-044'");

	c = cohortdb_load(conn, COHORTDB_WAITING, &err);
	cr_assert_not_null(c, "%s", err.msg);
	cr_expect_eq(cohort_mentee_count(c), 42, "Aisha (proposed) and Sara (paused) are not waiting");
	cr_expect_eq(cohort_mentor_count(c), 13, "Kenji is paused");
	cr_expect_lt(find_ext(c, true, "mentee-001"), 0);
	cr_expect_lt(find_ext(c, false, "mentor-005"), 0);
	j = find_ext(c, false, "mentor-001");
	cr_assert_geq(j, 0);
	cr_expect_eq(cohort_mentor(c, (uint32_t)j)->used, 1);
	i = find_ext(c, true, "mentee-002");
	j = find_ext(c, false, "mentor-006");
	cr_expect_eq(cohort_block_of(c, (uint32_t)i, (uint32_t)j), COHORT_BLOCK_REJECTED);
	i = find_ext(c, true, "mentee-003");
	j = find_ext(c, false, "mentor-003");
	cr_expect_eq(cohort_block_of(c, (uint32_t)i, (uint32_t)j), COHORT_BLOCK_EXCLUDED);
	other = find_ext(c, false, "mentor-004");
	cr_expect_eq(cohort_block_of(c, (uint32_t)i, (uint32_t)other), 0);
	cohort_free(c);

	c = cohortdb_load(conn, COHORTDB_ALL, &err);
	cr_assert_not_null(c, "%s", err.msg);
	cr_expect_eq(cohort_mentee_count(c), 44);
	cr_expect_eq(cohort_mentor_count(c), 14);
	cohort_free(c);
	PQfinish(conn);
	testdb_drop(ci);
}

/* Count the statements a load sends, from libpq's protocol trace. */
static int
statements_for_load(PGconn *conn)
{
	char *trace = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&trace, &len);
	struct err err;
	struct cohort *c;
	int n = 0;

	PQtrace(conn, f);
	PQsetTraceFlags(conn, PQTRACE_SUPPRESS_TIMESTAMPS);
	c = cohortdb_load(conn, COHORTDB_ALL, &err);
	PQuntrace(conn);
	fclose(f);
	cr_assert_not_null(c, "%s", err.msg);
	cohort_free(c);
	for (p = strtok(trace, "\n"); p != NULL; p = strtok(NULL, "\n")) {
		if (strncmp(p, "F\t", 2) == 0 && (strstr(p, "\tParse\t") || strstr(p, "\tQuery\t")))
			n++;
	}
	free(trace);
	return n;
}

Test(cohortdb, a_fixed_number_of_queries_whatever_the_size)
{
	char *ci = testdb_create_sample();
	PGconn *conn = testdb_connect(ci);
	int small, large;

	small = statements_for_load(conn);
	/* Ten times the people. */
	testdb_exec(conn, "INSERT INTO mentees (external_id, name, email, timezone, languages) "
	    "SELECT 'bulk-' || g, 'Bulk ' || g, 'bulk' || g || '@x.org', 'UTC', '{en}' FROM generate_series(1, 400) g");
	testdb_exec(conn, "INSERT INTO mentee_goals SELECT id, 'vision', 3 FROM mentees WHERE external_id LIKE 'bulk-%'");
	large = statements_for_load(conn);
	cr_expect_geq(small, 4, "the trace saw %d statements; skills, mentees, mentors and blocks are four", small);
	cr_expect_leq(small, 5, "%d statements for one load", small);
	cr_expect_eq(small, large, "statements grew with the cohort: %d then %d", small, large);
	PQfinish(conn);
	testdb_drop(ci);
}
