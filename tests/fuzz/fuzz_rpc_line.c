/*
 * fuzz_rpc_line.c: request lines, both dialects, through the real
 * dispatcher (src/rpc_dispatch.c) and every method, against a real daemon
 * state on the simulated backend.  The input is cut at '\n' as the
 * transport cuts it (a '\r' before the '\n' dropped, blank lines skipped,
 * lines over RPC_MAX_LINE without their "\r\n" answered with one error),
 * and each line is dispatched on one connection.
 *
 * The transport (src/rpc_server.c) is replaced by the stubs below: replies
 * are checked and dropped, and the event loop never runs, so a reserve or
 * a balance stays pending until the input ends; then the connection goes
 * away, which cancels them as a client hanging up does.  A line "#p"
 * (poll), "#c" (balance check) or "#e" (reservation expiry) is not sent:
 * it fires that timer's callback at once if the timer is armed, so
 * operations can start, step and end (on the real clock: the sim's balloons
 * move by what little time passed).  Each input gets a fresh simulated
 * host, so a crash replays from its input alone.
 *
 * Oracles: the sanitizers; every reply is one line of JSON, an object in
 * its dialect's envelope; nothing stays queued once the connection is
 * gone; the state file the simulator wrote loads again.
 *
 * FUZZ_VERBOSE=1 in the environment prints the log and every reply.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "../../src/rpc_int.h"
#include "backend.h"
#include "balancer.h"
#include "conf.h"
#include "engine.h"
#include "log.h"
#include "model.h"
#include "svc.h"
#include "squeezerd.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_INPUT	(256 * 1024)

/* tests/rpc/host-fast.json: dom0 fixed, four guests that balloon fast. */
static const char fuzz_host[] =
    "{\n"
    "  \"config\": {\"host-reserve-kib\": 73728},\n"
    "  \"host\": {\"free-kib\": 1048576},\n"
    "  \"domains\": [\n"
    "    {\"domid\": 0, \"dynamic-min-kib\": 2097152, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"can-balloon\": false,"
    " \"balloon\": {\"model\": \"none\"}},\n"
    "    {\"domid\": 1, \"dynamic-min-kib\": 1048576, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"balloon\": {\"model\":"
    " \"normal\", \"rate-kib-s\": 1048576}},\n"
    "    {\"domid\": 2, \"dynamic-min-kib\": 1048576, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"balloon\": {\"model\":"
    " \"normal\", \"rate-kib-s\": 1048576}},\n"
    "    {\"domid\": 3, \"dynamic-min-kib\": 1048576, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"balloon\": {\"model\":"
    " \"stuck\"}},\n"
    "    {\"domid\": 4, \"dynamic-min-kib\": 1048576, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 1500000, \"weight\": 300, \"memory\":"
    " {\"used-kib\": 1000000, \"pressure\": 12.5}, \"balloon\":"
    " {\"model\": \"normal\", \"rate-kib-s\": 1048576}}\n"
    "  ]\n"
    "}\n";

/* --- the transport's side, as src/rpc_server.c provides it --- */

struct rpc_peer {
	const struct rpc_sink_ops *ops;		/* first: rpc_int.h */
	TAILQ_HEAD(, rpc_req)	 reqs;		/* pending */
	size_t			 npending;
	bool			 writer;
	size_t			 nreplies;
};

static bool	fuzz_verbose;

static bool
fuzz_peer_writer(const struct rpc_peer *p)
{
	return p->writer;
}

static size_t
fuzz_peer_npending(const struct rpc_peer *p)
{
	return p->npending;
}

static void
fuzz_peer_attach(struct rpc_peer *p, struct rpc_req *req)
{
	TAILQ_INSERT_TAIL(&p->reqs, req, entry);
	p->npending++;
}

static void
fuzz_peer_detach(struct rpc_peer *p, struct rpc_req *req)
{
	TAILQ_REMOVE(&p->reqs, req, entry);
	p->npending--;
}

static void
fuzz_peer_reap(struct rpc_peer *p)
{
	(void)p;
}

static void __attribute__((noreturn))
fuzz_fail(const char *what, const char *text)
{
	fprintf(stderr, "rpc: %s: %.2000s\n", what, text);
	abort();
}

