/* rpc_host_status.c: host.status, the host's memory in one object. */
#include <stdlib.h>

#include <json-c/json.h>

#include "backend.h"
#include "balancer.h"
#include "model.h"
#include "policy.h"
#include "rpc.h"
#include "squeezerd.h"

static void
rpc_add_kib(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* Per NUMA node figures, when the backend knows them. */
static void
rpc_nodes(struct squeezerd *bd, struct json_object *o)
{
	struct backend_node	*v = NULL;
	struct json_object	*a, *n;
	size_t			 nn = 0, i;

	if (bd->bd_be->numa == NULL ||
	    bd->bd_be->numa(bd->bd_be_ctx, &v, &nn) < 0)
		return;
	a = json_object_new_array();
	for (i = 0; i < nn; i++) {
		n = json_object_new_object();
		json_object_object_add(n, "node", json_object_new_int((int)i));
		rpc_add_kib(n, "total-kib", v[i].total_kib);
		rpc_add_kib(n, "free-kib", v[i].free_kib);
		json_object_array_add(a, n);
	}
	json_object_object_add(o, "nodes", a);
	free(v);
}

static int
rpc_host_status_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const none[] = { NULL };
	const struct host_snapshot	*s;
	const struct model_stats	*st;
	struct json_object		*o, *a;

	if (rpc_params_only(req, params, none) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	s = model_snapshot(bd->bd_model);
	st = model_stats(bd->bd_model);
	o = json_object_new_object();
	rpc_add_kib(o, "total-kib", st->total_kib);
	rpc_add_kib(o, "free-kib", s->free_kib);
	rpc_add_kib(o, "physical-free-kib", st->physical_free_kib);
	rpc_add_kib(o, "reserved-kib", st->reserved_kib + st->unbooted_kib);
	rpc_add_kib(o, "reclaimable-kib", host_reclaimable(s));
	rpc_add_kib(o, "host-reserve-kib", bd->bd_ec.host_reserve_kib);
	json_object_object_add(o, "domains",
	    json_object_new_int64((int64_t)s->ndoms));
	json_object_object_add(o, "reservations",
	    json_object_new_int64((int64_t)st->nresv));
	json_object_object_add(o, "pending",
	    json_object_new_int64((int64_t)bal_pending(bd->bd_bal)));
	json_object_object_add(o, "busy",
	    json_object_new_boolean(!bal_idle(bd->bd_bal)));
	json_object_object_add(o, "policy",
	    json_object_new_string(bd->bd_ec.policy->name));
	json_object_object_add(o, "backend",
	    json_object_new_string(bd->bd_be->name));
	json_object_object_add(o, "warnings", a = json_object_new_array());
	if (bd->bd_warning[0] != '\0')
		json_object_array_add(a, json_object_new_string(
		    bd->bd_warning));
	rpc_nodes(bd, o);
	*ret = o;
	return 0;
}

const struct rpc_method rpc_host_status_method = {
	.name	= "host.status",
	.params	= "{}",
	.exec	= rpc_host_status_exec,
};
