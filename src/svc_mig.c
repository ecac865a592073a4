/*
 * svc_mig.c: live migration without needless ballooning, the source side:
 * a domain leaving is pinned (its range is one value to every policy) at
 * what the destination got, ballooned down only if it has more, and kept
 * there until the migration ends.  The pin is set when the operation's turn
 * comes, so it never catches another operation's passing target.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balancer.h"
#include "host.h"
#include "log.h"
#include "model.h"
#include "resv.h"
#include "rpc.h"
#include "squeezerd.h"
#include "svc.h"

/* A migrating domain's prepare, waiting for its turn or its balloon. */
struct svc_mig {
	struct squeezerd	*bd;
	struct rpc_req		*req;
	struct bal_op		*bop;
	int32_t			 domid;
	int64_t			 max_kib;
	bool			 pinned;
	bool			 refused;	/* the request's error is set */
	svc_prep_fmt		*fmt;
};

/* Its turn: pin at min(target, max-kib), never below dynamic-min. */
static int
svc_mig_start(struct bal_op *bop, struct op_req *req, void *arg)
{
	struct svc_mig		*x = arg;
	struct squeezerd	*bd = x->bd;
	const struct host_snapshot *s = model_snapshot(bd->bd_model);
	struct model_dom	*md = model_dom(bd->bd_model, x->domid);
	struct resv_pin		 pin;
	int64_t			 kib;
	long			 i;
	int			 rc;

	(void)bop;
	if (md == NULL || (i = host_find(s, x->domid)) < 0) {
		x->refused = true;
		rpc_req_err(x->req)->domid = x->domid;
		(void)rpc_fail(x->req, RPC_E_UNKNOWN_DOMAIN, "no domain %"
		    PRId32, x->domid);
		return -ESRCH;
	}
	kib = md->pin_kib >= 0 ? md->dyn_max_kib : s->doms[i].target_kib;
	if (kib > x->max_kib)
		kib = x->max_kib;
	if (kib < md->dyn_min_kib) {
		x->refused = true;
		(void)rpc_fail_param(x->req, "max-kib", "max-kib %" PRId64
		    " is below domain %" PRId32 "'s dynamic-min %" PRId64,
		    x->max_kib, x->domid, md->dyn_min_kib);
		return -EINVAL;
	}
	pin = (struct resv_pin){ x->domid, kib,
	    daemon_now_ms() + bd->bd_conf.migration_timeout_ms };
	if ((rc = model_pin_set(bd->bd_model, &pin)) < 0)
		return rc;
	x->pinned = true;
	log_info("domain %" PRId32 ": migrating, pinned at %" PRId64 " KiB",
	    x->domid, kib);
	req->pin_kib = kib;
	return 0;
}

static void
svc_mig_done(struct bal_op *bop, const struct op_result *r, void *arg)
{
	struct svc_mig		*x = arg;
	struct squeezerd	*bd = x->bd;
	struct svc_prepared	 p = { .domid = x->domid };
	const struct host_snapshot *s;
	long			 i;

	(void)bop;
	if (r->outcome == OP_SUCCESS) {
		(void)daemon_refresh(bd, false);
		s = model_snapshot(bd->bd_model);
		if ((i = host_find(s, x->domid)) >= 0) {
			p.target_kib = s->doms[i].target_kib;
			p.actual_kib = s->doms[i].actual_kib;
		}
		p.ballooned = r->ballooned;
		log_info("domain %" PRId32 ": at %" PRId64 " KiB for its "
		    "migration", x->domid, p.target_kib);
		rpc_req_done(x->req, x->fmt(&p));
		free(x);
		return;
	}
	if (!x->refused)
		svc_op_error(x->req, r);
	if (x->pinned) {	/* not leaving after all: it may grow back */
		(void)model_pin_clear(bd->bd_model, x->domid);
		daemon_changed(bd);
	}
	rpc_req_failed(x->req);
	free(x);
}

/* The client went away: the migration did not start; unpin. */
static void
svc_mig_gone(struct rpc_req *req, void *arg)
{
	struct svc_mig	*x = arg;

	(void)req;
	bal_cancel(x->bd->bd_bal, x->bop);
	if (x->pinned) {
		(void)model_pin_clear(x->bd->bd_model, x->domid);
		daemon_changed(x->bd);
	}
	free(x);
}

int
svc_mig_prepare(struct squeezerd *bd, struct rpc_req *req, int64_t domid,
    int64_t max_kib, uint64_t deadline_ms, svc_prep_fmt *fmt)
{
	struct op_req	 oreq = { .kind = OP_PREPARE, .node = -1 };
	struct svc_mig	*x;

	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if (host_find(model_snapshot(bd->bd_model), (int32_t)domid) < 0) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "no domain %" PRId64,
		    domid);
	}
	oreq.domid = (int32_t)domid;
	oreq.deadline_ms = deadline_ms ? daemon_now_ms() + deadline_ms : 0;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->bop = bal_op_new(&oreq, NULL, "migration.prepare",
	    svc_mig_start, svc_mig_done, x)) == NULL) {
		free(x);
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	}
	x->bd = bd;
	x->req = req;
	x->domid = (int32_t)domid;
	x->max_kib = max_kib;
	x->fmt = fmt;
	rpc_req_on_cancel(req, svc_mig_gone, x);
	bal_submit(bd->bd_bal, x->bop);
	return RPC_PENDING;
}

int
svc_mig_end(struct squeezerd *bd, struct rpc_req *req, int64_t domid,
    bool done)
{
	const struct resv_pin	*p;
	struct resv_pin		 pin;
	int			 rc;

	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if ((p = model_pin_find(bd->bd_model, (int32_t)domid)) == NULL) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "domain %" PRId64
		    " is not migrating", domid);
	}
	if (done) {	/* kept until the domain is gone: it must not regrow */
		pin = *p;
		pin.expires_ms = 0;
		rc = model_pin_set(bd->bd_model, &pin);
	} else
		rc = model_pin_clear(bd->bd_model, (int32_t)domid);
	if (rc < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "%s", strerror(-rc));
	log_info("domain %" PRId64 ": migration %s", domid,
	    done ? "done" : "aborted, its range restored");
	daemon_changed(bd);
	return 0;
}
