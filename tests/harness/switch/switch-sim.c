/*
 * switch-sim: xapi's message-switch (the server side) on a Unix socket, for
 * tests.  Written from docs/message-switch.md (xen-api's
 * message-switch/core/protocol.ml, switch/mswitch.ml, switch/q.ml,
 * switch/switch_main.ml): HTTP/1.1 framed by content-length, login per
 * connection, persistent and transient queues, long-poll transfer with
 * "from" and "timeout", request, response, ack, redelivery of what is not
 * acked to a transfer without "from", and with -s the persistent queues
 * kept in a state file across a restart.
 *
 * Single-threaded and poll()-based.  Test-only paths, allowed without a
 * login:
 *	GET /		  the queues and counters, as JSON (not the real
 *			  switch's diagnostics format)
 *	POST /x-fault	  body: fault rules, one a line (also -f RULE):
 *	    ACTION [SESSION=]PREFIX [COUNT [ARG]]  for the next COUNT
 *	    (default 1) requests whose decoded path starts with PREFIX (and
 *	    whose connection's login token starts with SESSION):
 *		drop	close the connection, the request not carried out
 *		lose	carry it out, then close without answering
 *		delay	answer after ARG ms
 *		garbage	answer with a garbage status line
 *		badlen	answer with content-length "12x"
 *		shortlen answer with a content-length 10 more than the body,
 *			then close
 *		hugelen	answer with content-length 99999999999999
 *		status	answer with status ARG (e.g. 404), not carried out
 *		body	carry it out, but answer with body ARG (rest of line)
 *	    clear	forget every rule
 *
 * usage: switch-sim [-v] [-f rule]... [-s statefile] [-t tracefile] socket
 * Prints READY on stdout once listening; SIGTERM or SIGINT: exit 0.
 */
#define _GNU_SOURCE	/* accept4, memmem */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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

#define MAX_CONNS	256
#define MAX_HEAD	65536
#define MAX_BODY	(16u << 20)
#define MAX_RULES	64
#define MAX_NAME	1024

struct msg {
	struct msg	*next;
	int64_t		 id;
	char		*payload;
	char		*reply_to;	/* a Request; else a Response to: */
	char		*resp_q;
	int64_t		 resp_n;
};

struct queue {
	struct queue	*next;
	char		*name;
	char		*owner;		/* transient: its session */
	int64_t		 next_id;
	struct msg	*msgs;		/* ascending ids */
	size_t		 len;
};

struct rule {
	char		 action[16];
	char		 session[256];	/* "": any connection */
	char		 prefix[256];
	long		 count;
	char		 arg[512];
};

struct conn {
	int		 fd;
	char		*in;
	size_t		 inlen, incap;
	char		*out;
	size_t		 outlen, outcap;
	char		*session;
	bool		 closing;	/* close once the output is out */
	/* a parked long poll */
	bool		 polling;
	int64_t		 poll_from;
	int64_t		 poll_deadline_ms;
	char		**poll_queues;
	size_t		 poll_nqueues;
	struct rule	 poll_fault;	/* the fault its answer gets */
	bool		 poll_faulty;
	/* a delayed answer */
	int64_t		 delay_until_ms;
	char		*delayed;
	size_t		 delayedlen;
};

struct sim {
	struct queue	*queues;
	struct conn	*conns[MAX_CONNS];
	struct rule	 rules[MAX_RULES];
	size_t		 nrules;
	const char	*statefile;
	FILE		*trace;
	int		 verbose;
	uint64_t	 nrequests, ntransfers, nsends, nacks, nlogins, nconns;
	uint64_t	 nfaults;
};

