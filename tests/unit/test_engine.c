/*
 * Unit tests of the engine: the worked examples of squeezed-reference 4.12,
 * two-phase selection, outcomes, the fast path, granularity, and the order
 * in which actions are applied.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine.h"
#include "policy.h"
#include "sim.h"
#include "simulate.h"

#define RESERVE	73728

/* A domain in the field order of struct hv_domain (the rest zero). */
#define HVD(id, bal, min, max, tgt, act, mm, inacc)	{ .domid = (id), \
	.can_balloon = (bal), .dyn_min_kib = (min), .dyn_max_kib = (max), \
	.target_kib = (tgt), .actual_kib = (act), .maxmem_kib = (mm), \
	.inaccuracy_kib = (inacc) }

static struct engine_conf
conf_squeezed(void)
{
	return (struct engine_conf){ .policy = &policy_proportional,
	    .host_reserve_kib = RESERVE, .balance_tolerance_kib = 512,
	    .granularity_kib = 1, .stuck_after_ms = 5000,
	    .uncooperative_after_ms = 20000, .two_phase = true,
	    .inaccuracy_compensation = true };
}

/* A simulated domain with a normal balloon at rate, actual = target. */
static struct sim_dom
mkdom(int32_t domid, int64_t min, int64_t max, int64_t target, int64_t rate)
{
	return (struct sim_dom){ .d = { .domid = domid, .can_balloon = true,
	    .dyn_min_kib = min, .dyn_max_kib = max, .target_kib = target,
	    .actual_kib = target, .maxmem_kib = target,
	    .inaccuracy_kib = 4 }, .b = { .model = SIM_NORMAL,
	    .rate_kib_s = rate } };
}

/* A host of n domains (copied) and free memory. */
static void
mkhost(struct sim_host *h, const struct sim_dom *doms, size_t n, int64_t free)
{
	struct sim_dom	*copy = calloc(n + 1, sizeof(*copy));

	assert_non_null(copy);
	memcpy(copy, doms, n * sizeof(*copy));
	assert_int_equal(sim_host_init(h, copy, n, free), 0);
}

static void
run(struct engine *e, struct sim_host *h, const struct engine_goal *g,
    struct simulate_result *r)
{
	char	err[256] = "";

	assert_int_equal(simulate_goal(e, h, g, 100, NULL, r, err,
	    sizeof(err)), 0);
}

/* 4.12 example 1: free_range(500000, 1000000) gives 837718. */
static void
test_example1_range(void **state)
{
	struct sim_dom		doms[] = { mkdom(1, 1000000, 2000000, 1500000,
				    100000), mkdom(2, 500000, 2000000, 2000000,
				    100000) };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e = engine_new(&c);
	struct host_snapshot	snap;
	struct simulate_result	r;
	struct engine_goal	g;
	struct sim_host		h;
	int64_t			ideal, amount;

	(void)state;
	mkhost(&h, doms, 2, 100000);
	sim_snapshot(&h, &snap);
	assert_int_equal(engine_range_ideal(e, &snap, 500000, 1000000, &ideal),
	    0);
	assert_int_equal(ideal, 837709);
	g = engine_goal_range(&c, ideal, 500000);
	assert_int_equal(g.required_kib, 911437);
	run(e, &h, &g, &r);
	assert_int_equal(r.outcome, OP_SUCCESS);
	assert_int_equal(h.free_kib, 911446);
	amount = h.free_kib - RESERVE;
	assert_int_equal(amount < 1000000 ? amount : 1000000, 837718);
	assert_int_equal(sim_find(&h, 1)->d.target_kib, 1475418);
	assert_int_equal(sim_find(&h, 2)->d.target_kib, 1213128);
	sim_host_dispose(&h);
	engine_free(e);
}

/* 4.12 example 2: plenty free, domain on target: fast path, no step. */
static void
test_example2_fast_path(void **state)
{
	struct sim_dom		doms[] = { mkdom(1, 1000000, 2000000, 2000000,
				    100000) };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e = engine_new(&c);
	struct host_snapshot	snap;
	struct engine_goal	g;
	struct sim_host		h;
	int64_t			ideal;
	bool			done;

	(void)state;
	mkhost(&h, doms, 1, 5000000);
	sim_snapshot(&h, &snap);
	assert_int_equal(engine_range_ideal(e, &snap, 500000, 1000000, &ideal),
	    0);
	g = engine_goal_range(&c, ideal, 500000);
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	assert_true(done);
	assert_false(engine_busy(e));
	/* the balance goal never takes the fast path (required == reserve) */
	g = engine_goal_balance(&c);
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	assert_false(done);
	sim_host_dispose(&h);
	engine_free(e);
}

