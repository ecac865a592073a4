/*
 * ctl_rpc.h: squeezerctl's client side of the control socket: one
 * connection, blocking, one JSON-RPC 2.0 request line at a time.
 */
#ifndef SQUEEZERD_CTL_RPC_H
#define SQUEEZERD_CTL_RPC_H

#define CTL_RPC_SOCKET		"/run/squeezerd/socket"
#define CTL_RPC_MAX_REQUEST	65536		/* the daemon's line limit */
#define CTL_RPC_MAX_RESPONSE	(16u << 20)	/* bytes, newline excluded */

struct ctl_rpc;
struct json_object;

/* Connect to the socket at path: -ENAMETOOLONG, -ENOMEM or connect's -errno. */
int	ctl_rpc_open(const char *path, struct ctl_rpc **ret);

/* Close the connection (NULL-safe). */
void	ctl_rpc_free(struct ctl_rpc *);

/*
 * Send method with params (an object, or NULL for none; not consumed) and
 * wait for the response.  Returns 0 with the result (the caller puts it;
 * NULL for a JSON null), -EREMOTEIO for an error from the daemon, or
 * -errno for a local or protocol failure; either way ctl_rpc_strerror()
 * then says what went wrong.
 */
int	ctl_rpc_call(struct ctl_rpc *, const char *method,
	    struct json_object *params, struct json_object **ret_result);

/* What ctl_rpc_call_ticking() calls while it waits. */
typedef void	ctl_rpc_tick_fn(void *arg);

/*
 * As ctl_rpc_call(), but while the response has not come call tick(arg)
 * every tick_ms (the socket is polled with a timeout), first tick_ms after
 * the request was sent.
 */
int	ctl_rpc_call_ticking(struct ctl_rpc *, const char *method,
	    struct json_object *params, unsigned int tick_ms,
	    ctl_rpc_tick_fn *tick, void *arg,
	    struct json_object **ret_result);

/*
 * The last failure as one line without a newline, e.g. "cannot connect
 * to ...", or for an error from the daemon its word and detail, as
 * "unknown_reservation: <detail>".
 */
const char	*ctl_rpc_strerror(const struct ctl_rpc *);

/*
 * The daemon's error object ({"code", "message", "data"?}) when the last
 * call failed with -EREMOTEIO, else NULL; valid until the next call.
 */
struct json_object	*ctl_rpc_error(const struct ctl_rpc *);

#endif
