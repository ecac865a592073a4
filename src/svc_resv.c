/*
 * svc_resv.c: reservations as both dialects see them: squeezed's
 * memory_server.ml semantics, with the checks it lacked (names xenstore
 * takes, an unknown or booted domain refused for a transfer, answers from
 * live reservations only).  The daemon's record of reservations lives in
 * the model (model_resv_*), which changes the store first.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "balancer.h"
#include "conf.h"
#include "log.h"
#include "model.h"
#include "resv.h"
#include "rpc.h"
#include "squeezerd.h"
#include "svc.h"

/* A reserve waiting in the balancer for its client. */
struct svc_resv_pending {
	struct squeezerd	*bd;
	struct rpc_req		*req;
	struct bal_op		*bop;
	char			 id[RESV_NAME_MAX + 1];
	char			 session[RESV_NAME_MAX + 1];
	uint64_t		 ttl_ms;
	uint64_t		 arrived_ms;	/* squeezerd_reserve_seconds */
	int			 node;
	svc_resv_fmt		*fmt;
};

/* The free memory of one NUMA node now, or -1. */
static int64_t
svc_resv_node_free(struct squeezerd *bd, int node)
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

/* Record the reservation the balancer made room for. */
static int
svc_resv_record(struct svc_resv_pending *p, int64_t kib,
    struct svc_reserved *ret)
{
	struct squeezerd	*bd = p->bd;
	struct resv		*r = &ret->r;
	int			 rc;

	memset(ret, 0, sizeof(*ret));
	snprintf(r->session, sizeof(r->session), "%s", p->session);
	snprintf(r->id, sizeof(r->id), "%s", p->id);
	r->kib = kib;
	r->domid = -1;
	if (p->ttl_ms != 0)
		r->expires_ms = daemon_now_ms() + p->ttl_ms;
	if ((rc = model_resv_add(bd->bd_model, r)) < 0)
		return rc;
	log_info("reservation %s: %" PRId64 " KiB for session %s", r->id, kib,
	    r->session);
	ret->node = p->node;
	ret->node_free_kib = p->node >= 0 ? svc_resv_node_free(bd, p->node) :
	    -1;
	return 0;
}

static void
svc_resv_done(struct bal_op *bop, const struct op_result *r, void *arg)
{
	struct svc_resv_pending	*p = arg;
	struct svc_reserved	 made;
	int			 rc;

	(void)bop;
	metrics_reserve_observe(&p->bd->bd_metrics, daemon_now_ms() -
	    p->arrived_ms);
	if (r->outcome != OP_SUCCESS) {
		svc_op_error(p->req, r);
		rpc_req_failed(p->req);
	} else if ((rc = svc_resv_record(p, r->obtained_kib, &made)) < 0) {
		/* nothing recorded, nothing counted: give the memory back */
		(void)rpc_fail(p->req, RPC_E_INTERNAL, "cannot record the "
		    "reservation: %s", strerror(-rc));
		rpc_req_failed(p->req);
		daemon_changed(p->bd);
	} else
		rpc_req_done(p->req, p->fmt(&made));
	free(p);
}

/* The client went away: withdraw its reserve (its targets go back). */
static void
svc_resv_gone(struct rpc_req *req, void *arg)
{
	struct svc_resv_pending	*p = arg;

	(void)req;
	log_info("reserve %s: client went away, cancelled", p->id);
	bal_cancel(p->bd->bd_bal, p->bop);
	free(p);
}

/* The pending reserve called id, or NULL. */
static struct svc_resv_pending *
svc_resv_pending_find(struct squeezerd *bd, const char *id)
{
	struct bal_op	*bop = bal_find(bd->bd_bal, id);

	return bop != NULL ? bal_op_arg(bop) : NULL;
}

const char *
svc_resv_pending_session(struct squeezerd *bd, const char *id)
{
	struct svc_resv_pending	*p = svc_resv_pending_find(bd, id);

	return p != NULL ? p->session : NULL;
}

