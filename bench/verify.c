/*
 * verify.c - check a solver's answer against its instance.
 *
 *   verify INSTANCE SOLUTION
 *
 * SOLUTION is a solver's stdout: "s <matched> <total>" then "x <mentee> <mentor>"
 * lines. Checks that every x pair is allowed, no mentee appears twice, no
 * mentor exceeds its capacity, and that the x lines add up to the s line.
 * Prints "ok <matched> <total>" and exits 0, or prints the first problem and
 * exits 1. (Optimality is checked by the runner, by comparing solvers.)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"

/* Score of the allowed pair (i, j), or 0 when the pair is not allowed. */
static int32_t
pair_score(const int64_t *start, const int32_t *to, const int32_t *sc, int32_t i, int32_t j)
{
	int64_t lo = start[i], hi = start[i + 1];

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (to[mid] < j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < start[i + 1] && to[lo] == j ? sc[lo] : 0;
}

/* Sort one mentee's pairs by mentor (insertion sort; the lists are short or sorted). */
static void
sort_row(int32_t *to, int32_t *sc, int64_t lo, int64_t hi)
{
	for (int64_t a = lo + 1; a < hi; a++) {
		int32_t t = to[a], s = sc[a];
		int64_t b = a;

		for (; b > lo && to[b - 1] > t; b--) {
			to[b] = to[b - 1];
			sc[b] = sc[b - 1];
		}
		to[b] = t;
		sc[b] = s;
	}
}

int
main(int argc, char **argv)
{
	struct inst *in = NULL;
	FILE *f = NULL;
	int64_t *start = NULL, *fill = NULL;
	int32_t *to = NULL, *sc = NULL, *load = NULL;
	unsigned char *used = NULL;
	char line[256];
	long long s_matched = -1, s_total = -1, matched = 0, total = 0, lineno = 0;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: verify INSTANCE SOLUTION\n");
		return 2;
	}
	in = inst_read(argv[1]);
	if (in == NULL)
		goto done;
	start = calloc((size_t)in->n + 1, sizeof *start);
	fill = calloc((size_t)in->n + 1, sizeof *fill);
	to = malloc(((size_t)in->npairs + 1) * sizeof *to);
	sc = malloc(((size_t)in->npairs + 1) * sizeof *sc);
	load = calloc((size_t)in->m + 1, sizeof *load);
	used = calloc((size_t)in->n + 1, 1);
	if (!start || !fill || !to || !sc || !load || !used) {
		fprintf(stderr, "verify: out of memory\n");
		goto done;
	}
	for (int64_t k = 0; k < in->npairs; k++)
		start[in->mentee[k] + 1]++;
	for (int32_t i = 0; i < in->n; i++)
		start[i + 1] += start[i];
	for (int64_t k = 0; k < in->npairs; k++) {
		int64_t at = start[in->mentee[k]] + fill[in->mentee[k]]++;

		to[at] = in->mentor[k];
		sc[at] = in->score[k];
	}
	for (int32_t i = 0; i < in->n; i++)
		sort_row(to, sc, start[i], start[i + 1]);

	f = fopen(argv[2], "r");
	if (f == NULL) {
		perror(argv[2]);
		goto done;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		long long a, b;
		int32_t s;

		lineno++;
		if (line[0] == 's') {
			if (s_matched >= 0 || sscanf(line, "s %lld %lld", &s_matched, &s_total) != 2) {
				fprintf(stderr, "verify: %s:%lld: bad s line\n", argv[2], lineno);
				goto done;
			}
		} else if (line[0] == 'x') {
			if (sscanf(line, "x %lld %lld", &a, &b) != 2 || a < 1 || a > in->n ||
			    b < 1 || b > in->m) {
				fprintf(stderr, "verify: %s:%lld: bad x line\n", argv[2], lineno);
				goto done;
			}
			s = pair_score(start, to, sc, (int32_t)(a - 1), (int32_t)(b - 1));
			if (s == 0) {
				fprintf(stderr, "verify: %s:%lld: pair %lld-%lld is not allowed\n",
				    argv[2], lineno, a, b);
				goto done;
			}
			if (used[a - 1]++) {
				fprintf(stderr, "verify: %s:%lld: mentee %lld matched twice\n",
				    argv[2], lineno, a);
				goto done;
			}
			if (++load[b - 1] > in->cap[b - 1]) {
				fprintf(stderr, "verify: %s:%lld: mentor %lld over capacity %d\n",
				    argv[2], lineno, b, in->cap[b - 1]);
				goto done;
			}
			matched++;
			total += s;
		}
	}
	if (s_matched < 0) {
		fprintf(stderr, "verify: %s: no s line\n", argv[2]);
		goto done;
	}
	if (matched != s_matched || total != s_total) {
		fprintf(stderr, "verify: %s: x lines give %lld %lld, the s line says %lld %lld\n",
		    argv[2], matched, total, s_matched, s_total);
		goto done;
	}
	printf("ok %lld %lld\n", matched, total);
	rc = 0;
done:
	if (f != NULL)
		fclose(f);
	free(start);
	free(fill);
	free(to);
	free(sc);
	free(load);
	free(used);
	inst_free(in);
	return rc;
}
