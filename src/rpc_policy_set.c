/*
 * rpc_policy_set.c: policy.set, switch the balancing policy of the running
 * daemon, then balance the host with it.  Like a SIGHUP for one key: the
 * next reload reads the policy from the configuration file again.
 */
#include <stdio.h>

#include <json-c/json.h>

#include "conf.h"
#include "engine.h"
#include "log.h"
#include "policy.h"
#include "rpc.h"
#include "squeezerd.h"

static int
rpc_policy_set_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "policy", NULL };
	struct conf		 c;
	const char		*name = NULL;
	char			 old[CONF_POLICY_MAX];

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_str(req, params, "policy", true, &name) < 0)
		return RPC_FAILED;
	if (policy_find(name) == NULL)
		return rpc_fail_param(req, "policy", "unknown policy "
		    "\"%.64s\"", name);
	c = bd->bd_conf;
	snprintf(c.policy, sizeof(c.policy), "%s", name);
	snprintf(old, sizeof(old), "%s", bd->bd_conf.policy);
	if (daemon_set_conf(bd, &c) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot set policy %s",
		    name);
	log_info("policy %s (was %s), set over the control socket",
	    c.policy, old);
	*ret = json_object_new_object();
	json_object_object_add(*ret, "policy",
	    json_object_new_string(c.policy));
	json_object_object_add(*ret, "previous", json_object_new_string(old));
	return 0;
}

const struct rpc_method rpc_policy_set_method = {
	.name	= "policy.set",
	.params	= "{\"policy\"}",
	.flags	= RPC_MUTATES,
	.exec	= rpc_policy_set_exec,
};
