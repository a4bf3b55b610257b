/* match.c - the engine's entry points: modes, pricing loop, certificate, result. */
#include "match.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "log.h"
#include "stable.h"
#include "xmalloc.h"

#define DEFAULT_K 8
#define DEFAULT_L 8
#define DEFAULT_MAX_ADD 16

struct match_result {
	uint32_t n, m;
	uint32_t *mentor_of;
	int32_t *score;
	uint32_t matched;
	int64_t total;
	int64_t *u;		/* NULL in stable mode */
	int64_t *v;
	int64_t big_m;
	struct match_stats st;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
match_opts_init(struct match_opts *o)
{
	memset(o, 0, sizeof *o);
	o->mode = MATCH_MODE_OPTIMAL;
	o->certify = true;
}

static int
threads_of(const struct match_opts *o)
{
	long c;

	if (o->threads > 0)
		return o->threads;
	c = sysconf(_SC_NPROCESSORS_ONLN);
	return c < 1 ? 1 : c > 64 ? 64 : (int)c;
}

static bool
want_certificate(const struct match_opts *o)
{
#ifdef NDEBUG
	return o->certify;
#else
	(void)o;
	return true;
#endif
}

static struct match_result *
result_new(uint32_t n, uint32_t m, enum match_mode mode)
{
	struct match_result *r = xcalloc(1, sizeof *r);

	r->n = n;
	r->m = m;
	r->mentor_of = xmalloc(((size_t)n + 1) * sizeof *r->mentor_of);
	r->score = xcalloc((size_t)n + 1, sizeof *r->score);
	r->st.mode = mode;
	return r;
}

void
match_result_free(struct match_result *r)
{
	if (r == NULL)
		return;
	free(r->mentor_of);
	free(r->score);
	free(r->u);
	free(r->v);
	free(r);
}

/* Fill score[], matched and total from mentor_of over the pairs of p. */
static int
result_finish(struct match_result *r, const struct problem *p, struct err *e)
{
	if (problem_evaluate(p, r->mentor_of, &r->matched, &r->total, e) != 0)
		return err_prefix(e, "match: ");
	for (uint32_t i = 0; i < r->n; i++) {
		uint64_t k = r->mentor_of[i] == PROBLEM_NONE ? UINT64_MAX :
		    problem_find(p, i, r->mentor_of[i]);

		r->score[i] = k == UINT64_MAX ? 0 : problem_score(p)[k];
	}
	return 0;
}

static void
add_flow_stats(struct flow_stats *a, const struct flow_stats *b)
{
	a->kept += b->kept;
	a->dropped += b->dropped;
	a->direct += b->direct;
	a->searches += b->searches;
	a->reverse += b->reverse;
	a->scanned += b->scanned;
	a->relaxed += b->relaxed;
}

/* Optimal solve of p (cold), certified; duals kept in r. */
static int
optimal_problem(const struct problem *p, const struct match_opts *opts,
    struct match_result *r, struct err *e)
{
	struct flow_solution *sol = NULL;
	struct flow_stats fst;
	double t0 = now();
	int rc = -1;

	if (problem_big_m(r->n, r->m, problem_min_score(p), problem_max_score(p), &r->big_m, e) != 0)
		return -1;
	sol = flow_solution_new(r->n, r->m);
	if (flow_solve(p, r->big_m, sol, &fst, e) != 0)
		goto done;
	add_flow_stats(&r->st.flow, &fst);
	r->st.t_solve += now() - t0;
	if (want_certificate(opts) &&
	    cert_check(p, r->big_m, sol->mentor_of, sol->u, sol->v, e) != 0)
		goto done;
	memcpy(r->mentor_of, sol->mentor_of, (size_t)r->n * sizeof *r->mentor_of);
	r->u = sol->u;
	r->v = sol->v;
	sol->u = sol->v = NULL;
	rc = result_finish(r, p, e);
done:
	flow_solution_free(sol);
	return rc;
}

int
match_solve_problem(const struct problem *p, const struct match_opts *opts,
    struct match_result **out, struct err *e)
{
	uint32_t n = problem_n_mentees(p), m = problem_n_mentors(p);
	struct match_result *r = result_new(n, m, opts->mode);
	double t0 = now();
	int rc = -1;

