/* Unit tests of the config parsers and the scenario parser. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conf.h"
#include "scenario.h"

static void
test_durations(void **state)
{
	static const struct { const char *s; int rc; uint64_t ms; } t[] = {
		{ "5", 0, 5000 }, { "5s", 0, 5000 }, { "0.5s", 0, 500 },
		{ "500ms", 0, 500 }, { "0.1", 0, 100 }, { "1.2346s", 0, 1235 },
		{ "5m", 0, 300000 }, { "1h", 0, 3600000 },
		{ "1h30m", 0, 5400000 }, { "1d", 0, 86400000 },
		{ "1m0.5s", 0, 60500 }, { "2d", -ERANGE, 0 },
		{ "", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "5M", -EINVAL, 0 },
		{ "5s5m", -EINVAL, 0 }, { "5x", -EINVAL, 0 },
		{ " 5", -EINVAL, 0 }, { "5.", -EINVAL, 0 }, { ".5", -EINVAL, 0 },
		{ "86401", -ERANGE, 0 }, { "99999999999999999999", -ERANGE, 0 },
	};
	uint64_t	ms;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ms = 7;
		assert_int_equal(conf_parse_duration(t[i].s, 86400000, &ms),
		    t[i].rc);
		assert_int_equal(ms, t[i].rc == 0 ? t[i].ms : 7);
	}
}

static void
test_ints(void **state)
{
	int64_t	v = 7;

	(void)state;
	assert_int_equal(conf_parse_int("12", 100, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(conf_parse_int("+12", 100, &v), -EINVAL);
	assert_int_equal(conf_parse_int("-12", 100, &v), -EINVAL);
	assert_int_equal(conf_parse_int("1e3", 100000, &v), -EINVAL);
	assert_int_equal(conf_parse_int("101", 100, &v), -ERANGE);
	assert_int_equal(conf_parse_int("99999999999999999999", 100, &v),
	    -ERANGE);
	assert_int_equal(v, 12);
}

/* The duration parser never overflows, whatever its bound. */
static void
test_duration_bounds(void **state)
{
	uint64_t	ms = 7;

	(void)state;
	assert_int_equal(conf_parse_duration("1", 0, &ms), -ERANGE);
	assert_int_equal(conf_parse_duration("0", 0, &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(conf_parse_duration("18446744073709551615ms",
	    UINT64_MAX, &ms), 0);
	assert_true(ms == UINT64_MAX);
	assert_int_equal(conf_parse_duration("18446744073709551616ms",
	    UINT64_MAX, &ms), -ERANGE);
	assert_int_equal(conf_parse_duration("18446744073709551615s",
	    UINT64_MAX, &ms), -ERANGE);
	assert_int_equal(conf_parse_duration("584942417y", UINT64_MAX, &ms),
	    0);
	assert_int_equal(conf_parse_duration("584942418y", UINT64_MAX, &ms),
	    -ERANGE);
	assert_int_equal(conf_parse_duration("584942417y1y", UINT64_MAX,
	    &ms), -EINVAL);
}

/* Sizes in squeezerd.conf take units, as squeezerctl's arguments. */
static void
test_conf_sizes(void **state)
{
	static const struct { const char *s; int rc; int64_t kib; } t[] = {
		{ "73728", 0, 73728 }, { "72M", 0, 73728 },
		{ "72MiB", 0, 73728 }, { "72mb", 0, 73728 },
		{ "1G", 0, 1048576 }, { "0.5G", 0, 524288 },
		{ "1.5T", 0, INT64_C(1610612736) }, { "1024K", 0, 1024 },
		{ "0", 0, 0 }, { "1.5", -EINVAL, 0 }, { "1.5K", -EINVAL, 0 },
		{ "72 M", -EINVAL, 0 }, { "-1M", -EINVAL, 0 },
		{ "1P", -EINVAL, 0 }, { "1025T", -ERANGE, 0 },
	};
	struct conf	c;
	char		err[256];
	int64_t		kib;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		kib = -7;
		assert_int_equal(conf_parse_size(t[i].s, INT64_C(1) << 40,
		    &kib), t[i].rc);
		assert_int_equal(kib, t[i].rc == 0 ? t[i].kib : -7);
	}
	conf_defaults(&c);
	assert_int_equal(conf_set(&c, "host-reserve-kib", "128M", err,
	    sizeof(err)), 0);
	assert_int_equal(c.host_reserve_kib, 131072);
	assert_int_equal(conf_set(&c, "granularity-kib", "2M", err,
	    sizeof(err)), 0);
	assert_int_equal(c.granularity_kib, 2048);
	assert_int_equal(conf_set(&c, "granularity-kib", "2G", err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "from 1 to 1G"));
	assert_int_equal(c.granularity_kib, 2048);
	assert_int_equal(conf_set(&c, "poll-interval", "1m", err,
	    sizeof(err)), 0);
	assert_int_equal(c.poll_interval_ms, 60000);
	assert_int_equal(conf_set(&c, "migration-timeout", "1h30m", err,
	    sizeof(err)), 0);
	assert_int_equal(c.migration_timeout_ms, 5400000);
}

/* The canonical forms: exact, readable, and they parse back. */
static void
test_conf_formats(void **state)
{
	static const struct { int64_t kib; const char *want; } sz[] = {
		{ 0, "0" }, { 512, "512" }, { 73728, "72M" },
		{ 1048576, "1G" }, { 1572864, "1536M" }, { 1049600, "1025M" },
		{ 1048577, "1048577" }, { INT64_C(1) << 40, "1024T" },
		{ -2048, "-2M" },
	};
	static const struct { uint64_t ms; const char *want; } du[] = {
		{ 0, "0s" }, { 1, "1ms" }, { 500, "500ms" }, { 1000, "1s" },
		{ 1500, "1.5s" }, { 1001, "1.001s" }, { 60000, "1m" },
		{ 90500, "1m30.5s" }, { 60100, "1m100ms" },
		{ 3600000, "1h" }, { 5400000, "1h30m" }, { 86400000, "1d" },
		{ 86400000 + 1000, "1d1s" },
		{ UINT64_C(31536000000), "1y" },
	};
	char		buf[64];
	int64_t		kib;
	uint64_t	ms;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		conf_fmt_size(sz[i].kib, buf, sizeof(buf));
		assert_string_equal(buf, sz[i].want);
		if (sz[i].kib >= 0) {
			assert_int_equal(conf_parse_size(buf, INT64_MAX,
			    &kib), 0);
			assert_int_equal(kib, sz[i].kib);
		}
	}
	for (i = 0; i < sizeof(du) / sizeof(du[0]); i++) {
		conf_fmt_duration(du[i].ms, buf, sizeof(buf));
		assert_string_equal(buf, du[i].want);
		assert_int_equal(conf_parse_duration(buf, UINT64_MAX, &ms), 0);
		assert_true(ms == du[i].ms);
	}
}

