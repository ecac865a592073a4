/*
 * xcstate.c -- the simulated Xen host: parse, format, lock and the Xen
 * memory semantics (claims, maxmem, free memory) shared by the libxenctrl
 * test double, xcsim and balloon-sim.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xcstate.h"

#define XCS_PAGES_MAX		(1ULL << 40)	/* 4 PiB in pages */
#define XCS_PAGES_PER_MB	256

static const struct {
	const char	*key;
	size_t		 off;
	bool		 is32;
	uint64_t	 max;
} xcs_dom_keys[] = {
	{ "tot_pages",	 offsetof(struct xcs_dom, tot_pages), false,
	    XCS_PAGES_MAX },
	{ "max_pages",	 offsetof(struct xcs_dom, max_pages), false,
	    UINT32_MAX },
	{ "node",	 offsetof(struct xcs_dom, node), true,
	    XCS_MAX_NODES - 1 },
	{ "shadow_mb",	 offsetof(struct xcs_dom, shadow_mb), false,
	    XCS_PAGES_MAX / XCS_PAGES_PER_MB },
	{ "outstanding", offsetof(struct xcs_dom, outstanding), false,
	    XCS_PAGES_MAX },
	{ "flags",	 offsetof(struct xcs_dom, flags), true, UINT32_MAX },
	{ "pod_target",	 offsetof(struct xcs_dom, pod_target), false,
	    XCS_PAGES_MAX },
	{ "pod_cache",	 offsetof(struct xcs_dom, pod_cache), false,
	    XCS_PAGES_MAX },
	{ "pod_entries", offsetof(struct xcs_dom, pod_entries), false,
	    XCS_PAGES_MAX },
};

static const struct {
	const char	*name;
	int		 err;
} xcs_errnos[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
	{ "EINTR", EINTR }, { "EIO", EIO }, { "ENXIO", ENXIO },
	{ "E2BIG", E2BIG }, { "EBADF", EBADF }, { "EAGAIN", EAGAIN },
	{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "ENODEV", ENODEV },
	{ "EINVAL", EINVAL }, { "ENOSPC", ENOSPC }, { "ERANGE", ERANGE },
	{ "ENOSYS", ENOSYS }, { "ENOBUFS", ENOBUFS },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ETIMEDOUT", ETIMEDOUT },
	{ "ECONNREFUSED", ECONNREFUSED },
};

static void	xcs_err(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Format an error message into a caller buffer, if there is one. */
static void
xcs_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Reset a state to an empty host with one node and no domains. */
void
xcs_init(struct xcs_state *st)
{
	size_t	i;

	memset(st, 0, sizeof(*st));
	st->nr_cpus = 1;
	st->nr_nodes = 1;
	for (i = 0; i < XCS_MAX_NODES; i++)
		st->node_pages[i] = XCS_NODE_UNSET;
}

/* Free what a state owns; the state may be reused after xcs_init. */
void
xcs_dispose(struct xcs_state *st)
{
	if (st == NULL)
		return;
	free(st->doms);
	st->doms = NULL;
	st->ndoms = st->capdoms = 0;
}

/* Parse a decimal or 0x-hex number, digits only, at most max. */
int
xcs_parse_u64(const char *s, uint64_t max, uint64_t *ret_val)
{
	unsigned long long	 v;
	char			*end;
	int			 base = 10;

	if (s == NULL)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
	} else if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*ret_val = v;
	return 0;
}

/* Map "EPERM" (or a number) to an errno value. */
int
xcs_errno_parse(const char *s, int *ret_err)
{
	uint64_t	v;
	size_t		i;

	for (i = 0; i < sizeof(xcs_errnos) / sizeof(xcs_errnos[0]); i++) {
		if (strcmp(s, xcs_errnos[i].name) == 0) {
			*ret_err = xcs_errnos[i].err;
			return 0;
		}
	}
	if (xcs_parse_u64(s, 4095, &v) < 0 || v == 0)
		return -EINVAL;
	*ret_err = (int)v;
	return 0;
}

