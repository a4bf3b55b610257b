/*
 * test_systemd_unit.c - systemd/sparkmatchd.service: the settings the daemon
 * relies on, and `systemd-analyze security --offline=yes` scoring it 2.0 or
 * better (skipped where systemd-analyze is not installed).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "testdb.h"
#include "xmalloc.h"

static char *
slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s", path);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_append(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

/* The unit with the install-time placeholders filled in, written to a temporary file. */
static char *
installed_unit(void)
{
	const char *base = getenv("SPARKMATCH_TEST_TMP");
	char *src = testdb_srcpath("systemd/sparkmatchd.service");
	char *text = slurp(src), *path, *p;
	struct strbuf out = STRBUF_INIT;
	FILE *f;

	for (p = text; *p != '\0';) {
		if (strncmp(p, "@SBINDIR@", 9) == 0) {
			strbuf_puts(&out, "/usr/local/sbin");
			p += 9;
		} else if (strncmp(p, "@SYSCONFDIR@", 12) == 0) {
			strbuf_puts(&out, "/usr/local/etc");
			p += 12;
		} else {
			strbuf_putc(&out, *p++);
		}
	}
	path = xasprintf("%s/unit-%ld/sparkmatchd.service", base ? base : "/tmp", (long)getpid());
	p = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	mkdir(p, 0700);
	free(p);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(strbuf_str(&out), f);
	fclose(f);
	strbuf_free(&out);
	free(text);
	free(src);
	return path;
}

Test(systemd_unit, has_what_the_daemon_relies_on)
{
	char *src = testdb_srcpath("systemd/sparkmatchd.service");
	char *text = slurp(src);
	static const char *const want[] = {
		"\nType=notify\n",
		"\nExecStart=@SBINDIR@/sparkmatchd -c @SYSCONFDIR@/sparkmatch/sparkmatch.conf\n",
		"\nExecReload=/bin/kill -HUP $MAINPID\n",
		"\nWatchdogSec=",
		"\nNoNewPrivileges=yes\n",
		"\nProtectSystem=strict\n",
		"\nPrivateTmp=yes\n",
		"\nPrivateDevices=yes\n",
		"\nProtectHome=yes\n",
		"\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n",
		"\nSystemCallFilter=@system-service\n",
		"\nCapabilityBoundingSet=\n",
		"\nMemoryDenyWriteExecute=yes\n",
		"\nLoadCredential=",
		"\nDynamicUser=yes\n",
	};

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_assert_not_null(strstr(text, want[i]), "missing: %s", want[i] + 1);
	free(text);
	free(src);
}

Test(systemd_unit, security_exposure_is_at_most_2)
{
	char *unit, *cmd, *dir;
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	const char *at;
	double score;
	size_t n;
	FILE *p;
	int st;

	if (system("command -v systemd-analyze >/dev/null 2>&1") != 0)
		cr_skip_test("systemd-analyze is not installed");
	unit = installed_unit();
	cmd = xasprintf("systemd-analyze security --offline=yes --no-pager '%s' 2>&1", unit);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		strbuf_append(&out, buf, n);
	st = pclose(p);
	at = strstr(strbuf_str(&out), "Overall exposure level for sparkmatchd.service: ");
	if (at == NULL && WIFEXITED(st) && strstr(strbuf_str(&out), "--offline") != NULL)
		cr_skip_test("this systemd-analyze cannot analyse offline");
	cr_assert_not_null(at, "unexpected output:\n%s", strbuf_str(&out));
	score = strtod(at + strlen("Overall exposure level for sparkmatchd.service: "), NULL);
	cr_assert_leq(score, 2.0, "exposure %.1f > 2.0:\n%s", score, strbuf_str(&out));
	unlink(unit);
	dir = xstrndup(unit, (size_t)(strrchr(unit, '/') - unit));
	rmdir(dir);
	free(dir);
	strbuf_free(&out);
	free(cmd);
	free(unit);
}
