/*
 * squeezerd: the Xen dom0 memory-balancing daemon.  main() parses the
 * command line, loads the configuration, takes the instance lock, binds
 * the control socket, detaches (without -d), opens the backend and runs
 * the event loop (STYLE H15): signals, the balancer's timers and the
 * clients are all events on one base.  Without -d the parent stays until
 * the daemon is ready or has failed, so every start-up error reaches the
 * terminal and the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "backend.h"
#include "balancer.h"
#include "bootmem.h"
#include "conf.h"
#include "engine.h"
#include "lockfile.h"
#include "log.h"
#include "model.h"
#include "policy.h"
#include "rpc.h"
#include "sdnotify.h"
#include "svc.h"
#include "squeezerd.h"
#include "version.h"
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
static char		 arg_lock[PATH_MAX];	/* <socket>.lock */
static int		 lock_fd = -1;

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
	fprintf(f, "usage: squeezerd [-dhnVv] [-f file] [-s socket] "
	    "[--backend=xen|sim] [--host file] [--state file]\n");
}

/* --help: the usage line and every option, as squeezerd(8) has them. */
static void
help(void)
{
	usage(stdout);
	printf("\n"
	    "  -d                 do not detach: stay in the foreground, log "
	    "to stderr\n"
	    "  -f file            configuration file (default "
	    SQUEEZERD_CONF ")\n"
	    "  -h, --help         print this help and exit\n"
	    "  -n                 check the configuration and exit (-nv: "
	    "print it in full)\n"
	    "  -s socket          control socket (default " SQUEEZERD_SOCKET
	    ")\n"
	    "  -V, --version      print the version and exit\n"
	    "  -v                 log debug messages too\n"
	    "  --backend=xen|sim  balance the real Xen host (default) or a "
	    "simulated one\n"
	    "  --host file        sim: the scenario file of the host "
	    "(default: built in)\n"
	    "  --state file       sim: where the simulated host is kept "
	    "(default: socket.sim)\n");
}

enum { OPT_BACKEND = 256, OPT_HOST, OPT_STATE };

static const struct option longopts[] = {
	{ "backend",	required_argument,	NULL,	OPT_BACKEND },
	{ "host",	required_argument,	NULL,	OPT_HOST },
	{ "state",	required_argument,	NULL,	OPT_STATE },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 },
};

