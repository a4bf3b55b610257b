/*
 * flow.c - shortest augmenting paths with potentials for the capacitated
 * assignment problem.
 *
 * State: every mentee is either processed (matched on a tight pair, or
 * unmatched with u = 0) or unprocessed (it still carries one unit of excess).
 * Processed mentees and all mentors satisfy dual feasibility and
 * complementary slackness, except that a mentor may have a spare place while
 * v > 0 (a "priced" spare place: on a cold start, or after a warm start
 * dropped one of its mentees). Then:
 *
 * 1. each unprocessed mentee r, in index order, runs a Dijkstra over mentors
 *    from r; it ends at the nearest of: a mentor with a spare place, or a
 *    processed mentee (r itself included) giving up its pair. Mentees are
 *    reached only through their mentor (matched pairs have reduced cost 0),
 *    so the heap holds mentors only. Then the scanned part's duals move by
 *    (D - d) and the path is flipped.
 * 2. each remaining priced spare place runs a reverse Dijkstra (over the
 *    mentor -> candidate mentees lists) to the nearest of: an unmatched
 *    mentee that can take the place through a chain of moves, or a mentor
 *    (the place's own included) that gives up a place, its v dropping to 0.
 *
 * Both keep reduced costs non-negative and pairs tight, so the result is
 * optimal with valid duals. The cold start (cold_prices) decides which side
 * does the work for each mentor, and both scans stop early on score-sorted
 * copies of the pairs. docs/performance.md has the measurements.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "bmatch.h"
#include "xmalloc.h"

#define NONE PROBLEM_NONE

struct fs {
	uint32_t n, m;
	const uint64_t *row;	/* the problem's row offsets */
	uint32_t *col;		/* private copy of the pairs, each row by score */
	int32_t *score;		/* descending (ties: mentor ascending) */
	const uint32_t *cap;
	int64_t big_m;
	int64_t vmax;		/* a v that no pair can use: max weight */

	uint32_t *mentor_of;
	int64_t *u, *v;
	uint32_t *edge_of;	/* [n] pair index of the assignment */
	uint8_t *todo;		/* [n] 1 = unprocessed */

	uint64_t *slot_off;	/* [m + 1] each mentor's list of assigned mentees */
	uint32_t *slot;
	uint32_t *cnt;		/* [m] assigned count */
	uint32_t *slot_pos;	/* [n] position in the mentor's list */

	/* Search workspace (mentors). */
	int64_t *d;
	uint32_t *pred_i;	/* mentee through which a mentor was reached */
	uint32_t *pred_e;	/* the pair used (forward search) */
	uint32_t *pred_x;	/* reverse search: the mentor the mentee moves to */
	uint32_t *seen;		/* epoch stamps */
	uint32_t *done;
	uint32_t epoch;
	uint32_t *heap;
	uint32_t *hpos;
	uint32_t hlen;
	uint32_t *scanned;
	uint32_t nscanned;

	/* Reverse adjacency (built on demand). */
	uint64_t *cptr;
	uint32_t *cmentee;
	uint32_t *cedge;

	struct flow_stats *st;
};

struct flow_solution *
flow_solution_new(uint32_t n_mentees, uint32_t n_mentors)
{
	struct flow_solution *s = xcalloc(1, sizeof *s);

	s->n_mentees = n_mentees;
	s->n_mentors = n_mentors;
	s->mentor_of = xmalloc(((size_t)n_mentees + 1) * sizeof *s->mentor_of);
	s->u = xmalloc(((size_t)n_mentees + 1) * sizeof *s->u);
	s->v = xmalloc(((size_t)n_mentors + 1) * sizeof *s->v);
	flow_solution_reset(s);
	return s;
}

void
flow_solution_reset(struct flow_solution *s)
{
	for (uint32_t i = 0; i < s->n_mentees; i++) {
		s->mentor_of[i] = NONE;
		s->u[i] = 0;
	}
	memset(s->v, 0, (size_t)s->n_mentors * sizeof *s->v);
}

