/*
 * qmemman_reimpl.c: for the benchmark only, a re-implementation of Qubes
 * OS's qmemman balance rule, written from its published description and
 * code, not from squeezerd's:
 *
 *  - "qmemman, Qubes memory manager" (QubesOS/qubes-doc,
 *    developer/services/qmemman.md): a domain's prefmem is 130 % of what
 *    it uses; with more memory than the prefmems add up to, all of it is
 *    shared in proportion to prefmem; with less, the domains above their
 *    prefmem are shrunk to it and what that frees is shared among the
 *    others in proportion to prefmem; a redistribution is made only if it
 *    moves more than 150 MB in all, or gives more than 15 MB to a domain
 *    below its prefmem; 50 MB of Xen memory stays free.
 *  - QubesOS/qubes-core-admin qubes/qmemman/algo.py (pref_mem, needed_mem,
 *    balance, balance_when_enough_mem, balance_when_low_on_mem: the 0.999
 *    factors, the static-max water-filling, donors giving less than 10 MB
 *    left alone) and systemstate.py (get_free_xen_memory: free less what
 *    targets above the current memory will still take;
 *    is_balance_req_significant).
 *
 * Mapped onto squeezerd's policy interface, one call being one qmemman
 * balance: a domain's memory (memory_actual) is max(actual, target); the
 * 50 MB is the host target (the host reserve, and a reservation's size on
 * top while one is made); prefmem stays within [dynamic-min, dynamic-max]
 * (qmemman's MIN_PREFMEM and the domain's maximum); a domain that reports
 * nothing keeps its target (qmemman leaves it out).  qmemman never takes a
 * reporting domain below its prefmem, so a reservation that would need
 * that fails (cannot_free) where squeezerd's policies would squeeze down
 * to dynamic-min: that is the rule, kept.  When low on memory qmemman
 * shrinks the donors in one round and gives the acceptors what is free in
 * the next; squeezerd's engine frees before it grows, so this shares free
 * memory plus what the donors give at once, as the published description
 * says.  Integer KiB; qmemman's float scales are doubles here.
 */
#include <stddef.h>
#include <stdint.h>

#include "bench_policies.h"
#include "host.h"
#include "policy.h"

#define QM_PREF_NUM		13		/* prefmem = used x 1.3 */
#define QM_PREF_DEN		10
#define QM_ROUND		0.999		/* "prevent rounding errors" */
#define QM_MIN_TRANSFER_KIB	(150 * 1024)	/* MIN_TOTAL_MEMORY_TRANSFER */
#define QM_MIN_UNDER_PREF_KIB	(15 * 1024)	/* ..._WHEN_UNDER_PREF */
#define QM_MIN_DONATION_KIB	(10 * 1024)	/* low on memory: skip */

/* Does the domain report what it uses (qmemman: mem_used not None)? */
static bool
qm_reports(const struct hv_domain *d)
{
	return d->has_mem_used && d->mem_used_kib >= 0 &&
	    d->mem_used_kib <= HOST_MAX_KIB;
}

static int64_t
qm_clamp(const struct hv_domain *d, int64_t t)
{
	if (t > d->dyn_min_kib + host_range(d))
		t = d->dyn_min_kib + host_range(d);
	return t < d->dyn_min_kib ? d->dyn_min_kib : t;
}

/* pref_mem: 130 % of the use, within the domain's range. */
static int64_t
qm_pref(const struct hv_domain *d)
{
	return qm_clamp(d, policy_muldiv(d->mem_used_kib, QM_PREF_NUM,
	    QM_PREF_DEN));
}

/* memory_actual: what the domain uses or may use. */
static int64_t
qm_mem(const struct hv_domain *d)
{
	return d->actual_kib > d->target_kib ? d->actual_kib : d->target_kib;
}

