/*
 * switch-client: a message-switch client that plays xenopsd-xc and xapi
 * towards the memory service, as xen-api's Protocol_unix.Client does
 * (docs/message-switch.md): two connections logged in with one token, a
 * transient reply queue, GET /persistent/<queue> then POST
 * /request/<queue>/<reply-queue> per call, and a long poll on the reply
 * queue that matches each Response to its request and acks it.
 *
 * usage: switch-client [-i token] [-q queue] [-t ms] [-c cmd] [-b cmd]
 *			[-d cmd] socket command [args]
 *
 *	call METHOD [PARAMS]	one squeezed v1 call (PARAMS a JSON array,
 *				default ["dbg"]); prints the response payload
 *	pipe			one v1 payload per line of standard input, all
 *				sent at once; prints "N MS PAYLOAD" per response
 *				as it comes (N: the line, MS: since it was sent)
 *	send			the same, but exits once they are queued
 *	xapi			xapi's start-up calls, "METHOD PAYLOAD" each
 *	vm-start DOMID MIN MAX	xenopsd's VM start (KiB): login,
 *				reserve_memory_range, -c (create the domain),
 *				transfer_reservation_to_domain, -b (build),
 *				query_reservation_of_domain, delete_reservation
 *	vm-destroy DOMID	-d (destroy the domain), then balance_memory
 *	bench N METHOD [PARAMS]	N calls one after another; prints
 *				"N p50 P99 max" in microseconds
 *	serve N			play the service instead: answer N requests
 *				on the queue with {"result":"echo: METHOD",
 *				"error":null,"id":0}, acking each
 *	native-bench N SOCK METHOD [PARAMS]
 *				the same, on squeezerd's control socket SOCK
 *				(one line a request), for comparison
 *	notify MS		no switch: bind a datagram socket at the path
 *				given as socket, as systemd's $NOTIFY_SOCKET;
 *				print "MS DATAGRAM" for each notification until
 *				MS ms pass
 *	raw MS [N]		no login: send standard input as it is on one
 *				connection, print what comes back until the
 *				switch closes it, MS ms pass, or N responses
 *				(framed by content-length) are in
 *
 * The -c, -b and -d commands run under /bin/sh with DOMID and KIB (the
 * reservation) in the environment; a failure stops vm-start.  -t bounds
 * each wait for a response (default 60000 ms); -i is the login token
 * (default switch-client:PID), -q the service's queue (default
 * org.xen.xapi.memory).  Exit status: 0, 1 usage, 2 I/O or protocol error,
 * 3 timeout, 4 a v1 call answered with an error (call, vm-*).
 */
#define _GNU_SOURCE	/* asprintf, memmem */
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define EXIT_USAGE	1
#define EXIT_IO		2
#define EXIT_TIMEOUT	3
#define EXIT_V1ERR	4
#define MAX_CALLS	4096

struct hconn {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
};

struct call {
	char	*payload;
	char	 queue[256];
	int64_t	 id;		/* the request's message id */
	int64_t	 sent_us;
	char	*reply;
};

static const char	*arg_path;
static const char	*arg_queue = "org.xen.xapi.memory";
static const char	*arg_create, *arg_build, *arg_destroy;
static char		 arg_token[256];
static long		 arg_timeout_ms = 60000;
static struct hconn	 req_conn, evt_conn;
static char		 reply_queue[512];
static int64_t		 transfer_from = -2;	/* -2: none yet */
static long		 next_call_id = 1;

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "switch-client: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- HTTP over the switch's socket ------------------------------------ */

static void
hc_connect(struct hconn *c)
{
	struct sockaddr_un	sun;
	int64_t			until = now_us() + arg_timeout_ms * 1000;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    arg_path) >= sizeof(sun.sun_path))
		die(EXIT_USAGE, "%s: path too long", arg_path);
	for (;;) {
		if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
		    -1)
			die(EXIT_IO, "socket: %s", strerror(errno));
		if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		/* protocol_unix.ml: wait for the switch to start */
		if ((errno != ENOENT && errno != ECONNREFUSED) ||
		    now_us() > until)
			die(EXIT_IO, "%s: %s", arg_path, strerror(errno));
		close(c->fd);
		usleep(100000);
	}
	c->len = 0;
}

