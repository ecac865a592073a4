/*
 * ctl_cmd.c: what squeezerctl's commands share: calling the daemon and
 * showing the result or the failure, and the arguments several take.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_output.h"
#include "ctl_parse.h"
#include "ctl_progress.h"
#include "ctl_rpc.h"
#include "resv.h"

#define CTL_CMD_DOMID_MAX	32751
#define CTL_CMD_BAD_SIZE	"not a size such as 512M, 1.5G or 1048576 " \
	"(KiB)"

int
ctl_cmd_connect(const struct ctl *ctl, struct ctl_rpc **ret)
{
	int	rc;

	if ((rc = ctl_rpc_open(ctl->ctl_socket, ret)) < 0)
		(void)ctl_output_fail(ctl, "cannot_connect",
		    "cannot connect to %s: %s", ctl->ctl_socket,
		    strerror(-rc));
	return rc;
}

int
ctl_cmd_failed(const struct ctl *ctl, struct ctl_rpc *rpc, int rc)
{
	if (rc == -EREMOTEIO && ctl_rpc_error(rpc) != NULL)
		return ctl_output_remote(ctl, ctl_rpc_error(rpc));
	return ctl_output_fail(ctl, rc == -EPROTO ? "protocol_error" :
	    "io_error", "%s", ctl_rpc_strerror(rpc));
}

int
ctl_cmd_fetch(const struct ctl *ctl, const char *method,
    struct json_object *params, struct ctl_progress *prog,
    struct json_object **ret)
{
	struct ctl_rpc	*rpc = NULL;
	int		 rc, ex = CTL_EXIT_FAIL;

	if (ctl_cmd_connect(ctl, &rpc) < 0)
		goto out;
	rc = ctl_rpc_call_ticking(rpc, method, params,
	    prog != NULL ? CTL_PROGRESS_TICK_MS : 0, ctl_progress_tick, prog,
	    ret);
	ctl_progress_end(prog);
	ex = rc < 0 ? ctl_cmd_failed(ctl, rpc, rc) : CTL_EXIT_OK;
out:
	json_object_put(params);
	ctl_rpc_free(rpc);
	return ex;
}

int
ctl_cmd_exec_progress(const struct ctl *ctl, const char *method,
    struct json_object *params, ctl_text_fn *text, struct ctl_progress *prog)
{
	struct json_object	*result = NULL;
	int			 ex;

	if ((ex = ctl_cmd_fetch(ctl, method, params, prog, &result)) != 0)
		return ex;
	ctl->ctl_out->result(ctl, text, result, 0);
	json_object_put(result);
	return CTL_EXIT_OK;
}

int
ctl_cmd_exec(const struct ctl *ctl, const char *method,
    struct json_object *params, ctl_text_fn *text)
{
	return ctl_cmd_exec_progress(ctl, method, params, text, NULL);
}

int
ctl_cmd_bad_value(const struct ctl *ctl, const char *what, const char *value,
    const char *why)
{
	return ctl_output_usage(ctl, NULL, "bad %s \"%.64s\": %s", what, value,
	    why);
}

int
ctl_cmd_size(const struct ctl *ctl, const char *what, const char *s,
    int64_t *ret)
{
	int	rc;

	if ((rc = ctl_parse_size(s, ret)) < 0)
		return ctl_cmd_bad_value(ctl, what, s, rc == -ERANGE ?
		    "too large" : CTL_CMD_BAD_SIZE);
	return CTL_EXIT_OK;
}

/* The domid of the one domain named name, as domain.list says. */
static int
ctl_cmd_domid_named(const struct ctl *ctl, const char *name, int64_t *ret)
{
	struct json_object	*list = NULL, *d;
	size_t			 i, n = 0, found = 0;
	int64_t			 domid = -1;
	int			 ex;

	if ((ex = ctl_cmd_fetch(ctl, "domain.list", NULL, NULL, &list)) != 0)
		return ex;
	if (json_object_is_type(list, json_type_array))
		n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(list, i);
		if (strcmp(ctl_output_str(d, "name"), name) == 0 &&
		    ctl_output_int(d, "domid", &domid))
			found++;
	}
	json_object_put(list);
	if (found == 0)
		return ctl_output_fail(ctl, "unknown_domain", "no domain named "
		    "\"%.64s\" (give a domid, or a name \"squeezerctl "
		    "domains\" shows)", name);
	if (found > 1)
		return ctl_output_fail(ctl, "ambiguous_domain", "%zu domains "
		    "are named \"%.64s\": give the domid", found, name);
	*ret = domid;
	return CTL_EXIT_OK;
}

