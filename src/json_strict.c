/*
 * json_strict.c: one line of JSON checked against RFC 8259 before json-c
 * reads it.  json-c is lenient where a request must not be: it keeps the
 * last of two members with one name, cuts a string at \u0000, turns a lone
 * surrogate escape into U+FFFD, takes "1." for a number and raw control
 * characters inside strings.  This scanner walks the bytes once (recursion
 * bounded by max_depth), decodes member names into one buffer and finds
 * duplicates by sorting them per object: O(n log n) in the line's length.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"

struct js_name {
	const char	*name;		/* decoded, in js.buf */
	uint32_t	 obj;		/* which object, in order of opening */
	uint32_t	 len;
};

struct js {
	const unsigned char	*s;
	size_t			 len, pos;
	unsigned int		 depth, max_depth;
	uint32_t		 nobj;
	struct js_name		*names;
	size_t			 nnames, capnames;
	char			*buf;		/* decoded names: at most len */
	size_t			 nbuf;
	int			 rc;		/* the first error */
	char			*why;
	size_t			 whylen;
	struct json_strict_info	 info;
};

static int	js_value(struct js *);

/* Note an error (the first one wins); returns -1 for "return js_bad()". */
static int __attribute__((format(printf, 3, 4)))
js_bad(struct js *js, int rc, const char *fmt, ...)
{
	va_list	ap;

	if (js->rc == 0 || (js->rc == -EDOM && rc == -EINVAL)) {
		js->rc = rc;
		va_start(ap, fmt);
		(void)vsnprintf(js->why, js->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Not JSON at the current byte. */
static int
js_unexpected(struct js *js, const char *what)
{
	if (js->pos >= js->len)
		return js_bad(js, -EINVAL, "unexpected end of the line in %s",
		    what);
	if (js->s[js->pos] >= 0x20 && js->s[js->pos] < 0x7f)
		return js_bad(js, -EINVAL, "unexpected '%c' at byte %zu in %s",
		    js->s[js->pos], js->pos, what);
	return js_bad(js, -EINVAL, "unexpected byte 0x%02x at byte %zu in %s",
	    js->s[js->pos], js->pos, what);
}

static void
js_ws(struct js *js)
{
	while (js->pos < js->len && (js->s[js->pos] == ' ' ||
	    js->s[js->pos] == '\t' || js->s[js->pos] == '\n' ||
	    js->s[js->pos] == '\r'))
		js->pos++;
}

static bool
js_digit(const struct js *js)
{
	return js->pos < js->len && js->s[js->pos] >= '0' &&
	    js->s[js->pos] <= '9';
}

static int
js_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u"; -1 if they are not. */
static int32_t
js_u4(const struct js *js, size_t at)
{
	int32_t	v = 0;
	int	d, i;

	if (at + 4 > js->len)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((d = js_hex(js->s[at + i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Append a code point to the decoded name, as UTF-8. */
static void
js_put(struct js *js, uint32_t c)
{
	char	*p = js->buf + js->nbuf;

	if (c < 0x80)
		*p++ = (char)c;
	else if (c < 0x800) {
		*p++ = (char)(0xc0 | c >> 6);
		*p++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*p++ = (char)(0xe0 | c >> 12);
		*p++ = (char)(0x80 | (c >> 6 & 0x3f));
		*p++ = (char)(0x80 | (c & 0x3f));
	} else {
		*p++ = (char)(0xf0 | c >> 18);
		*p++ = (char)(0x80 | (c >> 12 & 0x3f));
		*p++ = (char)(0x80 | (c >> 6 & 0x3f));
		*p++ = (char)(0x80 | (c & 0x3f));
	}
	js->nbuf = (size_t)(p - js->buf);
}

/*
 * A \u escape at js->pos (on the backslash): moves past it (and its low
 * half); *ret_c is the code point, or -1 when it is refused.
 */
static int
js_escape_u(struct js *js, int32_t *ret_c)
{
	int32_t	hi, lo;

	*ret_c = -1;
	if ((hi = js_u4(js, js->pos + 2)) < 0) {
		js->pos++;
		return js_bad(js, -EINVAL, "bad \\u escape at byte %zu",
		    js->pos - 1);
	}
	js->pos += 6;
	if (hi == 0)
		return js_bad(js, -EDOM, "\\u0000 in a string at byte %zu",
		    js->pos - 6);
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return js_bad(js, -EDOM, "a low surrogate (\\u%04x) without "
		    "its high half at byte %zu", (unsigned int)hi, js->pos - 6);
	if (hi < 0xd800 || hi > 0xdbff) {
		*ret_c = hi;
		return 0;
	}
	if (js->pos + 1 >= js->len || js->s[js->pos] != '\\' ||
	    js->s[js->pos + 1] != 'u' ||
	    (lo = js_u4(js, js->pos + 2)) < 0xdc00 || lo > 0xdfff)
		return js_bad(js, -EDOM, "a high surrogate (\\u%04x) without "
		    "its low half at byte %zu", (unsigned int)hi, js->pos - 6);
	js->pos += 6;
	*ret_c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* A string at js->pos (on the quote); with decode, into js->buf. */
static int
js_string(struct js *js, bool decode)
{
	static const char	 esc[] = "\"\\/bfnrt";
	static const char	 val[] = "\"\\/\b\f\n\r\t";
	const char		*e;
	int32_t			 c = -1;
	unsigned char		 b;

	js->pos++;
	for (;;) {
		if (js->pos >= js->len)
			return js_unexpected(js, "a string");
		b = js->s[js->pos];
		if (b == '"') {
			js->pos++;
			return 0;
		}
		if (b < 0x20)
			return js_bad(js, -EINVAL, "raw control character "
			    "0x%02x in a string at byte %zu", b, js->pos);
		if (b != '\\') {
			if (decode)
				js->buf[js->nbuf++] = (char)b;
			js->pos++;
			continue;
		}
		if (js->pos + 1 < js->len && js->s[js->pos + 1] == 'u') {
			if (js_escape_u(js, &c) < 0 && js->rc == -EINVAL)
				return -1;
			if (decode && c >= 0)
				js_put(js, (uint32_t)c);
			continue;
		}
		if (js->pos + 1 >= js->len || js->s[js->pos + 1] == '\0' ||
		    (e = strchr(esc, js->s[js->pos + 1])) == NULL)
			return js_bad(js, -EINVAL, "bad escape at byte %zu",
			    js->pos);
		if (decode)
			js->buf[js->nbuf++] = val[e - esc];
		js->pos += 2;
	}
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
js_number(struct js *js)
{
	if (js->s[js->pos] == '-')
		js->pos++;
	if (!js_digit(js))
		return js_unexpected(js, "a number");
	if (js->s[js->pos++] != '0')
		while (js_digit(js))
			js->pos++;
	if (js->pos < js->len && js->s[js->pos] == '.') {
		js->pos++;
		if (!js_digit(js))
			return js_unexpected(js, "a number's fraction");
		while (js_digit(js))
			js->pos++;
	}
	if (js->pos < js->len && (js->s[js->pos] == 'e' ||
	    js->s[js->pos] == 'E')) {
		js->pos++;
		if (js->pos < js->len && (js->s[js->pos] == '+' ||
		    js->s[js->pos] == '-'))
			js->pos++;
		if (!js_digit(js))
			return js_unexpected(js, "a number's exponent");
		while (js_digit(js))
			js->pos++;
	}
	return 0;
}

static int
js_literal(struct js *js, const char *word)
{
	size_t	n = strlen(word);

	if (js->len - js->pos < n || memcmp(js->s + js->pos, word, n) != 0)
		return js_unexpected(js, "a value");
	js->pos += n;
	return 0;
}

/* Remember a member name just decoded at buf[off, nbuf). */
static int
js_name_add(struct js *js, uint32_t obj, size_t off)
{
	struct js_name	*n;
	size_t		 cap;

	if (js->nnames == js->capnames) {
		cap = js->capnames ? js->capnames * 2 : 16;
		if ((n = reallocarray(js->names, cap, sizeof(*n))) == NULL)
			return js_bad(js, -ENOMEM, "out of memory");
		js->names = n;
		js->capnames = cap;
	}
	js->names[js->nnames++] = (struct js_name){ js->buf + off, obj,
	    (uint32_t)(js->nbuf - off) };
	return 0;
}

/* One "name": value member of object obj. */
static int
js_member(struct js *js, uint32_t obj)
{
	size_t	off = js->nbuf, start;

	if (js->pos >= js->len || js->s[js->pos] != '"')
		return js_unexpected(js, "an object (a member name)");
	if (js_string(js, true) < 0 || js_name_add(js, obj, off) < 0)
		return -1;
	js_ws(js);
	if (js->pos >= js->len || js->s[js->pos] != ':')
		return js_unexpected(js, "an object (':')");
	js->pos++;
	js_ws(js);
	start = js->pos;
	if (js_value(js) < 0)
		return -1;
	if (js->depth == 1 && js->nbuf - off == 2 &&
	    memcmp(js->buf + off, "id", 2) == 0) {
		js->info.id_off = start;
		js->info.id_len = js->pos - start;
		js->info.id_type = (char)js->s[start];
	}
	return 0;
}

/* An object or an array at js->pos (on its opening bracket). */
static int
js_container(struct js *js)
{
	bool		obj = js->s[js->pos] == '{';
	char		close = obj ? '}' : ']';
	uint32_t	id = js->nobj;

	if (++js->depth > js->max_depth)
		return js_bad(js, -EDOM, "nested deeper than %u arrays and "
		    "objects", js->max_depth);
	if (obj)
		js->nobj++;
	js->pos++;
	js_ws(js);
	if (js->pos < js->len && js->s[js->pos] == close) {
		js->pos++;
		js->depth--;
		return 0;
	}
	for (;;) {
		if ((obj ? js_member(js, id) : js_value(js)) < 0)
			return -1;
		js_ws(js);
		if (js->pos < js->len && js->s[js->pos] == ',') {
			js->pos++;
			js_ws(js);
			continue;
		}
		if (js->pos < js->len && js->s[js->pos] == close) {
			js->pos++;
			js->depth--;
			return 0;
		}
		return js_unexpected(js, obj ? "an object (',' or '}')" :
		    "an array (',' or ']')");
	}
}

static int
js_value(struct js *js)
{
	if (js->pos >= js->len)
		return js_unexpected(js, "a value");
	switch (js->s[js->pos]) {
	case '{':
	case '[':
		return js_container(js);
	case '"':
		return js_string(js, false);
	case 't':
		return js_literal(js, "true");
	case 'f':
		return js_literal(js, "false");
	case 'n':
		return js_literal(js, "null");
	default:
		if (js->s[js->pos] == '-' || js_digit(js))
			return js_number(js);
		return js_unexpected(js, "a value");
	}
}

static int
js_name_cmp(const void *a, const void *b)
{
	const struct js_name	*x = a, *y = b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->name, y->name, x->len);
}

/* Two members of one object with the same (decoded) name. */
static void
js_duplicates(struct js *js)
{
	const struct js_name	*n;
	size_t			 i, k;
	bool			 plain;

	if (js->nnames < 2)
		return;
	qsort(js->names, js->nnames, sizeof(*js->names), js_name_cmp);
	for (i = 1; i < js->nnames; i++) {
		if (js_name_cmp(&js->names[i - 1], &js->names[i]) != 0)
			continue;
		n = &js->names[i];
		plain = n->len <= 32;
		for (k = 0; plain && k < n->len; k++)
			plain = n->name[k] >= 0x20 && n->name[k] < 0x7f &&
			    n->name[k] != '"' && n->name[k] != '\\';
		if (plain)
			(void)js_bad(js, -EDOM, "duplicate member name "
			    "\"%.*s\"", (int)n->len, n->name);
		else
			(void)js_bad(js, -EDOM, "duplicate member name");
		return;
	}
}

bool
json_strict_utf8(const char *text, size_t len)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 i = 0, n, k;
	uint32_t		 c, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07, min = 0x10000;
		else
			return false;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

int
json_strict_check(const char *text, size_t len, unsigned int max_depth,
    struct json_strict_info *ret_info, char *why, size_t whylen)
{
	struct js	js;
	int		rc;

	memset(&js, 0, sizeof(js));
	js.s = (const unsigned char *)text;
	js.len = len;
	js.max_depth = max_depth;
	js.why = why;
	js.whylen = whylen;
	if (len > UINT32_MAX / 2) {
		(void)js_bad(&js, -EDOM, "line too long");
		goto out;
	}
	if ((js.buf = malloc(len + 1)) == NULL) {
		(void)js_bad(&js, -ENOMEM, "out of memory");
		goto out;
	}
	js_ws(&js);
	if (js_value(&js) == 0) {
		js_ws(&js);
		if (js.pos < len)
			(void)js_unexpected(&js, "the text after the value");
	}
	if (js.rc == 0)
		js_duplicates(&js);
out:
	rc = js.rc;
	if (rc == 0)
		*ret_info = js.info;
	free(js.names);
	free(js.buf);
	return rc;
}
