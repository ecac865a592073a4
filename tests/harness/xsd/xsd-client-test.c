/*
 * xsd-client-test: check a xenstore server through the real libxenstore.
 *
 * usage: xsd-client-test [-n] [-p NPROC] [-i NITER]
 * XENSTORED_PATH must name the server's socket.  -n skips the fault
 * injection tests (for servers without xsd-sim's XS_CONTROL commands).
 * Prints one "ok"/"not ok" line per check and a summary; exits 1 on failure.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>
#include <xen/io/xs_wire.h>

#define EV_WAIT_MS	2000
#define EV_QUIET_MS	150
#define EVLOG_MAX	64

/* Events seen while waiting, as "path token". */
struct evlog {
	char	*el_ev[EVLOG_MAX];
	int	 el_n;
};

struct tally {
	int	t_pass, t_fail;
};

/* Record one check; print it TAP-style. */
static bool __attribute__((format(printf, 3, 4)))
check(struct tally *t, bool ok, const char *fmt, ...)
{
	va_list	ap;

	printf("%s %d - ", ok ? "ok" : "not ok", t->t_pass + t->t_fail + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		t->t_pass++;
	else
		t->t_fail++;
	return ok;
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct xs_handle *
xopen(void)
{
	struct xs_handle	*h = xs_open(0);

	if (h == NULL) {
		perror("xs_open");
		exit(1);
	}
	return h;
}

static void
evlog_clear(struct evlog *l)
{
	while (l->el_n > 0)
		free(l->el_ev[--l->el_n]);
}

static bool
evlog_has(const struct evlog *l, const char *path, const char *token)
{
	char	want[512];
	int	i;

	snprintf(want, sizeof(want), "%s %s", path, token);
	for (i = 0; i < l->el_n; i++)
		if (strcmp(l->el_ev[i], want) == 0)
			return true;
	return false;
}

/*
 * Poll xs_fileno and drain xs_check_watch into L until PATH/TOKEN shows up
 * (PATH NULL: until MS pass).  Returns whether it showed up.
 */
static bool
ev_wait(struct xs_handle *h, const char *path, const char *token, int ms,
    struct evlog *l)
{
	struct pollfd	 pfd = { .fd = xs_fileno(h), .events = POLLIN };
	uint64_t	 end = now_ms() + (uint64_t)ms;
	char		**v, buf[512];

	for (;;) {
		while ((v = xs_check_watch(h)) != NULL) {
			snprintf(buf, sizeof(buf), "%s %s", v[XS_WATCH_PATH],
			    v[XS_WATCH_TOKEN]);
			free(v);
			if (l->el_n < EVLOG_MAX)
				l->el_ev[l->el_n++] = strdup(buf);
		}
		if (path != NULL && evlog_has(l, path, token))
			return true;
		if (errno != EAGAIN || now_ms() >= end)
			return false;
		(void)poll(&pfd, 1, (int)(end - now_ms()));
	}
}

/* Whether exactly ONE event arrived within a short quiet period. */
static int
ev_count(struct xs_handle *h, int ms)
{
	struct evlog	l = { .el_n = 0 };
	int		n;

	(void)ev_wait(h, NULL, NULL, ms, &l);
	n = l.el_n;
	evlog_clear(&l);
	return n;
}

static bool
read_is(struct xs_handle *h, xs_transaction_t t, const char *path,
    const char *want)
{
	unsigned int	 len;
	char		*v = xs_read(h, t, path, &len);
	bool		 ok;

	ok = v != NULL && strlen(want) == len && memcmp(v, want, len) == 0;
	free(v);
	return ok;
}

static bool
write_str(struct xs_handle *h, xs_transaction_t t, const char *path,
    const char *v)
{
	return xs_write(h, t, path, v, (unsigned int)strlen(v));
}

static bool
fails_with(bool ok, int err)
{
	return !ok && errno == err;
}

static bool
control(struct xs_handle *h, const char *cmd, const char *args)
{
	char	 buf[128], *p, *r;
	size_t	 len = strlen(args) + 1;

	snprintf(buf, sizeof(buf), "%s", args);
	for (p = buf; (p = strchr(p, ' ')) != NULL; )
		*p++ = '\0';
	r = xs_control_command(h, cmd, buf, args[0] == '\0' ? 0 :
	    (unsigned int)len);
	free(r);
	return r != NULL;
}

static void
test_basic(struct tally *t)
{
	struct xs_handle	*h = xopen();
	unsigned int		 n;
	char			*p, **d;

	p = xs_get_domain_path(h, 5);
	check(t, p != NULL && strcmp(p, "/local/domain/5") == 0,
	    "get_domain_path(5) = %s", p ? p : "NULL");
	free(p);
	p = xs_read(h, XBT_NULL, "/t/missing", &n);
	check(t, p == NULL && errno == ENOENT, "read missing node: ENOENT");
	free(p);
	check(t, write_str(h, XBT_NULL, "/t/b/k", "v1") &&
	    read_is(h, XBT_NULL, "/t/b/k", "v1"), "write creates parents, read");
	check(t, xs_write(h, XBT_NULL, "/t/b/empty", "", 0) &&
	    read_is(h, XBT_NULL, "/t/b/empty", ""), "empty value");
	check(t, xs_mkdir(h, XBT_NULL, "/t/b/dir") && xs_mkdir(h, XBT_NULL,
	    "/t/b/dir") && read_is(h, XBT_NULL, "/t/b/dir", ""), "mkdir twice");
	d = xs_directory(h, XBT_NULL, "/t/b", &n);
	check(t, d != NULL && n == 3, "directory has 3 entries (%u)", n);
	free(d);
	check(t, write_str(h, XBT_NULL, "rel/x", "r") &&
	    read_is(h, XBT_NULL, "/local/domain/0/rel/x", "r"),
	    "relative path is under /local/domain/0");
	check(t, xs_rm(h, XBT_NULL, "/t/b") &&
	    xs_read(h, XBT_NULL, "/t/b/k", &n) == NULL && errno == ENOENT,
	    "rm is recursive");
	check(t, xs_rm(h, XBT_NULL, "/t/b"), "rm missing node, parent exists");
	check(t, fails_with(xs_rm(h, XBT_NULL, "/t/nope/x"), ENOENT),
	    "rm with missing parent: ENOENT");
	check(t, fails_with(xs_rm(h, XBT_NULL, "/"), EINVAL), "rm /: EINVAL");
	check(t, fails_with(write_str(h, XBT_NULL, "/t//x", "1"), EINVAL) &&
	    fails_with(write_str(h, XBT_NULL, "/t/x/", "1"), EINVAL) &&
	    fails_with(write_str(h, XBT_NULL, "/t/a b", "1"), EINVAL),
	    "bad paths: EINVAL");
	check(t, fails_with(xs_set_target(h, 5, 6), ENOSYS),
	    "unimplemented type: ENOSYS");
	xs_close(h);
}

static void
test_perms(struct tally *t)
{
	struct xs_handle	*h = xopen();
	struct xs_permissions	 set[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = 5, .perms = XS_PERM_READ },
	}, *get;
	unsigned int		 n = 0;

	(void)write_str(h, XBT_NULL, "/t/p", "x");
	get = xs_set_permissions(h, XBT_NULL, "/t/p", set, 2) ?
	    xs_get_permissions(h, XBT_NULL, "/t/p", &n) : NULL;
	check(t, get != NULL && n == 2 && get[0].id == 0 &&
	    get[0].perms == XS_PERM_NONE && get[1].id == 5 &&
	    get[1].perms == XS_PERM_READ, "permissions round trip");
	free(get);
	xs_close(h);
}

static void
test_watch(struct tally *t)
{
	struct xs_handle	*h = xopen(), *w = xopen();
	struct evlog		 l = { .el_n = 0 };

	check(t, xs_watch(w, "/t/w", "tok") &&
	    ev_wait(w, "/t/w", "tok", EV_WAIT_MS, &l), "watch: initial event");
	check(t, fails_with(xs_watch(w, "/t/w", "tok"), EEXIST),
	    "duplicate watch: EEXIST");
	(void)write_str(h, XBT_NULL, "/t/w/child", "1");
	check(t, ev_wait(w, "/t/w/child", "tok", EV_WAIT_MS, &l),
	    "write below watch fires");
	(void)write_str(h, XBT_NULL, "/t/other", "1");
	(void)write_str(h, XBT_NULL, "/t/w/sentinel", "1");
	check(t, ev_wait(w, "/t/w/sentinel", "tok", EV_WAIT_MS, &l) &&
	    !evlog_has(&l, "/t/other", "tok"), "no event for unrelated write");
	check(t, xs_watch(w, "relw", "rtok") &&
	    ev_wait(w, "relw", "rtok", EV_WAIT_MS, &l), "relative watch");
	(void)write_str(h, XBT_NULL, "/local/domain/0/relw/a", "1");
	check(t, ev_wait(w, "relw/a", "rtok", EV_WAIT_MS, &l),
	    "relative watch gets relative path");
	check(t, xs_unwatch(w, "/t/w", "tok") &&
	    fails_with(xs_unwatch(w, "/t/w", "tok"), ENOENT), "unwatch");
	(void)write_str(h, XBT_NULL, "/t/r/a/b", "1");
	evlog_clear(&l);
	check(t, xs_watch(w, "/t/r/a/b", "rm") &&
	    ev_wait(w, "/t/r/a/b", "rm", EV_WAIT_MS, &l), "watch descendant");
	evlog_clear(&l);
	(void)xs_rm(h, XBT_NULL, "/t/r");
	check(t, ev_wait(w, "/t/r/a/b", "rm", EV_WAIT_MS, &l),
	    "rm fires for removed descendants");
	evlog_clear(&l);
	xs_close(w);
	xs_close(h);
}

/* Many events: one wake-up on xs_fileno, then drain until EAGAIN. */
static void
test_drain(struct tally *t)
{
	struct xs_handle	*h = xopen(), *w = xopen();
	struct pollfd		 pfd;
	char			 path[64], **v;
	int			 i, n = 0;

	(void)xs_watch(w, "/t/d", "d");
	(void)ev_count(w, EV_QUIET_MS);
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "/t/d/%d", i);
		(void)write_str(h, XBT_NULL, path, "x");
	}
	(void)read_is(h, XBT_NULL, "/t/d/4", "x");	/* a round trip */
	usleep(100 * 1000);
	pfd = (struct pollfd){ .fd = xs_fileno(w), .events = POLLIN };
	check(t, poll(&pfd, 1, EV_WAIT_MS) == 1, "xs_fileno readable");
	while ((v = xs_check_watch(w)) != NULL) {
		n++;
		free(v);
	}
	check(t, n == 5 && errno == EAGAIN, "drained %d events, then EAGAIN", n);
	check(t, poll(&pfd, 1, 0) == 0, "xs_fileno quiet after drain");
	xs_close(w);
	xs_close(h);
}

