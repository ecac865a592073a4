/*
 * Unit tests of the operation core (src/op.c) on a simulated host with a
 * fake clock (the sim host's): sizes in whole granules, the fast path, the
 * hopeless check, held domains, NUMA stages, the deadline and the
 * operation-timeout bound, failed writes, rollback, OP_PREPARE, op_plan
 * and op_cancel.  Links op.c, the engine, the policies and the simulated
 * host only.
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
#include "host.h"
#include "op.h"
#include "policy.h"
#include "sim.h"

#define RESERVE		73728
#define GIB		1048576		/* KiB */
#define FAST		GIB		/* KiB/s: keeps up with polls */
#define POLL_MS		100
#define LIMIT_MS	120000		/* no operation runs longer */

/* A test: a simulated host, an engine and the operation under test. */
struct t {
	struct sim_host		 h;
	struct engine_conf	 c;
	struct engine		*e;
	struct op		*op;
	struct host_snapshot	 snap;	/* the last result's */
	struct op_result	 r;
	uint64_t		 start_ms;
	int32_t			 fail[4];	/* their writes fail */
	size_t			 nfail;
	unsigned int		 news[8];	/* op_applied() news */
	unsigned int		 nfailed[8];	/* failed writes */
};

static struct engine_conf
conf_squeezed(void)
{
	return (struct engine_conf){ .policy = &policy_proportional,
	    .host_reserve_kib = RESERVE, .balance_tolerance_kib = 512,
	    .granularity_kib = 1, .stuck_after_ms = 5000,
	    .uncooperative_after_ms = 20000, .two_phase = true,
	    .inaccuracy_compensation = true, .remember_stuck = true };
}

/* A domain of the simulated host, on its target. */
static struct sim_dom
mkdom(int32_t domid, enum sim_model model, int64_t min, int64_t max,
    int64_t target, int64_t rate)
{
	return (struct sim_dom){ .d = { .domid = domid,
	    .can_balloon = model != SIM_NONE, .dyn_min_kib = min,
	    .dyn_max_kib = max, .target_kib = target, .actual_kib = target,
	    .maxmem_kib = target, .inaccuracy_kib = 4 },
	    .b = { .model = model, .rate_kib_s = rate, .period_s = 1.0 } };
}

static void
t_init(struct t *t, const struct sim_dom *doms, size_t n, int64_t free_kib)
{
	struct sim_dom	*copy = calloc(n + 1, sizeof(*copy));

	memset(t, 0, sizeof(*t));
	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, doms, n * sizeof(*copy));
	assert_int_equal(sim_host_init(&t->h, copy, n, free_kib), 0);
	t->c = conf_squeezed();
	assert_non_null(t->e = engine_new(&t->c));
}

/* A new configuration for the engine and the operations from now on. */
static void
t_conf(struct t *t, const struct engine_conf *c)
{
	t->c = *c;
	assert_int_equal(engine_set_conf(t->e, c), 0);
}

static void
t_dispose(struct t *t)
{
	op_free(t->op);
	engine_free(t->e);
	sim_host_dispose(&t->h);
}

/* A fresh operation (the last one freed). */
static void
t_new(struct t *t, const struct op_req *req)
{
	op_free(t->op);
	t->op = NULL;
	assert_int_equal(op_new(t->e, &t->c, req, &t->op), 0);
}

/* The simulated host at the fake clock's now. */
static void
t_snap(struct t *t)
{
	sim_snapshot(&t->h, &t->snap);
}

static void
t_begin(struct t *t)
{
	t_snap(t);
	t->start_ms = t->h.now_ms;
	assert_int_equal(op_begin(t->op, &t->snap, t->h.now_ms, &t->r), 0);
}

static bool
t_fails(const struct t *t, int32_t domid)
{
	size_t	i;

	for (i = 0; i < t->nfail; i++)
		if (t->fail[i] == domid)
			return true;
	return false;
}

/* The sim's target write, failing for the domains in t->fail. */
static int
t_set_target(void *ctx, int32_t domid, int64_t kib)
{
	struct t	*t = ctx;

	if (t_fails(t, domid))
		return -EIO;
	return sim_apply_ops.set_target(&t->h, domid, kib);
}

static int
t_set_maxmem(void *ctx, int32_t domid, int64_t kib)
{
	struct t	*t = ctx;

	return sim_apply_ops.set_maxmem(&t->h, domid, kib);
}

static const struct engine_apply_ops t_apply_ops = {
	.set_target	= t_set_target,
	.set_maxmem	= t_set_maxmem,
};

/*
 * Apply the last result's actions to the host as the balancer does: on
 * the snapshot they were computed from, each outcome told to the op while
 * it runs.
 */
