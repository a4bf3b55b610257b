/*
 * err.h - the error report every fallible function fills in.
 *
 * Convention across sparkmatch: a function that can fail returns 0 on
 * success and -1 on failure, and writes the reason into a caller-owned
 * struct err. The message is complete and human-readable ("config.ini:12:
 * unknown key 'foo'"); field names the offending input field when there is
 * one (for HTTP 4xx answers), and is empty otherwise.
 */
#ifndef SPARKMATCH_ERR_H
#define SPARKMATCH_ERR_H

#include "attrs.h"

#define ERR_MSG_MAX 512
#define ERR_FIELD_MAX 96

/* Error classes, so callers (HTTP, CLI exit codes) can react without parsing text. */
enum err_kind {
	ERR_KIND_NONE = 0,
	ERR_KIND_INVALID,	/* bad input: a field or file content is wrong */
	ERR_KIND_NOT_FOUND,	/* the thing named does not exist */
	ERR_KIND_CONFLICT,	/* would violate a uniqueness or state rule */
	ERR_KIND_UNAVAILABLE,	/* database or other dependency is down */
	ERR_KIND_INTERNAL,	/* a bug or an unexpected system failure */
};

struct err {
	enum err_kind kind;
	char field[ERR_FIELD_MAX];
	char msg[ERR_MSG_MAX];
};

/* Reset to "no error". */
void err_clear(struct err *e);
/* Record an error of the given kind; always returns -1 so callers can `return err_set(...)`. */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...) PRINTFLIKE(3, 4);
/* Record a validation error about one input field (kind ERR_KIND_INVALID); returns -1. */
int err_field(struct err *e, const char *field, const char *fmt, ...) PRINTFLIKE(3, 4);
/* Prepend context ("file.sql: ") to an existing message; returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) PRINTFLIKE(2, 3);
/* A stable lower-case name for the kind ("invalid", "not_found", ...). */
const char *err_kind_name(enum err_kind kind);

#endif
