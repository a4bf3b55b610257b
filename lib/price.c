/* price.c - candidate generation, pricing and lazy stable mode over a row oracle. */
#include "price.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "stable.h"
#include "xmalloc.h"

#define NONE PROBLEM_NONE
#define CHUNK 64

/* --- a tiny deterministic fork/join over mentee chunks --- */

struct par {
	uint32_t n;			/* items */
	atomic_uint next;		/* next chunk start */
	void (*fn)(void *arg, int tid, uint32_t lo, uint32_t hi);
	void *arg;
};

struct par_thread {
	struct par *par;
	int tid;
};

static void *
par_main(void *a)
{
	struct par_thread *t = a;
	struct par *p = t->par;

	for (;;) {
		uint32_t lo = atomic_fetch_add(&p->next, CHUNK);

		if (lo >= p->n)
			break;
		p->fn(p->arg, t->tid, lo, lo + CHUNK < p->n ? lo + CHUNK : p->n);
	}
	return NULL;
}

/*
 * Run fn over [0, n) in chunks on `threads` threads (tid 0 is the caller).
 * Workers take chunks in increasing order, so within one tid the items
 * arrive in increasing order; results must not depend on which tid ran what.
 */
static void
par_run(int threads, uint32_t n, void (*fn)(void *, int, uint32_t, uint32_t), void *arg)
{
	struct par p = { .n = n, .fn = fn, .arg = arg };
	pthread_t *th = xcalloc((size_t)threads, sizeof *th);
	struct par_thread *pt = xcalloc((size_t)threads, sizeof *pt);
	bool *started = xcalloc((size_t)threads, sizeof *started);

	atomic_init(&p.next, 0);
	for (int t = 0; t < threads; t++) {
		pt[t].par = &p;
		pt[t].tid = t;
	}
	for (int t = 1; t < threads; t++)
		started[t] = pthread_create(&th[t], NULL, par_main, &pt[t]) == 0;
	par_main(&pt[0]);
	for (int t = 1; t < threads; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	free(th);
	free(pt);
	free(started);
}

/* --- small heaps of packed keys (larger key = better) --- */

/* Better pair for a mentee: higher score, then lower mentor id. */
static inline uint64_t
key_of(int32_t score, uint32_t id)
{
	return (uint64_t)(uint32_t)score << 32 | (uint32_t)~id;
}

static inline uint32_t
key_id(uint64_t key)
{
	return ~(uint32_t)key;
}

static inline int32_t
key_score(uint64_t key)
{
	return (int32_t)(uint32_t)(key >> 32);
}

/* Min-heap of at most cap keys: push x if better than the worst. */
static inline void
topk_push(uint64_t *h, uint32_t *len, uint32_t cap, uint64_t x)
{
	uint32_t pos;

	if (*len < cap) {
		pos = (*len)++;
		while (pos > 0 && h[(pos - 1) / 2] > x) {
			h[pos] = h[(pos - 1) / 2];
			pos = (pos - 1) / 2;
		}
		h[pos] = x;
		return;
	}
	if (cap == 0 || x <= h[0])
		return;
	pos = 0;
	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= cap)
			break;
		if (c + 1 < cap && h[c + 1] < h[c])
			c++;
		if (h[c] >= x)
			break;
		h[pos] = h[c];
		pos = c;
	}
	h[pos] = x;
}

static int
cmp_key_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

/* --- pairs to a problem: sort by (mentee, mentor), drop duplicates --- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Sort pairs by (mentee, mentor) in place, dropping repeats of the same
 * (mentee, mentor) (they carry the same score). Returns the new length.
 */
static uint64_t
sort_unique(uint32_t n, struct problem_pair *pairs, uint64_t len)
{
	uint64_t *off = xcalloc((size_t)n + 2, sizeof *off);
	uint64_t *keys = xmalloc((size_t)(len ? len : 1) * sizeof *keys);
	uint64_t out = 0;

	for (uint64_t k = 0; k < len; k++)
		off[pairs[k].mentee + 2]++;
	for (uint32_t i = 0; i < n; i++)
		off[i + 2] += off[i + 1];
	for (uint64_t k = 0; k < len; k++)
		keys[off[pairs[k].mentee + 1]++] = (uint64_t)pairs[k].mentor << 32 |
		    (uint32_t)pairs[k].score;
	/* off[i] is now the start of row i. */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = off[i], z = off[i + 1];

		qsort(keys + a, z - a, sizeof *keys, cmp_u64);
		for (uint64_t k = a; k < z; k++) {
			if (k > a && keys[k] >> 32 == keys[k - 1] >> 32)
				continue;
			pairs[out++] = (struct problem_pair){ i, (uint32_t)(keys[k] >> 32),
			    (int32_t)(uint32_t)keys[k] };
		}
	}
	free(off);
	free(keys);
	return out;
}

