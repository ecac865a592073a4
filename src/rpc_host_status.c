/* rpc_host_status.c: host.status, the host's memory in one object. */
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

/* What the balloons could give back: everything above dynamic-min. */
static int64_t
rpc_reclaimable(const struct host_snapshot *s)
{
	int64_t	sum = 0;
	size_t	i;

	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon &&
		    s->doms[i].actual_kib > s->doms[i].dyn_min_kib)
			sum += s->doms[i].actual_kib - s->doms[i].dyn_min_kib;
	return sum;
}

static int
rpc_host_status_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const none[] = { NULL };
	const struct host_snapshot	*s;
	const struct model_stats	*st;
	struct json_object		*o;

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
	rpc_add_kib(o, "reclaimable-kib", rpc_reclaimable(s));
	rpc_add_kib(o, "host-reserve-kib", bd->bd_ec.host_reserve_kib);
	json_object_object_add(o, "domains",
	    json_object_new_int64((int64_t)s->ndoms));
	json_object_object_add(o, "reservations",
	    json_object_new_int64((int64_t)st->nresv));
	json_object_object_add(o, "pending",
	    json_object_new_int64((int64_t)bal_pending(bd)));
	json_object_object_add(o, "busy",
	    json_object_new_boolean(bd->bd_running != NULL));
	json_object_object_add(o, "policy",
	    json_object_new_string(bd->bd_ec.policy->name));
	json_object_object_add(o, "backend",
	    json_object_new_string(bd->bd_be->name));
	*ret = o;
	return 0;
}

const struct rpc_method rpc_host_status_method = {
	.name	= "host.status",
	.params	= "{}",
	.exec	= rpc_host_status_exec,
};
