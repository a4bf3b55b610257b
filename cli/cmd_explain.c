/*
 * cmd_explain.c - `sparkmatch explain MENTEE MENTOR`: why this pair scores
 * what it does, skill by skill, and whether any rule keeps them apart.
 * MENTEE and MENTOR are external ids (or database ids).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clictx.h"
#include "cmd.h"
#include "cohortdb.h"
#include "score.h"
#include "strbuf.h"

/* Index of a person by external id, else by database id; -1 if neither. */
static int64_t
explain_find(const struct cohort *c, bool mentee, const char *key)
{
	uint32_t n = mentee ? cohort_mentee_count(c) : cohort_mentor_count(c);
	char *end;
	long long id;

	for (uint32_t i = 0; i < n; i++) {
		const struct cohort_person *p = mentee ? cohort_mentee(c, i) : cohort_mentor(c, i);

		if (strcmp(p->external_id, key) == 0)
			return i;
	}
	id = strtoll(key, &end, 10);
	if (*end != '\0' || id <= 0)
		return -1;
	return mentee ? cohort_mentee_find(c, id) : cohort_mentor_find(c, id);
}

int
cmd_explain(int argc, char **argv)
{
	const struct conf *conf;
	struct score_params sp;
	struct score_explain e;
	struct strbuf sb = STRBUF_INIT;
	struct cohort *c;
	struct scorer *s;
	struct err err;
	int64_t i, j;
	PGconn *conn;

	if (argc != 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: sparkmatch explain MENTEE MENTOR   (external ids or database ids)\n");
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	conf = clictx_conf();
	conn = clictx_db();
	if (conf == NULL || conn == NULL)
		return 1;
	c = cohortdb_load(conn, COHORTDB_ALL, &err);
	if (c == NULL) {
		fprintf(stderr, "sparkmatch explain: %s\n", err.msg);
		return 1;
	}
	i = explain_find(c, true, argv[1]);
	j = explain_find(c, false, argv[2]);
	if (i < 0 || j < 0) {
		fprintf(stderr, "sparkmatch explain: no %s '%s'\n", i < 0 ? "mentee" : "mentor",
		    i < 0 ? argv[1] : argv[2]);
		cohort_free(c);
		return 1;
	}
	score_params_from_conf(&sp, conf);
	s = scorer_new(c, &sp);
	scorer_explain(s, (uint32_t)i, (uint32_t)j, &e);
	printf("%s (%s) and %s (%s)\n", cohort_mentee(c, (uint32_t)i)->name,
	    cohort_mentee(c, (uint32_t)i)->external_id, cohort_mentor(c, (uint32_t)j)->name,
	    cohort_mentor(c, (uint32_t)j)->external_id);
	score_explain_text(s, &e, true, "  ", &sb);
	printf("%s\n", strbuf_str(&sb));
	if (cohort_mentor(c, (uint32_t)j)->used >= cohort_mentor(c, (uint32_t)j)->capacity)
		printf("  note: the mentor has no free capacity (%u of %u used)\n",
		    cohort_mentor(c, (uint32_t)j)->used, cohort_mentor(c, (uint32_t)j)->capacity);
	strbuf_free(&sb);
	score_explain_release(&e);
	scorer_free(s);
	cohort_free(c);
	return 0;
}
