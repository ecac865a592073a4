/*
 * fuzz_switch_http.c: what the message-switch client reads, as it reads it
 * (src/switch.c's sw_read_cb): response heads (src/http.c) one after the
 * other on one connection, each body then read as a transfer
 * (src/switch_proto.c), until a head is refused or the input ends.
 *
 * Oracles: the sanitizers; a head is either complete (its fields within
 * their bounds, its length within the input), or needs more bytes (never
 * once HTTP_MAX_HEAD bytes are there), or is refused; parsing is
 * incremental (a head complete in a prefix is the same head in the whole);
 * a transfer's messages are at most the bound, in ascending order, each
 * request with its payload and reply queue; percent-encoding keeps only
 * unreserved bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "switch_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_BODY	65536

static void __attribute__((noreturn))
fuzz_fail(const char *what)
{
	fprintf(stderr, "switch_http: %s\n", what);
	abort();
}

/* A transfer body: the bounds and the order of what came out. */
static void
fuzz_transfer(const char *body, size_t len)
{
	struct switch_transfer	 t;
	const char		*why = NULL;
	size_t			 i, max = 1 + (len % 5);

	if (switch_proto_transfer(body, len, max, &t, &why) < 0) {
		if (why == NULL)
			fuzz_fail("a refused transfer without a reason");
		return;
	}
	if (t.nmsgs > max || t.next < -1)
		fuzz_fail("more messages than the bound, or a bad next");
	for (i = 0; i < t.nmsgs; i++) {
		if (t.msgs[i].queue == NULL || t.msgs[i].id < 0 ||
		    (i > 0 && strcmp(t.msgs[i - 1].queue, t.msgs[i].queue) ==
		    0 && t.msgs[i - 1].id > t.msgs[i].id))
			fuzz_fail("a message without an id, or out of order");
		if (t.msgs[i].request && (t.msgs[i].payload == NULL ||
		    t.msgs[i].reply_to == NULL || t.msgs[i].why != NULL))
			fuzz_fail("a request without payload or reply queue");
		if (!t.msgs[i].request && t.msgs[i].why == NULL)
			fuzz_fail("not a request, and no reason");
		(void)switch_proto_hash(&t.msgs[i]);
	}
	if (t.nleft > 0 && t.nmsgs > 0 && t.next != t.msgs[t.nmsgs - 1].id)
		fuzz_fail("messages left over, but next is not the last kept");
	switch_transfer_dispose(&t);
}

/* Every head and body in turn, as one connection delivers them. */
static void
fuzz_stream(const char *p, size_t len)
{
	struct http_head	h, h2;
	char			*body;
	size_t			 cut;
	int			 rc;

	while (len > 0) {
		rc = http_parse_head(p, len, FUZZ_MAX_BODY, &h);
		if (rc == -EAGAIN) {
			if (len >= HTTP_MAX_HEAD)
				fuzz_fail("more wanted after HTTP_MAX_HEAD");
			return;
		}
		if (rc < 0)
			return;		/* the connection is dropped */
		if (h.head_len > len || h.head_len > HTTP_MAX_HEAD ||
		    h.status < 100 || h.status > 599 ||
		    h.content_length > FUZZ_MAX_BODY)
			fuzz_fail("a head out of its bounds");
		/* incremental: the same head from just its own bytes */
		cut = h.head_len;
		if (http_parse_head(p, cut, FUZZ_MAX_BODY, &h2) != 0 ||
		    h.status != h2.status || h.head_len != h2.head_len ||
		    h.content_length != h2.content_length ||
		    h.close != h2.close)
			fuzz_fail("a head read differently from a prefix");
		if (len - h.head_len < h.content_length)
			return;		/* waits for the rest of the body */
		if ((body = malloc(h.content_length + 1)) == NULL)
			abort();
		memcpy(body, p + h.head_len, h.content_length);
		body[h.content_length] = '\0';
		fuzz_transfer(body, h.content_length);
		free(body);
		p += h.head_len + h.content_length;
		len -= h.head_len + h.content_length;
	}
}

/* Percent-encoding a name from the input: only unreserved bytes remain. */
static void
fuzz_encode(const char *p, size_t len)
{
	char	name[SWITCH_MAX_NAME + 1], enc[3 * SWITCH_MAX_NAME + 1];
	size_t	i, n = len < SWITCH_MAX_NAME ? len : SWITCH_MAX_NAME;

	memcpy(name, p, n);
	name[n] = '\0';
	if (http_pct_encode(name, enc, sizeof(enc)) < 0)
		fuzz_fail("a name that fits did not encode");
	for (i = 0; enc[i] != '\0'; i++)
		if (!isalnum((unsigned char)enc[i]) &&
		    strchr("-._~:%", enc[i]) == NULL)
			fuzz_fail("an encoded byte left as it was");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_stream((const char *)data, size);
	fuzz_encode((const char *)data, size);
	return 0;
}
