/*
 * xcstate.h -- the simulated Xen host shared by the libxenctrl test double,
 * the xcsim CLI and balloon-sim.
 *
 * The host lives in a text file (normally $XENCTRL_SIM_STATE), locked with
 * flock(2): LOCK_SH to read, LOCK_EX for read-modify-write.  One line each:
 *
 *	host total_pages=N xen_pages=N nr_cpus=N nr_nodes=N
 *	node N total_pages=N
 *	dom D tot_pages=N max_pages=N node=N shadow_mb=N outstanding=N
 *	    flags=0xN [pod_target=N pod_cache=N pod_entries=N]
 *	fail CALL=ERRNO
 *	latency_ms=N
 *
 * Pages are 4 KiB.  free_pages is derived, never stored.  This header does
 * not include <xenctrl.h>, which needs GNU C.
 */
#ifndef XCSTATE_H
#define XCSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XCS_PAGE_KIB		4
#define XCS_MAX_NODES		64
#define XCS_MAX_FAILS		32
#define XCS_CALL_MAX		64
#define XCS_DOMID_MAX		0x7fefU	/* DOMID_FIRST_RESERVED - 1 */
#define XCS_NODE_UNSET		UINT64_MAX
#define XCS_STATE_MAX		(16U << 20)	/* biggest state file */

/* The XEN_DOMINF_* bits this code needs (checked against Xen's in fakexc.c). */
#define XCS_DOMINF_DYING	(1U << 0)
#define XCS_DOMINF_HVM		(1U << 1)
#define XCS_DOMINF_SHUTDOWN	(1U << 2)
#define XCS_DOMINF_PAUSED	(1U << 3)

struct xcs_dom {
	uint32_t	domid;
	uint32_t	node;
	uint32_t	flags;		/* XEN_DOMINF_* */
	uint64_t	tot_pages;
	uint64_t	max_pages;
	uint64_t	outstanding;	/* claimed, not yet allocated */
	uint64_t	shadow_mb;	/* p2m pool, not in tot_pages */
	uint64_t	pod_target;	/* pages; HVM only */
	uint64_t	pod_cache;
	uint64_t	pod_entries;
};

struct xcs_fail {
	char		call[XCS_CALL_MAX];
	int		err;
};

struct xcs_state {
	bool		 have_host;
	uint64_t	 total_pages;
	uint64_t	 xen_pages;
	uint32_t	 nr_cpus;
	uint32_t	 nr_nodes;
	uint64_t	 node_pages[XCS_MAX_NODES];	/* or XCS_NODE_UNSET */
	struct xcs_dom	*doms;			/* sorted by domid */
	size_t		 ndoms;
	size_t		 capdoms;
	struct xcs_fail	 fails[XCS_MAX_FAILS];
	size_t		 nfails;
	unsigned int	 latency_ms;
};

/* Called with the loaded state under the lock; < 0 (-errno) aborts. */
typedef int (*xcs_edit_fn)(struct xcs_state *, void *arg);

void		 xcs_init(struct xcs_state *);
void		 xcs_dispose(struct xcs_state *);
int		 xcs_parse(const char *text, struct xcs_state *,
		    char *err, size_t errlen);
int		 xcs_format(const struct xcs_state *, char **ret_text);
int		 xcs_validate(const struct xcs_state *, char *err,
		    size_t errlen);

int		 xcs_read(const char *path, xcs_edit_fn, void *arg,
		    char *err, size_t errlen);
int		 xcs_edit(const char *path, bool create, xcs_edit_fn,
		    void *arg, char *err, size_t errlen);

struct xcs_dom	*xcs_dom_find(struct xcs_state *, uint32_t domid);
int		 xcs_dom_add(struct xcs_state *, uint32_t domid,
		    struct xcs_dom **ret_dom);
int		 xcs_dom_remove(struct xcs_state *, uint32_t domid);
int		 xcs_dom_set(struct xcs_dom *, const char *key,
		    const char *val);
int		 xcs_dom_get(const struct xcs_dom *, const char *key,
		    uint64_t *ret_val);
int		 xcs_host_set(struct xcs_state *, const char *key,
		    const char *val);
int		 xcs_host_get(const struct xcs_state *, const char *key,
		    uint64_t *ret_val);

uint64_t	 xcs_free_pages(const struct xcs_state *);
uint64_t	 xcs_node_total_pages(const struct xcs_state *, uint32_t node);
uint64_t	 xcs_node_free_pages(const struct xcs_state *, uint32_t node);
uint64_t	 xcs_outstanding_pages(const struct xcs_state *);
uint64_t	 xcs_avail_pages(const struct xcs_state *,
		    const struct xcs_dom *for_dom);

void		 xcs_dom_set_tot(struct xcs_dom *, uint64_t tot_pages);
int		 xcs_claim(struct xcs_state *, struct xcs_dom *,
		    uint64_t nr_pages);
void		 xcs_setmaxmem(struct xcs_dom *, uint64_t max_memkb);

int		 xcs_fail_set(struct xcs_state *, const char *call, int err);
void		 xcs_fail_clear(struct xcs_state *, const char *call);
int		 xcs_fail_lookup(const struct xcs_state *, const char *call);

int		 xcs_parse_u64(const char *s, uint64_t max,
		    uint64_t *ret_val);
int		 xcs_errno_parse(const char *s, int *ret_err);
const char	*xcs_errno_name(int err);

#endif /* XCSTATE_H */