static void
t_apply(struct t *t)
{
	const struct engine_action	*a;
	size_t				 k;
	long				 i;
	int				 rc;

	for (k = 0; k < t->r.nactions; k++) {
		a = &t->r.actions[k];
		if ((i = host_find(&t->snap, a->domid)) < 0)
			continue;
		rc = engine_apply(&t_apply_ops, t, &t->snap.doms[i],
		    a->target_kib);
		if (rc < 0 && a->domid >= 0 && a->domid < 8)
			t->nfailed[a->domid]++;
		if (t->r.outcome == OP_RUNNING && op_applied(t->op, a->domid,
		    a->target_kib, rc) && a->domid >= 0 && a->domid < 8)
			t->news[a->domid]++;
		if (rc < 0 && !t_fails(t, a->domid))
			fail_msg("domain %d: cannot apply %lld: %d", a->domid,
			    (long long)a->target_kib, rc);
	}
}

/* Let ms pass on the fake clock, and step on a fresh snapshot. */
static void
t_step(struct t *t, uint64_t ms)
{
	assert_int_equal(sim_advance(&t->h, t->h.now_ms + ms, false, NULL, 0),
	    0);
	t_snap(t);
	assert_int_equal(op_step(t->op, &t->snap, t->h.now_ms, &t->r), 0);
}

/* Apply a running step's actions and take the next step, bounded. */
static void
t_next(struct t *t)
{
	t_apply(t);
	if (t->h.now_ms - t->start_ms > LIMIT_MS)
		fail_msg("still running after %u ms", LIMIT_MS);
	t_step(t, POLL_MS);
}

/* Apply and step until the operation ends (its last actions applied). */
static void
t_run(struct t *t)
{
	while (t->r.outcome == OP_RUNNING)
		t_next(t);
	t_apply(t);
}

/* The target an action in r sets for domid, or -1. */
static int64_t
action_of(const struct op_result *r, int32_t domid)
{
	size_t	k;

	for (k = 0; k < r->nactions; k++)
		if (r->actions[k].domid == domid)
			return r->actions[k].target_kib;
	return -1;
}

static int64_t
target_of(struct t *t, int32_t domid)
{
	return sim_find(&t->h, domid)->d.target_kib;
}

/* ---- sizes -------------------------------------------------------------- */

/*
 * A reservation rounds up to whole granules; a range's min rounds up only
 * when that stays within max; a range obtains whole granules of what is
 * free, capped at max and floored at min.  One domain with nothing to give.
 */
static void
test_granules(void **state)
{
	static const struct {
		const char	*what;
		enum op_kind	 kind;
		int64_t		 kib, min, max, g, free;
		enum op_outcome	 want;
		int64_t		 obtained;
	} cases[] = {
		{ "reserve 1, granularity 1", OP_RESERVE, 1, 0, 0, 1, GIB,
		    OP_SUCCESS, 1 },
		{ "reserve 1: one granule", OP_RESERVE, 1, 0, 0, 2048, GIB,
		    OP_SUCCESS, 2048 },
		{ "reserve 2048: one granule", OP_RESERVE, 2048, 0, 0, 2048,
		    GIB, OP_SUCCESS, 2048 },
		{ "reserve 2049: two granules", OP_RESERVE, 2049, 0, 0, 2048,
		    GIB, OP_SUCCESS, 4096 },
		{ "reserve 2049 when 4000 are free: 4096 cannot be",
		    OP_RESERVE, 2049, 0, 0, 2048, 4000, OP_CANNOT_FREE, 0 },
		{ "range: min 1000 rounds up to 2048 within max 4096",
		    OP_RANGE, 0, 1000, 4096, 2048, 1500, OP_CANNOT_FREE, 0 },
		{ "range: whole granules of what is free", OP_RANGE, 0, 1000,
		    4096, 2048, 3000, OP_SUCCESS, 2048 },
		{ "range: min stays when rounding would pass max", OP_RANGE,
		    0, 1000, 1500, 2048, 1200, OP_SUCCESS, 1000 },
		{ "range: capped at max", OP_RANGE, 0, 1000, 1500, 2048, GIB,
		    OP_SUCCESS, 1500 },
		{ "range: free 5000 gives two granules", OP_RANGE, 0, 0, GIB,
		    2048, 5000, OP_SUCCESS, 4096 },
		{ "range: granularity 1 gives it all", OP_RANGE, 0, 0, GIB, 1,
		    5000, OP_SUCCESS, 5000 },
		{ "migration reserve: whole granules below max",
		    OP_MIGRATION_RESERVE, 0, 0, 8192, 2048, 5000, OP_SUCCESS,
		    4096 },
	};
	struct sim_dom		doms[1];
	struct engine_conf	c;
	struct op_req		req;
	struct t		t;
	size_t			i;

	(void)state;
	doms[0] = mkdom(1, SIM_NORMAL, GIB, GIB, GIB, FAST);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_init(&t, doms, 1, RESERVE + cases[i].free);
		c = conf_squeezed();
		c.granularity_kib = cases[i].g;
		t_conf(&t, &c);
		req = (struct op_req){ .kind = cases[i].kind,
		    .kib = cases[i].kib, .min_kib = cases[i].min,
		    .max_kib = cases[i].max, .node = -1 };
		t_new(&t, &req);
		t_begin(&t);
		t_run(&t);
		if (t.r.outcome != cases[i].want ||
		    (cases[i].want == OP_SUCCESS &&
		    t.r.obtained_kib != cases[i].obtained))
			fail_msg("%s: %s, obtained %lld (want %s, %lld)",
			    cases[i].what, op_outcome_name(t.r.outcome),
			    (long long)t.r.obtained_kib,
			    op_outcome_name(cases[i].want),
			    (long long)cases[i].obtained);
		t_dispose(&t);
	}
}

