/* cohort.c - building and reading the in-memory cohort. */
#include "cohort.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct cohort_skill {
	char *code;
	char *name;
	char *try_first;
	enum cohort_family family;
};

struct cohort_pending {
	uint32_t person;
	struct cohort_item item;
};

struct cohort_blockrec {
	uint32_t mentee;
	uint32_t mentor;
	uint8_t why;
};

/* Interned strings (languages, organisations): index 0 is reserved for "". */
struct cohort_strtab {
	char **s;
	uint32_t n, cap;
	uint32_t *slots;	/* open addressing, value = index + 1 */
	uint32_t nslots;
};

struct cohort_idindex {
	int64_t id;
	uint32_t idx;
};

struct cohort_role {
	struct cohort_person *p;
	uint32_t n, cap;
	struct cohort_pending *pending;
	uint32_t npending, cappending;
	struct cohort_item *items;
	struct cohort_idindex *byid;
};

struct cohort {
	struct cohort_skill *skills;
	uint32_t nskills, capskills;
	struct cohort_role mentees, mentors;
	struct cohort_strtab langs, orgs;
	uint16_t *plangs;
	uint32_t nplangs, capplangs;
	struct cohort_blockrec *blocks;
	uint32_t nblocks, capblocks;
	uint32_t *block_start;	/* [n_mentees + 1] after finish */
	uint32_t *block_mentor;
	uint8_t *block_why;
	bool finished;
};

#define GROW(ptr, n, cap) do {						\
	if ((n) == (cap)) {						\
		(cap) = (cap) ? (cap) * 2 : 16;				\
		(ptr) = xreallocarray((ptr), (cap), sizeof *(ptr));	\
	}								\
} while (0)

static uint32_t
cohort_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
strtab_rehash(struct cohort_strtab *t)
{
	uint32_t n = t->nslots ? t->nslots * 2 : 64;

	free(t->slots);
	t->slots = xcalloc(n, sizeof *t->slots);
	t->nslots = n;
	for (uint32_t i = 1; i < t->n; i++) {
		uint32_t h = cohort_hash(t->s[i]) & (n - 1);

		while (t->slots[h] != 0)
			h = (h + 1) & (n - 1);
		t->slots[h] = i + 1;
	}
}

/* Index of s, adding it if new; "" and NULL are index 0. */
static uint32_t
strtab_intern(struct cohort_strtab *t, const char *s)
{
	uint32_t h;

	if (t->n == 0) {
		GROW(t->s, t->n, t->cap);
		t->s[t->n++] = xstrdup("");
	}
	if (s == NULL || s[0] == '\0')
		return 0;
	if (t->n * 2 >= t->nslots)
		strtab_rehash(t);
	h = cohort_hash(s) & (t->nslots - 1);
	while (t->slots[h] != 0) {
		if (strcmp(t->s[t->slots[h] - 1], s) == 0)
			return t->slots[h] - 1;
		h = (h + 1) & (t->nslots - 1);
	}
	GROW(t->s, t->n, t->cap);
	t->s[t->n] = xstrdup(s);
	t->slots[h] = t->n + 1;
	return t->n++;
}

static void
strtab_free(struct cohort_strtab *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->slots);
}

struct cohort *
cohort_new(void)
{
	struct cohort *c = xcalloc(1, sizeof *c);

	strtab_intern(&c->langs, NULL);
	strtab_intern(&c->orgs, NULL);
	return c;
}

static void
cohort_role_free(struct cohort_role *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		free(r->p[i].external_id);
		free(r->p[i].name);
		free(r->p[i].email);
		free(r->p[i].timezone);
		free(r->p[i].status);
	}
	free(r->p);
	free(r->pending);
	free(r->items);
	free(r->byid);
}

void
cohort_free(struct cohort *c)
{
	if (c == NULL)
		return;
	for (uint32_t i = 0; i < c->nskills; i++) {
		free(c->skills[i].code);
		free(c->skills[i].name);
		free(c->skills[i].try_first);
	}
	free(c->skills);
	cohort_role_free(&c->mentees);
	cohort_role_free(&c->mentors);
	strtab_free(&c->langs);
	strtab_free(&c->orgs);
	free(c->plangs);
	free(c->blocks);
	free(c->block_start);
	free(c->block_mentor);
	free(c->block_why);
	free(c);
}

