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
#include "server.h"
#include "xmalloc.h"

#ifndef SPARKMATCH_SYSCONFDIR
#define SPARKMATCH_SYSCONFDIR "/usr/local/etc"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sparkmatchd [-t] [-c CONFIG]\n"
	    "\n"
	    "  -c CONFIG  configuration file (default %s/sparkmatch/sparkmatch.conf)\n"
	    "  -t         check the configuration and its secret files, then exit\n"
	    "  -h         this help\n"
	    "\n"
	    "Signals: SIGHUP reloads the configuration; SIGTERM stops accepting, finishes what is\n"
	    "in flight and exits (a second SIGTERM exits at once). See sparkmatchd(8).\n",
	    SPARKMATCH_SYSCONFDIR);
}

int
main(int argc, char **argv)
{
	const char *path = SPARKMATCH_SYSCONFDIR "/sparkmatch/sparkmatch.conf";
	struct server *srv;
	struct conf conf;
	struct err err;
	int opt, check = 0, rc;

	while ((opt = getopt(argc, argv, "c:th")) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	xmalloc_init_cjson();
	if (conf_load(&conf, path, &err) < 0) {
		fprintf(stderr, "sparkmatchd: %s\n", err.msg);
		conf_free(&conf);
		return 1;
	}
	log_set_level((enum log_level)conf.log_level);
	if (check) {
		struct auth *a = auth_new(&conf, &err);

		if (a == NULL)
			fprintf(stderr, "sparkmatchd: %s\n", err.msg);
		else
			printf("%s: configuration ok\n", path);
		auth_free(a);
		conf_free(&conf);
		return a == NULL;
	}
	/* A client that goes away mid-answer must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if (evthread_use_pthreads() < 0) {
		fprintf(stderr, "sparkmatchd: libevent has no thread support\n");
		conf_free(&conf);
		return 1;
	}
	log_info("sparkmatchd starting (pid %ld), configuration %s", (long)getpid(), path);
	srv = server_new(path, &conf, &err);
	if (srv == NULL) {
		log_error("cannot start: %s", err.msg);
		conf_free(&conf);
		return 1;
	}
	rc = server_run(srv);
	server_free(srv);
	log_info("sparkmatchd stopped");
	return rc;
}
