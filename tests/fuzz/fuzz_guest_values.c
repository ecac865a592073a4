/*
 * fuzz_guest_values.c: everything squeezerd parses that a guest (or a
 * confused toolstack) writes to xenstore.  The input is two bytes of flags
 * and then up to nine values separated by '\n', written as one domain's
 * memory keys on the simulated backend; the host model reads them
 * (model_refresh), the engine plans on the snapshot with every policy, and
 * its actions are applied back through the model.  Each value also goes
 * through conf_parse_int() and host_parse_x100() directly, checked against
 * a reference parser.
 *
 * Oracles: the sanitizers; every snapshot domain has 0 <= dynamic-min <=
 * dynamic-max, its target and range within [0, HOST_MAX_KIB] (actual and
 * maxmem within twice that: see fuzz_check); guest hints within their
 * documented bounds; the engine's targets within [0, HOST_MAX_KIB]; the
 * number parsers agree with the reference.
 *
 * Input: byte 0: bit 0 control/feature-balloon, bit 1 data/updated,
 * bits 2-3 domain-type (none, pv, hvm, pvh), bit 4 memory/uncooperative,
 * bit 5 the domain is dom0 (with a floor) rather than domain 1, bit 6
 * policy.  Byte 1: bit i set: value i is absent even if given.  Values, in
 * order: memory/target, memory/dynamic-min, memory/dynamic-max,
 * memory/memory-offset, memory/initial-reservation, data/meminfo_free,
 * data/meminfo_total, data/memory-pressure, memory/weight.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "conf.h"
#include "engine.h"
#include "host.h"
#include "model.h"
#include "policy.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NVALUES	9
#define FUZZ_FLOOR_KIB	524288

static const char fuzz_host[] =
    "{ \"host\": { \"free-kib\": 1000000 },\n"
    "  \"domains\": [\n"
    "    { \"domid\": 0, \"dynamic-min-kib\": 1048576,"
    " \"dynamic-max-kib\": 2097152, \"target-kib\": 2097152 },\n"
    "    { \"domid\": 1, \"dynamic-min-kib\": 100000,"
    " \"dynamic-max-kib\": 400000, \"target-kib\": 400000 },\n"
    "    { \"domid\": 2, \"dynamic-min-kib\": 200000,"
    " \"dynamic-max-kib\": 600000, \"target-kib\": 300000,"
    " \"weight\": 250 } ] }\n";

static const char *const fuzz_keys[FUZZ_NVALUES] = {
	"memory/target", "memory/dynamic-min", "memory/dynamic-max",
	"memory/memory-offset", "memory/initial-reservation",
	"data/meminfo_free", "data/meminfo_total", "data/memory-pressure",
	"memory/weight",
};

/* Written by the sim for a booted domain: cleared, then set as told. */
static const char *const fuzz_clear[] = {
	"control/feature-balloon", "data/updated", "domain-type",
	"memory/uncooperative",
};

static const char *const fuzz_types[] = { NULL, "pv", "hvm", "pvh" };

static char	fuzz_dir[256], fuzz_hostf[300], fuzz_state[300];
static bool	fuzz_verbose;

static void
fuzz_cleanup(void)
{
	char	tmp[310];

	snprintf(tmp, sizeof(tmp), "%s.tmp", fuzz_state);
	(void)unlink(tmp);
	(void)unlink(fuzz_state);
	(void)unlink(fuzz_hostf);
	(void)rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE	*f;

	(void)argc;
	(void)argv;
	fuzz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fuzz_guest.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	snprintf(fuzz_hostf, sizeof(fuzz_hostf), "%s/host.json", fuzz_dir);
	snprintf(fuzz_state, sizeof(fuzz_state), "%s/state", fuzz_dir);
	if ((f = fopen(fuzz_hostf, "we")) == NULL || fputs(fuzz_host, f) ==
	    EOF || fclose(f) == EOF)
		abort();
	atexit(fuzz_cleanup);
	return 0;
}

static void __attribute__((noreturn))
fuzz_fail(const char *what, const char *v)
{
	fprintf(stderr, "guest values: %s (value \"%s\")\n", what,
	    v != NULL ? v : "");
	abort();
}

/* Reference: digits only, at most max (0, or -1 for anything else). */
static int
ref_int(const char *s, int64_t max, int64_t *ret)
{
	unsigned __int128	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > (unsigned __int128)INT64_MAX)
			return -1;
	}
	if (v > (unsigned __int128)max)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

