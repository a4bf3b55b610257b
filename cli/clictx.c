/* clictx.c - lazily loaded configuration and connection for the CLI. */
#include "clictx.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"

static const char *clictx_config_path;
static const char *clictx_conninfo;
static struct conf clictx_config;
static bool clictx_config_loaded;
static PGconn *clictx_conn;

void
clictx_set_config_path(const char *path)
{
	clictx_config_path = path;
}

void
clictx_set_conninfo(const char *conninfo)
{
	clictx_conninfo = conninfo;
}

const struct conf *
clictx_conf(void)
{
	struct err err;
	const char *path = clictx_config_path;

	if (clictx_config_loaded)
		return &clictx_config;
	if (path == NULL)
		path = getenv("SPARKMATCH_CONFIG");
	if (path != NULL && path[0] != '\0') {
		if (conf_load(&clictx_config, path, &err) < 0) {
			fprintf(stderr, "sparkmatch: %s\n", err.msg);
			conf_free(&clictx_config);
			return NULL;
		}
	} else {
		conf_defaults(&clictx_config);
	}
	log_set_level((enum log_level)clictx_config.log_level);
	clictx_config_loaded = true;
	return &clictx_config;
}

PGconn *
clictx_db(void)
{
	const struct conf *c;
	struct err err;

	if (clictx_conn != NULL)
		return clictx_conn;
	c = clictx_conf();
	if (c == NULL)
		return NULL;
	clictx_conn = db_connect(clictx_conninfo ? clictx_conninfo : conf_conninfo(c),
	    "sparkmatch", &err);
	if (clictx_conn == NULL)
		fprintf(stderr, "sparkmatch: %s\n", err.msg);
	return clictx_conn;
}

void
clictx_cleanup(void)
{
	if (clictx_conn != NULL)
		PQfinish(clictx_conn);
	clictx_conn = NULL;
	if (clictx_config_loaded)
		conf_free(&clictx_config);
	clictx_config_loaded = false;
}
