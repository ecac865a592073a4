/* Unit tests of squeezerctl's argument parsers: sizes, ranges, durations. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ctl_parse.h"

#define KIB(x)	INT64_C(x)
#define MIB(x)	(INT64_C(x) << 10)
#define GIB(x)	(INT64_C(x) << 20)
#define TIB(x)	(INT64_C(x) << 30)

static const struct {
	const char	*s;
	int		 rc;
	int64_t		 kib;
} sizes[] = {
	{ "0", 0, 0 },
	{ "1", 0, KIB(1) },
	{ "4096", 0, KIB(4096) },
	{ "1048576K", 0, GIB(1) },
	{ "1048576k", 0, GIB(1) },
	{ "512M", 0, MIB(512) },
	{ "512m", 0, MIB(512) },
	{ "2G", 0, GIB(2) },
	{ "2g", 0, GIB(2) },
	{ "1T", 0, TIB(1) },
	{ "1t", 0, TIB(1) },
	{ "2GiB", 0, GIB(2) },
	{ "2gib", 0, GIB(2) },
	{ "2GIB", 0, GIB(2) },
	{ "2GB", 0, GIB(2) },
	{ "2Gb", 0, GIB(2) },
	{ "64KiB", 0, KIB(64) },
	{ "007M", 0, MIB(7) },
	/* the largest sizes that fit in int64 KiB */
	{ "9223372036854775807", 0, INT64_MAX },
	{ "8589934591T", 0, TIB(8589934591) },
	/* rejects */
	{ "", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "-1G", -EINVAL, 0 },
	{ "+1G", -EINVAL, 0 },
	{ " 1G", -EINVAL, 0 },
	{ "1G ", -EINVAL, 0 },
	{ "1 G", -EINVAL, 0 },
	{ "G", -EINVAL, 0 },
	{ "GiB", -EINVAL, 0 },
	{ "1X", -EINVAL, 0 },
	{ "1P", -EINVAL, 0 },
	{ "1B", -EINVAL, 0 },
	{ "1iB", -EINVAL, 0 },
	{ "1GG", -EINVAL, 0 },
	{ "1Gi", -EINVAL, 0 },
	{ "1GiBs", -EINVAL, 0 },
	{ "1.5G", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "1e3", -EINVAL, 0 },
	{ "1G-2G", -EINVAL, 0 },
	{ "9223372036854775808", -ERANGE, 0 },
	{ "99999999999999999999999", -ERANGE, 0 },
	{ "8589934592T", -ERANGE, 0 },
	{ "9007199254740992M", -ERANGE, 0 },
};

static const struct {
	const char	*s;
	int		 rc;
	int64_t		 min_kib, max_kib;
} ranges[] = {
	{ "1G-2G", 0, GIB(1), GIB(2) },
	{ "512M-1GiB", 0, MIB(512), GIB(1) },
	{ "1024-2048", 0, KIB(1024), KIB(2048) },
	{ "2G-2G", 0, GIB(2), GIB(2) },
	{ "0-1G", 0, 0, GIB(1) },
	{ "1048576K-1G", 0, GIB(1), GIB(1) },
	/* rejects */
	{ "", -EINVAL, 0, 0 },
	{ "1G", -EINVAL, 0, 0 },
	{ "-", -EINVAL, 0, 0 },
	{ "1G-", -EINVAL, 0, 0 },
	{ "-2G", -EINVAL, 0, 0 },
	{ "2G-1G", -EINVAL, 0, 0 },
	{ "1G--2G", -EINVAL, 0, 0 },
	{ "1G-2G-3G", -EINVAL, 0, 0 },
	{ "1G - 2G", -EINVAL, 0, 0 },
	{ "1X-2G", -EINVAL, 0, 0 },
	{ "1G-2X", -EINVAL, 0, 0 },
	{ "1G-8589934592T", -ERANGE, 0, 0 },
	{ "8589934592T-1G", -ERANGE, 0, 0 },
};

static const struct {
	const char	*s;
	int		 rc;
	uint64_t	 ms;
} durations[] = {
	{ "0", 0, 0 },
	{ "2", 0, 2000 },
	{ "2s", 0, 2000 },
	{ "1.5s", 0, 1500 },
	{ "1.5", 0, 1500 },
	{ "0.25s", 0, 250 },
	{ "500ms", 0, 500 },
	{ "1ms", 0, 1 },
	{ "31536000s", 0, CTL_DURATION_MAX_MS },
	{ "31536000000ms", 0, CTL_DURATION_MAX_MS },
	/* rejects */
	{ "", -EINVAL, 0 },
	{ "-1s", -EINVAL, 0 },
	{ "+1s", -EINVAL, 0 },
	{ " 1s", -EINVAL, 0 },
	{ "1 s", -EINVAL, 0 },
	{ "s", -EINVAL, 0 },
	{ ".5s", -EINVAL, 0 },
	{ "1.s", -EINVAL, 0 },
	{ "1m", -EINVAL, 0 },
	{ "1h", -EINVAL, 0 },
	{ "1S", -EINVAL, 0 },
	{ "1sec", -EINVAL, 0 },
	{ "2x", -EINVAL, 0 },
	{ "31536001s", -ERANGE, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
};

static void
test_sizes(void **state)
{
	int64_t	kib;
	size_t	i;
	int	rc;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		kib = -1;
		rc = ctl_parse_size(sizes[i].s, &kib);
		if (rc != sizes[i].rc)
			print_error("\"%s\": rc %d, want %d\n", sizes[i].s, rc,
			    sizes[i].rc);
		assert_int_equal(rc, sizes[i].rc);
		/* ret_kib is written only on success */
		assert_int_equal(kib, rc == 0 ? sizes[i].kib : -1);
	}
	assert_int_equal(ctl_parse_size(NULL, &kib), -EINVAL);
}

static void
test_ranges(void **state)
{
	int64_t	lo, hi;
	size_t	i;
	int	rc;

	(void)state;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		lo = hi = -1;
		rc = ctl_parse_range(ranges[i].s, &lo, &hi);
		if (rc != ranges[i].rc)
			print_error("\"%s\": rc %d, want %d\n", ranges[i].s,
			    rc, ranges[i].rc);
		assert_int_equal(rc, ranges[i].rc);
		assert_int_equal(lo, rc == 0 ? ranges[i].min_kib : -1);
		assert_int_equal(hi, rc == 0 ? ranges[i].max_kib : -1);
	}
	assert_int_equal(ctl_parse_range(NULL, &lo, &hi), -EINVAL);
}

static void
test_durations(void **state)
{
	uint64_t	ms;
	size_t		i;
	int		rc;

	(void)state;
	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		ms = UINT64_MAX;
		rc = ctl_parse_duration(durations[i].s, &ms);
		if (rc != durations[i].rc)
			print_error("\"%s\": rc %d, want %d\n",
			    durations[i].s, rc, durations[i].rc);
		assert_int_equal(rc, durations[i].rc);
		assert_int_equal(ms, rc == 0 ? durations[i].ms : UINT64_MAX);
	}
	assert_int_equal(ctl_parse_duration(NULL, &ms), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests_name("ctl_parse", tests, NULL, NULL);
}