void
flow_solution_free(struct flow_solution *s)
{
	if (s == NULL)
		return;
	free(s->mentor_of);
	free(s->u);
	free(s->v);
	free(s);
}

/* --- indexed 4-ary min-heap of mentors keyed by d[] --- */

static inline void
heap_up(struct fs *f, uint32_t pos)
{
	uint32_t x = f->heap[pos];
	int64_t dx = f->d[x];

	while (pos > 0) {
		uint32_t par = (pos - 1) / 4;
		uint32_t y = f->heap[par];

		if (f->d[y] <= dx)
			break;
		f->heap[pos] = y;
		f->hpos[y] = pos;
		pos = par;
	}
	f->heap[pos] = x;
	f->hpos[x] = pos;
}

static inline void
heap_push_or_decrease(struct fs *f, uint32_t x, bool present)
{
	if (!present) {
		f->heap[f->hlen] = x;
		f->hpos[x] = f->hlen;
		f->hlen++;
	}
	heap_up(f, f->hpos[x]);
}

static inline uint32_t
heap_pop(struct fs *f)
{
	uint32_t top = f->heap[0];
	uint32_t x, pos = 0;
	int64_t dx;

	f->hlen--;
	if (f->hlen == 0)
		return top;
	x = f->heap[f->hlen];
	dx = f->d[x];
	for (;;) {
		uint32_t c = pos * 4 + 1, best = UINT32_MAX;
		int64_t bd = dx;

		if (c >= f->hlen)
			break;
		for (uint32_t k = c; k < c + 4 && k < f->hlen; k++) {
			if (f->d[f->heap[k]] < bd) {
				bd = f->d[f->heap[k]];
				best = k;
			}
		}
		if (best == UINT32_MAX)
			break;
		f->heap[pos] = f->heap[best];
		f->hpos[f->heap[pos]] = pos;
		pos = best;
	}
	f->heap[pos] = x;
	f->hpos[x] = pos;
	return top;
}

/* --- assignment bookkeeping --- */

static inline int64_t
weight(const struct fs *f, uint32_t e)
{
	return (int64_t)f->score[e] + f->big_m;
}

static inline void
slot_remove(struct fs *f, uint32_t i)
{
	uint32_t j = f->mentor_of[i];
	uint64_t base = f->slot_off[j];
	uint32_t pos = f->slot_pos[i], last = f->cnt[j] - 1;
	uint32_t k = f->slot[base + last];

	f->slot[base + pos] = k;
	f->slot_pos[k] = pos;
	f->cnt[j] = last;
	f->mentor_of[i] = NONE;
}

static inline void
slot_add(struct fs *f, uint32_t i, uint32_t j, uint32_t e)
{
	uint32_t pos = f->cnt[j]++;

	f->slot[f->slot_off[j] + pos] = i;
	f->slot_pos[i] = pos;
	f->mentor_of[i] = j;
	f->edge_of[i] = e;
}

/* Move mentee i (matched or not) to mentor j over pair e. */
static inline void
move_to(struct fs *f, uint32_t i, uint32_t j, uint32_t e)
{
	if (f->mentor_of[i] != NONE)
		slot_remove(f, i);
	slot_add(f, i, j, e);
}

/* --- set-up and warm-start repair --- */

/*
 * Stable sort of perm[0..len) by score[perm[k]] descending: insertion sort
 * for short runs, else LSD radix on the bytes that differ.
 */
