/* conf.c: the squeezerd.conf keyword table and its typed, bounded parsers. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "conf.h"
#include "engine.h"
#include "host.h"
#include "policy.h"

enum conf_type {
	CONF_KIB,
	CONF_DURATION,
	CONF_BOOL,
	CONF_POLICY,
	CONF_GROUP,		/* a group name that exists */
	CONF_MODE,		/* an octal socket mode */
	CONF_COUNT,		/* a plain number */
	CONF_PATH,		/* absolute; max: its size; min 0: "" too */
	CONF_QUEUE,		/* a message-switch queue name */
	CONF_RANGES,		/* guest-range rules: each line adds */
};

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;
	int64_t		 min, max;	/* KiB or ms */
};

#define KEY(n, t, f, lo, hi)	{ n, t, offsetof(struct conf, f), lo, hi }
#define DAY_MS			(INT64_C(86400) * 1000)
#define CONF_DAY_MS		(UINT64_C(86400) * 1000)
#define CONF_YEAR_MS		(365 * CONF_DAY_MS)
#define CONF_FRAC_DIV		1000000	/* fractions: 6 digits */

/* Sorted by name: conf_find() searches it with bsearch. */
static const struct conf_key conf_table[] = {
	KEY("balance-interval", CONF_DURATION, balance_interval_ms, 10, DAY_MS),
	KEY("balance-tolerance-kib", CONF_KIB, balance_tolerance_kib, 0,
	    HOST_MAX_KIB),
	KEY("boot-time-memory-file", CONF_PATH, boot_time_file, 0,
	    CONF_PATH_MAX),
	KEY("client-idle-timeout", CONF_DURATION, client_idle_timeout_ms, 100,
	    DAY_MS),
	KEY("domain-zero-dynamic-max-kib", CONF_KIB, dom0_dyn_max_kib, 0,
	    HOST_MAX_KIB),
	KEY("domain-zero-dynamic-min-kib", CONF_KIB, dom0_dyn_min_kib, 0,
	    HOST_MAX_KIB),
	KEY("domain-zero-floor-kib", CONF_KIB, dom0_floor_kib, 0,
	    HOST_MAX_KIB),
	KEY("granularity-kib", CONF_KIB, granularity_kib, 1, 1 << 20),
	KEY("guest-range", CONF_RANGES, guest_range, 0, 0),
	KEY("host-reserve-kib", CONF_KIB, host_reserve_kib, 0, HOST_MAX_KIB),
	KEY("inaccuracy-compensation", CONF_BOOL, inaccuracy_compensation, 0, 1),
	KEY("manage-domain-zero", CONF_BOOL, manage_dom0, 0, 1),
	KEY("max-clients-per-user", CONF_COUNT, max_clients_per_user, 1,
	    1024),
	KEY("migration-timeout", CONF_DURATION, migration_timeout_ms, 1000,
	    DAY_MS),
	KEY("min-progress-kib-s", CONF_KIB, min_progress_kib_s, 0,
	    HOST_MAX_KIB),
	KEY("operation-timeout", CONF_DURATION, operation_timeout_ms, 1000,
	    DAY_MS),
	KEY("policy", CONF_POLICY, policy, 0, 0),
	KEY("poll-interval", CONF_DURATION, poll_interval_ms, 1, 60000),
	KEY("queue-name", CONF_QUEUE, queue_name, 1, CONF_QUEUE_MAX),
	KEY("remember-stuck", CONF_BOOL, remember_stuck, 0, 1),
	KEY("socket-group", CONF_GROUP, socket_group, 0, 0),
	KEY("socket-mode", CONF_MODE, socket_mode, 0, 0),
	KEY("stuck-after", CONF_DURATION, stuck_after_ms, 0, DAY_MS),
	KEY("switch-path", CONF_PATH, switch_path, 1, CONF_SOCKPATH_MAX),
	KEY("two-phase", CONF_BOOL, two_phase, 0, 1),
	KEY("uncooperative-after", CONF_DURATION, uncooperative_after_ms, 0,
	    DAY_MS),
	KEY("use-switch", CONF_BOOL, use_switch, 0, 1),
	KEY("xl-conf", CONF_PATH, xl_conf, 0, CONF_PATH_MAX),
	KEY("xmlrpc-socket", CONF_PATH, xmlrpc_socket, 0, CONF_SOCKPATH_MAX),
};
#define CONF_NKEYS	(sizeof(conf_table) / sizeof(conf_table[0]))

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->host_reserve_kib = 73728;		/* 64 MiB low-mem VIRQ + 8 MiB */
	c->balance_tolerance_kib = 512;
	c->granularity_kib = 2048;		/* superpage-aligned targets */
	c->stuck_after_ms = 5000;
	c->uncooperative_after_ms = 20000;
	c->poll_interval_ms = 100;
	c->balance_interval_ms = 10000;
	c->migration_timeout_ms = 3600 * 1000;	/* a pinned domain's lease */
	c->operation_timeout_ms = 600 * 1000;	/* v1 clients give no deadline */
	c->dom0_dyn_min_kib = 1048576;		/* squeezed: 1 GiB */
	c->min_progress_kib_s = 64;		/* 16 pages a second */
	c->dom0_dyn_max_kib = 0;		/* auto */
	c->dom0_floor_kib = 524288;		/* never below 512 MiB */
	c->two_phase = true;
	c->remember_stuck = true;
	c->inaccuracy_compensation = true;
	snprintf(c->policy, sizeof(c->policy), "%s", "proportional");
	snprintf(c->socket_group, sizeof(c->socket_group), "%s", "root");
	c->socket_mode = 0660;
	c->client_idle_timeout_ms = 60000;
	c->max_clients_per_user = 32;
	/* squeezed's (xcp_client.ml, memory_interface.ml, squeezed_state.ml) */
	c->use_switch = false;
	snprintf(c->switch_path, sizeof(c->switch_path), "%s",
	    "/var/run/message-switch/sock");
	snprintf(c->queue_name, sizeof(c->queue_name), "%s",
	    "org.xen.xapi.memory");
	snprintf(c->boot_time_file, sizeof(c->boot_time_file), "%s",
	    "/var/run/nonpersistent/xapi/boot_time_memory");
	snprintf(c->xl_conf, sizeof(c->xl_conf), "%s", "/etc/xen/xl.conf");
}