/* Parse the command line into arg_*; returns -1 on a usage error. */
static int
parse_args(int argc, char **argv)
{
	int	ch;

	while ((ch = getopt_long(argc, argv, "df:hns:Vv", longopts,
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
			help();
			exit(EXIT_SUCCESS);
		case 'V':
			printf("squeezerd %s\n", SQUEEZERD_VERSION);
			exit(EXIT_SUCCESS);
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/*
 * Room for RPC_MAX_CLIENTS clients and our own descriptors: the soft
 * limit up to the hard one (best effort); then the client limit is what
 * that leaves beyond RPC_FD_RESERVE, so the limit turns clients away,
 * politely, and not EMFILE.  0: too few descriptors to run.
 */
static unsigned int
client_limit(unsigned long long *ret_nofile)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur < rl.rlim_max &&
	    rl.rlim_cur < RPC_MAX_CLIENTS + RPC_FD_RESERVE) {
		rl.rlim_cur = rl.rlim_max < RPC_MAX_CLIENTS + 256 ?
		    rl.rlim_max : RPC_MAX_CLIENTS + 256;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	*ret_nofile = rl.rlim_cur;
	if (rl.rlim_cur < RPC_FD_RESERVE + 16)
		return 0;
	return rl.rlim_cur - RPC_FD_RESERVE < RPC_MAX_CLIENTS ?
	    (unsigned int)(rl.rlim_cur - RPC_FD_RESERVE) : RPC_MAX_CLIENTS;
}

/*
 * A path that stays right after chdir("/"): relative ones are made
 * absolute, in buf.
 */
static const char *
abs_path(const char *path, char *buf, size_t len)
{
	char	cwd[PATH_MAX];

	if (path == NULL || path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return path;
	if ((size_t)snprintf(buf, len, "%s/%s", cwd, path) >= len)
		return path;
	return buf;
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
		rpc_server_reload(bd->bd_rpc);
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
	if (bd->bd_ev_sighup == NULL || bd->bd_ev_sigterm == NULL ||
	    bd->bd_ev_sigint == NULL)
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
	struct backend_args	 a = { .host_file = arg_host,
	    .state_file = arg_state, .socket_path = arg_socket,
	    .conf = &bd->bd_conf, .now_ms = daemon_now_ms() };
	char			 err[512];
	int			 rc;

	if ((bd->bd_be = backend_find(arg_backend)) == NULL) {
		fprintf(stderr, "squeezerd: unknown backend \"%s\" (xen or "
		    "sim)\n", arg_backend);
		return -ENOENT;
	}
	err[0] = '\0';
	if ((rc = bd->bd_be->open(&a, &bd->bd_be_ctx, err, sizeof(err))) < 0) {
		fprintf(stderr, "squeezerd: %s\n", err[0] ? err :
		    strerror(-rc));
		return rc;
	}
	return 0;
}

/* The socket's directory exists and files can be made in it. */
static int
check_socket_dir(void)
{
	char	buf[PATH_MAX], *dir;
	int	rc;

	(void)snprintf(buf, sizeof(buf), "%s", arg_socket);
	dir = dirname(buf);
	if (access(dir, W_OK | X_OK) == 0)
		return 0;
	rc = -errno;
	fprintf(stderr, "squeezerd: %s: %s (the control socket's directory%s)"
	    "\n", dir, strerror(-rc), rc == -ENOENT ? ": create it, or use -s" :
	    "");
	return rc;
}

/* One squeezerd per socket: the lock beside it, before anything else. */
static int
take_lock(void)
{
	pid_t	holder = 0;
	int	rc;

	if ((size_t)snprintf(arg_lock, sizeof(arg_lock), "%s.lock",
	    arg_socket) >= sizeof(arg_lock)) {
		arg_lock[0] = '\0';
		fprintf(stderr, "squeezerd: %s: path too long\n", arg_socket);
		return -ENAMETOOLONG;
	}
	if ((rc = lockfile_take(arg_lock, &lock_fd, &holder)) == 0)
		return 0;
	if (rc == -EWOULDBLOCK && holder > 0)
		fprintf(stderr, "squeezerd: %s is in use: another squeezerd "
		    "(pid %ld) holds %s\n", arg_socket, (long)holder, arg_lock);
	else if (rc == -EWOULDBLOCK)
		fprintf(stderr, "squeezerd: %s is in use: another process "
		    "holds %s\n", arg_socket, arg_lock);
	else
		fprintf(stderr, "squeezerd: %s: %s\n", arg_lock,
		    strerror(-rc));
	return rc;
}

/*
 * Before detaching, what can be checked there and kept across fork():
 * descriptors, the socket's directory, the lock, the bound socket.
 */
static int
prepare(struct squeezerd *bd, unsigned long long *ret_nofile,
    unsigned int *ret_nclients)
{
	int	rc;

	if ((*ret_nclients = client_limit(ret_nofile)) == 0) {
		fprintf(stderr, "squeezerd: a descriptor limit of %llu is too "
		    "low: at least %d\n", *ret_nofile, RPC_FD_RESERVE + 16);
		return -EMFILE;
	}
	if ((rc = check_socket_dir()) < 0 || (rc = take_lock()) < 0)
		return rc;
	rc = rpc_server_new(bd, arg_socket, *ret_nclients, &bd->bd_rpc);
	if (rc == -ENOTSOCK)
		fprintf(stderr, "squeezerd: %s: not a socket; refusing to "
		    "replace it\n", arg_socket);
	else if (rc == -EADDRINUSE)
		fprintf(stderr, "squeezerd: %s: another server is listening "
		    "on it\n", arg_socket);
	else if (rc < 0)
		fprintf(stderr, "squeezerd: %s: %s\n", arg_socket,
		    strerror(-rc));
	return rc;
}

/*
 * The parent of a detached daemon: copy what the child writes on its
 * standard error until it says it is ready (a NUL byte: exit 0) or the
 * pipe closes (it failed: exit 1).
 */
static _Noreturn void
detach_wait(int fd, pid_t pid)
{
	char	 buf[512], *z;
	ssize_t	 n;
	int	 st;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		if ((z = memchr(buf, '\0', (size_t)n)) != NULL) {
			fwrite(buf, 1, (size_t)(z - buf), stderr);
			fflush(stderr);
			_exit(EXIT_SUCCESS);
		}
		fwrite(buf, 1, (size_t)n, stderr);
	}
	fflush(stderr);
	(void)waitpid(pid, &st, 0);
	_exit(EXIT_FAILURE);
}

/*
 * Without -d: fork; the child goes on, a session leader in "/", standard
 * input and output /dev/null, standard error a pipe to the waiting parent
 * until detach_ready().
 */
static int
detach(void)
{
	int	pfd[2], null, rc;
	pid_t	pid;

	if (pipe(pfd) == -1 || (null = open("/dev/null", O_RDWR)) == -1) {
		rc = -errno;
		fprintf(stderr, "squeezerd: detach: %s\n", strerror(-rc));
		return rc;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		rc = -errno;
		fprintf(stderr, "squeezerd: fork: %s\n", strerror(-rc));
		return rc;
	}
	if (pid > 0) {
		close(pfd[1]);
		detach_wait(pfd[0], pid);
	}
	close(pfd[0]);
	(void)signal(SIGPIPE, SIG_IGN);	/* the parent may be gone */
	if (setsid() == -1 || chdir("/") == -1 || dup2(null, 0) == -1 ||
	    dup2(null, 1) == -1 || dup2(pfd[1], 2) == -1 ||
	    (rc = lockfile_setpid(lock_fd)) < 0) {
		rc = -errno;
		fprintf(stderr, "squeezerd: detach: %s\n", strerror(-rc));
		return rc;
	}
	close(pfd[1]);
	if (null > 2)
		close(null);
	return 0;
}

/* The detached daemon is ready: release the waiting parent. */
static void
detach_ready(void)
{
	int	null;

	if (write(STDERR_FILENO, "", 1) != 1)
		return;
	if ((null = open("/dev/null", O_WRONLY)) >= 0) {
		(void)dup2(null, STDERR_FILENO);
		if (null != STDERR_FILENO)
			close(null);
	}
}

/* Everything the loop needs, in order; a message on failure. */
static int
start(struct squeezerd *bd)
{
	int	rc;

	if ((rc = open_backend(bd)) < 0)
		return rc;
	if ((rc = setup_events(bd)) < 0) {
		fprintf(stderr, "squeezerd: out of memory\n");
		return rc;
	}
	if ((rc = daemon_open(bd)) < 0) {
		if (rc == -EINVAL)
			fprintf(stderr, "squeezerd: unknown policy \"%s\"\n",
			    bd->bd_conf.policy);
		else
			fprintf(stderr, "squeezerd: cannot read the host: %s\n",
			    strerror(-rc));
		return rc;
	}
	bootmem_sync(bd);	/* squeezed's figure, if it measured one */
	(void)model_boot_free_kib(bd->bd_model);	/* else ours, now */
	if ((rc = rpc_server_start(bd->bd_rpc)) < 0) {
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
	bd->bd_stopping = true;
	rpc_server_free(bd->bd_rpc);
	switch_free(bd->bd_switch);
	xmlrpc_free(bd->bd_xmlrpc);
	daemon_close(bd);
	if (bd->bd_be_ctx != NULL)
		bd->bd_be->close(bd->bd_be_ctx);
	if (bd->bd_base != NULL) {
		if (bd->bd_ev_sighup != NULL)
			event_free(bd->bd_ev_sighup);
		if (bd->bd_ev_sigterm != NULL)
			event_free(bd->bd_ev_sigterm);
		if (bd->bd_ev_sigint != NULL)
			event_free(bd->bd_ev_sigint);
		if (bd->bd_ev_watchdog != NULL)
			event_free(bd->bd_ev_watchdog);
		event_base_free(bd->bd_base);
	}
	lockfile_release(arg_lock, lock_fd);
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

/* Without -d the daemon works in "/": the paths it keeps, absolute. */
static void
absolute_paths(void)
{
	static char	conf[PATH_MAX], sock[PATH_MAX], host[PATH_MAX];
	static char	state[PATH_MAX];

	arg_conf = abs_path(arg_conf, conf, sizeof(conf));
	arg_socket = abs_path(arg_socket, sock, sizeof(sock));
	arg_host = abs_path(arg_host, host, sizeof(host));
	arg_state = abs_path(arg_state, state, sizeof(state));
}

int
main(int argc, char **argv)
{
	struct squeezerd	bd;
	unsigned long long	nofile = 0;
	unsigned int		nclients = 0;
	int			rc;

	memset(&bd, 0, sizeof(bd));
	bd.bd_watch_fd = -1;
	if (parse_args(argc, argv) < 0) {
		usage(stderr);
		return EXIT_FAILURE;
	}
	if (!arg_debug && !arg_check)
		absolute_paths();
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
	log_init(true, arg_verbose);
	rc = prepare(&bd, &nofile, &nclients);
	if (rc == 0 && !arg_debug && (rc = detach()) == 0)
		log_init(false, arg_verbose);
	if (rc == 0) {
		log_info("descriptor limit %llu: at most %u clients", nofile,
		    nclients);
		rc = start(&bd);
	}
	/* use-switch: ready once the queue is served (xenopsd waits on it) */
	if (rc == 0 && bd.bd_conf.use_switch && (rc = switch_start(&bd,
	    log_ready, &bd.bd_switch)) < 0)
		fprintf(stderr, "squeezerd: message switch: %s\n",
		    strerror(-rc));
	if (rc == 0) {
		if (bd.bd_switch == NULL)
			log_ready(&bd);
		if (!arg_debug)
			detach_ready();
		event_base_dispatch(bd.bd_base);
	}
	stop(&bd);
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
