/* bmatch.c - Hopcroft-Karp for bipartite b-matching. */
#include "bmatch.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define NONE PROBLEM_NONE
#define INF UINT32_MAX

struct hk {
	uint32_t n, m;
	const uint64_t *row;
	const uint32_t *col;
	const uint32_t *cap;
	uint32_t *mentor_of;
	uint64_t *off;		/* [m + 1] member lists */
	uint32_t *mem;
	uint32_t *cnt;
	uint32_t *dist;		/* [n] BFS layer of each mentee */
	uint32_t *queue;
	uint8_t *seen_j;
	uint32_t *jl;		/* [m] BFS layer of each mentor's members */
	uint64_t *it;		/* [n] DFS arc pointer */
	uint32_t *mit;		/* [m] DFS member pointer */
};

/* Layer the mentees from the free ones; true if some spare mentor is reachable. */
static bool
hk_bfs(struct hk *h)
{
	uint32_t qh = 0, qt = 0, limit = INF;
	bool found = false;

	memset(h->seen_j, 0, h->m);
	for (uint32_t i = 0; i < h->n; i++) {
		if (h->mentor_of[i] == NONE && h->row[i + 1] > h->row[i]) {
			h->dist[i] = 0;
			h->queue[qt++] = i;
		} else {
			h->dist[i] = INF;
		}
	}
	while (qh < qt) {
		uint32_t i = h->queue[qh++];

		if (h->dist[i] >= limit)
			break;
		for (uint64_t a = h->row[i]; a < h->row[i + 1]; a++) {
			uint32_t j = h->col[a];

			if (h->seen_j[j] || j == h->mentor_of[i])
				continue;
			h->seen_j[j] = 1;
			h->jl[j] = h->dist[i] + 1;
			if (h->cnt[j] < h->cap[j]) {
				found = true;
				limit = h->dist[i] + 1;
				continue;
			}
			for (uint32_t t = 0; t < h->cnt[j]; t++) {
				uint32_t k = h->mem[h->off[j] + t];

				if (h->dist[k] == INF) {
					h->dist[k] = h->dist[i] + 1;
					h->queue[qt++] = k;
				}
			}
		}
	}
	return found;
}

/* Try to augment from free mentee r along the layers; true on success. */
static bool
hk_dfs(struct hk *h, uint32_t r, uint32_t *stk, uint32_t *pos)
{
	uint32_t top = 0;

	stk[0] = r;
	while (true) {
		uint32_t i = stk[top];
		bool descended = false;

		while (h->it[i] < h->row[i + 1]) {
			uint32_t j = h->col[h->it[i]];

			if (j == h->mentor_of[i]) {
				h->it[i]++;
				continue;
			}
			if (h->cnt[j] < h->cap[j]) {
				/* Augment: i joins j; each earlier mentee takes its child's place. */
				h->mem[h->off[j] + h->cnt[j]++] = i;
				for (uint32_t t = top; t > 0; t--) {
					uint32_t child = stk[t], par = stk[t - 1];
					uint32_t pj = h->col[h->it[par]];

					h->mem[h->off[pj] + pos[t]] = par;
					h->mentor_of[child] = h->col[h->it[child]];
					h->dist[child] = INF;
				}
				h->mentor_of[r] = h->col[h->it[r]];
				h->dist[r] = INF;
				return true;
			}
			/* Only the layer that first reached j may descend into it. */
			while (h->seen_j[j] && h->jl[j] == h->dist[i] + 1 && h->mit[j] < h->cnt[j]) {
				uint32_t p = h->mit[j]++;
				uint32_t k = h->mem[h->off[j] + p];

				if (h->dist[k] == h->dist[i] + 1) {
					stk[++top] = k;
					pos[top] = p;
					descended = true;
					break;
				}
			}
			if (descended)
				break;
			h->it[i]++;
		}
		if (descended)
			continue;
		h->dist[i] = INF;	/* dead end for this phase */
		if (top == 0)
			return false;
		top--;		/* the parent goes on with the same mentor's other members */
	}
}

uint32_t
bmatch_max(const struct problem *p, uint32_t *mentor_of, uint8_t *cover_mentor)
{
	struct hk h;
	uint64_t tot = 0;
	uint32_t matched = 0, *stk, *pos;
	const int32_t *score = problem_score(p);

	memset(&h, 0, sizeof h);
	h.n = problem_n_mentees(p);
	h.m = problem_n_mentors(p);
	h.row = problem_row(p);
	h.col = problem_col(p);
	h.cap = problem_capacity(p);
	h.mentor_of = mentor_of;
	h.off = xcalloc((size_t)h.m + 1, sizeof *h.off);
	for (uint64_t k = 0; k < problem_n_pairs(p); k++)
		h.off[h.col[k] + 1]++;
	for (uint32_t j = 0; j < h.m; j++) {
		uint64_t c = h.off[j + 1] < h.cap[j] ? h.off[j + 1] : h.cap[j];

		h.off[j] = tot;
		tot += c;
	}
	h.off[h.m] = tot;
	h.mem = xmalloc((size_t)(tot ? tot : 1) * sizeof *h.mem);
	h.cnt = xcalloc((size_t)h.m + 1, sizeof *h.cnt);
	h.dist = xmalloc(((size_t)h.n + 1) * sizeof *h.dist);
	h.queue = xmalloc(((size_t)h.n + 1) * sizeof *h.queue);
	h.seen_j = xmalloc((size_t)h.m + 1);
	h.it = xmalloc(((size_t)h.n + 1) * sizeof *h.it);
	h.mit = xmalloc(((size_t)h.m + 1) * sizeof *h.mit);
	h.jl = xmalloc(((size_t)h.m + 1) * sizeof *h.jl);
	stk = xmalloc(((size_t)h.n + 1) * sizeof *stk);
	pos = xmalloc(((size_t)h.n + 1) * sizeof *pos);

	/* Greedy start: each mentee takes its best-scored mentor with room. */
	for (uint32_t i = 0; i < h.n; i++) {
		uint32_t bj = NONE;
		int32_t bs = 0;

		mentor_of[i] = NONE;
		for (uint64_t a = h.row[i]; a < h.row[i + 1]; a++) {
			uint32_t j = h.col[a];

			if (h.cnt[j] < h.cap[j] && score[a] > bs) {
				bs = score[a];
				bj = j;
			}
		}
		if (bj != NONE) {
			h.mem[h.off[bj] + h.cnt[bj]++] = i;
			mentor_of[i] = bj;
		}
	}
	while (hk_bfs(&h)) {
		for (uint32_t i = 0; i < h.n; i++)
			h.it[i] = h.row[i];
		memset(h.mit, 0, (size_t)h.m * sizeof *h.mit);
		for (uint32_t i = 0; i < h.n; i++) {
			if (mentor_of[i] == NONE && h.dist[i] == 0)
				(void)hk_dfs(&h, i, stk, pos);
		}
	}
	if (cover_mentor != NULL)
		memcpy(cover_mentor, h.seen_j, h.m);
	for (uint32_t i = 0; i < h.n; i++)
		matched += mentor_of[i] != NONE;
	free(h.off);
	free(h.mem);
	free(h.cnt);
	free(h.dist);
	free(h.queue);
	free(h.seen_j);
	free(h.it);
	free(h.mit);
	free(h.jl);
	free(stk);
	free(pos);
	return matched;
}