/* ---- the fast path and the hopeless check ------------------------------- */

/* Enough free and every balloon on target: success, nothing to do. */
static void
test_fast_path(void **state)
{
	struct sim_dom	doms[] = { mkdom(1, SIM_NORMAL, GIB, 2 * GIB,
			    2 * GIB, FAST) };
	struct op_req	req = { .kind = OP_RESERVE, .kib = 500000,
			    .node = -1 };
	struct t	t;

	(void)state;
	t_init(&t, doms, 1, RESERVE + GIB);
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	assert_int_equal(t.r.nactions, 0);
	assert_int_equal(t.r.obtained_kib, 500000);
	assert_int_equal(t.r.needed_kib, 0);
	assert_false(engine_busy(t.e));
	assert_int_equal(op_step(t.op, &t.snap, 0, &t.r), -EINVAL); /* over */
	t_dispose(&t);

	/* a balloon still moving: no fast path, the operation runs */
	doms[0].d.actual_kib = 2 * GIB - 100000;
	t_init(&t, doms, 1, RESERVE + GIB);
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	assert_true(engine_busy(t.e));
	t_run(&t);
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	assert_true(t.h.now_ms > 0);
	t_dispose(&t);
}

/*
 * A request that even every balloon at dynamic-min could not meet fails at
 * once, changing nothing; one that just could is tried.
 */
static void
test_hopeless(void **state)
{
	struct sim_dom	doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_NONE, GIB, GIB, GIB, 0),	/* no balloon */
	};
	struct op_req	req = { .kind = OP_RESERVE, .kib = 1200000,
			    .node = -1 };
	struct t	t;

	(void)state;
	t_init(&t, doms, 2, RESERVE + 100000);	/* + GiB from 1 */
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_CANNOT_FREE);
	assert_int_equal(t.r.needed_kib, 1200000);
	assert_int_equal(t.r.free_kib, 100000);
	assert_int_equal(t.r.nactions, 0);
	assert_int_equal(t.r.ndomids, 0);
	assert_false(engine_busy(t.e));
	assert_int_equal(target_of(&t, 1), 2 * GIB);
	/* exactly what the balloons could give: tried */
	req.kib = 100000 + GIB;
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	assert_true(action_of(&t.r, 1) >= GIB &&
	    action_of(&t.r, 1) < 2 * GIB);
	t_dispose(&t);
}

/* ---- held domains ------------------------------------------------------- */

/* Make domain 2 (stuck) be found stuck by a reserve that needs it. */
static void
find_stuck(struct t *t)
{
	struct op_req	req = { .kind = OP_RESERVE, .kib = 1500000,
			    .node = -1 };

	t_new(t, &req);
	t_begin(t);
	t_run(t);
	assert_int_equal(t->r.outcome, OP_REFUSED);
	assert_int_equal(t->r.ndomids, 1);
	assert_int_equal(t->r.domids[0], 2);
	assert_true(t->h.now_ms - t->start_ms > t->c.stuck_after_ms);
	/* its targets were put back, and the host settles */
	assert_int_equal(target_of(t, 1), 2 * GIB);
	assert_int_equal(target_of(t, 2), 2 * GIB);
	assert_int_equal(sim_advance(&t->h, t->h.now_ms + 2000, false, NULL,
	    0), 0);
}

/*
 * remember-stuck: a domain found stuck is held out of the operations that
 * follow (until uncooperative-after); one that only it could have made
 * possible is refused at once, naming it, and op_plan says the same.
 */
