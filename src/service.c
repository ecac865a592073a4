/*
 * service.c: reservations and balancing as both dialects see them:
 * squeezed's memory_server.ml semantics, with the checks it lacked (an
 * unknown domain is refused, names are path components).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "backend.h"
#include "balancer.h"
#include "conf.h"
#include "log.h"
#include "model.h"
#include "resv.h"
#include "rpc.h"
#include "service.h"
#include "squeezerd.h"

#define SVC_BOOT_FREE_PATH	"/squeezed/boot-time-host-free-kib"

/* A reserve waiting in the balancer. */
struct svc_pending {
	struct bal_op		 op;
	struct squeezerd	*bd;
	struct rpc_req		*req;
	char			 id[RESV_NAME_MAX + 1];
	char			 session[RESV_NAME_MAX + 1];
	uint64_t		 ttl_ms;
	uint64_t		 arrived_ms;	/* squeezerd_reserve_seconds */
	int			 node;
	svc_resv_fmt		*rfmt;
	svc_bal_fmt		*bfmt;
};

static int
svc_check_name(struct rpc_req *req, const char *what, const char *s)
{
	if (resv_name_ok(s))
		return 0;
	snprintf(rpc_req_err(req)->param, sizeof(rpc_req_err(req)->param),
	    "%s", what);
	return rpc_fail(req, RPC_E_PARAMS, "%s must be 1 to %d printable "
	    "characters without '/' or spaces", what, RESV_NAME_MAX);
}

/* Copy a balancer failure into the request's error. */
static void
svc_bal_error(struct rpc_req *req, const struct bal_result *r)
{
	struct rpc_err	*e = rpc_req_err(req);
	size_t		 i;

	e->needed_kib = r->needed_kib;
	e->free_kib = r->free_kib;
	e->freed_kib = r->freed_kib;
	for (i = 0; i < r->ndomids && i < RPC_MAX_DOMIDS; i++)
		e->domids[i] = r->domids[i];
	e->ndomids = i;
	switch (r->outcome) {
	case BAL_CANNOT_FREE:
		(void)rpc_fail(req, RPC_E_CANNOT_FREE, "%" PRId64 " KiB "
		    "needed, %" PRId64 " KiB free beyond the host reserve",
		    r->needed_kib, r->free_kib);
		break;
	case BAL_REFUSED:
		(void)rpc_fail(req, RPC_E_REFUSED, "%zu domain(s) did not "
		    "give memory back", r->ndomids);
		break;
	case BAL_DEADLINE:
		(void)rpc_fail(req, RPC_E_DEADLINE, "deadline passed with %"
		    PRId64 " of %" PRId64 " KiB freed", r->freed_kib,
		    r->needed_kib);
		break;
	default:
		(void)rpc_fail(req, RPC_E_INTERNAL, "%s", strerror(-r->error));
		break;
	}
}

/* Write the reservation the balancer made room for. */
static int
svc_record(struct svc_pending *p, int64_t kib, struct resv *r)
{
	struct squeezerd	*bd = p->bd;
	int			 rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->session, sizeof(r->session), "%s", p->session);
	r->kib = kib;
	r->domid = -1;
	if (p->ttl_ms != 0)
		r->expires_ms = daemon_now_ms() + p->ttl_ms;
	snprintf(r->id, sizeof(r->id), "%s", p->id);
	if ((rc = resv_add(bd->bd_be, bd->bd_be_ctx, r)) < 0)
		return rc;
	bd->bd_stale = true;
	log_info("reservation %s: %" PRId64 " KiB for session %s", r->id, kib,
	    r->session);
	return 0;
}

/* The free memory of one NUMA node now, or -1. */
static int64_t
svc_node_free(struct squeezerd *bd, int node)
{
	struct backend_node	*v = NULL;
	size_t			 n = 0;
	int64_t			 kib = -1;

	if (bd->bd_be->numa == NULL) {
		if (node == 0)
			kib = model_stats(bd->bd_model)->physical_free_kib;
		return kib;
	}
	if (bd->bd_be->numa(bd->bd_be_ctx, &v, &n) == 0 && node >= 0 &&
	    (size_t)node < n)
		kib = v[node].free_kib;
	free(v);
	return kib;
}

