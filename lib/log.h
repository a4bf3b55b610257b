/*
 * log.h - one line per event on stderr, for journald or a terminal.
 *
 * Lines look like "2026-11-24T16:55:00.123Z info req=3f2a: message". The
 * context (a request or run id) is per thread, so a worker thread's lines
 * carry its run while the loop thread's carry the current request.
 */
#ifndef SPARKMATCH_LOG_H
#define SPARKMATCH_LOG_H

#include "attrs.h"

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error", "warn", "info" or "debug"; 0 on success, -1 if unknown. */
int log_level_parse(const char *name, enum log_level *out) MUSTCHECK;
/* Set this thread's context label (copied), or clear it with NULL. */
void log_set_context(const char *ctx);

void log_msg(enum log_level level, const char *fmt, ...) PRINTFLIKE(2, 3);
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
