/*
 * op.c: one balancer operation as a pure state machine over the engine
 * (include/op.h).  The engine knows squeezed's loop; this file knows what
 * the operation around it is: its goal and sizes, the hopeless check, the
 * NUMA stages, the deadline, failed writes, the targets to put back and
 * what was obtained.  No clock, no I/O, no logging.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "host.h"
#include "op.h"

/* A target an action set, as it was before (to put back on failure). */
struct op_saved {
	int32_t		domid;
	int64_t		before_kib;
};

/* A target that could not be written: the engine sees it as written. */
struct op_unwritten {
	int32_t		domid;
	int64_t		target_kib;
};

struct op {
	struct engine		*e;
	struct engine_conf	 conf;
	struct op_req		 req;
	struct engine_goal	 goal;
	int64_t			 offset_kib;	/* the host reserve, or 0 */
	int64_t			 min_kib, max_kib;	/* rounded range */
	bool			 begun, running, acted, ended;
	bool			 planned;	/* op_plan(): a dry run */
	bool			 ballooned;	/* PREPARE: must move */
	const struct engine_result *final;	/* the engine's last step */
	int			 stage;		/* 1: the node's domains only */
	int32_t			*node_doms;	/* sorted */
	size_t			 nnode_doms;
	uint64_t		 start_ms, deadline_ms;
	int64_t			 start_free_kib, free_kib, needed_kib;
	int64_t			 start_actual_kib;	/* PREPARE */
	size_t			 nunsettled;
	struct op_saved		*saved;
	size_t			 nsaved, capsaved;
	uint8_t			*saved_bits;	/* by domid: saved already */
	struct op_unwritten	*unwritten;
	size_t			 nunwritten, capunwritten;
	int32_t			*blameless;	/* writes failed: not stuck */
	size_t			 nblameless, capblameless;
	/* scratch: the engine's view, results */
	struct hv_domain	*view;
	size_t			 capview;
	struct host_snapshot	 vsnap;
	struct engine_action	*acts;
	size_t			 capacts;
	int32_t			*ids;
	size_t			 capids;
	struct op_held		*held;
	size_t			 nheld, capheld;
};