static volatile sig_atomic_t	stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void *
xmalloc(size_t n)
{
	void	*p = malloc(n == 0 ? 1 : n);

	if (p == NULL) {
		perror("switch-sim: malloc");
		exit(1);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((format(printf, 2, 3)))
trace(struct sim *s, const char *fmt, ...)
{
	va_list	ap;

	if (s->trace == NULL && !s->verbose)
		return;
	if (s->trace != NULL) {
		va_start(ap, fmt);
		vfprintf(s->trace, fmt, ap);
		va_end(ap);
		fputc('\n', s->trace);
		fflush(s->trace);
	}
	if (s->verbose) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

/* ---- queues ------------------------------------------------------------ */

static struct queue *
queue_find(struct sim *s, const char *name)
{
	struct queue	*q;

	for (q = s->queues; q != NULL; q = q->next)
		if (strcmp(q->name, name) == 0)
			return q;
	return NULL;
}

static struct queue *
queue_add(struct sim *s, const char *name, const char *owner)
{
	struct queue	*q;

	if ((q = queue_find(s, name)) != NULL)
		return q;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		exit(1);
	q->name = xstrdup(name);
	q->owner = owner != NULL ? xstrdup(owner) : NULL;
	q->next = s->queues;
	s->queues = q;
	return q;
}

static void
msg_free(struct msg *m)
{
	free(m->payload);
	free(m->reply_to);
	free(m->resp_q);
	free(m);
}

static void
queue_free(struct queue *q)
{
	struct msg	*m;

	while ((m = q->msgs) != NULL) {
		q->msgs = m->next;
		msg_free(m);
	}
	free(q->name);
	free(q->owner);
	free(q);
}

static void
queue_remove(struct sim *s, struct queue *q)
{
	struct queue	**pp;

	for (pp = &s->queues; *pp != NULL; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			queue_free(q);
			return;
		}
}

static void
queue_append(struct queue *q, struct msg *m)
{
	struct msg	**pp;

	for (pp = &q->msgs; *pp != NULL; pp = &(*pp)->next)
		;
	m->next = NULL;
	*pp = m;
	q->len++;
}

/* ---- the state file: the persistent queues ----------------------------- */

static struct json_object *
msg_json(const struct msg *m)
{
	struct json_object	*o = json_object_new_object(), *k, *id;

	json_object_object_add(o, "id", json_object_new_int64(m->id));
	json_object_object_add(o, "payload", json_object_new_string(
	    m->payload));
	k = json_object_new_array();
	if (m->reply_to != NULL) {
		json_object_array_add(k, json_object_new_string("Request"));
		json_object_array_add(k, json_object_new_string(m->reply_to));
	} else {
		json_object_array_add(k, json_object_new_string("Response"));
		id = json_object_new_array();
		json_object_array_add(id, json_object_new_string(m->resp_q));
		json_object_array_add(id, json_object_new_int64(m->resp_n));
		json_object_array_add(k, id);
	}
	json_object_object_add(o, "kind", k);
	return o;
}

static struct json_object *
queue_json(const struct queue *q)
{
	struct json_object	*o = json_object_new_object(), *a;
	const struct msg	*m;

	json_object_object_add(o, "name", json_object_new_string(q->name));
	json_object_object_add(o, "owner", q->owner != NULL ?
	    json_object_new_string(q->owner) : NULL);
	json_object_object_add(o, "next-id", json_object_new_int64(
	    q->next_id));
	json_object_object_add(o, "length", json_object_new_int64(
	    (int64_t)q->len));
	a = json_object_new_array();
	for (m = q->msgs; m != NULL; m = m->next)
		json_object_array_add(a, msg_json(m));
	json_object_object_add(o, "messages", a);
	return o;
}

static void
state_save(struct sim *s)
{
	struct json_object	*a;
	struct queue		*q;
	char			 tmp[4096];
	FILE			*f;

	if (s->statefile == NULL)
		return;
	a = json_object_new_array();
	for (q = s->queues; q != NULL; q = q->next)
		if (q->owner == NULL)
			json_object_array_add(a, queue_json(q));
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->statefile);
	if ((f = fopen(tmp, "w")) == NULL ||
	    fputs(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
	    f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0 ||
	    fclose(f) != 0 || rename(tmp, s->statefile) != 0) {
		perror("switch-sim: state file");
		exit(1);
	}
	json_object_put(a);
}

static void
state_load(struct sim *s)
{
	struct json_object	*a, *o, *v, *ms, *mo, *k;
	struct queue		*q;
	struct msg		*m;
	size_t			 i, j;

	if (s->statefile == NULL || access(s->statefile, F_OK) != 0)
		return;
	if ((a = json_object_from_file(s->statefile)) == NULL ||
	    !json_object_is_type(a, json_type_array)) {
		fprintf(stderr, "switch-sim: %s: not a state file\n",
		    s->statefile);
		exit(1);
	}
	for (i = 0; i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		json_object_object_get_ex(o, "name", &v);
		q = queue_add(s, json_object_get_string(v), NULL);
		json_object_object_get_ex(o, "messages", &ms);
		for (j = 0; j < json_object_array_length(ms); j++) {
			mo = json_object_array_get_idx(ms, j);
			m = calloc(1, sizeof(*m));
			if (m == NULL)
				exit(1);
			json_object_object_get_ex(mo, "id", &v);
			m->id = json_object_get_int64(v);
			json_object_object_get_ex(mo, "payload", &v);
			m->payload = xstrdup(json_object_get_string(v));
			json_object_object_get_ex(mo, "kind", &k);
			if (strcmp(json_object_get_string(
			    json_object_array_get_idx(k, 0)), "Request") == 0)
				m->reply_to = xstrdup(json_object_get_string(
				    json_object_array_get_idx(k, 1)));
			else {
				v = json_object_array_get_idx(k, 1);
				m->resp_q = xstrdup(json_object_get_string(
				    json_object_array_get_idx(v, 0)));
				m->resp_n = json_object_get_int64(
				    json_object_array_get_idx(v, 1));
			}
			queue_append(q, m);
			/* q.ml: after a load, next id = highest queued + 1 */
			q->next_id = m->id + 1;
		}
	}
	json_object_put(a);
}

/* ---- output ------------------------------------------------------------- */

static void
out_add(struct conn *c, const char *p, size_t n)
{
	while (c->outlen + n > c->outcap) {
		c->outcap = c->outcap ? c->outcap * 2 : 4096;
		if ((c->out = realloc(c->out, c->outcap)) == NULL)
			exit(1);
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
}

/* A response, as cohttp's respond_string writes it (with a fault). */
static void
respond(struct sim *s, struct conn *c, int status, const char *body,
    const struct rule *fault)
{
	char		 head[512];
	const char	*reason = status == 200 ? "OK" : status == 404 ?
	    "Not Found" : "Error";
	size_t		 blen;
	int		 n;

	if (fault != NULL && strcmp(fault->action, "body") == 0)
		body = fault->arg;
	blen = strlen(body);
	trace(s, "-> %d %.200s", status, body);
	if (fault != NULL && strcmp(fault->action, "garbage") == 0) {
		out_add(c, "HTLP/9.9 what is this\r\n\r\n", 25);
		return;
	}
	if (fault != NULL && strcmp(fault->action, "badlen") == 0)
		n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
		    "content-length: 12x\r\n\r\n", status, reason);
	else if (fault != NULL && strcmp(fault->action, "hugelen") == 0)
		n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
		    "content-length: 99999999999999\r\n\r\n", status, reason);
	else
		n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
		    "content-length: %zu\r\n\r\n", status, reason,
		    blen + (fault != NULL && strcmp(fault->action,
		    "shortlen") == 0 ? 10 : 0));
	if (fault != NULL && strcmp(fault->action, "shortlen") == 0)
		c->closing = true;
	if (c->delay_until_ms > 0) {
		/* delayed: kept until its time comes */
		c->delayed = xmalloc((size_t)n + blen);
		memcpy(c->delayed, head, (size_t)n);
		memcpy(c->delayed + n, body, blen);
		c->delayedlen = (size_t)n + blen;
		return;
	}
	out_add(c, head, (size_t)n);
	out_add(c, body, blen);
}

/* ---- requests ----------------------------------------------------------- */

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Percent-decode in place; false on a bad escape or a NUL. */
static bool
pct_decode(char *s)
{
	char	*d = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*d++ = *s;
			continue;
		}
		if ((hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0 ||
		    hi * 16 + lo == 0)
			return false;
		*d++ = (char)(hi * 16 + lo);
		s += 2;
	}
	*d = '\0';
	return true;
}

