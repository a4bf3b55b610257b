/* main.c - sparkmatchd: options, configuration, and the server's life. */
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "log.h"
#include "paths.h"
#include "server.h"
#include "xmalloc.h"

static void
usage(FILE *f, const char *dflt)
{
	fprintf(f,
	    "usage: sparkmatchd [-t] [-c CONFIG]\n"
	    "\n"
	    "  -c CONFIG  configuration file (default %s)\n"
	    "  -t         check the configuration and its secret files, then exit\n"
	    "  -h         this help\n"
	    "\n"
	    "Signals: SIGHUP reloads the configuration; SIGTERM stops accepting, finishes what is\n"
	    "in flight and exits (a second SIGTERM exits at once). See sparkmatchd(8).\n",
	    dflt);
}

int
main(int argc, char **argv)
{
	char *dflt = paths_default_config();
	const char *path = dflt;
	struct server *srv = NULL;
	struct auth *a;
	struct conf conf;
	struct err err;
	int opt, check = 0, rc = 1;

	memset(&conf, 0, sizeof conf);
	while ((opt = getopt(argc, argv, "c:th")) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'h':
			usage(stdout, dflt);
			rc = 0;
			goto done;
		default:
			usage(stderr, dflt);
			rc = 2;
			goto done;
		}
	}
	if (optind != argc) {
		usage(stderr, dflt);
		rc = 2;
		goto done;
	}
	xmalloc_init_cjson();
	if (conf_load(&conf, path, &err) < 0) {
		fprintf(stderr, "sparkmatchd: %s\n", err.msg);
		goto done;
	}
	log_set_level((enum log_level)conf.log_level);
	if (check) {
		a = auth_new(&conf, &err);
		if (a == NULL)
			fprintf(stderr, "sparkmatchd: %s\n", err.msg);
		else
			printf("%s: configuration ok\n", path);
		rc = a == NULL;
		auth_free(a);
		goto done;
	}
	/* A client that goes away mid-answer must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if (evthread_use_pthreads() < 0) {
		fprintf(stderr, "sparkmatchd: libevent has no thread support\n");
		goto done;
	}
	log_info("sparkmatchd starting (pid %ld), configuration %s", (long)getpid(), path);
	srv = server_new(path, &conf, &err);
	if (srv == NULL) {
		log_error("cannot start: %s", err.msg);
		goto done;
	}
	rc = server_run(srv);
	server_free(srv);
	log_info("sparkmatchd stopped");
done:
	/* server_new() took conf over (and left it zeroed) when it succeeded. */
	conf_free(&conf);
	free(dflt);
	return rc;
}