uint32_t
cohort_add_skill(struct cohort *c, const char *code, enum cohort_family family,
    const char *name, const char *try_first)
{
	GROW(c->skills, c->nskills, c->capskills);
	c->skills[c->nskills].code = xstrdup(code);
	c->skills[c->nskills].name = xstrdup(name ? name : code);
	c->skills[c->nskills].try_first = xstrdup(try_first ? try_first : "");
	c->skills[c->nskills].family = family;
	return c->nskills++;
}

static uint32_t
cohort_add_person(struct cohort *c, struct cohort_role *r, int64_t id,
    const char *external_id, const char *name, const char *email, const char *timezone,
    int32_t tz_offset_min, const char *const *langs, int nlangs, const char *org,
    const char *status)
{
	struct cohort_person *p;

	GROW(r->p, r->n, r->cap);
	p = &r->p[r->n];
	memset(p, 0, sizeof *p);
	p->id = id;
	p->external_id = xstrdup(external_id ? external_id : "");
	p->name = xstrdup(name ? name : "");
	p->email = xstrdup(email ? email : "");
	p->timezone = xstrdup(timezone ? timezone : "UTC");
	p->status = xstrdup(status ? status : "");
	p->tz_offset_min = tz_offset_min;
	p->org = strtab_intern(&c->orgs, org);
	p->lang_first = c->nplangs;
	for (int i = 0; i < nlangs; i++) {
		GROW(c->plangs, c->nplangs, c->capplangs);
		c->plangs[c->nplangs++] = (uint16_t)strtab_intern(&c->langs, langs[i]);
	}
	p->lang_count = (uint16_t)nlangs;
	return r->n++;
}

uint32_t
cohort_add_mentee(struct cohort *c, int64_t id, const char *external_id, const char *name,
    const char *email, const char *timezone, int32_t tz_offset_min, const char *const *langs,
    int nlangs, const char *org, const char *status)
{
	return cohort_add_person(c, &c->mentees, id, external_id, name, email, timezone,
	    tz_offset_min, langs, nlangs, org, status);
}

uint32_t
cohort_add_mentor(struct cohort *c, int64_t id, const char *external_id, const char *name,
    const char *email, const char *timezone, int32_t tz_offset_min, const char *const *langs,
    int nlangs, const char *org, const char *status, uint32_t capacity, uint32_t used)
{
	uint32_t j = cohort_add_person(c, &c->mentors, id, external_id, name, email, timezone,
	    tz_offset_min, langs, nlangs, org, status);

	c->mentors.p[j].capacity = capacity;
	c->mentors.p[j].used = used;
	return j;
}

static void
cohort_add_item(struct cohort_role *r, uint32_t person, uint32_t skill, int value, bool support)
{
	GROW(r->pending, r->npending, r->cappending);
	r->pending[r->npending].person = person;
	r->pending[r->npending].item.skill = (uint16_t)skill;
	r->pending[r->npending].item.value = (uint8_t)value;
	r->pending[r->npending].item.support = support;
	r->npending++;
}

void
cohort_add_goal(struct cohort *c, uint32_t mentee, uint32_t skill, int priority, bool support)
{
	cohort_add_item(&c->mentees, mentee, skill, priority, support);
}

void
cohort_add_strength(struct cohort *c, uint32_t mentor, uint32_t skill, int level, bool support)
{
	cohort_add_item(&c->mentors, mentor, skill, level, support);
}

void
cohort_add_block(struct cohort *c, uint32_t mentee, uint32_t mentor, enum cohort_block why)
{
	GROW(c->blocks, c->nblocks, c->capblocks);
	c->blocks[c->nblocks].mentee = mentee;
	c->blocks[c->nblocks].mentor = mentor;
	c->blocks[c->nblocks].why = (uint8_t)why;
	c->nblocks++;
}

static int
cohort_pending_cmp(const void *a, const void *b)
{
	const struct cohort_pending *x = a, *y = b;

	if (x->person != y->person)
		return x->person < y->person ? -1 : 1;
	if (x->item.skill != y->item.skill)
		return x->item.skill < y->item.skill ? -1 : 1;
	/* Explicit goals/strengths before support entries for the same skill. */
	return (int)x->item.support - (int)y->item.support;
}

