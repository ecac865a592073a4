/*
 * rpc_shape.c: result shapes more than one method gives, so each is
 * written once: a reservation as listed, a reservation just made, a list
 * of domids.
 */
#include <json-c/json.h>

#include "resv.h"
#include "rpc.h"
#include "svc.h"

struct json_object *
rpc_shape_resv(const struct resv *r, uint64_t now)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "session", json_object_new_string(
	    r->session));
	json_object_object_add(o, "kib", json_object_new_int64(r->kib));
	if (r->domid >= 0)
		json_object_object_add(o, "domid",
		    json_object_new_int(r->domid));
	else if (r->expires_ms != 0)
		json_object_object_add(o, "expires-in-ms", json_object_new_int64(
		    r->expires_ms > now ? (int64_t)(r->expires_ms - now) : 0));
	return o;
}

/* reserve and migration.reserve: {id, kib, session[, node, node-free-kib]} */
struct json_object *
rpc_shape_reserved(const struct svc_reserved *m)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(m->r.id));
	json_object_object_add(o, "kib", json_object_new_int64(m->r.kib));
	json_object_object_add(o, "session",
	    json_object_new_string(m->r.session));
	if (m->node >= 0) {
		json_object_object_add(o, "node",
		    json_object_new_int(m->node));
		json_object_object_add(o, "node-free-kib",
		    json_object_new_int64(m->node_free_kib));
	}
	return o;
}

struct json_object *
rpc_shape_domids(const int32_t *v, size_t n)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int(v[i]));
	return a;
}
