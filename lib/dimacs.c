/* dimacs.c - a fast reader and a writer for the solver's text format. */
#include "dimacs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

struct scan {
	const char *p;
	const char *end;
	const char *name;
	uint64_t line;
	struct err *e;
};

static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static inline void
skip_blanks(struct scan *s)
{
	while (s->p < s->end && is_blank(*s->p))
		s->p++;
}

/* Report an error at the current line; returns -1. */
static int PRINTFLIKE(2, 3)
scan_err(struct scan *s, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(s->e, ERR_KIND_INVALID, "%s:%llu: %s", s->name,
	    (unsigned long long)s->line, msg);
}

/*
 * Read one field as a signed decimal into *out. Returns 0, or -1 with a
 * message naming the field ("missing", "not an integer", "too large").
 */
static int
scan_int(struct scan *s, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
	bool neg = false;
	uint64_t x = 0;
	const char *start;

	skip_blanks(s);
	if (s->p >= s->end || *s->p == '\n')
		return scan_err(s, "missing %s", what);
	if (*s->p == '-' || *s->p == '+') {
		neg = *s->p == '-';
		s->p++;
	}
	start = s->p;
	while (s->p < s->end && (unsigned)(*s->p - '0') < 10) {
		if (x > (UINT64_C(1) << 62))
			return scan_err(s, "%s is too large", what);
		x = x * 10 + (uint64_t)(*s->p - '0');
		s->p++;
	}
	if (s->p == start || (s->p < s->end && !is_blank(*s->p) && *s->p != '\n'))
		return scan_err(s, "%s is not an integer", what);
	{
		int64_t v = neg ? -(int64_t)x : (int64_t)x;

		if (v < lo)
			return scan_err(s, "%s %lld is below %lld", what, (long long)v, (long long)lo);
		if (v > hi)
			return scan_err(s, "%s %lld is above %lld", what, (long long)v, (long long)hi);
		*out = v;
	}
	return 0;
}

/* The rest of the line must be blank; then step past the newline. */
static int
scan_eol(struct scan *s)
{
	skip_blanks(s);
	if (s->p < s->end && *s->p != '\n')
		return scan_err(s, "unexpected text after the last field");
	if (s->p < s->end)
		s->p++;
	s->line++;
	return 0;
}

static void
skip_line(struct scan *s)
{
	const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));

	s->p = nl ? nl + 1 : s->end;
	s->line++;
}

