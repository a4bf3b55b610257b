/* test_match.c - the top-level API: problem and oracle entry points, pricing, determinism. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bmatch.h"
#include "cert.h"
#include "match.h"
#include "problem.h"
#include "testgen.h"
#include "xmalloc.h"

/* A dense oracle: scores[i * m + j], <= 0 = not allowed. Read-only, so thread-safe. */
struct dense {
	uint32_t n, m;
	int32_t *s;
	uint32_t *cap;
};

static void
dense_row(void *ctx, uint32_t i, int32_t *out)
{
	const struct dense *d = ctx;

	if (d->m > 0)
		memcpy(out, d->s + (size_t)i * d->m, (size_t)d->m * sizeof *out);
}

static struct dense
dense_random(struct testgen_rng *r, uint32_t n, uint32_t m, uint32_t max_cap,
    uint32_t density, int32_t max_score)
{
	struct dense d = { n, m, xmalloc(((size_t)n * m + 1) * sizeof(int32_t)),
		xmalloc((m + 1) * sizeof(uint32_t)) };

	for (uint32_t j = 0; j < m; j++)
		d.cap[j] = testgen_below(r, max_cap + 1);
	for (size_t k = 0; k < (size_t)n * m; k++)
		d.s[k] = testgen_below(r, 100) < density ?
		    (int32_t)testgen_below(r, (uint32_t)max_score) + 1 :
		    -(int32_t)testgen_below(r, 3);
	return d;
}

static void
dense_free(struct dense *d)
{
	free(d->s);
	free(d->cap);
}

static struct match_result *
solve_dense_problem(const struct dense *d, enum match_mode mode)
{
	struct problem *p = testgen_from_dense(d->n, d->m, d->cap, d->s);
	struct match_opts o;
	struct match_result *res;
	struct err e;

	match_opts_init(&o);
	o.mode = mode;
	cr_assert_eq(match_solve_problem(p, &o, &res, &e), 0, "%s", e.msg);
	problem_free(p);
	return res;
}

static struct match_result *
solve_oracle(const struct dense *d, enum match_mode mode, uint32_t k, uint32_t l, int threads)
{
	struct match_opts o;
	struct match_result *res;
	struct err e;

	match_opts_init(&o);
	o.mode = mode;
	o.k_per_mentee = k;
	o.l_per_mentor = l;
	o.threads = threads;
	cr_assert_eq(match_solve_oracle(d->n, d->m, d->cap, dense_row, (void *)d, &o, &res, &e),
	    0, "%s", e.msg);
	return res;
}

/* Duals must be feasible for every allowed pair of the whole matrix. */
static void
assert_duals_cover_all(const struct dense *d, const struct match_result *res)
{
	const int64_t *u = match_result_u(res), *v = match_result_v(res);
	int64_t mm = match_result_big_m(res);

	for (uint32_t i = 0; i < d->n; i++)
		for (uint32_t j = 0; j < d->m; j++) {
			int32_t s = d->s[(size_t)i * d->m + j];

			if (s > 0)
				cr_assert(u[i] + v[j] >= s + mm, "pair (%u, %u) violates duals", i, j);
		}
}

static void
assert_only_allowed(const struct dense *d, const struct match_result *res)
{
	const uint32_t *mo = match_result_mentor_of(res);
	uint32_t *used = xcalloc(d->m + 1, sizeof *used);

	for (uint32_t i = 0; i < d->n; i++) {
		if (mo[i] == PROBLEM_NONE)
			continue;
		cr_assert(d->s[(size_t)i * d->m + mo[i]] > 0, "mentee %u on a forbidden pair", i);
		cr_assert_eq(match_result_score(res)[i], d->s[(size_t)i * d->m + mo[i]]);
		cr_assert(++used[mo[i]] <= d->cap[mo[i]], "mentor %u over capacity", mo[i]);
	}
	free(used);
}

Test(match, oracle_equals_dense_optimum)
{
	struct testgen_rng r = { 2718 };
	uint64_t skipped = 0;

	for (int it = 0; it < 60; it++) {
		uint32_t n = 1 + testgen_below(&r, 120), m = 1 + testgen_below(&r, 30);
		struct dense d = dense_random(&r, n, m, 4, 10 + testgen_below(&r, 90),
		    it % 3 == 0 ? 4 : 300);
		struct match_result *a = solve_dense_problem(&d, MATCH_MODE_OPTIMAL);
		struct match_result *b = solve_oracle(&d, MATCH_MODE_OPTIMAL,
		    1 + testgen_below(&r, 4), testgen_below(&r, 3), 1 + (int)testgen_below(&r, 3));

		cr_assert_eq(match_result_matched(a), match_result_matched(b), "it %d", it);
		cr_assert_eq(match_result_total(a), match_result_total(b), "it %d", it);
		assert_only_allowed(&d, b);
		assert_duals_cover_all(&d, b);
		/* Rows proven clean without a scan (the duals above cover them). */
		skipped += (uint64_t)match_result_stats(b)->pricing_rounds * n -
		    match_result_stats(b)->rows_priced;
		match_result_free(a);
		match_result_free(b);
		dense_free(&d);
	}
	cr_assert_gt(skipped, 0);
}

