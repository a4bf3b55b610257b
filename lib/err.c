/* err.c - filling in struct err. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_clear(struct err *e)
{
	e->kind = ERR_KIND_NONE;
	e->field[0] = '\0';
	e->msg[0] = '\0';
}

int
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->kind = kind;
	e->field[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_field(struct err *e, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e == NULL)
		return -1;
	e->kind = ERR_KIND_INVALID;
	snprintf(e->field, sizeof e->field, "%s", field);
	n = snprintf(e->msg, sizeof e->msg, "%s: ", e->field);
	if (n < 0 || (size_t)n >= sizeof e->msg)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof e->msg - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	va_list ap;
	char old[ERR_MSG_MAX];
	size_t n, oldlen;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	oldlen = strnlen(old, sizeof old - 1);
	if (oldlen > sizeof e->msg - 1 - n)
		oldlen = sizeof e->msg - 1 - n;
	memcpy(e->msg + n, old, oldlen);
	e->msg[n + oldlen] = '\0';
	if (e->kind == ERR_KIND_NONE)
		e->kind = ERR_KIND_INTERNAL;
	return -1;
}

const char *
err_kind_name(enum err_kind kind)
{
	switch (kind) {
	case ERR_KIND_NONE: return "none";
	case ERR_KIND_INVALID: return "invalid";
	case ERR_KIND_NOT_FOUND: return "not_found";
	case ERR_KIND_CONFLICT: return "conflict";
	case ERR_KIND_UNAVAILABLE: return "unavailable";
	case ERR_KIND_INTERNAL: return "internal";
	}
	return "internal";
}
