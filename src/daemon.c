/*
 * daemon.c: the daemon's view of the host, kept fresh, and the housekeeping
 * a fresh view allows: reservations whose ttl ran out or whose domain is
 * gone, memory/uncooperative flags, guest values that could not be read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "backend.h"
#include "backend_sim.h"
#include "balancer.h"
#include "conf.h"
#include "engine.h"
#include "host.h"
#include "log.h"
#include "model.h"
#include "resv.h"
#include "squeezerd.h"

uint64_t
daemon_now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == -1)
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
daemon_changed(struct squeezerd *bd)
{
	bd->bd_stale = true;
	bal_check_soon(bd);
}

/* Pins of domains that left, or whose lease ran out (a dead toolstack). */
static int
daemon_unpin(struct squeezerd *bd, uint64_t now)
{
	const struct resv_pin	*p;
	size_t			 n, i;
	int			 released = 0;

	p = model_pin_list(bd->bd_model, &n);
	for (i = 0; i < n; i++) {
		if (model_dom(bd->bd_model, p[i].domid) == NULL)
			log_info("domain %" PRId32 ": gone, migration over",
			    p[i].domid);
		else if (p[i].expires_ms != 0 && p[i].expires_ms <= now)
			log_warnx("domain %" PRId32 ": migration not ended "
			    "within migration-timeout, released", p[i].domid);
		else
			continue;
		if (resv_pin_clear(bd->bd_be, bd->bd_be_ctx, p[i].domid) < 0)
			log_warnx("domain %" PRId32 ": cannot unpin",
			    p[i].domid);
		released = 1;
	}
	return released;
}

/* Release what a fresh view shows as over: 1 when anything went. */
static int
daemon_release(struct squeezerd *bd, uint64_t now)
{
	const struct resv	*r;
	struct model_dom	*md;
	size_t			 n, i;
	int			 released = 0;

	r = model_resv(bd->bd_model, &n);
	for (i = 0; i < n; i++) {
		md = r[i].domid >= 0 ? model_dom(bd->bd_model, r[i].domid) :
		    NULL;
		if (md != NULL && !md->booted && md->initial_kib < 0 &&
		    resv_restore_domain(bd->bd_be, bd->bd_be_ctx, &r[i]) == 1) {
			log_info("reservation %s: domain %" PRId32 "'s "
			    "initial-reservation written back", r[i].id,
			    r[i].domid);
			released = 1;	/* read again, with it */
			continue;
		}
		if (r[i].domid >= 0 && md == NULL)
			log_info("reservation %s (session %s, %" PRId64 " KiB): "
			    "domain %" PRId32 " is gone, released", r[i].id,
			    r[i].session, r[i].kib, r[i].domid);
		else if (r[i].domid < 0 && r[i].expires_ms != 0 &&
		    r[i].expires_ms <= now)
			log_info("reservation %s (session %s, %" PRId64 " KiB): "
			    "not transferred in time, expired", r[i].id,
			    r[i].session, r[i].kib);
		else
			continue;
		if (resv_remove(bd->bd_be, bd->bd_be_ctx, r[i].session,
		    r[i].id) < 0)
			log_warnx("reservation %s: cannot remove it", r[i].id);
		released = 1;
	}
	return released | daemon_unpin(bd, now);
}

/* Arm the ttl timer for the earliest untransferred expiry. */
static void
daemon_arm_expiry(struct squeezerd *bd, uint64_t now)
{
	const struct resv	*r;
	struct timeval		 tv;
	uint64_t		 first = 0, ms;
	size_t			 n, i;

	const struct resv_pin	*p;

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
	ms = first > now ? first - now : 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(bd->bd_ev_expire, &tv);
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

void
daemon_reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct squeezerd	*bd = arg;

	(void)fd;
	(void)what;
	if (daemon_refresh(bd, true) == 0)
		bal_check_soon(bd);
}

/*
 * A new connection may be to a new, empty xenstored: write back every
 * reservation the last good view had (squeezed would have lost them).
 */
