/*
 * Unit tests of json_strict: RFC 8259's grammar, what json-c would misread
 * (duplicate member names, \u0000, lone surrogates), the depth bound, the
 * raw "id" span, strict UTF-8, and a long line in bounded time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "json_strict.h"

static int
check(const char *text, char *why, size_t whylen)
{
	struct json_strict_info	info;

	return json_strict_check(text, strlen(text), 32, &info, why, whylen);
}

static const struct {
	const char	*text;
	int		 rc;
	const char	*why;		/* a part of the message, or NULL */
} cases[] = {
	/* valid */
	{ "{}", 0, NULL },
	{ " {\"a\":1} \t\r", 0, NULL },
	{ "[1,-0,0.5,1e3,1E+3,-1.25e-7,true,false,null,\"x\",[],{}]", 0, NULL },
	{ "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"", 0,
	    NULL },
	{ "{\"a\":{\"a\":1},\"b\":{\"a\":2}}", 0, NULL },
	{ "{\"a\":1,\"A\":2,\"ab\":3,\"b\":4}", 0, NULL },
	{ "18446744073709551616", 0, NULL },
	{ "\"\x7f\xc3\xa9\"", 0, NULL },
	/* not JSON: -EINVAL */
	{ "", -EINVAL, "end" },
	{ "   ", -EINVAL, "end" },
	{ "{", -EINVAL, "end" },
	{ "{\"a\":1,}", -EINVAL, "'}'" },
	{ "[1,]", -EINVAL, "']'" },
	{ "[1 2]", -EINVAL, "'2'" },
	{ "{\"a\" 1}", -EINVAL, "':'" },
	{ "{a:1}", -EINVAL, "'a'" },
	{ "{'a':1}", -EINVAL, NULL },
	{ "01", -EINVAL, "'1'" },
	{ "1.", -EINVAL, "fraction" },
	{ ".5", -EINVAL, NULL },
	{ "1e", -EINVAL, "exponent" },
	{ "1e+", -EINVAL, "exponent" },
	{ "+1", -EINVAL, NULL },
	{ "-", -EINVAL, "number" },
	{ "0x10", -EINVAL, "'x'" },
	{ "tru", -EINVAL, NULL },
	{ "nulll", -EINVAL, "after" },
	{ "NaN", -EINVAL, NULL },
	{ "{}{}", -EINVAL, "after" },
	{ "{} x", -EINVAL, "after" },
	{ "\"a\tb\"", -EINVAL, "control" },
	{ "\"\\x41\"", -EINVAL, "escape" },
	{ "\"\\u12\"", -EINVAL, "\\u" },
	{ "\"\\u12G4\"", -EINVAL, "\\u" },
	{ "\"abc", -EINVAL, "string" },
	{ "{\"a\":1}\x0b", -EINVAL, "0x0b" },
	/* JSON, refused: -EDOM */
	{ "{\"a\":1,\"a\":2}", -EDOM, "duplicate member name \"a\"" },
	{ "{\"method\":\"host.status\",\"x\":1,\"method\":\"reserve\"}",
	    -EDOM, "\"method\"" },
	{ "{\"method\":1,\"\\u006dethod\":2}", -EDOM, "\"method\"" },
	{ "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", -EDOM,
	    "duplicate" },
	{ "[{\"p\":{\"k\":1,\"k\":1}}]", -EDOM, "\"k\"" },
	{ "{\"\":1,\"\":2}", -EDOM, "\"\"" },
	{ "\"host.status\\u0000junk\"", -EDOM, "\\u0000" },
	{ "{\"a\\u0000\":1}", -EDOM, "\\u0000" },
	{ "\"\\ud800\"", -EDOM, "high surrogate" },
	{ "\"\\ud800x\"", -EDOM, "high surrogate" },
	{ "\"\\ud800\\u0041\"", -EDOM, "high surrogate" },
	{ "\"\\ud800\\ud800\"", -EDOM, "high surrogate" },
	{ "\"\\udc00\"", -EDOM, "low surrogate" },
	{ "\"\\uDFFF\\uD800\"", -EDOM, "low surrogate" },
	/* not JSON wins over refused */
	{ "{\"a\":1,\"a\":2", -EINVAL, "end" },
	{ "[\"\\u0000\",]", -EINVAL, "']'" },
};

static void
test_cases(void **state)
{
	char	why[160];
	size_t	i;
	int	rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		rc = check(cases[i].text, why, sizeof(why));
		if (rc != cases[i].rc || (cases[i].why != NULL &&
		    strstr(why, cases[i].why) == NULL))
			fail_msg("case %zu <%s>: rc %d (%s), want %d (%s)", i,
			    cases[i].text, rc, why, cases[i].rc,
			    cases[i].why ? cases[i].why : "");
		if (rc != 0 && why[0] == '\0')
			fail_msg("case %zu <%s>: no message", i, cases[i].text);
	}
}

