/*
 * rpc_metrics.c: metrics, the host and the daemon in Prometheus text
 * exposition format, as {"text": "..."}: a scraper's exporter passes the
 * text on unchanged.  Prometheus' conventions, unlike the rest of the
 * socket: base units (bytes, seconds), domains labelled by domid and name.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "backend.h"
#include "balancer.h"
#include "engine.h"
#include "metrics.h"
#include "model.h"
#include "rpc.h"
#include "squeezerd.h"

/* A domain's labels: domid="N",name="..." with room for the escaped name. */
struct rpc_metrics_dom {
	char	labels[32 + METRICS_LABEL_BUFLEN];
};

/* One family with one unlabelled sample. */
static void
rpc_metrics_one(FILE *f, const char *name, const char *type,
    const char *help, int64_t v)
{
	metrics_family(f, name, type, help);
	metrics_sample(f, name, NULL, v);
}

/* One gauge in bytes with one unlabelled sample. */
static void
rpc_metrics_bytes(FILE *f, const char *name, const char *help, int64_t kib)
{
	metrics_family(f, name, "gauge", help);
	metrics_sample_bytes(f, name, NULL, kib);
}

static void
rpc_metrics_host(struct squeezerd *bd, FILE *f)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	const struct model_stats	*st = model_stats(bd->bd_model);

	rpc_metrics_bytes(f, "squeezerd_host_total_bytes",
	    "Host memory in all (physinfo total).", st->total_kib);
	rpc_metrics_bytes(f, "squeezerd_host_free_bytes",
	    "Free memory as the balancer counts it (physical free less "
	    "reservations and initial reservations); may be negative.",
	    s->free_kib);
	rpc_metrics_bytes(f, "squeezerd_host_physical_free_bytes",
	    "Free and scrub memory (physinfo) at the last read.",
	    st->physical_free_kib);
	rpc_metrics_bytes(f, "squeezerd_host_reserved_bytes",
	    "Reservations and initial reservations of unbooted domains.",
	    st->reserved_kib + st->unbooted_kib);
	rpc_metrics_bytes(f, "squeezerd_host_reclaimable_bytes",
	    "What the balloons hold above dynamic-min.",
	    host_reclaimable(s));
	rpc_metrics_one(f, "squeezerd_reservations", "gauge",
	    "Reservations held.", (int64_t)st->nresv);
	rpc_metrics_one(f, "squeezerd_pending", "gauge",
	    "Balancer operations queued or running.",
	    (int64_t)bal_pending(bd->bd_bal));
	rpc_metrics_one(f, "squeezerd_operations_total", "counter",
	    "Balancer operations completed since the daemon started.",
	    (int64_t)bal_completed(bd->bd_bal));
}

/*
 * The labels of each domain of the snapshot: its domid, and its name (the
 * model's, read from the toolstack's /local/domain/N/name; empty when there
 * is none), escaped.  A calloc'd array, one entry per domain.
 */
static struct rpc_metrics_dom *
rpc_metrics_labels(struct squeezerd *bd)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	const struct model_dom		*md;
	struct rpc_metrics_dom		*l;
	char				 esc[METRICS_LABEL_BUFLEN];
	size_t				 i;

	if ((l = calloc(s->ndoms + 1, sizeof(*l))) == NULL)
		return NULL;
	for (i = 0; i < s->ndoms; i++) {
		esc[0] = '\0';
		md = model_dom(bd->bd_model, s->doms[i].domid);
		if (md != NULL)
			metrics_label_escape(md->name, esc, sizeof(esc));
		snprintf(l[i].labels, sizeof(l[i].labels), "domid=\"%" PRId32
		    "\",name=\"%s\"", s->doms[i].domid, esc);
	}
	return l;
}