static void
test_held(void **state)
{
	struct sim_dom		 doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_STUCK, GIB, 2 * GIB, 2 * GIB, 0),
	};
	struct op_req		 req = { .kind = OP_RESERVE, .node = -1 };
	struct op_result	 plan;
	struct op		*p;
	struct t		 t;
	const char		*why;

	(void)state;
	req.kib = 1500000;
	t_init(&t, doms, 2, RESERVE);
	find_stuck(&t);
	t_snap(&t);
	assert_null(engine_held(t.e, &t.snap.doms[0], t.h.now_ms));
	assert_non_null(why = engine_held(t.e, &t.snap.doms[1], t.h.now_ms));
	assert_non_null(strstr(why, "stuck"));

	/* plan first: it must say what the reserve will do */
	assert_int_equal(op_new(t.e, &t.c, &req, &p), 0);
	assert_int_equal(op_plan(p, &t.snap, t.h.now_ms, &plan), 0);
	assert_int_equal(plan.outcome, OP_REFUSED);
	assert_int_equal(plan.ndomids, 1);
	assert_int_equal(plan.domids[0], 2);
	assert_int_equal(plan.nheld, 1);
	op_free(p);

	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_REFUSED);
	assert_int_equal(t.r.ndomids, 1);
	assert_int_equal(t.r.domids[0], 2);
	assert_int_equal(t.r.needed_kib, 1500000);
	assert_int_equal(t.r.nheld, 1);
	assert_int_equal(t.r.held[0].domid, 2);
	assert_ptr_equal(t.r.held[0].why, why);
	assert_int_equal(t.r.nactions, 0);
	assert_false(engine_busy(t.e));

	/* one the others can do: the held domain is left alone */
	req.kib = 500000;
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.nheld, 1);
	while (t.r.outcome == OP_RUNNING) {
		assert_int_equal(action_of(&t.r, 2), -1);
		t_next(&t);
	}
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	assert_true(t.h.now_ms - t.start_ms < t.c.stuck_after_ms);
	assert_int_equal(target_of(&t, 2), 2 * GIB);

	/* after uncooperative-after it is asked again */
	assert_int_equal(sim_advance(&t.h, t.h.now_ms + t.c.
	    uncooperative_after_ms, false, NULL, 0), 0);
	t_snap(&t);
	assert_null(engine_held(t.e, &t.snap.doms[1], t.h.now_ms));
	t_dispose(&t);
}

/* remember-stuck off: squeezed's fresh start, refused after stuck-after. */
static void
test_held_off(void **state)
{
	struct sim_dom		doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_STUCK, GIB, 2 * GIB, 2 * GIB, 0),
	};
	struct op_req		req = { .kind = OP_RESERVE, .kib = 1500000,
				    .node = -1 };
	struct engine_conf	c = conf_squeezed();
	struct t		t;

	(void)state;
	c.remember_stuck = false;
	t_init(&t, doms, 2, RESERVE);
	t_conf(&t, &c);
	find_stuck(&t);
	t_snap(&t);
	assert_null(engine_held(t.e, &t.snap.doms[1], t.h.now_ms));
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	assert_int_equal(t.r.nheld, 0);
	assert_true(action_of(&t.r, 2) >= 0);	/* asked again */
	t_run(&t);
	assert_int_equal(t.r.outcome, OP_REFUSED);
	assert_int_equal(t.r.ndomids, 1);
	assert_int_equal(t.r.domids[0], 2);
	assert_true(t.h.now_ms - t.start_ms > c.stuck_after_ms);
	t_dispose(&t);
}

/* ---- NUMA stages -------------------------------------------------------- */

/* A reserve of kib on node 0, whose only domain is 1. */
static void
numa_begin(struct t *t, int64_t kib)
{
	struct op_req	req = { .kind = OP_RESERVE, .kib = kib,
			    .node = 0 };
	int32_t		node0[] = { 1 };

	t_new(t, &req);
	assert_int_equal(op_set_node_domains(t->op, node0, 1), 0);
	t_begin(t);
}

/* Stage 1: only the node's domains act; the others are left alone. */
static void
test_numa_stage1(void **state)
{
	struct sim_dom	doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
	};
	struct t	t;

	(void)state;
	/* the engine would raise its maxmem: not in stage 1 */
	doms[1].d.maxmem_kib = 2 * GIB - 4096;
	t_init(&t, doms, 2, RESERVE);
	numa_begin(&t, 500000);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	assert_true(action_of(&t.r, 1) >= 0);
	while (t.r.outcome == OP_RUNNING) {
		assert_int_equal(action_of(&t.r, 2), -1);
		t_next(&t);
	}
	t_apply(&t);
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	assert_true(target_of(&t, 1) <= 2 * GIB - 500000);
	assert_int_equal(target_of(&t, 2), 2 * GIB);
	assert_int_equal(sim_find(&t.h, 2)->d.maxmem_kib, 2 * GIB - 4096);
	t_dispose(&t);
}

