/* test_flow.c - the optimal solver against brute force, SSP and the certificate. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "flow.h"
#include "problem.h"
#include "ssp.h"
#include "testgen.h"
#include "xmalloc.h"

static int64_t
big_m_of(const struct problem *p)
{
	int64_t mm;
	struct err e;

	cr_assert_eq(problem_big_m(problem_n_mentees(p), problem_n_mentors(p),
	    problem_min_score(p), problem_max_score(p), &mm, &e), 0, "%s", e.msg);
	return mm;
}

/* Solve with flow (from sol's current state), certify, return the objective. */
static void
solve_certify(const struct problem *p, struct flow_solution *sol, uint32_t *matched,
    int64_t *total)
{
	int64_t mm = big_m_of(p);
	struct err e;

	cr_assert_eq(flow_solve(p, mm, sol, NULL, &e), 0, "flow_solve: %s", e.msg);
	cr_assert_eq(cert_check(p, mm, sol->mentor_of, sol->u, sol->v, &e), 0, "%s", e.msg);
	cr_assert_eq(problem_evaluate(p, sol->mentor_of, matched, total, &e), 0, "%s", e.msg);
}

static void
ssp_objective(const struct problem *p, uint32_t *matched, int64_t *total)
{
	uint32_t *mo = xmalloc(((size_t)problem_n_mentees(p) + 1) * sizeof *mo);
	struct err e;

	cr_assert_eq(ssp_solve(p, big_m_of(p), mo, &e), 0, "%s", e.msg);
	cr_assert_eq(problem_evaluate(p, mo, matched, total, &e), 0, "%s", e.msg);
	free(mo);
}

Test(flow, brute_force_small)
{
	struct testgen_rng r = { 12345 };

	for (int it = 0; it < 3000; it++) {
		uint32_t n = testgen_below(&r, 9), m = testgen_below(&r, 5);
		uint32_t dens = 10 + testgen_below(&r, 91);
		int32_t maxs = it % 3 == 0 ? 3 : 100;
		struct problem *p = testgen_problem(&r, n, m, 3, dens, maxs);
		struct flow_solution *sol = flow_solution_new(n, m);
		uint32_t bm, fm, sm;
		int64_t bt, ft, st;

		testgen_brute(p, &bm, &bt);
		solve_certify(p, sol, &fm, &ft);
		ssp_objective(p, &sm, &st);
		cr_assert(fm == bm && ft == bt, "it %d: flow (%u, %lld) brute (%u, %lld)",
		    it, fm, (long long)ft, bm, (long long)bt);
		cr_assert(sm == bm && st == bt, "it %d: ssp (%u, %lld) brute (%u, %lld)",
		    it, sm, (long long)st, bm, (long long)bt);
		flow_solution_free(sol);
		problem_free(p);
	}
}

Test(flow, matches_ssp_and_certifies_medium)
{
	struct testgen_rng r = { 777 };

	for (int it = 0; it < 40; it++) {
		uint32_t n = 50 + testgen_below(&r, 300), m = 5 + testgen_below(&r, 60);
		struct problem *p = testgen_problem(&r, n, m, 1 + testgen_below(&r, 6),
		    2 + testgen_below(&r, 30), it % 4 == 0 ? 5 : 1000);
		struct flow_solution *sol = flow_solution_new(n, m);
		uint32_t fm, sm;
		int64_t ft, st;

		solve_certify(p, sol, &fm, &ft);
		ssp_objective(p, &sm, &st);
		cr_assert(fm == sm && ft == st, "it %d: flow (%u, %lld) ssp (%u, %lld)",
		    it, fm, (long long)ft, sm, (long long)st);
		flow_solution_free(sol);
		problem_free(p);
	}
}

Test(flow, certifies_large)
{
	struct testgen_rng r = { 4242 };

	for (int it = 0; it < 6; it++) {
		uint32_t n = 2000 + testgen_below(&r, 3000), m = 100 + testgen_below(&r, 900);
		struct problem *p = testgen_problem(&r, n, m, 1 + testgen_below(&r, 8),
		    1 + testgen_below(&r, 4), it % 2 ? 20 : 100000);
		struct flow_solution *sol = flow_solution_new(n, m);
		uint32_t fm;
		int64_t ft;

		solve_certify(p, sol, &fm, &ft);
		flow_solution_free(sol);
		problem_free(p);
	}
}

