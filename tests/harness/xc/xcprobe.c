/*
 * xcprobe -- an ordinary libxenctrl client, linked against the real
 * -lxenctrl, that test-xc.sh runs against the test double.  It checks the
 * double's answers for the fixture host that test-xc.sh writes:
 *
 *	host total_pages=262144 xen_pages=4096 nr_cpus=4 nr_nodes=2
 *	dom 0 tot_pages=65536 max_pages=65536 node=0
 *	dom 3 tot_pages=1024 max_pages=2048 node=0 flags=0x10
 *	dom 5 tot_pages=32768 max_pages=65536 node=1 shadow_mb=2 flags=0x22
 *	dom 9 tot_pages=16384 max_pages=16384 node=1 flags=0x30004 (crashed)
 *
 * usage: xcprobe basic | fail CALL ERRNO | latency MS | noenv | enosys
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenctrl.h>

#define FIX_TOTAL	262144ULL
#define FIX_FREE	141824ULL	/* 262144 - 4096 - 65536 - 1024 -
					   32768 - 2 * 256 - 16384 */
#define FIX_NODE0_FREE	60416ULL
#define FIX_NODE1_FREE	81408ULL
#define PAGE_BYTES	4096ULL

static int	nfail;

#define CHECK(cond, ...)						\
	do {								\
		if (cond)						\
			printf("ok - ");				\
		else {							\
			printf("not ok - ");				\
			nfail++;					\
		}							\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} while (0)

/* Does a call that returned rc fail with exactly errno want? */
#define FAILS(rc, want)	((rc) == -1 && errno == (want))

/* Fetch one domain through getinfolist; -1 if it is not there. */
static int
probe_dom(xc_interface *xch, uint32_t domid, xc_domaininfo_t *ret)
{
	xc_domaininfo_t	info;

	if (xc_domain_getinfolist(xch, domid, 1, &info) != 1 ||
	    info.domain != domid)
		return -1;
	*ret = info;
	return 0;
}

static void
probe_physinfo(xc_interface *xch)
{
	xc_physinfo_t	pi;

	CHECK(xc_physinfo(xch, &pi) == 0, "physinfo");
	CHECK(pi.total_pages == FIX_TOTAL, "total_pages %" PRIu64,
	    (uint64_t)pi.total_pages);
	CHECK(pi.free_pages == FIX_FREE, "free_pages %" PRIu64,
	    (uint64_t)pi.free_pages);
	CHECK(pi.scrub_pages == 0 && pi.outstanding_pages == 0,
	    "scrub 0, outstanding 0");
	CHECK(pi.nr_cpus == 4 && pi.nr_nodes == 2, "nr_cpus 4, nr_nodes 2");
}

static void
probe_getinfolist(xc_interface *xch)
{
	xc_domaininfo_t	info[8];
	int		n;

	n = xc_domain_getinfolist(xch, 0, 8, info);
	CHECK(n == 4 && info[0].domain == 0 && info[1].domain == 3 &&
	    info[2].domain == 5 && info[3].domain == 9,
	    "getinfolist(0) lists 0 3 5 9 (n=%d)", n);
	CHECK(n == 4 && info[2].tot_pages == 32768 &&
	    info[2].max_pages == 65536 && info[2].flags == 0x22,
	    "dom 5 tot/max/flags");
	n = xc_domain_getinfolist(xch, 4, 8, info);
	CHECK(n == 2 && info[0].domain == 5, "getinfolist(4) starts at 5");
	CHECK(xc_domain_getinfolist(xch, 10, 8, info) == 0,
	    "getinfolist(10) is empty");
	CHECK(xc_domain_getinfolist(xch, 0, 2, info) == 2,
	    "getinfolist honours max");
}

static void
probe_getinfo(xc_interface *xch)
{
	xc_dominfo_t	di;

	CHECK(xc_domain_getinfo(xch, 6, 1, &di) == 1 && di.domid == 9,
	    "getinfo(6) returns the next domain, 9");
	CHECK(di.crashed == 1 && di.shutdown == 0 && di.dying == 0,
	    "dom 9 crashed (shutdown reason 3)");
	CHECK(xc_domain_getinfo(xch, 5, 1, &di) == 1 && di.hvm == 1 &&
	    di.running == 1 && di.max_memkb == 262144 && di.nr_pages == 32768,
	    "getinfo(5) hvm, running, max_memkb 262144");
}

