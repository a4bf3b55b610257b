/*
 * cmd_signup_post.c - `sparkmatch signup-post`: post sign-ups to a running
 * sparkmatchd the way the sign-up form does, each with a fresh webhook-id
 * and a Standard Webhooks signature (lib/whsig).
 *
 * Input files: .csv (one sign-up per row, as `sparkmatch import` reads
 * them), or JSON: one object, an array of objects, or one object per line.
 * A delivery that fails for a passing reason (no connection, 429, 5xx) is
 * retried with the same webhook-id, so the daemon applies it at most once.
 */
#include <curl/curl.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "conf.h"
#include "csv.h"
#include "json.h"
#include "signup.h"
#include "strbuf.h"
#include "whsig.h"
#include "xmalloc.h"

struct post {
	CURL *curl;
	char *url;
	struct whsig_key *key;
	int retries;
	int sent, failed;
};

static int
post_usage(FILE *f, int rc)
{
	fprintf(f,
	    "usage: sparkmatch signup-post --url URL --secret-file FILE [--role mentee|mentor]\n"
	    "                              [--retries N] FILE.csv|FILE.json...\n"
	    "\n"
	    "  --url URL          the daemon (http://host:port) or its hook (.../v1/signups)\n"
	    "  --secret-file FILE the webhook secret (whsec_...), as in auth.signup_secret_file\n"
	    "  --role ROLE        the role of CSV rows (default: from the columns) or of JSON\n"
	    "                     objects that do not say\n"
	    "  --retries N        attempts after a passing failure (default 5)\n");
	return rc;
}

static size_t
post_collect(char *data, size_t size, size_t n, void *arg)
{
	strbuf_append(arg, data, size * n);
	return size * n;
}

/* A short summary of the daemon's answer: its error message, or the id it gave. */
static void
post_describe(long status, const char *body, char *out, size_t len)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(j, "replayed");

	if (cJSON_IsString(m))
		snprintf(out, len, "%ld %s", status, m->valuestring);
	else if (cJSON_IsNumber(id))
		snprintf(out, len, "%ld %s (id %.0f)%s", status, status == 201 ? "created" : "updated",
		    id->valuedouble, cJSON_IsTrue(rep) ? ", already applied" : "");
	else
		snprintf(out, len, "%ld", status);
	cJSON_Delete(j);
}

/* Deliver one body (retrying passing failures); 0 when the daemon took it. */
static int
post_one(struct post *p, const char *where, const char *label, const char *body)
{
	unsigned char rnd[12];
	char id[40], desc[600], *sig = NULL;
	struct strbuf resp = STRBUF_INIT;
	struct err err;
	long status = 0;
	int delay_ms = 500, rc = -1;

	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		fprintf(stderr, "%s: the random number generator failed\n", where);
		return -1;
	}
	strcpy(id, "msg_");
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(id + 4 + 2 * i, 3, "%02x", rnd[i]);
	for (int attempt = 0; attempt <= p->retries; attempt++) {
		struct curl_slist *h = NULL;
		char hdr[512];
		long long ts = (long long)time(NULL);
		CURLcode cc;

		/* Re-signed each time: the timestamp must be fresh, the id stays. */
		free(sig);
		if (whsig_sign(p->key, id, ts, body, strlen(body), &sig, &err) < 0) {
			fprintf(stderr, "%s: %s\n", where, err.msg);
			goto done;
		}
		h = curl_slist_append(h, "Content-Type: application/json");
		snprintf(hdr, sizeof hdr, "webhook-id: %s", id);
		h = curl_slist_append(h, hdr);
		snprintf(hdr, sizeof hdr, "webhook-timestamp: %lld", ts);
		h = curl_slist_append(h, hdr);
		snprintf(hdr, sizeof hdr, "webhook-signature: %s", sig);
		h = curl_slist_append(h, hdr);
		strbuf_reset(&resp);
		curl_easy_setopt(p->curl, CURLOPT_URL, p->url);
		curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, post_collect);
		curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, &resp);
		cc = curl_easy_perform(p->curl);
		curl_slist_free_all(h);
		if (cc == CURLE_OK) {
			curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &status);
			if (status >= 200 && status < 300) {
				post_describe(status, strbuf_str(&resp), desc, sizeof desc);
				printf("%s %s: %s\n", where, label, desc);
				rc = 0;
				goto done;
			}
			if (status != 429 && status < 500)
				break;
			snprintf(desc, sizeof desc, "HTTP %ld", status);
		} else {
			snprintf(desc, sizeof desc, "%s", curl_easy_strerror(cc));
		}
		if (attempt < p->retries) {
			fprintf(stderr, "%s %s: %s; retrying in %d ms\n", where, label, desc, delay_ms);
			poll(NULL, 0, delay_ms);
			delay_ms = delay_ms * 2 > 10000 ? 10000 : delay_ms * 2;
		}
	}
	if (status != 0)
		post_describe(status, strbuf_str(&resp), desc, sizeof desc);
	fprintf(stderr, "%s %s: refused: %s\n", where, label, desc);
