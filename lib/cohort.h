/*
 * cohort.h - the people of one programme in memory: skill areas, mentees
 * with goals, mentors with strengths and capacity, and the pairs that must
 * never be proposed.
 *
 * A cohort is built with the cohort_add_* calls (by the database loader,
 * the synthetic benchmark generator or a test), then sealed with
 * cohort_finish(); after that it is read-only and may be shared between
 * threads. Indices are dense and 0-based; mentees and mentors should be
 * added in id order, because index order is the deterministic tie-break
 * everywhere downstream. Strings are copied in.
 */
#ifndef SPARKMATCH_COHORT_H
#define SPARKMATCH_COHORT_H

#include <stdbool.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

enum cohort_family {
	COHORT_FAMILY_LEADERSHIP = 0,
	COHORT_FAMILY_MANAGEMENT,
	COHORT_FAMILY_SUPPORT,
};

/* Why a pair is blocked regardless of score. */
enum cohort_block {
	COHORT_BLOCK_EXCLUDED = 1,	/* an admin exclusion */
	COHORT_BLOCK_DECLINED,		/* proposed before and declined by either side */
	COHORT_BLOCK_REJECTED,		/* proposed before and rejected by an admin */
};

/* One goal (mentee) or strength (mentor). */
struct cohort_item {
	uint16_t skill;		/* index into the cohort's skills */
	uint8_t value;		/* goal priority or strength level, 1..5 */
	bool support;		/* from the "support" list rather than goals/strengths */
};

struct cohort_person {
	int64_t id;		/* database id (or any stable id for synthetic cohorts) */
	char *external_id;
	char *name;
	char *email;
	char *timezone;
	int32_t tz_offset_min;	/* UTC offset now, in minutes */
	uint32_t org;		/* organisation index; 0 = none given */
	uint32_t lang_first;	/* into the cohort's person-language list */
	uint16_t lang_count;
	uint32_t item_first;	/* into the role's items, after cohort_finish() */
	uint32_t item_count;
	uint32_t capacity;	/* mentors: total capacity */
	uint32_t used;		/* mentors: live proposals and matches already held */
	char *status;
};

struct cohort;

struct cohort *cohort_new(void);
void cohort_free(struct cohort *c);

/* Add a skill area; returns its index. Codes must be unique. */
uint32_t cohort_add_skill(struct cohort *c, const char *code, enum cohort_family family,
    const char *name, const char *try_first);

/*
 * Add a person. langs holds nlangs language codes; org may be "" or NULL.
 * Returns the new index within its role.
 */
uint32_t cohort_add_mentee(struct cohort *c, int64_t id, const char *external_id,
    const char *name, const char *email, const char *timezone, int32_t tz_offset_min,
    const char *const *langs, int nlangs, const char *org, const char *status);
uint32_t cohort_add_mentor(struct cohort *c, int64_t id, const char *external_id,
    const char *name, const char *email, const char *timezone, int32_t tz_offset_min,
    const char *const *langs, int nlangs, const char *org, const char *status,
    uint32_t capacity, uint32_t used);

/* Add a goal to a mentee / a strength to a mentor (value 1..5). */
void cohort_add_goal(struct cohort *c, uint32_t mentee, uint32_t skill, int priority, bool support);
void cohort_add_strength(struct cohort *c, uint32_t mentor, uint32_t skill, int level, bool support);
/* Block a pair; the strongest reason is kept if a pair is blocked twice. */
void cohort_add_block(struct cohort *c, uint32_t mentee, uint32_t mentor, enum cohort_block why);

/* Seal: sort items and blocks into per-person ranges; checks values. */
int cohort_finish(struct cohort *c, struct err *err) MUSTCHECK;

/* Read access (after cohort_finish). */
uint32_t cohort_skill_count(const struct cohort *c);
const char *cohort_skill_code(const struct cohort *c, uint32_t skill);
const char *cohort_skill_name(const struct cohort *c, uint32_t skill);
const char *cohort_skill_try_first(const struct cohort *c, uint32_t skill);
enum cohort_family cohort_skill_family(const struct cohort *c, uint32_t skill);
/* Index of a skill code, or -1. */
int cohort_skill_find(const struct cohort *c, const char *code);
const char *cohort_family_name(enum cohort_family f);

uint32_t cohort_mentee_count(const struct cohort *c);
uint32_t cohort_mentor_count(const struct cohort *c);
const struct cohort_person *cohort_mentee(const struct cohort *c, uint32_t i);
const struct cohort_person *cohort_mentor(const struct cohort *c, uint32_t j);
/* The goals of mentee i / strengths of mentor j, sorted by skill index. */
const struct cohort_item *cohort_mentee_items(const struct cohort *c, uint32_t i);
const struct cohort_item *cohort_mentor_items(const struct cohort *c, uint32_t j);
/* Index of the mentee / mentor with database id, or -1. */
int64_t cohort_mentee_find(const struct cohort *c, int64_t id);
int64_t cohort_mentor_find(const struct cohort *c, int64_t id);

/* Languages: the cohort's distinct codes, and each person's indices into them. */
uint32_t cohort_language_count(const struct cohort *c);
const char *cohort_language(const struct cohort *c, uint32_t lang);
const uint16_t *cohort_person_languages(const struct cohort *c, const struct cohort_person *p);
const char *cohort_org_name(const struct cohort *c, uint32_t org);

/* Blocked mentors of mentee i, sorted ascending, with the reasons alongside. */
uint32_t cohort_blocks(const struct cohort *c, uint32_t mentee, const uint32_t **mentors,
    const uint8_t **why);
/* The reason mentee i and mentor j are blocked, or 0. */
enum cohort_block cohort_block_of(const struct cohort *c, uint32_t mentee, uint32_t mentor);

#endif
