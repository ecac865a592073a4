/*
 * loadgen: many clients against one squeezerd, for the load suite.
 *
 *   loadgen [-c clients] [-n total] [-s slow] [-q quiet] SOCKET
 *   loadgen -H n SOCKET
 *
 * clients threads share `total' requests of mixed kinds (host.status,
 * domain.list, reservation.list, plan, config.get, a small reserve and its
 * delete, a bad line), each checking it gets one well-formed reply per
 * request; meanwhile `slow' clients dribble a request one byte every 100 ms
 * and `quiet' clients send requests and never read.  Prints what happened;
 * exit 1 if any request went unanswered or got a wrong reply.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char	*arg_socket;
static long		 arg_clients = 256, arg_total = 100000;
static long		 arg_slow = 8, arg_quiet = 8, arg_hold;

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static long		 next_req, n_ok, n_bad;
static volatile int	 stop_side;

static int
dial(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", arg_socket);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
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
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One reply line into buf; the rest stays in pend. */
static int
read_line(int fd, char *buf, size_t cap, char *pend, size_t *np)
{
	char	*nl;
	ssize_t	 r;
	size_t	 len;

	for (;;) {
		if ((nl = memchr(pend, '\n', *np)) != NULL) {
			len = (size_t)(nl - pend);
			if (len >= cap)
				len = cap - 1;
			memcpy(buf, pend, len);
			buf[len] = '\0';
			len = (size_t)(nl - pend) + 1;
			memmove(pend, pend + len, *np - len);
			*np -= len;
			return 0;
		}
		if (*np >= 65536)
			return -1;
		if ((r = read(fd, pend + *np, 65536 - *np)) <= 0)
			return -1;
		*np += (size_t)r;
	}
}

/* The i-th request of the mix, and what its reply must contain. */
static int
mix(long i, char *req, size_t len, const char **want)
{
	static const char *const kinds[] = {
		"host.status", "domain.list", "reservation.list", "config.get",
		"reservation.pending",
	};

	switch (i % 10) {
	case 7:
		*want = "\"result\"";
		return snprintf(req, len, "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
		    "\"method\":\"plan\",\"params\":{\"kib\":1024}}\n", i);
	case 8:
		*want = "\"error\"";
		return snprintf(req, len, "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
		    "\"method\":\"reserve\",\"params\":{\"kib\":-%ld}}\n", i, i);
	case 9:
		*want = "\"result\":\"";	/* squeezed v1 */
		return snprintf(req, len, "{\"method\":\"get_diagnostics\","
		    "\"params\":[\"load\"],\"id\":%ld}\n", i);
	default:
		*want = "\"result\"";
		return snprintf(req, len, "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
		    "\"method\":\"%s\"}\n", i, kinds[i % 5]);
	}
}

static void *
client(void *arg)
{
	char		 req[256], *resp, *pend;
	const char	*want;
	size_t		 np = 0;
	long		 i, ok = 0, bad = 0;
	int		 fd, n;

	(void)arg;
	resp = malloc(65536);
	pend = malloc(65536);
	if ((fd = dial()) == -1 || resp == NULL || pend == NULL) {
		pthread_mutex_lock(&mu);
		n_bad++;
		pthread_mutex_unlock(&mu);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&mu);
		i = next_req < arg_total ? next_req++ : -1;
		pthread_mutex_unlock(&mu);
		if (i < 0)
			break;
		n = mix(i, req, sizeof(req), &want);
		if (write_all(fd, req, (size_t)n) < 0 ||
		    read_line(fd, resp, 65536, pend, &np) < 0) {
			bad++;
			break;
		}
		if (strstr(resp, want) != NULL)
			ok++;
		else
			bad++;
	}
	close(fd);
	free(resp);
	free(pend);
	pthread_mutex_lock(&mu);
	n_ok += ok;
	n_bad += bad;
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* One byte every 100 ms, forever (until told to stop). */
static void *
slow(void *arg)
{
	static const char	req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"host.status\"}\n";
	struct timespec		ts = { 0, 100000000 };
	size_t			i = 0;
	int			fd;

	(void)arg;
	if ((fd = dial()) == -1)
		return NULL;
	while (!stop_side) {
		if (write(fd, req + i % (sizeof(req) - 1), 1) != 1)
			break;
		i++;
		nanosleep(&ts, NULL);
	}
	close(fd);
	return NULL;
}

