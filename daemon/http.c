/* http.c - evhttp with routing, limits, request ids and JSON errors. */
#include "http.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "strbuf.h"
#include "xmalloc.h"

#define HTTP_MAX_PARAMS 4
#define HTTP_ID_MAX 64
#define HTTP_RESUME_MS 1000

struct http {
	struct event_base *base;
	struct evhttp *evh;
	struct evhttp_bound_socket *bound;
	struct evconnlistener *listener;
	const struct http_route *routes;
	size_t nroutes;
	void *arg;
	struct metrics *metrics;
	struct http_limits lim;
	int port;

	size_t nconns;			/* open client connections */
	bool paused;			/* listener disabled: at the cap or out of descriptors */
	struct event resume;		/* retry accepting after EMFILE */
	bool draining;

	size_t nreqs;			/* requests not yet answered */
	struct evhttp_connection **writing;	/* connections writing an answer */
	size_t nwriting, capwriting;

	/* Connections accepted but not yet hooked (see http_hook_cb). */
	struct bufferevent **fresh;
	size_t nfresh, capfresh;
	struct event hook;
};

struct http_req {
	struct http *h;
	struct evhttp_request *ev;
	char id[HTTP_ID_MAX + 1];
	const char *route;		/* pattern for metrics, or "unmatched" */
	const struct http_route *r;
	char *params[HTTP_MAX_PARAMS];
	size_t nparams;
	struct evkeyvalq query;
	bool query_parsed;
	char *body;
	size_t body_len;
	char *actor;
	struct timespec start;
};

static const char *
http_method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	}
	return "OTHER";
}

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Status";
}

static double
http_elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* ---- connection accounting ---- */

static void
http_writing_remove(struct http *h, struct evhttp_connection *evcon)
{
	for (size_t i = 0; i < h->nwriting; i++) {
		if (h->writing[i] == evcon) {
			h->writing[i] = h->writing[--h->nwriting];
			return;
		}
	}
}

static void
http_resume_accept(struct http *h)
{
	if (!h->paused || h->draining || h->listener == NULL ||
	    h->nconns >= (size_t)h->lim.max_connections)
		return;
	evconnlistener_enable(h->listener);
	h->paused = false;
	log_info("accepting connections again (%zu open)", h->nconns);
}

static void
http_pause_accept(struct http *h, const char *why)
{
	if (h->paused || h->listener == NULL)
		return;
	evconnlistener_disable(h->listener);
	h->paused = true;
	log_warn("not accepting connections for now: %s (%zu open)", why, h->nconns);
}

static void
http_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http *h = arg;

	h->nconns--;
	log_debug("connection closed (%zu open)", h->nconns);
	http_writing_remove(h, evcon);
	http_resume_accept(h);
}

static void
http_set_conn_timeouts(const struct http *h, struct bufferevent *bev)
{
	struct timeval rd = { (time_t)(h->lim.read_timeout_ms / 1000),
		(suseconds_t)(h->lim.read_timeout_ms % 1000) * 1000 };
	struct timeval wr = { (time_t)(h->lim.write_timeout_ms / 1000),
		(suseconds_t)(h->lim.write_timeout_ms % 1000) * 1000 };

	bufferevent_set_timeouts(bev, &rd, &wr);
}

/*
 * evhttp creates its connection object right after asking us for the
 * bufferevent, with the connection as the bufferevent's callback argument;
 * on the next pass of the loop (before any I/O on it) we find it there and
 * register the close callback that keeps the count, and set separate read
 * and write timeouts. Only an allocation failure inside libevent between
 * the two steps could free the bufferevent first.
 */
static void
http_hook_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < h->nfresh; i++) {
		void *cbarg = NULL;

		bufferevent_getcb(h->fresh[i], NULL, NULL, NULL, &cbarg);
		if (cbarg == NULL)
			continue;
		evhttp_connection_set_closecb(cbarg, http_conn_closed, h);
		http_set_conn_timeouts(h, h->fresh[i]);
	}
	h->nfresh = 0;
}