/* Name of an errno value, or NULL when the table does not know it. */
const char *
xcs_errno_name(int err)
{
	size_t	i;

	for (i = 0; i < sizeof(xcs_errnos) / sizeof(xcs_errnos[0]); i++)
		if (xcs_errnos[i].err == err)
			return xcs_errnos[i].name;
	return NULL;
}

/* Find a domain by id. */
struct xcs_dom *
xcs_dom_find(struct xcs_state *st, uint32_t domid)
{
	size_t	i;

	for (i = 0; i < st->ndoms; i++)
		if (st->doms[i].domid == domid)
			return &st->doms[i];
	return NULL;
}

/* Insert a new, empty domain in domid order; -EEXIST if present. */
int
xcs_dom_add(struct xcs_state *st, uint32_t domid, struct xcs_dom **ret_dom)
{
	struct xcs_dom	*doms;
	size_t		 i, cap;

	if (domid > XCS_DOMID_MAX)
		return -ERANGE;
	if (xcs_dom_find(st, domid) != NULL)
		return -EEXIST;
	if (st->ndoms == st->capdoms) {
		cap = st->capdoms == 0 ? 8 : st->capdoms * 2;
		if ((doms = realloc(st->doms, cap * sizeof(*doms))) == NULL)
			return -ENOMEM;
		st->doms = doms;
		st->capdoms = cap;
	}
	for (i = st->ndoms; i > 0 && st->doms[i - 1].domid > domid; i--)
		st->doms[i] = st->doms[i - 1];
	memset(&st->doms[i], 0, sizeof(st->doms[i]));
	st->doms[i].domid = domid;
	st->ndoms++;
	*ret_dom = &st->doms[i];
	return 0;
}

/* Remove a domain; -ESRCH if absent. */
int
xcs_dom_remove(struct xcs_state *st, uint32_t domid)
{
	struct xcs_dom	*d;
	size_t		 i;

	if ((d = xcs_dom_find(st, domid)) == NULL)
		return -ESRCH;
	i = (size_t)(d - st->doms);
	memmove(d, d + 1, (st->ndoms - i - 1) * sizeof(*d));
	st->ndoms--;
	return 0;
}

/* Index of a domain key in xcs_dom_keys, or -1. */
static int
xcs_dom_key(const char *key)
{
	size_t	i;

	for (i = 0; i < sizeof(xcs_dom_keys) / sizeof(xcs_dom_keys[0]); i++)
		if (strcmp(key, xcs_dom_keys[i].key) == 0)
			return (int)i;
	return -1;
}

/* Set one raw domain field: -ENOENT unknown key, -EINVAL/-ERANGE bad value. */
int
xcs_dom_set(struct xcs_dom *d, const char *key, const char *val)
{
	uint64_t	 v;
	char		*p;
	int		 k, rc;

	if ((k = xcs_dom_key(key)) < 0)
		return -ENOENT;
	if ((rc = xcs_parse_u64(val, xcs_dom_keys[k].max, &v)) < 0)
		return rc;
	p = (char *)d + xcs_dom_keys[k].off;
	if (xcs_dom_keys[k].is32)
		*(uint32_t *)(void *)p = (uint32_t)v;
	else
		*(uint64_t *)(void *)p = v;
	return 0;
}

/* Read one domain field by key; -ENOENT for an unknown key. */
int
xcs_dom_get(const struct xcs_dom *d, const char *key, uint64_t *ret_val)
{
	const char	*p;
	int		 k;

	if ((k = xcs_dom_key(key)) < 0)
		return -ENOENT;
	p = (const char *)d + xcs_dom_keys[k].off;
	if (xcs_dom_keys[k].is32)
		*ret_val = *(const uint32_t *)(const void *)p;
	else
		*ret_val = *(const uint64_t *)(const void *)p;
	return 0;
}

