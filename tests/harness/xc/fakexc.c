/*
 * fakexc.c -- a libxenctrl.so.4.17 test double.  It serves a simulated host
 * from the state file named by $XENCTRL_SIM_STATE (see xcstate.h) with the
 * real <xenctrl.h> prototypes and structures, and fails like the real
 * library: -1 with errno set.  "fail CALL=ERRNO" lines in the state make
 * CALL fail; "latency_ms=N" makes every call take N ms longer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenctrl.h>

#include "xcstate.h"

_Static_assert(XCS_DOMINF_DYING == XEN_DOMINF_dying, "dying bit");
_Static_assert(XCS_DOMINF_HVM == XEN_DOMINF_hvm_guest, "hvm bit");
_Static_assert(XCS_DOMINF_SHUTDOWN == XEN_DOMINF_shutdown, "shutdown bit");
_Static_assert(XCS_DOMINF_PAUSED == XEN_DOMINF_paused, "paused bit");

#define FX_PAGE_BYTES		4096ULL
#define FX_PAGES_PER_MB		256U
#define FX_NODE_DIST_LOCAL	10
#define FX_NODE_DIST_REMOTE	20
#define FX_SHUTDOWN_CRASH	3	/* SHUTDOWN_crash in <xen/sched.h> */

struct xc_interface_core {
	char		*xi_state;	/* state file path */
	xc_error	 xi_error;	/* for xc_get_last_error */
};

/* One call in flight: the fault name, the operation and its arguments. */
struct fx_call {
	const char	*fc_name;
	xcs_edit_fn	 fc_fn;
	void		*fc_arg;
	unsigned int	 fc_latency_ms;
};

/* Arguments of the domain operations. */
struct fx_domop {
	uint32_t		 domid;
	uint64_t		 val;
	unsigned int		 max;
	int			 node;
	void			*out;
	uint32_t		*dist;
	uint64_t		*ret_a, *ret_b, *ret_c;
	unsigned int		*mb;
};

