/*
 * Unit tests of the balancer (src/balancer.c): the queue, served one
 * operation at a time in arrival order, on a real libevent base whose poll
 * timer the test fires by hand, against a fake struct bal_host (an
 * in-memory host whose balloons move when the test says, applies recorded,
 * a fake clock).  Links balancer.c, op.c, the engine and the policies, with
 * the capturing logger.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/event.h>

#include "../fake/log_capture.h"
#include "balancer.h"
#include "engine.h"
#include "host.h"
#include "op.h"
#include "policy.h"

#define RESERVE		73728
#define GIB		1048576		/* KiB */
#define POLL_MS		100
#define STORE_WAIT_MS	60000		/* balancer.c's bound */
#define MAX_FIRES	10000		/* no test here needs more */
#define NDOMS		4
#define NAPPLIED	1024

/* The fake host: what the balancer sees and what it did. */
struct fhost {
	struct hv_domain	 doms[NDOMS];
	size_t			 ndoms;
	int64_t			 free_kib;
	struct host_snapshot	 snap;
	uint64_t		 now_ms;
	int			 refresh_rc;	/* -EPIPE: store away */
	int64_t			 move_kib;	/* per refresh, -1 all */
	int32_t			 fail_domid;	/* writes fail, or -1 */
	unsigned int		 nrefresh, nsync, nchanged;
	struct engine_action	 applied[NAPPLIED];
	size_t			 napplied;
};

/* One operation as its owner sees it. */
struct owner {
	const char		*name;
	unsigned int		 ndone, nstart;
	enum op_outcome		 outcome;
	int			 error;
	int64_t			 obtained_kib;
	int64_t			 fill_kib;	/* the start hook's */
	int			 start_rc;	/* the start hook fails */
	bool			 lose_store;	/* ... or loses it */
	unsigned int		 refresh_at_start;
	uint64_t		 done_ms;
	struct fhost		*fh;
	char			*order;		/* done() adds to it */
};

/* A test: a base, an engine, a balancer over a fake host. */
struct t {
	struct event_base	*base;
	struct engine_conf	 ec;
	struct engine		*e;
	struct balancer		*b;
	struct fhost		 fh;
	char			 order[64];
};

static struct hv_domain *
fh_dom(struct fhost *fh, int32_t domid)
{
	size_t	i;

	for (i = 0; i < fh->ndoms; i++)
		if (fh->doms[i].domid == domid)
			return &fh->doms[i];
	return NULL;
}

/* A fresh view: the balloons move (move_kib each), unless it is away. */
static int
fh_refresh(void *ctx)
{
	struct fhost		*fh = ctx;
	struct hv_domain	*d;
	int64_t			 delta;
	size_t			 i;

	fh->nrefresh++;
	if (fh->refresh_rc < 0)
		return fh->refresh_rc;
	for (i = 0; i < fh->ndoms; i++) {
		d = &fh->doms[i];
		if (!d->can_balloon)
			continue;
		delta = d->target_kib - d->actual_kib;
		if (fh->move_kib >= 0 && delta > fh->move_kib)
			delta = fh->move_kib;
		if (fh->move_kib >= 0 && delta < -fh->move_kib)
			delta = -fh->move_kib;
		d->actual_kib += delta;
		fh->free_kib -= delta;
	}
	return 0;
}

static const struct host_snapshot *
fh_snapshot(void *ctx)
{
	struct fhost	*fh = ctx;

	fh->snap = (struct host_snapshot){ fh->doms, fh->ndoms, fh->free_kib };
	return &fh->snap;
}

static int
fh_apply(void *ctx, const struct hv_domain *d, int64_t kib)
{
	struct fhost		*fh = ctx;
	struct hv_domain	*x = fh_dom(fh, d->domid);

	assert_non_null(x);
	if (fh->napplied < NAPPLIED)
		fh->applied[fh->napplied++] = (struct engine_action){
		    d->domid, kib };
	if (d->domid == fh->fail_domid)
		return -EIO;
	x->target_kib = x->maxmem_kib = kib;
	return 0;
}

static void
fh_sync(void *ctx)
{
	struct fhost	*fh = ctx;

	fh->nsync++;
}

static uint64_t
fh_now(void *ctx)
{
	struct fhost	*fh = ctx;

	return fh->now_ms;
}