static struct bufferevent *
http_bev_cb(struct event_base *base, void *arg)
{
	struct http *h = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

	if (bev == NULL)
		return NULL;
	h->nconns++;
	log_debug("connection accepted (%zu open)", h->nconns);
	if (h->nfresh == h->capfresh) {
		h->capfresh = h->capfresh ? h->capfresh * 2 : 16;
		h->fresh = xreallocarray(h->fresh, h->capfresh, sizeof *h->fresh);
	}
	h->fresh[h->nfresh++] = bev;
	event_active(&h->hook, EV_TIMEOUT, 0);
	if (h->nconns >= (size_t)h->lim.max_connections)
		http_pause_accept(h, "at http.max_connections");
	return bev;
}

static void
http_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;

	(void)fd;
	(void)what;
	http_resume_accept(h);
}

/*
 * The listener belongs to evhttp, which made itself the listener's callback
 * argument; so the error callback is told evhttp's server, and finds ours here.
 */
#define HTTP_MAX_SERVERS 8
static struct http *http_servers[HTTP_MAX_SERVERS];

static struct http *
http_from_evhttp(const void *evh)
{
	for (size_t i = 0; i < HTTP_MAX_SERVERS; i++) {
		if (http_servers[i] != NULL && (const void *)http_servers[i]->evh == evh)
			return http_servers[i];
	}
	return NULL;
}

static void
http_accept_error(struct evconnlistener *lev, void *arg)
{
	struct http *h = http_from_evhttp(arg);
	int e = EVUTIL_SOCKET_ERROR();

	(void)lev;
	if (h == NULL) {
		log_warn("accept: %s", strerror(e));
		return;
	}
	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
		/* Out of descriptors: stop accepting, try again later (or when one closes). */
		struct timeval tv = { HTTP_RESUME_MS / 1000, 0 };

		http_pause_accept(h, strerror(e));
		evtimer_add(&h->resume, &tv);
		return;
	}
	log_warn("accept: %s", strerror(e));
}

/* ---- requests ---- */

static bool
http_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > HTTP_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

static void
http_req_make_id(struct http_req *req)
{
	const char *given = evhttp_find_header(evhttp_request_get_input_headers(req->ev),
	    "X-Request-Id");
	unsigned char rnd[8];

	if (given != NULL && http_id_ok(given)) {
		snprintf(req->id, sizeof req->id, "%s", given);
		return;
	}
	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		static unsigned long long counter;

		snprintf(req->id, sizeof req->id, "r%llu", ++counter);
		return;
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(req->id + 2 * i, 3, "%02x", rnd[i]);
}

static void
http_req_free(struct http_req *req)
{
	if (req == NULL)
		return;
	for (size_t i = 0; i < req->nparams; i++)
		free(req->params[i]);
	if (req->query_parsed)
		evhttp_clear_headers(&req->query);
	free(req->body);
	free(req->actor);
	req->h->nreqs--;
	free(req);
}

void
http_req_enter(const struct http_req *req)
{
	char ctx[HTTP_ID_MAX + 8];

	snprintf(ctx, sizeof ctx, "req=%s", req->id);
	log_set_context(ctx);
}

const char *
http_req_id(const struct http_req *req)
{
	return req->id;
}

enum evhttp_cmd_type
http_req_method(const struct http_req *req)
{
	return evhttp_request_get_command(req->ev);
}

const struct http_route *
http_req_route(const struct http_req *req)
{
	return req->r;
}

const char *
http_req_param(const struct http_req *req, size_t i)
{
	return i < req->nparams ? req->params[i] : NULL;
}

const char *
http_req_query(const struct http_req *req, const char *key)
{
	if (!req->query_parsed)
		return NULL;
	return evhttp_find_header(&req->query, key);
}

const char *
http_req_header(const struct http_req *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req->ev), name);
}

const char *
http_req_body(const struct http_req *req, size_t *len)
{
	if (len != NULL)
		*len = req->body_len;
	return req->body;
}

