/*
 * squeezerd: the Xen dom0 memory-balancing daemon.  main() parses the
 * command line, loads the configuration, opens the backend, listens on the
 * control socket and runs the event loop (STYLE H15): signals, the
 * balancer's timers and the clients are all events on one base.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "backend.h"
#include "balancer.h"
#include "bootmem.h"
#include "conf.h"
#include "engine.h"
#include "log.h"
#include "model.h"
#include "policy.h"
#include "rpc.h"
#include "sdnotify.h"
#include "service.h"
#include "squeezerd.h"
#include "switch.h"
#include "xmlrpc.h"

#define SQUEEZERD_CONF		"/etc/squeezerd.conf"
#define SQUEEZERD_SOCKET	"/run/squeezerd/socket"

static const char	*arg_conf;
static const char	*arg_socket = SQUEEZERD_SOCKET;
static const char	*arg_backend = "xen";
static const char	*arg_host;
static const char	*arg_state;
static int		 arg_check, arg_verbose, arg_debug;

static const struct backend_ops *const backends[] = {
	&backend_xen_ops,
	&backend_sim_ops,
};

static const struct backend_ops *
backend_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: squeezerd [-dnv] [-f file] [-s socket] "
	    "[--backend=xen|sim] [--host file] [--state file]\n");
}

enum { OPT_BACKEND = 256, OPT_HOST, OPT_STATE };

static const struct option longopts[] = {
	{ "backend",	required_argument,	NULL,	OPT_BACKEND },
	{ "host",	required_argument,	NULL,	OPT_HOST },
	{ "state",	required_argument,	NULL,	OPT_STATE },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 },
};

/* Parse the command line into arg_*; returns -1 on a usage error. */
static int
parse_args(int argc, char **argv)
{
	int	ch;

	while ((ch = getopt_long(argc, argv, "df:hns:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			arg_debug = 1;
			break;
		case 'f':
			arg_conf = optarg;
			break;
		case 'n':
			arg_check = 1;
			break;
		case 's':
			arg_socket = optarg;
			break;
		case 'v':
			arg_verbose++;
			break;
		case OPT_BACKEND:
			arg_backend = optarg;
			break;
		case OPT_HOST:
			arg_host = optarg;
			break;
		case OPT_STATE:
			arg_state = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/*
 * Room for RPC_MAX_CLIENTS clients and our own descriptors: the soft
 * limit up to the hard one (best effort), so the client limit is what
 * turns clients away, politely, and not EMFILE.
 */
static void
raise_fd_limit(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
	    rl.rlim_cur < RPC_MAX_CLIENTS + 64) {
		rl.rlim_cur = rl.rlim_max < RPC_MAX_CLIENTS + 256 ?
		    rl.rlim_max : RPC_MAX_CLIENTS + 256;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The configuration file: -f, or /etc/squeezerd.conf if it exists. */
static int
load_conf(struct squeezerd *bd)
{
	struct stat	st;

	conf_defaults(&bd->bd_conf);
	if (arg_conf == NULL && stat(SQUEEZERD_CONF, &st) == 0)
		arg_conf = SQUEEZERD_CONF;
	bd->bd_conf_file = arg_conf;
	if (arg_conf == NULL)
		return 0;
	return conf_load(arg_conf, stderr, &bd->bd_conf);
}

/* Tell systemd a reload began (MONOTONIC_USEC: for Type=notify-reload). */
static void
notify_reloading(void)
{
	struct timespec	ts;
	char		msg[64];

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	(void)snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000);
	(void)sdnotify(msg);
}

static void
sig_cb(evutil_socket_t sig, short what, void *arg)
{
	struct squeezerd	*bd = arg;

	(void)what;
	if (sig == SIGHUP) {
		log_info("SIGHUP: reloading the configuration");
		notify_reloading();
		if (daemon_reload(bd) < 0) {
			(void)sdnotify("READY=1\nSTATUS=reload failed, running "
			    "the previous configuration");
			return;
		}
		switch_reload(bd);
		xmlrpc_reload(bd);
		bootmem_sync(bd);
		(void)sdnotify("READY=1\nSTATUS=configuration reloaded");
		return;
	}
	log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	(void)sdnotify("STOPPING=1");
	bd->bd_stopping = true;
	event_base_loopexit(bd->bd_base, NULL);
}

static void
expire_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)daemon_refresh(arg, true);
}

/* Ping systemd's watchdog from the loop: a stuck loop stops the pings. */
static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	(void)sdnotify("WATCHDOG=1");
}

/* With WatchdogSec=, ping at half the interval systemd asks for. */
static int
setup_watchdog(struct squeezerd *bd)
{
	struct timeval	tv;
	uint64_t	usec;

	if (sdnotify_watchdog_usec(&usec) < 0) {
		log_warnx("%s: bad WATCHDOG_USEC or WATCHDOG_PID, ignoring",
		    __func__);
		return 0;
	}
	if (usec == 0)
		return 0;
	usec /= 2;
	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	bd->bd_ev_watchdog = event_new(bd->bd_base, -1, EV_PERSIST,
	    watchdog_cb, bd);
	if (bd->bd_ev_watchdog == NULL ||
	    event_add(bd->bd_ev_watchdog, &tv) < 0)
		return -ENOMEM;
	return 0;
}

/* The event base, signals and timers. */
static int
setup_events(struct squeezerd *bd)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = SA_RESTART;
	(void)sigaction(SIGPIPE, &sa, NULL);
	if ((bd->bd_base = event_base_new()) == NULL)
		return -ENOMEM;
	bd->bd_ev_sighup = evsignal_new(bd->bd_base, SIGHUP, sig_cb, bd);
	bd->bd_ev_sigterm = evsignal_new(bd->bd_base, SIGTERM, sig_cb, bd);
	bd->bd_ev_sigint = evsignal_new(bd->bd_base, SIGINT, sig_cb, bd);
	bd->bd_ev_poll = evtimer_new(bd->bd_base, bal_poll_cb, bd);
	bd->bd_ev_check = evtimer_new(bd->bd_base, bal_check_cb, bd);
	bd->bd_ev_expire = evtimer_new(bd->bd_base, expire_cb, bd);
	bd->bd_ev_reconnect = evtimer_new(bd->bd_base, daemon_reconnect_cb, bd);
	if (bd->bd_ev_sighup == NULL || bd->bd_ev_sigterm == NULL ||
	    bd->bd_ev_sigint == NULL || bd->bd_ev_poll == NULL ||
	    bd->bd_ev_check == NULL || bd->bd_ev_expire == NULL ||
	    bd->bd_ev_reconnect == NULL)
		return -ENOMEM;
	evsignal_add(bd->bd_ev_sighup, NULL);
	evsignal_add(bd->bd_ev_sigterm, NULL);
	evsignal_add(bd->bd_ev_sigint, NULL);
	return setup_watchdog(bd);
}