static void
fh_changed(void *ctx)
{
	struct fhost	*fh = ctx;

	fh->nchanged++;
}

static const struct bal_host fh_ops = {
	.refresh	= fh_refresh,
	.snapshot	= fh_snapshot,
	.apply		= fh_apply,
	.sync		= fh_sync,
	.node_domains	= NULL,
	.now		= fh_now,
	.changed	= fh_changed,
};

/* Two balloons at dynamic-max 2 GiB (range 1 GiB each), nothing free. */
static int
setup(void **state)
{
	struct t	*t = calloc(1, sizeof(*t));
	size_t		 i;

	assert_non_null(t);
	for (i = 0; i < 2; i++)
		t->fh.doms[i] = (struct hv_domain){ .domid = (int32_t)i + 1,
		    .can_balloon = true, .dyn_min_kib = GIB,
		    .dyn_max_kib = 2 * GIB, .target_kib = 2 * GIB,
		    .actual_kib = 2 * GIB, .maxmem_kib = 2 * GIB,
		    .inaccuracy_kib = 4 };
	t->fh.ndoms = 2;
	t->fh.free_kib = RESERVE;
	t->fh.now_ms = 1000;
	t->fh.move_kib = -1;
	t->fh.fail_domid = -1;
	t->ec = (struct engine_conf){ .policy = &policy_proportional,
	    .host_reserve_kib = RESERVE, .balance_tolerance_kib = 512,
	    .granularity_kib = 1, .stuck_after_ms = 5000,
	    .uncooperative_after_ms = 20000, .two_phase = true,
	    .inaccuracy_compensation = true, .op_timeout_ms = 600000,
	    .remember_stuck = true };
	assert_non_null(t->base = event_base_new());
	assert_non_null(t->e = engine_new(&t->ec));
	assert_non_null(t->b = bal_new(t->base, t->e, &fh_ops, &t->fh));
	bal_set_conf(t->b, &t->ec, POLL_MS);
	log_capture_reset();
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t	*t = *state;

	bal_free(t->b);
	engine_free(t->e);
	event_base_free(t->base);
	free(t);
	return 0;
}

/*
 * Fire the poll timer if it is armed, as the loop would when it expires,
 * with ms passing on the fake clock.  False when it was not armed.
 */
static bool
fire(struct t *t, uint64_t ms)
{
	struct event	*ev = bal_poll_event(t->b);

	if (!evtimer_pending(ev, NULL))
		return false;
	evtimer_del(ev);
	t->fh.now_ms += ms;
	event_get_callback(ev)(-1, EV_TIMEOUT, event_get_callback_arg(ev));
	return true;
}

/* Fire until nothing is queued (bounded). */
static void
drain(struct t *t)
{
	unsigned int	n;

	for (n = 0; !bal_idle(t->b); n++) {
		if (n > MAX_FIRES)
			fail_msg("still %zu queued after %u polls",
			    bal_pending(t->b), n);
		if (!fire(t, POLL_MS))
			fail_msg("%zu queued and no poll armed",
			    bal_pending(t->b));
	}
}

static void
own_done(struct bal_op *bop, const struct op_result *r, void *arg)
{
	struct owner	*o = arg;
	size_t		 n;

	assert_ptr_equal(bal_op_arg(bop), o);
	o->ndone++;
	o->outcome = r->outcome;
	o->error = r->error;
	o->obtained_kib = r->obtained_kib;
	o->done_ms = o->fh->now_ms;
	if (r->outcome == OP_SUCCESS)	/* made: the host counts it */
		o->fh->free_kib -= r->obtained_kib;
	if (o->order != NULL) {
		n = strlen(o->order);
		snprintf(o->order + n, 64 - n, "%s ", o->name);
	}
}

static int
own_start(struct bal_op *bop, struct op_req *req, void *arg)
{
	struct owner	*o = arg;

	(void)bop;
	o->nstart++;
	o->refresh_at_start = o->fh->nrefresh;
	if (o->lose_store)
		o->fh->refresh_rc = -EPIPE;
	if (o->start_rc < 0)
		return o->start_rc;
	if (o->fill_kib > 0)
		req->kib = o->fill_kib;
	return 0;
}

