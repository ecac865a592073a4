/*
 * daemon.c: the daemon's view of the host, kept fresh, and what hangs off
 * it: the balancer's host (snapshots and applying targets), the periodic
 * balance check, housekeeping a fresh view allows (reservations whose ttl
 * ran out or whose domain is gone, memory/uncooperative flags, guest
 * values that could not be read), xenstored going away and coming back,
 * dom0, and the one place the configuration is swapped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "backend.h"
#include "balancer.h"
#include "conf.h"
#include "engine.h"
#include "host.h"
#include "log.h"
#include "model.h"
#include "op.h"
#include "resv.h"
#include "squeezerd.h"
#include "xlconf.h"

#define DAEMON_CHECK_SOON_MS	20	/* coalesces bursts of changes */

static void	daemon_check_cb(int, short, void *);
static void	daemon_expire_cb(int, short, void *);
static void	daemon_reconnect_cb(int, short, void *);

uint64_t
daemon_now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == -1)
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
daemon_tv(struct timeval *tv, uint64_t ms)
{
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

/* ---- the balance check ------------------------------------------------ */

void
daemon_check_soon(struct squeezerd *bd)
{
	struct timeval	tv;

	bd->bd_check_wanted = true;
	daemon_tv(&tv, DAEMON_CHECK_SOON_MS);
	evtimer_add(bd->bd_ev_check, &tv);
}

static void
daemon_check_later(struct squeezerd *bd)
{
	struct timeval	tv;

	if (evtimer_pending(bd->bd_ev_check, NULL))
		return;
	daemon_tv(&tv, bd->bd_conf.balance_interval_ms);
	evtimer_add(bd->bd_ev_check, &tv);
}

void
daemon_changed(struct squeezerd *bd)
{
	bd->bd_stale = true;
	daemon_check_soon(bd);
}

/* The periodic balance ends: nobody waits for it. */
static void
daemon_balance_done(struct bal_op *bop, const struct op_result *r,
    void *arg)
{
	size_t	i;

	(void)bop;
	(void)arg;
	if (r->outcome == OP_REFUSED)
		for (i = 0; i < r->ndomids; i++)
			log_warnx("balance: domain %" PRId32 " did not reach "
			    "its target", r->domids[i]);
	else if (r->outcome == OP_DEADLINE)
		log_warnx("balance: not done within operation-timeout");
	else if (r->outcome == OP_ERROR)
		log_warnx("balance: %s", strerror(-r->error));
	else
		log_debug("balance: done");
}

/* Queue a balance if the host is unbalanced and nothing is queued. */
static void
daemon_balance_if_needed(struct squeezerd *bd)
{
	static const struct op_req	 req = { .kind = OP_BALANCE,
					    .node = -1 };
	struct bal_op			*bop;
	bool				 unbalanced = false;

	if (bd->bd_stopping || !bal_idle(bd->bd_bal))
		return;
	if (daemon_refresh(bd, true) < 0 ||
	    op_unbalanced(bd->bd_engine, &bd->bd_ec,
	    model_snapshot(bd->bd_model), daemon_now_ms(), &unbalanced) < 0 ||
	    !unbalanced)
		return;
	if ((bop = bal_op_new(&req, NULL, "balance", NULL,
	    daemon_balance_done, NULL)) == NULL) {
		log_warnx("balance: out of memory");
		return;
	}
	log_info("host unbalanced: balancing");
	bal_submit(bd->bd_bal, bop);
}

/*
 * Settled: nothing queued, nothing changed since the last look, and every
 * balloon at its target.  Then nothing can move without telling us (a
 * watch event or a request), so there is nothing to poll.
 */
static bool
daemon_settled(const struct squeezerd *bd)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	size_t				 i;

	if (bd->bd_stale || !bal_idle(bd->bd_bal) || bd->bd_snap_ms == 0)
		return false;
	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon && !host_hit_target(
		    s->doms[i].inaccuracy_kib, s->doms[i].actual_kib,
		    s->doms[i].target_kib))
			return false;
	return true;
}

/* Is xenstored still there?  libxenstore does not say when it goes. */
static void
daemon_probe(struct squeezerd *bd)
{
	char	*v;
	int	 rc;

	if (bd->bd_be->reconnect == NULL)
		return;
	/* "/" is never cached: this really asks xenstored */
	if ((rc = bd->bd_be->read(bd->bd_be_ctx, "/", &v)) == 0)
		free(v);
	else if (rc == -EPIPE)
		(void)daemon_refresh(bd, true);	/* reconnects, or retries */
}

