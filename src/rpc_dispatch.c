/*
 * rpc_dispatch.c: one request line, from text to reply.  In order: parse
 * (bounded depth, valid UTF-8), tell the dialect, check the envelope, find
 * the method, check its backend, bound the pending requests, run it, and
 * render the result or the error in the request's dialect.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "backend.h"
#include "json_strict.h"
#include "log.h"
#include "rpc_int.h"
#include "squeezerd.h"

extern const struct rpc_method rpc_host_status_method;
extern const struct rpc_method rpc_domain_list_method;
extern const struct rpc_method rpc_domain_set_range_method;
extern const struct rpc_method rpc_reserve_method;
extern const struct rpc_method rpc_reservation_transfer_method;
extern const struct rpc_method rpc_reservation_cancel_method;
extern const struct rpc_method rpc_reservation_delete_method;
extern const struct rpc_method rpc_reservation_pending_method;
extern const struct rpc_method rpc_reservation_list_method;
extern const struct rpc_method rpc_reservation_query_method;
extern const struct rpc_method rpc_balance_method;
extern const struct rpc_method rpc_plan_method;
extern const struct rpc_method rpc_login_method;
extern const struct rpc_method rpc_migration_end_method;
extern const struct rpc_method rpc_migration_prepare_method;
extern const struct rpc_method rpc_migration_reserve_method;
extern const struct rpc_method rpc_config_get_method;
extern const struct rpc_method rpc_metrics_method;
extern const struct rpc_method rpc_policy_set_method;
extern const struct rpc_method rpc_sim_domain_create_method;
extern const struct rpc_method rpc_sim_domain_build_method;
extern const struct rpc_method rpc_sim_domain_destroy_method;
extern const struct rpc_method rpc_sim_xs_read_method;
extern const struct rpc_method rpc_sim_xs_write_method;
extern const struct rpc_method rpc_sim_xs_rm_method;
extern const struct rpc_method *const rpc_squeezed_methods[];

static const struct rpc_method *const rpc_native_methods[] = {
	&rpc_balance_method,
	&rpc_config_get_method,
	&rpc_domain_list_method,
	&rpc_domain_set_range_method,
	&rpc_host_status_method,
	&rpc_login_method,
	&rpc_metrics_method,
	&rpc_migration_end_method,
	&rpc_migration_prepare_method,
	&rpc_migration_reserve_method,
	&rpc_plan_method,
	&rpc_policy_set_method,
	&rpc_reservation_cancel_method,
	&rpc_reservation_delete_method,
	&rpc_reservation_list_method,
	&rpc_reservation_pending_method,
	&rpc_reservation_query_method,
	&rpc_reservation_transfer_method,
	&rpc_reserve_method,
	&rpc_sim_domain_build_method,
	&rpc_sim_domain_create_method,
	&rpc_sim_domain_destroy_method,
	&rpc_sim_xs_read_method,
	&rpc_sim_xs_rm_method,
	&rpc_sim_xs_write_method,
	NULL,
};

/* Native error codes and message words, by kind. */
static const struct {
	int		 code;
	const char	*word;
} rpc_native_errors[] = {
	[RPC_E_PARSE]		= { -32700, "parse_error" },
	[RPC_E_INVALID_REQUEST]	= { -32600, "invalid_request" },
	[RPC_E_NO_METHOD]	= { -32601, "method_not_found" },
	[RPC_E_PARAMS]		= { -32602, "invalid_params" },
	[RPC_E_INTERNAL]	= { -32603, "internal_error" },
	[RPC_E_CANNOT_FREE]	= { -32001, "cannot_free" },
	[RPC_E_REFUSED]		= { -32002, "refused" },
	[RPC_E_UNKNOWN_RESV]	= { -32003, "unknown_reservation" },
	[RPC_E_NO_RESV]		= { -32004, "no_reservation" },
	[RPC_E_UNKNOWN_DOMAIN]	= { -32005, "unknown_domain" },
	[RPC_E_DEADLINE]	= { -32006, "deadline_exceeded" },
	[RPC_E_CANCELLED]	= { -32007, "cancelled" },
	[RPC_E_BUSY]		= { -32008, "busy" },
	[RPC_E_NOT_SUPPORTED]	= { -32009, "not_supported" },
	[RPC_E_INVALID_MEMORY]	= { -32602, "invalid_params" },
	[RPC_E_DENIED]		= { -32010, "permission_denied" },
};

