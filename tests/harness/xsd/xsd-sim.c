/*
 * xsd-sim: a xenstore wire-protocol server on a Unix socket, for tests.
 *
 * Single-threaded and poll()-based.  Speaks enough of the protocol in
 * xen/io/xs_wire.h for the real libxenstore and the xenstore-* tools, with
 * per-node transaction conflicts like xenstored, and fault injection
 * through XS_CONTROL ("drop", "eagain N", "delay MS", "fail TYPE ERRNO N",
 * "reset", "print", "help") or -c on the command line.
 * See docs/xen-test-harness.md, sections 2 and 3.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#define HDR_LEN		sizeof(struct xsd_sockmsg)
#define PAYLOAD_MAX	XENSTORE_PAYLOAD_MAX
#define HASH_SIZE	4096
#define MAX_CONNS	1024
#define MAX_WATCHES	128		/* per connection: xenstored's quota */
#define MAX_TXNS	10		/* per connection: xenstored's quota */
#define MAX_TXN_NODES	4096		/* nodes one transaction may touch */
#define MAX_NODES	65536
#define MAX_TOKEN	(PAYLOAD_MAX - XENSTORE_ABS_PATH_MAX - 2)
#define MAX_OUTPUT	(4 * 1024 * 1024)	/* queued bytes per connection */
#define DOMID_LIMIT	0x7ff0		/* DOMID_FIRST_RESERVED */
#define DOM0_PATH	"/local/domain/0"
#define PATH_BUF	(XENSTORE_ABS_PATH_MAX + 1)

/* A byte string that owns its memory. */
struct blob {
	char	*b_data;
	size_t	 b_len;
};

/* One node: value, permissions ("n0\0r5\0") and children ("a\0b\0"). */
struct node {
	struct node	*n_next;	/* hash chain */
	char		*n_path;
	uint64_t	 n_gen;		/* bumped on every change; 0 = absent */
	struct blob	 n_val, n_perms, n_kids;
};

/* A node as a transaction first saw it, then as it modified it. */
struct access {
	struct access	*a_next;
	char		*a_path;
	uint64_t	 a_gen;		/* generation at first access */
	struct node	*a_node;	/* transaction's copy; NULL if absent */
	bool		 a_dirty;
};

struct event {
	struct event	*e_next;
	char		*e_path;
	bool		 e_exact;
};

struct txn {
	struct txn	*t_next;
	uint32_t	 t_id;
	struct access	*t_acc;
	size_t		 t_nacc;
	struct event	*t_events, **t_evtail;
};

struct watch {
	struct watch	*w_next;
	char		*w_path;	/* absolute, or "@..." */
	char		*w_token;
	bool		 w_rel;		/* report paths relative to DOM0_PATH */
};

struct msg {
	struct msg	*m_next;
	uint64_t	 m_due;		/* monotonic ms before which it waits */
	size_t		 m_len, m_off;
	unsigned char	 m_data[];
};

struct conn {
	struct conn	*c_next;
	int		 c_fd;
	bool		 c_dead;
	unsigned char	 c_in[HDR_LEN + PAYLOAD_MAX];
	size_t		 c_inlen;
	struct msg	*c_out, **c_outtail;
	size_t		 c_outbytes;
	struct watch	*c_watches;
	size_t		 c_nwatches;
	struct txn	*c_txns;
	size_t		 c_ntxns;
};

struct fault {
	unsigned int	 f_eagain;	/* commits left to fail with EAGAIN */
	unsigned int	 f_delay_ms;
	unsigned int	 f_fail_type, f_fail_n;
	int		 f_fail_err;
};

/* The server: the one mutable state. */
struct xsd {
	struct node	*x_hash[HASH_SIZE];
	size_t		 x_nnodes;
	uint64_t	 x_gen;
	uint32_t	 x_next_txid;
	struct conn	*x_conns;
	size_t		 x_nconns;
	int		 x_listen_fd;
	uint64_t	 x_accept_after;
	unsigned char	 x_introduced[DOMID_LIMIT / 8];
	struct fault	 x_fault;
	FILE		*x_trace;
	bool		 x_verbose;
	struct pollfd	*x_pfd;
	size_t		 x_pfdcap;
};

/* One request being answered. */
struct req {
	struct xsd_sockmsg	 r_hdr;
	const char		*r_body;
	struct conn		*r_conn;
	struct txn		*r_txn;
	bool			 r_rel;		/* r_path was relative */
	bool			 r_replied;	/* else reply "OK" */
	size_t			 r_outlen;
	struct watch		*r_initial;	/* fire after the reply */
	char			 r_path[PATH_BUF];	/* canonical first arg */
	char			 r_out[PAYLOAD_MAX];	/* keep these two last */
};

typedef int	(*op_fn)(struct xsd *, struct req *);

struct op {
	const char	*o_name;
	op_fn		 o_fn;
	bool		 o_notx;	/* tx_id is ignored */
};

/* Written by the signal handler, read by poll(): the only other global. */
static int	sig_pipe[2] = { -1, -1 };

static int	fault_apply(struct xsd *, const char **, int,
			    struct req *);

/* Abort on allocation failure: every size here is bounded. */
static void *
xmalloc(size_t len)
{
	void	*p;

	if ((p = malloc(len == 0 ? 1 : len)) == NULL) {
		perror("xsd-sim: malloc");
		abort();
	}
	return p;
}

static char *
xmemdup(const void *src, size_t len)
{
	char	*p = xmalloc(len + 1);

	memcpy(p, src, len);
	p[len] = '\0';
	return p;
}