/* 200 children of 30 bytes overflow one reply: needs DIRECTORY_PART. */
static void
test_big_directory(struct tally *t)
{
	struct xs_handle	*h = xopen();
	xs_transaction_t	 x = xs_transaction_start(h);
	char			 path[128], **d;
	unsigned int		 i, n = 0;

	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path),
		    "/t/big/child-with-a-long-name-%03u", i);
		(void)write_str(h, x, path, "");
	}
	(void)xs_transaction_end(h, x, false);
	d = xs_directory(h, XBT_NULL, "/t/big", &n);
	check(t, d != NULL && n == 200, "directory of 200 (%u)", n);
	free(d);
	(void)xs_rm(h, XBT_NULL, "/t/big");
	xs_close(h);
}

static void
test_transactions(struct tally *t)
{
	struct xs_handle	*h = xopen(), *o = xopen();
	xs_transaction_t	 x;
	struct evlog		 l = { .el_n = 0 };
	int			 tries;

	(void)xs_watch(o, "/t/tx", "tx");
	(void)ev_wait(o, "/t/tx", "tx", EV_WAIT_MS, &l);
	evlog_clear(&l);
	x = xs_transaction_start(h);
	check(t, x != XBT_NULL && write_str(h, x, "/t/tx/a", "1") &&
	    read_is(h, x, "/t/tx/a", "1") && !read_is(o, XBT_NULL, "/t/tx/a",
	    "1") && ev_count(o, EV_QUIET_MS) == 0,
	    "transaction isolation, no event before commit");
	check(t, xs_transaction_end(h, x, false) &&
	    read_is(o, XBT_NULL, "/t/tx/a", "1") &&
	    ev_wait(o, "/t/tx/a", "tx", EV_WAIT_MS, &l), "commit, then event");
	x = xs_transaction_start(h);
	(void)write_str(h, x, "/t/tx/a", "aborted");
	check(t, xs_transaction_end(h, x, true) &&
	    read_is(h, XBT_NULL, "/t/tx/a", "1"), "abort discards writes");
	x = xs_transaction_start(h);
	(void)read_is(h, x, "/t/tx/a", "1");
	(void)write_str(o, XBT_NULL, "/t/tx/a", "2");
	(void)write_str(h, x, "/t/tx/a", "3");
	check(t, fails_with(xs_transaction_end(h, x, false), EAGAIN),
	    "conflicting commit: EAGAIN");
	for (tries = 0; tries < 10; tries++) {
		x = xs_transaction_start(h);
		(void)write_str(h, x, "/t/tx/a", "4");
		if (xs_transaction_end(h, x, false) || errno != EAGAIN)
			break;
	}
	check(t, read_is(h, XBT_NULL, "/t/tx/a", "4"), "retry loop commits");
	check(t, fails_with(xs_transaction_end(h, 999999, false), ENOENT),
	    "unknown transaction: ENOENT");
	evlog_clear(&l);
	xs_close(o);
	xs_close(h);
}

