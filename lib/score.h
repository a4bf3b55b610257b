/*
 * score.h - how well a mentor fits a mentee, as an integer with its reasons.
 *
 * For each mentee goal (skill s, priority p), the mentor's level l in s
 * (0 when absent) earns c_s * l points, where c_s = floor(p * coverage /
 * (5 * P)) and P is the sum of the mentee's priorities: a mentor at level 5
 * in every goal earns (almost exactly) `coverage` points, and each goal
 * counts in proportion to its priority. Kinds of support asked for and
 * offered count as goals at score.support_priority and strengths at
 * score.support_level.
 *
 * score = coverage points
 *       + both_families_bonus   if the mentor is strong (level >= strong_level)
 *                               in a leadership AND a management skill
 *       - tz_penalty_per_hour * (timezone distance - tz_free_hours), in whole
 *                               minutes, floored, never negative
 *
 * Hard rules make a pair ineligible whatever its score: no shared language,
 * the same organisation (when match.same_organisation = forbid), an admin
 * exclusion, a previous proposal of the pair declined or rejected, a mentee
 * with no goals. Pairs scoring below match.min_score are not candidates.
 *
 * Everything is integer arithmetic, so a score is the same on every machine,
 * and scorer_row() (the fast path used for matching) agrees exactly with
 * scorer_explain() (the breakdown shown to admins).
 */
#ifndef SPARKMATCH_SCORE_H
#define SPARKMATCH_SCORE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "cohort.h"
#include "conf.h"
#include "strbuf.h"

struct score_params {
	int32_t coverage;
	int32_t both_families_bonus;
	int32_t strong_level;
	int32_t tz_free_hours;
	int32_t tz_penalty_per_hour;
	int32_t support_priority;
	int32_t support_level;
	int32_t min_score;		/* >= 1 */
	bool forbid_same_organisation;
};

/* Why a pair is or is not a candidate. */
enum score_verdict {
	SCORE_OK = 0,
	SCORE_NO_GOALS,
	SCORE_NO_LANGUAGE,
	SCORE_SAME_ORGANISATION,
	SCORE_EXCLUDED,
	SCORE_DECLINED,
	SCORE_REJECTED,
	SCORE_BELOW_MINIMUM,
};

/* One mentee goal and what the mentor brings to it. */
struct score_line {
	uint32_t skill;
	int32_t priority;	/* the mentee's (support_priority for support) */
	int32_t level;		/* the mentor's, 0 if absent */
	int32_t points;		/* coefficient * level */
	int32_t max_points;	/* coefficient * 5 */
	bool support;		/* the goal comes from the mentee's support list */
};

struct score_explain {
	uint32_t mentee, mentor;
	enum score_verdict verdict;
	int32_t score;		/* coverage + bonus - tz_penalty */
	int32_t coverage;
	int32_t bonus;
	int32_t tz_penalty;
	int32_t tz_distance_min;
	uint32_t nlines;
	struct score_line *lines;	/* by points desc, then skill index */
	uint32_t nshared;
	uint16_t *shared_langs;		/* language indices both speak */
};

struct scorer;

/* The parameters configured in c. */
void score_params_from_conf(struct score_params *p, const struct conf *c);

/*
 * Build the dense scoring tables for a sealed cohort. The cohort must
 * outlive the scorer. The scorer is read-only and thread-safe afterwards.
 */
struct scorer *scorer_new(const struct cohort *c, const struct score_params *p);
void scorer_free(struct scorer *s);
const struct cohort *scorer_cohort(const struct scorer *s);
const struct score_params *scorer_params(const struct scorer *s);

/*
 * Scores of mentee i against every mentor: out[j] >= min_score for a
 * candidate pair, 0 when a hard rule forbids the pair or it scores below the
 * minimum. out has room for cohort_mentor_count() entries. Thread-safe.
 */
void scorer_row(const struct scorer *s, uint32_t mentee, int32_t *out);

/* The score of one pair (even below the minimum) and its verdict. */
int32_t scorer_pair(const struct scorer *s, uint32_t mentee, uint32_t mentor,
    enum score_verdict *verdict);

/* The full breakdown of one pair; release with score_explain_release(). */
void scorer_explain(const struct scorer *s, uint32_t mentee, uint32_t mentor,
    struct score_explain *out);
void score_explain_release(struct score_explain *e);

/* The breakdown as JSON (the form stored with proposals and served by the API). */
cJSON *score_explain_json(const struct scorer *s, const struct score_explain *e);

/*
 * The breakdown as text for people. One line ("vision 4/5 +320 of 400,
 * ... both families +100, 5h apart -40") when multiline is false; else one
 * line per item, each starting with indent.
 */
void score_explain_text(const struct scorer *s, const struct score_explain *e, bool multiline,
    const char *indent, struct strbuf *out);

/* "no shared language", ... ; "eligible" for SCORE_OK. */
const char *score_verdict_text(enum score_verdict v);
/* "no-language", ... ; stable machine-readable codes. */
const char *score_verdict_code(enum score_verdict v);

#endif
