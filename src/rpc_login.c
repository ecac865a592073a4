/* rpc_login.c: a toolstack (re)starts: its earlier reservations go. */
#include <json-c/json.h>

#include "rpc.h"
#include "svc.h"

static int
rpc_login_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "session", NULL };
	const char	*session = NULL;
	size_t		 dropped;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_str(req, params, "session", true, &session) < 0 ||
	    svc_resv_login(bd, req, session, &dropped) < 0)
		return RPC_FAILED;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "session",
	    json_object_new_string(session));
	json_object_object_add(*ret, "dropped",
	    json_object_new_int64((int64_t)dropped));
	return 0;
}

const struct rpc_method rpc_login_method = {
	.name	= "login",
	.params	= "{\"session\"}",
	.flags	= RPC_MUTATES,
	.exec	= rpc_login_exec,
};
