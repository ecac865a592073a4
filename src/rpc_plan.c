/*
 * rpc_plan.c: what a reserve of kib (or a balance) would do, changing
 * nothing: the first step of the very operation reserve would run (op.c),
 * with from whom the memory would come and who is left out.
 */
#include <stdlib.h>

#include <json-c/json.h>

#include "engine.h"
#include "host.h"
#include "model.h"
#include "op.h"
#include "rpc.h"
#include "squeezerd.h"

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
rpc_plan_actions(const struct host_snapshot *s, const struct op_result *r)
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
rpc_plan_held(const struct op_result *r)
{
	struct json_object	*arr = json_object_new_array(), *o;
	size_t			 i;

	for (i = 0; i < r->nheld; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "domid",
		    json_object_new_int(r->held[i].domid));
		json_object_object_add(o, "why",
		    json_object_new_string(r->held[i].why));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
rpc_plan_json(const struct host_snapshot *s, const struct op_result *r)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "outcome", json_object_new_string(
	    r->outcome == OP_RUNNING ? "adjust" :
	    op_outcome_name(r->outcome)));
	json_object_object_add(o, "phase", json_object_new_string(
	    r->allocating ? "allocating" : "freeing"));
	json_object_object_add(o, "required-kib",
	    json_object_new_int64(r->required_kib));
	json_object_object_add(o, "free-kib", json_object_new_int64(
	    s->free_kib));
	json_object_object_add(o, "needed-kib",
	    json_object_new_int64(r->needed_kib));
	json_object_object_add(o, "targets", rpc_plan_targets(r->targets,
	    r->ntargets));
	json_object_object_add(o, "actions", rpc_plan_actions(s, r));
	json_object_object_add(o, "held", rpc_plan_held(r));
	if (r->outcome == OP_REFUSED)
		json_object_object_add(o, "domids",
		    rpc_shape_domids(r->domids, r->ndomids));
	return o;
}

static int
rpc_plan_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "kib", NULL };
	const struct host_snapshot	*s;
	struct op_result		 r;
	struct op_req			 oreq = { .kind = OP_BALANCE,
					    .node = -1 };
	struct op			*op;
	bool				 has_kib;
	int				 rc;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "kib", false, 0, HOST_MAX_KIB,
	    &oreq.kib, &has_kib) < 0)
		return RPC_FAILED;
	if (has_kib)
		oreq.kind = OP_RESERVE;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	s = model_snapshot(bd->bd_model);
	if (op_new(bd->bd_engine, &bd->bd_ec, &oreq, &op) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot plan");
	if ((rc = op_plan(op, s, daemon_now_ms(), &r)) < 0) {
		op_free(op);
		return rpc_fail(req, RPC_E_INTERNAL, "cannot plan");
	}
	*ret = rpc_plan_json(s, &r);
	op_free(op);
	return 0;
}

const struct rpc_method rpc_plan_method = {
	.name	= "plan",
	.params	= "{; \"kib\": a reservation of this size}",
	.exec	= rpc_plan_exec,
};
