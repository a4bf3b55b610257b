/* proc.c - spawn, capture, wait. */
#include "proc.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"

extern char **environ;

void
proc_run(const char *const argv[], const char *in_path, struct proc_result *r)
{
	posix_spawn_file_actions_t fa;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int po[2], pe[2], st = 0;
	pid_t pid;
	struct pollfd pf[2];

	cr_assert(pipe(po) == 0 && pipe(pe) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	/* posix_spawn's argv is not const for historical reasons; it does not write to it. */
	cr_assert(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv, environ) == 0,
	    "cannot run %s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	pf[0].fd = po[0];
	pf[1].fd = pe[0];
	pf[0].events = pf[1].events = POLLIN;
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		if (poll(pf, 2, -1) < 0)
			continue;
		for (int k = 0; k < 2; k++) {
			char buf[4096];
			ssize_t n;

			if (pf[k].fd < 0 || !(pf[k].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(pf[k].fd, buf, sizeof buf);
			if (n <= 0) {
				close(pf[k].fd);
				pf[k].fd = -1;
			} else {
				strbuf_append(k ? &err : &out, buf, (size_t)n);
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = strbuf_detach(&out);
	r->err = strbuf_detach(&err);
}

void
proc_result_free(struct proc_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
