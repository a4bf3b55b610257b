/*
 * cmd_status.c - `sparkmatch status`: who is waiting, how full the mentors
 * are, where proposals stand, and the latest runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clictx.h"
#include "cmd.h"
#include "db.h"

static const char status_people_sql[] =
    "SELECT (SELECT count(*) FROM mentees), "
    "  (SELECT count(*) FROM mentees WHERE status = 'waiting'), "
    "  (SELECT count(*) FROM mentees WHERE status = 'proposed'), "
    "  (SELECT count(*) FROM mentees WHERE status = 'matched'), "
    "  (SELECT count(*) FROM mentees WHERE status = 'paused'), "
    "  (SELECT count(*) FROM mentors WHERE status = 'active'), "
    "  (SELECT count(*) FROM mentors WHERE status = 'paused'), "
    "  (SELECT coalesce(sum(capacity), 0) FROM mentors WHERE status = 'active'), "
    "  (SELECT count(*) FROM proposals p JOIN mentors m ON m.id = p.mentor_id "
    "    WHERE m.status = 'active' AND p.status IN ('pending-review', 'approved', 'sent', 'accepted'))";

static const char status_proposals_sql[] =
    "SELECT status, count(*) FROM proposals GROUP BY status ORDER BY status";

static const char status_waiting_sql[] =
    "SELECT name, external_id, date_trunc('minute', now() - waiting_since) "
    "FROM mentees WHERE status = 'waiting' ORDER BY waiting_since, id LIMIT 5";

static const char status_runs_sql[] =
    "SELECT id, mode, trigger, status, dry_run, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS'), "
    "  coalesce(stats->>'matched', '-'), coalesce(stats->>'mentees_waiting', '-'), "
    "  coalesce(stats->>'total_score', '-'), coalesce(stats->>'mean_score', '-'), "
    "  coalesce(extract(epoch FROM finished_at - started_at)::numeric(10,3)::text, '-'), outcome "
    "FROM runs ORDER BY id DESC LIMIT 5";

int
cmd_status(int argc, char **argv)
{
	PGresult *p = NULL, *q = NULL, *w = NULL, *r = NULL;
	struct err err;
	PGconn *conn;
	int rc = 1;

	if (argc > 1) {
		fprintf(stderr, "usage: sparkmatch status\n");
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	conn = clictx_db();
	if (conn == NULL)
		return 1;
	if ((p = db_query(conn, status_people_sql, 0, NULL, &err)) == NULL ||
	    (q = db_query(conn, status_proposals_sql, 0, NULL, &err)) == NULL ||
	    (w = db_query(conn, status_waiting_sql, 0, NULL, &err)) == NULL ||
	    (r = db_query(conn, status_runs_sql, 0, NULL, &err)) == NULL) {
		fprintf(stderr, "sparkmatch status: %s\n", err.msg);
		goto done;
	}
	printf("mentees    %s: %s waiting, %s proposed, %s matched, %s paused\n",
	    PQgetvalue(p, 0, 0), PQgetvalue(p, 0, 1), PQgetvalue(p, 0, 2), PQgetvalue(p, 0, 3),
	    PQgetvalue(p, 0, 4));
	printf("mentors    %s active (%s paused); capacity %s, in use %s\n", PQgetvalue(p, 0, 5),
	    PQgetvalue(p, 0, 6), PQgetvalue(p, 0, 7), PQgetvalue(p, 0, 8));
	printf("proposals ");
	if (PQntuples(q) == 0)
		printf(" none");
	for (int i = 0; i < PQntuples(q); i++)
		printf("%s %s %s", i ? "," : "", PQgetvalue(q, i, 1), PQgetvalue(q, i, 0));
	printf("\n");
	if (PQntuples(w) > 0) {
		printf("\nwaiting longest:\n");
		for (int i = 0; i < PQntuples(w); i++)
			printf("  %s (%s), waiting %s\n", PQgetvalue(w, i, 0), PQgetvalue(w, i, 1),
			    PQgetvalue(w, i, 2));
	}
	printf("\nlatest runs:\n");
	if (PQntuples(r) == 0)
		printf("  none yet\n");
	for (int i = 0; i < PQntuples(r); i++) {
		printf("  #%s %s %s%s by %s at %s: %s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    PQgetvalue(r, i, 3), strcmp(PQgetvalue(r, i, 4), "t") == 0 ? " (dry run)" : "",
		    PQgetvalue(r, i, 2), PQgetvalue(r, i, 5), PQgetvalue(r, i, 3));
		if (strcmp(PQgetvalue(r, i, 3), "succeeded") == 0)
			printf(", matched %s of %s, total score %s, mean %s, %s s", PQgetvalue(r, i, 6),
			    PQgetvalue(r, i, 7), PQgetvalue(r, i, 8), PQgetvalue(r, i, 9),
			    PQgetvalue(r, i, 10));
		else if (PQgetvalue(r, i, 11)[0] != '\0')
			printf(" (%s)", PQgetvalue(r, i, 11));
		printf("\n");
	}
	rc = 0;
done:
	PQclear(p);
	PQclear(q);
	PQclear(w);
	PQclear(r);
	return rc;
}
