/*
 * simulate.c: "squeezerctl simulate": the scenario's steps run the very
 * operation code the daemon runs (op.c, over the engine), against the
 * simulated host, on a virtual clock that advances one poll interval per
 * step.  This file keeps the clock, applying actions and the JSON output.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "engine.h"
#include "host.h"
#include "op.h"
#include "scenario.h"
#include "sim.h"
#include "simulate.h"

#define SIMU_RUN_TICK_MS	100	/* run: how often it looks */

struct simctx {
	struct scenario		*s;
	struct engine		*e;
	struct engine_conf	 ec;
	FILE			*trace;
	char			 err[256];
	uint64_t		 until_ms;	/* 0: run every step */
	/* the daemon's balance check (run steps) */
	uint64_t		 run_end_ms;	/* the last run's, scheduled */
	bool			 has_run;
	uint64_t		 last_check_ms;
	bool			 check_wanted;	/* something changed */
	uint64_t		 seen_reports;
	/* the figures of the summary */
	size_t			 starts, admitted, balances, errors;
	uint64_t		 admit_wait_ms;
	uint64_t		*admitted_at_ms;
	size_t			 capadmitted;
};

/* A step's outcome, as the scenario output reports it. */
struct simu_outcome {
	const char	*outcome;	/* success, cannot_free, refused, error,
					   deadline_exceeded */
	int64_t		 needed_kib, free_kib, freed_kib;
	int32_t		 domids[SIMULATE_MAX_DOMIDS];
	size_t		 ndomids;
	int64_t		 obtained_kib;
	bool		 has_obtained;
};

static struct json_object *
simu_json_secs(uint64_t ms)
{
	char	buf[32];
	size_t	n;

	n = (size_t)snprintf(buf, sizeof(buf), "%" PRIu64 ".%03" PRIu64,
	    ms / 1000, ms % 1000);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return json_object_new_double_s((double)ms / 1000.0, buf);
}

/* A trace line's time, free memory, what happens and every domain. */
static void
simu_trace_line(FILE *trace, uint64_t now_ms,
    const struct host_snapshot *snap, const char *what)
{
	size_t	i;

	fprintf(trace, "t=%.1f F%" PRId64 " %s", (double)now_ms / 1000.0,
	    snap->free_kib, what);
	for (i = 0; i < snap->ndoms; i++) {
		fprintf(trace, "; %" PRId32 " T%" PRId64 " A%" PRId64 " M%"
		    PRId64, snap->doms[i].domid, snap->doms[i].target_kib,
		    snap->doms[i].actual_kib, snap->doms[i].maxmem_kib);
		if (snap->doms[i].has_mem_used)	/* what the guest uses */
			fprintf(trace, " U%" PRId64,
			    snap->doms[i].mem_used_kib);
	}
}

/* One trace line per step: time, free and every domain. */
static void
simu_trace(FILE *trace, uint64_t now_ms, const struct host_snapshot *snap,
    const struct op_result *r)
{
	char	what[32];
	size_t	i;

	if (trace == NULL)
		return;
	snprintf(what, sizeof(what), "%s%s", op_outcome_name(r->outcome),
	    r->allocating ? " alloc" : " free");
	simu_trace_line(trace, now_ms, snap, what);
	for (i = 0; i < r->ndeclared; i++)
		fprintf(trace, " [%" PRId32 " inactive]", r->declared[i]);
	fputc('\n', trace);
}

/* Apply a step's actions to the simulated host, as the balancer does. */
static int
simu_apply(struct sim_host *h, const struct host_snapshot *snap,
    struct op *op, const struct op_result *r, char *err, size_t errlen)
{
	long	i;
	size_t	k;
	int	rc;

