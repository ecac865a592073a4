/*
 * balloon-sim -- simulated guest balloon drivers for harness tests.
 *
 *	balloon-sim [-i tick_ms] [-o trace] [-f state] D:MODEL[:k=v,...] ...
 *
 * For each domain it watches /local/domain/D/memory/target (KiB) through
 * the real libxenstore at $XENSTORED_PATH and moves the domain's tot_pages
 * (4 KiB pages) in the simulated host ($XENCTRL_SIM_STATE or -f) toward it,
 * like a guest's balloon driver would.  Models, after DESIGN.md section 6:
 *
 *	normal		move by at most rate x elapsed, stop `inaccuracy'
 *			KiB short of the target
 *	floor		normal, but never below `limit' KiB
 *	ceiling		normal, but never above `limit' KiB
 *	stuck		advertises a balloon driver, never moves
 *	intermittent	moves only in even periods of `period' seconds
 *	none		no balloon driver: no feature-balloon, never moves
 *
 * Keys: rate (KiB/s), limit (KiB), period (s), inaccuracy (KiB).  A domain
 * never grows above max_pages nor into memory that is not free (free minus
 * the claims of the other domains).  The simulator reconnects when xenstored
 * goes away, forgets domains that are destroyed, and exits 0 on SIGTERM.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "../xc/xcstate.h"

#define BS_TICK_MS_DEFAULT	100
#define BS_RATE_DEFAULT		102400		/* KiB/s */
#define BS_INACCURACY_DEFAULT	4		/* KiB, as squeezed */
#define BS_PERIOD_MS_DEFAULT	1000
#define BS_KIB_MAX		(1ULL << 42)
#define BS_PATH_MAX		64

enum bs_model {
	BS_NORMAL,
	BS_FLOOR,
	BS_CEILING,
	BS_STUCK,
	BS_INTERMITTENT,
	BS_NONE,
};

static const char *const bs_model_names[] = {
	[BS_NORMAL] = "normal",
	[BS_FLOOR] = "floor",
	[BS_CEILING] = "ceiling",
	[BS_STUCK] = "stuck",
	[BS_INTERMITTENT] = "intermittent",
	[BS_NONE] = "none",
};

struct bs_dom {
	uint32_t	domid;
	enum bs_model	model;
	uint64_t	rate_kib_s;
	uint64_t	limit_kib;
	uint64_t	period_ms;
	uint64_t	inaccuracy_kib;
	bool		have_limit;
	bool		have_target;
	bool		target_dirty;
	bool		gone;		/* destroyed: not simulated */
	bool		unwatched;
	uint64_t	target_kib;
	double		budget_kib;	/* earned, not yet moved */
	uint64_t	moved_from, moved_to;
	char		target_path[BS_PATH_MAX];
	char		token[16];
};

struct bs {
	struct bs_dom		*doms;
	size_t			 ndoms;
	const char		*state;
	struct xs_handle	*xsh;
	FILE			*trace;
	unsigned int		 tick_ms;
	uint64_t		 start_ms;
	uint64_t		 last_step_ms;
	bool			 ready;
	bool			 state_err;	/* last step failed */
};

/* The tick being applied to the host, under the state file's lock. */
struct bs_tick {
	struct bs	*bs;
	uint64_t	 now_ms;
	uint64_t	 dt_ms;
};

static volatile sig_atomic_t	bs_stop;

static void
usage(void)
{
	fprintf(stderr, "usage: balloon-sim [-i tick_ms] [-o trace] "
	    "[-f state] D:MODEL[:k=v,...] ...\n"
	    "models: normal floor ceiling stuck intermittent none; "
	    "keys: rate limit period inaccuracy\n");
	exit(1);
}

/* Monotonic clock in ms. */
static uint64_t
bs_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* SIGTERM/SIGINT: leave the main loop. */
static void
bs_on_signal(int sig)
{
	(void)sig;
	bs_stop = 1;
}

/* Parse "period=S" (seconds, fractions allowed) into ms. */
static int
bs_parse_period(const char *s, uint64_t *ret_ms)
{
	char	*end;
	double	 v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || v < 0.001 || v > 86400)
		return -EINVAL;
	*ret_ms = (uint64_t)(v * 1000 + 0.5);
	return 0;
}