const char *
http_req_actor(const struct http_req *req)
{
	return req->actor ? req->actor : "";
}

void
http_req_set_actor(struct http_req *req, const char *actor)
{
	free(req->actor);
	req->actor = xstrdup(actor);
}

void
http_req_add_header(struct http_req *req, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(req->ev), name, value);
}

/* The URI for the access log, with anything unprintable replaced. */
static void
http_log_uri(struct strbuf *out, const char *uri)
{
	size_t n = 0;

	for (const char *p = uri; *p != '\0' && n < 200; p++, n++)
		strbuf_putc(out, (*p > ' ' && *p < 0x7f) ? *p : '?');
	if (strlen(uri) > 200)
		strbuf_puts(out, "...");
}

static void
http_complete_cb(struct evhttp_request *ev, void *arg)
{
	struct http *h = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);

	if (evcon != NULL)
		http_writing_remove(h, evcon);
}

/* Send the answer, count it, log it and free req. */
static void
http_finish(struct http_req *req, int status, const char *ctype, struct evbuffer *buf)
{
	struct http *h = req->h;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req->ev);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req->ev);
	const char *method = http_method_name(evhttp_request_get_command(req->ev));
	struct strbuf uri = STRBUF_INIT;
	double secs = http_elapsed(&req->start);

	http_req_enter(req);
	if (ctype != NULL)
		evhttp_add_header(out, "Content-Type", ctype);
	evhttp_add_header(out, "X-Request-Id", req->id);
	evhttp_add_header(out, "Cache-Control", "no-store");
	if (h->draining)
		evhttp_add_header(out, "Connection", "close");
	if (evcon != NULL) {
		if (h->nwriting == h->capwriting) {
			h->capwriting = h->capwriting ? h->capwriting * 2 : 16;
			h->writing = xreallocarray(h->writing, h->capwriting, sizeof *h->writing);
		}
		h->writing[h->nwriting++] = evcon;
		evhttp_request_set_on_complete_cb(req->ev, http_complete_cb, h);
	}
	http_log_uri(&uri, evhttp_request_get_uri(req->ev));
	if (evhttp_request_get_command(req->ev) == EVHTTP_REQ_HEAD) {
		/* evhttp 2.1 would send the body: announce its length, send none. */
		char len[24];

		snprintf(len, sizeof len, "%zu", evbuffer_get_length(buf));
		evhttp_add_header(out, "Content-Length", len);
		evbuffer_drain(buf, evbuffer_get_length(buf));
	}
	evhttp_send_reply(req->ev, status, http_reason(status), status == 204 ? NULL : buf);
	if (h->metrics != NULL)
		metrics_http(h->metrics, req->route, method, status, secs);
	log_info("%s %s %d %.3f ms", method, strbuf_str(&uri), status, secs * 1000.0);
	strbuf_free(&uri);
	log_set_context(NULL);
	/* req is ours, not evhttp's: freeing it here does not pull anything from under libevent. */
	http_req_free(req);
}

void
http_reply_raw(struct http_req *req, int status, const char *content_type, const char *body,
    size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	if (body != NULL && len > 0)
		evbuffer_add(buf, body, len);
	http_finish(req, status, body != NULL ? content_type : NULL, buf);
	evbuffer_free(buf);
}

void
http_reply_json(struct http_req *req, int status, cJSON *body)
{
	char *text = NULL;

	if (body != NULL) {
		text = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
	}
	if (text != NULL) {
		size_t n = strlen(text);

		text = xreallocarray(text, n + 2, 1);
		text[n] = '\n';
		text[n + 1] = '\0';
	}
	http_reply_raw(req, status, "application/json", text, text ? strlen(text) : 0);
	free(text);
}

