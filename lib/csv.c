/* csv.c - a small RFC 4180 reader. */
#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"
#include "xmalloc.h"

#define CSV_MAX_FIELDS 64

struct csv {
	char *name;
	char *text;
	size_t len, pos;
	int line;		/* current line */
	int rec_line;		/* line where the last record started */
	struct strbuf fields[CSV_MAX_FIELDS];
	const char *ptrs[CSV_MAX_FIELDS];
};

struct csv *
csv_open_string(const char *name, const char *text)
{
	struct csv *c = xcalloc(1, sizeof *c);

	c->name = xstrdup(name);
	c->text = xstrdup(text);
	c->len = strlen(text);
	c->line = 1;
	/* A UTF-8 byte order mark from spreadsheet exports is not data. */
	if (c->len >= 3 && memcmp(c->text, "\xEF\xBB\xBF", 3) == 0)
		c->pos = 3;
	return c;
}

struct csv *
csv_open(const char *path, struct err *err)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char buf[65536];
	struct csv *c;
	size_t n;

	if (f == NULL)
		return err_set(err, ERR_KIND_INVALID, "%s: %s", path, strerror(errno)), NULL;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_append(&sb, buf, n);
	if (f != stdin)
		fclose(f);
	if (!json_utf8_valid(strbuf_str(&sb), sb.len)) {
		strbuf_free(&sb);
		return err_set(err, ERR_KIND_INVALID, "%s: not UTF-8 text (or contains a NUL byte)", path), NULL;
	}
	c = csv_open_string(strcmp(path, "-") == 0 ? "<stdin>" : path, strbuf_str(&sb));
	strbuf_free(&sb);
	return c;
}

void
csv_free(struct csv *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < CSV_MAX_FIELDS; i++)
		strbuf_free(&c->fields[i]);
	free(c->name);
	free(c->text);
	free(c);
}

int csv_line(const struct csv *c) { return c->rec_line; }
const char *csv_name(const struct csv *c) { return c->name; }

/* Skip blank and comment lines at the start of a record. */
static void
csv_skip_blank(struct csv *c)
{
	while (c->pos < c->len) {
		char ch = c->text[c->pos];

		if (ch == '\n') {
			c->pos++;
			c->line++;
		} else if (ch == '\r' && c->pos + 1 < c->len && c->text[c->pos + 1] == '\n') {
			c->pos += 2;
			c->line++;
		} else if (ch == '#') {
			while (c->pos < c->len && c->text[c->pos] != '\n')
				c->pos++;
		} else {
			return;
		}
	}
}

int
csv_next(struct csv *c, const char *const **fields, int *n, struct err *err)
{
	int nf = 0;

	csv_skip_blank(c);
	if (c->pos >= c->len)
		return 0;
	c->rec_line = c->line;
	for (;;) {
		struct strbuf *f;

		if (nf == CSV_MAX_FIELDS)
			return err_set(err, ERR_KIND_INVALID, "%s:%d: more than %d fields", c->name,
			    c->rec_line, CSV_MAX_FIELDS);
		f = &c->fields[nf];
		strbuf_reset(f);
		strbuf_append(f, "", 0);
		if (c->pos < c->len && c->text[c->pos] == '"') {
			c->pos++;
			for (;;) {
				if (c->pos >= c->len)
					return err_set(err, ERR_KIND_INVALID,
					    "%s:%d: quoted field is never closed", c->name, c->rec_line);
				if (c->text[c->pos] == '"') {
					if (c->pos + 1 < c->len && c->text[c->pos + 1] == '"') {
						strbuf_putc(f, '"');
						c->pos += 2;
						continue;
					}
					c->pos++;
					break;
				}
				if (c->text[c->pos] == '\n')
					c->line++;
				strbuf_putc(f, c->text[c->pos++]);
			}
			if (c->pos < c->len && c->text[c->pos] != ',' && c->text[c->pos] != '\n' &&
			    c->text[c->pos] != '\r')
				return err_set(err, ERR_KIND_INVALID,
				    "%s:%d: unexpected character after a closing quote", c->name, c->line);
		} else {
			while (c->pos < c->len && c->text[c->pos] != ',' && c->text[c->pos] != '\n' &&
			    c->text[c->pos] != '\r') {
				if (c->text[c->pos] == '"')
					return err_set(err, ERR_KIND_INVALID,
					    "%s:%d: a quote inside an unquoted field (quote the whole field)",
					    c->name, c->line);
				strbuf_putc(f, c->text[c->pos++]);
			}
		}
		c->ptrs[nf] = strbuf_str(f);
		nf++;
		if (c->pos >= c->len)
			break;
		if (c->text[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if (c->text[c->pos] == '\r')
			c->pos++;
		if (c->pos < c->len && c->text[c->pos] == '\n') {
			c->pos++;
			c->line++;
			break;
		}
		return err_set(err, ERR_KIND_INVALID, "%s:%d: stray carriage return", c->name, c->line);
	}
	*fields = c->ptrs;
	*n = nf;
	return 1;
}