/* Any warm start, however wrong, must lead to the same optimum. */
Test(flow, warm_start_from_garbage)
{
	struct testgen_rng r = { 99 };

	for (int it = 0; it < 400; it++) {
		uint32_t n = 1 + testgen_below(&r, 40), m = 1 + testgen_below(&r, 12);
		struct problem *p = testgen_problem(&r, n, m, 3, 10 + testgen_below(&r, 60), 50);
		struct flow_solution *cold = flow_solution_new(n, m);
		struct flow_solution *warm = flow_solution_new(n, m);
		int64_t mm = big_m_of(p);
		uint32_t cm, wm;
		int64_t ct, wt;

		solve_certify(p, cold, &cm, &ct);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t x = testgen_below(&r, m + 2);

			warm->mentor_of[i] = x >= m ? PROBLEM_NONE : x;
			warm->u[i] = (int64_t)testgen_below(&r, 3) * (int64_t)testgen_below(&r, 100) +
			    (testgen_below(&r, 2) ? mm : 0) - 20;
		}
		for (uint32_t j = 0; j < m; j++)
			warm->v[j] = (int64_t)testgen_below(&r, 4) * (mm / 3 + (int64_t)testgen_below(&r, 60)) - 5;
		if (it % 3 == 0)
			memcpy(warm->v, cold->v, (size_t)m * sizeof *warm->v);
		solve_certify(p, warm, &wm, &wt);
		cr_assert(cm == wm && ct == wt, "it %d: cold (%u, %lld) warm (%u, %lld)",
		    it, cm, (long long)ct, wm, (long long)wt);
		flow_solution_free(cold);
		flow_solution_free(warm);
		problem_free(p);
	}
}

/* Warm start after adding pairs: the solution of a sub-problem, then the full one. */
Test(flow, warm_start_after_adding_pairs)
{
	struct testgen_rng r = { 2024 };

	for (int it = 0; it < 200; it++) {
		uint32_t n = 5 + testgen_below(&r, 200), m = 2 + testgen_below(&r, 40);
		struct problem *full = testgen_problem(&r, n, m, 4, 5 + testgen_below(&r, 40), 300);
		const uint64_t *row = problem_row(full);
		const uint32_t *col = problem_col(full);
		const int32_t *sc = problem_score(full);
		struct problem_pair *keep = xmalloc((problem_n_pairs(full) + 1) * sizeof *keep);
		uint64_t nk = 0;
		struct problem *sub;
		struct flow_solution *s1 = flow_solution_new(n, m), *s2 = flow_solution_new(n, m);
		uint32_t am, bm;
		int64_t at, bt;
		struct err e;

		for (uint32_t i = 0; i < n; i++)
			for (uint64_t k = row[i]; k < row[i + 1]; k++)
				if (testgen_below(&r, 3) == 0)
					keep[nk++] = (struct problem_pair){ i, col[k], sc[k] };
		cr_assert_eq(problem_from_pairs(n, m, problem_capacity(full), keep, nk, &sub, &e), 0);
		/* Solve the sub-problem with the full problem's offset, as pricing does. */
		cr_assert_eq(flow_solve(sub, big_m_of(full), s1, NULL, &e), 0, "%s", e.msg);
		solve_certify(full, s1, &am, &at);
		solve_certify(full, s2, &bm, &bt);
		cr_assert(am == bm && at == bt, "it %d", it);
		free(keep);
		problem_free(sub);
		problem_free(full);
		flow_solution_free(s1);
		flow_solution_free(s2);
	}
}