/*
 * Everyone's favourite few mentors have one place each; the optimum needs
 * the unpopular ones, which no top-1 list holds: pricing must add pairs.
 */
Test(match, pricing_adds_what_top_k_misses)
{
	uint32_t n = 40, m = 20;
	struct dense d = { n, m, xmalloc(n * m * sizeof(int32_t)), xmalloc(m * sizeof(uint32_t)) };
	struct match_result *a, *b;

	for (uint32_t j = 0; j < m; j++)
		d.cap[j] = j < 2 ? 1 : 2;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < m; j++)
			d.s[i * m + j] = j < 2 ? 1000 - (int32_t)i : 1 + (int32_t)((i * 7 + j * 13) % 50);
	a = solve_dense_problem(&d, MATCH_MODE_OPTIMAL);
	b = solve_oracle(&d, MATCH_MODE_OPTIMAL, 1, 1, 2);
	cr_assert_eq(match_result_matched(a), 38);
	cr_assert_eq(match_result_matched(b), match_result_matched(a));
	cr_assert_eq(match_result_total(b), match_result_total(a));
	cr_assert_gt(match_result_stats(b)->priced_in, 0);
	cr_assert_gt(match_result_stats(b)->pricing_rounds, 1);
	assert_duals_cover_all(&d, b);
	match_result_free(a);
	match_result_free(b);
	dense_free(&d);
}

Test(match, deterministic_across_threads_and_runs)
{
	struct testgen_rng r = { 99991 };
	struct dense d = dense_random(&r, 700, 90, 3, 35, 40);
	struct match_result *ref = solve_oracle(&d, MATCH_MODE_OPTIMAL, 3, 2, 1);

	for (int t = 1; t <= 4; t++) {
		for (int rep = 0; rep < 2; rep++) {
			struct match_result *x = solve_oracle(&d, MATCH_MODE_OPTIMAL, 3, 2, t);

			cr_assert_eq(memcmp(match_result_mentor_of(ref), match_result_mentor_of(x),
			    d.n * sizeof(uint32_t)), 0, "threads %d", t);
			cr_assert_eq(memcmp(match_result_u(ref), match_result_u(x),
			    d.n * sizeof(int64_t)), 0, "threads %d", t);
			cr_assert_eq(memcmp(match_result_v(ref), match_result_v(x),
			    d.m * sizeof(int64_t)), 0, "threads %d", t);
			cr_assert_eq(match_result_stats(ref)->candidates,
			    match_result_stats(x)->candidates);
			match_result_free(x);
		}
	}
	for (int t = 1; t <= 3; t++) {
		struct match_result *s1 = solve_oracle(&d, MATCH_MODE_STABLE, 2, 2, 1);
		struct match_result *s2 = solve_oracle(&d, MATCH_MODE_STABLE, 2, 2, t);

		cr_assert_eq(memcmp(match_result_mentor_of(s1), match_result_mentor_of(s2),
		    d.n * sizeof(uint32_t)), 0);
		match_result_free(s1);
		match_result_free(s2);
	}
	match_result_free(ref);
	dense_free(&d);
}

/* The mentee-optimal stable matching is unique: lazy lists must find exactly it. */
Test(match, stable_oracle_equals_stable_problem)
{
	struct testgen_rng r = { 1234 };
	uint32_t extended = 0;

	for (int it = 0; it < 60; it++) {
		uint32_t n = 1 + testgen_below(&r, 150), m = 1 + testgen_below(&r, 25);
		struct dense d = dense_random(&r, n, m, 3, 10 + testgen_below(&r, 90),
		    it % 2 ? 5 : 1000);
		struct match_result *a = solve_dense_problem(&d, MATCH_MODE_STABLE);
		struct match_result *b = solve_oracle(&d, MATCH_MODE_STABLE, 1 + testgen_below(&r, 3),
		    1, 2);

		cr_assert_eq(memcmp(match_result_mentor_of(a), match_result_mentor_of(b),
		    n * sizeof(uint32_t)), 0, "it %d", it);
		cr_assert_eq(match_result_total(a), match_result_total(b));
		assert_only_allowed(&d, b);
		extended += match_result_stats(b)->extensions > 0;
		match_result_free(a);
		match_result_free(b);
		dense_free(&d);
	}
	cr_assert_gt(extended, 10, "lists were extended on demand in %u runs", extended);
}