int
ctl_cmd_domid(const struct ctl *ctl, const char *s, int64_t *ret)
{
	if (*s != '\0' && !isdigit((unsigned char)*s))
		return ctl_cmd_domid_named(ctl, s, ret);
	if (conf_parse_int(s, CTL_CMD_DOMID_MAX, ret) < 0)
		return ctl_cmd_bad_value(ctl, "domid", s,
		    "not an integer from 0 to 32751");
	return CTL_EXIT_OK;
}

int
ctl_cmd_add_domain(const struct ctl *ctl, struct json_object *params,
    const char *s)
{
	int64_t	domid;
	int	ex;

	if (*s != '\0' && !isdigit((unsigned char)*s)) {
		ctl_cmd_add_str(params, "name", s);
		return CTL_EXIT_OK;
	}
	if ((ex = ctl_cmd_domid(ctl, s, &domid)) != 0)
		return ex;
	ctl_cmd_add_int(params, "domid", domid);
	return CTL_EXIT_OK;
}

void
ctl_cmd_add_str(struct json_object *params, const char *key, const char *s)
{
	if (s != NULL)
		json_object_object_add(params, key, json_object_new_string(s));
}

void
ctl_cmd_add_int(struct json_object *params, const char *key, int64_t v)
{
	json_object_object_add(params, key, json_object_new_int64(v));
}

struct json_object *
ctl_cmd_session_params(const struct ctl_args *a)
{
	struct json_object	*params = json_object_new_object();

	ctl_cmd_add_str(params, "session", a->session);
	return params;
}

int
ctl_cmd_times(const struct ctl *ctl, const struct ctl_args *a,
    struct json_object *params)
{
	uint64_t	ms;

	if (a->ttl != NULL) {
		if (ctl_parse_duration(a->ttl, &ms) < 0 || ms == 0)
			return ctl_cmd_bad_value(ctl, "ttl", a->ttl,
			    "not a duration from 1s to a year (30s, 10m, 1h)");
		/* the daemon takes whole seconds: never less than asked */
		ctl_cmd_add_int(params, "ttl-s", (int64_t)((ms + 999) / 1000));
	}
	if (a->deadline != NULL) {
		if (ctl_parse_duration(a->deadline, &ms) < 0 || ms == 0 ||
		    ms > 86400000)
			return ctl_cmd_bad_value(ctl, "deadline", a->deadline,
			    "not a duration from 1ms to a day (500ms, 30s, "
			    "10m)");
		ctl_cmd_add_int(params, "deadline-ms", (int64_t)ms);
	}
	return CTL_EXIT_OK;
}

int
ctl_cmd_reserve_id(const struct ctl *ctl, const struct ctl_args *a,
    struct json_object *params)
{
	char	uuid[37];
	int	rc;

	if (a->id != NULL) {
		ctl_cmd_add_str(params, "id", a->id);
		return CTL_EXIT_OK;
	}
	if ((rc = resv_uuid(uuid)) < 0)
		return ctl_output_fail(ctl, "internal", "no random id: %s",
		    strerror(-rc));
	ctl_cmd_add_str(params, "id", uuid);
	return CTL_EXIT_OK;
}