void
http_reply_error(struct http_req *req, int status, const char *code, const char *field,
    const char *fmt, ...)
{
	cJSON *root = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(root, "error");
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (field != NULL && field[0] != '\0')
		cJSON_AddStringToObject(e, "field", field);
	else
		cJSON_AddNullToObject(e, "field");
	if (status == 503)
		http_req_add_header(req, "Retry-After", "5");
	if (status == 401)
		http_req_add_header(req, "WWW-Authenticate", "Bearer realm=\"sparkmatch\"");
	if (status >= 500) {
		http_req_enter(req);
		log_warn("answering %d: %s", status, msg);
	}
	http_reply_json(req, status, root);
}

static void
http_reply_err_as(struct http_req *req, const struct err *err, int invalid_status)
{
	switch (err->kind) {
	case ERR_KIND_INVALID:
		http_reply_error(req, invalid_status, invalid_status == 422 ? "unprocessable" : "invalid",
		    err->field, "%s", err->msg);
		return;
	case ERR_KIND_NOT_FOUND:
		http_reply_error(req, 404, "not_found", err->field, "%s", err->msg);
		return;
	case ERR_KIND_CONFLICT:
		http_reply_error(req, 409, "conflict", err->field, "%s", err->msg);
		return;
	case ERR_KIND_UNAVAILABLE:
		http_req_enter(req);
		log_warn("unavailable: %s", err->msg);
		http_reply_error(req, 503, "unavailable", NULL,
		    "the service is temporarily unavailable; retry later");
		return;
	case ERR_KIND_NONE:
	case ERR_KIND_INTERNAL:
		break;
	}
	http_req_enter(req);
	log_error("internal error: %s", err->msg);
	http_reply_error(req, 500, "internal", NULL, "internal error (request %s)", req->id);
}

void
http_reply_err(struct http_req *req, const struct err *err)
{
	http_reply_err_as(req, err, 400);
}

void
http_reply_db_err(struct http_req *req, const struct err *err)
{
	http_reply_err_as(req, err, 422);
}

/* ---- routing ---- */

/*
 * Match path against pattern, capturing {params} (URL-decoded) into req.
 * Returns 1 on a match, 0 on none, -1 when a segment decodes badly.
 */