static void
sort_perm_desc(const int32_t *score, uint32_t *perm, uint32_t *tmp, uint64_t len)
{
	uint32_t diff = 0, k0;
	uint32_t cnt[257];

	if (len <= 32) {
		for (uint64_t k = 1; k < len; k++) {
			uint32_t x = perm[k];
			uint64_t q = k;

			while (q > 0 && score[perm[q - 1]] < score[x]) {
				perm[q] = perm[q - 1];
				q--;
			}
			perm[q] = x;
		}
		return;
	}
	k0 = (uint32_t)INT32_MAX - (uint32_t)score[perm[0]];
	for (uint64_t k = 1; k < len; k++)
		diff |= ((uint32_t)INT32_MAX - (uint32_t)score[perm[k]]) ^ k0;
	for (int sh = 0; sh < 32; sh += 8) {
		if (((diff >> sh) & 0xff) == 0)
			continue;
		memset(cnt, 0, sizeof cnt);
		for (uint64_t k = 0; k < len; k++)
			cnt[((((uint32_t)INT32_MAX - (uint32_t)score[perm[k]]) >> sh) & 0xff) + 1]++;
		for (int dg = 0; dg < 256; dg++)
			cnt[dg + 1] += cnt[dg];
		for (uint64_t k = 0; k < len; k++)
			tmp[cnt[(((uint32_t)INT32_MAX - (uint32_t)score[perm[k]]) >> sh) & 0xff]++] = perm[k];
		memcpy(perm, tmp, (size_t)len * sizeof *perm);
	}
}

/*
 * The solver's own copies of the pairs, both by score descending (ties in
 * index order): per mentee (col, score) and per mentor (cmentee, cedge, the
 * latter indexing the per-mentee copy). Scans stop early on them: a pair's
 * reduced cost is at least (its side's label - weight) since duals are >= 0.
 */
static void
build_arcs(struct fs *f, const struct problem *p)
{
	uint64_t nnz = problem_n_pairs(p), sz = nnz ? nnz : 1, maxlen = 1;
	const uint32_t *pcol = problem_col(p);
	const int32_t *pscore = problem_score(p);
	int32_t *cscore = xmalloc((size_t)sz * sizeof *cscore);
	uint64_t *cfill = xmalloc(((size_t)f->m + 1) * sizeof *cfill);
	uint32_t *perm, *tmp, *t32;

	f->col = xmalloc((size_t)sz * sizeof *f->col);
	f->score = xmalloc((size_t)sz * sizeof *f->score);
	f->cptr = xcalloc((size_t)f->m + 1, sizeof *f->cptr);
	f->cmentee = xmalloc((size_t)sz * sizeof *f->cmentee);
	f->cedge = xmalloc((size_t)sz * sizeof *f->cedge);
	for (uint64_t k = 0; k < nnz; k++)
		f->cptr[pcol[k] + 1]++;
	for (uint32_t j = 0; j < f->m; j++) {
		if (f->cptr[j + 1] > maxlen)
			maxlen = f->cptr[j + 1];
		f->cptr[j + 1] += f->cptr[j];
	}
	for (uint32_t i = 0; i < f->n; i++)
		if (f->row[i + 1] - f->row[i] > maxlen)
			maxlen = f->row[i + 1] - f->row[i];
	perm = xmalloc((size_t)maxlen * sizeof *perm);
	tmp = xmalloc((size_t)maxlen * sizeof *tmp);
	t32 = xmalloc((size_t)maxlen * sizeof *t32);
	for (uint32_t i = 0; i < f->n; i++) {
		uint64_t a = f->row[i], len = f->row[i + 1] - a;

		for (uint64_t k = 0; k < len; k++)
			perm[k] = (uint32_t)k;
		sort_perm_desc(pscore + a, perm, tmp, len);
		for (uint64_t k = 0; k < len; k++) {
			f->col[a + k] = pcol[a + perm[k]];
			f->score[a + k] = pscore[a + perm[k]];
		}
	}
	memcpy(cfill, f->cptr, (size_t)f->m * sizeof *cfill);
	for (uint32_t i = 0; i < f->n; i++) {
		for (uint64_t k = f->row[i]; k < f->row[i + 1]; k++) {
			uint64_t ct = cfill[f->col[k]]++;

			f->cmentee[ct] = i;
			f->cedge[ct] = (uint32_t)k;
			cscore[ct] = f->score[k];
		}
	}
	for (uint32_t j = 0; j < f->m; j++) {
		uint64_t a = f->cptr[j], len = f->cptr[j + 1] - a;

		for (uint64_t k = 0; k < len; k++)
			perm[k] = (uint32_t)k;
		sort_perm_desc(cscore + a, perm, tmp, len);
		for (uint64_t k = 0; k < len; k++)
			t32[k] = f->cmentee[a + perm[k]];
		for (uint64_t k = 0; k < len; k++)
			tmp[k] = f->cedge[a + perm[k]];
		memcpy(f->cmentee + a, t32, (size_t)len * sizeof *t32);
		memcpy(f->cedge + a, tmp, (size_t)len * sizeof *tmp);
	}
	free(perm);
	free(tmp);
	free(t32);
	free(cscore);
	free(cfill);
}

