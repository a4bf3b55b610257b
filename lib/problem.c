/* problem.c - the compact (CSR) matching problem and its builder. */
#include "problem.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct problem {
	uint32_t n;		/* mentees */
	uint32_t m;		/* mentors */
	uint64_t nnz;		/* pairs */
	uint32_t *capacity;	/* [m] */
	uint64_t *row;		/* [n + 1] */
	uint32_t *col;		/* [nnz] */
	int32_t *score;		/* [nnz] */
	int32_t max_score;
	int32_t min_score;
	uint64_t total_capacity;
};

struct problem_builder {
	uint32_t n;
	uint32_t m;
	uint32_t *capacity;
	struct problem_pair *pairs;
	uint64_t len;
	uint64_t cap;
};

struct problem_builder *
problem_builder_new(uint32_t n_mentees, uint32_t n_mentors)
{
	struct problem_builder *b = xcalloc(1, sizeof *b);

	b->n = n_mentees;
	b->m = n_mentors;
	b->capacity = xcalloc((size_t)n_mentors + 1, sizeof *b->capacity);
	return b;
}

void
problem_builder_free(struct problem_builder *b)
{
	if (b == NULL)
		return;
	free(b->capacity);
	free(b->pairs);
	free(b);
}

void
problem_builder_reserve(struct problem_builder *b, uint64_t n_pairs)
{
	if (n_pairs <= b->cap || n_pairs > PROBLEM_MAX_PAIRS)
		return;
	b->pairs = xreallocarray(b->pairs, n_pairs, sizeof *b->pairs);
	b->cap = n_pairs;
}

int
problem_builder_set_capacity(struct problem_builder *b, uint32_t mentor,
    uint32_t capacity, struct err *e)
{
	if (mentor >= b->m)
		return err_set(e, ERR_KIND_INVALID, "mentor %u out of range (%u mentors)",
		    mentor, b->m);
	b->capacity[mentor] = capacity;
	return 0;
}

