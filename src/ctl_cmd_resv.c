/*
 * ctl_cmd_resv.c: squeezerctl's commands about reservations: reserve,
 * reservations, pending, cancel, transfer, delete, login.
 */
#include <errno.h>
#include <inttypes.h>
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

#define CTL_RESV_CELL_MAX	128
#define CTL_RESV_NODE_MAX	1023
#define NITEMS(a)		(sizeof(a) / sizeof((a)[0]))

static void
ctl_cmd_resv_reservations_text(const struct ctl *ctl, struct json_object *r)
{
	static const struct ctl_col cols[] = {
		{ "ID", "id", CTL_COL_VALUE, NULL, false },
		{ "SESSION", "session", CTL_COL_VALUE, NULL, false },
		{ "SIZE", "kib", CTL_COL_SIZE, NULL, false },
		{ "DOMID", "domid", CTL_COL_INT, NULL, false },
		{ "EXPIRES", "expires-in-ms", CTL_COL_DURATION, NULL, false },
	};

	ctl_output_text_table(ctl, cols, NITEMS(cols), r);
}

static int
ctl_cmd_resv_reservations_run(struct ctl *ctl, const struct ctl_args *a)
{
	return ctl_cmd_exec(ctl, "reservation.list", ctl_cmd_session_params(a),
	    ctl_cmd_resv_reservations_text);
}

const struct ctl_cmd ctl_cmd_resv_reservations = {
	"reservations", ctl_cmd_resv_reservations_run, "S", 0, 0,
	"[--session S]",
	"list the reservations",
	"List the reservations, or those of session S: id, session, size,\n"
	"the domain it was transferred to, and the time left before it\n"
	"expires.\n",
};

static void
ctl_cmd_resv_reserve_text(const struct ctl *ctl, struct json_object *r)
{
	char	id[CTL_RESV_CELL_MAX], size[32], nfree[32];
	int64_t	node;

	ctl_output_value(r, "id", id, sizeof(id));
	ctl_output_size(ctl, r, "kib", size, sizeof(size));
	printf("reserved %s: %s", size, id);
	if (ctl_output_int(r, "node", &node)) {
		ctl_output_size(ctl, r, "node-free-kib", nfree, sizeof(nfree));
		printf(" (node %" PRId64 ": %s free)", node, nfree);
	}
	printf("\n");
}

/* Add the reserve amount: kib, or min-kib and max-kib; none may be 0. */
static int
ctl_cmd_resv_size(const struct ctl *ctl, const char *s,
    struct json_object *params)
{
	int64_t	lo, hi;
	bool	range = strchr(s, '-') != NULL;
	int	rc, ex;

	if (!range) {
		if ((ex = ctl_cmd_size(ctl, "size", s, &lo)) != 0)
			return ex;
		hi = lo;
	} else if ((rc = ctl_parse_range(s, &lo, &hi)) < 0)
		return ctl_cmd_bad_value(ctl, "range", s, rc == -ERANGE ?
		    "too large" : "not two sizes MIN-MAX with MIN <= MAX");
	if (lo == 0)
		return ctl_cmd_bad_value(ctl, "size", s, "must be more than 0");
	if (!range)
		ctl_cmd_add_int(params, "kib", lo);
	else {
		ctl_cmd_add_int(params, "min-kib", lo);
		ctl_cmd_add_int(params, "max-kib", hi);
	}
	return CTL_EXIT_OK;
}

/* Add the NUMA node, when --node was given. */
static int
ctl_cmd_resv_node(const struct ctl *ctl, const struct ctl_args *a,
    struct json_object *params)
{
	int64_t	node;

	if (a->node == NULL)
		return CTL_EXIT_OK;
	if (conf_parse_int(a->node, CTL_RESV_NODE_MAX, &node) < 0)
		return ctl_cmd_bad_value(ctl, "node", a->node,
		    "not a NUMA node number");
	ctl_cmd_add_int(params, "node", node);
	return CTL_EXIT_OK;
}

int
ctl_cmd_resv_send(struct ctl *ctl, const char *method,
    struct json_object *params, ctl_text_fn *text)
{
	struct ctl_progress	prog;
	bool			shown;