/* A reserve for a node says how much is free on that node. */
static struct json_object *
svc_node_result(struct svc_pending *p, struct json_object *o)
{
	if (p->node < 0 || !json_object_is_type(o, json_type_object))
		return o;
	json_object_object_add(o, "node", json_object_new_int(p->node));
	json_object_object_add(o, "node-free-kib",
	    json_object_new_int64(svc_node_free(p->bd, p->node)));
	return o;
}

static void
svc_reserve_done(struct bal_op *op, const struct bal_result *br, void *arg)
{
	struct svc_pending	*p = arg;
	struct resv		 r;
	int			 rc;

	(void)op;
	metrics_reserve_observe(&p->bd->bd_metrics, daemon_now_ms() -
	    p->arrived_ms);
	if (br->outcome != BAL_SUCCESS) {
		svc_bal_error(p->req, br);
		rpc_req_failed(p->req);
	} else if ((rc = svc_record(p, br->obtained_kib, &r)) < 0) {
		(void)rpc_fail(p->req, RPC_E_INTERNAL, "cannot record the "
		    "reservation: %s", strerror(-rc));
		rpc_req_failed(p->req);
		bal_check_soon(p->bd);
	} else
		rpc_req_done(p->req, svc_node_result(p, p->rfmt(&r)));
	free(p);
}

/* The client went away: withdraw its operation. */
static void
svc_client_gone(struct rpc_req *req, void *arg)
{
	struct svc_pending	*p = arg;

	(void)req;
	log_info("%s: client went away, cancelled",
	    p->op.kind == BAL_BALANCE ? "balance" : "reserve");
	bal_cancel(p->bd, &p->op);
	free(p);
}

static struct svc_pending *
svc_pending_new(struct squeezerd *bd, struct rpc_req *req)
{
	struct svc_pending	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->bd = bd;
	p->req = req;
	p->op.arg = p;
	rpc_req_on_cancel(req, svc_client_gone, p);
	return p;
}

/* The pending reserve called id, or NULL. */
static struct svc_pending *
svc_pending_find(struct squeezerd *bd, const char *id)
{
	struct bal_op		*op;
	struct svc_pending	*p;

	TAILQ_FOREACH(op, &bd->bd_queue, entry) {
		if (op->done != svc_reserve_done)
			continue;
		p = op->arg;
		if (strcmp(p->id, id) == 0)
			return p;
	}
	return NULL;
}