/* --- pass 1: candidates --- */

struct cand_ctx {
	const struct price_oracle *o;
	uint32_t k, l;
	struct problem_pair *top;	/* [n * k] */
	uint32_t *top_len;		/* [n] */
	/* per thread */
	int32_t **rowbuf;
	uint64_t **mheap;		/* [m * l] per thread */
	uint32_t **mlen;		/* [m] per thread */
	int32_t **mthr;			/* [m] per thread: score to beat */
	uint64_t **khep;		/* [k] per thread */
	uint64_t *allowed;
	int32_t *maxs;
};

#define HOT __attribute__((target_clones("avx512f", "avx2", "default")))
#define BLK 16

/* Allowed count and largest score of one row (vectorised). */
HOT static void
row_summary(const int32_t *restrict sc, uint32_t m, uint64_t *allowed, int32_t *mx)
{
	int32_t cnt = 0, hi = 0;

	for (size_t j = 0; j < m; j++) {
		int32_t s = sc[j];

		cnt -= s > 0 ? -1 : 0;
		hi = hi > s ? hi : s;
	}
	*allowed += (uint32_t)cnt;
	if (hi > *mx)
		*mx = hi;
}

/*
 * Whether any of sc[j0..j0+BLK) beats the row's k-th best score or its
 * mentor's l-th best score seen so far (vectorised filter).
 */
HOT static bool
block_hot(const int32_t *restrict sc, const int32_t *restrict mthr, int32_t kthr)
{
	int flag = 0;

	for (int t = 0; t < BLK; t++)
		flag |= (sc[t] > kthr) | (sc[t] > mthr[t]);
	return flag != 0;
}

static void
cand_chunk(void *arg, int tid, uint32_t lo, uint32_t hi)
{
	struct cand_ctx *c = arg;
	const struct price_oracle *o = c->o;
	uint32_t m = o->n_mentors, k = c->k, l = c->l;
	int32_t *sc = c->rowbuf[tid];
	int32_t *mthr = c->mthr[tid];
	uint64_t *mh = c->mheap[tid], *kh = c->khep[tid];
	uint32_t *ml = c->mlen[tid];

	for (uint32_t i = lo; i < hi; i++) {
		uint32_t klen = 0;
		/* Scores a pair must beat: the worst kept once a heap is full. Ties
		 * lose: ids only grow along a row, and along a thread's mentees. */
		int32_t kthr = k > 0 ? 0 : INT32_MAX;

		o->row(o->ctx, i, sc);
		row_summary(sc, m, &c->allowed[tid], &c->maxs[tid]);
		for (uint32_t j0 = 0; j0 < m; j0 += BLK) {
			uint32_t j1 = j0 + BLK < m ? j0 + BLK : m;

			if (j1 - j0 == BLK && !block_hot(sc + j0, mthr + j0, kthr))
				continue;
			for (uint32_t j = j0; j < j1; j++) {
				int32_t s = sc[j];

				if (s <= 0)
					continue;
				if (s > kthr) {
					topk_push(kh, &klen, k, key_of(s, j));
					if (klen == k)
						kthr = key_score(kh[0]);
				}
				if (s > mthr[j]) {
					uint64_t *h = mh + (uint64_t)j * l;

					topk_push(h, &ml[j], l, key_of(s, i));
					if (ml[j] == l)
						mthr[j] = key_score(h[0]);
				}
			}
		}
		qsort(kh, klen, sizeof *kh, cmp_key_desc);
		for (uint32_t t = 0; t < klen; t++)
			c->top[(uint64_t)i * k + t] = (struct problem_pair){ i, key_id(kh[t]),
			    key_score(kh[t]) };
		c->top_len[i] = klen;
	}
}

int
price_candidates(const struct price_oracle *o, uint32_t k, uint32_t l,
    struct price_cands *out, struct err *e)
{
	uint32_t n = o->n_mentees, m = o->n_mentors;
	int T = o->threads < 1 ? 1 : o->threads;
	struct cand_ctx c = { .o = o, .k = k, .l = l };
	struct problem_pair *pairs;
	uint64_t np = 0, ncap;
	uint64_t *merge = xmalloc(((size_t)T * l + 1) * sizeof *merge);
	int rc;