static char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Write one line to the trace file and, with -v, to stderr. */
static void __attribute__((format(printf, 2, 3)))
trace(struct xsd *x, const char *fmt, ...)
{
	va_list	ap;

	if (x->x_trace != NULL) {
		va_start(ap, fmt);
		vfprintf(x->x_trace, fmt, ap);
		va_end(ap);
		fputc('\n', x->x_trace);
		fflush(x->x_trace);
	}
	if (x->x_verbose) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

/* Parse a decimal number, digits only, at most MAX. */
static int
parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char		*end;
	unsigned long	 v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static const char *
errno_name(int err)
{
	size_t	i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EIO";
}

static int
errno_parse(const char *s, int *ret)
{
	size_t	i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (strcmp(xsd_errors[i].errstring, s) == 0) {
			*ret = xsd_errors[i].errnum;
			return 0;
		}
	return -EINVAL;
}

/* Replace B's contents with a copy of LEN bytes at P. */
static void
blob_set(struct blob *b, const void *p, size_t len)
{
	free(b->b_data);
	b->b_data = xmemdup(p, len);
	b->b_len = len;
}

/* Whether NAME is in the NUL-separated list B; its offset in ret_off. */
static bool
kids_find(const struct blob *b, const char *name, size_t *ret_off)
{
	size_t	off;

	for (off = 0; off < b->b_len; off += strlen(b->b_data + off) + 1)
		if (strcmp(b->b_data + off, name) == 0) {
			*ret_off = off;
			return true;
		}
	return false;
}

static void
kids_add(struct blob *b, const char *name)
{
	size_t	off, len = strlen(name) + 1;
	char	*p;

	if (kids_find(b, name, &off))
		return;
	p = xmalloc(b->b_len + len);
	memcpy(p, b->b_data, b->b_len);
	memcpy(p + b->b_len, name, len);
	free(b->b_data);
	b->b_data = p;
	b->b_len += len;
}

static void
kids_del(struct blob *b, const char *name)
{
	size_t	off, len = strlen(name) + 1;

	if (!kids_find(b, name, &off))
		return;
	memmove(b->b_data + off, b->b_data + off + len, b->b_len - off - len);
	b->b_len -= len;
}

/* A new empty node at PATH with permissions PERMS. */
static struct node *
node_new(const char *path, const struct blob *perms)
{
	struct node	*n = xmalloc(sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->n_path = xstrdup(path);
	blob_set(&n->n_val, "", 0);
	blob_set(&n->n_perms, perms->b_data, perms->b_len);
	blob_set(&n->n_kids, "", 0);
	return n;
}

static struct node *
node_dup(const struct node *src)
{
	struct node	*n = node_new(src->n_path, &src->n_perms);

	n->n_gen = src->n_gen;
	blob_set(&n->n_val, src->n_val.b_data, src->n_val.b_len);
	blob_set(&n->n_kids, src->n_kids.b_data, src->n_kids.b_len);
	return n;
}

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	free(n->n_path);
	free(n->n_val.b_data);
	free(n->n_perms.b_data);
	free(n->n_kids.b_data);
	free(n);
}

/* The parent of absolute PATH (not "/"), malloc'ed. */
static char *
path_parent(const char *path)
{
	size_t	len = (size_t)(strrchr(path, '/') - path);

	return xmemdup(path, len == 0 ? 1 : len);
}

static const char *
path_base(const char *path)
{
	return strrchr(path, '/') + 1;
}

/* Canonicalise a request path into RET (PATH_BUF bytes): -EINVAL if bad. */
static int
path_canon(const char *in, char *ret, bool *ret_rel)
{
	bool		 rel = in[0] != '/';
	size_t		 len = strlen(in), i;

	if (len > (rel ? XENSTORE_REL_PATH_MAX : XENSTORE_ABS_PATH_MAX))
		return -EINVAL;
	if (rel)
		snprintf(ret, PATH_BUF, "%s/%s", DOM0_PATH, in);
	else
		memcpy(ret, in, len + 1);
	len = strlen(ret);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)ret[i]) &&
		    strchr("-/_@", ret[i]) == NULL)
			return -EINVAL;
	if (strstr(ret, "//") != NULL || (len > 1 && ret[len - 1] == '/'))
		return -EINVAL;
	*ret_rel = rel;
	return 0;
}

static unsigned int
hash_path(const char *s)
{
	uint32_t	h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % HASH_SIZE;
}

/* The link that points (or would point) at PATH in the global store. */
static struct node **
store_slot(struct xsd *x, const char *path)
{
	struct node	**np = &x->x_hash[hash_path(path)];

	while (*np != NULL && strcmp((*np)->n_path, path) != 0)
		np = &(*np)->n_next;
	return np;
}

/* Insert or replace N in the global store, taking ownership. */
static void
store_replace(struct xsd *x, struct node *n)
{
	struct node	**np = store_slot(x, n->n_path);

	n->n_gen = ++x->x_gen;
	if (*np != NULL) {
		n->n_next = (*np)->n_next;
		node_free(*np);
	} else {
		n->n_next = NULL;
		x->x_nnodes++;
	}
	*np = n;
}

static void
store_remove(struct xsd *x, const char *path)
{
	struct node	**np = store_slot(x, path), *n = *np;

	if (n == NULL)
		return;
	*np = n->n_next;
	node_free(n);
	x->x_nnodes--;
	x->x_gen++;
}

/* T's record of PATH, created from the global store on first access. */
static int
txn_touch(struct xsd *x, struct txn *t, const char *path,
    struct access **ret)
{
	struct access	*a;
	struct node	*g;

	for (a = t->t_acc; a != NULL; a = a->a_next)
		if (strcmp(a->a_path, path) == 0) {
			*ret = a;
			return 0;
		}
	if (t->t_nacc >= MAX_TXN_NODES)
		return -ENOSPC;
	g = *store_slot(x, path);
	a = xmalloc(sizeof(*a));
	a->a_path = xstrdup(path);
	a->a_gen = g != NULL ? g->n_gen : 0;
	a->a_node = g != NULL ? node_dup(g) : NULL;
	a->a_dirty = false;
	a->a_next = t->t_acc;
	t->t_acc = a;
	t->t_nacc++;
	*ret = a;
	return 0;
}

/* Look PATH up as transaction T (or, if NULL, everybody) sees it. */
static int
node_get(struct xsd *x, struct txn *t, const char *path, struct node **ret)
{
	struct access	*a;
	struct node	*n;
	int		 rc;

	if (t == NULL)
		n = *store_slot(x, path);
	else {
		if ((rc = txn_touch(x, t, path, &a)) < 0)
			return rc;
		n = a->a_node;
	}
	if (n == NULL)
		return -ENOENT;
	*ret = n;
	return 0;
}

/* Store N as T (or everybody) will see it, taking ownership. */
static int
node_put(struct xsd *x, struct txn *t, struct node *n)
{
	struct access	*a;
	int		 rc;

	if (t == NULL) {
		store_replace(x, n);
		return 0;
	}
	if ((rc = txn_touch(x, t, n->n_path, &a)) < 0) {
		node_free(n);
		return rc;
	}
	node_free(a->a_node);
	a->a_node = n;
	a->a_dirty = true;
	return 0;
}