/* Split "/a/b/c" into at most max components; their count. */
static size_t
split_path(char *path, char **parts, size_t max)
{
	size_t	 n = 0;
	char	*p = path;

	if (*p == '/')
		p++;
	while (n < max) {
		parts[n++] = p;
		if ((p = strchr(p, '/')) == NULL)
			break;
		*p++ = '\0';
	}
	return p == NULL ? n : max + 1;
}

static bool
parse_i64(const char *s, int64_t *ret)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || !(isdigit((unsigned char)*s) || (*s == '-' &&
	    isdigit((unsigned char)s[1]))))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return false;
	*ret = v;
	return true;
}

static const struct rule *
fault_take(struct sim *s, const struct conn *c, const char *path)
{
	struct rule	*r;
	size_t		 i;

	for (i = 0; i < s->nrules; i++) {
		r = &s->rules[i];
		if (r->session[0] != '\0' && (c->session == NULL ||
		    strncmp(c->session, r->session, strlen(r->session)) != 0))
			continue;
		if (r->count > 0 && strncmp(path, r->prefix,
		    strlen(r->prefix)) == 0) {
			r->count--;
			s->nfaults++;
			trace(s, "!! fault %s %s", r->action, r->prefix);
			return r;
		}
	}
	return NULL;
}