static void
daemon_check_cb(evutil_socket_t fd, short what, void *arg)
{
	struct squeezerd	*bd = arg;
	bool			 wanted;

	(void)fd;
	(void)what;
	if (!bal_idle(bd->bd_bal)) {
		daemon_check_later(bd);	/* a wanted check waits for the queue */
		return;
	}
	wanted = bd->bd_check_wanted;
	bd->bd_check_wanted = false;	/* what follows may want another */
	if (!wanted && daemon_settled(bd))
		daemon_probe(bd);
	else
		daemon_balance_if_needed(bd);
	daemon_check_later(bd);
}

/* ---- the balancer's host ---------------------------------------------- */

static int
daemon_bal_refresh(void *ctx)
{
	return daemon_refresh(ctx, true);
}

static const struct host_snapshot *
daemon_bal_snapshot(void *ctx)
{
	struct squeezerd	*bd = ctx;

	return model_snapshot(bd->bd_model);
}

static int
daemon_bal_apply(void *ctx, const struct hv_domain *d, int64_t kib)
{
	struct squeezerd	*bd = ctx;

	return model_apply(bd->bd_model, d, kib);
}

static void
daemon_bal_sync(void *ctx)
{
	struct squeezerd	*bd = ctx;

	if (bd->bd_be->sync != NULL)
		(void)bd->bd_be->sync(bd->bd_be_ctx);
}

/* The snapshot's balloonable domains whose memory is on node. */
static int
daemon_bal_node(void *ctx, int node, int32_t **ret, size_t *ret_n)
{
	struct squeezerd		*bd = ctx;
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	int32_t				*v;
	size_t				 i, n = 0;
	int				 dn;

	if (bd->bd_be->node_of == NULL) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	if ((v = calloc(s->ndoms + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < s->ndoms; i++)
		if (s->doms[i].can_balloon && bd->bd_be->node_of(
		    bd->bd_be_ctx, s->doms[i].domid, &dn) == 0 && dn == node)
			v[n++] = s->doms[i].domid;
	*ret = v;
	*ret_n = n;
	return 0;
}

static uint64_t
daemon_bal_now(void *ctx)
{
	(void)ctx;
	return daemon_now_ms();
}

static void
daemon_bal_changed(void *ctx)
{
	daemon_changed(ctx);
}

static const struct bal_host daemon_bal_host = {
	.refresh	= daemon_bal_refresh,
	.snapshot	= daemon_bal_snapshot,
	.apply		= daemon_bal_apply,
	.sync		= daemon_bal_sync,
	.node_domains	= daemon_bal_node,
	.now		= daemon_bal_now,
	.changed	= daemon_bal_changed,
};

/* ---- housekeeping ------------------------------------------------------ */

/* Pins of domains that left, or whose lease ran out (a dead toolstack). */
static int
daemon_unpin(struct squeezerd *bd, uint64_t now)
{
	const struct resv_pin	*p;
	struct resv_pin		 pin;
	size_t			 n, i = 0;
	int			 released = 0;

	p = model_pin_list(bd->bd_model, &n);
	while (i < n) {
		pin = p[i];
		if (model_dom(bd->bd_model, pin.domid) == NULL)
			log_info("domain %" PRId32 ": gone, migration over",
			    pin.domid);
		else if (pin.expires_ms != 0 && pin.expires_ms <= now)
			log_warnx("domain %" PRId32 ": migration not ended "
			    "within migration-timeout, released", pin.domid);
		else {
			i++;
			continue;
		}
		if (model_pin_clear(bd->bd_model, pin.domid) < 0) {
			log_warnx("domain %" PRId32 ": cannot unpin",
			    pin.domid);
			i++;
		}
		p = model_pin_list(bd->bd_model, &n);
		released = 1;
	}
	return released;
}

/* Whether a reservation is over: its domain gone, or its ttl passed. */
static bool
daemon_resv_over(struct squeezerd *bd, const struct resv *r, uint64_t now)
{
	if (r->domid >= 0 && model_dom(bd->bd_model, r->domid) == NULL) {
		log_info("reservation %s (session %s, %" PRId64 " KiB): "
		    "domain %" PRId32 " is gone, released", r->id,
		    r->session, r->kib, r->domid);
		return true;
	}
	if (r->domid < 0 && r->expires_ms != 0 && r->expires_ms <= now) {
		log_info("reservation %s (session %s, %" PRId64 " KiB): not "
		    "transferred in time, expired", r->id, r->session, r->kib);
		return true;
	}
	return false;
}

/* A new xenstored lost a transferred domain's keys: write them back. */
static bool
daemon_resv_domain(struct squeezerd *bd, const struct resv *r)
{
	struct model_dom	*md;

	md = r->domid >= 0 ? model_dom(bd->bd_model, r->domid) : NULL;
	if (md == NULL || md->booted || md->initial_kib >= 0 ||
	    resv_restore_domain(bd->bd_be, bd->bd_be_ctx, r) != 1)
		return false;
	log_info("reservation %s: domain %" PRId32 "'s initial-reservation "
	    "written back", r->id, r->domid);
	return true;
}

/* Release what a fresh view shows as over: 1 when anything changed. */
static int
daemon_release(struct squeezerd *bd, uint64_t now)
{
	const struct resv	*r;
	struct resv		 x;
	size_t			 n, i = 0;
	int			 released = 0;

	r = model_resv(bd->bd_model, &n);
	while (i < n) {
		x = r[i];
		if (daemon_resv_domain(bd, &x)) {
			released = 1;	/* read again, with it */
			i++;
			continue;
		}
		if (!daemon_resv_over(bd, &x, now)) {
			i++;
			continue;
		}
		if (model_resv_remove(bd->bd_model, x.session, x.id) < 0) {
			log_warnx("reservation %s: cannot remove it", x.id);
			i++;
		}
		r = model_resv(bd->bd_model, &n);
		released = 1;
	}
	return released | daemon_unpin(bd, now);
}

/* Arm the ttl timer for the earliest untransferred expiry or lease. */
static void
daemon_arm_expiry(struct squeezerd *bd, uint64_t now)
{
	const struct resv	*r;
	const struct resv_pin	*p;
	struct timeval		 tv;
	uint64_t		 first = 0;
	size_t			 n, i;

	r = model_resv(bd->bd_model, &n);
	for (i = 0; i < n; i++)
		if (r[i].domid < 0 && r[i].expires_ms != 0 &&
		    (first == 0 || r[i].expires_ms < first))
			first = r[i].expires_ms;
	p = model_pin_list(bd->bd_model, &n);
	for (i = 0; i < n; i++)
		if (p[i].expires_ms != 0 && (first == 0 ||
		    p[i].expires_ms < first))
			first = p[i].expires_ms;
	if (first == 0) {
		evtimer_del(bd->bd_ev_expire);
		return;
	}
	daemon_tv(&tv, first > now ? first - now : 0);
	evtimer_add(bd->bd_ev_expire, &tv);
}

static void
daemon_expire_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)daemon_refresh(arg, true);
}

