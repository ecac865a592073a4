/*
 * Unit tests of the message-switch client's pure parts: the HTTP response
 * head (src/http.c) and the protocol's JSON (src/switch_proto.c), table
 * driven, with what the switch really sends (docs/message-switch.md) and
 * what it must never be trusted to send.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"
#include "switch_proto.h"

static void
test_head_good(void **state)
{
	static const struct {
		const char	*what, *text;
		int		 status;
		size_t		 clen;
		bool		 close;
	} cases[] = {
		{ "cohttp's respond_string", "HTTP/1.1 200 OK\r\n"
		    "content-length: 2\r\n\r\nq1", 200, 2, false },
		{ "a 404 with its text", "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 14\r\n\r\nPlease log in.", 404, 14, false },
		{ "bare LF, no reason", "HTTP/1.0 200\ncontent-length:0\n\n", 200,
		    0, false },
		{ "other headers, close", "HTTP/1.1 200 OK\r\nconnection: "
		    "close\r\nx-a: b\tc\r\nCONTENT-LENGTH:  7 \r\n\r\n", 200, 7,
		    true },
		{ "the same length twice", "HTTP/1.1 200 OK\r\ncontent-length: "
		    "3\r\ncontent-length: 3\r\n\r\n", 200, 3, false },
	};
	struct http_head	h;
	size_t			i, hl;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&h, 0xa5, sizeof(h));
		assert_int_equal(http_parse_head(cases[i].text,
		    strlen(cases[i].text), 1000, &h), 0);
		assert_int_equal(h.status, cases[i].status);
		assert_int_equal(h.content_length, cases[i].clen);
		assert_int_equal(h.close, cases[i].close);
		hl = (size_t)(strstr(cases[i].text, "\n\n") != NULL ?
		    strstr(cases[i].text, "\n\n") + 2 - cases[i].text :
		    strstr(cases[i].text, "\r\n\r\n") + 4 - cases[i].text);
		assert_int_equal(h.head_len, hl);
	}
}

static void
test_head_bad(void **state)
{
	static const struct {
		const char	*what, *text;
		int		 rc;
	} cases[] = {
		{ "incomplete", "HTTP/1.1 200 OK\r\ncontent-len", -EAGAIN },
		{ "incomplete status line", "HTTP/1.1 2", -EAGAIN },
		{ "garbage status line", "HTLP/9.9 what is this\r\n\r\n",
		    -EBADMSG },
		{ "garbage, no end yet", "garbage without an end", -EBADMSG },
		{ "HTTP/2", "HTTP/2 200 OK\r\ncontent-length: 0\r\n\r\n",
		    -EBADMSG },
		{ "status 99", "HTTP/1.1 099 X\r\ncontent-length: 0\r\n\r\n",
		    -EBADMSG },
		{ "status 600", "HTTP/1.1 600 X\r\ncontent-length: 0\r\n\r\n",
		    -EBADMSG },
		{ "no content-length", "HTTP/1.1 200 OK\r\n\r\n", -EBADMSG },
		{ "content-length 12x", "HTTP/1.1 200 OK\r\ncontent-length: "
		    "12x\r\n\r\n", -EBADMSG },
		{ "content-length -1", "HTTP/1.1 200 OK\r\ncontent-length: "
		    "-1\r\n\r\n", -EBADMSG },
		{ "content-length empty", "HTTP/1.1 200 OK\r\ncontent-length:"
		    "\r\n\r\n", -EBADMSG },
		{ "content-length over the bound", "HTTP/1.1 200 OK\r\n"
		    "content-length: 1001\r\n\r\n", -E2BIG },
		{ "content-length huge", "HTTP/1.1 200 OK\r\ncontent-length: "
		    "99999999999999999999999\r\n\r\n", -E2BIG },
		{ "two lengths", "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n"
		    "content-length: 2\r\n\r\n", -EBADMSG },
		{ "chunked", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n"
		    "\r\n", -EPROTONOSUPPORT },
		{ "a bare line", "HTTP/1.1 200 OK\r\nno colon\r\n"
		    "content-length: 0\r\n\r\n", -EBADMSG },
		{ "a space before the colon", "HTTP/1.1 200 OK\r\n"
		    "content-length : 0\r\n\r\n", -EBADMSG },
		{ "line folding", "HTTP/1.1 200 OK\r\nx: a\r\n b\r\n"
		    "content-length: 0\r\n\r\n", -EBADMSG },
		{ "a control character", "HTTP/1.1 200 OK\r\nx: a\x01\r\n"
		    "content-length: 0\r\n\r\n", -EBADMSG },
	};
	struct http_head	h, keep;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&h, 0x5a, sizeof(h));
		keep = h;
		if (http_parse_head(cases[i].text, strlen(cases[i].text), 1000,
		    &h) != cases[i].rc)
			fail_msg("%s: not %d", cases[i].what, cases[i].rc);
		assert_memory_equal(&h, &keep, sizeof(h));
	}
}

static void
test_head_limits(void **state)
{
	struct http_head	 h;
	char			*buf;
	size_t			 n = HTTP_MAX_HEAD + 100;

	(void)state;
	/* no end within HTTP_MAX_HEAD: refused, never "read more" */
	buf = malloc(n);
	assert_non_null(buf);
	memcpy(buf, "HTTP/1.1 200 OK\r\n", 17);
	memset(buf + 17, 'a', n - 17);
	assert_int_equal(http_parse_head(buf, HTTP_MAX_HEAD, 10, &h), -E2BIG);
	assert_int_equal(http_parse_head(buf, n, 10, &h), -E2BIG);
	/* a NUL in the head */
	assert_int_equal(http_parse_head("HTTP/1.1 200 OK\r\nx: \0\r\n\r\n", 24,
	    10, &h), -EBADMSG);
	free(buf);
}

