/* test_cli_solve.c - the real `sparkmatch solve` process on small files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testdb.h"
#include "xmalloc.h"

/* Write text to a fresh temporary file; caller frees the path and unlinks. */
static char *
write_temp(const char *text)
{
	char *path = xstrdup("/tmp/sparkmatch-solve-XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Run `sparkmatch solve ARGS`, capturing stdout and stderr; returns the exit status. */
static int
run_solve(const char *args, char **out, char **errs)
{
	char *bin = testdb_binpath("sparkmatch");
	char *opath = xstrdup("/tmp/sparkmatch-solve-out-XXXXXX");
	char *epath = xstrdup("/tmp/sparkmatch-solve-err-XXXXXX");
	int ofd = mkstemp(opath), efd = mkstemp(epath);
	char *cmd;
	int st;
	FILE *f;
	long len;

	cr_assert(access(bin, X_OK) == 0, "%s is not built", bin);
	close(ofd);
	close(efd);
	cmd = xasprintf("%s solve %s >%s 2>%s", bin, args, opath, epath);
	st = system(cmd);
	cr_assert(st != -1 && WIFEXITED(st), "%s did not exit normally", cmd);
	for (int k = 0; k < 2; k++) {
		char **dst = k == 0 ? out : errs;

		f = fopen(k == 0 ? opath : epath, "r");
		cr_assert_not_null(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		*dst = xmalloc((size_t)len + 1);
		(*dst)[fread(*dst, 1, (size_t)len, f)] = '\0';
		fclose(f);
	}
	unlink(opath);
	unlink(epath);
	free(opath);
	free(epath);
	free(cmd);
	free(bin);
	return WEXITSTATUS(st);
}

Test(cli_solve, optimal_and_stable)
{
	/* Mentor 1 (cap 1) is everyone's favourite; optimal matches all three. */
	char *path = write_temp(
	    "c example\n"
	    "p sparkmatch 3 2 5\n"
	    "m 1 1\n"
	    "m 2 2\n"
	    "a 1 1 90\n"
	    "a 2 1 80\n"
	    "a 2 2 10\n"
	    "a 3 1 85\n"
	    "a 3 2 20\n");
	char *args = xasprintf("--mode optimal %s", path);
	char *out, *errs;

	cr_assert_eq(run_solve(args, &out, &errs), 0, "stderr: %s", errs);
	cr_assert_str_eq(out, "s 3 120\nx 1 1\nx 2 2\nx 3 2\n");
	cr_assert(strstr(errs, "c time read=") != NULL && strstr(errs, " solve=") != NULL, "%s", errs);
	free(out);
	free(errs);
	free(args);
	args = xasprintf("--mode stable %s", path);
	cr_assert_eq(run_solve(args, &out, &errs), 0, "stderr: %s", errs);
	cr_assert_str_eq(out, "s 3 120\nx 1 1\nx 2 2\nx 3 2\n");
	free(out);
	free(errs);
	free(args);
	unlink(path);
	free(path);
}

Test(cli_solve, stdin_and_errors)
{
	char *bad = write_temp("p sparkmatch 1 1 1\nm 1 1\na 1 2 5\n");
	char *args = xasprintf("%s", bad);
	char *out, *errs;

	cr_assert_eq(run_solve(args, &out, &errs), 1);
	cr_assert(strstr(errs, bad) != NULL && strstr(errs, ":3: mentor 2 is above 1") != NULL,
	    "%s", errs);
	free(out);
	free(errs);
	free(args);
	args = xasprintf("- < %s", bad);
	cr_assert_eq(run_solve(args, &out, &errs), 1);
	cr_assert(strstr(errs, "<stdin>:3:") != NULL, "%s", errs);
	free(out);
	free(errs);
	free(args);
	cr_assert_eq(run_solve("--mode fastest x", &out, &errs), 2);
	free(out);
	free(errs);
	cr_assert_eq(run_solve("", &out, &errs), 2);
	free(out);
	free(errs);
	unlink(bad);
	free(bad);
}
