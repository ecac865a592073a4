/*
 * ctl_top.c: "squeezerctl top": status and domains every INTERVAL, on a
 * cleared screen on a terminal, or one JSON line a refresh with -j.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_output.h"
#include "ctl_parse.h"
#include "ctl_rpc.h"

/* Parse -i and -n: a positive interval and count (0: no end). */
static int
ctl_top_opts(const struct ctl *ctl, const struct ctl_args *a,
    uint64_t *ret_interval_ms, int64_t *ret_count)
{
	uint64_t	ms = 1000;
	int64_t		count = 0;

	if (a->interval != NULL &&
	    (ctl_parse_duration(a->interval, &ms) < 0 || ms == 0))
		return ctl_cmd_bad_value(ctl, "interval", a->interval,
		    "not a duration (500ms, 2s, 1m) above 0");
	if (a->count != NULL &&
	    (conf_parse_int(a->count, INT_MAX, &count) < 0 || count == 0))
		return ctl_cmd_bad_value(ctl, "count", a->count,
		    "not an integer from 1 to 2147483647");
	*ret_interval_ms = ms;
	*ret_count = count;
	return CTL_EXIT_OK;
}

/* Sleep ms; true when SIGINT or SIGTERM (blocked) came meanwhile. */
static bool
ctl_top_wait(const sigset_t *sigs, uint64_t ms)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	return sigtimedwait(sigs, NULL, &ts) > 0;
}

/* One screen as text: the status, a blank line, the domains. */
static void
ctl_top_text(const struct ctl *ctl, struct json_object *o)
{
	struct json_object	*v = NULL;

	(void)json_object_object_get_ex(o, "status", &v);
	ctl_cmd_host_status_text(ctl, v);
	printf("\n");
	(void)json_object_object_get_ex(o, "domains", &v);
	ctl_cmd_host_domains_text(ctl, v);
}

/* Fetch and print one screen. */
static int
ctl_top_once(const struct ctl *ctl, struct ctl_rpc *rpc, bool tty,
    bool first)
{
	struct json_object	*status = NULL, *doms = NULL, *o;
	int			 rc;

	if ((rc = ctl_rpc_call(rpc, "host.status", NULL, &status)) < 0 ||
	    (rc = ctl_rpc_call(rpc, "domain.list", NULL, &doms)) < 0) {
		(void)ctl_cmd_failed(ctl, rpc, rc);
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_get(status));
	json_object_object_add(o, "domains", json_object_get(doms));
	if (!ctl->ctl_json && tty)
		printf("\033[H\033[2J");
	else if (!ctl->ctl_json && !first)
		printf("\n");
	ctl->ctl_out->result(ctl, ctl_top_text, o, CTL_OUT_LINE);
	json_object_put(o);
	if (fflush(stdout) == EOF)
		rc = -errno;
out:
	json_object_put(status);
	json_object_put(doms);
	return rc;
}

/* top [-i INTERVAL] [-n COUNT]: refresh until COUNT, SIGINT or SIGTERM. */
static int
ctl_top_run(struct ctl *ctl, const struct ctl_args *a)
{
	struct ctl_rpc	*rpc = NULL;
	sigset_t	 sigs;
	uint64_t	 interval_ms = 0;
	int64_t		 count = 0, i;
	bool		 tty = isatty(STDOUT_FILENO);
	int		 ex;

	if ((ex = ctl_top_opts(ctl, a, &interval_ms, &count)) != 0)
		return ex;
	/* held pending until ctl_top_wait: an interrupted screen is whole */
	(void)sigemptyset(&sigs);
	(void)sigaddset(&sigs, SIGINT);
	(void)sigaddset(&sigs, SIGTERM);
	(void)sigprocmask(SIG_BLOCK, &sigs, NULL);
	ex = CTL_EXIT_FAIL;
	if (ctl_cmd_connect(ctl, &rpc) < 0)
		goto out;
	for (i = 0; count == 0 || i < count; i++) {
		if (i > 0 && ctl_top_wait(&sigs, interval_ms))
			break;
		if (ctl_top_once(ctl, rpc, tty, i == 0) < 0)
			goto out;
	}
	ex = CTL_EXIT_OK;
out:
	ctl_rpc_free(rpc);
	return ex;
}

const struct ctl_cmd ctl_top_cmd = {
	"top", ctl_top_run, "in", 0, 0, "[-i INTERVAL] [-n COUNT]",
	"refresh status and domains every INTERVAL",
	"Show status and domains every INTERVAL (a duration above 0;\n"
	"default 1s), on a terminal on a cleared screen, COUNT times (1 to\n"
	"2147483647) or until interrupted.  With -j, one line of JSON a\n"
	"refresh: an object with the members status and domains.\n",
};
