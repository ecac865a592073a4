/*
 * Unit tests of the reserve latency histogram, samples in base units and
 * label values escaped for the text format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "metrics.h"

/* A bucket holds what is at most its bound: 10 ms is in le="0.01". */
static void
test_observe(void **state)
{
	static const struct {
		uint64_t	ms;
		size_t		bucket;
	} obs[] = {
		{ 0, 0 }, { 10, 0 }, { 11, 1 }, { 50, 1 }, { 100, 2 },
		{ 101, 3 }, { 999, 5 }, { 1000, 5 }, { 2500, 6 }, { 60000, 10 },
		{ 60001, 11 }, { UINT64_C(1) << 40, 11 },
	};
	struct metrics	m;
	uint64_t	sum = 0;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(obs) / sizeof(obs[0]); i++) {
		memset(&m, 0, sizeof(m));
		metrics_reserve_observe(&m, obs[i].ms);
		assert_int_equal(m.reserve_bucket[obs[i].bucket], 1);
		assert_int_equal(m.reserve_count, 1);
		assert_int_equal(m.reserve_sum_ms, obs[i].ms);
	}
	memset(&m, 0, sizeof(m));
	for (i = 0; i < sizeof(obs) / sizeof(obs[0]); i++) {
		metrics_reserve_observe(&m, obs[i].ms);
		sum += obs[i].ms;
	}
	assert_int_equal(m.reserve_count, sizeof(obs) / sizeof(obs[0]));
	assert_int_equal(m.reserve_sum_ms, sum);
}

/* Cumulative buckets, +Inf is the count, the sum in seconds. */
static void
test_render(void **state)
{
	struct metrics	 m;
	char		*text = NULL;
	size_t		 len = 0;
	FILE		*f;

	(void)state;
	memset(&m, 0, sizeof(m));
	metrics_reserve_observe(&m, 5);
	metrics_reserve_observe(&m, 300);
	metrics_reserve_observe(&m, 1250);
	metrics_reserve_observe(&m, 90000);
	assert_non_null(f = open_memstream(&text, &len));
	metrics_reserve_render(&m, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text,
	    "# TYPE squeezerd_reserve_seconds histogram\n"));
	assert_non_null(strstr(text,
	    "squeezerd_reserve_seconds_bucket{le=\"0.01\"} 1\n"
	    "squeezerd_reserve_seconds_bucket{le=\"0.05\"} 1\n"
	    "squeezerd_reserve_seconds_bucket{le=\"0.1\"} 1\n"
	    "squeezerd_reserve_seconds_bucket{le=\"0.25\"} 1\n"
	    "squeezerd_reserve_seconds_bucket{le=\"0.5\"} 2\n"
	    "squeezerd_reserve_seconds_bucket{le=\"1\"} 2\n"
	    "squeezerd_reserve_seconds_bucket{le=\"2.5\"} 3\n"
	    "squeezerd_reserve_seconds_bucket{le=\"5\"} 3\n"
	    "squeezerd_reserve_seconds_bucket{le=\"10\"} 3\n"
	    "squeezerd_reserve_seconds_bucket{le=\"30\"} 3\n"
	    "squeezerd_reserve_seconds_bucket{le=\"60\"} 3\n"
	    "squeezerd_reserve_seconds_bucket{le=\"+Inf\"} 4\n"
	    "squeezerd_reserve_seconds_sum 91.555\n"
	    "squeezerd_reserve_seconds_count 4\n"));
	free(text);
}

/* What the caller's FILE gets from fn. */
#define RENDER(text, call) do {						\
	size_t	 len_ = 0;						\
	FILE	*f = open_memstream(&(text), &len_);			\
									\
	assert_non_null(f);						\
	call;								\
	assert_int_equal(fclose(f), 0);					\
} while (0)

