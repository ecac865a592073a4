/* rpc_reservation_cancel.c: end a pending reserve; its targets go back. */
#include <json-c/json.h>

#include "rpc.h"
#include "svc.h"

static int
rpc_reservation_cancel_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "id", NULL };
	const char	*id = NULL;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_str(req, params, "id", true, &id) < 0 ||
	    svc_resv_cancel(bd, req, id) < 0)
		return RPC_FAILED;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "id", json_object_new_string(id));
	json_object_object_add(*ret, "cancelled",
	    json_object_new_boolean(1));
	return 0;
}

const struct rpc_method rpc_reservation_cancel_method = {
	.name	= "reservation.cancel",
	.params	= "{\"id\"}",
	.flags	= RPC_MUTATES,
	.exec	= rpc_reservation_cancel_exec,
};