static void
test_pct_encode(void **state)
{
	char	buf[16];

	(void)state;
	assert_int_equal(http_pct_encode("org.xen.xapi.mem", buf, sizeof(buf)),
	    -ENAMETOOLONG);
	assert_int_equal(http_pct_encode("org.xen.xapi.me", buf, sizeof(buf)),
	    0);
	assert_int_equal(http_pct_encode("squeezerd:12", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "squeezerd:12");
	assert_int_equal(http_pct_encode("a/b c%", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a%2Fb%20c%25");
	assert_int_equal(http_pct_encode("\xff", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "%FF");
	assert_int_equal(http_pct_encode("abcdefghijklmnop", buf, sizeof(buf)),
	    -ENAMETOOLONG);
	assert_int_equal(http_pct_encode("abcdefghijklm/", buf, sizeof(buf)),
	    -ENAMETOOLONG);
}

/* The transfer response as the switch writes it: newest first. */
static void
test_transfer(void **state)
{
	static const char	 body[] = "{\"messages\":["
	    "[[\"q\",7],{\"payload\":\"{\\\"method\\\":\\\"b\\\"}\","
	    "\"kind\":[\"Request\",\"r:1\"]}],"
	    "[[\"q\",5],{\"payload\":\"p5\",\"kind\":[\"request\",\"r:2\"]}],"
	    "[[\"q\",6],{\"PAYLOAD\":\"p6\",\"Kind\":[\"Response\",[\"x\",1]]}],"
	    "[[\"q\",-1],{\"payload\":\"no id\"}],"
	    "[\"nonsense\"],"
	    "[[\"q\",8],{\"payload\":3,\"kind\":[\"Request\",\"r\"]}],"
	    "[[\"q\",9],{\"payload\":\"p9\",\"kind\":[\"Other\",\"r\"]}]"
	    "],\"next\":\"9\"}\n";
	struct switch_transfer	 t;
	const char		*why = NULL;

	(void)state;
	assert_int_equal(switch_proto_transfer(body, strlen(body), 100, &t,
	    &why), 0);
	assert_int_equal(t.nmsgs, 5);
	assert_int_equal(t.nleft, 0);
	assert_int_equal(t.next, 9);
	assert_int_equal(t.msgs[0].id, 5);
	assert_true(t.msgs[0].request);
	assert_string_equal(t.msgs[0].payload, "p5");
	assert_string_equal(t.msgs[0].reply_to, "r:2");
	assert_int_equal(t.msgs[1].id, 6);		/* a Response: ack only */
	assert_false(t.msgs[1].request);
	assert_non_null(t.msgs[1].why);
	assert_int_equal(t.msgs[2].id, 7);
	assert_string_equal(t.msgs[2].payload, "{\"method\":\"b\"}");
	assert_string_equal(t.msgs[2].queue, "q");
	assert_int_equal(t.msgs[3].id, 8);		/* no payload string */
	assert_false(t.msgs[3].request);
	assert_int_equal(t.msgs[4].id, 9);		/* an unknown kind */
	assert_false(t.msgs[4].request);
	switch_transfer_dispose(&t);

	/* at most 2: the lowest ids, and next says where to go on */
	assert_int_equal(switch_proto_transfer(body, strlen(body), 2, &t,
	    &why), 0);
	assert_int_equal(t.nmsgs, 2);
	assert_int_equal(t.nleft, 3);
	assert_int_equal(t.next, 6);
	switch_transfer_dispose(&t);
}

static void
test_transfer_bad(void **state)
{
	static const char *const bodies[] = {
		"",
		"this is not JSON",
		"{\"messages\":[],\"next\":\"1\"} trailing",
		"{\"messages\":[]",
		"[]",
		"{\"messages\":{},\"next\":\"1\"}",
		"{\"messages\":[]}",
		"{\"messages\":[],\"next\":1}",
		"{\"messages\":[],\"next\":\"x\"}",
		"{\"messages\":[],\"next\":\"-2\"}",
		"{\"messages\":[],\"next\":\"99999999999999999999\"}",
		"{\"messages\":[],\"next\":\"1\",\"x\":\"\xff\"}",
		"{\"messages\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]],"
		    "\"next\":\"1\"}",
	};
	static const char	 first[] = "{\"messages\":[],\"next\":\"-1\"}";
	struct switch_transfer	 t;
	const char		*why;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		why = NULL;
		if (switch_proto_transfer(bodies[i], strlen(bodies[i]), 10, &t,
		    &why) != -EBADMSG)
			fail_msg("body %zu accepted: %s", i, bodies[i]);
		assert_non_null(why);
	}
	/* an empty first transfer: next is -1 */
	assert_int_equal(switch_proto_transfer(first, strlen(first), 10, &t,
	    &why), 0);
	assert_int_equal(t.next, -1);
	assert_int_equal(t.nmsgs, 0);
	switch_transfer_dispose(&t);
}

static void
test_transfer_body(void **state)
{
	char	buf[128];

	(void)state;
	assert_int_equal(switch_proto_transfer_body(buf, sizeof(buf), false, 0,
	    30.0, "org.xen.xapi.memory"), 0);
	assert_string_equal(buf, "{\"timeout\":30.0,\"queues\":"
	    "[\"org.xen.xapi.memory\"]}");
	assert_int_equal(switch_proto_transfer_body(buf, sizeof(buf), true, -1,
	    30.0, "q\"x"), 0);
	assert_string_equal(buf, "{\"from\":\"-1\",\"timeout\":30.0,\"queues\":"
	    "[\"q\\\"x\"]}");
	assert_int_equal(switch_proto_transfer_body(buf, 10, true, 5, 30.0,
	    "q"), -ENAMETOOLONG);
}

static void
test_hash(void **state)
{
	char			p[] = "p", q[] = "q", r[] = "r", s[] = "s";
	struct switch_in	a = { .payload = p, .payload_len = 1,
	    .reply_to = r }, b = a, c = a;

	(void)state;
	b.reply_to = s;
	c.payload = q;
	assert_true(switch_proto_hash(&a) == switch_proto_hash(&a));
	assert_true(switch_proto_hash(&a) != switch_proto_hash(&b));
	assert_true(switch_proto_hash(&a) != switch_proto_hash(&c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_good),
		cmocka_unit_test(test_head_bad),
		cmocka_unit_test(test_head_limits),
		cmocka_unit_test(test_pct_encode),
		cmocka_unit_test(test_transfer),
		cmocka_unit_test(test_transfer_bad),
		cmocka_unit_test(test_transfer_body),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
