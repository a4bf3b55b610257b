/*
 * proc.h - running a real program from a test and collecting what it said.
 */
#ifndef SPARKMATCH_PROC_H
#define SPARKMATCH_PROC_H

struct proc_result {
	int status;	/* exit status, or 128 + signal */
	char *out;	/* everything written to stdout (NUL-terminated) */
	char *err;	/* everything written to stderr */
};

/*
 * Run argv (argv[0] a path) to completion with stdin from in_path (NULL =
 * /dev/null). Fails the test if it cannot be started.
 */
void proc_run(const char *const argv[], const char *in_path, struct proc_result *r);
void proc_result_free(struct proc_result *r);

#endif
