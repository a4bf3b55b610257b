/*
 * attrs.h - compiler attributes and small macros shared by every module.
 *
 * Header only: nothing here allocates or has state.
 */
#ifndef SPARKMATCH_ATTRS_H
#define SPARKMATCH_ATTRS_H

#include <stddef.h>

/* A result the caller must look at: 0 on success, -1 on failure. */
#define MUSTCHECK __attribute__((warn_unused_result))
/* printf-style argument checking; a is the format index, b the first vararg. */
#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