	if (k > m)
		c.k = k = m;
	if (l > n)
		c.l = l = n;
	c.top = xmalloc(((size_t)n * k + 1) * sizeof *c.top);
	c.top_len = xcalloc((size_t)n + 1, sizeof *c.top_len);
	c.rowbuf = xcalloc((size_t)T, sizeof *c.rowbuf);
	c.mheap = xcalloc((size_t)T, sizeof *c.mheap);
	c.mlen = xcalloc((size_t)T, sizeof *c.mlen);
	c.khep = xcalloc((size_t)T, sizeof *c.khep);
	c.mthr = xcalloc((size_t)T, sizeof *c.mthr);
	c.allowed = xcalloc((size_t)T, sizeof *c.allowed);
	c.maxs = xcalloc((size_t)T, sizeof *c.maxs);
	for (int t = 0; t < T; t++) {
		c.rowbuf[t] = xmalloc(((size_t)m + BLK) * sizeof **c.rowbuf);
		c.mheap[t] = xmalloc(((size_t)m * l + 1) * sizeof **c.mheap);
		c.mlen[t] = xcalloc((size_t)m + 1, sizeof **c.mlen);
		c.khep[t] = xmalloc(((size_t)k + 1) * sizeof **c.khep);
		c.mthr[t] = xcalloc((size_t)m + BLK, sizeof **c.mthr);
		if (l == 0)
			for (uint32_t j = 0; j < m; j++)
				c.mthr[t][j] = INT32_MAX;
	}
	par_run(T, n, cand_chunk, &c);

	memset(out, 0, sizeof *out);
	out->k = k;
	out->row_bound = xcalloc((size_t)n + 1, sizeof *out->row_bound);
	out->col_bound = xcalloc((size_t)m + 1, sizeof *out->col_bound);
	for (int t = 0; t < T; t++) {
		out->allowed += c.allowed[t];
		if (c.maxs[t] > out->max_score)
			out->max_score = c.maxs[t];
	}
	/* A full top-k list bounds the rest of the row by its last score. */
	for (uint32_t i = 0; i < n; i++)
		if (k > 0 && c.top_len[i] == k)
			out->row_bound[i] = c.top[(uint64_t)i * k + k - 1].score;
	ncap = (uint64_t)n * k + (uint64_t)m * l;
	pairs = xmalloc((size_t)(ncap + 1) * sizeof *pairs);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t t = 0; t < c.top_len[i]; t++)
			pairs[np++] = c.top[(uint64_t)i * k + t];
	/* Each mentor's l best over all threads: the same set whatever the split. */
	for (uint32_t j = 0; j < m && l > 0; j++) {
		uint32_t len = 0;

		for (int t = 0; t < T; t++)
			for (uint32_t q = 0; q < c.mlen[t][j]; q++)
				merge[len++] = c.mheap[t][(uint64_t)j * l + q];
		qsort(merge, len, sizeof *merge, cmp_key_desc);
		for (uint32_t q = 0; q < len && q < l; q++)
			pairs[np++] = (struct problem_pair){ key_id(merge[q]), j,
			    key_score(merge[q]) };
		if (len >= l)
			out->col_bound[j] = key_score(merge[l - 1]);
	}
	if (l == 0)
		for (uint32_t j = 0; j < m; j++)
			out->col_bound[j] = INT32_MAX;
	if (k == 0)
		for (uint32_t i = 0; i < n; i++)
			out->row_bound[i] = INT32_MAX;
	np = sort_unique(n, pairs, np);
	rc = problem_from_pairs(n, m, o->capacity, pairs, np, &out->problem, e);
	free(pairs);
	free(merge);
	for (int t = 0; t < T; t++) {
		free(c.rowbuf[t]);
		free(c.mheap[t]);
		free(c.mlen[t]);
		free(c.khep[t]);
		free(c.mthr[t]);
	}
	free(c.mthr);
	free(c.rowbuf);
	free(c.mheap);
	free(c.mlen);
	free(c.khep);
	free(c.allowed);
	free(c.maxs);
	out->top = c.top;
	out->top_len = c.top_len;
	if (rc != 0)
		price_cands_release(out);
	return rc;
}

void
price_cands_release(struct price_cands *c)
{
	problem_free(c->problem);
	free(c->top);
	free(c->top_len);
	free(c->row_bound);
	free(c->col_bound);
	memset(c, 0, sizeof *c);
}

/* --- pricing --- */

struct viol_ctx {
	const struct price_oracle *o;
	const uint32_t *rows;		/* the rows to scan */
	uint8_t *dirty;			/* [n] more violations than the cap */
	int64_t *sigma;			/* [n] least slack outside the candidates */
	const uint64_t *crow;		/* the candidates (CSR), skipped by the scan */
	const uint32_t *ccol;
	int64_t big_m;
	const int64_t *u;
	const int64_t *t;		/* v[j] - big_m */
	uint32_t cap;			/* per mentee; 0 = all */
	int32_t **rowbuf;
	uint64_t **heap;		/* [cap] per thread: (profit, mentor) keys */
	struct problem_pair **buf;	/* per thread output */
	uint64_t *len, *bcap;
};