static int
rule_add(struct sim *s, const char *line)
{
	struct rule	r;
	char		*eq;
	int		n, off = 0;

	memset(&r, 0, sizeof(r));
	r.count = 1;
	if (strncmp(line, "clear", 5) == 0) {
		s->nrules = 0;
		return 0;
	}
	n = sscanf(line, "%15s %255s %ld %n", r.action, r.prefix, &r.count,
	    &off);
	if (n < 2 || s->nrules >= MAX_RULES)
		return -1;
	if (n == 3 && off > 0)
		snprintf(r.arg, sizeof(r.arg), "%s", line + off);
	r.arg[strcspn(r.arg, "\r\n")] = '\0';
	if ((eq = strchr(r.prefix, '=')) != NULL) {
		*eq = '\0';
		snprintf(r.session, sizeof(r.session), "%s", r.prefix);
		memmove(r.prefix, eq + 1, strlen(eq + 1) + 1);
	}
	if (strcmp(r.action, "drop") && strcmp(r.action, "lose") &&
	    strcmp(r.action, "delay") && strcmp(r.action, "garbage") &&
	    strcmp(r.action, "badlen") && strcmp(r.action, "shortlen") &&
	    strcmp(r.action, "hugelen") && strcmp(r.action, "status") &&
	    strcmp(r.action, "body"))
		return -1;
	s->rules[s->nrules++] = r;
	return 0;
}

/* The messages of the named queues with an id above from: descending per
 * queue as q.ml's transfer gives them; NULL when there are none. */
static struct json_object *
transfer_messages(struct sim *s, int64_t from, char **names, size_t n,
    int64_t *ret_next)
{
	struct json_object	*a = json_object_new_array(), *e, *id, *mo;
	struct queue		*q;
	struct msg		*m;
	struct msg		*list[4096];
	size_t			 i, nl, j;
	int64_t			 next = from;

	for (i = 0; i < n; i++) {
		if ((q = queue_find(s, names[i])) == NULL)
			continue;
		nl = 0;
		for (m = q->msgs; m != NULL && nl < 4096; m = m->next)
			if (m->id > from)
				list[nl++] = m;
		for (j = nl; j-- > 0;) {
			m = list[j];
			e = json_object_new_array();
			id = json_object_new_array();
			json_object_array_add(id, json_object_new_string(
			    q->name));
			json_object_array_add(id, json_object_new_int64(m->id));
			json_object_array_add(e, id);
			mo = msg_json(m);
			json_object_object_del(mo, "id");
			json_object_array_add(e, mo);
			json_object_array_add(a, e);
			if (m->id > next)
				next = m->id;
		}
	}
	if (json_object_array_length(a) == 0) {
		json_object_put(a);
		return NULL;
	}
	*ret_next = next;
	return a;
}

static void
poll_clear(struct conn *c)
{
	size_t	i;

	for (i = 0; i < c->poll_nqueues; i++)
		free(c->poll_queues[i]);
	free(c->poll_queues);
	c->poll_queues = NULL;
	c->poll_nqueues = 0;
	c->polling = false;
	c->poll_faulty = false;
}

/* Answer a parked transfer if it has messages now, or if forced (its
 * deadline passed). */