static void
hc_write(struct hconn *c, const char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = send(c->fd, p, n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die(EXIT_IO, "send: %s", strerror(errno));
		p += r;
		n -= (size_t)r;
	}
}

/* Read more into c's buffer before the deadline. */
static void
hc_fill(struct hconn *c, int64_t until_us)
{
	struct pollfd	pfd = { c->fd, POLLIN, 0 };
	int64_t		left;
	ssize_t		r;

	if (c->cap - c->len < 4096) {
		c->cap = c->cap ? c->cap * 2 : 65536;
		if ((c->buf = realloc(c->buf, c->cap)) == NULL)
			die(EXIT_IO, "out of memory");
	}
	left = (until_us - now_us()) / 1000;
	if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
		die(EXIT_TIMEOUT, "no response within %ld ms", arg_timeout_ms);
	r = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (r <= 0)
		die(EXIT_IO, "the switch closed the connection");
	c->len += (size_t)r;
}

/* One request, its response; the body is malloc'ed. */
static int
hc_request(struct hconn *c, const char *meth, const char *path,
    const char *body, long wait_ms, char **ret_body)
{
	char		 head[2048], *end, *p;
	size_t		 blen = body != NULL ? strlen(body) : 0, hlen, clen;
	int64_t		 until = now_us() + wait_ms * 1000;
	int		 n, status;

	n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nuser-agent: "
	    "cohttp\r\ncontent-length: %zu\r\nconnection: keep-alive\r\n\r\n",
	    meth, path, blen);
	if (n < 0 || (size_t)n >= sizeof(head))
		die(EXIT_USAGE, "path too long");
	hc_write(c, head, (size_t)n);
	if (blen > 0)
		hc_write(c, body, blen);
	while ((end = c->len > 0 ? memmem(c->buf, c->len, "\r\n\r\n", 4) :
	    NULL) == NULL)
		hc_fill(c, until);
	hlen = (size_t)(end - c->buf) + 4;
	if (sscanf(c->buf, "HTTP/1.%*d %d", &status) != 1)
		die(EXIT_IO, "bad status line");
	clen = 0;
	for (p = c->buf; p < end; p++)
		if ((p == c->buf || p[-1] == '\n') &&
		    strncasecmp(p, "content-length:", 15) == 0)
			clen = (size_t)strtoull(p + 15, NULL, 10);
	while (c->len < hlen + clen)
		hc_fill(c, until);
	if ((*ret_body = malloc(clen + 1)) == NULL)
		die(EXIT_IO, "out of memory");
	memcpy(*ret_body, c->buf + hlen, clen);
	(*ret_body)[clen] = '\0';
	memmove(c->buf, c->buf + hlen + clen, c->len - hlen - clen);
	c->len -= hlen + clen;
	return status;
}

/* A request that must succeed; its body is returned (malloc'ed). */
static char *
hc_ok(struct hconn *c, const char *meth, const char *path, const char *body)
{
	char	*rbody;
	int	 st;

	if ((st = hc_request(c, meth, path, body, arg_timeout_ms, &rbody)) !=
	    200)
		die(EXIT_IO, "%s %s: status %d: %s", meth, path, st, rbody);
	return rbody;
}

/* ---- the client, as Protocol_unix.Client ---------------------------- */

static void
client_connect(void)
{
	char	path[600];

	if (arg_token[0] == '\0')
		snprintf(arg_token, sizeof(arg_token), "switch-client:%ld",
		    (long)getpid());
	hc_connect(&req_conn);
	hc_connect(&evt_conn);
	snprintf(path, sizeof(path), "/login/%s", arg_token);
	free(hc_ok(&req_conn, "GET", path, NULL));
	free(hc_ok(&evt_conn, "GET", path, NULL));
	snprintf(path, sizeof(path), "/transient/%s", arg_token);
	free(hc_ok(&req_conn, "GET", path, NULL));
	snprintf(reply_queue, sizeof(reply_queue), "%s", arg_token);
}