/* 4.12 examples 3 and 4: free 300000, then balance after 500000 more. */
static void
test_example3_4_free_balance(void **state)
{
	struct sim_dom		doms[] = { mkdom(1, 1000000, 2000000, 2000000,
				    100000) };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e = engine_new(&c);
	struct host_snapshot	snap;
	struct simulate_result	r;
	struct engine_goal	g = engine_goal_free(&c, 300000);
	struct sim_host		h;
	bool			unbalanced;

	(void)state;
	mkhost(&h, doms, 1, RESERVE);
	run(e, &h, &g, &r);
	assert_int_equal(r.outcome, OP_SUCCESS);
	assert_int_equal(sim_find(&h, 1)->d.target_kib, 1699992);
	assert_int_equal(h.free_kib, 373732);
	h.free_kib += 500000;
	sim_snapshot(&h, &snap);
	assert_int_equal(engine_unbalanced(e, &snap, h.now_ms, &unbalanced), 0);
	assert_true(unbalanced);
	g = engine_goal_balance(&c);
	run(e, &h, &g, &r);
	/* squeezed: Failed [] (swallowed by balance_memory) */
	assert_int_equal(r.outcome, OP_CANNOT_FREE);
	assert_int_equal(sim_find(&h, 1)->d.target_kib, 2000000);
	assert_int_equal(h.free_kib, 573732);
	sim_snapshot(&h, &snap);
	assert_int_equal(engine_unbalanced(e, &snap, h.now_ms, &unbalanced), 0);
	assert_false(unbalanced);
	sim_host_dispose(&h);
	engine_free(e);
}

/* A shrinker and a grower: only the shrink is issued first. */
static void
test_two_phase(void **state)
{
	struct hv_domain	doms[] = {
		HVD(1, true, 1000, 3000, 3000, 3000, 3000, 4),	/* shrinks */
		HVD(2, true, 1000, 9000, 1000, 1000, 1000, 4),	/* grows */
	};
	struct host_snapshot	snap = { doms, 2, 0 };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e;
	struct engine_result	r;
	struct engine_goal	g = { 1000, ENGINE_COND_GE, 1000 };
	bool			done;

	(void)state;
	c.host_reserve_kib = 1000;
	e = engine_new(&c);
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	assert_int_equal(engine_step(e, &snap, 0, &r), 0);
	assert_int_equal(r.outcome, ENGINE_RUNNING);
	assert_false(r.allocating);
	assert_int_equal(r.ntargets, 2);
	assert_int_equal(r.nactions, 1);
	assert_int_equal(r.actions[0].domid, 1);
	assert_true(r.actions[0].target_kib < 3000);
	/* without two-phase both move at once (scenario f) */
	c.two_phase = false;
	assert_int_equal(engine_set_conf(e, &c), 0);
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	assert_int_equal(engine_step(e, &snap, 0, &r), 0);
	assert_int_equal(r.nactions, 2);
	engine_free(e);
}