static void
viol_push(struct viol_ctx *c, int tid, struct problem_pair pp)
{
	if (c->len[tid] == c->bcap[tid]) {
		c->bcap[tid] = c->bcap[tid] ? 2 * c->bcap[tid] : 1024;
		c->buf[tid] = xreallocarray(c->buf[tid], c->bcap[tid], sizeof **c->buf);
	}
	c->buf[tid][c->len[tid]++] = pp;
}

/* Whether any allowed pair of the block has w - u - v > 0 (vectorised filter). */
HOT static bool
block_viol(const int32_t *restrict sc, const int64_t *restrict t, int64_t ui)
{
	int flag = 0;

	for (int q = 0; q < BLK; q++)
		flag |= (sc[q] > 0) & ((int64_t)sc[q] - t[q] > ui);
	return flag != 0;
}

/*
 * The least reduced cost u + v - w over the row's allowed pairs that are not
 * profitable (candidates were zeroed out, profitable ones are being added).
 */
HOT static int64_t
row_slack(const int32_t *restrict sc, const int64_t *restrict t, int64_t ui, uint32_t m)
{
	int64_t best = INT64_MAX;

	/* Written with masks so that the compiler vectorises it. */
	for (size_t j = 0; j < m; j++) {
		int64_t s = sc[j];
		int64_t x = ui + t[j] - s;
		int64_t bad = -(int64_t)((s <= 0) | (x < 0));

		x = (x & ~bad) | (INT64_MAX & bad);
		best = best < x ? best : x;
	}
	return best;
}

static void
viol_chunk(void *arg, int tid, uint32_t lo, uint32_t hi)
{
	struct viol_ctx *c = arg;
	const struct price_oracle *o = c->o;
	uint32_t m = o->n_mentors;
	int32_t *sc = c->rowbuf[tid];
	const int64_t *restrict t = c->t;

	for (uint32_t q0 = lo; q0 < hi; q0++) {
		uint32_t i = c->rows[q0];
		int64_t ui = c->u[i], bar = ui;	/* profit to beat: u, then the kept minimum */
		uint32_t hl = 0;
		uint64_t *h = c->heap[tid], nviol = 0;

		c->dirty[i] = 0;
		o->row(o->ctx, i, sc);
		/* Candidates are dual feasible after the solve: not our business. */
		for (uint64_t k = c->crow[i]; k < c->crow[i + 1]; k++)
			sc[c->ccol[k]] = 0;
		for (uint32_t j0 = 0; j0 < m; j0 += BLK) {
			uint32_t j1 = j0 + BLK < m ? j0 + BLK : m;

			if (j1 - j0 == BLK && !block_viol(sc + j0, t + j0, bar))
				continue;
			for (uint32_t j = j0; j < j1; j++) {
				int32_t s = sc[j];
				int64_t rp = (int64_t)s - t[j] - ui;	/* s + M - u - v */
				uint64_t pk;

				if (s <= 0 || rp <= 0)
					continue;
				nviol++;
				if (c->cap == 0) {
					viol_push(c, tid, (struct problem_pair){ i, j, s });
					continue;
				}
				/* Keep the most profitable: key (profit, then lower mentor). */
				pk = rp > (int64_t)UINT32_MAX ? UINT32_MAX : (uint64_t)rp;
				topk_push(h, &hl, c->cap, pk << 32 | (uint32_t)~j);
				/* Full: only strictly more profitable pairs can enter now
				 * (equal ones lose on the mentor id, which only grows). */
				if (hl == c->cap)
					bar = ui + (int64_t)(h[0] >> 32);
			}
		}
		/* Some profitable pair did not fit: the row must be scanned again. */
		c->dirty[i] = c->cap != 0 && nviol > c->cap;
		c->sigma[i] = row_slack(sc, t, ui, m);
		if (c->cap != 0) {
			/* Emit in mentor order. */
			uint32_t *js = (uint32_t *)(void *)(h + c->cap);

			for (uint32_t q = 0; q < hl; q++)
				js[q] = ~(uint32_t)h[q];
			qsort(js, hl, sizeof *js, cmp_u32);
			for (uint32_t q = 0; q < hl; q++)
				viol_push(c, tid, (struct problem_pair){ i, js[q], sc[js[q]] });
		}
	}
}

/*
 * Scan rows[0..nrows) against (u, v), skipping the candidate pairs; set
 * dirty[] for rows over the cap and sigma[] to each row's least slack.
 */
