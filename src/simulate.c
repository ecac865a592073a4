/*
 * simulate.c: "squeezerctl simulate": the scenario's steps run the same
 * engine code as the daemon, against the simulated host, on a virtual
 * clock that advances one poll interval per engine iteration.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "engine.h"
#include "scenario.h"
#include "simulate.h"

struct simctx {
	struct scenario		*s;
	struct engine		*e;
	struct engine_conf	 ec;
	FILE			*trace;
	char			 err[256];
};

#define SIM_LATE	1	/* sim_op: the deadline passed */

struct sim_saved;
static int	sim_op(struct engine *, struct sim_host *,
		    const struct engine_goal *, uint64_t, uint64_t,
		    struct sim_saved *, FILE *, struct engine_result *, char *,
		    size_t);

/* A step's outcome, as the scenario output reports it. */
struct sim_outcome {
	const char	*outcome;	/* success, cannot_free, refused, error,
					   deadline_exceeded */
	int64_t		 needed_kib, free_kib, freed_kib;
	const int32_t	*domids;
	size_t		 ndomids;
	int64_t		 obtained_kib;
	bool		 has_obtained;
};

static struct json_object *
sim_json_secs(uint64_t ms)
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

/* One trace line per iteration: time, free and every domain. */
static void
sim_trace(FILE *trace, uint64_t now_ms, const struct host_snapshot *snap,
    const struct engine_result *r)
{
	static const char	*const names[] = { "running", "success",
				    "cannot_free", "refused" };
	size_t			 i;

	if (trace == NULL)
		return;
	fprintf(trace, "t=%.1f F%" PRId64 " %s%s", (double)now_ms / 1000.0,
	    snap->free_kib, names[r->outcome],
	    r->allocating ? " alloc" : " free");
	for (i = 0; i < snap->ndoms; i++)
		fprintf(trace, "; %" PRId32 " T%" PRId64 " A%" PRId64 " M%"
		    PRId64, snap->doms[i].domid, snap->doms[i].target_kib,
		    snap->doms[i].actual_kib, snap->doms[i].maxmem_kib);
	for (i = 0; i < r->ndeclared_inactive; i++)
		fprintf(trace, " [%" PRId32 " inactive]",
		    r->declared_inactive[i]);
	fputc('\n', trace);
}

/* Targets as they were before an operation changed them (deadlines). */
struct sim_saved {
	struct engine_action	*v;
	size_t			 n;
};

static void
sim_save(struct sim_saved *sv, const struct hv_domain *d)
{
	struct engine_action	*nv;
	size_t			 i;

	if (sv == NULL)
		return;
	for (i = 0; i < sv->n; i++)
		if (sv->v[i].domid == d->domid)
			return;
	if ((nv = realloc(sv->v, (sv->n + 1) * sizeof(*nv))) == NULL)
		return;
	sv->v = nv;
	sv->v[sv->n++] = (struct engine_action){ d->domid, d->target_kib };
}

/* Put every saved target back, as the daemon does when a reserve fails. */
static void
sim_restore(struct sim_host *h, struct sim_saved *sv)
{
	struct host_snapshot	snap;
	long			i;
	size_t			k;

	sim_snapshot(h, &snap);
	for (k = 0; k < sv->n; k++)
		if ((i = host_find(&snap, sv->v[k].domid)) >= 0)
			(void)engine_apply(&sim_apply_ops, h, &snap.doms[i],
			    sv->v[k].target_kib);
}

