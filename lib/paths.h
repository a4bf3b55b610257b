/*
 * paths.h - where sparkmatch finds its data files (migrations, templates,
 * sample cohort).
 *
 * In order: $SPARKMATCH_DATADIR; the source tree, when the running binary
 * sits in it (build/sparkmatch, build/asan/sparkmatch), so a fresh build works
 * without installing; the DATADIR compiled in by `make install`.
 */
#ifndef SPARKMATCH_PATHS_H
#define SPARKMATCH_PATHS_H

/* The data directory (static storage; computed once). */
const char *paths_datadir(void);
/* The migrations directory (caller frees). */
char *paths_schema_dir(void);
/* The message templates directory (caller frees). */
char *paths_templates_dir(void);
/* Where `make install` puts the configuration file (caller frees). */
char *paths_default_config(void);

#endif