/* Requests, never a read: the daemon must not wait for these. */
static void *
quiet(void *arg)
{
	static const char	req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"domain.list\"}\n";
	struct timespec		ts = { 0, 10000000 };
	int			fd;

	(void)arg;
	if ((fd = dial()) == -1)
		return NULL;
	while (!stop_side) {
		if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL |
		    MSG_DONTWAIT) < 0 && errno != EAGAIN)
			break;
		nanosleep(&ts, NULL);
	}
	close(fd);
	return NULL;
}

/*
 * -H n: hold n idle connections, then one more must be refused politely
 * (one "busy" error line) when n reaches the daemon's limit.
 */
static int
hold(long n)
{
	struct rlimit	 rl;
	struct timeval	 tv = { 3, 0 };
	char		 line[512];
	ssize_t		 r;
	long		 i;
	int		 fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < n; i++)
		if (dial() == -1) {
			fprintf(stderr, "loadgen: connection %ld: %s\n", i,
			    strerror(errno));
			return 1;
		}
	sleep(1);	/* let the daemon accept them all */
	if ((fd = dial()) == -1) {
		fprintf(stderr, "loadgen: one more: %s\n", strerror(errno));
		return 1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r = read(fd, line, sizeof(line) - 1);
	line[r > 0 ? r : 0] = '\0';
	printf("load: %ld connections held, one more: %s", n, r > 0 ? line :
	    "(no reply)\n");
	return strstr(line, "\"busy\"") != NULL ? 0 : 1;
}

int
main(int argc, char **argv)
{
	pthread_t	*t, *side;
	struct timespec	 a, b;
	long		 i;
	int		 ch;
	double		 secs;

	while ((ch = getopt(argc, argv, "c:n:s:q:H:")) != -1) {
		switch (ch) {
		case 'H': arg_hold = strtol(optarg, NULL, 10); break;
		case 'c': arg_clients = strtol(optarg, NULL, 10); break;
		case 'n': arg_total = strtol(optarg, NULL, 10); break;
		case 's': arg_slow = strtol(optarg, NULL, 10); break;
		case 'q': arg_quiet = strtol(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: loadgen [-c clients] [-n total] "
			    "[-s slow] [-q quiet] socket\n");
			return 2;
		}
	}
	if (argc - optind != 1 || arg_clients < 1 || arg_total < 1 ||
	    arg_slow < 0 || arg_quiet < 0)
		return 2;
	arg_socket = argv[optind];
	if (arg_hold > 0)
		return hold(arg_hold);
	t = calloc((size_t)arg_clients, sizeof(*t));
	side = calloc((size_t)(arg_slow + arg_quiet + 1), sizeof(*side));
	if (t == NULL || side == NULL)
		return 1;
	for (i = 0; i < arg_slow; i++)
		pthread_create(&side[i], NULL, slow, NULL);
	for (i = 0; i < arg_quiet; i++)
		pthread_create(&side[arg_slow + i], NULL, quiet, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < arg_clients; i++)
		pthread_create(&t[i], NULL, client, NULL);
	for (i = 0; i < arg_clients; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	stop_side = 1;
	for (i = 0; i < arg_slow + arg_quiet; i++)
		pthread_join(side[i], NULL);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec -
	    a.tv_nsec) / 1e9;
	printf("load: %ld clients, %ld requests of mixed kinds in %.2f s "
	    "(%.0f req/s) beside %ld slow and %ld never-reading clients: %ld "
	    "right replies, %ld wrong or missing\n", arg_clients, arg_total,
	    secs, (double)arg_total / secs, arg_slow, arg_quiet, n_ok, n_bad);
	free(t);
	free(side);
	return n_bad == 0 && n_ok == arg_total ? 0 : 1;
}