/* Every reply: one line, a JSON object in one of the two envelopes. */
static void
fuzz_peer_send(struct rpc_peer *p, const char *text)
{
	struct json_tokener	*tok;
	struct json_object	*o, *v;
	size_t			 len = strlen(text);

	p->nreplies++;
	if (fuzz_verbose)
		fprintf(stderr, "<- %s\n", text);
	if (memchr(text, '\n', len) != NULL)
		fuzz_fail("a reply with a newline", text);
	if ((tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH)) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len + 1);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		fuzz_fail("a reply that is not a JSON object", text);
	json_tokener_free(tok);
	if (!json_object_object_get_ex(o, "id", &v))
		fuzz_fail("a reply without an id", text);
	if (json_object_object_get_ex(o, "jsonrpc", &v)) {
		if (json_object_object_get_ex(o, "result", NULL) ==
		    json_object_object_get_ex(o, "error", NULL))
			fuzz_fail("a native reply needs exactly one of result "
			    "and error", text);
	} else if (!json_object_object_get_ex(o, "result", NULL) ||
	    !json_object_object_get_ex(o, "error", NULL) ||
	    json_object_object_length(o) != 3)
		fuzz_fail("a squeezed reply needs result, error and id",
		    text);
	json_object_put(o);
}

static const struct rpc_sink_ops fuzz_peer_ops = {
	.writer		= fuzz_peer_writer,
	.send		= fuzz_peer_send,
	.npending	= fuzz_peer_npending,
	.attach		= fuzz_peer_attach,
	.detach		= fuzz_peer_detach,
	.reap		= fuzz_peer_reap,
};

/* --- a quiet logger (log.c writes to stderr or syslog) --- */

static void __attribute__((format(printf, 1, 0)))
fuzz_vlog(const char *fmt, va_list ap)
{
	char	msg[1024];
	int	saved_errno = errno;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (fuzz_verbose)
		fprintf(stderr, "log: %s\n", msg);
	errno = saved_errno;
}

void
log_init(bool foreground, int verbose)
{
	(void)foreground;
	(void)verbose;
}

void
log_setverbose(int v)
{
	(void)v;
}

#define FUZZ_LOGFN(name)		\
void					\
name(const char *fmt, ...)		\
{					\
	va_list	ap;			\
					\
	va_start(ap, fmt);		\
	fuzz_vlog(fmt, ap);		\
	va_end(ap);			\
}
FUZZ_LOGFN(log_warn)
FUZZ_LOGFN(log_warnx)
FUZZ_LOGFN(log_info)
FUZZ_LOGFN(log_debug)

/* After start-up a fatal() is a broken invariant: a finding. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

/* --- the daemon, as src/squeezerd.c's start() builds it --- */

static char		 fuzz_dir[256], fuzz_hostf[300], fuzz_state[300];
static struct event_base *fuzz_base;

static void
fuzz_cleanup(void)
{
	char	tmp[310];

	snprintf(tmp, sizeof(tmp), "%s.tmp", fuzz_state);
	(void)unlink(tmp);
	(void)unlink(fuzz_state);
	(void)unlink(fuzz_hostf);
	(void)rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE	*f;

	(void)argc;
	(void)argv;
	fuzz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fuzz_rpc_line.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	snprintf(fuzz_hostf, sizeof(fuzz_hostf), "%s/host.json", fuzz_dir);
	snprintf(fuzz_state, sizeof(fuzz_state), "%s/state", fuzz_dir);
	if ((f = fopen(fuzz_hostf, "we")) == NULL || fputs(fuzz_host, f) ==
	    EOF || fclose(f) == EOF)
		abort();
	atexit(fuzz_cleanup);
	if ((fuzz_base = event_base_new()) == NULL)
		abort();
	return 0;
}

/* Open the sim backend over the host file and the state file. */
static void
fuzz_open(struct squeezerd *bd)
{
	struct backend_args	a = { .host_file = fuzz_hostf,
	    .state_file = fuzz_state, .conf = &bd->bd_conf,
	    .now_ms = daemon_now_ms() };
	char			err[512];

	bd->bd_be = &backend_sim_ops;
	err[0] = '\0';
	if (bd->bd_be->open(&a, &bd->bd_be_ctx, err, sizeof(err)) < 0)
		fuzz_fail("cannot open the sim backend", err);
}

