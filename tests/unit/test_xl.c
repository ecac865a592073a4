/*
 * test_xl.c: hosts run by xl: what libxl needs for a guest (from the
 * configuration "xl create -n" prints), the head of an xl migration
 * stream, the guest-range rules of squeezerd.conf and xl.conf's
 * autoballoon.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "ctl_xl.h"
#include "xlconf.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*what;
	const char	*json;
	int64_t		 need_kib;	/* -1: refused */
	int64_t		 shadow_kib;
} need_cases[] = {
	{ "pv, shadow by libxl's rule (p2m not counted)",
	    "{\"c_info\":{\"type\":\"pv\",\"name\":\"a\"},\"b_info\":"
	    "{\"max_vcpus\":2,\"max_memkb\":1048576,\"target_memkb\":1048576}}",
	    1056768, 4 * (512 + 1024) },
	{ "hvm with hap: 1 page per MiB and 1 MiB per vcpu, 2 MiB extra",
	    "{\"c_info\":{\"type\":\"hvm\",\"name\":\"b\"},\"b_info\":"
	    "{\"max_memkb\":2097152,\"target_memkb\":1048576}}",
	    1060864, 4 * (256 + 2048) },
	{ "hvm without hap: 2 pages per MiB",
	    "{\"c_info\":{\"type\":\"hvm\",\"name\":\"c\",\"hap\":\"False\"},"
	    "\"b_info\":{\"max_memkb\":2097152,\"target_memkb\":1048576}}",
	    1069056, 4 * (256 + 2 * 2048) },
	{ "shadow_memory from the configuration wins",
	    "{\"c_info\":{\"type\":\"pv\",\"name\":\"d\"},\"b_info\":"
	    "{\"target_memkb\":1048576,\"shadow_memkb\":4096}}",
	    1054720, 4096 },
	{ "pvh with sync_pt passthrough: IOMMU tables",
	    "{\"c_info\":{\"type\":\"pvh\",\"name\":\"e\",\"passthrough\":"
	    "\"sync_pt\"},\"b_info\":{\"target_memkb\":1048576,"
	    "\"shadow_memkb\":0}}",
	    1054720, 0 },
	{ "hvm with a Linux stub domain: 128 MiB and its video memory",
	    "{\"c_info\":{\"type\":\"hvm\",\"name\":\"f\"},\"b_info\":"
	    "{\"target_memkb\":1048576,\"shadow_memkb\":0,"
	    "\"device_model_stubdomain\":\"True\"}}",
	    1048576 + 2048 + 131072 + 8192, 0 },
	{ "no name", "{\"c_info\":{\"type\":\"pv\"},\"b_info\":"
	    "{\"target_memkb\":1}}", -1, 0 },
	{ "a name with a blank", "{\"c_info\":{\"type\":\"pv\",\"name\":"
	    "\"a b\"},\"b_info\":{\"target_memkb\":1}}", -1, 0 },
	{ "an unknown type", "{\"c_info\":{\"type\":\"kvm\",\"name\":\"g\"},"
	    "\"b_info\":{\"target_memkb\":1}}", -1, 0 },
	{ "no target", "{\"c_info\":{\"type\":\"pv\",\"name\":\"h\"},"
	    "\"b_info\":{}}", -1, 0 },
	{ "a target that is a string", "{\"c_info\":{\"type\":\"pv\","
	    "\"name\":\"h\"},\"b_info\":{\"target_memkb\":\"1\"}}", -1, 0 },
	{ "a negative size", "{\"c_info\":{\"type\":\"pv\",\"name\":\"h\"},"
	    "\"b_info\":{\"target_memkb\":1,\"max_memkb\":-5}}", -1, 0 },
	{ "not JSON", "Parsing config from x.cfg", -1, 0 },
};