/* A reserve of kib for owner o, labelled with its name, queued. */
static struct bal_op *
submit(struct t *t, struct owner *o, enum op_kind kind, int64_t kib,
    uint64_t deadline_ms, bool hook)
{
	struct op_req	 req = { .kind = kind, .kib = kib, .node = -1,
			    .deadline_ms = deadline_ms };
	struct bal_op	*bop;

	o->fh = &t->fh;
	o->order = t->order;
	bop = bal_op_new(&req, kind == OP_RESERVE ? o->name : NULL,
	    kind == OP_RESERVE ? "reserve" : "balance",
	    hook ? own_start : NULL, own_done, o);
	assert_non_null(bop);
	bal_submit(t->b, bop);
	return bop;
}

/* The number of queued operations that have begun running. */
static size_t
nrunning(const struct t *t)
{
	struct bal_op		*bop;
	struct op_progress	 p;
	size_t			 n = 0;

	for (bop = bal_first(t->b); bop != NULL; bop = bal_next(bop)) {
		bal_op_progress(bop, &p);
		if (p.running) {
			n++;
			assert_ptr_equal(bop, bal_first(t->b));
		}
	}
	return n;
}

/* ---- the queue ---------------------------------------------------------- */

/*
 * Arrival order, one at a time, done() exactly once each; the queue as
 * bal_first/bal_next/bal_find/bal_pending show it.
 */
static void
test_order(void **state)
{
	struct t	*t = *state;
	struct owner	 a = { .name = "a" }, b = { .name = "b" };
	struct owner	 c = { .name = "c" };
	struct bal_op	*ba, *bb, *bc;
	unsigned int	 n;

	assert_true(bal_idle(t->b));
	assert_null(bal_first(t->b));
	t->fh.move_kib = 100000;	/* several polls each */
	ba = submit(t, &a, OP_RESERVE, 500000, 0, false);
	bb = submit(t, &b, OP_RESERVE, 300000, 0, false);
	bc = submit(t, &c, OP_BALANCE, 0, 0, false);
	assert_int_equal(bal_pending(t->b), 3);
	assert_false(bal_idle(t->b));
	assert_ptr_equal(bal_first(t->b), ba);
	assert_ptr_equal(bal_next(ba), bb);
	assert_ptr_equal(bal_next(bb), bc);
	assert_null(bal_next(bc));
	assert_ptr_equal(bal_find(t->b, "b"), bb);
	assert_null(bal_find(t->b, "c"));	/* a balance has no label */
	assert_null(bal_find(t->b, ""));
	assert_string_equal(bal_op_label(ba), "a");
	assert_string_equal(bal_op_label(bc), "");
	assert_string_equal(bal_op_what(bc), "balance");
	assert_int_equal(bal_op_req(bb)->kib, 300000);
	assert_int_equal(bal_op_queued_ms(ba), 1000);
	assert_int_equal(nrunning(t), 0);
	/* the first start is a 0 ms timer: the real loop runs it */
	for (n = 0; n < 100 && nrunning(t) == 0; n++)
		assert_true(event_base_loop(t->base, EVLOOP_NONBLOCK) >= 0);
	assert_int_equal(nrunning(t), 1);
	for (n = 0; !bal_idle(t->b); n++) {
		assert_true(n < MAX_FIRES);
		assert_true(nrunning(t) <= 1);
		assert_true(fire(t, POLL_MS));
	}
	assert_string_equal(t->order, "a b c ");
	assert_int_equal(a.ndone, 1);
	assert_int_equal(b.ndone, 1);
	assert_int_equal(c.ndone, 1);
	assert_int_equal(a.outcome, OP_SUCCESS);
	assert_int_equal(a.obtained_kib, 500000);
	assert_int_equal(b.outcome, OP_SUCCESS);
	assert_int_equal(b.obtained_kib, 300000);
	assert_true(a.done_ms < b.done_ms && b.done_ms <= c.done_ms);
	assert_int_equal(bal_completed(t->b), 3);
	assert_true(t->fh.nsync > 0);
	/* nothing more happens */
	(void)fire(t, POLL_MS);
	assert_int_equal(a.ndone + b.ndone + c.ndone, 3);
}

/* The last target applied to domid, or -1. */
static int64_t
last_applied(const struct fhost *fh, int32_t domid)
{
	size_t	i;

	for (i = fh->napplied; i-- > 0;)
		if (fh->applied[i].domid == domid)
			return fh->applied[i].target_kib;
	return -1;
}

