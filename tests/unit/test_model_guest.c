/*
 * Unit tests of what the host model reads for the weighted and pressure
 * policies: memory/weight, data/meminfo_total, data/meminfo_free and
 * data/memory-pressure, parsed strictly; garbage leaves a value unknown and
 * never takes the domain out of the snapshot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend.h"
#include "backend_sim.h"
#include "conf.h"
#include "model.h"

static const char host_json[] =
    "{ \"host\": { \"free-kib\": 1000000 },\n"
    "  \"domains\": [\n"
    "    { \"domid\": 1, \"dynamic-min-kib\": 100000,"
    " \"dynamic-max-kib\": 400000, \"target-kib\": 400000 },\n"
    "    { \"domid\": 2, \"dynamic-min-kib\": 100000,"
    " \"dynamic-max-kib\": 400000, \"target-kib\": 200000,"
    " \"weight\": 250, \"memory\": { \"used-kib\": 300000,"
    " \"pressure\": 12.5, \"used-kib-at\": [[5, 350000]] } } ] }\n";

struct fixture {
	char		 dir[64], host[96], state[96];
	struct conf	 conf;
	void		*ctx;
	struct model	*m;
};

static int
setup(void **state)
{
	struct fixture		*f = calloc(1, sizeof(*f));
	struct backend_args	 a;
	char			 err[256];
	FILE			*fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_model_guest.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->host, sizeof(f->host), "%s/host.json", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	assert_non_null(fp = fopen(f->host, "w"));
	fputs(host_json, fp);
	fclose(fp);
	conf_defaults(&f->conf);
	a = (struct backend_args){ .host_file = f->host,
	    .state_file = f->state, .conf = &f->conf, .now_ms = 1000 };
	assert_int_equal(backend_sim_ops.open(&a, &f->ctx, err, sizeof(err)),
	    0);
	assert_non_null(f->m = model_new(&backend_sim_ops, f->ctx, true));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	model_free(f->m);
	backend_sim_ops.close(f->ctx);
	(void)unlink(f->host);
	(void)unlink(f->state);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* Write the guest's keys (NULL: remove), refresh, return domain 1. */
static const struct hv_domain *
guest(struct fixture *f, const char *weight, const char *total,
    const char *avail, const char *psi)
{
	static const char *const keys[] = { "memory/weight",
	    "data/meminfo_total", "data/meminfo_free",
	    "data/memory-pressure" };
	const char		*vals[4] = { weight, total, avail, psi };
	const struct host_snapshot *s;
	char			 path[128];
	size_t			 i;
	long			 k;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/local/domain/1/%s", keys[i]);
		if (vals[i] != NULL)
			assert_int_equal(backend_sim_ops.write(f->ctx, path,
			    vals[i]), 0);
		else
			assert_int_equal(backend_sim_ops.rm(f->ctx, path), 0);
	}
	assert_int_equal(model_refresh(f->m, 1000), 0);
	s = model_snapshot(f->m);
	k = host_find(s, 1);
	assert_true(k >= 0);		/* never skipped for these */
	assert_null(model_dom(f->m, 1)->skip_why);
	return &s->doms[k];
}

static const struct {
	const char	*what;
	const char	*weight, *total, *avail, *psi;
	int32_t		 want_weight;
	bool		 want_used;
	int64_t		 used_kib;
	bool		 want_psi;
	int32_t		 psi_x100;
} cases[] = {
	{ "nothing said", NULL, NULL, NULL, NULL, 0, false, 0, false, 0 },
	{ "all valid", "300", "2000000", "500000", "12.34",
	  300, true, 1500000, true, 1234 },
	{ "whole and one-decimal PSI", "1", "100", "100", "7",
	  1, true, 0, true, 700 },
	{ "one decimal", "10000", "100", "0", "0.5", 10000, true, 100, true,
	  50 },
	{ "PSI 100 is the most", NULL, "100", "1", "100.00", 0, true, 99,
	  true, 10000 },
	{ "weight 0 is the default", "0", NULL, NULL, NULL, 0, false, 0,
	  false, 0 },
	{ "weight above 10000", "10001", NULL, NULL, NULL, 0, false, 0, false,
	  0 },
	{ "signed weight", "-5", NULL, NULL, NULL, 0, false, 0, false, 0 },
	{ "weight with a space", " 50", NULL, NULL, NULL, 0, false, 0, false,
	  0 },
	{ "weight with a suffix", "50x", NULL, NULL, NULL, 0, false, 0, false,
	  0 },
	{ "free above total", NULL, "100", "101", NULL, 0, false, 0, false,
	  0 },
	{ "total zero", NULL, "0", "0", NULL, 0, false, 0, false, 0 },
	{ "total only", NULL, "1000", NULL, NULL, 0, false, 0, false, 0 },
	{ "free not a number", NULL, "1000", "12abc", NULL, 0, false, 0,
	  false, 0 },
	{ "total too big", NULL, "99999999999999999999", "1", NULL, 0, false,
	  0, false, 0 },
	{ "PSI above 100", NULL, NULL, NULL, "100.01", 0, false, 0, false, 0 },
	{ "PSI three decimals", NULL, NULL, NULL, "12.345", 0, false, 0, false,
	  0 },
	{ "PSI trailing dot", NULL, NULL, NULL, "12.", 0, false, 0, false, 0 },
	{ "PSI signed", NULL, NULL, NULL, "-1", 0, false, 0, false, 0 },
	{ "PSI exponent", NULL, NULL, NULL, "1e1", 0, false, 0, false, 0 },
	{ "PSI empty", NULL, NULL, NULL, "", 0, false, 0, false, 0 },
	{ "PSI leading dot", NULL, NULL, NULL, ".5", 0, false, 0, false, 0 },
	{ "PSI huge", NULL, NULL, NULL, "99999999999999999999999", 0, false, 0,
	  false, 0 },
};