static uint64_t
price_violations(const struct price_oracle *o, const struct problem *cand, int64_t big_m,
    const int64_t *u, const int64_t *v, uint32_t max_per_mentee, const uint32_t *rows,
    uint32_t nrows, uint8_t *dirty, int64_t *sigma, struct problem_pair **out)
{
	uint32_t n = o->n_mentees, m = o->n_mentors;
	int T = o->threads < 1 ? 1 : o->threads;
	struct viol_ctx c = { .o = o, .rows = rows, .dirty = dirty, .sigma = sigma,
		.crow = problem_row(cand), .ccol = problem_col(cand), .big_m = big_m, .u = u,
		.cap = max_per_mentee };
	int64_t *t = xmalloc(((size_t)m + BLK) * sizeof *t);
	uint64_t total = 0;
	struct problem_pair *all;

	for (uint32_t j = 0; j < m; j++)
		t[j] = v[j] - big_m;
	c.t = t;
	c.rowbuf = xcalloc((size_t)T, sizeof *c.rowbuf);
	c.heap = xcalloc((size_t)T, sizeof *c.heap);
	c.buf = xcalloc((size_t)T, sizeof *c.buf);
	c.len = xcalloc((size_t)T, sizeof *c.len);
	c.bcap = xcalloc((size_t)T, sizeof *c.bcap);
	for (int k = 0; k < T; k++) {
		c.rowbuf[k] = xmalloc(((size_t)m + BLK) * sizeof **c.rowbuf);
		/* cap keys, then room for cap mentor ids. */
		c.heap[k] = xmalloc(((size_t)max_per_mentee * 2 + 1) * sizeof **c.heap);
	}
	par_run(T, nrows, viol_chunk, &c);
	for (int k = 0; k < T; k++)
		total += c.len[k];
	all = NULL;
	if (total > 0) {
		all = xmalloc((size_t)total * sizeof *all);
		total = 0;
		for (int k = 0; k < T; k++) {
			if (c.len[k] == 0)
				continue;
			memcpy(all + total, c.buf[k], (size_t)c.len[k] * sizeof *all);
			total += c.len[k];
		}
		/* Each mentee's pairs came from one thread in mentor order: a stable
		 * sort by mentee gives the same array whatever the split. */
		total = sort_unique(n, all, total);
	}
	for (int k = 0; k < T; k++) {
		free(c.rowbuf[k]);
		free(c.heap[k]);
		free(c.buf[k]);
	}
	free(c.rowbuf);
	free(c.heap);
	free(c.buf);
	free(c.len);
	free(c.bcap);
	free(t);
	*out = all;
	return total;
}

/* --- pricing rounds with row skipping --- */

struct price_scan {
	const struct price_oracle *o;
	int64_t big_m;
	uint32_t max_add;
	uint32_t round;
	int32_t *row_bound;	/* [n] */
	int32_t *col_bound;	/* [m] */
	int64_t *u_ref;		/* [n] duals of the previous round */
	int64_t *v_ref;		/* [m] */
	uint8_t *dirty;		/* [n] */
	int64_t *sigma;		/* [n] least slack outside the candidates at u_ref, v_ref */
	int64_t *sigma_next;	/* [n] the same for the duals of this round */
	uint32_t *rows;		/* [n] rows to scan this round */
	int64_t *ax, *ay;	/* [m] bound tables (see select_rows) */
	int64_t *ee, *ex, *ey;
};

struct price_scan *
price_scan_new(const struct price_oracle *o, const struct price_cands *c, int64_t big_m,
    uint32_t max_add)
{
	struct price_scan *ps = xcalloc(1, sizeof *ps);
	uint32_t n = o->n_mentees, m = o->n_mentors;

	ps->o = o;
	ps->big_m = big_m;
	ps->max_add = max_add;
	ps->row_bound = xmalloc(((size_t)n + 1) * sizeof *ps->row_bound);
	ps->col_bound = xmalloc(((size_t)m + 1) * sizeof *ps->col_bound);
	if (n > 0)
		memcpy(ps->row_bound, c->row_bound, (size_t)n * sizeof *ps->row_bound);
	if (m > 0)
		memcpy(ps->col_bound, c->col_bound, (size_t)m * sizeof *ps->col_bound);
	ps->u_ref = xcalloc((size_t)n + 1, sizeof *ps->u_ref);
	ps->v_ref = xcalloc((size_t)m + 1, sizeof *ps->v_ref);
	ps->dirty = xcalloc((size_t)n + 1, 1);
	ps->rows = xmalloc(((size_t)n + 1) * sizeof *ps->rows);
	ps->sigma = xcalloc((size_t)n + 1, sizeof *ps->sigma);
	ps->sigma_next = xcalloc((size_t)n + 1, sizeof *ps->sigma_next);
	ps->ax = xmalloc(((size_t)m + 1) * sizeof *ps->ax);
	ps->ay = xmalloc(((size_t)m + 1) * sizeof *ps->ay);
	ps->ee = xmalloc(((size_t)m + 1) * sizeof *ps->ee);
	ps->ex = xmalloc(((size_t)m + 1) * sizeof *ps->ex);
	ps->ey = xmalloc(((size_t)m + 1) * sizeof *ps->ey);
	return ps;
}