/* Line number and text of the k-th (0-based) 'a' line, for duplicate reports. */
static uint64_t
line_of_pair(const char *buf, size_t len, uint64_t k, const char **text)
{
	const char *p = buf, *end = buf + len;
	uint64_t line = 1;

	*text = NULL;
	while (p < end) {
		const char *q = p, *nl;

		while (q < end && is_blank(*q))
			q++;
		if (q < end && *q == 'a' && k-- == 0) {
			*text = q + 1;
			return line;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		p = nl + 1;
		line++;
	}
	return line;
}

int
dimacs_parse(const char *name, const char *buf, size_t len, struct problem **out,
    struct err *e)
{
	struct scan s = { buf, buf + len, name, 1, e };
	struct problem_builder *b = NULL;
	uint8_t *have_cap = NULL;
	uint64_t p_line = 0, n_pairs = 0, seen_pairs = 0, seen_caps = 0, dup = 0;
	uint32_t n = 0, m = 0;
	int64_t x0, y0;
	int rc = -1;

	*out = NULL;
	while (s.p < s.end) {
		char kind;
		int64_t x, y, z;

		skip_blanks(&s);
		if (s.p >= s.end)
			break;
		kind = *s.p;
		if (kind == '\n') {
			s.p++;
			s.line++;
			continue;
		}
		if (kind == 'c' && (s.p + 1 >= s.end || is_blank(s.p[1]) || s.p[1] == '\n')) {
			skip_line(&s);
			continue;
		}
		if ((kind != 'p' && kind != 'm' && kind != 'a') ||
		    (s.p + 1 < s.end && !is_blank(s.p[1]) && s.p[1] != '\n')) {
			scan_err(&s, "unknown line type (expected c, p, m or a)");
			goto done;
		}
		s.p++;
		if (kind == 'p') {
			const char *w;

			if (p_line != 0) {
				scan_err(&s, "second p line (the first is line %llu)",
				    (unsigned long long)p_line);
				goto done;
			}
			skip_blanks(&s);
			w = s.p;
			while (s.p < s.end && !is_blank(*s.p) && *s.p != '\n')
				s.p++;
			if ((size_t)(s.p - w) != 10 || memcmp(w, "sparkmatch", 10) != 0) {
				scan_err(&s, "expected \"p sparkmatch <mentees> <mentors> <pairs>\"");
				goto done;
			}
			if (scan_int(&s, "number of mentees", 0, UINT32_MAX - 1, &x) != 0 ||
			    scan_int(&s, "number of mentors", 0, UINT32_MAX - 1, &y) != 0 ||
			    scan_int(&s, "number of pairs", 0, (int64_t)PROBLEM_MAX_PAIRS, &z) != 0)
				goto done;
			if ((uint64_t)z > (uint64_t)x * (uint64_t)y) {
				scan_err(&s, "%lld pairs cannot fit %lld mentees x %lld mentors",
				    (long long)z, (long long)x, (long long)y);
				goto done;
			}
			if (scan_eol(&s) != 0)
				goto done;
			p_line = s.line - 1;
			n = (uint32_t)x;
			m = (uint32_t)y;
			n_pairs = (uint64_t)z;
			b = problem_builder_new(n, m);
			problem_builder_reserve(b, n_pairs);
			have_cap = xcalloc((size_t)m + 1, 1);
			continue;
		}
		if (p_line == 0) {
			scan_err(&s, "%c line before the p line", kind);
			goto done;
		}
		if (kind == 'm') {
			if (scan_int(&s, "mentor", 1, m, &x) != 0 ||
			    scan_int(&s, "capacity", 0, UINT32_MAX, &y) != 0)
				goto done;
			if (have_cap[x - 1]) {
				scan_err(&s, "second m line for mentor %lld", (long long)x);
				goto done;
			}
			have_cap[x - 1] = 1;
			seen_caps++;
			if (problem_builder_set_capacity(b, (uint32_t)(x - 1), (uint32_t)y, e) != 0)
				goto done;
		} else {
			if (scan_int(&s, "mentee", 1, n, &x) != 0 ||
			    scan_int(&s, "mentor", 1, m, &y) != 0 ||
			    scan_int(&s, "score", 1, INT32_MAX, &z) != 0)
				goto done;
			if (seen_pairs == n_pairs) {
				scan_err(&s, "more a lines than the %llu pairs announced",
				    (unsigned long long)n_pairs);
				goto done;
			}
			seen_pairs++;
			if (problem_builder_add(b, (uint32_t)(x - 1), (uint32_t)(y - 1),
			    (int32_t)z, e) != 0)
				goto done;
		}
		if (scan_eol(&s) != 0)
			goto done;
	}
	/* The line of the end of the file, for count errors. */
	if (len > 0 && buf[len - 1] == '\n')
		s.line--;
	if (p_line == 0) {
		scan_err(&s, "missing p line");
		goto done;
	}
	if (seen_caps != m) {
		for (uint32_t j = 0; j < m; j++) {
			if (!have_cap[j]) {
				scan_err(&s, "%llu m lines for %u mentors (none for mentor %u)",
				    (unsigned long long)seen_caps, m, j + 1);
				goto done;
			}
		}
	}
	if (seen_pairs != n_pairs) {
		scan_err(&s, "%llu a lines but the p line announced %llu pairs",
		    (unsigned long long)seen_pairs, (unsigned long long)n_pairs);
		goto done;
	}
	if (problem_builder_finish(b, out, &dup, e) != 0) {
		const char *text;

		s.line = line_of_pair(buf, len, dup, &text);
		s.p = text;
		if (text != NULL && scan_int(&s, "mentee", 1, n, &x0) == 0 &&
		    scan_int(&s, "mentor", 1, m, &y0) == 0)
			scan_err(&s, "duplicate pair (mentee %lld, mentor %lld)",
			    (long long)x0, (long long)y0);
		else
			scan_err(&s, "duplicate pair");
		goto done;
	}
	rc = 0;
done:
	problem_builder_free(b);
	free(have_cap);
	return rc;
}

/* Slurp a non-mappable stream into a heap buffer. */
static int
read_all(int fd, const char *name, char **buf, size_t *len, struct err *e)
{
	size_t cap = 1 << 20, n = 0;
	char *p = xmalloc(cap);

	for (;;) {
		ssize_t r;

		if (n == cap) {
			cap *= 2;
			p = xreallocarray(p, cap, 1);
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(p);
			return err_set(e, ERR_KIND_INVALID, "%s: read: %s", name, strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = p;
	*len = n;
	return 0;
}

int
dimacs_read(const char *path, struct problem **out, struct err *e)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	char *heap = NULL;
	void *map = MAP_FAILED;
	size_t len = 0;
	struct stat st;
	int rc = -1;

	*out = NULL;
	if (fd < 0)
		return err_set(e, ERR_KIND_NOT_FOUND, "%s: %s", name, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		len = (size_t)st.st_size;
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	}
	if (map != MAP_FAILED) {
		(void)madvise(map, len, MADV_SEQUENTIAL);
		rc = dimacs_parse(name, map, len, out, e);
		munmap(map, len);
	} else if (read_all(fd, name, &heap, &len, e) == 0) {
		rc = dimacs_parse(name, heap, len, out, e);
		free(heap);
	}
	if (!is_stdin)
		close(fd);
	return rc;
}

int
dimacs_write(FILE *f, const struct problem *p, const char *comment, struct err *e)
{
	uint32_t n = problem_n_mentees(p), m = problem_n_mentors(p);
	const uint64_t *row = problem_row(p);
	const uint32_t *col = problem_col(p);
	const int32_t *score = problem_score(p);
	const uint32_t *cap = problem_capacity(p);

	if (comment != NULL)
		fprintf(f, "c %s\n", comment);
	fprintf(f, "p sparkmatch %u %u %llu\n", n, m,
	    (unsigned long long)problem_n_pairs(p));
	for (uint32_t j = 0; j < m; j++)
		fprintf(f, "m %u %u\n", j + 1, cap[j]);
	for (uint32_t i = 0; i < n; i++)
		for (uint64_t k = row[i]; k < row[i + 1]; k++)
			fprintf(f, "a %u %u %d\n", i + 1, col[k] + 1, (int)score[k]);
	if (fflush(f) != 0 || ferror(f))
		return err_set(e, ERR_KIND_UNAVAILABLE, "write: %s", strerror(errno));
	return 0;
}