/* A client's own id: a path component, not in use. */
static int
svc_check_new_id(struct squeezerd *bd, struct rpc_req *req, const char *id)
{
	const struct resv	*v;
	size_t			 n;

	if (svc_check_name(req, "id", id) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	v = model_resv(bd->bd_model, &n);
	if (resv_find(v, n, NULL, id) >= 0 || svc_pending_find(bd, id) != NULL) {
		snprintf(rpc_req_err(req)->param,
		    sizeof(rpc_req_err(req)->param), "id");
		return rpc_fail(req, RPC_E_PARAMS, "reservation %s exists", id);
	}
	return 0;
}

/* Sizes in whole granules (superpages), never above the range's max. */
static void
svc_round(const struct squeezerd *bd, struct svc_pending *p)
{
	int64_t	g = bd->bd_ec.granularity_kib;

	if (g <= 1)
		return;
	if (p->op.kind == BAL_FREE) {
		if (p->op.kib <= HOST_MAX_KIB - g)
			p->op.kib = (p->op.kib + g - 1) / g * g;
		return;
	}
	if ((p->op.min_kib + g - 1) / g * g <= p->op.max_kib)
		p->op.min_kib = (p->op.min_kib + g - 1) / g * g;
}

int
svc_reserve(struct squeezerd *bd, struct rpc_req *req,
    const struct svc_reserve_args *a, svc_resv_fmt *fmt)
{
	struct svc_pending	*p;
	int			 rc;

	if (svc_check_name(req, "session", a->session) < 0 ||
	    (a->id != NULL && svc_check_new_id(bd, req, a->id) < 0))
		return RPC_FAILED;
	if (a->node >= 0 && svc_node_free(bd, a->node) < 0) {
		snprintf(rpc_req_err(req)->param,
		    sizeof(rpc_req_err(req)->param), "node");
		return rpc_fail(req, RPC_E_PARAMS, "no NUMA node %d", a->node);
	}
	if ((p = svc_pending_new(bd, req)) == NULL)
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	if (a->id != NULL)
		snprintf(p->id, sizeof(p->id), "%s", a->id);
	else if ((rc = resv_uuid(p->id)) < 0) {
		free(p);
		return rpc_fail(req, RPC_E_INTERNAL, "no random id: %s",
		    strerror(-rc));
	}
	snprintf(p->session, sizeof(p->session), "%s", a->session);
	p->ttl_ms = a->ttl_ms;
	p->arrived_ms = daemon_now_ms();
	p->rfmt = fmt;
	p->op.kind = a->kind;
	p->op.aim_max = a->aim_max;
	p->op.node = p->node = a->node;
	p->op.kib = a->kib;
	p->op.min_kib = a->min_kib;
	p->op.max_kib = a->max_kib;
	p->op.deadline_ms = a->deadline_ms ? daemon_now_ms() +
	    a->deadline_ms : 0;
	p->op.done = svc_reserve_done;
	svc_round(bd, p);
	bal_submit(bd, &p->op);
	return RPC_PENDING;
}

int
svc_cancel(struct squeezerd *bd, struct rpc_req *req, const char *id)
{
	struct svc_pending	*p;

	if (svc_check_name(req, "id", id) < 0)
		return RPC_FAILED;
	if ((p = svc_pending_find(bd, id)) == NULL) {
		snprintf(rpc_req_err(req)->id, sizeof(rpc_req_err(req)->id),
		    "%s", id);
		return rpc_fail(req, RPC_E_UNKNOWN_RESV, "no pending "
		    "reservation %s (reservation.delete ends a made one)", id);
	}
	log_info("reserve %s: cancelled", id);
	bal_cancel(bd, &p->op);		/* puts the targets back */
	(void)rpc_fail(p->req, RPC_E_CANCELLED, "cancelled by "
	    "reservation.cancel");
	rpc_req_failed(p->req);
	free(p);
	return 0;
}

struct json_object *
svc_pending_list(struct squeezerd *bd)
{
	struct json_object	*a = json_object_new_array(), *o;
	struct svc_pending	*p;
	struct bal_op		*op;
	uint64_t		 now = daemon_now_ms();

	TAILQ_FOREACH(op, &bd->bd_queue, entry) {
		if (op->done != svc_reserve_done)
			continue;
		p = op->arg;
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(p->id));
		json_object_object_add(o, "session",
		    json_object_new_string(p->session));
		json_object_object_add(o, "kib", json_object_new_int64(
		    op->kind == BAL_FREE ? op->kib : op->min_kib));
		if (op->kind == BAL_RANGE)
			json_object_object_add(o, "max-kib",
			    json_object_new_int64(op->max_kib));
		json_object_object_add(o, "running",
		    json_object_new_boolean(op->running));
		if (op->running) {
			json_object_object_add(o, "needed-kib",
			    json_object_new_int64(op->goal.required_kib -
			    op->start_free_kib));
			json_object_object_add(o, "freed-kib",
			    json_object_new_int64(op->free_kib -
			    op->start_free_kib));
			json_object_object_add(o, "elapsed-ms",
			    json_object_new_int64((int64_t)(now -
			    op->start_ms)));
		}
		if (op->deadline_ms != 0)
			json_object_object_add(o, "deadline-in-ms",
			    json_object_new_int64(op->deadline_ms > now ?
			    (int64_t)(op->deadline_ms - now) : 0));
		json_object_array_add(a, o);
	}
	return a;
}

static void
svc_balance_done(struct bal_op *op, const struct bal_result *br, void *arg)
{
	struct svc_pending	*p = arg;

	(void)op;
	rpc_req_done(p->req, p->bfmt(br));
	free(p);
}

int
svc_balance(struct squeezerd *bd, struct rpc_req *req, svc_bal_fmt *fmt)
{
	struct svc_pending	*p;

	if ((p = svc_pending_new(bd, req)) == NULL)
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	p->bfmt = fmt;
	p->op.kind = BAL_BALANCE;
	p->op.node = -1;
	p->op.done = svc_balance_done;
	bal_submit(bd, &p->op);
	return RPC_PENDING;
}