static void
fuzz_start(struct squeezerd *bd)
{
	memset(bd, 0, sizeof(*bd));
	conf_defaults(&bd->bd_conf);
	bd->bd_host_file = fuzz_hostf;
	bd->bd_base = fuzz_base;
	(void)unlink(fuzz_state);
	fuzz_open(bd);
	if (daemon_open(bd) < 0)
		abort();
	(void)model_boot_free_kib(bd->bd_model);
}

/* The client hangs up: its pending requests are cancelled. */
static void
fuzz_hangup(struct rpc_peer *p)
{
	struct rpc_req	*req;

	while ((req = TAILQ_FIRST(&p->reqs)) != NULL) {
		rpc_peer_detach(req);
		req->peer = NULL;
		if (req->cancel != NULL)
			req->cancel(req, req->cancel_arg);
		rpc_req_free(req);
	}
	if (p->npending != 0)
		fuzz_fail("requests left pending", "");
}

/* src/squeezerd.c's stop(), and the state file must load again. */
static void
fuzz_stop(struct squeezerd *bd)
{
	struct bal_op	*bop;

	for (bop = bal_first(bd->bd_bal); bop != NULL; bop = bal_next(bop))
		if (bal_op_arg(bop) != NULL)
			fuzz_fail("an operation still queued for a request "
			    "that is gone", "");
	daemon_close(bd);	/* only periodic balances were left */
	if (bd->bd_be->sync(bd->bd_be_ctx) < 0)
		fuzz_fail("cannot save the sim state", "");
	bd->bd_be->close(bd->bd_be_ctx);
	bd->bd_be_ctx = NULL;
	fuzz_open(bd);		/* kill -9 and restart: it is all there */
	bd->bd_be->close(bd->bd_be_ctx);
}

/* "#p", "#c", "#e": fire an armed timer now, as the loop would later. */
static void
fuzz_timer(struct squeezerd *bd, char what)
{
	struct event	*ev;

	switch (what) {
	case 'p':
		ev = bal_poll_event(bd->bd_bal);
		break;
	case 'c':
		ev = bd->bd_ev_check;
		break;
	case 'e':
		ev = bd->bd_ev_expire;
		break;
	default:
		return;
	}
	if (fuzz_verbose)
		fprintf(stderr, "-- #%c: %s\n", what,
		    evtimer_pending(ev, NULL) ? "fired" : "not armed");
	if (!evtimer_pending(ev, NULL))
		return;
	evtimer_del(ev);
	event_get_callback(ev)(-1, EV_TIMEOUT, event_get_callback_arg(ev));
}

/* One line as rpc_server.c's rpc_peer_lines() hands it over. */
static void
fuzz_line(struct squeezerd *bd, struct rpc_peer *p, const char *data,
    size_t len)
{
	char	*line;

	if (len >= 2 && data[0] == '#') {
		fuzz_timer(bd, data[1]);
		return;
	}
	if (len > 0 && data[len - 1] == '\r')
		len--;		/* the limit counts the line without "\r\n" */
	if (len > RPC_MAX_LINE) {
		rpc_reply_framing(p, RPC_E_INVALID_REQUEST,
		    "request line longer than 65536 bytes");
		return;
	}
	if ((line = malloc(len + 1)) == NULL)
		abort();
	memcpy(line, data, len);
	line[len] = '\0';
	if (fuzz_verbose)
		fprintf(stderr, "-> %.*s\n", (int)len, line);
	if (len > 0 && strspn(line, " \t") != len)
		rpc_dispatch(bd, p, line, len);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct squeezerd	 bd;
	struct rpc_peer		 peer;
	const char		*s = (const char *)data, *nl;
	size_t			 len;

	if (size > FUZZ_MAX_INPUT)
		return -1;
	fuzz_start(&bd);
	memset(&peer, 0, sizeof(peer));
	peer.ops = &fuzz_peer_ops;
	TAILQ_INIT(&peer.reqs);
	peer.writer = true;
	while (size > 0) {
		nl = memchr(s, '\n', size);
		len = nl != NULL ? (size_t)(nl - s) : size;
		fuzz_line(&bd, &peer, s, len);
		if (nl == NULL)
			break;	/* no newline: sent all the same */
		size -= len + 1;
		s += len + 1;
	}
	fuzz_hangup(&peer);
	fuzz_stop(&bd);
	return 0;
}