/* Apply one "key=value" of a domain argument. */
static int
bs_parse_key(struct bs_dom *bd, char *kv)
{
	char	*eq;

	if ((eq = strchr(kv, '=')) == NULL)
		return -EINVAL;
	*eq++ = '\0';
	if (strcmp(kv, "rate") == 0)
		return xcs_parse_u64(eq, BS_KIB_MAX, &bd->rate_kib_s);
	if (strcmp(kv, "inaccuracy") == 0)
		return xcs_parse_u64(eq, BS_KIB_MAX, &bd->inaccuracy_kib);
	if (strcmp(kv, "period") == 0)
		return bs_parse_period(eq, &bd->period_ms);
	if (strcmp(kv, "limit") == 0) {
		bd->have_limit = true;
		return xcs_parse_u64(eq, BS_KIB_MAX, &bd->limit_kib);
	}
	return -ENOENT;
}

/* Parse "D:MODEL[:k=v,...]". */
static int
bs_parse_dom(char *arg, struct bs_dom *bd)
{
	char		*model, *keys, *kv, *save = NULL;
	uint64_t	 domid;
	size_t		 m;

	memset(bd, 0, sizeof(*bd));
	bd->rate_kib_s = BS_RATE_DEFAULT;
	bd->inaccuracy_kib = BS_INACCURACY_DEFAULT;
	bd->period_ms = BS_PERIOD_MS_DEFAULT;
	if ((model = strchr(arg, ':')) == NULL)
		return -EINVAL;
	*model++ = '\0';
	if ((keys = strchr(model, ':')) != NULL)
		*keys++ = '\0';
	if (xcs_parse_u64(arg, XCS_DOMID_MAX, &domid) < 0)
		return -EINVAL;
	bd->domid = (uint32_t)domid;
	for (m = 0; m < sizeof(bs_model_names) / sizeof(bs_model_names[0]); m++)
		if (strcmp(model, bs_model_names[m]) == 0)
			break;
	if (m == sizeof(bs_model_names) / sizeof(bs_model_names[0]))
		return -EINVAL;
	bd->model = (enum bs_model)m;
	for (kv = keys ? strtok_r(keys, ",", &save) : NULL; kv != NULL;
	    kv = strtok_r(NULL, ",", &save))
		if (bs_parse_key(bd, kv) < 0)
			return -EINVAL;
	if ((bd->model == BS_FLOOR || bd->model == BS_CEILING) &&
	    !bd->have_limit)
		return -EINVAL;
	(void)snprintf(bd->target_path, sizeof(bd->target_path),
	    "/local/domain/%u/memory/target", bd->domid);
	(void)snprintf(bd->token, sizeof(bd->token), "%u", bd->domid);
	return 0;
}

/* Page count the driver heads for, or tot_pages when it should rest. */
static uint64_t
bs_goal_pages(const struct bs_dom *bd, uint64_t tot)
{
	uint64_t	tp = bd->target_kib / XCS_PAGE_KIB;
	uint64_t	ip = bd->inaccuracy_kib / XCS_PAGE_KIB;
	uint64_t	goal = tot, lim;

	if (tot > tp + ip)
		goal = tp + ip;
	else if (tp > ip && tot < tp - ip)
		goal = tp - ip;
	if (bd->model == BS_FLOOR && goal < tot) {
		lim = (bd->limit_kib + XCS_PAGE_KIB - 1) / XCS_PAGE_KIB;
		goal = lim >= tot ? tot : goal < lim ? lim : goal;
	}
	if (bd->model == BS_CEILING && goal > tot) {
		lim = bd->limit_kib / XCS_PAGE_KIB;
		goal = lim <= tot ? tot : goal > lim ? lim : goal;
	}
	return goal;
}