/* KiB become bytes, exactly, negative too; labels only when given. */
static void
test_sample_bytes(void **state)
{
	char	*text = NULL;

	(void)state;
	RENDER(text, (metrics_sample_bytes(f, "a_bytes", NULL, 1),
	    metrics_sample_bytes(f, "a_bytes", "", -3),
	    metrics_sample_bytes(f, "a_bytes", "domid=\"7\",name=\"x\"",
	    INT64_C(1) << 40),
	    metrics_sample(f, "n", "k=\"v\"", -1),
	    metrics_sample_bytes(f, "big_bytes", NULL, INT64_MAX)));
	assert_string_equal(text,
	    "a_bytes 1024\n"
	    "a_bytes -3072\n"
	    "a_bytes{domid=\"7\",name=\"x\"} 1125899906842624\n"
	    "n{k=\"v\"} -1\n"
	    "big_bytes 9.4447329657392904e+21\n");
	free(text);
}

/* The text format's three escapes; what is not printable UTF-8 is '?'. */
static void
test_label_escape(void **state)
{
	static const struct {
		const char	*in, *out;
	} t[] = {
		{ "web-01", "web-01" },
		{ "", "" },
		{ "a\"b", "a\\\"b" },
		{ "a\\b", "a\\\\b" },
		{ "a\nb", "a\\nb" },
		{ "tab\there\r\x7f", "tab?here??" },
		/* e acute, the euro sign, a whale */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3" },
		{ "bad\xff\xfe", "bad??" },
		{ "cut\xc3", "cut?" },			/* truncated sequence */
		{ "over\xc0\xaf", "over??" },		/* overlong '/' */
		{ "over\xe0\x80\xaf", "over???" },
		{ "sur\xed\xa0\x80", "sur???" },	/* a surrogate */
		{ "big\xf4\x90\x80\x80", "big????" },	/* above U+10FFFF */
	};
	char	buf[METRICS_LABEL_BUFLEN];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(metrics_label_escape(t[i].in, buf,
		    sizeof(buf)), strlen(t[i].out));
		assert_string_equal(buf, t[i].out);
	}
}

/* At most METRICS_LABEL_MAX bytes of input, never half a character. */
static void
test_label_bounds(void **state)
{
	char	in[4 * METRICS_LABEL_MAX], buf[METRICS_LABEL_BUFLEN];
	char	want[METRICS_LABEL_BUFLEN], small[4];
	size_t	i;

	(void)state;
	memset(in, 'x', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(metrics_label_escape(in, buf, sizeof(buf)),
	    METRICS_LABEL_MAX);
	/* all quotes: the worst case fills the buffer exactly */
	memset(in, '"', sizeof(in) - 1);
	assert_int_equal(metrics_label_escape(in, buf, sizeof(buf)),
	    2 * METRICS_LABEL_MAX);
	/* "é" (2 bytes) 40 times: 32 fit in 64 bytes */
	for (i = 0; i < 40; i++)
		memcpy(in + 2 * i, "\xc3\xa9", 2);
	in[80] = '\0';
	assert_int_equal(metrics_label_escape(in, buf, sizeof(buf)), 64);
	/* "x" then "é"s: the 32nd é would straddle byte 64, so it goes */
	in[0] = 'x';
	for (i = 0; i < 40; i++)
		memcpy(in + 1 + 2 * i, "\xc3\xa9", 2);
	in[81] = '\0';
	assert_int_equal(metrics_label_escape(in, buf, sizeof(buf)), 63);
	memcpy(want, in, 63);
	want[63] = '\0';
	assert_string_equal(buf, want);
	/* a small buffer: whole escapes only */
	assert_int_equal(metrics_label_escape("a\"b", small, sizeof(small)),
	    3);
	assert_string_equal(small, "a\\\"");
	assert_int_equal(metrics_label_escape("ab\"", small, sizeof(small)),
	    2);
	assert_string_equal(small, "ab");
	assert_int_equal(metrics_label_escape("abc", small, 1), 0);
	assert_string_equal(small, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observe),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_sample_bytes),
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_label_bounds),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
