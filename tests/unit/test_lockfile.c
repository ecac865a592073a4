/*
 * Unit tests of lockfile: the lock names its holder, a second taker is
 * refused with that pid, the lock goes with its descriptor, release removes
 * only the file it locked, and a stale file is taken over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lockfile.h"

struct dir {
	char	path[64];
	char	lock[96];
};

static int
setup(void **state)
{
	struct dir	*d = calloc(1, sizeof(*d));

	assert_non_null(d);
	snprintf(d->path, sizeof(d->path), "/tmp/test_lockfile.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->lock, sizeof(d->lock), "%s/sock.lock", d->path);
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct dir	*d = *state;

	(void)unlink(d->lock);
	(void)rmdir(d->path);
	free(d);
	return 0;
}

static void
read_file(const char *path, char *buf, size_t len)
{
	FILE	*f = fopen(path, "r");
	size_t	 n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
test_take_twice(void **state)
{
	struct dir	*d = *state;
	char		 buf[32], want[32];
	pid_t		 holder = -1;
	int		 fd = -1, fd2 = -1;

	assert_int_equal(lockfile_take(d->lock, &fd, &holder), 0);
	assert_true(fd >= 0);
	read_file(d->lock, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(buf, want);
	/* another open file description: refused, and told who holds it */
	assert_int_equal(lockfile_take(d->lock, &fd2, &holder),
	    -EWOULDBLOCK);
	assert_int_equal(holder, getpid());
	assert_int_equal(fd2, -1);
	lockfile_release(d->lock, fd);
	assert_int_equal(access(d->lock, F_OK), -1);
	/* free again */
	assert_int_equal(lockfile_take(d->lock, &fd2, &holder), 0);
	lockfile_release(d->lock, fd2);
	lockfile_release(d->lock, -1);		/* no lock: nothing */
}

/* A file left by a killed holder: unlocked, its pid stale. */
static void
test_stale(void **state)
{
	struct dir	*d = *state;
	char		 buf[32], want[32];
	pid_t		 holder = -1;
	int		 fd;

	fd = open(d->lock, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "999999\nold junk", 15), 15);
	close(fd);
	assert_int_equal(lockfile_take(d->lock, &fd, &holder), 0);
	read_file(d->lock, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(buf, want);
	lockfile_release(d->lock, fd);
}

/* The lock lives on in a child after fork; setpid names the child. */
static void
test_fork(void **state)
{
	struct dir	*d = *state;
	int		 fd, fd2 = -1, p[2], st;
	pid_t		 child, holder = 0;
	char		 c;

	assert_int_equal(lockfile_take(d->lock, &fd, &holder), 0);
	assert_int_equal(pipe(p), 0);
	if ((child = fork()) == 0) {
		close(p[1]);
		if (lockfile_setpid(fd) < 0)
			_exit(1);
		if (read(p[0], &c, 1) < 0)	/* until the parent is done */
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	close(fd);		/* the parent lets go: the child keeps it */
	do {
		assert_int_equal(lockfile_take(d->lock, &fd2, &holder),
		    -EWOULDBLOCK);
	} while (holder != child);	/* until the child wrote its pid */
	close(p[1]);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(lockfile_take(d->lock, &fd2, &holder), 0);
	lockfile_release(d->lock, fd2);
}

/* Release leaves a file that is not the one locked. */
static void
test_release_not_ours(void **state)
{
	struct dir	*d = *state;
	char		 buf[32];
	pid_t		 holder;
	int		 fd, other;

	assert_int_equal(lockfile_take(d->lock, &fd, &holder), 0);
	assert_int_equal(unlink(d->lock), 0);
	other = open(d->lock, O_WRONLY | O_CREAT, 0644);
	assert_true(other >= 0);
	assert_int_equal(write(other, "someone\n", 8), 8);
	close(other);
	lockfile_release(d->lock, fd);
	read_file(d->lock, buf, sizeof(buf));
	assert_string_equal(buf, "someone\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_not_ours, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
