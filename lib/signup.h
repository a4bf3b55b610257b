/*
 * signup.h - one person signing up, validated and normalised.
 *
 * The sign-up hook's body (PRODUCT.md) and a CSV row both become a struct
 * signup through this one validator, then the canonical JSON given to the
 * database's signup_apply(). Validation here covers shape, types, ranges
 * and formats, naming the field; whether a skill code or time zone exists is
 * the database's call (it knows the current taxonomy), reported the same way.
 *
 *   mentee: role, external_id, name, email, timezone, languages, organisation?,
 *           goals [{skill, priority 1..5}] (1..30), support? [codes]
 *   mentor: role, external_id, name, email, timezone, languages, organisation?,
 *           strengths [{skill, level 1..5}] (1..30), capacity? (0..100, default 1),
 *           support? [codes]
 */
#ifndef SPARKMATCH_SIGNUP_H
#define SPARKMATCH_SIGNUP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "attrs.h"
#include "err.h"

#define SIGNUP_MAX_ITEMS 30
#define SIGNUP_MAX_LANGUAGES 20
#define SIGNUP_MAX_SUPPORT 10

enum signup_role {
	SIGNUP_MENTEE = 0,
	SIGNUP_MENTOR,
};

struct signup_item {
	char skill[41];
	int value;		/* priority (mentee) or level (mentor) */
};

struct signup {
	enum signup_role role;
	char *external_id;
	char *name;
	char *email;
	char *timezone;
	char *organisation;
	char *languages[SIGNUP_MAX_LANGUAGES];
	int nlanguages;
	struct signup_item items[SIGNUP_MAX_ITEMS];	/* goals or strengths */
	int nitems;
	char support[SIGNUP_MAX_SUPPORT][41];
	int nsupport;
	int capacity;
};

/* Validate a sign-up held in a parsed JSON object. Release with signup_release(). */
int signup_from_json(const cJSON *obj, struct signup *out, struct err *err) MUSTCHECK;

/* Parse (strictly) and validate a raw request body. */
int signup_parse(const char *body, size_t len, struct signup *out, struct err *err) MUSTCHECK;

/*
 * Turn one CSV row into a sign-up body. header names the columns
 * (external_id, name, email, timezone, languages, organisation, goals or
 * strengths, capacity, support); lists are separated by ';' and items are
 * "skill:value". role is "mentee" or "mentor". Returns a new JSON object
 * (cJSON_Delete) or NULL with err naming the column.
 */
cJSON *signup_csv_row(const char *const *header, const char *const *fields, int n,
    const char *role, struct err *err) MUSTCHECK;

/* The canonical JSON for signup_apply() (caller frees). */
char *signup_canonical(const struct signup *s);

const char *signup_role_name(enum signup_role r);
void signup_release(struct signup *s);

#endif
