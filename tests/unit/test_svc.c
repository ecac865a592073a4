/*
 * Unit tests of the services both RPC dialects share (src/svc.c,
 * svc_resv.c, svc_mig.c): what they do and how they fail, on a real daemon
 * state (daemon.c, the model, the balancer, the engine) over the simulated
 * backend, without sockets.  The RPC side is replaced by the stubs below:
 * a request records its error or its result, and the test plays a client
 * going away by calling its cancel callback.  Operations run on the real
 * event loop and the real clock, so every wait is for a condition, with a
 * generous bound.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "../fake/log_capture.h"
#include "backend.h"
#include "backend_sim.h"
#include "balancer.h"
#include "conf.h"
#include "model.h"
#include "resv.h"
#include "rpc.h"
#include "squeezerd.h"
#include "svc.h"

#define GIB		1048576		/* KiB */
#define WAIT_MS		30000		/* for anything on the real clock */

/* dom0 fixed; 1 and 2 balloon fast; 3 is stuck; 1 GiB free. */
static const char host_json[] =
    "{ \"config\": { \"host-reserve-kib\": 73728, \"stuck-after\": \"500ms\","
    " \"granularity-kib\": 2048 },\n"
    "  \"host\": { \"free-kib\": 1048576 },\n"
    "  \"domains\": [\n"
    "    { \"domid\": 0, \"dynamic-min-kib\": 2097152, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"can-balloon\": false,"
    " \"balloon\": { \"model\": \"none\" } },\n"
    "    { \"domid\": 1, \"dynamic-min-kib\": 1048576, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"balloon\": { \"model\":"
    " \"normal\", \"rate-kib-s\": 1048576 } },\n"
    "    { \"domid\": 2, \"dynamic-min-kib\": 1048576, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"balloon\": { \"model\":"
    " \"normal\", \"rate-kib-s\": 1048576 } },\n"
    "    { \"domid\": 3, \"dynamic-min-kib\": 1048576, \"dynamic-max-kib\":"
    " 2097152, \"target-kib\": 2097152, \"balloon\": { \"model\":"
    " \"stuck\" } } ] }\n";

/* ---- the RPC side, as src/rpc_dispatch.c provides it -------------------- */

struct rpc_req {
	bool			 finished, failed;
	struct json_object	*result;
	struct rpc_err		 err;
	void			(*cancel)(struct rpc_req *, void *);
	void			*cancel_arg;
};

int
rpc_fail(struct rpc_req *req, enum rpc_errkind kind, const char *fmt, ...)
{
	va_list	ap;

	req->err.kind = kind;
	va_start(ap, fmt);
	(void)vsnprintf(req->err.detail, sizeof(req->err.detail), fmt, ap);
	va_end(ap);
	return RPC_FAILED;
}

int
rpc_fail_param(struct rpc_req *req, const char *param, const char *fmt, ...)
{
	va_list	ap;

	req->err.kind = RPC_E_PARAMS;
	(void)snprintf(req->err.param, sizeof(req->err.param), "%s", param);
	va_start(ap, fmt);
	(void)vsnprintf(req->err.detail, sizeof(req->err.detail), fmt, ap);
	va_end(ap);
	return RPC_FAILED;
}

struct rpc_err *
rpc_req_err(struct rpc_req *req)
{
	return &req->err;
}

void
rpc_req_done(struct rpc_req *req, struct json_object *result)
{
	if (req->finished)
		fail_msg("a request answered twice");
	req->finished = true;
	req->result = result;
}

void
rpc_req_failed(struct rpc_req *req)
{
	if (req->finished)
		fail_msg("a request answered twice");
	req->finished = req->failed = true;
}

void
rpc_req_on_cancel(struct rpc_req *req, void (*fn)(struct rpc_req *, void *),
    void *arg)
{
	req->cancel = fn;
	req->cancel_arg = arg;
}

static struct rpc_req *
req_new(void)
{
	struct rpc_req	*req = calloc(1, sizeof(*req));

	assert_non_null(req);
	return req;
}

static void
req_free(struct rpc_req *req)
{
	json_object_put(req->result);
	free(req);
}

