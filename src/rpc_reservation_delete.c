/* rpc_reservation_delete.c: give a reservation's memory back. */
#include <json-c/json.h>

#include "rpc.h"
#include "svc.h"

static int
rpc_reservation_delete_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "id", "session", NULL };
	const char	*id = NULL, *session = NULL;
	struct resv	 r;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_str(req, params, "id", true, &id) < 0 ||
	    rpc_param_str(req, params, "session", false, &session) < 0 ||
	    svc_resv_delete(bd, req, session, id, true, &r) < 0)
		return RPC_FAILED;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "id", json_object_new_string(r.id));
	json_object_object_add(*ret, "kib", json_object_new_int64(r.kib));
	return 0;
}

const struct rpc_method rpc_reservation_delete_method = {
	.name	= "reservation.delete",
	.params	= "{\"id\"; \"session\"}",
	.flags	= RPC_MUTATES,
	.exec	= rpc_reservation_delete_exec,
};
