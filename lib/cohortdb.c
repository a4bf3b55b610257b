/* cohortdb.c - the cohort loader. */
#include "cohortdb.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "xmalloc.h"

#define LIVE_STATUSES "('pending-review', 'approved', 'sent', 'accepted')"

/* Current UTC offsets (DST-aware) of the zones in use, computed once per zone. */
#define ZONES_CTE \
	"WITH zones AS (SELECT timezone AS name FROM mentees UNION SELECT timezone FROM mentors), " \
	"tz AS (SELECT name, (extract(epoch FROM (now() AT TIME ZONE name) - " \
	"(now() AT TIME ZONE 'UTC')) / 60)::integer AS off FROM zones) "

static const char cohortdb_sql_skills[] =
    "SELECT code, family, name, try_first FROM skills ORDER BY position, code";

static const char cohortdb_sql_mentees[] =
    ZONES_CTE
    "SELECT m.id, m.external_id, m.name, m.email, m.timezone, tz.off, "
    "array_to_string(m.languages, ','), m.organisation, m.status, "
    "coalesce((SELECT string_agg(g.skill || ':' || g.priority, ',' ORDER BY g.skill) "
    "  FROM mentee_goals g WHERE g.mentee_id = m.id), ''), "
    "coalesce((SELECT string_agg(s.skill, ',' ORDER BY s.skill) "
    "  FROM mentee_support s WHERE s.mentee_id = m.id), '') "
    "FROM mentees m JOIN tz ON tz.name = m.timezone "
    "WHERE $1 = 'all' OR (m.status = 'waiting' AND NOT EXISTS ("
    "  SELECT 1 FROM proposals p WHERE p.mentee_id = m.id AND p.status IN " LIVE_STATUSES ")) "
    "ORDER BY m.id";

static const char cohortdb_sql_mentors[] =
    ZONES_CTE
    "SELECT m.id, m.external_id, m.name, m.email, m.timezone, tz.off, "
    "array_to_string(m.languages, ','), m.organisation, m.status, "
    "coalesce((SELECT string_agg(g.skill || ':' || g.level, ',' ORDER BY g.skill) "
    "  FROM mentor_strengths g WHERE g.mentor_id = m.id), ''), "
    "coalesce((SELECT string_agg(s.skill, ',' ORDER BY s.skill) "
    "  FROM mentor_support s WHERE s.mentor_id = m.id), ''), "
    "m.capacity, "
    "(SELECT count(*) FROM proposals p WHERE p.mentor_id = m.id AND p.status IN " LIVE_STATUSES ") "
    "FROM mentors m JOIN tz ON tz.name = m.timezone "
    "WHERE $1 = 'all' OR m.status = 'active' "
    "ORDER BY m.id";

static const char cohortdb_sql_blocks[] =
    "SELECT mentee_id, mentor_id, 'excluded' FROM exclusions "
    "UNION ALL "
    "SELECT mentee_id, mentor_id, status FROM proposals WHERE status IN ('declined', 'rejected')";

static int
cohortdb_skills(PGconn *conn, struct cohort *c, struct err *err)
{
	PGresult *res = db_query(conn, cohortdb_sql_skills, 0, NULL, err);

	if (res == NULL)
		return err_prefix(err, "loading skills: ");
	for (int r = 0; r < PQntuples(res); r++) {
		const char *fam = PQgetvalue(res, r, 1);
		enum cohort_family f = strcmp(fam, "leadership") == 0 ? COHORT_FAMILY_LEADERSHIP :
		    strcmp(fam, "management") == 0 ? COHORT_FAMILY_MANAGEMENT : COHORT_FAMILY_SUPPORT;

		cohort_add_skill(c, PQgetvalue(res, r, 0), f, PQgetvalue(res, r, 2), PQgetvalue(res, r, 3));
	}
	PQclear(res);
	return 0;
}

/* Split "a,b,c" in place into at most max pieces; returns the count. */
static int
cohortdb_split(char *s, char **out, int max)
{
	int n = 0;

	if (s[0] == '\0')
		return 0;
	while (n < max) {
		out[n++] = s;
		s = strchr(s, ',');
		if (s == NULL)
			break;
		*s++ = '\0';
	}
	return n;
}

/* Add "skill:value,..." items (or bare "skill,..." support lists) to a person. */
static int
cohortdb_items(struct cohort *c, bool mentee, uint32_t who, const char *list, bool support,
    struct err *err)
{
	char *copy = xstrdup(list), *parts[512];
	int n = cohortdb_split(copy, parts, 512), rc = 0;