/*
 * Cancel: a queued operation goes without a word; a running one too, with
 * the targets it changed put back through apply().  The queue goes on.
 */
static void
test_cancel(void **state)
{
	struct t	*t = *state;
	struct owner	 a = { .name = "a" }, b = { .name = "b" };
	struct owner	 c = { .name = "c" };
	struct bal_op	*ba, *bb;
	size_t		 napplied;

	t->fh.move_kib = 0;		/* the balloons do not move */
	ba = submit(t, &a, OP_RESERVE, 500000, 0, false);
	bb = submit(t, &b, OP_RESERVE, 300000, 0, false);
	assert_true(fire(t, 0));
	assert_int_equal(nrunning(t), 1);
	assert_true(fire(t, POLL_MS));
	assert_true(t->fh.doms[0].target_kib < 2 * GIB);
	assert_true(t->fh.doms[1].target_kib < 2 * GIB);

	napplied = t->fh.napplied;
	bal_cancel(t->b, bb);			/* queued */
	assert_int_equal(bal_pending(t->b), 1);
	assert_null(bal_find(t->b, "b"));
	assert_int_equal(t->fh.napplied, napplied);
	assert_int_equal(t->fh.nchanged, 0);

	bal_cancel(t->b, ba);			/* running */
	assert_true(bal_idle(t->b));
	assert_int_equal(last_applied(&t->fh, 1), 2 * GIB);
	assert_int_equal(last_applied(&t->fh, 2), 2 * GIB);
	assert_int_equal(t->fh.doms[0].target_kib, 2 * GIB);
	assert_int_equal(t->fh.doms[1].target_kib, 2 * GIB);
	assert_int_equal(t->fh.nchanged, 1);
	assert_false(engine_busy(t->e));
	while (fire(t, POLL_MS))	/* a stale poll does nothing */
		;
	assert_int_equal(a.ndone + b.ndone, 0);

	/* the next one runs as if nothing happened */
	t->fh.move_kib = -1;
	(void)submit(t, &c, OP_RESERVE, 300000, 0, false);
	drain(t);
	assert_int_equal(c.ndone, 1);
	assert_int_equal(c.outcome, OP_SUCCESS);
	assert_int_equal(a.ndone + b.ndone, 0);
}

/* bal_free(): whatever is queued goes, without done(). */
static void
test_free_queued(void **state)
{
	struct t	*t = *state;
	struct owner	 a = { .name = "a" }, b = { .name = "b" };

	t->fh.move_kib = 0;
	(void)submit(t, &a, OP_RESERVE, 500000, 0, false);
	(void)submit(t, &b, OP_RESERVE, 300000, 0, false);
	assert_true(fire(t, 0));
	bal_free(t->b);
	t->b = NULL;
	assert_int_equal(a.ndone + b.ndone, 0);
}

/* ---- start hooks -------------------------------------------------------- */

/*
 * A start hook runs once, when its operation reaches the head of the
 * queue, on a fresh view; it may fill in the request or fail it.
 */
static void
test_start_hooks(void **state)
{
	struct t	*t = *state;
	struct owner	 a = { .name = "a", .fill_kib = 400000 };
	struct owner	 b = { .name = "b", .start_rc = -ESRCH };
	struct owner	 c = { .name = "c" };
	struct bal_op	*ba;

	t->fh.move_kib = 100000;
	ba = submit(t, &a, OP_RESERVE, 0, 0, true);
	(void)submit(t, &b, OP_RESERVE, 100000, 0, true);
	(void)submit(t, &c, OP_RESERVE, 100000, 0, true);
	assert_int_equal(a.nstart, 0);
	assert_true(fire(t, 0));
	assert_int_equal(a.nstart, 1);
	assert_int_equal(b.nstart, 0);
	assert_true(a.refresh_at_start >= 1);
	assert_int_equal(bal_op_req(ba)->kib, 400000);
	drain(t);
	assert_int_equal(a.nstart, 1);
	assert_int_equal(a.ndone, 1);
	assert_int_equal(a.outcome, OP_SUCCESS);
	assert_int_equal(a.obtained_kib, 400000);
	assert_int_equal(b.nstart, 1);
	assert_int_equal(b.ndone, 1);
	assert_int_equal(b.outcome, OP_ERROR);
	assert_int_equal(b.error, -ESRCH);
	assert_int_equal(c.ndone, 1);
	assert_int_equal(c.outcome, OP_SUCCESS);
	assert_string_equal(t->order, "a b c ");
}

