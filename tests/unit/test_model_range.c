/*
 * Unit tests of where the host model takes a domain's dynamic range from
 * (xenstore's keys, a guest-range rule, none), its name, and someone
 * else's target on a guest balanced by a rule (xl mem-set): the simulated
 * backend's xenstore written by hand.
 */
#include <errno.h>
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
#include "engine.h"
#include "model.h"

static const char host_json[] =
    "{ \"host\": { \"free-kib\": 4000000 },\n"
    "  \"domains\": [\n"
    "    { \"domid\": 1, \"dynamic-min-kib\": 1048576,"
    " \"dynamic-max-kib\": 2097152, \"target-kib\": 1048576 },\n"
    "    { \"domid\": 2, \"dynamic-min-kib\": 1048576,"
    " \"dynamic-max-kib\": 2097152, \"target-kib\": 1048576 } ] }\n";

struct fixture {
	char		 dir[64], host[96], state[96];
	struct conf	 conf;
	void		*ctx;
	struct model	*m;
};

static void
xs_write(struct fixture *f, int domid, const char *key, const char *v)
{
	char	path[128];

	snprintf(path, sizeof(path), "/local/domain/%d/%s", domid, key);
	if (v != NULL)
		assert_int_equal(backend_sim_ops.write(f->ctx, path, v), 0);
	else
		assert_int_equal(backend_sim_ops.rm(f->ctx, path), 0);
}

static char *
xs_read(struct fixture *f, int domid, const char *key)
{
	char	path[128], *v = NULL;

	snprintf(path, sizeof(path), "/local/domain/%d/%s", domid, key);
	if (backend_sim_ops.read(f->ctx, path, &v) < 0)
		return NULL;
	return v;
}

static int
setup(void **state)
{
	struct fixture		*f = calloc(1, sizeof(*f));
	struct backend_args	 a;
	char			 err[256];
	FILE			*fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_model_range.XXXXXX");
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
	/* guest 1 as xl starts it: a name, static-max, no dynamic range */
	xs_write(f, 1, "name", "web-1");
	xs_write(f, 1, "memory/static-max", "2097152");
	xs_write(f, 1, "memory/dynamic-min", NULL);
	xs_write(f, 1, "memory/dynamic-max", NULL);
	xs_write(f, 2, "name", "db");
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

/* Refresh; domain 1 of the snapshot. */
static const struct hv_domain *
dom1(struct fixture *f)
{
	const struct host_snapshot	*s;
	long				 k;

	assert_int_equal(model_refresh(f->m, 1000), 0);
	s = model_snapshot(f->m);
	assert_true((k = host_find(s, 1)) >= 0);
	return &s->doms[k];
}

static void
test_no_range_is_fixed(void **state)
{
	struct fixture		*f = *state;
	const struct hv_domain	*d = dom1(f);
	struct model_dom	*md = model_dom(f->m, 1);
	size_t			 n;

	assert_int_equal(md->range_src, MODEL_RANGE_NONE);
	assert_int_equal(d->dyn_min_kib, d->target_kib);
	assert_int_equal(d->dyn_max_kib, d->target_kib);
	assert_string_equal(md->name, "web-1");
	assert_int_equal(md->static_max_kib, 2097152);
	assert_ptr_equal(model_dom_named(f->m, "db", &n), model_dom(f->m, 2));
	assert_int_equal(n, 1);
	assert_null(model_dom_named(f->m, "nobody", &n));
	assert_int_equal(n, 0);
	assert_int_equal(model_dom(f->m, 2)->range_src, MODEL_RANGE_XENSTORE);
}

static void
test_rule(void **state)
{
	struct fixture		*f = *state;
	struct conf		 c;
	const struct hv_domain	*d;
	char			 err[256], *v;

	conf_defaults(&c);
	assert_int_equal(conf_set(&c, "guest-range", "db 1G-1G, web-* 25%-75%",
	    err, sizeof(err)), 0);
	model_set_rules(f->m, c.guest_range, c.nguest_range);
	d = dom1(f);
	assert_int_equal(model_dom(f->m, 1)->range_src, MODEL_RANGE_RULE);
	assert_int_equal(d->dyn_min_kib, 524288);
	assert_int_equal(d->dyn_max_kib, 1572864);
	/* not written */
	assert_null(v = xs_read(f, 1, "memory/dynamic-min"));
	/* a range of its own wins; db has one, its rule is not used */
	assert_int_equal(model_dom(f->m, 2)->range_src, MODEL_RANGE_XENSTORE);
	/* the floor: 64 MiB */
	assert_int_equal(conf_set(&c, "guest-range", "none", err, sizeof(err)),
	    0);
	assert_int_equal(conf_set(&c, "guest-range", "web-1 1M-1%", err,
	    sizeof(err)), 0);
	model_set_rules(f->m, c.guest_range, c.nguest_range);
	d = dom1(f);
	assert_int_equal(d->dyn_min_kib, 65536);
	assert_int_equal(d->dyn_max_kib, 65536);
	/* a hostile name: unknown, so no rule */
	xs_write(f, 1, "name", "web-1\033[2J");
	d = dom1(f);
	assert_string_equal(model_dom(f->m, 1)->name, "");
	assert_int_equal(model_dom(f->m, 1)->range_src, MODEL_RANGE_NONE);
}

/* xl mem-set on a guest balanced by a rule: fixed there, in xenstore. */
static void
test_operator_target(void **state)
{
	struct fixture		*f = *state;
	struct conf		 c;
	const struct hv_domain	*d;
	struct model_dom	*md;
	char			 err[256], *v;

	conf_defaults(&c);
	assert_int_equal(conf_set(&c, "guest-range", "web-* 50%-100%", err,
	    sizeof(err)), 0);
	model_set_rules(f->m, c.guest_range, c.nguest_range);
	d = dom1(f);
	/* the daemon's own write is not someone else's */
	assert_int_equal(model_apply(f->m, d, 1572864), 0);
	d = dom1(f);
	md = model_dom(f->m, 1);
	assert_int_equal(md->range_src, MODEL_RANGE_RULE);
	assert_int_equal(md->fixed_by_operator_kib, -1);
	xs_write(f, 1, "memory/target", "1200000");	/* xl mem-set */
	d = dom1(f);
	md = model_dom(f->m, 1);
	assert_int_equal(md->fixed_by_operator_kib, 1200000);
	assert_int_equal(md->range_src, MODEL_RANGE_XENSTORE);
	assert_int_equal(d->dyn_min_kib, 1200000);
	assert_int_equal(d->dyn_max_kib, 1200000);
	assert_non_null(v = xs_read(f, 1, "memory/dynamic-max"));
	assert_string_equal(v, "1200000");
	free(v);
	assert_non_null(v = xs_read(f, 1, "memory/dynamic-min"));
	assert_string_equal(v, "1200000");
	free(v);
}

/* model_set_range: min above the old max is written max first. */
static void
test_set_range(void **state)
{
	struct fixture	*f = *state;
	char		*v;

	(void)dom1(f);
	assert_int_equal(model_set_range(f->m, 2, 1900000, 1800000), -EINVAL);
	assert_int_equal(model_set_range(f->m, 9, 1, 2), -ESRCH);
	assert_int_equal(model_set_range(f->m, 2, 3000000, 3000000), 0);
	assert_non_null(v = xs_read(f, 2, "memory/dynamic-min"));
	assert_string_equal(v, "3000000");
	free(v);
	assert_int_equal(model_dom(f->m, 2)->range_src, MODEL_RANGE_XENSTORE);
	assert_true(model_stale(f->m));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_no_range_is_fixed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operator_target, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_set_range, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