Test(flow, edge_cases)
{
	struct flow_solution *sol;
	struct problem *p;
	uint32_t mt;
	int64_t tt;
	struct err e;

	/* No mentors, no mentees. */
	cr_assert_eq(problem_from_pairs(0, 0, NULL, NULL, 0, &p, &e), 0);
	sol = flow_solution_new(0, 0);
	solve_certify(p, sol, &mt, &tt);
	cr_assert(mt == 0 && tt == 0);
	flow_solution_free(sol);
	problem_free(p);

	/* Mentees but no pairs. */
	{
		uint32_t cap[3] = { 1, 2, 0 };

		cr_assert_eq(problem_from_pairs(5, 3, cap, NULL, 0, &p, &e), 0);
		sol = flow_solution_new(5, 3);
		solve_certify(p, sol, &mt, &tt);
		cr_assert(mt == 0 && tt == 0);
		flow_solution_free(sol);
		problem_free(p);
	}
	/* One mentor for everyone, ties everywhere. */
	{
		uint32_t cap[1] = { 3 };
		struct problem_pair pr[10];

		for (uint32_t i = 0; i < 10; i++)
			pr[i] = (struct problem_pair){ i, 0, 7 };
		cr_assert_eq(problem_from_pairs(10, 1, cap, pr, 10, &p, &e), 0);
		sol = flow_solution_new(10, 1);
		solve_certify(p, sol, &mt, &tt);
		cr_assert(mt == 3 && tt == 21);
		flow_solution_free(sol);
		problem_free(p);
	}
	/* Zero capacity everywhere. */
	{
		uint32_t cap[2] = { 0, 0 };
		struct problem_pair pr[2] = { { 0, 0, 5 }, { 1, 1, 9 } };

		cr_assert_eq(problem_from_pairs(2, 2, cap, pr, 2, &p, &e), 0);
		sol = flow_solution_new(2, 2);
		solve_certify(p, sol, &mt, &tt);
		cr_assert(mt == 0 && tt == 0);
		flow_solution_free(sol);
		problem_free(p);
	}
	/* Cardinality beats score: 0-0 (100) alone vs 0-1 (1) + 1-0 (1). */
	{
		uint32_t cap[2] = { 1, 1 };
		struct problem_pair pr[3] = { { 0, 0, 100 }, { 0, 1, 1 }, { 1, 0, 1 } };

		cr_assert_eq(problem_from_pairs(2, 2, cap, pr, 3, &p, &e), 0);
		sol = flow_solution_new(2, 2);
		solve_certify(p, sol, &mt, &tt);
		cr_assert(mt == 2 && tt == 2, "got %u %lld", mt, (long long)tt);
		flow_solution_free(sol);
		problem_free(p);
	}
}

Test(flow, rejects_small_offset)
{
	uint32_t cap[2] = { 1, 1 };
	struct problem_pair pr[3] = { { 0, 0, 100 }, { 0, 1, 1 }, { 1, 0, 1 } };
	struct flow_solution *sol = flow_solution_new(2, 2);
	struct problem *p;
	struct err e;

	cr_assert_eq(problem_from_pairs(2, 2, cap, pr, 3, &p, &e), 0);
	cr_assert_eq(flow_solve(p, 1, sol, NULL, &e), -1);
	cr_assert_eq(cert_check(p, 1, sol->mentor_of, sol->u, sol->v, &e), -1);
	flow_solution_free(sol);
	problem_free(p);
}

/*
 * Mentee i likes mentors i and i + 1: long chains of equal reduced costs.
 * Searching in index order rescans the chain every time (quadratic work);
 * the solver must stay near-linear. Checked on its deterministic counters.
 */
Test(flow, chains_stay_linear)
{
	uint32_t n = 5000;
	uint32_t *cap = xmalloc(n * sizeof *cap);
	struct problem_pair *pr = xmalloc(2 * n * sizeof *pr);
	struct flow_solution *sol = flow_solution_new(n, n);
	struct flow_stats st;
	struct problem *p;
	uint64_t np = 0;
	uint32_t mt;
	int64_t tt;
	struct err e;

	for (uint32_t i = 0; i < n; i++) {
		cap[i] = 1;
		pr[np++] = (struct problem_pair){ i, i, 1 };
		if (i + 1 < n)
			pr[np++] = (struct problem_pair){ i, i + 1, 2 };
	}
	cr_assert_eq(problem_from_pairs(n, n, cap, pr, np, &p, &e), 0);
	cr_assert_eq(flow_solve(p, big_m_of(p), sol, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(cert_check(p, big_m_of(p), sol->mentor_of, sol->u, sol->v, &e), 0, "%s", e.msg);
	cr_assert_eq(problem_evaluate(p, sol->mentor_of, &mt, &tt, &e), 0);
	cr_assert(mt == n && tt == n);
	cr_assert_lt(st.scanned, 50 * (uint64_t)n, "scanned %llu mentors",
	    (unsigned long long)st.scanned);
	flow_solution_free(sol);
	problem_free(p);
	free(cap);
	free(pr);
}