/* Queue one call's payload. */
static void
client_send(struct call *c)
{
	struct json_object	*o, *e;
	char			 path[1024], *body;

	snprintf(path, sizeof(path), "/persistent/%s", arg_queue);
	free(hc_ok(&req_conn, "GET", path, NULL));
	snprintf(path, sizeof(path), "/request/%s/%s", arg_queue, reply_queue);
	c->sent_us = now_us();
	body = hc_ok(&req_conn, "POST", path, c->payload);
	if ((o = json_tokener_parse(body)) == NULL ||
	    !json_object_is_type(o, json_type_array))
		die(EXIT_IO, "POST %s: %s", path, body);
	if (json_object_array_length(o) != 1)
		die(EXIT_IO, "POST %s: queue deleted (%s)", path, body);
	e = json_object_array_get_idx(o, 0);
	snprintf(c->queue, sizeof(c->queue), "%s", json_object_get_string(
	    json_object_array_get_idx(e, 0)));
	c->id = json_object_get_int64(json_object_array_get_idx(e, 1));
	json_object_put(o);
	free(body);
}

/* One long poll on the reply queue; replies are matched to calls. */
static size_t
client_poll(struct call *calls, size_t ncalls, int64_t until_us,
    void (*on_reply)(struct call *, size_t))
{
	struct json_object	*o, *msgs, *m, *id, *mo, *kind, *v;
	char			 body[1200], path[1024], *rbody, from[40];
	size_t			 i, j, got = 0;
	long			 wait_ms = (until_us - now_us()) / 1000;
	int			 st;

	if (wait_ms <= 0)
		die(EXIT_TIMEOUT, "no response within %ld ms", arg_timeout_ms);
	from[0] = '\0';
	if (transfer_from > -2)
		snprintf(from, sizeof(from), "\"from\":\"%" PRId64 "\",",
		    transfer_from);
	snprintf(body, sizeof(body), "{%s\"timeout\":%.1f,\"queues\":"
	    "[\"%s\"]}", from, wait_ms > 30000 ? 30.0 : wait_ms / 1000.0,
	    reply_queue);
	st = hc_request(&evt_conn, "POST", "/transfer", body, wait_ms + 30000,
	    &rbody);
	if (st != 200 || (o = json_tokener_parse(rbody)) == NULL ||
	    !json_object_object_get_ex(o, "messages", &msgs) ||
	    !json_object_is_type(msgs, json_type_array))
		die(EXIT_IO, "POST /transfer: status %d: %s", st, rbody);
	free(rbody);
	for (i = 0; i < json_object_array_length(msgs); i++) {
		m = json_object_array_get_idx(msgs, i);
		id = json_object_array_get_idx(m, 0);
		mo = json_object_array_get_idx(m, 1);
		if (!json_object_is_type(m, json_type_array) ||
		    !json_object_is_type(id, json_type_array) ||
		    !json_object_is_type(mo, json_type_object) ||
		    !json_object_object_get_ex(mo, "kind", &kind) ||
		    !json_object_is_type(kind, json_type_array) ||
		    strcmp(json_object_get_string(json_object_array_get_idx(
		    kind, 0)), "Response") != 0)
			continue;
		v = json_object_array_get_idx(kind, 1);
		for (j = 0; j < ncalls; j++) {
			if (calls[j].reply != NULL || calls[j].id !=
			    json_object_get_int64(json_object_array_get_idx(
			    v, 1)) || strcmp(calls[j].queue,
			    json_object_get_string(json_object_array_get_idx(
			    v, 0))) != 0)
				continue;
			json_object_object_get_ex(mo, "payload", &v);
			calls[j].reply = strdup(json_object_get_string(v));
			got++;
			if (on_reply != NULL)
				on_reply(&calls[j], j);
			break;
		}
		/* ack it, ours or not (no wakener: printed and ignored) */
		snprintf(path, sizeof(path), "/ack/%s/%" PRId64,
		    json_object_get_string(json_object_array_get_idx(id, 0)),
		    json_object_get_int64(json_object_array_get_idx(id, 1)));
		free(hc_ok(&evt_conn, "GET", path, NULL));
	}
	if (json_object_object_get_ex(o, "next", &v))
		transfer_from = strtoll(json_object_get_string(v), NULL, 10);
	json_object_put(o);
	return got;
}

/* Wait until every call has its reply. */
static void
client_wait(struct call *calls, size_t n,
    void (*on_reply)(struct call *, size_t))
{
	int64_t	until = now_us() + arg_timeout_ms * 1000;
	size_t	left = 0, i;

	for (i = 0; i < n; i++)
		if (calls[i].reply == NULL)
			left++;
	while (left > 0)
		left -= client_poll(calls, n, until, on_reply);
}

