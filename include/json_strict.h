/*
 * json_strict.h: a strict checker for one line of JSON, run on the raw
 * bytes before json-c parses them.  It accepts exactly RFC 8259's grammar
 * and refuses the valid JSON that json-c would read as something else:
 * a member name twice in one object, a \u0000 escape, an escaped surrogate
 * that is not half of a pair.  Pure: no I/O, no globals.
 */
#ifndef SQUEEZERD_JSON_STRICT_H
#define SQUEEZERD_JSON_STRICT_H

#include <stdbool.h>
#include <stddef.h>

struct json_strict_info {
	size_t	id_off;		/* the top-level object's "id" value, */
	size_t	id_len;		/* as sent (0: no such member) */
	char	id_type;	/* its first byte: '"', '-' or a digit, ... */
};

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF.  json-c checks only the byte structure.
 */
bool	json_strict_utf8(const char *text, size_t len);

/*
 * Check that text[0, len) (its UTF-8 checked apart) is one JSON value with
 * optional white space around it, nested at most max_depth arrays and
 * objects deep.  Returns 0;
 * -EINVAL for text that is not JSON; -EDOM for JSON that is refused (a
 * duplicate member name, \u0000, a lone surrogate, nested too deep);
 * -ENOMEM.  On error a sentence for people is written to why.
 */
int	json_strict_check(const char *text, size_t len, unsigned int max_depth,
	    struct json_strict_info *ret_info, char *why, size_t whylen);

#endif
