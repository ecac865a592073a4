/*
 * xmlrpc_conv.c: rpclib's XML-RPC (ocaml-rpc src/lib/xmlrpc.ml) to and from
 * squeezed's v1 JSON.  A value is <value>text</value> (an untyped string:
 * rpclib writes int64 that way too) or <value> holding one of <int>, <i4>,
 * <i8>, <string>, <boolean>, <double>, <nil/>, <array><data>...</data>
 * </array>, <struct><member><name>..</name><value>..</value></member>
 * </struct>.  Only what rpclib writes is read: no attributes, comments,
 * DOCTYPE or CDATA; entities &lt; &gt; &amp; &quot; &apos; and character
 * references.  Bounded in size and depth.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "xmlrpc.h"

struct xp {
	const char	*p, *end;
	int		 depth;
	const char	*why;
};

/* squeezed's v1 methods: which parameters are integers ("i"). */
static const struct {
	const char	*name, *types;
} xr_methods[] = {
	{ "balance_memory", "s" },
	{ "delete_reservation", "sss" },
	{ "get_diagnostics", "s" },
	{ "get_domain_zero_policy", "s" },
	{ "get_host_initial_free_memory", "s" },
	{ "get_host_reserved_memory", "s" },
	{ "login", "ss" },
	{ "query_reservation_of_domain", "ssi" },
	{ "reserve_memory", "ssi" },
	{ "reserve_memory_range", "ssii" },
	{ "transfer_reservation_to_domain", "sssi" },
};

static int
xp_fail(struct xp *x, const char *why)
{
	if (x->why == NULL)
		x->why = why;
	return -EBADMSG;
}

static void
xp_ws(struct xp *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' ||
	    *x->p == '\r' || *x->p == '\n'))
		x->p++;
}

/* The name of the tag at x->p ("<name>", "<name/>", "</name>"). */
static int
xp_tag(struct xp *x, char *name, size_t len, bool *ret_close,
    bool *ret_empty)
{
	const char	*p = x->p, *s;
	size_t		 n;

	if (p >= x->end || *p != '<')
		return xp_fail(x, "a tag expected");
	p++;
	*ret_close = p < x->end && *p == '/';
	if (*ret_close)
		p++;
	for (s = p; p < x->end && (isalnum((unsigned char)*p) || *p == '.' ||
	    *p == '_' || *p == '-'); p++)
		;
	n = (size_t)(p - s);
	if (n == 0 || n >= len)
		return xp_fail(x, "a tag without a name");
	memcpy(name, s, n);
	name[n] = '\0';
	*ret_empty = false;
	if (!*ret_close && p < x->end && *p == '/') {
		*ret_empty = true;
		p++;
	}
	if (p >= x->end || *p != '>')
		return xp_fail(x, "a tag with attributes or unclosed");
	x->p = p + 1;
	return 0;
}

/* Open <name> (after white space); 1 when it was <name/>. */
static int
xp_open(struct xp *x, const char *name)
{
	char	got[32];
	bool	close, empty;

	xp_ws(x);
	if (xp_tag(x, got, sizeof(got), &close, &empty) < 0)
		return -EBADMSG;
	if (close || strcmp(got, name) != 0)
		return xp_fail(x, "an unexpected tag");
	return empty ? 1 : 0;
}

static int
xp_close(struct xp *x, const char *name)
{
	char	got[32];
	bool	close, empty;

	xp_ws(x);
	if (xp_tag(x, got, sizeof(got), &close, &empty) < 0)
		return -EBADMSG;
	if (!close || strcmp(got, name) != 0)
		return xp_fail(x, "an unexpected closing tag");
	return 0;
}

/* The next tag is a closing one (white space skipped). */
static bool
xp_at_close(struct xp *x)
{
	xp_ws(x);
	return x->end - x->p >= 2 && x->p[0] == '<' && x->p[1] == '/';
}

