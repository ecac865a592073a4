/*
 * rpc_server.c: the control socket's transport.  Lines are cut at '\n' and
 * bounded before anything is parsed; a line over the limit gets one error
 * and is skipped, so the connection stays usable.  A peer that goes away
 * cancels its pending requests; one that only shuts down its sending side
 * still gets its replies.
 */
#define _GNU_SOURCE	/* struct ucred, SO_PEERCRED */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json-c/json.h>

#include "backend.h"
#include "log.h"
#include "rpc_int.h"
#include "squeezerd.h"

struct rpc_peer {
	const struct rpc_sink_ops *ops;		/* first: rpc_int.h */
	struct rpc_server	*srv;
	struct bufferevent	*bev;
	TAILQ_ENTRY(rpc_peer)	 entry;
	TAILQ_HEAD(, rpc_req)	 reqs;		/* pending */
	size_t			 npending;
	bool			 discarding;	/* inside an over-long line */
	bool			 eof;		/* peer sends no more */
	bool			 dead;		/* not reading: drop it */
	bool			 writer;	/* root or in socket-group */
};

struct rpc_server {
	struct squeezerd	*bd;
	struct evconnlistener	*lev;
	char			*path;
	struct event		*ev_resume;	/* accept again after EMFILE */
	TAILQ_HEAD(, rpc_peer)	 peers;
	size_t			 npeers;
	bool			 closing;
};

static void	rpc_peer_free(struct rpc_peer *, bool cancel);

void
rpc_req_free(struct rpc_req *req)
{
	if (req == NULL)
		return;
	json_object_put(req->id);
	free(req);
}

static bool
rpc_client_writer(const struct rpc_peer *p)
{
	return p->writer;
}

/* SO_PEERCRED: root, or the socket group (primary or supplementary). */
static bool
rpc_peer_may_write(struct rpc_server *srv, int fd)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof(cr);
	struct group	*gr;
	struct passwd	*pw;
	char		**m;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return false;
	if (cr.uid == 0)
		return true;
	if ((gr = getgrnam(srv->bd->bd_conf.socket_group)) == NULL)
		return false;
	if (cr.gid == gr->gr_gid)
		return true;
	if ((pw = getpwuid(cr.uid)) == NULL)
		return false;
	for (m = gr->gr_mem; *m != NULL; m++)
		if (strcmp(*m, pw->pw_name) == 0)
			return true;
	return false;
}

static size_t
rpc_client_npending(const struct rpc_peer *p)
{
	return p->npending;
}

static void
rpc_client_attach(struct rpc_peer *p, struct rpc_req *req)
{
	TAILQ_INSERT_TAIL(&p->reqs, req, entry);
	p->npending++;
}

static void
rpc_client_detach(struct rpc_peer *p, struct rpc_req *req)
{
	TAILQ_REMOVE(&p->reqs, req, entry);
	p->npending--;
}

/* A half-closed peer whose replies are all out is done with. */
static void
rpc_peer_maybe_done(struct rpc_peer *p)
{
	if (p->npending == 0 && (p->dead || (p->eof &&
	    evbuffer_get_length(bufferevent_get_output(p->bev)) == 0)))
		rpc_peer_free(p, false);
}

static void
rpc_client_reap(struct rpc_peer *p)
{
	if (!p->srv->closing)
		rpc_peer_maybe_done(p);
}

static void
rpc_client_send(struct rpc_peer *p, const char *text)
{
	struct evbuffer	*out = bufferevent_get_output(p->bev);

	if (evbuffer_get_length(out) > RPC_MAX_OUTPUT) {
		if (!p->dead)
			log_warnx("client not reading its replies: dropped");
		p->dead = true;		/* freed once its requests end */
		bufferevent_disable(p->bev, EV_READ | EV_WRITE);
		return;
	}
	evbuffer_add(out, text, strlen(text));
	evbuffer_add(out, "\n", 1);
}

