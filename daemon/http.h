/*
 * http.h - the daemon's HTTP server on libevent's evhttp: routing by
 * method and path pattern, limits, request ids, JSON answers and errors,
 * metrics and one access-log line per request.
 *
 * A handler receives a struct http_req and must eventually answer it with
 * exactly one http_reply_*() call, now or later (when the database answers);
 * the reply frees the request. Requests stay valid until answered even when
 * the client goes away. Everything runs on the loop thread.
 *
 * Limits: http.max_body and http.max_headers are enforced by evhttp while
 * reading (over-long requests get evhttp's own 413/400, which is the one
 * place an answer is not JSON: libevent 2.1 has no hook for it); read and
 * write timeouts; a cap on open connections, beyond which (or on EMFILE)
 * the listener pauses until a connection closes.
 */
#ifndef SPARKMATCH_HTTP_H
#define SPARKMATCH_HTTP_H

#include <cjson/cJSON.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

struct event_base;
struct metrics;
struct http;
struct http_req;

typedef void http_handler(struct http_req *req, void *arg);

enum http_route_flag {
	HTTP_ROUTE_BODY = 1 << 0,	/* accepts an application/json body */
};

struct http_route {
	enum evhttp_cmd_type method;
	const char *pattern;	/* "/v1/mentees/{id}": {x} matches one non-empty segment */
	http_handler *fn;
	unsigned flags;
	const char *query;	/* allowed query parameters, comma-separated, or NULL */
	http_handler *then;	/* for a gate in fn (authentication): where it hands on */
};

struct http_limits {
	int64_t max_body;
	int64_t max_headers;
	int64_t read_timeout_ms;
	int64_t write_timeout_ms;
	int max_connections;
};

/*
 * A server on base answering with routes (which must outlive it), passing
 * arg to handlers. metrics may be NULL. Free with http_free().
 */
struct http *http_new(struct event_base *base, const struct http_route *routes,
    size_t nroutes, void *arg, struct metrics *metrics, const struct http_limits *limits);
void http_free(struct http *h);

/*
 * Bind and listen on addr:port (port 0 picks a free one; see http_port()).
 * Returns -1 with err filled on failure.
 */
int http_listen(struct http *h, const char *addr, int port, struct err *err) MUSTCHECK;
/* The bound port, after http_listen(). */
int http_port(const struct http *h);

/* Apply new limits (on reload); connections already open keep their timeouts. */
void http_set_limits(struct http *h, const struct http_limits *limits);

/*
 * Stop accepting: close the listening socket; requests still arriving on
 * open connections are answered 503 with "Connection: close".
 */
void http_drain(struct http *h);

/* Requests being handled plus answers still being written. */
size_t http_busy(const struct http *h);
/* Open client connections. */
size_t http_connections(const struct http *h);

/* The request id ("X-Request-Id" as sent when well-formed, else generated). */
const char *http_req_id(const struct http_req *req);
/* Set this thread's log context to the request (call first in every callback). */
void http_req_enter(const struct http_req *req);
enum evhttp_cmd_type http_req_method(const struct http_req *req);
/* The route that matched. */
const struct http_route *http_req_route(const struct http_req *req);
/* The i-th {param} of the matched pattern (URL-decoded), or NULL. */
const char *http_req_param(const struct http_req *req, size_t i);
/* A query parameter (URL-decoded), or NULL when absent. */
const char *http_req_query(const struct http_req *req, const char *key);
/* A request header (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
/* The raw body (NUL-terminated for convenience; may contain NULs) and its length. */
const char *http_req_body(const struct http_req *req, size_t *len);
/* Who the request acts for (set by authentication), "" until set. */
const char *http_req_actor(const struct http_req *req);
void http_req_set_actor(struct http_req *req, const char *actor);
/* Add a response header (before the reply). */
void http_req_add_header(struct http_req *req, const char *name, const char *value);

/* Answer with body as JSON (takes ownership of body; NULL = no body). */
void http_reply_json(struct http_req *req, int status, cJSON *body);
/* Answer with bytes of the given content type. */
void http_reply_raw(struct http_req *req, int status, const char *content_type,
    const char *body, size_t len);
/*
 * Answer {"error":{"code","message","field"}}; field may be NULL. 503s carry
 * Retry-After, 401s WWW-Authenticate.
 */
void http_reply_error(struct http_req *req, int status, const char *code,
    const char *field, const char *fmt, ...) PRINTFLIKE(5, 6);
/*
 * Answer from an err by its kind: invalid 400, not found 404, conflict 409,
 * unavailable 503, internal 500 (the message is logged, not sent).
 */
void http_reply_err(struct http_req *req, const struct err *err);
/* Like http_reply_err(), for errors the database reported: invalid is 422. */
void http_reply_db_err(struct http_req *req, const struct err *err);

#endif