static int
cohort_block_cmp(const void *a, const void *b)
{
	const struct cohort_blockrec *x = a, *y = b;

	if (x->mentee != y->mentee)
		return x->mentee < y->mentee ? -1 : 1;
	if (x->mentor != y->mentor)
		return x->mentor < y->mentor ? -1 : 1;
	return (int)x->why - (int)y->why;
}

static int
cohort_id_cmp(const void *a, const void *b)
{
	const struct cohort_idindex *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Sort a role's items into per-person ranges; a skill given twice keeps the higher explicit value. */
static int
cohort_finish_role(struct cohort *c, struct cohort_role *r, const char *what, struct err *err)
{
	uint32_t k = 0;

	if (r->npending > 0)
		qsort(r->pending, r->npending, sizeof *r->pending, cohort_pending_cmp);
	r->items = xcalloc(r->npending ? r->npending : 1, sizeof *r->items);
	for (uint32_t i = 0; i < r->n; i++)
		r->p[i].item_count = 0;
	for (uint32_t x = 0; x < r->npending; x++) {
		const struct cohort_pending *pd = &r->pending[x];
		struct cohort_person *p;

		if (pd->person >= r->n)
			return err_set(err, ERR_KIND_INTERNAL, "%s index %u out of range", what, pd->person);
		if (pd->item.skill >= c->nskills)
			return err_set(err, ERR_KIND_INTERNAL, "skill index %u out of range", pd->item.skill);
		if (pd->item.value < 1 || pd->item.value > 5)
			return err_set(err, ERR_KIND_INVALID, "%s %s: value %u for %s is not 1..5", what,
			    r->p[pd->person].external_id, pd->item.value, c->skills[pd->item.skill].code);
		p = &r->p[pd->person];
		if (p->item_count > 0 && r->items[k - 1].skill == pd->item.skill) {
			/* Explicit entries sort first; a support entry for the same skill adds nothing. */
			if (!pd->item.support && pd->item.value > r->items[k - 1].value)
				r->items[k - 1].value = pd->item.value;
			continue;
		}
		if (p->item_count == 0)
			p->item_first = k;
		r->items[k++] = pd->item;
		p->item_count++;
	}
	free(r->pending);
	r->pending = NULL;
	r->npending = 0;
	r->byid = xcalloc(r->n ? r->n : 1, sizeof *r->byid);
	for (uint32_t i = 0; i < r->n; i++) {
		r->byid[i].id = r->p[i].id;
		r->byid[i].idx = i;
	}
	if (r->n > 0)
		qsort(r->byid, r->n, sizeof *r->byid, cohort_id_cmp);
	for (uint32_t i = 1; i < r->n; i++) {
		if (r->byid[i].id == r->byid[i - 1].id)
			return err_set(err, ERR_KIND_INVALID, "%s id %lld appears twice", what,
			    (long long)r->byid[i].id);
	}
	return 0;
}

int
cohort_finish(struct cohort *c, struct err *err)
{
	uint32_t k = 0;

	if (c->finished)
		return 0;
	if (c->langs.n > UINT16_MAX)
		return err_set(err, ERR_KIND_INVALID, "too many distinct languages (%u)", c->langs.n);
	if (cohort_finish_role(c, &c->mentees, "mentee", err) < 0 ||
	    cohort_finish_role(c, &c->mentors, "mentor", err) < 0)
		return -1;
	if (c->nblocks > 0)
		qsort(c->blocks, c->nblocks, sizeof *c->blocks, cohort_block_cmp);
	c->block_start = xcalloc((size_t)c->mentees.n + 1, sizeof *c->block_start);
	c->block_mentor = xcalloc(c->nblocks ? c->nblocks : 1, sizeof *c->block_mentor);
	c->block_why = xcalloc(c->nblocks ? c->nblocks : 1, 1);
	for (uint32_t x = 0; x < c->nblocks; x++) {
		const struct cohort_blockrec *b = &c->blocks[x];

		if (b->mentee >= c->mentees.n || b->mentor >= c->mentors.n)
			return err_set(err, ERR_KIND_INTERNAL, "blocked pair out of range");
		/* Sorted by reason within a pair, so the first (strongest) wins. */
		if (k > 0 && x > 0 && c->blocks[x - 1].mentee == b->mentee &&
		    c->blocks[x - 1].mentor == b->mentor)
			continue;
		c->block_mentor[k] = b->mentor;
		c->block_why[k] = b->why;
		c->block_start[b->mentee + 1]++;
		k++;
	}
	for (uint32_t i = 0; i < c->mentees.n; i++)
		c->block_start[i + 1] += c->block_start[i];
	free(c->blocks);
	c->blocks = NULL;
	c->nblocks = k;
	c->finished = true;
	return 0;
}

uint32_t cohort_skill_count(const struct cohort *c) { return c->nskills; }
const char *cohort_skill_code(const struct cohort *c, uint32_t s) { return c->skills[s].code; }
const char *cohort_skill_name(const struct cohort *c, uint32_t s) { return c->skills[s].name; }
const char *cohort_skill_try_first(const struct cohort *c, uint32_t s) { return c->skills[s].try_first; }
enum cohort_family cohort_skill_family(const struct cohort *c, uint32_t s) { return c->skills[s].family; }

int
cohort_skill_find(const struct cohort *c, const char *code)
{
	for (uint32_t i = 0; i < c->nskills; i++) {
		if (strcmp(c->skills[i].code, code) == 0)
			return (int)i;
	}
	return -1;
}

const char *
cohort_family_name(enum cohort_family f)
{
	switch (f) {
	case COHORT_FAMILY_LEADERSHIP: return "leadership";
	case COHORT_FAMILY_MANAGEMENT: return "management";
	case COHORT_FAMILY_SUPPORT: return "support";
	}
	return "support";
}

uint32_t cohort_mentee_count(const struct cohort *c) { return c->mentees.n; }
uint32_t cohort_mentor_count(const struct cohort *c) { return c->mentors.n; }
const struct cohort_person *cohort_mentee(const struct cohort *c, uint32_t i) { return &c->mentees.p[i]; }
const struct cohort_person *cohort_mentor(const struct cohort *c, uint32_t j) { return &c->mentors.p[j]; }

const struct cohort_item *
cohort_mentee_items(const struct cohort *c, uint32_t i)
{
	return c->mentees.items + c->mentees.p[i].item_first;
}

const struct cohort_item *
cohort_mentor_items(const struct cohort *c, uint32_t j)
{
	return c->mentors.items + c->mentors.p[j].item_first;
}

static int64_t
cohort_find(const struct cohort_role *r, int64_t id)
{
	uint32_t lo = 0, hi = r->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->byid[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->n && r->byid[lo].id == id)
		return r->byid[lo].idx;
	return -1;
}

int64_t cohort_mentee_find(const struct cohort *c, int64_t id) { return cohort_find(&c->mentees, id); }
int64_t cohort_mentor_find(const struct cohort *c, int64_t id) { return cohort_find(&c->mentors, id); }

uint32_t cohort_language_count(const struct cohort *c) { return c->langs.n; }
const char *cohort_language(const struct cohort *c, uint32_t l) { return c->langs.s[l]; }

const uint16_t *
cohort_person_languages(const struct cohort *c, const struct cohort_person *p)
{
	return c->plangs + p->lang_first;
}

const char *cohort_org_name(const struct cohort *c, uint32_t org) { return c->orgs.s[org]; }

uint32_t
cohort_blocks(const struct cohort *c, uint32_t mentee, const uint32_t **mentors, const uint8_t **why)
{
	uint32_t a = c->block_start[mentee], b = c->block_start[mentee + 1];

	*mentors = c->block_mentor + a;
	if (why != NULL)
		*why = c->block_why + a;
	return b - a;
}

enum cohort_block
cohort_block_of(const struct cohort *c, uint32_t mentee, uint32_t mentor)
{
	uint32_t lo = c->block_start[mentee], hi = c->block_start[mentee + 1];

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->block_mentor[mid] < mentor)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->block_start[mentee + 1] && c->block_mentor[lo] == mentor)
		return (enum cohort_block)c->block_why[lo];
	return 0;
}
