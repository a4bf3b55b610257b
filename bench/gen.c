/*
 * gen.c - seeded, deterministic instance generator for the solver benchmarks.
 *
 *   gen -k dense|sparse -n MENTEES -m MENTORS [-t TOP] -c CAPS -s SEED -o FILE
 *
 * CAPS is "K" (every mentor capacity K) or "LO-HI" (uniform in LO..HI).
 * dense: every pair is allowed. sparse: each mentee keeps its TOP best mentors
 * (ties: lower mentor id first). Scores come from a latent-factor model shaped
 * like the real scorer: goal coverage 0..1000 (27 skills in three families,
 * 3-6 goals with priorities 1-5 and a needed level 2-5, mentor levels 0-5; a
 * goal is fully covered once the mentor's level reaches the need, so popular
 * all-round mentors are crowded but not everyone's first choice) + a mentor bonus 0..99
 * (popularity and "strong in both families") + noise 0..31 - a timezone
 * penalty 0..150, clamped to at least 1.
 *
 * Only integer arithmetic and our own PRNG (splitmix64 / xoshiro256**), with a
 * stream per person, so the file is byte-identical on every machine and for any
 * number of threads. The first line records the parameters; when FILE exists
 * with the same first line it is left alone. The file is written to FILE.tmp
 * and renamed, so an interrupted run leaves no half instance behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GEN_VERSION 1
#define NSKILL 27
#define NLEAD 13	/* skills 0..12 leadership, 13..22 management, 23..26 support */
#define NMGMT 10
#define MAXGOAL 6
#define MAXSCORE 1200

/* Family of a skill: 0 leadership, 1 management, 2 support. */
static int
skill_family(int s)
{
	return s < NLEAD ? 0 : s < NLEAD + NMGMT ? 1 : 2;
}

/* How often mentees ask for a skill: leadership is in demand. */
static const int demand_w[NSKILL] = {
	90, 70, 40, 100, 50, 45, 35, 60, 55, 30, 65, 40, 50,
	60, 45, 25, 70, 30, 20, 35, 40, 50, 30,
	55, 45, 20, 35,
};

/* How often mentors offer a skill: management is plentiful, leadership scarcer. */
static const int supply_w[NSKILL] = {
	40, 35, 25, 45, 30, 40, 30, 50, 35, 45, 30, 25, 35,
	80, 70, 55, 75, 60, 55, 40, 60, 55, 50,
	45, 50, 35, 40,
};

struct rng {
	uint64_t s[4];
};

/* splitmix64 step: the seeder and the per-stream mixer. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Seed the stream for (tag, index) of the instance seed. */
static void
rng_init(struct rng *r, uint64_t seed, uint64_t tag, uint64_t idx)
{
	uint64_t x = (tag << 40) ^ idx;
	uint64_t y = seed ^ splitmix64(&x);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&y);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** next value. */
static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform-ish integer in 0..k-1 (k small; the modulo bias is irrelevant and deterministic). */
static int
rng_below(struct rng *r, int k)
{
	return (int)(rng_next(r) % (uint64_t)k);
}

/* Pick a skill with probability proportional to w[s], excluding taken[s]. */
static int
pick_skill(struct rng *r, const int *w, const unsigned char *taken)
{
	int total = 0, x;

	for (int s = 0; s < NSKILL; s++)
		total += taken[s] ? 0 : w[s];
	x = rng_below(r, total);
	for (int s = 0; s < NSKILL; s++) {
		if (taken[s])
			continue;
		if (x < w[s])
			return s;
		x -= w[s];
	}
	return NSKILL - 1;
}

/* A timezone (hour 0..23) from three regional clusters. */
static int
pick_tz(struct rng *r)
{
	int c = rng_below(r, 100);
	int base = c < 40 ? 1 : c < 75 ? 19 : 8;

	return (base + rng_below(r, 5) - 2 + 24) % 24;
}

struct params {
	const char *kind;
	int dense;
	int32_t n, m, top;
	int cap_lo, cap_hi;
	uint64_t seed;
	const char *out;
};

struct model {
	const struct params *p;
	uint8_t *level;		/* [NSKILL][m], skill-major so the coverage loop vectorises */
	int32_t *bonus;		/* [m] */
	int32_t *mtz;		/* [m] */
	int32_t *cap;		/* [m] */
	int32_t k;		/* pairs kept per mentee */
	int32_t *res_mentor;	/* [n][k] (sparse only) */
	int16_t *res_score;	/* [n][k] */
	atomic_int next;	/* next block of mentees to score */
};