/* Reference: D+ or D+.D or D+.DD, as hundredths, at most max. */
static int
ref_x100(const char *s, int64_t max, int64_t *ret)
{
	unsigned __int128	v = 0;
	size_t			nd = 0, nf = 0;

	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > (unsigned __int128)INT64_MAX)
			return -1;
	}
	if (nd == 0)
		return -1;
	v *= 100;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, nf++)
			if (nf < 2)
				v += (unsigned)(*s - '0') * (nf == 0 ? 10 : 1);
		if (nf == 0 || nf > 2)
			return -1;
	}
	if (*s != '\0' || v > (unsigned __int128)max)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

/* The strict number parsers against the references. */
static void
fuzz_parsers(const char *v)
{
	static const int64_t	maxes[] = { 0, 1, 99, 100, 10000,
				    HOST_MAX_KIB, INT64_MAX };
	int64_t			a, b;
	int			ra, rb;
	size_t			i;

	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		a = b = -1;
		ra = conf_parse_int(v, maxes[i], &a) < 0 ? -1 : 0;
		rb = ref_int(v, maxes[i], &b);
		if (ra != rb || (ra == 0 && a != b))
			fuzz_fail("conf_parse_int disagrees with the reference",
			    v);
		a = b = -1;
		ra = host_parse_x100(v, maxes[i], &a) < 0 ? -1 : 0;
		rb = ref_x100(v, maxes[i], &b);
		if (ra != rb || (ra == 0 && a != b))
			fuzz_fail("host_parse_x100 disagrees with the "
			    "reference", v);
	}
}

static bool
fuzz_kib_ok(int64_t kib)
{
	return kib >= 0 && kib <= HOST_MAX_KIB;
}

/* What the model promises about every domain of its snapshot. */
static void
fuzz_check(struct model *m)
{
	const struct host_snapshot	*s = model_snapshot(m);
	const struct hv_domain		*d;
	size_t				 i;
	char				 id[16];

	if (host_check(s) < 0)
		fuzz_fail("snapshot not sorted by domid", NULL);
	for (i = 0; i < s->ndoms; i++) {
		d = &s->doms[i];
		snprintf(id, sizeof(id), "%d", (int)d->domid);
		if (fuzz_verbose)
			fprintf(stderr, "domain %d: dynamic %" PRId64 "-%"
			    PRId64 " target %" PRId64 " actual %" PRId64
			    " maxmem %" PRId64 " balloon %d weight %d used %"
			    PRId64 "/%d pressure %d/%d\n", (int)d->domid,
			    d->dyn_min_kib, d->dyn_max_kib, d->target_kib,
			    d->actual_kib, d->maxmem_kib, (int)d->can_balloon,
			    (int)d->weight, d->mem_used_kib,
			    (int)d->has_mem_used, (int)d->pressure_avg10_x100,
			    (int)d->has_pressure);
		if (d->dyn_min_kib > d->dyn_max_kib)
			fuzz_fail("dynamic-min above dynamic-max: domain", id);
		if (!fuzz_kib_ok(d->dyn_min_kib) ||
		    !fuzz_kib_ok(d->dyn_max_kib) ||
		    !fuzz_kib_ok(d->target_kib))
			fuzz_fail("a size outside [0, 2^40]: domain", id);
		/*
		 * actual and maxmem are Xen's figures less memory-offset
		 * (squeezed's arithmetic), which the model takes from
		 * [-2^40, 2^40]: a stale or hostile offset, or one calibrated
		 * against a target the domain never had, puts actual below 0
		 * or either above 2^40.  Only overflow is checked here.
		 */
		if (d->actual_kib < -2 * HOST_MAX_KIB ||
		    d->actual_kib > 2 * HOST_MAX_KIB ||
		    d->maxmem_kib < 0 || d->maxmem_kib > 2 * HOST_MAX_KIB)
			fuzz_fail("actual or maxmem beyond [-2^41, 2^41]: "
			    "domain", id);
		if (d->weight < 0 || d->weight > HOST_WEIGHT_MAX ||
		    (d->has_mem_used && !fuzz_kib_ok(d->mem_used_kib)) ||
		    (d->has_pressure && (d->pressure_avg10_x100 < 0 ||
		    d->pressure_avg10_x100 > HOST_PRESSURE_MAX_X100)))
			fuzz_fail("a guest hint out of bounds: domain", id);
	}
}

