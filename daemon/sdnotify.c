/* sdnotify.c - a minimal sd_notify client. */
#include "sdnotify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int
sdnotify_send(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	char msg[1024];
	socklen_t salen;
	size_t plen;
	va_list ap;
	ssize_t n;
	int fd, len, saved;

	if (path == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	/* Only absolute paths and abstract names are valid notify sockets. */
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof sun.sun_path) {
		errno = EINVAL;
		return -1;
	}
	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof msg) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	/* An abstract name's length is exact; a path's includes its terminator. */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	n = sendto(fd, msg, (size_t)len, MSG_NOSIGNAL, (struct sockaddr *)&sun, salen);
	saved = errno;
	close(fd);
	errno = saved;
	return n == len ? 0 : -1;
}

uint64_t
sdnotify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (usec == NULL || usec[0] == '\0')
		return 0;
	if (pid != NULL && pid[0] != '\0' && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return v;
}

uint64_t
sdnotify_monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