static void
daemon_reconnected(struct squeezerd *bd)
{
	const struct resv	*r;
	size_t			 n, i, restored = 0;

	r = model_resv(bd->bd_model, &n);
	for (i = 0; i < n; i++)
		if (resv_restore(bd->bd_be, bd->bd_be_ctx, &r[i]) < 0)
			log_warnx("reservation %s: cannot write it back",
			    r[i].id);
		else
			restored++;
	log_info("reconnected to xenstored; %zu reservation(s) checked",
	    restored);
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
				bal_check_soon(bd);
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

	if (!force && !bd->bd_stale && bd->bd_snap_ms != 0 &&
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
		bal_check_soon(bd);
	bd->bd_snap_ms = now;
	bd->bd_stale = false;
	engine_observe(bd->bd_engine, model_snapshot(bd->bd_model), now);
	daemon_flags(bd);
	daemon_arm_expiry(bd, now);
	if (bd->bd_be->sync != NULL)
		(void)bd->bd_be->sync(bd->bd_be_ctx);
	return 0;
}

static int
daemon_dom0_write(struct squeezerd *bd, const char *key, int64_t kib)
{
	char	path[64], val[32];

	snprintf(path, sizeof(path), "/local/domain/0/%s", key);
	snprintf(val, sizeof(val), "%" PRId64, kib);
	return bd->bd_be->write(bd->bd_be_ctx, path, val);
}

void
daemon_dom0(struct squeezerd *bd)
{
	struct backend_dominfo	*di = NULL;
	int64_t			 dmin = bd->bd_conf.dom0_dyn_min_kib;
	int64_t			 dmax = bd->bd_conf.dom0_dyn_max_kib, cur;
	size_t			 n = 0;
	char			*v;
	int			 rc = 0;

	model_set_dom0(bd->bd_model, bd->bd_conf.manage_dom0 ||
	    bd->bd_be == &backend_sim_ops, bd->bd_be == &backend_sim_ops ? 0 :
	    bd->bd_conf.dom0_floor_kib);
	if (!bd->bd_conf.manage_dom0 || bd->bd_be == &backend_sim_ops)
		return;
	if (dmax == 0 && bd->bd_be->read(bd->bd_be_ctx,
	    "/local/domain/0/memory/dynamic-max", &v) == 0) {
		if (conf_parse_int(v, HOST_MAX_KIB, &cur) == 0)
			dmax = cur;	/* auto: what xenstore says */
		free(v);
	}
	if (dmax == 0 && bd->bd_be->domains(bd->bd_be_ctx, &di, &n) == 0 &&
	    n > 0 && di[0].domid == 0)
		dmax = di[0].tot_kib;	/* auto: what dom0 has */
	free(di);
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

int
daemon_reload(struct squeezerd *bd)
{
	struct engine_conf	ec;
	struct conf		c;
	char			err[512];
	int			rc;

	conf_defaults(&c);
	if (bd->bd_conf_file != NULL &&
	    (rc = conf_load(bd->bd_conf_file, stderr, &c)) < 0) {
		log_warnx("reload: %s: errors, keeping the running "
		    "configuration", bd->bd_conf_file);
		return rc;
	}
	if (bd->bd_be == &backend_sim_ops && (rc = backend_sim_host_conf(
	    bd->bd_host_file, &c, err, sizeof(err))) < 0) {
		log_warnx("reload: %s, keeping the running configuration",
		    err);
		return rc;
	}
	if ((rc = conf_engine(&c, &ec)) < 0 ||
	    (rc = engine_set_conf(bd->bd_engine, &ec)) < 0) {
		log_warnx("reload: invalid configuration, keeping the "
		    "running one");
		return rc;
	}
	bd->bd_conf = c;
	bd->bd_ec = ec;
	daemon_dom0(bd);
	log_info("configuration reloaded");
	evtimer_del(bd->bd_ev_check);
	bal_check_later(bd);
	return 0;
}