	for (k = 0; k < r->nactions; k++) {
		if ((i = host_find(snap, r->actions[k].domid)) < 0)
			continue;
		rc = engine_apply(&sim_apply_ops, h, &snap->doms[i],
		    r->actions[k].target_kib);
		if (r->outcome == OP_RUNNING)
			(void)op_applied(op, r->actions[k].domid,
			    r->actions[k].target_kib, rc);
		if (rc < 0) {
			snprintf(err, errlen, "domain %" PRId32 ": cannot "
			    "apply target %" PRId64 " KiB: %s",
			    r->actions[k].domid, r->actions[k].target_kib,
			    strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
simu_result(const struct op_result *r, struct simulate_result *ret)
{
	size_t	i;

	memset(ret, 0, sizeof(*ret));
	ret->outcome = r->outcome;
	ret->needed_kib = r->needed_kib;
	ret->free_kib = r->free_kib;
	ret->freed_kib = r->freed_kib;
	ret->obtained_kib = r->obtained_kib;
	ret->ballooned = r->ballooned;
	ret->error = r->error;
	for (i = 0; i < r->ndomids && i < SIMULATE_MAX_DOMIDS; i++)
		ret->domids[i] = r->domids[i];
	ret->ndomids = i;
}

int
simulate_op(struct engine *e, const struct engine_conf *ec,
    struct sim_host *h, const struct op_req *req, uint64_t poll_ms,
    FILE *trace, struct simulate_result *ret, char *err, size_t errlen)
{
	struct host_snapshot	 snap;
	struct op_result	 r;
	struct op		*op;
	uint64_t		 start = h->now_ms;
	int			 rc;

	if ((rc = op_new(e, ec, req, &op)) < 0)
		return rc;
	sim_snapshot(h, &snap);
	rc = op_begin(op, &snap, h->now_ms, &r);
	while (rc == 0) {
		simu_trace(trace, h->now_ms, &snap, &r);
		if ((rc = simu_apply(h, &snap, op, &r, err, errlen)) < 0)
			break;
		if (r.outcome != OP_RUNNING) {
			simu_result(&r, ret);
			break;
		}
		if (h->now_ms - start >= SIMULATE_OP_LIMIT_MS) {
			snprintf(err, errlen, "no convergence within %u s of "
			    "simulated time", SIMULATE_OP_LIMIT_MS / 1000);
			rc = SIMULATE_ESIM;
			break;
		}
		if ((rc = sim_advance(h, h->now_ms + poll_ms, true, err,
		    errlen)) < 0)
			break;
		sim_snapshot(h, &snap);
		rc = op_step(op, &snap, h->now_ms, &r);
	}
	if (rc < 0 && rc != SIMULATE_ESIM && err[0] == '\0')
		snprintf(err, errlen, "%s", strerror(-rc));
	op_free(op);
	return rc < 0 ? (err[0] != '\0' ? SIMULATE_ESIM : rc) : 0;
}

int
simulate_goal(struct engine *e, struct sim_host *h,
    const struct engine_goal *g, uint64_t poll_ms, FILE *trace,
    struct simulate_result *ret, char *err, size_t errlen)
{
	struct op_req	req = { .kind = OP_FREE, .node = -1,
			    .kib = g->required_kib, .has_until = true,
			    .until_cond = g->cond, .until_kib = g->cond_kib };

	return simulate_op(e, engine_get_conf(e), h, &req, poll_ms, trace,
	    ret, err, errlen);
}

/* An operation's end as the scenario output reports it. */
static void
simu_outcome_of(const struct simulate_result *r, struct simu_outcome *o)
{
	o->outcome = op_outcome_name(r->outcome);
	o->needed_kib = r->needed_kib;
	o->free_kib = r->free_kib;
	o->freed_kib = r->freed_kib;
	memcpy(o->domids, r->domids, r->ndomids * sizeof(*o->domids));
	o->ndomids = r->ndomids;
}

/* The request of a free, reserve, reserve-range, balance or migration step. */
static struct op_req
simu_req(const struct scen_step *st)
{
	struct op_req	r = { .node = -1, .deadline_ms = 0 };

	switch (st->op) {
	case SCEN_FREE:
		r.kind = OP_FREE;
		r.kib = st->kib;
		r.has_until = st->has_until;
		r.until_cond = st->until_cond;
		r.until_kib = st->until_kib;
		break;
	case SCEN_RESERVE:
		r.kind = OP_RESERVE;
		r.kib = st->kib;
		break;
	case SCEN_RESERVE_RANGE:
		r.kind = OP_RANGE;
		r.min_kib = st->min_kib;
		r.max_kib = st->max_kib;
		break;
	case SCEN_MIGRATION_RESERVE:
		r.kind = OP_MIGRATION_RESERVE;
		r.min_kib = st->min_kib;
		r.max_kib = st->max_kib;
		break;
	default:
		r.kind = OP_BALANCE;
		break;
	}
	return r;
}

/* free, reserve, reserve-range, balance, migration-reserve: one op each. */
static int
simu_op_step(struct simctx *x, const struct scen_step *st,
    struct simu_outcome *o)
{
	struct sim_host		*h = &x->s->host;
	struct simulate_result	 r;
	struct op_req		 req = simu_req(st);
	int			 rc;

	if (st->deadline_ms != 0)
		req.deadline_ms = h->now_ms + st->deadline_ms;
	if ((rc = simulate_op(x->e, &x->ec, h, &req,
	    x->s->conf.poll_interval_ms, x->trace, &r, x->err,
	    sizeof(x->err))) < 0)
		return rc;
	simu_outcome_of(&r, o);
	x->check_wanted = true;
	if (r.outcome != OP_SUCCESS)
		return 0;
	if (req.kind == OP_RESERVE || req.kind == OP_RANGE ||
	    req.kind == OP_MIGRATION_RESERVE) {
		h->reserved_kib += r.obtained_kib;	/* as a reservation */
		o->obtained_kib = r.obtained_kib;
		o->has_obtained = req.kind != OP_RESERVE;
	}
	return 0;
}

/* Let simulated time pass, one poll interval at a time. */
static void
simu_wait(struct simctx *x, uint64_t ms)
{
	struct sim_host		*h = &x->s->host;
	struct host_snapshot	 snap;
	uint64_t		 end = h->now_ms + ms, next;

	if (x->until_ms != 0 && end > x->until_ms)
		end = x->until_ms > h->now_ms ? x->until_ms : h->now_ms;
	while (h->now_ms < end) {
		next = h->now_ms + x->s->conf.poll_interval_ms;
		if (next > end)
			next = end;
		(void)sim_advance(h, next, false, NULL, 0);
		sim_snapshot(h, &snap);
		engine_observe(x->e, &snap, h->now_ms);
	}
}

static struct json_object *
simu_json_actions(const struct engine_action *a, size_t n)
{
	struct json_object	*arr = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "domid",
		    json_object_new_int(a[i].domid));
		json_object_object_add(o, "target-kib",
		    json_object_new_int64(a[i].target_kib));
		json_object_array_add(arr, o);
	}
	return arr;
}

/*
 * plan: the first step of a free of kib (the engine primitive; default:
 * the host reserve), changing nothing: op_plan(), as the plan method.
 */
static int
simu_plan(struct simctx *x, const struct scen_step *st, struct json_object *o)
{
	struct host_snapshot	 snap;
	struct op_result	 r;
	struct op_req		 req = { .kind = OP_FREE, .node = -1 };
	struct op		*op;
	int			 rc;

	req.kib = st->has_kib ? st->kib : x->ec.host_reserve_kib;
	sim_snapshot(&x->s->host, &snap);
	if ((rc = op_new(x->e, &x->ec, &req, &op)) < 0)
		return rc;
	if ((rc = op_plan(op, &snap, x->s->host.now_ms, &r)) == 0) {
		json_object_object_add(o, "outcome", json_object_new_string(
		    "success"));
		json_object_object_add(o, "phase", json_object_new_string(
		    r.allocating ? "allocating" : "freeing"));
		json_object_object_add(o, "free-kib",
		    json_object_new_int64(snap.free_kib));
		json_object_object_add(o, "targets",
		    simu_json_actions(r.targets, r.ntargets));
		json_object_object_add(o, "actions",
		    simu_json_actions(r.actions, r.nactions));
	}
	op_free(op);
	return rc;
}

static void
simu_json_outcome(struct json_object *o, const struct simu_outcome *oc)
{
	json_object_object_add(o, "outcome", json_object_new_string(
	    oc->outcome));
	if (strcmp(oc->outcome, "cannot_free") == 0) {
		json_object_object_add(o, "needed-kib",
		    json_object_new_int64(oc->needed_kib));
		json_object_object_add(o, "free-kib",
		    json_object_new_int64(oc->free_kib));
	} else if (strcmp(oc->outcome, "deadline_exceeded") == 0) {
		json_object_object_add(o, "needed-kib",
		    json_object_new_int64(oc->needed_kib));
		json_object_object_add(o, "freed-kib",
		    json_object_new_int64(oc->freed_kib));
	} else if (strcmp(oc->outcome, "refused") == 0) {
		struct json_object	*arr = json_object_new_array();
		size_t			 i;

		for (i = 0; i < oc->ndomids; i++)
			json_object_array_add(arr,
			    json_object_new_int(oc->domids[i]));
		json_object_object_add(o, "domids", arr);
	}
	if (oc->has_obtained)
		json_object_object_add(o, "obtained-kib",
		    json_object_new_int64(oc->obtained_kib));
}

/*
 * migration-prepare, as the daemon's migration.prepare: pin the domain at
 * min(target, max-kib) (its own dynamic-max if already pinned), and
 * balloon it there only if it is above (op.c's OP_PREPARE).
 */
static int
simu_prepare(struct simctx *x, const struct scen_step *st,
    struct simu_outcome *o, struct json_object *out)
{
	struct sim_host		*h = &x->s->host;
	struct sim_dom		*d = sim_find(h, st->domid);
	struct simulate_result	 r;
	struct op_req		 req = { .kind = OP_PREPARE, .node = -1 };
	size_t			 i;
	int64_t			 kib;
	int			 rc;

	if (d == NULL) {
		snprintf(x->err, sizeof(x->err), "no domain %" PRId32,
		    st->domid);
		return SIMULATE_ESIM;
	}
	kib = d->d.target_kib;
	for (i = 0; i < h->npins; i++)
		if (h->pins[i].domid == st->domid)
			kib = d->d.dyn_max_kib;
	if (kib > st->kib)
		kib = st->kib;
	if (kib < d->d.dyn_min_kib) {
		snprintf(x->err, sizeof(x->err), "max-kib %" PRId64 " is below "
		    "domain %" PRId32 "'s dynamic-min", st->kib, st->domid);
		return SIMULATE_ESIM;
	}
	if ((rc = sim_pin(h, st->domid, kib)) < 0)
		return rc;
	req.domid = st->domid;
	req.pin_kib = kib;
	if (st->deadline_ms != 0)
		req.deadline_ms = h->now_ms + st->deadline_ms;
	if ((rc = simulate_op(x->e, &x->ec, h, &req,
	    x->s->conf.poll_interval_ms, x->trace, &r, x->err,
	    sizeof(x->err))) < 0)
		return rc;
	simu_outcome_of(&r, o);
	if (r.outcome != OP_SUCCESS)
		(void)sim_pin(h, st->domid, -1);	/* not leaving */
	d = sim_find(h, st->domid);
	json_object_object_add(out, "target-kib", json_object_new_int64(
	    d->d.target_kib));
	json_object_object_add(out, "ballooned",
	    json_object_new_boolean(r.ballooned));
	return 0;
}

/* A domain leaves the host (migrated away, or stopped): its memory is free. */
static int
simu_remove(struct simctx *x, int32_t domid, bool gone)
{
	struct sim_host	*h = &x->s->host;
	struct sim_dom	*d = sim_find(h, domid);
	int64_t		 freed;

	if (d == NULL) {
		snprintf(x->err, sizeof(x->err), "no domain %" PRId32, domid);
		return SIMULATE_ESIM;
	}
	(void)sim_pin(h, domid, -1);
	if (!gone)
		return 0;
	freed = d->d.actual_kib;
	if (sim_host_remove(h, domid) < 0)
		return -ENOMEM;
	h->free_kib += freed;
	x->check_wanted = true;		/* @releaseDomain */
	return 0;
}

/* migration-end: aborted unpins it; done: the VM has left this host. */
static int
simu_migration_end(struct simctx *x, const struct scen_step *st)
{
	return simu_remove(x, st->domid, st->done);
}

/* Remember when a VM start was admitted, for the summary. */
static int
simu_admitted(struct simctx *x, uint64_t asked_ms)
{
	uint64_t	*v;
	size_t		 cap;

	if (x->admitted == x->capadmitted) {
		cap = x->capadmitted ? 2 * x->capadmitted : 64;
		if ((v = realloc(x->admitted_at_ms, cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		x->admitted_at_ms = v;
		x->capadmitted = cap;
	}
	x->admitted_at_ms[x->admitted++] = x->s->host.now_ms;
	x->admit_wait_ms += x->s->host.now_ms - asked_ms;
	return 0;
}

/*
 * start: a VM start as xenopsd makes one (squeezed-reference 8.2): a
 * reservation of the domain's dynamic range (reserve-range's operation),
 * then the domain, built with what was obtained as its memory, target and
 * maxmem; the reservation becomes the domain's.  A start that is not
 * admitted makes no domain.
 */
static int
simu_start(struct simctx *x, const struct scen_step *st,
    struct simu_outcome *o, struct json_object *out)
{
	struct sim_host		*h = &x->s->host;
	struct sim_dom		 d = x->s->starts[st->start];
	struct op_req		 req = { .kind = OP_RANGE, .node = -1,
				    .min_kib = d.d.dyn_min_kib,
				    .max_kib = d.d.dyn_max_kib };
	struct simulate_result	 r;
	uint64_t		 asked = h->now_ms;
	int			 rc;

	json_object_object_add(out, "domid", json_object_new_int(d.d.domid));
	if (sim_find(h, d.d.domid) != NULL) {
		snprintf(x->err, sizeof(x->err), "domain %" PRId32 " is "
		    "already running", d.d.domid);
		return SIMULATE_ESIM;
	}
	if (st->deadline_ms != 0)
		req.deadline_ms = h->now_ms + st->deadline_ms;
	x->starts++;
	x->check_wanted = true;
	if ((rc = simulate_op(x->e, &x->ec, h, &req,
	    x->s->conf.poll_interval_ms, x->trace, &r, x->err,
	    sizeof(x->err))) < 0)
		return rc;
	simu_outcome_of(&r, o);
	if (r.outcome != OP_SUCCESS)
		return 0;
	o->obtained_kib = r.obtained_kib;
	o->has_obtained = true;
	d.d.target_kib = d.d.actual_kib = d.d.maxmem_kib = r.obtained_kib;
	d.last_update_ms = h->now_ms;
	if ((rc = sim_host_add(h, &d)) < 0)
		return rc;
	h->free_kib -= r.obtained_kib;		/* the reservation, built */
	return simu_admitted(x, asked);
}

/* The daemon's balance check (daemon.c): balance if unbalanced. */
static int
simu_check(struct simctx *x)
{
	struct sim_host		*h = &x->s->host;
	struct host_snapshot	 snap;
	struct simulate_result	 r;
	struct op_req		 req = { .kind = OP_BALANCE, .node = -1 };
	bool			 unbalanced = false;
	int			 rc;

	x->last_check_ms = h->now_ms;
	x->check_wanted = false;
	sim_snapshot(h, &snap);
	if (x->trace != NULL) {
		simu_trace_line(x->trace, h->now_ms, &snap, "check");
		fputc('\n', x->trace);
	}
	if ((rc = op_unbalanced(x->e, &x->ec, &snap, h->now_ms,
	    &unbalanced)) < 0 || !unbalanced)
		return rc;
	x->balances++;
	if ((rc = simulate_op(x->e, &x->ec, h, &req,
	    x->s->conf.poll_interval_ms, x->trace, &r, x->err,
	    sizeof(x->err))) < 0)
		return rc;
	x->check_wanted = true;		/* its own writes fire the watch */
	return 0;
}

/*
 * run: the daemon left to itself for ms: time passes in ticks of
 * SIMU_RUN_TICK_MS (the poll interval, if shorter), and the balance check
 * runs every balance-interval, and at the next tick after something
 * changed (a guest wrote what it uses, a domain came or went, the daemon
 * wrote targets), as the daemon's watches make it (within 20 ms).  A
 * balance running at the end finishes first.  Run steps keep a schedule of
 * their own: each ends ms after the previous one's scheduled end (the
 * first, ms after it starts), so the time other steps take between them
 * (a start's reservation) and a balance that ends late come out of the
 * next run, and the steps after a run happen when the file says, whatever
 * the policy.
 */
static int
simu_run(struct simctx *x, uint64_t ms)
{
	struct sim_host		*h = &x->s->host;
	struct host_snapshot	 snap;
	uint64_t		 end, next;
	uint64_t		 tick = SIMU_RUN_TICK_MS;
	int			 rc;

	end = (x->has_run ? x->run_end_ms : h->now_ms) + ms;
	x->run_end_ms = end;
	x->has_run = true;
	if (x->until_ms != 0 && end > x->until_ms)
		end = x->until_ms > h->now_ms ? x->until_ms : h->now_ms;
	if (tick > x->s->conf.poll_interval_ms)
		tick = x->s->conf.poll_interval_ms;
	while (h->now_ms < end) {
		next = h->now_ms + tick;
		if (next > end)
			next = end;
		(void)sim_advance(h, next, false, NULL, 0);
		sim_snapshot(h, &snap);
		engine_observe(x->e, &snap, h->now_ms);
		if (h->stats.reports != x->seen_reports) {
			x->seen_reports = h->stats.reports;
			x->check_wanted = true;
		}
		if ((x->check_wanted || h->now_ms - x->last_check_ms >=
		    x->s->conf.balance_interval_ms) &&
		    (rc = simu_check(x)) < 0)
			return rc;
	}
	return 0;
}

/* consume: something outside the balancer takes memory. */
static int
simu_consume(struct simctx *x, const struct scen_step *st)
{
	struct sim_host	*h = &x->s->host;

	if (st->kib > h->free_kib) {
		snprintf(x->err, sizeof(x->err), "cannot consume %" PRId64
		    " KiB: %" PRId64 " KiB free", st->kib, h->free_kib);
		return SIMULATE_ESIM;
	}
	h->free_kib -= st->kib;
	return 0;
}

/* A figure with a fixed number of decimals, as JSON. */
static struct json_object *
simu_json_fixed(double v, int decimals)
{
	char	buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

#define SIMU_GIB	1048576.0	/* KiB */

/* What a run step did: its balances, the guests' pressure, the churn. */
static void
simu_json_run(struct json_object *o, const struct sim_stats *before,
    const struct sim_stats *after, size_t balances)
{
	json_object_object_add(o, "balances",
	    json_object_new_int64((int64_t)balances));
	json_object_object_add(o, "pressure-gib-s", simu_json_fixed(
	    (after->pressure_kib_s - before->pressure_kib_s) / SIMU_GIB, 3));
	json_object_object_add(o, "churn-gib", simu_json_fixed(
	    (double)(after->churn_kib - before->churn_kib) / SIMU_GIB, 3));
}

/* Run one step; its result object goes into steps[]. */
static int
simu_run_step(struct simctx *x, const struct scen_step *st,
    struct json_object *o)
{
	struct sim_host		*h = &x->s->host;
	struct simu_outcome	 oc = { .outcome = "success" };
	struct sim_stats	 before = h->stats;
	uint64_t		 start = h->now_ms;
	size_t			 balances = x->balances;
	int			 rc = 0;

	json_object_object_add(o, "op", json_object_new_string(
	    scen_op_name(st->op)));
	x->err[0] = '\0';
	switch (st->op) {
	case SCEN_PLAN:
		rc = simu_plan(x, st, o);
		break;
	case SCEN_WAIT:
		simu_wait(x, st->wait_ms);
		break;
	case SCEN_CONSUME:
		rc = simu_consume(x, st);
		break;
	case SCEN_MIGRATION_PREPARE:
		rc = simu_prepare(x, st, &oc, o);
		break;
	case SCEN_MIGRATION_END:
		rc = simu_migration_end(x, st);
		break;
	case SCEN_START:
		rc = simu_start(x, st, &oc, o);
		break;
	case SCEN_STOP:		/* a VM never admitted has nothing to stop */
		json_object_object_add(o, "was-running",
		    json_object_new_boolean(sim_find(h, st->domid) != NULL));
		if (sim_find(h, st->domid) != NULL)
			rc = simu_remove(x, st->domid, true);
		break;
	case SCEN_RUN:
		rc = simu_run(x, st->wait_ms);
		break;
	default:
		rc = simu_op_step(x, st, &oc);
		break;
	}
	if (rc < 0) {
		if (rc != SIMULATE_ESIM || x->err[0] == '\0')
			snprintf(x->err, sizeof(x->err), "%s", strerror(-rc));
		oc = (struct simu_outcome){ .outcome = "error" };
		json_object_object_add(o, "error",
		    json_object_new_string(x->err));
		x->errors++;
		rc = 0;
	}
	if (st->op != SCEN_PLAN)
		simu_json_outcome(o, &oc);
	if (st->op == SCEN_RUN)
		simu_json_run(o, &before, &h->stats, x->balances - balances);
	json_object_object_add(o, "elapsed-s", simu_json_secs(h->now_ms -
	    start));
	return rc;
}

/* The final host and domains. */
static void
simu_json_final(struct simctx *x, struct json_object *root)
{
	struct sim_host		*h = &x->s->host;
	struct json_object	*host = json_object_new_object();
	struct json_object	*doms = json_object_new_array(), *o;
	const struct hv_domain	*d;
	size_t			 i;

	json_object_object_add(host, "free-kib",
	    json_object_new_int64(h->free_kib));
	json_object_object_add(host, "reserved-kib",
	    json_object_new_int64(h->reserved_kib));
	json_object_object_add(host, "time-s", simu_json_secs(h->now_ms));
	json_object_object_add(root, "host", host);
	for (i = 0; i < h->ndoms; i++) {
		d = &h->doms[h->by_domid[i]].d;
		o = json_object_new_object();
		json_object_object_add(o, "domid", json_object_new_int(
		    d->domid));
		json_object_object_add(o, "target-kib",
		    json_object_new_int64(d->target_kib));
		json_object_object_add(o, "actual-kib",
		    json_object_new_int64(d->actual_kib));
		json_object_object_add(o, "maxmem-kib",
		    json_object_new_int64(d->maxmem_kib));
		json_object_object_add(o, "state", json_object_new_string(
		    engine_dom_state_name(engine_dom_state(x->e, d))));
		json_object_array_add(doms, o);
	}
	json_object_object_add(root, "domains", doms);
}

/* The run's figures (simulate.h), from the context. */
static void
simu_summary(const struct simctx *x, struct simulate_summary *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->time_ms = x->s->host.now_ms;
	ret->stats = x->s->host.stats;
	ret->starts = x->starts;
	ret->admitted = x->admitted;
	ret->admit_wait_ms = x->admit_wait_ms;
	ret->balances = x->balances;
	ret->errors = x->errors;
}

/* "summary": the figures of the whole run, as the README explains them. */
static void
simu_json_summary(const struct simctx *x, struct json_object *root)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*at = json_object_new_array();
	struct simulate_summary	 sum;
	size_t			 i;

	simu_summary(x, &sum);
	json_object_object_add(o, "time-s", simu_json_secs(sum.time_ms));
	json_object_object_add(o, "pressure-gib-s", simu_json_fixed(
	    sum.stats.pressure_kib_s / SIMU_GIB, 3));
	json_object_object_add(o, "short-s", simu_json_fixed(
	    sum.stats.short_s, 1));
	json_object_object_add(o, "peak-short-gib", simu_json_fixed(
	    (double)sum.stats.peak_short_kib / SIMU_GIB, 3));
	json_object_object_add(o, "churn-gib", simu_json_fixed(
	    (double)sum.stats.churn_kib / SIMU_GIB, 3));
	json_object_object_add(o, "balances",
	    json_object_new_int64((int64_t)sum.balances));
	json_object_object_add(o, "starts",
	    json_object_new_int64((int64_t)sum.starts));
	json_object_object_add(o, "admitted",
	    json_object_new_int64((int64_t)sum.admitted));
	for (i = 0; i < x->admitted; i++)
		json_object_array_add(at, simu_json_secs(
		    x->admitted_at_ms[i]));
	json_object_object_add(o, "admitted-at-s", at);
	json_object_object_add(o, "admit-wait-s", simu_json_secs(
	    sum.admit_wait_ms));
	json_object_object_add(root, "summary", o);
}

int
simulate_run(struct scenario *s, FILE *out, FILE *trace)
{
	return simulate_run_opts(s, NULL, out, trace, NULL);
}

int
simulate_run_opts(struct scenario *s, const struct simulate_opts *opts,
    FILE *out, FILE *trace, struct simulate_summary *ret)
{
	struct simctx		 x = { .s = s, .trace = trace,
				    .check_wanted = true };
	struct json_object	*root = NULL, *steps, *o;
	size_t			 i;
	int			 rc;

	if ((rc = conf_engine(&s->conf, &x.ec)) < 0)
		return rc;
	if (opts != NULL && opts->policy != NULL)
		x.ec.policy = opts->policy;
	if (opts != NULL)
		x.until_ms = opts->until_ms;
	if (opts != NULL && opts->poll_ms != 0)
		s->conf.poll_interval_ms = opts->poll_ms;
	if ((x.e = engine_new(&x.ec)) == NULL)
		return -ENOMEM;
	root = json_object_new_object();
	steps = json_object_new_array();
	json_object_object_add(root, "steps", steps);
	for (i = 0; i < s->nsteps; i++) {
		if (x.until_ms != 0 && s->host.now_ms >= x.until_ms)
			break;
		o = json_object_new_object();
		json_object_array_add(steps, o);
		if ((rc = simu_run_step(&x, &s->steps[i], o)) < 0)
			goto out;
	}
	simu_json_final(&x, root);
	if (opts != NULL && opts->summary)
		simu_json_summary(&x, root);
	if (out != NULL)
		fprintf(out, "%s\n", json_object_to_json_string_ext(root,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
	if (ret != NULL)
		simu_summary(&x, ret);
	rc = 0;
out:
	json_object_put(root);
	engine_free(x.e);
	free(x.admitted_at_ms);
	return rc;
}