/* A bad value is refused and changes nothing. */
static void
test_conf_set(void **state)
{
	struct conf	c, before;
	char		err[256];

	(void)state;
	conf_defaults(&c);
	before = c;
	assert_int_equal(conf_set(&c, "nonesuch", "1", err, sizeof(err)),
	    -ENOENT);
	assert_int_equal(conf_set(&c, "granularity-kib", "0", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(conf_set(&c, "two-phase", "maybe", err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(conf_set(&c, "policy", "random", err, sizeof(err)),
	    -EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(conf_set(&c, "stuck-after", "2s", err, sizeof(err)),
	    0);
	assert_int_equal(c.stuck_after_ms, 2000);
}

/* -nv output parses again to the same configuration. */
static void
test_conf_round_trip(void **state)
{
	char		path[] = "/tmp/squeezerd-conf-XXXXXX";
	struct conf	c, back;
	FILE		*f;
	char		err[256];
	int		fd;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(conf_set(&c, "poll-interval", "250ms", err,
	    sizeof(err)), 0);
	assert_int_equal(conf_set(&c, "two-phase", "no", err, sizeof(err)), 0);
	assert_int_equal(conf_set(&c, "host-reserve-kib", "1.5G", err,
	    sizeof(err)), 0);
	assert_int_equal(conf_set(&c, "balance-tolerance-kib", "1025", err,
	    sizeof(err)), 0);
	assert_int_equal(conf_set(&c, "migration-timeout", "1h0m1.5s", err,
	    sizeof(err)), 0);
	assert_int_equal(conf_set(&c, "socket-mode", "0600", err,
	    sizeof(err)), 0);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	conf_print(&c, f);
	fclose(f);
	assert_int_equal(conf_load(path, stderr, &back), 0);
	assert_memory_equal(&c, &back, sizeof(c));
	assert_int_equal(chmod(path, 0666), 0);		/* group-writable */
	assert_int_equal(conf_load(path, stderr, &back), -EPERM);
	unlink(path);
}

static const char good[] =
    "{\n"
    "  \"config\": { \"granularity-kib\": 1, \"stuck-after\": 2.5 },\n"
    "  \"host\": { \"free-kib\": 10 },\n"
    "  \"domains\": [\n"
    "    { \"domid\": 4, \"dynamic-min-kib\": 1, \"dynamic-max-kib\": 9,\n"
    "      \"target-kib\": 5 },\n"
    "    { \"domid\": 2, \"dynamic-min-kib\": 1, \"dynamic-max-kib\": 9,\n"
    "      \"target-kib\": 5, \"balloon\": { \"model\": \"none\" } }\n"
    "  ],\n"
    "  \"steps\": [ { \"op\": \"plan\" }, { \"op\": \"wait\", \"s\": 1.5 } ]\n"
    "}\n";

static void
test_scenario_defaults(void **state)
{
	struct scenario	 s;
	struct sim_dom	*d;
	char		 err[256];

	(void)state;
	assert_int_equal(scenario_parse("good", good, strlen(good), &s, err,
	    sizeof(err)), 0);
	assert_int_equal(s.conf.granularity_kib, 1);
	assert_int_equal(s.conf.stuck_after_ms, 2500);
	assert_int_equal(s.conf.host_reserve_kib, 73728);
	assert_int_equal(s.host.free_kib, 10);
	assert_int_equal(s.host.ndoms, 2);
	d = sim_find(&s.host, 4);
	assert_non_null(d);
	assert_int_equal(d->d.actual_kib, 5);
	assert_int_equal(d->d.maxmem_kib, 5);
	assert_int_equal(d->d.inaccuracy_kib, 4);
	assert_true(d->d.can_balloon);
	assert_int_equal(d->b.model, SIM_NORMAL);
	assert_int_equal(d->b.rate_kib_s, SIM_DEFAULT_RATE_KIB_S);
	assert_false(sim_find(&s.host, 2)->d.can_balloon);
	assert_int_equal(s.nsteps, 2);
	assert_int_equal(s.steps[1].wait_ms, 1500);
	scenario_dispose(&s);
}

/*
 * A start step's domain, a run, a stop and a use series longer than the
 * old 16 points: parsed, owned by the scenario and freed with it (ASan
 * sees leaks), and the same after an error late in the file.
 */
static void
test_scenario_long_runs(void **state)
{
	char		 text[8192], err[256];
	struct scenario	 s;
	size_t		 n = 0, i;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "{ \"domains\": [ "
	    "{ \"domid\": 1, \"dynamic-min-kib\": 10, \"dynamic-max-kib\": "
	    "20, \"target-kib\": 15, \"memory\": { \"used-kib-at\": [");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%s[%zu, %zu]", i ? ", " : "", i, 10 + i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "] } } ], "
	    "\"steps\": [ { \"op\": \"start\", \"deadline-s\": 2, "
	    "\"domain\": { \"domid\": 2, \"dynamic-min-kib\": 5, "
	    "\"dynamic-max-kib\": 9, \"memory\": { \"used-kib-at\": "
	    "[[3, 7]] } } }, { \"op\": \"run\", \"s\": 60 }, "
	    "{ \"op\": \"stop\", \"domid\": 2 } ] }");
	assert_int_equal(scenario_parse("x", text, n, &s, err, sizeof(err)),
	    0);
	assert_int_equal(sim_find(&s.host, 1)->nused_at, 40);
	assert_int_equal(sim_find(&s.host, 1)->used_at[39].used_kib, 49);
	assert_int_equal(s.nsteps, 3);
	assert_int_equal(s.steps[0].op, SCEN_START);
	assert_int_equal(s.steps[0].deadline_ms, 2000);
	assert_int_equal(s.nstarts, 1);
	assert_int_equal(s.starts[s.steps[0].start].d.domid, 2);
	assert_int_equal(s.starts[0].d.dyn_max_kib, 9);
	assert_int_equal(s.starts[0].nused_at, 1);
	assert_int_equal(s.steps[1].op, SCEN_RUN);
	assert_int_equal(s.steps[1].wait_ms, 60000);
	assert_int_equal(s.steps[2].op, SCEN_STOP);
	assert_int_equal(s.steps[2].domid, 2);
	scenario_dispose(&s);
	/* the same with a bad last step: everything parsed so far freed */
	memcpy(text + n - 7, "-2 } ] }", 9);
	assert_int_equal(scenario_parse("x", text, n + 1, &s, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "x:1: steps[2].domid: -2 is out of range "
	    "[0, 32751]");
}