static int
conf_key_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct conf_key *)e)->name);
}

static const struct conf_key *
conf_find(const char *name)
{
	return bsearch(name, conf_table, CONF_NKEYS, sizeof(conf_table[0]),
	    conf_key_cmp);
}

int
conf_parse_int(const char *s, int64_t max, int64_t *ret)
{
	char		*end;
	long long	 v;

	/* digits only: strtoll alone would accept " 12", "+12" and "-12" */
	if (s == NULL || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Parse digits at *pp into *ret, no more than max: -ERANGE beyond it. */
static int
conf_parse_digits(const char **pp, uint64_t max, uint64_t *ret)
{
	const char	*p = *pp;
	uint64_t	 v = 0;
	unsigned int	 d;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		d = (unsigned int)(*p - '0');
		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*pp = p;
	*ret = v;
	return 0;
}

/*
 * Parse an optional fraction ".ddd" at *pp: its first CONF_FRAC_DIGITS
 * digits as *ret_frac over *ret_div (1 when there is none).
 */
static int
conf_parse_frac(const char **pp, uint64_t *ret_frac, uint64_t *ret_div)
{
	const char	*p = *pp;
	uint64_t	 frac = 0, div = 1;

	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++)
			if (div < CONF_FRAC_DIV) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				div *= 10;
			}
	}
	*pp = p;
	*ret_frac = frac;
	*ret_div = div;
	return 0;
}

