/* rpc_domain_list.c: domain.list, every domain the balancer sees. */
#include <json-c/json.h>

#include "backend.h"

#include "engine.h"
#include "resv.h"
#include "model.h"
#include "rpc.h"
#include "squeezerd.h"

static void
rpc_add_kib(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static const char *const rpc_range_src[] = {
	[MODEL_RANGE_NONE] = "none",
	[MODEL_RANGE_XENSTORE] = "xenstore",
	[MODEL_RANGE_RULE] = "rule",
};

/* Why the domain is where it is, in words. */
static const char *
rpc_domain_reason(struct squeezerd *bd, const struct model_dom *md,
    const struct hv_domain *d)
{
	if (md != NULL && md->pin_kib >= 0)
		return "migrating: pinned at the target migration.prepare "
		    "gave it";
	if (md != NULL && !md->booted)
		return "not booted: counted by its initial reservation";
	if (md != NULL && md->range_src == MODEL_RANGE_NONE && d->can_balloon)
		return "no dynamic range: fixed at its target "
		    "(domain.set-range or a guest-range rule gives it one)";
	return engine_dom_reason(bd->bd_engine, d);
}

static struct json_object *
rpc_domain_json(struct squeezerd *bd, const struct hv_domain *d)
{
	struct json_object	*o = json_object_new_object();
	struct model_dom	*md = model_dom(bd->bd_model, d->domid);
	const struct resv	*r = model_resv_of_domain(bd->bd_model,
				    d->domid);

	json_object_object_add(o, "domid", json_object_new_int(d->domid));
	if (md != NULL && md->name[0] != '\0')
		json_object_object_add(o, "name",
		    json_object_new_string(md->name));
	rpc_add_kib(o, "dynamic-min-kib", md != NULL ? md->dyn_min_kib :
	    d->dyn_min_kib);
	rpc_add_kib(o, "dynamic-max-kib", md != NULL ? md->dyn_max_kib :
	    d->dyn_max_kib);
	rpc_add_kib(o, "target-kib", d->target_kib);
	rpc_add_kib(o, "actual-kib", d->actual_kib);
	rpc_add_kib(o, "maxmem-kib", d->maxmem_kib);
	json_object_object_add(o, "can-balloon",
	    json_object_new_boolean(d->can_balloon));
	json_object_object_add(o, "booted",
	    json_object_new_boolean(md != NULL && md->booted));
	json_object_object_add(o, "state", json_object_new_string(
	    engine_dom_state_name(engine_dom_state(bd->bd_engine, d))));
	json_object_object_add(o, "reason", json_object_new_string(
	    rpc_domain_reason(bd, md, d)));
	if (md != NULL && md->booted)
		json_object_object_add(o, "range-source",
		    json_object_new_string(rpc_range_src[md->range_src]));
	if (md != NULL && md->static_max_kib >= 0)
		rpc_add_kib(o, "static-max-kib", md->static_max_kib);
	if (md != NULL && md->pin_kib >= 0)
		rpc_add_kib(o, "migrating-kib", md->pin_kib);
	if (md != NULL && md->initial_kib >= 0)
		rpc_add_kib(o, "initial-reservation-kib", md->initial_kib);
	if (r != NULL)
		json_object_object_add(o, "reservation-id",
		    json_object_new_string(r->id));
	return o;
}

static int
rpc_domain_list_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const none[] = { NULL };
	const struct host_snapshot	*s;
	struct json_object		*a;
	size_t				 i;

	if (rpc_params_only(req, params, none) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	s = model_snapshot(bd->bd_model);
	a = json_object_new_array();
	for (i = 0; i < s->ndoms; i++)
		json_object_array_add(a, rpc_domain_json(bd, &s->doms[i]));
	*ret = a;
	return 0;
}

const struct rpc_method rpc_domain_list_method = {
	.name	= "domain.list",
	.params	= "{}",
	.exec	= rpc_domain_list_exec,
};
