/*
 * rpc_reservation_pending.c: the operations waiting or running, in order
 * (a reserve waits behind every one before it, balances included), and
 * how far each is.
 */
#include <stdlib.h>

#include <json-c/json.h>

#include "rpc.h"
#include "svc.h"

static struct json_object *
rpc_pending_json(const struct svc_queued *q)
{
	struct json_object	*o = json_object_new_object();
	const struct op_req	*r = q->req;
	const struct op_progress *p = &q->progress;

	json_object_object_add(o, "what", json_object_new_string(q->what));
	if (q->id[0] != '\0') {
		json_object_object_add(o, "id", json_object_new_string(q->id));
		json_object_object_add(o, "session",
		    json_object_new_string(q->session));
	}
	if (r->kind == OP_RESERVE)
		json_object_object_add(o, "kib", json_object_new_int64(r->kib));
	else if (r->kind == OP_RANGE || r->kind == OP_MIGRATION_RESERVE) {
		json_object_object_add(o, "kib",
		    json_object_new_int64(r->min_kib));
		json_object_object_add(o, "max-kib",
		    json_object_new_int64(r->max_kib));
	} else if (r->kind == OP_PREPARE)
		json_object_object_add(o, "domid",
		    json_object_new_int(r->domid));
	json_object_object_add(o, "running",
	    json_object_new_boolean(p->running));
	json_object_object_add(o, "waited-ms",
	    json_object_new_int64((int64_t)q->waited_ms));
	if (p->running) {
		json_object_object_add(o, "needed-kib",
		    json_object_new_int64(p->needed_kib));
		json_object_object_add(o, "freed-kib",
		    json_object_new_int64(p->freed_kib));
		json_object_object_add(o, "unsettled",
		    json_object_new_int64((int64_t)p->nunsettled));
		json_object_object_add(o, "elapsed-ms",
		    json_object_new_int64((int64_t)q->elapsed_ms));
	}
	if (q->deadline_in_ms >= 0)
		json_object_object_add(o, "deadline-in-ms",
		    json_object_new_int64(q->deadline_in_ms));
	return o;
}

static int
rpc_reservation_pending_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const none[] = { NULL };
	struct svc_queued	*v;
	size_t			 i, n;

	if (rpc_params_only(req, params, none) < 0)
		return RPC_FAILED;
	if (svc_queue(bd, &v, &n) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	*ret = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(*ret, rpc_pending_json(&v[i]));
	free(v);
	return 0;
}

const struct rpc_method rpc_reservation_pending_method = {
	.name	= "reservation.pending",
	.params	= "{}",
	.exec	= rpc_reservation_pending_exec,
};