Test(match, compare_reports_both_modes)
{
	struct testgen_rng r = { 8 };
	struct dense d = dense_random(&r, 200, 30, 3, 40, 100);
	struct problem *p = testgen_from_dense(d.n, d.m, d.cap, d.s);
	struct match_opts o;
	struct match_result *res, *opt, *stb;
	const struct match_stats *st;
	struct err e;

	match_opts_init(&o);
	o.mode = MATCH_MODE_STABLE;
	o.compare = true;
	cr_assert_eq(match_solve_problem(p, &o, &res, &e), 0, "%s", e.msg);
	opt = solve_dense_problem(&d, MATCH_MODE_OPTIMAL);
	stb = solve_dense_problem(&d, MATCH_MODE_STABLE);
	st = match_result_stats(res);
	cr_assert(st->compared);
	cr_assert_eq(st->optimal_matched, match_result_matched(opt));
	cr_assert_eq(st->optimal_total, match_result_total(opt));
	cr_assert_eq(st->stable_matched, match_result_matched(stb));
	cr_assert_eq(st->stable_total, match_result_total(stb));
	cr_assert_eq(match_result_total(res), match_result_total(stb));
	cr_assert(st->optimal_matched > st->stable_matched ||
	    (st->optimal_matched == st->stable_matched && st->optimal_total >= st->stable_total));
	cr_assert_null(match_result_u(res));
	match_result_free(res);
	match_result_free(opt);
	match_result_free(stb);
	/* And over the oracle: the same two objectives. */
	o.k_per_mentee = 2;
	cr_assert_eq(match_solve_oracle(d.n, d.m, d.cap, dense_row, &d, &o, &res, &e), 0);
	st = match_result_stats(res);
	cr_assert(st->compared);
	cr_assert_eq(st->stable_total, match_result_total(res));
	cr_assert_eq(st->stable_matched, match_result_matched(res));
	opt = solve_dense_problem(&d, MATCH_MODE_OPTIMAL);
	cr_assert_eq(st->optimal_matched, match_result_matched(opt));
	cr_assert_eq(st->optimal_total, match_result_total(opt));
	match_result_free(opt);
	match_result_free(res);
	problem_free(p);
	dense_free(&d);
}

static void
check_edge(uint32_t n, uint32_t m, const uint32_t *cap, const int32_t *s,
    uint32_t want_matched, int64_t want_total)
{
	struct dense d = { n, m, (int32_t *)s, (uint32_t *)cap };
	uint32_t ks[3] = { 1, 3, 1000 };

	for (int mode = 0; mode < 2; mode++) {
		struct match_result *a = solve_dense_problem(&d, (enum match_mode)mode);

		if (mode == MATCH_MODE_OPTIMAL) {
			cr_assert_eq(match_result_matched(a), want_matched);
			cr_assert_eq(match_result_total(a), want_total);
		}
		for (int q = 0; q < 3; q++) {
			struct match_result *b = solve_oracle(&d, (enum match_mode)mode, ks[q], ks[q], 2);

			cr_assert_eq(match_result_matched(a), match_result_matched(b));
			cr_assert_eq(match_result_total(a), match_result_total(b));
			match_result_free(b);
		}
		match_result_free(a);
	}
}

Test(match, edge_cases)
{
	static const int32_t s1[6] = { 5, 5, 5, 5, 5, 5 };
	static const uint32_t c1[1] = { 2 };
	static const int32_t s2[6] = { 0, -1, 0, 0, -5, 0 };
	static const uint32_t c2[2] = { 3, 3 };
	static const int32_t s3[4] = { 9, 9, 9, 9 };
	static const uint32_t c3[2] = { 0, 0 };
	static const int32_t s4[6] = { 7, 7, 7, 7, 7, 7 };
	static const uint32_t c4[3] = { 1, 1, 1 };

	check_edge(0, 0, NULL, NULL, 0, 0);		/* nobody at all */
	check_edge(3, 0, NULL, NULL, 0, 0);		/* no mentors */
	check_edge(0, 2, c2, NULL, 0, 0);		/* no mentees */
	check_edge(6, 1, c1, s1, 2, 10);		/* one mentor for everyone */
	check_edge(3, 2, c2, s2, 0, 0);			/* nobody eligible */
	check_edge(2, 2, c3, s3, 0, 0);			/* zero capacity */
	check_edge(2, 3, c4, s4, 2, 14);		/* ties everywhere, k > mentors */
}

/* Maximum cardinality (scores ignored) equals the optimum's matched count. */
Test(match, bmatch_cardinality)
{
	struct testgen_rng r = { 555 };

	for (int it = 0; it < 200; it++) {
		uint32_t n = testgen_below(&r, 200), m = 1 + testgen_below(&r, 40);
		struct problem *p = testgen_problem(&r, n, m, 3, 2 + testgen_below(&r, 30), 100);
		uint32_t *mo = xmalloc((n + 1) * sizeof *mo);
		uint8_t *cover = xmalloc(m + 1);
		struct match_opts o;
		struct match_result *res;
		uint32_t card, cm;
		int64_t ct;
		struct err e;

		match_opts_init(&o);
		card = bmatch_max(p, mo, cover);
		cr_assert_eq(problem_evaluate(p, mo, &cm, &ct, &e), 0, "%s", e.msg);
		cr_assert_eq(cm, card);
		cr_assert_eq(match_solve_problem(p, &o, &res, &e), 0, "%s", e.msg);
		cr_assert_eq(match_result_matched(res), card, "it %d", it);
		match_result_free(res);
		free(mo);
		free(cover);
		problem_free(p);
	}
}
