/*
 * cmd_review.c - `sparkmatch approve ID...` and `sparkmatch reject [--reason TEXT] ID...`
 *
 * Each decision is one atomic statement with its audit-log entry; a
 * proposal that does not exist or is past review is reported and the
 * others still go through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clictx.h"
#include "cmd.h"
#include "review.h"

static int
review_cmd(int argc, char **argv, bool approve)
{
	const char *reason = "";
	int done = 0, failed = 0, ids = 0;
	PGconn *conn;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc && !approve) {
			reason = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || argv[i][0] == '-') {
			fprintf(stderr, "usage: sparkmatch %s\n", approve ? "approve ID..." :
			    "reject [--reason TEXT] ID...");
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		} else {
			ids++;
		}
	}
	if (ids == 0) {
		fprintf(stderr, "sparkmatch %s: name at least one proposal id (see `sparkmatch proposals`)\n",
		    argv[0]);
		return 2;
	}
	conn = clictx_db();
	if (conn == NULL)
		return 1;
	for (int i = 1; i < argc; i++) {
		char *end;
		long long id;
		struct err err;

		if (strcmp(argv[i], "--reason") == 0) {
			i++;
			continue;
		}
		id = strtoll(argv[i], &end, 10);
		if (*end != '\0' || id <= 0) {
			fprintf(stderr, "sparkmatch %s: '%s' is not a proposal id\n", argv[0], argv[i]);
			failed++;
			continue;
		}
		if (review_decide(conn, id, approve, audit_cli_actor(), reason, &err) < 0) {
			fprintf(stderr, "sparkmatch %s: %s\n", argv[0], err.msg);
			failed++;
			continue;
		}
		printf("proposal %lld %s\n", id, approve ? "approved" : "rejected");
		done++;
	}
	return failed ? 1 : 0;
}

int
cmd_approve(int argc, char **argv)
{
	return review_cmd(argc, argv, true);
}

int
cmd_reject(int argc, char **argv)
{
	return review_cmd(argc, argv, false);
}