/* A client's own id: a name, not in use. */
static int
svc_resv_check_new_id(struct squeezerd *bd, struct rpc_req *req,
    const char *id)
{
	if (svc_check_name(req, "id", id) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if (model_resv_find(bd->bd_model, NULL, id) != NULL ||
	    svc_resv_pending_find(bd, id) != NULL)
		return rpc_fail_param(req, "id", "reservation %s exists", id);
	return 0;
}

/* Everything a reserve's arguments must be before anything happens. */
static int
svc_resv_check(struct squeezerd *bd, struct rpc_req *req,
    const struct svc_reserve_args *a)
{
	if (svc_check_name(req, "session", a->session) < 0 ||
	    (a->id != NULL && svc_resv_check_new_id(bd, req, a->id) < 0))
		return RPC_FAILED;
	if (a->node >= 0 && svc_resv_node_free(bd, a->node) < 0)
		return rpc_fail_param(req, "node", "no NUMA node %d", a->node);
	return 0;
}

int
svc_resv_reserve(struct squeezerd *bd, struct rpc_req *req,
    const struct svc_reserve_args *a, svc_resv_fmt *fmt)
{
	struct svc_resv_pending	*p;
	struct op_req		 oreq;
	int			 rc;

	if (svc_resv_check(bd, req, a) < 0)
		return RPC_FAILED;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	if (a->id != NULL)
		snprintf(p->id, sizeof(p->id), "%s", a->id);
	else if ((rc = resv_uuid(p->id)) < 0) {
		free(p);
		return rpc_fail(req, RPC_E_INTERNAL, "no random id: %s",
		    strerror(-rc));
	}
	memset(&oreq, 0, sizeof(oreq));
	oreq.kind = a->kind;
	oreq.kib = a->kib;
	oreq.min_kib = a->min_kib;
	oreq.max_kib = a->max_kib;
	oreq.node = a->node;
	oreq.deadline_ms = a->deadline_ms ? daemon_now_ms() + a->deadline_ms :
	    0;
	if ((p->bop = bal_op_new(&oreq, p->id, "reserve", NULL,
	    svc_resv_done, p)) == NULL) {
		free(p);
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	}
	p->bd = bd;
	p->req = req;
	snprintf(p->session, sizeof(p->session), "%s", a->session);
	p->ttl_ms = a->ttl_ms;
	p->arrived_ms = daemon_now_ms();
	p->node = a->node;
	p->fmt = fmt;
	rpc_req_on_cancel(req, svc_resv_gone, p);
	bal_submit(bd->bd_bal, p->bop);
	return RPC_PENDING;
}

int
svc_resv_cancel(struct squeezerd *bd, struct rpc_req *req, const char *id)
{
	struct svc_resv_pending	*p;

	if (svc_check_name(req, "id", id) < 0)
		return RPC_FAILED;
	if ((p = svc_resv_pending_find(bd, id)) == NULL) {
		snprintf(rpc_req_err(req)->id, sizeof(rpc_req_err(req)->id),
		    "%s", id);
		return rpc_fail(req, RPC_E_UNKNOWN_RESV, "no pending "
		    "reservation %s (reservation.delete ends a made one)", id);
	}
	log_info("reserve %s: cancelled", id);
	bal_cancel(bd->bd_bal, p->bop);		/* puts the targets back */
	(void)rpc_fail(p->req, RPC_E_CANCELLED, "cancelled by "
	    "reservation.cancel");
	rpc_req_on_cancel(p->req, NULL, NULL);
	rpc_req_failed(p->req);
	free(p);
	return 0;
}

/* The reservation called id (in session, unless NULL). */
static int
svc_resv_find(struct squeezerd *bd, struct rpc_req *req, const char *session,
    const char *id, struct resv *ret)
{
	const struct resv	*r;

	if ((session != NULL && svc_check_name(req, "session", session) < 0) ||
	    svc_check_name(req, "id", id) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if ((r = model_resv_find(bd->bd_model, session, id)) == NULL) {
		snprintf(rpc_req_err(req)->id, sizeof(rpc_req_err(req)->id),
		    "%s", id);
		return rpc_fail(req, RPC_E_UNKNOWN_RESV, "no reservation %s%s%s",
		    id, session ? " in session " : "", session ? session : "");
	}
	*ret = *r;
	return 0;
}

/*
 * A transfer goes to a domain that exists and has not booted: a booted
 * domain is counted by what it has, so the reservation would stop counting
 * while its memory went to nobody.
 */
static int
svc_resv_target(struct squeezerd *bd, struct rpc_req *req, int64_t domid)
{
	struct model_dom	*md;

	md = domid >= 0 && domid <= HOST_MAX_DOMID ?
	    model_dom(bd->bd_model, (int32_t)domid) : NULL;
	if (md == NULL) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "no domain %" PRId64,
		    domid);
	}
	if (md->booted)
		return rpc_fail_param(req, "domid", "domain %" PRId64 " has "
		    "booted: a reservation goes to a domain being built",
		    domid);
	return 0;
}