/* Each error names the file, the line and the field. */
static void
test_scenario_errors(void **state)
{
	static const struct { const char *text, *want; } t[] = {
		{ "{\n \"steps\": [\n  { \"op\": \"wait\" }\n ]\n}",
		  "x:3: steps[0]: missing field \"s\"" },
		{ "{ \"host\": {\n\"free-kib\": 1.5 } }",
		  "x:2: host.free-kib: must be an integer, not a number" },
		{ "{\n\n\"config\": { \"policy\": \"random\" } }",
		  "x:3: config.policy: unknown policy \"random\"" },
		{ "{ \"domains\": {} }",
		  "x:1: domains: must be an array, not an object" },
		{ "{\n\"a\": [1,,2] }", "x:2: invalid JSON: unexpected character" },
		{ "", "x:1: invalid JSON: unexpected end of data" },
	};
	struct scenario	s;
	char		err[256];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		assert_int_equal(scenario_parse("x", t[i].text,
		    strlen(t[i].text), &s, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, t[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_duration_bounds),
		cmocka_unit_test(test_conf_sizes),
		cmocka_unit_test(test_conf_formats),
		cmocka_unit_test(test_conf_set),
		cmocka_unit_test(test_conf_round_trip),
		cmocka_unit_test(test_scenario_defaults),
		cmocka_unit_test(test_scenario_errors),
		cmocka_unit_test(test_scenario_long_runs),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