/* The reservation called id (in session, unless NULL), refreshed. */
static int
svc_find(struct squeezerd *bd, struct rpc_req *req, const char *session,
    const char *id, struct resv *ret)
{
	const struct resv	*v;
	size_t			 n;
	long			 i;

	if ((session != NULL && svc_check_name(req, "session", session) < 0) ||
	    svc_check_name(req, "id", id) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	v = model_resv(bd->bd_model, &n);
	if ((i = resv_find(v, n, session, id)) < 0) {
		snprintf(rpc_req_err(req)->id, sizeof(rpc_req_err(req)->id),
		    "%s", id);
		return rpc_fail(req, RPC_E_UNKNOWN_RESV, "no reservation %s%s%s",
		    id, session ? " in session " : "", session ? session : "");
	}
	*ret = v[i];
	return 0;
}

int
svc_transfer(struct squeezerd *bd, struct rpc_req *req, const char *session,
    const char *id, int64_t domid, struct resv *ret)
{
	struct resv	r;
	int		rc;

	if (svc_find(bd, req, session, id, &r) < 0)
		return RPC_FAILED;
	if (domid < 0 || domid > HOST_MAX_DOMID ||
	    model_dom(bd->bd_model, (int32_t)domid) == NULL) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "no domain %" PRId64,
		    domid);
	}
	if (r.kib < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "reservation %s has no "
		    "readable size", id);
	if ((rc = resv_transfer(bd->bd_be, bd->bd_be_ctx, &r,
	    (int32_t)domid)) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot transfer: %s",
		    strerror(-rc));
	if ((rc = model_set_maxmem(bd->bd_model, (int32_t)domid, r.kib)) < 0)
		log_warnx("domain %" PRId64 ": cannot set maxmem to %" PRId64
		    " KiB: %s", domid, r.kib, strerror(-rc));
	/* hypervisor-enforced: nothing else can take it before the build */
	if (bd->bd_be->claim != NULL && (rc = bd->bd_be->claim(bd->bd_be_ctx,
	    (int32_t)domid, r.kib)) < 0)
		log_info("domain %" PRId64 ": no claim of %" PRId64 " KiB (%s); "
		    "the reservation still holds it", domid, r.kib,
		    strerror(-rc));
	r.domid = (int32_t)domid;
	log_info("reservation %s: %" PRId64 " KiB transferred to domain %"
	    PRId64, r.id, r.kib, domid);
	daemon_changed(bd);
	*ret = r;
	return 0;
}

int
svc_delete(struct squeezerd *bd, struct rpc_req *req, const char *session,
    const char *id, bool must_exist, struct resv *ret)
{
	struct resv	r;
	int		rc;

	if (svc_find(bd, req, session, id, &r) < 0) {
		if (must_exist || rpc_req_err(req)->kind != RPC_E_UNKNOWN_RESV)
			return RPC_FAILED;
		memset(ret, 0, sizeof(*ret));
		return 0;	/* squeezed: deleting nothing succeeds */
	}
	if ((rc = resv_remove(bd->bd_be, bd->bd_be_ctx, r.session, r.id)) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot delete: %s",
		    strerror(-rc));
	if (r.domid >= 0 && bd->bd_be->claim != NULL &&
	    model_dom(bd->bd_model, r.domid) != NULL)
		(void)bd->bd_be->claim(bd->bd_be_ctx, r.domid, 0); /* what's left */
	log_info("reservation %s: deleted (%" PRId64 " KiB)", r.id, r.kib);
	daemon_changed(bd);
	*ret = r;
	return 0;
}

