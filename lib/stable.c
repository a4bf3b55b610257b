/* stable.c - mentee-proposing deferred acceptance with capacities. */
#include "stable.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define NONE PROBLEM_NONE

struct stable_da {
	uint32_t n, m;
	const uint32_t *cap;
	uint32_t *mentor_of;
	/* Offered preferences: an arena of (mentor, score), one live piece per mentee. */
	uint32_t *pm;
	int32_t *ps;
	uint64_t plen, pcap;
	uint64_t *start;	/* [n] current piece */
	uint32_t *len;
	uint32_t *pos;		/* next proposal within the piece */
	uint8_t *ended;		/* [n] offered an empty list */
	uint8_t *queued;
	int32_t *last_s;	/* [n] last offered (score, mentor) */
	uint32_t *last_j;
	uint8_t *has_last;
	/* Each mentor's mentees as a min-heap by (score, -mentee): the root is the worst. */
	uint64_t *hoff;
	uint32_t *hcnt;
	uint32_t *hmentee;
	int32_t *hscore;
	uint32_t *queue;	/* free mentees to process (ring of n) */
	uint32_t qh, qn;
	uint64_t proposals;
};

/* a is worse than b for a mentor: lower score, or equal score and higher id. */
static inline bool
worse(int32_t sa, uint32_t ia, int32_t sb, uint32_t ib)
{
	return sa < sb || (sa == sb && ia > ib);
}

struct stable_da *
stable_da_new(uint32_t n, uint32_t m, const uint32_t *capacity)
{
	struct stable_da *da = xcalloc(1, sizeof *da);
	uint64_t tot = 0;

	da->n = n;
	da->m = m;
	da->cap = capacity;
	da->mentor_of = xmalloc(((size_t)n + 1) * sizeof *da->mentor_of);
	da->start = xcalloc((size_t)n + 1, sizeof *da->start);
	da->len = xcalloc((size_t)n + 1, sizeof *da->len);
	da->pos = xcalloc((size_t)n + 1, sizeof *da->pos);
	da->ended = xcalloc((size_t)n + 1, 1);
	da->queued = xcalloc((size_t)n + 1, 1);
	da->last_s = xcalloc((size_t)n + 1, sizeof *da->last_s);
	da->last_j = xcalloc((size_t)n + 1, sizeof *da->last_j);
	da->has_last = xcalloc((size_t)n + 1, 1);
	da->queue = xmalloc(((size_t)n + 1) * sizeof *da->queue);
	da->hoff = xmalloc(((size_t)m + 1) * sizeof *da->hoff);
	da->hcnt = xcalloc((size_t)m + 1, sizeof *da->hcnt);
	for (uint32_t j = 0; j < m; j++) {
		da->hoff[j] = tot;
		tot += capacity[j] < n ? capacity[j] : n;
	}
	da->hoff[m] = tot;
	da->hmentee = xmalloc((size_t)(tot ? tot : 1) * sizeof *da->hmentee);
	da->hscore = xmalloc((size_t)(tot ? tot : 1) * sizeof *da->hscore);
	for (uint32_t i = 0; i < n; i++)
		da->mentor_of[i] = NONE;
	return da;
}

void
stable_da_free(struct stable_da *da)
{
	if (da == NULL)
		return;
	free(da->mentor_of);
	free(da->pm);
	free(da->ps);
	free(da->start);
	free(da->len);
	free(da->pos);
	free(da->ended);
	free(da->queued);
	free(da->last_s);
	free(da->last_j);
	free(da->has_last);
	free(da->queue);
	free(da->hoff);
	free(da->hcnt);
	free(da->hmentee);
	free(da->hscore);
	free(da);
}

static void
enqueue(struct stable_da *da, uint32_t i)
{
	if (da->queued[i])
		return;
	da->queued[i] = 1;
	da->queue[(da->qh + da->qn) % da->n] = i;
	da->qn++;
}

void
stable_da_offer(struct stable_da *da, uint32_t i, const uint32_t *mentors,
    const int32_t *scores, uint32_t len, bool last)
{
	if (last)
		da->ended[i] = 1;
	if (len == 0) {
		da->len[i] = da->pos[i] = 0;
		return;
	}
	if (da->plen + len > da->pcap) {
		uint64_t ncap = da->pcap ? da->pcap : 1024;

		while (ncap < da->plen + len)
			ncap *= 2;
		da->pm = xreallocarray(da->pm, ncap, sizeof *da->pm);
		da->ps = xreallocarray(da->ps, ncap, sizeof *da->ps);
		da->pcap = ncap;
	}
	memcpy(da->pm + da->plen, mentors, (size_t)len * sizeof *mentors);
	memcpy(da->ps + da->plen, scores, (size_t)len * sizeof *scores);
	da->start[i] = da->plen;
	da->len[i] = len;
	da->pos[i] = 0;
	da->plen += len;
	da->last_s[i] = scores[len - 1];
	da->last_j[i] = mentors[len - 1];
	da->has_last[i] = 1;
	if (da->mentor_of[i] == NONE)
		enqueue(da, i);
}

static void
heap_down(uint32_t *hm, int32_t *hs, uint32_t cnt, uint32_t pos)
{
	uint32_t im = hm[pos];
	int32_t sm = hs[pos];

	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= cnt)
			break;
		if (c + 1 < cnt && worse(hs[c + 1], hm[c + 1], hs[c], hm[c]))
			c++;
		if (!worse(hs[c], hm[c], sm, im))
			break;
		hm[pos] = hm[c];
		hs[pos] = hs[c];
		pos = c;
	}
	hm[pos] = im;
	hs[pos] = sm;
}

