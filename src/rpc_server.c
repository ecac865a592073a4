/*
 * rpc_server.c: the control socket's transport.  Lines are cut at '\n' and
 * bounded before anything is parsed; a line over the limit gets one error
 * and is skipped, so the connection stays usable.  A peer that goes away
 * cancels its pending requests; one that only shuts down its sending side
 * still gets its replies.
 *
 * Bounds: a peer whose unread replies pass RPC_OUT_HIGH is not read (nor
 * its requests run) until they drain to RPC_OUT_LOW; one that reads
 * nothing for client-idle-timeout while replies wait is dropped, and so is
 * one with nothing pending that sends nothing for as long.  At most
 * max_clients connections; peers that are neither root nor in
 * socket-group (the credentials of SO_PEERCRED and SO_PEERGROUPS) never
 * take the last priv_slots, and have at most max-clients-per-user each.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
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
#include "peercred.h"
#include "rpc_int.h"
#include "squeezerd.h"

struct rpc_peer {
	const struct rpc_sink_ops *ops;		/* first: rpc_int.h */
	struct rpc_server	*srv;
	struct bufferevent	*bev;
	TAILQ_ENTRY(rpc_peer)	 entry;
	TAILQ_HEAD(, rpc_req)	 reqs;		/* pending */
	size_t			 npending;
	struct peercred		 cred;		/* as it connected */
	bool			 discarding;	/* inside an over-long line */
	bool			 eof;		/* peer sends no more */
	bool			 dead;		/* not reading: drop it */
	bool			 paused;	/* replies unread: not read */
	bool			 in_lines;	/* running its lines: keep it */
	bool			 writer;	/* root or in socket-group */
};

struct rpc_server {
	struct squeezerd	*bd;
	struct evconnlistener	*lev;
	int			 fd;		/* bound, not yet served */
	char			*path;
	dev_t			 dev;		/* the socket we bound */
	ino_t			 ino;
	gid_t			 group;		/* socket-group */
	unsigned int		 max_clients;	/* from the descriptor limit */
	unsigned int		 priv_slots;	/* kept for root and group */
	struct event		*ev_resume;	/* accept again after EMFILE */
	TAILQ_HEAD(, rpc_peer)	 peers;
	size_t			 npeers;
	bool			 full_logged;	/* "client limit reached" */
	bool			 closing;
};

static void	rpc_peer_free(struct rpc_peer *, bool cancel);

static bool
rpc_client_writer(const struct rpc_peer *p)
{
	return p->writer;
}

/* Root, or socket-group among the groups the client process has. */
static bool
rpc_peer_may_write(const struct rpc_server *srv, const struct peercred *c)
{
	return c->uid == 0 || peercred_in_group(c, srv->group);
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
	if (p != NULL && !p->srv->closing && !p->in_lines)
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

/*
 * Cut and dispatch every complete line in the input.  The limit counts a
 * line without its end, "\n" or "\r\n": without a "\n" yet, one byte more
 * may be the "\r".
 */
static void
rpc_peer_lines(struct rpc_peer *p)
{
	struct evbuffer		*in = bufferevent_get_input(p->bev);
	struct evbuffer_ptr	 eol;
	size_t			 len, n;
	char			*line;

	for (;;) {
		if (evbuffer_get_length(bufferevent_get_output(p->bev)) >
		    RPC_OUT_HIGH) {
			p->paused = true;	/* until they are read */
			bufferevent_disable(p->bev, EV_READ);
			return;
		}
		eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			len = evbuffer_get_length(in);
			if (len > RPC_MAX_LINE + 1) {
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
		n = len;
		if (len > 0 && len <= RPC_MAX_LINE + 1) {
			if ((line = malloc(len + 1)) == NULL)
				return;
			evbuffer_remove(in, line, len + 1);
			line[len] = '\0';
			if (line[len - 1] == '\r')
				line[--n] = '\0';
		} else {
			evbuffer_drain(in, len + 1);
			line = NULL;
		}
		if (p->discarding || n > RPC_MAX_LINE) {
			if (!p->discarding)
				rpc_reply_framing(p, RPC_E_INVALID_REQUEST,
				    "request line longer than 65536 bytes");
			p->discarding = false;
		} else if (n > 0 && strspn(line, " \t") != n)
			rpc_dispatch(p->srv->bd, p, line, n);
		free(line);
		if (p->dead)
			return;
	}
}

/*
 * Run the peer's complete lines; what they changed is saved.  The peer is
 * not freed meanwhile (its callers see to that after).
 */
static void
rpc_peer_input(struct rpc_peer *p)
{
	p->in_lines = true;
	rpc_peer_lines(p);
	p->in_lines = false;
	if (p->srv->bd->bd_be->sync != NULL)
		(void)p->srv->bd->bd_be->sync(p->srv->bd->bd_be_ctx);
}

static void
rpc_read_cb(struct bufferevent *bev, void *arg)
{
	struct rpc_peer	*p = arg;

	(void)bev;
	rpc_peer_input(p);
	rpc_peer_maybe_done(p);
}

/* Replies went out: below the low mark, a paused peer is read again. */
static void
rpc_write_cb(struct bufferevent *bev, void *arg)
{
	struct rpc_peer	*p = arg;

	if (p->paused && !p->dead &&
	    evbuffer_get_length(bufferevent_get_output(bev)) <= RPC_OUT_LOW) {
		p->paused = false;
		rpc_peer_input(p);
		if (!p->paused && !p->eof && !p->dead)
			bufferevent_enable(bev, EV_READ);
	}
	rpc_peer_maybe_done(p);
}

/* True when the peer closed both directions (not just its sending side). */
static bool
rpc_peer_hung_up(struct rpc_peer *p)
{
	struct pollfd	pfd = { bufferevent_getfd(p->bev), POLLOUT, 0 };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR));
}

