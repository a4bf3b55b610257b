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
    struct problem **out, struct price_summary *sum, struct problem_pair **top_k,
    uint32_t **top_len, struct err *e)
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

	memset(sum, 0, sizeof *sum);
	for (int t = 0; t < T; t++) {
		sum->allowed += c.allowed[t];
		if (c.maxs[t] > sum->max_score)
			sum->max_score = c.maxs[t];
	}
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
	}
	np = sort_unique(n, pairs, np);
	rc = problem_from_pairs(n, m, o->capacity, pairs, np, out, e);
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
	if (top_k != NULL) {
		*top_k = c.top;
		*top_len = c.top_len;
	} else {
		free(c.top);
		free(c.top_len);
	}
	return rc;
}

/* --- pricing --- */

struct viol_ctx {
	const struct price_oracle *o;
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

static void
viol_chunk(void *arg, int tid, uint32_t lo, uint32_t hi)
{
	struct viol_ctx *c = arg;
	const struct price_oracle *o = c->o;
	uint32_t m = o->n_mentors;
	int32_t *sc = c->rowbuf[tid];
	const int64_t *restrict t = c->t;

	for (uint32_t i = lo; i < hi; i++) {
		int64_t ui = c->u[i], bar = ui;	/* profit to beat: u, then the kept minimum */
		uint32_t hl = 0;
		uint64_t *h = c->heap[tid];

		o->row(o->ctx, i, sc);
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

uint64_t
price_violations(const struct price_oracle *o, int64_t big_m, const int64_t *u,
    const int64_t *v, uint32_t max_per_mentee, struct problem_pair **out)
{
	uint32_t n = o->n_mentees, m = o->n_mentors;
	int T = o->threads < 1 ? 1 : o->threads;
	struct viol_ctx c = { .o = o, .big_m = big_m, .u = u, .cap = max_per_mentee };
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
	par_run(T, n, viol_chunk, &c);
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

/* --- stable mode over the oracle --- */

struct ext_ctx {
	const struct price_oracle *o;
	const struct stable_da *da;
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
		int32_t s0 = INT32_MAX;
		uint64_t lim, found = 0;

		if (stable_da_last_offered(c->da, i, &s0, &j0))
			lim = key_of(s0, j0);
		else
			lim = UINT64_MAX;
		o->row(o->ctx, i, sc);
		for (uint32_t j = 0; j < m; j++) {
			int32_t s = sc[j];
			uint64_t x;

			if (s <= 0)
				continue;
			x = key_of(s, j);
			/* Strictly after what was offered, and not refused for good. */
			if (x >= lim || !stable_da_would_accept(c->da, j, i, s))
				continue;
			found++;
			topk_push(h, &hl, cap, x);
		}
		qsort(h, hl, sizeof *h, cmp_key_desc);
		for (uint32_t t = 0; t < hl; t++) {
			c->outj[c->off[q] + t] = key_id(h[t]);
			c->outs[c->off[q] + t] = key_score(h[t]);
		}
		c->outlen[q] = hl;
		c->last[q] = found <= cap;
	}
}

void
price_stable(const struct price_oracle *o, uint32_t k, const struct problem_pair *top_k,
    const uint32_t *top_len, uint32_t *mentor_of, int32_t *score_of,
    struct price_stable_stats *st)
{
	uint32_t n = o->n_mentees, m = o->n_mentors;
	int T = o->threads < 1 ? 1 : o->threads;
	struct stable_da *da = stable_da_new(n, m, o->capacity);
	uint32_t *need = xmalloc(((size_t)n + 1) * sizeof *need);
	uint32_t *grow = xcalloc((size_t)n + 1, sizeof *grow);	/* extensions per mentee */
	uint32_t *js = xmalloc(((size_t)k + 1) * sizeof *js);
	int32_t *ss = xmalloc(((size_t)k + 1) * sizeof *ss);
	struct ext_ctx c = { .o = o };
	uint32_t nneed;

	memset(st, 0, sizeof *st);
	if (k > m)
		k = m;
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
		c.rowbuf[t] = xmalloc(((size_t)m + 1) * sizeof **c.rowbuf);
	while ((nneed = stable_da_run(da, need)) > 0) {
		uint32_t maxb = 1;

		st->extensions++;
		st->rows += nneed;
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
	free(need);
	free(grow);
	free(js);
	free(ss);
	stable_da_free(da);
}