/* Raw NUL bytes: not white space, anywhere. */
static void
test_nul(void **state)
{
	struct json_strict_info	info;
	char			why[160];
	static const char	after[] = "{\"a\":1}\0\0";
	static const char	inside[] = "{\"a\":\"x\0y\"}";
	static const char	before[] = "\0{}";

	(void)state;
	assert_int_equal(json_strict_check(after, sizeof(after) - 1, 32, &info,
	    why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "0x00"));
	assert_int_equal(json_strict_check(inside, sizeof(inside) - 1, 32,
	    &info, why, sizeof(why)), -EINVAL);
	assert_int_equal(json_strict_check(before, sizeof(before) - 1, 32,
	    &info, why, sizeof(why)), -EINVAL);
}

/* max_depth arrays and objects are fine, one more is refused. */
static void
test_depth(void **state)
{
	struct json_strict_info	info;
	char			text[200], why[160];
	int			i;

	(void)state;
	for (i = 0; i < 32; i++) {
		text[i] = '[';
		text[32 + i] = ']';
	}
	assert_int_equal(json_strict_check(text, 64, 32, &info, why,
	    sizeof(why)), 0);
	text[0] = '{';
	memcpy(text + 1, "\"a\":", 4);
	memset(text + 5, '[', 32);
	memset(text + 37, ']', 32);
	text[69] = '}';
	assert_int_equal(json_strict_check(text, 70, 32, &info, why,
	    sizeof(why)), -EDOM);
	assert_non_null(strstr(why, "deeper than 32"));
}

/* The top-level "id" value as sent; nested ones do not count. */
static void
test_id(void **state)
{
	static const struct {
		const char	*text;
		const char	*id;
	} ids[] = {
		{ "{\"jsonrpc\":\"2.0\",\"id\": 18446744073709551616 ,"
		    "\"method\":\"x\"}", "18446744073709551616" },
		{ "{\"id\":-0}", "-0" },
		{ "{\"id\":1.50e+2,\"params\":{\"id\":7}}", "1.50e+2" },
		{ "{\"i\\u0064\":\"a b\"}", "\"a b\"" },
		{ "{\"params\":{\"id\":7}}", "" },
		{ "[{\"id\":7}]", "" },
		{ "{\"id\":null}", "null" },
	};
	struct json_strict_info	info;
	char			why[160];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		memset(&info, 0, sizeof(info));
		assert_int_equal(json_strict_check(ids[i].text,
		    strlen(ids[i].text), 32, &info, why, sizeof(why)), 0);
		if (info.id_len != strlen(ids[i].id) ||
		    memcmp(ids[i].text + info.id_off, ids[i].id,
		    info.id_len) != 0)
			fail_msg("<%s>: id <%.*s>, want <%s>", ids[i].text,
			    (int)info.id_len, ids[i].text + info.id_off,
			    ids[i].id);
	}
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(json_strict_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    10));
	assert_false(json_strict_utf8("\x80", 1));
	assert_false(json_strict_utf8("\xc3\x28", 2));
	assert_false(json_strict_utf8("\xc0\xaf", 2));		/* overlong */
	assert_false(json_strict_utf8("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(json_strict_utf8("\xf4\x90\x80\x80", 4));	/* > 10FFFF */
	assert_false(json_strict_utf8("\xe2\x82", 2));		/* cut */
}

/* 64 KiB of members in one object, then a duplicate: fast, and found. */
static void
test_many_members(void **state)
{
	struct json_strict_info	info;
	struct timespec		a, b;
	char			*text, why[160];
	size_t			n = 0, body, cap = 70000;
	int			i;
	double			ms;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);
	text[n++] = '{';
	for (i = 0; n < 65000; i++)
		n += (size_t)snprintf(text + n, cap - n, "\"k%d\":0,", i);
	body = n;
	n += (size_t)snprintf(text + n, cap - n, "\"k%d\":1}", i / 2);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(json_strict_check(text, n, 32, &info, why,
	    sizeof(why)), -EDOM);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("%d members checked in %.1f ms\n", i + 1, ms);
	assert_true(ms < 1000);
	n = body + (size_t)snprintf(text + body, cap - body, "\"z\":1}");
	assert_int_equal(json_strict_check(text, n, 32, &info, why,
	    sizeof(why)), 0);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_many_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