/* Stage 2: after the node's domains failed, everyone is asked. */
static void
test_numa_stage2(void **state)
{
	struct sim_dom	doms[] = {
		mkdom(1, SIM_STUCK, GIB, 2 * GIB, 2 * GIB, 0),
		mkdom(2, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
	};
	struct t	t;
	uint64_t	asked = 0;

	(void)state;
	t_init(&t, doms, 2, RESERVE);
	numa_begin(&t, 500000);
	while (t.r.outcome == OP_RUNNING) {
		if (asked == 0 && action_of(&t.r, 2) >= 0)
			asked = t.h.now_ms;
		t_next(&t);
	}
	t_apply(&t);
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	if (asked <= t.start_ms + t.c.stuck_after_ms)
		fail_msg("domain 2 asked at %llu ms, before node 0's domain "
		    "was found stuck", (unsigned long long)asked);
	assert_true(target_of(&t, 2) < 2 * GIB);
	t_dispose(&t);

	/* the node could never do it alone: everyone from the start */
	doms[0] = mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST);
	t_init(&t, doms, 2, RESERVE);
	numa_begin(&t, 1500000);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	assert_true(action_of(&t.r, 1) >= 0);
	assert_true(action_of(&t.r, 2) >= 0);
	t_run(&t);
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	t_dispose(&t);
}

/* ---- the deadline and the upper bound ----------------------------------- */

/* A reserve of 500000 from a slow balloon, with a deadline at 3 s. */
static void
slow_begin(struct t *t, uint64_t deadline_ms)
{
	struct sim_dom	doms[] = { mkdom(1, SIM_NORMAL, GIB, 2 * GIB,
			    2 * GIB, 10000) };
	struct op_req	req = { .kind = OP_RESERVE, .kib = 500000,
			    .node = -1, .deadline_ms = deadline_ms };

	t_init(t, doms, 1, RESERVE);
	t_new(t, &req);
	t_begin(t);
	assert_int_equal(t->r.outcome, OP_RUNNING);
}

/*
 * deadline_exceeded: at the deadline, with needed and freed in one measure
 * (what the host's free memory must grow by, and has), and freed never
 * above needed; the targets go back.
 */
static void
test_deadline(void **state)
{
	struct op_progress	p;
	struct t		t;
	int64_t			free_now;

	(void)state;
	slow_begin(&t, 3000);
	t_run(&t);
	assert_int_equal(t.r.outcome, OP_DEADLINE);
	assert_int_equal(t.h.now_ms, 3000);
	assert_int_equal(t.r.needed_kib, 500000);
	free_now = t.snap.free_kib - RESERVE;
	assert_true(free_now > 0);
	assert_int_equal(t.r.freed_kib, free_now);
	assert_true(t.r.freed_kib < t.r.needed_kib);
	assert_int_equal(t.r.ndomids, 1);
	assert_int_equal(t.r.domids[0], 1);
	assert_int_equal(target_of(&t, 1), 2 * GIB);	/* put back */
	op_progress(t.op, &p);
	assert_false(p.running);
	assert_int_equal(p.freed_kib, t.r.freed_kib);
	t_dispose(&t);

	/* memory freed by someone else: freed is capped at needed */
	slow_begin(&t, 3000);
	while (t.h.now_ms < 2900) {
		t_next(&t);
		assert_int_equal(t.r.outcome, OP_RUNNING);
	}
	t_apply(&t);
	t.h.free_kib += 10 * GIB;
	t_step(&t, POLL_MS);
	assert_int_equal(t.r.outcome, OP_DEADLINE);
	assert_int_equal(t.r.needed_kib, 500000);
	assert_int_equal(t.r.freed_kib, 500000);
	t_dispose(&t);
}

/* operation-timeout bounds every operation, with a deadline or without. */
static void
test_op_timeout(void **state)
{
	static const struct {
		const char	*what;
		uint64_t	 deadline, bound, want;
	} cases[] = {
		{ "no deadline: the bound", 0, 2000, 3000 },
		{ "a deadline sooner than the bound", 2500, 2000, 2500 },
		{ "a deadline later than the bound", 5000, 2000, 3000 },
		{ "no bound: the deadline", 5000, 0, 5000 },
		{ "neither", 0, 0, 0 },
	};
	struct sim_dom		doms[1];
	struct op_req		req = { .kind = OP_RESERVE, .kib = 500000,
				    .node = -1 };
	struct engine_conf	c = conf_squeezed();
	struct op_progress	p;
	struct t		t;
	size_t			i;

	(void)state;
	doms[0] = mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, 10000);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_init(&t, doms, 1, RESERVE);
		c.op_timeout_ms = cases[i].bound;
		t_conf(&t, &c);
		assert_int_equal(sim_advance(&t.h, 1000, false, NULL, 0), 0);
		req.deadline_ms = cases[i].deadline;
		t_new(&t, &req);
		t_begin(&t);
		op_progress(t.op, &p);
		if (!p.running || p.deadline_ms != cases[i].want)
			fail_msg("%s: deadline %llu, want %llu", cases[i].what,
			    (unsigned long long)p.deadline_ms,
			    (unsigned long long)cases[i].want);
		assert_int_equal(p.start_ms, 1000);
		assert_int_equal(p.needed_kib, 500000);
		if (cases[i].want != 0) {
			t_run(&t);
			assert_int_equal(t.r.outcome, OP_DEADLINE);
			assert_int_equal(t.h.now_ms, cases[i].want);
		}
		t_dispose(&t);
	}
}

