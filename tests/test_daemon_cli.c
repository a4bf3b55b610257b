/*
 * test_daemon_cli.c - the command-line side of the daemon's API, against a
 * real sparkmatchd: `sparkmatch token` tokens used as bearer tokens, and
 * `sparkmatch signup-post` delivering signed sign-ups from JSON and CSV.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "strbuf.h"
#include "testdb.h"
#include "xmalloc.h"

static char *conninfo;
static struct daemon_proc *d;
static PGconn *db;

static void
setup(void)
{
	d = daemon_start_fresh(&conninfo, &db, NULL);
}

static void
teardown(void)
{
	daemon_stop_fresh(d, db, conninfo);
	d = NULL;
}

TestSuite(daemon_cli, .init = setup, .fini = teardown, .timeout = 120);

/* Run `sparkmatch -d CONNINFO args`; stdout into out (caller frees), stderr into err. */
static int
cli(const char *args, char **out, char **errout)
{
	char *bin = testdb_binpath("sparkmatch");
	char errpath[] = "/tmp/sparkmatch-cli-err.XXXXXX";
	int efd = mkstemp(errpath);
	char *cmd = xasprintf("%s -d '%s' %s 2>%s", bin, conninfo, args, errpath);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *p, *e;
	int st;

	cr_assert(efd >= 0);
	close(efd);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		strbuf_append(&sb, buf, n);
	st = pclose(p);
	*out = strbuf_detach(&sb);
	e = fopen(errpath, "r");
	while (e != NULL && (n = fread(buf, 1, sizeof buf, e)) > 0)
		strbuf_append(&sb, buf, n);
	if (e != NULL)
		fclose(e);
	unlink(errpath);
	if (errout != NULL)
		*errout = strbuf_detach(&sb);
	strbuf_free(&sb);
	free(cmd);
	free(bin);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Skip when the command is not (yet) in the CLI's table. */
static void
need_command(const char *name)
{
	char *args = xasprintf("%s --help", name), *out, *err;
	int rc = cli(args, &out, &err);

	free(args);
	free(out);
	free(err);
	if (rc == 2)
		cr_skip_test("`sparkmatch %s` is not registered in cli/main.c", name);
}

static char *
write_tmp(const char *suffix, const char *text)
{
	const char *base = getenv("SPARKMATCH_TEST_TMP");
	char *path = xasprintf("%s/cli-%ld-%s", base ? base : "/tmp", (long)getpid(), suffix);
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(daemon_cli, token_create_use_list_revoke)
{
	char *out, *err, hdr[160];
	const char *h[] = { hdr, NULL };
	struct daemon_resp r;

	need_command("token");
	cr_assert_eq(cli("token create ops-team", &out, &err), 0, "%s", err);
	out[strcspn(out, "\n")] = '\0';
	cr_assert_eq(strncmp(out, "smk_", 4), 0, "%s", out);
	cr_assert_eq(strlen(out), 47);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", out);
	cr_assert_eq(daemon_http(d, "GET", "/v1/skills", h, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	daemon_resp_free(&r);
	/* Only the hash is stored. */
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM api_tokens WHERE name = 'ops-team' AND "
	    "length(token_sha256) = 32"), 1);
	free(out);
	free(err);

	cr_assert_eq(cli("token create ops-team", &out, &err), 1);
	cr_assert_not_null(strstr(err, "already exists"), "%s", err);
	free(out);
	free(err);

	cr_assert_eq(cli("token list", &out, &err), 0);
	cr_assert_not_null(strstr(out, "ops-team"));
	cr_assert_null(strstr(out, "smk_"));
	free(out);
	free(err);

	cr_assert_eq(cli("token revoke ops-team", &out, &err), 0, "%s", err);
	free(out);
	free(err);
	cr_assert_eq(daemon_http(d, "GET", "/v1/skills", h, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 401);
	daemon_resp_free(&r);
	cr_assert_eq(cli("token revoke ops-team", &out, &err), 1);
	free(out);
	free(err);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM audit_log WHERE action IN "
	    "('token.create', 'token.revoke')"), 2);
}

static char *
post_args(const char *extra, const char *file)
{
	return xasprintf("signup-post --url http://127.0.0.1:%d --secret-file %s/signup.secret %s %s",
	    daemon_port(d), daemon_dir(d), extra, file);
}

Test(daemon_cli, signup_post_delivers_json_lines_arrays_and_csv)
{
	char *lines = write_tmp("a.jsonl",
	    "{\"role\":\"mentee\",\"external_id\":\"j1\",\"name\":\"J One\",\"email\":\"j1@example.org\","
	    "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"vision\",\"priority\":4}]}\n"
	    "\n"
	    "{\"external_id\":\"j2\",\"name\":\"J Two\",\"email\":\"j2@example.org\","
	    "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"change\",\"priority\":2}]}\n");
	char *array = write_tmp("b.json",
	    "[{\"role\":\"mentor\",\"external_id\":\"m1\",\"name\":\"M One\",\"email\":\"m1@example.org\","
	    "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"strengths\":[{\"skill\":\"vision\",\"level\":5}]}]");
	char *csv = testdb_srcpath("config/cohort/mentees.csv");
	char *args, *out, *err;
	long long rows;

	need_command("signup-post");
	args = post_args("--role mentee", lines);
	cr_assert_eq(cli(args, &out, &err), 0, "%s%s", out, err);
	cr_assert_not_null(strstr(out, "j1: 201 created"), "%s", out);
	free(args);
	free(out);
	free(err);
	args = post_args("", array);
	cr_assert_eq(cli(args, &out, &err), 0, "%s%s", out, err);
	free(args);
	free(out);
	free(err);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees"), 2);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentors"), 1);

	args = post_args("", csv);
	cr_assert_eq(cli(args, &out, &err), 0, "%s%s", out, err);
	rows = testdb_scalar(db, "SELECT count(*) FROM mentees");
	cr_assert_gt(rows, 2);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM signup_keys"), rows + 1);
	free(out);
	free(err);
	/* Posting the same file again updates, with fresh webhook ids. */
	cr_assert_eq(cli(args, &out, &err), 0, "%s", err);
	cr_assert_not_null(strstr(out, "200 updated"), "%s", out);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees"), rows);
	free(args);
	free(out);
	free(err);
	unlink(lines);
	unlink(array);
	free(lines);
	free(array);
	free(csv);
}

Test(daemon_cli, signup_post_reports_refusals)
{
	char *file = write_tmp("c.jsonl",
	    "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"X\",\"email\":\"x@example.org\","
	    "\"timezone\":\"UTC\",\"languages\":[\"en\"],\"goals\":[{\"skill\":\"juggling\",\"priority\":4}]}\n");
	char *wrong = write_tmp("wrong.secret", "whsec_bm90LXRoZS1yaWdodC1zZWNyZXQ=\n");
	char *args, *out, *err;

	need_command("signup-post");
	args = post_args("", file);
	cr_assert_eq(cli(args, &out, &err), 1);
	cr_assert_not_null(strstr(err, "422"), "%s", err);
	cr_assert_not_null(strstr(err, "unknown skill code"), "%s", err);
	free(args);
	free(out);
	free(err);
	args = xasprintf("signup-post --url http://127.0.0.1:%d/v1/signups --secret-file %s %s",
	    daemon_port(d), wrong, file);
	cr_assert_eq(cli(args, &out, &err), 1);
	cr_assert_not_null(strstr(err, "401"), "%s", err);
	free(args);
	free(out);
	free(err);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM mentees"), 0);
	unlink(file);
	unlink(wrong);
	free(file);
	free(wrong);
}
