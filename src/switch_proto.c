/*
 * switch_proto.c: the message-switch's JSON (xen-api's
 * message-switch/core/protocol.ml, as rpclib writes it): a message id is
 * ["<queue>", n], a message {"payload": "...", "kind": ["Request",
 * "<reply-to>"] or ["Response", ["<queue>", n]]}, a transfer
 * {"messages": [[id, message], ...], "next": "<n>"}.  rpclib reads record
 * keys and variant tags without regard to case; so does this.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "switch_proto.h"

#define SWITCH_MAX_DEPTH	16

/* A member of o by name, the case of the name ignored. */
static struct json_object *
sp_member(struct json_object *o, const char *name)
{
	struct json_object_iterator	it, end;

	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if (strcasecmp(json_object_iter_peek_name(&it), name) == 0)
			return json_object_iter_peek_value(&it);
	return NULL;
}

/* A queue name: a string of 1 to SWITCH_MAX_NAME bytes, no NUL. */
static const char *
sp_name(struct json_object *v)
{
	size_t	n;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n > SWITCH_MAX_NAME ||
	    memchr(json_object_get_string(v), '\0', n) != NULL)
		return NULL;
	return json_object_get_string(v);
}

/* ["<queue>", n] with n >= 0. */
static bool
sp_id(struct json_object *v, const char **ret_q, int64_t *ret_n)
{
	struct json_object	*n;

	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 2 ||
	    (*ret_q = sp_name(json_object_array_get_idx(v, 0))) == NULL)
		return false;
	n = json_object_array_get_idx(v, 1);
	if (!json_object_is_type(n, json_type_int) ||
	    json_object_get_int64(n) < 0 || json_object_get_int64(n) ==
	    INT64_MAX)
		return false;
	*ret_n = json_object_get_int64(n);
	return true;
}

static char *
sp_strdup(const char *s, size_t n)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The message object: payload and kind into in (its id is already there). */
static int
sp_message(struct json_object *mo, struct switch_in *in)
{
	struct json_object	*p, *k, *tag;
	const char		*rt;

	if (!json_object_is_type(mo, json_type_object)) {
		in->why = "the message is not an object";
		return 0;
	}
	p = sp_member(mo, "payload");
	if (p == NULL || !json_object_is_type(p, json_type_string)) {
		in->why = "no payload string";
		return 0;
	}
	in->payload_len = (size_t)json_object_get_string_len(p);
	if ((in->payload = sp_strdup(json_object_get_string(p),
	    in->payload_len)) == NULL)
		return -ENOMEM;
	k = sp_member(mo, "kind");
	if (k == NULL || !json_object_is_type(k, json_type_array) ||
	    json_object_array_length(k) != 2 ||
	    !json_object_is_type(tag = json_object_array_get_idx(k, 0),
	    json_type_string)) {
		in->why = "no kind";
		return 0;
	}
	if (strcasecmp(json_object_get_string(tag), "Response") == 0) {
		in->why = "a response, not a request";
		return 0;
	}
	if (strcasecmp(json_object_get_string(tag), "Request") != 0 ||
	    (rt = sp_name(json_object_array_get_idx(k, 1))) == NULL) {
		in->why = "a kind that is not a request";
		return 0;
	}
	if ((in->reply_to = strdup(rt)) == NULL)
		return -ENOMEM;
	in->request = true;
	return 0;
}

static int
sp_cmp(const void *a, const void *b)
{
	const struct switch_in	*x = a, *y = b;
	int			 c = strcmp(x->queue, y->queue);

	if (c != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
sp_in_free(struct switch_in *in)
{
	free(in->queue);
	free(in->payload);
	free(in->reply_to);
}

/* "next": a decimal integer, -1 included (an empty first transfer). */
static bool
sp_next(struct json_object *v, int64_t *ret)
{
	const char	*s;
	char		*end;
	long long	 n;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	if (!((s[0] >= '0' && s[0] <= '9') || (s[0] == '-' && s[1] >= '0' &&
	    s[1] <= '9')))
		return false;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0 || n < -1)
		return false;
	*ret = n;
	return true;
}

/* Every readable message of the array into t (unsorted, unbounded). */
static int
sp_messages(struct json_object *a, struct switch_transfer *t)
{
	struct json_object	*e;
	struct switch_in	*in;
	const char		*q;
	size_t			 i, n = json_object_array_length(a);
	int64_t			 id;
	int			 rc;

	if ((t->msgs = calloc(n ? n : 1, sizeof(*t->msgs))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_array) ||
		    json_object_array_length(e) != 2 ||
		    !sp_id(json_object_array_get_idx(e, 0), &q, &id))
			continue;	/* no id: nothing can be done */
		in = &t->msgs[t->nmsgs++];
		in->id = id;
		if ((in->queue = strdup(q)) == NULL)
			return -ENOMEM;
		if ((rc = sp_message(json_object_array_get_idx(e, 1), in)) < 0)
			return rc;
	}
	return 0;
}

