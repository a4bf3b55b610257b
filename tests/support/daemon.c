/* daemon.c - start, talk to and stop a real sparkmatchd in tests. */
#include "daemon.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"
#include "testdb.h"
#include "whsig.h"
#include "xmalloc.h"

struct daemon_proc {
	pid_t pid;
	int port;
	bool exited;
	int status;
	char *dir;
	char *conf_path;
	char *log_path;
	char *conninfo;
	bool secrets;
	int notify_fd;
	struct strbuf notes;	/* every message received, each followed by "\n\x1e\n" */
};

static atomic_int daemon_counter;

static long long
daemon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
daemon_write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

void
daemon_write_raw_config(struct daemon_proc *d, const char *text)
{
	/* Write then rename, so a reload never reads half a file. */
	char *tmp = xasprintf("%s.tmp", d->conf_path);

	daemon_write_file(tmp, text, 0600);
	cr_assert_eq(rename(tmp, d->conf_path), 0);
	free(tmp);
}

void
daemon_write_config(struct daemon_proc *d, const char *extra)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb,
	    "# written by tests/support/daemon.c\n"
	    "[database]\n"
	    "conninfo = \"%s\"\n"
	    "reconnect_min = 50ms\n"
	    "reconnect_max = 500ms\n"
	    "[http]\n"
	    "listen = 127.0.0.1\n"
	    "port = 0\n", d->conninfo);
	if (d->secrets)
		strbuf_printf(&sb, "[auth]\nsignup_secret_file = %s/signup.secret\n"
		    "admin_token_file = %s/admin.token\n", d->dir, d->dir);
	strbuf_puts(&sb, "[log]\nlevel = debug\n");
	if (extra != NULL)
		strbuf_printf(&sb, "%s\n", extra);
	daemon_write_raw_config(d, strbuf_str(&sb));
	strbuf_free(&sb);
}

/* Read whatever notifications are waiting, waiting at most timeout_ms for the first. */
static void
daemon_pump(struct daemon_proc *d, int timeout_ms)
{
	struct pollfd pfd = { d->notify_fd, POLLIN, 0 };
	char buf[4096];

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	for (;;) {
		ssize_t n = recv(d->notify_fd, buf, sizeof buf - 1, MSG_DONTWAIT);

		if (n <= 0)
			return;
		strbuf_append(&d->notes, buf, (size_t)n);
		strbuf_puts(&d->notes, "\n\x1e\n");
	}
}

int
daemon_count_notify(struct daemon_proc *d, const char *needle)
{
	const char *p = strbuf_str(&d->notes);
	int n = 0;

	daemon_pump(d, 0);
	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

bool
daemon_wait_notify(struct daemon_proc *d, const char *needle, int timeout_ms)
{
	long long end = daemon_now_ms() + timeout_ms;

	for (;;) {
		daemon_pump(d, 0);
		if (strstr(strbuf_str(&d->notes), needle) != NULL)
			return true;
		if (daemon_now_ms() >= end || daemon_wait_exit(d, 0) >= 0)
			return false;
		daemon_pump(d, 50);
	}
}

char *
daemon_log(const struct daemon_proc *d)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(d->log_path, "r");

	if (f != NULL) {
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			strbuf_append(&sb, buf, n);
		fclose(f);
	}
	return strbuf_detach(&sb);
}

bool
daemon_wait_log(struct daemon_proc *d, const char *needle, int times, int timeout_ms)
{
	long long end = daemon_now_ms() + timeout_ms;

	for (;;) {
		char *log = daemon_log(d);
		const char *p = log;
		int n = 0;

		while ((p = strstr(p, needle)) != NULL) {
			n++;
			p += strlen(needle);
		}
		free(log);
		if (n >= times)
			return true;
		if (daemon_now_ms() >= end)
			return false;
		poll(NULL, 0, 20);
	}
}

