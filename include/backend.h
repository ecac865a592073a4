/*
 * backend.h: the hypervisor and xenstore behind one const ops table
 * (STYLE H2).  Sizes are KiB here: the Xen backend converts pages and bytes
 * once, at its edge.  The host model (model.c) builds squeezed's snapshot
 * from these primitives, so both backends share every accounting rule.
 */
#ifndef SQUEEZERD_BACKEND_H
#define SQUEEZERD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct backend_physinfo {
	int64_t	total_kib;
	int64_t	free_kib;
	int64_t	scrub_kib;
	int64_t	claimed_kib;	/* outstanding claims, within free_kib */
};

struct backend_node {
	int64_t	total_kib;
	int64_t	free_kib;
};

struct backend_dominfo {
	int32_t	domid;
	int64_t	tot_kib;	/* tot_pages */
	int64_t	max_kib;	/* max_pages: Xen's raw maxmem */
	int64_t	claim_kib;	/* outstanding (claimed, not yet had) */
	bool	hvm;
	bool	dying;		/* shutdown or dying */
};

struct conf;

struct backend_args {
	const char	*host_file;	/* sim: scenario file, NULL: built in */
	const char	*state_file;	/* sim: persistent state; NULL: */
	const char	*socket_path;	/* ... this plus ".sim" */
	struct conf	*conf;		/* sim: the host file's config over it */
	uint64_t	 now_ms;	/* the daemon's clock at open */
};

struct backend_ops {
	const char	*name;
	unsigned int	 flags;
#define BACKEND_DOM0_GUEST	0x1	/* dom0 is one guest among the others */
#define BACKEND_TOOLSTACK	0x2	/* the sim.* methods play the toolstack */
	/*
	 * The backend's own configuration over c (the sim host file's
	 * "config"), at start and reload; may be NULL.
	 */
	int	(*host_conf)(const char *host_file, struct conf *c, char *err,
		    size_t errlen);
	int	(*open)(const struct backend_args *, void **ret_ctx,
		    char *err, size_t errlen);
	void	(*close)(void *ctx);
	int	(*physinfo)(void *ctx, struct backend_physinfo *ret);
	/* Every domain, ascending domid, in a malloc'd array. */
	int	(*domains)(void *ctx, struct backend_dominfo **ret,
		    size_t *ret_n);
	int	(*set_maxmem)(void *ctx, int32_t domid, int64_t kib);
	/* xenstore: -ENOENT for a missing node. */
	int	(*read)(void *ctx, const char *path, char **ret);
	int	(*write)(void *ctx, const char *path, const char *value);
	int	(*rm)(void *ctx, const char *path);
	/* Children names, malloc'd (free each, then the array). */
	int	(*directory)(void *ctx, const char *path, char ***ret,
		    size_t *ret_n);
	/* Bring the host to now_ms (sim: balloon physics); may be NULL. */
	int	(*tick)(void *ctx, uint64_t now_ms);
	/* Make every write so far survive a daemon crash; may be NULL. */
	int	(*sync)(void *ctx);
	/*
	 * xenstore events (all three may be NULL): the fd to poll, -1 when
	 * there is none (or the connection is down); drain consumes what is
	 * pending and says whether anything the balancer reads changed, or
	 * fails with -EPIPE when the connection to xenstored is lost.
	 */
	int	(*watch_fd)(void *ctx);
	int	(*drain)(void *ctx, bool *ret_changed);
	/* Reconnect a lost connection: 1 done (a new store), 0 not lost. */
	int	(*reconnect)(void *ctx);
	/* Xen's shadow allocation of an hvm domain, KiB; may be NULL. */
	int	(*shadow)(void *ctx, int32_t domid, int64_t *ret_kib);
	/*
	 * Claim memory for a domain so nothing else takes it before the build
	 * (Xen claims: kib is the total the domain will have; 0 cancels).
	 * May be NULL.
	 */
	int	(*claim)(void *ctx, int32_t domid, int64_t kib);
	/* Per NUMA node memory, malloc'd; may be NULL (one node). */
	int	(*numa)(void *ctx, struct backend_node **ret, size_t *ret_n);
	/* The node a domain's memory is on (its first affinity), or -1. */
	int	(*node_of)(void *ctx, int32_t domid, int *ret_node);
};

extern const struct backend_ops backend_sim_ops;
extern const struct backend_ops backend_xen_ops;

/* Free a directory() result. */
void	backend_strv_free(char **, size_t);

#endif
