/* rpc_reservation_pending.c: the reserves waiting, and how far they are. */
#include <json-c/json.h>

#include "rpc.h"
#include "service.h"

static int
rpc_reservation_pending_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const none[] = { NULL };

	if (rpc_params_only(req, params, none) < 0)
		return RPC_FAILED;
	*ret = svc_pending_list(bd);
	return 0;
}

const struct rpc_method rpc_reservation_pending_method = {
	.name	= "reservation.pending",
	.params	= "{}",
	.exec	= rpc_reservation_pending_exec,
};