int
daemon_wait_exit(struct daemon_proc *d, int timeout_ms)
{
	long long end = daemon_now_ms() + timeout_ms;

	while (!d->exited) {
		int st;
		pid_t r = waitpid(d->pid, &st, WNOHANG);

		if (r == d->pid) {
			d->exited = true;
			d->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (daemon_now_ms() >= end)
			return -1;
		poll(NULL, 0, 10);
	}
	return d->status;
}

void
daemon_kill(struct daemon_proc *d, int sig)
{
	if (!d->exited)
		kill(d->pid, sig);
}

int
daemon_port(const struct daemon_proc *d)
{
	return d->port;
}

pid_t
daemon_pid(const struct daemon_proc *d)
{
	return d->pid;
}

const char *
daemon_dir(const struct daemon_proc *d)
{
	return d->dir;
}

const char *
daemon_config_path(const struct daemon_proc *d)
{
	return d->conf_path;
}

/* A socket bound to a fresh name for NOTIFY_SOCKET; *env receives the variable's value. */
static int
daemon_notify_socket(struct daemon_proc *d, bool path, char **env)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (path) {
		*env = xasprintf("%s/notify.sock", d->dir);
		cr_assert(strlen(*env) < sizeof sun.sun_path, "notify socket path too long");
		strcpy(sun.sun_path, *env);
		len = sizeof sun;
	} else {
		*env = xasprintf("@sparkmatch-test-%ld-%d", (long)getpid(),
		    atomic_fetch_add(&daemon_counter, 1));
		memcpy(sun.sun_path, *env, strlen(*env));
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(*env));
	}
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, len), 0, "bind notify socket: %s",
	    strerror(errno));
	return fd;
}

struct daemon_proc *
daemon_start(const struct daemon_opts *o)
{
	struct daemon_proc *d = xcalloc(1, sizeof *d);
	const char *base = getenv("SPARKMATCH_TEST_TMP");
	char *bin = testdb_binpath("sparkmatchd"), *env = NULL, *p;
	char tmpl[512];
	long long end;
	pid_t parent = getpid();

	snprintf(tmpl, sizeof tmpl, "%s/daemon.XXXXXX", base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpl), "mkdtemp: %s", strerror(errno));
	d->dir = xstrdup(tmpl);
	d->conf_path = xasprintf("%s/sparkmatch.conf", d->dir);
	d->log_path = xasprintf("%s/sparkmatchd.log", d->dir);
	d->conninfo = xstrdup(o->conninfo);
	d->secrets = !o->no_secrets;
	strbuf_init(&d->notes);
	if (d->secrets) {
		char *s = xasprintf("%s/signup.secret", d->dir);

		daemon_write_file(s, DAEMON_SIGNUP_SECRET "\n", 0600);
		free(s);
		s = xasprintf("%s/admin.token", d->dir);
		daemon_write_file(s, DAEMON_ADMIN_TOKEN "\n", 0600);
		free(s);
	}
	daemon_write_config(d, o->extra);
	d->notify_fd = daemon_notify_socket(d, o->path_socket, &env);

	d->pid = fork();
	cr_assert(d->pid >= 0, "fork: %s", strerror(errno));
	if (d->pid == 0) {
		int logfd = open(d->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
		int devnull = open("/dev/null", O_RDWR);

		/* Die with the test, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(logfd, 2);
		setenv("NOTIFY_SOCKET", env, 1);
		if (o->watchdog_usec != NULL)
			setenv("WATCHDOG_USEC", o->watchdog_usec, 1);
		else
			unsetenv("WATCHDOG_USEC");
		unsetenv("WATCHDOG_PID");
		if (o->nofile > 0) {
			struct rlimit rl = { (rlim_t)o->nofile, (rlim_t)o->nofile };

			setrlimit(RLIMIT_NOFILE, &rl);
		}
		execl(bin, "sparkmatchd", "-c", d->conf_path, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	free(bin);
	free(env);

	/* The port is in the first STATUS message, sent once it listens. */
	end = daemon_now_ms() + DAEMON_WAIT_MS;
	while (d->port == 0 && daemon_now_ms() < end && daemon_wait_exit(d, 0) < 0) {
		daemon_pump(d, 50);
		p = strstr(strbuf_str(&d->notes), "listening on 127.0.0.1:");
		if (p != NULL)
			d->port = atoi(p + strlen("listening on 127.0.0.1:"));
	}
	if (d->port == 0) {
		char *log = daemon_log(d);

		cr_assert_fail("sparkmatchd did not start listening; log:\n%s", log);
	}
	if (!o->no_wait_ready && !daemon_wait_notify(d, "READY=1", DAEMON_WAIT_MS)) {
		char *log = daemon_log(d);

		cr_assert_fail("sparkmatchd did not become ready; log:\n%s", log);
	}
	return d;
}

static void
daemon_rmdir(const char *dir)
{
	static const char *const files[] = { "sparkmatch.conf", "sparkmatch.conf.tmp",
		"sparkmatchd.log", "signup.secret", "admin.token", "notify.sock", "other.secret",
		"other.token" };

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);

		unlink(p);
		free(p);
	}
	rmdir(dir);
}

