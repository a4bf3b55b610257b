/*
 * test_input.c - everything from outside is validated: strict JSON, sign-up
 * bodies (each bad field named), CSV rows.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "signup.h"

Test(json, utf8_validation)
{
	cr_expect(json_utf8_valid("plain", 5));
	cr_expect(json_utf8_valid("Luc\xc3\xad" "a", 6));
	cr_expect(json_utf8_valid("\xf0\x9f\x98\x80", 4));
	cr_expect_not(json_utf8_valid("\xc3", 1), "truncated");
	cr_expect_not(json_utf8_valid("\xc0\xaf", 2), "overlong");
	cr_expect_not(json_utf8_valid("\xed\xa0\x80", 3), "surrogate");
	cr_expect_not(json_utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF");
	cr_expect_not(json_utf8_valid("a\0b", 3), "NUL");
	cr_expect_not(json_utf8_valid("\xff", 1));
}

static void
expect_bad_json(const char *text, const char *field, const char *msg_part)
{
	struct err err;
	cJSON *j;

	err_clear(&err);
	j = json_parse_object(text, strlen(text), &err);
	cr_expect_null(j, "accepted: %s", text);
	cJSON_Delete(j);
	cr_expect_str_eq(err.field, field, "%s -> field %s", text, err.field);
	cr_expect(strstr(err.msg, msg_part) != NULL, "%s -> %s", text, err.msg);
	cr_expect_eq(err.kind, ERR_KIND_INVALID);
}

Test(json, strict_parsing)
{
	struct err err;
	cJSON *j;

	expect_bad_json("", "body", "empty");
	expect_bad_json("{\"a\":1,\"a\":2}", "a", "more than once");
	expect_bad_json("{\"o\":{\"b\":1,\"b\":1}}", "b", "more than once");
	expect_bad_json("{\"a\":1} x", "body", "extra data");
	expect_bad_json("{\"a\":1}{}", "body", "extra data");
	expect_bad_json("{\"a\":}", "body", "not valid JSON");
	expect_bad_json("[1,2]", "body", "must be a JSON object");
	expect_bad_json("{\"a\":\"\xff\"}", "body", "UTF-8");
	expect_bad_json("{\"a\":\"x\\u0000y\"}", "body", "NUL");
	const char *ok = " {\"a\": [1, {\"b\": 2}]}\n";

	j = json_parse_object(ok, strlen(ok), &err);
	cr_expect_not_null(j, "%s", err.msg);
	cJSON_Delete(j);
}

Test(json, getters_check_type_and_range)
{
	const char *text = "{\"s\":\"ok\",\"n\":3,\"f\":2.5,\"big\":1e300,\"b\":true,\"a\":[1,2,3],\"c\":\"a\\u0001\"}";
	struct err err;
	cJSON *j = json_parse_object(text, strlen(text), &err);
	const char *s = NULL;
	const cJSON *arr;
	int64_t n = 0;
	bool b = false;
	static const char *const allowed[] = { "s", "n", "f", NULL };

	cr_assert_not_null(j, "%s", err.msg);
	cr_expect_eq(json_get_string(j, "", "s", true, false, 10, &s, &err), 0);
	cr_expect_str_eq(s, "ok");
	cr_expect_eq(json_get_string(j, "", "s", true, false, 1, &s, &err), -1);
	cr_expect_eq(json_get_string(j, "", "c", true, false, 10, &s, &err), -1);
	cr_expect(strstr(err.msg, "control character") != NULL);
	cr_expect_eq(json_get_string(j, "", "n", true, false, 10, &s, &err), -1);
	cr_expect_str_eq(err.field, "n");
	cr_expect_eq(json_get_int(j, "", "n", true, 1, 5, &n, &err), 0);
	cr_expect_eq(n, 3);
	cr_expect_eq(json_get_int(j, "", "n", true, 4, 5, &n, &err), -1);
	cr_expect_eq(json_get_int(j, "x", "f", true, 0, 5, &n, &err), -1, "not whole");
	cr_expect_str_eq(err.field, "x.f");
	cr_expect_eq(json_get_int(j, "", "big", true, 0, 5, &n, &err), -1);
	cr_expect_eq(json_get_int(j, "", "missing", true, 0, 5, &n, &err), -1);
	cr_expect(strstr(err.msg, "missing: is required") != NULL, "%s", err.msg);
	cr_expect_eq(json_get_int(j, "", "missing", false, 0, 5, &n, &err), 0);
	cr_expect_eq(json_get_bool(j, "", "b", true, &b, &err), 0);
	cr_expect(b);
	cr_expect_eq(json_get_array(j, "", "a", true, 2, &arr, &err), -1);
	cr_expect_eq(json_get_array(j, "", "a", true, 3, &arr, &err), 0);
	cr_expect_eq(json_only_fields(j, "", allowed, &err), -1);
	cr_expect_str_eq(err.field, "big");
	cJSON_Delete(j);
}

static const char good_mentee[] =
    "{\"role\":\"mentee\",\"external_id\":\"form-17\",\"name\":\"  Aisha Bello \","
    "\"email\":\"aisha@example.org\",\"timezone\":\"Africa/Lagos\",\"languages\":[\"EN\",\"ha\"],"
    "\"organisation\":\"Northwind\",\"goals\":[{\"skill\":\"vision\",\"priority\":5},"
    "{\"skill\":\"planning\",\"priority\":3}],\"support\":[\"career-advice\"]}";

Test(signup, valid_mentee_is_normalised)
{
	struct signup s;
	struct err err;
	char *canon;

	cr_assert_eq(signup_parse(good_mentee, strlen(good_mentee), &s, &err), 0, "%s", err.msg);
	cr_expect_eq(s.role, SIGNUP_MENTEE);
	cr_expect_str_eq(s.name, "Aisha Bello", "trimmed");
	cr_expect_str_eq(s.languages[0], "en", "lower-cased");
	cr_expect_eq(s.nitems, 2);
	cr_expect_eq(s.items[0].value, 5);
	cr_expect_eq(s.nsupport, 1);
	canon = signup_canonical(&s);
	cr_expect_str_eq(canon,
	    "{\"role\":\"mentee\",\"external_id\":\"form-17\",\"name\":\"Aisha Bello\","
	    "\"email\":\"aisha@example.org\",\"timezone\":\"Africa/Lagos\",\"languages\":[\"en\",\"ha\"],"
	    "\"organisation\":\"Northwind\",\"goals\":[{\"skill\":\"vision\",\"priority\":5},"
	    "{\"skill\":\"planning\",\"priority\":3}],\"support\":[\"career-advice\"]}");
	free(canon);
	signup_release(&s);
}

Test(signup, valid_mentor_defaults_capacity)
{
	const char *body = "{\"role\":\"mentor\",\"external_id\":\"m-1\",\"name\":\"Grace\","
	    "\"email\":\"g@example.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"],"
	    "\"strengths\":[{\"skill\":\"vision\",\"level\":5}]}";
	struct signup s;
	struct err err;

	cr_assert_eq(signup_parse(body, strlen(body), &s, &err), 0, "%s", err.msg);
	cr_expect_eq(s.role, SIGNUP_MENTOR);
	cr_expect_eq(s.capacity, 1);
	cr_expect_str_eq(s.organisation, "");
	signup_release(&s);
}

struct bad_signup {
	const char *body;
	const char *field;
};

Test(signup, each_bad_field_is_named)
{
#define M "\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"]"
#define G ",\"goals\":[{\"skill\":\"vision\",\"priority\":3}]"
	static const struct bad_signup cases[] = {
		{ "{}", "role" },
		{ "{\"role\":\"boss\"}", "role" },
		{ "{" M G ",\"extra\":1}", "extra" },
		{ "{" M G ",\"capacity\":2}", "capacity" },
		{ "{" M G ",\"strengths\":[]}", "strengths" },
		{ "{\"role\":\"mentee\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"]" G "}", "external_id" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"   \",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"]" G "}", "name" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"not-an-email\",\"timezone\":\"UTC\",\"languages\":[\"en\"]" G "}", "email" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"Mars Base\",\"languages\":[\"en\"]" G "}", "timezone" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[]" G "}", "languages" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"english\"]" G "}", "languages[0]" },
		{ "{\"role\":\"mentee\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"en\",\"EN\"]" G "}", "languages[1]" },
		{ "{" M "}", "goals" },
		{ "{" M ",\"goals\":[]}", "goals" },
		{ "{" M ",\"goals\":[{\"skill\":\"vision\",\"priority\":6}]}", "goals[0].priority" },
		{ "{" M ",\"goals\":[{\"skill\":\"vision\",\"priority\":2.5}]}", "goals[0].priority" },
		{ "{" M ",\"goals\":[{\"skill\":\"vision\",\"priority\":\"5\"}]}", "goals[0].priority" },
		{ "{" M ",\"goals\":[{\"skill\":\"Vision!\",\"priority\":2}]}", "goals[0].skill" },
		{ "{" M ",\"goals\":[{\"skill\":\"vision\",\"priority\":2,\"why\":1}]}", "goals[0].why" },
		{ "{" M ",\"goals\":[{\"skill\":\"vision\",\"priority\":2},{\"skill\":\"vision\",\"priority\":1}]}", "goals[1].skill" },
		{ "{" M ",\"goals\":[3]}", "goals[0]" },
		{ "{" M G ",\"support\":[\"networking\",\"networking\"]}", "support[1]" },
		{ "{" M G ",\"support\":[\"vision\"]}", "support[0]" },
		{ "{" M G ",\"organisation\":7}", "organisation" },
		{ "{\"role\":\"mentor\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"],\"strengths\":[{\"skill\":\"vision\",\"level\":3}],\"capacity\":101}", "capacity" },
		{ "{\"role\":\"mentor\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"],\"strengths\":[{\"skill\":\"vision\",\"priority\":3}]}", "strengths[0].priority" },
		{ "{\"role\":\"mentor\",\"external_id\":\"x\",\"name\":\"N\",\"email\":\"a@b.org\",\"timezone\":\"UTC\",\"languages\":[\"en\"]" G "}", "goals" },
	};
#undef M
#undef G

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct signup s;
		struct err err;

		err_clear(&err);
		cr_expect_eq(signup_parse(cases[i].body, strlen(cases[i].body), &s, &err), -1,
		    "accepted case %zu: %s", i, cases[i].body);
		cr_expect_str_eq(err.field, cases[i].field, "case %zu: field '%s' (%s), want '%s'", i,
		    err.field, err.msg, cases[i].field);
		cr_expect_eq(err.kind, ERR_KIND_INVALID);
	}
}

Test(signup, csv_row_becomes_the_same_body)
{
	const char *header[] = { "external_id", "name", "email", "timezone", "languages",
		"organisation", "goals", "support" };
	const char *fields[] = { "form-17", "Aisha Bello", "aisha@example.org", "Africa/Lagos",
		"en; ha", "Northwind", "vision:5;planning:3", "career-advice" };
	const char *badgoals[] = { "form-17", "Aisha Bello", "aisha@example.org", "Africa/Lagos",
		"en", "", "vision=5", "" };
	struct signup a, b;
	struct err err;
	cJSON *row = signup_csv_row(header, fields, 8, "mentee", &err);
	char *ca, *cb;

	cr_assert_not_null(row, "%s", err.msg);
	cr_assert_eq(signup_from_json(row, &a, &err), 0, "%s", err.msg);
	cr_assert_eq(signup_parse(good_mentee, strlen(good_mentee), &b, &err), 0);
	ca = signup_canonical(&a);
	cb = signup_canonical(&b);
	cr_expect_str_eq(ca, cb);
	free(ca);
	free(cb);
	signup_release(&a);
	signup_release(&b);
	cJSON_Delete(row);
	cr_expect_null(signup_csv_row(header, badgoals, 8, "mentee", &err));
	cr_expect_str_eq(err.field, "goals");
	header[7] = "favourite_colour";
	cr_expect_null(signup_csv_row(header, fields, 8, "mentee", &err));
	cr_expect_str_eq(err.field, "favourite_colour");
}

Test(csv, quoting_comments_and_line_numbers)
{
	struct csv *c = csv_open_string("t.csv",
	    "\xEF\xBB\xBF# a comment\n"
	    "a,b,c\r\n"
	    "\n"
	    "\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
	    ",,\n"
	    "last,row,no-newline");
	const char *const *f;
	struct err err;
	int n;

	cr_assert_eq(csv_next(c, &f, &n, &err), 1);
	cr_expect_eq(csv_line(c), 2);
	cr_expect_eq(n, 3);
	cr_expect_str_eq(f[2], "c");
	cr_assert_eq(csv_next(c, &f, &n, &err), 1);
	cr_expect_eq(csv_line(c), 4);
	cr_expect_str_eq(f[0], "x, y");
	cr_expect_str_eq(f[1], "say \"hi\"");
	cr_expect_str_eq(f[2], "two\nlines");
	cr_assert_eq(csv_next(c, &f, &n, &err), 1);
	cr_expect_eq(csv_line(c), 6);
	cr_expect_eq(n, 3);
	cr_expect_str_eq(f[0], "");
	cr_assert_eq(csv_next(c, &f, &n, &err), 1);
	cr_expect_eq(csv_line(c), 7);
	cr_expect_str_eq(f[2], "no-newline");
	cr_expect_eq(csv_next(c, &f, &n, &err), 0);
	csv_free(c);
}

Test(csv, malformed_input_names_the_line)
{
	static const char *const bad[][2] = {
		{ "a,b\n\"open,c\n", "t.csv:2: quoted field is never closed" },
		{ "a,b\n\"x\"y,c\n", "t.csv:2: unexpected character after a closing quote" },
		{ "a,b\nx\"y,c\n", "t.csv:2: a quote inside an unquoted field" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct csv *c = csv_open_string("t.csv", bad[i][0]);
		const char *const *f;
		struct err err;
		int n;

		cr_assert_eq(csv_next(c, &f, &n, &err), 1);
		cr_expect_eq(csv_next(c, &f, &n, &err), -1);
		cr_expect(strstr(err.msg, bad[i][1]) != NULL, "%s", err.msg);
		csv_free(c);
	}
}
