/*
 * rpc_sim.c: the sim.* methods.  With --backend=sim nobody else plays the
 * hypervisor and the toolstack: these create, build and destroy simulated
 * domains and read and write the simulated xenstore (as a guest or
 * xenopsd would, garbage included).  One file for the family: they are
 * the simulator's controls, not the daemon's API.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "backend.h"
#include "backend_sim.h"
#include "host.h"
#include "rpc.h"
#include "sim.h"
#include "squeezerd.h"
#include "xstore.h"

static int
rpc_sim_errno(struct rpc_req *req, int rc, int64_t domid)
{
	if (rc == -ESRCH) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "no domain %" PRId64,
		    domid);
	}
	if (rc == -ENOMEM)
		return rpc_fail(req, RPC_E_CANNOT_FREE, "the host does not "
		    "have that much free memory");
	if (rc == -EEXIST)
		return rpc_fail(req, RPC_E_PARAMS, "domain %" PRId64 " exists "
		    "or is built already", domid);
	return rpc_fail(req, RPC_E_INTERNAL, "%s", strerror(-rc));
}

static struct json_object *
rpc_sim_domid(int64_t domid)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "domid", json_object_new_int64(domid));
	return o;
}

static int
rpc_sim_create_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "domid", NULL };
	int64_t	domid = -1;
	int32_t	got;
	int	rc;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "domid", false, 1, HOST_MAX_DOMID,
	    &domid, NULL) < 0)
		return RPC_FAILED;
	if ((rc = backend_sim_create(bd->bd_be_ctx, (int32_t)domid, &got)) < 0)
		return rpc_sim_errno(req, rc, domid);
	daemon_changed(bd);
	*ret = rpc_sim_domid(got);
	return 0;
}

/* The optional balloon object, as the scenario format's. */
static int
rpc_sim_balloon(struct rpc_req *req, struct json_object *params,
    struct sim_balloon *b)
{
	static const char *const names[] = { "model", "rate-kib-s",
	    "limit-kib", "period-s", NULL };
	struct json_object	*o = NULL, *v;
	const char		*model = "normal";
	int64_t			 period_ms = 1000;

	*b = (struct sim_balloon){ SIM_NORMAL, SIM_DEFAULT_RATE_KIB_S, 0, 1.0 };
	if (!json_object_object_get_ex(params, "balloon", &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return rpc_fail(req, RPC_E_PARAMS, "\"balloon\" must be an "
		    "object");
	if (rpc_params_only(req, o, names) < 0 ||
	    rpc_param_str(req, o, "model", false, &model) < 0 ||
	    rpc_param_int(req, o, "rate-kib-s", false, 0, HOST_MAX_KIB,
	    &b->rate_kib_s, NULL) < 0 ||
	    rpc_param_int(req, o, "limit-kib", false, 0, HOST_MAX_KIB,
	    &b->limit_kib, NULL) < 0)
		return RPC_FAILED;
	if (json_object_object_get_ex(o, "period-s", &v)) {
		if (!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int))
			return rpc_fail(req, RPC_E_PARAMS, "\"period-s\" must "
			    "be a number");
		period_ms = (int64_t)(json_object_get_double(v) * 1000);
		if (period_ms <= 0 || period_ms > 86400000)
			return rpc_fail(req, RPC_E_PARAMS, "\"period-s\" must "
			    "be above 0 and at most a day");
		b->period_s = (double)period_ms / 1000.0;
	}
	if (sim_model_parse(model, &b->model) < 0)
		return rpc_fail(req, RPC_E_PARAMS, "unknown balloon model "
		    "\"%.32s\"", model);
	return 0;
}

static int
rpc_sim_build_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "domid", "target-kib",
	    "dynamic-min-kib", "dynamic-max-kib", "balloon", NULL };
	struct sim_balloon	b;
	int64_t			domid = 0, t = 0, lo = 0, hi = 0;
	int			rc;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "domid", true, 0, HOST_MAX_DOMID,
	    &domid, NULL) < 0 ||
	    rpc_param_int(req, params, "target-kib", true, 1, HOST_MAX_KIB, &t,
	    NULL) < 0 ||
	    rpc_param_int(req, params, "dynamic-min-kib", true, 0,
	    HOST_MAX_KIB, &lo, NULL) < 0 ||
	    rpc_param_int(req, params, "dynamic-max-kib", true, 0,
	    HOST_MAX_KIB, &hi, NULL) < 0 ||
	    rpc_sim_balloon(req, params, &b) < 0)
		return RPC_FAILED;
	if (lo > hi || t < lo || t > hi)
		return rpc_fail(req, RPC_E_PARAMS, "need dynamic-min <= "
		    "target <= dynamic-max");
	if ((rc = backend_sim_build(bd->bd_be_ctx, (int32_t)domid, t, lo, hi,
	    &b)) < 0)
		return rpc_sim_errno(req, rc, domid);
	daemon_changed(bd);
	*ret = rpc_sim_domid(domid);
	return 0;
}