	shown = ctl_progress_init(&prog, ctl, CTL_PROGRESS_RESERVE);
	prog.id = ctl_output_str(params, "id");
	return ctl_cmd_exec_progress(ctl, method, params, text,
	    shown ? &prog : NULL);
}

static int
ctl_cmd_resv_reserve_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = ctl_cmd_session_params(a);
	int			 ex;

	if ((ex = ctl_cmd_resv_node(ctl, a, params)) != 0 ||
	    (ex = ctl_cmd_resv_size(ctl, a->pos[0], params)) != 0 ||
	    (ex = ctl_cmd_times(ctl, a, params)) != 0 ||
	    (ex = ctl_cmd_reserve_id(ctl, a, params)) != 0) {
		json_object_put(params);
		return ex;
	}
	return ctl_cmd_resv_send(ctl, "reserve", params,
	    ctl_cmd_resv_reserve_text);
}

const struct ctl_cmd ctl_cmd_resv_reserve = {
	"reserve", ctl_cmd_resv_reserve_run, "STDIN", 1, 1,
	"SIZE|MIN-MAX [--session S] [--id ID] [--ttl T] [--deadline T] "
	"[--node N]",
	"reserve host memory: 512M, 2G, 1G-2G",
	"Reserve SIZE of host memory, or as much as possible between MIN\n"
	"and MAX, for session S (default \"default\"), and print the size\n"
	"and the reservation id.  The daemon balloons the guests down until\n"
	"the memory is free; the command returns when it is, or fails if it\n"
	"cannot be freed even with every guest at its dynamic-min.  On a\n"
	"terminal, a line on stderr shows how far it is meanwhile.\n"
	"\n"
	"  --session S   the session (a toolstack's name for itself)\n"
	"  --id ID       the reservation's id (default: a fresh UUID):\n"
	"                \"pending\" lists it, \"cancel ID\" ends it\n"
	"  --ttl T       delete it unless transferred within T (1s to 1y)\n"
	"  --deadline T  give up after T (1ms to 1d), giving back what was\n"
	"                taken\n"
	"  --node N      take memory from NUMA node N's domains first\n",
};

static void
ctl_cmd_resv_pending_text(const struct ctl *ctl, struct json_object *r)
{
	static const struct ctl_col cols[] = {
		{ "ID", "id", CTL_COL_VALUE, NULL, false },
		{ "SESSION", "session", CTL_COL_VALUE, NULL, false },
		{ "SIZE", "kib", CTL_COL_RANGE, "max-kib", false },
		{ "RUNNING", "running", CTL_COL_VALUE, NULL, false },
		{ "FREED/NEEDED", "freed-kib", CTL_COL_RATIO, "needed-kib",
		    false },
		{ "ELAPSED", "elapsed-ms", CTL_COL_DURATION, NULL, false },
		{ "DEADLINE-LEFT", "deadline-in-ms", CTL_COL_DURATION, NULL,
		    false },
	};

	ctl_output_text_table(ctl, cols, NITEMS(cols), r);
}

static int
ctl_cmd_resv_pending_run(struct ctl *ctl, const struct ctl_args *a)
{
	(void)a;
	return ctl_cmd_exec(ctl, "reservation.pending", NULL,
	    ctl_cmd_resv_pending_text);
}

const struct ctl_cmd ctl_cmd_resv_pending = {
	"pending", ctl_cmd_resv_pending_run, "", 0, 0, "",
	"list the reserves waiting or running",
	"List the reserves waiting in the daemon's queue or running: id,\n"
	"session, size (MIN-MAX for a range), whether each is running, and\n"
	"for the running one the memory freed so far of what it needs and\n"
	"the time it has run; for those with a deadline, the time left.\n",
};

static void
ctl_cmd_resv_cancel_text(const struct ctl *ctl, struct json_object *r)
{
	char	id[CTL_RESV_CELL_MAX];

	(void)ctl;
	ctl_output_value(r, "id", id, sizeof(id));
	printf("cancelled %s\n", id);
}

static int
ctl_cmd_resv_cancel_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = json_object_new_object();

	ctl_cmd_add_str(params, "id", a->pos[0]);
	return ctl_cmd_exec(ctl, "reservation.cancel", params,
	    ctl_cmd_resv_cancel_text);
}