static void
transfer_try(struct sim *s, struct conn *c, bool force)
{
	struct json_object	*msgs, *o;
	int64_t			 next = c->poll_from;
	char			 buf[32];

	msgs = transfer_messages(s, c->poll_from, c->poll_queues,
	    c->poll_nqueues, &next);
	if (msgs == NULL && !force)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "messages", msgs != NULL ? msgs :
	    json_object_new_array());
	snprintf(buf, sizeof(buf), "%" PRId64, next);
	json_object_object_add(o, "next", json_object_new_string(buf));
	respond(s, c, 200, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    c->poll_faulty ? &c->poll_fault : NULL);
	json_object_put(o);
	poll_clear(c);
}

static void
transfers_wake(struct sim *s)
{
	size_t	i;

	for (i = 0; i < MAX_CONNS; i++)
		if (s->conns[i] != NULL && s->conns[i]->polling)
			transfer_try(s, s->conns[i], false);
}

/* POST /transfer: parse, then answer or park. */
static int
do_transfer(struct sim *s, struct conn *c, const char *body,
    const struct rule *fault)
{
	struct json_object	*o, *v, *qs;
	int64_t			 from = -1;
	double			 timeout = 0;
	size_t			 i, n;

	if ((o = json_tokener_parse(body)) == NULL)
		return 404;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "queues", &qs) ||
	    !json_object_is_type(qs, json_type_array) ||
	    !json_object_object_get_ex(o, "timeout", &v) ||
	    !(json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int))) {
		json_object_put(o);
		return 404;
	}
	timeout = json_object_get_double(v);
	if (json_object_object_get_ex(o, "from", &v) && (v == NULL ||
	    !json_object_is_type(v, json_type_string) ||
	    !parse_i64(json_object_get_string(v), &from))) {
		json_object_put(o);
		return 404;
	}
	n = json_object_array_length(qs);
	c->poll_queues = xmalloc(sizeof(char *) * (n ? n : 1));
	for (i = 0; i < n; i++)
		c->poll_queues[i] = xstrdup(json_object_get_string(
		    json_object_array_get_idx(qs, i)));
	c->poll_nqueues = n;
	c->poll_from = from;
	c->poll_deadline_ms = now_ms() + (int64_t)(timeout * 1000);
	c->polling = true;
	if (fault != NULL) {
		c->poll_fault = *fault;
		c->poll_faulty = true;
	}
	json_object_put(o);
	s->ntransfers++;
	transfer_try(s, c, false);
	return 0;
}

/* POST /request and /response: queue the message if the queue exists. */
static void
do_send(struct sim *s, struct conn *c, const char *name, struct msg *m,
    const struct rule *fault)
{
	struct queue	*q = queue_find(s, name);
	char		 buf[MAX_NAME + 64];

	s->nsends++;
	if (q == NULL) {
		msg_free(m);
		respond(s, c, 200, "[]", fault);
		return;
	}
	m->id = q->next_id++;
	queue_append(q, m);
	if (q->owner == NULL)
		state_save(s);
	snprintf(buf, sizeof(buf), "[[\"%s\",%" PRId64 "]]", q->name, m->id);
	respond(s, c, 200, buf, fault);
	transfers_wake(s);
}

static void
do_ack(struct sim *s, struct conn *c, const char *name, int64_t id,
    const struct rule *fault)
{
	struct queue	*q = queue_find(s, name);
	struct msg	**pp, *m;

	s->nacks++;
	if (q != NULL)
		for (pp = &q->msgs; (m = *pp) != NULL; pp = &m->next)
			if (m->id == id) {
				*pp = m->next;
				msg_free(m);
				q->len--;
				if (q->owner == NULL)
					state_save(s);
				break;
			}
	respond(s, c, 200, "", fault);
}

static void
do_diagnostics(struct sim *s, struct conn *c)
{
	struct json_object	*o = json_object_new_object(), *a, *st;
	struct queue		*q;

	a = json_object_new_array();
	for (q = s->queues; q != NULL; q = q->next)
		json_object_array_add(a, queue_json(q));
	json_object_object_add(o, "queues", a);
	st = json_object_new_object();
	json_object_object_add(st, "requests", json_object_new_int64(
	    (int64_t)s->nrequests));
	json_object_object_add(st, "transfers", json_object_new_int64(
	    (int64_t)s->ntransfers));
	json_object_object_add(st, "sends", json_object_new_int64(
	    (int64_t)s->nsends));
	json_object_object_add(st, "acks", json_object_new_int64(
	    (int64_t)s->nacks));
	json_object_object_add(st, "logins", json_object_new_int64(
	    (int64_t)s->nlogins));
	json_object_object_add(st, "connections", json_object_new_int64(
	    (int64_t)s->nconns));
	json_object_object_add(st, "faults", json_object_new_int64(
	    (int64_t)s->nfaults));
	json_object_object_add(o, "stats", st);
	respond(s, c, 200, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), NULL);
	json_object_put(o);
}

