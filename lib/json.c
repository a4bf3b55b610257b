/* json.c - strict parsing and checked getters for outside JSON. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

bool
json_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;

	while (s < end) {
		unsigned char c = *s;
		uint32_t cp;
		int n;

		if (c == 0)
			return false;
		if (c < 0x80) {
			s++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (end - s <= n)
			return false;
		for (int k = 1; k <= n; k++) {
			if ((s[k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += n + 1;
	}
	return true;
}

/* Line and column (1-based) of byte offset off in text. */
static void
json_position(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

/* Duplicate keys anywhere, and decoded strings that are not clean UTF-8. */
static int
json_check_tree(const cJSON *node, int depth, struct err *err)
{
	if (depth > 64)
		return err_field(err, "body", "nested too deeply (more than 64 levels)");
	if (cJSON_IsString(node) &&
	    !json_utf8_valid(node->valuestring, strlen(node->valuestring)))
		return err_field(err, "body", "a string is not valid UTF-8");
	for (const cJSON *a = node->child; a != NULL; a = a->next) {
		if (cJSON_IsObject(node)) {
			if (!json_utf8_valid(a->string, strlen(a->string)))
				return err_field(err, "body", "a key is not valid UTF-8");
			for (const cJSON *b = a->next; b != NULL; b = b->next) {
				if (strcmp(a->string, b->string) == 0)
					return err_field(err, a->string, "appears more than once");
			}
		}
		if (json_check_tree(a, depth + 1, err) < 0)
			return -1;
	}
	return 0;
}

cJSON *
json_parse_strict(const char *text, size_t len, struct err *err)
{
	const char *end = NULL;
	cJSON *root;
	int line, col;

	if (len == 0)
		return err_field(err, "body", "is empty"), NULL;
	if (!json_utf8_valid(text, len))
		return err_field(err, "body", "is not valid UTF-8 (or contains a NUL byte)"), NULL;
	/* \u0000 would silently cut a string short inside cJSON. */
	for (size_t i = 0; i + 6 <= len; i++) {
		if (text[i] == '\\' && text[i + 1] == 'u' && memcmp(text + i + 2, "0000", 4) == 0)
			return err_field(err, "body", "contains an escaped NUL character"), NULL;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (root == NULL) {
		size_t off = end != NULL && end >= text && end <= text + len ? (size_t)(end - text) : 0;

		json_position(text, off, &line, &col);
		return err_field(err, "body", "is not valid JSON (near line %d, column %d)", line, col), NULL;
	}
	while (end != NULL && end < text + len && strchr(" \t\r\n", *end) != NULL)
		end++;
	if (end != NULL && end < text + len) {
		json_position(text, (size_t)(end - text), &line, &col);
		cJSON_Delete(root);
		return err_field(err, "body", "has extra data after the JSON value (line %d, column %d)",
		    line, col), NULL;
	}
	if (json_check_tree(root, 0, err) < 0) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

cJSON *
json_parse_object(const char *text, size_t len, struct err *err)
{
	cJSON *root = json_parse_strict(text, len, err);

	if (root != NULL && !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return err_field(err, "body", "must be a JSON object"), NULL;
	}
	return root;
}

const char *
json_path(const char *prefix, const char *key)
{
	static _Thread_local char buf[ERR_FIELD_MAX];

	if (prefix == NULL || prefix[0] == '\0')
		snprintf(buf, sizeof buf, "%s", key);
	else
		snprintf(buf, sizeof buf, "%s.%s", prefix, key);
	return buf;
}

const char *
json_index_path(const char *prefix, int i)
{
	static _Thread_local char buf[ERR_FIELD_MAX];

	snprintf(buf, sizeof buf, "%s[%d]", prefix, i);
	return buf;
}

int
json_only_fields(const cJSON *obj, const char *prefix, const char *const *allowed, struct err *err)
{
	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		bool ok = false;

		for (const char *const *a = allowed; *a != NULL; a++) {
			if (strcmp(*a, m->string) == 0) {
				ok = true;
				break;
			}
		}
		if (!ok)
			return err_field(err, json_path(prefix, m->string), "is not a known field");
	}
	return 0;
}

/* The member, or NULL when absent or null; an error when required and missing. */
static const cJSON *
json_member(const cJSON *obj, const char *prefix, const char *key, bool required, int *rc,
    struct err *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);

	*rc = 0;
	if (m == NULL || cJSON_IsNull(m)) {
		if (required)
			*rc = err_field(err, json_path(prefix, key), "is required");
		return NULL;
	}
	return m;
}

int
json_get_string(const cJSON *obj, const char *prefix, const char *key, bool required,
    bool allow_empty, size_t maxlen, const char **out, struct err *err)
{
	int rc;
	const cJSON *m = json_member(obj, prefix, key, required, &rc, err);
	size_t len;

	if (m == NULL)
		return rc;
	if (!cJSON_IsString(m))
		return err_field(err, json_path(prefix, key), "must be a string");
	len = strlen(m->valuestring);
	if (len == 0 && !allow_empty)
		return err_field(err, json_path(prefix, key), "must not be empty");
	if (len > maxlen)
		return err_field(err, json_path(prefix, key), "is longer than %zu bytes", maxlen);
	for (const unsigned char *p = (const unsigned char *)m->valuestring; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			return err_field(err, json_path(prefix, key), "contains a control character");
	}
	*out = m->valuestring;
	return 0;
}

int
json_get_int(const cJSON *obj, const char *prefix, const char *key, bool required, int64_t min,
    int64_t max, int64_t *out, struct err *err)
{
	int rc;
	const cJSON *m = json_member(obj, prefix, key, required, &rc, err);
	double d;

	if (m == NULL)
		return rc;
	d = m->valuedouble;
	if (!cJSON_IsNumber(m) || !isfinite(d) || floor(d) != d || d < (double)min || d > (double)max)
		return err_field(err, json_path(prefix, key), "must be an integer from %lld to %lld",
		    (long long)min, (long long)max);
	*out = (int64_t)d;
	return 0;
}

int
json_get_bool(const cJSON *obj, const char *prefix, const char *key, bool required, bool *out,
    struct err *err)
{
	int rc;
	const cJSON *m = json_member(obj, prefix, key, required, &rc, err);

	if (m == NULL)
		return rc;
	if (!cJSON_IsBool(m))
		return err_field(err, json_path(prefix, key), "must be true or false");
	*out = cJSON_IsTrue(m);
	return 0;
}

int
json_get_array(const cJSON *obj, const char *prefix, const char *key, bool required, int maxitems,
    const cJSON **out, struct err *err)
{
	int rc;
	const cJSON *m = json_member(obj, prefix, key, required, &rc, err);

	*out = NULL;
	if (m == NULL)
		return rc;
	if (!cJSON_IsArray(m))
		return err_field(err, json_path(prefix, key), "must be an array");
	if (cJSON_GetArraySize(m) > maxitems)
		return err_field(err, json_path(prefix, key), "has more than %d items", maxitems);
	*out = m;
	return 0;
}
