/*
 * Unit tests of the host model over the simulated backend: squeezed's
 * accounting (reservations, never-booted domains, memory-offset), the
 * order of target and maxmem writes, and guest garbage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend.h"
#include "backend_sim.h"
#include "conf.h"
#include "model.h"
#include "resv.h"

static const char host_json[] =
    "{ \"host\": { \"free-kib\": 1000000 },\n"
    "  \"domains\": [\n"
    "    { \"domid\": 1, \"dynamic-min-kib\": 100000,"
    " \"dynamic-max-kib\": 400000, \"target-kib\": 400000 },\n"
    "    { \"domid\": 2, \"dynamic-min-kib\": 200000,"
    " \"dynamic-max-kib\": 200000, \"target-kib\": 200000,"
    " \"can-balloon\": false, \"balloon\": { \"model\": \"none\" } } ] }\n";

struct fixture {
	char		 dir[64], host[96], state[128], sub[96];
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

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_model.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->host, sizeof(f->host), "%s/host.json", f->dir);
	snprintf(f->sub, sizeof(f->sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(f->sub, 0700), 0);
	snprintf(f->state, sizeof(f->state), "%s/state", f->sub);
	assert_non_null(fp = fopen(f->host, "w"));
	fputs(host_json, fp);
	fclose(fp);
	conf_defaults(&f->conf);
	a = (struct backend_args){ .host_file = f->host,
	    .state_file = f->state, .conf = &f->conf, .now_ms = 1000 };
	assert_int_equal(backend_sim_ops.open(&a, &f->ctx, err, sizeof(err)),
	    0);
	assert_non_null(f->m = model_new(&backend_sim_ops, f->ctx, true));
	assert_int_equal(model_refresh(f->m, 1000), 0);
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
	(void)rmdir(f->sub);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

static const struct hv_domain *
dom(struct fixture *f, int32_t domid)
{
	const struct host_snapshot	*s = model_snapshot(f->m);
	long				 i = host_find(s, domid);

	return i < 0 ? NULL : &s->doms[i];
}

static void
test_snapshot(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(model_snapshot(f->m)->ndoms, 2);
	assert_int_equal(model_snapshot(f->m)->free_kib, 1000000);
	assert_int_equal(model_stats(f->m)->total_kib, 1600000);
	assert_true(dom(f, 1)->can_balloon);
	assert_false(dom(f, 2)->can_balloon);
	assert_int_equal(dom(f, 1)->dyn_min_kib, 100000);
}

/* squeezed 3.2: a reservation counts until its domain accounts for it. */
static void
test_reservation_lifecycle(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "xenopsd", "r1", 300000, -1, 0 };
	struct sim_balloon b = { SIM_NORMAL, 1000000, 0, 1.0 };
	int32_t		 domid;
	size_t		 n;

	assert_int_equal(model_resv_add(f->m, &r), 0);
	assert_true(model_stale(f->m));
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(model_snapshot(f->m)->free_kib, 700000);
	/* an empty domain with the reservation: counted once, by the domain */
	assert_int_equal(backend_sim_create(f->ctx, 7, &domid), 0);
	assert_int_equal(model_resv_transfer(f->m, "xenopsd", "r1", 7), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(model_snapshot(f->m)->free_kib, 700000);
	assert_int_equal(model_stats(f->m)->reserved_kib, 0);
	assert_int_equal(model_stats(f->m)->unbooted_kib, 300000);
	assert_false(dom(f, 7)->can_balloon);
	/* built and booted: its real memory counts */
	assert_int_equal(backend_sim_build(f->ctx, 7, 300000, 300000, 300000,
	    &b), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(model_snapshot(f->m)->free_kib, 700000);
	assert_true(dom(f, 7)->can_balloon);
	/* destroyed while the reservation is still there: it counts again */
	assert_int_equal(backend_sim_destroy(f->ctx, 7, &(int64_t){ 0 }), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(model_stats(f->m)->reserved_kib, 300000);
	assert_int_equal(model_snapshot(f->m)->free_kib, 1000000 - 300000);
	assert_int_equal(model_resv_drop_session(f->m, "xenopsd", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(model_snapshot(f->m)->free_kib, 1000000);
}

/* The store (xenstore, here the sim's) says "r"'s value, or NULL. */
static char *
store_read(struct fixture *f, const char *session, const char *id,
    const char *child)
{
	char	path[256], *v;

	snprintf(path, sizeof(path), RESV_ROOT "/%s/%s%s%s", session, id,
	    child ? "/" : "", child ? child : "");
	return backend_sim_ops.read(f->ctx, path, &v) == 0 ? v : NULL;
}

/*
 * #12.2: a change the state file could not record is undone in memory
 * too: no hidden reservation after a failed add, nothing lost after a
 * failed delete.
 */
static void
test_failed_write_undone(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "s", "made", 4096, -1, 0 };
	struct resv	 r2 = { "s", "hidden", 8192, -1, 0 };
	char		*v;

	assert_int_equal(model_resv_add(f->m, &r), 0);
	/* the disk goes away (full, EMFILE...): the state cannot be saved */
	assert_int_equal(unlink(f->state), 0);
	assert_int_equal(rmdir(f->sub), 0);
	assert_true(model_resv_add(f->m, &r2) < 0);
	assert_null(model_resv_find(f->m, "s", "hidden"));
	assert_null(v = store_read(f, "s", "hidden", NULL));
	assert_true(model_resv_remove(f->m, "s", "made") < 0);
	assert_non_null(model_resv_find(f->m, "s", "made"));
	assert_non_null(v = store_read(f, "s", "made", NULL));
	assert_string_equal(v, "4096");
	free(v);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(model_stats(f->m)->nresv, 1);
	assert_int_equal(model_stats(f->m)->reserved_kib, 4096);
	assert_int_equal(mkdir(f->sub, 0700), 0);	/* for teardown */
}

/*
 * #12.1: after a new xenstored the store gets our record back: what was
 * deleted stays deleted, what was made since the last read is there.
 */
static void
test_restore_store(void **state)
{
	struct fixture	*f = *state;
	struct resv	 a = { "s", "kept", 4096, -1, 0 };
	struct resv	 b = { "s", "deleted", 8192, -1, 0 };
	struct resv	 c = { "t", "made-late", 2048, -1, 0 };
	char		*v;
	size_t		 changed;

	assert_int_equal(model_resv_add(f->m, &a), 0);
	assert_int_equal(model_resv_add(f->m, &b), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	/* the old store had b; it was deleted and c made after the read */
	assert_int_equal(model_resv_remove(f->m, "s", "deleted"), 0);
	assert_int_equal(model_resv_add(f->m, &c), 0);
	assert_int_equal(backend_sim_ops.rm(f->ctx, RESV_ROOT), 0);
	assert_int_equal(resv_add(&backend_sim_ops, f->ctx, &b), 0);
	assert_int_equal(model_restore_store(f->m, &changed), 0);
	assert_int_equal(changed, 3);
	assert_null(store_read(f, "s", "deleted", NULL));
	assert_non_null(v = store_read(f, "s", "kept", NULL));
	free(v);
	assert_non_null(v = store_read(f, "t", "made-late", NULL));
	assert_string_equal(v, "2048");
	free(v);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(model_stats(f->m)->reserved_kib, 4096 + 2048);
}

/* #12.12: a reservation moved to another domain leaves nothing behind. */
static void
test_transfer_moves(void **state)
{
	struct fixture	*f = *state;
	struct resv	 r = { "s", "r", 65536, -1, 0 };
	int32_t		 domid;
	char		*v;

	assert_int_equal(backend_sim_create(f->ctx, 7, &domid), 0);
	assert_int_equal(backend_sim_create(f->ctx, 8, &domid), 0);
	assert_int_equal(model_resv_add(f->m, &r), 0);
	assert_int_equal(model_resv_transfer(f->m, "s", "r", 7), 0);
	assert_int_equal(model_resv_transfer(f->m, "s", "r", 8), 0);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/7/memory/reservation-id", &v), -ENOENT);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/7/memory/initial-reservation", &v), -ENOENT);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/8/memory/reservation-id", &v), 0);
	assert_string_equal(v, "r");
	free(v);
	assert_null(model_resv_of_domain(f->m, 7));
	assert_non_null(model_resv_of_domain(f->m, 8));
	assert_int_equal(model_resv_remove(f->m, "s", "r"), 0);
	assert_null(model_resv_of_domain(f->m, 8));
}

/*
 * #12.5: a guest that removes its own feature-balloon and data/updated
 * does not become "never booted" again (its initial-reservation would be
 * charged and its neighbours squeezed).
 */
static void
test_booted_stays_booted(void **state)
{
	struct fixture	*f = *state;
	int64_t		 free0;

	assert_int_equal(backend_sim_ops.write(f->ctx,
	    "/local/domain/1/memory/initial-reservation", "900000"), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	free0 = model_snapshot(f->m)->free_kib;
	assert_true(model_dom(f->m, 1)->booted);
	assert_int_equal(backend_sim_ops.rm(f->ctx,
	    "/local/domain/1/control/feature-balloon"), 0);
	assert_int_equal(backend_sim_ops.rm(f->ctx,
	    "/local/domain/1/data/updated"), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_true(model_dom(f->m, 1)->booted);
	assert_int_equal(model_stats(f->m)->unbooted_kib, 0);
	assert_int_equal(model_snapshot(f->m)->free_kib, free0);
}

/* execute_action: raise maxmem before the target, lower it after. */
static void
test_apply_order(void **state)
{
	struct fixture		*f = *state;
	struct backend_dominfo	*di;
	size_t			 n;
	char			*v;

	assert_int_equal(model_apply(f->m, dom(f, 1), 250000), 0);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/1/memory/target", &v), 0);
	assert_string_equal(v, "250000");
	free(v);
	assert_int_equal(backend_sim_ops.domains(f->ctx, &di, &n), 0);
	assert_int_equal(di[0].max_kib, 250000);
	free(di);
	assert_int_equal(model_set_maxmem(f->m, 1, 500000), 0);
	assert_int_equal(backend_sim_ops.domains(f->ctx, &di, &n), 0);
	assert_int_equal(di[0].max_kib, 500000);
	free(di);
	/* no balloon driver: never a target, maxmem only raised */
	assert_int_equal(model_apply(f->m, dom(f, 2), 100000), 0);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/2/memory/target", &v), 0);
	assert_string_equal(v, "200000");
	free(v);
}

/* A value that is not a number leaves the domain out, named. */
static void
test_guest_garbage(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(backend_sim_ops.write(f->ctx,
	    "/local/domain/1/memory/target", "12abc"), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_null(dom(f, 1));
	assert_string_equal(model_dom(f->m, 1)->skip_why, "memory/target");
	assert_int_equal(backend_sim_ops.write(f->ctx,
	    "/local/domain/1/memory/target", "400000"), 0);
	assert_int_equal(backend_sim_ops.write(f->ctx,
	    "/local/domain/1/memory/dynamic-min", "-5"), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_non_null(dom(f, 1));
	assert_int_equal(dom(f, 1)->dyn_min_kib, 400000);	/* = target */
	assert_int_equal(dom(f, 1)->dyn_max_kib, 400000);
}

/*
 * memory-offset: measured once (tot - target) the first time a domain is
 * seen booted, and written; if xenstore loses it later (a new xenstored),
 * the measured value is written back, not measured again.
 */
static void
test_offset_calibration(void **state)
{
	struct fixture	*f = *state;
	struct sim_balloon b = { SIM_STUCK, 0, 0, 1.0 };
	int32_t		 domid;
	char		*v;

	assert_int_equal(backend_sim_create(f->ctx, 9, &domid), 0);
	assert_int_equal(backend_sim_build(f->ctx, 9, 400000, 100000, 400000,
	    &b), 0);
	assert_int_equal(backend_sim_ops.write(f->ctx,
	    "/local/domain/9/memory/target", "399000"), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/9/memory/memory-offset", &v), 0);
	assert_string_equal(v, "1000");
	free(v);
	assert_int_equal(dom(f, 9)->actual_kib, 399000);
	assert_int_equal(backend_sim_ops.rm(f->ctx,
	    "/local/domain/9/memory/memory-offset"), 0);
	assert_int_equal(backend_sim_ops.write(f->ctx,
	    "/local/domain/9/memory/target", "398000"), 0);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_int_equal(backend_sim_ops.read(f->ctx,
	    "/local/domain/9/memory/memory-offset", &v), 0);
	assert_string_equal(v, "1000");		/* not 2000 */
	free(v);
}

/* dom0's floor: its dynamic-min never goes under it, whatever xenstore says. */
static void
test_dom0_floor(void **state)
{
	struct fixture		*f = *state;
	struct sim_balloon	 b = { SIM_NORMAL, 1000000, 0, 1.0 };
	int32_t			 domid;

	assert_int_equal(backend_sim_create(f->ctx, 0, &domid), 0);
	assert_int_equal(domid, 0);
	assert_int_equal(backend_sim_build(f->ctx, 0, 400000, 100000, 400000,
	    &b), 0);
	model_set_dom0(f->m, false, 262144);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_null(dom(f, 0));			/* not managed: left out */
	model_set_dom0(f->m, true, 262144);
	assert_int_equal(model_refresh(f->m, 1000), 0);
	assert_non_null(dom(f, 0));
	assert_int_equal(dom(f, 0)->dyn_min_kib, 262144);
	assert_int_equal(dom(f, 0)->dyn_max_kib, 400000);
	assert_int_equal(dom(f, 1)->dyn_min_kib, 100000);	/* dom0 only */
}

/* The state file brings back domains and xenstore after a crash. */
static void
test_state_survives(void **state)
{
	struct fixture		*f = *state;
	struct resv		 r = { "s", "r2", 4096, -1, 0 };
	struct backend_args	 a = { .host_file = f->host,
	    .state_file = f->state, .conf = &f->conf, .now_ms = 2000 };
	struct model		*m2;
	void			*ctx2;
	char			 err[256];

	assert_int_equal(model_resv_add(f->m, &r), 0);
	assert_int_equal(backend_sim_ops.open(&a, &ctx2, err, sizeof(err)), 0);
	assert_non_null(m2 = model_new(&backend_sim_ops, ctx2, true));
	assert_int_equal(model_refresh(m2, 2000), 0);
	assert_int_equal(model_stats(m2)->nresv, 1);
	assert_int_equal(model_snapshot(m2)->free_kib, 1000000 - 4096);
	model_free(m2);
	backend_sim_ops.close(ctx2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reservation_lifecycle,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_guest_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_offset_calibration, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_state_survives, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dom0_floor, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_undone,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_store, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transfer_moves, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_booted_stays_booted,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