/* balance_when_enough_mem: everything in proportion to prefmem. */
static void
qm_enough(const struct policy_input *in, int64_t available,
    int64_t pref_total, int64_t *t)
{
	const struct hv_domain	*d;
	int64_t			 left = 0, bonus, max;
	size_t			 i, acceptors = 0, nacc;

	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (!qm_reports(d))
			continue;
		max = d->dyn_min_kib + host_range(d);
		t[i] = (int64_t)(QM_ROUND * ((double)qm_pref(d) +
		    (double)qm_pref(d) / (double)pref_total *
		    (double)available));
		if (t[i] > max) {
			left += t[i] - max;
			t[i] = max;
		} else
			acceptors++;
	}
	while (left > 0 && acceptors > 0) {	/* what the full ones leave */
		bonus = (int64_t)(QM_ROUND * ((double)left /
		    (double)acceptors));
		nacc = acceptors;
		left = 0;
		for (i = 0; i < in->ndoms; i++) {
			d = &in->doms[i];
			max = d->dyn_min_kib + host_range(d);
			if (!qm_reports(d) || t[i] >= max)
				continue;
			if (t[i] + bonus >= max) {
				left += t[i] + bonus - max;
				t[i] = max;
				nacc--;
			} else
				t[i] += bonus;
		}
		acceptors = nacc;
	}
}

/* balance_when_low_on_mem: donors to prefmem, the rest to the others. */
static void
qm_low(const struct policy_input *in, int64_t free_kib, int64_t *t)
{
	const struct hv_domain	*d;
	int64_t			 squeezed = free_kib, pref_acc = 0, give;
	size_t			 i;

	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (!qm_reports(d))
			continue;
		if (qm_pref(d) < qm_mem(d) || qm_mem(d) >=
		    d->dyn_min_kib + host_range(d)) {	/* a donor */
			give = qm_mem(d) - qm_pref(d);
			if (give < QM_MIN_DONATION_KIB)
				continue;
			squeezed += give;
			t[i] = qm_pref(d);
		} else
			pref_acc += qm_pref(d);
	}
	if (squeezed < 0 || pref_acc == 0)
		return;
	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (!qm_reports(d) || qm_pref(d) < qm_mem(d) || qm_mem(d) >=
		    d->dyn_min_kib + host_range(d))
			continue;
		t[i] = qm_clamp(d, (int64_t)(QM_ROUND * ((double)qm_mem(d) +
		    (double)qm_pref(d) / (double)pref_acc *
		    (double)squeezed)));
	}
}

/* is_balance_req_significant: worth doing, or churn? */
static bool
qm_significant(const struct policy_input *in, const int64_t *t,
    int64_t xen_free_kib)
{
	const struct hv_domain	*d;
	int64_t			 moved = 0, change, off;
	size_t			 i;

	if (in->host_target_kib - xen_free_kib > QM_MIN_UNDER_PREF_KIB)
		return true;			/* Xen free memory too low */
	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (!qm_reports(d))
			continue;
		change = t[i] - d->target_kib;
		moved += change < 0 ? -change : change;
		if (d->target_kib > 0 && d->target_kib < qm_pref(d) &&
		    change > QM_MIN_UNDER_PREF_KIB)
			return true;
	}
	off = xen_free_kib - in->host_target_kib;
	return moved + (off < 0 ? -off : off) > QM_MIN_TRANSFER_KIB;
}

static int
qm_compute(const struct policy_input *in, int64_t *ret_targets)
{
	const struct hv_domain	*d;
	int64_t			 xen_free, need = 0, pref_total = 0;
	size_t			 i;
	int			 rc;

	if ((rc = policy_check(in, ret_targets)) < 0)
		return rc;
	xen_free = in->host_free_kib;
	for (i = 0; i < in->ndoms; i++) {
		d = &in->doms[i];
		if (d->target_kib > d->actual_kib)	/* assigned, unused */
			xen_free -= d->target_kib - d->actual_kib;
		ret_targets[i] = qm_clamp(d, d->target_kib);
		if (qm_reports(d)) {
			need += qm_pref(d) - qm_mem(d);
			pref_total += qm_pref(d);
		}
	}
	if (pref_total == 0)
		return 0;
	if (xen_free - in->host_target_kib - need > 0)
		qm_enough(in, xen_free - in->host_target_kib - need,
		    pref_total, ret_targets);
	else
		qm_low(in, xen_free - in->host_target_kib, ret_targets);
	if (!qm_significant(in, ret_targets, xen_free))
		for (i = 0; i < in->ndoms; i++)
			ret_targets[i] = qm_clamp(&in->doms[i],
			    in->doms[i].target_kib);
	for (i = 0; i < in->ndoms; i++)
		ret_targets[i] = qm_clamp(&in->doms[i], ret_targets[i]);
	return 0;
}

const struct policy bench_policy_qmemman = {
	.name		= "qmemman-reimpl",
	.description	= "re-implementation of Qubes qmemman's rule: used x "
			  "1.3, the rest by prefmem (benchmark only)",
	.compute	= qm_compute,
};