static void
probe_setmaxmem(xc_interface *xch)
{
	xc_domaininfo_t	info;

	CHECK(xc_domain_setmaxmem(xch, 5, 200000) == 0 &&
	    probe_dom(xch, 5, &info) == 0 && info.max_pages == 50000,
	    "setmaxmem KiB: 200000 -> max_pages 50000");
	CHECK(xc_domain_setmaxmem(xch, 5, 65536) == 0 &&
	    probe_dom(xch, 5, &info) == 0 && info.max_pages == 16384 &&
	    info.tot_pages == 32768, "setmaxmem below tot_pages accepted");
	CHECK(xc_domain_setmaxmem(xch, 5, 262144) == 0, "restore maxmem");
	CHECK(FAILS(xc_domain_setmaxmem(xch, 42, 1024), ESRCH),
	    "setmaxmem on a missing domain: ESRCH");
}

/* Outstanding pages, host-wide. */
static uint64_t
probe_outstanding(xc_interface *xch)
{
	xc_physinfo_t	pi;

	if (xc_physinfo(xch, &pi) != 0)
		return UINT64_MAX;
	return pi.outstanding_pages;
}

static void
probe_claims(xc_interface *xch)
{
	xc_domaininfo_t	info;
	uint64_t	avail;

	CHECK(FAILS(xc_domain_claim_pages(xch, 5, 32768), EINVAL),
	    "claim == tot_pages: EINVAL");
	CHECK(FAILS(xc_domain_claim_pages(xch, 5, 65537), EINVAL),
	    "claim > max_pages: EINVAL");
	CHECK(xc_domain_claim_pages(xch, 5, 40000) == 0 &&
	    probe_dom(xch, 5, &info) == 0 && info.outstanding_pages == 7232,
	    "claim 40000 leaves 7232 outstanding");
	CHECK(probe_outstanding(xch) == 7232, "physinfo outstanding 7232");
	CHECK(FAILS(xc_domain_claim_pages(xch, 5, 41000), EINVAL),
	    "second claim: EINVAL");
	avail = FIX_FREE - 7232;
	CHECK(xc_domain_setmaxmem(xch, 3, 4 * (1024 + avail + 10)) == 0,
	    "raise dom 3 maxmem");
	CHECK(FAILS(xc_domain_claim_pages(xch, 3, 1024 + avail + 1), ENOMEM),
	    "claim beyond free minus claims: ENOMEM");
	CHECK(xc_domain_claim_pages(xch, 3, 1024 + avail) == 0,
	    "claim exactly what is free: ok");
	CHECK(xc_domain_claim_pages(xch, 3, 0) == 0 &&
	    xc_domain_claim_pages(xch, 5, 0) == 0 &&
	    probe_outstanding(xch) == 0, "claim 0 cancels");
	CHECK(FAILS(xc_domain_claim_pages(xch, 42, 10), ESRCH),
	    "claim on a missing domain: ESRCH");
	CHECK(xc_domain_setmaxmem(xch, 3, 8192) == 0, "restore dom 3");
}

static void
probe_numa(xc_interface *xch)
{
	xc_meminfo_t	mi[2];
	uint32_t	dist[4];
	unsigned	n = 0;
	uint64_t	bytes = 0;

	CHECK(xc_numainfo(xch, &n, NULL, NULL) == 0 && n == 2,
	    "numainfo node count 2");
	n = 2;
	CHECK(xc_numainfo(xch, &n, mi, dist) == 0 && n == 2, "numainfo");
	CHECK(mi[0].memsize == 131072 * PAGE_BYTES &&
	    mi[1].memsize == 131072 * PAGE_BYTES, "memsize in bytes");
	CHECK(mi[0].memfree == FIX_NODE0_FREE * PAGE_BYTES &&
	    mi[1].memfree == FIX_NODE1_FREE * PAGE_BYTES,
	    "memfree in bytes, per node");
	CHECK(dist[0] == 10 && dist[1] == 20 && dist[2] == 20 &&
	    dist[3] == 10, "distance matrix");
	n = 1;
	CHECK(FAILS(xc_numainfo(xch, &n, mi, dist), ENOBUFS),
	    "numainfo with too small arrays: ENOBUFS");
	CHECK(xc_availheap(xch, 0, 0, -1, &bytes) == 0 &&
	    bytes == FIX_FREE * PAGE_BYTES, "availheap(-1) bytes");
	CHECK(xc_availheap(xch, 0, 0, 1, &bytes) == 0 &&
	    bytes == FIX_NODE1_FREE * PAGE_BYTES, "availheap(node 1) bytes");
}

