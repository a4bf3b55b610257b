/* review.c - approving and rejecting proposals. */
#include "review.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

const char review_decide_sql[] =
    "WITH p AS ("
    "  SELECT id, mentee_id, status FROM proposals WHERE id = $1::bigint FOR UPDATE), "
    "u AS ("
    "  UPDATE proposals SET status = CASE $2 WHEN 'approve' THEN 'approved' ELSE 'rejected' END, "
    "         decided_by = $3 "
    "  FROM p WHERE proposals.id = p.id AND ("
    "    ($2 = 'approve' AND p.status = 'pending-review') OR "
    "    ($2 = 'reject' AND p.status IN ('pending-review', 'approved'))) "
    "  RETURNING proposals.id, proposals.mentee_id, proposals.status), "
    "w AS ("
    "  UPDATE mentees SET status = 'waiting', updated_at = now() "
    "  FROM u WHERE mentees.id = u.mentee_id AND u.status = 'rejected' AND mentees.status = 'proposed' "
    "  RETURNING mentees.id), "
    "a AS ("
    "  INSERT INTO audit_log (actor, action, target_type, target_id, details) "
    "  SELECT $3, $2, 'proposal', u.id, jsonb_build_object('reason', $4::text) FROM u "
    "  RETURNING id) "
    "SELECT p.status, coalesce((SELECT status FROM u), p.status), "
    "       EXISTS (SELECT 1 FROM u), (SELECT count(*) FROM w) + (SELECT count(*) FROM a) "
    "FROM p";

int
review_result(const PGresult *res, int64_t id, bool approve, struct err *err)
{
	if (PQntuples(res) == 0)
		return err_set(err, ERR_KIND_NOT_FOUND, "there is no proposal %lld", (long long)id);
	if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
		return err_set(err, ERR_KIND_CONFLICT, "proposal %lld is %s and cannot be %s now",
		    (long long)id, PQgetvalue(res, 0, 0), approve ? "approved" : "rejected");
	return 0;
}

int
review_decide(PGconn *conn, int64_t id, bool approve, const char *actor, const char *reason,
    struct err *err)
{
	char sid[24];
	const char *params[4] = { sid, approve ? "approve" : "reject", actor, reason ? reason : "" };
	PGresult *res;
	int rc;

	snprintf(sid, sizeof sid, "%lld", (long long)id);
	res = db_query(conn, review_decide_sql, 4, params, err);
	if (res == NULL)
		return -1;
	rc = review_result(res, id, approve, err);
	PQclear(res);
	return rc;
}