/* ---- result formatters: they keep what they were given ------------------ */

static struct svc_reserved	made;
static struct op_result		balanced;
static struct svc_prepared	prepared;

static struct json_object *
fmt_reserved(const struct svc_reserved *r)
{
	made = *r;
	return json_object_new_string(r->r.id);
}

static struct json_object *
fmt_balanced(const struct op_result *r)
{
	balanced = *r;
	return json_object_new_string(op_outcome_name(r->outcome));
}

static struct json_object *
fmt_prepared(const struct svc_prepared *p)
{
	prepared = *p;
	return json_object_new_int64(p->target_kib);
}

/* ---- the daemon --------------------------------------------------------- */

struct fixture {
	char			dir[64], host[96], state[128], tmp[160];
	struct squeezerd	bd;
	struct event		*guard;
};

static void
guard_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

static int
setup(void **state)
{
	struct fixture		*f = calloc(1, sizeof(*f));
	struct squeezerd	*bd;
	struct backend_args	 a;
	char			 err[512] = "";
	FILE			*fp;

	assert_non_null(f);
	bd = &f->bd;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_svc.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->host, sizeof(f->host), "%s/host.json", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s.tmp", f->state);
	assert_non_null(fp = fopen(f->host, "w"));
	fputs(host_json, fp);
	fclose(fp);
	conf_defaults(&bd->bd_conf);
	bd->bd_host_file = f->host;
	assert_non_null(bd->bd_base = event_base_new());
	assert_non_null(f->guard = evtimer_new(bd->bd_base, guard_cb, NULL));
	bd->bd_be = &backend_sim_ops;
	a = (struct backend_args){ .host_file = f->host,
	    .state_file = f->state, .conf = &bd->bd_conf,
	    .now_ms = daemon_now_ms() };
	if (bd->bd_be->open(&a, &bd->bd_be_ctx, err, sizeof(err)) < 0)
		fail_msg("cannot open the sim backend: %s", err);
	assert_int_equal(bd->bd_conf.stuck_after_ms, 500);
	assert_int_equal(daemon_open(bd), 0);
	memset(&made, 0, sizeof(made));
	memset(&balanced, 0, sizeof(balanced));
	memset(&prepared, 0, sizeof(prepared));
	log_capture_reset();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	struct bal_op	*bop;

	for (bop = bal_first(f->bd.bd_bal); bop != NULL; bop = bal_next(bop))
		if (bal_op_arg(bop) != NULL)
			fail_msg("an operation left queued for a request");
	daemon_close(&f->bd);
	f->bd.bd_be->close(f->bd.bd_be_ctx);
	event_free(f->guard);
	event_base_free(f->bd.bd_base);
	(void)unlink(f->tmp);
	(void)unlink(f->state);
	(void)unlink(f->host);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* Run the loop until req is answered, at most WAIT_MS of real time. */
static void
wait_req(struct fixture *f, struct rpc_req *req)
{
	struct timeval	tv = { 0, 50000 };
	uint64_t	t0 = daemon_now_ms();

	while (!req->finished) {
		if (daemon_now_ms() - t0 > WAIT_MS)
			fail_msg("no answer after %u ms (%zu queued)", WAIT_MS,
			    bal_pending(f->bd.bd_bal));
		evtimer_add(f->guard, &tv);
		assert_true(event_base_loop(f->bd.bd_base, EVLOOP_ONCE) >= 0);
	}
}

/* Run the loop until op is running, at most WAIT_MS of real time. */
static void
wait_running(struct fixture *f, const char *id)
{
	struct timeval		 tv = { 0, 20000 };
	struct op_progress	 p = { .running = false };
	struct bal_op		*bop;
	uint64_t		 t0 = daemon_now_ms();

	while (!p.running) {
		if (daemon_now_ms() - t0 > WAIT_MS)
			fail_msg("%s not running after %u ms", id, WAIT_MS);
		evtimer_add(f->guard, &tv);
		assert_true(event_base_loop(f->bd.bd_base, EVLOOP_ONCE) >= 0);
		assert_non_null(bop = bal_find(f->bd.bd_bal, id));
		bal_op_progress(bop, &p);
	}
}

/* How many queued operations belong to a request (not periodic balances). */
static size_t
nqueued(const struct fixture *f)
{
	struct bal_op	*bop;
	size_t		 n = 0;

	for (bop = bal_first(f->bd.bd_bal); bop != NULL; bop = bal_next(bop))
		if (bal_op_arg(bop) != NULL)
			n++;
	return n;
}

/* A reserve of kib as session/id; its svc return. */
static int
reserve(struct fixture *f, struct rpc_req *req, const char *session,
    const char *id, int64_t kib)
{
	struct svc_reserve_args	a = { .session = session, .id = id,
				    .kind = OP_RESERVE, .kib = kib,
				    .node = -1 };

	return svc_resv_reserve(&f->bd, req, &a, fmt_reserved);
}

/* A reservation made and answered. */
static void
make(struct fixture *f, const char *session, const char *id, int64_t kib)
{
	struct rpc_req	*req = req_new();

	assert_int_equal(reserve(f, req, session, id, kib), RPC_PENDING);
	wait_req(f, req);
	if (req->failed)
		fail_msg("reserve %s: %s", id, req->err.detail);
	req_free(req);
}

/* A synchronous failure of the given kind (and parameter). */
static void
failed(struct rpc_req *req, int rc, enum rpc_errkind kind, const char *param)
{
	if (rc != RPC_FAILED || req->err.kind != kind)
		fail_msg("returned %d, error %d (%s), want %d", rc,
		    req->err.kind, req->err.detail, kind);
	if (param != NULL)
		assert_string_equal(req->err.param, param);
	assert_false(req->finished);
}

/* The store's memory/target of domid. */
static int64_t
store_target(struct fixture *f, int32_t domid)
{
	char	path[64], *v;
	int64_t	kib;

	snprintf(path, sizeof(path), "/local/domain/%d/memory/target", domid);
	assert_int_equal(f->bd.bd_be->read(f->bd.bd_be_ctx, path, &v), 0);
	assert_int_equal(conf_parse_int(v, HOST_MAX_KIB, &kib), 0);
	free(v);
	return kib;
}

/* ---- names and errors --------------------------------------------------- */

static void
test_check_name(void **state)
{
	struct rpc_req	*req = req_new();

	(void)state;
	assert_int_equal(svc_check_name(req, "id", "a-b_c@d"), 0);
	failed(req, svc_check_name(req, "id", "my.id"), RPC_E_PARAMS, "id");
	assert_non_null(strstr(req->err.detail, "id must be"));
	failed(req, svc_check_name(req, "session", ""), RPC_E_PARAMS,
	    "session");
	req_free(req);
}

/* An operation's end as the request's error, each outcome its kind. */
static void
test_op_error(void **state)
{
	static const struct {
		enum op_outcome	 outcome;
		int		 error;
		enum rpc_errkind want;
		const char	*detail;
	} cases[] = {
		{ OP_CANNOT_FREE, 0, RPC_E_CANNOT_FREE, "KiB needed" },
		{ OP_REFUSED, 0, RPC_E_REFUSED, "did not give" },
		{ OP_DEADLINE, 0, RPC_E_DEADLINE, "deadline passed" },
		{ OP_ERROR, -ECANCELED, RPC_E_CANCELLED, "cancelled" },
		{ OP_ERROR, -EIO, RPC_E_INTERNAL, "Input/output error" },
	};
	int32_t			ids[RPC_MAX_DOMIDS + 6];
	struct op_result	r;
	struct rpc_req		*req;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ids[i] = (int32_t)i + 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req = req_new();
		memset(&r, 0, sizeof(r));
		r.outcome = cases[i].outcome;
		r.error = cases[i].error;
		r.needed_kib = 300000;
		r.free_kib = 1000;
		r.freed_kib = 2000;
		r.domids = ids;
		r.ndomids = sizeof(ids) / sizeof(ids[0]);
		svc_op_error(req, &r);
		if (req->err.kind != cases[i].want ||
		    strstr(req->err.detail, cases[i].detail) == NULL)
			fail_msg("%s: error %d \"%s\"",
			    op_outcome_name(cases[i].outcome), req->err.kind,
			    req->err.detail);
		assert_int_equal(req->err.needed_kib, 300000);
		assert_int_equal(req->err.free_kib, 1000);
		assert_int_equal(req->err.freed_kib, 2000);
		assert_int_equal(req->err.ndomids, RPC_MAX_DOMIDS);
		assert_int_equal(req->err.domids[RPC_MAX_DOMIDS - 1],
		    RPC_MAX_DOMIDS);
		req_free(req);
	}
}