static void
test_domains(struct tally *t)
{
	struct xs_handle	*h = xopen(), *w = xopen();
	struct evlog		 l = { .el_n = 0 };

	(void)xs_watch(w, "@introduceDomain", "in");
	(void)xs_watch(w, "@releaseDomain", "out");
	check(t, ev_wait(w, "@introduceDomain", "in", EV_WAIT_MS, &l) &&
	    ev_wait(w, "@releaseDomain", "out", EV_WAIT_MS, &l),
	    "special watches: initial events");
	evlog_clear(&l);
	check(t, !xs_is_domain_introduced(h, 7) &&
	    xs_introduce_domain(h, 7, 1234, 1) &&
	    xs_is_domain_introduced(h, 7) &&
	    ev_wait(w, "@introduceDomain", "in", EV_WAIT_MS, &l),
	    "introduce fires @introduceDomain");
	evlog_clear(&l);
	check(t, xs_release_domain(h, 7) && !xs_is_domain_introduced(h, 7) &&
	    ev_wait(w, "@releaseDomain", "out", EV_WAIT_MS, &l),
	    "release fires @releaseDomain");
	evlog_clear(&l);
	xs_close(w);
	xs_close(h);
}

/* One transactional increment of /t/counter, retried on EAGAIN. */
static int
counter_inc(struct xs_handle *h, int *ret_eagain)
{
	xs_transaction_t	 x;
	unsigned int		 len;
	char			*v, buf[32];
	long			 n;

	for (;;) {
		if ((x = xs_transaction_start(h)) == XBT_NULL)
			return -errno;
		v = xs_read(h, x, "/t/counter", &len);
		n = v != NULL ? strtol(v, NULL, 10) : 0;
		free(v);
		snprintf(buf, sizeof(buf), "%ld", n + 1);
		if (!write_str(h, x, "/t/counter", buf)) {
			(void)xs_transaction_end(h, x, true);
			return -errno;
		}
		if (xs_transaction_end(h, x, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
		(*ret_eagain)++;
	}
}

/* NPROC processes each increment one counter NITER times. */
static void
test_counter(struct tally *t, int nproc, int niter)
{
	struct xs_handle	*h;
	pid_t			 pid;
	int			 i, j, st, bad = 0, eagain = 0;
	char			 want[32];

	h = xopen();
	(void)xs_rm(h, XBT_NULL, "/t/counter");
	for (i = 0; i < nproc; i++) {
		if ((pid = fork()) == -1)
			bad++;
		if (pid != 0)
			continue;
		xs_close(h);	/* never use a handle across fork */
		h = xopen();
		for (j = 0; j < niter; j++)
			if (counter_inc(h, &eagain) < 0)
				_exit(1);
		xs_close(h);
		_exit(0);
	}
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	snprintf(want, sizeof(want), "%d", nproc * niter);
	check(t, bad == 0 && read_is(h, XBT_NULL, "/t/counter", want),
	    "%d processes x %d transactional increments = %s", nproc, niter,
	    want);
	xs_close(h);
}

static void
test_fault_eagain(struct tally *t)
{
	struct xs_handle	*h = xopen();
	int			 eagain = 0;

	bool			 ok;

	(void)write_str(h, XBT_NULL, "/t/counter", "0");
	ok = control(h, "eagain", "3") && counter_inc(h, &eagain) == 0 &&
	    read_is(h, XBT_NULL, "/t/counter", "1");
	check(t, ok && eagain == 3, "eagain 3: %d EAGAINs, then success",
	    eagain);
	xs_close(h);
}

static void
test_fault_delay(struct tally *t)
{
	struct xs_handle	*h = xopen();
	uint64_t		 start, took;

	(void)write_str(h, XBT_NULL, "/t/slow", "1");
	(void)control(h, "delay", "200");
	start = now_ms();
	(void)read_is(h, XBT_NULL, "/t/slow", "1");
	took = now_ms() - start;
	check(t, took >= 200, "delay 200: a read took %llu ms",
	    (unsigned long long)took);
	(void)control(h, "reset", "");
	start = now_ms();
	(void)read_is(h, XBT_NULL, "/t/slow", "1");
	check(t, now_ms() - start < 150, "reset clears the delay");
	xs_close(h);
}

static void
test_fault_fail(struct tally *t)
{
	struct xs_handle	*h = xopen();

	check(t, control(h, "fail", "WRITE EACCES 1") &&
	    fails_with(write_str(h, XBT_NULL, "/t/f", "1"), EACCES) &&
	    write_str(h, XBT_NULL, "/t/f", "1"),
	    "fail WRITE EACCES 1: one EACCES, then success");
	check(t, !control(h, "bogus", "") && errno == EINVAL,
	    "unknown control command: EINVAL");
	xs_close(h);
}

static void
test_fault_drop(struct tally *t)
{
	struct xs_handle	*h = xopen(), *w = xopen(), *p = xopen();
	uint64_t		 end;
	unsigned int		 len;
	char			**v, *r;
	bool			 lost = false;

	(void)xs_watch(w, "/t/drop", "d");
	(void)ev_count(w, EV_QUIET_MS);
	check(t, control(h, "drop", ""), "drop");
	for (end = now_ms() + EV_WAIT_MS; !lost && now_ms() < end;
	    usleep(10000)) {
		if ((v = xs_check_watch(w)) != NULL)
			free(v);
		else
			lost = errno == EINVAL;
	}
	check(t, lost, "watching handle: xs_check_watch gives EINVAL");
	r = xs_read(w, XBT_NULL, "/t/drop", &len);
	check(t, r == NULL && errno == EBADF, "watching handle: read EBADF");
	free(r);
	r = xs_read(p, XBT_NULL, "/t/drop", &len);
	check(t, r == NULL, "plain handle: next request fails (%s)",
	    strerror(errno));
	free(r);
	check(t, read_is(h, XBT_NULL, "/local/domain/0/rel/x", "r"),
	    "the controlling handle survives");
	xs_close(p);
	xs_close(w);
	xs_close(h);
}

/* Quotas: watches per connection (E2BIG), transactions (ENOSPC). */
static void
test_limits(struct tally *t)
{
	struct xs_handle	*h = xopen();
	xs_transaction_t	 x[16];
	char			 tok[16];
	int			 i, nw = 0, nt = 0;

	for (i = 0; i < 200 && xs_watch(h, "/t/q", (snprintf(tok, sizeof(tok),
	    "%d", i), tok)); i++)
		nw++;
	check(t, nw == 128 && errno == E2BIG, "watch quota: %d, then E2BIG",
	    nw);
	for (i = 0; i < 16 && (x[i] = xs_transaction_start(h)) != XBT_NULL;
	    i++)
		nt++;
	check(t, nt == 10 && errno == ENOSPC,
	    "transaction quota: %d, then ENOSPC", nt);
	xs_close(h);
}

/* A header announcing more than XENSTORE_PAYLOAD_MAX drops the connection. */
static void
test_oversize(struct tally *t)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct xsd_sockmsg	 hdr = { .type = XS_READ, .len = 5000 };
	char			 buf[16];
	int			 fd;
	ssize_t			 n = -1;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    getenv("XENSTORED_PATH"));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd != -1 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    write(fd, &hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr))
		n = read(fd, buf, sizeof(buf));
	check(t, n == 0, "oversize payload: connection dropped");
	if (fd != -1)
		close(fd);
}

int
main(int argc, char **argv)
{
	struct tally	 t = { 0, 0 };
	bool		 faults = true;
	int		 ch, nproc = 8, niter = 300;

	while ((ch = getopt(argc, argv, "i:np:")) != -1) {
		switch (ch) {
		case 'i':
			niter = atoi(optarg);
			break;
		case 'n':
			faults = false;
			break;
		case 'p':
			nproc = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: xsd-client-test [-n] "
			    "[-p nproc] [-i niter]\n");
			return 2;
		}
	}
	if (getenv("XENSTORED_PATH") == NULL) {
		fprintf(stderr, "xsd-client-test: set XENSTORED_PATH\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	test_basic(&t);
	test_perms(&t);
	test_watch(&t);
	test_drain(&t);
	test_big_directory(&t);
	test_transactions(&t);
	test_domains(&t);
	test_limits(&t);
	test_oversize(&t);
	if (faults) {
		test_fault_eagain(&t);
		test_fault_delay(&t);
		test_fault_fail(&t);
		test_fault_drop(&t);
	}
	if (nproc > 0)
		test_counter(&t, nproc, niter);
	printf("# %d passed, %d failed\n", t.t_pass, t.t_fail);
	return t.t_fail == 0 ? 0 : 1;
}
