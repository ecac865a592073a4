/*
 * switch.c: serving squeezed's queue on xapi's message-switch
 * (docs/message-switch.md), on the daemon's event loop.
 *
 * Two connections, as squeezed's Protocol_unix.Server: "transfer" logs in,
 * makes the queue and long-polls POST /transfer; "reply" logs in and
 * carries, one request at a time, each answer (POST /response/...) and
 * then its ack (GET /ack/...).  Every message is a struct switch_msg, a
 * reply sink to the dispatcher (rpc_int.h), kept from its delivery to its
 * ack: a message delivered again while it runs, or while its answer waits
 * to be sent or acked, is known by its queue, id and hash, and not run
 * twice.  Answers go out in the order they are ready, whatever the order of
 * the requests.  A connection that fails, or a response that is not what
 * the protocol says, drops that connection; it is remade with back-off,
 * and the next transfer goes without "from", so the switch delivers again
 * everything not acked.  An outage is logged once, not per try.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "backend.h"
#include "http.h"
#include "log.h"
#include "rpc_int.h"
#include "squeezerd.h"
#include "switch.h"
#include "switch_proto.h"

#define SWITCH_POLL_S		30.0	/* the long poll (protocol.ml) */
#define SWITCH_GRACE_MS		30000	/* beyond it, a response is late */
#define SWITCH_MAX_INFLIGHT	256	/* messages known and not acked */
#define SWITCH_BACKOFF_MIN_MS	100
#define SWITCH_BACKOFF_MAX_MS	2000
#define SWITCH_MAX_TRIES	3	/* to answer or ack one message */
#define SWITCH_PATH_MAX		(3 * SWITCH_MAX_NAME * 2 + 64)

enum swc_req {
	SWR_NONE,
	SWR_LOGIN,
	SWR_QUEUE,
	SWR_TRANSFER,
	SWR_RESPONSE,
	SWR_ACK,
};

struct switch_msg;

struct switch_conn {
	struct switch_client	*sw;
	const char		*what;		/* "transfer" or "reply" */
	struct bufferevent	*bev;		/* NULL: down */
	struct event		*ev_retry;
	bool			 connected;
	bool			 logged_in;
	bool			 queue_made;	/* transfer: the queue exists */
	enum swc_req		 req;		/* awaiting its response */
	struct switch_msg	*msg;		/* response or ack: for it */
	unsigned int		 backoff_ms;
	bool			 have_head;
	struct http_head	 head;
};

TAILQ_HEAD(switch_msgs, switch_msg);

struct switch_client {
	struct squeezerd	*bd;
	char			 path[CONF_SOCKPATH_MAX];
	char			 queue[CONF_QUEUE_MAX];
	char			 token[64];
	char			 desc[CONF_SOCKPATH_MAX + CONF_QUEUE_MAX + 16];
	struct switch_conn	 xfer, reply;
	struct switch_msgs	 msgs;		/* every message not acked */
	struct switch_msgs	 outbox;	/* answered: to send, to ack */
	size_t			 nmsgs;
	bool			 has_from;
	int64_t			 from;
	bool			 paused;	/* too many messages known */
	void			(*on_ready)(struct squeezerd *);
	bool			 ready;
	bool			 served;	/* a transfer was ever posted */
	bool			 outage;
	uint64_t		 outage_ms;
};

struct switch_msg {
	const struct rpc_sink_ops *ops;		/* first: rpc_int.h */
	struct switch_client	*sw;
	TAILQ_ENTRY(switch_msg)	 entry;
	TAILQ_ENTRY(switch_msg)	 out_entry;
	bool			 in_outbox;
	char			*queue;
	int64_t			 id;
	uint64_t		 hash;
	char			*reply_to;	/* NULL: only to be acked */
	char			*response;	/* the answer, once there */
	bool			 responded;	/* posted: the ack is left */
	struct rpc_req		*req;		/* running */
	unsigned int		 tries;
};

static void	sw_connect(struct switch_conn *);
static void	sw_transfer(struct switch_client *);
static void	sw_pump(struct switch_client *);

/* ---- messages as reply sinks ------------------------------------------ */

static struct switch_msg *
sw_msg(struct rpc_peer *p)
{
	return (struct switch_msg *)(void *)p;
}