/* ---- reserve ------------------------------------------------------------ */

/* Bad arguments fail at once and queue nothing. */
static void
test_reserve_bad(void **state)
{
	struct fixture		*f = *state;
	struct svc_reserve_args	 a = { .session = "s", .id = "n1",
				    .kind = OP_RESERVE, .kib = 4096,
				    .node = 5 };
	struct rpc_req		*req = req_new();

	failed(req, reserve(f, req, "a.b", "r1", 4096), RPC_E_PARAMS,
	    "session");
	failed(req, reserve(f, req, "s", "my.id", 4096), RPC_E_PARAMS, "id");
	failed(req, reserve(f, req, "s", "", 4096), RPC_E_PARAMS, "id");
	failed(req, svc_resv_reserve(&f->bd, req, &a, fmt_reserved),
	    RPC_E_PARAMS, "node");
	assert_int_equal(nqueued(f), 0);
	assert_null(req->cancel);
	req_free(req);
}

/* An id in use, made or pending, in any session, is refused. */
static void
test_reserve_duplicate(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*req = req_new(), *p = req_new();

	make(f, "s", "r1", 4096);
	failed(req, reserve(f, req, "s", "r1", 4096), RPC_E_PARAMS, "id");
	assert_non_null(strstr(req->err.detail, "exists"));
	failed(req, reserve(f, req, "other", "r1", 4096), RPC_E_PARAMS, "id");
	assert_int_equal(reserve(f, p, "s", "p1", 4096), RPC_PENDING);
	failed(req, reserve(f, req, "t", "p1", 4096), RPC_E_PARAMS, "id");
	assert_int_equal(nqueued(f), 1);
	wait_req(f, p);
	assert_false(p->failed);
	req_free(p);
	req_free(req);
}