/* whole + frac / div units of scale, rounded; -ERANGE above max. */
static int
conf_scale(uint64_t whole, uint64_t frac, uint64_t div, uint64_t scale,
    uint64_t max, uint64_t *ret)
{
	uint64_t	v, f;

	if (whole > max / scale)
		return -ERANGE;
	v = whole * scale;
	f = (frac * scale + div / 2) / div;	/* frac < div <= 10^6 */
	if (f > max - v)
		return -ERANGE;
	*ret = v + f;
	return 0;
}

/* The units of a duration, largest first, with their length in ms. */
static const struct {
	const char	*name;
	uint64_t	 ms;
} conf_dur_units[] = {
	{ "y", CONF_YEAR_MS },
	{ "d", CONF_DAY_MS },
	{ "h", UINT64_C(3600000) },
	{ "m", UINT64_C(60000) },
	{ "s", UINT64_C(1000) },
	{ "ms", UINT64_C(1) },
};
#define CONF_NDUR_UNITS	(sizeof(conf_dur_units) / sizeof(conf_dur_units[0]))

/* The index of the duration unit [p, p + n) in conf_dur_units, or -1. */
static int
conf_dur_unit(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < CONF_NDUR_UNITS; i++)
		if (strlen(conf_dur_units[i].name) == n &&
		    strncmp(conf_dur_units[i].name, p, n) == 0)
			return (int)i;
	return -1;
}

int
conf_parse_duration(const char *s, uint64_t max_ms, uint64_t *ret_ms)
{
	const char	*p = s, *u;
	uint64_t	 whole, frac, div, part, total = 0;
	int		 unit, last = -1, rc;

	if (s == NULL)
		return -EINVAL;
	do {
		/* a unit is at least a ms: digits above max_ms are too many */
		if ((rc = conf_parse_digits(&p, max_ms, &whole)) < 0 ||
		    (rc = conf_parse_frac(&p, &frac, &div)) < 0)
			return rc;
		for (u = p; isalpha((unsigned char)*p); p++)
			;
		if (p == u && u == s + strlen(s) && last == -1)
			unit = conf_dur_unit("s", 1);	/* bare: seconds */
		else if ((unit = conf_dur_unit(u, (size_t)(p - u))) <= last)
			return -EINVAL;		/* units largest first */
		if ((rc = conf_scale(whole, frac, div,
		    conf_dur_units[unit].ms, max_ms, &part)) < 0)
			return rc;
		if (part > max_ms - total)
			return -ERANGE;
		total += part;
		last = unit;
	} while (*p != '\0');
	*ret_ms = total;
	return 0;
}

/* KiB per unit of the suffix [s, s + n): "", K, M, G, T, with B or iB. */
static int
conf_size_unit(const char *s, size_t n, uint64_t *ret_mult)
{
	static const char	 units[] = "kmgt";
	const char		*u;

	if (n == 0) {
		*ret_mult = 1;
		return 0;
	}
	if ((u = strchr(units, tolower((unsigned char)*s))) == NULL ||
	    *s == '\0')
		return -EINVAL;
	s++;
	n--;
	if (n != 0 && !(n == 1 && strncasecmp(s, "b", 1) == 0) &&
	    !(n == 2 && strncasecmp(s, "ib", 2) == 0))
		return -EINVAL;
	*ret_mult = UINT64_C(1) << (10 * (u - units));
	return 0;
}

int
conf_parse_size(const char *s, int64_t max, int64_t *ret_kib)
{
	const char	*p = s;
	uint64_t	 whole, frac, div, mult, kib;
	int		 rc;

	if (s == NULL || max < 0)
		return -EINVAL;
	/* digits first: no sign, no space, no empty number */
	if ((rc = conf_parse_digits(&p, UINT64_MAX, &whole)) < 0 ||
	    (rc = conf_parse_frac(&p, &frac, &div)) < 0 ||
	    (rc = conf_size_unit(p, strlen(p), &mult)) < 0)
		return rc == -ERANGE ? rc : -EINVAL;
	if (div > 1 && mult == 1)
		return -EINVAL;		/* KiB are whole: "1.5", "1.5K" */
	if ((rc = conf_scale(whole, frac, div, mult, (uint64_t)max, &kib)) < 0)
		return rc;
	*ret_kib = (int64_t)kib;
	return 0;
}