int
svc_login(struct squeezerd *bd, struct rpc_req *req, const char *session,
    size_t *ret_dropped)
{
	const struct resv	*v;
	size_t			 n, i, dropped = 0;
	int			 rc;

	if (svc_check_name(req, "session", session) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	v = model_resv(bd->bd_model, &n);
	for (i = 0; i < n; i++)
		dropped += strcmp(v[i].session, session) == 0;
	if ((rc = resv_drop_session(bd->bd_be, bd->bd_be_ctx, session)) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot drop the "
		    "session's reservations: %s", strerror(-rc));
	if (dropped > 0) {
		log_info("login %s: %zu earlier reservation(s) dropped",
		    session, dropped);
		daemon_changed(bd);
	}
	*ret_dropped = dropped;
	return 0;
}

int
svc_query(struct squeezerd *bd, struct rpc_req *req, int64_t domid,
    char ret[RESV_NAME_MAX + 1])
{
	if (domid >= 0 && domid <= HOST_MAX_DOMID &&
	    resv_of_domain(bd->bd_be, bd->bd_be_ctx, (int32_t)domid, ret) == 0)
		return 0;
	rpc_req_err(req)->domid = (int32_t)domid;
	return rpc_fail(req, RPC_E_NO_RESV, "domain %" PRId64 " has no "
	    "reservation", domid);
}

/* A migrating domain, pinned at kib; how the prepare ended. */
struct svc_prep {
	struct svc_pending	 p;	/* first: the balance it waits on */
	int32_t			 domid;
	int64_t			 kib;
	int64_t			 start_actual_kib;
};

static struct json_object *
svc_prep_result(const struct hv_domain *d, bool ballooned)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "domid", json_object_new_int(d->domid));
	json_object_object_add(o, "target-kib",
	    json_object_new_int64(d->target_kib));
	json_object_object_add(o, "actual-kib",
	    json_object_new_int64(d->actual_kib));
	json_object_object_add(o, "ballooned",
	    json_object_new_boolean(ballooned));
	return o;
}

/* The snapshot's view of domid after a fresh read, or NULL. */
static const struct hv_domain *
svc_dom(struct squeezerd *bd, int32_t domid)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	long				 i = host_find(s, domid);

	return i < 0 ? NULL : &s->doms[i];
}

static void
svc_prep_done(struct bal_op *op, const struct bal_result *br, void *arg)
{
	struct svc_prep		*x = arg;
	struct squeezerd	*bd = x->p.bd;
	const struct hv_domain	*d;

	(void)op;
	(void)daemon_refresh(bd, true);
	d = svc_dom(bd, x->domid);
	if (d != NULL && host_hit_target(d->inaccuracy_kib, d->actual_kib,
	    x->kib) && br->outcome != BAL_DEADLINE) {
		log_info("domain %" PRId32 ": at %" PRId64 " KiB for its "
		    "migration", x->domid, x->kib);
		rpc_req_done(x->p.req, svc_prep_result(d, true));
	} else {
		struct bal_result r = *br;

		if (r.outcome == BAL_SUCCESS) {
			r.outcome = BAL_REFUSED;
			r.domids = &x->domid;
			r.ndomids = 1;
		}
		if (r.outcome == BAL_DEADLINE) {	/* the VM's own figures */
			r.needed_kib = x->start_actual_kib - x->kib;
			r.freed_kib = d != NULL ? x->start_actual_kib -
			    d->actual_kib : 0;
		}
		svc_bal_error(x->p.req, &r);
		(void)resv_pin_clear(bd->bd_be, bd->bd_be_ctx, x->domid);
		daemon_changed(bd);	/* unpinned: it may grow back */
		rpc_req_failed(x->p.req);
	}
	free(x);
}

/* The client went away: the migration did not start; unpin. */
static void
svc_prep_gone(struct rpc_req *req, void *arg)
{
	struct svc_prep	*x = arg;

	(void)req;
	bal_cancel(x->p.bd, &x->p.op);
	(void)resv_pin_clear(x->p.bd->bd_be, x->p.bd->bd_be_ctx, x->domid);
	daemon_changed(x->p.bd);
	free(x);
}