/* Made: in whole granules, recorded, with its ttl; a fresh UUID if no id. */
static void
test_reserve_made(void **state)
{
	struct fixture		*f = *state;
	struct svc_reserve_args	 a = { .session = "s", .kind = OP_RESERVE,
				    .kib = 1000, .ttl_ms = 60000,
				    .node = -1 };
	struct rpc_req		*req = req_new();
	const struct resv	*r;
	uint64_t		 t0 = daemon_now_ms();

	assert_int_equal(svc_resv_reserve(&f->bd, req, &a, fmt_reserved),
	    RPC_PENDING);
	assert_non_null(req->cancel);
	wait_req(f, req);
	assert_false(req->failed);
	assert_int_equal(strlen(made.r.id), 36);
	assert_true(resv_name_ok(made.r.id));
	assert_string_equal(json_object_get_string(req->result), made.r.id);
	assert_string_equal(made.r.session, "s");
	assert_int_equal(made.r.kib, 2048);
	assert_int_equal(made.r.domid, -1);
	assert_int_equal(made.node, -1);
	assert_true(made.r.expires_ms >= t0 + 60000 &&
	    made.r.expires_ms <= daemon_now_ms() + 60000);
	assert_non_null(r = model_resv_find(f->bd.bd_model, "s", made.r.id));
	assert_int_equal(r->kib, 2048);
	assert_int_equal(f->bd.bd_metrics.reserve_count, 1);
	req_free(req);
}

/* More than the host can ever give: cannot_free, nothing recorded. */
static void
test_reserve_cannot_free(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*req = req_new();
	size_t		 n;

	assert_int_equal(reserve(f, req, "s", "big", 100 * GIB), RPC_PENDING);
	wait_req(f, req);
	assert_true(req->failed);
	assert_int_equal(req->err.kind, RPC_E_CANNOT_FREE);
	assert_int_equal(req->err.needed_kib, 100 * GIB);
	assert_null(model_resv_find(f->bd.bd_model, NULL, "big"));
	(void)model_resv(f->bd.bd_model, &n);
	assert_int_equal(n, 0);
	assert_int_equal(f->bd.bd_metrics.reserve_count, 1);
	req_free(req);
}

