/*
 * fuzz_xmlrpc.c: what squeezed's XML-RPC socket reads (src/xmlrpc.c): the
 * HTTP request head (src/http.c), then the body as a methodCall, turned
 * into a squeezed v1 request (src/xmlrpc_conv.c); and the answer the other
 * way, from a v1 reply made of the call's parameters.
 *
 * Oracles: the sanitizers; a head is complete within the input and its
 * bounds, or needs more (never past HTTP_MAX_HEAD), or is refused; a call
 * is refused with a reason, or becomes one JSON object with a string
 * "method", an array "params" and "id" 0; any JSON reply of those
 * parameters, as a result or as an error, becomes a methodResponse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "xmlrpc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void __attribute__((noreturn))
fuzz_fail(const char *what, const char *text)
{
	fprintf(stderr, "xmlrpc: %s: %.2000s\n", what, text);
	abort();
}

/* A reply made of v as result, then as error: both must be written. */
static void
fuzz_reply(struct json_object *v)
{
	struct json_object	*o;
	char			*xml;
	int			 i;

	for (i = 0; i < 2; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "result", i == 0 ?
		    json_object_get(v) : NULL);
		json_object_object_add(o, "error", i == 1 ?
		    json_object_get(v) : NULL);
		json_object_object_add(o, "id", json_object_new_int(0));
		xml = xmlrpc_v1_to_response(json_object_to_json_string(o));
		if (xml == NULL || strncmp(xml, "<?xml version=\"1.0\"?>"
		    "<methodResponse>", 37) != 0 || strstr(xml,
		    "</methodResponse>") == NULL)
			fuzz_fail("a reply not written", xml);
		free(xml);
		json_object_put(o);
	}
}

static void
fuzz_call(const char *body, size_t len)
{
	struct json_object	*o, *m, *p, *id;
	char			*json = NULL;
	const char		*why = NULL;

	if (xmlrpc_call_to_v1(body, len, &json, &why) < 0) {
		if (why == NULL)
			fuzz_fail("refused without a reason", body);
		return;
	}
	if ((o = json_tokener_parse(json)) == NULL ||
	    !json_object_object_get_ex(o, "method", &m) ||
	    !json_object_is_type(m, json_type_string) ||
	    !json_object_object_get_ex(o, "params", &p) ||
	    !json_object_is_type(p, json_type_array) ||
	    !json_object_object_get_ex(o, "id", &id) ||
	    json_object_get_int(id) != 0)
		fuzz_fail("not a v1 request", json);
	fuzz_reply(p);
	json_object_put(o);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 r;
	const char		*s = (const char *)data;
	char			*body;
	int			 rc;

	rc = http_parse_request_head(s, size, XMLRPC_MAX_BODY, &r);
	if (rc == -EAGAIN && size >= HTTP_MAX_HEAD)
		fuzz_fail("more wanted after HTTP_MAX_HEAD", "");
	if (rc == 0 && (r.head_len > size || r.content_length >
	    XMLRPC_MAX_BODY || (!r.has_length && r.content_length != 0)))
		fuzz_fail("a request head out of its bounds", "");
	/* the body: after a head if there is one, else all of it */
	if (rc == 0) {
		s += r.head_len;
		size -= r.head_len;
	}
	if ((body = malloc(size + 1)) == NULL)
		abort();
	memcpy(body, s, size);
	body[size] = '\0';
	fuzz_call(body, size);
	free(body);
	return 0;
}
