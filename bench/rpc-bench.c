/*
 * rpc-bench: round-trip latency and throughput of host.status on a running
 * squeezerd.
 *
 * usage: rpc-bench [-c clients] [-n requests] [-r rate] [-R kib] socket
 *
 * Opens -c connections (default 64), one thread each; every thread sends
 * host.status back-to-back, -n times (default 2000), waiting for each
 * answer, and times each round trip on CLOCK_MONOTONIC.  Prints one line:
 *
 *   rpc host.status: 64 clients, 128000 requests, p50 X us, p99 Y us,
 *   max Z us, throughput T req/s
 *
 * With -R KIB, it first sends a reserve of KIB on a connection of its own,
 * waits until host.status shows it pending, measures, checks that the
 * reserve is still pending at the end (else says so), and closes that
 * connection, which cancels the reserve.  It starts nothing itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct client {
	pthread_t	 thread;
	int		 fd;
	int		 index;
	uint64_t	*lat_ns;	/* [arg_requests] */
	long		 errors;
	int		 failed;	/* I/O failure: stopped early */
	long		 done;
};

static const char	*arg_socket;
static long		 arg_clients = 64, arg_requests = 2000;
static long		 arg_rate;	/* per client, req/s; 0: back to back */
static long long	 arg_reserve_kib;

static pthread_barrier_t	start_barrier;

static void
usage(void)
{
	fprintf(stderr, "usage: rpc-bench [-c clients] [-n requests] [-r rate] "
	    "[-r rate] [-R kib] socket\n");
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A blocking connection to the daemon, or -1. */
static int
bench_connect(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    arg_socket) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "rpc-bench: %s: path too long\n", arg_socket);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "rpc-bench: connect %s: %s\n", arg_socket,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read one response line into buf (truncated to cap - 1 bytes), keeping
 * what follows it in pend (npend bytes) for the next call.
 */