static int
http_match(struct http_req *req, const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;

	for (size_t i = 0; i < req->nparams; i++)
		free(req->params[i]);
	req->nparams = 0;
	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			size_t seg = strcspn(s, "/"), dlen = 0;
			char *raw, *dec;

			p = strchr(p, '}');
			if (p == NULL || seg == 0 || req->nparams == HTTP_MAX_PARAMS)
				return 0;
			p++;
			raw = xstrndup(s, seg);
			dec = evhttp_uridecode(raw, 0, &dlen);
			free(raw);
			if (dec == NULL || strlen(dec) != dlen) {
				free(dec);
				return -1;
			}
			req->params[req->nparams++] = dec;
			s += seg;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

/* Is this an application/json body (optionally "; charset=utf-8")? */
static bool
http_is_json(const char *ctype)
{
	const char *rest;

	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		return false;
	rest = ctype + 16;
	rest += strspn(rest, " ");
	if (*rest == '\0')
		return true;
	if (*rest != ';')
		return false;
	rest++;
	rest += strspn(rest, " ");
	return strcasecmp(rest, "charset=utf-8") == 0 || strcasecmp(rest, "charset=\"utf-8\"") == 0;
}

/* Is key one of the comma-separated names in list? */
static bool
http_in_list(const char *list, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, ",");

		if (n == klen && strncmp(p, key, n) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Parse and check the query string; answer 400 and return -1 when it is bad. */
static int
http_check_query(struct http_req *req, const char *query)
{
	struct evkeyval *kv, *kv2;

	TAILQ_INIT(&req->query);
	req->query_parsed = true;
	if (query == NULL || query[0] == '\0')
		return 0;
	if (evhttp_parse_query_str(query, &req->query) < 0) {
		http_reply_error(req, 400, "invalid", NULL, "malformed query string");
		return -1;
	}
	TAILQ_FOREACH(kv, &req->query, next) {
		if (!http_in_list(req->r->query, kv->key)) {
			http_reply_error(req, 400, "invalid", kv->key, "unknown query parameter '%s'",
			    kv->key);
			return -1;
		}
		for (kv2 = TAILQ_NEXT(kv, next); kv2 != NULL; kv2 = TAILQ_NEXT(kv2, next)) {
			if (strcmp(kv->key, kv2->key) == 0) {
				http_reply_error(req, 400, "invalid", kv->key,
				    "query parameter '%s' given twice", kv->key);
				return -1;
			}
		}
	}
	return 0;
}

static void
http_gen_cb(struct evhttp_request *ev, void *arg)
{
	struct http *h = arg;
	struct http_req *req = xcalloc(1, sizeof *req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	enum evhttp_cmd_type method = evhttp_request_get_command(ev);
	enum evhttp_cmd_type want = method == EVHTTP_REQ_HEAD ? EVHTTP_REQ_GET : method;
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct strbuf allow = STRBUF_INIT;
	unsigned allowed = 0;
	bool path_known = false;

	req->h = h;
	req->ev = ev;
	req->route = "unmatched";
	clock_gettime(CLOCK_MONOTONIC, &req->start);
	h->nreqs++;
	http_req_make_id(req);
	http_req_enter(req);
	if (h->draining) {
		http_reply_error(req, 503, "shutting_down", NULL, "the server is shutting down");
		goto done;
	}
	if (path == NULL || path[0] != '/') {
		http_reply_error(req, 400, "invalid", NULL, "malformed request target");
		goto done;
	}
	for (size_t i = 0; i < h->nroutes; i++) {
		const struct http_route *r = &h->routes[i];
		int m = http_match(req, r->pattern, path);

		if (m < 0) {
			http_reply_error(req, 400, "invalid", NULL, "malformed percent-encoding in the path");
			goto done;
		}
		if (m == 0)
			continue;
		path_known = true;
		req->route = r->pattern;
		if (r->method == want) {
			req->r = r;
			break;
		}
		allowed |= (unsigned)r->method;
		if (r->method == EVHTTP_REQ_GET)
			allowed |= EVHTTP_REQ_HEAD;
	}
	if (req->r == NULL) {
		if (!path_known) {
			http_reply_error(req, 404, "not_found", NULL, "no such resource");
		} else {
			for (unsigned bit = 1; bit <= EVHTTP_REQ_PATCH; bit <<= 1) {
				if (allowed & bit)
					strbuf_printf(&allow, "%s%s", allow.len ? ", " : "",
					    http_method_name((enum evhttp_cmd_type)bit));
			}
			http_req_add_header(req, "Allow", strbuf_str(&allow));
			http_reply_error(req, 405, "method_not_allowed", NULL,
			    "%s is not allowed here; allowed: %s", http_method_name(method),
			    strbuf_str(&allow));
		}
		goto done;
	}
	req->body_len = evbuffer_get_length(in);
	if ((int64_t)req->body_len > h->lim.max_body) {
		http_reply_error(req, 413, "too_large", NULL,
		    "the body is %zu bytes; at most %lld are accepted (http.max_body)",
		    req->body_len, (long long)h->lim.max_body);
		goto done;
	}
	req->body = xmalloc(req->body_len + 1);
	evbuffer_copyout(in, req->body, req->body_len);
	req->body[req->body_len] = '\0';
	if (req->body_len > 0 && !(req->r->flags & HTTP_ROUTE_BODY)) {
		http_reply_error(req, 400, "invalid", NULL, "this endpoint takes no request body");
		goto done;
	}
	if (req->body_len > 0 && !http_is_json(http_req_header(req, "Content-Type"))) {
		http_reply_error(req, 415, "unsupported_media_type", "Content-Type",
		    "the body must be application/json (UTF-8)");
		goto done;
	}
	if (http_check_query(req, evhttp_uri_get_query(uri)) < 0)
		goto done;
	req->r->fn(req, h->arg);
done:
	strbuf_free(&allow);
	log_set_context(NULL);
}

/* ---- the server ---- */

struct http *
http_new(struct event_base *base, const struct http_route *routes, size_t nroutes, void *arg,
    struct metrics *metrics, const struct http_limits *limits)
{
	struct http *h = xcalloc(1, sizeof *h);

	h->base = base;
	h->routes = routes;
	h->nroutes = nroutes;
	h->arg = arg;
	h->metrics = metrics;
	h->evh = evhttp_new(base);
	if (h->evh == NULL) {
		fprintf(stderr, "fatal: evhttp_new failed\n");
		abort();
	}
	/* Every method reaches us, so a wrong one gets a JSON 405 with Allow. */
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h->evh, http_gen_cb, h);
	evhttp_set_bevcb(h->evh, http_bev_cb, h);
	/* Read the rest of an over-long request before answering, so the client sees the 413. */
	evhttp_set_flags(h->evh, EVHTTP_SERVER_LINGERING_CLOSE);
	event_assign(&h->hook, base, -1, 0, http_hook_cb, h);
	evtimer_assign(&h->resume, base, http_resume_cb, h);
	http_set_limits(h, limits);
	return h;
}

void
http_set_limits(struct http *h, const struct http_limits *limits)
{
	struct timeval tv = { (time_t)(limits->read_timeout_ms / 1000),
		(suseconds_t)(limits->read_timeout_ms % 1000) * 1000 };

	h->lim = *limits;
	/*
	 * libevent's own 413 has an HTML body, so it only backs us up: bodies up
	 * to four times http.max_body are read and refused by http_gen_cb with
	 * a JSON error; only larger ones are cut off by libevent.
	 */
	evhttp_set_max_body_size(h->evh, (ev_ssize_t)(limits->max_body <= INT64_MAX / 4 ?
	    limits->max_body * 4 : limits->max_body));
	evhttp_set_max_headers_size(h->evh, (ev_ssize_t)limits->max_headers);
	evhttp_set_timeout_tv(h->evh, &tv);
	if (h->nconns >= (size_t)h->lim.max_connections)
		http_pause_accept(h, "at http.max_connections");
	else
		http_resume_accept(h);
}

int
http_listen(struct http *h, const char *addr, int port, struct err *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	evutil_socket_t fd;

	h->bound = evhttp_bind_socket_with_handle(h->evh, addr, (ev_uint16_t)port);
	if (h->bound == NULL)
		return err_set(err, ERR_KIND_UNAVAILABLE, "cannot listen on %s:%d: %s", addr, port,
		    strerror(errno));
	h->listener = evhttp_bound_socket_get_listener(h->bound);
	for (size_t i = 0; i < HTTP_MAX_SERVERS; i++) {
		if (http_servers[i] == NULL || http_servers[i] == h) {
			http_servers[i] = h;
			evconnlistener_set_error_cb(h->listener, http_accept_error);
			break;
		}
	}
	fd = evhttp_bound_socket_get_fd(h->bound);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0) {
		if (ss.ss_family == AF_INET)
			h->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			h->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return 0;
}

int
http_port(const struct http *h)
{
	return h->port;
}

void
http_drain(struct http *h)
{
	if (h->draining)
		return;
	h->draining = true;
	if (h->bound != NULL)
		evhttp_del_accept_socket(h->evh, h->bound);
	h->bound = NULL;
	h->listener = NULL;
	event_del(&h->resume);
}

size_t
http_busy(const struct http *h)
{
	return h->nreqs + h->nwriting;
}

size_t
http_connections(const struct http *h)
{
	return h->nconns;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	event_del(&h->hook);
	event_del(&h->resume);
	for (size_t i = 0; i < HTTP_MAX_SERVERS; i++) {
		if (http_servers[i] == h)
			http_servers[i] = NULL;
	}
	/* Closes every connection; their close callbacks still find h. */
	evhttp_free(h->evh);
	free(h->writing);
	free(h->fresh);
	free(h);
}