static void
fs_init(struct fs *f, const struct problem *p, int64_t big_m, struct flow_solution *sol)
{
	uint64_t tot = 0;

	memset(f, 0, sizeof *f);
	f->n = problem_n_mentees(p);
	f->m = problem_n_mentors(p);
	f->row = problem_row(p);
	f->cap = problem_capacity(p);
	f->big_m = big_m;
	f->vmax = big_m + problem_max_score(p);
	f->mentor_of = sol->mentor_of;
	f->u = sol->u;
	f->v = sol->v;
	build_arcs(f, p);
	f->edge_of = xmalloc(((size_t)f->n + 1) * sizeof *f->edge_of);
	f->todo = xcalloc((size_t)f->n + 1, 1);
	f->slot_pos = xmalloc(((size_t)f->n + 1) * sizeof *f->slot_pos);
	f->cnt = xcalloc((size_t)f->m + 1, sizeof *f->cnt);
	f->slot_off = xcalloc((size_t)f->m + 1, sizeof *f->slot_off);
	/* A mentor never holds more than min(capacity, candidates) mentees. */
	for (uint32_t j = 0; j < f->m; j++) {
		uint64_t c = f->cptr[j + 1] - f->cptr[j];

		if (c > f->cap[j])
			c = f->cap[j];
		f->slot_off[j] = tot;
		tot += c;
	}
	f->slot_off[f->m] = tot;
	f->slot = xmalloc((size_t)(tot ? tot : 1) * sizeof *f->slot);
	f->d = xmalloc(((size_t)f->m + 1) * sizeof *f->d);
	f->pred_i = xmalloc(((size_t)f->m + 1) * sizeof *f->pred_i);
	f->pred_e = xmalloc(((size_t)f->m + 1) * sizeof *f->pred_e);
	f->pred_x = xmalloc(((size_t)f->m + 1) * sizeof *f->pred_x);
	f->seen = xcalloc((size_t)f->m + 1, sizeof *f->seen);
	f->done = xcalloc((size_t)f->m + 1, sizeof *f->done);
	f->heap = xmalloc(((size_t)f->m + 1) * sizeof *f->heap);
	f->hpos = xmalloc(((size_t)f->m + 1) * sizeof *f->hpos);
	f->scanned = xmalloc(((size_t)f->m + 1) * sizeof *f->scanned);
}

static void
fs_fini(struct fs *f)
{
	free(f->col);
	free(f->score);
	free(f->edge_of);
	free(f->todo);
	free(f->slot_pos);
	free(f->cnt);
	free(f->slot_off);
	free(f->slot);
	free(f->d);
	free(f->pred_i);
	free(f->pred_e);
	free(f->pred_x);
	free(f->seen);
	free(f->done);
	free(f->heap);
	free(f->hpos);
	free(f->scanned);
	free(f->cptr);
	free(f->cmentee);
	free(f->cedge);
}

/* Find pair (i, j) in i's row; UINT32_MAX if absent. */
static uint32_t
find_edge(const struct fs *f, uint32_t i, uint32_t j)
{
	for (uint64_t k = f->row[i]; k < f->row[i + 1]; k++)
		if (f->col[k] == j)
			return (uint32_t)k;
	return UINT32_MAX;
}