void
price_scan_free(struct price_scan *ps)
{
	if (ps == NULL)
		return;
	free(ps->row_bound);
	free(ps->col_bound);
	free(ps->u_ref);
	free(ps->v_ref);
	free(ps->dirty);
	free(ps->rows);
	free(ps->sigma);
	free(ps->sigma_next);
	free(ps->ax);
	free(ps->ay);
	free(ps->ee);
	free(ps->ex);
	free(ps->ey);
	free(ps);
}

struct xy {
	int64_t x, y;
};

static int
cmp_xy_desc(const void *a, const void *b)
{
	const struct xy *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? 1 : -1;
	return (p->y < q->y) - (p->y > q->y);
}

/*
 * A table over a set of mentors answering max{ cb_j - v_j : -v_j > t }:
 * x = -v sorted descending, y = prefix maxima of cb - v. Returns its length.
 */
static uint32_t
table_build(struct xy *tmp, uint32_t len, int64_t *x, int64_t *y)
{
	int64_t best = INT64_MIN;

	qsort(tmp, len, sizeof *tmp, cmp_xy_desc);
	for (uint32_t k = 0; k < len; k++) {
		if (tmp[k].y > best)
			best = tmp[k].y;
		x[k] = tmp[k].x;
		y[k] = best;
	}
	return len;
}

static int64_t
table_query(const int64_t *x, const int64_t *y, uint32_t len, int64_t t)
{
	uint32_t lo = 0, hi = len;

	/* Count the entries with x > t (x descends). */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (x[mid] > t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? INT64_MIN : y[lo - 1];
}

struct exy {
	int64_t e, x, y;
};

static int
cmp_exy(const void *a, const void *b)
{
	const struct exy *p = a, *q = b;

	if (p->e != q->e)
		return (p->e > q->e) - (p->e < q->e);
	if (p->x != q->x)
		return (p->x > q->x) - (p->x < q->x);
	return (p->y > q->y) - (p->y < q->y);
}

/*
 * Rows that may hold a profitable pair outside the candidates. Such a pair
 * (i, j) has s <= min(row_bound[i], col_bound[j]) (the first pass kept each
 * side's best as candidates), so with t = u_i - M it needs x_j = -v_j >
 * t - rb_i and y_j = cb_j - v_j > t. A row scanned (or proven clean) last
 * round also had every such pair at slack >= sigma_i; its slack now is at
 * least sigma_i + (u_i - u_ref_i) + (v_j - v_ref_j), so only mentors whose v
 * dropped by more than theta_i = (u_ref_i - u_i) - sigma_i can matter: a
 * table sorted by that drop answers with prefix maxima of x and y. Rows not
 * scanned get a new slack bound for the next round.
 */
static uint32_t
select_rows(struct price_scan *ps, const int64_t *u, const int64_t *v)
{
	uint32_t n = ps->o->n_mentees, m = ps->o->n_mentors, nrows = 0, na = 0, ne = 0;
	struct xy *tmp = xmalloc(((size_t)m + 1) * sizeof *tmp);
	struct exy *te = xmalloc(((size_t)m + 1) * sizeof *te);
	const int64_t mm = ps->big_m;

	for (uint32_t j = 0; j < m; j++) {
		if (ps->col_bound[j] <= 0)
			continue;	/* all of j's allowed pairs are candidates */
		tmp[na++] = (struct xy){ -v[j], (int64_t)ps->col_bound[j] - v[j] };
		te[ne++] = (struct exy){ v[j] - ps->v_ref[j], -v[j], (int64_t)ps->col_bound[j] - v[j] };
	}
	na = table_build(tmp, na, ps->ax, ps->ay);
	qsort(te, ne, sizeof *te, cmp_exy);
	for (uint32_t k = 0; k < ne; k++) {
		ps->ee[k] = te[k].e;
		ps->ex[k] = k > 0 && ps->ex[k - 1] > te[k].x ? ps->ex[k - 1] : te[k].x;
		ps->ey[k] = k > 0 && ps->ey[k - 1] > te[k].y ? ps->ey[k - 1] : te[k].y;
	}
	free(tmp);
	free(te);
	for (uint32_t i = 0; i < n; i++) {
		int64_t ui = u[i], t = ui - mm, rb = ps->row_bound[i], sg = ps->sigma[i];
		int64_t theta, mx, my, next;
		uint32_t lo = 0, hi = ne;

		ps->sigma_next[i] = sg;
		if (rb <= 0 || (ps->round > 0 && sg == INT64_MAX))
			continue;	/* nothing outside the candidates */
		if (ps->round == 0 || ps->dirty[i]) {
			if (table_query(ps->ax, ps->ay, na, t - rb) > t)
				ps->rows[nrows++] = i;
			else
				ps->sigma_next[i] = 0;
			continue;
		}
		/* sg >= 0 and the duals stay within a few weights: no overflow. */
		theta = (ps->u_ref[i] - ui) - sg;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (ps->ee[mid] < theta)
				lo = mid + 1;
			else
				hi = mid;
		}
		next = lo < ne ? sg + (ui - ps->u_ref[i]) + ps->ee[lo] : INT64_MAX;
		if (lo > 0) {
			mx = ps->ex[lo - 1];
			my = ps->ey[lo - 1];
			if (my > t && mx > t - rb) {
				ps->rows[nrows++] = i;
				continue;
			}
			if (next > (t - my > t - rb - mx ? t - my : t - rb - mx))
				next = t - my > t - rb - mx ? t - my : t - rb - mx;
		}
		ps->sigma_next[i] = next;
	}
	return nrows;
}

