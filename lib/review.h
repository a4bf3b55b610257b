/*
 * review.h - an admin's decision on a proposal: approve or reject.
 *
 * review_decide_sql is one statement (so it is atomic without a client-side
 * transaction, and the daemon can send it asynchronously): it locks the
 * proposal, applies the decision if the proposal is in a state that allows
 * it, puts a rejected mentee back in the waiting list, and writes the audit
 * log. Parameters: $1 proposal id, $2 "approve" or "reject", $3 actor,
 * $4 reason (may be empty). One row comes back when the proposal exists:
 * (old_status, new_status, changed boolean); none when it does not.
 */
#ifndef SPARKMATCH_REVIEW_H
#define SPARKMATCH_REVIEW_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

extern const char review_decide_sql[];

/*
 * Decide on proposal id with a blocking connection. Fails with
 * ERR_KIND_NOT_FOUND when there is no such proposal and ERR_KIND_CONFLICT
 * when its status does not allow the decision (message says which status).
 */
int review_decide(PGconn *conn, int64_t id, bool approve, const char *actor, const char *reason,
    struct err *err) MUSTCHECK;

/* Turn a review_decide_sql result into 0 or an error (for async callers too). */
int review_result(const PGresult *res, int64_t id, bool approve, struct err *err) MUSTCHECK;

#endif