/* Append the UTF-8 of code point c. */
static int
xp_utf8(char *d, size_t *o, unsigned long c)
{
	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	if (c < 0x80)
		d[(*o)++] = (char)c;
	else if (c < 0x800) {
		d[(*o)++] = (char)(0xc0 | (c >> 6));
		d[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		d[(*o)++] = (char)(0xe0 | (c >> 12));
		d[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		d[(*o)++] = (char)(0x80 | (c & 0x3f));
	} else {
		d[(*o)++] = (char)(0xf0 | (c >> 18));
		d[(*o)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		d[(*o)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		d[(*o)++] = (char)(0x80 | (c & 0x3f));
	}
	return 0;
}

static unsigned long
xp_hex(char c)
{
	return isdigit((unsigned char)c) ? (unsigned long)(c - '0') :
	    (unsigned long)(tolower((unsigned char)c) - 'a' + 10);
}

/* One entity at s (after '&'): its text into d; the bytes it took. */
static size_t
xp_entity(const char *s, const char *end, char *d, size_t *o)
{
	static const struct {
		const char	*name;
		char		 c;
	} ents[] = { { "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' },
	    { "quot;", '"' }, { "apos;", '\'' } };
	unsigned long	 c = 0;
	size_t		 i, n;
	const char	*p;
	int		 base = 10;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		n = strlen(ents[i].name);
		if ((size_t)(end - s) >= n && memcmp(s, ents[i].name, n) == 0) {
			d[(*o)++] = ents[i].c;
			return n;
		}
	}
	if (s >= end || *s != '#')
		return 0;
	p = s + 1;
	if (p < end && (*p == 'x' || *p == 'X')) {
		base = 16;
		p++;
	}
	for (n = 0; p < end && n < 8 && isxdigit((unsigned char)*p) &&
	    (base == 16 || isdigit((unsigned char)*p)); p++, n++)
		c = c * (unsigned long)base + xp_hex(*p);
	if (n == 0 || p >= end || *p != ';' || xp_utf8(d, o, c) < 0)
		return 0;
	return (size_t)(p + 1 - s);
}

/* Text up to the next '<', entities decoded: malloc'ed, NUL-terminated. */
static char *
xp_text(struct xp *x, size_t *ret_len)
{
	const char	*s = x->p;
	char		*d;
	size_t		 o = 0, n;

	while (x->p < x->end && *x->p != '<')
		x->p++;
	if ((d = malloc((size_t)(x->p - s) + 1)) == NULL) {
		(void)xp_fail(x, "out of memory");
		return NULL;
	}
	while (s < x->p) {
		if (*s == '&') {
			if ((n = xp_entity(s + 1, x->p, d, &o)) == 0) {
				free(d);
				(void)xp_fail(x, "an unknown entity");
				return NULL;
			}
			s += n + 1;
		} else if (*s == '\0' || *s == '>') {
			free(d);
			(void)xp_fail(x, "a NUL or '>' in text");
			return NULL;
		} else
			d[o++] = *s++;
	}
	d[o] = '\0';
	*ret_len = o;
	return d;
}

/* Text that is an integer, strictly. */
static bool
xp_int(const char *s, int64_t *ret)
{
	char		*end;
	long long	 v;

	if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' &&
	    isdigit((unsigned char)s[1]))))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return false;
	*ret = v;
	return true;
}

static int	xp_value(struct xp *, struct json_object **);

/* The text of <tag>text</tag> (open already read; empty: ""). */
static char *
xp_leaf(struct xp *x, const char *tag, int empty, size_t *ret_len)
{
	char	*t;

	if (empty) {
		*ret_len = 0;
		return strdup("");
	}
	if ((t = xp_text(x, ret_len)) != NULL && xp_close(x, tag) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

/* <array><data><value>...</value>...</data></array> (array open). */
static int
xp_array(struct xp *x, int empty, struct json_object **ret)
{
	struct json_object	*a = json_object_new_array(), *v;
	int			 rc;

	*ret = a;
	if (empty)
		return 0;
	if ((rc = xp_open(x, "data")) < 0)
		return rc;
	if (rc == 0) {
		while (!xp_at_close(x)) {
			if (xp_value(x, &v) < 0)
				return -EBADMSG;
			json_object_array_add(a, v);
		}
		if (xp_close(x, "data") < 0)
			return -EBADMSG;
	}
	return xp_close(x, "array");
}

/* <struct><member><name>n</name><value>..</value></member>...</struct>. */
static int
xp_struct(struct xp *x, int empty, struct json_object **ret)
{
	struct json_object	*o = json_object_new_object(), *v;
	char			*name;
	size_t			 n;

	*ret = o;
	if (empty)
		return 0;
	while (!xp_at_close(x)) {
		if (xp_open(x, "member") != 0 || xp_open(x, "name") != 0 ||
		    (name = xp_leaf(x, "name", 0, &n)) == NULL)
			return xp_fail(x, "a struct member without a name");
		if (xp_value(x, &v) < 0) {
			free(name);
			return -EBADMSG;
		}
		json_object_object_add(o, name, v);
		free(name);
		if (xp_close(x, "member") < 0)
			return -EBADMSG;
	}
	return xp_close(x, "struct");
}

/* The typed content of a <value> (its tag just read). */
static int
xp_typed(struct xp *x, const char *tag, int empty, struct json_object **ret)
{
	char	*t;
	size_t	 n;
	int64_t	 i;
	double	 d;
	char	*end;
	int	 rc = -EBADMSG;

	if (strcmp(tag, "array") == 0)
		return xp_array(x, empty, ret);
	if (strcmp(tag, "struct") == 0)
		return xp_struct(x, empty, ret);
	if (strcmp(tag, "nil") == 0) {
		*ret = NULL;
		return empty ? 0 : xp_close(x, "nil");
	}
	if ((t = xp_leaf(x, tag, empty, &n)) == NULL)
		return -EBADMSG;
	if (strcmp(tag, "string") == 0) {
		*ret = json_object_new_string_len(t, (int)n);
		rc = 0;
	} else if ((strcmp(tag, "int") == 0 || strcmp(tag, "i4") == 0 ||
	    strcmp(tag, "i8") == 0) && xp_int(t, &i)) {
		*ret = json_object_new_int64(i);
		rc = 0;
	} else if (strcmp(tag, "boolean") == 0 && (strcmp(t, "0") == 0 ||
	    strcmp(t, "1") == 0)) {
		*ret = json_object_new_boolean(t[0] == '1');
		rc = 0;
	} else if (strcmp(tag, "double") == 0 && t[0] != '\0') {
		d = strtod(t, &end);
		if (*end == '\0') {
			*ret = json_object_new_double(d);
			rc = 0;
		}
	}
	free(t);
	return rc == 0 ? 0 : xp_fail(x, "a value of an unknown type or badly "
	    "written");
}

/* One <value>...</value>: JSON null for <nil/>. */
static int
xp_value(struct xp *x, struct json_object **ret)
{
	struct json_object	*v = NULL;
	char			 tag[32], *t;
	size_t			 n;
	bool			 close, empty;
	int			 rc;

	if (++x->depth > XMLRPC_MAX_DEPTH)
		return xp_fail(x, "values nested too deep");
	if ((rc = xp_open(x, "value")) < 0)
		return rc;
	if (rc == 1) {
		*ret = json_object_new_string("");
		x->depth--;
		return 0;
	}
	if ((t = xp_text(x, &n)) == NULL)
		return -EBADMSG;
	if (x->end - x->p >= 2 && x->p[1] == '/') {	/* untyped */
		v = json_object_new_string_len(t, (int)n);
		free(t);
	} else {
		n = strspn(t, " \t\r\n") == n;	/* text before a type? */
		free(t);
		if (!n)
			return xp_fail(x, "text before a typed value");
		if (xp_tag(x, tag, sizeof(tag), &close, &empty) < 0 ||
		    xp_typed(x, tag, empty, &v) < 0) {
			json_object_put(v);
			return -EBADMSG;
		}
	}
	if (xp_close(x, "value") < 0) {
		json_object_put(v);
		return -EBADMSG;
	}
	x->depth--;
	*ret = v;
	return 0;
}

/* Untyped strings at a method's integer positions become integers. */
static void
xp_coerce(const char *method, struct json_object *params)
{
	struct json_object	*v;
	const char		*types = NULL;
	size_t			 i;
	int64_t			 n;

	for (i = 0; i < sizeof(xr_methods) / sizeof(xr_methods[0]); i++)
		if (strcmp(xr_methods[i].name, method) == 0)
			types = xr_methods[i].types;
	for (i = 0; types != NULL && types[i] != '\0' &&
	    i < json_object_array_length(params); i++) {
		v = json_object_array_get_idx(params, i);
		if (types[i] == 'i' && json_object_is_type(v,
		    json_type_string) && xp_int(json_object_get_string(v), &n))
			json_object_array_put_idx(params, i,
			    json_object_new_int64(n));
	}
}

/* <?xml ...?> at the start, if any. */
static void
xp_prolog(struct xp *x)
{
	const char	*e;

	xp_ws(x);
	if (x->end - x->p >= 5 && memcmp(x->p, "<?xml", 5) == 0 &&
	    (e = memchr(x->p, '>', (size_t)(x->end - x->p))) != NULL &&
	    e[-1] == '?')
		x->p = e + 1;
}

static int
xp_call(struct xp *x, char **ret_name, struct json_object *params)
{
	struct json_object	*v;
	size_t			 n;
	int			 rc;

	xp_prolog(x);
	if (xp_open(x, "methodCall") != 0 || xp_open(x, "methodName") != 0 ||
	    (*ret_name = xp_leaf(x, "methodName", 0, &n)) == NULL)
		return xp_fail(x, "not a methodCall with a methodName");
	if ((rc = xp_open(x, "params")) < 0)
		return rc;
	while (rc == 0 && !xp_at_close(x)) {
		if (xp_open(x, "param") != 0 || xp_value(x, &v) < 0)
			return xp_fail(x, "a param without a value");
		json_object_array_add(params, v);
		if (xp_close(x, "param") < 0)
			return -EBADMSG;
	}
	if ((rc == 0 && xp_close(x, "params") < 0) ||
	    xp_close(x, "methodCall") < 0)
		return -EBADMSG;
	xp_ws(x);
	return x->p == x->end ? 0 : xp_fail(x, "text after the methodCall");
}

int
xmlrpc_call_to_v1(const char *xml, size_t len, char **ret, const char **why)
{
	struct xp		 x = { xml, xml + len, 0, NULL };
	struct json_object	*o, *params = json_object_new_array();
	char			*name = NULL;
	int			 rc;

	if (len > XMLRPC_MAX_BODY) {
		*why = "longer than 65536 bytes";
		json_object_put(params);
		return -EBADMSG;
	}
	if ((rc = xp_call(&x, &name, params)) < 0) {
		*why = x.why != NULL ? x.why : "not XML-RPC";
		free(name);
		json_object_put(params);
		return rc;
	}
	xp_coerce(name, params);
	o = json_object_new_object();
	json_object_object_add(o, "method", json_object_new_string(name));
	json_object_object_add(o, "params", params);
	json_object_object_add(o, "id", json_object_new_int(0));
	free(name);
	*ret = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (*ret == NULL) {
		*why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

/* rpclib's encode: the five characters escaped, other controls dropped. */
static void
xr_escape(FILE *f, const char *s, size_t n)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			fputc(c, f);
	}
}

/* A JSON value as rpclib writes the same Rpc.t. */
static void
xr_value(FILE *f, struct json_object *v)
{
	struct json_object_iterator	it, end;
	size_t				i;

	switch (json_object_get_type(v)) {
	case json_type_null:
		fputs("<value><nil/></value>", f);
		break;
	case json_type_boolean:
		fprintf(f, "<value><boolean>%d</boolean></value>",
		    json_object_get_boolean(v) ? 1 : 0);
		break;
	case json_type_int:
		fprintf(f, "<value>%" PRId64 "</value>",
		    json_object_get_int64(v));
		break;
	case json_type_double:
		fprintf(f, "<value><double>%.16g</double></value>",
		    json_object_get_double(v));
		break;
	case json_type_string:
		fputs("<value>", f);
		xr_escape(f, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		fputs("</value>", f);
		break;
	case json_type_array:
		fputs("<value><array><data>", f);
		for (i = 0; i < json_object_array_length(v); i++)
			xr_value(f, json_object_array_get_idx(v, i));
		fputs("</data></array></value>", f);
		break;
	case json_type_object:
		fputs("<value><struct>", f);
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			fputs("<member><name>", f);
			xr_escape(f, json_object_iter_peek_name(&it),
			    strlen(json_object_iter_peek_name(&it)));
			fputs("</name>", f);
			xr_value(f, json_object_iter_peek_value(&it));
			fputs("</member>", f);
		}
		fputs("</struct></value>", f);
		break;
	}
}

char *
xmlrpc_v1_to_response(const char *json)
{
	struct json_object	*o, *err = NULL, *res = NULL;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;
	bool			 ok;

	if ((o = json_tokener_parse(json)) == NULL ||
	    !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "error", &err) ||
	    !json_object_object_get_ex(o, "result", &res) ||
	    (f = open_memstream(&buf, &len)) == NULL) {
		json_object_put(o);
		return NULL;
	}
	ok = err == NULL;
	fprintf(f, "<?xml version=\"1.0\"?><methodResponse><params><param>"
	    "<value><struct><member><name>Status</name><value>%s</value>"
	    "</member><member><name>%s</name>", ok ? "Success" : "Failure",
	    ok ? "Value" : "ErrorDescription");
	xr_value(f, ok ? res : err);
	fputs("</member></struct></value></param></params></methodResponse>",
	    f);
	fclose(f);
	json_object_put(o);
	return buf;
}
