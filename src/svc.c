/*
 * svc.c: what the service functions share (names, errors, the queue as
 * reservation.pending shows it), and balancing on request.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balancer.h"
#include "log.h"
#include "rpc.h"
#include "squeezerd.h"
#include "svc.h"

int
svc_check_name(struct rpc_req *req, const char *what, const char *s)
{
	if (resv_name_ok(s))
		return 0;
	return rpc_fail_param(req, what, "%s must be 1 to %d characters of "
	    "A-Z a-z 0-9 - _ @ (what xenstore takes in a name)", what,
	    RESV_NAME_MAX);
}

void
svc_op_error(struct rpc_req *req, const struct op_result *r)
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
	case OP_CANNOT_FREE:
		(void)rpc_fail(req, RPC_E_CANNOT_FREE, "%" PRId64 " KiB "
		    "needed, %" PRId64 " KiB free beyond the host reserve",
		    r->needed_kib, r->free_kib);
		break;
	case OP_REFUSED:
		(void)rpc_fail(req, RPC_E_REFUSED, "%zu domain(s) did not "
		    "give memory back", r->ndomids);
		break;
	case OP_DEADLINE:
		(void)rpc_fail(req, RPC_E_DEADLINE, "deadline passed with %"
		    PRId64 " of %" PRId64 " KiB freed", r->freed_kib,
		    r->needed_kib);
		break;
	default:
		if (r->error == -ECANCELED)
			(void)rpc_fail(req, RPC_E_CANCELLED, "cancelled");
		else
			(void)rpc_fail(req, RPC_E_INTERNAL, "%s",
			    strerror(-r->error));
		break;
	}
}

/* A balance asked for by a client. */
struct svc_balancing {
	struct squeezerd	*bd;
	struct rpc_req		*req;
	struct bal_op		*bop;
	svc_bal_fmt		*fmt;
};

static void
svc_balance_done(struct bal_op *bop, const struct op_result *r, void *arg)
{
	struct svc_balancing	*b = arg;

	(void)bop;
	rpc_req_on_cancel(b->req, NULL, NULL);
	rpc_req_done(b->req, b->fmt(r));
	free(b);
}

/* The client went away: withdraw its balance. */
static void
svc_balance_gone(struct rpc_req *req, void *arg)
{
	struct svc_balancing	*b = arg;

	(void)req;
	log_info("balance: client went away, cancelled");
	bal_cancel(b->bd->bd_bal, b->bop);
	free(b);
}

int
svc_balance(struct squeezerd *bd, struct rpc_req *req, svc_bal_fmt *fmt)
{
	static const struct op_req	 oreq = { .kind = OP_BALANCE,
					    .node = -1 };
	struct svc_balancing		*b;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->bop = bal_op_new(&oreq, NULL, "balance", NULL,
	    svc_balance_done, b)) == NULL) {
		free(b);
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	}
	b->bd = bd;
	b->req = req;
	b->fmt = fmt;
	rpc_req_on_cancel(req, svc_balance_gone, b);
	bal_submit(bd->bd_bal, b->bop);
	return RPC_PENDING;
}

int
svc_queue(struct squeezerd *bd, struct svc_queued **ret, size_t *ret_n)
{
	struct svc_queued	*v;
	struct bal_op		*bop;
	const char		*session;
	uint64_t		 now = daemon_now_ms(), dl;
	size_t			 n = 0;

	if ((v = calloc(bal_pending(bd->bd_bal) + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (bop = bal_first(bd->bd_bal); bop != NULL; bop = bal_next(bop)) {
		v[n].what = bal_op_what(bop);
		v[n].id = bal_op_label(bop);
		session = v[n].id[0] != '\0' ?
		    svc_resv_pending_session(bd, v[n].id) : NULL;
		v[n].session = session != NULL ? session : "";
		v[n].req = bal_op_req(bop);
		bal_op_progress(bop, &v[n].progress);
		v[n].waited_ms = now - bal_op_queued_ms(bop);
		if (v[n].progress.running)
			v[n].elapsed_ms = now - v[n].progress.start_ms;
		dl = v[n].progress.deadline_ms != 0 ?
		    v[n].progress.deadline_ms : v[n].req->deadline_ms;
		v[n].deadline_in_ms = dl == 0 ? -1 : dl > now ?
		    (int64_t)(dl - now) : 0;
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