/* May this driver move at all during this tick? */
static bool
bs_may_move(const struct bs *bs, const struct bs_dom *bd,
    const struct xcs_dom *d, uint64_t now_ms)
{
	if (!bd->have_target || bd->model == BS_STUCK || bd->model == BS_NONE)
		return false;
	if (d->flags & (XCS_DOMINF_SHUTDOWN | XCS_DOMINF_PAUSED))
		return false;
	if (bd->model == BS_INTERMITTENT &&
	    ((now_ms - bs->start_ms) / bd->period_ms) % 2 == 1)
		return false;
	return true;
}

/* Move one domain for one tick. */
static void
bs_dom_step(struct bs_tick *t, struct xcs_state *st, struct bs_dom *bd,
    struct xcs_dom *d)
{
	uint64_t	goal, budget, n, room;
	double		cap;

	goal = bs_goal_pages(bd, d->tot_pages);
	if (!bs_may_move(t->bs, bd, d, t->now_ms) || goal == d->tot_pages) {
		bd->budget_kib = 0;
		return;
	}
	cap = (double)bd->rate_kib_s * 2 * t->bs->tick_ms / 1000;
	bd->budget_kib += (double)bd->rate_kib_s * (double)t->dt_ms / 1000;
	if (bd->budget_kib > cap)
		bd->budget_kib = cap > XCS_PAGE_KIB ? cap : XCS_PAGE_KIB;
	budget = (uint64_t)(bd->budget_kib / XCS_PAGE_KIB);
	if (goal < d->tot_pages)
		n = d->tot_pages - goal;
	else {
		n = goal - d->tot_pages;
		room = d->max_pages > d->tot_pages ?
		    d->max_pages - d->tot_pages : 0;
		if (n > room)
			n = room;
		if (n > xcs_avail_pages(st, d))
			n = xcs_avail_pages(st, d);
	}
	if (n > budget)
		n = budget;
	if (n == 0)
		return;
	bd->budget_kib -= (double)(n * XCS_PAGE_KIB);
	bd->moved_from = d->tot_pages;
	xcs_dom_set_tot(d, goal < d->tot_pages ? d->tot_pages - n :
	    d->tot_pages + n);
	bd->moved_to = d->tot_pages;
}

/* One tick for every simulated domain, under the exclusive lock. */
static int
bs_tick_fn(struct xcs_state *st, void *arg)
{
	struct bs_tick	*t = arg;
	struct bs_dom	*bd;
	struct xcs_dom	*d;
	size_t		 i;

	for (i = 0; i < t->bs->ndoms; i++) {
		bd = &t->bs->doms[i];
		bd->moved_from = bd->moved_to = 0;
		if (bd->gone)
			continue;
		d = xcs_dom_find(st, bd->domid);
		if (d == NULL || (d->flags & XCS_DOMINF_DYING)) {
			bd->gone = true;
			continue;
		}
		bs_dom_step(t, st, bd, d);
	}
	return 0;
}

/* Log the moves of the last tick and the domains that went away. */
static void
bs_report(struct bs *bs, uint64_t now_ms)
{
	struct bs_dom	*bd;
	size_t		 i;

	for (i = 0; i < bs->ndoms; i++) {
		bd = &bs->doms[i];
		if (bd->gone && !bd->unwatched) {
			fprintf(stderr, "balloon-sim: dom %u: destroyed, no "
			    "longer simulated\n", bd->domid);
			if (bs->xsh != NULL && bd->model != BS_NONE)
				(void)xs_unwatch(bs->xsh, bd->target_path,
				    bd->token);
			bd->unwatched = true;
		}
		if (bs->trace != NULL && bd->moved_from != bd->moved_to)
			fprintf(bs->trace, "t_ms=%llu dom=%u model=%s "
			    "from=%llu to=%llu target_kib=%llu\n",
			    (unsigned long long)(now_ms - bs->start_ms),
			    bd->domid, bs_model_names[bd->model],
			    (unsigned long long)bd->moved_from,
			    (unsigned long long)bd->moved_to,
			    (unsigned long long)bd->target_kib);
	}
}

/* Apply one tick to the host state file. */
static void
bs_step(struct bs *bs, uint64_t now_ms)
{
	struct bs_tick	t = { bs, now_ms, now_ms - bs->last_step_ms };
	char		err[512];

	bs->last_step_ms = now_ms;
	if (xcs_edit(bs->state, false, bs_tick_fn, &t, err, sizeof(err)) < 0) {
		if (!bs->state_err)
			fprintf(stderr, "balloon-sim: %s\n", err);
		bs->state_err = true;
		return;
	}
	bs->state_err = false;
	bs_report(bs, now_ms);
}