uint64_t
price_scan_round(struct price_scan *ps, const struct problem *cand, const int64_t *u,
    const int64_t *v, struct problem_pair **out, uint32_t *rows)
{
	uint32_t n = ps->o->n_mentees, m = ps->o->n_mentors;
	uint32_t nrows = select_rows(ps, u, v);
	uint64_t found;

	/* Rows skipped are proven clean; scanned rows get their flag anew. */
	if (n > 0)
		memset(ps->dirty, 0, n);
	found = price_violations(ps->o, cand, ps->big_m, u, v, ps->max_add, ps->rows, nrows,
	    ps->dirty, ps->sigma_next, out);
	memcpy(ps->sigma, ps->sigma_next, (size_t)n * sizeof *ps->sigma);
	if (n > 0)
		memcpy(ps->u_ref, u, (size_t)n * sizeof *u);
	if (m > 0)
		memcpy(ps->v_ref, v, (size_t)m * sizeof *v);
	ps->round++;
	*rows = nrows;
	return found;
}

/* --- stable mode over the oracle --- */

struct ext_ctx {
	const struct price_oracle *o;
	const struct stable_da *da;
	const int32_t *thr_s;	/* [m] a mentor takes (s, i) if s > thr_s, or = and i < thr_i */
	const uint32_t *thr_i;
	const uint32_t *need;
	uint32_t *batch;	/* [nneed] how many entries each may take */
	uint64_t *off;		/* [nneed + 1] output offsets (batch prefix sums) */
	uint32_t *outj;
	int32_t *outs;
	uint32_t *outlen;	/* [nneed] */
	uint8_t *last;		/* [nneed] everything acceptable was returned */
	int32_t **rowbuf;
	uint64_t **heap;
};

/* Whether any pair of the block might be both new to the mentee and acceptable. */
HOT static bool
block_ext(const int32_t *restrict sc, const int32_t *restrict thr, int32_t s0, int32_t lo)
{
	int flag = 0;

	for (int t = 0; t < BLK; t++)
		flag |= (sc[t] >= lo) & (sc[t] <= s0) & (sc[t] >= thr[t]);
	return flag != 0;
}

static void
ext_chunk(void *arg, int tid, uint32_t lo, uint32_t hi)
{
	struct ext_ctx *c = arg;
	const struct price_oracle *o = c->o;
	uint32_t m = o->n_mentors;
	int32_t *sc = c->rowbuf[tid];
	uint64_t *h = c->heap[tid];

	for (uint32_t q = lo; q < hi; q++) {
		uint32_t i = c->need[q], hl = 0, cap = c->batch[q], j0 = 0;
		int32_t s0 = INT32_MAX, floor = 1;
		uint64_t lim;
		bool more = false;	/* more acceptable mentors than the batch */

		if (stable_da_last_offered(c->da, i, &s0, &j0))
			lim = key_of(s0, j0);
		else
			lim = UINT64_MAX;
		o->row(o->ctx, i, sc);
		for (uint32_t b0 = 0; b0 < m; b0 += BLK) {
			uint32_t b1 = b0 + BLK < m ? b0 + BLK : m;

			if (b1 - b0 == BLK && !block_ext(sc + b0, c->thr_s + b0, s0, floor))
				continue;
			for (uint32_t j = b0; j < b1; j++) {
				int32_t s = sc[j];
				uint64_t x;

				if (s <= 0)
					continue;
				x = key_of(s, j);
				/* Strictly after what was offered, and not refused for good. */
				if (x >= lim || s < floor || s < c->thr_s[j] ||
				    (s == c->thr_s[j] && i >= c->thr_i[j]))
					continue;
				if (hl == cap)
					more = true;
				topk_push(h, &hl, cap, x);
				/* Known to overflow: only better ones matter now. */
				if (more)
					floor = key_score(h[0]);
			}
		}
		qsort(h, hl, sizeof *h, cmp_key_desc);
		for (uint32_t t = 0; t < hl; t++) {
			c->outj[c->off[q] + t] = key_id(h[t]);
			c->outs[c->off[q] + t] = key_score(h[t]);
		}
		c->outlen[q] = hl;
		c->last[q] = !more;
	}
}