/* xenstored lost just after the hook ran: the hook is not run again. */
static void
test_start_hook_once(void **state)
{
	struct t	*t = *state;
	struct owner	 a = { .name = "a", .lose_store = true };
	int		 i;

	(void)submit(t, &a, OP_RESERVE, 300000, 0, true);
	for (i = 0; i < 8; i++)
		assert_true(fire(t, 250));
	assert_int_equal(a.nstart, 1);
	assert_int_equal(a.ndone, 0);
	t->fh.refresh_rc = 0;
	drain(t);
	assert_int_equal(a.nstart, 1);
	assert_int_equal(a.ndone, 1);
	assert_int_equal(a.outcome, OP_SUCCESS);
}

/* ---- xenstored away ----------------------------------------------------- */

/* Fire until owner o is told, at most limit_ms of fake time. */
static void
fire_until_done(struct t *t, struct owner *o, uint64_t step_ms,
    uint64_t limit_ms)
{
	uint64_t	end = t->fh.now_ms + limit_ms;

	while (o->ndone == 0) {
		if (t->fh.now_ms > end)
			fail_msg("%s not done after %llu ms", o->name,
			    (unsigned long long)limit_ms);
		if (!fire(t, step_ms))
			fail_msg("%s not done and no poll armed", o->name);
	}
}

/*
 * refresh() -EPIPE: the operation waits for xenstored, and goes on when it
 * is back; it fails after the bound, or sooner at its deadline.
 */
static void
test_store_away(void **state)
{
	struct t	*t = *state;
	struct owner	 a = { .name = "a" }, b = { .name = "b" };
	struct owner	 c = { .name = "c" };
	uint64_t	 lost;

	/* away before it starts, back within the bound */
	t->fh.refresh_rc = -EPIPE;
	(void)submit(t, &a, OP_RESERVE, 500000, 0, false);
	while (t->fh.now_ms < 1000 + 30000) {
		assert_true(fire(t, 250));
		assert_int_equal(a.ndone, 0);
		assert_int_equal(nrunning(t), 0);
	}
	t->fh.refresh_rc = 0;
	fire_until_done(t, &a, POLL_MS, 10000);
	assert_int_equal(a.outcome, OP_SUCCESS);
	assert_true(bal_idle(t->b));

	/* away in the middle, for good: an error after the bound */
	t->fh.move_kib = 0;
	(void)submit(t, &b, OP_RESERVE, 300000, 0, false);
	assert_true(fire(t, 0));
	assert_int_equal(nrunning(t), 1);
	t->fh.refresh_rc = -EPIPE;
	assert_true(fire(t, POLL_MS));
	lost = t->fh.now_ms;
	fire_until_done(t, &b, 250, STORE_WAIT_MS + 1000);
	assert_int_equal(b.outcome, OP_ERROR);
	assert_int_equal(b.error, -EPIPE);
	assert_true(b.done_ms >= lost + STORE_WAIT_MS);

	/* away twice: the bound counts from the second loss */
	t->fh.refresh_rc = 0;
	t->fh.move_kib = 1000;		/* alive, when it can be seen */
	(void)submit(t, &b, OP_RESERVE, 300000, 0, false);
	b.ndone = 0;
	assert_true(fire(t, 0));
	assert_int_equal(nrunning(t), 1);
	t->fh.refresh_rc = -EPIPE;
	lost = t->fh.now_ms;
	while (t->fh.now_ms < lost + 40000)
		assert_true(fire(t, 250));
	t->fh.refresh_rc = 0;
	assert_true(fire(t, 250));
	assert_int_equal(nrunning(t), 1);
	t->fh.refresh_rc = -EPIPE;
	lost = t->fh.now_ms;
	while (t->fh.now_ms < lost + 40000) {
		assert_true(fire(t, 250));
		assert_int_equal(b.ndone, 0);
	}
	fire_until_done(t, &b, 250, STORE_WAIT_MS);
	assert_int_equal(b.error, -EPIPE);
	assert_true(b.done_ms >= lost + STORE_WAIT_MS);

	/* away with a deadline: an error at the deadline */
	(void)submit(t, &c, OP_RESERVE, 300000, t->fh.now_ms + 5000, false);
	lost = t->fh.now_ms;
	fire_until_done(t, &c, 250, 10000);
	assert_int_equal(c.outcome, OP_ERROR);
	assert_int_equal(c.error, -EPIPE);
	assert_true(c.done_ms >= lost + 5000);
	assert_true(c.done_ms < lost + STORE_WAIT_MS);
	assert_true(bal_idle(t->b));
}

