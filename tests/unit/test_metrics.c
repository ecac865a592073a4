/* Unit tests of the reserve latency histogram and its text rendering. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observe),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
