/*
 * Unit tests of sdnotify: the datagram a real AF_UNIX socket receives (by
 * path and in the abstract namespace), the unset and malformed addresses,
 * and the watchdog variables.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "sdnotify.h"

struct listener {
	char	dir[64];
	char	path[100];	/* fits sun_path */
	int	fd;
};

/* Bind a datagram socket in a new temporary directory. */
static int
listener_setup(void **state)
{
	struct listener		*l;
	struct sockaddr_un	 sun;

	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	snprintf(l->dir, sizeof(l->dir), "/tmp/test_sdnotify.XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->path, sizeof(l->path), "%s/notify", l->dir);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", l->path);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	*state = l;
	return 0;
}

static int
listener_teardown(void **state)
{
	struct listener	*l = *state;

	(void)unsetenv("NOTIFY_SOCKET");
	(void)close(l->fd);
	(void)unlink(l->path);
	(void)rmdir(l->dir);
	free(l);
	return 0;
}

/* The next datagram on fd, NUL-terminated; -1 when there is none. */
static ssize_t
recv_one(int fd, char *buf, size_t len)
{
	ssize_t	n;

	n = recv(fd, buf, len - 1, MSG_DONTWAIT);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void
test_path(void **state)
{
	struct listener	*l = *state;
	const char	*msg = "READY=1\nSTATUS=balancing 3 domains";
	char		 buf[256];

	assert_int_equal(setenv("NOTIFY_SOCKET", l->path, 1), 0);
	assert_int_equal(sdnotify(msg), 0);
	assert_int_equal(recv_one(l->fd, buf, sizeof(buf)), strlen(msg));
	assert_string_equal(buf, msg);
	assert_int_equal(sdnotify("WATCHDOG=1"), 0);
	assert_int_equal(recv_one(l->fd, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "WATCHDOG=1");
	assert_int_equal(recv_one(l->fd, buf, sizeof(buf)), -1);
	assert_int_equal(sdnotify(NULL), -EINVAL);
	assert_int_equal(sdnotify(""), -EINVAL);
}

/* "@name": the abstract namespace, with no trailing NUL in the address. */
static void
test_abstract(void **state)
{
	struct sockaddr_un	 sun;
	char			 name[64], env[80], buf[64];
	socklen_t		 len;
	int			 fd;

	(void)state;
	snprintf(name, sizeof(name), "squeezerd-test-sdnotify-%ld",
	    (long)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	snprintf(env, sizeof(env), "@%s", name);
	assert_int_equal(setenv("NOTIFY_SOCKET", env, 1), 0);
	assert_int_equal(sdnotify("STOPPING=1"), 0);
	assert_int_equal(recv_one(fd, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "STOPPING=1");
	(void)close(fd);
	(void)unsetenv("NOTIFY_SOCKET");
}

/* Not run by systemd: nothing to do, and no error. */
static void
test_unset(void **state)
{
	(void)state;
	assert_int_equal(unsetenv("NOTIFY_SOCKET"), 0);
	assert_int_equal(sdnotify("READY=1"), 0);
}

static void
test_bad_address(void **state)
{
	char	path[256];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	assert_int_equal(sdnotify("READY=1"), -ENAMETOOLONG);
	path[0] = '@';				/* 255 bytes: too long too */
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	assert_int_equal(sdnotify("READY=1"), -ENAMETOOLONG);
	path[107] = '\0';	/* 107 bytes and a NUL: the longest that fits */
	path[0] = '/';
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	assert_int_equal(sdnotify("READY=1"), -ENOENT);
	path[107] = 'a';	/* one more: no room for the NUL */
	path[108] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	assert_int_equal(sdnotify("READY=1"), -ENAMETOOLONG);
	assert_int_equal(setenv("NOTIFY_SOCKET", "relative/sock", 1), 0);
	assert_int_equal(sdnotify("READY=1"), -EAFNOSUPPORT);
	assert_int_equal(setenv("NOTIFY_SOCKET", "@", 1), 0);
	assert_int_equal(sdnotify("READY=1"), -EINVAL);
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(sdnotify("READY=1"), -EINVAL);
	assert_int_equal(setenv("NOTIFY_SOCKET",
	    "/nonexistent/squeezerd/notify", 1), 0);
	assert_int_equal(sdnotify("READY=1"), -ENOENT);
	(void)unsetenv("NOTIFY_SOCKET");
}

static void
test_watchdog(void **state)
{
	char		pid[32];
	uint64_t	usec = 42;

	(void)state;
	assert_int_equal(unsetenv("WATCHDOG_USEC"), 0);
	assert_int_equal(unsetenv("WATCHDOG_PID"), 0);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	assert_int_equal(usec, 0);

	assert_int_equal(setenv("WATCHDOG_USEC", "30000000", 1), 0);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	assert_int_equal(usec, 30000000);

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(setenv("WATCHDOG_PID", pid, 1), 0);
	usec = 0;
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	assert_int_equal(usec, 30000000);

	/* the main process's watchdog, inherited by someone else */
	assert_int_equal(setenv("WATCHDOG_PID", getpid() == 1 ? "2" : "1", 1),
	    0);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	assert_int_equal(usec, 0);

	assert_int_equal(unsetenv("WATCHDOG_PID"), 0);
	assert_int_equal(setenv("WATCHDOG_USEC", "18446744073709551615", 1),
	    0);					/* USEC_INFINITY */
	assert_int_equal(sdnotify_watchdog_usec(&usec), -EINVAL);
	assert_int_equal(setenv("WATCHDOG_USEC", "18446744073709551614", 1),
	    0);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	assert_true(usec == UINT64_MAX - 1);
	assert_int_equal(unsetenv("WATCHDOG_USEC"), 0);
}

/* Malformed values fail and leave *ret_usec alone. */
static void
test_watchdog_bad(void **state)
{
	static const char *const bad[] = { "", "0", "-5", "+5", " 5", "5 ",
	    "5s", "0x10", "99999999999999999999" };
	uint64_t	usec;
	size_t		i;

	(void)state;
	assert_int_equal(unsetenv("WATCHDOG_PID"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(setenv("WATCHDOG_USEC", bad[i], 1), 0);
		usec = 7;
		assert_int_equal(sdnotify_watchdog_usec(&usec), -EINVAL);
		assert_int_equal(usec, 7);
	}
	assert_int_equal(setenv("WATCHDOG_USEC", "1000000", 1), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(setenv("WATCHDOG_PID", bad[i], 1), 0);
		usec = 7;
		assert_int_equal(sdnotify_watchdog_usec(&usec), -EINVAL);
		assert_int_equal(usec, 7);
	}
	assert_int_equal(setenv("WATCHDOG_PID", "4294967297", 1), 0);
	assert_int_equal(sdnotify_watchdog_usec(&usec), -EINVAL);
	assert_int_equal(unsetenv("WATCHDOG_PID"), 0);
	assert_int_equal(unsetenv("WATCHDOG_USEC"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path, listener_setup,
		    listener_teardown),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_unset),
		cmocka_unit_test(test_bad_address),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_watchdog_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