/* Plan a balance and a reserve on the snapshot; apply what they say. */
static void
fuzz_engine(struct model *m, const struct policy *p)
{
	struct engine_conf	 ec;
	struct engine		*e;
	struct engine_result	 r;
	struct conf		 c;
	const struct host_snapshot *s;
	struct engine_goal	 goals[3];
	long			 k;
	size_t			 g, i;

	conf_defaults(&c);
	if (conf_engine(&c, &ec) < 0)
		abort();
	ec.policy = p;
	if ((e = engine_new(&ec)) == NULL)
		abort();
	goals[0] = engine_goal_balance(&ec);
	goals[1] = engine_goal_free(&ec, 500000);
	goals[2] = engine_goal_free(&ec, HOST_MAX_KIB);
	for (g = 0; g < 3; g++) {
		s = model_snapshot(m);
		if (engine_plan(e, &goals[g], s, 1000, &r) < 0)
			continue;
		for (i = 0; i < r.nactions; i++) {
			if ((k = host_find(s, r.actions[i].domid)) < 0)
				fuzz_fail("an action for a domain not in the "
				    "snapshot", NULL);
			if (!fuzz_kib_ok(r.actions[i].target_kib))
				fuzz_fail("an action's target outside "
				    "[0, 2^40]", NULL);
			(void)model_apply(m, &s->doms[k],
			    r.actions[i].target_kib);
		}
	}
	engine_free(e);
}

/* Write one key of the domain (NULL: remove it). */
static void
fuzz_put(void *ctx, int32_t domid, const char *key, const char *v)
{
	char	path[128];

	snprintf(path, sizeof(path), "/local/domain/%" PRId32 "/%s", domid,
	    key);
	if (v != NULL)
		(void)backend_sim_ops.write(ctx, path, v);
	else
		(void)backend_sim_ops.rm(ctx, path);
}

/* Split the values; absent ones stay NULL.  Returns the buffer. */
static char *
fuzz_split(const uint8_t *data, size_t size, unsigned int absent,
    char *vals[FUZZ_NVALUES])
{
	char	*buf, *p, *nl;
	size_t	 i;

	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	for (i = 0; i < FUZZ_NVALUES; i++) {
		vals[i] = NULL;
		if (p == NULL)
			continue;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (!(absent & (1u << i)))
			vals[i] = p;
		p = nl != NULL ? nl + 1 : NULL;
	}
	return buf;
}

static void
fuzz_host_run(uint8_t flags, char *vals[FUZZ_NVALUES])
{
	struct backend_args	 a;
	struct conf		 c;
	struct model		*m;
	void			*ctx;
	char			 err[256];
	int32_t			 domid = (flags & 0x20) ? 0 : 1;
	size_t			 i;

	(void)unlink(fuzz_state);
	conf_defaults(&c);
	a = (struct backend_args){ .host_file = fuzz_hostf,
	    .state_file = fuzz_state, .conf = &c, .now_ms = 1000 };
	if (backend_sim_ops.open(&a, &ctx, err, sizeof(err)) < 0)
		fuzz_fail("cannot open the sim backend", err);
	if ((m = model_new(&backend_sim_ops, ctx, true)) == NULL)
		abort();
	model_set_dom0(m, true, domid == 0 ? FUZZ_FLOOR_KIB : 0);
	for (i = 0; i < sizeof(fuzz_clear) / sizeof(fuzz_clear[0]); i++)
		fuzz_put(ctx, domid, fuzz_clear[i], NULL);
	if (flags & 0x01)
		fuzz_put(ctx, domid, "control/feature-balloon", "1");
	if (flags & 0x02)
		fuzz_put(ctx, domid, "data/updated", "1");
	fuzz_put(ctx, domid, "domain-type", fuzz_types[(flags >> 2) & 3]);
	if (flags & 0x10)
		fuzz_put(ctx, domid, "memory/uncooperative", "");
	for (i = 0; i < FUZZ_NVALUES; i++)
		fuzz_put(ctx, domid, fuzz_keys[i], vals[i]);
	/* at open time, then after the balloons had a second */
	if (model_refresh(m, 1000) == 0) {
		fuzz_check(m);
		fuzz_engine(m, (flags & 0x40) ? &policy_weighted :
		    &policy_pressure);
	}
	if (model_refresh(m, 2000) == 0) {
		fuzz_check(m);
		fuzz_engine(m, &policy_proportional);
		if (model_refresh(m, 2000) == 0)
			fuzz_check(m);
	}
	model_free(m);
	backend_sim_ops.close(ctx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*vals[FUZZ_NVALUES], *buf;
	uint8_t		 flags;
	unsigned int	 absent;
	size_t		 i;

	if (size < 2 || size > 4096)
		return -1;
	flags = data[0];
	absent = data[1];
	buf = fuzz_split(data + 2, size - 2, absent, vals);
	for (i = 0; i < FUZZ_NVALUES; i++)
		if (vals[i] != NULL)
			fuzz_parsers(vals[i]);
	fuzz_host_run(flags, vals);
	free(buf);
	return 0;
}