static void
test_cases(void **state)
{
	struct fixture		*f = *state;
	const struct hv_domain	*d;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = guest(f, cases[i].weight, cases[i].total, cases[i].avail,
		    cases[i].psi);
		if (d->weight != cases[i].want_weight ||
		    d->has_mem_used != cases[i].want_used ||
		    d->has_pressure != cases[i].want_psi)
			print_error("%s: weight %d used %d psi %d\n",
			    cases[i].what, (int)d->weight,
			    (int)d->has_mem_used, (int)d->has_pressure);
		assert_int_equal(d->weight, cases[i].want_weight);
		assert_int_equal(d->has_mem_used, cases[i].want_used);
		if (cases[i].want_used)
			assert_int_equal(d->mem_used_kib, cases[i].used_kib);
		assert_int_equal(d->has_pressure, cases[i].want_psi);
		if (cases[i].want_psi)
			assert_int_equal(d->pressure_avg10_x100,
			    cases[i].psi_x100);
		/* the balancing facts are untouched */
		assert_int_equal(d->target_kib, 400000);
		assert_int_equal(d->dyn_min_kib, 100000);
	}
}

/* A scenario's weight and memory reach the model through the sim store. */
static void
test_from_scenario(void **state)
{
	struct fixture			*f = *state;
	const struct host_snapshot	*s;
	const struct hv_domain		*d;
	char				*v;

	assert_int_equal(model_refresh(f->m, 1000), 0);
	s = model_snapshot(f->m);
	assert_true(host_find(s, 2) >= 0);
	d = &s->doms[host_find(s, 2)];
	assert_int_equal(d->weight, 250);
	assert_true(d->has_mem_used);
	assert_int_equal(d->mem_used_kib, 300000);
	assert_true(d->has_pressure);
	assert_int_equal(d->pressure_avg10_x100, 1250);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/2/data/meminfo_total", &v), 0);
	assert_string_equal(v, "300000");	/* max(actual, used) */
	free(v);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/2/data/memory-pressure", &v), 0);
	assert_string_equal(v, "12.50");
	free(v);
	d = &s->doms[host_find(s, 1)];
	assert_int_equal(d->weight, 0);
	assert_false(d->has_mem_used);
	assert_false(d->has_pressure);
	/*
	 * A used-kib-at series does not play in the daemon (only simulate has
	 * the virtual clock): time passing past its point changes nothing,
	 * and reads nothing the scenario freed (ASan).
	 */
	assert_int_equal(backend_sim_ops.tick(f->ctx, 6000), 0);
	assert_int_equal(model_refresh(f->m, 6000), 0);
	s = model_snapshot(f->m);
	d = &s->doms[host_find(s, 2)];
	assert_int_equal(d->mem_used_kib, 300000);
}

/* host_parse_x100 on its own: the strict decimal the model relies on. */
static void
test_parse_x100(void **state)
{
	int64_t	v = -1;

	(void)state;
	assert_int_equal(host_parse_x100("0", 10000, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(host_parse_x100("12.3", 10000, &v), 0);
	assert_int_equal(v, 1230);
	assert_int_equal(host_parse_x100("012.30", 10000, &v), 0);
	assert_int_equal(v, 1230);
	assert_int_equal(host_parse_x100("100", 10000, &v), 0);
	assert_int_equal(v, 10000);
	v = -1;
	assert_int_equal(host_parse_x100("100.01", 10000, &v), -34);
	assert_int_equal(host_parse_x100("101", 10000, &v), -34);
	assert_int_equal(host_parse_x100(NULL, 10000, &v), -22);
	assert_int_equal(host_parse_x100("+1", 10000, &v), -22);
	assert_int_equal(host_parse_x100("1 ", 10000, &v), -22);
	assert_int_equal(host_parse_x100("1.2.3", 10000, &v), -22);
	assert_int_equal(v, -1);		/* written only on success */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_scenario, setup,
		    teardown),
		cmocka_unit_test(test_parse_x100),
	};

	return cmocka_run_group_tests_name("model_guest", tests, NULL, NULL);
}