const struct ctl_cmd ctl_cmd_resv_cancel = {
	"cancel", ctl_cmd_resv_cancel_run, "", 1, 1, "ID",
	"end a pending reserve; what it took goes back",
	"End the pending reserve ID: the daemon puts back every target it\n"
	"changed, and the reserve waiting for it fails with \"cancelled\"\n"
	"and exit status 1.  A reservation already made is ended by\n"
	"\"delete\".\n",
};

static void
ctl_cmd_resv_transfer_text(const struct ctl *ctl, struct json_object *r)
{
	char	id[CTL_RESV_CELL_MAX], size[32], domid[32];

	ctl_output_value(r, "id", id, sizeof(id));
	ctl_output_size(ctl, r, "kib", size, sizeof(size));
	ctl_output_value(r, "domid", domid, sizeof(domid));
	printf("transferred %s to domain %s: %s\n", size, domid, id);
}

static int
ctl_cmd_resv_transfer_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = ctl_cmd_session_params(a);
	int			 ex;

	if ((ex = ctl_cmd_add_domain(ctl, params, a->pos[1])) != 0) {
		json_object_put(params);
		return ex;
	}
	ctl_cmd_add_str(params, "id", a->pos[0]);
	return ctl_cmd_exec(ctl, "reservation.transfer", params,
	    ctl_cmd_resv_transfer_text);
}

const struct ctl_cmd ctl_cmd_resv_transfer = {
	"transfer", ctl_cmd_resv_transfer_run, "S", 2, 2,
	"ID DOMID|NAME [--session S]",
	"hand a reservation to a domain",
	"Hand reservation ID to domain DOMID (0 to 32751), or to the domain\n"
	"called NAME, as a toolstack does once it has created the domain:\n"
	"the daemon writes the domain's memory/initial-reservation and\n"
	"memory/reservation-id, and raises its maxmem.\n",
};

static void
ctl_cmd_resv_delete_text(const struct ctl *ctl, struct json_object *r)
{
	char	id[CTL_RESV_CELL_MAX], size[32];

	ctl_output_value(r, "id", id, sizeof(id));
	ctl_output_size(ctl, r, "kib", size, sizeof(size));
	printf("deleted %s: %s\n", size, id);
}

static int
ctl_cmd_resv_delete_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = ctl_cmd_session_params(a);

	ctl_cmd_add_str(params, "id", a->pos[0]);
	return ctl_cmd_exec(ctl, "reservation.delete", params,
	    ctl_cmd_resv_delete_text);
}

const struct ctl_cmd ctl_cmd_resv_delete = {
	"delete", ctl_cmd_resv_delete_run, "S", 1, 1, "ID [--session S]",
	"delete a reservation",
	"Delete reservation ID; memory not in use goes back to the guests.\n",
};

static void
ctl_cmd_resv_login_text(const struct ctl *ctl, struct json_object *r)
{
	struct json_object	*d = NULL;
	char			 session[CTL_RESV_CELL_MAX];
	int64_t			 n = 0;

	(void)ctl;
	ctl_output_value(r, "session", session, sizeof(session));
	(void)json_object_object_get_ex(r, "dropped", &d);
	if (json_object_is_type(d, json_type_array))
		n = (int64_t)json_object_array_length(d);
	else if (json_object_is_type(d, json_type_int))
		n = json_object_get_int64(d);
	printf("session %s: %" PRId64 " earlier reservation%s dropped\n",
	    session, n, n == 1 ? "" : "s");
}

static int
ctl_cmd_resv_login_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct json_object	*params = json_object_new_object();

	ctl_cmd_add_str(params, "session", a->pos[0]);
	return ctl_cmd_exec(ctl, "login", params, ctl_cmd_resv_login_text);
}

const struct ctl_cmd ctl_cmd_resv_login = {
	"login", ctl_cmd_resv_login_run, "", 1, 1, "SESSION",
	"start SESSION afresh (drops its reservations)",
	"Start session SESSION afresh, deleting all its earlier\n"
	"reservations, as a toolstack does when it starts; print how many\n"
	"were dropped.\n",
};
