/*
 * svc.h: what both RPC dialects do, once: reservations (svc_resv.c),
 * migration (svc_mig.c), balancing and what they share (svc.c).  The
 * methods of each dialect only read their parameters and shape their
 * results (a formatter each).  Functions return 0, RPC_PENDING (the request
 * is answered later) or RPC_FAILED (its error set).
 */
#ifndef SQUEEZERD_SVC_H
#define SQUEEZERD_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "op.h"
#include "resv.h"

struct json_object;
struct rpc_req;
struct squeezerd;

#define SVC_DEFAULT_SESSION	"default"
#define SVC_MAX_TTL_S		31536000	/* a year */
#define SVC_MAX_DEADLINE_MS	86400000	/* a day */

/* ---- svc.c -------------------------------------------------------------- */

/* A session or id name: xenstore's characters, or invalid_params. */
int	svc_check_name(struct rpc_req *, const char *what, const char *s);

/* Copy an operation's failure into the request's error. */
void	svc_op_error(struct rpc_req *, const struct op_result *);

typedef struct json_object	*svc_bal_fmt(const struct op_result *);

/* Balance now; answered when it ends. */
int	svc_balance(struct squeezerd *, struct rpc_req *, svc_bal_fmt *);

/* An operation waiting or running, as reservation.pending shows it. */
struct svc_queued {
	const char		*what;		/* "reserve", "balance", ... */
	const char		*id;		/* a reserve's id, or "" */
	const char		*session;	/* a reserve's, or "" */
	const struct op_req	*req;
	struct op_progress	 progress;
	uint64_t		 waited_ms;	/* since it was queued */
	uint64_t		 elapsed_ms;	/* since it began running */
	int64_t			 deadline_in_ms;	/* -1: none */
};

/* The queue in order, the running operation first; malloc'd. */
int	svc_queue(struct squeezerd *, struct svc_queued **ret, size_t *ret_n);

/* ---- svc_resv.c --------------------------------------------------------- */

struct svc_reserve_args {
	const char	*session;
	const char	*id;		/* NULL: a fresh UUID */
	enum op_kind	 kind;		/* RESERVE, RANGE, MIGRATION_RESERVE */
	int64_t		 kib, min_kib, max_kib;
	uint64_t	 ttl_ms;	/* 0: none */
	uint64_t	 deadline_ms;	/* relative; 0: none */
	int		 node;		/* NUMA node's donors first; -1: any */
};

/* A reservation made, with its node's free memory when a node was asked. */
struct svc_reserved {
	struct resv	r;
	int		node;		/* -1: none asked */
	int64_t		node_free_kib;
};
typedef struct json_object	*svc_resv_fmt(const struct svc_reserved *);

int	svc_resv_reserve(struct squeezerd *, struct rpc_req *,
	    const struct svc_reserve_args *, svc_resv_fmt *);
/* End a pending reserve (reservation.cancel): its targets go back. */
int	svc_resv_cancel(struct squeezerd *, struct rpc_req *, const char *id);
/* Session of a pending reserve labelled id (for svc_queue), or NULL. */
const char	*svc_resv_pending_session(struct squeezerd *, const char *id);
int	svc_resv_transfer(struct squeezerd *, struct rpc_req *,
	    const char *session, const char *id, int64_t domid,
	    struct resv *ret);
int	svc_resv_delete(struct squeezerd *, struct rpc_req *,
	    const char *session, const char *id, bool must_exist,
	    struct resv *ret);
int	svc_resv_login(struct squeezerd *, struct rpc_req *,
	    const char *session, size_t *ret_dropped);
int	svc_resv_query(struct squeezerd *, struct rpc_req *, int64_t domid,
	    char ret[RESV_NAME_MAX + 1]);

/* ---- svc_dom.c ---------------------------------------------------------- */

/* A domain's dynamic range as domain.set-range wrote it. */
struct svc_range {
	int32_t		domid;
	int64_t		min_kib, max_kib;
	int64_t		static_max_kib;	/* the limit it was held to */
};

/*
 * The domid of the one domain called name (any domain, booted or not, in
 * the snapshot or not), or invalid_params naming param.
 */
int	svc_dom_named(struct squeezerd *, struct rpc_req *, const char *param,
	    const char *name, int64_t *ret_domid);

/*
 * Read a method's domain: "domid", or "name" (svc_dom_named), exactly
 * one of the two.
 */
int	svc_dom_param(struct squeezerd *, struct rpc_req *,
	    struct json_object *params, int64_t *ret_domid);

/*
 * Give a domain the dynamic range min-max (memory/dynamic-min and -max, as
 * xapi writes them), then balance: min <= max <= static-max (memory/
 * static-max, or the host's memory when the domain has none), min at
 * least conf_range_floor_kib(); dom0 only while the daemon manages it.
 */
int	svc_dom_set_range(struct squeezerd *, struct rpc_req *, int64_t domid,
	    int64_t min_kib, int64_t max_kib, struct svc_range *ret);

/* ---- svc_mig.c ---------------------------------------------------------- */

struct svc_prepared {
	int32_t		domid;
	int64_t		target_kib;
	int64_t		actual_kib;
	bool		ballooned;
};
typedef struct json_object	*svc_prep_fmt(const struct svc_prepared *);

/*
 * Migration, source side: when it is its turn (operations that change
 * targets are serialised), pin domid's target at min(target, max_kib) (not
 * below dynamic-min), balloon it there if it is above, answer when it is.
 * migration end: aborted unpins now (it may grow back); done keeps the pin
 * until the domain is gone.
 */
int	svc_mig_prepare(struct squeezerd *, struct rpc_req *, int64_t domid,
	    int64_t max_kib, uint64_t deadline_ms, svc_prep_fmt *);
int	svc_mig_end(struct squeezerd *, struct rpc_req *, int64_t domid,
	    bool done);

#endif
