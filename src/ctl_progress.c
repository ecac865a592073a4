/*
 * ctl_progress.c: how far a long wait is, on one line of a terminal:
 * "reserve: freed 2.0 of 7.1 GiB, 3.2s, 56.8s left".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_fmt.h"
#include "ctl_output.h"
#include "ctl_progress.h"
#include "ctl_rpc.h"

#define CTL_PROGRESS_LINE_MAX	160
#define CTL_PROGRESS_OFF_KIB	1024	/* off target by more: moving */

/* A monotonic clock, ms. */
static uint64_t
ctl_progress_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool
ctl_progress_init(struct ctl_progress *p, const struct ctl *ctl,
    enum ctl_progress_kind kind)
{
	if (!ctl->ctl_progress)
		return false;
	memset(p, 0, sizeof(*p));
	p->ctl = ctl;
	p->kind = kind;
	p->start_ms = ctl_progress_now_ms();
	return true;
}

/* The element of array a whose member key is the string s, or NULL. */
static struct json_object *
ctl_progress_find_str(struct json_object *a, const char *key, const char *s)
{
	size_t	i, n = 0;

	if (json_object_is_type(a, json_type_array))
		n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (strcmp(ctl_output_str(json_object_array_get_idx(a, i),
		    key), s) == 0)
			return json_object_array_get_idx(a, i);
	return NULL;
}

/* The element of array a whose domid is domid, or NULL. */
static struct json_object *
ctl_progress_find_dom(struct json_object *a, int64_t domid)
{
	int64_t	d;
	size_t	i, n = 0;

	if (json_object_is_type(a, json_type_array))
		n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (ctl_output_int(json_object_array_get_idx(a, i), "domid",
		    &d) && d == domid)
			return json_object_array_get_idx(a, i);
	return NULL;
}

/* "freed X of Y GiB" or "waiting for the operations ahead"; false: gone. */
static bool
ctl_progress_reserve(struct ctl_progress *p, char *buf, size_t len)
{
	struct json_object	*list = NULL, *o, *running = NULL;
	char			 freed[32], needed[32], left[32];
	int64_t			 f, n, ms;
	size_t			 k;
	bool			 ok = false;

	if (ctl_rpc_call(p->rpc, "reservation.pending", NULL, &list) < 0 ||
	    (o = ctl_progress_find_str(list, "id", p->id)) == NULL)
		goto out;
	(void)json_object_object_get_ex(o, "running", &running);
	if (json_object_get_boolean(running) &&
	    ctl_output_int(o, "freed-kib", &f) &&
	    ctl_output_int(o, "needed-kib", &n)) {
		ctl_fmt_size(n < 0 ? 0 : n, p->ctl->ctl_unit, needed,
		    sizeof(needed));
		ctl_fmt_number(f < 0 ? 0 : f, p->ctl->ctl_unit !=
		    CTL_FMT_AUTO ? p->ctl->ctl_unit : ctl_fmt_unit_for(n),
		    freed, sizeof(freed));
		k = (size_t)snprintf(buf, len, "freed %s of %s", freed,
		    needed);
	} else
		k = (size_t)snprintf(buf, len, "waiting for the operations "
		    "ahead");
	if (ctl_output_int(o, "deadline-in-ms", &ms) && k < len) {
		ctl_fmt_duration(ms < 0 ? 0 : (uint64_t)ms, left,
		    sizeof(left));
		(void)snprintf(buf + k, len - k, ", %s left", left);
	}
	ok = true;
out:
	json_object_put(list);
	return ok;
}

/* "domain 7: 14.2 GiB, target 12.0 GiB"; false: no such domain. */
static bool
ctl_progress_domain(struct ctl_progress *p, char *buf, size_t len)
{
	struct json_object	*list = NULL, *o;
	char			 actual[32], target[32];
	bool			 ok = false;

	if (ctl_rpc_call(p->rpc, "domain.list", NULL, &list) < 0 ||
	    (o = ctl_progress_find_dom(list, p->domid)) == NULL)
		goto out;
	ctl_output_size(p->ctl, o, "actual-kib", actual, sizeof(actual));
	ctl_output_size(p->ctl, o, "target-kib", target, sizeof(target));
	(void)snprintf(buf, len, "domain %lld: %s, target %s",
	    (long long)p->domid, actual, target);
	ok = true;
out:
	json_object_put(list);
	return ok;
}

/* "3 domains moving, 2.1 GiB free". */
static bool
ctl_progress_balance(struct ctl_progress *p, char *buf, size_t len)
{
	struct json_object	*list = NULL, *status = NULL, *o;
	char			 free_s[32];
	int64_t			 t, a;
	size_t			 i, n, moving = 0;
	bool			 ok = false;

	if (ctl_rpc_call(p->rpc, "domain.list", NULL, &list) < 0 ||
	    ctl_rpc_call(p->rpc, "host.status", NULL, &status) < 0 ||
	    !json_object_is_type(list, json_type_array))
		goto out;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(list, i);
		if (ctl_output_int(o, "target-kib", &t) &&
		    ctl_output_int(o, "actual-kib", &a) &&
		    (t - a > CTL_PROGRESS_OFF_KIB ||
		    a - t > CTL_PROGRESS_OFF_KIB))
			moving++;
	}
	ctl_output_size(p->ctl, status, "free-kib", free_s, sizeof(free_s));
	(void)snprintf(buf, len, "%zu domain%s moving, %s free", moving,
	    moving == 1 ? "" : "s", free_s);
	ok = true;
out:
	json_object_put(list);
	json_object_put(status);
	return ok;
}

void
ctl_progress_tick(void *arg)
{
	struct ctl_progress	*p = arg;
	char			 what[CTL_PROGRESS_LINE_MAX], took[32];
	bool			 ok;

	if (p->rpc == NULL && ctl_rpc_open(p->ctl->ctl_socket, &p->rpc) < 0)
		return;
	if (p->kind == CTL_PROGRESS_RESERVE)
		ok = ctl_progress_reserve(p, what, sizeof(what));
	else if (p->kind == CTL_PROGRESS_DOMAIN)
		ok = ctl_progress_domain(p, what, sizeof(what));
	else
		ok = ctl_progress_balance(p, what, sizeof(what));
	if (!ok) {
		ctl_rpc_free(p->rpc);	/* afresh at the next tick */
		p->rpc = NULL;
		return;
	}
	ctl_fmt_duration(ctl_progress_now_ms() - p->start_ms, took,
	    sizeof(took));
	fprintf(stderr, "\r%s (%s): %s\033[K", p->ctl->ctl_cmd, took, what);
	(void)fflush(stderr);
	p->shown = true;
}

void
ctl_progress_end(struct ctl_progress *p)
{
	if (p == NULL)
		return;
	if (p->shown) {
		fputs("\r\033[K", stderr);
		(void)fflush(stderr);
		p->shown = false;
	}
	ctl_rpc_free(p->rpc);
	p->rpc = NULL;
}
