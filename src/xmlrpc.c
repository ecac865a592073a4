/*
 * xmlrpc.c: squeezed's socket for use-switch=false hosts, on the event
 * loop: one HTTP POST per connection (xen-api xcp_service.ml http_handler:
 * any path, framed by content-length, answered "200 OK" and closed; not a
 * POST: "404" with an empty body; no content-length: closed unanswered),
 * its XML-RPC body turned into a squeezed v1 request for the dispatcher
 * and the v1 answer into XML-RPC (xmlrpc_conv.c).  Each connection is a
 * reply sink (rpc_int.h); one that goes away before its answer withdraws
 * its request.  The socket is root's alone (mode 0600), as the switch's is.
 */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "backend.h"
#include "http.h"
#include "log.h"
#include "rpc_int.h"
#include "squeezerd.h"
#include "xmlrpc.h"

#define XMLRPC_MAX_CONNS	64
#define XMLRPC_READ_S		30	/* to send a whole request */

struct xr_conn {
	const struct rpc_sink_ops *ops;		/* first: rpc_int.h */
	struct xmlrpc_server	*srv;
	struct bufferevent	*bev;
	TAILQ_ENTRY(xr_conn)	 entry;
	struct rpc_req		*req;		/* running */
	bool			 taken;		/* the request is read */
	bool			 closing;	/* once the answer is out */
};

struct xmlrpc_server {
	struct squeezerd	*bd;
	struct evconnlistener	*lev;
	char			 path[CONF_SOCKPATH_MAX];
	TAILQ_HEAD(, xr_conn)	 conns;
	size_t			 nconns;
};

static void
xr_conn_free(struct xr_conn *c)
{
	struct rpc_req	*req = c->req;

	if (req != NULL) {		/* withdrawn: nobody to answer */
		rpc_peer_detach(req);
		req->peer = NULL;
		if (req->cancel != NULL)
			req->cancel(req, req->cancel_arg);
		rpc_req_free(req);
	}
	TAILQ_REMOVE(&c->srv->conns, c, entry);
	c->srv->nconns--;
	bufferevent_free(c->bev);
	free(c);
}

/* Write a response and close once it is out. */
static void
xr_respond(struct xr_conn *c, const char *status, const char *body)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	size_t		 n = body != NULL ? strlen(body) : 0;

	evbuffer_add_printf(out, "HTTP/1.1 %s\r\nuser-agent: squeezerd\r\n"
	    "content-length: %zu\r\n\r\n", status, n);
	if (n > 0)
		evbuffer_add(out, body, n);
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_enable(c->bev, EV_WRITE);
}

/* A v1 answer (or squeezed's Internal_error) as XML-RPC. */
static void
xr_answer_json(struct xr_conn *c, const char *json)
{
	char	*xml;

	if ((xml = xmlrpc_v1_to_response(json)) == NULL) {
		log_warnx("%s: an answer that cannot be written as XML-RPC",
		    __func__);
		xml = xmlrpc_v1_to_response("{\"result\":null,\"error\":["
		    "\"Internal_error\",\"out of memory\"],\"id\":0}");
	}
	xr_respond(c, "200 OK", xml);
	free(xml);
}

static bool
xr_sink_writer(const struct rpc_peer *p)
{
	(void)p;
	return true;	/* the socket is root's */
}

static void
xr_sink_send(struct rpc_peer *p, const char *text)
{
	struct xr_conn	*c = (struct xr_conn *)(void *)p;

	if (!c->closing)
		xr_answer_json(c, text);
}

static size_t
xr_sink_npending(const struct rpc_peer *p)
{
	return ((const struct xr_conn *)(const void *)p)->req != NULL;
}

static void
xr_sink_attach(struct rpc_peer *p, struct rpc_req *req)
{
	((struct xr_conn *)(void *)p)->req = req;
}

static void
xr_sink_detach(struct rpc_peer *p, struct rpc_req *req)
{
	(void)req;
	((struct xr_conn *)(void *)p)->req = NULL;
}

static void
xr_sink_reap(struct rpc_peer *p)
{
	(void)p;		/* freed once its answer is written */
}

static const struct rpc_sink_ops xr_sink_ops = {
	.v1_only	= true,
	.writer		= xr_sink_writer,
	.send		= xr_sink_send,
	.npending	= xr_sink_npending,
	.attach		= xr_sink_attach,
	.detach		= xr_sink_detach,
	.reap		= xr_sink_reap,
};

/* The request's body: to the dispatcher, or answered with why it is not. */
static void
xr_call(struct xr_conn *c, const char *body, size_t len)
{
	char		*json = NULL, err[256];
	const char	*why = NULL;

	if (xmlrpc_call_to_v1(body, len, &json, &why) < 0) {
		snprintf(err, sizeof(err), "{\"result\":null,\"error\":["
		    "\"Internal_error\",\"parse_error: %s\"],\"id\":0}", why);
		xr_answer_json(c, err);
		return;
	}
	rpc_dispatch(c->srv->bd, (struct rpc_peer *)(void *)c, json,
	    strlen(json));
	free(json);
	if (c->srv->bd->bd_be->sync != NULL)
		(void)c->srv->bd->bd_be->sync(c->srv->bd->bd_be_ctx);
}