/* ---- failed writes ------------------------------------------------------ */

/*
 * A target that cannot be written is no progress: retried every step, news
 * only once, the domain found stuck after stuck-after and the operation
 * refused naming it; it is not held against later operations.
 */
static void
test_failed_writes(void **state)
{
	struct sim_dom	doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
	};
	struct op_req	req = { .kind = OP_RESERVE, .kib = 1500000,
			    .node = -1 };
	struct t	t;
	unsigned int	steps = 0, retried = 0;
	int64_t		first;

	(void)state;
	t_init(&t, doms, 2, RESERVE);
	t.fail[t.nfail++] = 2;
	t_new(&t, &req);
	t_begin(&t);
	assert_true((first = action_of(&t.r, 2)) >= 0);
	while (t.r.outcome == OP_RUNNING) {
		steps++;
		if (steps > 1 && action_of(&t.r, 2) >= 0)
			retried++;
		t_next(&t);
	}
	t_apply(&t);
	assert_int_equal(t.r.outcome, OP_REFUSED);
	assert_int_equal(t.r.ndomids, 1);
	assert_int_equal(t.r.domids[0], 2);
	assert_true(t.h.now_ms - t.start_ms > t.c.stuck_after_ms);
	assert_int_equal(retried, steps - 1);	/* every step */
	assert_int_equal(t.news[2], 1);
	assert_int_equal(t.news[1], 0);
	assert_true(t.nfailed[2] >= steps);
	t_snap(&t);
	assert_null(engine_held(t.e, &t.snap.doms[1], t.h.now_ms));
	t_dispose(&t);

	/* writes that work again: news twice, and the operation succeeds */
	t_init(&t, doms, 2, RESERVE);
	t.fail[t.nfail++] = 2;
	req.kib = 1000000;
	t_new(&t, &req);
	t_begin(&t);
	while (t.r.outcome == OP_RUNNING) {
		if (t.h.now_ms >= 1000)
			t.nfail = 0;
		t_next(&t);
	}
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	assert_int_equal(t.news[2], 2);
	assert_true(target_of(&t, 2) < 2 * GIB);
	t_dispose(&t);
}

/*
 * A raise whose target write fails after its maxmem was raised: the
 * engine sees nothing left to write, so the operation must retry it.
 */
static void
test_failed_raise(void **state)
{
	struct sim_dom	doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_NORMAL, GIB, 2 * GIB, GIB, FAST),
	};
	struct op_req	req = { .kind = OP_BALANCE, .node = -1 };
	struct t	t;
	unsigned int	steps = 0, retried = 0;

	(void)state;
	t_init(&t, doms, 2, RESERVE + 2 * GIB);
	t.fail[t.nfail++] = 2;
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(action_of(&t.r, 2), 2 * GIB);
	while (t.r.outcome == OP_RUNNING && t.h.now_ms < 3000) {
		if (steps++ > 0 && action_of(&t.r, 2) == 2 * GIB)
			retried++;
		t_next(&t);
	}
	assert_int_equal(sim_find(&t.h, 2)->d.maxmem_kib, 2 * GIB);
	assert_int_equal(target_of(&t, 2), GIB);
	assert_true(steps > 10);
	assert_int_equal(retried, steps - 1);
	assert_int_equal(t.news[2], 1);
	t_dispose(&t);
}

/* ---- rollback and cancel ------------------------------------------------ */

/*
 * A failed reserve puts back the targets it changed, within each domain's
 * range as it is at the end: a lowered dynamic-max or a pin wins over the
 * old target.
 */
