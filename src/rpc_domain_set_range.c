/* rpc_domain_set_range.c: give a domain a dynamic range, then balance. */
#include <json-c/json.h>

#include "host.h"
#include "rpc.h"
#include "svc.h"

static int
rpc_domain_set_range_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "domid", "name",
	    "dynamic-min-kib", "dynamic-max-kib", NULL };
	struct svc_range	r;
	int64_t			domid = 0, min = 0, max = 0;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "dynamic-min-kib", true, 0,
	    HOST_MAX_KIB, &min, NULL) < 0 ||
	    rpc_param_int(req, params, "dynamic-max-kib", true, 0,
	    HOST_MAX_KIB, &max, NULL) < 0 ||
	    svc_dom_param(bd, req, params, &domid) < 0 ||
	    svc_dom_set_range(bd, req, domid, min, max, &r) < 0)
		return RPC_FAILED;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "domid", json_object_new_int(r.domid));
	json_object_object_add(*ret, "dynamic-min-kib",
	    json_object_new_int64(r.min_kib));
	json_object_object_add(*ret, "dynamic-max-kib",
	    json_object_new_int64(r.max_kib));
	json_object_object_add(*ret, "static-max-kib",
	    json_object_new_int64(r.static_max_kib));
	return 0;
}

const struct rpc_method rpc_domain_set_range_method = {
	.name	= "domain.set-range",
	.params	= "{\"domid\" or \"name\", \"dynamic-min-kib\", "
		  "\"dynamic-max-kib\"}",
	.flags	= RPC_MUTATES,
	.exec	= rpc_domain_set_range_exec,
};