/* Set one host field. */
int
xcs_host_set(struct xcs_state *st, const char *key, const char *val)
{
	uint64_t	v;
	int		rc;

	if (strcmp(key, "total_pages") == 0 || strcmp(key, "xen_pages") == 0) {
		if ((rc = xcs_parse_u64(val, XCS_PAGES_MAX, &v)) < 0)
			return rc;
		if (key[0] == 't')
			st->total_pages = v;
		else
			st->xen_pages = v;
	} else if (strcmp(key, "nr_cpus") == 0) {
		if ((rc = xcs_parse_u64(val, 65535, &v)) < 0)
			return rc;
		if (v == 0)
			return -ERANGE;
		st->nr_cpus = (uint32_t)v;
	} else if (strcmp(key, "nr_nodes") == 0) {
		if ((rc = xcs_parse_u64(val, XCS_MAX_NODES, &v)) < 0)
			return rc;
		if (v == 0)
			return -ERANGE;
		st->nr_nodes = (uint32_t)v;
	} else
		return -ENOENT;
	st->have_host = true;
	return 0;
}

/* Read a host figure, stored or derived, by key. */
int
xcs_host_get(const struct xcs_state *st, const char *key, uint64_t *ret_val)
{
	uint64_t	v;

	if (strcmp(key, "total_pages") == 0)
		v = st->total_pages;
	else if (strcmp(key, "xen_pages") == 0)
		v = st->xen_pages;
	else if (strcmp(key, "nr_cpus") == 0)
		v = st->nr_cpus;
	else if (strcmp(key, "nr_nodes") == 0)
		v = st->nr_nodes;
	else if (strcmp(key, "free_pages") == 0)
		v = xcs_free_pages(st);
	else if (strcmp(key, "outstanding_pages") == 0)
		v = xcs_outstanding_pages(st);
	else if (strcmp(key, "latency_ms") == 0)
		v = st->latency_ms;
	else
		return -ENOENT;
	*ret_val = v;
	return 0;
}

/* Add or replace a fault: CALL fails with err. */
int
xcs_fail_set(struct xcs_state *st, const char *call, int err)
{
	size_t	i, len = strlen(call);

	if (len == 0 || len >= XCS_CALL_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)call[i]) &&
		    !isdigit((unsigned char)call[i]) && call[i] != '_')
			return -EINVAL;
	for (i = 0; i < st->nfails; i++)
		if (strcmp(st->fails[i].call, call) == 0)
			break;
	if (i == XCS_MAX_FAILS)
		return -ENOSPC;
	memcpy(st->fails[i].call, call, len + 1);
	st->fails[i].err = err;
	if (i == st->nfails)
		st->nfails++;
	return 0;
}

/* Remove the fault on CALL, if any. */
void
xcs_fail_clear(struct xcs_state *st, const char *call)
{
	size_t	i;

	for (i = 0; i < st->nfails; i++) {
		if (strcmp(st->fails[i].call, call) == 0) {
			st->fails[i] = st->fails[--st->nfails];
			return;
		}
	}
}

/* The injected errno for CALL, or 0. */
int
xcs_fail_lookup(const struct xcs_state *st, const char *call)
{
	size_t	i;

	for (i = 0; i < st->nfails; i++)
		if (strcmp(st->fails[i].call, call) == 0)
			return st->fails[i].err;
	return 0;
}

/* Pages a domain takes from the host: its allocation plus its shadow pool. */
static uint64_t
xcs_dom_used_pages(const struct xcs_dom *d)
{
	return d->tot_pages + d->shadow_mb * XCS_PAGES_PER_MB;
}

/* Host free pages (Xen's total_avail_pages): claims are NOT subtracted. */
uint64_t
xcs_free_pages(const struct xcs_state *st)
{
	uint64_t	used = st->xen_pages;
	size_t		i;

	for (i = 0; i < st->ndoms; i++)
		used += xcs_dom_used_pages(&st->doms[i]);
	return st->total_pages > used ? st->total_pages - used : 0;
}

