/*
 * switch_proto.h: the JSON of xapi's message-switch protocol
 * (docs/message-switch.md): the transfer request's body and the transfer
 * response's messages.  Pure: no I/O, no logging; fuzzed as it is.
 */
#ifndef SQUEEZERD_SWITCH_PROTO_H
#define SQUEEZERD_SWITCH_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWITCH_MAX_BODY		(8u << 20)	/* a response's body */
#define SWITCH_MAX_NAME		255		/* a queue name */

/* One message of a transfer, as far as it could be read. */
struct switch_in {
	char		*queue;		/* NULL: no message id could be read */
	int64_t		 id;
	char		*payload;	/* NULL when not a string */
	size_t		 payload_len;
	char		*reply_to;	/* a Request: where to answer */
	bool		 request;
	const char	*why;		/* not a readable request: why */
};

struct switch_transfer {
	struct switch_in	*msgs;	/* ascending ids */
	size_t			 nmsgs;
	size_t			 nleft;	/* beyond max: for the next transfer */
	int64_t			 next;	/* the cursor for the next "from" */
};

/*
 * Read a transfer response body (json-c, strict, bounded depth): the
 * messages with the lowest ids, at most max of them (next is then the
 * highest id kept, so the rest come with the next transfer), in ascending
 * order.  A message whose id cannot be read is skipped; one that is not a
 * readable Request keeps its id and says why, so it can be acked.  0, or
 * -EBADMSG with *why when the body is not a transfer at all.
 */
int	switch_proto_transfer(const char *body, size_t len, size_t max,
	    struct switch_transfer *ret, const char **why);
void	switch_transfer_dispose(struct switch_transfer *);

/*
 * The body of POST /transfer: {"from":"<n>","timeout":T,"queues":[q]},
 * "from" left out when has_from is false.  -ENAMETOOLONG if it does not
 * fit in len.
 */
int	switch_proto_transfer_body(char *buf, size_t len, bool has_from,
	    int64_t from, double timeout_s, const char *queue);

/* FNV-1a over a message's payload and reply queue: told apart on redelivery. */
uint64_t	switch_proto_hash(const struct switch_in *);

#endif
