/*
 * cmd_run.c - `sparkmatch run [--mode optimal|stable] [--dry-run] [--quiet]`
 *
 * Matches everyone waiting and writes the run with its proposals in one
 * transaction; --dry-run computes and prints the same result and writes
 * nothing at all.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "clictx.h"
#include "cmd.h"
#include "run.h"

int
cmd_run(int argc, char **argv)
{
	const struct conf *conf;
	struct run_request req = { .trigger = "cli", .record = true };
	struct run_report *rep = NULL;
	struct strbuf sb = STRBUF_INIT;
	bool mode_set = false, quiet = false;
	struct err err;
	PGconn *conn;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
			i++;
			mode_set = true;
			if (strcmp(argv[i], "optimal") == 0)
				req.mode = CONF_MODE_OPTIMAL;
			else if (strcmp(argv[i], "stable") == 0)
				req.mode = CONF_MODE_STABLE;
			else
				goto usage;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			req.dry_run = true;
			req.record = false;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
		} else {
			goto usage;
		}
	}
	conf = clictx_conf();
	conn = clictx_db();
	if (conf == NULL || conn == NULL)
		return 1;
	if (!mode_set)
		req.mode = conf->match_mode;
	req.requested_by = audit_cli_actor();
	if (run_execute(conn, conf, &req, &rep, &err) < 0) {
		fprintf(stderr, "sparkmatch run: %s\n", err.msg);
		return 1;
	}
	if (quiet)
		run_report_summary(rep, &sb);
	else
		run_report_text(rep, &sb);
	fputs(strbuf_str(&sb), stdout);
	strbuf_free(&sb);
	run_report_free(rep);
	return 0;
usage:
	fprintf(stderr, "usage: sparkmatch run [--mode optimal|stable] [--dry-run] [--quiet]\n");
	return strcmp(argv[argc - 1], "--help") == 0 ? 0 : 2;
}