static void
test_need(void **state)
{
	struct ctl_xl_guest	g;
	char			err[256];
	size_t			i;
	int			rc;

	(void)state;
	for (i = 0; i < NITEMS(need_cases); i++) {
		err[0] = '\0';
		rc = ctl_xl_guest(need_cases[i].json, &g, err, sizeof(err));
		if (need_cases[i].need_kib < 0) {
			if (rc != -EINVAL || err[0] == '\0')
				fail_msg("%s: accepted", need_cases[i].what);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: refused: %s", need_cases[i].what, err);
		if (g.need_kib != need_cases[i].need_kib ||
		    g.shadow_kib != need_cases[i].shadow_kib)
			fail_msg("%s: need %lld shadow %lld, want %lld %lld",
			    need_cases[i].what, (long long)g.need_kib,
			    (long long)g.shadow_kib,
			    (long long)need_cases[i].need_kib,
			    (long long)need_cases[i].shadow_kib);
		assert_int_equal(g.need_kib % 2048, 0);
	}
}

/* An xl stream head: header, then 4 bytes of length, then the config. */
static size_t
make_head(unsigned char *buf, uint32_t flags, const char *cfg)
{
	static const char	magic[32] =
	    "Xen saved domain, xl format\n \0 \r";
	uint32_t		v, len = (uint32_t)strlen(cfg) + 1;

	memcpy(buf, magic, 32);
	v = 0x01020304;
	memcpy(buf + 32, &v, 4);
	memcpy(buf + 36, &flags, 4);
	v = 0;
	memcpy(buf + 40, &v, 4);
	v = len + 4;
	memcpy(buf + 44, &v, 4);
	memcpy(buf + 48, &len, 4);
	memcpy(buf + 52, cfg, len);
	return 52 + len;
}

static void
test_stream_head(void **state)
{
	unsigned char	buf[512];
	const char	*cfg = need_cases[0].json;
	char		*out = NULL, err[256];
	size_t		 n, need = 0;

	(void)state;
	n = make_head(buf, 3, cfg);
	assert_int_equal(ctl_xl_stream_head(buf, 10, &need, &out, err,
	    sizeof(err)), -EAGAIN);
	assert_int_equal(need, 48);
	assert_int_equal(ctl_xl_stream_head(buf, 48, &need, &out, err,
	    sizeof(err)), -EAGAIN);
	assert_int_equal(need, n);
	assert_int_equal(ctl_xl_stream_head(buf, n, &need, &out, err,
	    sizeof(err)), 0);
	assert_string_equal(out, cfg);
	free(out);
	(void)make_head(buf, 2, cfg);		/* no JSON flag */
	assert_int_equal(ctl_xl_stream_head(buf, n, &need, &out, err,
	    sizeof(err)), -EINVAL);
	(void)make_head(buf, 3, cfg);
	buf[3] = 'x';				/* not the magic */
	assert_int_equal(ctl_xl_stream_head(buf, n, &need, &out, err,
	    sizeof(err)), -EINVAL);
	(void)make_head(buf, 3, cfg);
	memset(buf + 48, 0xff, 4);		/* overruns */
	assert_int_equal(ctl_xl_stream_head(buf, n, &need, &out, err,
	    sizeof(err)), -EINVAL);
	(void)make_head(buf, 3, cfg);
	memset(buf + 44, 0x7f, 4);		/* far too long */
	assert_int_equal(ctl_xl_stream_head(buf, n, &need, &out, err,
	    sizeof(err)), -EINVAL);
}

static void
test_guest_range(void **state)
{
	const struct conf_range_rule	*r;
	struct conf			 c, back;
	char				 err[256], path[] =
					    "/tmp/test-xl-XXXXXX";
	int64_t				 min, max;
	FILE				*f;
	int				 fd;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.nguest_range, 0);
	assert_string_equal(c.xl_conf, "/etc/xen/xl.conf");
	assert_int_equal(conf_set(&c, "guest-range", "web-* 1G-4G, * 50%-100%",
	    err, sizeof(err)), 0);
	assert_int_equal(conf_set(&c, "guest-range", "db? 256M-90%", err,
	    sizeof(err)), 0);
	assert_int_equal(c.nguest_range, 3);
	/* refused: nothing changes */
	assert_int_equal(conf_set(&c, "guest-range", "ok 1G-2G, bad 2G-1G",
	    err, sizeof(err)), -EINVAL);
	assert_int_equal(conf_set(&c, "guest-range", "a,b 1G-2G", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(conf_set(&c, "guest-range", "x 0%-50%", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(conf_set(&c, "guest-range", "x 1G", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(c.nguest_range, 3);
	assert_null(conf_range_match(c.guest_range, 3, ""));
	r = conf_range_match(c.guest_range, c.nguest_range, "web-1");
	assert_non_null(r);
	assert_string_equal(r->pattern, "web-*");
	r = conf_range_match(c.guest_range, c.nguest_range, "db1");
	assert_string_equal(r->pattern, "*");		/* first match wins */
	conf_range_resolve(&c.guest_range[1], 4194304, &min, &max);
	assert_int_equal(min, 2097152);
	assert_int_equal(max, 4194304);
	conf_range_resolve(&c.guest_range[0], 2097152, &min, &max);
	assert_int_equal(max, 2097152);			/* static-max caps */
	assert_int_equal(min, 1048576);
	conf_range_resolve(&c.guest_range[2], 131072, &min, &max);
	assert_int_equal(max, 117964);			/* 90 % */
	assert_int_equal(min, 117964);			/* min capped at max */
	assert_int_equal(conf_range_floor_kib(1048576), 65536);
	assert_int_equal(conf_range_floor_kib(16777216), 524288);
	assert_int_equal(conf_range_floor_kib(16777217), 524289);
	assert_int_equal(conf_set(&c, "xl-conf", "", err, sizeof(err)), 0);
	assert_string_equal(c.xl_conf, "");
	assert_int_equal(conf_set(&c, "xl-conf", "xl.conf", err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(conf_set(&c, "xl-conf", "/etc/x#l", err,
	    sizeof(err)), -EINVAL);
	/* -nv prints it on one line, and it parses back the same */
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	conf_print(&c, f);
	fclose(f);
	assert_int_equal(conf_load(path, stderr, &back), 0);
	assert_memory_equal(&c, &back, sizeof(c));
	unlink(path);
	assert_int_equal(conf_set(&c, "guest-range", "none", err, sizeof(err)),
	    0);
	assert_int_equal(c.nguest_range, 0);
}

/* xl.conf's autoballoon, as xl reads it. */
static void
test_autoballoon(void **state)
{
	static const struct {
		const char		*text;
		enum xlconf_autoballoon	 want;
	} cases[] = {
		{ "", XLCONF_AB_AUTO },
		{ "# autoballoon=0\n", XLCONF_AB_AUTO },
		{ "autoballoon=0\n", XLCONF_AB_OFF },
		{ "autoballoon = \"off\"  # squeezerd\n", XLCONF_AB_OFF },
		{ "autoballoon=\"on\"\n", XLCONF_AB_ON },
		{ "autoballoon=1\nautoballoon=\"off\"\n", XLCONF_AB_OFF },
		{ "autoballoon=\"off\"; autoballoon=\"auto\"\n",
		    XLCONF_AB_AUTO },
		{ "lockfile=\"/x#y\"\nautoballoon='1'\n", XLCONF_AB_ON },
		{ "autoballoonx=0\n", XLCONF_AB_AUTO },
	};
	enum xlconf_autoballoon	ab;
	char			path[] = "/tmp/test-xlconf-XXXXXX", buf[512];
	size_t			i;
	FILE			*f;
	int			fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	for (i = 0; i < NITEMS(cases); i++) {
		assert_non_null(f = fopen(path, "w"));
		fputs(cases[i].text, f);
		fclose(f);
		assert_int_equal(xlconf_autoballoon(path, &ab), 0);
		if (ab != cases[i].want)
			fail_msg("\"%s\": %d, want %d", cases[i].text, ab,
			    cases[i].want);
	}
	xlconf_warning(path, 0, XLCONF_AB_OFF, buf, sizeof(buf));
	assert_string_equal(buf, "");
	xlconf_warning(path, 0, XLCONF_AB_AUTO, buf, sizeof(buf));
	assert_non_null(strstr(buf, "autoballoon"));
	unlink(path);
	assert_int_equal(xlconf_autoballoon(path, &ab), -ENOENT);
	xlconf_warning(path, -ENOENT, XLCONF_AB_AUTO, buf, sizeof(buf));
	assert_string_equal(buf, "");			/* no xl: nothing */
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_need),
		cmocka_unit_test(test_stream_head),
		cmocka_unit_test(test_guest_range),
		cmocka_unit_test(test_autoballoon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
