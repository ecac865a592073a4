/*
 * rpc_migration.c: migration without needless ballooning, both ends of one
 * protocol.  The destination reserves what the VM has if it can (at least
 * its dynamic-min); the source balloons the VM down only to what the
 * destination got, and keeps it there until the migration ends.  One file
 * for the three methods: they are one protocol.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "host.h"
#include "rpc.h"
#include "svc.h"
#include "squeezerd.h"

/* Destination: min(actual, what can be freed), but at least dynamic-min. */
static int
rpc_migration_reserve_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "actual-kib", "dynamic-min-kib",
	    "overhead-kib", "session", "id", "deadline-ms", "ttl-s", NULL };
	struct svc_reserve_args	a = { .session = SVC_DEFAULT_SESSION,
	    .kind = OP_MIGRATION_RESERVE, .node = -1 };
	int64_t			actual = 0, dmin = 0, over = 0, dl = 0, ttl = 0;

	(void)ret;
	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "actual-kib", true, 0, HOST_MAX_KIB,
	    &actual, NULL) < 0 ||
	    rpc_param_int(req, params, "dynamic-min-kib", true, 0, actual,
	    &dmin, NULL) < 0 ||
	    rpc_param_int(req, params, "overhead-kib", false, 0, HOST_MAX_KIB,
	    &over, NULL) < 0 ||
	    rpc_param_str(req, params, "session", false, &a.session) < 0 ||
	    rpc_param_str(req, params, "id", false, &a.id) < 0 ||
	    rpc_param_int(req, params, "deadline-ms", false, 1,
	    SVC_MAX_DEADLINE_MS, &dl, NULL) < 0 ||
	    rpc_param_int(req, params, "ttl-s", false, 1, SVC_MAX_TTL_S, &ttl,
	    NULL) < 0)
		return RPC_FAILED;
	a.min_kib = dmin + over;
	a.max_kib = actual + over;
	a.deadline_ms = (uint64_t)dl;
	a.ttl_ms = (uint64_t)ttl * 1000;
	return svc_resv_reserve(bd, req, &a, rpc_shape_reserved);
}

static struct json_object *
rpc_migration_prepared(const struct svc_prepared *p)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "domid", json_object_new_int(p->domid));
	json_object_object_add(o, "target-kib",
	    json_object_new_int64(p->target_kib));
	json_object_object_add(o, "actual-kib",
	    json_object_new_int64(p->actual_kib));
	json_object_object_add(o, "ballooned",
	    json_object_new_boolean(p->ballooned));
	return o;
}

/* Source: balloon down only if the destination has less, and pin. */
static int
rpc_migration_prepare_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "domid", "max-kib", "deadline-ms",
	    NULL };
	int64_t	domid = 0, max = 0, dl = 0;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "domid", true, 0, HOST_MAX_DOMID,
	    &domid, NULL) < 0 ||
	    rpc_param_int(req, params, "max-kib", true, 0, HOST_MAX_KIB, &max,
	    NULL) < 0 ||
	    rpc_param_int(req, params, "deadline-ms", false, 1,
	    SVC_MAX_DEADLINE_MS, &dl, NULL) < 0)
		return RPC_FAILED;
	(void)ret;
	return svc_mig_prepare(bd, req, domid, max, (uint64_t)dl,
	    rpc_migration_prepared);
}

static int
rpc_migration_end_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const names[] = { "domid", "outcome", NULL };
	const char	*outcome = NULL;
	int64_t		 domid = 0;

	if (rpc_params_only(req, params, names) < 0 ||
	    rpc_param_int(req, params, "domid", true, 0, HOST_MAX_DOMID,
	    &domid, NULL) < 0 ||
	    rpc_param_str(req, params, "outcome", true, &outcome) < 0)
		return RPC_FAILED;
	if (strcmp(outcome, "done") != 0 && strcmp(outcome, "aborted") != 0)
		return rpc_fail_param(req, "outcome", "\"outcome\" must be "
		    "\"done\" or \"aborted\"");
	if (svc_mig_end(bd, req, domid, outcome[0] == 'd') < 0)
		return RPC_FAILED;
	*ret = json_object_new_object();
	json_object_object_add(*ret, "domid", json_object_new_int64(domid));
	json_object_object_add(*ret, "outcome",
	    json_object_new_string(outcome));
	return 0;
}

const struct rpc_method rpc_migration_reserve_method = {
	.name = "migration.reserve",
	.params = "{\"actual-kib\", \"dynamic-min-kib\"; \"overhead-kib\", "
	    "\"session\", \"id\", \"deadline-ms\", \"ttl-s\"}",
	.flags = RPC_MUTATES, .exec = rpc_migration_reserve_exec,
};
const struct rpc_method rpc_migration_prepare_method = {
	.name = "migration.prepare",
	.params = "{\"domid\", \"max-kib\"; \"deadline-ms\"}",
	.flags = RPC_MUTATES, .exec = rpc_migration_prepare_exec,
};
const struct rpc_method rpc_migration_end_method = {
	.name = "migration.end",
	.params = "{\"domid\", \"outcome\": \"done\" | \"aborted\"}",
	.flags = RPC_MUTATES, .exec = rpc_migration_end_exec,
};