/* Size of a node: its node line, else an even share of what is left. */
uint64_t
xcs_node_total_pages(const struct xcs_state *st, uint32_t node)
{
	uint64_t	set = 0, left, share;
	uint32_t	i, nunset = 0, first_unset = 0;

	if (node >= st->nr_nodes)
		return 0;
	if (st->node_pages[node] != XCS_NODE_UNSET)
		return st->node_pages[node];
	for (i = st->nr_nodes; i-- > 0;) {
		if (st->node_pages[i] == XCS_NODE_UNSET) {
			nunset++;
			first_unset = i;
		} else
			set += st->node_pages[i];
	}
	left = st->total_pages > set ? st->total_pages - set : 0;
	share = left / nunset;
	return node == first_unset ? share + left % nunset : share;
}

/* Free pages of one node; Xen's own pages count against node 0. */
uint64_t
xcs_node_free_pages(const struct xcs_state *st, uint32_t node)
{
	uint64_t	used = node == 0 ? st->xen_pages : 0, total;
	size_t		i;

	total = xcs_node_total_pages(st, node);
	for (i = 0; i < st->ndoms; i++)
		if (st->doms[i].node == node)
			used += xcs_dom_used_pages(&st->doms[i]);
	return total > used ? total - used : 0;
}

/* Sum of all claims. */
uint64_t
xcs_outstanding_pages(const struct xcs_state *st)
{
	uint64_t	sum = 0;
	size_t		i;

	for (i = 0; i < st->ndoms; i++)
		sum += st->doms[i].outstanding;
	return sum;
}

/* Pages for_dom may allocate: free minus the claims of everyone else. */
uint64_t
xcs_avail_pages(const struct xcs_state *st, const struct xcs_dom *for_dom)
{
	uint64_t	free_pages, claimed;

	free_pages = xcs_free_pages(st);
	claimed = xcs_outstanding_pages(st);
	if (for_dom != NULL)
		claimed -= for_dom->outstanding;
	return free_pages > claimed ? free_pages - claimed : 0;
}

/* Move tot_pages; growth consumes the domain's claim first, as Xen does. */
void
xcs_dom_set_tot(struct xcs_dom *d, uint64_t tot_pages)
{
	uint64_t	grow;

	if (tot_pages > d->tot_pages) {
		grow = tot_pages - d->tot_pages;
		d->outstanding = grow >= d->outstanding ? 0 :
		    d->outstanding - grow;
	}
	d->tot_pages = tot_pages;
}

/* XENMEM_claim_pages: nr_pages is the total to reach; 0 cancels. */
int
xcs_claim(struct xcs_state *st, struct xcs_dom *d, uint64_t nr_pages)
{
	uint64_t	claim;

	if (nr_pages == 0) {
		d->outstanding = 0;
		return 0;
	}
	if (d->outstanding != 0)
		return -EINVAL;
	if (nr_pages <= d->tot_pages || nr_pages > d->max_pages)
		return -EINVAL;
	claim = nr_pages - d->tot_pages;
	if (claim > xcs_avail_pages(st, NULL))
		return -ENOMEM;
	d->outstanding = claim;
	return 0;
}

/* XEN_DOMCTL_max_mem: KiB in, may go below tot_pages (ratchet down). */
void
xcs_setmaxmem(struct xcs_dom *d, uint64_t max_memkb)
{
	uint64_t	pages = max_memkb / XCS_PAGE_KIB;

	d->max_pages = pages > UINT32_MAX ? UINT32_MAX : pages;
}