/* Drop a dead xenstore connection; the main loop reconnects. */
static void
bs_xs_lost(struct bs *bs, const char *what)
{
	fprintf(stderr, "balloon-sim: xenstore connection lost (%s: %s), "
	    "reconnecting\n", what, strerror(errno));
	xs_close(bs->xsh);
	bs->xsh = NULL;
}

/* Advertise a balloon driver, as a guest does when it loads one. */
static bool
bs_xs_announce(struct bs *bs, const struct bs_dom *bd)
{
	char	path[BS_PATH_MAX];

	(void)snprintf(path, sizeof(path),
	    "/local/domain/%u/control/feature-balloon", bd->domid);
	if (!xs_write(bs->xsh, XBT_NULL, path, "1", 1))
		return false;
	(void)snprintf(path, sizeof(path), "/local/domain/%u/data/updated",
	    bd->domid);
	return xs_write(bs->xsh, XBT_NULL, path, "1", 1);
}

/* Connect, announce the drivers and watch every target; -errno. */
static int
bs_xs_connect(struct bs *bs)
{
	struct bs_dom	*bd;
	size_t		 i;
	int		 rc;

	if ((bs->xsh = xs_open(0)) == NULL)
		return -errno;
	for (i = 0; i < bs->ndoms; i++) {
		bd = &bs->doms[i];
		if (bd->gone || bd->model == BS_NONE)
			continue;
		if (!bs_xs_announce(bs, bd) ||
		    !xs_watch(bs->xsh, bd->target_path, bd->token)) {
			rc = -errno;
			xs_close(bs->xsh);
			bs->xsh = NULL;
			return rc;
		}
		bd->target_dirty = true;
	}
	return 0;
}

/* Parse a guest-visible target: digits only, bounded. */
static int
bs_parse_target(const char *s, unsigned int len, uint64_t *ret_kib)
{
	unsigned int	i;

	if (len == 0 || len > 20)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	return xcs_parse_u64(s, BS_KIB_MAX, ret_kib);
}

/* Re-read the targets whose watches fired. */
static void
bs_xs_read_targets(struct bs *bs)
{
	struct bs_dom	*bd;
	unsigned int	 len;
	char		*val;
	size_t		 i;

	for (i = 0; i < bs->ndoms && bs->xsh != NULL; i++) {
		bd = &bs->doms[i];
		if (!bd->target_dirty || bd->gone)
			continue;
		val = xs_read(bs->xsh, XBT_NULL, bd->target_path, &len);
		if (val == NULL && errno != ENOENT && errno != EACCES) {
			bs_xs_lost(bs, "xs_read");
			return;
		}
		bd->target_dirty = false;
		bd->have_target = val != NULL &&
		    bs_parse_target(val, len, &bd->target_kib) == 0;
		if (val != NULL && !bd->have_target)
			fprintf(stderr, "balloon-sim: dom %u: ignoring bad "
			    "memory/target\n", bd->domid);
		free(val);
	}
}

/* Drain watch events until EAGAIN; EINVAL means the connection died. */
static void
bs_xs_drain(struct bs *bs)
{
	char	**ev;
	size_t	  i;

	while ((ev = xs_check_watch(bs->xsh)) != NULL) {
		for (i = 0; i < bs->ndoms; i++)
			if (strcmp(ev[XS_WATCH_TOKEN], bs->doms[i].token) == 0)
				bs->doms[i].target_dirty = true;
		free(ev);
	}
	if (errno != EAGAIN)
		bs_xs_lost(bs, "xs_check_watch");
}

/* Wait for the xenstore fd or the next tick. */
static void
bs_wait(struct bs *bs, uint64_t until_ms)
{
	struct pollfd	pfd = { .fd = -1, .events = POLLIN };
	uint64_t	now = bs_now_ms();

	if (bs->xsh != NULL)
		pfd.fd = xs_fileno(bs->xsh);
	(void)poll(&pfd, 1, until_ms > now ? (int)(until_ms - now) : 0);
}