static bool
sw_sink_writer(const struct rpc_peer *p)
{
	(void)p;
	return true;	/* the switch's socket is root's */
}

/* Queue a message for its answer and ack, once. */
static void
sw_outbox(struct switch_msg *m)
{
	if (m->in_outbox)
		return;
	m->in_outbox = true;
	TAILQ_INSERT_TAIL(&m->sw->outbox, m, out_entry);
}

static void
sw_sink_send(struct rpc_peer *p, const char *text)
{
	struct switch_msg	*m = sw_msg(p);

	if (m->response != NULL || m->reply_to == NULL)
		return;
	if ((m->response = strdup(text)) == NULL) {
		log_warnx("%s: out of memory: message %s/%" PRId64 " left "
		    "unanswered", __func__, m->queue, m->id);
		return;
	}
	sw_outbox(m);
	sw_pump(m->sw);
}

static size_t
sw_sink_npending(const struct rpc_peer *p)
{
	return ((const struct switch_msg *)(const void *)p)->req != NULL;
}

static void
sw_sink_attach(struct rpc_peer *p, struct rpc_req *req)
{
	sw_msg(p)->req = req;
}

static void
sw_sink_detach(struct rpc_peer *p, struct rpc_req *req)
{
	(void)req;
	sw_msg(p)->req = NULL;
}

static void
sw_sink_reap(struct rpc_peer *p)
{
	(void)p;		/* a message lives until it is acked */
}

static const struct rpc_sink_ops sw_sink_ops = {
	.v1_only	= true,
	.writer		= sw_sink_writer,
	.send		= sw_sink_send,
	.npending	= sw_sink_npending,
	.attach		= sw_sink_attach,
	.detach		= sw_sink_detach,
	.reap		= sw_sink_reap,
};

/* Withdraw a running request: no answer, its operation cancelled. */
static void
sw_msg_withdraw(struct switch_msg *m)
{
	struct rpc_req	*req = m->req;

	if (req == NULL)
		return;
	rpc_peer_detach(req);
	req->peer = NULL;
	if (req->cancel != NULL)
		req->cancel(req, req->cancel_arg);
	rpc_req_free(req);
}

/* Forget a message (acked, given up, or stopping). */
static void
sw_msg_free(struct switch_msg *m)
{
	struct switch_client	*sw = m->sw;

	sw_msg_withdraw(m);
	if (m->in_outbox)
		TAILQ_REMOVE(&sw->outbox, m, out_entry);
	if (sw->reply.msg == m)
		sw->reply.msg = NULL;	/* its response will be ignored */
	TAILQ_REMOVE(&sw->msgs, m, entry);
	sw->nmsgs--;
	free(m->queue);
	free(m->reply_to);
	free(m->response);
	free(m);
}

static struct switch_msg *
sw_msg_find(struct switch_client *sw, const char *queue, int64_t id)
{
	struct switch_msg	*m;

	TAILQ_FOREACH(m, &sw->msgs, entry)
		if (m->id == id && strcmp(m->queue, queue) == 0)
			return m;
	return NULL;
}

static struct switch_msg *
sw_msg_new(struct switch_client *sw, const struct switch_in *in,
    uint64_t hash)
{
	struct switch_msg	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->queue = strdup(in->queue)) == NULL ||
	    (in->request && (m->reply_to = strdup(in->reply_to)) == NULL)) {
		if (m != NULL)
			free(m->queue);
		free(m);
		return NULL;
	}
	m->ops = &sw_sink_ops;
	m->sw = sw;
	m->id = in->id;
	m->hash = hash;
	TAILQ_INSERT_TAIL(&sw->msgs, m, entry);
	sw->nmsgs++;
	return m;
}