/* Grow *v (of element size sz) to hold n; 0 or -ENOMEM. */
static int
op_grow(void *pv, size_t *cap, size_t n, size_t sz)
{
	void	**v = pv, *nv;
	size_t	  ncap;

	if (n <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < n)
		ncap *= 2;
	if ((nv = realloc(*v, ncap * sz)) == NULL)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

const char *
op_outcome_name(enum op_outcome o)
{
	static const char *const names[] = {
		[OP_RUNNING]	 = "running",
		[OP_SUCCESS]	 = "success",
		[OP_CANNOT_FREE] = "cannot_free",
		[OP_REFUSED]	 = "refused",
		[OP_DEADLINE]	 = "deadline_exceeded",
		[OP_ERROR]	 = "error",
	};

	return (size_t)o < sizeof(names) / sizeof(names[0]) ? names[o] :
	    "unknown";
}

static bool
op_req_ok(const struct op_req *r)
{
	switch (r->kind) {
	case OP_FREE:
	case OP_RESERVE:
		return r->kib >= 0 && r->kib <= HOST_MAX_KIB;
	case OP_RANGE:
	case OP_MIGRATION_RESERVE:
		return r->min_kib >= 0 && r->min_kib <= r->max_kib &&
		    r->max_kib <= HOST_MAX_KIB;
	case OP_BALANCE:
		return true;
	case OP_PREPARE:
		return r->domid >= 0 && r->pin_kib >= 0 &&
		    r->pin_kib <= HOST_MAX_KIB;
	}
	return false;
}

int
op_new(struct engine *e, const struct engine_conf *c, const struct op_req *r,
    struct op **ret)
{
	struct op	*op;

	if (e == NULL || c == NULL || r == NULL || !op_req_ok(r))
		return -EINVAL;
	if ((op = calloc(1, sizeof(*op))) == NULL)
		return -ENOMEM;
	op->e = e;
	op->conf = *c;
	op->req = *r;
	*ret = op;
	return 0;
}

void
op_free(struct op *op)
{
	if (op == NULL)
		return;
	if (op->running)
		engine_abort(op->e);
	free(op->node_doms);
	free(op->saved);
	free(op->saved_bits);
	free(op->unwritten);
	free(op->blameless);
	free(op->view);
	free(op->acts);
	free(op->ids);
	free(op->held);
	free(op);
}

static int
op_cmp_domid(const void *a, const void *b)
{
	int32_t	x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

int
op_set_node_domains(struct op *op, const int32_t *domids, size_t n)
{
	int32_t	*v;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	if (n > 0)
		memcpy(v, domids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), op_cmp_domid);
	free(op->node_doms);
	op->node_doms = v;
	op->nnode_doms = n;
	return 0;
}

static bool
op_on_node(const struct op *op, int32_t domid)
{
	return op->node_doms != NULL && bsearch(&domid, op->node_doms,
	    op->nnode_doms, sizeof(domid), op_cmp_domid) != NULL;
}

/*
 * Sizes in whole granules (superpages): a reservation rounds up; a range's
 * min rounds up when that stays within max.  The one place requests are
 * rounded.
 */
static void
op_round(struct op *op)
{
	int64_t	g = op->conf.granularity_kib, min;

	if (op->req.kind == OP_RESERVE)
		op->req.kib = host_granule_up(op->req.kib, g);
	op->min_kib = op->req.min_kib;
	op->max_kib = op->req.max_kib;
	min = host_granule_up(op->min_kib, g);
	if (min <= op->max_kib)
		op->min_kib = min;
}

/* The goal of the operation on this host (squeezed's three, and ours). */
static int
op_goal(struct op *op, const struct host_snapshot *s)
{
	const struct engine_conf	*c = &op->conf;
	int64_t				 ideal;
	int				 rc;

	op->offset_kib = c->host_reserve_kib;
	switch (op->req.kind) {
	case OP_FREE:
		op->offset_kib = 0;
		op->goal = (struct engine_goal){ op->req.kib, ENGINE_COND_GE,
		    op->req.kib };
		if (op->req.has_until) {
			op->goal.cond = op->req.until_cond;
			op->goal.cond_kib = op->req.until_kib;
		}
		break;
	case OP_RESERVE:
		op->goal = engine_goal_free(c, op->req.kib);
		break;
	case OP_RANGE:
		if ((rc = engine_range_ideal(op->e, s, op->min_kib,
		    op->max_kib, &ideal)) < 0)
			return rc;
		op->goal = engine_goal_range(c, ideal, op->min_kib);
		break;
	case OP_MIGRATION_RESERVE:	/* all the VM had, if it can be had */
		op->goal = engine_goal_range(c, op->max_kib, op->min_kib);
		break;
	case OP_BALANCE:
	case OP_PREPARE:
		op->goal = engine_goal_balance(c);
		break;
	}
	return 0;
}

/* The domains a fresh operation leaves out from the start, and why. */
static int
op_find_held(struct op *op, const struct host_snapshot *s, uint64_t now_ms)
{
	const char	*why;
	size_t		 i;

	op->nheld = 0;
	for (i = 0; i < s->ndoms; i++) {
		if ((why = engine_held(op->e, &s->doms[i], now_ms)) == NULL)
			continue;
		if (op_grow(&op->held, &op->capheld, op->nheld + 1,
		    sizeof(*op->held)) < 0)
			return -ENOMEM;
		op->held[op->nheld++] = (struct op_held){ s->doms[i].domid,
		    why };
	}
	return 0;
}

static int	op_ids(struct op *, size_t);

/* Tell the engine who is held, for its next begin or plan. */
static int
op_hold(struct op *op)
{
	size_t	i;

	if (op_ids(op, op->nheld) < 0)
		return -ENOMEM;
	for (i = 0; i < op->nheld; i++)
		op->ids[i] = op->held[i].domid;
	return engine_hold(op->e, op->ids, op->nheld);
}

static bool
op_is_held(const struct op *op, int32_t domid)
{
	size_t	i;

	for (i = 0; i < op->nheld; i++)
		if (op->held[i].domid == domid)
			return true;
	return false;
}

/*
 * The engine's view of the host: in stage 1 of a node's reserve only that
 * node's domains may give (the others are held as they are); a target
 * that could not be written is seen as written, so a domain whose writes
 * keep failing makes no progress and is found stuck.
 */
static int
op_view(struct op *op, const struct host_snapshot *s,
    const struct host_snapshot **ret)
{
	struct hv_domain	*d;
	size_t			 i, k;

	if (op->stage != 1 && op->nunwritten == 0) {
		*ret = s;
		return 0;
	}
	if (op_grow(&op->view, &op->capview, s->ndoms + 1,
	    sizeof(*op->view)) < 0)
		return -ENOMEM;
	for (i = 0; i < s->ndoms; i++) {
		d = &op->view[i];
		*d = s->doms[i];
		if (op->stage == 1 && !op_on_node(op, d->domid))
			d->can_balloon = false;
		for (k = 0; k < op->nunwritten; k++)
			if (op->unwritten[k].domid == d->domid)
				d->target_kib = op->unwritten[k].target_kib;
	}
	op->vsnap = (struct host_snapshot){ op->view, s->ndoms, s->free_kib };
	*ret = &op->vsnap;
	return 0;
}

/* Most free memory the balloons could make: free plus all above min. */
static int64_t
op_most_free(const struct op *op, const struct host_snapshot *s,
    bool with_held)
{
	int64_t	most = s->free_kib;
	size_t	i;

	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon && s->doms[i].actual_kib >
		    s->doms[i].dyn_min_kib && (with_held ||
		    !op_is_held(op, s->doms[i].domid)))
			most += s->doms[i].actual_kib - s->doms[i].dyn_min_kib;
	return most;
}

