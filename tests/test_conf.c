/* test_conf.c - the configuration parser: defaults, good files, every kind of bad file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "testdb.h"
#include "xmalloc.h"

Test(conf, defaults_are_documented_values)
{
	struct conf c;

	conf_defaults(&c);
	cr_expect_str_eq(c.db_conninfo, "");
	cr_expect_str_eq(c.http_listen, "127.0.0.1");
	cr_expect_eq(c.http_port, 8080);
	cr_expect_eq(c.http_max_body, 65536);
	cr_expect_eq(c.http_max_headers, 8192);
	cr_expect_eq(c.http_read_timeout_ms, 30000);
	cr_expect_eq(c.auth_signup_tolerance_ms, 300000);
	cr_expect_eq(c.score_coverage, 1000);
	cr_expect_eq(c.score_both_families_bonus, 100);
	cr_expect_eq(c.match_mode, CONF_MODE_OPTIMAL);
	cr_expect_eq(c.match_min_score, 250);
	cr_expect(c.match_forbid_same_organisation);
	cr_expect_eq(c.match_proposal_ttl_ms, 14LL * 86400000);
	cr_expect_eq(c.schedule_interval_ms, 0);
	cr_expect_eq(c.schedule_daily_minute, -1);
	cr_expect_eq(c.log_level, LOG_LEVEL_INFO);
	conf_free(&c);
}

Test(conf, parses_every_type)
{
	struct conf c;
	struct err err;
	const char *text =
	    "# comment\n"
	    "[database]\n"
	    "conninfo = \"host=/tmp dbname=x\"\n"
	    "[http]\n"
	    "port = 0\n"
	    "max_body = 1M   # trailing comment\n"
	    "read_timeout = 2m\n"
	    "[match]\n"
	    "mode = stable\n"
	    "same_organisation = allow\n"
	    "require_approval = yes\n"
	    "[schedule]\n"
	    "interval = 90\n"
	    "daily_at = 07:45\n"
	    "[log]\n"
	    "level = debug\n";

	cr_assert_eq(conf_load_string(&c, "t.conf", text, &err), 0, "%s", err.msg);
	cr_expect_str_eq(c.db_conninfo, "host=/tmp dbname=x");
	cr_expect_eq(c.http_port, 0);
	cr_expect_eq(c.http_max_body, 1 << 20);
	cr_expect_eq(c.http_read_timeout_ms, 120000);
	cr_expect_eq(c.match_mode, CONF_MODE_STABLE);
	cr_expect_not(c.match_forbid_same_organisation);
	cr_expect(c.match_require_approval);
	cr_expect_eq(c.schedule_interval_ms, 90000, "a bare number is seconds");
	cr_expect_eq(c.schedule_daily_minute, 7 * 60 + 45);
	cr_expect_eq(c.log_level, LOG_LEVEL_DEBUG);
	conf_free(&c);
}

struct bad_case {
	const char *text;
	const char *expect;	/* substring of the message, with file:line */
};