/* ---- progress, deadlines, writes that fail ------------------------------ */

/* Progress while running (and not while queued); the wait is bounded. */
static void
test_progress(void **state)
{
	struct t		*t = *state;
	struct owner		 a = { .name = "a" }, b = { .name = "b" };
	struct bal_op		*ba, *bb;
	struct op_progress	 p, q;
	struct timeval		 tv, now;
	int64_t			 freed = 0, before;
	int			 i;

	t->fh.move_kib = 20000;
	ba = submit(t, &a, OP_RESERVE, 500000, 0, false);
	bb = submit(t, &b, OP_RESERVE, 100000, t->fh.now_ms + 600000, false);
	bal_op_progress(ba, &p);
	assert_false(p.running);
	assert_true(fire(t, 0));
	for (i = 0; i < 5; i++) {
		assert_true(fire(t, POLL_MS));
		bal_op_progress(ba, &p);
		assert_true(p.running);
		assert_int_equal(p.needed_kib, 500000);
		assert_true(p.freed_kib > freed);
		assert_true(p.freed_kib < p.needed_kib);
		freed = p.freed_kib;
		assert_int_equal(p.start_ms, 1000);
		assert_int_equal(p.deadline_ms, 1000 + 600000);
		assert_true(p.nunsettled > 0);
		bal_op_progress(bb, &q);
		assert_false(q.running);
	}
	drain(t);
	assert_int_equal(a.outcome, OP_SUCCESS);
	assert_int_equal(b.outcome, OP_SUCCESS);

	/* a deadline nearer than the poll interval: the wait ends there */
	bal_set_conf(t->b, &t->ec, 10000);
	t->fh.move_kib = 0;
	before = t->fh.doms[0].target_kib;
	(void)submit(t, &a, OP_RESERVE, 300000, t->fh.now_ms + 30, false);
	a.ndone = 0;
	assert_true(fire(t, 0));
	assert_true(evtimer_pending(bal_poll_event(t->b), &tv));
	assert_int_equal(gettimeofday(&now, NULL), 0);
	if (tv.tv_sec - now.tv_sec > 5)
		fail_msg("the next poll is %lld s away with the deadline 30 ms "
		    "away", (long long)(tv.tv_sec - now.tv_sec));
	fire_until_done(t, &a, 30, 1000);
	assert_int_equal(a.outcome, OP_DEADLINE);
	assert_int_equal(t->fh.nchanged, 1);	/* its targets went back */
	assert_int_equal(t->fh.doms[0].target_kib, before);
	assert_true(t->fh.napplied > 0 && last_applied(&t->fh, 1) == before);
}

/* A target that cannot be written: said once, tried every poll. */
static void
test_failed_apply(void **state)
{
	struct t	*t = *state;
	struct owner	 a = { .name = "a" };
	size_t		 i, tries = 0;

	t->fh.fail_domid = 2;
	(void)submit(t, &a, OP_RESERVE, 1500000, 0, false);
	drain(t);
	assert_int_equal(a.ndone, 1);
	assert_int_equal(a.outcome, OP_REFUSED);
	for (i = 0; i < t->fh.napplied; i++)
		if (t->fh.applied[i].domid == 2)
			tries++;
	assert_true(tries > 10);
	/* once while it runs, once for the target it could not put back */
	if (log_capture_count("domain 2: cannot set target") != 2 ||
	    log_capture_count("domain 2: cannot set target 2097152 KiB") != 1)
		fail_msg("logged:\n%s", log_capture_text());
	assert_int_equal(log_capture_count("domain 1: cannot"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_queued, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_start_hooks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_start_hook_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_away, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_progress, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_apply, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("balancer", tests, NULL, NULL);
}