/*
 * reservation.cancel: a pending reserve ends, cancelled, its targets put
 * back; an unknown one is an error.
 */
static void
test_cancel(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*req = req_new(), *p = req_new();

	failed(req, svc_resv_cancel(&f->bd, req, "a/b"), RPC_E_PARAMS, "id");
	failed(req, svc_resv_cancel(&f->bd, req, "nope"), RPC_E_UNKNOWN_RESV,
	    NULL);
	assert_string_equal(req->err.id, "nope");
	/* 1.5 GiB: domains 1 and 2 must give (3 is stuck) */
	assert_int_equal(reserve(f, p, "s", "c1", 1536 * 1024), RPC_PENDING);
	wait_running(f, "c1");
	assert_true(store_target(f, 1) < 2 * GIB);
	assert_non_null(svc_resv_pending_session(&f->bd, "c1"));
	assert_int_equal(svc_resv_cancel(&f->bd, req, "c1"), 0);
	assert_true(p->finished && p->failed);
	assert_int_equal(p->err.kind, RPC_E_CANCELLED);
	assert_int_equal(nqueued(f), 0);
	assert_null(svc_resv_pending_session(&f->bd, "c1"));
	assert_null(model_resv_find(f->bd.bd_model, NULL, "c1"));
	assert_int_equal(store_target(f, 1), 2 * GIB);
	assert_int_equal(store_target(f, 2), 2 * GIB);
	assert_int_equal(f->bd.bd_metrics.reserve_count, 0);
	req_free(p);
	req_free(req);
}

/* The client goes away: its reserve is withdrawn, and nobody answers. */
static void
test_client_gone(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*p = req_new(), *q = req_new();

	assert_int_equal(reserve(f, p, "s", "g1", 4096), RPC_PENDING);
	assert_int_equal(reserve(f, q, "s", "g2", 1536 * 1024), RPC_PENDING);
	assert_int_equal(nqueued(f), 2);
	p->cancel(p, p->cancel_arg);		/* queued */
	assert_int_equal(nqueued(f), 1);
	wait_running(f, "g2");
	q->cancel(q, q->cancel_arg);		/* running */
	assert_int_equal(nqueued(f), 0);
	assert_false(p->finished);
	assert_false(q->finished);
	assert_int_equal(store_target(f, 1), 2 * GIB);
	assert_null(model_resv_find(f->bd.bd_model, NULL, "g2"));
	req_free(p);
	req_free(q);
}

/* reservation.pending's view of the queue. */
static void
test_queue(void **state)
{
	struct fixture		*f = *state;
	struct svc_reserve_args	 a = { .session = "t", .id = "q2",
				    .kind = OP_RESERVE, .kib = 4096,
				    .deadline_ms = 60000, .node = -1 };
	struct rpc_req		*p = req_new(), *q = req_new();
	struct svc_queued	*v;
	size_t			 n, i;

	assert_int_equal(reserve(f, p, "s", "q1", 4096), RPC_PENDING);
	assert_int_equal(svc_resv_reserve(&f->bd, q, &a, fmt_reserved),
	    RPC_PENDING);
	assert_int_equal(svc_queue(&f->bd, &v, &n), 0);
	for (i = 0; i < n && strcmp(v[i].id, "q1") != 0; i++)
		;
	assert_true(i + 1 < n);
	assert_string_equal(v[i].what, "reserve");
	assert_string_equal(v[i].session, "s");
	assert_int_equal(v[i].deadline_in_ms, -1);
	assert_false(v[i].progress.running);
	assert_string_equal(v[i + 1].id, "q2");
	assert_string_equal(v[i + 1].session, "t");
	assert_true(v[i + 1].deadline_in_ms > 0 &&
	    v[i + 1].deadline_in_ms <= 60000);
	free(v);
	wait_req(f, p);
	wait_req(f, q);
	req_free(p);
	req_free(q);
}