void
price_stable(const struct price_oracle *o, const struct price_cands *pc,
    uint32_t *mentor_of, int32_t *score_of, struct price_stable_stats *st)
{
	uint32_t k = pc->k;
	const struct problem_pair *top_k = pc->top;
	const uint32_t *top_len = pc->top_len;
	uint32_t n = o->n_mentees, m = o->n_mentors;
	int T = o->threads < 1 ? 1 : o->threads;
	struct stable_da *da = stable_da_new(n, m, o->capacity);
	uint32_t *need = xmalloc(((size_t)n + 1) * sizeof *need);
	uint32_t *grow = xcalloc((size_t)n + 1, sizeof *grow);	/* extensions per mentee */
	uint32_t *js = xmalloc(((size_t)k + 1) * sizeof *js);
	int32_t *ss = xmalloc(((size_t)k + 1) * sizeof *ss);
	struct ext_ctx c = { .o = o };
	int32_t *thr_s;
	uint32_t *thr_i;
	uint32_t nneed;

	memset(st, 0, sizeof *st);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = top_len[i];

		for (uint32_t t = 0; t < len; t++) {
			js[t] = top_k[(uint64_t)i * k + t].mentor;
			ss[t] = top_k[(uint64_t)i * k + t].score;
		}
		/* Fewer than k allowed pairs: that is the whole list. */
		stable_da_offer(da, i, js, ss, len, len < k);
		st->offered += len;
	}
	c.rowbuf = xcalloc((size_t)T, sizeof *c.rowbuf);
	c.heap = xcalloc((size_t)T, sizeof *c.heap);
	for (int t = 0; t < T; t++)
		c.rowbuf[t] = xmalloc(((size_t)m + BLK) * sizeof **c.rowbuf);
	thr_s = xmalloc(((size_t)m + BLK) * sizeof *thr_s);
	thr_i = xmalloc(((size_t)m + BLK) * sizeof *thr_i);
	while ((nneed = stable_da_run(da, need)) > 0) {
		uint32_t maxb = 1;

		st->extensions++;
		st->rows += nneed;
		stable_da_thresholds(da, thr_s, thr_i);
		c.thr_s = thr_s;
		c.thr_i = thr_i;
		c.da = da;
		c.need = need;
		c.batch = xmalloc((size_t)nneed * sizeof *c.batch);
		c.off = xmalloc(((size_t)nneed + 1) * sizeof *c.off);
		c.outlen = xmalloc((size_t)nneed * sizeof *c.outlen);
		c.last = xmalloc((size_t)nneed);
		c.off[0] = 0;
		for (uint32_t q = 0; q < nneed; q++) {
			/* Geometric growth: few oracle calls even for long lists. */
			uint32_t g = grow[need[q]]++ + 1;
			uint64_t b = (uint64_t)(k ? k : 1) << (g < 16 ? g : 16);

			c.batch[q] = b > m ? m : (uint32_t)b;
			if (c.batch[q] > maxb)
				maxb = c.batch[q];
			c.off[q + 1] = c.off[q] + c.batch[q];
		}
		c.outj = xmalloc((size_t)(c.off[nneed] + 1) * sizeof *c.outj);
		c.outs = xmalloc((size_t)(c.off[nneed] + 1) * sizeof *c.outs);
		for (int t = 0; t < T; t++)
			c.heap[t] = xreallocarray(c.heap[t], (size_t)maxb + 1, sizeof **c.heap);
		par_run(T, nneed, ext_chunk, &c);
		for (uint32_t q = 0; q < nneed; q++) {
			stable_da_offer(da, need[q], c.outj + c.off[q], c.outs + c.off[q],
			    c.outlen[q], c.last[q]);
			st->offered += c.outlen[q];
		}
		free(c.batch);
		free(c.off);
		free(c.outlen);
		free(c.last);
		free(c.outj);
		free(c.outs);
	}
	memcpy(mentor_of, stable_da_assignment(da), (size_t)n * sizeof *mentor_of);
	stable_da_scores(da, score_of);
	st->proposals = stable_da_proposals(da);
	for (int t = 0; t < T; t++) {
		free(c.rowbuf[t]);
		free(c.heap[t]);
	}
	free(c.rowbuf);
	free(c.heap);
	free(thr_s);
	free(thr_i);
	free(need);
	free(grow);
	free(js);
	free(ss);
	stable_da_free(da);
}