/* Say once that someone else's target fixed a guest (model_range). */
static void
daemon_fixed(struct model_dom *md)
{
	if (md->fixed_by_operator_kib < 0)
		return;
	log_info("domain %" PRId32 "%s%s%s: memory/target set to %" PRId64
	    " KiB by someone else (xl mem-set?): fixed there, its guest-range "
	    "rule no longer applies (squeezerctl range sets a range again)",
	    md->domid, md->name[0] != '\0' ? " (" : "", md->name,
	    md->name[0] != '\0' ? ")" : "", md->fixed_by_operator_kib);
	md->fixed_by_operator_kib = -1;
}

/* Tell the guest about its uncooperative flag; log unreadable values once. */
static void
daemon_flags(struct squeezerd *bd)
{
	const struct host_snapshot	*s = model_snapshot(bd->bd_model);
	struct model_dom		*md;
	size_t				 i, n;
	bool				 unco;

	for (i = 0; i < s->ndoms; i++) {
		unco = engine_dom_state(bd->bd_engine, &s->doms[i]) ==
		    ENGINE_DOM_UNCOOPERATIVE;
		if (model_set_uncooperative(bd->bd_model, s->doms[i].domid,
		    unco) < 0)
			log_warnx("domain %" PRId32 ": cannot update "
			    "memory/uncooperative", s->doms[i].domid);
	}
	md = model_doms(bd->bd_model, &n);
	for (i = 0; i < n; i++) {
		daemon_fixed(&md[i]);
		if (md[i].skip_why == NULL) {
			md[i].skip_reported = false;
			continue;
		}
		if (md[i].skip_reported)
			continue;
		log_warnx("domain %" PRId32 ": %s is not a usable number, "
		    "leaving the domain alone", md[i].domid, md[i].skip_why);
		md[i].skip_reported = true;
	}
}

/* ---- xenstored --------------------------------------------------------- */

