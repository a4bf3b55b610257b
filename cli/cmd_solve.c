/*
 * cmd_solve.c - `sparkmatch solve [--mode optimal|stable] [--compare] FILE`:
 * solve a problem file (lib/dimacs.h format; FILE "-" is standard input)
 * without a database.
 *
 * Prints "s <matched> <total_score>" and one "x <mentee> <mentor>" line per
 * matched pair (1-based ids, mentee order) on stdout, and on stderr the line
 * "c time read=<seconds> solve=<seconds>" that the benchmark harness parses,
 * then "c peak_rss_kib=<n>" (and "c compare ..." with --compare).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cmd.h"
#include "dimacs.h"
#include "match.h"

static double
solve_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
solve_usage(FILE *f)
{
	fprintf(f,
	    "usage: sparkmatch solve [--mode optimal|stable] [--compare] FILE\n"
	    "\n"
	    "Solve a matching problem file (\"-\" reads standard input):\n"
	    "  c any comment\n"
	    "  p sparkmatch <mentees> <mentors> <pairs>\n"
	    "  m <mentor> <capacity>          one line per mentor\n"
	    "  a <mentee> <mentor> <score>    one line per allowed pair (ids 1-based, score >= 1)\n"
	    "\n"
	    "  --mode optimal  most mentees matched, then the highest total score (default)\n"
	    "  --mode stable   mentee-proposing deferred acceptance (no blocking pair)\n"
	    "  --compare       also solve the other mode; report both on stderr\n"
	    "\n"
	    "Prints \"s <matched> <total>\" and \"x <mentee> <mentor>\" lines.\n");
}

int
cmd_solve(int argc, char **argv)
{
	struct match_opts opts;
	struct match_result *res = NULL;
	struct problem *p = NULL;
	const char *path = NULL;
	struct err e;
	struct rusage ru;
	double t0, t1, t2;
	int rc = 1;

	match_opts_init(&opts);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			solve_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
			const char *m = argv[++i];

			if (strcmp(m, "optimal") == 0) {
				opts.mode = MATCH_MODE_OPTIMAL;
			} else if (strcmp(m, "stable") == 0) {
				opts.mode = MATCH_MODE_STABLE;
			} else {
				fprintf(stderr, "sparkmatch solve: unknown mode '%s'\n", m);
				solve_usage(stderr);
				return 2;
			}
		} else if (strcmp(argv[i], "--compare") == 0) {
			opts.compare = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "sparkmatch solve: unknown option '%s'\n", argv[i]);
			solve_usage(stderr);
			return 2;
		} else if (path == NULL) {
			path = argv[i];
		} else {
			fprintf(stderr, "sparkmatch solve: more than one FILE\n");
			solve_usage(stderr);
			return 2;
		}
	}
	if (path == NULL) {
		solve_usage(stderr);
		return 2;
	}

	t0 = solve_now();
	if (dimacs_read(path, &p, &e) != 0) {
		fprintf(stderr, "sparkmatch solve: %s\n", e.msg);
		goto done;
	}
	t1 = solve_now();
	if (match_solve_problem(p, &opts, &res, &e) != 0) {
		fprintf(stderr, "sparkmatch solve: %s\n", e.msg);
		goto done;
	}
	t2 = solve_now();
	{
		static char obuf[1 << 16];
		const uint32_t *mo = match_result_mentor_of(res);
		uint32_t n = match_result_n_mentees(res);

		setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
		printf("s %u %lld\n", match_result_matched(res),
		    (long long)match_result_total(res));
		for (uint32_t i = 0; i < n; i++)
			if (mo[i] != PROBLEM_NONE)
				printf("x %u %u\n", i + 1, mo[i] + 1);
		if (fflush(stdout) != 0) {
			perror("sparkmatch solve: stdout");
			goto done;
		}
	}
	fprintf(stderr, "c time read=%.6f solve=%.6f\n", t1 - t0, t2 - t1);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(stderr, "c peak_rss_kib=%ld\n", ru.ru_maxrss);
	if (opts.compare) {
		const struct match_stats *st = match_result_stats(res);

		fprintf(stderr, "c compare optimal=%u,%lld stable=%u,%lld gap_matched=%lld gap_total=%lld\n",
		    st->optimal_matched, (long long)st->optimal_total, st->stable_matched,
		    (long long)st->stable_total,
		    (long long)st->optimal_matched - (long long)st->stable_matched,
		    (long long)st->optimal_total - (long long)st->stable_total);
	}
	rc = 0;
done:
	match_result_free(res);
	problem_free(p);
	return rc;
}