/* Draw every mentor: levels, bonus, timezone and capacity. */
static void
make_mentors(struct model *md)
{
	const struct params *p = md->p;
	int32_t m = p->m;

	for (int32_t j = 0; j < m; j++) {
		struct rng r, rc;
		unsigned char taken[NSKILL] = { 0 };
		int famw[3], w[NSKILL], t, e, nstr, nl = 0, nm = 0, both, u, pop;

		rng_init(&r, p->seed, 2, (uint64_t)j);
		t = rng_below(&r, 100);
		famw[0] = t < 35 ? 3 : t < 70 ? 1 : 2;
		famw[1] = t < 35 ? 1 : t < 70 ? 3 : 2;
		famw[2] = 1;
		for (int s = 0; s < NSKILL; s++)
			w[s] = supply_w[s] * famw[skill_family(s)];
		t = rng_below(&r, 100);
		e = t < 40 ? 0 : t < 70 ? 1 : t < 90 ? 2 : 3;
		nstr = 3 + rng_below(&r, 6);
		for (int i = 0; i < nstr; i++) {
			int s = pick_skill(&r, w, taken);
			int lv = 1 + rng_below(&r, 3) + (e > 0 ? rng_below(&r, e + 1) : 0);

			if (lv > 5)
				lv = 5;
			taken[s] = 1;
			md->level[(size_t)s * (size_t)m + (size_t)j] = (uint8_t)lv;
			if (lv >= 3 && skill_family(s) == 0)
				nl++;
			if (lv >= 3 && skill_family(s) == 1)
				nm++;
		}
		u = rng_below(&r, 1000);
		pop = u * u / 1000 * u / 1000 * 50 / 1000;
		both = nl < nm ? nl : nm;
		if (both > 3)
			both = 3;
		md->bonus[j] = pop + (both > 0 ? 20 + 10 * both : 0);
		md->mtz[j] = pick_tz(&r);
		rng_init(&rc, p->seed, 3, (uint64_t)j);
		md->cap[j] = p->cap_lo + rng_below(&rc, p->cap_hi - p->cap_lo + 1);
	}
}

/* Score mentee i against every mentor into sc[0..m-1]. */
static void
score_mentee(const struct model *md, int32_t i, int32_t *restrict acc, int32_t *restrict sc)
{
	const struct params *p = md->p;
	int32_t m = p->m;
	struct rng r;
	unsigned char taken[NSKILL] = { 0 };
	int ngoal, goal[MAXGOAL], prio[MAXGOAL], need[MAXGOAL], psum = 0, tzi, q;
	uint32_t hi;

	rng_init(&r, p->seed, 1, (uint64_t)i);
	ngoal = 3 + rng_below(&r, 4);
	for (int g = 0; g < ngoal; g++) {
		goal[g] = pick_skill(&r, demand_w, taken);
		taken[goal[g]] = 1;
		prio[g] = 1 + rng_below(&r, 5);
		need[g] = 2 + rng_below(&r, 4);
		psum += prio[g];
	}
	tzi = pick_tz(&r);
	/* coverage = acc * 1000 / (60 * psum), as a fixed-point multiply */
	q = (1000 << 12) / (60 * psum);
	hi = (uint32_t)i * 0x9E3779B1u + (uint32_t)p->seed;

	for (int32_t j = 0; j < m; j++)
		acc[j] = 0;
	for (int g = 0; g < ngoal; g++) {
		const uint8_t *restrict lv = md->level + (size_t)goal[g] * (size_t)m;
		int32_t w = prio[g] * (60 / need[g]), nd = need[g];

		/* a goal is covered once the mentor's level reaches the mentee's need */
		for (int32_t j = 0; j < m; j++)
			acc[j] += w * (lv[j] < nd ? lv[j] : nd);
	}
	for (int32_t j = 0; j < m; j++) {
		int32_t cov = (acc[j] * q) >> 12;
		int32_t d = tzi - md->mtz[j];
		int32_t pen, s;
		uint32_t h = hi ^ ((uint32_t)j * 0x85EBCA77u);

		d = d < 0 ? -d : d;
		d = d > 12 ? 24 - d : d;
		pen = d > 2 ? 15 * (d - 2) : 0;
		h ^= h >> 15;
		h *= 0x2C1B3C6Du;
		h ^= h >> 12;
		h *= 0x297A2D39u;
		h ^= h >> 15;
		s = cov + md->bonus[j] + (int32_t)(h >> 27) - pen;
		sc[j] = s < 1 ? 1 : s;
	}
}

