/* ssp.c - successive shortest paths on an explicit residual graph. */
#include "ssp.h"

#include <stdbool.h>
#include <stdlib.h>

#include "xmalloc.h"

/* Arc k and its reverse k ^ 1. */
struct arc {
	uint32_t to;
	int64_t cap;
	int64_t cost;
	uint32_t next;		/* next arc out of the same node, UINT32_MAX ends */
};

struct net {
	struct arc *a;
	uint32_t na;
	uint32_t *head;
};

static void
net_add(struct net *g, uint32_t from, uint32_t to, int64_t cap, int64_t cost)
{
	g->a[g->na] = (struct arc){ to, cap, cost, g->head[from] };
	g->head[from] = g->na++;
	g->a[g->na] = (struct arc){ from, 0, -cost, g->head[to] };
	g->head[to] = g->na++;
}

int
ssp_solve(const struct problem *p, int64_t big_m, uint32_t *mentor_of, struct err *e)
{
	uint32_t n = problem_n_mentees(p), m = problem_n_mentors(p);
	uint32_t nodes = n + m + 2, s = 0, t = n + m + 1;
	uint64_t nnz = problem_n_pairs(p);
	const uint64_t *row = problem_row(p);
	const uint32_t *col = problem_col(p);
	const int32_t *score = problem_score(p);
	const uint32_t *cap = problem_capacity(p);
	uint64_t narcs = 2 * ((uint64_t)n * 2 + m + nnz);
	struct net g;
	int64_t *dist;
	uint32_t *via, *queue;
	bool *inq;

	if (narcs >= UINT32_MAX)
		return err_set(e, ERR_KIND_INVALID, "ssp: problem too large");
	dist = xmalloc((size_t)nodes * sizeof *dist);
	via = xmalloc((size_t)nodes * sizeof *via);
	queue = xmalloc((size_t)nodes * sizeof *queue);
	inq = xcalloc(nodes, sizeof *inq);
	g.a = xmalloc((size_t)narcs * sizeof *g.a);
	g.na = 0;
	g.head = xmalloc((size_t)nodes * sizeof *g.head);
	for (uint32_t x = 0; x < nodes; x++)
		g.head[x] = UINT32_MAX;
	for (uint32_t i = 0; i < n; i++) {
		net_add(&g, s, 1 + i, 1, 0);
		net_add(&g, 1 + i, t, 1, 0);	/* stay unmatched */
		for (uint64_t k = row[i]; k < row[i + 1]; k++)
			net_add(&g, 1 + i, 1 + n + col[k], 1, -((int64_t)score[k] + big_m));
	}
	for (uint32_t j = 0; j < m; j++)
		net_add(&g, 1 + n + j, t, cap[j], 0);

	/* Every augmentation carries one unit; n units in all. */
	for (uint32_t unit = 0; unit < n; unit++) {
		uint32_t qh = 0, qn = 0;

		for (uint32_t x = 0; x < nodes; x++)
			dist[x] = INT64_MAX;
		dist[s] = 0;
		queue[qn++] = s;
		inq[s] = true;
		while (qn > 0) {
			uint32_t x = queue[qh];

			qh = (qh + 1) % nodes;
			qn--;
			inq[x] = false;
			for (uint32_t k = g.head[x]; k != UINT32_MAX; k = g.a[k].next) {
				struct arc *ar = &g.a[k];

				if (ar->cap > 0 && dist[x] + ar->cost < dist[ar->to]) {
					dist[ar->to] = dist[x] + ar->cost;
					via[ar->to] = k;
					if (!inq[ar->to]) {
						queue[(qh + qn) % nodes] = ar->to;
						qn++;
						inq[ar->to] = true;
					}
				}
			}
		}
		if (dist[t] == INT64_MAX)
			break;
		for (uint32_t x = t; x != s; x = g.a[via[x] ^ 1].to) {
			g.a[via[x]].cap -= 1;
			g.a[via[x] ^ 1].cap += 1;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		mentor_of[i] = PROBLEM_NONE;
		for (uint32_t k = g.head[1 + i]; k != UINT32_MAX; k = g.a[k].next) {
			uint32_t to = g.a[k].to;

			/* Forward mentee->mentor arcs are the even ones. */
			if ((k & 1) == 0 && to > n && to <= n + m && g.a[k].cap == 0)
				mentor_of[i] = to - 1 - n;
		}
	}
	free(g.a);
	free(g.head);
	free(dist);
	free(via);
	free(queue);
	free(inq);
	return 0;
}