void
rpc_req_free(struct rpc_req *req)
{
	if (req == NULL)
		return;
	json_object_put(req->id);
	free(req);
}

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
	(void)snprintf(req->err.param, sizeof(req->err.param), "%.63s", param);
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

static struct json_object *
rpc_domids(const struct rpc_err *e)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	for (i = 0; i < e->ndomids; i++)
		json_object_array_add(a, json_object_new_int(e->domids[i]));
	return a;
}

/* The data member of a native error. */
static struct json_object *
rpc_native_data(const struct rpc_err *e)
{
	struct json_object	*d = json_object_new_object();

	json_object_object_add(d, "detail", json_object_new_string(e->detail));
	switch (e->kind) {
	case RPC_E_PARAMS:
	case RPC_E_INVALID_MEMORY:
		if (e->param[0] != '\0')
			json_object_object_add(d, "param",
			    json_object_new_string(e->param));
		break;
	case RPC_E_INVALID_REQUEST:
	case RPC_E_BUSY:
		if (e->value != 0)
			json_object_object_add(d, "limit",
			    json_object_new_int64(e->value));
		break;
	case RPC_E_DEADLINE:
		json_object_object_add(d, "freed-kib",
		    json_object_new_int64(e->freed_kib));
		json_object_object_add(d, "stalled", rpc_domids(e));
		/* FALLTHROUGH */
	case RPC_E_CANNOT_FREE:
		json_object_object_add(d, "needed-kib",
		    json_object_new_int64(e->needed_kib));
		json_object_object_add(d, "free-kib",
		    json_object_new_int64(e->free_kib));
		break;
	case RPC_E_REFUSED:
		json_object_object_add(d, "domids", rpc_domids(e));
		break;
	case RPC_E_UNKNOWN_RESV:
		json_object_object_add(d, "id", json_object_new_string(e->id));
		break;
	case RPC_E_NO_METHOD:
		json_object_object_add(d, "method",
		    json_object_new_string(e->id));
		break;
	case RPC_E_NO_RESV:
	case RPC_E_UNKNOWN_DOMAIN:
		json_object_object_add(d, "domid",
		    json_object_new_int(e->domid));
		break;
	default:
		break;
	}
	return d;
}

/* squeezed's error variants (squeezed-reference 5.2). */
static struct json_object *
rpc_v1_error(const struct rpc_err *e)
{
	struct json_object	*v = json_object_new_array(), *a;
	char			 text[320];

	switch (e->kind) {
	case RPC_E_CANNOT_FREE:
		json_object_array_add(v, json_object_new_string(
		    "Cannot_free_this_much_memory"));
		a = json_object_new_array();
		json_object_array_add(a, json_object_new_int64(e->needed_kib));
		json_object_array_add(a, json_object_new_int64(e->free_kib));
		json_object_array_add(v, a);
		return v;
	case RPC_E_REFUSED:
		json_object_array_add(v, json_object_new_string(
		    "Domains_refused_to_cooperate"));
		json_object_array_add(v, rpc_domids(e));
		return v;
	case RPC_E_UNKNOWN_RESV:
		json_object_array_add(v, json_object_new_string(
		    "Unknown_reservation"));
		json_object_array_add(v, json_object_new_string(e->id));
		return v;
	case RPC_E_NO_RESV:
		json_object_put(v);
		return json_object_new_string("No_reservation");
	case RPC_E_INVALID_MEMORY:
		json_object_array_add(v, json_object_new_string(
		    "Invalid_memory_value"));
		json_object_array_add(v, json_object_new_int64(e->value));
		return v;
	default:
		snprintf(text, sizeof(text), "%s: %s",
		    rpc_native_errors[e->kind].word, e->detail);
		json_object_array_add(v, json_object_new_string(
		    "Internal_error"));
		json_object_array_add(v, json_object_new_string(text));
		return v;
	}
}