static int
read_line(int fd, char *buf, size_t cap, char *pend, size_t *npend)
{
	size_t	len = 0, i;
	ssize_t	r;

	for (;;) {
		for (i = 0; i < *npend; i++)
			if (pend[i] == '\n')
				break;
		if (i < *npend) {
			size_t	take = i < cap - 1 - len ? i : cap - 1 - len;

			memcpy(buf + len, pend, take);
			len += take;
			buf[len] = '\0';
			memmove(pend, pend + i + 1, *npend - i - 1);
			*npend -= i + 1;
			return 0;
		}
		if (len + *npend < cap - 1) {
			memcpy(buf + len, pend, *npend);
			len += *npend;
		}
		*npend = 0;
		if ((r = read(fd, pend, 65536)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ECONNRESET;
		*npend = (size_t)r;
	}
}

/* Sleep until the absolute time t (CLOCK_MONOTONIC ns), if still ahead. */
static void
pace(uint64_t t)
{
	struct timespec	ts;

	if (now_ns() >= t)
		return;
	ts.tv_sec = (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

/*
 * One client: arg_requests round trips of host.status, back to back, or
 * one every 1/arg_rate s (a client with a steady load, as a toolstack's
 * monitoring is).
 */
static void *
client_run(void *arg)
{
	struct client	*c = arg;
	char		 req[128], resp[4096], want[48];
	char		*pend;
	size_t		 npend = 0;
	uint64_t	 t0, start;
	long		 i;
	int		 n;

	if ((pend = malloc(65536)) == NULL) {
		c->failed = 1;
		pthread_barrier_wait(&start_barrier);
		return NULL;
	}
	pthread_barrier_wait(&start_barrier);
	start = now_ns() + (uint64_t)c->index * 997 * 1000;	/* spread */
	for (i = 0; i < arg_requests; i++) {
		long	id = (long)c->index * 1000000 + i + 1;

		if (arg_rate > 0)
			pace(start + (uint64_t)i * 1000000000u /
			    (uint64_t)arg_rate);

		n = snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
		    "\"method\":\"host.status\"}\n", id);
		snprintf(want, sizeof(want), "\"id\":%ld,", id);
		t0 = now_ns();
		if (write_all(c->fd, req, (size_t)n) < 0 ||
		    read_line(c->fd, resp, sizeof(resp), pend, &npend) < 0) {
			c->failed = 1;
			break;
		}
		c->lat_ns[i] = now_ns() - t0;
		c->done++;
		if (strstr(resp, "\"result\"") == NULL ||
		    strstr(resp, want) == NULL)
			c->errors++;
	}
	free(pend);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The pending count from one host.status on a fresh connection, or -1. */
static long
status_pending(void)
{
	static const char	 req[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.status\"}\n";
	char			 resp[4096], pend[65536], *p;
	size_t			 npend = 0;
	long			 v = -1;
	int			 fd;

	if ((fd = bench_connect()) == -1)
		return -1;
	if (write_all(fd, req, sizeof(req) - 1) == 0 &&
	    read_line(fd, resp, sizeof(resp), pend, &npend) == 0 &&
	    (p = strstr(resp, "\"pending\":")) != NULL)
		v = strtol(p + strlen("\"pending\":"), NULL, 10);
	close(fd);
	return v;
}

/* Start the reserve on a connection of its own; wait until it is pending. */
static int
reserve_start(void)
{
	char	req[256];
	int	fd, n, i;

	if ((fd = bench_connect()) == -1)
		return -1;
	n = snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"reserve\",\"params\":{\"kib\":%lld,"
	    "\"session\":\"rpc-bench\"}}\n", arg_reserve_kib);
	if (write_all(fd, req, (size_t)n) < 0) {
		close(fd);
		return -1;
	}
	for (i = 0; i < 200; i++) {
		if (status_pending() >= 1)
			return fd;
		usleep(10000);
	}
	fprintf(stderr, "rpc-bench: the reserve of %lld KiB never showed as "
	    "pending\n", arg_reserve_kib);
	close(fd);
	return -1;
}

/* Whether the reserve's connection has an answer (or was closed). */
static int
reserve_answered(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

int
main(int argc, char **argv)
{
	struct client	*cs;
	uint64_t	*all, t0, wall;
	long		 i, k, total = 0, errors = 0;
	int		 ch, rfd = -1, failed = 0, answered = 0;
	char		 load[64];

	while ((ch = getopt(argc, argv, "c:n:r:R:")) != -1) {
		switch (ch) {
		case 'r':
			arg_rate = strtol(optarg, NULL, 10);
			break;
		case 'c':
			arg_clients = strtol(optarg, NULL, 10);
			break;
		case 'n':
			arg_requests = strtol(optarg, NULL, 10);
			break;
		case 'R':
			arg_reserve_kib = strtoll(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || arg_clients < 1 || arg_clients > 4096 ||
	    arg_requests < 1 || arg_requests > 10000000 ||
	    arg_reserve_kib < 0 || arg_rate < 0 || arg_rate > 1000000)
		usage();
	arg_socket = argv[optind];
	signal(SIGPIPE, SIG_IGN);

	if (arg_reserve_kib > 0 && (rfd = reserve_start()) == -1)
		return 1;
	if ((cs = calloc((size_t)arg_clients, sizeof(*cs))) == NULL)
		return 1;
	for (i = 0; i < arg_clients; i++) {
		cs[i].index = (int)i + 1;
		cs[i].lat_ns = calloc((size_t)arg_requests, sizeof(uint64_t));
		if (cs[i].lat_ns == NULL || (cs[i].fd = bench_connect()) == -1)
			return 1;
	}
	pthread_barrier_init(&start_barrier, NULL, (unsigned)arg_clients + 1);
	for (i = 0; i < arg_clients; i++)
		if (pthread_create(&cs[i].thread, NULL, client_run, &cs[i]) !=
		    0) {
			fprintf(stderr, "rpc-bench: pthread_create failed\n");
			return 1;
		}
	pthread_barrier_wait(&start_barrier);
	t0 = now_ns();
	for (i = 0; i < arg_clients; i++)
		pthread_join(cs[i].thread, NULL);
	wall = now_ns() - t0;
	if (rfd != -1) {
		answered = reserve_answered(rfd);
		close(rfd);		/* cancels the reserve */
	}

	for (i = 0; i < arg_clients; i++)
		total += cs[i].done;
	if ((all = malloc((size_t)(total ? total : 1) * sizeof(*all))) == NULL)
		return 1;
	for (i = 0, k = 0; i < arg_clients; i++) {
		memcpy(all + k, cs[i].lat_ns, (size_t)cs[i].done *
		    sizeof(*all));
		k += cs[i].done;
		errors += cs[i].errors;
		failed |= cs[i].failed;
		close(cs[i].fd);
		free(cs[i].lat_ns);
	}
	if (total == 0) {
		fprintf(stderr, "rpc-bench: no request completed\n");
		return 1;
	}
	qsort(all, (size_t)total, sizeof(*all), cmp_u64);
	if (arg_rate > 0)
		snprintf(load, sizeof(load), "%ld req/s each", arg_rate);
	else
		snprintf(load, sizeof(load), "back to back");
	printf("rpc host.status%s: %ld clients (%s), %ld requests, p50 %"
	    PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64 " us, throughput "
	    "%.0f req/s\n", rfd != -1 ? " with a pending reserve" : "",
	    arg_clients, load, total, all[(size_t)(total - 1) / 2] / 1000,
	    all[(size_t)((double)(total - 1) * 0.99)] / 1000,
	    all[total - 1] / 1000, (double)total * 1e9 / (double)wall);
	if (errors > 0)
		fprintf(stderr, "rpc-bench: %ld responses were not the "
		    "expected result\n", errors);
	if (failed)
		fprintf(stderr, "rpc-bench: a connection failed; %ld of %ld "
		    "requests done\n", total, arg_clients * arg_requests);
	if (answered)
		fprintf(stderr, "rpc-bench: the reserve was answered during "
		    "the measurement: part of it ran without a pending "
		    "reserve (use a slower host or a larger -R)\n");
	free(all);
	free(cs);
	return errors > 0 || failed || answered;
}
