/* api.c - the route table and the admin gate. */
#include "api.h"

#include "auth.h"

/* Authenticate an admin, then hand on to the route's handler. */
static UNUSED void
api_admin(struct http_req *req, void *arg)
{
	struct api_env *env = arg;

	auth_admin(env->auth, env->pg, req, http_req_route(req)->then, env);
}

#define GET EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define PATCH EVHTTP_REQ_PATCH
#define DELETE EVHTTP_REQ_DELETE
#define ADMIN(method, pattern, fn, flags, query) { method, pattern, api_admin, flags, query, fn }
#define OPEN(method, pattern, fn, flags, query) { method, pattern, fn, flags, query, NULL }

/* docs/openapi.yaml describes each of these. */
const struct http_route api_routes[] = {
	OPEN(GET, "/healthz", api_healthz, 0, NULL),
	OPEN(GET, "/metrics", api_metrics, 0, NULL),
	OPEN(POST, "/v1/signups", api_signup, HTTP_ROUTE_BODY, NULL),
};

const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