	*out = NULL;
	r->st.threads = 1;
	r->st.allowed = r->st.candidates = problem_n_pairs(p);
	if (opts->mode == MATCH_MODE_OPTIMAL || opts->compare) {
		if (optimal_problem(p, opts, r, e) != 0)
			goto done;
		r->st.optimal_matched = r->matched;
		r->st.optimal_total = r->total;
	}
	if (opts->mode == MATCH_MODE_STABLE || opts->compare) {
		uint32_t *st = xmalloc(((size_t)n + 1) * sizeof *st);
		uint32_t sm;
		int64_t stt;
		double t1 = now();

		r->st.proposals = stable_solve(p, st);
		r->st.t_stable = now() - t1;
		if (problem_evaluate(p, st, &sm, &stt, e) != 0) {
			free(st);
			goto done;
		}
		r->st.stable_matched = sm;
		r->st.stable_total = stt;
		if (opts->mode == MATCH_MODE_STABLE) {
			memcpy(r->mentor_of, st, (size_t)n * sizeof *st);
			free(r->u);
			free(r->v);
			r->u = r->v = NULL;
			if (result_finish(r, p, e) != 0) {
				free(st);
				goto done;
			}
		}
		free(st);
	}
	r->st.compared = opts->compare;
	r->st.t_total = now() - t0;
	*out = r;
	r = NULL;
	rc = 0;
done:
	match_result_free(r);
	return rc;
}

/*
 * Optimal over an oracle: solve the candidates, price all pairs, add what
 * improves, re-solve; stop when no pair has positive reduced profit. Then
 * the duals are feasible for every allowed pair: optimal over all of them.
 * A round that adds many pairs re-solves cold (the split of cold_prices
 * beats repairing most of the old solution); small rounds re-solve warm.
 */
static int
optimal_oracle(const struct price_oracle *o, struct price_cands *pc,
    const struct match_opts *opts, struct match_result *r, struct err *e)
{
	struct flow_solution *sol = flow_solution_new(o->n_mentees, o->n_mentors);
	uint32_t max_add = opts->max_add ? opts->max_add : DEFAULT_MAX_ADD;
	struct problem *cand = pc->problem;
	struct price_scan *ps = NULL;
	struct flow_stats fst;
	int rc = -1;

	pc->problem = NULL;	/* ours now */
	/* Scores are >= 1: a valid offset for every subset of the pairs. */
	if (problem_big_m(o->n_mentees, o->n_mentors, pc->allowed ? 1 : 0, pc->max_score,
	    &r->big_m, e) != 0)
		goto done;
	ps = price_scan_new(o, pc, r->big_m, max_add);
	for (;;) {
		struct problem_pair *add = NULL;
		struct problem *grown;
		uint64_t nadd;
		uint32_t rows;
		double t0 = now();

		if (flow_solve(cand, r->big_m, sol, &fst, e) != 0)
			goto done;
		log_debug("solve %u: %.3f s, kept %llu dropped %llu direct %llu searches %llu "
		    "reverse %llu scanned %llu", r->st.pricing_rounds, now() - t0,
		    (unsigned long long)fst.kept, (unsigned long long)fst.dropped,
		    (unsigned long long)fst.direct, (unsigned long long)fst.searches,
		    (unsigned long long)fst.reverse, (unsigned long long)fst.scanned);
		add_flow_stats(&r->st.flow, &fst);
		r->st.t_solve += now() - t0;
		t0 = now();
		nadd = price_scan_round(ps, cand, sol->u, sol->v, &add, &rows);
		r->st.t_pricing += now() - t0;
		r->st.pricing_rounds++;
		r->st.rows_priced += rows;
		log_debug("pricing round %u: %u rows scanned, %llu pairs priced in (%.3f s)",
		    r->st.pricing_rounds, rows, (unsigned long long)nadd, now() - t0);
		if (nadd == 0)
			break;
		r->st.priced_in += nadd;
		if (nadd * 4 >= problem_n_pairs(cand))
			flow_solution_reset(sol);
		grown = problem_merge(cand, add, nadd);
		free(add);
		problem_free(cand);
		cand = grown;
	}
	r->st.candidates = problem_n_pairs(cand);
	if (want_certificate(opts) &&
	    cert_check(cand, r->big_m, sol->mentor_of, sol->u, sol->v, e) != 0)
		goto done;
	memcpy(r->mentor_of, sol->mentor_of, (size_t)r->n * sizeof *r->mentor_of);
	free(r->u);
	free(r->v);
	r->u = sol->u;
	r->v = sol->v;
	sol->u = sol->v = NULL;
	rc = result_finish(r, cand, e);
done:
	price_scan_free(ps);
	problem_free(cand);
	flow_solution_free(sol);
	return rc;
}

int
match_solve_oracle(uint32_t n, uint32_t m, const uint32_t *capacity, match_row_fn row,
    void *ctx, const struct match_opts *opts, struct match_result **out, struct err *e)
{
	struct match_result *r = result_new(n, m, opts->mode);
	struct price_oracle o = { n, m, capacity, row, ctx, threads_of(opts) };
	uint32_t k = opts->k_per_mentee ? opts->k_per_mentee : DEFAULT_K;
	uint32_t l = opts->l_per_mentor ? opts->l_per_mentor : DEFAULT_L;
	struct price_cands pc;
	double t0 = now();
	int rc = -1;

	*out = NULL;
	memset(&pc, 0, sizeof pc);
	r->st.threads = o.threads;
	if (price_candidates(&o, k, l, &pc, e) != 0)
		goto done;
	r->st.t_candidates = now() - t0;
	r->st.allowed = pc.allowed;
	r->st.candidates = problem_n_pairs(pc.problem);
	if (opts->mode == MATCH_MODE_STABLE || opts->compare) {
		struct price_stable_stats sst;
		uint32_t *st = xmalloc(((size_t)n + 1) * sizeof *st);
		double t1 = now();

		price_stable(&o, &pc, st, r->score, &sst);
		r->st.t_stable = now() - t1;
		r->st.proposals = sst.proposals;
		r->st.extensions = sst.extensions;
		memcpy(r->mentor_of, st, (size_t)n * sizeof *st);
		free(st);
		r->matched = 0;
		r->total = 0;
		for (uint32_t i = 0; i < n; i++) {
			if (r->mentor_of[i] == PROBLEM_NONE)
				continue;
			r->matched++;
			r->total += r->score[i];
		}
		r->st.stable_matched = r->matched;
		r->st.stable_total = r->total;
	}
	if (opts->mode == MATCH_MODE_OPTIMAL || opts->compare) {
		struct match_result *opt = opts->mode == MATCH_MODE_OPTIMAL ? r :
		    result_new(n, m, MATCH_MODE_OPTIMAL);
		int orc = optimal_oracle(&o, &pc, opts, opt, e);

		if (opt != r) {
			r->st.pricing_rounds = opt->st.pricing_rounds;
			r->st.priced_in = opt->st.priced_in;
			r->st.rows_priced = opt->st.rows_priced;
			r->st.candidates = opt->st.candidates;
			r->st.flow = opt->st.flow;
			r->st.t_solve = opt->st.t_solve;
			r->st.t_pricing = opt->st.t_pricing;
			r->st.optimal_matched = opt->matched;
			r->st.optimal_total = opt->total;
			match_result_free(opt);
		} else {
			r->st.optimal_matched = r->matched;
			r->st.optimal_total = r->total;
		}
		if (orc != 0)
			goto done;
	}
	r->st.compared = opts->compare;
	r->st.t_total = now() - t0;
	*out = r;
	r = NULL;
	rc = 0;
done:
	price_cands_release(&pc);
	match_result_free(r);
	return rc;
}

uint32_t match_result_n_mentees(const struct match_result *r) { return r->n; }
uint32_t match_result_n_mentors(const struct match_result *r) { return r->m; }
const uint32_t *match_result_mentor_of(const struct match_result *r) { return r->mentor_of; }
const int32_t *match_result_score(const struct match_result *r) { return r->score; }
uint32_t match_result_matched(const struct match_result *r) { return r->matched; }
int64_t match_result_total(const struct match_result *r) { return r->total; }
const int64_t *match_result_u(const struct match_result *r) { return r->u; }
const int64_t *match_result_v(const struct match_result *r) { return r->v; }
int64_t match_result_big_m(const struct match_result *r) { return r->big_m; }
const struct match_stats *match_result_stats(const struct match_result *r) { return &r->st; }
