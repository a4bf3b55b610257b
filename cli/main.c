/* main.c - `sparkmatch`, the admin command line: global options and dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "clictx.h"
#include "xmalloc.h"

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
};

static const struct command commands[] = {
	{ "migrate", cmd_migrate, "apply the database migrations under schema/" },
	{ "import", cmd_import, "load mentees or mentors from CSV files (one transaction)" },
	{ "candidates", cmd_candidates, "show the best-scoring mentors for each waiting mentee" },
	{ "solve", cmd_solve, "solve a problem file (optimal or stable matching), no database" },
	{ "explain", cmd_explain, "why a mentee and a mentor score what they do" },
	{ "proposals", cmd_proposals, "list proposals (by run, by status)" },
	{ "approve", cmd_approve, "approve proposals waiting for review" },
	{ "reject", cmd_reject, "reject proposals; the mentee waits for the next run" },
	{ "status", cmd_status, "who is waiting, mentor capacity, proposals, latest runs" },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sparkmatch [-c CONFIG] [-d CONNINFO] COMMAND [ARGS...]\n"
	    "\n"
	    "  -c CONFIG    configuration file (default: $SPARKMATCH_CONFIG, else built-in defaults)\n"
	    "  -d CONNINFO  PostgreSQL connection string (overrides database.conninfo and $DATABASE_URL)\n"
	    "\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun `sparkmatch COMMAND --help` for a command's options; see sparkmatch(1).\n");
}

int
main(int argc, char **argv)
{
	int i = 1;

	xmalloc_init_cjson();
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			clictx_set_config_path(argv[i + 1]);
			i += 2;
		} else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
			clictx_set_conninfo(argv[i + 1]);
			i += 2;
		} else {
			fprintf(stderr, "sparkmatch: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (strcmp(argv[i], commands[k].name) == 0) {
			int rc = commands[k].fn(argc - i, argv + i);

			clictx_cleanup();
			return rc;
		}
	}
	fprintf(stderr, "sparkmatch: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