static void
test_rollback(void **state)
{
	static const struct {
		const char	*what;
		int64_t		 max, pin, want;
	} cases[] = {
		{ "the old target", 2 * GIB, -1, 2 * GIB },
		{ "within a lowered dynamic-max", 1800000, -1, 1800000 },
		{ "a pin wins", 2 * GIB, 1200000, 1200000 },
	};
	struct sim_dom	doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_STUCK, GIB, 2 * GIB, 2 * GIB, 0),
	};
	struct op_req	req = { .kind = OP_RESERVE, .kib = 1500000,
			    .node = -1 };
	struct t	t;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_init(&t, doms, 2, RESERVE);
		t_new(&t, &req);
		t_begin(&t);
		t_next(&t);
		assert_true(target_of(&t, 1) < 2 * GIB);
		sim_find(&t.h, 1)->d.dyn_max_kib = cases[i].max;
		if (cases[i].pin >= 0)
			assert_int_equal(sim_pin(&t.h, 1, cases[i].pin), 0);
		while (t.r.outcome == OP_RUNNING) {
			t_next(&t);
		}
		assert_int_equal(t.r.outcome, OP_REFUSED);
		if (action_of(&t.r, 1) != cases[i].want ||
		    action_of(&t.r, 2) != 2 * GIB)
			fail_msg("%s: puts back %lld and %lld", cases[i].what,
			    (long long)action_of(&t.r, 1),
			    (long long)action_of(&t.r, 2));
		t_apply(&t);
		assert_int_equal(target_of(&t, 1), cases[i].want);
		assert_int_equal(target_of(&t, 2), 2 * GIB);
		t_dispose(&t);
	}
}

/* op_cancel ends a running operation with what to put back. */
static void
test_cancel(void **state)
{
	struct op_req	req = { .kind = OP_RESERVE, .kib = 500000,
			    .node = -1 };
	struct t	t;
	int		i;

	(void)state;
	slow_begin(&t, 0);
	for (i = 0; i < 3; i++) {
		t_next(&t);
	}
	assert_true(target_of(&t, 1) < 2 * GIB);
	assert_int_equal(op_cancel(t.op, &t.snap, &t.r), 0);
	assert_int_equal(t.r.outcome, OP_ERROR);
	assert_int_equal(t.r.error, -ECANCELED);
	assert_int_equal(action_of(&t.r, 1), 2 * GIB);
	assert_false(engine_busy(t.e));
	t_apply(&t);
	assert_int_equal(target_of(&t, 1), 2 * GIB);
	assert_int_equal(op_step(t.op, &t.snap, t.h.now_ms, &t.r), -EINVAL);

	/* not begun: nothing to put back */
	t_new(&t, &req);
	assert_int_equal(op_cancel(t.op, &t.snap, &t.r), 0);
	assert_int_equal(t.r.outcome, OP_ERROR);
	assert_int_equal(t.r.error, -ECANCELED);
	assert_int_equal(t.r.nactions, 0);

	/* a balance has nothing to put back either */
	req.kind = OP_BALANCE;
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	t_apply(&t);
	t_step(&t, POLL_MS);
	assert_int_equal(op_cancel(t.op, &t.snap, &t.r), 0);
	assert_int_equal(t.r.nactions, 0);
	t_dispose(&t);
}

/* ---- OP_PREPARE --------------------------------------------------------- */

/* A migrating domain 3 pinned at pin, as svc_mig.c's start hook does. */
static void
prepare_begin(struct t *t, enum sim_model model, int64_t at, int64_t pin)
{
	struct sim_dom	doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(3, model, GIB, 2 * GIB, at, FAST),
	};
	struct op_req	req = { .kind = OP_PREPARE, .domid = 3,
			    .pin_kib = pin, .node = -1 };

	t_init(t, doms, 2, RESERVE);
	assert_int_equal(sim_pin(&t->h, 3, pin), 0);
	t_new(t, &req);
	t_begin(t);
}

static void
test_prepare(void **state)
{
	struct t	t;

	(void)state;
	/* already at its pin: no ballooning */
	prepare_begin(&t, SIM_NORMAL, 1500000, 1500000);
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	assert_false(t.r.ballooned);
	assert_int_equal(t.r.nactions, 0);
	t_dispose(&t);

	/* above it: down to the pin */
	prepare_begin(&t, SIM_NORMAL, 2 * GIB, 1500000);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	assert_true(t.r.ballooned);
	assert_int_equal(action_of(&t.r, 3), 1500000);
	t_run(&t);
	assert_int_equal(t.r.outcome, OP_SUCCESS);
	assert_true(t.r.ballooned);
	assert_int_equal(target_of(&t, 3), 1500000);
	assert_true(sim_find(&t.h, 3)->d.actual_kib <= 1500000 + 4);
	t_dispose(&t);

	/* stuck above it: refused, naming it */
	prepare_begin(&t, SIM_STUCK, 2 * GIB, 1500000);
	assert_int_equal(t.r.outcome, OP_RUNNING);
	t_run(&t);
	assert_int_equal(t.r.outcome, OP_REFUSED);
	assert_int_equal(t.r.ndomids, 1);
	assert_int_equal(t.r.domids[0], 3);
	assert_true(t.h.now_ms - t.start_ms > t.c.stuck_after_ms);
	t_dispose(&t);
}

/* ---- op_plan ------------------------------------------------------------ */

