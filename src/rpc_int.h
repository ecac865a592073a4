/*
 * rpc_int.h: what the RPC server's transport (rpc_server.c) and its
 * dispatcher (rpc_dispatch.c) share.  Nothing else includes it.
 */
#ifndef SQUEEZERD_RPC_INT_H
#define SQUEEZERD_RPC_INT_H

#include <sys/queue.h>

#include "rpc.h"

struct rpc_peer;

struct rpc_req {
	struct squeezerd	*bd;
	struct rpc_peer		*peer;
	TAILQ_ENTRY(rpc_req)	 entry;
	enum rpc_dialect	 dialect;
	struct json_object	*id;		/* native; NULL: null */
	bool			 notify;	/* native without id */
	const struct rpc_method	*method;
	void			(*cancel)(struct rpc_req *, void *);
	void			*cancel_arg;
	struct rpc_err		 err;
};

/* One line from a peer (no newline): answer it now or later. */
void	rpc_dispatch(struct squeezerd *, struct rpc_peer *, const char *line,
	    size_t len);

/* A native error for a line that could not be read as a request. */
void	rpc_reply_framing(struct rpc_peer *, enum rpc_errkind,
	    const char *detail);

/*
 * Where a request's reply goes.  Each transport's connection (a control
 * socket client in rpc_server.c, a message from xapi's switch in switch.c)
 * is a struct rpc_peer to the dispatcher and begins with a pointer to its
 * operations; the rpc_peer_* functions below (rpc_sink.c) call them.
 */
struct rpc_sink_ops {
	bool	 v1_only;	/* squeezed v1 calls only; every error in v1 */
	bool	(*writer)(const struct rpc_peer *);
	void	(*send)(struct rpc_peer *, const char *text);
	size_t	(*npending)(const struct rpc_peer *);
	void	(*attach)(struct rpc_peer *, struct rpc_req *);
	void	(*detach)(struct rpc_peer *, struct rpc_req *);
	/* Free the peer if it is finished (only outside its own callbacks). */
	void	(*reap)(struct rpc_peer *);
};

/* Transport services for the dispatcher (NULL-safe where a peer may go). */
bool	rpc_peer_writer(const struct rpc_peer *);
bool	rpc_peer_v1_only(const struct rpc_peer *);
void	rpc_peer_send(struct rpc_peer *, const char *text);
size_t	rpc_peer_npending(const struct rpc_peer *);
void	rpc_peer_attach(struct rpc_peer *, struct rpc_req *);
void	rpc_peer_detach(struct rpc_req *);
void	rpc_peer_reap(struct rpc_peer *);

void	rpc_req_free(struct rpc_req *);

#endif
