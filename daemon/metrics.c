/* metrics.c - counters and histograms in Prometheus text format. */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define METRICS_MAX_BUCKETS 16

enum metrics_kind {
	METRICS_COUNTER,
	METRICS_HISTOGRAM,
};

/* One labelled time series of a family. */
struct metrics_series {
	char *labels;			/* rendered: route="/healthz",status="200" */
	uint64_t count;			/* the counter, or the histogram's count */
	double sum;			/* histograms */
	uint64_t buckets[METRICS_MAX_BUCKETS];	/* cumulative at render time */
};

struct metrics_family {
	const char *name;
	const char *help;
	enum metrics_kind kind;
	const double *bounds;		/* histograms: upper bounds, ascending */
	size_t nbounds;
	struct metrics_series *series;
	size_t nseries, cap;
};

enum {
	METRICS_HTTP_REQUESTS,
	METRICS_HTTP_DURATION,
	METRICS_SIGNUPS,
	METRICS_RUNS,
	METRICS_RUN_DURATION,
	METRICS_DB_RECONNECTS,
	METRICS_NFAMILIES,
};

struct metrics {
	struct metrics_family fam[METRICS_NFAMILIES];
};

static const double metrics_http_bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
static const double metrics_run_bounds[] = { 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120,
	300, 600 };

struct metrics *
metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof *m);

	m->fam[METRICS_HTTP_REQUESTS] = (struct metrics_family){
		"sparkmatch_http_requests_total",
		"HTTP requests answered, by route pattern, method and status.",
		METRICS_COUNTER, NULL, 0, NULL, 0, 0 };
	m->fam[METRICS_HTTP_DURATION] = (struct metrics_family){
		"sparkmatch_http_request_duration_seconds",
		"Time from a complete request to its answer, by route pattern.",
		METRICS_HISTOGRAM, metrics_http_bounds, ARRAY_SIZE(metrics_http_bounds), NULL, 0, 0 };
	m->fam[METRICS_SIGNUPS] = (struct metrics_family){
		"sparkmatch_signups_total",
		"Sign-ups received, by result (created, updated, replayed, rejected).",
		METRICS_COUNTER, NULL, 0, NULL, 0, 0 };
	m->fam[METRICS_RUNS] = (struct metrics_family){
		"sparkmatch_runs_total",
		"Matching runs finished by this daemon, by trigger and outcome.",
		METRICS_COUNTER, NULL, 0, NULL, 0, 0 };
	m->fam[METRICS_RUN_DURATION] = (struct metrics_family){
		"sparkmatch_run_duration_seconds",
		"Wall-clock duration of matching runs executed by this daemon.",
		METRICS_HISTOGRAM, metrics_run_bounds, ARRAY_SIZE(metrics_run_bounds), NULL, 0, 0 };
	m->fam[METRICS_DB_RECONNECTS] = (struct metrics_family){
		"sparkmatch_db_reconnects_total",
		"Database connections re-established after being lost.",
		METRICS_COUNTER, NULL, 0, NULL, 0, 0 };
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t f = 0; f < METRICS_NFAMILIES; f++) {
		for (size_t i = 0; i < m->fam[f].nseries; i++)
			free(m->fam[f].series[i].labels);
		free(m->fam[f].series);
	}
	free(m);
}

void
metrics_label_escape(struct strbuf *out, const char *value)
{
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\\')
			strbuf_puts(out, "\\\\");
		else if (*p == '"')
			strbuf_puts(out, "\\\"");
		else if (*p == '\n')
			strbuf_puts(out, "\\n");
		else
			strbuf_putc(out, *p);
	}
}

/* The series with these rendered labels, created on first use. */
static struct metrics_series *
metrics_series(struct metrics_family *f, const char *labels)
{
	struct metrics_series *s;

	for (size_t i = 0; i < f->nseries; i++) {
		if (strcmp(f->series[i].labels, labels) == 0)
			return &f->series[i];
	}
	if (f->nseries == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->series = xreallocarray(f->series, f->cap, sizeof *f->series);
	}
	s = &f->series[f->nseries++];
	memset(s, 0, sizeof *s);
	s->labels = xstrdup(labels);
	return s;
}

static void
metrics_observe(struct metrics_family *f, const char *labels, double v)
{
	struct metrics_series *s = metrics_series(f, labels);

	s->count++;
	s->sum += v;
	for (size_t b = 0; b < f->nbounds; b++) {
		if (v <= f->bounds[b]) {
			s->buckets[b]++;
			break;
		}
	}
}