/* Per domain: target, actual, state; and how many are stuck. */
static void
rpc_metrics_domains(struct squeezerd *bd, FILE *f,
    const struct rpc_metrics_dom *l)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	enum engine_dom_state		 st;
	int64_t				 stuck = 0;
	size_t				 i;

	metrics_family(f, "squeezerd_domain_target_bytes", "gauge",
	    "The domain's balloon target.");
	for (i = 0; i < s->ndoms; i++)
		metrics_sample_bytes(f, "squeezerd_domain_target_bytes",
		    l[i].labels, s->doms[i].target_kib);
	metrics_family(f, "squeezerd_domain_actual_bytes", "gauge",
	    "The domain's memory now.");
	for (i = 0; i < s->ndoms; i++)
		metrics_sample_bytes(f, "squeezerd_domain_actual_bytes",
		    l[i].labels, s->doms[i].actual_kib);
	metrics_family(f, "squeezerd_domain_state", "gauge",
	    "1 for the domain's state: active, inactive, uncooperative or "
	    "fixed.");
	for (i = 0; i < s->ndoms; i++) {
		st = engine_dom_state(bd->bd_engine, &s->doms[i]);
		stuck += st == ENGINE_DOM_INACTIVE ||
		    st == ENGINE_DOM_UNCOOPERATIVE;
		fprintf(f, "squeezerd_domain_state{%s,state=\"%s\"} 1\n",
		    l[i].labels, engine_dom_state_name(st));
	}
	rpc_metrics_one(f, "squeezerd_domains_stuck", "gauge",
	    "Domains inactive or uncooperative.", stuck);
}

/*
 * squeezerd_model_drift_bytes = P - (F + R), where P is the physical free
 * memory (free + scrub) the backend's physinfo reports now, F the
 * balancer's free memory in the daemon's current snapshot (at most a poll
 * interval old, as host.status shows it) and R everything that snapshot
 * subtracted from the physical free memory it read: reservations counted,
 * initial reservations of domains not booted, Xen claims not made for
 * those.  F + R is the physical free memory the model believes in (so the
 * difference reduces to P less the snapshot's physical free): 0 means the
 * model matches the hypervisor; positive, more is free than it believes
 * (balloons gave memory since the read); negative, less (a domain grew, a
 * domain was built).  Not written when physinfo fails.
 */
static void
rpc_metrics_drift(struct squeezerd *bd, FILE *f)
{
	const struct model_stats	*st = model_stats(bd->bd_model);
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	struct backend_physinfo		 pi;
	int64_t				 r;

	if (bd->bd_be->physinfo(bd->bd_be_ctx, &pi) < 0)
		return;
	r = st->physical_free_kib - s->free_kib;
	rpc_metrics_bytes(f, "squeezerd_model_drift_bytes",
	    "Physical free memory now less what the daemon's model believes "
	    "it is (its free memory plus what it subtracts).",
	    pi.free_kib + pi.scrub_kib - (s->free_kib + r));
}

static int
rpc_metrics_exec(struct squeezerd *bd, struct rpc_req *req,
    struct json_object *params, struct json_object **ret)
{
	static const char *const	 none[] = { NULL };
	struct rpc_metrics_dom		*labels;
	char				*text = NULL;
	size_t				 len = 0;
	FILE				*f;

	if (rpc_params_only(req, params, none) < 0)
		return RPC_FAILED;
	if (daemon_refresh(bd, false) < 0)
		return rpc_fail(req, RPC_E_INTERNAL, "cannot read the host");
	if ((labels = rpc_metrics_labels(bd)) == NULL)
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	if ((f = open_memstream(&text, &len)) == NULL) {
		free(labels);
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	}
	rpc_metrics_host(bd, f);
	rpc_metrics_domains(bd, f, labels);
	rpc_metrics_drift(bd, f);
	metrics_reserve_render(&bd->bd_metrics, f);
	free(labels);
	if (fclose(f) != 0) {
		free(text);
		return rpc_fail(req, RPC_E_INTERNAL, "out of memory");
	}
	*ret = json_object_new_object();
	json_object_object_add(*ret, "text",
	    json_object_new_string_len(text, (int)len));
	free(text);
	return 0;
}

const struct rpc_method rpc_metrics_method = {
	.name	= "metrics",
	.params	= "{}",
	.exec	= rpc_metrics_exec,
};
