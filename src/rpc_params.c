/*
 * rpc_params.c: typed, bounded access to request parameters.  Every
 * failure names the parameter; nothing is changed by a bad request because
 * methods check everything before they act.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "rpc.h"

static struct json_object *
rpc_param_get(struct json_object *params, const char *name)
{
	struct json_object	*v = NULL;

	if (params == NULL || !json_object_is_type(params, json_type_object))
		return NULL;
	(void)json_object_object_get_ex(params, name, &v);
	return v;
}

static int
rpc_param_fail(struct rpc_req *req, const char *name, const char *what)
{
	return rpc_fail_param(req, name, "\"%s\" %s", name, what);
}

int
rpc_params_only(struct rpc_req *req, struct json_object *params,
    const char *const *names)
{
	size_t	i;

	if (params == NULL || !json_object_is_type(params, json_type_object))
		return 0;
	json_object_object_foreach(params, k, v) {
		(void)v;
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(k, names[i]) == 0)
				break;
		if (names[i] == NULL)
			return rpc_fail_param(req, k, "unknown parameter "
			    "\"%.64s\"", k);
	}
	return 0;
}

int
rpc_param_int(struct rpc_req *req, struct json_object *params,
    const char *name, bool required, int64_t min, int64_t max, int64_t *ret,
    bool *ret_present)
{
	struct json_object	*v = rpc_param_get(params, name);
	char			 what[96];
	int64_t			 x;

	if (ret_present != NULL)
		*ret_present = v != NULL;
	if (v == NULL)
		return required ? rpc_param_fail(req, name, "is required") : 0;
	if (!json_object_is_type(v, json_type_int))
		return rpc_param_fail(req, name, "must be an integer");
	errno = 0;
	x = json_object_get_int64(v);
	if (errno != 0 || x < min || x > max ||
	    (x == INT64_MAX && json_object_get_uint64(v) != (uint64_t)x)) {
		snprintf(what, sizeof(what), "must be between %" PRId64
		    " and %" PRId64, min, max);
		return rpc_param_fail(req, name, what);
	}
	*ret = x;
	return 0;
}

int
rpc_param_str(struct rpc_req *req, struct json_object *params,
    const char *name, bool required, const char **ret)
{
	struct json_object	*v = rpc_param_get(params, name);

	if (v == NULL)
		return required ? rpc_param_fail(req, name, "is required") : 0;
	if (!json_object_is_type(v, json_type_string))
		return rpc_param_fail(req, name, "must be a string");
	*ret = json_object_get_string(v);
	return 0;
}

int
rpc_v1_args(struct rpc_req *req, struct json_object *params,
    const char *types)
{
	struct json_object	*v;
	size_t			 i, n = strlen(types);

	if (json_object_array_length(params) != n)
		return rpc_fail(req, RPC_E_PARAMS, "expected %zu parameters, "
		    "got %zu", n, json_object_array_length(params));
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(params, i);
		if (types[i] == 's' && !json_object_is_type(v,
		    json_type_string))
			return rpc_fail(req, RPC_E_PARAMS, "parameter %zu must "
			    "be a string", i + 1);
		if (types[i] == 'i' && !json_object_is_type(v, json_type_int))
			return rpc_fail(req, RPC_E_PARAMS, "parameter %zu must "
			    "be an integer", i + 1);
	}
	return 0;
}

const char *
rpc_v1_str(struct json_object *params, size_t i)
{
	return json_object_get_string(json_object_array_get_idx(params, i));
}

int64_t
rpc_v1_int(struct json_object *params, size_t i)
{
	return json_object_get_int64(json_object_array_get_idx(params, i));
}
