/*
 * conns: connection-level tests of squeezerd's control socket.
 *
 *   conns hold [-n max] [-w ms] SOCKET
 *	Open connections one at a time, each asking host.status once, until
 *	one is refused (a "busy" error) or max are open; print "held N" and
 *	the refusal, then wait up to -w ms (default 30000) for the daemon to
 *	close every held one (idle), and print how long each had been idle.
 *	Exit 0 when all were closed, 1 otherwise.
 *   conns tick [-i ms] [-d ms] SOCKET
 *	One connection, host.status every -i ms (500) for -d ms (3000);
 *	exit 1 if a reply is missing or the connection is closed.
 *   conns pipe [-n count] SOCKET
 *	Pipeline count (10000) domain.list requests, ids 1..count, reading
 *	as fast as possible meanwhile; exit 1 unless every reply came, in
 *	order, as a result.
 *   conns mute [-n count] [-w ms] SOCKET
 *	Send up to count (10000) domain.list requests and never read; wait
 *	up to -w ms (30000) for the daemon to drop the connection.
 *   conns seq [-f file] [-w ms] SOCKET LINE...
 *	On one connection, send each LINE and print its reply; before each
 *	LINE but the first, wait (up to -w ms) until file exists, and
 *	remove it.
 *
 * Prints one line saying what happened (for the test's log).
 */
#define _GNU_SOURCE	/* POLLRDHUP */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char	*arg_socket;
static long		 arg_n = -1, arg_wait_ms = 30000, arg_every_ms = 500;
static long		 arg_for_ms = 3000;
static const char	*arg_file;