/* max(0, max over i's pairs of w - v): the smallest dual-feasible u[i]. */
static int64_t
best_u(const struct fs *f, uint32_t i)
{
	int64_t best = 0;

	for (uint64_t e = f->row[i]; e < f->row[i + 1]; e++) {
		int64_t w = weight(f, (uint32_t)e), r;

		if (w <= best)
			break;		/* weights descend and v >= 0 */
		r = w - f->v[f->col[e]];
		if (r > best)
			best = r;
	}
	return best;
}

/*
 * Keep the consistent part of the incoming state: valid, tight, dual
 * feasible assignments stay; everything else becomes unprocessed. Mentor
 * duals are kept (clamped to >= 0); a mentor that lost a mentee may then
 * have a priced spare slot, which phase 2 resolves.
 */
static void
repair(struct fs *f)
{
	for (uint32_t j = 0; j < f->m; j++) {
		if (f->v[j] < 0)
			f->v[j] = 0;
		/* A mentor without capacity can never be used: price it out. */
		if (f->cap[j] == 0 && f->v[j] < f->vmax)
			f->v[j] = f->vmax;
	}
	for (uint32_t i = 0; i < f->n; i++) {
		uint32_t j = f->mentor_of[i], e;

		f->mentor_of[i] = NONE;
		if (j == NONE || j >= f->m)
			continue;
		e = find_edge(f, i, j);
		if (e == UINT32_MAX || f->cnt[j] >= f->cap[j] ||
		    f->cnt[j] >= f->slot_off[j + 1] - f->slot_off[j]) {
			if (f->st)
				f->st->dropped++;
			continue;
		}
		slot_add(f, i, j, e);
	}
	for (uint32_t i = 0; i < f->n; i++) {
		uint32_t j = f->mentor_of[i];

		if (j != NONE) {
			int64_t ui = weight(f, f->edge_of[i]) - f->v[j];

			if (ui >= 0 && best_u(f, i) <= ui) {
				f->u[i] = ui;
				if (f->st)
					f->st->kept++;
				continue;
			}
			slot_remove(f, i);
			if (f->st)
				f->st->dropped++;
		}
		f->u[i] = best_u(f, i);
		f->todo[i] = f->u[i] > 0;
	}
}

/* --- phase 1: forward search from an unprocessed mentee --- */

enum term { TERM_MENTOR, TERM_DROP };

static inline uint32_t
next_epoch(struct fs *f)
{
	if (++f->epoch == 0) {
		memset(f->seen, 0, (size_t)f->m * sizeof *f->seen);
		memset(f->done, 0, (size_t)f->m * sizeof *f->done);
		f->epoch = 1;
	}
	return f->epoch;
}