/* Open the backend: the sim one keeps its state beside the socket. */
static int
open_backend(struct squeezerd *bd)
{
	static char		 state[4096];
	struct backend_args	 a = { .host_file = arg_host,
	    .conf = &bd->bd_conf, .now_ms = daemon_now_ms() };
	char			 err[512];
	int			 rc;

	if ((bd->bd_be = backend_find(arg_backend)) == NULL) {
		fprintf(stderr, "squeezerd: unknown backend \"%s\" (xen or "
		    "sim)\n", arg_backend);
		return -ENOENT;
	}
	if (arg_state == NULL && bd->bd_be == &backend_sim_ops) {
		snprintf(state, sizeof(state), "%s.sim", arg_socket);
		arg_state = state;
	}
	a.state_file = arg_state;
	err[0] = '\0';
	if ((rc = bd->bd_be->open(&a, &bd->bd_be_ctx, err, sizeof(err))) < 0) {
		fprintf(stderr, "squeezerd: %s\n", err[0] ? err :
		    strerror(-rc));
		return rc;
	}
	return 0;
}

/* Everything the loop needs, in order; a message on failure. */
static int
start(struct squeezerd *bd)
{
	int	rc;

	if ((rc = open_backend(bd)) < 0)
		return rc;
	if (conf_engine(&bd->bd_conf, &bd->bd_ec) < 0) {
		fprintf(stderr, "squeezerd: unknown policy \"%s\"\n",
		    bd->bd_conf.policy);
		return -EINVAL;
	}
	if ((bd->bd_engine = engine_new(&bd->bd_ec)) == NULL ||
	    (bd->bd_model = model_new(bd->bd_be, bd->bd_be_ctx,
	    bd->bd_be == &backend_sim_ops)) == NULL ||
	    (rc = setup_events(bd)) < 0) {
		fprintf(stderr, "squeezerd: out of memory\n");
		return -ENOMEM;
	}
	daemon_dom0(bd);
	if ((rc = daemon_refresh(bd, true)) < 0) {
		fprintf(stderr, "squeezerd: cannot read the host: %s\n",
		    strerror(-rc));
		return rc;
	}
	bootmem_sync(bd);
	(void)svc_boot_free_kib(bd);
	daemon_watch_arm(bd);
	if ((rc = rpc_server_start(bd, arg_socket, &bd->bd_rpc)) < 0) {
		fprintf(stderr, "squeezerd: %s: %s\n", arg_socket,
		    strerror(-rc));
		return rc;
	}
	if (bd->bd_conf.xmlrpc_socket[0] != '\0' &&
	    (rc = xmlrpc_start(bd, &bd->bd_xmlrpc)) < 0) {
		fprintf(stderr, "squeezerd: %s: %s\n",
		    bd->bd_conf.xmlrpc_socket, strerror(-rc));
		return rc;
	}
	return 0;
}

