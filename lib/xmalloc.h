/*
 * xmalloc.h - allocation that never returns NULL.
 *
 * Out of memory is fatal in exactly one place (here), so callers never test
 * for NULL. Everything returned is freed with free().
 */
#ifndef SPARKMATCH_XMALLOC_H
#define SPARKMATCH_XMALLOC_H

#include <stddef.h>

#include "attrs.h"

void *xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t nmemb, size_t size) __attribute__((malloc, returns_nonnull));
/* Resize to nmemb * size bytes, aborting on overflow as on exhaustion. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
/* A newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) PRINTFLIKE(1, 2) __attribute__((malloc, returns_nonnull));

/* Route cJSON's allocations through the fatal allocator (call once at start). */
void xmalloc_init_cjson(void);

#endif
