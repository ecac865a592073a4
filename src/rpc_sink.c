/*
 * rpc_sink.c: the dispatcher's side of a reply sink (rpc_int.h): every
 * transport's connection begins with a pointer to its rpc_sink_ops, so a
 * request is answered the same way whether it came on the control socket
 * or from xapi's message-switch.
 */
#include <stddef.h>

#include "rpc_int.h"

/* The operations of the transport the peer belongs to. */
static const struct rpc_sink_ops *
rpc_sink(const struct rpc_peer *p)
{
	return *(const struct rpc_sink_ops *const *)(const void *)p;
}

bool
rpc_peer_writer(const struct rpc_peer *p)
{
	return rpc_sink(p)->writer(p);
}

bool
rpc_peer_v1_only(const struct rpc_peer *p)
{
	return p != NULL && rpc_sink(p)->v1_only;
}

void
rpc_peer_send(struct rpc_peer *p, const char *text)
{
	rpc_sink(p)->send(p, text);
}

size_t
rpc_peer_npending(const struct rpc_peer *p)
{
	return rpc_sink(p)->npending(p);
}

void
rpc_peer_attach(struct rpc_peer *p, struct rpc_req *req)
{
	rpc_sink(p)->attach(p, req);
}

void
rpc_peer_detach(struct rpc_req *req)
{
	if (req->peer != NULL)
		rpc_sink(req->peer)->detach(req->peer, req);
}

void
rpc_peer_reap(struct rpc_peer *p)
{
	if (p != NULL)
		rpc_sink(p)->reap(p);
}