done:
	free(sig);
	strbuf_free(&resp);
	return rc;
}

/* Send one JSON object, adding the role when it has none. */
static void
post_object(struct post *p, const char *where, cJSON *obj, const char *role)
{
	const cJSON *ext = cJSON_GetObjectItemCaseSensitive(obj, "external_id");
	char *body;

	if (role != NULL && cJSON_IsObject(obj) && !cJSON_HasObjectItem(obj, "role"))
		cJSON_AddStringToObject(obj, "role", role);
	body = cJSON_PrintUnformatted(obj);
	if (post_one(p, where, cJSON_IsString(ext) ? ext->valuestring : "(no external_id)", body) == 0)
		p->sent++;
	else
		p->failed++;
	free(body);
}

static int
post_csv(struct post *p, const char *path, const char *forced_role)
{
	const char *const *fields;
	char **header = NULL, where[512];
	const char *role = forced_role;
	struct csv *c;
	struct err err;
	int n, nh = 0, r, rc = -1;

	c = csv_open(path, &err);
	if (c == NULL) {
		fprintf(stderr, "sparkmatch signup-post: %s\n", err.msg);
		return -1;
	}
	r = csv_next(c, &fields, &nh, &err);
	if (r <= 0) {
		fprintf(stderr, "sparkmatch signup-post: %s\n", r < 0 ? err.msg : "empty file");
		goto done;
	}
	header = xcalloc((size_t)nh, sizeof *header);
	for (int k = 0; k < nh; k++) {
		header[k] = xstrdup(fields[k]);
		if (role == NULL && strcmp(fields[k], "goals") == 0)
			role = "mentee";
		if (role == NULL && strcmp(fields[k], "strengths") == 0)
			role = "mentor";
	}
	if (role == NULL) {
		fprintf(stderr, "sparkmatch signup-post: %s: neither a goals nor a strengths column "
		    "(or pass --role)\n", path);
		goto done;
	}
	while ((r = csv_next(c, &fields, &n, &err)) > 0) {
		cJSON *obj = signup_csv_row((const char *const *)header, fields, n, role, &err);

		snprintf(where, sizeof where, "%s:%d", path, csv_line(c));
		if (obj == NULL) {
			fprintf(stderr, "%s: %s\n", where, err.msg);
			p->failed++;
			continue;
		}
		post_object(p, where, obj, NULL);
		cJSON_Delete(obj);
	}
	if (r < 0) {
		fprintf(stderr, "sparkmatch signup-post: %s\n", err.msg);
		goto done;
	}
	rc = 0;
done:
	for (int k = 0; k < nh && header != NULL; k++)
		free(header[k]);
	free(header);
	csv_free(c);
	return rc;
}

