/*
 * server.h - sparkmatchd's process: the event loop and everything on it,
 * signals (SIGHUP reloads, SIGTERM drains, a second SIGTERM exits at once),
 * systemd notifications and the watchdog.
 */
#ifndef SPARKMATCH_SERVER_H
#define SPARKMATCH_SERVER_H

#include "attrs.h"
#include "conf.h"
#include "err.h"

struct server;

/*
 * Set everything up from conf (taken over: the server frees it) read from
 * config_path: read the secrets, listen, start connecting to the database.
 * Returns NULL with err filled when the daemon cannot start.
 */
struct server *server_new(const char *config_path, struct conf *conf, struct err *err) MUSTCHECK;

/* Run the loop until shutdown; returns the process exit status. */
int server_run(struct server *s);

/* Release everything; NULL is a no-op. */
void server_free(struct server *s);

#endif
