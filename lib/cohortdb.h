/*
 * cohortdb.h - loading a cohort from PostgreSQL in four queries (skills,
 * mentees with goals, mentors with strengths and used capacity, blocked
 * pairs), whatever its size.
 *
 * Call it inside a REPEATABLE READ transaction when the result must be one
 * consistent snapshot (a matching run does).
 */
#ifndef SPARKMATCH_COHORTDB_H
#define SPARKMATCH_COHORTDB_H

#include <libpq-fe.h>

#include "attrs.h"
#include "cohort.h"
#include "err.h"

enum cohortdb_scope {
	/* Everyone, whatever their status (explain, listings). */
	COHORTDB_ALL = 0,
	/* Who a run matches: waiting mentees without a live proposal, active mentors. */
	COHORTDB_WAITING,
};

/*
 * Load and seal a cohort. Mentors' `used` counts their live proposals and
 * matches (pending-review, approved, sent, accepted). Returns NULL with err
 * filled on failure; free with cohort_free().
 */
struct cohort *cohortdb_load(PGconn *conn, enum cohortdb_scope scope, struct err *err) MUSTCHECK;

#endif
