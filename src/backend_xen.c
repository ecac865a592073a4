/*
 * backend_xen.c: the real host, through libxenctrl (4.17 API:
 * xc_domain_getinfolist only) and libxenstore.  The only file that includes
 * <xenctrl.h> and <xenstore.h>; pages become KiB here, once.
 *
 * libxenstore's reader thread closes a lost connection without waking the
 * watch pipe (xen-test-harness.md section 2), so a lost connection shows up
 * as EINVAL from xs_check_watch or EBADF from a request; from then on every
 * request fails fast with -EPIPE until reconnect() succeeds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "backend.h"
#include "host.h"
#include "xscache.h"

#define XENB_PAGE_KIB		(XC_PAGE_SIZE / 1024)
#define XENB_CHUNK		1024	/* domains per getinfolist call */
#define XENB_TX_RETRIES		16
#define XENB_TOKEN		"squeezerd"

struct xenb {
	xc_interface		*xch;
	struct xs_handle	*xsh;	/* NULL: the connection is lost */
	struct xscache		*cache;	/* what the watches keep valid */
};

/*
 * The watches: domains coming and going, and everything under the two
 * trees the balancer reads, which is what makes caching them safe.
 */
static const char *const xenb_watches[] = {
	"@introduceDomain", "@releaseDomain", "/local/domain", "/squeezed",
};

static bool
xenb_cacheable(const char *path)
{
	return strncmp(path, "/local/domain/", 14) == 0 ||
	    strncmp(path, "/squeezed/", 10) == 0 ||
	    strcmp(path, "/squeezed") == 0;
}

static bool
xenb_lost(int err)
{
	return err == EBADF || err == EPIPE || err == ECONNRESET ||
	    err == ENOTCONN || err == ESHUTDOWN;
}

/* Drop a connection that failed with err, if err says it is gone. */
static int
xenb_fail(struct xenb *xb, int err)
{
	if (xenb_lost(err) && xb->xsh != NULL) {
		xs_close(xb->xsh);
		xb->xsh = NULL;
	}
	return xb->xsh == NULL ? -EPIPE : -err;
}

static int
xenb_connect(struct xenb *xb)
{
	size_t	i;
	int	err;

	xscache_clear(xb->cache);	/* maybe a new, different store */
	if ((xb->xsh = xs_open(0)) == NULL)
		return -errno;
	for (i = 0; i < sizeof(xenb_watches) / sizeof(xenb_watches[0]); i++)
		if (!xs_watch(xb->xsh, xenb_watches[i], XENB_TOKEN)) {
			err = errno;
			xs_close(xb->xsh);
			xb->xsh = NULL;
			return -err;
		}
	return 0;
}

static void
xenb_close(void *ctx)
{
	struct xenb	*xb = ctx;

	if (xb == NULL)
		return;
	if (xb->xsh != NULL)
		xs_close(xb->xsh);
	if (xb->xch != NULL)
		xc_interface_close(xb->xch);
	xscache_free(xb->cache);
	free(xb);
}