int
switch_proto_transfer(const char *body, size_t len, size_t max,
    struct switch_transfer *ret, const char **why)
{
	struct switch_transfer	 t;
	struct json_tokener	*tok;
	struct json_object	*o = NULL, *msgs;
	size_t			 i = 0;
	int			 rc = -EBADMSG;

	memset(&t, 0, sizeof(t));
	*why = "out of memory";
	if (len > SWITCH_MAX_BODY || len > INT32_MAX - 1)
		goto out_why;
	if ((tok = json_tokener_new_ex(SWITCH_MAX_DEPTH)) == NULL)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success)
		for (i = json_tokener_get_parse_end(tok); i < len; i++)
			if (strchr(" \t\r\n", body[i]) == NULL || body[i] ==
			    '\0')
				break;
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    i < len) {
		*why = json_tokener_get_error(tok) == json_tokener_success ?
		    "text after the JSON value" :
		    json_tokener_get_error(tok) == json_tokener_continue ?
		    "incomplete JSON" : json_tokener_error_desc(
		    json_tokener_get_error(tok));
		json_tokener_free(tok);
		goto out;
	}
	json_tokener_free(tok);
	*why = "not an object with \"messages\" and \"next\"";
	if (!json_object_is_type(o, json_type_object) ||
	    (msgs = sp_member(o, "messages")) == NULL ||
	    !json_object_is_type(msgs, json_type_array) ||
	    !sp_next(sp_member(o, "next"), &t.next))
		goto out;
	*why = "out of memory";
	if ((rc = sp_messages(msgs, &t)) < 0)
		goto out;
	qsort(t.msgs, t.nmsgs, sizeof(*t.msgs), sp_cmp);
	if (t.nmsgs > max) {
		for (i = max; i < t.nmsgs; i++)
			sp_in_free(&t.msgs[i]);
		t.nleft = t.nmsgs - max;
		t.nmsgs = max;
		if (max > 0)
			t.next = t.msgs[max - 1].id;
	}
	json_object_put(o);
	*ret = t;
	return 0;
out_why:
	*why = "longer than the bound";
out:
	json_object_put(o);
	switch_transfer_dispose(&t);
	return rc;
}

void
switch_transfer_dispose(struct switch_transfer *t)
{
	size_t	i;

	for (i = 0; i < t->nmsgs; i++)
		sp_in_free(&t->msgs[i]);
	free(t->msgs);
	t->msgs = NULL;
	t->nmsgs = 0;
}

int
switch_proto_transfer_body(char *buf, size_t len, bool has_from,
    int64_t from, double timeout_s, const char *queue)
{
	struct json_object	*o = json_object_new_object(), *a;
	char			 n[32];
	int			 w;

	if (has_from) {
		snprintf(n, sizeof(n), "%" PRId64, from);
		json_object_object_add(o, "from", json_object_new_string(n));
	}
	json_object_object_add(o, "timeout", json_object_new_double(
	    timeout_s));
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string(queue));
	json_object_object_add(o, "queues", a);
	w = snprintf(buf, len, "%s", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

uint64_t
switch_proto_hash(const struct switch_in *in)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	for (i = 0; in->payload != NULL && i < in->payload_len; i++)
		h = (h ^ (unsigned char)in->payload[i]) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (i = 0; in->reply_to != NULL && in->reply_to[i] != '\0'; i++)
		h = (h ^ (unsigned char)in->reply_to[i]) * 1099511628211ULL;
	return h;
}
