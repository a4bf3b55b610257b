/* test_problem.c - the compact problem: builder, CSR order, checks, merge. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "testgen.h"
#include "xmalloc.h"

Test(problem, builder_sorts_any_order_deterministically)
{
	struct problem_pair pr[6] = {
		{ 2, 1, 5 }, { 0, 3, 7 }, { 0, 1, 9 }, { 2, 0, 1 }, { 1, 2, 4 }, { 0, 0, 3 },
	};
	uint32_t cap[4] = { 1, 2, 0, 5 };
	struct problem *p;
	struct err e;
	const uint64_t *row;
	const uint32_t *col;
	const int32_t *sc;

	cr_assert_eq(problem_from_pairs(3, 4, cap, pr, 6, &p, &e), 0, "%s", e.msg);
	row = problem_row(p);
	col = problem_col(p);
	sc = problem_score(p);
	cr_assert_eq(problem_n_pairs(p), 6);
	cr_assert(row[0] == 0 && row[1] == 3 && row[2] == 4 && row[3] == 6);
	cr_assert(col[0] == 0 && col[1] == 1 && col[2] == 3);
	cr_assert(sc[0] == 3 && sc[1] == 9 && sc[2] == 7);
	cr_assert(col[3] == 2 && sc[3] == 4);
	cr_assert(col[4] == 0 && sc[4] == 1 && col[5] == 1 && sc[5] == 5);
	cr_assert_eq(problem_max_score(p), 9);
	cr_assert_eq(problem_min_score(p), 1);
	cr_assert_eq(problem_total_capacity(p), 8);
	cr_assert_eq(problem_find(p, 0, 3), 2);
	cr_assert_eq(problem_find(p, 1, 3), UINT64_MAX);
	problem_free(p);
}

Test(problem, shuffled_inputs_give_identical_csr)
{
	struct testgen_rng r = { 5 };
	struct problem *a = testgen_problem(&r, 50, 20, 3, 30, 100);
	uint64_t np = problem_n_pairs(a);
	struct problem_pair *pr = xmalloc((np + 1) * sizeof *pr);
	struct problem *b;
	struct err e;
	uint64_t k = 0;

	for (uint32_t i = 0; i < 50; i++)
		for (uint64_t q = problem_row(a)[i]; q < problem_row(a)[i + 1]; q++)
			pr[k++] = (struct problem_pair){ i, problem_col(a)[q], problem_score(a)[q] };
	for (uint64_t q = np; q > 1; q--) {
		uint64_t t = testgen_next(&r) % q;
		struct problem_pair x = pr[q - 1];

		pr[q - 1] = pr[t];
		pr[t] = x;
	}
	cr_assert_eq(problem_from_pairs(50, 20, problem_capacity(a), pr, np, &b, &e), 0);
	cr_assert_eq(memcmp(problem_row(a), problem_row(b), 51 * sizeof(uint64_t)), 0);
	cr_assert_eq(memcmp(problem_col(a), problem_col(b), np * sizeof(uint32_t)), 0);
	cr_assert_eq(memcmp(problem_score(a), problem_score(b), np * sizeof(int32_t)), 0);
	free(pr);
	problem_free(a);
	problem_free(b);
}

Test(problem, builder_rejects_bad_pairs)
{
	struct problem_builder *b = problem_builder_new(2, 2);
	struct problem *p = NULL;
	uint64_t dup = 99;
	struct err e;

	cr_assert_eq(problem_builder_add(b, 2, 0, 5, &e), -1);
	cr_assert(strstr(e.msg, "mentee 2 out of range") != NULL, "%s", e.msg);
	cr_assert_eq(problem_builder_add(b, 0, 2, 5, &e), -1);
	cr_assert(strstr(e.msg, "mentor 2 out of range") != NULL, "%s", e.msg);
	cr_assert_eq(problem_builder_add(b, 0, 0, 0, &e), -1);
	cr_assert(strstr(e.msg, "below 1") != NULL, "%s", e.msg);
	cr_assert_eq(problem_builder_set_capacity(b, 5, 1, &e), -1);
	cr_assert_eq(problem_builder_add(b, 1, 1, 5, &e), 0);
	cr_assert_eq(problem_builder_add(b, 0, 1, 5, &e), 0);
	cr_assert_eq(problem_builder_add(b, 1, 0, 5, &e), 0);
	cr_assert_eq(problem_builder_add(b, 1, 1, 6, &e), 0);
	cr_assert_eq(problem_builder_finish(b, &p, &dup, &e), -1);
	cr_assert_null(p);
	cr_assert_eq(dup, 3);
	cr_assert(strstr(e.msg, "duplicate pair (mentee 1, mentor 1)") != NULL, "%s", e.msg);
	problem_builder_free(b);
}

Test(problem, merge_adds_pairs_in_order)
{
	struct problem_pair pr[3] = { { 0, 1, 5 }, { 1, 0, 2 }, { 2, 2, 9 } };
	struct problem_pair add[3] = { { 0, 0, 4 }, { 0, 2, 6 }, { 2, 0, 1 } };
	uint32_t cap[3] = { 1, 1, 1 };
	struct problem *p, *q;
	struct err e;

	cr_assert_eq(problem_from_pairs(3, 3, cap, pr, 3, &p, &e), 0);
	q = problem_merge(p, add, 3);
	cr_assert_eq(problem_n_pairs(q), 6);
	cr_assert_eq(problem_find(q, 0, 0), 0);
	cr_assert_eq(problem_find(q, 0, 1), 1);
	cr_assert_eq(problem_find(q, 0, 2), 2);
	cr_assert_eq(problem_find(q, 1, 0), 3);
	cr_assert_eq(problem_find(q, 2, 0), 4);
	cr_assert_eq(problem_find(q, 2, 2), 5);
	cr_assert_eq(problem_score(q)[2], 6);
	cr_assert_eq(problem_max_score(q), 9);
	problem_free(p);
	problem_free(q);
}

Test(problem, evaluate_checks_feasibility)
{
	struct problem_pair pr[3] = { { 0, 0, 5 }, { 1, 0, 2 }, { 1, 1, 9 } };
	uint32_t cap[2] = { 1, 0 };
	uint32_t mo[2];
	uint32_t matched;
	int64_t total;
	struct problem *p;
	struct err e;

	cr_assert_eq(problem_from_pairs(2, 2, cap, pr, 3, &p, &e), 0);
	mo[0] = 0;
	mo[1] = PROBLEM_NONE;
	cr_assert_eq(problem_evaluate(p, mo, &matched, &total, &e), 0);
	cr_assert(matched == 1 && total == 5);
	mo[1] = 0;
	cr_assert_eq(problem_evaluate(p, mo, &matched, &total, &e), -1);
	cr_assert(strstr(e.msg, "over its capacity") != NULL, "%s", e.msg);
	mo[1] = 1;
	cr_assert_eq(problem_evaluate(p, mo, &matched, &total, &e), -1);
	mo[0] = 1;
	mo[1] = PROBLEM_NONE;
	cr_assert_eq(problem_evaluate(p, mo, &matched, &total, &e), -1);
	cr_assert(strstr(e.msg, "not a candidate") != NULL, "%s", e.msg);
	problem_free(p);
}

Test(problem, big_m_bounds)
{
	int64_t mm;
	struct err e;

	cr_assert_eq(problem_big_m(10, 3, 1, 100, &mm, &e), 0);
	cr_assert_eq(mm, 2 * 99 + 1);
	cr_assert_eq(problem_big_m(10, 3, 0, 0, &mm, &e), 0);
	cr_assert_eq(mm, 1);
	cr_assert_eq(problem_big_m(4000000000u, 4000000000u, 1, INT32_MAX, &mm, &e), -1);
	cr_assert(strstr(e.msg, "overflow") != NULL, "%s", e.msg);
}
