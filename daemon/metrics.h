/*
 * metrics.h - the daemon's counters and histograms, rendered in the
 * Prometheus text exposition format (version 0.0.4) by GET /metrics.
 *
 * Loop thread only: results from the worker thread are recorded after they
 * have been handed back to the loop, so nothing here locks.
 */
#ifndef SPARKMATCH_METRICS_H
#define SPARKMATCH_METRICS_H

#include <stdint.h>

#include "strbuf.h"

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* One answered HTTP request: route pattern ("/v1/mentees/{id}"), method, status, latency. */
void metrics_http(struct metrics *m, const char *route, const char *method, int status,
    double seconds);
/* One sign-up outcome: "created", "updated", "replayed" or "rejected". */
void metrics_signup(struct metrics *m, const char *result);
/* One finished matching run: trigger ("api", "schedule", ...), outcome, duration. */
void metrics_run(struct metrics *m, const char *trigger, const char *outcome, double seconds);
/* One successful database reconnection after a lost connection. */
void metrics_db_reconnect(struct metrics *m);

/* Append every family to out. */
void metrics_render(const struct metrics *m, struct strbuf *out);

/*
 * Append a one-sample gauge or counter family kept elsewhere ("type" is
 * "gauge" or "counter"); labels is "" or a rendered label set such as
 * status="approved" (escape values with metrics_label_escape).
 */
void metrics_render_sample(struct strbuf *out, const char *name, const char *help,
    const char *type, const char *labels, double value, int with_header);

/* Append value to out escaped for a label ("\\", "\"", "\n"). */
void metrics_label_escape(struct strbuf *out, const char *value);

#endif