static const char	status_req[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.status\"}\n";

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
dial(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", arg_socket);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One line (without '\n') within ms; -1 on EOF, error or timeout. */
static int
read_line(int fd, char *buf, size_t cap, long ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	int64_t		until = now_ms() + ms;
	size_t		n = 0;
	ssize_t		r;

	for (;;) {
		if (poll(&pfd, 1, (int)(until - now_ms() > 0 ?
		    until - now_ms() : 0)) <= 0)
			return -1;
		if ((r = read(fd, buf + n, 1)) <= 0)
			return -1;
		if (buf[n] == '\n' || n + 2 >= cap) {
			buf[n] = '\0';
			return 0;
		}
		n++;
	}
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

static int
hold(void)
{
	struct pollfd	*pfd;
	int64_t		*since, t0, lo = -1, hi = -1;
	char		 line[1024], refusal[1024] = "(none)";
	long		 max = arg_n > 0 ? arg_n : 100000, n = 0, open, i;
	int		 fd;

	pfd = calloc((size_t)max, sizeof(*pfd));
	since = calloc((size_t)max, sizeof(*since));
	if (pfd == NULL || since == NULL)
		return 2;
	while (n < max) {
		if ((fd = dial()) == -1) {
			snprintf(refusal, sizeof(refusal), "connect: %s",
			    strerror(errno));
			break;
		}
		/* refused at once: the write may fail, the reply is there */
		(void)write_all(fd, status_req, sizeof(status_req) - 1);
		if (read_line(fd, line, sizeof(line), 10000) < 0) {
			snprintf(refusal, sizeof(refusal), "no reply");
			close(fd);
			break;
		}
		if (strstr(line, "\"result\"") == NULL) {
			snprintf(refusal, sizeof(refusal), "%s", line);
			close(fd);
			break;
		}
		pfd[n].fd = fd;
		pfd[n].events = POLLIN | POLLRDHUP;
		since[n++] = now_ms();
	}
	printf("held %ld; then: %s\n", n, refusal);
	fflush(stdout);
	t0 = now_ms();
	for (open = n; open > 0 && now_ms() - t0 < arg_wait_ms;) {
		if (poll(pfd, (nfds_t)n, 100) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			if (read(pfd[i].fd, line, sizeof(line)) > 0)
				continue;	/* not expected: ignored */
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open--;
			since[i] = now_ms() - since[i];
			if (lo < 0 || since[i] < lo)
				lo = since[i];
			if (since[i] > hi)
				hi = since[i];
		}
	}
	printf("closed by the daemon: %ld of %ld, after %lld to %lld ms "
	    "idle\n", n - open, n, (long long)lo, (long long)hi);
	return open == 0 && n > 0 ? 0 : 1;
}

static int
tick(void)
{
	char	line[4096];
	int64_t	t0 = now_ms();
	long	n = 0;
	int	fd;

	if ((fd = dial()) == -1) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	while (now_ms() - t0 < arg_for_ms) {
		if (write_all(fd, status_req, sizeof(status_req) - 1) < 0 ||
		    read_line(fd, line, sizeof(line), 10000) < 0 ||
		    strstr(line, "\"result\"") == NULL) {
			printf("request %ld after %lld ms: no reply, the "
			    "connection was closed\n", n + 1,
			    (long long)(now_ms() - t0));
			return 1;
		}
		n++;
		usleep((useconds_t)arg_every_ms * 1000);
	}
	printf("%ld requests %ld ms apart over %lld ms on one connection: all "
	    "answered\n", n, arg_every_ms, (long long)(now_ms() - t0));
	close(fd);
	return 0;
}

/* The next complete reply line in buf: its id must be want. */
static int
check_reply(const char *line, long want)
{
	char	pat[64];

	snprintf(pat, sizeof(pat), "\"id\":%ld,\"result\":", want);
	return strstr(line, pat) != NULL ? 0 : -1;
}

static int
pipeline(void)
{
	struct pollfd	 pfd;
	char		*out, *in, *nl, *p;
	size_t		 olen = 0, sent = 0, ilen = 0, icap = 1 << 20, k;
	long		 count = arg_n > 0 ? arg_n : 10000, got = 0, i;
	int64_t		 t0;
	ssize_t		 r;
	int		 fd;

	out = malloc((size_t)count * 80);
	in = malloc(icap);
	if (out == NULL || in == NULL || (fd = dial()) == -1)
		return 2;
	for (i = 1; i <= count; i++)
		olen += (size_t)sprintf(out + olen, "{\"jsonrpc\":\"2.0\","
		    "\"id\":%ld,\"method\":\"domain.list\"}\n", i);
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	t0 = now_ms();
	while (got < count) {
		pfd = (struct pollfd){ fd, POLLIN | (sent < olen ? POLLOUT :
		    0), 0 };
		if (poll(&pfd, 1, 10000) <= 0) {
			printf("stalled: %ld of %ld replies, %zu of %zu bytes "
			    "sent\n", got, count, sent, olen);
			return 1;
		}
		if ((pfd.revents & POLLOUT) && (r = write(fd, out + sent,
		    olen - sent)) > 0)
			sent += (size_t)r;
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((r = read(fd, in + ilen, icap - ilen - 1)) <= 0) {
			printf("dropped by the daemon after %ld of %ld replies "
			    "(%zu of %zu bytes sent)\n", got, count, sent,
			    olen);
			return 1;
		}
		ilen += (size_t)r;
		in[ilen] = '\0';
		for (p = in; (nl = memchr(p, '\n', ilen - (size_t)(p - in)));
		    p = nl + 1) {
			*nl = '\0';
			if (check_reply(p, ++got) < 0) {
				printf("reply %ld is not domain.list id %ld: "
				    "%.120s\n", got, got, p);
				return 1;
			}
		}
		k = ilen - (size_t)(p - in);
		memmove(in, p, k);
		ilen = k;
		if (ilen + 1 >= icap) {
			printf("a reply longer than %zu bytes\n", icap);
			return 1;
		}
	}
	printf("%ld pipelined domain.list: %ld replies, in order, in %lld "
	    "ms\n", count, got, (long long)(now_ms() - t0));
	close(fd);
	free(out);
	free(in);
	return 0;
}

static int
mute(void)
{
	static const char	req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"domain.list\"}\n";
	struct pollfd		pfd;
	long			count = arg_n > 0 ? arg_n : 10000, n = 0;
	int64_t			t0, stuck = 0;
	size_t			off = 0;
	ssize_t			r;
	int			fd;

	if ((fd = dial()) == -1)
		return 2;
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	t0 = now_ms();
	while (n < count && now_ms() - t0 < arg_wait_ms) {
		r = send(fd, req + off, sizeof(req) - 1 - off, MSG_NOSIGNAL);
		if (r > 0) {
			off += (size_t)r;
			if (off == sizeof(req) - 1) {
				off = 0;
				n++;
			}
			stuck = 0;
			continue;
		}
		if (r < 0 && errno != EAGAIN)
			break;		/* dropped while sending */
		if (stuck == 0)
			stuck = now_ms();
		else if (now_ms() - stuck > 1000)
			break;		/* the daemon reads no more */
		usleep(10000);
	}
	printf("sent %ld requests in %lld ms, never reading; ", n,
	    (long long)(now_ms() - t0));
	t0 = now_ms();
	pfd = (struct pollfd){ fd, POLLRDHUP, 0 };
	while (now_ms() - t0 < arg_wait_ms) {
		if (poll(&pfd, 1, 100) > 0 &&
		    (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			printf("dropped by the daemon %lld ms later\n",
			    (long long)(now_ms() - t0));
			close(fd);
			return 0;
		}
	}
	printf("still connected after %ld ms\n", arg_wait_ms);
	close(fd);
	return 1;
}

/* Wait until arg_file exists, then remove it. */
static int
wait_file(void)
{
	int64_t	t0 = now_ms();

	while (access(arg_file, F_OK) == -1) {
		if (now_ms() - t0 > arg_wait_ms)
			return -1;
		usleep(20000);
	}
	return unlink(arg_file);
}

static int
seq(char **lines, int n)
{
	char	line[65536];
	int	fd, i;

	if ((fd = dial()) == -1) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && arg_file != NULL && wait_file() < 0) {
			printf("%s never came\n", arg_file);
			return 1;
		}
		if (write_all(fd, lines[i], strlen(lines[i])) < 0 ||
		    write_all(fd, "\n", 1) < 0 ||
		    read_line(fd, line, sizeof(line), 10000) < 0) {
			printf("no reply to line %d\n", i + 1);
			return 1;
		}
		printf("%s\n", line);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rlimit	 rl;
	const char	*mode;
	int		 ch;

	if (argc < 2) {
		fprintf(stderr, "usage: conns hold|tick|pipe|mute|seq "
		    "[-n count] [-w ms] [-i ms] [-d ms] [-f file] socket "
		    "[line ...]\n");
		return 2;
	}
	mode = argv[1];
	optind = 2;
	while ((ch = getopt(argc, argv, "d:f:i:n:w:")) != -1) {
		switch (ch) {
		case 'f': arg_file = optarg; break;
		case 'd': arg_for_ms = atol(optarg); break;
		case 'i': arg_every_ms = atol(optarg); break;
		case 'n': arg_n = atol(optarg); break;
		case 'w': arg_wait_ms = atol(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind < 1 || (argc - optind != 1 &&
	    strcmp(mode, "seq") != 0))
		return 2;
	arg_socket = argv[optind];
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (strcmp(mode, "hold") == 0)
		return hold();
	if (strcmp(mode, "tick") == 0)
		return tick();
	if (strcmp(mode, "pipe") == 0)
		return pipeline();
	if (strcmp(mode, "mute") == 0)
		return mute();
	if (strcmp(mode, "seq") == 0)
		return seq(argv + optind + 1, argc - optind - 1);
	fprintf(stderr, "conns: unknown mode %s\n", mode);
	return 2;
}
