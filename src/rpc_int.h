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

/* Transport services for the dispatcher. */
bool	rpc_peer_writer(const struct rpc_peer *);
void	rpc_peer_send(struct rpc_peer *, const char *text);
size_t	rpc_peer_npending(const struct rpc_peer *);
void	rpc_peer_attach(struct rpc_peer *, struct rpc_req *);
void	rpc_peer_detach(struct rpc_req *);
/* Free the peer if it is finished (only outside its own callbacks). */
void	rpc_peer_reap(struct rpc_peer *);

void	rpc_req_free(struct rpc_req *);

#endif
