/*
 * rpcc: a raw line client for squeezerd's control socket, for tests.
 *
 * usage: rpcc [-cqTx] [-d ms] [-f file] [-n count] [-r data] [-t ms]
 *             [-W ms] socket
 *
 * Sends standard input as-is (a final newline is added if missing), or the
 * bytes of -r (with \xNN escapes, nothing added) or of -f, on one
 * connection, then prints every response line as it arrives until as many
 * responses as request lines were read (-n overrides the count).  Sending
 * and reading are interleaved, so any number of requests may be pipelined.
 *
 *	-c	close the connection right after sending; read nothing
 *	-d ms	wait this long after sending (before closing with -c)
 *	-q	do not print responses
 *	-T	prefix each response with the milliseconds since connecting
 *	-x	shut down the sending side after sending, then read
 *	-W ms	retry connecting for this long (daemon start-up)
 *
 * Exit status: 0 success, 1 usage, 2 connect or I/O error, 3 timeout (-t,
 * default 10000 ms), 4 end of file before the expected responses.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE	1
#define EXIT_IO		2
#define EXIT_TIMEOUT	3
#define EXIT_EOF	4

struct buf {
	char	*p;
	size_t	 len, cap;
};

static struct buf	out, in;	/* what is sent, what is read */
static int	arg_close, arg_quiet, arg_stamp, arg_halfclose;
static long	arg_delay_ms, arg_timeout_ms = 10000, arg_wait_ms;
static long	arg_count = -1;

static void
usage(void)
{
	fprintf(stderr, "usage: rpcc [-cqTx] [-d ms] [-f file] [-n count] "
	    "[-r data] [-t ms] [-W ms] socket\n");
	exit(EXIT_USAGE);
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append n bytes, growing the buffer; dies when memory runs out. */
static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t	cap = b->cap ? b->cap : 4096;

		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL) {
			perror("rpcc: realloc");
			exit(EXIT_IO);
		}
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Read a whole stream. */
static void
buf_read_fd(struct buf *b, int fd)
{
	char	tmp[65536];
	ssize_t	n;

	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("rpcc: read");
			exit(EXIT_IO);
		}
		buf_add(b, tmp, (size_t)n);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode \xNN escapes; every other byte is taken literally. */
static void
buf_unescape(struct buf *b, const char *s)
{
	unsigned char	c;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 'x' && hexval(s[2]) >= 0 &&
		    hexval(s[3]) >= 0) {
			c = (unsigned char)(hexval(s[2]) * 16 + hexval(s[3]));
			buf_add(b, &c, 1);
			s += 4;
		} else
			buf_add(b, s++, 1);
	}
}

static long
count_lines(const struct buf *b)
{
	long	n = 0;
	size_t	i;

	for (i = 0; i < b->len; i++)
		if (b->p[i] == '\n')
			n++;
	return n;
}

/* Connect, retrying for arg_wait_ms while the socket is not there yet. */
static int
connect_socket(const char *path)
{
	struct sockaddr_un	sun;
	int64_t			until = now_ms() + arg_wait_ms;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    sizeof(sun.sun_path)) {
		fprintf(stderr, "rpcc: %s: socket path too long\n", path);
		exit(EXIT_USAGE);
	}
	for (;;) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
			perror("rpcc: socket");
			exit(EXIT_IO);
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		if (now_ms() >= until) {
			fprintf(stderr, "rpcc: connect %s: %s\n", path,
			    strerror(errno));
			exit(EXIT_IO);
		}
		close(fd);
		usleep(20000);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		perror("rpcc: fcntl");
		exit(EXIT_IO);
	}
	return fd;
}

/* Print the complete lines in the input buffer; return how many. */
static long
flush_lines(struct buf *rb, int64_t t0, int final)
{
	char	*nl, *p = rb->p;
	long	 n = 0;
	size_t	 rest;

	while (p != NULL && (nl = memchr(p, '\n', rb->len - (size_t)(p -
	    rb->p))) != NULL) {
		if (!arg_quiet) {
			if (arg_stamp)
				printf("%lld ", (long long)(now_ms() - t0));
			fwrite(p, 1, (size_t)(nl - p) + 1, stdout);
		}
		p = nl + 1;
		n++;
	}
	if (p == NULL)
		return 0;
	rest = rb->len - (size_t)(p - rb->p);
	if (final && rest > 0) {
		/* a partial last line: show it, it is a protocol error */
		if (!arg_quiet) {
			fwrite(p, 1, rest, stdout);
			putchar('\n');
		}
		rest = 0;
	}
	memmove(rb->p, p, rest);
	rb->len = rest;
	fflush(stdout);
	return n;
}

