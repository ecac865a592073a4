/*
 * ctl.h: squeezerctl's modules.  The command table and the argument
 * parsers (ctl_parse.c), the commands grouped by concern (ctl_cmd_*.c, with
 * ctl_cmd.c's helpers), top (ctl_top.c), the output engine (ctl_output*.c)
 * and the progress line of long waits (ctl_progress.c).
 */
#ifndef SQUEEZERD_CTL_H
#define SQUEEZERD_CTL_H

#include <stdbool.h>
#include <stdint.h>

#define CTL_EXIT_OK		0
#define CTL_EXIT_FAIL		1	/* refused or failed */
#define CTL_EXIT_USAGE		2	/* usage; simulate: a malformed file */

struct ctl_output;
struct json_object;

/* One run of squeezerctl: the global options; main() owns it. */
struct ctl {
	const char		*ctl_socket;	/* -s */
	const struct ctl_output	*ctl_out;	/* text, or JSON with -j */
	bool			 ctl_json;	/* -j */
	int			 ctl_unit;	/* -u, or CTL_FMT_AUTO */
	bool			 ctl_progress;	/* stderr is a terminal */
	const char		*ctl_cmd;	/* the command running */
};

/* A command's options and arguments, as ctl_parse_args() found them. */
struct ctl_args {
	const char	 *session, *ttl, *deadline;	/* --session ... */
	const char	 *id, *min, *overhead;		/* --id ... */
	const char	 *node, *policy;		/* --node, --policy */
	const char	 *interval, *count, *out;	/* -i, -n, -o */
	bool		  trace;			/* -t */
	bool		  summary;			/* --summary */
	char		**pos;
	int		  npos;
};

/* A command of the table: what it takes, what it does, and its help. */
struct ctl_cmd {
	const char	*name;
	int		(*run)(struct ctl *, const struct ctl_args *);
	const char	*opts;		/* the option letters it takes; "-":
					   its arguments as they are */
	int		 minpos, maxpos;
	const char	*usage;		/* its arguments, after its name */
	const char	*summary;	/* one line, for --help */
	const char	*help;		/* lines, for "help CMD" */
};

/* ctl_cmd_host.c: the host and the daemon. */
extern const struct ctl_cmd ctl_cmd_host_status, ctl_cmd_host_domains,
    ctl_cmd_host_balance, ctl_cmd_host_plan, ctl_cmd_host_policy,
    ctl_cmd_host_config, ctl_cmd_host_metrics, ctl_cmd_host_call;
/* ctl_cmd_resv.c: reservations. */
extern const struct ctl_cmd ctl_cmd_resv_reservations, ctl_cmd_resv_reserve,
    ctl_cmd_resv_pending, ctl_cmd_resv_cancel, ctl_cmd_resv_transfer,
    ctl_cmd_resv_delete, ctl_cmd_resv_login;
/* ctl_cmd_mig.c: live migration, both ends. */
extern const struct ctl_cmd ctl_cmd_mig_in, ctl_cmd_mig_out, ctl_cmd_mig_end;
/* ctl_cmd_sim.c: scenarios, without a daemon. */
extern const struct ctl_cmd ctl_cmd_sim_simulate, ctl_cmd_sim_plot;
/* ctl_top.c */
extern const struct ctl_cmd ctl_top_cmd;
/* ctl_cmd_xl.c: hosts run by xl or libvirt. */
extern const struct ctl_cmd ctl_cmd_xl_range, ctl_cmd_xl_xl;

struct ctl_progress;
struct ctl_rpc;
typedef void	ctl_text_fn(const struct ctl *, struct json_object *);

/*
 * ctl_cmd.c: what the commands share.  Each returns an exit code and says
 * what went wrong through the output engine.
 */

/* Connect to the daemon, or say why not. */
int	ctl_cmd_connect(const struct ctl *, struct ctl_rpc **ret);

/*
 * Call method with params (consumed; NULL for none), showing prog (unless
 * NULL) while it waits; the result in *ret (the caller puts it), or the
 * failure said and CTL_EXIT_FAIL.
 */
int	ctl_cmd_fetch(const struct ctl *, const char *method,
	    struct json_object *params, struct ctl_progress *prog,
	    struct json_object **ret);

/* Say why a call on rpc failed with rc: the daemon's error, or ours. */
int	ctl_cmd_failed(const struct ctl *, struct ctl_rpc *, int rc);

/* ctl_cmd_fetch(), then the result shown with text (NULL: as JSON). */
int	ctl_cmd_exec(const struct ctl *, const char *method,
	    struct json_object *params, ctl_text_fn *text);

/* As ctl_cmd_exec(), showing prog while it waits. */
int	ctl_cmd_exec_progress(const struct ctl *, const char *method,
	    struct json_object *params, ctl_text_fn *text,
	    struct ctl_progress *prog);

/* Say that the argument what is value is wrong, and why: CTL_EXIT_USAGE. */
int	ctl_cmd_bad_value(const struct ctl *, const char *what,
	    const char *value, const char *why);

/* Parse the size s (what: "size", "--min" ...) into *ret. */
int	ctl_cmd_size(const struct ctl *, const char *what, const char *s,
	    int64_t *ret);

/*
 * Parse the domid s into *ret: a number, or the name of exactly one
 * domain domain.list gives (asked of the daemon).
 */
int	ctl_cmd_domid(const struct ctl *, const char *s, int64_t *ret);

/*
 * Add the domain s to params: "domid" for a number, else "name" for the
 * daemon to look up (any domain, a paused one not yet built included).
 */
int	ctl_cmd_add_domain(const struct ctl *, struct json_object *params,
	    const char *s);

/* Add the string member key to params when s is set. */
void	ctl_cmd_add_str(struct json_object *params, const char *key,
	    const char *s);

/* Add the integer member key to params. */
void	ctl_cmd_add_int(struct json_object *params, const char *key,
	    int64_t v);

/* A new params object, with the session when one was given. */
struct json_object	*ctl_cmd_session_params(const struct ctl_args *);

/* Add ttl-s (whole seconds, rounded up) and deadline-ms when given. */
int	ctl_cmd_times(const struct ctl *, const struct ctl_args *,
	    struct json_object *params);

/*
 * Add the reserve's id, --id or a fresh UUID, so that reservation.pending
 * lists it under a name squeezerctl knows.
 */
int	ctl_cmd_reserve_id(const struct ctl *, const struct ctl_args *,
	    struct json_object *params);

/* ctl_cmd_host.c: status and domains as text (top shows them too). */
void	ctl_cmd_host_status_text(const struct ctl *, struct json_object *);
void	ctl_cmd_host_domains_text(const struct ctl *, struct json_object *);

/*
 * ctl_cmd_resv.c: send a reserve of params (consumed; with its id), its
 * progress on a terminal while it waits; show the result with text.
 */
int	ctl_cmd_resv_send(struct ctl *, const char *method,
	    struct json_object *params, ctl_text_fn *text);

#endif