static char *
make_payload(const char *method, const char *params)
{
	char	*p;

	if (asprintf(&p, "{\"method\":\"%s\",\"params\":%s,\"id\":%ld}",
	    method, params, next_call_id++) < 0)
		die(EXIT_IO, "out of memory");
	return p;
}

/* One call, answered: its reply (owned by the caller). */
static char *
client_call(const char *method, const char *params)
{
	struct call	c;

	memset(&c, 0, sizeof(c));
	c.payload = make_payload(method, params);
	client_send(&c);
	client_wait(&c, 1, NULL);
	free(c.payload);
	return c.reply;
}

/* The reply's error member is null. */
static bool
v1_ok(const char *reply, struct json_object **ret_result)
{
	struct json_object	*o, *e, *r;
	bool			 ok;

	if ((o = json_tokener_parse(reply)) == NULL ||
	    !json_object_object_get_ex(o, "error", &e) ||
	    !json_object_object_get_ex(o, "result", &r)) {
		json_object_put(o);
		return false;
	}
	ok = e == NULL;
	if (ok && ret_result != NULL)
		*ret_result = json_object_get(r);
	json_object_put(o);
	return ok;
}

/* ---- commands ---------------------------------------------------------- */

static void
print_reply(struct call *c, size_t i)
{
	printf("%zu %" PRId64 " %s\n", i + 1, (now_us() - c->sent_us) / 1000,
	    c->reply);
	fflush(stdout);
}

static int
cmd_pipe(bool wait)
{
	static struct call	 calls[MAX_CALLS];
	char			*line = NULL;
	size_t			 cap = 0, n = 0, i;
	ssize_t			 len;

	while ((len = getline(&line, &cap, stdin)) != -1 && n < MAX_CALLS) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		calls[n].payload = strdup(line);
		client_send(&calls[n]);
		n++;
	}
	free(line);
	if (wait)
		client_wait(calls, n, print_reply);
	for (i = 0; i < n; i++) {
		free(calls[i].payload);
		free(calls[i].reply);
	}
	return 0;
}

static int
cmd_xapi(void)
{
	static const char *const methods[] = { "get_domain_zero_policy",
	    "get_host_initial_free_memory", "get_host_reserved_memory", NULL };
	char	*r;
	size_t	 i;
	int	 rc = 0;

	for (i = 0; methods[i] != NULL; i++) {
		r = client_call(methods[i], "[\"xapi-startup\"]");
		printf("%s %s\n", methods[i], r);
		if (!v1_ok(r, NULL))
			rc = EXIT_V1ERR;
		free(r);
	}
	return rc;
}

/* Run a hook command with DOMID and KIB set; false when it fails. */
static bool
hook(const char *cmd, const char *domid, int64_t kib)
{
	char	v[32];

	if (cmd == NULL)
		return true;
	setenv("DOMID", domid, 1);
	snprintf(v, sizeof(v), "%" PRId64, kib);
	setenv("KIB", v, 1);
	fflush(stdout);
	return system(cmd) == 0;
}

/* One step of a VM start: the call, printed "METHOD MS PAYLOAD". */
static char *
step(const char *method, const char *params, bool *ok)
{
	int64_t	 t0 = now_us();
	char	*r = client_call(method, params);

	printf("%s %" PRId64 " %s\n", method, (now_us() - t0) / 1000, r);
	fflush(stdout);
	if (!v1_ok(r, NULL))
		*ok = false;
	return r;
}