static int
xenb_open(const struct backend_args *a, void **ret_ctx, char *err,
    size_t errlen)
{
	struct xenb	*xb;
	int		 rc;

	(void)a;
	if ((xb = calloc(1, sizeof(*xb))) == NULL ||
	    (xb->cache = xscache_new()) == NULL) {
		free(xb);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((xb->xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot open Xen control interface: %s "
		    "(is this dom0, with privcmd?)", strerror(-rc));
		goto out;
	}
	if ((rc = xenb_connect(xb)) < 0) {
		snprintf(err, errlen, "cannot connect to xenstored: %s",
		    strerror(-rc));
		goto out;
	}
	*ret_ctx = xb;
	return 0;
out:
	xenb_close(xb);
	return rc;
}

static int64_t	xenb_kib(uint64_t);

static int
xenb_physinfo(void *ctx, struct backend_physinfo *ret)
{
	struct xenb	*xb = ctx;
	xc_physinfo_t	 pi;

	memset(&pi, 0, sizeof(pi));
	if (xc_physinfo(xb->xch, &pi) != 0)
		return -errno;
	ret->total_kib = xenb_kib(pi.total_pages);
	ret->free_kib = xenb_kib(pi.free_pages);
	ret->scrub_kib = xenb_kib(pi.scrub_pages);
	/* claimed pages are in free_pages but not free for us */
	ret->claimed_kib = xenb_kib(pi.outstanding_pages);
	return 0;
}

static int64_t
xenb_kib(uint64_t pages)
{
	return pages > (uint64_t)HOST_MAX_KIB / XENB_PAGE_KIB ? HOST_MAX_KIB :
	    (int64_t)(pages * XENB_PAGE_KIB);
}

static int
xenb_domains(void *ctx, struct backend_dominfo **ret, size_t *ret_n)
{
	struct xenb		*xb = ctx;
	xc_domaininfo_t		*info;
	struct backend_dominfo	*v = NULL, *nv;
	uint32_t		 first = 0;
	size_t			 n = 0, i;
	int			 got, rc;

	if ((info = calloc(XENB_CHUNK, sizeof(*info))) == NULL)
		return -ENOMEM;
	for (;;) {
		if ((got = xc_domain_getinfolist(xb->xch, first, XENB_CHUNK,
		    info)) < 0) {
			rc = -errno;
			goto out;
		}
		if ((nv = realloc(v, (n + (size_t)got + 1) * sizeof(*v))) ==
		    NULL) {
			rc = -ENOMEM;
			goto out;
		}
		v = nv;
		for (i = 0; i < (size_t)got; i++)
			v[n++] = (struct backend_dominfo){
				.domid = (int32_t)info[i].domain,
				.tot_kib = xenb_kib(info[i].tot_pages),
				.max_kib = xenb_kib(info[i].max_pages),
				.claim_kib = xenb_kib(
				    info[i].outstanding_pages),
				.hvm = (info[i].flags & XEN_DOMINF_hvm_guest) != 0,
				.dying = (info[i].flags & (XEN_DOMINF_dying |
				    XEN_DOMINF_shutdown)) != 0,
			};
		if (got < XENB_CHUNK)
			break;
		first = info[got - 1].domain + 1;
	}
	*ret = v;
	*ret_n = n;
	v = NULL;
	rc = 0;
out:
	free(v);
	free(info);
	return rc;
}

static int
xenb_set_maxmem(void *ctx, int32_t domid, int64_t kib)
{
	struct xenb	*xb = ctx;

	if (kib < 0 || kib > HOST_MAX_KIB)
		return -EINVAL;
	if (xc_domain_setmaxmem(xb->xch, (uint32_t)domid, (uint64_t)kib) != 0)
		return -errno;
	return 0;
}

static int
xenb_shadow(void *ctx, int32_t domid, int64_t *ret_kib)
{
	struct xenb	*xb = ctx;
	unsigned int	 mb = 0;

	if (xc_shadow_control(xb->xch, (uint32_t)domid,
	    XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION, &mb, 0) < 0)
		return -errno;
	*ret_kib = (int64_t)mb * 1024;
	return 0;
}

static int
xenb_claim(void *ctx, int32_t domid, int64_t kib)
{
	struct xenb	*xb = ctx;

	if (kib < 0 || kib > HOST_MAX_KIB)
		return -EINVAL;
	if (xc_domain_claim_pages(xb->xch, (uint32_t)domid,
	    (unsigned long)(kib / XENB_PAGE_KIB)) != 0)
		return -errno;
	return 0;
}

static int
xenb_numa(void *ctx, struct backend_node **ret, size_t *ret_n)
{
	struct xenb		*xb = ctx;
	struct backend_node	*v = NULL;
	xc_meminfo_t		*mi = NULL;
	unsigned int		 n = 0, i;
	int			 rc;

	if (xc_numainfo(xb->xch, &n, NULL, NULL) != 0)
		return -errno;
	if (n == 0 || n > 1024)
		return -EINVAL;
	if ((mi = calloc(n, sizeof(*mi))) == NULL ||
	    (v = calloc(n, sizeof(*v))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if (xc_numainfo(xb->xch, &n, mi, NULL) != 0) {
		rc = -errno;
		goto out;
	}
	for (i = 0; i < n; i++) {	/* bytes, unlike everything else */
		v[i].total_kib = (int64_t)(mi[i].memsize / 1024);
		v[i].free_kib = (int64_t)(mi[i].memfree / 1024);
	}
	*ret = v;
	*ret_n = n;
	v = NULL;
	rc = 0;
out:
	free(mi);
	free(v);
	return rc;
}

static int
xenb_node_of(void *ctx, int32_t domid, int *ret_node)
{
	struct xenb	*xb = ctx;
	uint8_t		 map[128];	/* 1024 nodes, more than Xen has */
	size_t		 i;

	memset(map, 0, sizeof(map));
	if (xc_domain_node_getaffinity(xb->xch, (uint32_t)domid, map) != 0)
		return -errno;
	for (i = 0; i < sizeof(map) * 8; i++)
		if (map[i / 8] & (1u << (i % 8))) {
			*ret_node = (int)i;
			return 0;
		}
	*ret_node = -1;
	return 0;
}

static int
xenb_read(void *ctx, const char *path, char **ret)
{
	struct xenb	*xb = ctx;
	unsigned int	 len;
	char		*v;

	int		 rc;

	if (xb->xsh == NULL)
		return -EPIPE;
	if (xenb_cacheable(path) &&
	    (rc = xscache_get(xb->cache, path, &v)) != 0) {
		if (rc < 0)
			return rc;
		if (v == NULL)
			return -ENOENT;
		*ret = v;
		return 0;
	}
	if ((v = xs_read(xb->xsh, XBT_NULL, path, &len)) == NULL) {
		if (errno == ENOENT && xenb_cacheable(path))
			(void)xscache_put(xb->cache, path, NULL);
		return xenb_fail(xb, errno);
	}
	if (strlen(v) != len) {		/* a NUL inside: not our kind of value */
		free(v);
		return -EINVAL;
	}
	if (xenb_cacheable(path))
		(void)xscache_put(xb->cache, path, v);
	*ret = v;
	return 0;
}

/*
 * The domain directory a per-domain path lies in ("/local/domain/7"), so a
 * write can check the domain still exists (squeezed's write_noexn).
 */
static bool
xenb_domain_dir(const char *path, char *dir, size_t len)
{
	const char	*p;
	size_t		 n;

	if (strncmp(path, "/local/domain/", 14) != 0)
		return false;
	p = path + 14 + strspn(path + 14, "0123456789");
	if (p == path + 14 || *p != '/' || strncmp(path + 14, "0/", 2) == 0)
		return false;		/* dom0 is always there */
	n = (size_t)(p - path);
	if (n >= len)
		return false;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return true;
}

/* One transaction: write path only if its domain directory exists. */
static int
xenb_write_tx(struct xenb *xb, const char *dir, const char *path,
    const char *value)
{
	xs_transaction_t	 t;
	unsigned int		 len;
	char			*v;
	int			 err = 0;

	if ((t = xs_transaction_start(xb->xsh)) == XBT_NULL)
		return xenb_fail(xb, errno);
	if ((v = xs_read(xb->xsh, t, dir, &len)) == NULL)
		err = errno;
	else if (!xs_write(xb->xsh, t, path, value, strlen(value)))
		err = errno;
	free(v);
	if (err != 0) {
		(void)xs_transaction_end(xb->xsh, t, true);
		return xenb_fail(xb, err);
	}
	if (!xs_transaction_end(xb->xsh, t, false))
		return errno == EAGAIN ? -EAGAIN : xenb_fail(xb, errno);
	return 0;
}

static int
xenb_write(void *ctx, const char *path, const char *value)
{
	struct xenb	*xb = ctx;
	char		 dir[64];
	int		 i, rc = -EAGAIN;

	if (xb->xsh == NULL)
		return -EPIPE;
	xscache_invalidate(xb->cache, path);
	if (!xenb_domain_dir(path, dir, sizeof(dir))) {
		if (!xs_write(xb->xsh, XBT_NULL, path, value, strlen(value)))
			return xenb_fail(xb, errno);
		rc = 0;
	} else
		for (i = 0; i < XENB_TX_RETRIES && rc == -EAGAIN; i++)
			rc = xenb_write_tx(xb, dir, path, value);
	if (rc == 0 && xenb_cacheable(path))
		(void)xscache_put(xb->cache, path, value);
	return rc;
}

static int
xenb_rm(void *ctx, const char *path)
{
	struct xenb	*xb = ctx;

	if (xb->xsh == NULL)
		return -EPIPE;
	xscache_invalidate(xb->cache, path);
	if (!xs_rm(xb->xsh, XBT_NULL, path))
		return errno == ENOENT ? 0 : xenb_fail(xb, errno);
	return 0;
}

static int
xenb_directory(void *ctx, const char *path, char ***ret, size_t *ret_n)
{
	struct xenb	*xb = ctx;
	unsigned int	 n, i;
	char		**names, **v;

	int		 rc;

	if (xb->xsh == NULL)
		return -EPIPE;
	if (xenb_cacheable(path) &&
	    (rc = xscache_get_dir(xb->cache, path, ret, ret_n)) != 0)
		return rc < 0 ? rc : 0;
	if ((names = xs_directory(xb->xsh, XBT_NULL, path, &n)) == NULL)
		return xenb_fail(xb, errno);
	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(names[i])) == NULL) {
			free(names);
			backend_strv_free(v, i);
			return -ENOMEM;
		}
	free(names);
	if (xenb_cacheable(path))
		(void)xscache_put_dir(xb->cache, path, v, n);
	*ret = v;
	*ret_n = n;
	return 0;
}

static int
xenb_watch_fd(void *ctx)
{
	struct xenb	*xb = ctx;

	return xb->xsh == NULL ? -1 : xs_fileno(xb->xsh);
}

/* Does an event at path change what the balancer reads? */
static bool
xenb_relevant(const char *path)
{
	/* memory/ covers memory/weight; data/ what the policies read */
	static const char *const keys[] = { "memory/", "control/feature-balloon",
	    "data/updated", "data/meminfo_free", "data/meminfo_total",
	    "data/memory-pressure", "name", NULL };
	const char	*p;
	size_t		 i;

	if (path[0] == '@' || strcmp(path, "/local/domain") == 0)
		return true;
	if (strncmp(path, "/local/domain/", 14) != 0)
		return false;
	p = path + 14 + strspn(path + 14, "0123456789");
	if (*p == '\0')
		return true;		/* a domain directory came or went */
	for (i = 0; keys[i] != NULL; i++)
		if (strncmp(p + 1, keys[i], strlen(keys[i])) == 0)
			return true;
	return false;
}

static int
xenb_drain(void *ctx, bool *ret_changed)
{
	struct xenb	*xb = ctx;
	char		**ev;
	bool		 changed = false;

	if (xb->xsh == NULL)
		return -EPIPE;
	while ((ev = xs_check_watch(xb->xsh)) != NULL) {
		if (ev[XS_WATCH_PATH][0] == '/')
			xscache_invalidate(xb->cache, ev[XS_WATCH_PATH]);
		changed |= xenb_relevant(ev[XS_WATCH_PATH]);
		free(ev);
	}
	if (errno != EAGAIN) {
		*ret_changed = true;
		return xenb_fail(xb, EPIPE);
	}
	*ret_changed = changed;
	return 0;
}

static int
xenb_reconnect(void *ctx)
{
	struct xenb	*xb = ctx;
	int		 rc;

	if (xb->xsh != NULL)
		return 0;
	if ((rc = xenb_connect(xb)) < 0)
		return rc;
	return 1;
}

const struct backend_ops backend_xen_ops = {
	.name		= "xen",
	.open		= xenb_open,
	.close		= xenb_close,
	.physinfo	= xenb_physinfo,
	.domains	= xenb_domains,
	.set_maxmem	= xenb_set_maxmem,
	.read		= xenb_read,
	.write		= xenb_write,
	.rm		= xenb_rm,
	.directory	= xenb_directory,
	.watch_fd	= xenb_watch_fd,
	.drain		= xenb_drain,
	.reconnect	= xenb_reconnect,
	.shadow		= xenb_shadow,
	.claim		= xenb_claim,
	.numa		= xenb_numa,
	.node_of	= xenb_node_of,
};
