/*
 * svc_dom.c: a domain's dynamic range, set by a client (domain.set-range)
 * for guests whose toolstack writes none (xl, libvirt): checked against
 * static-max and a floor, written to xenstore as xapi writes it, and the
 * host balanced with it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "host.h"
#include "conf.h"
#include "log.h"
#include "model.h"
#include "rpc.h"
#include "squeezerd.h"
#include "svc.h"

int
svc_dom_named(struct squeezerd *bd, struct rpc_req *req, const char *param,
    const char *name, int64_t *ret_domid)
{
	struct model_dom	*md;
	size_t			 n = 0;

	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	md = model_dom_named(bd->bd_model, name, &n);
	if (n == 0)
		return rpc_fail_param(req, param, "no domain is called "
		    "\"%.64s\"", name);
	if (n > 1)
		return rpc_fail_param(req, param, "%zu domains are called "
		    "\"%.64s\": give the domid", n, name);
	*ret_domid = md->domid;
	return 0;
}

int
svc_dom_param(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, int64_t *ret_domid)
{
	const char	*name = NULL;
	int64_t		 domid = -1;
	bool		 has_domid = false;

	if (rpc_param_int(req, params, "domid", false, 0, HOST_MAX_DOMID,
	    &domid, &has_domid) < 0 ||
	    rpc_param_str(req, params, "name", false, &name) < 0)
		return RPC_FAILED;
	if (has_domid == (name != NULL))
		return rpc_fail_param(req, "domid", "give \"domid\" or "
		    "\"name\", one of the two");
	if (name != NULL)
		return svc_dom_named(bd, req, "name", name, ret_domid);
	*ret_domid = domid;
	return 0;
}

/* The largest dynamic-max domid may have: its static-max, or the host's. */
static int64_t
svc_dom_limit(struct squeezerd *bd, const struct model_dom *md)
{
	if (md->static_max_kib > 0)
		return md->static_max_kib;
	return model_stats(bd->bd_model)->total_kib;
}

/* The domain a range is for: there, and dom0 only when managed. */
static int
svc_dom_find(struct squeezerd *bd, struct rpc_req *req, int64_t domid,
    struct model_dom **ret)
{
	struct model_dom	*md;

	if (daemon_refresh(bd, true) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if ((md = model_dom(bd->bd_model, (int32_t)domid)) == NULL) {
		rpc_req_err(req)->domid = (int32_t)domid;
		return rpc_fail(req, RPC_E_UNKNOWN_DOMAIN, "no domain %"
		    PRId64, domid);
	}
	if (domid == 0 && !bd->bd_conf.manage_dom0 &&
	    !(bd->bd_be->flags & BACKEND_DOM0_GUEST))
		return rpc_fail_param(req, "domid", "dom0 is balanced only "
		    "with manage-domain-zero = yes");
	*ret = md;
	return 0;
}

int
svc_dom_set_range(struct squeezerd *bd, struct rpc_req *req, int64_t domid,
    int64_t min_kib, int64_t max_kib, struct svc_range *ret)
{
	struct model_dom	*md = NULL;
	int64_t			 limit, floor;
	int			 rc;

	if (svc_dom_find(bd, req, domid, &md) < 0)
		return RPC_FAILED;
	limit = svc_dom_limit(bd, md);
	floor = conf_range_floor_kib(limit);
	if (domid == 0 && floor < bd->bd_conf.dom0_floor_kib)
		floor = bd->bd_conf.dom0_floor_kib;
	if (min_kib > max_kib)
		return rpc_fail_param(req, "dynamic-min-kib", "dynamic-min %"
		    PRId64 " KiB is above dynamic-max %" PRId64 " KiB",
		    min_kib, max_kib);
	if (max_kib > limit)
		return rpc_fail_param(req, "dynamic-max-kib", "dynamic-max %"
		    PRId64 " KiB is above the domain's %s, %" PRId64 " KiB",
		    max_kib, md->static_max_kib > 0 ? "static-max" :
		    "host's memory (it has no static-max)", limit);
	if (min_kib < floor)
		return rpc_fail_param(req, "dynamic-min-kib", "dynamic-min %"
		    PRId64 " KiB is below the floor of %" PRId64 " KiB (64 "
		    "MiB, or 1/32 of static-max when that is more%s)", min_kib,
		    floor, domid == 0 ? "; for dom0 domain-zero-floor-kib" :
		    "");
	if ((rc = model_set_range(bd->bd_model, (int32_t)domid, min_kib,
	    max_kib)) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot write the range: "
		    "%s", strerror(-rc));
	log_info("domain %" PRId64 "%s%s%s: dynamic range %" PRId64 "-%" PRId64
	    " KiB", domid, md->name[0] != '\0' ? " (" : "", md->name,
	    md->name[0] != '\0' ? ")" : "", min_kib, max_kib);
	daemon_changed(bd);
	ret->domid = (int32_t)domid;
	ret->min_kib = min_kib;
	ret->max_kib = max_kib;
	ret->static_max_kib = limit;
	return 0;
}