static size_t	conf_fmt_cat(char *, size_t, size_t, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* Append to buf (of len bytes, k used) as snprintf; what it added. */
static size_t
conf_fmt_cat(char *buf, size_t len, size_t k, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	if (k >= len)
		return 0;
	va_start(ap, fmt);
	r = vsnprintf(buf + k, len - k, fmt, ap);
	va_end(ap);
	return r < 0 ? 0 : (size_t)r;
}

void
conf_fmt_size(int64_t kib, char *buf, size_t len)
{
	static const char	 units[] = "\0MGT";
	uint64_t		 v = kib < 0 ? -(uint64_t)kib : (uint64_t)kib;
	int			 u = 0;

	while (v != 0 && u < 3 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	(void)snprintf(buf, len, "%s%" PRIu64 "%.1s", kib < 0 ? "-" : "", v,
	    &units[u]);
}

void
conf_fmt_duration(uint64_t ms, char *buf, size_t len)
{
	char		frac[8];
	size_t		i, k = 0;
	uint64_t	n, r;

	buf[0] = '\0';
	/* whole years, days, hours and minutes, then what is left */
	for (i = 0; conf_dur_units[i].ms >= 60000; i++)
		if ((n = ms / conf_dur_units[i].ms) != 0) {
			ms -= n * conf_dur_units[i].ms;
			k += conf_fmt_cat(buf, len, k, "%" PRIu64 "%s", n,
			    conf_dur_units[i].name);
		}
	r = ms % 1000;
	if (ms == 0 && k == 0)
		(void)conf_fmt_cat(buf, len, k, "0s");
	else if (ms != 0 && r == 0)
		(void)conf_fmt_cat(buf, len, k, "%" PRIu64 "s", ms / 1000);
	else if (ms != 0 && ms < 1000)
		(void)conf_fmt_cat(buf, len, k, "%" PRIu64 "ms", ms);
	else if (ms != 0) {
		(void)snprintf(frac, sizeof(frac), "%03" PRIu64, r);
		while (frac[strlen(frac) - 1] == '0')
			frac[strlen(frac) - 1] = '\0';
		(void)conf_fmt_cat(buf, len, k, "%" PRIu64 ".%ss", ms / 1000,
		    frac);
	}
}

static int
conf_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The control socket's mode: owner read-write always, the group and others
 * read-write or nothing (0600, 0660, 0606 is refused, 0666 lets anyone
 * query; only root and the group may change anything).
 */
static int
conf_set_mode(char *dst, const char *v, char *err, size_t errlen)
{
	char		*end;
	unsigned long	 m;

	errno = 0;
	m = strtoul(v, &end, 8);
	if (*v != '0' || *end != '\0' || errno != 0 || (m != 0600 &&
	    m != 0660 && m != 0666)) {
		snprintf(err, errlen, "\"%.64s\" is not 0600, 0660 or 0666", v);
		return -EINVAL;
	}
	memcpy(dst, &(unsigned int){ (unsigned int)m }, sizeof(unsigned int));
	return 0;
}

#define CONF_RANGE_LINE_MAX	2048

/* One bound of a rule: a size, or "N%" of static-max (1-100). */
static int
conf_parse_bound(const char *s, int64_t *ret, bool *ret_pct)
{
	char	num[8];
	size_t	n = strlen(s);
	int64_t	v;

	if (n > 1 && s[n - 1] == '%') {
		if (n - 1 >= sizeof(num))
			return -EINVAL;
		memcpy(num, s, n - 1);
		num[n - 1] = '\0';
		if (conf_parse_int(num, 100, &v) < 0 || v < 1)
			return -EINVAL;
		*ret_pct = true;
	} else {
		if (conf_parse_size(s, HOST_MAX_KIB, &v) < 0 || v < 1)
			return -EINVAL;
		*ret_pct = false;
	}
	*ret = v;
	return 0;
}

/* Is s a pattern a rule takes: printable, no blank, no comma? */
static bool
conf_pattern_ok(const char *s)
{
	size_t	n = strlen(s);

	if (n == 0 || n >= CONF_RANGE_PATTERN_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~' || *s == ',' || *s == '#')
			return false;
	return true;
}

/* One rule, "PATTERN MIN-MAX" (trimmed), into r. */
static int
conf_parse_rule(char *s, struct conf_range_rule *r, char *err, size_t errlen)
{
	char	*sp, *bounds, *dash;

	memset(r, 0, sizeof(*r));
	if ((sp = strpbrk(s, " \t")) == NULL) {
		snprintf(err, errlen, "\"%.64s\" is not \"PATTERN MIN-MAX\"",
		    s);
		return -EINVAL;
	}
	*sp = '\0';
	bounds = sp + 1 + strspn(sp + 1, " \t");
	if (!conf_pattern_ok(s)) {
		snprintf(err, errlen, "bad pattern \"%.64s\" (1 to %d "
		    "printable characters, no blank, comma or #)", s,
		    CONF_RANGE_PATTERN_MAX - 1);
		return -EINVAL;
	}
	snprintf(r->pattern, sizeof(r->pattern), "%s", s);
	if ((dash = strchr(bounds, '-')) == NULL)
		goto bad_bounds;
	*dash = '\0';
	if (conf_parse_bound(bounds, &r->min, &r->min_pct) < 0 ||
	    conf_parse_bound(dash + 1, &r->max, &r->max_pct) < 0)
		goto bad_bounds;
	if (r->min_pct == r->max_pct && r->min > r->max) {
		snprintf(err, errlen, "%s: the minimum is above the maximum",
		    r->pattern);
		return -EINVAL;
	}
	return 0;
bad_bounds:
	snprintf(err, errlen, "%s: the range is not MIN-MAX, each a size "
	    "(512M, 2G) or a per cent of static-max (50%%)", r->pattern);
	return -EINVAL;
}

/*
 * guest-range: "none" (or nothing) drops every rule; otherwise rules
 * separated by commas, added after those of earlier lines.
 */
static int
conf_set_ranges(struct conf *c, const char *v, char *err, size_t errlen)
{
	struct conf_range_rule	 add[CONF_RANGE_RULES_MAX];
	char			 line[CONF_RANGE_LINE_MAX], *save = NULL, *tok;
	char			*e;
	size_t			 n = 0;

	if (*v == '\0' || strcmp(v, "none") == 0) {
		memset(c->guest_range, 0, sizeof(c->guest_range));
		c->nguest_range = 0;
		return 0;
	}
	if (strlen(v) >= sizeof(line)) {
		snprintf(err, errlen, "too long (at most %d characters)",
		    CONF_RANGE_LINE_MAX - 1);
		return -EINVAL;
	}
	snprintf(line, sizeof(line), "%s", v);
	for (tok = strtok_r(line, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " \t");
		for (e = tok + strlen(tok); e > tok && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			e[-1] = '\0';
		if (c->nguest_range + n >= CONF_RANGE_RULES_MAX) {
			snprintf(err, errlen, "more than %d rules",
			    CONF_RANGE_RULES_MAX);
			return -EINVAL;
		}
		if (conf_parse_rule(tok, &add[n], err, errlen) < 0)
			return -EINVAL;
		n++;
	}
	memcpy(&c->guest_range[c->nguest_range], add, n * sizeof(add[0]));
	c->nguest_range += n;
	return 0;
}

/*
 * A path: absolute, printable, no '#' (a comment), no "//" or "/./" or
 * "/../", shorter than its buffer; or empty where the key allows it (k->min
 * 0).
 */
static int
conf_set_path(char *dst, const struct conf_key *k, const char *v, char *err,
    size_t errlen)
{
	const char	*p;

	if (*v == '\0' && k->min == 0) {
		dst[0] = '\0';
		return 0;
	}
	for (p = v; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p) || *p == '#')
			break;
	if (v[0] != '/' || *p != '\0' || strstr(v, "//") != NULL ||
	    strstr(v, "/./") != NULL || strstr(v, "/../") != NULL ||
	    strlen(v) >= (size_t)k->max) {
		snprintf(err, errlen, "\"%.64s\" is not an absolute path of "
		    "at most %" PRId64 " printable characters, no '#'%s", v,
		    k->max - 1, k->min == 0 ? " (or nothing)" : "");
		return -EINVAL;
	}
	snprintf(dst, (size_t)k->max, "%s", v);
	return 0;
}

/*
 * A message-switch queue name: printable ASCII without '/', '%', '#' or
 * spaces (it is a path component on the switch, percent-decoded there).
 */
static int
conf_set_queue(char *dst, const struct conf_key *k, const char *v, char *err,
    size_t errlen)
{
	const char	*p;

	for (p = v; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p) || *p == '/' || *p == '%' ||
		    *p == '#')
			break;
	if (*v == '\0' || *p != '\0' || strlen(v) >= (size_t)k->max) {
		snprintf(err, errlen, "\"%.64s\" is not a queue name (1 to "
		    "%" PRId64 " printable characters, no '/', '%%' or '#')", v,
		    k->max - 1);
		return -EINVAL;
	}
	snprintf(dst, (size_t)k->max, "%s", v);
	return 0;
}

int64_t
conf_range_floor_kib(int64_t static_max_kib)
{
	int64_t	share = static_max_kib / 32 + (static_max_kib % 32 != 0);

	return share > CONF_RANGE_FLOOR_KIB ? share : CONF_RANGE_FLOOR_KIB;
}

const struct conf_range_rule *
conf_range_match(const struct conf_range_rule *r, size_t n, const char *name)
{
	size_t	i;

	if (name == NULL || *name == '\0')
		return NULL;
	for (i = 0; i < n; i++)
		if (fnmatch(r[i].pattern, name, 0) == 0)
			return &r[i];
	return NULL;
}

void
conf_range_resolve(const struct conf_range_rule *r, int64_t static_max_kib,
    int64_t *ret_min_kib, int64_t *ret_max_kib)
{
	int64_t	min, max;

	min = r->min_pct ? static_max_kib / 100 * r->min +
	    static_max_kib % 100 * r->min / 100 : r->min;
	max = r->max_pct ? static_max_kib / 100 * r->max +
	    static_max_kib % 100 * r->max / 100 : r->max;
	if (max > static_max_kib)
		max = static_max_kib;
	if (min > max)
		min = max;
	*ret_min_kib = min;
	*ret_max_kib = max;
}

/* Write rule r as "PATTERN MIN-MAX" ("web-* 1G-4G", "* 50%-100%"). */
static void
conf_fmt_rule(const struct conf_range_rule *r, char *buf, size_t len)
{
	char	lo[32], hi[32];

	if (r->min_pct)
		(void)snprintf(lo, sizeof(lo), "%" PRId64 "%%", r->min);
	else
		conf_fmt_size(r->min, lo, sizeof(lo));
	if (r->max_pct)
		(void)snprintf(hi, sizeof(hi), "%" PRId64 "%%", r->max);
	else
		conf_fmt_size(r->max, hi, sizeof(hi));
	(void)snprintf(buf, len, "%s %s-%s", r->pattern, lo, hi);
}

/* Parse value for key k into the struct at base; message in err. */
static int
conf_set_key(char *base, const struct conf_key *k, const char *v,
    char *err, size_t errlen)
{
	uint64_t	ms;
	int64_t		kib;
	char		lo[32], hi[32];

	switch (k->type) {
	case CONF_KIB:
		if (conf_parse_size(v, k->max, &kib) < 0 ||
		    kib < k->min) {
			conf_fmt_size(k->min, lo, sizeof(lo));
			conf_fmt_size(k->max, hi, sizeof(hi));
			snprintf(err, errlen, "\"%.64s\" is not a size from %s "
			    "to %s (KiB, or with a unit: 512M, 2G)", v, lo, hi);
			return -EINVAL;
		}
		memcpy(base + k->off, &kib, sizeof(kib));
		return 0;
	case CONF_COUNT:
		if (conf_parse_int(v, k->max, &kib) < 0 || kib < k->min) {
			snprintf(err, errlen, "\"%.64s\" is not a number from "
			    "%" PRId64 " to %" PRId64, v, k->min, k->max);
			return -EINVAL;
		}
		memcpy(base + k->off, &kib, sizeof(kib));
		return 0;
	case CONF_DURATION:
		if (conf_parse_duration(v, (uint64_t)k->max, &ms) < 0 ||
		    ms < (uint64_t)k->min) {
			conf_fmt_duration((uint64_t)k->min, lo, sizeof(lo));
			conf_fmt_duration((uint64_t)k->max, hi, sizeof(hi));
			snprintf(err, errlen, "\"%.64s\" is not a duration "
			    "from %s to %s (e.g. 500ms, 5s, 10m, 1h)", v, lo,
			    hi);
			return -EINVAL;
		}
		memcpy(base + k->off, &ms, sizeof(ms));
		return 0;
	case CONF_BOOL:
		if (conf_parse_bool(v, (bool *)(base + k->off)) < 0) {
			snprintf(err, errlen, "\"%.64s\" is not yes or no",
			    v);
			return -EINVAL;
		}
		return 0;
	case CONF_POLICY:
		if (policy_find(v) == NULL) {
			snprintf(err, errlen, "unknown policy \"%.64s\"", v);
			return -EINVAL;
		}
		snprintf(base + k->off, CONF_POLICY_MAX, "%s", v);
		return 0;
	case CONF_GROUP:
		if (strlen(v) >= CONF_GROUP_MAX || getgrnam(v) == NULL) {
			snprintf(err, errlen, "no group \"%.64s\"", v);
			return -EINVAL;
		}
		snprintf(base + k->off, CONF_GROUP_MAX, "%s", v);
		return 0;
	case CONF_MODE:
		return conf_set_mode(base + k->off, v, err, errlen);
	case CONF_PATH:
		return conf_set_path(base + k->off, k, v, err, errlen);
	case CONF_QUEUE:
		return conf_set_queue(base + k->off, k, v, err, errlen);
	case CONF_RANGES:
		return conf_set_ranges((struct conf *)(void *)base, v, err,
		    errlen);
	}
	return -EINVAL;
}

int
conf_set(struct conf *c, const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct conf_key	*k;

	if ((k = conf_find(key)) == NULL) {
		snprintf(err, errlen, "unknown key");
		return -ENOENT;
	}
	return conf_set_key((char *)c, k, value, err, errlen);
}

/* Trim leading and trailing white space in place. */
static char *
conf_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Parse one line; 0 for a good or empty line, -EINVAL with a message. */
static int
conf_parse_line(struct conf *c, char *line, char *ret_key, size_t keylen,
    char *err, size_t errlen)
{
	char	*eq, *key, *val;

	ret_key[0] = '\0';
	if ((eq = strchr(line, '#')) != NULL)
		*eq = '\0';
	line = conf_trim(line);
	if (*line == '\0')
		return 0;
	if ((eq = strchr(line, '=')) == NULL) {
		snprintf(err, errlen, "expected \"key = value\"");
		return -EINVAL;
	}
	*eq = '\0';
	key = conf_trim(line);
	val = conf_trim(eq + 1);
	snprintf(ret_key, keylen, "%.40s", key);
	return conf_set(c, key, val, err, errlen) < 0 ? -EINVAL : 0;
}

int
conf_load(const char *path, FILE *errf, struct conf *ret)
{
	struct conf	 c;
	struct stat	 st;
	FILE		*f = NULL;
	char		*line = NULL, err[256], key[64];
	size_t		 cap = 0;
	unsigned int	 lineno = 0, nerrors = 0;
	int		 rc;

	conf_defaults(&c);
	if ((f = fopen(path, "re")) == NULL) {
		rc = -errno;
		fprintf(errf, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		fprintf(errf, "%s: group- or world-writable, refusing it\n",
		    path);
		rc = -EPERM;
		goto out;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if (conf_parse_line(&c, line, key, sizeof(key), err,
		    sizeof(err)) < 0) {
			fprintf(errf, "%s:%u: %s%s%s\n", path, lineno, key,
			    *key ? ": " : "", err);
			nerrors++;	/* keep going: report every error */
		}
	}
	if (nerrors > 0) {
		rc = -EINVAL;
		goto out;
	}
	*ret = c;
	rc = 0;
out:
	free(line);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* The guest-range rules on one line, "none" when there are none. */
static void
conf_write_ranges(const struct conf *c, FILE *f)
{
	char	buf[CONF_RANGE_PATTERN_MAX + 64];
	size_t	i;

	if (c->nguest_range == 0)
		fputs("none", f);
	for (i = 0; i < c->nguest_range; i++) {
		conf_fmt_rule(&c->guest_range[i], buf, sizeof(buf));
		fprintf(f, "%s%s", i > 0 ? ", " : "", buf);
	}
}

/* Print the value of key k of the configuration at base. */
static void
conf_write_value(const char *base, const struct conf_key *k, int flags,
    FILE *f)
{
	char		buf[64];
	int64_t		kib;
	uint64_t	ms;
	unsigned int	mode;

	switch (k->type) {
	case CONF_KIB:
		memcpy(&kib, base + k->off, sizeof(kib));
		if (flags & CONF_WRITE_KIB)
			(void)snprintf(buf, sizeof(buf), "%" PRId64, kib);
		else
			conf_fmt_size(kib, buf, sizeof(buf));
		fputs(buf, f);
		break;
	case CONF_COUNT:
		memcpy(&kib, base + k->off, sizeof(kib));
		fprintf(f, "%" PRId64, kib);
		break;
	case CONF_DURATION:
		memcpy(&ms, base + k->off, sizeof(ms));
		conf_fmt_duration(ms, buf, sizeof(buf));
		fputs(buf, f);
		break;
	case CONF_BOOL:
		fputs(*(const bool *)(base + k->off) ? "yes" : "no", f);
		break;
	case CONF_POLICY:
	case CONF_GROUP:
	case CONF_PATH:
	case CONF_QUEUE:
		fputs(base + k->off, f);
		break;
	case CONF_MODE:
		memcpy(&mode, base + k->off, sizeof(mode));
		fprintf(f, "%04o", mode);
		break;
	case CONF_RANGES:
		conf_write_ranges((const struct conf *)(const void *)base, f);
		break;
	}
}

void
conf_write(const struct conf *c, FILE *f, int flags)
{
	size_t	i;

	for (i = 0; i < CONF_NKEYS; i++) {
		fprintf(f, "%s = ", conf_table[i].name);
		conf_write_value((const char *)c, &conf_table[i], flags, f);
		fputc('\n', f);
	}
}

void
conf_print(const struct conf *c, FILE *f)
{
	conf_write(c, f, 0);
}

int
conf_engine(const struct conf *c, struct engine_conf *ret)
{
	const struct policy	*p;

	if ((p = policy_find(c->policy)) == NULL)
		return -EINVAL;
	*ret = (struct engine_conf){
		.policy = p,
		.host_reserve_kib = c->host_reserve_kib,
		.balance_tolerance_kib = c->balance_tolerance_kib,
		.granularity_kib = c->granularity_kib,
		.stuck_after_ms = c->stuck_after_ms,
		.uncooperative_after_ms = c->uncooperative_after_ms,
		.min_progress_kib_s = c->min_progress_kib_s,
		.two_phase = c->two_phase,
		.inaccuracy_compensation = c->inaccuracy_compensation,
		.op_timeout_ms = c->operation_timeout_ms,
		.remember_stuck = c->remember_stuck,
	};
	return 0;
}