/* op_plan changes nothing and says what op_begin's first step does. */
static void
test_plan(void **state)
{
	static const int64_t	kibs[] = { 500000, 1500000, 3 * GIB + 1 };
	struct sim_dom		doms[] = {
		mkdom(1, SIM_NORMAL, GIB, 2 * GIB, 2 * GIB, FAST),
		mkdom(2, SIM_NORMAL, GIB, 3 * GIB, 3 * GIB, FAST),
	};
	struct op_req		req = { .kind = OP_RESERVE, .node = -1 };
	struct engine_action	acts[8];
	struct op_result	plan;
	struct op		*p;
	struct t		t;
	size_t			i, k, n;

	(void)state;
	for (i = 0; i < sizeof(kibs) / sizeof(kibs[0]); i++) {
		t_init(&t, doms, 2, RESERVE);
		req.kib = kibs[i];
		t_snap(&t);
		assert_int_equal(op_new(t.e, &t.c, &req, &p), 0);
		assert_int_equal(op_plan(p, &t.snap, 0, &plan), 0);
		assert_false(engine_busy(t.e));
		assert_int_equal(op_plan(p, &t.snap, 0, &plan), -EINVAL);
		assert_int_equal(op_step(p, &t.snap, 0, &plan), -EINVAL);
		n = plan.nactions;
		assert_true(n <= 8);
		if (n > 0)
			memcpy(acts, plan.actions, n * sizeof(*acts));
		t_new(&t, &req);
		t_begin(&t);
		assert_int_equal(t.r.outcome, plan.outcome);
		assert_int_equal(t.r.needed_kib, plan.needed_kib);
		assert_int_equal(t.r.nactions, n);
		for (k = 0; k < n; k++) {
			assert_int_equal(t.r.actions[k].domid, acts[k].domid);
			assert_int_equal(t.r.actions[k].target_kib,
			    acts[k].target_kib);
		}
		assert_int_equal(target_of(&t, 1), 2 * GIB);
		assert_int_equal(target_of(&t, 2), 3 * GIB);
		op_free(p);
		t_dispose(&t);
	}
}

/* ---- bad requests ------------------------------------------------------- */

static void
test_bad_requests(void **state)
{
	static const struct op_req	bad[] = {
		{ .kind = OP_RESERVE, .kib = -1 },
		{ .kind = OP_RESERVE, .kib = HOST_MAX_KIB + 1 },
		{ .kind = OP_FREE, .kib = -1 },
		{ .kind = OP_RANGE, .min_kib = 2, .max_kib = 1 },
		{ .kind = OP_RANGE, .min_kib = -1, .max_kib = 1 },
		{ .kind = OP_MIGRATION_RESERVE, .max_kib = HOST_MAX_KIB + 1 },
		{ .kind = OP_PREPARE, .domid = -1 },
		{ .kind = OP_PREPARE, .domid = 1, .pin_kib = -1 },
		{ .kind = (enum op_kind)99 },
	};
	struct engine_conf		c = conf_squeezed();
	struct engine			*e = engine_new(&c);
	struct op			*op = NULL;
	size_t				i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (op_new(e, &c, &bad[i], &op) != -EINVAL)
			fail_msg("bad request %zu accepted", i);
	assert_null(op);
	assert_int_equal(op_new(NULL, &c, &bad[0], &op), -EINVAL);
	assert_string_equal(op_outcome_name(OP_DEADLINE), "deadline_exceeded");
	assert_string_equal(op_outcome_name((enum op_outcome)42), "unknown");
	op_free(NULL);
	engine_free(e);
}

/* A prepare for a domain that is not there: an error, not a crash. */
static void
test_prepare_gone(void **state)
{
	struct sim_dom	doms[] = { mkdom(1, SIM_NORMAL, GIB, 2 * GIB,
			    2 * GIB, FAST) };
	struct op_req	req = { .kind = OP_PREPARE, .domid = 9,
			    .pin_kib = GIB, .node = -1 };
	struct t	t;

	(void)state;
	t_init(&t, doms, 1, RESERVE);
	t_new(&t, &req);
	t_begin(&t);
	assert_int_equal(t.r.outcome, OP_ERROR);
	assert_int_equal(t.r.error, -ESRCH);
	assert_int_equal(t.r.nactions, 0);
	t_dispose(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_granules),
		cmocka_unit_test(test_fast_path),
		cmocka_unit_test(test_hopeless),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_held_off),
		cmocka_unit_test(test_numa_stage1),
		cmocka_unit_test(test_numa_stage2),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_op_timeout),
		cmocka_unit_test(test_failed_writes),
		cmocka_unit_test(test_failed_raise),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_prepare_gone),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_bad_requests),
	};

	return cmocka_run_group_tests_name("op", tests, NULL, NULL);
}
