/* signup.c - validating and normalising sign-ups. */
#include "signup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "xmalloc.h"

static const char *const signup_mentee_fields[] = {
	"role", "external_id", "name", "email", "timezone", "languages", "organisation",
	"goals", "support", NULL
};
static const char *const signup_mentor_fields[] = {
	"role", "external_id", "name", "email", "timezone", "languages", "organisation",
	"strengths", "capacity", "support", NULL
};

const char *
signup_role_name(enum signup_role r)
{
	return r == SIGNUP_MENTOR ? "mentor" : "mentee";
}

void
signup_release(struct signup *s)
{
	if (s == NULL)
		return;
	free(s->external_id);
	free(s->name);
	free(s->email);
	free(s->timezone);
	free(s->organisation);
	for (int i = 0; i < s->nlanguages; i++)
		free(s->languages[i]);
	memset(s, 0, sizeof *s);
}

/* Copy with leading and trailing white space removed. */
static char *
signup_trimmed(const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

static int
signup_text(const cJSON *obj, const char *key, bool required, size_t maxlen, char **out,
    struct err *err)
{
	const char *v = NULL;

	if (json_get_string(obj, "", key, required, !required, maxlen, &v, err) < 0)
		return -1;
	*out = signup_trimmed(v ? v : "");
	if (required && (*out)[0] == '\0')
		return err_field(err, key, "must not be blank");
	return 0;
}

/* local@domain.tld, no white space, one @, a dot in the domain. */
static bool
signup_email_ok(const char *e)
{
	const char *at = strchr(e, '@'), *dot;

	if (at == NULL || at == e || strchr(at + 1, '@') != NULL)
		return false;
	for (const char *p = e; *p; p++) {
		if (isspace((unsigned char)*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>')
			return false;
	}
	dot = strrchr(at, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

/* Region/City_Name style IANA names (or UTC); existence is checked by the database. */
static bool
signup_timezone_ok(const char *tz)
{
	if (tz[0] == '\0' || tz[0] == '/')
		return false;
	for (const char *p = tz; *p; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return false;
	}
	return true;
}

static bool
signup_code_ok(const char *c)
{
	size_t n = strlen(c);

	if (n == 0 || n > 40 || !islower((unsigned char)c[0]) || c[n - 1] == '-')
		return false;
	for (const char *p = c; *p; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return false;
		if (p[0] == '-' && p[1] == '-')
			return false;
	}
	return true;
}

static int
signup_languages(const cJSON *obj, struct signup *s, struct err *err)
{
	const cJSON *arr, *el;
	int i = 0;

	if (json_get_array(obj, "", "languages", true, SIGNUP_MAX_LANGUAGES, &arr, err) < 0)
		return -1;
	if (cJSON_GetArraySize(arr) == 0)
		return err_field(err, "languages", "must name at least one language (ISO 639 code, e.g. \"en\")");
	cJSON_ArrayForEach(el, arr) {
		char code[8];
		size_t n;

		if (!cJSON_IsString(el))
			return err_field(err, json_index_path("languages", i), "must be a string");
		n = strlen(el->valuestring);
		if (n < 2 || n > 3)
			return err_field(err, json_index_path("languages", i),
			    "must be an ISO 639 language code such as \"en\" or \"pt\"");
		for (size_t k = 0; k <= n; k++)
			code[k] = (char)tolower((unsigned char)el->valuestring[k]);
		for (size_t k = 0; k < n; k++) {
			if (!islower((unsigned char)code[k]))
				return err_field(err, json_index_path("languages", i),
				    "must be an ISO 639 language code such as \"en\" or \"pt\"");
		}
		for (int k = 0; k < s->nlanguages; k++) {
			if (strcmp(s->languages[k], code) == 0)
				return err_field(err, json_index_path("languages", i), "\"%s\" is listed twice", code);
		}
		s->languages[s->nlanguages++] = xstrdup(code);
		i++;
	}
	return 0;
}

static int
signup_items(const cJSON *obj, struct signup *s, struct err *err)
{
	const char *list = s->role == SIGNUP_MENTEE ? "goals" : "strengths";
	const char *valkey = s->role == SIGNUP_MENTEE ? "priority" : "level";
	const char *const allowed[] = { "skill", valkey, NULL };
	const cJSON *arr, *el;
	int i = 0;

	if (json_get_array(obj, "", list, true, SIGNUP_MAX_ITEMS, &arr, err) < 0)
		return -1;
	if (cJSON_GetArraySize(arr) == 0)
		return err_field(err, list, "must name at least one skill area");
	cJSON_ArrayForEach(el, arr) {
		char path[ERR_FIELD_MAX];
		const char *skill = NULL;
		int64_t v = 0;

		snprintf(path, sizeof path, "%s", json_index_path(list, i));
		if (!cJSON_IsObject(el))
			return err_field(err, path, "must be an object like {\"skill\": \"vision\", \"%s\": 3}", valkey);
		if (json_only_fields(el, path, allowed, err) < 0 ||
		    json_get_string(el, path, "skill", true, false, 40, &skill, err) < 0 ||
		    json_get_int(el, path, valkey, true, 1, 5, &v, err) < 0)
			return -1;
		if (!signup_code_ok(skill))
			return err_field(err, json_path(path, "skill"), "\"%s\" is not a skill code", skill);
		for (int k = 0; k < s->nitems; k++) {
			if (strcmp(s->items[k].skill, skill) == 0)
				return err_field(err, json_path(path, "skill"), "\"%s\" is listed twice", skill);
		}
		snprintf(s->items[s->nitems].skill, sizeof s->items[0].skill, "%s", skill);
		s->items[s->nitems].value = (int)v;
		s->nitems++;
		i++;
	}
	return 0;
}

static int
signup_support(const cJSON *obj, struct signup *s, struct err *err)
{
	const cJSON *arr, *el;
	int i = 0;

	if (json_get_array(obj, "", "support", false, SIGNUP_MAX_SUPPORT, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	cJSON_ArrayForEach(el, arr) {
		const char *path = json_index_path("support", i);

		if (!cJSON_IsString(el) || !signup_code_ok(el->valuestring))
			return err_field(err, path, "must be a support code such as \"career-advice\"");
		for (int k = 0; k < s->nsupport; k++) {
			if (strcmp(s->support[k], el->valuestring) == 0)
				return err_field(err, path, "\"%s\" is listed twice", el->valuestring);
		}
		for (int k = 0; k < s->nitems; k++) {
			if (strcmp(s->items[k].skill, el->valuestring) == 0)
				return err_field(err, path, "\"%s\" is already among the %s", el->valuestring,
				    s->role == SIGNUP_MENTEE ? "goals" : "strengths");
		}
		snprintf(s->support[s->nsupport++], sizeof s->support[0], "%s", el->valuestring);
		i++;
	}
	return 0;
}

int
signup_from_json(const cJSON *obj, struct signup *s, struct err *err)
{
	const char *role = NULL;
	int64_t cap = 1;

	memset(s, 0, sizeof *s);
	if (!cJSON_IsObject(obj))
		return err_field(err, "body", "must be a JSON object");
	if (json_get_string(obj, "", "role", true, false, 10, &role, err) < 0)
		return -1;
	if (strcmp(role, "mentee") == 0)
		s->role = SIGNUP_MENTEE;
	else if (strcmp(role, "mentor") == 0)
		s->role = SIGNUP_MENTOR;
	else
		return err_field(err, "role", "must be \"mentee\" or \"mentor\"");
	if (json_only_fields(obj, "", s->role == SIGNUP_MENTEE ? signup_mentee_fields :
	    signup_mentor_fields, err) < 0)
		goto failed;
	if (signup_text(obj, "external_id", true, 200, &s->external_id, err) < 0 ||
	    signup_text(obj, "name", true, 200, &s->name, err) < 0 ||
	    signup_text(obj, "email", true, 254, &s->email, err) < 0 ||
	    signup_text(obj, "timezone", true, 64, &s->timezone, err) < 0 ||
	    signup_text(obj, "organisation", false, 200, &s->organisation, err) < 0)
		goto failed;
	if (!signup_email_ok(s->email)) {
		err_field(err, "email", "\"%s\" is not an e-mail address", s->email);
		goto failed;
	}
	if (!signup_timezone_ok(s->timezone)) {
		err_field(err, "timezone", "must be an IANA time zone name such as \"Europe/London\"");
		goto failed;
	}
	if (signup_languages(obj, s, err) < 0 || signup_items(obj, s, err) < 0 ||
	    signup_support(obj, s, err) < 0)
		goto failed;
	if (s->role == SIGNUP_MENTOR &&
	    json_get_int(obj, "", "capacity", false, 0, 100, &cap, err) < 0)
		goto failed;
	s->capacity = (int)cap;
	return 0;
failed:
	signup_release(s);
	return -1;
}

int
signup_parse(const char *body, size_t len, struct signup *out, struct err *err)
{
	cJSON *root = json_parse_object(body, len, err);
	int rc;

	memset(out, 0, sizeof *out);
	if (root == NULL)
		return -1;
	rc = signup_from_json(root, out, err);
	cJSON_Delete(root);
	return rc;
}

char *
signup_canonical(const struct signup *s)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char *text;

	cJSON_AddStringToObject(o, "role", signup_role_name(s->role));
	cJSON_AddStringToObject(o, "external_id", s->external_id);
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "email", s->email);
	cJSON_AddStringToObject(o, "timezone", s->timezone);
	arr = cJSON_AddArrayToObject(o, "languages");
	for (int i = 0; i < s->nlanguages; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(s->languages[i]));
	cJSON_AddStringToObject(o, "organisation", s->organisation ? s->organisation : "");
	arr = cJSON_AddArrayToObject(o, s->role == SIGNUP_MENTEE ? "goals" : "strengths");
	for (int i = 0; i < s->nitems; i++) {
		cJSON *it = cJSON_CreateObject();

		cJSON_AddStringToObject(it, "skill", s->items[i].skill);
		cJSON_AddNumberToObject(it, s->role == SIGNUP_MENTEE ? "priority" : "level", s->items[i].value);
		cJSON_AddItemToArray(arr, it);
	}
	arr = cJSON_AddArrayToObject(o, "support");
	for (int i = 0; i < s->nsupport; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(s->support[i]));
	if (s->role == SIGNUP_MENTOR)
		cJSON_AddNumberToObject(o, "capacity", s->capacity);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* "a;b;c" -> JSON array of trimmed strings (empty cell: empty array). */
static cJSON *
signup_csv_list(const char *cell)
{
	cJSON *arr = cJSON_CreateArray();
	char *copy = xstrdup(cell), *save = NULL;

	for (char *tok = strtok_r(copy, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save)) {
		char *t = signup_trimmed(tok);

		if (t[0] != '\0')
			cJSON_AddItemToArray(arr, cJSON_CreateString(t));
		free(t);
	}
	free(copy);
	return arr;
}

/* "vision:5;planning:3" -> [{"skill":"vision",key:5}, ...]. */
static cJSON *
signup_csv_items(const char *cell, const char *column, const char *key, struct err *err)
{
	cJSON *arr = cJSON_CreateArray();
	char *copy = xstrdup(cell), *save = NULL;
	int i = 0;

	for (char *tok = strtok_r(copy, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save), i++) {
		char *t = signup_trimmed(tok), *colon = strchr(t, ':'), *end = NULL;
		long v = 0;
		cJSON *it;

		if (t[0] == '\0') {
			free(t);
			continue;
		}
		if (colon != NULL) {
			*colon = '\0';
			v = strtol(colon + 1, &end, 10);
		}
		if (colon == NULL || end == colon + 1 || *end != '\0') {
			err_field(err, column, "item %d (\"%s\") must look like skill:%s, e.g. vision:4",
			    i + 1, tok, key);
			free(t);
			free(copy);
			cJSON_Delete(arr);
			return NULL;
		}
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "skill", t);
		cJSON_AddNumberToObject(it, key, (double)v);
		cJSON_AddItemToArray(arr, it);
		free(t);
	}
	free(copy);
	return arr;
}

cJSON *
signup_csv_row(const char *const *header, const char *const *fields, int n, const char *role,
    struct err *err)
{
	bool mentee = strcmp(role, "mentee") == 0;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "role", role);
	for (int k = 0; k < n; k++) {
		const char *col = header[k], *v = fields[k];

		if (strcmp(col, "languages") == 0 || strcmp(col, "support") == 0) {
			if (strcmp(col, "support") == 0 && v[0] == '\0')
				continue;
			cJSON_AddItemToObject(o, col, signup_csv_list(v));
		} else if (strcmp(col, mentee ? "goals" : "strengths") == 0) {
			cJSON *items = signup_csv_items(v, col, mentee ? "priority" : "level", err);

			if (items == NULL)
				goto failed;
			cJSON_AddItemToObject(o, col, items);
		} else if (!mentee && strcmp(col, "capacity") == 0) {
			char *end = NULL;
			long cap = strtol(v, &end, 10);

			if (v[0] == '\0')
				continue;
			if (*end != '\0') {
				err_field(err, col, "\"%s\" is not a whole number", v);
				goto failed;
			}
			cJSON_AddNumberToObject(o, col, (double)cap);
		} else if (strcmp(col, "external_id") == 0 || strcmp(col, "name") == 0 ||
		    strcmp(col, "email") == 0 || strcmp(col, "timezone") == 0 ||
		    strcmp(col, "organisation") == 0) {
			cJSON_AddStringToObject(o, col, v);
		} else {
			err_field(err, col, "is not a known column for a %s", role);
			goto failed;
		}
	}
	return o;
failed:
	cJSON_Delete(o);
	return NULL;
}
