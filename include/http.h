/*
 * http.h: the little HTTP/1.1 the message-switch client needs
 * (docs/message-switch.md): a bounded, incremental parser of a response's
 * head, and percent-encoding of a path component.  No I/O, no allocation,
 * no logging: fuzzed as it is (tests/fuzz/fuzz_switch_http.c).
 */
#ifndef SQUEEZERD_HTTP_H
#define SQUEEZERD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD	8192	/* status line and headers, blank line in */

struct http_head {
	int	 status;		/* 100 ... 599 */
	size_t	 head_len;		/* bytes up to the body */
	size_t	 content_length;
	bool	 close;			/* "connection: close" */
};

/*
 * Parse the head of a response at the start of buf[0..len).  0 and *ret
 * when it is complete; -EAGAIN when more bytes are needed (never once len
 * reaches HTTP_MAX_HEAD); -EBADMSG when it is not an HTTP/1.x response
 * head framed by one content-length (a garbage status line, a malformed
 * or bare header, a NUL, two different lengths, none at all);
 * -EPROTONOSUPPORT for a transfer-encoding (nothing chunked is read);
 * -E2BIG when the head is longer than HTTP_MAX_HEAD or the content-length
 * above max_body.
 */
int	http_parse_head(const char *buf, size_t len, size_t max_body,
	    struct http_head *ret);

struct http_request {
	char	 method[8];		/* "GET", "POST", ... */
	size_t	 head_len;
	size_t	 content_length;	/* 0 without one */
	bool	 has_length;
};

/*
 * Parse the head of a request ("METHOD target HTTP/1.x" and its fields) at
 * the start of buf[0..len): the same rules and returns as
 * http_parse_head(), but a content-length is optional.
 */
int	http_parse_request_head(const char *buf, size_t len, size_t max_body,
	    struct http_request *ret);

/*
 * Percent-encode s as one path component into dst (NUL-terminated): every
 * byte but A-Z a-z 0-9 - . _ ~ : becomes %XX.  -ENAMETOOLONG when it does
 * not fit in dstlen.
 */
int	http_pct_encode(const char *s, char *dst, size_t dstlen);

#endif
