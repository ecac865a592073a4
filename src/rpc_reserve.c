/* rpc_reserve.c: reserve, host memory for a domain about to be built. */
#include <stdio.h>

#include <json-c/json.h>

#include "host.h"
#include "rpc.h"
#include "svc.h"
#include "squeezerd.h"

/* kib, or min-kib with max-kib: exactly one of the two forms. */
static int
rpc_reserve_sizes(struct rpc_req *req, struct json_object *params,
    struct svc_reserve_args *a)
{
	bool	has_kib, has_min, has_max;

	if (rpc_param_int(req, params, "kib", false, 0, HOST_MAX_KIB, &a->kib,
	    &has_kib) < 0 ||
	    rpc_param_int(req, params, "min-kib", false, 0, HOST_MAX_KIB,
	    &a->min_kib, &has_min) < 0 ||
	    rpc_param_int(req, params, "max-kib", false, 0, HOST_MAX_KIB,
	    &a->max_kib, &has_max) < 0)
		return RPC_FAILED;
	if (has_kib == (has_min || has_max) || has_min != has_max)
		return rpc_fail_param(req, "kib", "give \"kib\", or both "
		    "\"min-kib\" and \"max-kib\"");
	if (has_min && a->min_kib > a->max_kib)
		return rpc_fail_param(req, "min-kib", "\"min-kib\" is above "
		    "\"max-kib\"");
	a->kind = has_kib ? OP_RESERVE : OP_RANGE;
	return 0;
}

static int
rpc_reserve_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "kib", "min-kib", "max-kib",
	    "session", "id", "ttl-s", "deadline-ms", "node", NULL };
	struct svc_reserve_args	a = { .session = SVC_DEFAULT_SESSION,
	    .node = -1 };
	int64_t			ttl = 0, deadline = 0, node = -1;

	(void)ret;
	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_reserve_sizes(req, params, &a) < 0 ||
	    rpc_param_str(req, params, "session", false, &a.session) < 0 ||
	    rpc_param_str(req, params, "id", false, &a.id) < 0 ||
	    rpc_param_int(req, params, "ttl-s", false, 1, SVC_MAX_TTL_S, &ttl,
	    NULL) < 0 ||
	    rpc_param_int(req, params, "deadline-ms", false, 1,
	    SVC_MAX_DEADLINE_MS, &deadline, NULL) < 0)
		return RPC_FAILED;
	if (rpc_param_int(req, params, "node", false, 0, 1023, &node,
	    NULL) < 0)
		return RPC_FAILED;
	a.node = (int)node;
	a.ttl_ms = (uint64_t)ttl * 1000;
	a.deadline_ms = (uint64_t)deadline;
	return svc_resv_reserve(bd, req, &a, rpc_shape_reserved);
}

const struct rpc_method rpc_reserve_method = {
	.name	= "reserve",
	.params	= "{\"kib\"} or {\"min-kib\", \"max-kib\"}; \"session\", "
		  "\"id\", \"ttl-s\", \"deadline-ms\", \"node\"",
	.flags	= RPC_MUTATES,
	.exec	= rpc_reserve_exec,
};
