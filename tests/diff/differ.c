/*
 * differ: the simulator and the daemon must give the same outcomes,
 * amounts and totals for the same steps on the same host (DESIGN 6).
 *
 * usage: differ [-n COUNT] [-s SEED] [-k] SQUEEZERCTL SQUEEZERD TMPDIR
 *
 * For each case a random host (domains with fast normal balloons, a
 * granularity of 1 or 2048 KiB) and a random sequence of reserve,
 * reserve-range and balance steps are written as a scenario file.  Then:
 *   - "squeezerctl simulate FILE" runs the steps on its virtual clock;
 *   - "squeezerd --backend=sim --host FILE" runs on the same host in real
 *     time, and the same steps are sent as RPC requests, one at a time,
 *     each once the daemon is idle.
 * Each step's outcome, a range's obtained amount, the reserved total, and
 * every domain's final target must be the same.  The seed of a case that
 * differs is printed (-s replays it; -k keeps its files).
 * Prints "diff: N passed, M failed"; exit status 1 on any difference.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define DIFF_MAX_STEPS	8
#define DIFF_MAX_DOMS	6
#define DIFF_GIB	1048576

static uint64_t	 rng;
static const char *arg_ctl, *arg_d, *arg_tmp;
static int	 arg_keep;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n == 0 ? 0 : rng % n;
}

enum step_kind { STEP_RESERVE, STEP_RANGE, STEP_BALANCE };

struct step {
	enum step_kind	kind;
	int64_t		kib, min_kib, max_kib;
};

struct kase {
	uint64_t	seed;
	int64_t		granularity;
	int64_t		free_kib;
	size_t		ndoms;
	int64_t		dmin[DIFF_MAX_DOMS], dmax[DIFF_MAX_DOMS];
	int64_t		target[DIFF_MAX_DOMS];
	size_t		nsteps;
	struct step	steps[DIFF_MAX_STEPS];
};

/* What one side saw: per step outcome and amount, then the totals. */
struct seen {
	char		outcome[DIFF_MAX_STEPS][32];
	int64_t		amount[DIFF_MAX_STEPS];	/* obtained, or -1 */
	int64_t		reserved_kib;
	int64_t		target[DIFF_MAX_DOMS];
};

static void
gen(struct kase *k, uint64_t seed)
{
	size_t	i;

	memset(k, 0, sizeof(*k));
	k->seed = seed;
	rng = seed * 2654435761u + 88172645463325252ull;
	k->granularity = rnd(4) == 0 ? 1 : 2048;
	k->free_kib = (int64_t)rnd(4 * DIFF_GIB);
	k->ndoms = 1 + rnd(DIFF_MAX_DOMS);
	for (i = 0; i < k->ndoms; i++) {
		k->dmin[i] = 262144 + (int64_t)rnd(4 * DIFF_GIB);
		k->dmax[i] = k->dmin[i] + (int64_t)rnd(4 * DIFF_GIB);
		k->target[i] = k->dmin[i] + (int64_t)rnd((uint64_t)(k->dmax[i] -
		    k->dmin[i] + 1));
	}
	k->nsteps = 1 + 2 + rnd(DIFF_MAX_STEPS - 2);
	k->steps[0].kind = STEP_BALANCE;	/* both start balanced */
	for (i = 1; i < k->nsteps; i++) {
		k->steps[i].kind = (enum step_kind)rnd(3);
		k->steps[i].kib = (int64_t)rnd(6 * DIFF_GIB);
		k->steps[i].min_kib = (int64_t)rnd(3 * DIFF_GIB);
		k->steps[i].max_kib = k->steps[i].min_kib +
		    (int64_t)rnd(3 * DIFF_GIB);
	}
}

