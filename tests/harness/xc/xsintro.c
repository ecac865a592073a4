/*
 * xsintro -- the toolstack side of domain life-cycle, for harness tests,
 * through the real libxenstore ($XENSTORED_PATH):
 *
 *	xsintro introduce D [PORT]	XS_INTRODUCE (port > 0, default 1)
 *	xsintro release D		XS_RELEASE
 *	xsintro is-introduced D		prints T or F
 *	xsintro wait-release D MS	watch @releaseDomain, print READY,
 *					and exit 0 once D is released
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

#define XSINTRO_TOKEN	"xsintro"

static void
usage(void)
{
	fprintf(stderr, "usage: xsintro introduce D [PORT] | release D | "
	    "is-introduced D | wait-release D TIMEOUT_MS\n");
	exit(2);
}

/* Parse a decimal number, digits only. */
static unsigned int
xsintro_num(const char *s)
{
	char		*end;
	unsigned long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > 0x7fffffffUL)
		usage();
	return (unsigned int)v;
}

/* Monotonic milliseconds. */
static long long
xsintro_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to deadline for a watch event; 0 if one came, -ETIMEDOUT. */
static int
xsintro_wait_event(struct xs_handle *xsh, long long deadline)
{
	struct pollfd	 pfd = { .fd = xs_fileno(xsh), .events = POLLIN };
	char		**ev;
	long long	 left;

	for (;;) {
		if ((ev = xs_check_watch(xsh)) != NULL) {
			free(ev);
			return 0;
		}
		if (errno != EAGAIN)
			return -errno;
		if ((left = deadline - xsintro_now_ms()) <= 0)
			return -ETIMEDOUT;
		(void)poll(&pfd, 1, left > 100 ? 100 : (int)left);
	}
}

/* Block until domid is released (an @releaseDomain event and F). */
static int
xsintro_wait_release(struct xs_handle *xsh, unsigned int domid,
    unsigned int timeout_ms)
{
	long long	deadline = xsintro_now_ms() + timeout_ms;
	int		rc;

	if (!xs_watch(xsh, "@releaseDomain", XSINTRO_TOKEN)) {
		perror("xsintro: xs_watch @releaseDomain");
		return 1;
	}
	if ((rc = xsintro_wait_event(xsh, deadline)) < 0) {
		fprintf(stderr, "xsintro: no initial watch event: %s\n",
		    strerror(-rc));
		return 1;
	}
	printf("READY\n");
	(void)fflush(stdout);
	for (;;) {
		if ((rc = xsintro_wait_event(xsh, deadline)) < 0) {
			fprintf(stderr, "xsintro: dom %u: no @releaseDomain: "
			    "%s\n", domid, strerror(-rc));
			return 1;
		}
		if (!xs_is_domain_introduced(xsh, domid)) {
			printf("RELEASED %u\n", domid);
			return 0;
		}
	}
}

int
main(int argc, char *argv[])
{
	struct xs_handle	*xsh;
	unsigned int		 domid;
	int			 rc = 1;

	if (argc < 3)
		usage();
	if (getenv("XENSTORED_PATH") == NULL) {
		fprintf(stderr, "xsintro: XENSTORED_PATH is not set\n");
		return 1;
	}
	domid = xsintro_num(argv[2]);
	if ((xsh = xs_open(0)) == NULL) {
		perror("xsintro: xs_open");
		return 1;
	}
	if (strcmp(argv[1], "introduce") == 0 && argc <= 4) {
		rc = !xs_introduce_domain(xsh, domid, 0,
		    argc == 4 ? xsintro_num(argv[3]) : 1);
		if (rc)
			perror("xsintro: xs_introduce_domain");
	} else if (strcmp(argv[1], "release") == 0 && argc == 3) {
		rc = !xs_release_domain(xsh, domid);
		if (rc)
			perror("xsintro: xs_release_domain");
	} else if (strcmp(argv[1], "is-introduced") == 0 && argc == 3) {
		printf("%s\n", xs_is_domain_introduced(xsh, domid) ? "T" : "F");
		rc = 0;
	} else if (strcmp(argv[1], "wait-release") == 0 && argc == 4)
		rc = xsintro_wait_release(xsh, domid, xsintro_num(argv[3]));
	else
		usage();
	xs_close(xsh);
	return rc;
}
