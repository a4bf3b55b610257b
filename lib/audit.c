/* audit.c - writing the audit log. */
#include "audit.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"

const char audit_insert_sql[] =
    "INSERT INTO audit_log (actor, action, target_type, target_id, details) "
    "VALUES ($1, $2, $3, $4::bigint, coalesce($5::jsonb, '{}'))";

int
audit_write(PGconn *conn, const char *actor, const char *action, const char *target_type,
    int64_t target_id, const cJSON *details, struct err *err)
{
	char id[24], *json = details ? cJSON_PrintUnformatted(details) : NULL;
	const char *params[5] = { actor, action, target_type ? target_type : "",
		target_id >= 0 ? id : NULL, json };
	PGresult *res;

	snprintf(id, sizeof id, "%lld", (long long)target_id);
	res = db_query(conn, audit_insert_sql, 5, params, err);
	free(json);
	if (res == NULL)
		return err_prefix(err, "writing the audit log: ");
	PQclear(res);
	return 0;
}

const char *
audit_cli_actor(void)
{
	static char actor[96];
	const struct passwd *pw = getpwuid(getuid());
	const char *who = pw ? pw->pw_name : getenv("USER");

	snprintf(actor, sizeof actor, "cli:%s", who ? who : "unknown");
	return actor;
}