static void
forward(struct fs *f, uint32_t r)
{
	const uint32_t *restrict col = f->col;
	const int32_t *restrict score = f->score;
	const int64_t *restrict v = f->v;
	const uint32_t *restrict cnt = f->cnt, *restrict cap = f->cap;
	int64_t *restrict d = f->d;
	uint32_t *restrict seen = f->seen;
	const uint32_t *restrict done = f->done;
	const int64_t big_m = f->big_m;
	int64_t best, ur;
	enum term kind = TERM_DROP;
	uint32_t term_i = r, term_j = NONE, term_e = 0, ep;
	uint32_t i, j, e;
	uint64_t relaxed = 0;

	ur = best_u(f, r);
	f->u[r] = ur;
	f->todo[r] = 0;
	if (ur == 0)
		return;		/* no pair is worth more than its mentor's price */
	best = ur;		/* r stays unmatched */

	/* Fast path: a best pair whose mentor has room (distance 0). */
	for (uint64_t k = f->row[r]; k < f->row[r + 1]; k++) {
		int64_t w = score[k] + big_m;

		if (w < ur)
			break;
		j = col[k];
		if (w - v[j] == ur && cnt[j] < cap[j]) {
			slot_add(f, r, j, (uint32_t)k);
			if (f->st)
				f->st->direct++;
			return;
		}
	}

	if (f->st)
		f->st->searches++;
	ep = next_epoch(f);
	f->hlen = 0;
	f->nscanned = 0;
	for (uint64_t k = f->row[r]; k < f->row[r + 1]; k++) {
		int64_t w = score[k] + big_m, nd;

		if (ur - w >= best)
			break;
		j = col[k];
		nd = ur + v[j] - w;
		if (nd >= best || cap[j] == 0)
			continue;
		if (cnt[j] < cap[j]) {
			best = nd;
			kind = TERM_MENTOR;
			term_i = r;
			term_j = j;
			term_e = (uint32_t)k;
		} else if (seen[j] != ep || nd < d[j]) {
			bool present = seen[j] == ep;

			seen[j] = ep;
			d[j] = nd;
			f->pred_i[j] = r;
			f->pred_e[j] = (uint32_t)k;
			heap_push_or_decrease(f, j, present);
		}
	}
	while (f->hlen > 0 && d[f->heap[0]] < best) {
		int64_t dj;
		uint64_t s0, s1;

		j = heap_pop(f);
		dj = d[j];
		f->done[j] = ep;
		f->scanned[f->nscanned++] = j;
		s0 = f->slot_off[j];
		s1 = s0 + cnt[j];
		for (uint64_t s = s0; s < s1; s++) {
			uint32_t k = f->slot[s];
			int64_t h = dj + f->u[k];
			uint64_t a = f->row[k], z = f->row[k + 1], q;

			if (h < best) {
				best = h;
				kind = TERM_DROP;
				term_i = k;
			}
			for (q = a; q < z; q++) {
				int64_t w = score[q] + big_m, nd;
				uint32_t j2;

				if (h - w >= best)
					break;	/* weights descend and v >= 0 */
				j2 = col[q];
				nd = h + v[j2] - w;
				if (nd >= best || done[j2] == ep)
					continue;
				if (cnt[j2] < cap[j2]) {
					best = nd;
					kind = TERM_MENTOR;
					term_i = k;
					term_j = j2;
					term_e = (uint32_t)q;
				} else if (seen[j2] != ep || nd < d[j2]) {
					bool present = seen[j2] == ep;

					if (cap[j2] == 0)
						continue;
					seen[j2] = ep;
					d[j2] = nd;
					f->pred_i[j2] = k;
					f->pred_e[j2] = (uint32_t)q;
					heap_push_or_decrease(f, j2, present);
				}
			}
			relaxed += q - a;
		}
	}
	if (f->st)
		f->st->relaxed += relaxed;
	if (f->st)
		f->st->scanned += f->nscanned;

	/* Duals of the scanned part move by (D - d); the rest is untouched. */
	for (uint32_t s = 0; s < f->nscanned; s++) {
		uint32_t x = f->scanned[s];
		int64_t delta = best - f->d[x];
		uint64_t s0 = f->slot_off[x], s1 = s0 + f->cnt[x];

		f->v[x] += delta;
		for (uint64_t q = s0; q < s1; q++)
			f->u[f->slot[q]] -= delta;
	}
	f->u[r] -= best;

	/* Flip the path, from its end back to r. */
	if (kind == TERM_DROP) {
		if (term_i == r)
			return;
		j = f->mentor_of[term_i];
		slot_remove(f, term_i);
		i = f->pred_i[j];
		e = f->pred_e[j];
	} else {
		i = term_i;
		j = term_j;
		e = term_e;
	}
	for (;;) {
		uint32_t prev = f->mentor_of[i];

		move_to(f, i, j, e);
		if (i == r)
			break;
		j = prev;
		i = f->pred_i[j];
		e = f->pred_e[j];
	}
}

/* --- phase 2: reverse search from a priced spare slot --- */

/*
 * Cold-start prices from the structure of maximum-cardinality matchings.
 * A mentor that can keep a spare place in some maximum matching (it can be
 * reached backwards, along alternating paths, from a spare place) starts at
 * v = 0 and is settled from the mentee side by forward searches. Every other
 * mentor is full in every optimal solution; it is priced out (no pair is
 * worth its price) and its places are filled from the mentor side by reverse
 * searches, best candidates first, like a mentor-proposing auction. Over-
 * demanded cohorts thus never send long forward searches hunting for the
 * last spare places, and under-demanded ones never send long reverse
 * searches.
 */