static int
rpc_sim_destroy_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "domid", NULL };
	int64_t	domid = 0, freed;
	int	rc;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "domid", true, 0, HOST_MAX_DOMID,
	    &domid, NULL) < 0)
		return RPC_FAILED;
	if ((rc = backend_sim_destroy(bd->bd_be_ctx, (int32_t)domid,
	    &freed)) < 0)
		return rpc_sim_errno(req, rc, domid);
	daemon_changed(bd);
	*ret = rpc_sim_domid(domid);
	json_object_object_add(*ret, "freed-kib", json_object_new_int64(freed));
	return 0;
}

static int
rpc_sim_path(struct rpc_req *req, struct json_object *params,
    const char **ret)
{
	if (rpc_param_str(req, params, "path", true, ret) < 0)
		return RPC_FAILED;
	if (xstore_check_path(*ret) < 0)
		return rpc_fail(req, RPC_E_PARAMS, "\"path\" is not a "
		    "xenstore path");
	return 0;
}

static int
rpc_sim_xs_read_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "path", NULL };
	const char	*path = NULL;
	char		*v;
	int		 rc;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_sim_path(req, params, &path) < 0)
		return RPC_FAILED;
	if ((rc = bd->bd_be->read(bd->bd_be_ctx, path, &v)) < 0)
		return rpc_fail(req, RPC_E_PARAMS, "%s: %s", path,
		    strerror(-rc));
	*ret = json_object_new_object();
	json_object_object_add(*ret, "value", json_object_new_string(v));
	free(v);
	return 0;
}

static int
rpc_sim_xs_write_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "path", "value", NULL };
	const char	*path = NULL, *value = NULL;
	int		 rc;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_sim_path(req, params, &path) < 0 ||
	    rpc_param_str(req, params, "value", true, &value) < 0)
		return RPC_FAILED;
	if ((rc = bd->bd_be->write(bd->bd_be_ctx, path, value)) < 0)
		return rpc_fail(req, RPC_E_PARAMS, "%s: %s", path,
		    strerror(-rc));
	daemon_changed(bd);
	*ret = json_object_new_object();
	return 0;
}

static int
rpc_sim_xs_rm_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "path", NULL };
	const char	*path = NULL;
	int		 rc;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_sim_path(req, params, &path) < 0)
		return RPC_FAILED;
	if ((rc = bd->bd_be->rm(bd->bd_be_ctx, path)) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "%s: %s", path,
		    strerror(-rc));
	daemon_changed(bd);
	*ret = json_object_new_object();
	return 0;
}

const struct rpc_method rpc_sim_domain_create_method = {
	.name = "sim.domain.create", .params = "{; \"domid\"}",
	.flags = RPC_MUTATES | RPC_SIM, .exec = rpc_sim_create_exec,
};
const struct rpc_method rpc_sim_domain_build_method = {
	.name = "sim.domain.build", .params = "{\"domid\", \"target-kib\", "
	    "\"dynamic-min-kib\", \"dynamic-max-kib\"; \"balloon\"}",
	.flags = RPC_MUTATES | RPC_SIM, .exec = rpc_sim_build_exec,
};
const struct rpc_method rpc_sim_domain_destroy_method = {
	.name = "sim.domain.destroy", .params = "{\"domid\"}",
	.flags = RPC_MUTATES | RPC_SIM, .exec = rpc_sim_destroy_exec,
};
const struct rpc_method rpc_sim_xs_read_method = {
	.name = "sim.xs.read", .params = "{\"path\"}",
	.flags = RPC_SIM, .exec = rpc_sim_xs_read_exec,
};
const struct rpc_method rpc_sim_xs_write_method = {
	.name = "sim.xs.write", .params = "{\"path\", \"value\"}",
	.flags = RPC_MUTATES | RPC_SIM, .exec = rpc_sim_xs_write_exec,
};
const struct rpc_method rpc_sim_xs_rm_method = {
	.name = "sim.xs.rm", .params = "{\"path\"}",
	.flags = RPC_MUTATES | RPC_SIM, .exec = rpc_sim_xs_rm_exec,
};