/* Sleep for the injected latency. */
static void
fx_sleep(unsigned int ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (ms != 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Check the injected fault and note the latency, then run the operation. */
static int
fx_dispatch(struct xcs_state *st, void *arg)
{
	struct fx_call	*fc = arg;
	int		 err;

	fc->fc_latency_ms = st->latency_ms;
	if ((err = xcs_fail_lookup(st, fc->fc_name)) != 0)
		return -err;
	return fc->fc_fn(st, fc->fc_arg);
}

/* Run one call against the state file; -1/errno on failure, as libxc. */
static int
fx_call(xc_interface *xch, const char *name, bool edit, xcs_edit_fn fn,
    void *arg)
{
	struct fx_call	fc = { name, fn, arg, 0 };
	char		err[512];
	int		rc;

	if (xch == NULL) {
		errno = EBADF;
		return -1;
	}
	if (edit)
		rc = xcs_edit(xch->xi_state, false, fx_dispatch, &fc, err,
		    sizeof(err));
	else
		rc = xcs_read(xch->xi_state, fx_dispatch, &fc, err,
		    sizeof(err));
	if (err[0] != '\0')
		fprintf(stderr, "libxenctrl(fake): %s\n", err);
	fx_sleep(fc.fc_latency_ms);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* The domain an operation names, or -ESRCH as the hypervisor says. */
static int
fx_dom(struct xcs_state *st, uint32_t domid, struct xcs_dom **ret_dom)
{
	struct xcs_dom	*d;

	if ((d = xcs_dom_find(st, domid)) == NULL)
		return -ESRCH;
	*ret_dom = d;
	return 0;
}

/* A usable host needs a host line and dom 0 (or xenstored drops dom0). */
static int
fx_open_check(struct xcs_state *st, void *arg)
{
	const char	*path = arg;

	if (!st->have_host || st->total_pages == 0) {
		fprintf(stderr, "libxenctrl(fake): %s: no 'host total_pages=' "
		    "line\n", path);
		return -EINVAL;
	}
	if (xcs_dom_find(st, 0) == NULL) {
		fprintf(stderr, "libxenctrl(fake): %s: no 'dom 0' line\n",
		    path);
		return -EINVAL;
	}
	return 0;
}

xc_interface *
xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
    unsigned open_flags)
{
	xc_interface	*xch;
	const char	*path;
	int		 saved;

	(void)dombuild_logger;
	(void)open_flags;
	path = getenv("XENCTRL_SIM_STATE");
	if (path == NULL || *path == '\0') {
		/* What the real library says when there is no privcmd. */
		if (logger == NULL)
			fprintf(stderr, "xencall: error: Could not obtain "
			    "handle on privileged command interface: %s\n",
			    strerror(ENOENT));
		errno = ENOENT;
		return NULL;
	}
	if ((xch = calloc(1, sizeof(*xch))) == NULL ||
	    (xch->xi_state = strdup(path)) == NULL)
		goto fail;
	if (fx_call(xch, "xc_interface_open", false, fx_open_check,
	    xch->xi_state) < 0)
		goto fail;
	return xch;
fail:
	saved = errno;
	if (xch != NULL)
		free(xch->xi_state);
	free(xch);
	errno = saved;
	return NULL;
}

int
xc_interface_close(xc_interface *xch)
{
	if (xch == NULL)
		return 0;
	free(xch->xi_state);
	free(xch);
	return 0;
}

const char *
xc_strerror(xc_interface *xch, int errcode)
{
	(void)xch;
	return strerror(errcode);
}

const xc_error *
xc_get_last_error(xc_interface *xch)
{
	static const xc_error	none = { XC_ERROR_NONE, "" };

	return xch != NULL ? &xch->xi_error : &none;
}

void
xc_clear_last_error(xc_interface *xch)
{
	if (xch != NULL)
		memset(&xch->xi_error, 0, sizeof(xch->xi_error));
}

/* XEN_SYSCTL_physinfo. */
static int
fx_physinfo(struct xcs_state *st, void *arg)
{
	xc_physinfo_t	*info = arg;

	memset(info, 0, sizeof(*info));
	info->threads_per_core = 1;
	info->cores_per_socket = st->nr_cpus;
	info->nr_cpus = st->nr_cpus;
	info->max_cpu_id = st->nr_cpus - 1;
	info->nr_nodes = st->nr_nodes;
	info->max_node_id = st->nr_nodes - 1;
	info->cpu_khz = 2000000;
	info->capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_pv |
	    XEN_SYSCTL_PHYSCAP_hap | XEN_SYSCTL_PHYSCAP_shadow;
	info->total_pages = st->total_pages;
	info->free_pages = xcs_free_pages(st);
	info->scrub_pages = 0;		/* hard-coded 0 in 4.17 */
	info->outstanding_pages = xcs_outstanding_pages(st);
	info->max_mfn = st->total_pages - 1;
	return 0;
}

int
xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
	xc_physinfo_t	tmp;

	if (fx_call(xch, "xc_physinfo", false, fx_physinfo, &tmp) < 0)
		return -1;
	*info = tmp;
	return 0;
}

/* Fill one XEN_DOMCTL_getdomaininfo record. */
static void
fx_fill_domaininfo(const struct xcs_dom *d, xc_domaininfo_t *info)
{
	memset(info, 0, sizeof(*info));
	info->domain = (domid_t)d->domid;
	info->flags = d->flags;
	info->tot_pages = d->tot_pages;
	info->max_pages = d->max_pages;
	info->outstanding_pages = d->outstanding;
	info->nr_online_vcpus = 1;
	info->max_vcpu_id = 0;
}

/* XEN_SYSCTL_getdomaininfolist: domains >= first, ascending. */
static int
fx_getinfolist(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	xc_domaininfo_t	*info = op->out;
	unsigned int	 n = 0;
	size_t		 i;

	for (i = 0; i < st->ndoms && n < op->max; i++)
		if (st->doms[i].domid >= op->domid)
			fx_fill_domaininfo(&st->doms[i], &info[n++]);
	return (int)n;
}

int
xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
    unsigned int max_domains, xc_domaininfo_t *info)
{
	struct fx_domop	op = { .domid = first_domain, .max = max_domains,
			    .out = info };

	return fx_call(xch, "xc_domain_getinfolist", false, fx_getinfolist,
	    &op);
}

/* Fill one xc_dominfo_t as the 4.17 library decodes it. */
static void
fx_fill_dominfo(const struct xcs_dom *d, xc_dominfo_t *info)
{
	uint32_t	f = d->flags;

	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	info->dying = !!(f & XEN_DOMINF_dying);
	info->shutdown = !!(f & XEN_DOMINF_shutdown);
	info->paused = !!(f & XEN_DOMINF_paused);
	info->blocked = !!(f & XEN_DOMINF_blocked);
	info->running = !!(f & XEN_DOMINF_running);
	info->hvm = !!(f & XEN_DOMINF_hvm_guest);
	info->debugged = !!(f & XEN_DOMINF_debugged);
	info->xenstore = !!(f & XEN_DOMINF_xs_domain);
	info->hap = !!(f & XEN_DOMINF_hap);
	info->shutdown_reason = (f >> XEN_DOMINF_shutdownshift) &
	    XEN_DOMINF_shutdownmask;
	if (info->shutdown && info->shutdown_reason == FX_SHUTDOWN_CRASH) {
		info->shutdown = 0;
		info->crashed = 1;
	}
	info->nr_pages = d->tot_pages;
	info->nr_outstanding_pages = d->outstanding;
	info->max_memkb = d->max_pages * XCS_PAGE_KIB;
	info->nr_online_vcpus = 1;
}