static int
cmd_vm_start(const char *domid, const char *min, const char *max)
{
	struct json_object	*res = NULL;
	char			 params[512], rid[128];
	char			*r;
	int64_t			 kib;
	bool			 ok = true;

	free(step("login", "[\"vm-start\",\"xenopsd\"]", &ok));
	snprintf(params, sizeof(params), "[\"VM.start %s\",\"xenopsd\",%s,%s]",
	    domid, min, max);
	r = step("reserve_memory_range", params, &ok);
	if (!ok || !v1_ok(r, &res) || json_object_array_length(res) != 2) {
		free(r);
		json_object_put(res);
		return EXIT_V1ERR;
	}
	snprintf(rid, sizeof(rid), "%s", json_object_get_string(
	    json_object_array_get_idx(res, 0)));
	kib = json_object_get_int64(json_object_array_get_idx(res, 1));
	json_object_put(res);
	free(r);
	if (!hook(arg_create, domid, kib)) {
		fprintf(stderr, "switch-client: -c failed\n");
		snprintf(params, sizeof(params), "[\"VM.start %s\",\"xenopsd\","
		    "\"%s\"]", domid, rid);
		free(step("delete_reservation", params, &ok));
		return EXIT_V1ERR;
	}
	snprintf(params, sizeof(params), "[\"VM.start %s\",\"xenopsd\",\"%s\","
	    "%s]", domid, rid, domid);
	free(step("transfer_reservation_to_domain", params, &ok));
	if (ok && !hook(arg_build, domid, kib)) {
		fprintf(stderr, "switch-client: -b failed\n");
		ok = false;
	}
	snprintf(params, sizeof(params), "[\"VM.start %s\",\"xenopsd\",%s]",
	    domid, domid);
	free(step("query_reservation_of_domain", params, &ok));
	snprintf(params, sizeof(params), "[\"VM.start %s\",\"xenopsd\","
	    "\"%s\"]", domid, rid);
	free(step("delete_reservation", params, &ok));
	return ok ? 0 : EXIT_V1ERR;
}