/*
 * client-idle-timeout passed without a byte read (reading) or written
 * (writing, replies waiting).  Idle is only a peer with nothing pending and
 * nothing to send; one whose replies do not move does not read them.
 */
static void
rpc_peer_timeout(struct rpc_peer *p, short what)
{
	size_t	out = evbuffer_get_length(bufferevent_get_output(p->bev));

	if (what & BEV_EVENT_WRITING) {
		log_warnx("client (uid %u) has not read its replies (%zu "
		    "bytes) for client-idle-timeout: dropped",
		    (unsigned int)p->cred.uid, out);
		rpc_peer_free(p, true);
		return;
	}
	if (p->npending > 0 || out > 0 || p->paused) {
		if (!p->paused && !p->eof)
			bufferevent_enable(p->bev, EV_READ);
		return;
	}
	log_debug("client (uid %u) idle for client-idle-timeout: closed",
	    (unsigned int)p->cred.uid);
	rpc_peer_free(p, false);
}

static void
rpc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct rpc_peer	*p = arg;

	(void)bev;
	if (what & BEV_EVENT_TIMEOUT) {
		rpc_peer_timeout(p, what);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		rpc_peer_free(p, true);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		p->in_lines = true;
		rpc_peer_lines(p);	/* a last line without '\n' is lost */
		p->in_lines = false;
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
	p->srv->full_logged = false;
	bufferevent_free(p->bev);
	peercred_dispose(&p->cred);
	free(p);
}

