/*
 * rpc.h: the control socket (docs/rpc.md).  Newline-delimited JSON, two
 * dialects (native JSON-RPC 2.0 and squeezed v1), many requests per
 * connection answered as each finishes.  One method per file, registered
 * as data; the dispatcher owns the checks and renders every error.
 */
#ifndef SQUEEZERD_RPC_H
#define SQUEEZERD_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resv.h"

struct json_object;
struct rpc_req;
struct rpc_server;
struct squeezerd;

#define RPC_MAX_LINE		65536	/* bytes, newline excluded */
#define RPC_MAX_DEPTH		32
#define RPC_MAX_CLIENTS		1024	/* at most; less with fewer fds */
#define RPC_FD_RESERVE		64	/* descriptors kept for the rest */
#define RPC_PRIV_SLOTS		32	/* kept for root and socket-group */
#define RPC_MAX_PENDING		64	/* per connection */
#define RPC_OUT_HIGH		(256u << 10)	/* unread replies: pause */
#define RPC_OUT_LOW		(64u << 10)	/* ... read again below */
#define RPC_MAX_OUTPUT		(8u << 20)	/* unread replies: drop */
#define RPC_MAX_DOMIDS		64

enum rpc_dialect {
	RPC_NATIVE,		/* JSON-RPC 2.0, named params */
	RPC_SQUEEZED,		/* squeezed v1: positional, "id":0 */
};

/* Every error a request can end in; each dialect renders it its way. */
enum rpc_errkind {
	RPC_E_PARSE,
	RPC_E_INVALID_REQUEST,
	RPC_E_NO_METHOD,
	RPC_E_PARAMS,
	RPC_E_INTERNAL,
	RPC_E_CANNOT_FREE,	/* needed_kib, free_kib */
	RPC_E_REFUSED,		/* domids */
	RPC_E_UNKNOWN_RESV,	/* id */
	RPC_E_NO_RESV,		/* domid */
	RPC_E_UNKNOWN_DOMAIN,	/* domid */
	RPC_E_DEADLINE,		/* needed_kib, freed_kib, domids */
	RPC_E_CANCELLED,
	RPC_E_BUSY,
	RPC_E_NOT_SUPPORTED,
	RPC_E_INVALID_MEMORY,	/* v1: value */
	RPC_E_DENIED,		/* not root nor in socket-group */
};

struct rpc_err {
	enum rpc_errkind	kind;
	char			detail[256];
	char			param[64];
	char			id[RESV_NAME_MAX + 1];
	int32_t			domid;
	int64_t			needed_kib, free_kib, freed_kib, value;
	int32_t			domids[RPC_MAX_DOMIDS];
	size_t			ndomids;
};

#define RPC_PENDING	1	/* exec: the reply comes later */
#define RPC_FAILED	(-1)	/* exec: the request's error is set */

struct rpc_method {
	const char	*name;
	const char	*params;	/* for people: shown by help */
	unsigned int	 flags;
#define RPC_MUTATES	0x1		/* changes the host or reservations */
#define RPC_SIM		0x2		/* --backend=sim only */
	int		(*exec)(struct squeezerd *, struct rpc_req *,
			    struct json_object *params,
			    struct json_object **ret_result);
};

/*
 * The server: bind path with the configuration's socket-mode and
 * socket-group, before the daemon detaches (no event base needed yet).  A
 * stale socket there is replaced; anything else is refused and left:
 * -ENOTSOCK (not a socket), -EADDRINUSE (a server answers on it).  At most
 * max_clients connections (see RPC_FD_RESERVE), the last RPC_PRIV_SLOTS
 * (at most an eighth) kept for root and socket-group.
 */
int	rpc_server_new(struct squeezerd *, const char *path,
	    unsigned int max_clients, struct rpc_server **ret);
/* Serve it on the daemon's event base. */
int	rpc_server_start(struct rpc_server *);
/*
 * The configuration changed (SIGHUP): the socket's mode and group, who of
 * the connected clients may change things, their idle timeout.
 */
void	rpc_server_reload(struct rpc_server *);
/*
 * Fail every pending request (cancelled), close everything; remove the
 * socket if the path is still the one bound.  NULL-safe.
 */
void	rpc_server_free(struct rpc_server *);

/* Set the request's error; returns RPC_FAILED for "return rpc_fail(...)". */
int	rpc_fail(struct rpc_req *, enum rpc_errkind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* An invalid_params error naming the parameter at fault. */
int	rpc_fail_param(struct rpc_req *, const char *param, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
struct rpc_err	*rpc_req_err(struct rpc_req *);

/* Finish a pending request (result: taken over; NULL is JSON null). */
void	rpc_req_done(struct rpc_req *, struct json_object *result);
/* Finish a pending request with the error set by rpc_fail(). */
void	rpc_req_failed(struct rpc_req *);
/* Called instead of a reply when the client goes away first. */
void	rpc_req_on_cancel(struct rpc_req *, void (*)(struct rpc_req *,
	    void *), void *);

/* Native named parameters: allowed names, typed and bounded values. */
int	rpc_params_only(struct rpc_req *, struct json_object *params,
	    const char *const *names);
int	rpc_param_int(struct rpc_req *, struct json_object *params,
	    const char *name, bool required, int64_t min, int64_t max,
	    int64_t *ret, bool *ret_present);
int	rpc_param_str(struct rpc_req *, struct json_object *params,
	    const char *name, bool required, const char **ret);

/* Result shapes more than one method gives (rpc_shape.c). */
struct svc_reserved;
struct json_object	*rpc_shape_resv(const struct resv *, uint64_t now_ms);
struct json_object	*rpc_shape_reserved(const struct svc_reserved *);
struct json_object	*rpc_shape_domids(const int32_t *, size_t);

/* squeezed v1 positional parameters: types "s" string, "i" integer. */
int	rpc_v1_args(struct rpc_req *, struct json_object *params,
	    const char *types);
const char	*rpc_v1_str(struct json_object *params, size_t i);
int64_t		 rpc_v1_int(struct json_object *params, size_t i);

#endif
