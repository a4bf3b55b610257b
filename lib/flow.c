/*
 * flow.c - shortest augmenting paths with potentials for the capacitated
 * assignment problem.
 *
 * State: every mentee is either processed (matched on a tight pair, or
 * unmatched with u = 0) or unprocessed (it still carries one unit of excess).
 * Processed mentees and all mentors satisfy dual feasibility and
 * complementary slackness, except that a mentor may have a spare slot while
 * v > 0 (a "priced" spare slot, only after a warm start dropped one of its
 * mentees). Then:
 *
 * 1. each unprocessed mentee r, in index order, runs a Dijkstra over mentors
 *    from r; it ends at the nearest of: a mentor with a spare slot, or a
 *    processed mentee (r itself included) giving up its pair. Mentees are
 *    reached only through their mentor (matched pairs have reduced cost 0),
 *    so the heap holds mentors only. Then the scanned part's duals move by
 *    (D - d) and the path is flipped.
 * 2. each remaining priced spare slot runs a reverse Dijkstra (over the
 *    mentor -> candidate mentees lists) to the nearest of: an unmatched
 *    mentee that can take the slot through a chain of moves, or a mentor
 *    (the slot's own included) that gives up a slot, its v dropping to 0.
 *
 * Both keep reduced costs non-negative and pairs tight, so the result is
 * optimal with valid duals.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define NONE PROBLEM_NONE

struct fs {
	uint32_t n, m;
	const uint64_t *row;
	const uint32_t *col;
	const int32_t *score;
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

static void
fs_init(struct fs *f, const struct problem *p, int64_t big_m, struct flow_solution *sol)
{
	uint64_t tot = 0;

	memset(f, 0, sizeof *f);
	f->n = problem_n_mentees(p);
	f->m = problem_n_mentors(p);
	f->row = problem_row(p);
	f->col = problem_col(p);
	f->score = problem_score(p);
	f->cap = problem_capacity(p);
	f->big_m = big_m;
	f->vmax = big_m + problem_max_score(p);
	f->mentor_of = sol->mentor_of;
	f->u = sol->u;
	f->v = sol->v;
	f->edge_of = xmalloc(((size_t)f->n + 1) * sizeof *f->edge_of);
	f->todo = xcalloc((size_t)f->n + 1, 1);
	f->slot_pos = xmalloc(((size_t)f->n + 1) * sizeof *f->slot_pos);
	f->cnt = xcalloc((size_t)f->m + 1, sizeof *f->cnt);
	f->slot_off = xcalloc((size_t)f->m + 1, sizeof *f->slot_off);
	/* A mentor never holds more than min(capacity, candidates) mentees. */
	for (uint64_t k = 0; k < problem_n_pairs(p); k++)
		f->slot_off[f->col[k] + 1]++;
	for (uint32_t j = 0; j < f->m; j++) {
		uint64_t c = f->slot_off[j + 1];

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

/* Find pair (i, j) in row i by binary search; UINT32_MAX if absent. */
static uint32_t
find_edge(const struct fs *f, uint32_t i, uint32_t j)
{
	uint64_t a = f->row[i], z = f->row[i + 1];

	while (a < z) {
		uint64_t mid = a + (z - a) / 2;

		if (f->col[mid] < j)
			a = mid + 1;
		else
			z = mid;
	}
	if (a < f->row[i + 1] && f->col[a] == j)
		return (uint32_t)a;
	return UINT32_MAX;
}

/* max(0, max over i's pairs of w - v): the smallest dual-feasible u[i]. */
static int64_t
best_u(const struct fs *f, uint32_t i)
{
	int64_t best = 0;

	for (uint64_t e = f->row[i]; e < f->row[i + 1]; e++) {
		int64_t r = weight(f, (uint32_t)e) - f->v[f->col[e]];

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

static void
forward(struct fs *f, uint32_t r)
{
	int64_t best, ur;
	enum term kind = TERM_DROP;
	uint32_t term_i = r, term_j = NONE, term_e = 0, ep;
	uint32_t i, j, e;

	ur = best_u(f, r);
	f->u[r] = ur;
	f->todo[r] = 0;
	if (ur == 0)
		return;		/* no pair is worth more than its mentor's price */
	best = ur;		/* r stays unmatched */

	/* Fast path: a best pair whose mentor has room (distance 0). */
	for (uint64_t k = f->row[r]; k < f->row[r + 1]; k++) {
		j = f->col[k];
		if (weight(f, (uint32_t)k) - f->v[j] == ur && f->cnt[j] < f->cap[j]) {
			slot_add(f, r, j, (uint32_t)k);
			if (f->st)
				f->st->direct++;
			return;
		}
	}

	if (f->st)
		f->st->searches++;
	ep = ++f->epoch;
	if (ep == 0) {
		memset(f->seen, 0, (size_t)f->m * sizeof *f->seen);
		memset(f->done, 0, (size_t)f->m * sizeof *f->done);
		ep = f->epoch = 1;
	}
	f->hlen = 0;
	f->nscanned = 0;
	for (uint64_t k = f->row[r]; k < f->row[r + 1]; k++) {
		int64_t nd;

		j = f->col[k];
		if (f->cap[j] == 0)
			continue;
		nd = ur + f->v[j] - weight(f, (uint32_t)k);
		if (f->cnt[j] < f->cap[j]) {
			if (nd < best) {
				best = nd;
				kind = TERM_MENTOR;
				term_i = r;
				term_j = j;
				term_e = (uint32_t)k;
			}
		} else if (f->seen[j] != ep || nd < f->d[j]) {
			bool present = f->seen[j] == ep;

			f->seen[j] = ep;
			f->d[j] = nd;
			f->pred_i[j] = r;
			f->pred_e[j] = (uint32_t)k;
			heap_push_or_decrease(f, j, present);
		}
	}
	while (f->hlen > 0 && f->d[f->heap[0]] < best) {
		int64_t dj;
		uint64_t s0, s1;

		j = heap_pop(f);
		dj = f->d[j];
		f->done[j] = ep;
		f->scanned[f->nscanned++] = j;
		s0 = f->slot_off[j];
		s1 = s0 + f->cnt[j];
		for (uint64_t s = s0; s < s1; s++) {
			uint32_t k = f->slot[s];
			int64_t h = dj + f->u[k];
			uint64_t a = f->row[k], z = f->row[k + 1];

			if (h < best) {
				best = h;
				kind = TERM_DROP;
				term_i = k;
			}
			if (f->st)
				f->st->relaxed += z - a;
			for (uint64_t q = a; q < z; q++) {
				uint32_t j2 = f->col[q];
				int64_t nd;

				if (f->done[j2] == ep || j2 == j)
					continue;
				nd = h + f->v[j2] - weight(f, (uint32_t)q);
				if (nd >= best)
					continue;
				if (f->cnt[j2] < f->cap[j2]) {
					best = nd;
					kind = TERM_MENTOR;
					term_i = k;
					term_j = j2;
					term_e = (uint32_t)q;
				} else if (f->seen[j2] != ep || nd < f->d[j2]) {
					bool present = f->seen[j2] == ep;

					if (f->cap[j2] == 0)
						continue;
					f->seen[j2] = ep;
					f->d[j2] = nd;
					f->pred_i[j2] = k;
					f->pred_e[j2] = (uint32_t)q;
					heap_push_or_decrease(f, j2, present);
				}
			}
		}
	}
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

static void
build_reverse(struct fs *f)
{
	uint64_t nnz = f->row[f->n];
	uint64_t *fill;

	if (f->cptr != NULL)
		return;
	f->cptr = xcalloc((size_t)f->m + 1, sizeof *f->cptr);
	f->cmentee = xmalloc((size_t)(nnz ? nnz : 1) * sizeof *f->cmentee);
	f->cedge = xmalloc((size_t)(nnz ? nnz : 1) * sizeof *f->cedge);
	for (uint64_t k = 0; k < nnz; k++)
		f->cptr[f->col[k] + 1]++;
	for (uint32_t j = 0; j < f->m; j++)
		f->cptr[j + 1] += f->cptr[j];
	fill = xmalloc(((size_t)f->m + 1) * sizeof *fill);
	memcpy(fill, f->cptr, ((size_t)f->m + 1) * sizeof *fill);
	for (uint32_t i = 0; i < f->n; i++) {
		for (uint64_t k = f->row[i]; k < f->row[i + 1]; k++) {
			uint64_t at = fill[f->col[k]]++;

			f->cmentee[at] = i;
			f->cedge[at] = (uint32_t)k;
		}
	}
	free(fill);
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
	ep = ++f->epoch;
	if (ep == 0) {
		memset(f->seen, 0, (size_t)f->m * sizeof *f->seen);
		memset(f->done, 0, (size_t)f->m * sizeof *f->done);
		ep = f->epoch = 1;
	}
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
		if (f->st)
			f->st->relaxed += f->cptr[x + 1] - f->cptr[x];
		for (uint64_t q = f->cptr[x]; q < f->cptr[x + 1]; q++) {
			uint32_t k = f->cmentee[q], e = f->cedge[q];
			uint32_t jk = f->mentor_of[k];
			int64_t nd;

			if (jk == x)
				continue;
			nd = dx + f->u[k] + f->v[x] - weight(f, e);
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
	repair(&f);
	for (uint32_t i = 0; i < f.n; i++) {
		if (f.todo[i])
			forward(&f, i);
	}
	/* A reverse search may lower, not clear, another priced slot's v: loop. */
	for (bool again = true; again;) {
		again = false;
		for (uint32_t j = 0; j < f.m; j++) {
			while (f.cnt[j] < f.cap[j] && f.v[j] > 0) {
				build_reverse(&f);
				reverse(&f, j);
				again = true;
			}
		}
	}
	fs_fini(&f);
	return 0;
}