/* Answer a message with squeezed's Internal_error, without dispatching. */
static void
sw_msg_error(struct switch_msg *m, const char *text)
{
	struct json_object	*o = json_object_new_object(), *e;

	e = json_object_new_array();
	json_object_array_add(e, json_object_new_string("Internal_error"));
	json_object_array_add(e, json_object_new_string(text));
	json_object_object_add(o, "result", NULL);
	json_object_object_add(o, "error", e);
	json_object_object_add(o, "id", json_object_new_int(0));
	sw_sink_send((struct rpc_peer *)(void *)m,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* One delivered message: run it, or know it already. */
static void
sw_take(struct switch_client *sw, const struct switch_in *in)
{
	struct switch_msg	*m;
	uint64_t		 hash = switch_proto_hash(in);

	if ((m = sw_msg_find(sw, in->queue, in->id)) != NULL) {
		if (m->hash == hash) {
			log_debug("switch: message %s/%" PRId64 " delivered "
			    "again while %s", in->queue, in->id, m->req !=
			    NULL ? "running" : "its answer is on its way");
			return;
		}
		log_warnx("%s: message %s/%" PRId64 " is not the one of that "
		    "id still here (the switch lost its queue?): the old one "
		    "is dropped", __func__, in->queue, in->id);
		sw_msg_free(m);
	}
	if ((m = sw_msg_new(sw, in, hash)) == NULL) {
		log_warnx("%s: out of memory: message %s/%" PRId64 " left for "
		    "later", __func__, in->queue, in->id);
		return;
	}
	if (!in->request) {
		log_warnx("%s: message %s/%" PRId64 ": %s: acked, not "
		    "answered", __func__, in->queue, in->id, in->why);
		sw_outbox(m);
		sw_pump(sw);
	} else if (in->payload_len > RPC_MAX_LINE)
		sw_msg_error(m, "invalid_request: a request longer than 65536 "
		    "bytes");
	else if (memchr(in->payload, '\0', in->payload_len) != NULL)
		sw_msg_error(m, "parse_error: a NUL in the request");
	else
		rpc_dispatch(sw->bd, (struct rpc_peer *)(void *)m, in->payload,
		    in->payload_len);
}

/* ---- connections ------------------------------------------------------ */

/* Both connections are up: an outage, if any, is over. */
static void
sw_maybe_up(struct switch_client *sw)
{
	if (!sw->xfer.queue_made || !sw->reply.logged_in)
		return;
	if (sw->outage)
		log_info("message switch %s: serving %s again, after %.1f s",
		    sw->path, sw->queue, (double)(daemon_now_ms() -
		    sw->outage_ms) / 1000);
	else if (!sw->served)
		log_info("message switch %s: serving %s", sw->path, sw->queue);
	sw->outage = false;
	sw->served = true;
}

/*
 * Drop a connection and remake it after its back-off.  A protocol error is
 * logged every time; losing the switch only once per outage.
 */
static void
sw_fail(struct switch_conn *c, bool protocol, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sw_fail(struct switch_conn *c, bool protocol, const char *fmt, ...)
{
	struct switch_client	*sw = c->sw;
	struct timeval		 tv;
	char			 why[256];
	va_list			 ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (protocol)
		log_warnx("message switch %s: %s connection: %s; dropping it",
		    sw->path, c->what, why);
	else if (!sw->outage) {
		log_warnx("message switch %s: %s connection: %s; retrying "
		    "until it is back", sw->path, c->what, why);
		sw->outage = true;
		sw->outage_ms = daemon_now_ms();
	} else
		log_debug("switch: %s connection: %s", c->what, why);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	c->bev = NULL;
	c->connected = c->logged_in = c->queue_made = false;
	c->req = SWR_NONE;
	c->msg = NULL;
	c->have_head = false;
	if (c == &sw->xfer)
		sw->has_from = false;	/* the switch delivers it all again */
	tv.tv_sec = c->backoff_ms / 1000;
	tv.tv_usec = (suseconds_t)(c->backoff_ms % 1000) * 1000;
	evtimer_add(c->ev_retry, &tv);
	c->backoff_ms = c->backoff_ms * 2 > SWITCH_BACKOFF_MAX_MS ?
	    SWITCH_BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/* Write one request; the response is awaited for at most wait_ms. */
static void
sw_request(struct switch_conn *c, enum swc_req what, const char *meth,
    const char *path, const char *body, uint64_t wait_ms)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct timeval	 tv = { (time_t)(wait_ms / 1000),
	    (suseconds_t)(wait_ms % 1000) * 1000 };
	size_t		 blen = body != NULL ? strlen(body) : 0;

	evbuffer_add_printf(out, "%s %s HTTP/1.1\r\nuser-agent: squeezerd\r\n"
	    "content-length: %zu\r\nconnection: keep-alive\r\n\r\n", meth,
	    path, blen);
	if (blen > 0)
		evbuffer_add(out, body, blen);
	bufferevent_set_timeouts(c->bev, &tv, NULL);
	c->req = what;
	c->have_head = false;
}

/* "/<what>/<name>[/<name2>][/<n>]", each name percent-encoded. */
static int
sw_path(char *buf, size_t len, const char *what, const char *name,
    const char *name2, int64_t n)
{
	char	e1[3 * SWITCH_MAX_NAME + 1], e2[3 * SWITCH_MAX_NAME + 1];
	int	w;

	e2[0] = '\0';
	if (http_pct_encode(name, e1, sizeof(e1)) < 0 || (name2 != NULL &&
	    http_pct_encode(name2, e2, sizeof(e2)) < 0))
		return -ENAMETOOLONG;
	if (n < 0)
		w = snprintf(buf, len, "/%s/%s%s%s", what, e1, name2 != NULL ?
		    "/" : "", e2);
	else
		w = snprintf(buf, len, "/%s/%s%s%s/%" PRId64, what, e1,
		    name2 != NULL ? "/" : "", e2, n);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

static void
sw_login(struct switch_conn *c)
{
	char	path[SWITCH_PATH_MAX];

	(void)sw_path(path, sizeof(path), "login", c->sw->token, NULL, -1);
	sw_request(c, SWR_LOGIN, "GET", path, NULL, SWITCH_GRACE_MS);
}

/* Long-poll the queue, unless too many messages are in hand. */
static void
sw_transfer(struct switch_client *sw)
{
	struct switch_conn	*c = &sw->xfer;
	char			 body[512];

	if (!c->queue_made || c->req != SWR_NONE)
		return;
	if (sw->nmsgs >= SWITCH_MAX_INFLIGHT) {
		if (!sw->paused)
			log_warnx("%s: %d messages in hand: no more until some "
			    "are acked", __func__, SWITCH_MAX_INFLIGHT);
		sw->paused = true;
		return;
	}
	sw->paused = false;
	(void)switch_proto_transfer_body(body, sizeof(body), sw->has_from,
	    sw->from, SWITCH_POLL_S, sw->queue);
	sw_request(c, SWR_TRANSFER, "POST", "/transfer", body,
	    (uint64_t)(SWITCH_POLL_S * 1000) + SWITCH_GRACE_MS);
	if (!sw->ready) {
		sw->ready = true;
		if (sw->on_ready != NULL)
			sw->on_ready(sw->bd);
	}
}

/* The next answer or ack on the reply connection, one at a time. */
static void
sw_pump(struct switch_client *sw)
{
	struct switch_conn	*c = &sw->reply;
	struct switch_msg	*m;
	char			 path[SWITCH_PATH_MAX];

	if (!c->logged_in || c->req != SWR_NONE ||
	    (m = TAILQ_FIRST(&sw->outbox)) == NULL)
		return;
	c->msg = m;
	if (m->response != NULL && !m->responded) {
		if (sw_path(path, sizeof(path), "response", m->reply_to,
		    m->queue, m->id) < 0) {
			m->responded = true;	/* cannot be named: ack only */
			sw_pump(sw);
			return;
		}
		sw_request(c, SWR_RESPONSE, "POST", path, m->response,
		    SWITCH_GRACE_MS);
	} else {
		(void)sw_path(path, sizeof(path), "ack", m->queue, NULL, m->id);
		sw_request(c, SWR_ACK, "GET", path, NULL, SWITCH_GRACE_MS);
	}
}

/* A transfer's messages. */
static void
sw_transferred(struct switch_client *sw, const char *body, size_t len)
{
	struct switch_transfer	 t;
	const char		*why;
	size_t			 i;

	if (switch_proto_transfer(body, len, sw->nmsgs < SWITCH_MAX_INFLIGHT ?
	    SWITCH_MAX_INFLIGHT - sw->nmsgs : 1, &t, &why) < 0) {
		sw_fail(&sw->xfer, true, "a transfer that cannot be read "
		    "(%s)", why);
		return;
	}
	if (t.nleft > 0)
		log_info("switch: %zu messages left for the next transfer",
		    t.nleft);
	for (i = 0; i < t.nmsgs; i++)
		sw_take(sw, &t.msgs[i]);
	sw->has_from = true;
	sw->from = t.next;
	switch_transfer_dispose(&t);
	if (sw->bd->bd_be->sync != NULL)
		(void)sw->bd->bd_be->sync(sw->bd->bd_be_ctx);
	sw_transfer(sw);
}

/* The response to what the connection asked. */
static void
sw_response(struct switch_conn *c, const char *body, size_t len)
{
	struct switch_client	*sw = c->sw;
	struct switch_msg	*m = c->msg;
	enum swc_req		 what = c->req;
	char			 path[SWITCH_PATH_MAX];

	c->req = SWR_NONE;
	c->msg = NULL;
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	/* progress, not just a login: a switch that logs us in and then
	 * answers garbage is retried ever more slowly */
	if (c->head.status == 200 && (what == SWR_TRANSFER ||
	    what == SWR_RESPONSE || what == SWR_ACK))
		c->backoff_ms = SWITCH_BACKOFF_MIN_MS;
	if (c->head.status != 200) {
		if (m != NULL && ++m->tries >= SWITCH_MAX_TRIES) {
			log_warnx("message switch %s: message %s/%" PRId64 ": "
			    "given up after %u answers %d: left unacked",
			    sw->path, m->queue, m->id, m->tries,
			    c->head.status);
			sw_msg_free(m);
		}
		sw_fail(c, true, "status %d to a %s (%.64s)", c->head.status,
		    what == SWR_LOGIN ? "login" : what == SWR_QUEUE ? "queue" :
		    what == SWR_TRANSFER ? "transfer" : what == SWR_RESPONSE ?
		    "response" : "ack", body);
		return;
	}
	switch (what) {
	case SWR_LOGIN:
		c->logged_in = true;
		if (c == &sw->xfer) {
			(void)sw_path(path, sizeof(path), "persistent",
			    sw->queue, NULL, -1);
			sw_request(c, SWR_QUEUE, "GET", path, NULL,
			    SWITCH_GRACE_MS);
		} else {
			sw_maybe_up(sw);
			sw_pump(sw);
		}
		break;
	case SWR_QUEUE:
		c->queue_made = true;
		sw_maybe_up(sw);
		sw_transfer(sw);
		break;
	case SWR_TRANSFER:
		sw_transferred(sw, body, len);
		break;
	case SWR_RESPONSE:
		if (m != NULL)
			m->responded = true;
		sw_pump(sw);
		break;
	case SWR_ACK:
		if (m != NULL)
			sw_msg_free(m);
		if (sw->paused)
			sw_transfer(sw);
		sw_pump(sw);
		break;
	case SWR_NONE:
		break;
	}
}

/* Every whole response in the input, in turn. */
static void
sw_read_cb(struct bufferevent *bev, void *arg)
{
	struct switch_conn	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	size_t			 len, n;
	char			*body;
	int			 rc;

	while (c->bev != NULL && (len = evbuffer_get_length(in)) > 0) {
		if (c->req == SWR_NONE) {
			sw_fail(c, true, "%zu bytes nobody asked for", len);
			return;
		}
		if (!c->have_head) {
			n = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;
			rc = http_parse_head((const char *)evbuffer_pullup(in,
			    (ssize_t)n), n, SWITCH_MAX_BODY, &c->head);
			if (rc == -EAGAIN)
				return;
			if (rc < 0) {
				sw_fail(c, true, "a response that cannot be "
				    "read (%s)", strerror(-rc));
				return;
			}
			c->have_head = true;
		}
		if (len < c->head.head_len + c->head.content_length)
			return;
		if ((body = malloc(c->head.content_length + 1)) == NULL) {
			sw_fail(c, true, "out of memory");
			return;
		}
		evbuffer_drain(in, c->head.head_len);
		evbuffer_remove(in, body, c->head.content_length);
		body[c->head.content_length] = '\0';
		c->have_head = false;
		sw_response(c, body, c->head.content_length);
		free(body);
		if (c->bev != NULL && c->head.close && c->req == SWR_NONE)
			sw_fail(c, false, "closed by the switch");
	}
}

static void
sw_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct switch_conn	*c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		c->connected = true;
		sw_login(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		sw_fail(c, true, "no response in time");
	else if (what & BEV_EVENT_EOF)
		sw_fail(c, false, c->req != SWR_NONE ? "closed before it "
		    "answered" : "closed");
	else
		sw_fail(c, false, "%s", strerror(EVUTIL_SOCKET_ERROR()));
}

/* Connect (non-blocking); the rest follows in the callbacks. */
static void
sw_connect(struct switch_conn *c)
{
	struct switch_client	*sw = c->sw;
	struct sockaddr_un	 sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sw->path);
	c->bev = bufferevent_socket_new(sw->bd->bd_base, -1,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		sw_fail(c, false, "out of memory");
		return;
	}
	bufferevent_setcb(c->bev, sw_read_cb, NULL, sw_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sun,
	    sizeof(sun)) < 0)
		sw_fail(c, false, "cannot connect: %s", strerror(errno));
}

static void
sw_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sw_connect(arg);
}

static int
sw_conn_init(struct switch_client *sw, struct switch_conn *c,
    const char *what)
{
	c->sw = sw;
	c->what = what;
	c->backoff_ms = SWITCH_BACKOFF_MIN_MS;
	if ((c->ev_retry = evtimer_new(sw->bd->bd_base, sw_retry_cb, c)) ==
	    NULL)
		return -ENOMEM;
	return 0;
}

static void
sw_conn_dispose(struct switch_conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->ev_retry != NULL)
		event_free(c->ev_retry);
}