	for (int k = 0; k < n; k++) {
		char *colon = strchr(parts[k], ':');
		int value = 1, skill;

		if (colon != NULL) {
			*colon = '\0';
			value = atoi(colon + 1);
		}
		skill = cohort_skill_find(c, parts[k]);
		if (skill < 0) {
			rc = err_set(err, ERR_KIND_INTERNAL, "unknown skill %s in the database", parts[k]);
			break;
		}
		if (mentee)
			cohort_add_goal(c, who, (uint32_t)skill, value, support);
		else
			cohort_add_strength(c, who, (uint32_t)skill, value, support);
	}
	free(copy);
	return rc;
}

static int
cohortdb_people(PGconn *conn, struct cohort *c, bool mentee, const char *scope, struct err *err)
{
	const char *params[1] = { scope };
	PGresult *res = db_query(conn, mentee ? cohortdb_sql_mentees : cohortdb_sql_mentors,
	    1, params, err);
	int rc = -1;

	if (res == NULL)
		return err_prefix(err, "loading %s: ", mentee ? "mentees" : "mentors");
	for (int r = 0; r < PQntuples(res); r++) {
		char *langs = xstrdup(PQgetvalue(res, r, 6)), *lv[64];
		int nl = cohortdb_split(langs, lv, 64);
		int64_t id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		int32_t off = (int32_t)strtol(PQgetvalue(res, r, 5), NULL, 10);
		uint32_t who;

		if (mentee)
			who = cohort_add_mentee(c, id, PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
			    PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), off, (const char *const *)lv, nl,
			    PQgetvalue(res, r, 7), PQgetvalue(res, r, 8));
		else
			who = cohort_add_mentor(c, id, PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
			    PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), off, (const char *const *)lv, nl,
			    PQgetvalue(res, r, 7), PQgetvalue(res, r, 8),
			    (uint32_t)strtoul(PQgetvalue(res, r, 11), NULL, 10),
			    (uint32_t)strtoul(PQgetvalue(res, r, 12), NULL, 10));
		free(langs);
		if (cohortdb_items(c, mentee, who, PQgetvalue(res, r, 9), false, err) < 0 ||
		    cohortdb_items(c, mentee, who, PQgetvalue(res, r, 10), true, err) < 0)
			goto failed;
	}
	rc = 0;
failed:
	PQclear(res);
	return rc;
}

/* Index of a person by id before the cohort is sealed: rows arrive in id order. */
static int64_t
cohortdb_find(const struct cohort *c, bool mentee, int64_t id)
{
	uint32_t lo = 0, hi = mentee ? cohort_mentee_count(c) : cohort_mentor_count(c);
	uint32_t n = hi;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int64_t v = mentee ? cohort_mentee(c, mid)->id : cohort_mentor(c, mid)->id;

		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && (mentee ? cohort_mentee(c, lo)->id : cohort_mentor(c, lo)->id) == id)
		return lo;
	return -1;
}

static int
cohortdb_blocks(PGconn *conn, struct cohort *c, struct err *err)
{
	PGresult *res = db_query(conn, cohortdb_sql_blocks, 0, NULL, err);

	if (res == NULL)
		return err_prefix(err, "loading exclusions: ");
	for (int r = 0; r < PQntuples(res); r++) {
		int64_t i = cohortdb_find(c, true, strtoll(PQgetvalue(res, r, 0), NULL, 10));
		int64_t j = cohortdb_find(c, false, strtoll(PQgetvalue(res, r, 1), NULL, 10));
		const char *why = PQgetvalue(res, r, 2);

		if (i < 0 || j < 0)
			continue;
		cohort_add_block(c, (uint32_t)i, (uint32_t)j,
		    strcmp(why, "excluded") == 0 ? COHORT_BLOCK_EXCLUDED :
		    strcmp(why, "declined") == 0 ? COHORT_BLOCK_DECLINED : COHORT_BLOCK_REJECTED);
	}
	PQclear(res);
	return 0;
}

struct cohort *
cohortdb_load(PGconn *conn, enum cohortdb_scope scope, struct err *err)
{
	const char *sc = scope == COHORTDB_WAITING ? "waiting" : "all";
	struct cohort *c = cohort_new();

	if (cohortdb_skills(conn, c, err) < 0 ||
	    cohortdb_people(conn, c, true, sc, err) < 0 ||
	    cohortdb_people(conn, c, false, sc, err) < 0 ||
	    cohortdb_blocks(conn, c, err) < 0 ||
	    cohort_finish(c, err) < 0) {
		cohort_free(c);
		return NULL;
	}
	return c;
}