int
problem_builder_add(struct problem_builder *b, uint32_t mentee, uint32_t mentor,
    int32_t score, struct err *e)
{
	if (mentee >= b->n)
		return err_set(e, ERR_KIND_INVALID, "mentee %u out of range (%u mentees)",
		    mentee, b->n);
	if (mentor >= b->m)
		return err_set(e, ERR_KIND_INVALID, "mentor %u out of range (%u mentors)",
		    mentor, b->m);
	if (score < 1)
		return err_set(e, ERR_KIND_INVALID, "score %d for mentee %u, mentor %u is below 1",
		    (int)score, mentee, mentor);
	if (b->len >= PROBLEM_MAX_PAIRS)
		return err_set(e, ERR_KIND_INVALID, "too many pairs (at most %llu)",
		    (unsigned long long)PROBLEM_MAX_PAIRS);
	if (b->len == b->cap) {
		uint64_t ncap = b->cap < 1024 ? 1024 : b->cap * 2;

		if (ncap > PROBLEM_MAX_PAIRS)
			ncap = PROBLEM_MAX_PAIRS;
		b->pairs = xreallocarray(b->pairs, ncap, sizeof *b->pairs);
		b->cap = ncap;
	}
	b->pairs[b->len++] = (struct problem_pair){ mentee, mentor, score };
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sort one row by mentor; keys pack mentor (high) and score (low). */
static void
sort_row(uint32_t *col, int32_t *score, uint64_t len, uint64_t *tmp)
{
	for (uint64_t k = 0; k < len; k++)
		tmp[k] = (uint64_t)col[k] << 32 | (uint32_t)score[k];
	if (len <= 24) {
		for (uint64_t k = 1; k < len; k++) {
			uint64_t x = tmp[k];
			uint64_t q = k;

			while (q > 0 && tmp[q - 1] > x) {
				tmp[q] = tmp[q - 1];
				q--;
			}
			tmp[q] = x;
		}
	} else {
		qsort(tmp, len, sizeof *tmp, cmp_u64);
	}
	for (uint64_t k = 0; k < len; k++) {
		col[k] = (uint32_t)(tmp[k] >> 32);
		score[k] = (int32_t)(uint32_t)tmp[k];
	}
}

static struct problem *
problem_alloc(uint32_t n, uint32_t m, uint64_t nnz)
{
	struct problem *p = xcalloc(1, sizeof *p);

	p->n = n;
	p->m = m;
	p->nnz = nnz;
	p->capacity = xcalloc((size_t)m + 1, sizeof *p->capacity);
	p->row = xcalloc((size_t)n + 1, sizeof *p->row);
	p->col = xmalloc((size_t)(nnz ? nnz : 1) * sizeof *p->col);
	p->score = xmalloc((size_t)(nnz ? nnz : 1) * sizeof *p->score);
	return p;
}

/* Fill the derived fields (score range, total capacity). */
static void
problem_summarise(struct problem *p)
{
	int32_t mx = 0, mn = 0;

	if (p->nnz > 0) {
		mx = mn = p->score[0];
		for (uint64_t k = 1; k < p->nnz; k++) {
			if (p->score[k] > mx)
				mx = p->score[k];
			if (p->score[k] < mn)
				mn = p->score[k];
		}
	}
	p->max_score = mx;
	p->min_score = mn;
	p->total_capacity = 0;
	for (uint32_t j = 0; j < p->m; j++)
		p->total_capacity += p->capacity[j];
}

/* Build CSR from unsorted pairs; on a duplicate return -1 with *dup set. */
static int
build_csr(uint32_t n, uint32_t m, const uint32_t *capacity,
    const struct problem_pair *pairs, uint64_t len, struct problem **out,
    uint64_t *dup_mentee_mentor)
{
	struct problem *p = problem_alloc(n, m, len);
	uint64_t *fill = xcalloc((size_t)n + 1, sizeof *fill);
	uint64_t *tmp = NULL;
	uint64_t tmplen = 0;
	int rc = -1;

	if (m > 0)
		memcpy(p->capacity, capacity, (size_t)m * sizeof *capacity);
	for (uint64_t k = 0; k < len; k++)
		p->row[pairs[k].mentee + 1]++;
	for (uint32_t i = 0; i < n; i++)
		p->row[i + 1] += p->row[i];
	memcpy(fill, p->row, (size_t)n * sizeof *fill);
	for (uint64_t k = 0; k < len; k++) {
		uint64_t at = fill[pairs[k].mentee]++;

		p->col[at] = pairs[k].mentor;
		p->score[at] = pairs[k].score;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = p->row[i], z = p->row[i + 1];
		bool sorted = true;

		for (uint64_t k = a + 1; k < z; k++) {
			if (p->col[k] <= p->col[k - 1]) {
				sorted = false;
				break;
			}
		}
		if (sorted)
			continue;
		if (z - a > tmplen) {
			tmplen = z - a;
			tmp = xreallocarray(tmp, tmplen, sizeof *tmp);
		}
		sort_row(p->col + a, p->score + a, z - a, tmp);
		for (uint64_t k = a + 1; k < z; k++) {
			if (p->col[k] == p->col[k - 1]) {
				*dup_mentee_mentor = (uint64_t)i << 32 | p->col[k];
				goto done;
			}
		}
	}
	problem_summarise(p);
	*out = p;
	p = NULL;
	rc = 0;
done:
	free(tmp);
	free(fill);
	problem_free(p);
	return rc;
}

/* Report a duplicate: the second input occurrence of (mentee, mentor). */
static int
report_dup(const struct problem_pair *pairs, uint64_t len, uint64_t key,
    uint64_t *dup_index, struct err *e)
{
	uint32_t i = (uint32_t)(key >> 32), j = (uint32_t)key;
	bool seen = false;

	for (uint64_t k = 0; k < len; k++) {
		if (pairs[k].mentee != i || pairs[k].mentor != j)
			continue;
		if (seen) {
			if (dup_index != NULL)
				*dup_index = k;
			break;
		}
		seen = true;
	}
	return err_set(e, ERR_KIND_INVALID, "duplicate pair (mentee %u, mentor %u)", i, j);
}

int
problem_builder_finish(struct problem_builder *b, struct problem **out,
    uint64_t *dup_index, struct err *e)
{
	uint64_t key = 0;

	*out = NULL;
	if (build_csr(b->n, b->m, b->capacity, b->pairs, b->len, out, &key) == 0)
		return 0;
	return report_dup(b->pairs, b->len, key, dup_index, e);
}

int
problem_from_pairs(uint32_t n_mentees, uint32_t n_mentors, const uint32_t *capacity,
    const struct problem_pair *pairs, uint64_t n_pairs, struct problem **out,
    struct err *e)
{
	uint64_t key = 0;

	*out = NULL;
	if (n_pairs > PROBLEM_MAX_PAIRS)
		return err_set(e, ERR_KIND_INVALID, "too many pairs (at most %llu)",
		    (unsigned long long)PROBLEM_MAX_PAIRS);
	for (uint64_t k = 0; k < n_pairs; k++) {
		const struct problem_pair *q = &pairs[k];

		if (q->mentee >= n_mentees)
			return err_set(e, ERR_KIND_INVALID, "mentee %u out of range (%u mentees)",
			    q->mentee, n_mentees);
		if (q->mentor >= n_mentors)
			return err_set(e, ERR_KIND_INVALID, "mentor %u out of range (%u mentors)",
			    q->mentor, n_mentors);
		if (q->score < 1)
			return err_set(e, ERR_KIND_INVALID,
			    "score %d for mentee %u, mentor %u is below 1",
			    (int)q->score, q->mentee, q->mentor);
	}
	if (build_csr(n_mentees, n_mentors, capacity, pairs, n_pairs, out, &key) == 0)
		return 0;
	return report_dup(pairs, n_pairs, key, NULL, e);
}

struct problem *
problem_merge(const struct problem *p, const struct problem_pair *add, uint64_t n_add)
{
	struct problem *q = problem_alloc(p->n, p->m, p->nnz + n_add);
	uint64_t at = 0, k = 0;

	memcpy(q->capacity, p->capacity, (size_t)p->m * sizeof *p->capacity);
	for (uint32_t i = 0; i < p->n; i++) {
		uint64_t a = p->row[i], z = p->row[i + 1];

		q->row[i] = at;
		while (a < z || (k < n_add && add[k].mentee == i)) {
			bool take_old = k >= n_add || add[k].mentee != i ||
			    (a < z && p->col[a] < add[k].mentor);

			if (take_old) {
				q->col[at] = p->col[a];
				q->score[at] = p->score[a];
				a++;
			} else {
				q->col[at] = add[k].mentor;
				q->score[at] = add[k].score;
				k++;
			}
			at++;
		}
	}
	q->row[p->n] = at;
	problem_summarise(q);
	return q;
}

struct problem *
problem_with_capacity(const struct problem *p, const uint32_t *capacity)
{
	struct problem *q = problem_alloc(p->n, p->m, p->nnz);

	memcpy(q->capacity, capacity ? capacity : p->capacity,
	    (size_t)p->m * sizeof *p->capacity);
	memcpy(q->row, p->row, ((size_t)p->n + 1) * sizeof *p->row);
	memcpy(q->col, p->col, (size_t)p->nnz * sizeof *p->col);
	memcpy(q->score, p->score, (size_t)p->nnz * sizeof *p->score);
	problem_summarise(q);
	return q;
}

void
problem_free(struct problem *p)
{
	if (p == NULL)
		return;
	free(p->capacity);
	free(p->row);
	free(p->col);
	free(p->score);
	free(p);
}

uint32_t problem_n_mentees(const struct problem *p) { return p->n; }
uint32_t problem_n_mentors(const struct problem *p) { return p->m; }
uint64_t problem_n_pairs(const struct problem *p) { return p->nnz; }
const uint32_t *problem_capacity(const struct problem *p) { return p->capacity; }
const uint64_t *problem_row(const struct problem *p) { return p->row; }
const uint32_t *problem_col(const struct problem *p) { return p->col; }
const int32_t *problem_score(const struct problem *p) { return p->score; }
int32_t problem_max_score(const struct problem *p) { return p->max_score; }
int32_t problem_min_score(const struct problem *p) { return p->min_score; }
uint64_t problem_total_capacity(const struct problem *p) { return p->total_capacity; }

uint64_t
problem_find(const struct problem *p, uint32_t mentee, uint32_t mentor)
{
	uint64_t a, z;

	if (mentee >= p->n)
		return UINT64_MAX;
	a = p->row[mentee];
	z = p->row[mentee + 1];
	while (a < z) {
		uint64_t mid = a + (z - a) / 2;

		if (p->col[mid] < mentor)
			a = mid + 1;
		else
			z = mid;
	}
	if (a < p->row[mentee + 1] && p->col[a] == mentor)
		return a;
	return UINT64_MAX;
}

int
problem_evaluate(const struct problem *p, const uint32_t *mentor_of,
    uint32_t *matched, int64_t *total, struct err *e)
{
	uint32_t *used = xcalloc((size_t)p->m + 1, sizeof *used);
	uint32_t cnt = 0;
	int64_t sum = 0;
	int rc = -1;

	for (uint32_t i = 0; i < p->n; i++) {
		uint32_t j = mentor_of[i];
		uint64_t k;

		if (j == PROBLEM_NONE)
			continue;
		if (j >= p->m) {
			err_set(e, ERR_KIND_INTERNAL, "mentee %u: mentor %u out of range", i, j);
			goto done;
		}
		k = problem_find(p, i, j);
		if (k == UINT64_MAX) {
			err_set(e, ERR_KIND_INTERNAL,
			    "mentee %u: mentor %u is not a candidate pair", i, j);
			goto done;
		}
		if (++used[j] > p->capacity[j]) {
			err_set(e, ERR_KIND_INTERNAL, "mentor %u: over its capacity %u",
			    j, p->capacity[j]);
			goto done;
		}
		cnt++;
		sum += p->score[k];
	}
	*matched = cnt;
	*total = sum;
	rc = 0;
done:
	free(used);
	return rc;
}

int
problem_big_m(uint32_t n_mentees, uint32_t n_mentors, int32_t min_score,
    int32_t max_score, int64_t *big_m, struct err *e)
{
	uint64_t k = n_mentees < n_mentors ? n_mentees : n_mentors;
	uint64_t spread, nodes, mm;

	if (max_score < 1 || min_score < 1 || min_score > max_score) {
		*big_m = 1;
		return 0;
	}
	spread = (uint64_t)(max_score - min_score);
	mm = (k > 0 ? k - 1 : 0) * spread + 1;	/* k < 2^32, spread < 2^31: no overflow */
	/*
	 * Weights are at most mm + max_score; duals, distances and totals stay
	 * below (nodes + 2) times that. Keep a factor 4 of headroom.
	 */
	nodes = (uint64_t)n_mentees + n_mentors + 2;
	if (mm + (uint64_t)max_score > (uint64_t)INT64_MAX / 4 / nodes)
		return err_set(e, ERR_KIND_INVALID,
		    "scores up to %d on %u x %u would overflow 64-bit weights",
		    (int)max_score, n_mentees, n_mentors);
	*big_m = (int64_t)mm;
	return 0;
}
