/*
 * cmd_proposals.c - `sparkmatch proposals [--run ID] [--status STATUS] [--why]`
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clictx.h"
#include "cmd.h"
#include "db.h"

static const char proposals_sql[] =
    "SELECT p.id, p.run_id, p.status, p.score, e.name, e.external_id, m.name, m.external_id, "
    "       p.explanation::text "
    "FROM proposals p JOIN mentees e ON e.id = p.mentee_id JOIN mentors m ON m.id = p.mentor_id "
    "WHERE ($1::bigint IS NULL OR p.run_id = $1::bigint) AND ($2::text IS NULL OR p.status = $2) "
    "ORDER BY p.run_id DESC, p.id";

/* The three strongest skill lines of a stored explanation, in words. */
static void
proposals_why(const char *json)
{
	cJSON *e = cJSON_Parse(json), *skills, *it;
	int k = 0;

	skills = cJSON_GetObjectItem(e, "skills");
	printf("        why:");
	cJSON_ArrayForEach(it, skills) {
		const cJSON *pts = cJSON_GetObjectItem(it, "points");

		if (k == 3 || !cJSON_IsNumber(pts) || pts->valueint <= 0)
			break;
		printf("%s %s (%d)", k ? "," : "", cJSON_GetStringValue(cJSON_GetObjectItem(it, "name")),
		    pts->valueint);
		k++;
	}
	if (cJSON_GetObjectItem(e, "both_families_bonus") &&
	    cJSON_GetObjectItem(e, "both_families_bonus")->valueint > 0)
		printf(", strong in both leadership and management (+%d)",
		    cJSON_GetObjectItem(e, "both_families_bonus")->valueint);
	printf("\n");
	cJSON_Delete(e);
}

int
cmd_proposals(int argc, char **argv)
{
	const char *params[2] = { NULL, NULL };
	int why = 0;
	struct err err;
	PGresult *res;
	PGconn *conn;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--run") == 0 && i + 1 < argc) {
			params[0] = argv[++i];
			if (strspn(params[0], "0123456789") != strlen(params[0]) || params[0][0] == '\0') {
				fprintf(stderr, "sparkmatch proposals: --run takes a run id\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) {
			params[1] = argv[++i];
		} else if (strcmp(argv[i], "--why") == 0) {
			why = 1;
		} else {
			fprintf(stderr, "usage: sparkmatch proposals [--run ID] [--status pending-review|approved|"
			    "sent|accepted|declined|expired|rejected] [--why]\n");
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	conn = clictx_db();
	if (conn == NULL)
		return 1;
	res = db_query(conn, proposals_sql, 2, params, &err);
	if (res == NULL) {
		fprintf(stderr, "sparkmatch proposals: %s\n", err.msg);
		return 1;
	}
	if (PQntuples(res) == 0)
		printf("no proposals%s\n", params[0] || params[1] ? " match" : " yet; run a matching with `sparkmatch run`");
	for (int r = 0; r < PQntuples(res); r++) {
		printf("%6s  run %-4s %-14s %5s  %s (%s) -> %s (%s)\n", PQgetvalue(res, r, 0),
		    PQgetvalue(res, r, 1), PQgetvalue(res, r, 2), PQgetvalue(res, r, 3),
		    PQgetvalue(res, r, 4), PQgetvalue(res, r, 5), PQgetvalue(res, r, 6),
		    PQgetvalue(res, r, 7));
		if (why)
			proposals_why(PQgetvalue(res, r, 8));
	}
	PQclear(res);
	return 0;
}