/* Worker: score blocks of mentees and keep all pairs (dense) or the top k (sparse). */
static void *
worker(void *arg)
{
	struct model *md = arg;
	const struct params *p = md->p;
	int32_t m = p->m, k = md->k;
	int32_t *acc = malloc((size_t)m * sizeof *acc);
	int32_t *sc = malloc((size_t)m * sizeof *sc);
	int32_t hist[MAXSCORE + 2];

	if (acc == NULL || sc == NULL) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	for (;;) {
		int32_t lo = atomic_fetch_add(&md->next, 64), hi;

		if (lo >= p->n)
			break;
		hi = lo + 64 < p->n ? lo + 64 : p->n;
		for (int32_t i = lo; i < hi; i++) {
			int16_t *rs = md->res_score + (size_t)i * (size_t)k;
			int32_t *rm, thr, above = 0, ties, t = 0;

			score_mentee(md, i, acc, sc);
			if (p->dense) {
				for (int32_t j = 0; j < m; j++)
					rs[j] = (int16_t)sc[j];
				continue;
			}
			/* threshold = the k-th best score; keep all above it, ties by mentor id */
			memset(hist, 0, sizeof hist);
			for (int32_t j = 0; j < m; j++)
				hist[sc[j] > MAXSCORE ? MAXSCORE : sc[j]]++;
			for (thr = MAXSCORE; thr > 0 && above + hist[thr] < k; thr--)
				above += hist[thr];
			ties = k - above;
			rm = md->res_mentor + (size_t)i * (size_t)k;
			for (int32_t j = 0; j < m && t < k; j++) {
				if (sc[j] > thr || (sc[j] == thr && ties-- > 0)) {
					rm[t] = j;
					rs[t] = (int16_t)sc[j];
					t++;
				}
			}
		}
	}
	free(acc);
	free(sc);
	return NULL;
}

struct wbuf {
	FILE *f;
	char buf[1 << 20];
	size_t len;
};

/* Flush the output buffer; exits on a write error. */
static void
wbuf_flush(struct wbuf *w)
{
	if (w->len > 0 && fwrite(w->buf, 1, w->len, w->f) != w->len) {
		fprintf(stderr, "gen: write: %s\n", strerror(errno));
		exit(1);
	}
	w->len = 0;
}

