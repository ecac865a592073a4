/*
 * xs-react: how fast squeezerd reacts.  Snapshot a xenstore key, cause
 * something (write a key, or send one RPC line to the daemon), and time
 * until the key's value changes, watching it through the real libxenstore.
 *
 * usage: xs-react WATCHKEY write PATH VALUE
 *        xs-react WATCHKEY rpc SOCKET JSON-LINE
 * prints the milliseconds; exit 1 on a timeout (5 s) or an error.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#define TIMEOUT_MS	5000

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *
readkey(struct xs_handle *h, const char *key)
{
	unsigned int	len;
	char		*v = xs_read(h, XBT_NULL, key, &len);

	return v != NULL ? v : strdup("");
}

/* Send one line to the daemon; the connection stays open (not read). */
static int
rpc_send(const char *path, const char *line)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    write(fd, "\n", 1) != 1) {
		perror("xs-react: rpc");
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct xs_handle	*h;
	struct pollfd		 pfd;
	char			*before, *now, **ev;
	double			 t0;
	int			 fd = -1;

	if (argc != 5 || (strcmp(argv[2], "write") != 0 &&
	    strcmp(argv[2], "rpc") != 0)) {
		fprintf(stderr, "usage: xs-react KEY write PATH VALUE | "
		    "xs-react KEY rpc SOCKET LINE\n");
		return 2;
	}
	if ((h = xs_open(0)) == NULL || !xs_watch(h, argv[1], "r")) {
		perror("xs-react: xenstore");
		return 1;
	}
	before = readkey(h, argv[1]);
	while ((ev = xs_read_watch(h, &(unsigned int){ 0 })) != NULL) {
		free(ev);		/* the initial event */
		break;
	}
	t0 = now_ms();
	if (strcmp(argv[2], "write") == 0) {
		if (!xs_write(h, XBT_NULL, argv[3], argv[4], strlen(argv[4]))) {
			perror("xs-react: write");
			return 1;
		}
	} else if ((fd = rpc_send(argv[3], argv[4])) < 0)
		return 1;
	pfd = (struct pollfd){ xs_fileno(h), POLLIN, 0 };
	while (now_ms() - t0 < TIMEOUT_MS) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		while ((ev = xs_check_watch(h)) != NULL)
			free(ev);
		now = readkey(h, argv[1]);
		if (strcmp(now, before) != 0) {
			printf("%.1f\n", now_ms() - t0);
			return 0;
		}
		free(now);
	}
	fprintf(stderr, "xs-react: %s did not change in %d ms\n", argv[1],
	    TIMEOUT_MS);
	if (fd >= 0)
		close(fd);
	return 1;
}
