/*
 * json.h - strict JSON input on top of cJSON.
 *
 * Input from outside is refused unless it is valid UTF-8 without NUL bytes,
 * one JSON value with nothing after it, and free of duplicate object keys
 * (cJSON alone would silently keep the first). The getters check type and
 * range and name the field in the error ("goals[2].priority: must be an
 * integer from 1 to 5"). Field paths are built from a prefix ("" at the top
 * level, "goals[2]" inside an array element).
 */
#ifndef SPARKMATCH_JSON_H
#define SPARKMATCH_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

/* Is s[0..len) valid UTF-8 (no overlongs, no surrogates, no NUL)? */
bool json_utf8_valid(const char *s, size_t len);

/*
 * Parse len bytes strictly. Returns the tree (free with cJSON_Delete) or
 * NULL with err filled (kind invalid, field "body", message with line:column).
 */
cJSON *json_parse_strict(const char *text, size_t len, struct err *err) MUSTCHECK;

/* Parse and require an object at the top level. */
cJSON *json_parse_object(const char *text, size_t len, struct err *err) MUSTCHECK;

/* Refuse any member of obj not named in allowed (NULL-terminated). */
int json_only_fields(const cJSON *obj, const char *prefix, const char *const *allowed,
    struct err *err) MUSTCHECK;

/*
 * Typed getters. A missing or null member is an error when required, else
 * leaves *out untouched and returns 0. Strings must be 1..maxlen bytes
 * (0..maxlen when allow_empty) and free of control characters.
 */
int json_get_string(const cJSON *obj, const char *prefix, const char *key, bool required,
    bool allow_empty, size_t maxlen, const char **out, struct err *err) MUSTCHECK;
int json_get_int(const cJSON *obj, const char *prefix, const char *key, bool required,
    int64_t min, int64_t max, int64_t *out, struct err *err) MUSTCHECK;
int json_get_bool(const cJSON *obj, const char *prefix, const char *key, bool required,
    bool *out, struct err *err) MUSTCHECK;
/* An array member with at most maxitems elements (*out NULL when absent and optional). */
int json_get_array(const cJSON *obj, const char *prefix, const char *key, bool required,
    int maxitems, const cJSON **out, struct err *err) MUSTCHECK;

/* The path of a member: "key" or "prefix.key" (static per-thread buffer). */
const char *json_path(const char *prefix, const char *key);
/* The path of an array element: "prefix[i]" (static per-thread buffer, distinct from json_path's). */
const char *json_index_path(const char *prefix, int i);

#endif
