/*
 * xmlrpc.h: squeezed's other transport, for hosts where xenopsd and xapi
 * run with use-switch=false: XML-RPC over HTTP on a Unix socket
 * (squeezed's /var/xapi/memory; xen-api's xcp_service.ml http_handler),
 * one POST per connection, its body a methodCall in rpclib's encoding
 * (untyped scalars), its answer a methodResponse holding a Status /
 * Value or ErrorDescription struct.  Each call goes through the same v1
 * dispatcher as the control socket and the message switch.
 */
#ifndef SQUEEZERD_XMLRPC_H
#define SQUEEZERD_XMLRPC_H

#include <stddef.h>

struct squeezerd;
struct xmlrpc_server;

#define XMLRPC_MAX_BODY		65536	/* RPC_MAX_LINE */
#define XMLRPC_MAX_DEPTH	16

/* Listen on the configuration's xmlrpc-socket (a stale socket replaced). */
int	xmlrpc_start(struct squeezerd *, struct xmlrpc_server **ret);
/* Close; requests still running are withdrawn.  NULL-safe. */
void	xmlrpc_free(struct xmlrpc_server *);
/* After a reload: start, stop or move the socket if xmlrpc-socket changed. */
void	xmlrpc_reload(struct squeezerd *);

/*
 * The pure part (src/xmlrpc_conv.c, fuzzed): a methodCall's text into the
 * squeezed v1 JSON request the dispatcher reads (untyped values become
 * integers where the method takes one), malloc'ed in *ret; -EBADMSG with
 * *why when it is not a methodCall.  And a v1 JSON reply into a
 * methodResponse, malloc'ed; NULL when the reply is not one.
 */
int	xmlrpc_call_to_v1(const char *xml, size_t len, char **ret,
	    const char **why);
char	*xmlrpc_v1_to_response(const char *json);

#endif
