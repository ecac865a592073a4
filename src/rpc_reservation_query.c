/* rpc_reservation_query.c: the reservation a domain was built from. */
#include <json-c/json.h>

#include "host.h"
#include "rpc.h"
#include "svc.h"

static int
rpc_reservation_query_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "domid", NULL };
	char		id[RESV_NAME_MAX + 1];
	int64_t		domid = 0;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "domid", true, 0, HOST_MAX_DOMID,
	    &domid, NULL) < 0 ||
	    svc_resv_query(bd, req, domid, id) < 0)
		return RPC_FAILED;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "id", json_object_new_string(id));
	json_object_object_add(*ret, "domid", json_object_new_int64(domid));
	return 0;
}

const struct rpc_method rpc_reservation_query_method = {
	.name	= "reservation.query",
	.params	= "{\"domid\"}",
	.exec	= rpc_reservation_query_exec,
};