/* Release the buffers and return the exit status. */
static int
finish(int rc)
{
	free(out.p);
	free(in.p);
	return rc;
}

int
main(int argc, char **argv)
{
	struct pollfd	 pfd;
	const char	*raw = NULL, *file = NULL;
	char		 tmp[65536];
	size_t		 sent = 0;
	int64_t		 t0, deadline;
	long		 got = 0;
	ssize_t		 n;
	int		 ch, fd, wr_done = 0, eof = 0, ffd;

	while ((ch = getopt(argc, argv, "cd:f:n:qr:t:TW:x")) != -1) {
		switch (ch) {
		case 'c':
			arg_close = 1;
			break;
		case 'd':
			arg_delay_ms = atol(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			arg_count = atol(optarg);
			break;
		case 'q':
			arg_quiet = 1;
			break;
		case 'r':
			raw = optarg;
			break;
		case 't':
			arg_timeout_ms = atol(optarg);
			break;
		case 'T':
			arg_stamp = 1;
			break;
		case 'W':
			arg_wait_ms = atol(optarg);
			break;
		case 'x':
			arg_halfclose = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || (raw != NULL && file != NULL))
		usage();

	if (raw != NULL)
		buf_unescape(&out, raw);
	else if (file != NULL) {
		if ((ffd = open(file, O_RDONLY)) == -1) {
			fprintf(stderr, "rpcc: %s: %s\n", file, strerror(errno));
			return finish(EXIT_USAGE);
		}
		buf_read_fd(&out, ffd);
		close(ffd);
	} else {
		buf_read_fd(&out, STDIN_FILENO);
		if (out.len > 0 && out.p[out.len - 1] != '\n')
			buf_add(&out, "\n", 1);
	}
	if (arg_count < 0)
		arg_count = count_lines(&out);

	signal(SIGPIPE, SIG_IGN);
	fd = connect_socket(argv[optind]);
	t0 = now_ms();
	deadline = t0 + arg_timeout_ms;

	for (;;) {
		int64_t	left = deadline - now_ms();

		if (wr_done && (arg_close || got >= arg_count || eof))
			break;
		if (left <= 0) {
			fprintf(stderr, "rpcc: timeout after %ld ms: %ld of %ld "
			    "responses, %zu of %zu bytes sent\n", arg_timeout_ms,
			    got, arg_count, sent, out.len);
			flush_lines(&in, t0, 1);
			return finish(EXIT_TIMEOUT);
		}
		pfd.fd = fd;
		pfd.events = (wr_done ? 0 : POLLOUT) |
		    (arg_close || eof ? 0 : POLLIN);
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(left > 100 ? 100 : left)) == -1) {
			if (errno == EINTR)
				continue;
			perror("rpcc: poll");
			return finish(EXIT_IO);
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, tmp, sizeof(tmp));
			if (n > 0) {
				buf_add(&in, tmp, (size_t)n);
				got += flush_lines(&in, t0, 0);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				if (n < 0 && errno != ECONNRESET)
					perror("rpcc: read");
				eof = 1;
				got += flush_lines(&in, t0, 1);
				if (!wr_done)
					break;
			}
		}
		if (!wr_done && (pfd.revents & POLLOUT)) {
			n = write(fd, out.p + sent, out.len - sent);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				perror("rpcc: write");
				return finish(EXIT_IO);
			}
			if (n > 0)
				sent += (size_t)n;
		}
		if (!wr_done && sent == out.len) {
			wr_done = 1;
			if (arg_delay_ms > 0)
				usleep((useconds_t)arg_delay_ms * 1000);
			if (arg_halfclose && shutdown(fd, SHUT_WR) == -1) {
				perror("rpcc: shutdown");
				return finish(EXIT_IO);
			}
		}
	}
	close(fd);
	if (!arg_close && got < arg_count) {
		fprintf(stderr, "rpcc: end of file after %ld of %ld responses\n",
		    got, arg_count);
		return finish(EXIT_EOF);
	}
	return finish(0);
}