/* Apply "k=v" words to a domain (raw) or to the host. */
static int
xcs_parse_kvs(struct xcs_state *st, struct xcs_dom *d, char **save,
    char *err, size_t errlen)
{
	char	*w, *eq;
	int	 rc;

	while ((w = strtok_r(NULL, " \t", save)) != NULL) {
		if ((eq = strchr(w, '=')) == NULL) {
			xcs_err(err, errlen, "'%s': expected key=value", w);
			return -EINVAL;
		}
		*eq = '\0';
		rc = d != NULL ? xcs_dom_set(d, w, eq + 1) :
		    xcs_host_set(st, w, eq + 1);
		if (rc == -ENOENT) {
			xcs_err(err, errlen, "unknown key '%s'", w);
			return -EINVAL;
		}
		if (rc < 0) {
			xcs_err(err, errlen, "%s: bad number '%s'", w, eq + 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* "dom D k=v..." */
static int
xcs_parse_dom(struct xcs_state *st, char **save, char *err, size_t errlen)
{
	struct xcs_dom	*d;
	uint64_t	 domid;
	char		*w;
	int		 rc;

	w = strtok_r(NULL, " \t", save);
	if (xcs_parse_u64(w, XCS_DOMID_MAX, &domid) < 0) {
		xcs_err(err, errlen, "dom: bad domid '%s'", w ? w : "");
		return -EINVAL;
	}
	if ((rc = xcs_dom_add(st, (uint32_t)domid, &d)) < 0) {
		xcs_err(err, errlen, "dom %s: %s", w, rc == -EEXIST ?
		    "listed twice" : strerror(-rc));
		return -EINVAL;
	}
	return xcs_parse_kvs(st, d, save, err, errlen);
}

/* "node N total_pages=P" */
static int
xcs_parse_node(struct xcs_state *st, char **save, char *err, size_t errlen)
{
	uint64_t	 node, pages;
	char		*w, *kv;

	w = strtok_r(NULL, " \t", save);
	kv = strtok_r(NULL, " \t", save);
	if (xcs_parse_u64(w, XCS_MAX_NODES - 1, &node) < 0 || kv == NULL ||
	    strncmp(kv, "total_pages=", 12) != 0 ||
	    xcs_parse_u64(kv + 12, XCS_PAGES_MAX, &pages) < 0 ||
	    strtok_r(NULL, " \t", save) != NULL) {
		xcs_err(err, errlen, "expected 'node N total_pages=P'");
		return -EINVAL;
	}
	st->node_pages[node] = pages;
	return 0;
}

/* "fail CALL=ERRNO" */
static int
xcs_parse_fail(struct xcs_state *st, char **save, char *err, size_t errlen)
{
	char	*w, *eq;
	int	 e;

	w = strtok_r(NULL, " \t", save);
	if (w == NULL || (eq = strchr(w, '=')) == NULL) {
		xcs_err(err, errlen, "expected 'fail CALL=ERRNO'");
		return -EINVAL;
	}
	*eq = '\0';
	if (xcs_errno_parse(eq + 1, &e) < 0) {
		xcs_err(err, errlen, "fail %s: unknown errno '%s'", w, eq + 1);
		return -EINVAL;
	}
	if (xcs_fail_set(st, w, e) < 0) {
		xcs_err(err, errlen, "fail: bad call name '%s'", w);
		return -EINVAL;
	}
	return 0;
}

/* Parse one non-blank line. */
static int
xcs_parse_line(struct xcs_state *st, char *line, char *err, size_t errlen)
{
	uint64_t	 v;
	char		*save = NULL, *w;

	w = strtok_r(line, " \t", &save);
	if (strcmp(w, "host") == 0)
		return xcs_parse_kvs(st, NULL, &save, err, errlen);
	if (strcmp(w, "node") == 0)
		return xcs_parse_node(st, &save, err, errlen);
	if (strcmp(w, "dom") == 0)
		return xcs_parse_dom(st, &save, err, errlen);
	if (strcmp(w, "fail") == 0)
		return xcs_parse_fail(st, &save, err, errlen);
	if (strncmp(w, "latency_ms=", 11) == 0) {
		if (xcs_parse_u64(w + 11, 600000, &v) < 0) {
			xcs_err(err, errlen, "latency_ms: bad number");
			return -EINVAL;
		}
		st->latency_ms = (unsigned int)v;
		return 0;
	}
	xcs_err(err, errlen, "unknown line type '%s'", w);
	return -EINVAL;
}

/* Parse a whole state text into st (which the caller has xcs_init'ed). */
int
xcs_parse(const char *text, struct xcs_state *st, char *err, size_t errlen)
{
	char		*copy, *line, *save = NULL, *p;
	char		 msg[256];
	unsigned int	 lineno = 0;
	int		 rc = 0;

	if ((copy = strdup(text)) == NULL)
		return -ENOMEM;
	for (line = copy; line != NULL; line = save) {
		lineno++;
		if ((save = strchr(line, '\n')) != NULL)
			*save++ = '\0';
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		line += strspn(line, " \t\r");
		if (*line == '\0')
			continue;
		if ((rc = xcs_parse_line(st, line, msg, sizeof(msg))) < 0) {
			xcs_err(err, errlen, "line %u: %s", lineno, msg);
			break;
		}
	}
	free(copy);
	return rc;
}

/* Check cross-field consistency of a host that has a host line. */
int
xcs_validate(const struct xcs_state *st, char *err, size_t errlen)
{
	uint32_t	i;

	for (i = 0; i < XCS_MAX_NODES; i++) {
		if (i >= st->nr_nodes && st->node_pages[i] != XCS_NODE_UNSET) {
			xcs_err(err, errlen, "node %u: nr_nodes is %u", i,
			    st->nr_nodes);
			return -EINVAL;
		}
	}
	for (i = 0; i < st->ndoms; i++) {
		if (st->doms[i].node >= st->nr_nodes) {
			xcs_err(err, errlen, "dom %u: node %u but nr_nodes "
			    "is %u", st->doms[i].domid, st->doms[i].node,
			    st->nr_nodes);
			return -EINVAL;
		}
	}
	return 0;
}

/* Write one domain line. */
static void
xcs_format_dom(FILE *f, const struct xcs_dom *d)
{
	fprintf(f, "dom %u tot_pages=%llu max_pages=%llu node=%u "
	    "shadow_mb=%llu outstanding=%llu flags=0x%x", d->domid,
	    (unsigned long long)d->tot_pages,
	    (unsigned long long)d->max_pages, d->node,
	    (unsigned long long)d->shadow_mb,
	    (unsigned long long)d->outstanding, d->flags);
	if (d->pod_target != 0 || d->pod_cache != 0 || d->pod_entries != 0)
		fprintf(f, " pod_target=%llu pod_cache=%llu pod_entries=%llu",
		    (unsigned long long)d->pod_target,
		    (unsigned long long)d->pod_cache,
		    (unsigned long long)d->pod_entries);
	fputc('\n', f);
}

/* Format the state in the canonical file format. */
int
xcs_format(const struct xcs_state *st, char **ret_text)
{
	FILE	*f;
	char	*text = NULL;
	size_t	 len, i;

	if ((f = open_memstream(&text, &len)) == NULL)
		return -errno;
	if (st->have_host)
		fprintf(f, "host total_pages=%llu xen_pages=%llu nr_cpus=%u "
		    "nr_nodes=%u\n", (unsigned long long)st->total_pages,
		    (unsigned long long)st->xen_pages, st->nr_cpus,
		    st->nr_nodes);
	for (i = 0; i < XCS_MAX_NODES; i++)
		if (st->node_pages[i] != XCS_NODE_UNSET)
			fprintf(f, "node %zu total_pages=%llu\n", i,
			    (unsigned long long)st->node_pages[i]);
	for (i = 0; i < st->ndoms; i++)
		xcs_format_dom(f, &st->doms[i]);
	for (i = 0; i < st->nfails; i++) {
		if (xcs_errno_name(st->fails[i].err) != NULL)
			fprintf(f, "fail %s=%s\n", st->fails[i].call,
			    xcs_errno_name(st->fails[i].err));
		else
			fprintf(f, "fail %s=%d\n", st->fails[i].call,
			    st->fails[i].err);
	}
	if (st->latency_ms != 0)
		fprintf(f, "latency_ms=%u\n", st->latency_ms);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret_text = text;
	return 0;
}

/* Open the state file and take the lock. */
static int
xcs_lock_open(const char *path, bool edit, bool create, int *ret_fd)
{
	int	fd, flags, rc;

	flags = (edit ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	if (create)
		flags |= O_CREAT;
	if ((fd = open(path, flags, 0644)) == -1)
		return -errno;
	while (flock(fd, edit ? LOCK_EX : LOCK_SH) == -1) {
		if (errno != EINTR) {
			rc = -errno;
			(void)close(fd);
			return rc;
		}
	}
	*ret_fd = fd;
	return 0;
}

/* Read the whole file into a NUL-terminated buffer. */
static int
xcs_slurp(int fd, char **ret_text)
{
	char	*buf = NULL, *nbuf;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;
	int	 rc;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > XCS_STATE_MAX) {
				rc = -EFBIG;
				goto out;
			}
			if ((nbuf = realloc(buf, cap)) == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nbuf;
		}
		n = pread(fd, buf + len, cap - len - 1, (off_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_text = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

/*
 * Rewrite the file in place (the lock is on this inode: never rename),
 * unless the canonical text is what the file already holds.
 */
static int
xcs_store(int fd, const struct xcs_state *st, const char *old)
{
	char	*text = NULL;
	size_t	 len, off = 0;
	ssize_t	 n;
	int	 rc;

	if ((rc = xcs_format(st, &text)) < 0)
		return rc;
	if (strcmp(text, old) == 0) {
		rc = 0;
		goto out;
	}
	len = strlen(text);
	while (off < len) {
		n = pwrite(fd, text + off, len - off, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = -errno;
			goto out;
		}
		off += (size_t)n;
	}
	rc = ftruncate(fd, (off_t)len) == -1 ? -errno : 0;
out:
	free(text);
	return rc;
}

/* Load under the lock, run fn, and store the result if edit and fn >= 0. */
static int
xcs_run(const char *path, bool edit, bool create, xcs_edit_fn fn, void *arg,
    char *err, size_t errlen)
{
	struct xcs_state	 st;
	char			*text = NULL, msg[256];
	int			 fd = -1, rc, frc;

	xcs_err(err, errlen, "%s", "");
	xcs_init(&st);
	if ((rc = xcs_lock_open(path, edit, create, &fd)) < 0) {
		xcs_err(err, errlen, "%s: %s", path, strerror(-rc));
		goto out;
	}
	if ((rc = xcs_slurp(fd, &text)) < 0) {
		xcs_err(err, errlen, "%s: %s", path, strerror(-rc));
		goto out;
	}
	if ((rc = xcs_parse(text, &st, msg, sizeof(msg))) < 0 ||
	    (rc = xcs_validate(&st, msg, sizeof(msg))) < 0) {
		xcs_err(err, errlen, "%s: %s", path, msg);
		goto out;
	}
	if ((frc = fn(&st, arg)) < 0) {
		rc = frc;
		goto out;
	}
	if (edit && (rc = xcs_store(fd, &st, text)) < 0) {
		xcs_err(err, errlen, "%s: write: %s", path, strerror(-rc));
		goto out;
	}
	rc = frc;
out:
	if (fd != -1)
		(void)close(fd);	/* drops the flock */
	free(text);
	xcs_dispose(&st);
	return rc;
}

/* Run fn on a snapshot read under LOCK_SH. */
int
xcs_read(const char *path, xcs_edit_fn fn, void *arg, char *err,
    size_t errlen)
{
	return xcs_run(path, false, false, fn, arg, err, errlen);
}

/* Read-modify-write under LOCK_EX; nothing is written if fn fails. */
int
xcs_edit(const char *path, bool create, xcs_edit_fn fn, void *arg, char *err,
    size_t errlen)
{
	return xcs_run(path, true, create, fn, arg, err, errlen);
}