/* Stuck balloonable domains: refused, descending; [0] alone: cannot_free. */
static void
test_refused_and_dom0(void **state)
{
	struct hv_domain	doms[] = {
		HVD(0, true, 1000, 2000, 1000, 1500, 1500, 4),
		HVD(3, true, 1000, 2000, 1000, 1500, 1500, 4),
		HVD(5, true, 1000, 2000, 1000, 1500, 1500, 4),
	};
	struct host_snapshot	snap = { doms, 3, 0 };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e = engine_new(&c);
	struct engine_result	r;
	struct engine_goal	g = engine_goal_free(&c, 100000);
	bool			done;

	(void)state;
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	assert_int_equal(engine_step(e, &snap, 0, &r), 0);
	assert_int_equal(r.outcome, ENGINE_RUNNING);
	/* nobody moves: stuck strictly after 5 s */
	assert_int_equal(engine_step(e, &snap, 5000, &r), 0);
	assert_int_equal(r.outcome, ENGINE_RUNNING);
	assert_int_equal(engine_step(e, &snap, 5100, &r), 0);
	assert_int_equal(r.outcome, ENGINE_REFUSED);
	assert_int_equal(r.nrefused, 3);
	assert_int_equal(r.refused[0], 5);
	assert_int_equal(r.refused[1], 3);
	assert_int_equal(r.refused[2], 0);
	assert_false(engine_busy(e));
	/* only dom0 stuck: CA-75568 maps it to cannot_free */
	snap.ndoms = 1;
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	assert_int_equal(engine_step(e, &snap, 10000, &r), 0);
	assert_int_equal(engine_step(e, &snap, 15100, &r), 0);
	assert_int_equal(r.outcome, ENGINE_CANNOT_FREE);
	assert_int_equal(r.needed_kib, 100000 + RESERVE);
	assert_int_equal(r.free_kib, 0);
	engine_free(e);
}

/* Granularity: aligned targets inside the range, or exactly on an edge. */
static void
test_quantise(void **state)
{
	static const int64_t	t[][5] = {
		/* target, dmin, dmax, granularity, want */
		{ 1000123, 1000000, 2000000, 1, 1000123 },
		{ 1000123, 1000000, 2000000, 2048, 1000000 },
		{ 1001472, 1000000, 2000000, 2048, 1001472 },
		{ 1003519, 1000000, 2000000, 2048, 1001472 },
		{ 1999999, 1000000, 2000000, 2048, 1998848 },
		{ 2000000, 1000000, 2000000, 2048, 2000000 },
		{ 1000000, 1000000, 2000000, 2048, 1000000 },
		{ 1000500, 1000000, 1001000, 2048, 1000000 },
	};
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(engine_quantise(t[i][0], t[i][1], t[i][2],
		    t[i][3]), t[i][4]);
}

/* With 2 MiB granularity, every target written is aligned or on an edge. */
static void
test_granularity_in_engine(void **state)
{
	struct sim_dom		doms[] = { mkdom(1, 1000000, 2000000, 1500000,
				    1 << 20), mkdom(2, 500000, 2000000, 2000000,
				    1 << 20), mkdom(3, 262144, 4194304, 300001,
				    1 << 20) };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e;
	struct simulate_result	r;
	struct engine_goal	g;
	struct sim_host		h;
	const struct hv_domain	*d;
	size_t			i;

	(void)state;
	c.granularity_kib = 2048;
	e = engine_new(&c);
	mkhost(&h, doms, 3, 100000);	/* short: every target is rewritten */
	g = engine_goal_free(&c, 900000);
	run(e, &h, &g, &r);
	assert_int_equal(r.outcome, OP_SUCCESS);
	assert_true(h.free_kib >= 900000 + RESERVE);
	for (i = 0; i < h.ndoms; i++) {
		d = &h.doms[i].d;
		assert_true(d->target_kib >= d->dyn_min_kib &&
		    d->target_kib <= d->dyn_max_kib);
		assert_true(d->target_kib % 2048 == 0 ||
		    d->target_kib == d->dyn_min_kib ||
		    d->target_kib == d->dyn_max_kib);
	}
	sim_host_dispose(&h);
	engine_free(e);
}

struct rec {
	char	log[128];
};

static int
rec_target(void *ctx, int32_t domid, int64_t kib)
{
	struct rec	*r = ctx;
	size_t		 n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "T%d=%lld ", domid,
	    (long long)kib);
	return 0;
}

static int
rec_maxmem(void *ctx, int32_t domid, int64_t kib)
{
	struct rec	*r = ctx;
	size_t		 n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "M%d=%lld ", domid,
	    (long long)kib);
	return 0;
}

