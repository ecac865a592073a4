/* Unit tests of the simulated xenstore: paths, subtrees, directories. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backend.h"
#include "xstore.h"

static void
assert_read(struct xstore *x, const char *path, const char *want)
{
	char	*v = NULL;

	assert_int_equal(xstore_read(x, path, &v), 0);
	assert_string_equal(v, want);
	free(v);
}

static void
test_read_write(void **state)
{
	struct xstore	*x = xstore_new();
	char		*v = NULL;

	(void)state;
	assert_int_equal(xstore_write(x, "/a/b/c", "1"), 0);
	assert_read(x, "/a/b/c", "1");
	assert_read(x, "/a/b", "");		/* parents exist */
	assert_int_equal(xstore_read(x, "/a/bc", &v), -ENOENT);
	assert_int_equal(xstore_write(x, "/a/b/c", "2"), 0);
	assert_read(x, "/a/b/c", "2");
	assert_int_equal(xstore_count(x), 1);
	xstore_free(x);
}

static void
test_bad_paths(void **state)
{
	static const char *const bad[] = { "", "a", "/a/", "//a", "/a//b",
	    "/a b", "/a\x01", NULL };
	struct xstore	*x = xstore_new();
	size_t		 i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(xstore_check_path(bad[i]), -EINVAL);
		assert_int_equal(xstore_write(x, bad[i], "v"), -EINVAL);
	}
	assert_int_equal(xstore_count(x), 0);
	xstore_free(x);
}

/* "/a/b-c" sorts between "/a/b" and "/a/b/c": rm and directory cope. */
static void
test_rm_subtree(void **state)
{
	struct xstore	*x = xstore_new();
	char		*v = NULL;

	(void)state;
	assert_int_equal(xstore_write(x, "/a/b", "1"), 0);
	assert_int_equal(xstore_write(x, "/a/b-c", "2"), 0);
	assert_int_equal(xstore_write(x, "/a/b/c", "3"), 0);
	assert_int_equal(xstore_write(x, "/a/b/c/d", "4"), 0);
	assert_int_equal(xstore_write(x, "/a/bb", "5"), 0);
	assert_int_equal(xstore_rm(x, "/a/b"), 0);
	assert_int_equal(xstore_read(x, "/a/b", &v), -ENOENT);
	assert_int_equal(xstore_read(x, "/a/b/c/d", &v), -ENOENT);
	assert_read(x, "/a/b-c", "2");
	assert_read(x, "/a/bb", "5");
	assert_int_equal(xstore_count(x), 2);
	assert_int_equal(xstore_rm(x, "/nothing"), 0);
	xstore_free(x);
}

static void
test_directory(void **state)
{
	struct xstore	*x = xstore_new();
	char		**v = NULL;
	size_t		 n = 0;

	(void)state;
	assert_int_equal(xstore_write(x, "/s/x/1", "a"), 0);
	assert_int_equal(xstore_write(x, "/s/x/1/in-transfer", "3"), 0);
	assert_int_equal(xstore_write(x, "/s/x-y/2", "b"), 0);
	assert_int_equal(xstore_write(x, "/s/x/0", "c"), 0);
	assert_int_equal(xstore_directory(x, "/s", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "x");
	assert_string_equal(v[1], "x-y");
	backend_strv_free(v, n);
	assert_int_equal(xstore_directory(x, "/s/x", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "0");
	assert_string_equal(v[1], "1");
	backend_strv_free(v, n);
	assert_int_equal(xstore_directory(x, "/s/x/0", &v, &n), 0);
	assert_int_equal(n, 0);
	backend_strv_free(v, n);
	assert_int_equal(xstore_directory(x, "/t", &v, &n), -ENOENT);
	xstore_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_rm_subtree),
		cmocka_unit_test(test_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