static int
node_del(struct xsd *x, struct txn *t, const char *path)
{
	struct access	*a;
	int		 rc;

	if (t == NULL) {
		store_remove(x, path);
		return 0;
	}
	if ((rc = txn_touch(x, t, path, &a)) < 0)
		return rc;
	node_free(a->a_node);
	a->a_node = NULL;
	a->a_dirty = true;
	return 0;
}

/* Create PATH and any missing parents; 0 if it exists already. */
static int
node_create(struct xsd *x, struct txn *t, const char *path)
{
	struct node	*n, *p;
	char		*parent;
	int		 rc;

	rc = node_get(x, t, path, &n);
	if (rc != -ENOENT)
		return rc;
	if (x->x_nnodes >= MAX_NODES)
		return -ENOSPC;
	parent = path_parent(path);
	if ((rc = node_create(x, t, parent)) < 0 ||
	    (rc = node_get(x, t, parent, &p)) < 0)
		goto out;
	n = node_new(path, &p->n_perms);
	p = node_dup(p);
	kids_add(&p->n_kids, path_base(path));
	if ((rc = node_put(x, t, p)) < 0) {
		node_free(n);
		goto out;
	}
	rc = node_put(x, t, n);
out:
	free(parent);
	return rc;
}

static bool
watch_matches(const struct watch *w, const char *path, bool exact)
{
	size_t	len = strlen(w->w_path);

	if (exact || path[0] == '@' || w->w_path[0] == '@')
		return strcmp(w->w_path, path) == 0;
	if (strncmp(w->w_path, path, len) != 0)
		return false;
	return path[len] == '\0' || path[len] == '/' || len == 1;
}

/* Queue a message on C; drop C if its reader has fallen too far behind. */
static void
conn_send(struct conn *c, uint32_t type, const struct xsd_sockmsg *req,
    const void *data, size_t len, uint64_t due)
{
	struct xsd_sockmsg	 h = { .type = type, .len = (uint32_t)len };
	struct msg		*m;

	if (c->c_dead)
		return;
	if (req != NULL) {
		h.req_id = req->req_id;
		h.tx_id = req->tx_id;
	}
	m = xmalloc(sizeof(*m) + HDR_LEN + len);
	m->m_next = NULL;
	m->m_due = due;
	m->m_len = HDR_LEN + len;
	m->m_off = 0;
	memcpy(m->m_data, &h, HDR_LEN);
	memcpy(m->m_data + HDR_LEN, data, len);
	*c->c_outtail = m;
	c->c_outtail = &m->m_next;
	c->c_outbytes += m->m_len;
	if (c->c_outbytes > MAX_OUTPUT)
		c->c_dead = true;
}

static void
conn_event(struct conn *c, const struct watch *w, const char *path)
{
	char	buf[PAYLOAD_MAX];
	int	len;

	if (w->w_rel)
		path += strlen(DOM0_PATH) + 1;
	len = snprintf(buf, sizeof(buf), "%s%c%s", path, '\0', w->w_token);
	if (len > 0 && (size_t)len < sizeof(buf))
		conn_send(c, XS_WATCH_EVENT, NULL, buf, (size_t)len + 1, 0);
}

static void
watch_fire_all(struct xsd *x, const char *path, bool exact)
{
	struct conn	*c;
	struct watch	*w;

	trace(x, "event %s%s", path, exact ? " (exact)" : "");
	for (c = x->x_conns; c != NULL; c = c->c_next)
		for (w = c->c_watches; w != NULL; w = w->w_next)
			if (watch_matches(w, path, exact))
				conn_event(c, w, path);
}

/* Fire watches for PATH now, or at T's commit. */
static void
event_fire(struct xsd *x, struct txn *t, const char *path, bool exact)
{
	struct event	*e;

	if (t == NULL) {
		watch_fire_all(x, path, exact);
		return;
	}
	e = xmalloc(sizeof(*e));
	e->e_path = xstrdup(path);
	e->e_exact = exact;
	e->e_next = NULL;
	*t->t_evtail = e;
	t->t_evtail = &e->e_next;
}

static void
txn_free(struct txn *t)
{
	struct access	*a;
	struct event	*e;

	if (t == NULL)
		return;
	while ((a = t->t_acc) != NULL) {
		t->t_acc = a->a_next;
		node_free(a->a_node);
		free(a->a_path);
		free(a);
	}
	while ((e = t->t_events) != NULL) {
		t->t_events = e->e_next;
		free(e->e_path);
		free(e);
	}
	free(t);
}

/* Apply T to the global store unless a node it accessed changed since. */
static int
txn_commit(struct xsd *x, struct txn *t)
{
	struct access	*a;
	struct event	*e;
	struct node	*g;

	for (a = t->t_acc; a != NULL; a = a->a_next) {
		g = *store_slot(x, a->a_path);
		if ((g != NULL ? g->n_gen : 0) != a->a_gen)
			return -EAGAIN;
	}
	for (a = t->t_acc; a != NULL; a = a->a_next) {
		if (!a->a_dirty)
			continue;
		if (a->a_node != NULL)
			store_replace(x, a->a_node);
		else
			store_remove(x, a->a_path);
		a->a_node = NULL;
	}
	for (e = t->t_events; e != NULL; e = e->e_next)
		watch_fire_all(x, e->e_path, e->e_exact);
	return 0;
}

/* Unlink and free C's transaction T. */
static void
conn_txn_end(struct conn *c, struct txn *t)
{
	struct txn	**tp;

	for (tp = &c->c_txns; *tp != NULL; tp = &(*tp)->t_next)
		if (*tp == t) {
			*tp = t->t_next;
			c->c_ntxns--;
			break;
		}
	txn_free(t);
}

static void
watch_free(struct watch *w)
{
	free(w->w_path);
	free(w->w_token);
	free(w);
}

static void
conn_reset(struct conn *c)
{
	struct watch	*w;

	while ((w = c->c_watches) != NULL) {
		c->c_watches = w->w_next;
		watch_free(w);
	}
	c->c_nwatches = 0;
	while (c->c_txns != NULL)
		conn_txn_end(c, c->c_txns);
}

static void
conn_free(struct conn *c)
{
	struct msg	*m;

	if (c == NULL)
		return;
	conn_reset(c);
	while ((m = c->c_out) != NULL) {
		c->c_out = m->m_next;
		free(m);
	}
	if (c->c_fd != -1)
		close(c->c_fd);
	free(c);
}

