/*
 * service.h: what both RPC dialects do, once.  The methods of each dialect
 * only read their parameters and shape their results.  Functions return 0,
 * RPC_PENDING (the request is answered later) or RPC_FAILED (its error set).
 */
#ifndef SQUEEZERD_SERVICE_H
#define SQUEEZERD_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "balancer.h"
#include "resv.h"

struct json_object;
struct rpc_req;
struct squeezerd;

#define SVC_DEFAULT_SESSION	"default"
#define SVC_MAX_TTL_S		31536000	/* a year */
#define SVC_MAX_DEADLINE_MS	86400000	/* a day */

struct svc_reserve_args {
	const char	*session;
	const char	*id;		/* NULL: a fresh UUID */
	enum bal_kind	 kind;		/* BAL_FREE or BAL_RANGE */
	int64_t		 kib, min_kib, max_kib;
	uint64_t	 ttl_ms;	/* 0: none */
	uint64_t	 deadline_ms;	/* relative; 0: none */
	bool		 aim_max;	/* range: all of max if it can be had */
	int		 node;		/* NUMA node's donors first; -1: any */
};

typedef struct json_object	*svc_resv_fmt(const struct resv *);
typedef struct json_object	*svc_bal_fmt(const struct bal_result *);

int	svc_reserve(struct squeezerd *, struct rpc_req *,
	    const struct svc_reserve_args *, svc_resv_fmt *);
int	svc_balance(struct squeezerd *, struct rpc_req *, svc_bal_fmt *);

/* End a pending reserve as if its deadline had passed (reservation.cancel). */
int	svc_cancel(struct squeezerd *, struct rpc_req *, const char *id);

/* The reserves waiting or running, as JSON objects (reservation.pending). */
struct json_object	*svc_pending_list(struct squeezerd *);
int	svc_transfer(struct squeezerd *, struct rpc_req *, const char *session,
	    const char *id, int64_t domid, struct resv *ret);
int	svc_delete(struct squeezerd *, struct rpc_req *, const char *session,
	    const char *id, bool must_exist, struct resv *ret);
int	svc_login(struct squeezerd *, struct rpc_req *, const char *session,
	    size_t *ret_dropped);
int	svc_query(struct squeezerd *, struct rpc_req *, int64_t domid,
	    char ret[RESV_NAME_MAX + 1]);

/*
 * Migration, source side: pin domid's target at min(target, max_kib) (not
 * below dynamic-min), balloon it there if it is above, answer when it is.
 * migration_end: aborted unpins now (it may grow back); done keeps the pin
 * until the domain is gone.
 */
int	svc_migration_prepare(struct squeezerd *, struct rpc_req *,
	    int64_t domid, int64_t max_kib, uint64_t deadline_ms,
	    struct json_object **ret);
int	svc_migration_end(struct squeezerd *, struct rpc_req *, int64_t domid,
	    bool done);

/* Boot-time host free memory (KiB): squeezed's get_host_initial_free. */
int64_t	svc_boot_free_kib(struct squeezerd *);

/* dom0's memory (KiB): squeezed's get_total_memory. */
int64_t	svc_dom0_kib(struct squeezerd *);

#endif
