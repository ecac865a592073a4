/* Unit tests of the xenstore key cache: hits, absences, invalidation. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "backend.h"
#include "xscache.h"

static void
test_values(void **state)
{
	struct xscache	*c = xscache_new();
	char		*v = (char *)1;

	(void)state;
	assert_int_equal(xscache_get(c, "/a/b", &v), 0);	/* a miss */
	assert_int_equal(xscache_put(c, "/a/b", "7"), 0);
	assert_int_equal(xscache_put(c, "/a/c", NULL), 0);	/* absent */
	assert_int_equal(xscache_get(c, "/a/b", &v), 1);
	assert_string_equal(v, "7");
	free(v);
	assert_int_equal(xscache_get(c, "/a/c", &v), 1);
	assert_null(v);
	assert_int_equal(xscache_put(c, "/a/b", "8"), 0);	/* replaced */
	assert_int_equal(xscache_size(c), 2);
	xscache_invalidate(c, "/a/b");
	assert_int_equal(xscache_get(c, "/a/b", &v), 0);
	assert_int_equal(xscache_get(c, "/a/c", &v), 1);	/* untouched */
	xscache_free(c);
}

/* An event below a directory invalidates its listing and its ancestors'. */
static void
test_listings(void **state)
{
	static char	 x[] = "x", y[] = "y";
	char *const	 names[] = { x, y };
	struct xscache	*c = xscache_new();
	char		**v;
	size_t		 n;

	(void)state;
	assert_int_equal(xscache_put_dir(c, "/s", names, 2), 0);
	assert_int_equal(xscache_put_dir(c, "/s/x", names, 1), 0);
	assert_int_equal(xscache_put_dir(c, "/t", names, 1), 0);
	assert_int_equal(xscache_get_dir(c, "/s", &v, &n), 1);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "y");
	backend_strv_free(v, n);
	xscache_invalidate(c, "/s/x/new");
	assert_int_equal(xscache_get_dir(c, "/s/x", &v, &n), 0);
	assert_int_equal(xscache_get_dir(c, "/s", &v, &n), 0);
	assert_int_equal(xscache_get_dir(c, "/t", &v, &n), 1);
	backend_strv_free(v, n);
	xscache_clear(c);
	assert_int_equal(xscache_size(c), 0);
	xscache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_listings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