static void
stop(struct squeezerd *bd)
{
	struct bal_op	*op;

	bd->bd_stopping = true;
	rpc_server_free(bd->bd_rpc);
	switch_free(bd->bd_switch);
	xmlrpc_free(bd->bd_xmlrpc);
	while ((op = TAILQ_FIRST(&bd->bd_queue)) != NULL) {
		bal_cancel(bd, op);	/* only the periodic balance is left */
		free(op);
	}
	if (bd->bd_be_ctx != NULL && bd->bd_be->sync != NULL)
		(void)bd->bd_be->sync(bd->bd_be_ctx);
	if (bd->bd_be_ctx != NULL)
		bd->bd_be->close(bd->bd_be_ctx);
	model_free(bd->bd_model);
	engine_free(bd->bd_engine);
	if (bd->bd_base != NULL) {
		event_free(bd->bd_ev_sighup);
		event_free(bd->bd_ev_sigterm);
		event_free(bd->bd_ev_sigint);
		event_free(bd->bd_ev_poll);
		event_free(bd->bd_ev_check);
		event_free(bd->bd_ev_expire);
		event_free(bd->bd_ev_reconnect);
		if (bd->bd_ev_watchdog != NULL)
			event_free(bd->bd_ev_watchdog);
		if (bd->bd_ev_watch != NULL)
			event_free(bd->bd_ev_watch);
		event_base_free(bd->bd_base);
	}
}

static void
log_ready(struct squeezerd *bd)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	const struct model_stats	*st = model_stats(bd->bd_model);
	char				 status[512], msg[600];

	(void)snprintf(status, sizeof(status), "backend %s, %zu domains, "
	    "%lld KiB free, %zu reservations, policy %s, socket %s%s%s",
	    bd->bd_be->name, s->ndoms, (long long)s->free_kib, st->nresv,
	    bd->bd_ec.policy->name, arg_socket, bd->bd_switch != NULL ?
	    ", switch " : "", bd->bd_switch != NULL ?
	    switch_describe(bd->bd_switch) : "");
	log_info("ready: %s", status);
	(void)snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	(void)sdnotify(msg);
}

int
main(int argc, char **argv)
{
	struct squeezerd	bd;
	int			rc;

	memset(&bd, 0, sizeof(bd));
	bd.bd_watch_fd = -1;
	TAILQ_INIT(&bd.bd_queue);
	if (parse_args(argc, argv) < 0) {
		usage(stderr);
		return EXIT_FAILURE;
	}
	if (load_conf(&bd) < 0)
		return EXIT_FAILURE;
	if (arg_check) {
		if (arg_verbose)
			conf_print(&bd.bd_conf, stdout);
		else
			fprintf(stderr, "configuration OK\n");
		return EXIT_SUCCESS;
	}
	bd.bd_host_file = arg_host;
	raise_fd_limit();
	log_init(true, arg_verbose);
	if (!arg_debug && daemon(0, 0) == -1) {
		fprintf(stderr, "squeezerd: daemon: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	if (!arg_debug)
		log_init(false, arg_verbose);
	rc = start(&bd);
	/* use-switch: ready once the queue is served (xenopsd waits on it) */
	if (rc == 0 && bd.bd_conf.use_switch && (rc = switch_start(&bd,
	    log_ready, &bd.bd_switch)) < 0)
		fprintf(stderr, "squeezerd: message switch: %s\n",
		    strerror(-rc));
	if (rc == 0) {
		if (bd.bd_switch == NULL)
			log_ready(&bd);
		bal_check_soon(&bd);
		event_base_dispatch(bd.bd_base);
	}
	stop(&bd);
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