/* One request: returns false when the connection is to be closed now. */
static bool
handle(struct sim *s, struct conn *c, const char *meth, char *path,
    const char *body)
{
	char			*parts[8], pathcopy[4096];
	const struct rule	*fault = NULL;
	struct msg		*m;
	size_t			 n, mark;
	int64_t			 id;
	int			 st;
	char			*line, *save = NULL, *copy;

	s->nrequests++;
	mark = c->outlen;
	trace(s, "<- %s %s %.200s", meth, path, body);
	if (!pct_decode(path)) {
		respond(s, c, 404, "Not found", NULL);
		return true;
	}
	if (strcmp(meth, "POST") == 0 && strcmp(path, "/x-fault") == 0) {
		copy = xstrdup(body);
		st = 200;
		for (line = strtok_r(copy, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			if (rule_add(s, line) < 0)
				st = 400;
		free(copy);
		respond(s, c, st, st == 200 ? "" : "bad rule", NULL);
		return true;
	}
	if (strcmp(meth, "GET") == 0 && strcmp(path, "/") == 0) {
		do_diagnostics(s, c);
		return true;
	}
	if ((fault = fault_take(s, c, path)) != NULL) {
		if (strcmp(fault->action, "drop") == 0) {
			c->closing = true;	/* earlier answers still go */
			return true;
		}
		if (strcmp(fault->action, "status") == 0) {
			respond(s, c, atoi(fault->arg) > 0 ? atoi(fault->arg) :
			    404, "fault", NULL);
			return true;
		}
		if (strcmp(fault->action, "delay") == 0)
			c->delay_until_ms = now_ms() + atol(fault->arg);
	}
	snprintf(pathcopy, sizeof(pathcopy), "%s", path);
	n = split_path(pathcopy, parts, 5);
	if (n == 2 && strcmp(meth, "GET") == 0 &&
	    strcmp(parts[0], "login") == 0) {
		free(c->session);
		c->session = xstrdup(parts[1]);
		s->nlogins++;
		respond(s, c, 200, "", fault);
		goto out;
	}
	if (c->session == NULL) {
		respond(s, c, 404, "Please log in.", fault);
		goto out;
	}
	if (n == 2 && strcmp(meth, "GET") == 0 &&
	    (strcmp(parts[0], "persistent") == 0 ||
	    strcmp(parts[0], "transient") == 0) && *parts[1] != '\0') {
		(void)queue_add(s, parts[1], parts[0][0] == 't' ? c->session :
		    NULL);
		if (parts[0][0] == 'p')
			state_save(s);
		respond(s, c, 200, parts[1], fault);
	} else if (n == 1 && strcmp(meth, "POST") == 0 &&
	    strcmp(parts[0], "transfer") == 0) {
		if (do_transfer(s, c, body, fault) != 0)
			respond(s, c, 404, "Not found", fault);
	} else if (n == 3 && strcmp(meth, "POST") == 0 &&
	    strcmp(parts[0], "request") == 0) {
		m = calloc(1, sizeof(*m));
		if (m == NULL)
			exit(1);
		m->payload = xstrdup(body);
		m->reply_to = xstrdup(parts[2]);
		do_send(s, c, parts[1], m, fault);
	} else if (n == 4 && strcmp(meth, "POST") == 0 &&
	    strcmp(parts[0], "response") == 0 && parse_i64(parts[3], &id)) {
		m = calloc(1, sizeof(*m));
		if (m == NULL)
			exit(1);
		m->payload = xstrdup(body);
		m->resp_q = xstrdup(parts[2]);
		m->resp_n = id;
		do_send(s, c, parts[1], m, fault);
	} else if (n == 3 && strcmp(meth, "GET") == 0 &&
	    strcmp(parts[0], "ack") == 0 && parse_i64(parts[2], &id))
		do_ack(s, c, parts[1], id, fault);
	else
		respond(s, c, 404, "Not found", fault);
out:
	if (fault != NULL && strcmp(fault->action, "lose") == 0) {
		c->outlen = mark;	/* carried out, never answered */
		c->closing = true;
		poll_clear(c);
	}
	return true;
}

/* Case-insensitive header lookup in head (NUL-terminated). */
static const char *
header(const char *head, const char *name)
{
	const char	*p = strchr(head, '\n');
	size_t		 n = strlen(name);

	while (p != NULL) {
		p++;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
		p = strchr(p, '\n');
	}
	return NULL;
}

/* Parse and carry out every complete request in c's input. */
static bool
conn_requests(struct sim *s, struct conn *c)
{
	char		*end, *head, meth[16], path[4096], *body;
	const char	*cl;
	size_t		 hlen, blen;
	long long	 v;
	bool		 keep;

	while (!c->polling && c->delayed == NULL && !c->closing) {
		if ((end = memmem(c->in, c->inlen, "\r\n\r\n", 4)) == NULL) {
			if (c->inlen > MAX_HEAD)
				return false;
			return true;
		}
		hlen = (size_t)(end - c->in) + 4;
		head = xmalloc(hlen + 1);
		memcpy(head, c->in, hlen);
		head[hlen] = '\0';
		if (sscanf(head, "%15s %4095s HTTP/1.", meth, path) != 2) {
			free(head);
			return false;
		}
		blen = 0;
		if ((cl = header(head, "content-length")) != NULL) {
			v = strtoll(cl, NULL, 10);
			if (v < 0 || (unsigned long long)v > MAX_BODY) {
				free(head);
				return false;
			}
			blen = (size_t)v;
		}
		free(head);
		if (c->inlen < hlen + blen)
			return true;
		body = xmalloc(blen + 1);
		memcpy(body, c->in + hlen, blen);
		body[blen] = '\0';
		memmove(c->in, c->in + hlen + blen, c->inlen - hlen - blen);
		c->inlen -= hlen + blen;
		keep = handle(s, c, meth, path, body);
		free(body);
		if (!keep)
			return false;
	}
	return true;
}

/* ---- connections and the loop ------------------------------------------ */

static void
conn_close(struct sim *s, size_t i)
{
	struct conn	*c = s->conns[i];
	struct queue	*q, *qn;
	char		*session = c->session;
	size_t		 j;
	bool		 active = false;

	close(c->fd);
	poll_clear(c);
	free(c->in);
	free(c->out);
	free(c->delayed);
	s->conns[i] = NULL;
	trace(s, "-- connection %zu closed", i);
	/* switch_main.ml: a session's transient queues go with its last
	 * connection */
	if (session != NULL) {
		for (j = 0; j < MAX_CONNS; j++)
			if (s->conns[j] != NULL && s->conns[j]->session !=
			    NULL && strcmp(s->conns[j]->session, session) == 0)
				active = true;
		if (!active)
			for (q = s->queues; q != NULL; q = qn) {
				qn = q->next;
				if (q->owner != NULL &&
				    strcmp(q->owner, session) == 0)
					queue_remove(s, q);
			}
	}
	free(session);
	free(c);
}

static int
listen_on(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    sizeof(sun.sun_path)) {
		fprintf(stderr, "switch-sim: %s: path too long\n", path);
		exit(1);
	}
	(void)unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 64) == -1) {
		perror("switch-sim: listen");
		exit(1);
	}
	return fd;
}