static const struct rpc_sink_ops rpc_client_ops = {
	.writer		= rpc_client_writer,
	.send		= rpc_client_send,
	.npending	= rpc_client_npending,
	.attach		= rpc_client_attach,
	.detach		= rpc_client_detach,
	.reap		= rpc_client_reap,
};

/* Cut and dispatch every complete line in the input. */
static void
rpc_peer_lines(struct rpc_peer *p)
{
	struct evbuffer		*in = bufferevent_get_input(p->bev);
	struct evbuffer_ptr	 eol;
	size_t			 len;
	char			*line;

	for (;;) {
		eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			len = evbuffer_get_length(in);
			if (len > RPC_MAX_LINE) {
				if (!p->discarding)
					rpc_reply_framing(p,
					    RPC_E_INVALID_REQUEST,
					    "request line longer than 65536 "
					    "bytes");
				p->discarding = true;
				evbuffer_drain(in, len);
			}
			return;
		}
		len = (size_t)eol.pos;
		if (p->discarding || len > RPC_MAX_LINE) {
			if (!p->discarding)
				rpc_reply_framing(p, RPC_E_INVALID_REQUEST,
				    "request line longer than 65536 bytes");
			p->discarding = false;
			evbuffer_drain(in, len + 1);
			continue;
		}
		if ((line = malloc(len + 1)) == NULL)
			return;
		evbuffer_remove(in, line, len + 1);
		line[len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len > 0 && strspn(line, " \t") != len)
			rpc_dispatch(p->srv->bd, p, line, len);
		free(line);
		if (p->dead)
			return;
	}
}

static void
rpc_read_cb(struct bufferevent *bev, void *arg)
{
	struct rpc_peer	*p = arg;

	(void)bev;
	rpc_peer_lines(p);
	if (p->srv->bd->bd_be->sync != NULL)
		(void)p->srv->bd->bd_be->sync(p->srv->bd->bd_be_ctx);
	rpc_peer_maybe_done(p);
}

static void
rpc_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	rpc_peer_maybe_done(arg);
}

/* True when the peer closed both directions (not just its sending side). */
static bool
rpc_peer_hung_up(struct rpc_peer *p)
{
	struct pollfd	pfd = { bufferevent_getfd(p->bev), POLLOUT, 0 };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR));
}

static void
rpc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct rpc_peer	*p = arg;

	(void)bev;
	if (what & BEV_EVENT_ERROR) {
		rpc_peer_free(p, true);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		rpc_peer_lines(p);	/* a last line without '\n' is lost */
		p->eof = true;
		if (p->npending > 0 && rpc_peer_hung_up(p)) {
			rpc_peer_free(p, true);
			return;
		}
		rpc_peer_maybe_done(p);
	}
}

/* Free a peer; with cancel, its pending requests are withdrawn. */
static void
rpc_peer_free(struct rpc_peer *p, bool cancel)
{
	struct rpc_req	*req;

	while ((req = TAILQ_FIRST(&p->reqs)) != NULL) {
		rpc_peer_detach(req);
		req->peer = NULL;
		if (cancel && req->cancel != NULL)
			req->cancel(req, req->cancel_arg);
		else
			log_warnx("%s: request dropped", __func__);
		rpc_req_free(req);
	}
	TAILQ_REMOVE(&p->srv->peers, p, entry);
	p->srv->npeers--;
	bufferevent_free(p->bev);
	free(p);
}