/* Append an unsigned decimal and a separator. */
static void
wbuf_num(struct wbuf *w, uint64_t v, char sep)
{
	char tmp[24];
	int t = 0;

	do {
		tmp[t++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (t > 0)
		w->buf[w->len++] = tmp[--t];
	w->buf[w->len++] = sep;
}

/* Append a line of up to three numbers after a tag letter. */
static void
wbuf_line(struct wbuf *w, char tag, int cnt, uint64_t a, uint64_t b, uint64_t c)
{
	if (w->len > sizeof w->buf - 80)
		wbuf_flush(w);
	w->buf[w->len++] = tag;
	w->buf[w->len++] = ' ';
	wbuf_num(w, a, cnt == 1 ? '\n' : ' ');
	if (cnt >= 2)
		wbuf_num(w, b, cnt == 2 ? '\n' : ' ');
	if (cnt >= 3)
		wbuf_num(w, c, '\n');
}

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Print usage and exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: gen -k dense|sparse -n MENTEES -m MENTORS [-t TOP] "
	    "-c K|LO-HI -s SEED -o FILE [-j THREADS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct params p = { 0 };
	struct model md = { 0 };
	struct wbuf *w = NULL;
	char header[512], line[512], *tmp = NULL;
	const char *caps = NULL;
	int opt, nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t *th;
	FILE *f;
	double t0 = now();
	int64_t npairs;

	while ((opt = getopt(argc, argv, "k:n:m:t:c:s:o:j:")) != -1) {
		switch (opt) {
		case 'k': p.kind = optarg; break;
		case 'n': p.n = (int32_t)atol(optarg); break;
		case 'm': p.m = (int32_t)atol(optarg); break;
		case 't': p.top = (int32_t)atol(optarg); break;
		case 'c': caps = optarg; break;
		case 's': p.seed = strtoull(optarg, NULL, 10); break;
		case 'o': p.out = optarg; break;
		case 'j': nthreads = atoi(optarg); break;
		default: usage();
		}
	}
	if (p.kind == NULL || caps == NULL || p.out == NULL || p.n < 1 || p.m < 1)
		usage();
	p.dense = strcmp(p.kind, "dense") == 0;
	if (!p.dense && strcmp(p.kind, "sparse") != 0)
		usage();
	if (p.dense)
		p.top = 0;
	else if (p.top < 1 || p.top > p.m)
		usage();
	if (sscanf(caps, "%d-%d", &p.cap_lo, &p.cap_hi) != 2)
		p.cap_lo = p.cap_hi = atoi(caps);
	if (p.cap_lo < 0 || p.cap_hi < p.cap_lo)
		usage();
	if (nthreads < 1)
		nthreads = 1;

	snprintf(header, sizeof header,
	    "c sparkmatch-bench gen v%d kind=%s mentees=%" PRId32 " mentors=%" PRId32
	    " top=%" PRId32 " caps=%d-%d seed=%" PRIu64 "\n",
	    GEN_VERSION, p.kind, p.n, p.m, p.top, p.cap_lo, p.cap_hi, p.seed);
	f = fopen(p.out, "r");
	if (f != NULL) {
		int same = fgets(line, sizeof line, f) != NULL && strcmp(line, header) == 0;

		fclose(f);
		if (same) {
			fprintf(stderr, "gen: %s is up to date\n", p.out);
			return 0;
		}
	}

	md.p = &p;
	md.k = p.dense ? p.m : p.top;
	md.level = calloc((size_t)NSKILL * (size_t)p.m, 1);
	md.bonus = malloc((size_t)p.m * sizeof *md.bonus);
	md.mtz = malloc((size_t)p.m * sizeof *md.mtz);
	md.cap = malloc((size_t)p.m * sizeof *md.cap);
	md.res_score = malloc((size_t)p.n * (size_t)md.k * sizeof *md.res_score);
	md.res_mentor = p.dense ? NULL : malloc((size_t)p.n * (size_t)md.k * sizeof *md.res_mentor);
	th = malloc((size_t)nthreads * sizeof *th);
	w = malloc(sizeof *w);
	if (!md.level || !md.bonus || !md.mtz || !md.cap || !md.res_score ||
	    (!p.dense && !md.res_mentor) || !th || !w) {
		fprintf(stderr, "gen: out of memory\n");
		return 1;
	}
	make_mentors(&md);
	atomic_init(&md.next, 0);
	for (int t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, worker, &md) != 0) {
			fprintf(stderr, "gen: pthread_create failed\n");
			return 1;
		}
	for (int t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);

	if (asprintf(&tmp, "%s.tmp", p.out) < 0 || (w->f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "gen: %s: %s\n", tmp ? tmp : p.out, strerror(errno));
		return 1;
	}
	w->len = 0;
	npairs = (int64_t)p.n * md.k;
	fputs(header, w->f);
	fprintf(w->f, "c latent-factor scores: coverage 0..1000 + mentor bonus 0..99 + noise 0..31"
	    " - timezone penalty 0..150, at least 1\n");
	fprintf(w->f, "p sparkmatch %" PRId32 " %" PRId32 " %" PRId64 "\n", p.n, p.m, npairs);
	for (int32_t j = 0; j < p.m; j++)
		wbuf_line(w, 'm', 2, (uint64_t)j + 1, (uint64_t)md.cap[j], 0);
	for (int32_t i = 0; i < p.n; i++) {
		const int16_t *rs = md.res_score + (size_t)i * (size_t)md.k;
		const int32_t *rm = p.dense ? NULL : md.res_mentor + (size_t)i * (size_t)md.k;

		for (int32_t t = 0; t < md.k; t++)
			wbuf_line(w, 'a', 3, (uint64_t)i + 1,
			    (uint64_t)(rm ? rm[t] : t) + 1, (uint64_t)rs[t]);
	}
	wbuf_flush(w);
	if (fclose(w->f) != 0 || rename(tmp, p.out) != 0) {
		fprintf(stderr, "gen: %s: %s\n", p.out, strerror(errno));
		unlink(tmp);
		return 1;
	}
	fprintf(stderr, "gen: wrote %s (%" PRId32 " x %" PRId32 ", %" PRId64 " pairs) in %.1f s\n",
	    p.out, p.n, p.m, npairs, now() - t0);
	free(tmp);
	free(w);
	free(th);
	free(md.level);
	free(md.bonus);
	free(md.mtz);
	free(md.cap);
	free(md.res_score);
	free(md.res_mentor);
	return 0;
}