void
metrics_http(struct metrics *m, const char *route, const char *method, int status,
    double seconds)
{
	struct strbuf l = STRBUF_INIT;

	strbuf_puts(&l, "route=\"");
	metrics_label_escape(&l, route);
	strbuf_puts(&l, "\"");
	metrics_observe(&m->fam[METRICS_HTTP_DURATION], strbuf_str(&l), seconds);
	strbuf_puts(&l, ",method=\"");
	metrics_label_escape(&l, method);
	strbuf_printf(&l, "\",status=\"%d\"", status);
	metrics_series(&m->fam[METRICS_HTTP_REQUESTS], strbuf_str(&l))->count++;
	strbuf_free(&l);
}

void
metrics_signup(struct metrics *m, const char *result)
{
	struct strbuf l = STRBUF_INIT;

	strbuf_puts(&l, "result=\"");
	metrics_label_escape(&l, result);
	strbuf_puts(&l, "\"");
	metrics_series(&m->fam[METRICS_SIGNUPS], strbuf_str(&l))->count++;
	strbuf_free(&l);
}

void
metrics_run(struct metrics *m, const char *trigger, const char *outcome, double seconds)
{
	struct strbuf l = STRBUF_INIT;

	strbuf_puts(&l, "trigger=\"");
	metrics_label_escape(&l, trigger);
	strbuf_puts(&l, "\",outcome=\"");
	metrics_label_escape(&l, outcome);
	strbuf_puts(&l, "\"");
	metrics_series(&m->fam[METRICS_RUNS], strbuf_str(&l))->count++;
	metrics_observe(&m->fam[METRICS_RUN_DURATION], "", seconds);
	strbuf_free(&l);
}

void
metrics_db_reconnect(struct metrics *m)
{
	metrics_series(&m->fam[METRICS_DB_RECONNECTS], "")->count++;
}

/* A double the way Prometheus reads it. */
static void
metrics_number(struct strbuf *out, double v)
{
	if (isinf(v))
		strbuf_puts(out, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		strbuf_printf(out, "%.0f", v);
	else
		strbuf_printf(out, "%.9g", v);
}

/* name{labels[,extra]} */
static void
metrics_name(struct strbuf *out, const char *name, const char *suffix, const char *labels,
    const char *extra)
{
	strbuf_printf(out, "%s%s", name, suffix);
	if (labels[0] != '\0' || extra != NULL) {
		strbuf_printf(out, "{%s%s%s}", labels, labels[0] && extra ? "," : "",
		    extra ? extra : "");
	}
	strbuf_putc(out, ' ');
}

void
metrics_render_sample(struct strbuf *out, const char *name, const char *help,
    const char *type, const char *labels, double value, int with_header)
{
	if (with_header)
		strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	metrics_name(out, name, "", labels, NULL);
	metrics_number(out, value);
	strbuf_putc(out, '\n');
}

void
metrics_render(const struct metrics *m, struct strbuf *out)
{
	for (size_t fi = 0; fi < METRICS_NFAMILIES; fi++) {
		const struct metrics_family *f = &m->fam[fi];

		strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		    f->kind == METRICS_COUNTER ? "counter" : "histogram");
		/* A counter without labels exists from the start, at zero. */
		if (f->kind == METRICS_COUNTER && f->nseries == 0 &&
		    fi == METRICS_DB_RECONNECTS)
			strbuf_printf(out, "%s 0\n", f->name);
		for (size_t i = 0; i < f->nseries; i++) {
			const struct metrics_series *s = &f->series[i];
			uint64_t cum = 0;

			if (f->kind == METRICS_COUNTER) {
				metrics_name(out, f->name, "", s->labels, NULL);
				strbuf_printf(out, "%llu\n", (unsigned long long)s->count);
				continue;
			}
			for (size_t b = 0; b < f->nbounds; b++) {
				struct strbuf le = STRBUF_INIT;

				cum += s->buckets[b];
				strbuf_puts(&le, "le=\"");
				metrics_number(&le, f->bounds[b]);
				strbuf_puts(&le, "\"");
				metrics_name(out, f->name, "_bucket", s->labels, strbuf_str(&le));
				strbuf_printf(out, "%llu\n", (unsigned long long)cum);
				strbuf_free(&le);
			}
			metrics_name(out, f->name, "_bucket", s->labels, "le=\"+Inf\"");
			strbuf_printf(out, "%llu\n", (unsigned long long)s->count);
			metrics_name(out, f->name, "_sum", s->labels, NULL);
			metrics_number(out, s->sum);
			strbuf_putc(out, '\n');
			metrics_name(out, f->name, "_count", s->labels, NULL);
			strbuf_printf(out, "%llu\n", (unsigned long long)s->count);
		}
	}
}
