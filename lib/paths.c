/* paths.c - locating data files for a source-tree or installed binary. */
#include "paths.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buildconf.h"
#include "xmalloc.h"

static char paths_dir[PATH_MAX];
static pthread_once_t paths_once = PTHREAD_ONCE_INIT;

static int
paths_is_dir_with(const char *dir, const char *child)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof p, "%s/%s", dir, child);
	return access(p, R_OK | X_OK) == 0;
}

/* Walk up from the executable looking for a checkout (schema/ and lib/ side by side). */
static int
paths_from_exe(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');

		if (slash == NULL || slash == exe)
			return -1;
		*slash = '\0';
		if (paths_is_dir_with(exe, "schema") && paths_is_dir_with(exe, "lib") &&
		    paths_is_dir_with(exe, "config")) {
			snprintf(out, len, "%s", exe);
			return 0;
		}
	}
	return -1;
}

static void
paths_init(void)
{
	const char *env = getenv("SPARKMATCH_DATADIR");

	if (env != NULL && env[0] != '\0')
		snprintf(paths_dir, sizeof paths_dir, "%s", env);
	else if (paths_from_exe(paths_dir, sizeof paths_dir) < 0)
		snprintf(paths_dir, sizeof paths_dir, "%s", SPARKMATCH_DATADIR);
}

const char *
paths_datadir(void)
{
	pthread_once(&paths_once, paths_init);
	return paths_dir;
}

char *
paths_schema_dir(void)
{
	return xasprintf("%s/schema", paths_datadir());
}

char *
paths_templates_dir(void)
{
	const char *d = paths_datadir();

	/* The source tree keeps them under config/, an install under the data dir. */
	if (paths_is_dir_with(d, "config/templates"))
		return xasprintf("%s/config/templates", d);
	return xasprintf("%s/templates", d);
}

char *
paths_default_config(void)
{
	return xasprintf("%s/sparkmatch/sparkmatch.conf", SPARKMATCH_SYSCONFDIR);
}