static void
rpc_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct rpc_server	*srv = arg;
	struct rpc_peer		*p;
	static const char	 full[] = "{\"jsonrpc\":\"2.0\",\"id\":null,"
	    "\"error\":{\"code\":-32008,\"message\":\"busy\",\"data\":"
	    "{\"detail\":\"too many clients\",\"limit\":1024}}}\n";

	(void)lev;
	(void)sa;
	(void)salen;
	if (srv->npeers >= RPC_MAX_CLIENTS) {
		(void)send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		close(fd);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->bev = bufferevent_socket_new(srv->bd->bd_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("%s: out of memory", __func__);
		free(p);
		close(fd);
		return;
	}
	p->ops = &rpc_client_ops;
	p->srv = srv;
	p->writer = rpc_peer_may_write(srv, fd);
	TAILQ_INIT(&p->reqs);
	TAILQ_INSERT_TAIL(&srv->peers, p, entry);
	srv->npeers++;
	bufferevent_setcb(p->bev, rpc_read_cb, rpc_write_cb, rpc_event_cb, p);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
}

static void
rpc_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_server	*srv = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(srv->lev);
}

/* Out of descriptors: pause accepting for a second instead of spinning. */
static void
rpc_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct rpc_server	*srv = arg;
	struct timeval		 tv = { 1, 0 };

	log_warn("accept");
	if (errno == EMFILE || errno == ENFILE) {
		evconnlistener_disable(lev);
		evtimer_add(srv->ev_resume, &tv);
	}
}

/* The socket's group and mode from the configuration (root only). */
static int
rpc_socket_perms(const struct conf *c, const char *path)
{
	struct group	*gr;

	if (geteuid() == 0) {
		if ((gr = getgrnam(c->socket_group)) == NULL)
			return -ENOENT;
		if (chown(path, 0, gr->gr_gid) == -1)
			return -errno;
	}
	if (chmod(path, (mode_t)c->socket_mode) == -1)
		return -errno;
	return 0;
}

/* Bind the control socket; a stale one is replaced. */
static int
rpc_listen(const char *path, int *ret_fd)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	if (unlink(path) == -1 && errno != ENOENT)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, 128) == -1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

int
rpc_server_start(struct squeezerd *bd, const char *path,
    struct rpc_server **ret)
{
	struct rpc_server	*srv;
	int			 fd = -1, rc;

	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->path = strdup(path)) == NULL) {
		free(srv);
		return -ENOMEM;
	}
	srv->bd = bd;
	TAILQ_INIT(&srv->peers);
	if ((rc = rpc_listen(path, &fd)) < 0)
		goto out;
	if ((rc = rpc_socket_perms(&bd->bd_conf, path)) < 0) {
		close(fd);
		goto out;
	}
	srv->lev = evconnlistener_new(bd->bd_base, rpc_accept_cb, srv,
	    LEV_OPT_CLOSE_ON_FREE, 0, fd);
	if (srv->lev == NULL) {
		close(fd);
		rc = -ENOMEM;
		goto out;
	}
	evconnlistener_set_error_cb(srv->lev, rpc_accept_error_cb);
	if ((srv->ev_resume = evtimer_new(bd->bd_base, rpc_resume_cb,
	    srv)) == NULL) {
		evconnlistener_free(srv->lev);
		rc = -ENOMEM;
		goto out;
	}
	*ret = srv;
	return 0;
out:
	free(srv->path);
	free(srv);
	return rc;
}

void
rpc_server_free(struct rpc_server *srv)
{
	struct rpc_peer	*p;
	struct rpc_req	*req;

	if (srv == NULL)
		return;
	srv->closing = true;
	evconnlistener_free(srv->lev);
	event_free(srv->ev_resume);
	(void)unlink(srv->path);
	while ((p = TAILQ_FIRST(&srv->peers)) != NULL) {
		while ((req = TAILQ_FIRST(&p->reqs)) != NULL) {
			if (req->cancel != NULL)
				req->cancel(req, req->cancel_arg);
			(void)rpc_fail(req, RPC_E_CANCELLED,
			    "the daemon is stopping");
			rpc_req_failed(req);
		}
		(void)evbuffer_write(bufferevent_get_output(p->bev),
		    bufferevent_getfd(p->bev));
		rpc_peer_free(p, false);
	}
	free(srv->path);
	free(srv);
}