/* xc_domain_getinfo: like getinfolist but the older xc_dominfo_t. */
static int
fx_getinfo(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	xc_dominfo_t	*info = op->out;
	unsigned int	 n = 0;
	size_t		 i;

	for (i = 0; i < st->ndoms && n < op->max; i++)
		if (st->doms[i].domid >= op->domid)
			fx_fill_dominfo(&st->doms[i], &info[n++]);
	return (int)n;
}

int
xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
    unsigned int max_doms, xc_dominfo_t *info)
{
	struct fx_domop	op = { .domid = first_domid, .max = max_doms,
			    .out = info };

	return fx_call(xch, "xc_domain_getinfo", false, fx_getinfo, &op);
}

/* XEN_DOMCTL_max_mem. */
static int
fx_setmaxmem(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	struct xcs_dom	*d;
	int		 rc;

	if ((rc = fx_dom(st, op->domid, &d)) < 0)
		return rc;
	xcs_setmaxmem(d, op->val);
	return 0;
}

int
xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb)
{
	struct fx_domop	op = { .domid = domid, .val = max_memkb };

	return fx_call(xch, "xc_domain_setmaxmem", true, fx_setmaxmem, &op);
}

/* x86 set_memmap_limit: only checks that the domain exists here. */
static int
fx_memmap_limit(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	struct xcs_dom	*d;

	return fx_dom(st, op->domid, &d);
}

int
xc_domain_set_memmap_limit(xc_interface *xch, uint32_t domid,
    unsigned long map_limitkb)
{
	struct fx_domop	op = { .domid = domid, .val = map_limitkb };

	return fx_call(xch, "xc_domain_set_memmap_limit", false,
	    fx_memmap_limit, &op);
}

/* XENMEM_claim_pages. */
static int
fx_claim(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	struct xcs_dom	*d;
	int		 rc;

	if ((rc = fx_dom(st, op->domid, &d)) < 0)
		return rc;
	return xcs_claim(st, d, op->val);
}

int
xc_domain_claim_pages(xc_interface *xch, uint32_t domid,
    unsigned long nr_pages)
{
	struct fx_domop	op = { .domid = domid, .val = nr_pages };
	int		rc;

	rc = fx_call(xch, "xc_domain_claim_pages", true, fx_claim, &op);
	/* The real library ignores a hypervisor without claims. */
	if (rc == -1 && errno == ENOSYS)
		rc = 0;
	return rc;
}

/* XEN_SYSCTL_numainfo; sizes in bytes, distance N x N. */
static int
fx_numainfo(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	xc_meminfo_t	*mi = op->out;
	uint32_t	*dist = op->dist, i, j, n = st->nr_nodes;

	if (mi == NULL && dist == NULL) {
		*op->ret_a = n;
		return 0;
	}
	if (op->max < n)
		return -ENOBUFS;
	for (i = 0; i < n; i++) {
		if (mi != NULL) {
			mi[i].memsize = xcs_node_total_pages(st, i) *
			    FX_PAGE_BYTES;
			mi[i].memfree = xcs_node_free_pages(st, i) *
			    FX_PAGE_BYTES;
		}
		for (j = 0; dist != NULL && j < n; j++)
			dist[i * n + j] = i == j ? FX_NODE_DIST_LOCAL :
			    FX_NODE_DIST_REMOTE;
	}
	*op->ret_a = n;
	return 0;
}

/* A domain's node affinity: the one node the state file gives it. */
static int
fx_node_affinity(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	struct xcs_dom	*d;
	uint8_t		*map = op->out;
	int		 rc;

	if ((rc = fx_dom(st, op->domid, &d)) < 0)
		return rc;
	memset(map, 0, (st->nr_nodes + 7) / 8);
	if (d->node < st->nr_nodes)
		map[d->node / 8] |= (uint8_t)(1u << (d->node % 8));
	return 0;
}

int
xc_domain_node_getaffinity(xc_interface *xch, uint32_t domid,
    xc_nodemap_t nodemap)
{
	struct fx_domop	op = { .domid = domid, .out = nodemap };

	return fx_call(xch, "xc_domain_node_getaffinity", false,
	    fx_node_affinity, &op) < 0 ? -1 : 0;
}

int
xc_numainfo(xc_interface *xch, unsigned *max_nodes, xc_meminfo_t *meminfo,
    uint32_t *distance)
{
	struct fx_domop	op = { .max = *max_nodes, .out = meminfo,
			    .dist = distance };
	uint64_t	n = 0;

	op.ret_a = &n;
	if (fx_call(xch, "xc_numainfo", false, fx_numainfo, &op) < 0)
		return -1;
	*max_nodes = (unsigned)n;
	return 0;
}

