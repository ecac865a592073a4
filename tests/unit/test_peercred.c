/*
 * Unit tests of peercred: a real socketpair's credentials, SO_PEERGROUPS
 * asking for a bigger buffer, the group-database fallback when the kernel
 * has no SO_PEERGROUPS (ENOPROTOOPT), errors, and the group test.
 * getsockopt is wrapped (-Wl,--wrap=getsockopt) to play those kernels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "peercred.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59
#endif

int	__real_getsockopt(int, int, int, void *, socklen_t *);
int	__wrap_getsockopt(int, int, int, void *, socklen_t *);

static enum { REAL, NO_PEERGROUPS, MANY_GROUPS, NO_PEERCRED } mode;
static int	npeergroups_calls;

int
__wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	gid_t		*g = val;
	socklen_t	 want = 100 * sizeof(gid_t);
	int		 i;

	if (mode == NO_PEERCRED && name == SO_PEERCRED) {
		errno = EBADF;
		return -1;
	}
	if (name != SO_PEERGROUPS || mode == REAL || mode == NO_PEERCRED)
		return __real_getsockopt(fd, level, name, val, len);
	npeergroups_calls++;
	if (mode == NO_PEERGROUPS) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (*len < want) {		/* as the kernel: ERANGE, the size */
		*len = want;
		errno = ERANGE;
		return -1;
	}
	for (i = 0; i < 100; i++)
		g[i] = (gid_t)(5000 + i);
	*len = want;
	return 0;
}

static int	sv[2];

static int
setup(void **state)
{
	(void)state;
	mode = REAL;
	npeergroups_calls = 0;
	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
}

static int
teardown(void **state)
{
	(void)state;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* The kernel's answer: our own uid, gid and supplementary groups. */
static void
test_real(void **state)
{
	struct peercred	c;
	gid_t		mine[256];
	int		n, i;

	(void)state;
	assert_int_equal(peercred_get(sv[0], &c), 0);
	assert_int_equal(c.uid, getuid());
	assert_int_equal(c.gid, getgid());
	assert_false(c.from_db);
	n = getgroups(256, mine);
	assert_true(n >= 0);
	assert_int_equal(c.ngroups, (size_t)n);
	for (i = 0; i < n; i++)
		assert_true(peercred_in_group(&c, mine[i]));
	assert_true(peercred_in_group(&c, getgid()));
	peercred_dispose(&c);
	peercred_dispose(&c);		/* twice is fine */
	peercred_dispose(NULL);
}

/* More groups than the first buffer holds: asked again, bigger. */
static void
test_many_groups(void **state)
{
	struct peercred	c;

	(void)state;
	mode = MANY_GROUPS;
	assert_int_equal(peercred_get(sv[0], &c), 0);
	assert_int_equal(npeergroups_calls, 2);
	assert_int_equal(c.ngroups, 100);
	assert_true(peercred_in_group(&c, 5000));
	assert_true(peercred_in_group(&c, 5099));
	assert_false(peercred_in_group(&c, 5100));
	assert_false(c.from_db);
	peercred_dispose(&c);
}

/* An old kernel: the user's groups in the group database. */
static void
test_fallback(void **state)
{
	struct peercred	 c;
	struct passwd	*pw;
	gid_t		 want[256];
	int		 n = 256, i;

	(void)state;
	mode = NO_PEERGROUPS;
	assert_int_equal(peercred_get(sv[0], &c), 0);
	assert_true(c.from_db);
	pw = getpwuid(getuid());
	assert_non_null(pw);
	assert_true(getgrouplist(pw->pw_name, getgid(), want, &n) >= 0);
	assert_int_equal(c.ngroups, (size_t)n);
	for (i = 0; i < n; i++)
		assert_true(peercred_in_group(&c, want[i]));
	peercred_dispose(&c);
}

static void
test_no_peercred(void **state)
{
	struct peercred	c = { .uid = 42 };

	(void)state;
	mode = NO_PEERCRED;
	assert_int_equal(peercred_get(sv[0], &c), -EBADF);
	assert_int_equal(c.uid, 42);	/* untouched on error */
}

static void
test_in_group(void **state)
{
	gid_t		g[] = { 10, 20 };
	struct peercred	c = { .uid = 1000, .gid = 100, .groups = g,
	    .ngroups = 2 };

	(void)state;
	assert_true(peercred_in_group(&c, 100));
	assert_true(peercred_in_group(&c, 10));
	assert_true(peercred_in_group(&c, 20));
	assert_false(peercred_in_group(&c, 0));
	assert_false(peercred_in_group(&c, 30));
	c.ngroups = 0;
	assert_false(peercred_in_group(&c, 10));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_real, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_groups, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_peercred, setup,
		    teardown),
		cmocka_unit_test(test_in_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