/* ---- transfer, delete, login, query ------------------------------------- */

/* A transfer goes to a domain that exists and has not booted. */
static void
test_transfer(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*req = req_new();
	struct resv	 r;
	char		 id[RESV_NAME_MAX + 1];
	int32_t		 domid;

	make(f, "s", "r", 65536);
	assert_int_equal(backend_sim_create(f->bd.bd_be_ctx, 7, &domid), 0);
	failed(req, svc_resv_transfer(&f->bd, req, "s", "nope", 7, &r),
	    RPC_E_UNKNOWN_RESV, NULL);
	assert_string_equal(req->err.id, "nope");
	failed(req, svc_resv_transfer(&f->bd, req, "t", "r", 7, &r),
	    RPC_E_UNKNOWN_RESV, NULL);		/* another session's */
	failed(req, svc_resv_transfer(&f->bd, req, "s", "r", 99, &r),
	    RPC_E_UNKNOWN_DOMAIN, NULL);
	assert_int_equal(req->err.domid, 99);
	failed(req, svc_resv_transfer(&f->bd, req, "s", "r", -5, &r),
	    RPC_E_UNKNOWN_DOMAIN, NULL);
	failed(req, svc_resv_transfer(&f->bd, req, "s", "r", 1, &r),
	    RPC_E_PARAMS, "domid");		/* booted */
	assert_non_null(strstr(req->err.detail, "booted"));
	failed(req, svc_resv_transfer(&f->bd, req, "s.x", "r", 7, &r),
	    RPC_E_PARAMS, "session");
	assert_null(model_resv_of_domain(f->bd.bd_model, 7));

	assert_int_equal(svc_resv_transfer(&f->bd, req, "s", "r", 7, &r), 0);
	assert_int_equal(r.domid, 7);
	assert_int_equal(r.kib, 65536);
	assert_non_null(model_resv_of_domain(f->bd.bd_model, 7));
	assert_int_equal(svc_resv_query(&f->bd, req, 7, id), 0);
	assert_string_equal(id, "r");
	/* a session-less transfer finds it by id */
	assert_int_equal(svc_resv_transfer(&f->bd, req, NULL, "r", 7, &r), 0);
	failed(req, svc_resv_query(&f->bd, req, 1, id), RPC_E_NO_RESV, NULL);
	assert_int_equal(req->err.domid, 1);
	failed(req, svc_resv_query(&f->bd, req, -1, id), RPC_E_NO_RESV, NULL);
	req_free(req);
}

/* delete: squeezed's "deleting nothing succeeds", unless it must exist. */
static void
test_delete(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*req = req_new();
	struct resv	 r;

	make(f, "s", "d1", 4096);
	failed(req, svc_resv_delete(&f->bd, req, "s", "nope", true, &r),
	    RPC_E_UNKNOWN_RESV, NULL);
	memset(&r, 'x', sizeof(r));
	assert_int_equal(svc_resv_delete(&f->bd, req, "s", "nope", false, &r),
	    0);
	assert_string_equal(r.id, "");
	failed(req, svc_resv_delete(&f->bd, req, "s", "a:b", false, &r),
	    RPC_E_PARAMS, "id");		/* a bad name is not nothing */
	assert_int_equal(svc_resv_delete(&f->bd, req, "s", "d1", true, &r),
	    0);
	assert_string_equal(r.id, "d1");
	assert_int_equal(r.kib, 4096);
	assert_null(model_resv_find(f->bd.bd_model, NULL, "d1"));
	failed(req, svc_resv_delete(&f->bd, req, "s", "d1", true, &r),
	    RPC_E_UNKNOWN_RESV, NULL);
	req_free(req);
}

/* login: the session's reservations go, no other's. */
static void
test_login(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*req = req_new();
	size_t		 n = 99;

	make(f, "s", "l1", 4096);
	make(f, "s", "l2", 4096);
	make(f, "t", "l3", 4096);
	failed(req, svc_resv_login(&f->bd, req, "s/x", &n), RPC_E_PARAMS,
	    "session");
	assert_int_equal(n, 99);
	assert_int_equal(svc_resv_login(&f->bd, req, "s", &n), 0);
	assert_int_equal(n, 2);
	assert_null(model_resv_find(f->bd.bd_model, NULL, "l1"));
	assert_null(model_resv_find(f->bd.bd_model, NULL, "l2"));
	assert_non_null(model_resv_find(f->bd.bd_model, "t", "l3"));
	assert_int_equal(svc_resv_login(&f->bd, req, "s", &n), 0);
	assert_int_equal(n, 0);
	req_free(req);
}

