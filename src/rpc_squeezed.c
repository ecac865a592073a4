/*
 * rpc_squeezed.c: squeezed's memory interface, v1 (squeezed-reference
 * 5.3): the exact method names, positional parameters (dbg first), KiB
 * sizes, result shapes and error variants.  Each is a thin adapter over the
 * same service functions the native methods use; they share one file
 * because together they are one wire contract.
 */
#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>

#include "host.h"
#include "model.h"
#include "rpc.h"
#include "svc.h"
#include "squeezerd.h"

#define RPC_V1_METHOD(n, fn, fl) \
	static const struct rpc_method rpc_v1m_##n = \
	    { .name = #n, .params = "squeezed v1", .flags = (fl), .exec = (fn) }

/* A negative or absurd size: squeezed's Invalid_memory_value. */
static int
rpc_v1_size(struct rpc_req *req, int64_t v)
{
	if (v >= 0 && v <= HOST_MAX_KIB)
		return 0;
	rpc_req_err(req)->value = v;
	return rpc_fail(req, RPC_E_INVALID_MEMORY, "%" PRId64 " KiB", v);
}

static int
rpc_v1_get_diagnostics(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	const struct model_stats	*st;
	char				 text[256];

	if (rpc_v1_args(req, p, "s") < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	st = model_stats(bd->bd_model);
	snprintf(text, sizeof(text), "squeezerd: free %" PRId64 " KiB, "
	    "reserved %" PRId64 " KiB, %zu domains, %zu reservations",
	    model_snapshot(bd->bd_model)->free_kib, st->reserved_kib +
	    st->unbooted_kib, model_snapshot(bd->bd_model)->ndoms, st->nresv);
	*ret = json_object_new_string(text);
	return 0;
}

static int
rpc_v1_login(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	size_t	dropped;

	if (rpc_v1_args(req, p, "ss") < 0 ||
	    svc_resv_login(bd, req, rpc_v1_str(p, 1), &dropped) < 0)
		return RPC_FAILED;
	*ret = json_object_new_string(rpc_v1_str(p, 1));
	return 0;
}

static struct json_object *
rpc_v1_reserve_result(const struct svc_reserved *m)
{
	return json_object_new_string(m->r.id);
}

static int
rpc_v1_reserve_memory(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	struct svc_reserve_args	a = { .kind = OP_RESERVE, .node = -1 };

	(void)ret;
	if (rpc_v1_args(req, p, "ssi") < 0 ||
	    rpc_v1_size(req, rpc_v1_int(p, 2)) < 0)
		return RPC_FAILED;
	a.session = rpc_v1_str(p, 1);
	a.kib = rpc_v1_int(p, 2);
	return svc_resv_reserve(bd, req, &a, rpc_v1_reserve_result);
}

static struct json_object *
rpc_v1_range_result(const struct svc_reserved *m)
{
	struct json_object	*a = json_object_new_array();

	json_object_array_add(a, json_object_new_string(m->r.id));
	json_object_array_add(a, json_object_new_int64(m->r.kib));
	return a;
}

static int
rpc_v1_reserve_memory_range(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	struct svc_reserve_args	a = { .kind = OP_RANGE, .node = -1 };

	(void)ret;
	if (rpc_v1_args(req, p, "ssii") < 0 ||
	    rpc_v1_size(req, rpc_v1_int(p, 2)) < 0 ||
	    rpc_v1_size(req, rpc_v1_int(p, 3)) < 0)
		return RPC_FAILED;
	a.session = rpc_v1_str(p, 1);
	a.min_kib = rpc_v1_int(p, 2);
	a.max_kib = rpc_v1_int(p, 3);
	if (a.max_kib < a.min_kib)
		a.max_kib = a.min_kib;	/* squeezed: the result is min */
	return svc_resv_reserve(bd, req, &a, rpc_v1_range_result);
}

static int
rpc_v1_delete_reservation(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	struct resv	r;

	if (rpc_v1_args(req, p, "sss") < 0 ||
	    svc_resv_delete(bd, req, rpc_v1_str(p, 1), rpc_v1_str(p, 2), false,
	    &r) < 0)
		return RPC_FAILED;
	*ret = NULL;
	return 0;
}

static int
rpc_v1_transfer_reservation_to_domain(struct squeezerd *bd,
    struct rpc_req *req, struct json_object *p, struct json_object **ret)
{
	struct resv	r;

	if (rpc_v1_args(req, p, "sssi") < 0 ||
	    svc_resv_transfer(bd, req, rpc_v1_str(p, 1), rpc_v1_str(p, 2),
	    rpc_v1_int(p, 3), &r) < 0)
		return RPC_FAILED;
	*ret = NULL;
	return 0;
}

static int
rpc_v1_query_reservation_of_domain(struct squeezerd *bd,
    struct rpc_req *req, struct json_object *p, struct json_object **ret)
{
	char	id[RESV_NAME_MAX + 1];

	if (rpc_v1_args(req, p, "ssi") < 0 ||
	    svc_resv_query(bd, req, rpc_v1_int(p, 2), id) < 0)
		return RPC_FAILED;
	*ret = json_object_new_string(id);
	return 0;
}

static struct json_object *
rpc_v1_balance_result(const struct op_result *r)
{
	(void)r;
	return NULL;		/* squeezed swallows every outcome */
}

static int
rpc_v1_balance_memory(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	(void)ret;
	if (rpc_v1_args(req, p, "s") < 0)
		return RPC_FAILED;
	return svc_balance(bd, req, rpc_v1_balance_result);
}

static int
rpc_v1_get_host_reserved_memory(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	if (rpc_v1_args(req, p, "s") < 0)
		return RPC_FAILED;
	*ret = json_object_new_int64(bd->bd_ec.host_reserve_kib);
	return 0;
}

static int
rpc_v1_get_host_initial_free_memory(struct squeezerd *bd,
    struct rpc_req *req, struct json_object *p, struct json_object **ret)
{
	if (rpc_v1_args(req, p, "s") < 0)
		return RPC_FAILED;
	*ret = json_object_new_int64(model_boot_free_kib(bd->bd_model) * 1024);
	return 0;
}

static int
rpc_v1_get_domain_zero_policy(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *p, struct json_object **ret)
{
	struct json_object	*range;
	int64_t			 kib;

	if (rpc_v1_args(req, p, "s") < 0)
		return RPC_FAILED;
	if ((kib = model_dom0_kib(bd->bd_model)) <= 0)
		return rpc_fail(req, RPC_E_INTERNAL, "Failed to obtain total "
		    "memory");
	*ret = json_object_new_array();
	if (!bd->bd_conf.manage_dom0) {
		json_object_array_add(*ret, json_object_new_string(
		    "Fixed_size"));
		json_object_array_add(*ret, json_object_new_int64(kib * 1024));
		return 0;
	}
	range = json_object_new_array();
	json_object_array_add(range, json_object_new_int64(
	    bd->bd_conf.dom0_dyn_min_kib * 1024));
	json_object_array_add(range, json_object_new_int64(
	    (bd->bd_conf.dom0_dyn_max_kib ? bd->bd_conf.dom0_dyn_max_kib : kib) *
	    1024));
	json_object_array_add(*ret, json_object_new_string("Auto_balloon"));
	json_object_array_add(*ret, range);
	return 0;
}

RPC_V1_METHOD(get_diagnostics, rpc_v1_get_diagnostics, 0);
RPC_V1_METHOD(login, rpc_v1_login, RPC_MUTATES);
RPC_V1_METHOD(reserve_memory, rpc_v1_reserve_memory, RPC_MUTATES);
RPC_V1_METHOD(reserve_memory_range, rpc_v1_reserve_memory_range,
    RPC_MUTATES);
RPC_V1_METHOD(delete_reservation, rpc_v1_delete_reservation, RPC_MUTATES);
RPC_V1_METHOD(transfer_reservation_to_domain,
    rpc_v1_transfer_reservation_to_domain, RPC_MUTATES);
RPC_V1_METHOD(query_reservation_of_domain,
    rpc_v1_query_reservation_of_domain, 0);
RPC_V1_METHOD(balance_memory, rpc_v1_balance_memory, RPC_MUTATES);
RPC_V1_METHOD(get_host_reserved_memory, rpc_v1_get_host_reserved_memory, 0);
RPC_V1_METHOD(get_host_initial_free_memory,
    rpc_v1_get_host_initial_free_memory, 0);
RPC_V1_METHOD(get_domain_zero_policy, rpc_v1_get_domain_zero_policy, 0);

const struct rpc_method *const rpc_squeezed_methods[] = {
	&rpc_v1m_get_diagnostics,
	&rpc_v1m_login,
	&rpc_v1m_reserve_memory,
	&rpc_v1m_reserve_memory_range,
	&rpc_v1m_delete_reservation,
	&rpc_v1m_transfer_reservation_to_domain,
	&rpc_v1m_query_reservation_of_domain,
	&rpc_v1m_balance_memory,
	&rpc_v1m_get_host_reserved_memory,
	&rpc_v1m_get_host_initial_free_memory,
	&rpc_v1m_get_domain_zero_policy,
	NULL,
};
