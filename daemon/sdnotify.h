/*
 * sdnotify.h - the systemd readiness protocol (sd_notify(3)) without
 * libsystemd: datagrams of "KEY=VALUE" lines sent to $NOTIFY_SOCKET, a
 * filesystem path or, when it starts with '@', an abstract socket name.
 *
 * Everything here is a no-op when NOTIFY_SOCKET is unset, so the daemon
 * behaves the same under systemd, in a terminal and in the tests.
 */
#ifndef SPARKMATCH_SDNOTIFY_H
#define SPARKMATCH_SDNOTIFY_H

#include <stdint.h>

#include "attrs.h"

/*
 * Send one state message ("READY=1\nSTATUS=..."). Returns 0 when sent or
 * when there is no NOTIFY_SOCKET, -1 (with errno set) when sending failed;
 * callers log and carry on, since readiness is advisory.
 */
int sdnotify_send(const char *fmt, ...) PRINTFLIKE(1, 2);

/*
 * The watchdog interval asked for by systemd ($WATCHDOG_USEC, honoured only
 * when $WATCHDOG_PID is unset or ours), in microseconds; 0 when none.
 */
uint64_t sdnotify_watchdog_usec(void);

/* CLOCK_MONOTONIC in microseconds, for RELOADING=1's MONOTONIC_USEC. */
uint64_t sdnotify_monotonic_usec(void);

#endif
