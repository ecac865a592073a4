/*
 * proxmox_reimpl.c: for the benchmark only, a re-implementation of Proxmox
 * VE's automatic ballooning, written from its published documentation and
 * code, not from squeezerd's:
 *
 *  - pve-docs qm.adoc, "Automatic Memory Allocation": the host aims at 80 %
 *    memory use (the node's ballooning-target), giving memory to the VMs
 *    above their minimum, and taking it back when the host is short; each
 *    VM's share goes by its "shares" (default 1000);
 *  - pve-manager PVE/Service/pvestatd.pm, auto_ballooning: every 10 s,
 *    goal = total x 80 % - used, at most 100 MiB per VM (maxchange);
 *  - pve-manager PVE/AutoBalloon.pm, compute_alg1: a goal within 10 MiB of
 *    nothing does nothing; growing goes first to the VMs under memory
 *    pressure (free memory at most 25 % of their minimum), shrinking first
 *    to those with enough free memory, and to all of them when those make
 *    no progress; each VM is desired at its minimum plus the memory above
 *    the minimums (with the goal) shared by shares, within [minimum,
 *    maximum], and moves by at most maxchange, the loop repeating until
 *    nothing moves.
 *
 * Mapped onto squeezerd's policy interface: a VM's balloon is its actual
 * memory (its target once within inaccuracy of it, or a balloon 4 KiB
 * short would count as moving), its minimum dynamic-min, its maximum
 * dynamic-max, its shares memory/weight x 10 (100 -> Proxmox's default
 * 1000); its free memory is the balloon less what it reports using, and a
 * domain that reports nothing counts as under pressure (as a VM without
 * memory statistics does); the host's total is free memory plus what the
 * domains divided hold, and "used" what they hold; free memory is kept at
 * the larger of 20 % of that total and the host target (so a reservation
 * is made; while free memory is below the host target the 10 MiB deadband
 * does not apply, or a reservation could end up to 10 MiB short).  A VM it
 * does not move keeps its target.  A round never grows the VMs by more
 * than its goal (px_trim: Xen cannot overcommit as KVM can).  One call is
 * one round: the benchmark runs this policy with poll-interval = 10s, so
 * that a balance's engine iterations, each a round, come at pvestatd's
 * cadence (called every 100 ms, the rule's pressure/comfort threshold,
 * free memory above 25 % of the minimum, flips a VM between growing and
 * shrinking a hundred times faster than Proxmox would).
 */
#include <stddef.h>
#include <stdint.h>

#include "bench_policies.h"
#include "host.h"
#include "policy.h"

#define PX_TARGET_PCT		80		/* ballooning-target */
#define PX_MAXCHANGE_KIB	(100 * 1024)	/* per VM per round */
#define PX_DEADBAND_KIB		(10 * 1024)	/* |goal| below: nothing */
#define PX_SHARES_PER_WEIGHT	10
#define PX_MAX_PASSES		1000		/* a bound compute_alg1 lacks */

static bool
px_reports(const struct hv_domain *d)
{
	return d->has_mem_used && d->mem_used_kib >= 0 &&
	    d->mem_used_kib <= HOST_MAX_KIB;
}

static int64_t
px_max(const struct hv_domain *d)
{
	return d->dyn_min_kib + host_range(d);
}

/* The balloon's size as QEMU reports it. */
static int64_t
px_balloon(const struct hv_domain *d)
{
	return host_hit_target(d->inaccuracy_kib, d->actual_kib,
	    d->target_kib) ? d->target_kib : d->actual_kib;
}

static int64_t
px_shares(const struct hv_domain *d)
{
	return (int64_t)host_weight(d) * PX_SHARES_PER_WEIGHT;
}

/* In idlist2: enough free memory (more than 25 % of its minimum). */
static bool
px_comfortable(const struct hv_domain *d)
{
	return px_reports(d) && px_balloon(d) - d->mem_used_kib >
	    d->dyn_min_kib / 4 && px_balloon(d) >= d->dyn_min_kib;
}

/* One VM's step towards desired: -1 when it is done (not moved). */
static int64_t
px_step(const struct hv_domain *d, int64_t desired, int64_t bytes)
{
	int64_t	b = px_balloon(d), nb;

	if (bytes > 0 && desired > b) {
		nb = b + PX_MAXCHANGE_KIB;
		return nb > desired ? desired : nb;
	}
	if (desired < b) {
		nb = b - PX_MAXCHANGE_KIB;
		return nb > desired ? nb : desired;
	}
	return -1;
}

/*
 * The state of one VM in compute_alg1, kept in its slot of ret_targets (a
 * policy allocates nothing): the new balloon size (res), if set, and
 * whether this change_func call is done with it.
 */
static int64_t
px_res(const int64_t *slot, const struct hv_domain *d)
{
	return *slot >= 2 ? *slot / 2 - 1 : px_balloon(d);
}

static bool
px_done(const int64_t *slot)
{
	return *slot % 2 != 0;
}

static void
px_set(int64_t *slot, int64_t res, bool done)
{
	*slot = (res + 1) * 2 + (done ? 1 : 0);
}

/* In this change_func call: the VMs it works on, not yet done with. */
static bool
px_in(const struct hv_domain *d, const int64_t *slot, int which)
{
	return !px_done(slot) && (which < 0 || px_comfortable(d) ==
	    (which == 1));
}

