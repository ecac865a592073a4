/*
 * Unit tests of the XML-RPC conversion (src/xmlrpc_conv.c) and the HTTP
 * request head (src/http.c): rpclib's calls as xenopsd sends them with
 * use-switch=false, the types rpclib reads, what it never writes, and the
 * responses rpclib reads back.
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
#include "xmlrpc.h"

#define CALL(m, p)	"<?xml version=\"1.0\"?><methodCall><methodName>" m \
			"</methodName><params>" p "</params></methodCall>"
#define P(v)		"<param><value>" v "</value></param>"

static void
test_calls(void **state)
{
	static const struct {
		const char	*xml, *json;
	} cases[] = {
		/* squeezed-reference 5.4: rpclib writes int64 untyped */
		{ CALL("reserve_memory", P("dbg") P("xenopsd") P("1048576")),
		    "{\"method\":\"reserve_memory\",\"params\":[\"dbg\","
		    "\"xenopsd\",1048576],\"id\":0}" },
		{ CALL("reserve_memory_range", P("d") P("s") P("-5") P("7")),
		    "{\"method\":\"reserve_memory_range\",\"params\":[\"d\","
		    "\"s\",-5,7],\"id\":0}" },
		/* a string position stays a string, even if digits */
		{ CALL("login", P("12") P("34")), "{\"method\":\"login\","
		    "\"params\":[\"12\",\"34\"],\"id\":0}" },
		/* an integer position that is not one: for the dispatcher */
		{ CALL("query_reservation_of_domain", P("d") P("s") P("x1")),
		    "{\"method\":\"query_reservation_of_domain\",\"params\":"
		    "[\"d\",\"s\",\"x1\"],\"id\":0}" },
		/* typed values, white space, entities, empty values */
		{ CALL("get_diagnostics", "\n <param> <value> <i4>5</i4> "
		    "</value> </param>" P("<string>a&lt;b&amp;&#65;&#x42;"
		    "</string>") P("") "<param><value/></param>"
		    P("<boolean>1</boolean>") P("<nil/>")
		    P("<double>1.5</double>")
		    P("<array><data><value>x</value><value><int>2</int></value>"
		    "</data></array>") P("<struct><member><name>k</name><value>"
		    "v</value></member></struct>") P("<array/>")),
		    "{\"method\":\"get_diagnostics\",\"params\":[5,\"a<b&AB\","
		    "\"\",\"\",true,null,1.5,[\"x\",2],{\"k\":\"v\"},[]],"
		    "\"id\":0}" },
		{ "<methodCall><methodName>balance_memory</methodName>"
		    "<params/></methodCall>\n",
		    "{\"method\":\"balance_memory\","
		    "\"params\":[],\"id\":0}" },
	};
	char	*json;
	const char *why;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		json = NULL;
		if (xmlrpc_call_to_v1(cases[i].xml, strlen(cases[i].xml), &json,
		    &why) != 0)
			fail_msg("case %zu refused: %s", i, why);
		assert_string_equal(json, cases[i].json);
		free(json);
	}
}

static void
test_bad_calls(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"<methodCall>",
		CALL("x", P("a")) "trailing",
		"<methodCall><methodName>x</methodName></methodCall>",
		"<methodCall a=\"1\"><methodName>x</methodName><params/>"
		    "</methodCall>",
		CALL("x", P("a&bogus;")),
		CALL("x", P("a&#0;")),
		CALL("x", P("a&#xD800;")),
		CALL("x", P("<int>1x</int>")),
		CALL("x", P("<boolean>2</boolean>")),
		CALL("x", P("<base64>AA==</base64>")),
		CALL("x", P("text<int>1</int>")),
		CALL("x", "<param><value>a</param></value>"),
		CALL("x", P("<struct><member><value>v</value></member>"
		    "</struct>")),
		"<!DOCTYPE x><methodCall><methodName>x</methodName><params/>"
		    "</methodCall>",
		CALL("x", P("<![CDATA[x]]>")),
	};
	char		 deep[4096];
	char		*json;
	const char	*why;
	size_t		 i;
	int		 n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (xmlrpc_call_to_v1(bad[i], strlen(bad[i]), &json, &why) !=
		    -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
	}
	/* nesting deeper than XMLRPC_MAX_DEPTH */
	n = snprintf(deep, sizeof(deep), "<methodCall><methodName>x"
	    "</methodName><params><param>");
	for (i = 0; i < XMLRPC_MAX_DEPTH + 1; i++)
		n += snprintf(deep + n, sizeof(deep) - (size_t)n,
		    "<value><array><data>");
	for (i = 0; i < XMLRPC_MAX_DEPTH + 1; i++)
		n += snprintf(deep + n, sizeof(deep) - (size_t)n,
		    "</data></array></value>");
	n += snprintf(deep + n, sizeof(deep) - (size_t)n,
	    "</param></params></methodCall>");
	assert_int_equal(xmlrpc_call_to_v1(deep, (size_t)n, &json, &why),
	    -EBADMSG);
}