static void
xr_read_cb(struct bufferevent *bev, void *arg)
{
	struct xr_conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct http_request	 r;
	size_t			 len = evbuffer_get_length(in), n;
	char			*body;
	int			 rc;

	if (c->taken || c->closing) {
		evbuffer_drain(in, len);
		return;
	}
	n = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;
	rc = http_parse_request_head((const char *)evbuffer_pullup(in,
	    (ssize_t)n), n, SIZE_MAX / 2, &r);
	if (rc == -EAGAIN)
		return;
	if (rc < 0 || !r.has_length) {		/* squeezed: just closed */
		xr_conn_free(c);
		return;
	}
	if (strcmp(r.method, "POST") != 0) {
		xr_respond(c, "404 Not Found", NULL);
		return;
	}
	if (r.content_length > XMLRPC_MAX_BODY) {
		c->taken = true;
		xr_answer_json(c, "{\"result\":null,\"error\":[\"Internal_"
		    "error\",\"invalid_request: a request longer than 65536 "
		    "bytes\"],\"id\":0}");
		return;
	}
	if (len < r.head_len + r.content_length)
		return;
	if ((body = malloc(r.content_length + 1)) == NULL) {
		xr_conn_free(c);
		return;
	}
	evbuffer_drain(in, r.head_len);
	evbuffer_remove(in, body, r.content_length);
	body[r.content_length] = '\0';
	c->taken = true;
	bufferevent_set_timeouts(bev, NULL, NULL);
	xr_call(c, body, r.content_length);
	free(body);
}

static void
xr_write_cb(struct bufferevent *bev, void *arg)
{
	struct xr_conn	*c = arg;

	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) ==
	    0)
		xr_conn_free(c);
}

/* True when the peer closed both directions, not just its sending side. */
static bool
xr_hung_up(struct xr_conn *c)
{
	struct pollfd	pfd = { bufferevent_getfd(c->bev), POLLOUT, 0 };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR));
}

static void
xr_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct xr_conn	*c = arg;

	/* a client that only stopped sending still gets its answer */
	if ((what & BEV_EVENT_EOF) && c->taken && !xr_hung_up(c)) {
		bufferevent_disable(bev, EV_READ);
		return;
	}
	xr_conn_free(c);	/* gone, or too slow to send its request */
}

static void
xr_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct xmlrpc_server	*srv = arg;
	struct xr_conn		*c;
	struct timeval		 tv = { XMLRPC_READ_S, 0 };

	(void)lev;
	(void)sa;
	(void)salen;
	if (srv->nconns >= XMLRPC_MAX_CONNS || (c = calloc(1,
	    sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	if ((c->bev = bufferevent_socket_new(srv->bd->bd_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		close(fd);
		return;
	}
	c->ops = &xr_sink_ops;
	c->srv = srv;
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	bufferevent_setcb(c->bev, xr_read_cb, xr_write_cb, xr_event_cb, c);
	bufferevent_set_timeouts(c->bev, &tv, NULL);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* Bind path, mode 0600; its directory made (0755) if missing. */
static int
xr_listen(const char *path, int *ret_fd)
{
	struct sockaddr_un	sun;
	char			dir[CONF_SOCKPATH_MAX];
	mode_t			old;
	int			fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST)
		return -errno;
	if (unlink(path) == -1 && errno != ENOENT)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, 16) == -1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

int
xmlrpc_start(struct squeezerd *bd, struct xmlrpc_server **ret)
{
	struct xmlrpc_server	*srv;
	int			 fd = -1, rc;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return -ENOMEM;
	srv->bd = bd;
	snprintf(srv->path, sizeof(srv->path), "%s",
	    bd->bd_conf.xmlrpc_socket);
	TAILQ_INIT(&srv->conns);
	if ((rc = xr_listen(srv->path, &fd)) < 0) {
		free(srv);
		return rc;
	}
	if ((srv->lev = evconnlistener_new(bd->bd_base, xr_accept_cb, srv,
	    LEV_OPT_CLOSE_ON_FREE, 0, fd)) == NULL) {
		close(fd);
		free(srv);
		return -ENOMEM;
	}
	log_info("XML-RPC: serving squeezed's memory interface on %s",
	    srv->path);
	*ret = srv;
	return 0;
}

void
xmlrpc_free(struct xmlrpc_server *srv)
{
	struct xr_conn	*c;

	if (srv == NULL)
		return;
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		xr_conn_free(c);
	evconnlistener_free(srv->lev);
	(void)unlink(srv->path);
	free(srv);
}

void
xmlrpc_reload(struct squeezerd *bd)
{
	struct xmlrpc_server	*srv = bd->bd_xmlrpc;
	int			 rc;

	if (srv != NULL && strcmp(srv->path, bd->bd_conf.xmlrpc_socket) == 0)
		return;
	if (srv != NULL) {
		log_info("XML-RPC: no longer on %s", srv->path);
		xmlrpc_free(srv);
		bd->bd_xmlrpc = NULL;
	}
	if (bd->bd_conf.xmlrpc_socket[0] == '\0')
		return;
	if ((rc = xmlrpc_start(bd, &bd->bd_xmlrpc)) < 0)
		log_warnx("%s: %s: %s", __func__, bd->bd_conf.xmlrpc_socket,
		    strerror(-rc));
}