static void
accept_one(struct sim *s, int lfd)
{
	struct conn	*c;
	size_t		 i;
	int		 fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) ==
	    -1)
		return;
	for (i = 0; i < MAX_CONNS && s->conns[i] != NULL; i++)
		;
	if (i == MAX_CONNS) {
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		exit(1);
	c->fd = fd;
	s->conns[i] = c;
	s->nconns++;
	trace(s, "-- connection %zu", i);
}

/* Read what is there; false when the peer is gone or broke the rules. */
static bool
conn_read(struct sim *s, struct conn *c)
{
	ssize_t	r;

	for (;;) {
		if (c->incap - c->inlen < 65536) {
			c->incap = c->incap ? c->incap * 2 : 65536;
			if (c->incap > MAX_HEAD + MAX_BODY + 65536)
				return false;
			if ((c->in = realloc(c->in, c->incap)) == NULL)
				exit(1);
		}
		r = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
		if (r == 0)
			return false;
		if (r < 0)
			return errno == EAGAIN || errno == EINTR;
		c->inlen += (size_t)r;
		if (!conn_requests(s, c))
			return false;
	}
}

static bool
conn_write(struct conn *c)
{
	ssize_t	r;

	while (c->outlen > 0) {
		r = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (r < 0)
			return errno == EAGAIN || errno == EINTR;
		memmove(c->out, c->out + r, c->outlen - (size_t)r);
		c->outlen -= (size_t)r;
	}
	return !c->closing;
}

