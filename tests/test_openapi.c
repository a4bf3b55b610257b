/*
 * test_openapi.c - docs/openapi.yaml describes exactly the routes in the
 * daemon's route table (daemon/api.c): the same paths and methods, and for
 * each the same query parameters. No database or daemon needed.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "testdb.h"
#include "xmalloc.h"

#define MAX_OPS 64

struct op {
	char key[256];		/* "GET /v1/mentees" */
	char query[256];	/* "limit,after,status", compared as a set (same_set) */
};

static char *
slurp(const char *rel)
{
	char *path = testdb_srcpath(rel);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s", path);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_append(&sb, buf, n);
	fclose(f);
	free(path);
	return strbuf_detach(&sb);
}

static void
upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

/* Are the comma-separated sets a and b equal? */
static bool
same_set(const char *a, const char *b)
{
	char *x = xstrdup(a), *save = NULL;
	int na = 0, nb = 0;
	bool ok = true;

	for (char *t = strtok_r(x, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *needle = xasprintf(",%s,", t);
		char *hay = xasprintf(",%s,", b);

		ok &= strstr(hay, needle) != NULL;
		na++;
		free(needle);
		free(hay);
	}
	free(x);
	x = xstrdup(b);
	for (char *t = strtok_r(x, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		nb++;
	free(x);
	return ok && na == nb;
}

static void
add_query(struct op *o, const char *name)
{
	size_t n = strlen(o->query);

	snprintf(o->query + n, sizeof o->query - n, "%s%s", n ? "," : "", name);
}

/* The operations of the OpenAPI document, by a line-oriented reading of its layout. */
static int
spec_ops(struct op *ops)
{
	char *text = slurp("docs/openapi.yaml"), *save = NULL, *line;
	char path[96] = "", pending[64] = "";
	struct op *cur = NULL;
	bool in_paths = false;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char word[96];

		if (strcmp(line, "paths:") == 0) {
			in_paths = true;
			continue;
		}
		if (line[0] != ' ' && line[0] != '\0')
			in_paths = false;
		if (!in_paths)
			continue;
		if (sscanf(line, "  %95[^:]:", word) == 1 && line[2] == '/') {
			snprintf(path, sizeof path, "%s", word);
			cur = NULL;
		} else if (sscanf(line, "    %95[a-z]:", word) == 1 && line[4] != ' ' &&
		    (strcmp(word, "get") == 0 || strcmp(word, "post") == 0 || strcmp(word, "patch") == 0 ||
		    strcmp(word, "delete") == 0 || strcmp(word, "put") == 0)) {
			cr_assert_lt(n, MAX_OPS);
			cur = &ops[n++];
			memset(cur, 0, sizeof *cur);
			upper(word);
			snprintf(cur->key, sizeof cur->key, "%s %s", word, path);
		} else if (cur != NULL && strstr(line, "- name: ") != NULL) {
			snprintf(pending, sizeof pending, "%s", strstr(line, "- name: ") + 8);
		} else if (cur != NULL && strstr(line, "in: query") != NULL && pending[0] != '\0') {
			add_query(cur, pending);
			pending[0] = '\0';
		} else if (cur != NULL && strstr(line, "in: ") != NULL) {
			pending[0] = '\0';
		} else if (cur != NULL && strstr(line, "#/components/parameters/Limit") != NULL) {
			add_query(cur, "limit");
		} else if (cur != NULL && strstr(line, "#/components/parameters/After") != NULL) {
			add_query(cur, "after");
		}
	}
	free(text);
	return n;
}

/* The routes of daemon/api.c's table. */
static int
code_ops(struct op *ops)
{
	char *text = slurp("daemon/api.c"), *p;
	regex_t re;
	regmatch_t m[5];
	int n = 0;

	cr_assert_eq(regcomp(&re, "(ADMIN|OPEN)\\((GET|POST|PATCH|DELETE), \"([^\"]+)\", [a-z_]+, "
	    "[A-Z0-9_]+, (NULL|\"[^\"]*\")\\)", REG_EXTENDED), 0);
	for (p = text; regexec(&re, p, 5, m, 0) == 0; p += m[0].rm_eo) {
		struct op *o;

		cr_assert_lt(n, MAX_OPS);
		o = &ops[n++];
		memset(o, 0, sizeof *o);
		snprintf(o->key, sizeof o->key, "%.*s %.*s", (int)(m[2].rm_eo - m[2].rm_so), p + m[2].rm_so,
		    (int)(m[3].rm_eo - m[3].rm_so), p + m[3].rm_so);
		if (p[m[4].rm_so] == '"')
			snprintf(o->query, sizeof o->query, "%.*s", (int)(m[4].rm_eo - m[4].rm_so - 2),
			    p + m[4].rm_so + 1);
	}
	regfree(&re);
	free(text);
	return n;
}

static const struct op *
find(const struct op *ops, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(ops[i].key, key) == 0)
			return &ops[i];
	return NULL;
}

Test(openapi, documents_exactly_the_routes_the_daemon_serves)
{
	struct op spec[MAX_OPS], code[MAX_OPS];
	int ns = spec_ops(spec), nc = code_ops(code);

	cr_assert_gt(nc, 10, "could not read the route table");
	for (int i = 0; i < nc; i++) {
		const struct op *s = find(spec, ns, code[i].key);

		cr_assert_not_null(s, "%s is served but not documented", code[i].key);
		cr_assert(same_set(code[i].query, s->query), "%s: query parameters: code [%s], spec [%s]",
		    code[i].key, code[i].query, s->query);
	}
	for (int i = 0; i < ns; i++)
		cr_assert_not_null(find(code, nc, spec[i].key), "%s is documented but not served", spec[i].key);
}