/*
 * compute_alg1's change_func over the VMs under pressure (which 0), with
 * enough free memory (1) or all of them (-1): move bytes (< 0: take)
 * among them; returns what is left to move.
 */
static int64_t
px_change(const struct policy_input *in, int which, int64_t bytes,
    int64_t *st)
{
	const struct hv_domain	*d;
	int64_t			 rest = bytes, alloc, shares, desired, b, old;
	int64_t			 changes, progress = 1;
	size_t			 i, pass;
	bool			 repeat = true;

	for (i = 0; i < in->ndoms; i++)	/* a new done_hash */
		if (px_done(&st[i]))
			st[i]--;
	for (pass = 0; rest != 0 && repeat && progress != 0 &&
	    pass < PX_MAX_PASSES; pass++) {
		repeat = false;
		progress = changes = alloc = shares = 0;
		for (i = 0; i < in->ndoms; i++) {
			d = &in->doms[i];
			if (!px_in(d, &st[i], which))
				continue;
			alloc += px_res(&st[i], d) - d->dyn_min_kib;
			shares += px_shares(d);
		}
		if (shares == 0)
			break;
		alloc += rest;
		for (i = 0; i < in->ndoms; i++) {
			d = &in->doms[i];
			if (!px_in(d, &st[i], which))
				continue;
			desired = d->dyn_min_kib + (int64_t)((double)alloc /
			    (double)shares * (double)px_shares(d));
			if (desired > px_max(d) || desired < d->dyn_min_kib) {
				desired = desired > px_max(d) ? px_max(d) :
				    d->dyn_min_kib;
				repeat = true;
			}
			if ((b = px_step(d, desired, bytes)) < 0) {
				st[i]++;	/* done */
				continue;
			}
			if (b == px_balloon(d))
				continue;
			old = px_res(&st[i], d);
			px_set(&st[i], b, false);
			if (b != old) {
				changes += b - old;
				progress += b > px_balloon(d) ?
				    b - px_balloon(d) : px_balloon(d) - b;
				repeat = true;
			}
		}
		rest -= changes;
	}
	return rest;
}

/*
 * Each VM moves by at most maxchange towards its share, so when some are
 * held back more than others the round can grow the VMs by more than the
 * goal.  KVM lets a host overcommit for a round; Xen does not (a balloon
 * cannot take memory that is not free): growth beyond the goal is taken
 * back, from the first growing VMs on.
 */
static void
px_trim(const struct policy_input *in, int64_t goal, int64_t *st)
{
	int64_t	net = 0, over, r, b, cut;
	size_t	i;

	for (i = 0; i < in->ndoms; i++)
		if (st[i] >= 2)
			net += px_res(&st[i], &in->doms[i]) -
			    px_balloon(&in->doms[i]);
	over = net - (goal > 0 ? goal : 0);
	for (i = 0; over > 0 && i < in->ndoms; i++) {
		if (st[i] < 2 || (r = px_res(&st[i], &in->doms[i])) <=
		    (b = px_balloon(&in->doms[i])))
			continue;
		cut = r - b < over ? r - b : over;
		px_set(&st[i], r - cut, false);
		over -= cut;
	}
}

static int
px_compute(const struct policy_input *in, int64_t *ret_targets)
{
	int64_t	*st = ret_targets, total, free, keep, goal, rest;
	size_t			 i;
	int			 rc;

	if ((rc = policy_check(in, ret_targets)) < 0)
		return rc;
	total = free = in->host_free_kib;
	for (i = 0; i < in->ndoms; i++) {
		total += in->doms[i].actual_kib;	/* what they hold */
		st[i] = 0;		/* not set, not done */
	}
	keep = total / 100 * (100 - PX_TARGET_PCT);
	if (keep < in->host_target_kib)
		keep = in->host_target_kib;
	goal = free - keep;
	if (free < in->host_target_kib &&
	    goal >= -PX_DEADBAND_KIB)
		goal = -PX_DEADBAND_KIB - 1;	/* a reservation: no deadband */
	if (goal > PX_DEADBAND_KIB) {		/* grow: pressure first */
		rest = px_change(in, 0, goal, st);
		if (rest >= goal)
			(void)px_change(in, -1, rest, st);
		px_trim(in, goal, st);
	} else if (goal < -PX_DEADBAND_KIB) {	/* shrink: the comfortable */
		rest = px_change(in, 1, goal, st);
		if (rest <= goal)
			(void)px_change(in, -1, rest, st);
	}
	for (i = 0; i < in->ndoms; i++) {
		ret_targets[i] = st[i] >= 2 ? st[i] / 2 - 1 :
		    in->doms[i].target_kib;
		if (ret_targets[i] > px_max(&in->doms[i]))
			ret_targets[i] = px_max(&in->doms[i]);
		if (ret_targets[i] < in->doms[i].dyn_min_kib)
			ret_targets[i] = in->doms[i].dyn_min_kib;
	}
	return 0;
}

const struct policy bench_policy_proxmox = {
	.name		= "proxmox-reimpl",
	.description	= "re-implementation of Proxmox VE's automatic "
			  "ballooning: 80 % host use, by shares, 100 MiB a "
			  "round (benchmark only)",
	.compute	= px_compute,
};