/* ---- the daemon's side ------------------------------------------------ */

int
switch_start(struct squeezerd *bd, void (*on_ready)(struct squeezerd *),
    struct switch_client **ret)
{
	struct switch_client	*sw;

	if ((sw = calloc(1, sizeof(*sw))) == NULL)
		return -ENOMEM;
	sw->bd = bd;
	sw->on_ready = on_ready;
	snprintf(sw->path, sizeof(sw->path), "%s", bd->bd_conf.switch_path);
	snprintf(sw->queue, sizeof(sw->queue), "%s", bd->bd_conf.queue_name);
	snprintf(sw->token, sizeof(sw->token), "squeezerd:%ld",
	    (long)getpid());
	snprintf(sw->desc, sizeof(sw->desc), "queue %s on %s", sw->queue,
	    sw->path);
	TAILQ_INIT(&sw->msgs);
	TAILQ_INIT(&sw->outbox);
	if (sw_conn_init(sw, &sw->xfer, "transfer") < 0 ||
	    sw_conn_init(sw, &sw->reply, "reply") < 0) {
		switch_free(sw);
		return -ENOMEM;
	}
	sw_connect(&sw->xfer);
	sw_connect(&sw->reply);
	*ret = sw;
	return 0;
}

void
switch_free(struct switch_client *sw)
{
	struct switch_msg	*m;
	size_t			 n = 0;

	if (sw == NULL)
		return;
	while ((m = TAILQ_FIRST(&sw->msgs)) != NULL) {
		n += m->req != NULL;
		sw_msg_free(m);
	}
	if (n > 0)
		log_info("message switch %s: %zu running requests withdrawn, "
		    "left for the next server of %s", sw->path, n, sw->queue);
	sw_conn_dispose(&sw->xfer);
	sw_conn_dispose(&sw->reply);
	free(sw);
}

void
switch_reload(struct squeezerd *bd)
{
	struct switch_client	*sw = bd->bd_switch;
	const struct conf	*c = &bd->bd_conf;
	int			 rc;

	if (sw != NULL && c->use_switch && strcmp(sw->path,
	    c->switch_path) == 0 && strcmp(sw->queue, c->queue_name) == 0)
		return;
	if (sw != NULL) {
		log_info("message switch %s: no longer serving %s", sw->path,
		    sw->queue);
		switch_free(sw);
		bd->bd_switch = NULL;
	}
	if (!c->use_switch)
		return;
	if ((rc = switch_start(bd, NULL, &bd->bd_switch)) < 0)
		log_warnx("%s: cannot serve the message switch: %s", __func__,
		    strerror(-rc));
}

const char *
switch_describe(const struct switch_client *sw)
{
	return sw->desc;
}