static int
post_json(struct post *p, const char *path, const char *role)
{
	struct strbuf text = STRBUF_INIT;
	char buf[8192], where[512];
	struct err err;
	cJSON *all;
	size_t n;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "sparkmatch signup-post: %s: cannot open\n", path);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_append(&text, buf, n);
	if (f != stdin)
		fclose(f);
	all = json_parse_strict(strbuf_str(&text), text.len, &err);
	if (cJSON_IsObject(all)) {
		post_object(p, path, all, role);
	} else if (cJSON_IsArray(all)) {
		cJSON *item;
		int i = 0;

		cJSON_ArrayForEach(item, all) {
			snprintf(where, sizeof where, "%s[%d]", path, i++);
			post_object(p, where, item, role);
		}
	} else {
		/* JSON lines: one object per non-empty line. */
		int lineno = 0;

		for (char *line = text.data, *next; line != NULL && *line != '\0'; line = next) {
			cJSON *obj;

			next = strchr(line, '\n');
			if (next != NULL)
				*next++ = '\0';
			lineno++;
			if (line[strspn(line, " \t\r")] == '\0')
				continue;
			snprintf(where, sizeof where, "%s:%d", path, lineno);
			obj = json_parse_object(line, strlen(line), &err);
			if (obj == NULL) {
				fprintf(stderr, "%s: %s\n", where, err.msg);
				p->failed++;
				continue;
			}
			post_object(p, where, obj, role);
			cJSON_Delete(obj);
		}
	}
	cJSON_Delete(all);
	strbuf_free(&text);
	return 0;
}

static bool
post_is_csv(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && strcasecmp(path + n - 4, ".csv") == 0;
}

int
cmd_signup_post(int argc, char **argv)
{
	const char *url = NULL, *secret_file = NULL, *role = NULL;
	struct post p;
	char *secret = NULL;
	struct err err;
	int i, rc = 1;

	memset(&p, 0, sizeof p);
	p.retries = 5;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return post_usage(stdout, 0);
		if (i + 1 >= argc)
			return post_usage(stderr, 2);
		if (strcmp(argv[i], "--url") == 0) {
			url = argv[++i];
		} else if (strcmp(argv[i], "--secret-file") == 0) {
			secret_file = argv[++i];
		} else if (strcmp(argv[i], "--role") == 0) {
			role = argv[++i];
			if (strcmp(role, "mentee") != 0 && strcmp(role, "mentor") != 0)
				return post_usage(stderr, 2);
		} else if (strcmp(argv[i], "--retries") == 0) {
			p.retries = atoi(argv[++i]);
			if (p.retries < 0 || p.retries > 100)
				return post_usage(stderr, 2);
		} else {
			return post_usage(stderr, 2);
		}
	}
	if (url == NULL || secret_file == NULL || i >= argc)
		return post_usage(stderr, 2);
	if (conf_read_secret(secret_file, &secret, &err) < 0 ||
	    (p.key = whsig_key_new(secret, &err)) == NULL) {
		fprintf(stderr, "sparkmatch signup-post: %s\n", err.msg);
		goto done;
	}
	/* A bare server address gets the hook's path. */
	{
		const char *path = strstr(url, "://");

		path = path ? strchr(path + 3, '/') : NULL;
		if (path == NULL || strcmp(path, "/") == 0)
			p.url = xasprintf("%.*s/v1/signups", (int)(path ? (size_t)(path - url) : strlen(url)), url);
		else
			p.url = xstrdup(url);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (p.curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "sparkmatch signup-post: cannot initialise libcurl\n");
		goto done;
	}
	curl_easy_setopt(p.curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(p.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p.curl, CURLOPT_USERAGENT, "sparkmatch-signup-post");
	for (; i < argc; i++) {
		if (post_is_csv(argv[i]) ? post_csv(&p, argv[i], role) < 0 : post_json(&p, argv[i], role) < 0)
			p.failed++;
	}
	fprintf(stderr, "%d sign-up(s) delivered, %d failed\n", p.sent, p.failed);
	rc = p.failed == 0 ? 0 : 1;
done:
	if (p.curl != NULL) {
		curl_easy_cleanup(p.curl);
		curl_global_cleanup();
	}
	whsig_key_free(p.key);
	free(p.url);
	free(secret);
	return rc;
}
