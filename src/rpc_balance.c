/* rpc_balance.c: balance now, answered when the host is balanced. */
#include <json-c/json.h>

#include "rpc.h"
#include "svc.h"

static struct json_object *
rpc_balance_result(const struct op_result *r)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "outcome", json_object_new_string(
	    r->outcome == OP_SUCCESS ? "balanced" :
	    r->outcome == OP_REFUSED ? "refused" :
	    r->outcome == OP_DEADLINE ? "deadline_exceeded" : "error"));
	json_object_object_add(o, "free-kib",
	    json_object_new_int64(r->free_kib));
	if (r->outcome == OP_REFUSED || r->outcome == OP_DEADLINE)
		json_object_object_add(o, "domids",
		    rpc_shape_domids(r->domids, r->ndomids));
	return o;
}

static int
rpc_balance_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const none[] = { NULL };

	(void)ret;
	if (rpc_params_only(req, params, none) < 0)
		return RPC_FAILED;
	return svc_balance(bd, req, rpc_balance_result);
}

const struct rpc_method rpc_balance_method = {
	.name	= "balance",
	.params	= "{}",
	.flags	= RPC_MUTATES,
	.exec	= rpc_balance_exec,
};
