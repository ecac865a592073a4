/*
 * ctl_rpc.c: squeezerctl's blocking JSON-RPC 2.0 client: one request line
 * out, one response line back, errors turned into one line for people.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl_rpc.h"

#define CTL_RPC_BUF_INIT	4096
#define CTL_RPC_MAX_DEPTH	32
#define CTL_RPC_ERR_MAX		512

struct ctl_rpc {
	int		 rpc_fd;
	char		*rpc_path;
	char		*rpc_buf;	/* bytes read, not yet a whole line */
	size_t		 rpc_len, rpc_cap;
	int64_t		 rpc_id;	/* of the last request */
	struct json_object *rpc_error;	/* the daemon's, of the last call */
	ctl_rpc_tick_fn	*rpc_tick;	/* while a call waits; NULL: none */
	void		*rpc_tick_arg;
	unsigned int	 rpc_tick_ms;
	char		 rpc_err[CTL_RPC_ERR_MAX];
};

static void	ctl_rpc_vcaterr(struct ctl_rpc *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	ctl_rpc_seterr(struct ctl_rpc *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	ctl_rpc_caterr(struct ctl_rpc *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Append to the message of the last failure, as vsnprintf. */
static void
ctl_rpc_vcaterr(struct ctl_rpc *rpc, const char *fmt, va_list ap)
{
	size_t	len = strlen(rpc->rpc_err);

	if (len + 1 < sizeof(rpc->rpc_err))
		(void)vsnprintf(rpc->rpc_err + len, sizeof(rpc->rpc_err) - len,
		    fmt, ap);
}

/* Append to the message of the last failure. */
static void
ctl_rpc_caterr(struct ctl_rpc *rpc, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctl_rpc_vcaterr(rpc, fmt, ap);
	va_end(ap);
}

/* Set the message of the last failure. */
static void
ctl_rpc_seterr(struct ctl_rpc *rpc, const char *fmt, ...)
{
	va_list	ap;

	rpc->rpc_err[0] = '\0';
	va_start(ap, fmt);
	ctl_rpc_vcaterr(rpc, fmt, ap);
	va_end(ap);
}

int
ctl_rpc_open(const char *path, struct ctl_rpc **ret)
{
	struct sockaddr_un	 sun;
	struct ctl_rpc		*rpc;
	int			 rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	if ((rpc = calloc(1, sizeof(*rpc))) == NULL)
		return -ENOMEM;
	rpc->rpc_fd = -1;
	rpc->rpc_cap = CTL_RPC_BUF_INIT;
	if ((rpc->rpc_path = strdup(path)) == NULL ||
	    (rpc->rpc_buf = malloc(rpc->rpc_cap)) == NULL) {
		rc = -ENOMEM;
		goto out_free;
	}
	if ((rpc->rpc_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) == -1 ||
	    connect(rpc->rpc_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		rc = -errno;
		goto out_free;
	}
	*ret = rpc;
	return 0;
out_free:
	ctl_rpc_free(rpc);
	return rc;
}

void
ctl_rpc_free(struct ctl_rpc *rpc)
{
	if (rpc == NULL)
		return;
	if (rpc->rpc_fd != -1)
		(void)close(rpc->rpc_fd);
	json_object_put(rpc->rpc_error);
	free(rpc->rpc_path);
	free(rpc->rpc_buf);
	free(rpc);
}

/* Write all of [p, p + len) to the socket. */
static int
ctl_rpc_write(struct ctl_rpc *rpc, const char *p, size_t len)
{
	ssize_t	r;
	int	rc;

	while (len > 0) {
		if ((r = send(rpc->rpc_fd, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			ctl_rpc_seterr(rpc, "cannot send to %s: %s",
			    rpc->rpc_path, strerror(-rc));
			return rc;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Send one request line: {"jsonrpc":"2.0","id":N,"method":M,"params":P}. */
static int
ctl_rpc_send(struct ctl_rpc *rpc, const char *method,
    struct json_object *params)
{
	struct json_object	*req;
	const char		*s;
	int			 rc;

	req = json_object_new_object();
	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "id", json_object_new_int64(++rpc->rpc_id));
	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params != NULL ?
	    json_object_get(params) : json_object_new_object());
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL) {
		ctl_rpc_seterr(rpc, "%s", strerror(ENOMEM));
		rc = -ENOMEM;
	} else if (strlen(s) > CTL_RPC_MAX_REQUEST) {
		ctl_rpc_seterr(rpc, "request longer than %d bytes",
		    CTL_RPC_MAX_REQUEST);
		rc = -EMSGSIZE;
	} else if ((rc = ctl_rpc_write(rpc, s, strlen(s))) == 0)
		rc = ctl_rpc_write(rpc, "\n", 1);
	json_object_put(req);
	return rc;
}

/* Make room to read more, up to the longest response and its newline. */
static int
ctl_rpc_grow(struct ctl_rpc *rpc)
{
	size_t	 cap;
	char	*p;

	if (rpc->rpc_len < rpc->rpc_cap)
		return 0;
	if (rpc->rpc_cap > CTL_RPC_MAX_RESPONSE) {
		ctl_rpc_seterr(rpc, "response longer than %u bytes",
		    CTL_RPC_MAX_RESPONSE);
		return -EMSGSIZE;
	}
	cap = rpc->rpc_cap * 2;
	if (cap > CTL_RPC_MAX_RESPONSE + 1)
		cap = CTL_RPC_MAX_RESPONSE + 1;
	if ((p = realloc(rpc->rpc_buf, cap)) == NULL) {
		ctl_rpc_seterr(rpc, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rpc->rpc_buf = p;
	rpc->rpc_cap = cap;
	return 0;
}

/* A monotonic clock, ms. */
static uint64_t
ctl_rpc_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait until the socket can be read, ticking whenever next is reached. */
static int
ctl_rpc_wait(struct ctl_rpc *rpc, uint64_t *next)
{
	struct pollfd	pfd = { .fd = rpc->rpc_fd, .events = POLLIN };
	uint64_t	now;
	int		r, rc;

	for (;;) {
		if ((now = ctl_rpc_now_ms()) >= *next) {
			rpc->rpc_tick(rpc->rpc_tick_arg);
			/* from its end: a slow tick does not make a burst */
			*next = ctl_rpc_now_ms() + rpc->rpc_tick_ms;
			continue;
		}
		if ((r = poll(&pfd, 1, (int)(*next - now))) > 0)
			return 0;
		if (r == -1 && errno != EINTR) {
			rc = -errno;
			ctl_rpc_seterr(rpc, "cannot poll %s: %s",
			    rpc->rpc_path, strerror(-rc));
			return rc;
		}
	}
}

/* Read until the buffer holds a whole line; its length is *ret_len. */
static int
ctl_rpc_read_line(struct ctl_rpc *rpc, size_t *ret_len)
{
	const char	*nl;
	size_t		 from = 0;
	ssize_t		 r;
	uint64_t	 next = ctl_rpc_now_ms() + rpc->rpc_tick_ms;
	int		 rc;

	while ((nl = memchr(rpc->rpc_buf + from, '\n',
	    rpc->rpc_len - from)) == NULL) {
		from = rpc->rpc_len;
		if ((rc = ctl_rpc_grow(rpc)) < 0 ||
		    (rpc->rpc_tick != NULL &&
		    (rc = ctl_rpc_wait(rpc, &next)) < 0))
			return rc;
		r = read(rpc->rpc_fd, rpc->rpc_buf + rpc->rpc_len,
		    rpc->rpc_cap - rpc->rpc_len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = -errno;
			ctl_rpc_seterr(rpc, "cannot read from %s: %s",
			    rpc->rpc_path, strerror(-rc));
			return rc;
		}
		if (r == 0) {
			ctl_rpc_seterr(rpc, "%s: connection closed by the "
			    "daemon", rpc->rpc_path);
			return -ECONNRESET;
		}
		rpc->rpc_len += (size_t)r;
	}
	*ret_len = (size_t)(nl - rpc->rpc_buf);
	return 0;
}

/* Parse the line [buf, buf + len) as one JSON object. */
static int
ctl_rpc_parse(struct ctl_rpc *rpc, size_t len, struct json_object **ret)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	enum json_tokener_error	 jerr;
	int			 rc;

	if ((tok = json_tokener_new_ex(CTL_RPC_MAX_DEPTH)) == NULL) {
		ctl_rpc_seterr(rpc, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	o = json_tokener_parse_ex(tok, rpc->rpc_buf, (int)len);
	if (o == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		jerr = json_tokener_get_error(tok);
		ctl_rpc_seterr(rpc, "malformed response: %s",
		    o == NULL && jerr != json_tokener_continue ?
		    json_tokener_error_desc(jerr) : "not one JSON object");
		json_object_put(o);
		rc = -EPROTO;
	} else {
		*ret = o;
		rc = 0;
	}
	json_tokener_free(tok);
	return rc;
}

/* The integer member key of o, if there is one. */
static bool
ctl_rpc_int(struct json_object *o, const char *key, int64_t *ret)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_int64(v);
	return true;
}

/* The string member key of o, or NULL. */
static const char *
ctl_rpc_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Set the message from the daemon's error object: "word: detail". */
static void
ctl_rpc_remote(struct ctl_rpc *rpc, struct json_object *err)
{
	struct json_object	*data = NULL;
	const char		*word, *detail;
	int64_t			 code = 0;
	char			*p;

	(void)json_object_object_get_ex(err, "data", &data);
	detail = ctl_rpc_str(data, "detail");
	if ((word = ctl_rpc_str(err, "message")) != NULL)
		ctl_rpc_seterr(rpc, "%s", word);
	else {
		(void)ctl_rpc_int(err, "code", &code);
		ctl_rpc_seterr(rpc, "error %" PRId64, code);
	}
	if (detail != NULL)
		ctl_rpc_caterr(rpc, ": %s", detail);
	/* the daemon's words go to a terminal: no control characters */
	for (p = rpc->rpc_err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* Take the result out of a response, or report its error. */
static int
ctl_rpc_take(struct ctl_rpc *rpc, struct json_object *resp,
    struct json_object **ret_result)
{
	struct json_object	*v;
	int64_t			 id;

	if (json_object_object_get_ex(resp, "error", &v)) {
		ctl_rpc_remote(rpc, v);
		rpc->rpc_error = json_object_get(v);
		return -EREMOTEIO;
	}
	if (!ctl_rpc_int(resp, "id", &id) || id != rpc->rpc_id) {
		ctl_rpc_seterr(rpc, "malformed response: id is not %" PRId64,
		    rpc->rpc_id);
		return -EPROTO;
	}
	if (!json_object_object_get_ex(resp, "result", &v)) {
		ctl_rpc_seterr(rpc, "malformed response: no result");
		return -EPROTO;
	}
	*ret_result = json_object_get(v);
	return 0;
}

int
ctl_rpc_call(struct ctl_rpc *rpc, const char *method,
    struct json_object *params, struct json_object **ret_result)
{
	struct json_object	*resp = NULL;
	size_t			 len = 0;
	int			 rc;

	json_object_put(rpc->rpc_error);
	rpc->rpc_error = NULL;
	if ((rc = ctl_rpc_send(rpc, method, params)) < 0 ||
	    (rc = ctl_rpc_read_line(rpc, &len)) < 0)
		return rc;
	rc = ctl_rpc_parse(rpc, len, &resp);
	/* drop the line and its newline, whatever it held */
	memmove(rpc->rpc_buf, rpc->rpc_buf + len + 1, rpc->rpc_len - len - 1);
	rpc->rpc_len -= len + 1;
	if (rc == 0)
		rc = ctl_rpc_take(rpc, resp, ret_result);
	json_object_put(resp);
	return rc;
}

int
ctl_rpc_call_ticking(struct ctl_rpc *rpc, const char *method,
    struct json_object *params, unsigned int tick_ms, ctl_rpc_tick_fn *tick,
    void *arg, struct json_object **ret_result)
{
	int	rc;

	rpc->rpc_tick = tick_ms > 0 ? tick : NULL;
	rpc->rpc_tick_arg = arg;
	rpc->rpc_tick_ms = tick_ms;
	rc = ctl_rpc_call(rpc, method, params, ret_result);
	rpc->rpc_tick = NULL;
	rpc->rpc_tick_ms = 0;
	return rc;
}

const char *
ctl_rpc_strerror(const struct ctl_rpc *rpc)
{
	return rpc->rpc_err;
}

struct json_object *
ctl_rpc_error(const struct ctl_rpc *rpc)
{
	return rpc->rpc_error;
}