/* ---- balance and migration ---------------------------------------------- */

static void
test_balance(void **state)
{
	struct fixture	*f = *state;
	struct rpc_req	*req = req_new();

	assert_int_equal(svc_balance(&f->bd, req, fmt_balanced), RPC_PENDING);
	assert_int_equal(nqueued(f), 1);
	wait_req(f, req);
	assert_false(req->failed);
	assert_int_equal(balanced.outcome, OP_SUCCESS);
	assert_string_equal(json_object_get_string(req->result), "success");
	req_free(req);
}

/*
 * migration.prepare: an unknown domain at once; a max-kib below the
 * domain's dynamic-min when its turn comes; down to its pin; stuck:
 * refused and unpinned.  migration end: only for a migrating domain.
 */
static void
test_migration(void **state)
{
	struct fixture		*f = *state;
	struct rpc_req		*req = req_new();
	const struct resv_pin	*pin;

	failed(req, svc_mig_prepare(&f->bd, req, 99, GIB, 0, fmt_prepared),
	    RPC_E_UNKNOWN_DOMAIN, NULL);
	assert_int_equal(req->err.domid, 99);
	failed(req, svc_mig_end(&f->bd, req, 1, false), RPC_E_UNKNOWN_DOMAIN,
	    NULL);
	req_free(req);

	req = req_new();
	assert_int_equal(svc_mig_prepare(&f->bd, req, 1, GIB / 2, 0,
	    fmt_prepared), RPC_PENDING);
	wait_req(f, req);
	assert_true(req->failed);
	assert_int_equal(req->err.kind, RPC_E_PARAMS);
	assert_string_equal(req->err.param, "max-kib");
	assert_null(model_pin_find(f->bd.bd_model, 1));
	req_free(req);

	req = req_new();
	assert_int_equal(svc_mig_prepare(&f->bd, req, 1, 1536 * 1024, 0,
	    fmt_prepared), RPC_PENDING);
	wait_req(f, req);
	if (req->failed)
		fail_msg("prepare: %s", req->err.detail);
	assert_int_equal(prepared.domid, 1);
	assert_true(prepared.ballooned);
	assert_int_equal(prepared.target_kib, 1536 * 1024);
	assert_non_null(pin = model_pin_find(f->bd.bd_model, 1));
	assert_int_equal(pin->kib, 1536 * 1024);
	assert_true(pin->expires_ms > daemon_now_ms());	/* a lease */
	/* done: kept, without a lease, until the domain is gone */
	assert_int_equal(svc_mig_end(&f->bd, req, 1, true), 0);
	assert_non_null(pin = model_pin_find(f->bd.bd_model, 1));
	assert_int_equal(pin->expires_ms, 0);
	assert_int_equal(pin->kib, 1536 * 1024);
	assert_int_equal(svc_mig_end(&f->bd, req, 1, false), 0);
	assert_null(model_pin_find(f->bd.bd_model, 1));
	req_free(req);

	req = req_new();
	assert_int_equal(svc_mig_prepare(&f->bd, req, 3, 1536 * 1024, 0,
	    fmt_prepared), RPC_PENDING);
	wait_req(f, req);
	assert_true(req->failed);
	assert_int_equal(req->err.kind, RPC_E_REFUSED);
	assert_int_equal(req->err.ndomids, 1);
	assert_int_equal(req->err.domids[0], 3);
	assert_null(model_pin_find(f->bd.bd_model, 3));
	req_free(req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_name),
		cmocka_unit_test(test_op_error),
		cmocka_unit_test_setup_teardown(test_reserve_bad, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reserve_duplicate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reserve_made, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reserve_cannot_free,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_gone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balance, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("svc", tests, NULL, NULL);
}