static int
cmd_vm_destroy(const char *domid)
{
	bool	ok = true;

	if (!hook(arg_destroy, domid, 0)) {
		fprintf(stderr, "switch-client: -d failed\n");
		return EXIT_V1ERR;
	}
	free(step("balance_memory", "[\"VM.destroy\"]", &ok));
	return ok ? 0 : EXIT_V1ERR;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmd_bench(long n, const char *method, const char *params)
{
	int64_t	*us, t0;
	char	*r;
	long	 i;

	if (n < 1 || (us = calloc((size_t)n, sizeof(*us))) == NULL)
		return EXIT_USAGE;
	for (i = 0; i < n; i++) {
		t0 = now_us();
		r = client_call(method, params);
		us[i] = now_us() - t0;
		if (!v1_ok(r, NULL))
			die(EXIT_V1ERR, "%s: %s", method, r);
		free(r);
	}
	qsort(us, (size_t)n, sizeof(*us), cmp_i64);
	printf("%ld %" PRId64 " %" PRId64 " %" PRId64 "\n", n, us[n / 2],
	    us[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], us[n - 1]);
	free(us);
	return 0;
}

/* Answer n requests on arg_queue, as a trivial service would. */
static int
cmd_serve(long n)
{
	struct json_object	*o, *msgs, *m, *id, *mo, *kind, *v, *p;
	char			 body[1200], path[1200], *rbody, from[40];
	char			 reply[512];
	const char		*q;
	int64_t			 mid;
	size_t			 i;
	int			 st;

	snprintf(path, sizeof(path), "/persistent/%s", arg_queue);
	free(hc_ok(&req_conn, "GET", path, NULL));
	printf("serving\n");
	fflush(stdout);
	while (n > 0) {
		from[0] = '\0';
		if (transfer_from > -2)
			snprintf(from, sizeof(from), "\"from\":\"%" PRId64
			    "\",", transfer_from);
		snprintf(body, sizeof(body), "{%s\"timeout\":5.0,\"queues\":"
		    "[\"%s\"]}", from, arg_queue);
		st = hc_request(&evt_conn, "POST", "/transfer", body,
		    arg_timeout_ms, &rbody);
		if (st != 200 || (o = json_tokener_parse(rbody)) == NULL)
			die(EXIT_IO, "POST /transfer: status %d: %s", st,
			    rbody);
		free(rbody);
		json_object_object_get_ex(o, "messages", &msgs);
		for (i = 0; i < json_object_array_length(msgs); i++) {
			m = json_object_array_get_idx(msgs, i);
			id = json_object_array_get_idx(m, 0);
			mo = json_object_array_get_idx(m, 1);
			q = json_object_get_string(json_object_array_get_idx(
			    id, 0));
			mid = json_object_get_int64(json_object_array_get_idx(
			    id, 1));
			json_object_object_get_ex(mo, "kind", &kind);
			json_object_object_get_ex(mo, "payload", &v);
			p = json_tokener_parse(json_object_get_string(v));
			snprintf(reply, sizeof(reply), "{\"result\":\"echo: "
			    "%.200s\",\"error\":null,\"id\":0}",
			    p != NULL && json_object_object_get_ex(p, "method",
			    &v) ? json_object_get_string(v) : "?");
			json_object_put(p);
			snprintf(path, sizeof(path), "/response/%s/%s/%" PRId64,
			    json_object_get_string(json_object_array_get_idx(
			    kind, 1)), q, mid);
			free(hc_ok(&req_conn, "POST", path, reply));
			snprintf(path, sizeof(path), "/ack/%s/%" PRId64, q,
			    mid);
			free(hc_ok(&req_conn, "GET", path, NULL));
			n--;
		}
		json_object_object_get_ex(o, "next", &v);
		transfer_from = strtoll(json_object_get_string(v), NULL, 10);
		json_object_put(o);
	}
	return 0;
}

/* N sequential v1 calls on squeezerd's control socket: the same figures. */
static int
cmd_native_bench(long n, const char *sock, const char *method,
    const char *params)
{
	int64_t	*us, t0;
	char	*line, *nl;
	long	 i;

	if (n < 1 || (us = calloc((size_t)n, sizeof(*us))) == NULL)
		return EXIT_USAGE;
	arg_path = sock;
	hc_connect(&req_conn);
	for (i = 0; i < n; i++) {
		line = make_payload(method, params);
		t0 = now_us();
		hc_write(&req_conn, line, strlen(line));
		hc_write(&req_conn, "\n", 1);
		free(line);
		while ((nl = req_conn.len > 0 ? memchr(req_conn.buf, '\n',
		    req_conn.len) : NULL) == NULL)
			hc_fill(&req_conn, t0 + arg_timeout_ms * 1000);
		us[i] = now_us() - t0;
		*nl = '\0';
		if (strstr(req_conn.buf, "\"error\":null") == NULL)
			die(EXIT_V1ERR, "%s: %s", method, req_conn.buf);
		req_conn.len -= (size_t)(nl + 1 - req_conn.buf);
		memmove(req_conn.buf, nl + 1, req_conn.len);
	}
	qsort(us, (size_t)n, sizeof(*us), cmp_i64);
	printf("%ld %" PRId64 " %" PRId64 " %" PRId64 "\n", n, us[n / 2],
	    us[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], us[n - 1]);
	free(us);
	close(req_conn.fd);
	free(req_conn.buf);
	return 0;
}

/* systemd's side of sd_notify: print each datagram with its time. */
static int
cmd_notify(long ms)
{
	struct sockaddr_un	sun;
	struct pollfd		pfd;
	char			buf[4096];
	int64_t			t0 = now_us(), until = t0 + ms * 1000;
	ssize_t			r;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", arg_path);
	(void)unlink(arg_path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die(EXIT_IO, "%s: %s", arg_path, strerror(errno));
	printf("listening\n");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (now_us() < until) {
		if (poll(&pfd, 1, (int)((until - now_us()) / 1000) + 1) <= 0)
			continue;
		if ((r = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0)
			continue;
		buf[r] = '\0';
		for (char *p = buf; *p != '\0'; p++)
			if (*p == '\n')
				*p = ' ';
		printf("%" PRId64 " %s\n", (now_us() - t0) / 1000, buf);
		fflush(stdout);
	}
	close(fd);
	(void)unlink(arg_path);
	return 0;
}

/* How many whole responses are in buf (a head without content-length
 * counts with an empty body). */
static long
count_responses(const char *buf, size_t len)
{
	const char	*p = buf, *end, *q;
	size_t		 clen;
	long		 n = 0;

	while ((end = memmem(p, len - (size_t)(p - buf), "\r\n\r\n", 4)) !=
	    NULL) {
		clen = 0;
		for (q = p; q < end; q++)
			if ((q == p || q[-1] == '\n') &&
			    strncasecmp(q, "content-length:", 15) == 0)
				clen = (size_t)strtoull(q + 15, NULL, 10);
		if ((size_t)(end + 4 - buf) + clen > len)
			break;
		p = end + 4 + clen;
		n++;
	}
	return n;
}

/* Bytes in, bytes out, no protocol. */
static int
cmd_raw(long ms, long want)
{
	char	 buf[65536];
	size_t	 n;
	ssize_t	 r;
	int64_t	 until = now_us() + ms * 1000;
	struct pollfd	pfd;
	struct hconn	*c = &evt_conn;

	hc_connect(&req_conn);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		hc_write(&req_conn, buf, n);
	pfd.fd = req_conn.fd;
	pfd.events = POLLIN;
	while (now_us() < until) {
		if (poll(&pfd, 1, (int)((until - now_us()) / 1000) + 1) <= 0)
			continue;
		if ((r = read(req_conn.fd, buf, sizeof(buf))) <= 0)
			break;
		fwrite(buf, 1, (size_t)r, stdout);
		fflush(stdout);
		if (c->cap < c->len + (size_t)r) {
			c->cap = (c->len + (size_t)r) * 2;
			if ((c->buf = realloc(c->buf, c->cap)) == NULL)
				die(EXIT_IO, "out of memory");
		}
		memcpy(c->buf + c->len, buf, (size_t)r);
		c->len += (size_t)r;
		if (want > 0 && count_responses(c->buf, c->len) >= want)
			break;
	}
	free(c->buf);
	close(req_conn.fd);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: switch-client [-i token] [-q queue] [-t ms] "
	    "[-c cmd] [-b cmd] [-d cmd] socket command [args]\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	const char	*cmd, *params;
	char		*r;
	int		 ch, rc;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "b:c:d:i:q:t:")) != -1) {
		switch (ch) {
		case 'b':
			arg_build = optarg;
			break;
		case 'c':
			arg_create = optarg;
			break;
		case 'd':
			arg_destroy = optarg;
			break;
		case 'i':
			snprintf(arg_token, sizeof(arg_token), "%s", optarg);
			break;
		case 'q':
			arg_queue = optarg;
			break;
		case 't':
			arg_timeout_ms = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	arg_path = argv[0];
	cmd = argv[1];
	if (strcmp(cmd, "notify") == 0 && argc == 3)
		return cmd_notify(strtol(argv[2], NULL, 10));
	if (strcmp(cmd, "native-bench") == 0 && (argc == 5 || argc == 6))
		return cmd_native_bench(strtol(argv[2], NULL, 10), argv[3],
		    argv[4], argc == 6 ? argv[5] : "[\"dbg\"]");
	if (strcmp(cmd, "raw") == 0 && (argc == 3 || argc == 4))
		return cmd_raw(strtol(argv[2], NULL, 10), argc == 4 ?
		    strtol(argv[3], NULL, 10) : 0);
	client_connect();
	if (strcmp(cmd, "call") == 0 && (argc == 3 || argc == 4)) {
		params = argc == 4 ? argv[3] : "[\"dbg\"]";
		r = client_call(argv[2], params);
		printf("%s\n", r);
		rc = v1_ok(r, NULL) ? 0 : EXIT_V1ERR;
		free(r);
	} else if (strcmp(cmd, "pipe") == 0 && argc == 2)
		rc = cmd_pipe(true);
	else if (strcmp(cmd, "send") == 0 && argc == 2)
		rc = cmd_pipe(false);
	else if (strcmp(cmd, "xapi") == 0 && argc == 2)
		rc = cmd_xapi();
	else if (strcmp(cmd, "vm-start") == 0 && argc == 5)
		rc = cmd_vm_start(argv[2], argv[3], argv[4]);
	else if (strcmp(cmd, "vm-destroy") == 0 && argc == 3)
		rc = cmd_vm_destroy(argv[2]);
	else if (strcmp(cmd, "serve") == 0 && argc == 3)
		rc = cmd_serve(strtol(argv[2], NULL, 10));
	else if (strcmp(cmd, "bench") == 0 && (argc == 4 || argc == 5))
		rc = cmd_bench(strtol(argv[2], NULL, 10), argv[3],
		    argc == 5 ? argv[4] : "[\"dbg\"]");
	else
		usage();
	close(req_conn.fd);
	close(evt_conn.fd);
	free(req_conn.buf);
	free(evt_conn.buf);
	return rc;
}
