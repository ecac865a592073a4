/*
 * Unit tests of squeezerctl's argument parsers (sizes, ranges, durations)
 * and of its formatters for people (sizes in a unit, durations).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ctl.h"
#include "ctl_fmt.h"
#include "ctl_output.h"
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
	/* fractions, with a unit, rounded to the KiB */
	{ "1.5G", 0, MIB(1536) },
	{ "1.5GiB", 0, MIB(1536) },
	{ "0.5T", 0, GIB(512) },
	{ "0.25M", 0, KIB(256) },
	{ "1.0001M", 0, KIB(1024) },
	{ "1.0005M", 0, KIB(1025) },
	{ "2.5k", -EINVAL, 0 },		/* KiB are whole */
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
	{ "1.5", -EINVAL, 0 },		/* KiB are whole */
	{ "1.G", -EINVAL, 0 },
	{ ".5G", -EINVAL, 0 },
	{ "1..5G", -EINVAL, 0 },
	{ "1.5.5G", -EINVAL, 0 },
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
	{ "10m", 0, 600000 },
	{ "1h", 0, 3600000 },
	{ "1h30m", 0, 5400000 },
	{ "1m30s", 0, 90000 },
	{ "1m30.5s", 0, 90500 },
	{ "1.5h", 0, 5400000 },
	{ "2d", 0, 172800000 },
	{ "1y", 0, CTL_DURATION_MAX_MS },
	{ "1s500ms", 0, 1500 },
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
	{ "1M", -EINVAL, 0 },		/* months? minutes? neither */
	{ "1H", -EINVAL, 0 },
	{ "1S", -EINVAL, 0 },
	{ "30s1m", -EINVAL, 0 },	/* units largest first */
	{ "1s1s", -EINVAL, 0 },
	{ "1m30", -EINVAL, 0 },		/* a bare number only alone */
	{ "1h ", -EINVAL, 0 },
	{ "1y1ms", -ERANGE, 0 },
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

/* Sizes for people: the unit chosen, the number in it. */
static void
test_fmt_sizes(void **state)
{
	static const struct {
		int64_t		 kib;
		int		 unit;
		const char	*want;
	} t[] = {
		{ GIB(96), CTL_FMT_AUTO, "96.0 GiB" },
		{ MIB(512), CTL_FMT_AUTO, "512 MiB" },
		{ MIB(1536), CTL_FMT_AUTO, "1.5 GiB" },
		{ MIB(72), CTL_FMT_AUTO, "72 MiB" },
		{ KIB(512), CTL_FMT_AUTO, "512 KiB" },
		{ 0, CTL_FMT_AUTO, "0 KiB" },
		{ TIB(2), CTL_FMT_AUTO, "2.0 TiB" },
		{ GIB(1) - 1, CTL_FMT_AUTO, "1024 MiB" },
		{ -MIB(72), CTL_FMT_AUTO, "-72 MiB" },
		{ MIB(3836), CTL_FMT_AUTO, "3.7 GiB" },
		{ MIB(3836), CTL_FMT_MIB, "3836 MiB" },
		{ GIB(96), CTL_FMT_MIB, "98304 MiB" },
		{ MIB(72), CTL_FMT_GIB, "0.1 GiB" },
		{ KIB(100), CTL_FMT_GIB, "0.0 GiB" },
		{ -KIB(100), CTL_FMT_GIB, "0.0 GiB" },	/* no "-0.0" */
		{ KIB(1536), CTL_FMT_MIB, "2 MiB" },
		{ KIB(12345), CTL_FMT_KIB, "12345 KiB" },
		{ INT64_MAX, CTL_FMT_AUTO, "8589934592.0 TiB" },
	};
	char	buf[64];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ctl_fmt_size(t[i].kib, t[i].unit, buf, sizeof(buf));
		if (strcmp(buf, t[i].want) != 0)
			print_error("%" PRId64 " KiB in %d: \"%s\", want "
			    "\"%s\"\n", t[i].kib, t[i].unit, buf, t[i].want);
		assert_string_equal(buf, t[i].want);
	}
	ctl_fmt_number(MIB(1536), CTL_FMT_GIB, buf, sizeof(buf));
	assert_string_equal(buf, "1.5");
	ctl_fmt_size(GIB(96), CTL_FMT_AUTO, buf, 5);	/* truncated */
	assert_string_equal(buf, "96.0");
}