/* Send a reply object and release it. */
static void
rpc_send_obj(struct rpc_peer *peer, struct json_object *o)
{
	if (peer != NULL)
		rpc_peer_send(peer, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* The reply envelope of the request's dialect. */
static struct json_object *
rpc_envelope(const struct rpc_req *req, struct json_object *result,
    struct json_object *error)
{
	struct json_object	*o = json_object_new_object();

	if (req->dialect == RPC_SQUEEZED) {
		json_object_object_add(o, "result", result);
		json_object_object_add(o, "error", error);
		json_object_object_add(o, "id", json_object_new_int(0));
		return o;
	}
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", json_object_get(req->id));
	if (error != NULL)
		json_object_object_add(o, "error", error);
	else
		json_object_object_add(o, "result", result);
	return o;
}

static void
rpc_send_result(struct rpc_req *req, struct json_object *result)
{
	if (req->notify) {
		json_object_put(result);
		return;
	}
	rpc_send_obj(req->peer, rpc_envelope(req, result, NULL));
}

static void
rpc_send_error(struct rpc_req *req)
{
	const struct rpc_err	*e = &req->err;
	struct json_object	*err;

	if (req->notify)
		return;
	if (req->dialect == RPC_SQUEEZED)
		err = rpc_v1_error(e);
	else {
		err = json_object_new_object();
		json_object_object_add(err, "code",
		    json_object_new_int(rpc_native_errors[e->kind].code));
		json_object_object_add(err, "message",
		    json_object_new_string(rpc_native_errors[e->kind].word));
		json_object_object_add(err, "data", rpc_native_data(e));
	}
	rpc_send_obj(req->peer, rpc_envelope(req, NULL, err));
}

void
rpc_req_done(struct rpc_req *req, struct json_object *result)
{
	struct rpc_peer	*peer = req->peer;

	rpc_peer_detach(req);
	rpc_send_result(req, result);
	rpc_req_free(req);
	rpc_peer_reap(peer);
}

void
rpc_req_failed(struct rpc_req *req)
{
	struct rpc_peer	*peer = req->peer;

	rpc_peer_detach(req);
	rpc_send_error(req);
	rpc_req_free(req);
	rpc_peer_reap(peer);
}

void
rpc_req_on_cancel(struct rpc_req *req, void (*fn)(struct rpc_req *, void *),
    void *arg)
{
	req->cancel = fn;
	req->cancel_arg = arg;
}

void
rpc_reply_framing(struct rpc_peer *peer, enum rpc_errkind kind,
    const char *detail)
{
	struct rpc_req	req;

	memset(&req, 0, sizeof(req));
	req.peer = peer;
	req.dialect = rpc_peer_v1_only(peer) ? RPC_SQUEEZED : RPC_NATIVE;
	req.err.kind = kind;
	if (kind == RPC_E_INVALID_REQUEST && strstr(detail, "longer") != NULL)
		req.err.value = RPC_MAX_LINE;
	snprintf(req.err.detail, sizeof(req.err.detail), "%s", detail);
	rpc_send_error(&req);
}

/* Parse a whole line as one JSON value, or NULL with why. */
static struct json_object *
rpc_parse(const char *line, size_t len, const char **why)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	size_t			 end;

	if ((tok = json_tokener_new_ex(RPC_MAX_DEPTH)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	/* the NUL ends a bare number, which would otherwise wait for more */
	o = json_tokener_parse_ex(tok, line, (int)len + 1);
	if (o == NULL && json_tokener_get_error(tok) == json_tokener_success) {
		*why = NULL;		/* the JSON value null */
	} else if (o == NULL ||
	    json_tokener_get_error(tok) != json_tokener_success) {
		*why = json_tokener_get_error(tok) == json_tokener_continue ?
		    "incomplete JSON" : json_tokener_error_desc(
		    json_tokener_get_error(tok));
		json_object_put(o);
		o = NULL;
	} else {
		end = json_tokener_get_parse_end(tok);
		while (end < len && (line[end] == ' ' || line[end] == '\t' ||
		    line[end] == '\r' || line[end] == '\n'))
			end++;
		if (end < len) {
			*why = "text after the JSON value";
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tok);
	return o;
}

static const struct rpc_method *
rpc_lookup(const struct rpc_method *const *table, const char *name)
{
	size_t	i;

	for (i = 0; table[i] != NULL; i++)
		if (strcmp(table[i]->name, name) == 0)
			return table[i];
	return NULL;
}

/*
 * A numeric id is echoed as it was sent, digit for digit: json-c would
 * clamp one beyond 64 bits and write -0 as 0.
 */
static void
rpc_id_as_sent(struct rpc_req *req, const char *line,
    const struct json_strict_info *info)
{
	struct json_object	*o;
	char			*text;

	if (info->id_len == 0 || req->id == NULL ||
	    (!json_object_is_type(req->id, json_type_int) &&
	    !json_object_is_type(req->id, json_type_double)))
		return;
	if ((text = strndup(line + info->id_off, info->id_len)) == NULL)
		return;
	o = json_object_new_double_s(json_object_get_double(req->id), text);
	free(text);
	if (o != NULL) {
		json_object_put(req->id);
		req->id = o;
	}
}

/* Check the envelope; set req's dialect, id and method name. */
static int
rpc_envelope_check(struct rpc_req *req, struct json_object *o,
    const char **ret_name, struct json_object **ret_params)
{
	struct json_object	*v, *m = NULL, *p = NULL;

	(void)json_object_object_get_ex(o, "method", &m);
	(void)json_object_object_get_ex(o, "params", &p);
	if (!json_object_object_get_ex(o, "jsonrpc", &v)) {
		if (m == NULL || !json_object_is_type(m, json_type_string) ||
		    p == NULL || !json_object_is_type(p, json_type_array))
			return rpc_fail(req, RPC_E_INVALID_REQUEST, "a request "
			    "needs \"jsonrpc\": \"2.0\", or squeezed's "
			    "\"method\" with positional \"params\"");
		req->dialect = RPC_SQUEEZED;
	} else {
		if (json_object_object_get_ex(o, "id", &req->id)) {
			if (req->id != NULL && !json_object_is_type(req->id,
			    json_type_string) && !json_object_is_type(req->id,
			    json_type_int) && !json_object_is_type(req->id,
			    json_type_double)) {
				req->id = NULL;
				return rpc_fail(req, RPC_E_INVALID_REQUEST,
				    "\"id\" must be a string, a number or null");
			}
			json_object_get(req->id);
		} else
			req->notify = true;
		if (!json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), "2.0") != 0)
			return rpc_fail(req, RPC_E_INVALID_REQUEST,
			    "\"jsonrpc\" must be \"2.0\"");
		if (m == NULL || !json_object_is_type(m, json_type_string))
			return rpc_fail(req, RPC_E_INVALID_REQUEST,
			    "\"method\" must be a string");
		if (p != NULL && !json_object_is_type(p, json_type_object) &&
		    !json_object_is_type(p, json_type_null))
			return rpc_fail(req, RPC_E_PARAMS, "\"params\" must be "
			    "an object of named parameters");
	}
	*ret_name = json_object_get_string(m);
	*ret_params = p;
	return 0;
}

/* Find and check the method, then run it. */
static int
rpc_run(struct rpc_req *req, const char *name, struct json_object *params,
    struct json_object **ret_result)
{
	struct squeezerd	*bd = req->bd;

	req->method = rpc_lookup(req->dialect == RPC_SQUEEZED ?
	    rpc_squeezed_methods : rpc_native_methods, name);
	if (req->method == NULL) {
		snprintf(req->err.id, sizeof(req->err.id), "%.128s", name);
		(void)rpc_fail(req, RPC_E_NO_METHOD, "no method \"%.64s\"",
		    name);
		return RPC_FAILED;
	}
	if ((req->method->flags & RPC_SIM) &&
	    !(bd->bd_be->flags & BACKEND_TOOLSTACK))
		return rpc_fail(req, RPC_E_NOT_SUPPORTED, "%s needs "
		    "--backend=sim", req->method->name);
	if ((req->method->flags & RPC_MUTATES) && !rpc_peer_writer(req->peer))
		return rpc_fail(req, RPC_E_DENIED, "%s changes things: root or "
		    "group %s only", req->method->name,
		    bd->bd_conf.socket_group);
	if (bd->bd_stopping)
		return rpc_fail(req, RPC_E_CANCELLED, "the daemon is stopping");
	if (rpc_peer_npending(req->peer) >= RPC_MAX_PENDING) {
		req->err.value = RPC_MAX_PENDING;
		return rpc_fail(req, RPC_E_BUSY, "too many pending requests "
		    "on this connection");
	}
	return req->method->exec(bd, req, params, ret_result);
}

/*
 * The raw line, before json-c: strict UTF-8, then RFC 8259 and what json-c
 * would misread.  0, or the error has been sent.
 */
static int
rpc_check_line(struct rpc_peer *peer, const char *line, size_t len,
    struct json_strict_info *ret_info)
{
	char	why[160];

	if (!json_strict_utf8(line, len)) {
		rpc_reply_framing(peer, RPC_E_PARSE, "invalid UTF-8");
		return -EINVAL;
	}
	switch (json_strict_check(line, len, RPC_MAX_DEPTH, ret_info, why,
	    sizeof(why))) {
	case 0:
		return 0;
	case -EINVAL:
		rpc_reply_framing(peer, RPC_E_PARSE, why);
		return -EINVAL;
	case -EDOM:
		rpc_reply_framing(peer, RPC_E_INVALID_REQUEST, why);
		return -EINVAL;
	default:
		rpc_reply_framing(peer, RPC_E_INTERNAL, "out of memory");
		return -ENOMEM;
	}
}

void
rpc_dispatch(struct squeezerd *bd, struct rpc_peer *peer, const char *line,
    size_t len)
{
	struct json_object	*o, *params = NULL, *result = NULL;
	struct json_strict_info	 info;
	struct rpc_req		*req;
	const char		*why = NULL, *name = NULL;
	int			 rc;

	if (rpc_check_line(peer, line, len, &info) < 0)
		return;
	why = "";
	if ((o = rpc_parse(line, len, &why)) == NULL && why != NULL) {
		rpc_reply_framing(peer, RPC_E_PARSE, why);
		return;
	}
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		rpc_reply_framing(peer, RPC_E_INVALID_REQUEST,
		    "a request must be a JSON object");
		json_object_put(o);
		return;
	}
	if ((req = calloc(1, sizeof(*req))) == NULL) {
		rpc_reply_framing(peer, RPC_E_INTERNAL, "out of memory");
		json_object_put(o);
		return;
	}
	req->bd = bd;
	req->peer = peer;
	rc = rpc_envelope_check(req, o, &name, &params);
	rpc_id_as_sent(req, line, &info);
	if (req->dialect != RPC_SQUEEZED && rpc_peer_v1_only(peer)) {
		req->dialect = RPC_SQUEEZED;	/* the switch: v1 only */
		req->notify = false;
		if (rc == 0)
			rc = rpc_fail(req, RPC_E_INVALID_REQUEST, "squeezed v1 "
			    "calls only here (no \"jsonrpc\" member)");
	}
	if (rc == 0)
		rc = rpc_run(req, name, params, &result);
	if (rc == RPC_PENDING)
		rpc_peer_attach(peer, req);
	else {
		if (rc == 0)
			rpc_send_result(req, result);
		else
			rpc_send_error(req);
		rpc_req_free(req);
	}
	json_object_put(o);
}
