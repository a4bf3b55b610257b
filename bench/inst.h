/* inst.h - read a sparkmatch instance file (the benchmark's copy of the format). */
#ifndef BENCH_INST_H
#define BENCH_INST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An instance as read from the file, ids converted to 0-based.
 * Pairs keep file order: pair k is mentee[k] -> mentor[k] with score[k].
 */
struct inst {
	int32_t n;		/* mentees */
	int32_t m;		/* mentors */
	int64_t npairs;
	int32_t *cap;		/* [m] */
	int32_t *mentee;	/* [npairs] */
	int32_t *mentor;	/* [npairs] */
	int32_t *score;		/* [npairs] */
};

/*
 * Read the file at path ("c", "p sparkmatch N M P", "m J CAP", "a I J S" lines).
 * Returns a new instance, or NULL after printing the reason (file:line) on stderr.
 * Free it with inst_free().
 */
struct inst *inst_read(const char *path);

/* Free an instance; NULL is a no-op. */
void inst_free(struct inst *in);

/* Seconds on the monotonic clock. */
double inst_now(void);

#ifdef __cplusplus
}
#endif

#endif