/* squeezed's execute_action order, and CP-311475 for unballoonable ones. */
static void
test_apply_order(void **state)
{
	static const struct engine_apply_ops ops = { rec_target, rec_maxmem };
	struct hv_domain	d = HVD(4, true, 1000, 3000, 2000, 2000, 2000, 4);
	struct rec		r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(engine_apply(&ops, &r, &d, 2500), 0);
	assert_string_equal(r.log, "M4=2500 T4=2500 ");
	memset(&r, 0, sizeof(r));
	assert_int_equal(engine_apply(&ops, &r, &d, 1500), 0);
	assert_string_equal(r.log, "T4=1500 M4=1500 ");
	d.can_balloon = false;
	memset(&r, 0, sizeof(r));
	assert_int_equal(engine_apply(&ops, &r, &d, 1500), 0);
	assert_string_equal(r.log, "");
	assert_int_equal(engine_apply(&ops, &r, &d, 2500), 0);
	assert_string_equal(r.log, "M4=2500 ");
	assert_int_equal(engine_apply(&ops, &r, &d, -1), -EINVAL);
}

/* Off target for more than 20 s: uncooperative; back on target: not. */
static void
test_uncooperative(void **state)
{
	struct hv_domain	d = HVD(7, true, 1000, 3000, 1500, 2000, 2000, 4);
	struct host_snapshot	snap = { &d, 1, 0 };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e = engine_new(&c);

	(void)state;
	engine_observe(e, &snap, 0);
	engine_observe(e, &snap, 20000);
	assert_int_equal(engine_dom_state(e, &d), ENGINE_DOM_ACTIVE);
	engine_observe(e, &snap, 20100);
	assert_int_equal(engine_dom_state(e, &d), ENGINE_DOM_UNCOOPERATIVE);
	d.actual_kib = 1503;
	engine_observe(e, &snap, 20200);
	assert_int_equal(engine_dom_state(e, &d), ENGINE_DOM_ACTIVE);
	d.can_balloon = false;
	assert_int_equal(engine_dom_state(e, &d), ENGINE_DOM_FIXED);
	engine_free(e);
}

/* Bad calls change nothing and say so. */
/* Stepping one hand-made domain through a free operation. */
static void
step_one(struct engine *e, struct hv_domain *d, int64_t actual, uint64_t now)
{
	struct host_snapshot	snap = { d, 1, 0 };
	struct engine_result	r;

	d->actual_kib = actual;
	assert_int_equal(engine_step(e, &snap, now, &r), 0);
}

/*
 * Rate-judged progress and the reasons domain.list gives: a page every 4 s
 * is "too slow"; moving down then back up is told apart (an OOM escape).
 */
static void
test_progress_rate_and_reasons(void **state)
{
	struct engine_conf	c = conf_squeezed();
	struct engine		*e;
	struct hv_domain	d = { .domid = 1, .can_balloon = true,
				    .dyn_min_kib = 100000, .dyn_max_kib = 400000,
				    .target_kib = 200000, .actual_kib = 400000,
				    .maxmem_kib = 400000, .inaccuracy_kib = 4 };
	struct host_snapshot	snap = { &d, 1, 0 };
	struct engine_goal	g = { 300000, ENGINE_COND_GE, 300000 };
	uint64_t		t;
	bool			done;

	(void)state;
	c.min_progress_kib_s = 64;
	e = engine_new(&c);
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	for (t = 0; t <= 5000; t += 100)	/* 4 KiB at 4 s */
		step_one(e, &d, t < 4000 ? 400000 : 399996, t);
	assert_int_equal(engine_dom_state(e, &d), ENGINE_DOM_INACTIVE);
	assert_non_null(strstr(engine_dom_reason(e, &d), "too slowly"));
	engine_abort(e);
	/* squeezed's rule alone: any progress resets, so it is still active */
	c.min_progress_kib_s = 0;
	assert_int_equal(engine_set_conf(e, &c), 0);
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	for (t = 10000; t <= 15000; t += 100)
		step_one(e, &d, t < 14000 ? 399996 : 399992, t);
	assert_int_equal(engine_dom_state(e, &d), ENGINE_DOM_ACTIVE);
	/* down towards 200000, then back up above where it was */
	step_one(e, &d, 300000, 15100);
	step_one(e, &d, 350000, 15200);
	assert_non_null(strstr(engine_dom_reason(e, &d), "out-of-memory"));
	step_one(e, &d, 200000, 15300);
	assert_string_equal(engine_dom_reason(e, &d), "at its target");
	engine_free(e);
}

/* The target test_progress_window_turns' policy gives every domain. */
static int64_t	turn_target_kib;