static void
cold_prices(struct fs *f, const struct problem *p)
{
	uint8_t *spare = xcalloc((size_t)f->m + 1, 1);
	uint32_t *queue = xmalloc(((size_t)f->m + 1) * sizeof *queue);
	uint32_t *cnt = xcalloc((size_t)f->m + 1, sizeof *cnt);
	uint32_t qh = 0, qt = 0;

	(void)bmatch_max(p, f->mentor_of, NULL);
	for (uint32_t i = 0; i < f->n; i++)
		if (f->mentor_of[i] != NONE)
			cnt[f->mentor_of[i]]++;
	for (uint32_t j = 0; j < f->m; j++) {
		if (cnt[j] < f->cap[j]) {
			spare[j] = 1;
			queue[qt++] = j;
		}
	}
	while (qh < qt) {
		uint32_t j = queue[qh++];

		for (uint64_t q = f->cptr[j]; q < f->cptr[j + 1]; q++) {
			uint32_t x = f->mentor_of[f->cmentee[q]];

			if (x != NONE && !spare[x]) {
				spare[x] = 1;
				queue[qt++] = x;
			}
		}
	}
	for (uint32_t i = 0; i < f->n; i++)
		f->mentor_of[i] = NONE;
	for (uint32_t j = 0; j < f->m; j++)
		f->v[j] = spare[j] ? 0 : f->vmax;
	free(spare);
	free(queue);
	free(cnt);
}

enum rterm { RTERM_GIVEUP, RTERM_UNMATCHED };

static void
reverse(struct fs *f, uint32_t j0)
{
	int64_t best = f->v[j0];
	enum rterm kind = RTERM_GIVEUP;
	uint32_t term_j = j0, term_k = NONE, term_x = NONE, term_e = 0, ep;
	uint32_t x;

	if (f->st)
		f->st->reverse++;
	ep = next_epoch(f);
	f->hlen = 0;
	f->nscanned = 0;
	f->seen[j0] = ep;
	f->d[j0] = 0;
	heap_push_or_decrease(f, j0, false);
	while (f->hlen > 0 && f->d[f->heap[0]] < best) {
		int64_t dx;

		x = heap_pop(f);
		dx = f->d[x];
		f->done[x] = ep;
		f->scanned[f->nscanned++] = x;
		if (x != j0 && dx + f->v[x] < best) {
			best = dx + f->v[x];
			kind = RTERM_GIVEUP;
			term_j = x;
		}
		for (uint64_t q = f->cptr[x]; q < f->cptr[x + 1]; q++) {
			uint32_t k = f->cmentee[q], e = f->cedge[q];
			uint32_t jk = f->mentor_of[k];
			int64_t base = dx + f->v[x] - weight(f, e), nd;

			/* u >= 0 and the list is by weight descending: nothing further helps. */
			if (base >= best)
				break;
			if (jk == x)
				continue;
			nd = base + f->u[k];
			if (nd >= best)
				continue;
			if (jk == NONE) {
				best = nd;
				kind = RTERM_UNMATCHED;
				term_k = k;
				term_x = x;
				term_e = e;
			} else if (f->done[jk] != ep && (f->seen[jk] != ep || nd < f->d[jk])) {
				bool present = f->seen[jk] == ep;

				f->seen[jk] = ep;
				f->d[jk] = nd;
				f->pred_i[jk] = k;
				f->pred_e[jk] = e;
				f->pred_x[jk] = x;
				heap_push_or_decrease(f, jk, present);
			}
		}
	}
	if (f->st)
		f->st->scanned += f->nscanned;

	for (uint32_t s = 0; s < f->nscanned; s++) {
		uint32_t y = f->scanned[s];
		int64_t delta = best - f->d[y];
		uint64_t s0 = f->slot_off[y], s1 = s0 + f->cnt[y];

		f->v[y] -= delta;
		for (uint64_t q = s0; q < s1; q++)
			f->u[f->slot[q]] += delta;
	}

	/*
	 * Flip: each mentee on the path moves one step towards j0. Collect the
	 * path first and move from the j0 end, so no mentor ever holds more
	 * than its capacity.
	 */
	{
		uint32_t *path = f->hpos;	/* the heap is no longer needed */
		uint32_t len = 0;

		if (kind == RTERM_UNMATCHED) {
			x = term_x;
		} else {
			x = term_j;
			if (x == j0)
				return;		/* the slot stays empty; v[j0] is now 0 */
		}
		path[len++] = x;
		while (x != j0) {
			x = f->pred_x[x];
			path[len++] = x;
		}
		for (uint32_t t = len - 1; t-- > 0;) {
			uint32_t y = path[t];

			move_to(f, f->pred_i[y], f->pred_x[y], f->pred_e[y]);
		}
		if (kind == RTERM_UNMATCHED)
			move_to(f, term_k, term_x, term_e);
	}
}