/* XEN_SYSCTL_availheap: free bytes of one node or (-1) all. */
static int
fx_availheap(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	int		 node = op->node;

	if (node < 0)
		*op->ret_a = xcs_free_pages(st) * FX_PAGE_BYTES;
	else if ((uint32_t)node >= st->nr_nodes)
		*op->ret_a = 0;		/* an offline node has nothing */
	else
		*op->ret_a = xcs_node_free_pages(st, (uint32_t)node) *
		    FX_PAGE_BYTES;
	return 0;
}

int
xc_availheap(xc_interface *xch, int min_width, int max_width, int node,
    uint64_t *bytes)
{
	struct fx_domop	op = { .node = node };
	uint64_t	b = 0;

	(void)min_width;
	(void)max_width;
	op.ret_a = &b;
	if (fx_call(xch, "xc_availheap", false, fx_availheap, &op) < 0)
		return -1;
	*bytes = b;
	return 0;
}

/* XEN_DOMCTL_shadow_op: only the allocation sub-ops (and OFF). */
static int
fx_shadow(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	struct xcs_dom	*d;
	uint64_t	 want, have;
	int		 rc;

	if ((rc = fx_dom(st, op->domid, &d)) < 0)
		return rc;
	switch (op->val) {
	case XEN_DOMCTL_SHADOW_OP_OFF:
	case XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION:
		break;
	case XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION:
		want = op->mb != NULL ? *op->mb : 0;
		want *= FX_PAGES_PER_MB;
		have = d->shadow_mb * FX_PAGES_PER_MB;
		if (want > have && want - have > xcs_avail_pages(st, d))
			return -ENOMEM;
		d->shadow_mb = want / FX_PAGES_PER_MB;
		break;
	default:
		return -EINVAL;
	}
	if (op->mb != NULL)
		*op->mb = (unsigned int)d->shadow_mb;
	return 0;
}

int
xc_shadow_control(xc_interface *xch, uint32_t domid, unsigned int sop,
    unsigned int *mb, unsigned int mode)
{
	struct fx_domop	op = { .domid = domid, .val = sop };
	unsigned int	m = mb != NULL ? *mb : 0;
	int		rc;

	(void)mode;
	op.mb = mb != NULL ? &m : NULL;
	rc = fx_call(xch, "xc_shadow_control", sop ==
	    XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION, fx_shadow, &op);
	if (rc == 0 && mb != NULL)
		*mb = m;
	return rc;
}

/* XENMEM_{get,set}_pod_target: op->val is UINT64_MAX for get. */
static int
fx_pod(struct xcs_state *st, void *arg)
{
	struct fx_domop	*op = arg;
	struct xcs_dom	*d;
	int		 rc;

	if ((rc = fx_dom(st, op->domid, &d)) < 0)
		return rc;
	if (op->val != UINT64_MAX) {
		if (!(d->flags & XCS_DOMINF_HVM) || op->val > d->max_pages)
			return -EINVAL;
		d->pod_target = op->val;
	}
	*op->ret_a = d->tot_pages;
	*op->ret_b = d->pod_cache;
	*op->ret_c = d->pod_entries;
	return 0;
}

/* Common body of the two PoD calls. */
static int
fx_pod_call(xc_interface *xch, const char *name, uint32_t domid,
    uint64_t target, uint64_t *tot_pages, uint64_t *pod_cache_pages,
    uint64_t *pod_entries)
{
	struct fx_domop	op = { .domid = domid, .val = target };
	uint64_t	a = 0, b = 0, c = 0;

	op.ret_a = &a;
	op.ret_b = &b;
	op.ret_c = &c;
	if (fx_call(xch, name, target != UINT64_MAX, fx_pod, &op) < 0)
		return -1;
	if (tot_pages != NULL)
		*tot_pages = a;
	if (pod_cache_pages != NULL)
		*pod_cache_pages = b;
	if (pod_entries != NULL)
		*pod_entries = c;
	return 0;
}

int
xc_domain_set_pod_target(xc_interface *xch, uint32_t domid,
    uint64_t target_pages, uint64_t *tot_pages, uint64_t *pod_cache_pages,
    uint64_t *pod_entries)
{
	if (target_pages == UINT64_MAX) {
		errno = EINVAL;
		return -1;
	}
	return fx_pod_call(xch, "xc_domain_set_pod_target", domid,
	    target_pages, tot_pages, pod_cache_pages, pod_entries);
}

int
xc_domain_get_pod_target(xc_interface *xch, uint32_t domid,
    uint64_t *tot_pages, uint64_t *pod_cache_pages, uint64_t *pod_entries)
{
	return fx_pod_call(xch, "xc_domain_get_pod_target", domid, UINT64_MAX,
	    tot_pages, pod_cache_pages, pod_entries);
}
