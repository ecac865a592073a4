/* rpc_reservation_list.c: the outstanding reservations. */
#include <string.h>

#include <json-c/json.h>

#include "model.h"
#include "rpc.h"
#include "squeezerd.h"

static int
rpc_reservation_list_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "session", NULL };
	const struct resv	*v;
	const char		*session = NULL;
	struct json_object	*a;
	uint64_t		 now = daemon_now_ms();
	size_t			 i, n;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_str(req, params, "session", false, &session) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	v = model_resv(bd->bd_model, &n);
	a = json_object_new_array();
	for (i = 0; i < n; i++)
		if (session == NULL || strcmp(session, v[i].session) == 0)
			json_object_array_add(a, rpc_shape_resv(&v[i], now));
	*ret = a;
	return 0;
}

const struct rpc_method rpc_reservation_list_method = {
	.name	= "reservation.list",
	.params	= "{; \"session\"}",
	.exec	= rpc_reservation_list_exec,
};