static int
write_scenario(const struct kase *k, const char *path)
{
	FILE	*f;
	size_t	 i;

	if ((f = fopen(path, "w")) == NULL)
		return -errno;
	fprintf(f, "{\n  \"config\": { \"granularity-kib\": %" PRId64 ", "
	    "\"balance-interval\": \"86400s\" },\n", k->granularity);
	fprintf(f, "  \"host\": { \"free-kib\": %" PRId64 " },\n",
	    k->free_kib);
	fprintf(f, "  \"domains\": [\n");
	for (i = 0; i < k->ndoms; i++)
		fprintf(f, "    { \"domid\": %zu, \"dynamic-min-kib\": %" PRId64
		    ", \"dynamic-max-kib\": %" PRId64 ", \"target-kib\": %"
		    PRId64 ", \"balloon\": { \"model\": \"normal\", "
		    "\"rate-kib-s\": 4194304 } }%s\n", i + 1, k->dmin[i],
		    k->dmax[i], k->target[i], i + 1 < k->ndoms ? "," : "");
	fprintf(f, "  ],\n  \"steps\": [\n");
	for (i = 0; i < k->nsteps; i++) {
		const struct step	*s = &k->steps[i];

		if (s->kind == STEP_RESERVE)
			fprintf(f, "    { \"op\": \"reserve\", \"kib\": %" PRId64
			    " }", s->kib);
		else if (s->kind == STEP_RANGE)
			fprintf(f, "    { \"op\": \"reserve-range\", "
			    "\"min-kib\": %" PRId64 ", \"max-kib\": %" PRId64
			    " }", s->min_kib, s->max_kib);
		else
			fprintf(f, "    { \"op\": \"balance\" }");
		fprintf(f, "%s\n", i + 1 < k->nsteps ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

static int64_t
jint(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_int64(v) : dflt;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_string(v) : "";
}

/* squeezerctl simulate FILE, read into *s. */
static int
run_sim(const struct kase *k, const char *path, struct seen *s)
{
	struct json_object	*root, *steps, *doms, *host, *o;
	char			 cmd[1024];
	FILE			*p;
	char			*text = NULL;
	size_t			 cap = 0, len = 0, n, i;
	int			 rc = -1;

	snprintf(cmd, sizeof(cmd), "'%s' simulate '%s'", arg_ctl, path);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	for (;;) {
		if (len + 4096 > cap && (text = realloc(text, cap += 65536)) ==
		    NULL)
			abort();
		if ((n = fread(text + len, 1, 4096, p)) == 0)
			break;
		len += n;
	}
	text[len] = '\0';
	if (pclose(p) != 0 || (root = json_tokener_parse(text)) == NULL) {
		fprintf(stderr, "diff: seed %" PRIu64 ": simulate failed\n",
		    k->seed);
		free(text);
		return -1;
	}
	free(text);
	if (!json_object_object_get_ex(root, "steps", &steps) ||
	    !json_object_object_get_ex(root, "domains", &doms) ||
	    !json_object_object_get_ex(root, "host", &host))
		goto out;
	for (i = 0; i < k->nsteps; i++) {
		o = json_object_array_get_idx(steps, i);
		snprintf(s->outcome[i], sizeof(s->outcome[i]), "%s",
		    jstr(o, "outcome"));
		s->amount[i] = jint(o, "obtained-kib", -1);
	}
	s->reserved_kib = jint(host, "reserved-kib", -1);
	for (i = 0; i < k->ndoms; i++)
		s->target[i] = jint(json_object_array_get_idx(doms, i),
		    "target-kib", -1);
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One request on a fresh connection; the reply object, or NULL. */
static struct json_object *
rpc(const char *sock, int timeout_ms, const char *fmt, ...)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct pollfd		 pfd;
	char			 req[1024], buf[1 << 16];
	size_t			 len = 0;
	ssize_t			 r;
	uint64_t		 end = now_ms() + (uint64_t)timeout_ms;
	va_list			 ap;
	int			 fd;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req) - 1, fmt, ap);
	va_end(ap);
	strcat(req, "\n");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return NULL;
	}
	pfd = (struct pollfd){ fd, POLLIN, 0 };
	while (memchr(buf, '\n', len) == NULL && len < sizeof(buf) - 1) {
		uint64_t t = now_ms();

		if (t >= end || poll(&pfd, 1, (int)(end - t)) <= 0 ||
		    (r = read(fd, buf + len, sizeof(buf) - 1 - len)) <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return memchr(buf, '\n', len) != NULL ? json_tokener_parse(buf) : NULL;
}

/* Until nothing is queued or running (a periodic balance, say). */
static int
wait_idle(const char *sock)
{
	struct json_object	*r, *res;
	uint64_t		 end = now_ms() + 60000;
	bool			 idle = false;

	while (!idle && now_ms() < end) {
		r = rpc(sock, 10000, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"reservation.pending\"}");
		idle = r != NULL && json_object_object_get_ex(r, "result",
		    &res) && json_object_array_length(res) == 0;
		json_object_put(r);
		if (!idle)
			usleep(20000);
	}
	return idle ? 0 : -1;
}

static pid_t
start_daemon(const char *path, const char *sock, const char *log)
{
	struct json_object	*r;
	uint64_t		 end = now_ms() + 30000;
	pid_t			 pid;
	int			 fd;

	if ((pid = fork()) == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execl(arg_d, arg_d, "-d", "--backend=sim", "--host", path,
		    "-s", sock, (char *)NULL);
		_exit(127);
	}
	while (now_ms() < end) {
		if ((r = rpc(sock, 5000, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"host.status\"}")) != NULL) {
			json_object_put(r);
			return pid;
		}
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* A reply as the simulator names outcomes; a range's amount. */
static void
reply_outcome(struct json_object *r, char *outcome, size_t len,
    int64_t *amount, bool range)
{
	struct json_object	*v, *m;

	*amount = -1;
	if (r == NULL) {
		snprintf(outcome, len, "no reply");
		return;
	}
	if (json_object_object_get_ex(r, "error", &v) &&
	    json_object_object_get_ex(v, "message", &m)) {
		snprintf(outcome, len, "%s", json_object_get_string(m));
		return;
	}
	if (json_object_object_get_ex(r, "result", &v) &&
	    json_object_object_get_ex(v, "outcome", &m) &&
	    strcmp(json_object_get_string(m), "balanced") != 0) {
		snprintf(outcome, len, "%s", json_object_get_string(m));
		return;
	}
	snprintf(outcome, len, "success");
	if (range)
		*amount = jint(v, "kib", -1);
}

static int
run_daemon(const struct kase *k, const char *path, const char *sock,
    const char *log, struct seen *s)
{
	const struct step	*st;
	struct json_object	*r, *res, *o;
	pid_t			 pid;
	size_t			 i, n;
	int			 rc = -1;

	if ((pid = start_daemon(path, sock, log)) < 0)
		return -1;
	for (i = 0; i < k->nsteps; i++) {
		st = &k->steps[i];
		if (wait_idle(sock) < 0)
			goto out;
		if (st->kind == STEP_RESERVE)
			r = rpc(sock, 120000, "{\"jsonrpc\":\"2.0\",\"id\":1,"
			    "\"method\":\"reserve\",\"params\":{\"kib\":%"
			    PRId64 "}}", st->kib);
		else if (st->kind == STEP_RANGE)
			r = rpc(sock, 120000, "{\"jsonrpc\":\"2.0\",\"id\":1,"
			    "\"method\":\"reserve\",\"params\":{\"min-kib\":%"
			    PRId64 ",\"max-kib\":%" PRId64 "}}", st->min_kib,
			    st->max_kib);
		else
			r = rpc(sock, 120000, "{\"jsonrpc\":\"2.0\",\"id\":1,"
			    "\"method\":\"balance\"}");
		reply_outcome(r, s->outcome[i], sizeof(s->outcome[i]),
		    &s->amount[i], st->kind == STEP_RANGE);
		json_object_put(r);
	}
	if (wait_idle(sock) < 0)
		goto out;
	r = rpc(sock, 10000, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"reservation.list\"}");
	s->reserved_kib = 0;
	if (r != NULL && json_object_object_get_ex(r, "result", &res))
		for (i = 0, n = json_object_array_length(res); i < n; i++)
			s->reserved_kib += jint(json_object_array_get_idx(res,
			    i), "kib", 0);
	json_object_put(r);
	r = rpc(sock, 10000, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"domain.list\"}");
	if (r == NULL || !json_object_object_get_ex(r, "result", &res))
		goto out_put;
	for (i = 0, n = json_object_array_length(res); i < n; i++) {
		o = json_object_array_get_idx(res, i);
		if (jint(o, "domid", 0) >= 1 &&
		    jint(o, "domid", 0) <= (int64_t)k->ndoms)
			s->target[jint(o, "domid", 0) - 1] = jint(o,
			    "target-kib", -1);
	}
	rc = 0;
out_put:
	json_object_put(r);
out:
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return rc;
}

/* Compare; print every difference. */
static bool
same(const struct kase *k, const struct seen *a, const struct seen *b)
{
	static const char *const kinds[] = { "reserve", "reserve-range",
	    "balance" };
	bool	ok = true;
	size_t	i;

	for (i = 0; i < k->nsteps; i++) {
		if (strcmp(a->outcome[i], b->outcome[i]) == 0 &&
		    a->amount[i] == b->amount[i])
			continue;
		printf("  step %zu (%s): simulate %s %" PRId64 ", daemon %s %"
		    PRId64 "\n", i, kinds[k->steps[i].kind], a->outcome[i],
		    a->amount[i], b->outcome[i], b->amount[i]);
		ok = false;
	}
	if (a->reserved_kib != b->reserved_kib) {
		printf("  reserved: simulate %" PRId64 ", daemon %" PRId64 "\n",
		    a->reserved_kib, b->reserved_kib);
		ok = false;
	}
	for (i = 0; i < k->ndoms; i++)
		if (a->target[i] != b->target[i]) {
			printf("  domain %zu target: simulate %" PRId64
			    ", daemon %" PRId64 "\n", i + 1, a->target[i],
			    b->target[i]);
			ok = false;
		}
	return ok;
}

static int
one(uint64_t seed)
{
	struct kase	k;
	struct seen	a, b;
	char		path[512], sock[400], log[512];
	int		ok;

	gen(&k, seed);
	snprintf(path, sizeof(path), "%s/case-%" PRIu64 ".json", arg_tmp, seed);
	snprintf(sock, sizeof(sock), "%s/s%" PRIu64, arg_tmp, seed % 100000);
	snprintf(log, sizeof(log), "%s/case-%" PRIu64 ".log", arg_tmp, seed);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (write_scenario(&k, path) < 0 || run_sim(&k, path, &a) < 0)
		return -1;
	if (run_daemon(&k, path, sock, log, &b) < 0) {
		printf("diff: seed %" PRIu64 ": the daemon did not answer "
		    "(log %s)\n", seed, log);
		return 0;
	}
	ok = same(&k, &a, &b);
	if (!ok)
		printf("diff: seed %" PRIu64 " differs (%s)\n", seed, path);
	if (ok && !arg_keep) {
		(void)unlink(path);
		(void)unlink(log);
		snprintf(log, sizeof(log), "%s.sim", sock);
		(void)unlink(log);
	}
	return ok;
}

int
main(int argc, char **argv)
{
	uint64_t	seed = (uint64_t)time(NULL), count = 10, i;
	unsigned	npass = 0, nfail = 0;
	bool		one_seed = false;
	int		ch, r;

	while ((ch = getopt(argc, argv, "kn:s:")) != -1) {
		switch (ch) {
		case 'k':
			arg_keep = 1;
			break;
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			one_seed = true;
			break;
		default:
			fprintf(stderr, "usage: differ [-k] [-n COUNT] "
			    "[-s SEED] SQUEEZERCTL SQUEEZERD TMPDIR\n");
			return 2;
		}
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: differ [-k] [-n COUNT] [-s SEED] "
		    "SQUEEZERCTL SQUEEZERD TMPDIR\n");
		return 2;
	}
	arg_ctl = argv[optind];
	arg_d = argv[optind + 1];
	arg_tmp = argv[optind + 2];
	if (one_seed)
		count = 1;
	else
		printf("diff: seeds %" PRIu64 "..%" PRIu64 " (replay one: -s "
		    "SEED)\n", seed, seed + count - 1);
	for (i = 0; i < count; i++) {
		if ((r = one(seed + i)) < 0) {
			printf("diff: seed %" PRIu64 ": cannot run the case\n",
			    seed + i);
			nfail++;
		} else if (r)
			npass++;
		else
			nfail++;
	}
	printf("diff: %u passed, %u failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