/* The main loop: connect, drain, read targets, tick, until SIGTERM. */
static void
bs_run(struct bs *bs)
{
	uint64_t	now, next_tick, next_conn;

	bs->start_ms = bs->last_step_ms = now = bs_now_ms();
	next_tick = now + bs->tick_ms;
	next_conn = now;
	while (!bs_stop) {
		now = bs_now_ms();
		if (bs->xsh == NULL && now >= next_conn) {
			if (bs_xs_connect(bs) < 0)
				next_conn = now + bs->tick_ms;
			else if (!bs->ready) {
				printf("balloon-sim: ready\n");
				(void)fflush(stdout);
				bs->ready = true;
			}
		}
		if (bs->xsh != NULL)
			bs_xs_drain(bs);
		if (bs->xsh != NULL)
			bs_xs_read_targets(bs);
		if (now >= next_tick) {
			bs_step(bs, now);
			next_tick = now + bs->tick_ms;
		}
		bs_wait(bs, bs->xsh == NULL && next_conn < next_tick ?
		    next_conn : next_tick);
	}
}

/* Every simulated domain must exist when the simulator starts. */
static int
bs_check_doms(struct xcs_state *st, void *arg)
{
	struct bs	*bs = arg;
	size_t		 i;

	for (i = 0; i < bs->ndoms; i++) {
		if (xcs_dom_find(st, bs->doms[i].domid) == NULL) {
			fprintf(stderr, "balloon-sim: dom %u: no such domain "
			    "in %s\n", bs->doms[i].domid, bs->state);
			return -ESRCH;
		}
	}
	return 0;
}

/* Signals: TERM and INT stop the loop (poll is interrupted), PIPE ignored. */
static void
bs_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_handler = bs_on_signal;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

/* Parse the options into bs. */
static void
bs_options(struct bs *bs, int argc, char *argv[])
{
	uint64_t	v;
	int		ch, i;

	while ((ch = getopt(argc, argv, "f:i:o:")) != -1) {
		switch (ch) {
		case 'f':
			bs->state = optarg;
			break;
		case 'i':
			if (xcs_parse_u64(optarg, 60000, &v) < 0 || v == 0)
				usage();
			bs->tick_ms = (unsigned int)v;
			break;
		case 'o':
			if ((bs->trace = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				exit(1);
			}
			setvbuf(bs->trace, NULL, _IOLBF, 0);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	bs->ndoms = (size_t)(argc - optind);
	if ((bs->doms = calloc(bs->ndoms, sizeof(*bs->doms))) == NULL) {
		perror("calloc");
		exit(1);
	}
	for (i = optind; i < argc; i++) {
		if (bs_parse_dom(argv[i], &bs->doms[i - optind]) < 0) {
			fprintf(stderr, "balloon-sim: bad domain spec '%s'\n",
			    argv[i]);
			usage();
		}
	}
}

int
main(int argc, char *argv[])
{
	struct bs	bs;
	char		err[512];

	memset(&bs, 0, sizeof(bs));
	bs.tick_ms = BS_TICK_MS_DEFAULT;
	bs.state = getenv("XENCTRL_SIM_STATE");
	bs_options(&bs, argc, argv);
	if (bs.state == NULL || *bs.state == '\0') {
		fprintf(stderr, "balloon-sim: set XENCTRL_SIM_STATE or use "
		    "-f\n");
		return 1;
	}
	if (getenv("XENSTORED_PATH") == NULL) {
		fprintf(stderr, "balloon-sim: XENSTORED_PATH is not set\n");
		return 1;
	}
	if (xcs_read(bs.state, bs_check_doms, &bs, err, sizeof(err)) < 0) {
		if (err[0] != '\0')
			fprintf(stderr, "balloon-sim: %s\n", err);
		return 1;
	}
	bs_signals();
	bs_run(&bs);
	if (bs.xsh != NULL)
		xs_close(bs.xsh);
	if (bs.trace != NULL)
		(void)fclose(bs.trace);
	free(bs.doms);
	return 0;
}
