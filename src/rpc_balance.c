/* rpc_balance.c: balance now, answered when the host is balanced. */
#include <json-c/json.h>

#include "rpc.h"
#include "service.h"

static struct json_object *
rpc_balance_result(const struct bal_result *r)
{
	struct json_object	*o = json_object_new_object(), *a;
	size_t			 i;

	json_object_object_add(o, "outcome", json_object_new_string(
	    r->outcome == BAL_SUCCESS ? "balanced" :
	    r->outcome == BAL_REFUSED ? "refused" : "error"));
	json_object_object_add(o, "free-kib",
	    json_object_new_int64(r->free_kib));
	if (r->outcome == BAL_REFUSED) {
		a = json_object_new_array();
		for (i = 0; i < r->ndomids; i++)
			json_object_array_add(a,
			    json_object_new_int(r->domids[i]));
		json_object_object_add(o, "domids", a);
	}
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