/* Timers: parked transfers that time out, delayed answers that are due. */
static int
timers(struct sim *s)
{
	struct conn	*c;
	int64_t		 now = now_ms(), next = -1, t;
	size_t		 i;

	for (i = 0; i < MAX_CONNS; i++) {
		if ((c = s->conns[i]) == NULL)
			continue;
		if (c->polling && c->poll_deadline_ms <= now)
			transfer_try(s, c, true);
		/* a parked transfer answered: go on with what came after it */
		if (!c->polling && c->delayed == NULL && !c->closing &&
		    c->inlen > 0 && !conn_requests(s, c))
			c->closing = true;
		if (c->delayed != NULL && c->delay_until_ms <= now) {
			out_add(c, c->delayed, c->delayedlen);
			free(c->delayed);
			c->delayed = NULL;
			c->delay_until_ms = 0;
			if (!conn_requests(s, c))
				c->closing = true;
		}
		t = c->polling ? c->poll_deadline_ms : c->delayed != NULL ?
		    c->delay_until_ms : -1;
		if (t >= 0 && (next < 0 || t < next))
			next = t;
	}
	if (next < 0)
		return 1000;
	return next <= now ? 0 : (int)(next - now);
}

static void
usage(void)
{
	fprintf(stderr, "usage: switch-sim [-v] [-f rule]... [-s statefile] "
	    "[-t tracefile] socket\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct sim	 s;
	struct pollfd		 pfd[MAX_CONNS + 1];
	size_t			 map[MAX_CONNS + 1], i, n;
	struct sigaction	 sa;
	struct queue		*q;
	int			 ch, lfd, timeout;
	const char		*path;

	while ((ch = getopt(argc, argv, "f:s:t:v")) != -1) {
		switch (ch) {
		case 'f':
			if (rule_add(&s, optarg) < 0) {
				fprintf(stderr, "switch-sim: bad rule: %s\n",
				    optarg);
				return 2;
			}
			break;
		case 's':
			s.statefile = optarg;
			break;
		case 't':
			if ((s.trace = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'v':
			s.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	path = argv[optind];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	state_load(&s);
	lfd = listen_on(path);
	printf("READY\n");
	fflush(stdout);
	while (!stop_signal) {
		timeout = timers(&s);
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		n = 1;
		for (i = 0; i < MAX_CONNS; i++) {
			if (s.conns[i] == NULL)
				continue;
			pfd[n].fd = s.conns[i]->fd;
			pfd[n].events = POLLIN | (s.conns[i]->outlen > 0 ||
			    s.conns[i]->closing ? POLLOUT : 0);
			map[n++] = i;
		}
		if (poll(pfd, n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			perror("switch-sim: poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN)
			accept_one(&s, lfd);
		for (i = 1; i < n; i++) {
			if (s.conns[map[i]] == NULL)
				continue;
			if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !conn_read(&s, s.conns[map[i]])) {
				conn_close(&s, map[i]);
				continue;
			}
			if (!conn_write(s.conns[map[i]]))
				conn_close(&s, map[i]);
		}
	}
	close(lfd);
	(void)unlink(path);
	for (i = 0; i < MAX_CONNS; i++)
		if (s.conns[i] != NULL)
			conn_close(&s, i);
	while ((q = s.queues) != NULL) {
		s.queues = q->next;
		queue_free(q);
	}
	if (s.trace != NULL)
		fclose(s.trace);
	return 0;
}