/* Split the body into up to MAX NUL-terminated strings; return the count. */
static int
req_args(const struct req *r, const char **argv, int max)
{
	const char	*p = r->r_body, *end = r->r_body + r->r_hdr.len, *nul;
	int		 n = 0;

	while (n < max && p < end &&
	    (nul = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		argv[n++] = p;
		p = nul + 1;
	}
	return n;
}

/* The body must be exactly one string: a path, canonicalised to r_path. */
static int
req_onepath(struct req *r)
{
	const char	*argv[1];

	if (req_args(r, argv, 1) != 1 || strlen(argv[0]) + 1 != r->r_hdr.len)
		return -EINVAL;
	return path_canon(argv[0], r->r_path, &r->r_rel);
}

static int
req_reply(struct req *r, const void *data, size_t len)
{
	if (len > sizeof(r->r_out))
		return -E2BIG;
	memcpy(r->r_out, data, len);
	r->r_outlen = len;
	r->r_replied = true;
	return 0;
}

static int
req_replystr(struct req *r, const char *s)
{
	return req_reply(r, s, strlen(s) + 1);
}

/* The body must be one domid below DOMID_LIMIT. */
static int
req_domid(const struct req *r, unsigned long *ret)
{
	const char	*argv[1];

	if (req_args(r, argv, 1) != 1)
		return -EINVAL;
	return parse_uint(argv[0], DOMID_LIMIT - 1, ret);
}

static int
op_read(struct xsd *x, struct req *r)
{
	struct node	*n;
	int		 rc;

	if ((rc = req_onepath(r)) < 0 ||
	    (rc = node_get(x, r->r_txn, r->r_path, &n)) < 0)
		return rc;
	return req_reply(r, n->n_val.b_data, n->n_val.b_len);
}

static int
op_write(struct xsd *x, struct req *r)
{
	const char	*argv[1];
	struct node	*n;
	size_t		 off;
	int		 rc;

	if (req_args(r, argv, 1) != 1)
		return -EINVAL;
	if ((rc = path_canon(argv[0], r->r_path, &r->r_rel)) < 0 ||
	    (rc = node_create(x, r->r_txn, r->r_path)) < 0 ||
	    (rc = node_get(x, r->r_txn, r->r_path, &n)) < 0)
		return rc;
	off = strlen(argv[0]) + 1;
	n = node_dup(n);
	blob_set(&n->n_val, r->r_body + off, r->r_hdr.len - off);
	if ((rc = node_put(x, r->r_txn, n)) < 0)
		return rc;
	event_fire(x, r->r_txn, r->r_path, false);
	return 0;
}

static int
op_mkdir(struct xsd *x, struct req *r)
{
	struct node	*n;
	int		 rc;

	if ((rc = req_onepath(r)) < 0)
		return rc;
	rc = node_get(x, r->r_txn, r->r_path, &n);
	if (rc != -ENOENT)
		return rc;
	if ((rc = node_create(x, r->r_txn, r->r_path)) < 0)
		return rc;
	event_fire(x, r->r_txn, r->r_path, false);
	return 0;
}

/* Delete PATH and everything below it; exact events for the descendants. */
static int
subtree_remove(struct xsd *x, struct txn *t, const char *path, bool top)
{
	struct node	*n;
	char		*kids = NULL, *child;
	size_t		 off, len;
	int		 rc;

	if ((rc = node_get(x, t, path, &n)) < 0)
		return rc;
	len = n->n_kids.b_len;
	kids = xmemdup(n->n_kids.b_data, len);
	for (off = 0; off < len; off += strlen(kids + off) + 1) {
		child = xmalloc(strlen(path) + strlen(kids + off) + 2);
		sprintf(child, "%s/%s", path, kids + off);
		rc = subtree_remove(x, t, child, false);
		free(child);
		if (rc < 0 && rc != -ENOENT)
			goto out;
	}
	if ((rc = node_del(x, t, path)) < 0)
		goto out;
	if (!top)
		event_fire(x, t, path, true);
out:
	free(kids);
	return rc;
}

static int
op_rm(struct xsd *x, struct req *r)
{
	struct node	*n;
	char		*parent = NULL;
	int		 rc;

	if ((rc = req_onepath(r)) < 0)
		return rc;
	if (strcmp(r->r_path, "/") == 0)
		return -EINVAL;
	parent = path_parent(r->r_path);
	rc = node_get(x, r->r_txn, r->r_path, &n);
	if (rc == -ENOENT) {
		/* Nothing to do, if at least the parent exists. */
		rc = node_get(x, r->r_txn, parent, &n);
		goto out;
	}
	if (rc < 0 || (rc = subtree_remove(x, r->r_txn, r->r_path, true)) < 0 ||
	    (rc = node_get(x, r->r_txn, parent, &n)) < 0)
		goto out;
	n = node_dup(n);
	kids_del(&n->n_kids, path_base(r->r_path));
	if ((rc = node_put(x, r->r_txn, n)) < 0)
		goto out;
	event_fire(x, r->r_txn, r->r_path, false);
out:
	free(parent);
	return rc;
}

static int
op_directory(struct xsd *x, struct req *r)
{
	struct node	*n;
	int		 rc;

	if ((rc = req_onepath(r)) < 0 ||
	    (rc = node_get(x, r->r_txn, r->r_path, &n)) < 0)
		return rc;
	return req_reply(r, n->n_kids.b_data, n->n_kids.b_len);
}

/* "path\0offset\0" -> "gen\0" + whole names from offset [+ "\0" at end]. */
static int
op_directory_part(struct xsd *x, struct req *r)
{
	const char	*argv[2];
	struct node	*n;
	unsigned long	 off;
	size_t		 len, nl;
	int		 rc;

	if (req_args(r, argv, 2) != 2 ||
	    parse_uint(argv[1], UINT32_MAX, &off) < 0)
		return -EINVAL;
	if ((rc = path_canon(argv[0], r->r_path, &r->r_rel)) < 0 ||
	    (rc = node_get(x, r->r_txn, r->r_path, &n)) < 0)
		return rc;
	len = (size_t)snprintf(r->r_out, sizeof(r->r_out), "%" PRIu64,
	    n->n_gen) + 1;
	if (off > n->n_kids.b_len)
		off = n->n_kids.b_len;
	for (; off < n->n_kids.b_len; off += nl, len += nl) {
		nl = strlen(n->n_kids.b_data + off) + 1;
		if (len + nl >= sizeof(r->r_out))
			break;
		memcpy(r->r_out + len, n->n_kids.b_data + off, nl);
	}
	if (off == n->n_kids.b_len)
		r->r_out[len++] = '\0';
	r->r_outlen = len;
	r->r_replied = true;
	return 0;
}

static int
op_get_perms(struct xsd *x, struct req *r)
{
	struct node	*n;
	int		 rc;

	if ((rc = req_onepath(r)) < 0 ||
	    (rc = node_get(x, r->r_txn, r->r_path, &n)) < 0)
		return rc;
	return req_reply(r, n->n_perms.b_data, n->n_perms.b_len);
}

static int
op_set_perms(struct xsd *x, struct req *r)
{
	const char	*argv[PAYLOAD_MAX / 2];
	struct node	*n;
	unsigned long	 id;
	size_t		 off;
	int		 argc, i, rc;

	argc = req_args(r, argv, PAYLOAD_MAX / 2);
	if (argc < 2 || argv[argc - 1] + strlen(argv[argc - 1]) + 1 !=
	    r->r_body + r->r_hdr.len)
		return -EINVAL;
	for (i = 1; i < argc; i++)
		if (strchr("rwbn", argv[i][0]) == NULL || argv[i][0] == '\0' ||
		    parse_uint(argv[i] + 1, UINT16_MAX, &id) < 0)
			return -EINVAL;
	if ((rc = path_canon(argv[0], r->r_path, &r->r_rel)) < 0 ||
	    (rc = node_get(x, r->r_txn, r->r_path, &n)) < 0)
		return rc;
	off = strlen(argv[0]) + 1;
	n = node_dup(n);
	blob_set(&n->n_perms, r->r_body + off, r->r_hdr.len - off);
	if ((rc = node_put(x, r->r_txn, n)) < 0)
		return rc;
	event_fire(x, r->r_txn, r->r_path, false);
	return 0;
}

/* Parse "path\0token\0" into r_path and ret_token. */
static int
watch_args(struct req *r, const char **ret_token)
{
	const char	*argv[2];

	if (req_args(r, argv, 2) != 2 || strlen(argv[1]) > MAX_TOKEN)
		return -EINVAL;
	if (argv[0][0] == '@') {
		if (strlen(argv[0]) > XENSTORE_REL_PATH_MAX)
			return -EINVAL;
		strcpy(r->r_path, argv[0]);
		r->r_rel = false;
	} else if (path_canon(argv[0], r->r_path, &r->r_rel) < 0)
		return -EINVAL;
	*ret_token = argv[1];
	return 0;
}

static struct watch **
watch_find(struct conn *c, const char *path, const char *token)
{
	struct watch	**wp;

	for (wp = &c->c_watches; *wp != NULL; wp = &(*wp)->w_next)
		if (strcmp((*wp)->w_path, path) == 0 &&
		    strcmp((*wp)->w_token, token) == 0)
			break;
	return wp;
}

static int
op_watch(struct xsd *x, struct req *r)
{
	struct conn	*c = r->r_conn;
	struct watch	*w;
	const char	*token;
	int		 rc;

	(void)x;
	if ((rc = watch_args(r, &token)) < 0)
		return rc;
	if (*watch_find(c, r->r_path, token) != NULL)
		return -EEXIST;
	if (c->c_nwatches >= MAX_WATCHES)
		return -E2BIG;
	w = xmalloc(sizeof(*w));
	w->w_path = xstrdup(r->r_path);
	w->w_token = xstrdup(token);
	w->w_rel = r->r_rel;
	w->w_next = c->c_watches;
	c->c_watches = w;
	c->c_nwatches++;
	r->r_initial = w;
	return 0;
}

static int
op_unwatch(struct xsd *x, struct req *r)
{
	struct watch	**wp, *w;
	const char	*token;
	int		 rc;

	(void)x;
	if ((rc = watch_args(r, &token)) < 0)
		return rc;
	wp = watch_find(r->r_conn, r->r_path, token);
	if ((w = *wp) == NULL)
		return -ENOENT;
	*wp = w->w_next;
	r->r_conn->c_nwatches--;
	watch_free(w);
	return 0;
}

static int
op_reset_watches(struct xsd *x, struct req *r)
{
	(void)x;
	conn_reset(r->r_conn);
	return 0;
}

static int
op_transaction_start(struct xsd *x, struct req *r)
{
	struct conn	*c = r->r_conn;
	struct txn	*t;
	char		 id[16];

	if (r->r_txn != NULL)
		return -EBUSY;
	if (c->c_ntxns >= MAX_TXNS)
		return -ENOSPC;
	t = xmalloc(sizeof(*t));
	memset(t, 0, sizeof(*t));
	if (++x->x_next_txid == 0)
		x->x_next_txid = 1;
	t->t_id = x->x_next_txid;
	t->t_evtail = &t->t_events;
	t->t_next = c->c_txns;
	c->c_txns = t;
	c->c_ntxns++;
	snprintf(id, sizeof(id), "%" PRIu32, t->t_id);
	return req_replystr(r, id);
}

static int
op_transaction_end(struct xsd *x, struct req *r)
{
	const char	*argv[1];
	struct txn	*t = r->r_txn;
	int		 rc;

	if (t == NULL)
		return -ENOENT;
	if (req_args(r, argv, 1) != 1 ||
	    (strcmp(argv[0], "T") != 0 && strcmp(argv[0], "F") != 0))
		return -EINVAL;
	if (argv[0][0] == 'F')
		rc = 0;
	else if (x->x_fault.f_eagain > 0) {
		x->x_fault.f_eagain--;
		rc = -EAGAIN;
	} else
		rc = txn_commit(x, t);
	conn_txn_end(r->r_conn, t);
	r->r_txn = NULL;
	return rc;
}

static int
op_get_domain_path(struct xsd *x, struct req *r)
{
	unsigned long	 domid;
	char		 buf[64];
	int		 rc;

	(void)x;
	if ((rc = req_domid(r, &domid)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "/local/domain/%lu", domid);
	return req_replystr(r, buf);
}

static bool
dom_introduced(const struct xsd *x, unsigned long domid)
{
	return (x->x_introduced[domid / 8] & (1u << (domid % 8))) != 0;
}

static void
dom_set(struct xsd *x, unsigned long domid, bool on)
{
	unsigned char	bit = (unsigned char)(1u << (domid % 8));

	if (on)
		x->x_introduced[domid / 8] |= bit;
	else
		x->x_introduced[domid / 8] &= (unsigned char)~bit;
}

static int
op_introduce(struct xsd *x, struct req *r)
{
	const char	*argv[3];
	unsigned long	 domid, mfn, port;

	if (req_args(r, argv, 3) != 3 ||
	    parse_uint(argv[0], DOMID_LIMIT - 1, &domid) < 0 ||
	    parse_uint(argv[1], ULONG_MAX, &mfn) < 0 ||
	    parse_uint(argv[2], UINT32_MAX, &port) < 0 || port == 0)
		return -EINVAL;
	if (!dom_introduced(x, domid)) {
		dom_set(x, domid, true);
		watch_fire_all(x, "@introduceDomain", true);
	}
	return 0;
}

static int
op_release(struct xsd *x, struct req *r)
{
	unsigned long	 domid;
	int		 rc;

	if ((rc = req_domid(r, &domid)) < 0)
		return rc;
	if (domid == 0)
		return -EINVAL;
	if (!dom_introduced(x, domid))
		return -ENOENT;
	dom_set(x, domid, false);
	watch_fire_all(x, "@releaseDomain", true);
	return 0;
}

static int
op_is_domain_introduced(struct xsd *x, struct req *r)
{
	unsigned long	 domid;
	int		 rc;

	if ((rc = req_domid(r, &domid)) < 0)
		return rc;
	return req_replystr(r, dom_introduced(x, domid) ? "T" : "F");
}

static int
op_resume(struct xsd *x, struct req *r)
{
	unsigned long	 domid;
	int		 rc;

	if ((rc = req_domid(r, &domid)) < 0)
		return rc;
	return dom_introduced(x, domid) ? 0 : -ENOENT;
}

static int
op_control(struct xsd *x, struct req *r)
{
	const char	*argv[8];
	int		 argc;

	argc = req_args(r, argv, 8);
	if (argc < 1)
		return -EINVAL;
	return fault_apply(x, argv, argc, r);
}

static const struct op	ops[XS_TYPE_COUNT] = {
	[XS_CONTROL]		= { "CONTROL", op_control, true },
	[XS_DIRECTORY]		= { "DIRECTORY", op_directory, false },
	[XS_READ]		= { "READ", op_read, false },
	[XS_GET_PERMS]		= { "GET_PERMS", op_get_perms, false },
	[XS_WATCH]		= { "WATCH", op_watch, true },
	[XS_UNWATCH]		= { "UNWATCH", op_unwatch, true },
	[XS_TRANSACTION_START]	= { "TRANSACTION_START", op_transaction_start,
				    false },
	[XS_TRANSACTION_END]	= { "TRANSACTION_END", op_transaction_end,
				    false },
	[XS_INTRODUCE]		= { "INTRODUCE", op_introduce, true },
	[XS_RELEASE]		= { "RELEASE", op_release, true },
	[XS_GET_DOMAIN_PATH]	= { "GET_DOMAIN_PATH", op_get_domain_path,
				    true },
	[XS_WRITE]		= { "WRITE", op_write, false },
	[XS_MKDIR]		= { "MKDIR", op_mkdir, false },
	[XS_RM]			= { "RM", op_rm, false },
	[XS_SET_PERMS]		= { "SET_PERMS", op_set_perms, false },
	[XS_WATCH_EVENT]	= { "WATCH_EVENT", NULL, true },
	[XS_ERROR]		= { "ERROR", NULL, true },
	[XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED",
				    op_is_domain_introduced, true },
	[XS_RESUME]		= { "RESUME", op_resume, true },
	[XS_SET_TARGET]		= { "SET_TARGET", NULL, true },
	[XS_RESET_WATCHES]	= { "RESET_WATCHES", op_reset_watches, true },
	[XS_DIRECTORY_PART]	= { "DIRECTORY_PART", op_directory_part,
				    false },
};

static const struct op *
op_lookup(unsigned int type)
{
	static const struct op	unknown = { "UNKNOWN", NULL, true };

	if (type >= XS_TYPE_COUNT || ops[type].o_name == NULL)
		return &unknown;
	return &ops[type];
}

/* A wire type by name ("WRITE") or number. */
static int
type_parse(const char *s, unsigned int *ret)
{
	unsigned long	v;
	unsigned int	i;

	for (i = 0; i < XS_TYPE_COUNT; i++)
		if (ops[i].o_name != NULL && strcasecmp(ops[i].o_name, s) == 0) {
			*ret = i;
			return 0;
		}
	if (parse_uint(s, XS_TYPE_COUNT - 1, &v) < 0)
		return -EINVAL;
	*ret = (unsigned int)v;
	return 0;
}

/* Print one value, escaping what is not printable; NUL as SEP if set. */
static void
print_escaped(FILE *f, const char *s, size_t len, char sep)
{
	size_t	i;

	for (i = 0; i < len && i < 256; i++)
		if (s[i] == '\0' && sep != '\0')
			fputc(i + 1 < len ? sep : ')', f);
		else if (isprint((unsigned char)s[i]) && s[i] != '\\' &&
		    s[i] != '"')
			fputc(s[i], f);
		else
			fprintf(f, "\\x%02x", (unsigned char)s[i]);
}

/* Dump the subtree at PATH, one node a line. */
static void
tree_print(struct xsd *x, FILE *f, const char *path)
{
	struct node	*n = *store_slot(x, path);
	size_t		 off;
	char		*child;

	if (n == NULL)
		return;
	fprintf(f, "%s = \"", path);
	print_escaped(f, n->n_val.b_data, n->n_val.b_len, '\0');
	fprintf(f, "\" (");
	print_escaped(f, n->n_perms.b_data, n->n_perms.b_len, ',');
	fprintf(f, " gen %" PRIu64 "\n", n->n_gen);
	for (off = 0; off < n->n_kids.b_len;
	    off += strlen(n->n_kids.b_data + off) + 1) {
		child = xmalloc(strlen(path) + strlen(n->n_kids.b_data + off) + 2);
		sprintf(child, "%s%s%s", path, strcmp(path, "/") == 0 ? "" : "/",
		    n->n_kids.b_data + off);
		tree_print(x, f, child);
		free(child);
	}
}

static const char	fault_help[] =
    "drop | eagain N | delay MS | fail TYPE ERRNO N | reset | print | help";

/* Run one control command: from XS_CONTROL (R) or from -c (R NULL). */
static int
fault_apply(struct xsd *x, const char **argv, int argc, struct req *r)
{
	struct fault	*f = &x->x_fault;
	struct conn	*c;
	unsigned long	 n, m;
	unsigned int	 type;
	int		 err;

	if (strcmp(argv[0], "drop") == 0 && argc == 1) {
		for (c = x->x_conns; c != NULL; c = c->c_next)
			if (r == NULL || c != r->r_conn)
				c->c_dead = true;
	} else if (strcmp(argv[0], "eagain") == 0 && argc == 2 &&
	    parse_uint(argv[1], UINT32_MAX, &n) == 0)
		f->f_eagain = (unsigned int)n;
	else if (strcmp(argv[0], "delay") == 0 && argc == 2 &&
	    parse_uint(argv[1], 600000, &n) == 0)
		f->f_delay_ms = (unsigned int)n;
	else if (strcmp(argv[0], "fail") == 0 && argc == 4 &&
	    type_parse(argv[1], &type) == 0 && type != XS_CONTROL &&
	    errno_parse(argv[2], &err) == 0 &&
	    parse_uint(argv[3], UINT32_MAX, &m) == 0) {
		f->f_fail_type = type;
		f->f_fail_err = err;
		f->f_fail_n = (unsigned int)m;
	} else if (strcmp(argv[0], "reset") == 0 && argc == 1)
		memset(f, 0, sizeof(*f));
	else if (strcmp(argv[0], "print") == 0 && argc == 1)
		tree_print(x, x->x_trace != NULL ? x->x_trace : stderr, "/");
	else if (strcmp(argv[0], "help") == 0 && r != NULL)
		return req_replystr(r, fault_help);
	else
		return -EINVAL;
	trace(x, "control %s%s%s", argv[0], argc > 1 ? " " : "",
	    argc > 1 ? argv[1] : "");
	return r != NULL ? req_replystr(r, "OK") : 0;
}

/* An injected failure for this request, or 0. */
static int
fault_check(struct xsd *x, struct req *r)
{
	struct fault	*f = &x->x_fault;

	if (f->f_fail_n == 0 || f->f_fail_type != r->r_hdr.type)
		return 0;
	f->f_fail_n--;
	if (r->r_hdr.type == XS_TRANSACTION_END && r->r_txn != NULL) {
		conn_txn_end(r->r_conn, r->r_txn);
		r->r_txn = NULL;
	}
	return -f->f_fail_err;
}

/* The first argument of R, shortened and made printable, for traces. */
static void
req_what(const struct req *r, char *buf, size_t size)
{
	size_t	i;

	for (i = 0; i + 1 < size && i < r->r_hdr.len && r->r_body[i] != '\0';
	    i++)
		buf[i] = isprint((unsigned char)r->r_body[i]) ? r->r_body[i] : '?';
	buf[i] = '\0';
}

static struct txn *
txn_find(struct conn *c, uint32_t id)
{
	struct txn	*t;

	for (t = c->c_txns; t != NULL; t = t->t_next)
		if (t->t_id == id)
			return t;
	return NULL;
}

/* Answer one complete request sitting in C's input buffer. */
static void
conn_dispatch(struct xsd *x, struct conn *c)
{
	struct req		 r;
	const struct op		*op;
	const char		*name;
	char			 what[64];
	uint64_t		 due = 0;
	int			 rc = 0;

	memset(&r, 0, offsetof(struct req, r_path));
	memcpy(&r.r_hdr, c->c_in, HDR_LEN);
	r.r_body = (const char *)c->c_in + HDR_LEN;
	r.r_conn = c;
	op = op_lookup(r.r_hdr.type);
	if (!op->o_notx && r.r_hdr.tx_id != 0 &&
	    (r.r_txn = txn_find(c, r.r_hdr.tx_id)) == NULL)
		rc = -ENOENT;
	if (rc == 0 && op->o_fn == NULL)
		rc = -ENOSYS;
	if (rc == 0)
		rc = fault_check(x, &r);
	if (rc == 0)
		rc = op->o_fn(x, &r);
	if (r.r_hdr.type != XS_CONTROL && x->x_fault.f_delay_ms > 0)
		due = now_ms() + x->x_fault.f_delay_ms;
	name = rc < 0 ? errno_name(-rc) : "OK";
	req_what(&r, what, sizeof(what));
	trace(x, "conn %d: %s tx %" PRIu32 " %s -> %s", c->c_fd, op->o_name,
	    r.r_hdr.tx_id, what, name);
	if (rc < 0)
		conn_send(c, XS_ERROR, &r.r_hdr, name, strlen(name) + 1, due);
	else if (r.r_replied)
		conn_send(c, r.r_hdr.type, &r.r_hdr, r.r_out, r.r_outlen, due);
	else
		conn_send(c, r.r_hdr.type, &r.r_hdr, "OK", 3, due);
	if (rc == 0 && r.r_initial != NULL)
		conn_event(c, r.r_initial, r.r_initial->w_path);
}

/* Read what is there and answer every complete request. */
static void
conn_read(struct xsd *x, struct conn *c)
{
	struct xsd_sockmsg	hdr;
	size_t			want;
	ssize_t			n;

	while (!c->c_dead) {
		want = HDR_LEN;
		if (c->c_inlen >= HDR_LEN) {
			memcpy(&hdr, c->c_in, HDR_LEN);
			if (hdr.len > PAYLOAD_MAX) {
				trace(x, "conn %d: payload %" PRIu32
				    " too big, dropping", c->c_fd, hdr.len);
				c->c_dead = true;
				return;
			}
			want += hdr.len;
			if (c->c_inlen == want) {
				conn_dispatch(x, c);
				c->c_inlen = 0;
				continue;
			}
		}
		n = read(c->c_fd, c->c_in + c->c_inlen, want - c->c_inlen);
		if (n > 0)
			c->c_inlen += (size_t)n;
		else {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				c->c_dead = true;
			return;
		}
	}
}

/* Write the queued messages that are due at NOW. */
static void
conn_write(struct conn *c, uint64_t now)
{
	struct msg	*m;
	ssize_t		 n;

	while ((m = c->c_out) != NULL && m->m_due <= now && !c->c_dead) {
		n = send(c->c_fd, m->m_data + m->m_off, m->m_len - m->m_off,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				c->c_dead = true;
			return;
		}
		m->m_off += (size_t)n;
		if (m->m_off < m->m_len)
			return;
		c->c_out = m->m_next;
		if (c->c_out == NULL)
			c->c_outtail = &c->c_out;
		c->c_outbytes -= m->m_len;
		free(m);
	}
}

static int
set_nonblock(int fd)
{
	int	fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -errno;
	return 0;
}

static void
conns_accept(struct xsd *x)
{
	struct conn	*c;
	int		 fd;

	while ((fd = accept(x->x_listen_fd, NULL, NULL)) != -1) {
		if (x->x_nconns >= MAX_CONNS || set_nonblock(fd) < 0) {
			trace(x, "refusing connection");
			close(fd);
			continue;
		}
		c = xmalloc(sizeof(*c));
		memset(c, 0, sizeof(*c));
		c->c_fd = fd;
		c->c_outtail = &c->c_out;
		c->c_next = x->x_conns;
		x->x_conns = c;
		x->x_nconns++;
		trace(x, "conn %d: open", fd);
	}
	if (errno == EMFILE || errno == ENFILE)
		x->x_accept_after = now_ms() + 100;	/* don't spin */
}

/* Free dead connections, now that nobody iterates over the list. */
static void
conns_reap(struct xsd *x)
{
	struct conn	**cp = &x->x_conns, *c;

	while ((c = *cp) != NULL) {
		if (!c->c_dead) {
			cp = &c->c_next;
			continue;
		}
		trace(x, "conn %d: closed", c->c_fd);
		*cp = c->c_next;
		x->x_nconns--;
		conn_free(c);
	}
}

/* Fill x_pfd: [0] signals, [1] listener, then one per connection. */
static int
poll_setup(struct xsd *x, uint64_t now, size_t *ret_n)
{
	struct conn	*c;
	size_t		 n = 2;
	int		 timeout = -1;

	if (x->x_pfdcap < x->x_nconns + 2) {
		free(x->x_pfd);
		x->x_pfdcap = x->x_nconns + 64;
		x->x_pfd = xmalloc(x->x_pfdcap * sizeof(*x->x_pfd));
	}
	x->x_pfd[0] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
	x->x_pfd[1] = (struct pollfd){ .fd = x->x_listen_fd, .events = POLLIN };
	if (x->x_accept_after > now) {
		x->x_pfd[1].fd = -1;
		timeout = (int)(x->x_accept_after - now);
	}
	for (c = x->x_conns; c != NULL; c = c->c_next, n++) {
		x->x_pfd[n] = (struct pollfd){ .fd = c->c_fd, .events = POLLIN };
		if (c->c_out == NULL)
			continue;
		if (c->c_out->m_due <= now)
			x->x_pfd[n].events |= POLLOUT;
		else if (timeout < 0 || c->c_out->m_due - now < (uint64_t)timeout)
			timeout = (int)(c->c_out->m_due - now);
	}
	*ret_n = n;
	return timeout;
}

/* Serve until SIGTERM or SIGINT. */
static int
serve(struct xsd *x)
{
	struct conn	*c;
	size_t		 n, i;
	uint64_t	 now;
	int		 timeout;

	for (;;) {
		now = now_ms();
		timeout = poll_setup(x, now, &n);
		if (poll(x->x_pfd, n, timeout) == -1 && errno != EINTR)
			return -errno;
		if (x->x_pfd[0].revents != 0)
			return 0;
		/* The list is as poll_setup() saw it until conns_reap(). */
		for (c = x->x_conns, i = 2; c != NULL && i < n;
		    c = c->c_next, i++)
			if (x->x_pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				conn_read(x, c);
		if (x->x_pfd[1].revents != 0)
			conns_accept(x);
		now = now_ms();
		for (c = x->x_conns; c != NULL; c = c->c_next)
			conn_write(c, now);
		conns_reap(x);
	}
}

static void
on_signal(int sig)
{
	int	saved = errno;
	ssize_t	n;

	(void)sig;
	n = write(sig_pipe[1], "x", 1);
	(void)n;
	errno = saved;
}

static int
signals_init(void)
{
	struct sigaction	sa;

	if (pipe(sig_pipe) == -1 || set_nonblock(sig_pipe[0]) < 0 ||
	    set_nonblock(sig_pipe[1]) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_signal;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		return -errno;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -errno;
	return 0;
}

static int
listen_init(const char *path, int *ret_fd)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd, rc;

	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	if (unlink(path) == -1 && errno != ENOENT)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 128) == -1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

/* The initial tree: "/", "/local/domain/0" and "/tool"; dom0 introduced. */
static void
store_init(struct xsd *x)
{
	char		owner[] = "n0";
	struct blob	perms = { owner, sizeof(owner) };

	store_replace(x, node_new("/", &perms));
	(void)node_create(x, NULL, DOM0_PATH);
	(void)node_create(x, NULL, "/tool");
	dom_set(x, 0, true);
}

static void
store_free(struct xsd *x)
{
	struct node	*n;
	size_t		 i;

	for (i = 0; i < HASH_SIZE; i++)
		while ((n = x->x_hash[i]) != NULL) {
			x->x_hash[i] = n->n_next;
			node_free(n);
		}
}

/* Run a "-c" command line such as "fail WRITE EACCES 1". */
static int
fault_arg(struct xsd *x, char *s)
{
	const char	*argv[8];
	int		 argc = 0;
	char		*tok, *save = NULL;

	for (tok = strtok_r(s, " ", &save); tok != NULL && argc < 8;
	    tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return -EINVAL;
	return fault_apply(x, argv, argc, NULL);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: xsd-sim [-v] [-c command] [-t trace-file] "
	    "socket-path\ncommands: %s\n", fault_help);
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct xsd	 x;
	const char		*sock;
	int			 ch, rc;

	x.x_listen_fd = -1;
	store_init(&x);
	while ((ch = getopt(argc, argv, "c:t:v")) != -1) {
		switch (ch) {
		case 'c':
			if (fault_arg(&x, optarg) < 0)
				usage();
			break;
		case 't':
			if ((x.x_trace = fopen(optarg, "we")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'v':
			x.x_verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	sock = argv[optind];
	if ((rc = signals_init()) < 0 ||
	    (rc = listen_init(sock, &x.x_listen_fd)) < 0) {
		fprintf(stderr, "xsd-sim: %s: %s\n", sock, strerror(-rc));
		return 1;
	}
	printf("READY\n");
	fflush(stdout);
	rc = serve(&x);
	if (rc < 0)
		fprintf(stderr, "xsd-sim: poll: %s\n", strerror(-rc));
	(void)unlink(sock);
	while (x.x_conns != NULL) {
		x.x_conns->c_dead = true;
		conns_reap(&x);
	}
	close(x.x_listen_fd);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	store_free(&x);
	free(x.x_pfd);
	if (x.x_trace != NULL)
		fclose(x.x_trace);
	return rc < 0 ? 1 : 0;
}