/* Apply one iteration's actions to the simulated host. */
static int
sim_apply_all(struct sim_host *h, const struct host_snapshot *snap,
    const struct engine_result *r, struct sim_saved *sv, char *err,
    size_t errlen)
{
	long	i;
	size_t	k;
	int	rc;

	for (k = 0; k < r->nactions; k++) {
		i = host_find(snap, r->actions[k].domid);
		if (i < 0)
			continue;
		sim_save(sv, &snap->doms[i]);
		rc = engine_apply(&sim_apply_ops, h, &snap->doms[i],
		    r->actions[k].target_kib);
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

int
simulate_operation(struct engine *e, struct sim_host *h,
    const struct engine_goal *g, uint64_t poll_ms, FILE *trace,
    struct engine_result *ret, char *err, size_t errlen)
{
	return sim_op(e, h, g, poll_ms, 0, NULL, trace, ret, err, errlen);
}

/*
 * simulate_operation with a deadline: past deadline_ms of simulated time
 * the operation is abandoned (SIMULATE_LATE), as the daemon's would be.
 */
static int
sim_op(struct engine *e, struct sim_host *h, const struct engine_goal *g,
    uint64_t poll_ms, uint64_t deadline_ms, struct sim_saved *sv,
    FILE *trace, struct engine_result *ret, char *err, size_t errlen)
{
	struct host_snapshot	 snap;
	uint64_t		 start = h->now_ms, now;
	bool			 done;
	int			 rc;

	sim_snapshot(h, &snap);
	if ((rc = engine_begin(e, g, &snap, &done)) < 0)
		return rc;
	if (done) {
		memset(ret, 0, sizeof(*ret));
		ret->outcome = ENGINE_SUCCESS;
		ret->free_kib = snap.free_kib;
		return 0;
	}
	for (;;) {
		now = h->now_ms;
		sim_snapshot(h, &snap);
		if ((rc = engine_step(e, &snap, now, ret)) < 0)
			return rc;
		sim_trace(trace, now, &snap, ret);
		if (sim_apply_all(h, &snap, ret, sv, err, errlen) < 0)
			break;
		if (ret->outcome != ENGINE_RUNNING)
			return 0;
		if (deadline_ms != 0 && now - start >= deadline_ms) {
			engine_abort(e);
			return SIM_LATE;
		}
		if (now - start >= SIMULATE_OP_LIMIT_MS) {
			snprintf(err, errlen, "no convergence within %u s of "
			    "simulated time", SIMULATE_OP_LIMIT_MS / 1000);
			break;
		}
		if (sim_advance(h, now + poll_ms, true, err, errlen) < 0)
			break;
	}
	engine_abort(e);
	return SIMULATE_ESIM;
}

/* Map an engine result to a step outcome; reserve offsets the reserve. */
static void
sim_outcome_of(const struct engine_result *r, int64_t offset,
    struct sim_outcome *o)
{
	switch (r->outcome) {
	case ENGINE_SUCCESS:
	case ENGINE_RUNNING:
		o->outcome = "success";
		break;
	case ENGINE_CANNOT_FREE:
		o->outcome = "cannot_free";
		o->needed_kib = r->needed_kib - offset;
		o->free_kib = r->free_kib - offset;
		break;
	case ENGINE_REFUSED:
		o->outcome = "refused";
		o->domids = r->refused;
		o->ndomids = r->nrefused;
		break;
	}
}

/* free, reserve, reserve-range and balance: one engine operation each. */
static int
sim_engine_step(struct simctx *x, const struct scen_step *st,
    struct sim_outcome *o)
{
	struct sim_host		*h = &x->s->host;
	struct host_snapshot	 snap;
	struct engine_result	 r;
	struct engine_goal	 g;
	struct sim_saved	 sv = { NULL, 0 };
	int64_t			 reserve = x->ec.host_reserve_kib, ideal = 0;
	int64_t			 free0;
	int			 rc;

	switch (st->op) {
	case SCEN_FREE:
		g = (struct engine_goal){ st->kib, ENGINE_COND_GE, st->kib };
		if (st->has_until) {
			g.cond = st->until_cond;
			g.cond_kib = st->until_kib;
		}
		reserve = 0;
		break;
	case SCEN_RESERVE:
		g = engine_goal_free(&x->ec, st->kib);
		break;
	case SCEN_RESERVE_RANGE:
		sim_snapshot(h, &snap);
		if ((rc = engine_range_ideal(x->e, &snap, st->min_kib,
		    st->max_kib, &ideal)) < 0)
			return rc;
		g = engine_goal_range(&x->ec, ideal, st->min_kib);
		break;
	case SCEN_MIGRATION_RESERVE:	/* all the VM has, if it can */
		g = engine_goal_range(&x->ec, st->max_kib, st->min_kib);
		break;
	default:
		g = engine_goal_balance(&x->ec);
		break;
	}
	sim_snapshot(h, &snap);
	free0 = snap.free_kib;
	rc = sim_op(x->e, h, &g, x->s->conf.poll_interval_ms, st->deadline_ms,
	    &sv, x->trace, &r, x->err, sizeof(x->err));
	if (rc == SIM_LATE) {	/* every target back, nothing reserved */
		sim_snapshot(h, &snap);
		o->outcome = "deadline_exceeded";
		o->needed_kib = g.required_kib - free0;
		o->freed_kib = snap.free_kib - free0;
		sim_restore(h, &sv);
		free(sv.v);
		return 0;
	}
	free(sv.v);
	if (rc < 0)
		return rc;
	sim_outcome_of(&r, reserve, o);
	if (st->op == SCEN_BALANCE && r.outcome == ENGINE_CANNOT_FREE)
		o->outcome = "success";	/* all at dynamic-max: balanced */
	if (r.outcome != ENGINE_SUCCESS)
		return 0;
	if (st->op == SCEN_RESERVE)
		h->reserved_kib += st->kib;
	else if (st->op == SCEN_RESERVE_RANGE ||
	    st->op == SCEN_MIGRATION_RESERVE) {
		sim_snapshot(h, &snap);
		o->obtained_kib = snap.free_kib - reserve;
		if (o->obtained_kib > st->max_kib)
			o->obtained_kib = st->max_kib;
		if (o->obtained_kib < st->min_kib)
			o->obtained_kib = st->min_kib;
		o->has_obtained = true;
		h->reserved_kib += o->obtained_kib;
	}
	return 0;
}

/* Let simulated time pass, one poll interval at a time. */
static void
sim_wait(struct simctx *x, uint64_t ms)
{
	struct sim_host		*h = &x->s->host;
	struct host_snapshot	 snap;
	uint64_t		 end = h->now_ms + ms, next;

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
sim_json_actions(const struct engine_action *a, size_t n)
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

/* plan: the next decision of a free of kib, changing nothing. */
static int
sim_plan(struct simctx *x, const struct scen_step *st, struct json_object *o)
{
	struct host_snapshot	 snap;
	struct engine_result	 r;
	struct engine_goal	 g;
	int64_t			 kib = st->has_kib ? st->kib :
				    x->ec.host_reserve_kib;
	int			 rc;

	g = (struct engine_goal){ kib, ENGINE_COND_GE, kib };
	sim_snapshot(&x->s->host, &snap);
	if ((rc = engine_plan(x->e, &g, &snap, x->s->host.now_ms, &r)) < 0)
		return rc;
	json_object_object_add(o, "outcome", json_object_new_string(
	    "success"));
	json_object_object_add(o, "phase", json_object_new_string(
	    r.allocating ? "allocating" : "freeing"));
	json_object_object_add(o, "free-kib",
	    json_object_new_int64(snap.free_kib));
	json_object_object_add(o, "targets",
	    sim_json_actions(r.targets, r.ntargets));
	json_object_object_add(o, "actions",
	    sim_json_actions(r.actions, r.nactions));
	return 0;
}

static void
sim_json_outcome(struct json_object *o, const struct sim_outcome *oc)
{
	struct json_object	*arr;
	size_t			 i;

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
		arr = json_object_new_array();
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
 * min(target, max-kib) and balloon it there only if it is above.
 */
static int
sim_prepare(struct simctx *x, const struct scen_step *st,
    struct sim_outcome *o, struct json_object *out)
{
	struct sim_host		*h = &x->s->host;
	struct sim_dom		*d = sim_find(h, st->domid);
	struct scen_step	 bal = { .op = SCEN_BALANCE,
				    .deadline_ms = st->deadline_ms };
	int64_t			 kib;
	bool			 ballooned = false;
	int			 rc;

	if (d == NULL) {
		snprintf(x->err, sizeof(x->err), "no domain %" PRId32,
		    st->domid);
		return SIMULATE_ESIM;
	}
	kib = d->d.target_kib < st->kib ? d->d.target_kib : st->kib;
	if (kib < d->d.dyn_min_kib) {
		snprintf(x->err, sizeof(x->err), "max-kib %" PRId64 " is below "
		    "domain %" PRId32 "'s dynamic-min", st->kib, st->domid);
		return SIMULATE_ESIM;
	}
	if ((rc = sim_pin(h, st->domid, kib)) < 0)
		return rc;
	if (d->d.target_kib != kib || d->d.actual_kib > kib +
	    d->d.inaccuracy_kib) {
		ballooned = true;
		if ((rc = sim_engine_step(x, &bal, o)) < 0)
			return rc;
		d = sim_find(h, st->domid);
		if (strcmp(o->outcome, "deadline_exceeded") != 0 &&
		    !host_hit_target(d->d.inaccuracy_kib, d->d.actual_kib,
		    kib)) {
			o->outcome = "refused";
			o->domids = &st->domid;
			o->ndomids = 1;
		}
		if (strcmp(o->outcome, "success") != 0)
			(void)sim_pin(h, st->domid, -1);	/* not leaving */
	}
	json_object_object_add(out, "target-kib", json_object_new_int64(
	    d->d.target_kib));
	json_object_object_add(out, "ballooned",
	    json_object_new_boolean(ballooned));
	return 0;
}

/* migration-end: aborted unpins it; done: the VM has left this host. */
static int
sim_migration_end(struct simctx *x, const struct scen_step *st)
{
	struct sim_host	*h = &x->s->host;
	struct sim_dom	*d = sim_find(h, st->domid);
	int64_t		 freed;

	if (d == NULL) {
		snprintf(x->err, sizeof(x->err), "no domain %" PRId32,
		    st->domid);
		return SIMULATE_ESIM;
	}
	(void)sim_pin(h, st->domid, -1);
	if (!st->done)
		return 0;
	freed = d->d.actual_kib;
	if (sim_host_remove(h, st->domid) < 0)
		return -ENOMEM;
	h->free_kib += freed;
	return 0;
}

/* Run one step; its result object goes into steps[]. */
static int
sim_run_step(struct simctx *x, const struct scen_step *st,
    struct json_object *o)
{
	struct sim_host		*h = &x->s->host;
	struct sim_outcome	 oc = { .outcome = "success" };
	uint64_t		 start = h->now_ms;
	int			 rc = 0;

	json_object_object_add(o, "op", json_object_new_string(
	    scen_op_name(st->op)));
	x->err[0] = '\0';
	switch (st->op) {
	case SCEN_PLAN:
		rc = sim_plan(x, st, o);
		break;
	case SCEN_WAIT:
		sim_wait(x, st->wait_ms);
		break;
	case SCEN_CONSUME:
		if (st->kib > h->free_kib) {
			snprintf(x->err, sizeof(x->err), "cannot consume %"
			    PRId64 " KiB: %" PRId64 " KiB free", st->kib,
			    h->free_kib);
			rc = SIMULATE_ESIM;
		} else
			h->free_kib -= st->kib;
		break;
	case SCEN_MIGRATION_PREPARE:
		rc = sim_prepare(x, st, &oc, o);
		break;
	case SCEN_MIGRATION_END:
		rc = sim_migration_end(x, st);
		break;
	default:
		rc = sim_engine_step(x, st, &oc);
		break;
	}
	if (rc < 0) {
		if (rc != SIMULATE_ESIM || x->err[0] == '\0')
			snprintf(x->err, sizeof(x->err), "%s", strerror(-rc));
		oc = (struct sim_outcome){ .outcome = "error" };
		json_object_object_add(o, "error",
		    json_object_new_string(x->err));
		rc = 0;
	}
	if (st->op != SCEN_PLAN)
		sim_json_outcome(o, &oc);
	json_object_object_add(o, "elapsed-s", sim_json_secs(h->now_ms -
	    start));
	return rc;
}

/* The final host and domains. */
static void
sim_json_final(struct simctx *x, struct json_object *root)
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
	json_object_object_add(host, "time-s", sim_json_secs(h->now_ms));
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

int
simulate_run(struct scenario *s, FILE *out, FILE *trace)
{
	struct simctx		 x = { .s = s, .trace = trace };
	struct json_object	*root = NULL, *steps, *o;
	size_t			 i;
	int			 rc;

	if ((rc = conf_engine(&s->conf, &x.ec)) < 0)
		return rc;
	if ((x.e = engine_new(&x.ec)) == NULL)
		return -ENOMEM;
	root = json_object_new_object();
	steps = json_object_new_array();
	json_object_object_add(root, "steps", steps);
	for (i = 0; i < s->nsteps; i++) {
		o = json_object_new_object();
		json_object_array_add(steps, o);
		if ((rc = sim_run_step(&x, &s->steps[i], o)) < 0)
			goto out;
	}
	sim_json_final(&x, root);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = 0;
out:
	json_object_put(root);
	engine_free(x.e);
	return rc;
}
