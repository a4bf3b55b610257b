/*
 * cmd_candidates.c - `sparkmatch candidates [--top N] [--all] [--mentee EXTERNAL_ID]`
 *
 * The best-scoring eligible mentors for each waiting mentee, with the
 * reasons: a preview of what matching will weigh, before any run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clictx.h"
#include "cmd.h"
#include "cohortdb.h"
#include "db.h"
#include "score.h"
#include "strbuf.h"
#include "xmalloc.h"

struct cand {
	uint32_t mentor;
	int32_t score;
};

/* Score descending, then mentor index: the global tie order. */
static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->mentor > y->mentor) - (x->mentor < y->mentor);
}

static void
candidates_person(const struct cohort *c, uint32_t i, struct strbuf *sb)
{
	const struct cohort_person *e = cohort_mentee(c, i);
	const struct cohort_item *it = cohort_mentee_items(c, i);
	const uint16_t *langs = cohort_person_languages(c, e);

	strbuf_printf(sb, "%s (%s), %s, speaks", e->name, e->external_id, e->timezone);
	for (uint32_t l = 0; l < e->lang_count; l++)
		strbuf_printf(sb, "%s%s", l ? ", " : " ", cohort_language(c, langs[l]));
	if (e->org != 0)
		strbuf_printf(sb, ", %s", cohort_org_name(c, e->org));
	strbuf_puts(sb, "\n  wants:");
	for (uint32_t k = 0; k < e->item_count; k++) {
		if (it[k].support)
			strbuf_printf(sb, " %s (support)", cohort_skill_code(c, it[k].skill));
		else
			strbuf_printf(sb, " %s %u", cohort_skill_code(c, it[k].skill), it[k].value);
	}
	strbuf_putc(sb, '\n');
}

int
cmd_candidates(int argc, char **argv)
{
	const char *only = NULL;
	long top = 3;
	int all = 0, rc = 1, shown = 0;
	const struct conf *conf;
	struct score_params sp;
	struct cohort *c = NULL;
	struct scorer *sc = NULL;
	struct strbuf sb = STRBUF_INIT;
	int32_t *row = NULL;
	struct cand *cands = NULL;
	struct err err;
	PGconn *conn;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--top") == 0 && i + 1 < argc) {
			char *end;

			top = strtol(argv[++i], &end, 10);
			if (*end != '\0' || top < 1 || top > 1000) {
				fprintf(stderr, "sparkmatch candidates: --top takes a number from 1 to 1000\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--all") == 0) {
			all = 1;
		} else if (strcmp(argv[i], "--mentee") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: sparkmatch candidates [--top N] [--all] [--mentee EXTERNAL_ID]\n");
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	conf = clictx_conf();
	conn = clictx_db();
	if (conf == NULL || conn == NULL)
		return 1;
	c = cohortdb_load(conn, all || only ? COHORTDB_ALL : COHORTDB_WAITING, &err);
	if (c == NULL) {
		fprintf(stderr, "sparkmatch candidates: %s\n", err.msg);
		return 1;
	}
	score_params_from_conf(&sp, conf);
	sc = scorer_new(c, &sp);
	row = xcalloc(cohort_mentor_count(c) + 1, sizeof *row);
	cands = xcalloc(cohort_mentor_count(c) + 1, sizeof *cands);
	for (uint32_t i = 0; i < cohort_mentee_count(c); i++) {
		uint32_t n = 0;

		if (only != NULL && strcmp(cohort_mentee(c, i)->external_id, only) != 0)
			continue;
		scorer_row(sc, i, row);
		for (uint32_t j = 0; j < cohort_mentor_count(c); j++) {
			/* A full mentor can take nobody new; say so rather than list it. */
			if (row[j] > 0 && cohort_mentor(c, j)->used < cohort_mentor(c, j)->capacity) {
				cands[n].mentor = j;
				cands[n].score = row[j];
				n++;
			}
		}
		qsort(cands, n, sizeof *cands, cand_cmp);
		strbuf_reset(&sb);
		candidates_person(c, i, &sb);
		if (n == 0)
			strbuf_puts(&sb, "  no eligible mentor (no shared language, rules, or scores below the minimum)\n");
		for (uint32_t k = 0; k < n && k < (uint32_t)top; k++) {
			struct score_explain ex;
			const struct cohort_person *m = cohort_mentor(c, cands[k].mentor);

			scorer_explain(sc, i, cands[k].mentor, &ex);
			strbuf_printf(&sb, "  %u. %4d  %s (%s)\n         ", k + 1, cands[k].score, m->name,
			    m->external_id);
			score_explain_text(sc, &ex, false, "", &sb);
			strbuf_putc(&sb, '\n');
			score_explain_release(&ex);
		}
		printf("%s\n", strbuf_str(&sb));
		shown++;
	}
	if (only != NULL && shown == 0) {
		fprintf(stderr, "sparkmatch candidates: no mentee with external id %s\n", only);
		goto done;
	}
	if (shown == 0)
		printf("nobody is waiting for a mentor\n");
	rc = 0;
done:
	free(row);
	free(cands);
	strbuf_free(&sb);
	scorer_free(sc);
	cohort_free(c);
	return rc;
}