int
svc_resv_transfer(struct squeezerd *bd, struct rpc_req *req,
    const char *session, const char *id, int64_t domid, struct resv *ret)
{
	struct resv	r;
	int		rc;

	if (svc_resv_find(bd, req, session, id, &r) < 0 ||
	    svc_resv_target(bd, req, domid) < 0)
		return RPC_FAILED;
	if (r.kib < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "reservation %s has no "
		    "readable size", id);
	if ((rc = model_resv_transfer(bd->bd_model, r.session, r.id,
	    (int32_t)domid)) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot transfer: %s",
		    strerror(-rc));
	if (r.domid >= 0 && r.domid != domid && bd->bd_be->claim != NULL &&
	    model_dom(bd->bd_model, r.domid) != NULL)
		(void)bd->bd_be->claim(bd->bd_be_ctx, r.domid, 0);
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
svc_resv_delete(struct squeezerd *bd, struct rpc_req *req,
    const char *session, const char *id, bool must_exist, struct resv *ret)
{
	struct resv	r;
	int		rc;

	if (svc_resv_find(bd, req, session, id, &r) < 0) {
		if (must_exist || rpc_req_err(req)->kind != RPC_E_UNKNOWN_RESV)
			return RPC_FAILED;
		memset(ret, 0, sizeof(*ret));
		return 0;	/* squeezed: deleting nothing succeeds */
	}
	if ((rc = model_resv_remove(bd->bd_model, r.session, r.id)) < 0)
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
svc_resv_login(struct squeezerd *bd, struct rpc_req *req, const char *session,
    size_t *ret_dropped)
{
	size_t	dropped = 0;
	int	rc;

	if (svc_check_name(req, "session", session) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	rc = model_resv_drop_session(bd->bd_model, session, &dropped);
	if (dropped > 0) {
		log_info("login %s: %zu earlier reservation(s) dropped",
		    session, dropped);
		daemon_changed(bd);
	}
	if (rc < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot drop the "
		    "session's reservations: %s", strerror(-rc));
	*ret_dropped = dropped;
	return 0;
}

int
svc_resv_query(struct squeezerd *bd, struct rpc_req *req, int64_t domid,
    char ret[RESV_NAME_MAX + 1])
{
	const struct resv	*r = NULL;

	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if (domid >= 0 && domid <= HOST_MAX_DOMID)
		r = model_resv_of_domain(bd->bd_model, (int32_t)domid);
	if (r != NULL) {
		snprintf(ret, RESV_NAME_MAX + 1, "%s", r->id);
		return 0;
	}
	rpc_req_err(req)->domid = (int32_t)domid;
	return rpc_fail(req, RPC_E_NO_RESV, "domain %" PRId64 " has no "
	    "reservation", domid);
}
