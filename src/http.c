/*
 * http.c: an HTTP/1.1 response head, read strictly and within bounds (RFC
 * 9112 sections 4 and 5: status line, field lines, one content-length).
 * A line ends in CRLF or a bare LF.  What the switch sends (cohttp's
 * respond_string) is always framed by content-length, so a response
 * without one, or with a transfer-encoding, is refused rather than read
 * to the end of the connection.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* RFC 9110 5.6.2 tchar. */
static bool
http_tchar(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL);
}

/* The line at p (before end): its length without the EOL; *ret_next past
 * it.  -EAGAIN when it has no end yet. */
static int
http_line(const char *p, const char *end, size_t *ret_len,
    const char **ret_next)
{
	const char	*nl = memchr(p, '\n', (size_t)(end - p));
	size_t		 n;

	if (nl == NULL)
		return -EAGAIN;
	n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*ret_len = n;
	*ret_next = nl + 1;
	return 0;
}

/* "HTTP/1.x NNN[ reason]". */
static int
http_status_line(const char *p, size_t n, int *ret_status)
{
	size_t	i;

	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)p[7]) || p[8] != ' ' ||
	    !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
	    !isdigit((unsigned char)p[11]) || (n > 12 && p[12] != ' '))
		return -EBADMSG;
	for (i = 12; i < n; i++)
		if (p[i] != '\t' && iscntrl((unsigned char)p[i]))
			return -EBADMSG;
	*ret_status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (*ret_status < 100 || *ret_status > 599)
		return -EBADMSG;
	return 0;
}

/* A content-length value: digits only, at most max. */
static int
http_length(const char *v, size_t n, size_t max, size_t *ret)
{
	uint64_t	len = 0;
	size_t		i;

	if (n == 0)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -EBADMSG;
		if (len > (UINT64_MAX - 9) / 10)
			return -E2BIG;
		len = len * 10 + (uint64_t)(v[i] - '0');
	}
	if (len > max)
		return -E2BIG;
	*ret = (size_t)len;
	return 0;
}

/* One "name: value" line into h; *have_len tracks content-length. */
static int
http_field(const char *p, size_t n, size_t max_body, struct http_head *h,
    bool *have_len)
{
	const char	*v, *ve;
	size_t		 name, i, len;
	int		 rc;

	for (name = 0; name < n && http_tchar((unsigned char)p[name]); name++)
		;
	if (name == 0 || name == n || p[name] != ':')
		return -EBADMSG;	/* a bare line, a space before ':' */
	v = p + name + 1;
	ve = p + n;
	while (v < ve && (*v == ' ' || *v == '\t'))
		v++;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	for (i = 0; i < (size_t)(ve - v); i++)
		if (v[i] != '\t' && iscntrl((unsigned char)v[i]))
			return -EBADMSG;
	if (name == 14 && strncasecmp(p, "content-length", 14) == 0) {
		if ((rc = http_length(v, (size_t)(ve - v), max_body, &len)) < 0)
			return rc;
		if (*have_len && len != h->content_length)
			return -EBADMSG;
		h->content_length = len;
		*have_len = true;
	} else if (name == 17 && strncasecmp(p, "transfer-encoding", 17) ==
	    0)
		return -EPROTONOSUPPORT;
	else if (name == 10 && strncasecmp(p, "connection", 10) == 0 &&
	    ve - v == 5 && strncasecmp(v, "close", 5) == 0)
		h->close = true;
	return 0;
}

int
http_parse_head(const char *buf, size_t len, size_t max_body,
    struct http_head *ret)
{
	struct http_head	 h;
	const char		*p = buf, *end, *next;
	size_t			 n;
	bool			 have_len = false;
	int			 rc;

	memset(&h, 0, sizeof(h));
	end = buf + (len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD);
	if (memchr(buf, '\0', (size_t)(end - buf)) != NULL)
		return -EBADMSG;
	if ((rc = http_line(p, end, &n, &next)) < 0) {
		/* a status line that cannot be one is known early */
		if (len > 0 && (size_t)(end - p) >= 5 && memcmp(p, "HTTP/",
		    5) != 0)
			return -EBADMSG;
		return len >= HTTP_MAX_HEAD ? -E2BIG : rc;
	}
	if ((rc = http_status_line(p, n, &h.status)) < 0)
		return rc;
	for (p = next;; p = next) {
		if ((rc = http_line(p, end, &n, &next)) < 0)
			return len >= HTTP_MAX_HEAD ? -E2BIG : rc;
		if (n == 0)
			break;
		if (*p == ' ' || *p == '\t')
			return -EBADMSG;	/* obsolete line folding */
		if ((rc = http_field(p, n, max_body, &h, &have_len)) < 0)
			return rc;
	}
	if (!have_len)
		return -EBADMSG;
	h.head_len = (size_t)(next - buf);
	*ret = h;
	return 0;
}

/* "METHOD target HTTP/1.x": a token, a target of visible characters. */
static int
http_request_line(const char *p, size_t n, char *method, size_t mlen)
{
	size_t	m, t;

	for (m = 0; m < n && http_tchar((unsigned char)p[m]); m++)
		;
	if (m == 0 || m >= mlen || m == n || p[m] != ' ')
		return -EBADMSG;
	for (t = m + 1; t < n && p[t] > ' ' && p[t] < 0x7f; t++)
		;
	if (t == m + 1 || n - t != 9 || memcmp(p + t, " HTTP/1.", 8) != 0 ||
	    !isdigit((unsigned char)p[t + 8]))
		return -EBADMSG;
	memcpy(method, p, m);
	method[m] = '\0';
	return 0;
}

int
http_parse_request_head(const char *buf, size_t len, size_t max_body,
    struct http_request *ret)
{
	struct http_request	 r;
	struct http_head	 h;
	const char		*p = buf, *end, *next;
	size_t			 n;
	bool			 have_len = false;
	int			 rc;

	memset(&r, 0, sizeof(r));
	memset(&h, 0, sizeof(h));
	end = buf + (len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD);
	if (memchr(buf, '\0', (size_t)(end - buf)) != NULL)
		return -EBADMSG;
	if ((rc = http_line(p, end, &n, &next)) < 0)
		return len >= HTTP_MAX_HEAD ? -E2BIG : rc;
	if ((rc = http_request_line(p, n, r.method, sizeof(r.method))) < 0)
		return rc;
	for (p = next;; p = next) {
		if ((rc = http_line(p, end, &n, &next)) < 0)
			return len >= HTTP_MAX_HEAD ? -E2BIG : rc;
		if (n == 0)
			break;
		if (*p == ' ' || *p == '\t')
			return -EBADMSG;
		if ((rc = http_field(p, n, max_body, &h, &have_len)) < 0)
			return rc;
	}
	r.head_len = (size_t)(next - buf);
	r.content_length = h.content_length;
	r.has_length = have_len;
	*ret = r;
	return 0;
}

int
http_pct_encode(const char *s, char *dst, size_t dstlen)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			o = 0;
	unsigned char		c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~:", c) != NULL) {
			if (o + 1 >= dstlen)
				return -ENAMETOOLONG;
			dst[o++] = (char)c;
			continue;
		}
		if (o + 3 >= dstlen)
			return -ENAMETOOLONG;
		dst[o++] = '%';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
	}
	if (o >= dstlen)
		return -ENAMETOOLONG;
	dst[o] = '\0';
	return 0;
}