/* Amounts beyond the reserve, with progress in one measure. */
static void
op_amounts(struct op *op, const struct host_snapshot *s,
    struct op_result *r)
{
	int64_t	freed;

	op->free_kib = s->free_kib;
	r->required_kib = op->goal.required_kib;
	r->free_kib = s->free_kib - op->offset_kib;
	r->needed_kib = op->needed_kib;
	freed = s->free_kib - op->start_free_kib;
	r->freed_kib = freed < 0 ? 0 : freed > op->needed_kib ?
	    op->needed_kib : freed;
}

static int
op_ids(struct op *op, size_t n)
{
	return op_grow(&op->ids, &op->capids, n + 1, sizeof(*op->ids));
}

static int
op_acts(struct op *op, size_t n)
{
	return op_grow(&op->acts, &op->capacts, n + 1, sizeof(*op->acts));
}

static bool	op_rolls_back(const struct op *);

/*
 * Set the action for a domain: replace it among the last step's actions
 * (acts[0..n0), ascending domid, as the engine gives them), or append.
 */
static void
op_put(struct op *op, size_t n0, size_t *n, int32_t domid, int64_t kib)
{
	size_t	lo = 0, hi = n0, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (op->acts[mid].domid == domid) {
			op->acts[mid].target_kib = kib;
			return;
		}
		if (op->acts[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	op->acts[(*n)++] = (struct engine_action){ domid, kib };
}

/*
 * The targets to put back after a failure: what each changed domain had,
 * within its range now (a pin set meanwhile, or a lowered dynamic-max,
 * wins over the old target).  They go after the last step's actions.
 */
static int
op_restore_list(struct op *op, const struct host_snapshot *s,
    struct op_result *r)
{
	const struct hv_domain	*d;
	int64_t			 t;
	size_t			 k, n0 = r->nactions, n = n0;
	long			 i;

	if (!op_rolls_back(op) || !op->acted)
		return 0;
	r->rolled_back = true;
	if (op_acts(op, n + op->nsaved) < 0)
		return -ENOMEM;
	for (k = 0; k < op->nsaved; k++) {
		if ((i = host_find(s, op->saved[k].domid)) < 0)
			continue;
		d = &s->doms[i];
		t = op->saved[k].before_kib;
		if (d->can_balloon && t > d->dyn_max_kib)
			t = d->dyn_max_kib;
		if (d->can_balloon && t < d->dyn_min_kib)
			t = d->dyn_min_kib;
		op_put(op, n0, &n, d->domid, t);
	}
	r->actions = op->acts;
	r->nactions = n;
	return 0;
}

static int	op_actions(struct op *, const struct host_snapshot *,
		    const struct engine_result *, struct op_result *);

/*
 * The end of the operation: its outcome, the last step's actions (a domain
 * found stuck is capped, as squeezed does in its last iteration too), and
 * after a failure what to put back.
 */
static int
op_end(struct op *op, const struct host_snapshot *s, enum op_outcome o,
    struct op_result *r)
{
	size_t	i;
	int	rc;

	if (op->running && !op->planned)
		engine_abort(op->e);
	for (i = 0; i < op->nblameless; i++)
		engine_forgive(op->e, op->blameless[i]);
	op->running = false;
	op->ended = true;
	r->outcome = o;
	r->actions = NULL;
	r->nactions = 0;
	if (op->final != NULL && (rc = op_actions(op, s, op->final, r)) < 0)
		return rc;
	op->final = NULL;
	if (o != OP_SUCCESS && !op->planned)
		return op_restore_list(op, s, r);
	return 0;
}

/* What a range obtains: whole granules of what is free, within the range. */
static int64_t
op_obtained(const struct op *op, const struct host_snapshot *s)
{
	int64_t	usable = host_granule_down(s->free_kib - op->offset_kib,
		    op->conf.granularity_kib);

	if (usable > op->max_kib)
		usable = op->max_kib;
	return usable < op->min_kib ? op->min_kib : usable;
}

static int
op_succeed(struct op *op, const struct host_snapshot *s, struct op_result *r)
{
	const struct hv_domain	*d;
	long			 i;

	op_amounts(op, s, r);
	r->ballooned = op->ballooned;
	switch (op->req.kind) {
	case OP_RESERVE:
		r->obtained_kib = op->req.kib;
		break;
	case OP_RANGE:
	case OP_MIGRATION_RESERVE:
		r->obtained_kib = op_obtained(op, s);
		break;
	case OP_PREPARE:	/* the domain itself: at its pin or below */
		i = host_find(s, op->req.domid);
		d = i < 0 ? NULL : &s->doms[i];
		if (d != NULL && (!d->can_balloon || d->actual_kib <=
		    op->req.pin_kib + d->inaccuracy_kib))
			break;
		if (op_ids(op, 1) < 0)
			return -ENOMEM;
		op->ids[0] = op->req.domid;
		r->domids = op->ids;
		r->ndomids = 1;
		return op_end(op, s, OP_REFUSED, r);
	default:
		break;
	}
	return op_end(op, s, OP_SUCCESS, r);
}

/* The domains still off their targets: who stalled a late operation. */
static int
op_stalled(struct op *op, const struct host_snapshot *s, struct op_result *r)
{
	const struct hv_domain	*d;
	size_t			 i, n = 0;

	if (op_ids(op, s->ndoms) < 0)
		return -ENOMEM;
	for (i = 0; i < s->ndoms; i++) {
		d = &s->doms[i];
		if (op->req.kind == OP_PREPARE && d->domid != op->req.domid)
			continue;
		if (d->can_balloon && !host_hit_target(d->inaccuracy_kib,
		    d->actual_kib, d->target_kib))
			op->ids[n++] = d->domid;
	}
	r->domids = op->ids;
	r->ndomids = n;
	return 0;
}

static int
op_late(struct op *op, const struct host_snapshot *s, struct op_result *r)
{
	if (op_stalled(op, s, r) < 0)
		return -ENOMEM;
	op_amounts(op, s, r);
	return op_end(op, s, OP_DEADLINE, r);
}

/* Only a reservation's operation puts targets back when it fails. */
static bool
op_rolls_back(const struct op *op)
{
	return op->req.kind == OP_RESERVE || op->req.kind == OP_RANGE ||
	    op->req.kind == OP_MIGRATION_RESERVE || op->req.kind == OP_PREPARE;
}

/* Remember what a target was before the operation first changed it. */
static int
op_save(struct op *op, const struct hv_domain *d)
{
	uint32_t	id = (uint32_t)d->domid;

	if (!op_rolls_back(op) || id > HOST_MAX_DOMID)
		return 0;
	if (op->saved_bits == NULL && (op->saved_bits = calloc(1,
	    HOST_MAX_DOMID / 8 + 1)) == NULL)
		return -ENOMEM;
	if (op->saved_bits[id / 8] & (1u << (id % 8)))
		return 0;
	if (op_grow(&op->saved, &op->capsaved, op->nsaved + 1,
	    sizeof(*op->saved)) < 0)
		return -ENOMEM;
	op->saved_bits[id / 8] |= (uint8_t)(1u << (id % 8));
	op->saved[op->nsaved++] = (struct op_saved){ d->domid, d->target_kib };
	return 0;
}

/*
 * The actions of one engine step, as the caller applies them: stage 1
 * leaves the other nodes' domains alone, and a target that could not be
 * written is tried again.  Each changed target is saved first.
 */
static int
op_actions(struct op *op, const struct host_snapshot *s,
    const struct engine_result *er, struct op_result *r)
{
	const struct engine_action	*a;
	size_t				 k, j, n = 0;
	long				 i;

	if (op_acts(op, er->nactions + op->nunwritten) < 0)
		return -ENOMEM;
	for (k = 0; k < er->nactions; k++) {
		a = &er->actions[k];
		if ((i = host_find(s, a->domid)) < 0 || (op->stage == 1 &&
		    !op_on_node(op, a->domid)))
			continue;
		if (op_save(op, &s->doms[i]) < 0)
			return -ENOMEM;
		op->acts[n++] = *a;
	}
	for (k = 0; k < op->nunwritten; k++) {
		for (j = 0; j < n && op->acts[j].domid !=
		    op->unwritten[k].domid; j++)
			;
		if (j == n)
			op->acts[n++] = (struct engine_action){
			    op->unwritten[k].domid, op->unwritten[k].target_kib };
	}
	if (n > 0)
		op->acted = true;
	r->actions = op->acts;
	r->nactions = n;
	r->allocating = er->allocating;
	r->targets = er->targets;
	r->ntargets = er->ntargets;
	r->declared = er->declared_inactive;
	r->ndeclared = er->ndeclared_inactive;
	return 0;
}

/* Targets that were written after all (or by someone else) stop counting. */
static void
op_forget_written(struct op *op, const struct host_snapshot *s)
{
	size_t	k = 0;
	long	i;

	while (k < op->nunwritten) {
		i = host_find(s, op->unwritten[k].domid);
		if (i < 0 || s->doms[i].target_kib ==
		    op->unwritten[k].target_kib)
			op->unwritten[k] = op->unwritten[--op->nunwritten];
		else
			k++;
	}
}

bool
op_applied(struct op *op, int32_t domid, int64_t target_kib, int rc)
{
	size_t	k;
	bool	news;

	for (k = 0; k < op->nunwritten && op->unwritten[k].domid != domid;
	    k++)
		;
	news = (rc < 0) == (k == op->nunwritten);
	if (rc == 0) {
		if (k < op->nunwritten)
			op->unwritten[k] = op->unwritten[--op->nunwritten];
		return news;
	}
	if (k == op->nunwritten && op_grow(&op->unwritten,
	    &op->capunwritten, k + 1, sizeof(*op->unwritten)) < 0)
		return news;	/* then it only looks like no progress later */
	if (k == op->nunwritten)
		op->nunwritten++;
	op->unwritten[k] = (struct op_unwritten){ domid, target_kib };
	if (news && op_grow(&op->blameless, &op->capblameless,
	    op->nblameless + 1, sizeof(*op->blameless)) == 0)
		op->blameless[op->nblameless++] = domid;
	return news;
}

static size_t
op_count_unsettled(const struct host_snapshot *s)
{
	size_t	i, n = 0;

	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon && !host_hit_target(
		    s->doms[i].inaccuracy_kib, s->doms[i].actual_kib,
		    s->doms[i].target_kib))
			n++;
	return n;
}

/* Start the engine on a view; the fast path may end it at once. */
static int
op_start_engine(struct op *op, const struct host_snapshot *s,
    uint64_t now_ms, struct op_result *r)
{
	const struct host_snapshot	*v;
	bool				 done;
	int				 rc;

	if ((rc = op_view(op, s, &v)) < 0 || (rc = op_hold(op)) < 0 ||
	    (rc = engine_begin(op->e, &op->goal, v, &done)) < 0)
		return rc;
	if (done)
		return op_succeed(op, s, r);
	op->running = true;
	return op_step(op, s, now_ms, r);
}

/* An engine outcome that ends the operation, or leads to stage 2. */
static int
op_engine_ended(struct op *op, const struct host_snapshot *s,
    uint64_t now_ms, const struct engine_result *er, struct op_result *r)
{
	op->final = er;
	if (er->outcome == ENGINE_SUCCESS || (er->outcome ==
	    ENGINE_CANNOT_FREE && op->req.kind == OP_BALANCE) ||
	    op->req.kind == OP_PREPARE)
		return op_succeed(op, s, r);	/* balance: all at max; a
					   prepare: is the domain there? */
	if (op->stage == 1 && !op->planned) {	/* the node's were not enough */
		op->stage = 2;
		op->final = NULL;	/* stage 2 decides again */
		op->running = false;
		return op_start_engine(op, s, now_ms, r);
	}
	op_amounts(op, s, r);
	r->needed_kib = er->needed_kib - op->offset_kib;
	r->free_kib = er->free_kib - op->offset_kib;
	if (er->outcome == ENGINE_CANNOT_FREE)
		return op_end(op, s, OP_CANNOT_FREE, r);
	if (op_ids(op, er->nrefused) < 0)
		return -ENOMEM;
	if (er->nrefused > 0)
		memcpy(op->ids, er->refused, er->nrefused * sizeof(*op->ids));
	r->domids = op->ids;
	r->ndomids = er->nrefused;
	return op_end(op, s, OP_REFUSED, r);
}

int
op_step(struct op *op, const struct host_snapshot *s, uint64_t now_ms,
    struct op_result *r)
{
	const struct host_snapshot	*v;
	struct engine_result		 er;
	int				 rc;

	if (op == NULL || s == NULL || r == NULL || !op->begun || op->ended ||
	    op->planned)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->held = op->held;
	r->nheld = op->nheld;
	r->ballooned = op->ballooned;
	op->nunsettled = op_count_unsettled(s);
	if (op->deadline_ms != 0 && now_ms >= op->deadline_ms)
		return op_late(op, s, r);
	op_forget_written(op, s);
	if ((rc = op_view(op, s, &v)) < 0 ||
	    (rc = engine_step(op->e, v, now_ms, &er)) < 0) {
		r->error = rc;
		return op_end(op, s, OP_ERROR, r);
	}
	if (er.outcome != ENGINE_RUNNING)
		return op_engine_ended(op, s, now_ms, &er, r);
	op_amounts(op, s, r);
	r->outcome = OP_RUNNING;
	return op_actions(op, s, &er, r);
}

/*
 * A request the host can never meet, even with every balloon that may give
 * at dynamic-min: cannot_free at once (squeezed would squeeze everyone and
 * fail the same way a minute later), or refused naming the held domains
 * when only they could have made the difference.
 */
static int
op_hopeless(struct op *op, const struct host_snapshot *s,
    struct op_result *r, bool *ret)
{
	size_t	i;

	*ret = false;
	if (op->req.kind == OP_FREE || op->req.kind == OP_BALANCE ||
	    op->req.kind == OP_PREPARE ||
	    op_most_free(op, s, false) >= op->goal.cond_kib)
		return 0;
	*ret = true;
	op->ended = true;
	op_amounts(op, s, r);
	r->needed_kib = op->goal.required_kib - op->offset_kib;
	if (op_most_free(op, s, true) < op->goal.cond_kib) {
		r->outcome = OP_CANNOT_FREE;
		return 0;
	}
	if (op_ids(op, op->nheld) < 0)
		return -ENOMEM;
	for (i = 0; i < op->nheld; i++)
		op->ids[i] = op->held[i].domid;
	r->domids = op->ids;
	r->ndomids = op->nheld;
	r->outcome = OP_REFUSED;
	return 0;
}

/* The effective deadline: the client's, within the upper bound. */
static void
op_deadline(struct op *op, uint64_t now_ms)
{
	uint64_t	bound;

	op->deadline_ms = op->req.deadline_ms;
	if (op->conf.op_timeout_ms == 0)
		return;
	bound = now_ms + op->conf.op_timeout_ms;
	if (op->deadline_ms == 0 || bound < op->deadline_ms)
		op->deadline_ms = bound;
}

/* A migrating domain: how far it must go, and whether it must move. */
static int
op_prepare_domain(struct op *op, const struct host_snapshot *s)
{
	const struct hv_domain	*d;
	long			 i;

	if ((i = host_find(s, op->req.domid)) < 0)
		return -ESRCH;
	d = &s->doms[i];
	op->start_actual_kib = d->actual_kib;
	op->needed_kib = d->actual_kib > op->req.pin_kib ?
	    d->actual_kib - op->req.pin_kib : 0;
	op->ballooned = d->target_kib != op->req.pin_kib || (d->can_balloon &&
	    d->actual_kib > op->req.pin_kib + d->inaccuracy_kib);
	return 0;
}

/* NUMA: stage 1 asks only the node's domains, if they alone could do it. */
static int
op_stage(struct op *op, const struct host_snapshot *s)
{
	const struct host_snapshot	*v;
	size_t				 i, n = 0;
	int				 rc;

	op->stage = 2;
	for (i = 0; op->req.node >= 0 && i < s->ndoms; i++)
		if (s->doms[i].can_balloon && op_on_node(op, s->doms[i].domid))
			n++;
	if (n == 0)
		return 0;
	op->stage = 1;
	if ((rc = op_view(op, s, &v)) < 0)
		return rc;
	if (op_most_free(op, v, false) < op->goal.cond_kib)
		op->stage = 2;		/* the node alone cannot: all at once */
	return 0;
}

/*
 * Everything op_begin() and op_plan() share, up to the engine's start.
 * *ret_over: the outcome is already in r.
 */
static int
op_prepare(struct op *op, const struct host_snapshot *s, uint64_t now_ms,
    struct op_result *r, bool *ret_over)
{
	int	rc;

	memset(r, 0, sizeof(*r));
	*ret_over = false;
	if ((rc = host_check(s)) < 0)
		return rc;
	op_round(op);
	if ((rc = op_goal(op, s)) < 0 ||
	    (rc = op_find_held(op, s, now_ms)) < 0)
		return rc;
	r->held = op->held;
	r->nheld = op->nheld;
	op->begun = true;
	op->start_ms = now_ms;
	op->start_free_kib = op->free_kib = s->free_kib;
	op->needed_kib = op->goal.required_kib > s->free_kib ?
	    op->goal.required_kib - s->free_kib : 0;
	op_deadline(op, now_ms);
	if (op->req.kind == OP_PREPARE &&
	    (rc = op_prepare_domain(op, s)) < 0)
		return rc;
	r->ballooned = op->ballooned;
	if ((rc = op_hopeless(op, s, r, ret_over)) < 0 || *ret_over)
		return rc;
	return op_stage(op, s);
}

int
op_begin(struct op *op, const struct host_snapshot *s, uint64_t now_ms,
    struct op_result *r)
{
	bool	over;
	int	rc;

	if (op == NULL || s == NULL || r == NULL || op->begun)
		return -EINVAL;
	if ((rc = op_prepare(op, s, now_ms, r, &over)) < 0) {
		memset(r, 0, sizeof(*r));
		r->error = rc;
		r->outcome = OP_ERROR;
		op->begun = op->ended = true;
		return 0;
	}
	if (over)
		return 0;
	if (op->req.kind == OP_PREPARE && !op->ballooned)
		return op_succeed(op, s, r);	/* no ballooning needed */
	return op_start_engine(op, s, now_ms, r);
}

int
op_cancel(struct op *op, const struct host_snapshot *s, struct op_result *r)
{
	if (op == NULL || s == NULL || r == NULL)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->error = -ECANCELED;
	r->outcome = OP_ERROR;
	if (!op->begun || op->ended || op->planned) {
		op->ended = true;
		return 0;
	}
	op_amounts(op, s, r);
	return op_end(op, s, OP_ERROR, r);
}

/* A prepare that needs no ballooning: nothing to do. */
static int
op_plan_success(struct op *op, const struct host_snapshot *s,
    struct op_result *r)
{
	return op_succeed(op, s, r);
}

int
op_plan(struct op *op, const struct host_snapshot *s, uint64_t now_ms,
    struct op_result *r)
{
	const struct host_snapshot	*v;
	struct engine_result		 er;
	bool				 over;
	int				 rc;

	if (op == NULL || s == NULL || r == NULL || op->begun)
		return -EINVAL;
	op->planned = true;
	if ((rc = op_prepare(op, s, now_ms, r, &over)) < 0 || over)
		return rc;
	if (op->req.kind == OP_PREPARE && !op->ballooned)
		return op_plan_success(op, s, r);
	for (;;) {
		if ((rc = op_view(op, s, &v)) < 0 || (rc = op_hold(op)) < 0 ||
		    (rc = engine_plan(op->e, &op->goal, v, now_ms, &er)) < 0)
			return rc;
		if (er.outcome == ENGINE_RUNNING || op->stage != 1 ||
		    er.outcome == ENGINE_SUCCESS)
			break;
		op->stage = 2;	/* what stage 2 would do next */
	}
	if (er.outcome == ENGINE_RUNNING) {
		op_amounts(op, s, r);
		r->outcome = OP_RUNNING;
		return op_actions(op, s, &er, r);
	}
	rc = op_engine_ended(op, s, now_ms, &er, r);
	r->allocating = er.allocating;
	r->targets = er.targets;
	r->ntargets = er.ntargets;
	return rc;
}

int
op_unbalanced(struct engine *e, const struct engine_conf *c,
    const struct host_snapshot *s, uint64_t now_ms, bool *ret)
{
	static const struct op_req	 req = { .kind = OP_BALANCE,
					    .node = -1 };
	struct op_result		 r;
	struct op			*op;
	int				 rc;

	if ((rc = op_new(e, c, &req, &op)) < 0)
		return rc;
	if ((rc = op_plan(op, s, now_ms, &r)) == 0)
		*ret = r.outcome == OP_RUNNING && r.nactions > 0;
	op_free(op);
	return rc;
}

void
op_progress(const struct op *op, struct op_progress *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (op == NULL || !op->begun)
		return;
	ret->running = !op->ended;
	ret->needed_kib = op->needed_kib;
	ret->freed_kib = op->free_kib - op->start_free_kib;
	if (ret->freed_kib < 0)
		ret->freed_kib = 0;
	if (ret->freed_kib > op->needed_kib)
		ret->freed_kib = op->needed_kib;
	ret->start_ms = op->start_ms;
	ret->deadline_ms = op->deadline_ms;
	ret->nunsettled = op->nunsettled;
}

const struct op_req *
op_request(const struct op *op)
{
	return &op->req;
}