int
svc_migration_prepare(struct squeezerd *bd, struct rpc_req *req,
    int64_t domid, int64_t max_kib, uint64_t deadline_ms,
    struct json_object **ret)
{
	const struct hv_domain	*d;
	struct model_dom	*md;
	struct resv_pin		 pin;
	struct svc_prep		*x;
	int64_t			 kib;
	int			 rc;

	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if ((d = svc_dom(bd, (int32_t)domid)) == NULL) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "no domain %" PRId64,
		    domid);
	}
	md = model_dom(bd->bd_model, (int32_t)domid);
	kib = md->pin_kib >= 0 ? md->dyn_max_kib : d->target_kib;
	if (kib > max_kib)
		kib = max_kib;
	if (kib < md->dyn_min_kib) {
		snprintf(rpc_req_err(req)->param,
		    sizeof(rpc_req_err(req)->param), "max-kib");
		return rpc_fail(req, RPC_E_PARAMS, "max-kib %" PRId64 " is "
		    "below domain %" PRId64 "'s dynamic-min %" PRId64, max_kib,
		    domid, md->dyn_min_kib);
	}
	pin = (struct resv_pin){ (int32_t)domid, kib,
	    daemon_now_ms() + bd->bd_conf.migration_timeout_ms };
	if ((rc = resv_pin_set(bd->bd_be, bd->bd_be_ctx, &pin)) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot pin: %s",
		    strerror(-rc));
	bd->bd_stale = true;
	log_info("domain %" PRId64 ": migrating, pinned at %" PRId64 " KiB",
	    domid, kib);
	if (d->target_kib == kib && (d->actual_kib <= kib +
	    d->inaccuracy_kib || !d->can_balloon)) {
		*ret = svc_prep_result(d, false);
		return 0;	/* no ballooning: the destination has room */
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	x->p.bd = bd;
	x->p.req = req;
	x->p.op.arg = x;
	x->p.op.kind = BAL_BALANCE;	/* the pin moves its target */
	x->p.op.node = -1;
	x->p.op.deadline_ms = deadline_ms ? daemon_now_ms() + deadline_ms : 0;
	x->p.op.done = svc_prep_done;
	x->domid = (int32_t)domid;
	x->kib = kib;
	x->start_actual_kib = d->actual_kib;
	rpc_req_on_cancel(req, svc_prep_gone, x);
	bal_submit(bd, &x->p.op);
	return RPC_PENDING;
}

int
svc_migration_end(struct squeezerd *bd, struct rpc_req *req, int64_t domid,
    bool done)
{
	const struct resv_pin	*p;
	struct resv_pin		 pin;
	size_t			 n, i;
	int			 rc;

	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	p = model_pin_list(bd->bd_model, &n);
	for (i = 0; i < n && p[i].domid != domid; i++)
		;
	if (i == n) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "domain %" PRId64
		    " is not migrating", domid);
	}
	if (done) {	/* kept until the domain is gone: it must not regrow */
		pin = p[i];
		pin.expires_ms = 0;
		rc = resv_pin_set(bd->bd_be, bd->bd_be_ctx, &pin);
	} else
		rc = resv_pin_clear(bd->bd_be, bd->bd_be_ctx, (int32_t)domid);
	if (rc < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "%s", strerror(-rc));
	log_info("domain %" PRId64 ": migration %s", domid,
	    done ? "done" : "aborted, its range restored");
	daemon_changed(bd);
	return 0;
}

int64_t
svc_dom0_kib(struct squeezerd *bd)
{
	struct backend_dominfo	*di = NULL;
	FILE			*f;
	size_t			 n = 0;
	int64_t			 kib = 0;
	long long		 v;
	char			 line[128];

	if (bd->bd_be->domains(bd->bd_be_ctx, &di, &n) == 0 && n > 0 &&
	    di[0].domid == 0)
		kib = di[0].tot_kib;
	free(di);
	if (kib > 0 || (f = fopen("/proc/meminfo", "re")) == NULL)
		return kib;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemTotal: %lld kB", &v) == 1)
			kib = v;
	fclose(f);
	return kib;
}

int64_t
svc_boot_free_kib(struct squeezerd *bd)
{
	struct backend_physinfo	 pi;
	char			*v, val[32];
	int64_t			 kib;

	if (bd->bd_be->read(bd->bd_be_ctx, SVC_BOOT_FREE_PATH, &v) == 0) {
		if (conf_parse_int(v, HOST_MAX_KIB, &kib) < 0)
			kib = 0;
		free(v);
		return kib;
	}
	/* the first start since boot: dom0 unballooned, no guests yet */
	if (bd->bd_be->physinfo(bd->bd_be_ctx, &pi) < 0)
		return 0;
	kib = pi.free_kib + pi.scrub_kib + svc_dom0_kib(bd);
	snprintf(val, sizeof(val), "%" PRId64, kib);
	(void)bd->bd_be->write(bd->bd_be_ctx, SVC_BOOT_FREE_PATH, val);
	return kib;
}