void
daemon_watch_arm(struct squeezerd *bd)
{
	int	fd;

	fd = bd->bd_be->watch_fd != NULL ? bd->bd_be->watch_fd(bd->bd_be_ctx) :
	    -1;
	if (fd == bd->bd_watch_fd && (fd < 0 || bd->bd_ev_watch != NULL))
		return;
	if (bd->bd_ev_watch != NULL) {
		event_free(bd->bd_ev_watch);
		bd->bd_ev_watch = NULL;
	}
	bd->bd_watch_fd = fd;
	if (fd < 0)
		return;
	bd->bd_ev_watch = event_new(bd->bd_base, fd, EV_READ | EV_PERSIST,
	    daemon_watch_cb, bd);
	if (bd->bd_ev_watch == NULL || event_add(bd->bd_ev_watch, NULL) < 0)
		log_warnx("%s: cannot watch xenstore, polling", __func__);
}

/* Try again in a second until xenstored is back. */
static void
daemon_lost(struct squeezerd *bd)
{
	struct timeval	tv = { 1, 0 };

	if (!evtimer_pending(bd->bd_ev_reconnect, NULL))
		log_warnx("lost the connection to xenstored; reconnecting");
	daemon_watch_arm(bd);		/* drops the dead fd */
	evtimer_add(bd->bd_ev_reconnect, &tv);
}

void
daemon_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct squeezerd	*bd = arg;
	bool			 changed = false;

	(void)fd;
	(void)what;
	if (bd->bd_be->drain(bd->bd_be_ctx, &changed) < 0) {
		daemon_lost(bd);
		return;
	}
	if (changed)
		daemon_changed(bd);
}

static void
daemon_reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct squeezerd	*bd = arg;

	(void)fd;
	(void)what;
	if (daemon_refresh(bd, true) == 0)
		daemon_check_soon(bd);
}

/*
 * A new connection may be to a new, empty xenstored: make /squeezed say
 * what our own record says (squeezed would have lost its reservations; a
 * view read before the loss would bring back what was deleted since, and
 * miss what was made since).
 */
static void
daemon_reconnected(struct squeezerd *bd)
{
	size_t	changed = 0;

	if (model_restore_store(bd->bd_model, &changed) < 0)
		log_warnx("reconnected to xenstored; cannot write every "
		    "reservation back");
	log_info("reconnected to xenstored; %zu reservation(s) written back "
	    "or removed", changed);
	evtimer_del(bd->bd_ev_reconnect);
	/* a new pipe may have the old fd's number: register it afresh */
	if (bd->bd_ev_watch != NULL) {
		event_free(bd->bd_ev_watch);
		bd->bd_ev_watch = NULL;
	}
	bd->bd_watch_fd = -1;
	daemon_watch_arm(bd);
}

/* Read the host, reconnecting to xenstored first if it was lost. */
static int
daemon_read(struct squeezerd *bd, uint64_t now)
{
	bool	changed = false;
	int	rc = -EPIPE, tries;

	for (tries = 0; tries < 2; tries++) {
		if (bd->bd_be->reconnect != NULL) {
			rc = bd->bd_be->reconnect(bd->bd_be_ctx);
			if (rc < 0) {
				daemon_lost(bd);
				return -EPIPE;
			}
			if (rc == 1)
				daemon_reconnected(bd);
		}
		if (bd->bd_be->drain != NULL) {
			/* what changed is read now; the balancer looks soon */
			if (bd->bd_be->drain(bd->bd_be_ctx, &changed) < 0)
				continue;	/* lost: reconnect */
			if (changed)
				daemon_check_soon(bd);
		}
		if ((rc = model_refresh(bd->bd_model, now)) != -EPIPE)
			return rc;
	}
	daemon_lost(bd);
	return rc;
}

int
daemon_refresh(struct squeezerd *bd, bool force)
{
	uint64_t	now = daemon_now_ms();
	int		rc, round;

	if (!force && !bd->bd_stale && !model_stale(bd->bd_model) &&
	    bd->bd_snap_ms != 0 &&
	    now - bd->bd_snap_ms < bd->bd_conf.poll_interval_ms)
		return 0;
	for (round = 0; round < 2; round++) {
		if ((rc = daemon_read(bd, now)) < 0) {
			if (rc != -EPIPE)
				log_warnx("cannot read the host: %s",
				    strerror(-rc));
			/* xenstored is away: queries get the last good view */
			if (rc == -EPIPE && !force && bd->bd_snap_ms != 0)
				return 0;
			return rc;
		}
		if (round == 0 && daemon_release(bd, now))
			continue;	/* once more, without them */
		break;
	}
	if (round > 0)
		daemon_check_soon(bd);
	bd->bd_snap_ms = now;
	bd->bd_stale = false;
	engine_observe(bd->bd_engine, model_snapshot(bd->bd_model), now);
	daemon_flags(bd);
	daemon_arm_expiry(bd, now);
	if (bd->bd_be->sync != NULL)
		(void)bd->bd_be->sync(bd->bd_be_ctx);
	return 0;
}

