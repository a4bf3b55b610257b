/* test_dimacs.c - the problem file reader: a good file and every malformed case. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dimacs.h"
#include "problem.h"
#include "testgen.h"

static const char good[] =
    "c a comment\n"
    "\n"
    "p sparkmatch 3 2 4\n"
    "m 1 2\n"
    "  c indented comment\n"
    "m 2 0\n"
    "a 1 1 10\n"
    "a 3 2 7\r\n"
    "a 2 1 5\n"
    "a 1 2 1\n";

Test(dimacs, good_file)
{
	struct problem *p;
	struct err e;

	cr_assert_eq(dimacs_parse("good", good, strlen(good), &p, &e), 0, "%s", e.msg);
	cr_assert_eq(problem_n_mentees(p), 3);
	cr_assert_eq(problem_n_mentors(p), 2);
	cr_assert_eq(problem_n_pairs(p), 4);
	cr_assert_eq(problem_capacity(p)[0], 2);
	cr_assert_eq(problem_capacity(p)[1], 0);
	cr_assert_eq(problem_score(p)[problem_find(p, 2, 1)], 7);
	cr_assert_eq(problem_score(p)[problem_find(p, 0, 1)], 1);
	problem_free(p);
}

Test(dimacs, no_trailing_newline_and_empty_problem)
{
	static const char a[] = "p sparkmatch 1 1 1\nm 1 1\na 1 1 3";
	static const char b[] = "p sparkmatch 0 0 0\n";
	struct problem *p;
	struct err e;

	cr_assert_eq(dimacs_parse("a", a, strlen(a), &p, &e), 0, "%s", e.msg);
	problem_free(p);
	cr_assert_eq(dimacs_parse("b", b, strlen(b), &p, &e), 0, "%s", e.msg);
	cr_assert_eq(problem_n_mentees(p), 0);
	problem_free(p);
}

struct bad {
	const char *text;
	const char *want;	/* exact prefix file:line, then a fragment */
	const char *frag;
};

static const struct bad bads[] = {
	{ "", "f:1:", "missing p line" },
	{ "c only\n", "f:1:", "missing p line" },
	{ "m 1 1\n", "f:1:", "m line before the p line" },
	{ "p sparkmatch 1 1 0\nm 1 1\na 1 1 5\n", "f:3:", "more a lines than the 0 pairs" },
	{ "p sparkmatch 2 1 2\nm 1 1\na 1 1 5\n", "f:3:", "1 a lines but the p line announced 2" },
	{ "p sparkmatch 2 2 1\nm 1 1\na 1 1 5\n", "f:3:", "none for mentor 2" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 2 1 5\n", "f:3:", "mentee 2 is above 1" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 1 0 5\n", "f:3:", "mentor 0 is below 1" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 1 1 0\n", "f:3:", "score 0 is below 1" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 1 1 -4\n", "f:3:", "score -4 is below 1" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 1 1 3000000000\n", "f:3:", "score 3000000000 is above" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 1 1\n", "f:3:", "missing score" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 1 1 5 6\n", "f:3:", "unexpected text" },
	{ "p sparkmatch 1 1 1\nm 1 1\na 1 1 5x\n", "f:3:", "score is not an integer" },
	{ "p sparkmatch 2 1 2\nm 1 2\na 1 1 5\na 2 1 5\na 1 1 5\n", "f:5:", "more a lines" },
	{ "p sparkmatch 2 2 3\nm 1 2\nm 2 1\na 1 1 5\na 2 1 5\nc x\na 1 1 6\n", "f:7:",
	    "duplicate pair (mentee 1, mentor 1)" },
	{ "p sparkmatch 1 2 1\nm 1 1\nm 1 2\na 1 1 5\n", "f:3:", "second m line for mentor 1" },
	{ "p sparkmatch 1 1 1\nm 1 -1\na 1 1 5\n", "f:2:", "capacity -1 is below 0" },
	{ "p sparkmatch 1 1 1\np sparkmatch 1 1 1\n", "f:2:", "second p line" },
	{ "p other 1 1 1\n", "f:1:", "expected \"p sparkmatch" },
	{ "p sparkmatch 1 1\n", "f:1:", "missing number of pairs" },
	{ "p sparkmatch 2 2 5\n", "f:1:", "5 pairs cannot fit" },
	{ "p sparkmatch 1 1 1\nx 1 1\n", "f:2:", "unknown line type" },
	{ "p sparkmatch 1 1 1\nm 1 1\naa 1 1 1\n", "f:3:", "unknown line type" },
};

Test(dimacs, malformed_inputs_name_file_and_line)
{
	for (size_t k = 0; k < sizeof bads / sizeof bads[0]; k++) {
		struct problem *p = (struct problem *)1;
		struct err e;

		cr_assert_eq(dimacs_parse("f", bads[k].text, strlen(bads[k].text), &p, &e), -1,
		    "case %zu accepted", k);
		cr_assert_null(p);
		cr_assert_eq(e.kind, ERR_KIND_INVALID, "case %zu", k);
		cr_assert(strncmp(e.msg, bads[k].want, strlen(bads[k].want)) == 0,
		    "case %zu: '%s' does not start with '%s'", k, e.msg, bads[k].want);
		cr_assert(strstr(e.msg, bads[k].frag) != NULL,
		    "case %zu: '%s' lacks '%s'", k, e.msg, bads[k].frag);
	}
}

Test(dimacs, write_then_read_round_trips)
{
	struct testgen_rng r = { 77 };
	struct problem *a = testgen_problem(&r, 40, 9, 4, 40, 1000), *b;
	char path[] = "/tmp/sparkmatch-dimacs-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct err e;

	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert_eq(dimacs_write(f, a, "round trip", &e), 0);
	fclose(f);
	cr_assert_eq(dimacs_read(path, &b, &e), 0, "%s", e.msg);
	unlink(path);
	cr_assert_eq(problem_n_pairs(a), problem_n_pairs(b));
	cr_assert_eq(memcmp(problem_col(a), problem_col(b), problem_n_pairs(a) * 4), 0);
	cr_assert_eq(memcmp(problem_score(a), problem_score(b), problem_n_pairs(a) * 4), 0);
	cr_assert_eq(memcmp(problem_capacity(a), problem_capacity(b), 9 * 4), 0);
	problem_free(a);
	problem_free(b);
}

Test(dimacs, missing_file)
{
	struct problem *p;
	struct err e;

	cr_assert_eq(dimacs_read("/nonexistent/x.txt", &p, &e), -1);
	cr_assert(strstr(e.msg, "/nonexistent/x.txt") != NULL, "%s", e.msg);
}