int
daemon_stop(struct daemon_proc *d)
{
	int st;

	if (d == NULL)
		return 0;
	daemon_kill(d, SIGTERM);
	st = daemon_wait_exit(d, DAEMON_WAIT_MS);
	if (st < 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	if (st != 0) {
		char *log = daemon_log(d);

		fprintf(stderr, "sparkmatchd exited with %d; its log:\n%s\n", st, log);
		free(log);
	}
	close(d->notify_fd);
	daemon_rmdir(d->dir);
	strbuf_free(&d->notes);
	free(d->dir);
	free(d->conf_path);
	free(d->log_path);
	free(d->conninfo);
	free(d);
	return st;
}

int
daemon_connect(const struct daemon_proc *d)
{
	struct sockaddr_in sin;
	struct timeval tv = { DAEMON_WAIT_MS / 1000, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)d->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
daemon_send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
daemon_read_response(int fd, struct daemon_resp *out)
{
	struct strbuf in = STRBUF_INIT;
	char buf[8192], *sep;
	size_t hlen;
	long clen = -1;

	memset(out, 0, sizeof *out);
	for (;;) {
		ssize_t n;

		sep = in.len ? strstr(strbuf_str(&in), "\r\n\r\n") : NULL;
		if (sep != NULL) {
			const char *cl;

			hlen = (size_t)(sep - in.data) + 4;
			cl = strcasestr(in.data, "\r\nContent-Length:");
			if (cl != NULL && cl < sep)
				clen = strtol(cl + 17, NULL, 10);
			if (clen >= 0 && in.len >= hlen + (size_t)clen)
				break;
		}
		n = recv(fd, buf, sizeof buf, 0);
		if (n <= 0)
			break;
		strbuf_append(&in, buf, (size_t)n);
	}
	sep = in.len ? strstr(strbuf_str(&in), "\r\n\r\n") : NULL;
	if (sep == NULL || sscanf(in.data, "HTTP/1.%*d %d", &out->status) != 1) {
		strbuf_free(&in);
		return -1;
	}
	hlen = (size_t)(sep - in.data) + 4;
	out->head = xstrndup(in.data, hlen);
	out->body_len = in.len - hlen;
	if (clen >= 0 && (size_t)clen < out->body_len)
		out->body_len = (size_t)clen;
	out->body = xmalloc(out->body_len + 1);
	memcpy(out->body, in.data + hlen, out->body_len);
	out->body[out->body_len] = '\0';
	strbuf_free(&in);
	return 0;
}

int
daemon_http(const struct daemon_proc *d, const char *method, const char *path,
    const char *const *headers, const char *body, size_t len, struct daemon_resp *out)
{
	struct strbuf req = STRBUF_INIT;
	int fd = daemon_connect(d), rc = -1;

	memset(out, 0, sizeof *out);
	if (fd < 0)
		return -1;
	strbuf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
	for (const char *const *h = headers; h != NULL && *h != NULL; h++)
		strbuf_printf(&req, "%s\r\n", *h);
	if (body != NULL)
		strbuf_printf(&req, "Content-Length: %zu\r\n", len);
	strbuf_puts(&req, "\r\n");
	if (body != NULL)
		strbuf_append(&req, body, len);
	if (daemon_send_all(fd, req.data, req.len) == 0)
		rc = daemon_read_response(fd, out);
	close(fd);
	strbuf_free(&req);
	return rc;
}

int
daemon_admin(const struct daemon_proc *d, const char *method, const char *path, const char *body,
    struct daemon_resp *out)
{
	const char *h[] = { "Authorization: Bearer " DAEMON_ADMIN_TOKEN,
		"Content-Type: application/json", NULL };

	return daemon_http(d, method, path, h, body, body ? strlen(body) : 0, out);
}

int
daemon_signup_as(const struct daemon_proc *d, const char *id, long long timestamp,
    const char *secret, const char *signature, const char *content_type, const char *body,
    size_t len, struct daemon_resp *out)
{
	struct whsig_key *k;
	struct err err;
	char *sig = NULL, *hid, *hts, *hsig, *hct;
	int rc;

	k = whsig_key_new(secret ? secret : DAEMON_SIGNUP_SECRET, &err);
	cr_assert_not_null(k, "%s", err.msg);
	cr_assert_eq(whsig_sign(k, id, timestamp, body, len, &sig, &err), 0);
	hid = xasprintf("webhook-id: %s", id);
	hts = xasprintf("webhook-timestamp: %lld", timestamp);
	hsig = xasprintf("webhook-signature: %s", signature ? signature : sig);
	hct = xasprintf("Content-Type: %s", content_type ? content_type : "application/json");
	{
		const char *h[] = { hid, hts, hsig, hct, NULL };

		rc = daemon_http(d, "POST", "/v1/signups", h, body, len, out);
	}
	free(hid);
	free(hts);
	free(hsig);
	free(hct);
	free(sig);
	whsig_key_free(k);
	return rc;
}

int
daemon_signup(const struct daemon_proc *d, const char *body, struct daemon_resp *out, char *id_out,
    size_t id_len)
{
	unsigned char rnd[8];
	char id[64];

	cr_assert_eq(getentropy(rnd, sizeof rnd), 0);
	snprintf(id, sizeof id, "msg_%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
	    rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	if (id_out != NULL)
		snprintf(id_out, id_len, "%s", id);
	return daemon_signup_as(d, id, (long long)time(NULL), NULL, NULL, NULL, body, strlen(body),
	    out);
}

const char *
daemon_resp_header(const struct daemon_resp *r, const char *name)
{
	static char value[1024];
	size_t nl = strlen(name);

	for (const char *p = r->head ? strstr(r->head, "\r\n") : NULL; p != NULL;
	    p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;

		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			size_t n;

			v += strspn(v, " ");
			n = strcspn(v, "\r");
			snprintf(value, sizeof value, "%.*s", (int)n, v);
			return value;
		}
	}
	return NULL;
}

cJSON *
daemon_resp_json(const struct daemon_resp *r)
{
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);

	cr_assert_not_null(j, "not JSON (status %d): %s", r->status, r->body);
	return j;
}

const char *
daemon_resp_error_code(const struct daemon_resp *r)
{
	static char code[64];
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "error"),
	    "code");

	snprintf(code, sizeof code, "%s", cJSON_IsString(c) ? c->valuestring : "");
	cJSON_Delete(j);
	return code;
}

void
daemon_resp_free(struct daemon_resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

struct daemon_proc *
daemon_start_fresh(char **conninfo, PGconn **db, const char *extra)
{
	struct daemon_opts o;

	*conninfo = testdb_create();
	*db = testdb_connect(*conninfo);
	memset(&o, 0, sizeof o);
	o.conninfo = *conninfo;
	o.extra = extra;
	return daemon_start(&o);
}

void
daemon_stop_fresh(struct daemon_proc *d, PGconn *db, char *conninfo)
{
	if (d != NULL)
		cr_expect_eq(daemon_stop(d), 0, "sparkmatchd did not exit cleanly");
	PQfinish(db);
	testdb_drop(conninfo);
}
