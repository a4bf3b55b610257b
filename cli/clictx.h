/*
 * clictx.h - what every `sparkmatch` sub-command shares: the configuration
 * (from -c, $SPARKMATCH_CONFIG, or built-in defaults) and one database
 * connection (from -d, database.conninfo, $DATABASE_URL, or libpq defaults),
 * both opened lazily and released by clictx_cleanup().
 */
#ifndef SPARKMATCH_CLI_CLICTX_H
#define SPARKMATCH_CLI_CLICTX_H

#include <libpq-fe.h>

#include "conf.h"

void clictx_set_config_path(const char *path);
void clictx_set_conninfo(const char *conninfo);
/* The configuration; NULL after printing why it could not be loaded. */
const struct conf *clictx_conf(void);
/* The connection; NULL after printing why it could not be opened. */
PGconn *clictx_db(void);
void clictx_cleanup(void);

#endif
