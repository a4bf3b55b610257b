/*
 * audit.h - the record of admin actions (who did what to which row, when).
 *
 * audit_insert_sql is the one statement that writes it, for callers that
 * run it their own way (the daemon, asynchronously; a transaction here);
 * its parameters are $1 actor, $2 action, $3 target type, $4 target id (or
 * NULL), $5 details (JSON text).
 */
#ifndef SPARKMATCH_AUDIT_H
#define SPARKMATCH_AUDIT_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

extern const char audit_insert_sql[];

/* Write one entry on a blocking connection (target_id < 0: none; details may be NULL). */
int audit_write(PGconn *conn, const char *actor, const char *action, const char *target_type,
    int64_t target_id, const cJSON *details, struct err *err) MUSTCHECK;

/* "cli:<login name>" for actions taken from the command line (static storage). */
const char *audit_cli_actor(void);

#endif
