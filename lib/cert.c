/* cert.c - checking primal, dual and complementary slackness conditions. */
#include "cert.h"

#include <stdlib.h>

#include "xmalloc.h"

int
cert_check(const struct problem *p, int64_t big_m, const uint32_t *mentor_of,
    const int64_t *u, const int64_t *v, struct err *e)
{
	uint32_t n = problem_n_mentees(p), m = problem_n_mentors(p);
	const uint64_t *row = problem_row(p);
	const uint32_t *col = problem_col(p);
	const int32_t *score = problem_score(p);
	const uint32_t *cap = problem_capacity(p);
	uint32_t *used = NULL;
	uint32_t matched;
	int64_t total, need;
	int rc = -1;

	if (problem_big_m(n, m, problem_min_score(p), problem_max_score(p), &need, e) != 0)
		return -1;
	if (big_m < need)
		return err_set(e, ERR_KIND_INTERNAL,
		    "certificate: weight offset %lld is below the required %lld",
		    (long long)big_m, (long long)need);
	if (problem_evaluate(p, mentor_of, &matched, &total, e) != 0)
		return err_prefix(e, "certificate: primal: ");
	used = xcalloc((size_t)m + 1, sizeof *used);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t mi = mentor_of[i];

		if (u[i] < 0) {
			err_set(e, ERR_KIND_INTERNAL, "certificate: u[%u] = %lld < 0",
			    i, (long long)u[i]);
			goto done;
		}
		if (mi == PROBLEM_NONE && u[i] != 0) {
			err_set(e, ERR_KIND_INTERNAL,
			    "certificate: mentee %u is unmatched but u = %lld > 0",
			    i, (long long)u[i]);
			goto done;
		}
		if (mi != PROBLEM_NONE)
			used[mi]++;
		for (uint64_t k = row[i]; k < row[i + 1]; k++) {
			uint32_t j = col[k];
			int64_t w = (int64_t)score[k] + big_m;
			int64_t slack = u[i] + v[j] - w;

			if (slack < 0) {
				err_set(e, ERR_KIND_INTERNAL,
				    "certificate: pair (mentee %u, mentor %u): u + v = %lld < weight %lld",
				    i, j, (long long)(u[i] + v[j]), (long long)w);
				goto done;
			}
			if (j == mi && slack != 0) {
				err_set(e, ERR_KIND_INTERNAL,
				    "certificate: matched pair (mentee %u, mentor %u) is not tight (slack %lld)",
				    i, j, (long long)slack);
				goto done;
			}
		}
	}
	for (uint32_t j = 0; j < m; j++) {
		if (v[j] < 0) {
			err_set(e, ERR_KIND_INTERNAL, "certificate: v[%u] = %lld < 0",
			    j, (long long)v[j]);
			goto done;
		}
		if (v[j] > 0 && used[j] < cap[j]) {
			err_set(e, ERR_KIND_INTERNAL,
			    "certificate: mentor %u has %u of %u places used but v = %lld > 0",
			    j, used[j], cap[j], (long long)v[j]);
			goto done;
		}
	}
	rc = 0;
done:
	free(used);
	return rc;
}