/* ---- dom0 and the configuration ---------------------------------------- */

static int
daemon_dom0_write(struct squeezerd *bd, const char *key, int64_t kib)
{
	char	path[64], val[32];

	snprintf(path, sizeof(path), "/local/domain/0/%s", key);
	snprintf(val, sizeof(val), "%" PRId64, kib);
	return bd->bd_be->write(bd->bd_be_ctx, path, val);
}

/* dom0's dynamic-max when the configuration says auto (0). */
static int64_t
daemon_dom0_auto_max(struct squeezerd *bd)
{
	struct backend_dominfo	*di = NULL;
	int64_t			 kib = 0, cur;
	size_t			 n = 0;
	char			*v;

	if (bd->bd_be->read(bd->bd_be_ctx, "/local/domain/0/memory/dynamic-max",
	    &v) == 0) {
		if (conf_parse_int(v, HOST_MAX_KIB, &cur) == 0)
			kib = cur;	/* what xenstore says */
		free(v);
	}
	if (kib == 0 && bd->bd_be->domains(bd->bd_be_ctx, &di, &n) == 0 &&
	    n > 0 && di[0].domid == 0)
		kib = di[0].tot_kib;	/* what dom0 has */
	free(di);
	return kib;
}

/*
 * manage-domain-zero: dom0 takes part, with the dynamic range of the
 * configuration written to xenstore (squeezed's configure_domain_zero).
 * A backend whose dom0 is a guest like the others needs none of it.
 */
static void
daemon_dom0(struct squeezerd *bd)
{
	bool	guest = bd->bd_be->flags & BACKEND_DOM0_GUEST;
	int64_t	dmin = bd->bd_conf.dom0_dyn_min_kib;
	int64_t	dmax = bd->bd_conf.dom0_dyn_max_kib;
	char	*v;
	int	 rc = 0;

	model_set_dom0(bd->bd_model, bd->bd_conf.manage_dom0 || guest,
	    guest ? 0 : bd->bd_conf.dom0_floor_kib);
	if (!bd->bd_conf.manage_dom0 || guest)
		return;
	if (dmax == 0)
		dmax = daemon_dom0_auto_max(bd);
	if (dmin < bd->bd_conf.dom0_floor_kib)
		dmin = bd->bd_conf.dom0_floor_kib;
	if (dmax < dmin)
		dmax = dmin;
	rc |= daemon_dom0_write(bd, "memory/dynamic-min", dmin);
	rc |= daemon_dom0_write(bd, "memory/dynamic-max", dmax);
	if (bd->bd_be->read(bd->bd_be_ctx, "/local/domain/0/memory/target",
	    &v) == 0)
		free(v);
	else
		rc |= daemon_dom0_write(bd, "memory/target", dmax);
	rc |= bd->bd_be->write(bd->bd_be_ctx,
	    "/local/domain/0/control/feature-balloon", "1");
	if (rc < 0)
		log_warnx("dom0: cannot write its memory keys");
	else
		log_info("dom0 managed: dynamic range %" PRId64 "-%" PRId64
		    " KiB", dmin, dmax);
	bd->bd_stale = true;
}

/*
 * Guests without a range of their own: the configuration's rules; and
 * whether xl may balloon the dom0 we manage (a warning, logged at start
 * and at each reload, and shown by host.status).
 */
static void
daemon_guests(struct squeezerd *bd)
{
	enum xlconf_autoballoon	ab = XLCONF_AB_AUTO;
	int			rc;

	model_set_rules(bd->bd_model, bd->bd_conf.guest_range,
	    bd->bd_conf.nguest_range);
	bd->bd_warning[0] = '\0';
	if (!bd->bd_conf.manage_dom0 || (bd->bd_be->flags &
	    BACKEND_DOM0_GUEST) || bd->bd_conf.xl_conf[0] == '\0')
		return;
	rc = xlconf_autoballoon(bd->bd_conf.xl_conf, &ab);
	xlconf_warning(bd->bd_conf.xl_conf, rc, ab, bd->bd_warning,
	    sizeof(bd->bd_warning));
	if (bd->bd_warning[0] != '\0')
		log_warnx("%s", bd->bd_warning);
}