/* -u's units. */
static void
test_fmt_units(void **state)
{
	static const struct {
		const char	*s;
		int		 rc, unit;
	} t[] = {
		{ "K", 0, CTL_FMT_KIB }, { "m", 0, CTL_FMT_MIB },
		{ "G", 0, CTL_FMT_GIB }, { "TiB", 0, CTL_FMT_TIB },
		{ "gb", 0, CTL_FMT_GIB }, { "", -EINVAL, 0 },
		{ "X", -EINVAL, 0 }, { "GG", -EINVAL, 0 },
		{ "P", -EINVAL, 0 }, { "1G", -EINVAL, 0 },
	};
	size_t	i;
	int	unit;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unit = 99;
		assert_int_equal(ctl_fmt_parse_unit(t[i].s, &unit), t[i].rc);
		assert_int_equal(unit, t[i].rc == 0 ? t[i].unit : 99);
	}
	assert_int_equal(ctl_fmt_parse_unit(NULL, &unit), -EINVAL);
	assert_string_equal(ctl_fmt_unit_name(CTL_FMT_GIB), "GiB");
}

/* Durations for people: at most two units, rounded; they parse again. */
static void
test_fmt_durations(void **state)
{
	static const struct {
		uint64_t	 ms;
		const char	*want;
	} t[] = {
		{ 0, "0ms" },
		{ 250, "250ms" },
		{ 999, "999ms" },
		{ 1000, "1s" },
		{ 2500, "2.5s" },
		{ 2549, "2.5s" },
		{ 2550, "2.6s" },
		{ 10000, "10s" },
		{ 59940, "59.9s" },
		{ 59950, "1m" },
		{ 60000, "1m" },
		{ 90000, "1m30s" },
		{ 600000, "10m" },
		{ 599400, "9m59s" },
		{ 599600, "10m" },
		{ 3600000, "1h" },
		{ 3725000, "1h2m" },
		{ 5400000, "1h30m" },
		{ 86400000, "1d" },
		{ 90000000, "1d1h" },
		{ CTL_DURATION_MAX_MS, "1y" },
		{ CTL_DURATION_MAX_MS - 1000, "1y" },
		{ CTL_DURATION_MAX_MS + 35 * UINT64_C(86400000), "1y35d" },
	};
	char		buf[32];
	uint64_t	back;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ctl_fmt_duration(t[i].ms, buf, sizeof(buf));
		if (strcmp(buf, t[i].want) != 0)
			print_error("%" PRIu64 " ms: \"%s\", want \"%s\"\n",
			    t[i].ms, buf, t[i].want);
		assert_string_equal(buf, t[i].want);
		/* what is shown is a duration squeezerctl takes */
		if (t[i].ms <= CTL_DURATION_MAX_MS)
			assert_int_equal(ctl_parse_duration(buf, &back), 0);
	}
}

/* Control characters never reach the terminal. */
static void
test_fmt_clean(void **state)
{
	char	buf[16];

	(void)state;
	ctl_fmt_clean("a\033[2Jb\x7f\n", buf, sizeof(buf));
	assert_string_equal(buf, "a?[2Jb??");
}

/* An output that keeps the last failure, for the table's tests. */
static char	test_word[64], test_text[512], test_usage[512];

static void
test_out_result(const struct ctl *ctl, ctl_text_fn *text,
    struct json_object *r, int flags)
{
	(void)ctl;
	(void)text;
	(void)r;
	(void)flags;
}

static void
test_out_error(const struct ctl *ctl, const char *word, const char *text,
    const char *usage, struct json_object *remote)
{
	(void)ctl;
	(void)remote;
	snprintf(test_word, sizeof(test_word), "%s", word);
	snprintf(test_text, sizeof(test_text), "%s", text);
	snprintf(test_usage, sizeof(test_usage), "%s", usage ? usage : "");
}

static const struct ctl_output test_out = {
	.result = test_out_result,
	.error = test_out_error,
};

static struct ctl	test_ctl = { .ctl_out = &test_out, .ctl_unit = -1 };