/* client-idle-timeout as a timeval. */
static struct timeval
rpc_idle_tv(const struct rpc_server *srv)
{
	uint64_t	ms = srv->bd->bd_conf.client_idle_timeout_ms;

	return (struct timeval){ (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };
}

/*
 * May one more client connect?  0, or -EBUSY with why and the limit that
 * applies: the whole limit; for the others than root and socket-group,
 * all but the kept slots, and max-clients-per-user connections per uid.
 */
static int
rpc_admit(struct rpc_server *srv, const struct peercred *c, bool writer,
    char *why, size_t whylen, unsigned int *ret_limit)
{
	struct rpc_peer	*p;
	unsigned int	 nothers = 0, nuser = 0, cap;

	if (srv->npeers >= srv->max_clients) {
		snprintf(why, whylen, "too many clients");
		*ret_limit = srv->max_clients;
		return -EBUSY;
	}
	if (writer)
		return 0;
	TAILQ_FOREACH(p, &srv->peers, entry) {
		if (p->writer)
			continue;
		nothers++;
		if (p->cred.uid == c->uid)
			nuser++;
	}
	if (nothers >= srv->max_clients - srv->priv_slots) {
		snprintf(why, whylen, "too many clients (the last %u are kept "
		    "for root and group %s)", srv->priv_slots,
		    srv->bd->bd_conf.socket_group);
		*ret_limit = srv->max_clients - srv->priv_slots;
		return -EBUSY;
	}
	cap = (unsigned int)srv->bd->bd_conf.max_clients_per_user;
	if (nuser >= cap) {
		snprintf(why, whylen, "too many connections from uid %u "
		    "(max-clients-per-user)", (unsigned int)c->uid);
		*ret_limit = cap;
		return -EBUSY;
	}
	return 0;
}

/* Turn a connection away politely: one busy error, then close it. */
static void
rpc_refuse(struct rpc_server *srv, int fd, const char *why,
    unsigned int limit)
{
	struct json_object	*o, *e, *d;
	const char		*text;
	char			 line[512];
	int			 n;

	if (!srv->full_logged)
		log_warnx("client refused: %s (limit %u)", why, limit);
	srv->full_logged = true;	/* once, until a client leaves */
	o = json_object_new_object();
	e = json_object_new_object();
	d = json_object_new_object();
	json_object_object_add(d, "detail", json_object_new_string(why));
	json_object_object_add(d, "limit", json_object_new_int64(limit));
	json_object_object_add(e, "code", json_object_new_int(-32008));
	json_object_object_add(e, "message", json_object_new_string("busy"));
	json_object_object_add(e, "data", d);
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", NULL);
	json_object_object_add(o, "error", e);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	n = snprintf(line, sizeof(line), "%s\n", text);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	json_object_put(o);
	close(fd);
}

static void
rpc_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct rpc_server	*srv = arg;
	struct rpc_peer		*p;
	struct peercred		 cred;
	struct timeval		 idle = rpc_idle_tv(srv);
	char			 why[160];
	unsigned int		 limit;
	bool			 writer;
	int			 rc;

	(void)lev;
	(void)sa;
	(void)salen;
	if ((rc = peercred_get(fd, &cred)) < 0) {
		log_warnx("%s: cannot tell who the client is (%s): closed",
		    __func__, strerror(-rc));
		close(fd);
		return;
	}
	writer = rpc_peer_may_write(srv, &cred);
	if (rpc_admit(srv, &cred, writer, why, sizeof(why), &limit) < 0) {
		rpc_refuse(srv, fd, why, limit);
		peercred_dispose(&cred);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->bev = bufferevent_socket_new(srv->bd->bd_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("%s: out of memory", __func__);
		free(p);
		peercred_dispose(&cred);
		close(fd);
		return;
	}
	p->ops = &rpc_client_ops;
	p->srv = srv;
	p->cred = cred;
	p->writer = writer;
	TAILQ_INIT(&p->reqs);
	TAILQ_INSERT_TAIL(&srv->peers, p, entry);
	srv->npeers++;
	bufferevent_setcb(p->bev, rpc_read_cb, rpc_write_cb, rpc_event_cb, p);
	bufferevent_setwatermark(p->bev, EV_WRITE, RPC_OUT_LOW, 0);
	bufferevent_set_timeouts(p->bev, &idle, &idle);
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

/* socket-group's gid. */
static int
rpc_group(const struct conf *c, gid_t *ret_gid)
{
	struct group	*gr;

	errno = 0;
	if ((gr = getgrnam(c->socket_group)) == NULL)
		return errno != 0 ? -errno : -ENOENT;
	*ret_gid = gr->gr_gid;
	return 0;
}

/* The path is still the socket we bound (not one a successor made). */
static bool
rpc_socket_ours(const struct rpc_server *srv)
{
	struct stat	st;

	return lstat(srv->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == srv->dev && st.st_ino == srv->ino;
}

/* The socket's group and mode from the configuration (group: root only). */
static int
rpc_socket_perms(struct rpc_server *srv, const struct conf *c)
{
	gid_t	gid = 0;
	int	rc;

	if ((rc = rpc_group(c, &gid)) < 0)
		return rc;
	if (!rpc_socket_ours(srv))
		return -ESTALE;
	if (geteuid() == 0 && chown(srv->path, 0, gid) == -1)
		return -errno;
	if (chmod(srv->path, (mode_t)c->socket_mode) == -1)
		return -errno;
	srv->group = gid;
	return 0;
}

/* Someone accepts connections on the socket at sun. */
static bool
rpc_socket_live(const struct sockaddr_un *sun)
{
	bool	live;
	int	fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return false;
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	    errno == EAGAIN;		/* its backlog is full */
	close(fd);
	return live;
}

/*
 * Bind the control socket.  A stale socket there is replaced; anything
 * else is left alone: -ENOTSOCK (not a socket), -EADDRINUSE (a server
 * answers on it).
 */
static int
rpc_listen(struct rpc_server *srv)
{
	struct sockaddr_un	sun;
	struct stat		st;
	mode_t			old;
	int			fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    srv->path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	if (lstat(srv->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -ENOTSOCK;
		if (rpc_socket_live(&sun))
			return -EADDRINUSE;
		if (unlink(srv->path) == -1 && errno != ENOENT)
			return -errno;
	} else if (errno != ENOENT)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, 128) == -1 || lstat(srv->path, &st) == -1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	srv->fd = fd;
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	return 0;
}

int
rpc_server_new(struct squeezerd *bd, const char *path,
    unsigned int max_clients, struct rpc_server **ret)
{
	struct rpc_server	*srv;
	int			 rc;

	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->path = strdup(path)) == NULL) {
		free(srv);
		return -ENOMEM;
	}
	srv->bd = bd;
	srv->fd = -1;
	srv->max_clients = max_clients;
	srv->priv_slots = max_clients / 8 < RPC_PRIV_SLOTS ? max_clients / 8 :
	    RPC_PRIV_SLOTS;
	TAILQ_INIT(&srv->peers);
	if ((rc = rpc_listen(srv)) < 0)
		goto out;
	if ((rc = rpc_socket_perms(srv, &bd->bd_conf)) < 0) {
		(void)unlink(srv->path);
		close(srv->fd);
		goto out;
	}
	*ret = srv;
	return 0;
out:
	free(srv->path);
	free(srv);
	return rc;
}

int
rpc_server_start(struct rpc_server *srv)
{
	struct squeezerd	*bd = srv->bd;

	if ((srv->ev_resume = evtimer_new(bd->bd_base, rpc_resume_cb,
	    srv)) == NULL)
		return -ENOMEM;
	srv->lev = evconnlistener_new(bd->bd_base, rpc_accept_cb, srv,
	    LEV_OPT_CLOSE_ON_FREE, 0, srv->fd);
	if (srv->lev == NULL)
		return -ENOMEM;
	srv->fd = -1;		/* the listener's now */
	evconnlistener_set_error_cb(srv->lev, rpc_accept_error_cb);
	log_info("control socket %s: mode %04o, group %s; at most %u clients, "
	    "the last %u kept for root and group %s, %" PRId64 " for each "
	    "other user; idle ones closed after %" PRIu64 " ms", srv->path,
	    bd->bd_conf.socket_mode, bd->bd_conf.socket_group,
	    srv->max_clients, srv->priv_slots, bd->bd_conf.socket_group,
	    bd->bd_conf.max_clients_per_user,
	    bd->bd_conf.client_idle_timeout_ms);
	return 0;
}

void
rpc_server_reload(struct rpc_server *srv)
{
	const struct conf	*c = &srv->bd->bd_conf;
	struct rpc_peer		*p;
	struct timeval		 idle = rpc_idle_tv(srv);
	size_t			 nw = 0;
	int			 rc;

	if ((rc = rpc_socket_perms(srv, c)) < 0)
		log_warnx("reload: control socket %s: cannot set mode %04o "
		    "and group %s: %s", srv->path, c->socket_mode,
		    c->socket_group, rc == -ESTALE ? "it is not ours any more" :
		    strerror(-rc));
	TAILQ_FOREACH(p, &srv->peers, entry) {
		p->writer = rpc_peer_may_write(srv, &p->cred);
		nw += p->writer;
		bufferevent_set_timeouts(p->bev, &idle, &idle);
	}
	log_info("reload: control socket mode %04o, group %s; %zu of %zu "
	    "clients may change things", c->socket_mode, c->socket_group, nw,
	    srv->npeers);
}

void
rpc_server_free(struct rpc_server *srv)
{
	struct rpc_peer	*p;
	struct rpc_req	*req;

	if (srv == NULL)
		return;
	srv->closing = true;
	if (srv->lev != NULL)
		evconnlistener_free(srv->lev);
	if (srv->fd != -1)
		close(srv->fd);
	if (srv->ev_resume != NULL)
		event_free(srv->ev_resume);
	if (rpc_socket_ours(srv))
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
