/* rpc_reservation_transfer.c: hand a reservation to a domain. */
#include <json-c/json.h>

#include "host.h"
#include "rpc.h"
#include "svc.h"

static int
rpc_reservation_transfer_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "id", "domid", "name", "session",
	    NULL };
	const char	*id = NULL, *session = NULL;
	struct resv	 r;
	int64_t		 domid = 0;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_str(req, params, "id", true, &id) < 0 ||
	    rpc_param_str(req, params, "session", false, &session) < 0 ||
	    svc_dom_param(bd, req, params, &domid) < 0 ||
	    svc_resv_transfer(bd, req, session, id, domid, &r) < 0)
		return RPC_FAILED;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "id", json_object_new_string(r.id));
	json_object_object_add(*ret, "kib", json_object_new_int64(r.kib));
	json_object_object_add(*ret, "domid", json_object_new_int(r.domid));
	return 0;
}

const struct rpc_method rpc_reservation_transfer_method = {
	.name	= "reservation.transfer",
	.params	= "{\"id\", \"domid\" or \"name\"; \"session\"}",
	.flags	= RPC_MUTATES,
	.exec	= rpc_reservation_transfer_exec,
};
