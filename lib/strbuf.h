/*
 * strbuf.h - a growable, always NUL-terminated byte string.
 *
 * The struct is public so it can live on the stack; initialise with
 * STRBUF_INIT or strbuf_init(), release with strbuf_free(). Growth is
 * through xmalloc, so appends cannot fail.
 */
#ifndef SPARKMATCH_STRBUF_H
#define SPARKMATCH_STRBUF_H

#include <stddef.h>

#include "attrs.h"

struct strbuf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const void *data, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) PRINTFLIKE(2, 3);
/* The contents ("" when empty); valid until the next change. */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the heap string to the caller (who frees it) and reset the buffer. */
char *strbuf_detach(struct strbuf *sb);

#endif