int
daemon_set_conf(struct squeezerd *bd, const struct conf *c)
{
	struct engine_conf	ec;
	int			rc;

	if ((rc = conf_engine(c, &ec)) < 0)
		return rc;
	if (bd->bd_engine != NULL && (rc = engine_set_conf(bd->bd_engine,
	    &ec)) < 0)
		return rc;
	bd->bd_conf = *c;
	bd->bd_ec = ec;
	if (bd->bd_bal != NULL)
		bal_set_conf(bd->bd_bal, &ec, c->poll_interval_ms);
	if (bd->bd_model != NULL) {
		daemon_dom0(bd);
		daemon_guests(bd);
		daemon_changed(bd);
		evtimer_del(bd->bd_ev_check);
		daemon_check_later(bd);
	}
	return 0;
}

int
daemon_reload(struct squeezerd *bd)
{
	struct conf	c;
	char		err[512];
	int		rc;

	conf_defaults(&c);
	if (bd->bd_conf_file != NULL &&
	    (rc = conf_load(bd->bd_conf_file, stderr, &c)) < 0) {
		log_warnx("reload: %s: errors, keeping the running "
		    "configuration", bd->bd_conf_file);
		return rc;
	}
	if (bd->bd_be->host_conf != NULL && (rc = bd->bd_be->host_conf(
	    bd->bd_host_file, &c, err, sizeof(err))) < 0) {
		log_warnx("reload: %s, keeping the running configuration",
		    err);
		return rc;
	}
	/* a policy set at run time lasts until the file names another */
	if ((rc = daemon_set_conf(bd, &c)) < 0) {
		log_warnx("reload: invalid configuration, keeping the "
		    "running one");
		return rc;
	}
	log_info("configuration reloaded");
	return 0;
}

/* ---- start and stop ---------------------------------------------------- */

int
daemon_open(struct squeezerd *bd)
{
	int	rc;

	if ((rc = daemon_set_conf(bd, &bd->bd_conf)) < 0)
		return rc;
	bd->bd_watch_fd = -1;
	if ((bd->bd_engine = engine_new(&bd->bd_ec)) == NULL ||
	    (bd->bd_model = model_new(bd->bd_be, bd->bd_be_ctx,
	    bd->bd_be->flags & BACKEND_DOM0_GUEST)) == NULL ||
	    (bd->bd_bal = bal_new(bd->bd_base, bd->bd_engine,
	    &daemon_bal_host, bd)) == NULL ||
	    (bd->bd_ev_check = evtimer_new(bd->bd_base, daemon_check_cb,
	    bd)) == NULL ||
	    (bd->bd_ev_expire = evtimer_new(bd->bd_base, daemon_expire_cb,
	    bd)) == NULL ||
	    (bd->bd_ev_reconnect = evtimer_new(bd->bd_base,
	    daemon_reconnect_cb, bd)) == NULL)
		return -ENOMEM;
	bal_set_conf(bd->bd_bal, &bd->bd_ec, bd->bd_conf.poll_interval_ms);
	daemon_dom0(bd);
	daemon_guests(bd);
	if ((rc = daemon_refresh(bd, true)) < 0)
		return rc;
	daemon_watch_arm(bd);
	daemon_check_soon(bd);
	return 0;
}

void
daemon_close(struct squeezerd *bd)
{
	bd->bd_stopping = true;
	bal_free(bd->bd_bal);		/* nobody waits any more */
	bd->bd_bal = NULL;
	if (bd->bd_be_ctx != NULL && bd->bd_be->sync != NULL)
		(void)bd->bd_be->sync(bd->bd_be_ctx);
	model_free(bd->bd_model);
	bd->bd_model = NULL;
	engine_free(bd->bd_engine);
	bd->bd_engine = NULL;
	if (bd->bd_ev_check != NULL)
		event_free(bd->bd_ev_check);
	if (bd->bd_ev_expire != NULL)
		event_free(bd->bd_ev_expire);
	if (bd->bd_ev_reconnect != NULL)
		event_free(bd->bd_ev_reconnect);
	if (bd->bd_ev_watch != NULL)
		event_free(bd->bd_ev_watch);
	bd->bd_ev_check = bd->bd_ev_expire = bd->bd_ev_reconnect = NULL;
	bd->bd_ev_watch = NULL;
}