static void
probe_shadow_pod(xc_interface *xch)
{
	unsigned int	mb = 0;
	uint64_t	tot = 0, cache = 1, ent = 1;

	CHECK(xc_shadow_control(xch, 5, XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION,
	    &mb, 0) == 0 && mb == 2, "shadow allocation of dom 5 is 2 MiB");
	mb = 4;
	CHECK(xc_shadow_control(xch, 5, XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION,
	    &mb, 0) == 0 && mb == 4, "set shadow allocation 4 MiB");
	mb = 2;
	CHECK(xc_shadow_control(xch, 5, XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION,
	    &mb, 0) == 0, "restore shadow allocation");
	CHECK(xc_domain_get_pod_target(xch, 5, &tot, &cache, &ent) == 0 &&
	    tot == 32768 && cache == 0 && ent == 0, "get_pod_target");
	CHECK(xc_domain_set_pod_target(xch, 5, 30000, &tot, NULL, NULL) == 0 &&
	    tot == 32768, "set_pod_target on HVM dom 5");
	CHECK(FAILS(xc_domain_set_pod_target(xch, 0, 100, NULL, NULL, NULL),
	    EINVAL), "set_pod_target on PV dom 0: EINVAL");
}

/* Run the whole fixture check. */
static void
probe_basic(void)
{
	xc_interface	*xch;

	xch = xc_interface_open(NULL, NULL, 0);
	CHECK(xch != NULL, "xc_interface_open");
	if (xch == NULL)
		return;
	probe_physinfo(xch);
	probe_getinfolist(xch);
	probe_getinfo(xch);
	probe_setmaxmem(xch);
	probe_claims(xch);
	probe_numa(xch);
	probe_shadow_pod(xch);
	probe_physinfo(xch);		/* everything was put back */
	CHECK(xc_interface_close(xch) == 0, "xc_interface_close");
}

/* An injected fault: CALL fails with errno, the others still work. */
static void
probe_fail(const char *call, const char *ename)
{
	xc_interface	*xch;
	xc_physinfo_t	 pi;
	int		 want = strcmp(ename, "EPERM") == 0 ? EPERM :
			    strcmp(ename, "EIO") == 0 ? EIO : -1;
	int		 rc;

	if ((xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		CHECK(0, "xc_interface_open: %s", strerror(errno));
		return;
	}
	if (strcmp(call, "xc_domain_setmaxmem") == 0) {
		rc = xc_domain_setmaxmem(xch, 5, 100000);
		CHECK(FAILS(rc, want), "setmaxmem fails with %s", ename);
		CHECK(xc_physinfo(xch, &pi) == 0, "physinfo still works");
	} else if (strcmp(call, "xc_physinfo") == 0) {
		rc = xc_physinfo(xch, &pi);
		CHECK(FAILS(rc, want), "physinfo fails with %s", ename);
		CHECK(xc_domain_setmaxmem(xch, 5, 262144) == 0,
		    "setmaxmem still works");
	} else
		CHECK(0, "unknown call %s", call);
	(void)xc_interface_close(xch);
}

/* Every call takes at least the injected latency. */
static void
probe_latency(long ms)
{
	struct timespec	 a, b;
	xc_interface	*xch;
	xc_physinfo_t	 pi;
	long		 took;

	if ((xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		CHECK(0, "xc_interface_open: %s", strerror(errno));
		return;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(xc_physinfo(xch, &pi) == 0, "physinfo with latency");
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	took = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	CHECK(took >= ms && took < ms + 2000, "physinfo took %ld ms (>= %ld)",
	    took, ms);
	(void)xc_interface_close(xch);
}

int
main(int argc, char *argv[])
{
	xc_interface	*xch;

	if (argc == 2 && strcmp(argv[1], "basic") == 0)
		probe_basic();
	else if (argc == 4 && strcmp(argv[1], "fail") == 0)
		probe_fail(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "latency") == 0)
		probe_latency(strtol(argv[2], NULL, 10));
	else if (argc == 2 && strcmp(argv[1], "noenv") == 0) {
		(void)unsetenv("XENCTRL_SIM_STATE");
		xch = xc_interface_open(NULL, NULL, 0);
		CHECK(xch == NULL && errno == ENOENT,
		    "no state file: NULL with ENOENT");
	} else if (argc == 2 && strcmp(argv[1], "enosys") == 0) {
		xch = xc_interface_open(NULL, NULL, 0);
		CHECK(xch != NULL && xc_domain_claim_pages(xch, 5, 40000) == 0,
		    "claim ENOSYS is success, as the real library");
		(void)xc_interface_close(xch);
	} else {
		fprintf(stderr, "usage: xcprobe basic | fail CALL ERRNO | "
		    "latency MS | noenv | enosys\n");
		return 2;
	}
	return nfail == 0 ? 0 : 1;
}