static void
heap_up(uint32_t *hm, int32_t *hs, uint32_t pos)
{
	uint32_t im = hm[pos];
	int32_t sm = hs[pos];

	while (pos > 0) {
		uint32_t par = (pos - 1) / 2;

		if (!worse(sm, im, hs[par], hm[par]))
			break;
		hm[pos] = hm[par];
		hs[pos] = hs[par];
		pos = par;
	}
	hm[pos] = im;
	hs[pos] = sm;
}

bool
stable_da_would_accept(const struct stable_da *da, uint32_t j, uint32_t i, int32_t s)
{
	uint64_t o = da->hoff[j];

	if (da->cap[j] == 0)
		return false;
	if (da->hcnt[j] < da->hoff[j + 1] - o)
		return true;
	return worse(da->hscore[o], da->hmentee[o], s, i);
}

void
stable_da_thresholds(const struct stable_da *da, int32_t *thr_s, uint32_t *thr_i)
{
	for (uint32_t j = 0; j < da->m; j++) {
		uint64_t o = da->hoff[j];

		if (da->cap[j] == 0) {
			thr_s[j] = INT32_MAX;	/* nobody */
			thr_i[j] = 0;
		} else if (da->hcnt[j] < da->hoff[j + 1] - o) {
			thr_s[j] = 0;		/* anyone allowed */
			thr_i[j] = 0;
		} else {
			/* Worst kept (ws, wi): better is s > ws, or s == ws and i < wi. */
			thr_s[j] = da->hscore[o];
			thr_i[j] = da->hmentee[o];
		}
	}
}

uint32_t
stable_da_run(struct stable_da *da, uint32_t *need)
{
	uint32_t nneed = 0;

	while (da->qn > 0) {
		uint32_t i = da->queue[da->qh];

		da->qh = (da->qh + 1) % da->n;
		da->qn--;
		da->queued[i] = 0;
		while (da->mentor_of[i] == NONE && da->pos[i] < da->len[i]) {
			uint64_t at = da->start[i] + da->pos[i]++;
			uint32_t j = da->pm[at];
			int32_t s = da->ps[at];
			uint64_t o = da->hoff[j];
			uint32_t *hm = da->hmentee + o;
			int32_t *hs = da->hscore + o;

			da->proposals++;
			if (da->cap[j] == 0)
				continue;
			if (da->hcnt[j] < da->hoff[j + 1] - o) {
				hm[da->hcnt[j]] = i;
				hs[da->hcnt[j]] = s;
				heap_up(hm, hs, da->hcnt[j]++);
				da->mentor_of[i] = j;
			} else if (worse(hs[0], hm[0], s, i)) {
				uint32_t out = hm[0];

				da->mentor_of[out] = NONE;
				hm[0] = i;
				hs[0] = s;
				heap_down(hm, hs, da->hcnt[j], 0);
				da->mentor_of[i] = j;
				enqueue(da, out);
			}
		}
	}
	for (uint32_t i = 0; i < da->n; i++)
		if (da->mentor_of[i] == NONE && !da->ended[i])
			need[nneed++] = i;
	return nneed;
}

bool
stable_da_last_offered(const struct stable_da *da, uint32_t i, int32_t *score, uint32_t *mentor)
{
	if (!da->has_last[i])
		return false;
	*score = da->last_s[i];
	*mentor = da->last_j[i];
	return true;
}

const uint32_t *
stable_da_assignment(const struct stable_da *da)
{
	return da->mentor_of;
}

void
stable_da_scores(const struct stable_da *da, int32_t *score_of)
{
	memset(score_of, 0, (size_t)da->n * sizeof *score_of);
	for (uint32_t j = 0; j < da->m; j++)
		for (uint32_t t = 0; t < da->hcnt[j]; t++)
			score_of[da->hmentee[da->hoff[j] + t]] = da->hscore[da->hoff[j] + t];
}

uint64_t
stable_da_proposals(const struct stable_da *da)
{
	return da->proposals;
}

static int
cmp_pref(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t
stable_solve(const struct problem *p, uint32_t *mentor_of)
{
	uint32_t n = problem_n_mentees(p), m = problem_n_mentors(p);
	const uint64_t *row = problem_row(p);
	const uint32_t *col = problem_col(p);
	const int32_t *score = problem_score(p);
	struct stable_da *da = stable_da_new(n, m, problem_capacity(p));
	uint64_t maxlen = 1, props;
	uint64_t *key;
	uint32_t *js, *need;
	int32_t *ss;

	for (uint32_t i = 0; i < n; i++)
		if (row[i + 1] - row[i] > maxlen)
			maxlen = row[i + 1] - row[i];
	key = xmalloc((size_t)maxlen * sizeof *key);
	js = xmalloc((size_t)maxlen * sizeof *js);
	ss = xmalloc((size_t)maxlen * sizeof *ss);
	need = xmalloc(((size_t)n + 1) * sizeof *need);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t len = row[i + 1] - row[i];

		/* Preference: score descending, then mentor ascending. */
		for (uint64_t k = 0; k < len; k++)
			key[k] = (uint64_t)((uint32_t)INT32_MAX - (uint32_t)score[row[i] + k]) << 32 |
			    col[row[i] + k];
		qsort(key, len, sizeof *key, cmp_pref);
		for (uint64_t k = 0; k < len; k++) {
			js[k] = (uint32_t)key[k];
			ss[k] = (int32_t)(INT32_MAX - (int32_t)(key[k] >> 32));
		}
		stable_da_offer(da, i, js, ss, (uint32_t)len, true);
	}
	(void)stable_da_run(da, need);
	memcpy(mentor_of, stable_da_assignment(da), (size_t)n * sizeof *mentor_of);
	props = stable_da_proposals(da);
	free(key);
	free(js);
	free(ss);
	free(need);
	stable_da_free(da);
	return props;
}