/*
 * A fixed pseudo-random permutation of [0, n) (cycle-walking a bijection of
 * [0, mask]). Searches run in this order rather than index order: on inputs
 * with long chains of equal reduced costs (mentee i likes mentors i and
 * i + 1), index order makes every search rescan the chain built so far
 * (quadratic); a scattered order keeps the chains short.
 */
static uint32_t
perm_mask(uint32_t n)
{
	uint32_t mask = 1;

	while (mask < n)
		mask = mask << 1 | 1;
	return mask;
}

static uint32_t
permute(uint32_t x, uint32_t n, uint32_t mask)
{
	do {
		x = (x * 0x9e3779b1u + 0x7f4a7c15u) & mask;
		x ^= x >> 7;
		x = (x * 0x85ebca6bu) & mask;
		x ^= (x >> 5) & mask;
	} while (x >= n);
	return x;
}

int
flow_solve(const struct problem *p, int64_t big_m, struct flow_solution *sol,
    struct flow_stats *stats, struct err *e)
{
	struct fs f;
	int64_t chk;

	if (sol->n_mentees != problem_n_mentees(p) || sol->n_mentors != problem_n_mentors(p))
		return err_set(e, ERR_KIND_INTERNAL,
		    "flow: solution is %u x %u but the problem is %u x %u",
		    sol->n_mentees, sol->n_mentors, problem_n_mentees(p), problem_n_mentors(p));
	if (problem_big_m(problem_n_mentees(p), problem_n_mentors(p),
	    problem_min_score(p), problem_max_score(p), &chk, e) != 0)
		return -1;
	if (big_m < chk)
		return err_set(e, ERR_KIND_INTERNAL,
		    "flow: weight offset %lld is below the %lld this problem needs",
		    (long long)big_m, (long long)chk);
	if (stats != NULL)
		memset(stats, 0, sizeof *stats);
	fs_init(&f, p, big_m, sol);
	f.st = stats;
	{
		bool cold = true;

		for (uint32_t i = 0; i < f.n && cold; i++)
			cold = sol->mentor_of[i] == PROBLEM_NONE;
		for (uint32_t j = 0; j < f.m && cold; j++)
			cold = sol->v[j] == 0;
		if (cold)
			cold_prices(&f, p);
	}
	repair(&f);
	for (uint32_t q = 0, mask = perm_mask(f.n); q < f.n; q++) {
		uint32_t i = permute(q, f.n, mask);

		if (f.todo[i])
			forward(&f, i);
	}
	/* A reverse search may lower, not clear, another priced slot's v: loop. */
	for (bool again = true; again;) {
		again = false;
		for (uint32_t q = 0, mask = perm_mask(f.m); q < f.m; q++) {
			uint32_t j = permute(q, f.m, mask);

			while (f.cnt[j] < f.cap[j] && f.v[j] > 0) {
				reverse(&f, j);
				again = true;
			}
		}
	}
	fs_fini(&f);
	return 0;
}