Test(conf, bad_files_name_file_and_line)
{
	static const struct bad_case cases[] = {
		{ "[http]\nport = 70000\n", "bad.conf:2: http.port: 70000 is out of range" },
		{ "[http]\nport = eighty\n", "bad.conf:2: http.port: expected a whole number" },
		{ "[http]\nport = -1\n", "bad.conf:2: http.port: expected a whole number" },
		{ "[nope]\n", "bad.conf:1: unknown section [nope]" },
		{ "[http]\n\nbogus = 1\n", "bad.conf:3: unknown key 'bogus' in [http]" },
		{ "port = 1\n", "bad.conf:1: key 'port' outside any [section]" },
		{ "[http]\nport\n", "bad.conf:2: expected 'key = value'" },
		{ "[http]\nport = 1\nport = 2\n", "bad.conf:3: http.port is set twice" },
		{ "[http\n", "bad.conf:1: malformed section header" },
		{ "[http]\nread_timeout = soon\n", "bad.conf:2: http.read_timeout: expected a duration" },
		{ "[http]\nread_timeout = 10ms\n", "bad.conf:2: http.read_timeout: 10ms is out of range" },
		{ "[http]\nmax_body = 12x\n", "bad.conf:2: http.max_body: expected a size" },
		{ "[match]\nmode = best\n", "bad.conf:2: match.mode: expected optimal or stable" },
		{ "[match]\nrequire_approval = maybe\n", "bad.conf:2: match.require_approval: expected true or false" },
		{ "[match]\nsame_organisation = sometimes\n", "bad.conf:2: match.same_organisation: expected forbid or allow" },
		{ "[schedule]\ndaily_at = 25:00\n", "bad.conf:2: schedule.daily_at: expected a UTC time HH:MM" },
		{ "[schedule]\ndaily_at = 7:5\n", "bad.conf:2: schedule.daily_at: expected a UTC time HH:MM" },
		{ "[log]\nlevel = loud\n", "bad.conf:2: log.level: expected error, warn, info or debug" },
		{ "[auth]\nsignup_secret_file = \"/x\n", "bad.conf:2: auth.signup_secret_file: unterminated quoted value" },
		{ "[database]\nreconnect_min = 1m\nreconnect_max = 1s\n", "reconnect_min is larger than database.reconnect_max" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct conf c;
		struct err err;

		err_clear(&err);
		cr_expect_eq(conf_load_string(&c, "bad.conf", cases[i].text, &err), -1,
		    "accepted: %s", cases[i].text);
		cr_expect(strstr(err.msg, cases[i].expect) != NULL, "case %zu: got '%s', want '%s'",
		    i, err.msg, cases[i].expect);
		/* A failed load leaves defaults, never half a file. */
		cr_expect_eq(c.http_port, 8080);
		conf_free(&c);
	}
}

Test(conf, missing_file_is_reported)
{
	struct conf c;
	struct err err;

	cr_assert_eq(conf_load(&c, "/nonexistent/sparkmatch.conf", &err), -1);
	cr_expect(strstr(err.msg, "/nonexistent/sparkmatch.conf: cannot open") != NULL, "%s", err.msg);
	conf_free(&c);
}

/* The sample in config/ must parse, keep every default, and mention every key. */
Test(conf, sample_documents_every_key)
{
	char *path = testdb_srcpath("config/sparkmatch.conf");
	struct conf sample, dflt;
	struct err err;
	char *dump = NULL, *line, *save = NULL, *text = NULL;
	size_t dlen = 0, tlen;
	FILE *f;

	cr_assert_eq(conf_load(&sample, path, &err), 0, "%s", err.msg);
	conf_defaults(&dflt);
	f = open_memstream(&dump, &dlen);
	conf_dump(&dflt, f);
	fclose(f);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	text = xcalloc(1, 1 << 16);
	tlen = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	cr_assert(tlen > 0);
	for (line = strtok_r(dump, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[80];

		if (line[0] == '[' || line[0] == '\0')
			continue;
		snprintf(key, sizeof key, "\n%.*s =", (int)strcspn(line, " "), line);
		cr_expect(strstr(text, key) != NULL, "config/sparkmatch.conf does not document '%s'", key + 1);
	}
	{
		char buf[64];

		conf_restart_keys(&sample, &dflt, buf, sizeof buf);
		cr_expect_str_eq(buf, "", "sample differs from defaults in %s", buf);
		cr_expect_eq(sample.score_tz_penalty_per_hour, dflt.score_tz_penalty_per_hour);
		cr_expect_eq(sample.match_min_score, dflt.match_min_score);
	}
	free(text);
	free(dump);
	free(path);
	conf_free(&sample);
	conf_free(&dflt);
}

Test(conf, restart_keys_and_copy)
{
	struct conf a, b, c;
	struct err err;
	char buf[128];

	cr_assert_eq(conf_load_string(&a, "a", "[http]\nport = 1\nmax_body = 2k\n", &err), 0);
	cr_assert_eq(conf_load_string(&b, "b", "[http]\nport = 2\nmax_body = 4k\n", &err), 0);
	conf_restart_keys(&a, &b, buf, sizeof buf);
	cr_expect_str_eq(buf, "http.port");
	conf_copy(&c, &a);
	conf_restart_keys(&a, &c, buf, sizeof buf);
	cr_expect_str_eq(buf, "");
	conf_free(&a);
	conf_free(&b);
	conf_free(&c);
}

Test(conf, secrets_are_read_and_trimmed)
{
	char path[] = "/tmp/sparkmatch-secret-XXXXXX";
	int fd = mkstemp(path);
	char *s = NULL;
	struct err err;

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "  whsec_abc  \nsecond line\n", 26), 26);
	close(fd);
	cr_assert_eq(conf_read_secret(path, &s, &err), 0, "%s", err.msg);
	cr_expect_str_eq(s, "whsec_abc");
	free(s);
	cr_expect_eq(conf_read_secret("", &s, &err), -1);
	cr_expect_eq(conf_read_secret("/nonexistent", &s, &err), -1);
	cr_expect(strstr(err.msg, "whsec") == NULL);
	unlink(path);
}

Test(conf, daily_at_waits_until_the_next_occurrence)
{
	/* 2026-11-24 00:00:00 UTC, a fixed day so the expectations are exact. */
	const time_t midnight = 1795478400;

	cr_assert_eq(midnight % 86400, 0);
	/* 06:30 is 6.5 hours after midnight. */
	cr_expect_eq(conf_daily_wait(6 * 60 + 30, midnight), 6 * 3600 + 30 * 60);
	/* At 06:29:59 it is one second away; at 06:30:00 it has fired: tomorrow. */
	cr_expect_eq(conf_daily_wait(390, midnight + 390 * 60 - 1), 1);
	cr_expect_eq(conf_daily_wait(390, midnight + 390 * 60), 86400);
	cr_expect_eq(conf_daily_wait(390, midnight + 390 * 60 + 1), 86399);
	/* 00:00 from 23:59:30 is 30 seconds, across the date line. */
	cr_expect_eq(conf_daily_wait(0, midnight + 86400 - 30), 30);
	/* 23:59 from just after midnight. */
	cr_expect_eq(conf_daily_wait(23 * 60 + 59, midnight + 1), 86340 - 1);
}