static void
test_responses(void **state)
{
	static const struct {
		const char	*json, *xml;
	} cases[] = {
		{ "{\"result\":73728,\"error\":null,\"id\":0}",
		    "<member><name>Status</name><value>Success</value></member>"
		    "<member><name>Value</name><value>73728</value></member>" },
		{ "{\"result\":null,\"error\":null,\"id\":0}",
		    "<member><name>Value</name><value><nil/></value>"
		    "</member>" },
		{ "{\"result\":[\"u<&>\\\"\\u0001x\",5],\"error\":null,"
		    "\"id\":0}",
		    "<value><array><data><value>u&lt;&amp;&gt;&quot;x"
		    "</value>"
		    "<value>5</value></data></array></value>" },
		{ "{\"result\":null,\"error\":[\"Cannot_free_this_much_"
		    "memory\",[10,-3]],\"id\":0}", "<member><name>Status"
		    "</name><value>Failure</value></member><member><name>"
		    "ErrorDescription</name><value><array><data><value>"
		    "Cannot_free_this_much_memory</value><value><array><data>"
		    "<value>10</value><value>-3</value></data></array></value>"
		    "</data></array></value>" },
		{ "{\"result\":null,\"error\":\"No_reservation\","
		    "\"id\":0}", "<name>ErrorDescription</name><value>"
		    "No_reservation</value>" },
	};
	static const char	 head[] = "<?xml version=\"1.0\"?>"
	    "<methodResponse><params><param><value><struct>";
	char			*xml;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xml = xmlrpc_v1_to_response(cases[i].json);
		assert_non_null(xml);
		if (strstr(xml, cases[i].xml) == NULL)
			fail_msg("case %zu: %s", i, xml);
		assert_true(strncmp(xml, head, strlen(head)) == 0);
		free(xml);
	}
	assert_null(xmlrpc_v1_to_response("not json"));
	assert_null(xmlrpc_v1_to_response("{\"result\":1}"));
}

static void
test_request_head(void **state)
{
	struct http_request	r;
	static const char	ok[] = "POST /var/xapi/memory HTTP/1.1\r\n"
	    "User-agent: xenopsd\r\ncontent-length: 12\r\n\r\n";

	(void)state;
	assert_int_equal(http_parse_request_head(ok, strlen(ok), 100, &r), 0);
	assert_string_equal(r.method, "POST");
	assert_true(r.has_length);
	assert_int_equal(r.content_length, 12);
	assert_int_equal(r.head_len, strlen(ok));
	assert_int_equal(http_parse_request_head("GET / HTTP/1.0\n\n", 16, 100,
	    &r), 0);
	assert_false(r.has_length);
	assert_int_equal(http_parse_request_head("POST / HTTP/1.1\r\n", 17, 100,
	    &r), -EAGAIN);
	assert_int_equal(http_parse_request_head("POST /x\r\n\r\n", 11, 100,
	    &r), -EBADMSG);
	assert_int_equal(http_parse_request_head("POST  / HTTP/1.1\r\n\r\n",
	    20, 100, &r), -EBADMSG);
	assert_int_equal(http_parse_request_head("VERYLONGMETHOD / HTTP/1.1\r\n"
	    "\r\n", 29, 100, &r), -EBADMSG);
	assert_int_equal(http_parse_request_head("POST / HTTP/1.1\r\n"
	    "content-length: 101\r\n\r\n", 40, 100, &r), -E2BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_bad_calls),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_request_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
