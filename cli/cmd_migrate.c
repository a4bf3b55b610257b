/* cmd_migrate.c - `sparkmatch migrate [--status] [--dir DIR]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clictx.h"
#include "cmd.h"
#include "migrate.h"
#include "paths.h"

int
cmd_migrate(int argc, char **argv)
{
	const char *dir = NULL;
	char *dflt = NULL;
	struct err err;
	int status_only = 0, applied = 0, rc = 1;
	PGconn *conn;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0) {
			status_only = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else {
			fprintf(stderr, "usage: sparkmatch migrate [--status] [--dir DIR]\n");
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	if (dir == NULL)
		dir = dflt = paths_schema_dir();
	conn = clictx_db();
	if (conn == NULL)
		goto done;
	if (status_only) {
		if (migrate_status(conn, dir, stdout, &err) < 0)
			goto failed;
	} else {
		if (migrate_run(conn, dir, stdout, &applied, &err) < 0)
			goto failed;
		printf("%d migration%s applied; schema is up to date\n", applied,
		    applied == 1 ? "" : "s");
	}
	rc = 0;
	goto done;
failed:
	fprintf(stderr, "sparkmatch migrate: %s\n", err.msg);
done:
	free(dflt);
	return rc;
}