static int
turn_compute(const struct policy_input *in, int64_t *ret_targets)
{
	size_t	i;

	for (i = 0; i < in->ndoms; i++)
		ret_targets[i] = turn_target_kib;
	return 0;
}

static const struct policy turn_policy = {
	"turn", "what the test says", turn_compute
};

/*
 * A domain whose target turns round before it gets there (as a policy that
 * follows the guests may turn it, within one operation) is judged afresh in
 * its new direction: the progress-rate window starts again when the
 * direction changes, instead of measuring the climb back against where the
 * descent began, which found a balloon moving at 256 MiB/s too slow.
 */
static void
test_progress_window_turns(void **state)
{
	struct engine_conf	c = conf_squeezed();
	struct engine		*e;
	struct hv_domain	d = { .domid = 1, .can_balloon = true,
				    .dyn_min_kib = 1048576,
				    .dyn_max_kib = 4194304,
				    .target_kib = 3145728,
				    .actual_kib = 3145728,
				    .maxmem_kib = 4194304,
				    .inaccuracy_kib = 4 };
	struct host_snapshot	snap = { &d, 1, 2097152 };
	struct engine_goal	g = engine_goal_balance(&c);
	struct engine_result	r;
	int64_t			step = 26214, gap;	/* 256 MiB/s */
	uint64_t		t;
	size_t			k;
	bool			done;

	(void)state;
	c.policy = &turn_policy;
	c.min_progress_kib_s = 64;
	e = engine_new(&c);
	turn_target_kib = 2097152;		/* down 1 GiB ... */
	assert_int_equal(engine_begin(e, &g, &snap, &done), 0);
	for (t = 0; t <= 9000; t += 100) {
		if (t == 3000)
			turn_target_kib = 3670016;	/* then up */
		assert_int_equal(engine_step(e, &snap, t, &r), 0);
		if (r.ndeclared_inactive > 0)
			print_error("t=%llu: declared inactive at %lld KiB\n",
			    (unsigned long long)t, (long long)d.actual_kib);
		assert_int_equal(r.ndeclared_inactive, 0);
		if (r.outcome != ENGINE_RUNNING)
			break;
		for (k = 0; k < r.nactions; k++)
			d.target_kib = d.maxmem_kib = r.actions[k].target_kib;
		gap = d.target_kib - d.actual_kib;	/* stops 4 KiB short */
		if (gap > 4)
			d.actual_kib += gap - 4 < step ? gap - 4 : step;
		else if (gap < -4)
			d.actual_kib -= -gap - 4 < step ? -gap - 4 : step;
	}
	assert_int_equal(engine_dom_state(e, &d), ENGINE_DOM_ACTIVE);
	assert_true(d.actual_kib >= 3670016 - 4);
	engine_free(e);
}

static void
test_errors(void **state)
{
	struct hv_domain	doms[] = {
		HVD(2, true, 1000, 2000, 1500, 1500, 1500, 4),
		HVD(1, true, 1000, 2000, 1500, 1500, 1500, 4),
	};
	struct host_snapshot	snap = { doms, 2, 0 };
	struct engine_conf	c = conf_squeezed();
	struct engine		*e = engine_new(&c);
	struct engine_result	r;
	struct engine_goal	g = engine_goal_balance(&c);
	int64_t			ideal;
	bool			done;

	(void)state;
	assert_int_equal(engine_step(e, &snap, 0, &r), -EINVAL);   /* idle */
	assert_int_equal(engine_begin(e, &g, &snap, &done), -EINVAL);
	assert_int_equal(engine_range_ideal(e, &snap, 2, 1, &ideal), -EINVAL);
	assert_null(engine_new(NULL));
	c.policy = NULL;
	assert_int_equal(engine_set_conf(e, &c), -EINVAL);
	engine_free(e);
	engine_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example1_range),
		cmocka_unit_test(test_example2_fast_path),
		cmocka_unit_test(test_example3_4_free_balance),
		cmocka_unit_test(test_two_phase),
		cmocka_unit_test(test_refused_and_dom0),
		cmocka_unit_test(test_quantise),
		cmocka_unit_test(test_granularity_in_engine),
		cmocka_unit_test(test_apply_order),
		cmocka_unit_test(test_progress_rate_and_reasons),
		cmocka_unit_test(test_progress_window_turns),
		cmocka_unit_test(test_uncooperative),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
