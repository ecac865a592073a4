/*
 * rpc_plan.c: what the balancer would do next, and from whom memory would
 * come, changing nothing (squeezed's dry run, the scenario's plan step).
 */
#include <json-c/json.h>

#include "engine.h"
#include "host.h"
#include "model.h"
#include "rpc.h"
#include "squeezerd.h"

static const char *
rpc_plan_outcome(enum engine_outcome o)
{
	switch (o) {
	case ENGINE_RUNNING:
		return "adjust";
	case ENGINE_SUCCESS:
		return "success";
	case ENGINE_CANNOT_FREE:
		return "cannot_free";
	case ENGINE_REFUSED:
		return "refused";
	}
	return "unknown";
}

static struct json_object *
rpc_plan_targets(const struct engine_action *a, size_t n)
{
	struct json_object	*arr = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "domid", json_object_new_int(
		    a[i].domid));
		json_object_object_add(o, "target-kib",
		    json_object_new_int64(a[i].target_kib));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Each action with the domain's memory now: negative deltas give. */
static struct json_object *
rpc_plan_actions(const struct host_snapshot *s, const struct engine_result *r)
{
	struct json_object	*arr = json_object_new_array(), *o;
	int64_t			 actual;
	long			 k;
	size_t			 i;

	for (i = 0; i < r->nactions; i++) {
		k = host_find(s, r->actions[i].domid);
		actual = k < 0 ? 0 : s->doms[k].actual_kib;
		o = json_object_new_object();
		json_object_object_add(o, "domid",
		    json_object_new_int(r->actions[i].domid));
		json_object_object_add(o, "actual-kib",
		    json_object_new_int64(actual));
		json_object_object_add(o, "target-kib",
		    json_object_new_int64(r->actions[i].target_kib));
		json_object_object_add(o, "delta-kib", json_object_new_int64(
		    r->actions[i].target_kib - actual));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
rpc_plan_json(const struct host_snapshot *s, const struct engine_goal *g,
    const struct engine_result *r)
{
	struct json_object	*o = json_object_new_object(), *a;
	size_t			 i;

	json_object_object_add(o, "outcome", json_object_new_string(
	    rpc_plan_outcome(r->outcome)));
	json_object_object_add(o, "phase", json_object_new_string(
	    r->allocating ? "allocating" : "freeing"));
	json_object_object_add(o, "required-kib",
	    json_object_new_int64(g->required_kib));
	json_object_object_add(o, "free-kib", json_object_new_int64(
	    s->free_kib));
	json_object_object_add(o, "targets", rpc_plan_targets(r->targets,
	    r->ntargets));
	json_object_object_add(o, "actions", rpc_plan_actions(s, r));
	if (r->outcome == ENGINE_REFUSED) {
		a = json_object_new_array();
		for (i = 0; i < r->nrefused; i++)
			json_object_array_add(a, json_object_new_int(
			    r->refused[i]));
		json_object_object_add(o, "domids", a);
	}
	return o;
}

static int
rpc_plan_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "kib", NULL };
	const struct host_snapshot	*s;
	struct engine_result		 r;
	struct engine_goal		 g;
	int64_t				 kib = 0;
	bool				 has_kib;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "kib", false, 0, HOST_MAX_KIB, &kib,
	    &has_kib) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	s = model_snapshot(bd->bd_model);
	g = has_kib ? engine_goal_free(&bd->bd_ec, kib) :
	    engine_goal_balance(&bd->bd_ec);
	if (engine_plan(bd->bd_engine, &g, s, daemon_now_ms(), &r) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot plan");
	*ret = rpc_plan_json(s, &g, &r);
	return 0;
}

const struct rpc_method rpc_plan_method = {
	.name	= "plan",
	.params	= "{; \"kib\": a reservation of this size}",
	.exec	= rpc_plan_exec,
};
