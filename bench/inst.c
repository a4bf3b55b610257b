/* inst.c - a fast reader for the sparkmatch instance format, shared by the bench tools. */
#define _GNU_SOURCE
#include "inst.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Read a whole file into a NUL-terminated buffer; returns NULL and prints why on failure. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;

	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto failed;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		fprintf(stderr, "%s: out of memory\n", path);
		goto failed;
	}
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "%s: short read\n", path);
		goto failed;
	}
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	fclose(f);
	return buf;
failed:
	free(buf);
	if (f != NULL)
		fclose(f);
	return NULL;
}

/* Parse a decimal integer (optional '-') after blanks; returns 0 on success. */
static int
num(char **pp, long long *out)
{
	char *p = *pp;
	int neg = 0;
	long long v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > 4000000000000000000LL)
			return -1;
		p++;
	}
	*out = neg ? -v : v;
	*pp = p;
	return 0;
}

/* True when only blanks remain before the end of the line. */
static int
at_eol(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return *p == '\n' || *p == '\0';
}

struct inst *
inst_read(const char *path)
{
	size_t len = 0;
	char *buf = slurp(path, &len);
	char *p, *end;
	struct inst *in = NULL;
	unsigned char *seen = NULL;
	long long lineno = 0, k = 0, a, b, c;
	int have_p = 0;

	if (buf == NULL)
		return NULL;
	in = calloc(1, sizeof *in);
	if (in == NULL)
		goto oom;
	end = buf + len;
	for (p = buf; p < end; ) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *q = p + 1;

		if (nl == NULL)
			nl = end;
		*nl = '\0';
		lineno++;
		switch (*p) {
		case 'c':
		case '\0':
		case '\r':
			break;
		case 'p':
			if (have_p || strncmp(p, "p sparkmatch", 12) != 0)
				goto bad;
			q = p + 12;
			if (num(&q, &a) || num(&q, &b) || num(&q, &c) || !at_eol(q) ||
			    a < 0 || b < 0 || c < 0 || a > INT32_MAX || b > INT32_MAX)
				goto bad;
			in->n = (int32_t)a;
			in->m = (int32_t)b;
			in->npairs = c;
			in->cap = calloc((size_t)b + 1, sizeof *in->cap);
			seen = calloc((size_t)b + 1, 1);
			in->mentee = malloc(((size_t)c + 1) * sizeof *in->mentee);
			in->mentor = malloc(((size_t)c + 1) * sizeof *in->mentor);
			in->score = malloc(((size_t)c + 1) * sizeof *in->score);
			if (!in->cap || !seen || !in->mentee || !in->mentor || !in->score)
				goto oom;
			have_p = 1;
			break;
		case 'm':
			if (!have_p || num(&q, &a) || num(&q, &b) || !at_eol(q) ||
			    a < 1 || a > in->m || b < 0 || b > INT32_MAX || seen[a - 1])
				goto bad;
			seen[a - 1] = 1;
			in->cap[a - 1] = (int32_t)b;
			break;
		case 'a':
			if (!have_p || k >= in->npairs || num(&q, &a) || num(&q, &b) ||
			    num(&q, &c) || !at_eol(q) || a < 1 || a > in->n || b < 1 ||
			    b > in->m || c < 1 || c > INT32_MAX)
				goto bad;
			in->mentee[k] = (int32_t)(a - 1);
			in->mentor[k] = (int32_t)(b - 1);
			in->score[k] = (int32_t)c;
			k++;
			break;
		default:
			goto bad;
		}
		p = nl + 1;
	}
	if (!have_p) {
		fprintf(stderr, "%s: no 'p sparkmatch' line\n", path);
		goto failed;
	}
	if (k != in->npairs) {
		fprintf(stderr, "%s: %lld pair lines, the p line says %lld\n", path, k,
		    (long long)in->npairs);
		goto failed;
	}
	for (int32_t j = 0; j < in->m; j++) {
		if (!seen[j]) {
			fprintf(stderr, "%s: no 'm' line for mentor %d\n", path, j + 1);
			goto failed;
		}
	}
	free(seen);
	free(buf);
	return in;
bad:
	fprintf(stderr, "%s:%lld: bad line: %.80s\n", path, lineno, p);
	goto failed;
oom:
	fprintf(stderr, "%s: out of memory\n", path);
failed:
	free(seen);
	free(buf);
	inst_free(in);
	return NULL;
}

void
inst_free(struct inst *in)
{
	if (in == NULL)
		return;
	free(in->cap);
	free(in->mentee);
	free(in->mentor);
	free(in->score);
	free(in);
}

double
inst_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