/* Commands by name or unambiguous prefix; else the choices are said. */
static void
test_find(void **state)
{
	const struct ctl_cmd	*c;

	(void)state;
	assert_non_null(c = ctl_parse_find(&test_ctl, "reserve"));
	assert_string_equal(c->name, "reserve");
	assert_non_null(c = ctl_parse_find(&test_ctl, "reservations"));
	assert_string_equal(c->name, "reservations");
	assert_non_null(c = ctl_parse_find(&test_ctl, "st"));
	assert_string_equal(c->name, "status");
	assert_non_null(c = ctl_parse_find(&test_ctl, "migrate-o"));
	assert_string_equal(c->name, "migrate-out");
	test_word[0] = '\0';
	assert_null(ctl_parse_find(&test_ctl, "re"));
	assert_string_equal(test_word, "usage");
	assert_non_null(strstr(test_text, "ambiguous"));
	assert_non_null(strstr(test_text, "reservations, reserve"));
	assert_null(strstr(test_text, "status"));
	assert_null(ctl_parse_find(&test_ctl, "frob"));
	assert_non_null(strstr(test_text, "unknown command \"frob\""));
	assert_non_null(strstr(test_text, "status"));	/* the choices */
	assert_null(ctl_parse_find(&test_ctl, ""));
}

/* Parse argv (a NULL-terminated list of strings) for command name. */
static int
test_args(const char *name, struct ctl_args *a, ...)
{
	static char	 buf[16][64];
	char		*argv[17];
	const char	*s;
	va_list		 ap;
	int		 argc = 0;

	va_start(ap, a);
	snprintf(buf[argc], sizeof(buf[0]), "%s", name);
	argv[argc] = buf[argc];
	argc++;
	while ((s = va_arg(ap, const char *)) != NULL && argc < 16) {
		snprintf(buf[argc], sizeof(buf[0]), "%s", s);
		argv[argc] = buf[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	test_word[0] = test_usage[0] = '\0';
	return ctl_parse_args(&test_ctl, ctl_parse_find(&test_ctl, name),
	    argc, argv, a);
}

/* Each command takes its own options and number of arguments. */
static void
test_parse_args(void **state)
{
	struct ctl_args	a;

	(void)state;
	assert_int_equal(test_args("reserve", &a, "1G", "--ttl", "10m",
	    "--session", "s", NULL), 0);
	assert_int_equal(a.npos, 1);
	assert_string_equal(a.pos[0], "1G");
	assert_string_equal(a.ttl, "10m");
	assert_string_equal(a.session, "s");
	assert_int_equal(test_args("reserve", &a, "--id", "x", "1G", NULL),
	    0);
	assert_string_equal(a.id, "x");
	/* wrong: each a usage error, said with the usage line */
	assert_int_equal(test_args("reserve", &a, NULL), CTL_EXIT_USAGE);
	assert_string_equal(test_word, "usage");
	assert_non_null(strstr(test_usage, "usage: squeezerctl reserve "));
	assert_int_equal(test_args("reserve", &a, "1G", "2G", NULL),
	    CTL_EXIT_USAGE);
	assert_int_equal(test_args("reserve", &a, "1G", "--bogus", NULL),
	    CTL_EXIT_USAGE);
	assert_non_null(strstr(test_text, "unknown option --bogus"));
	assert_int_equal(test_args("reserve", &a, "1G", "-i", "1s", NULL),
	    CTL_EXIT_USAGE);
	assert_non_null(strstr(test_text, "reserve takes no option -i"));
	assert_int_equal(test_args("reserve", &a, "1G", "--ttl", NULL),
	    CTL_EXIT_USAGE);
	assert_non_null(strstr(test_text, "option --ttl needs a value"));
	assert_int_equal(test_args("status", &a, "x", NULL), CTL_EXIT_USAGE);
	assert_int_equal(test_args("top", &a, "-i", "2s", "-n", "3", NULL), 0);
	assert_string_equal(a.interval, "2s");
	assert_string_equal(a.count, "3");
	assert_int_equal(test_args("simulate", &a, "-t", "--policy", "p",
	    "f.json", NULL), 0);
	assert_true(a.trace);
	assert_string_equal(a.policy, "p");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_fmt_sizes),
		cmocka_unit_test(test_fmt_units),
		cmocka_unit_test(test_fmt_durations),
		cmocka_unit_test(test_fmt_clean),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_parse_args),
	};

	return cmocka_run_group_tests_name("ctl_parse", tests, NULL, NULL);
}
