/*
 * fuzz_conf.c: squeezerd.conf, hostile.  The input is one value given to
 * conf_set() for every key (and the duration and integer parsers), then a
 * whole file for conf_load().  Oracles: the sanitizers, every value a
 * successful conf_set() stored is within its key's range, and what
 * conf_print() writes for a loaded file loads again to the same print.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "engine.h"
#include "host.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define DAY_MS	(UINT64_C(86400) * 1000)

static const char *const fuzz_keys[] = {
	"balance-interval", "balance-tolerance-kib", "boot-time-memory-file",
	"domain-zero-dynamic-max-kib", "domain-zero-dynamic-min-kib",
	"domain-zero-floor-kib", "granularity-kib", "host-reserve-kib",
	"inaccuracy-compensation", "manage-domain-zero", "migration-timeout",
	"min-progress-kib-s", "policy", "poll-interval", "queue-name",
	"socket-group", "socket-mode", "stuck-after", "switch-path",
	"two-phase", "uncooperative-after", "use-switch", "xmlrpc-socket",
	"", "no-such-key", "policyx", "balance-interval ",
};

static char	fuzz_dir[256], fuzz_file[300], fuzz_file2[300];
static FILE	*fuzz_null;

static void
fuzz_cleanup(void)
{
	(void)unlink(fuzz_file);
	(void)unlink(fuzz_file2);
	(void)rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fuzz_conf.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL || (fuzz_null = fopen("/dev/null",
	    "we")) == NULL)
		abort();
	snprintf(fuzz_file, sizeof(fuzz_file), "%s/squeezerd.conf", fuzz_dir);
	snprintf(fuzz_file2, sizeof(fuzz_file2), "%s/printed.conf", fuzz_dir);
	atexit(fuzz_cleanup);
	return 0;
}

/* Every value conf_set() accepts must be within what the table allows. */
static void
fuzz_check(const struct conf *c)
{
	struct engine_conf	ec;

	if (c->host_reserve_kib < 0 || c->host_reserve_kib > HOST_MAX_KIB ||
	    c->balance_tolerance_kib < 0 ||
	    c->balance_tolerance_kib > HOST_MAX_KIB ||
	    c->granularity_kib < 1 || c->granularity_kib > (1 << 20) ||
	    c->stuck_after_ms > DAY_MS || c->uncooperative_after_ms > DAY_MS ||
	    c->poll_interval_ms < 1 || c->poll_interval_ms > 60000 ||
	    c->balance_interval_ms < 10 || c->balance_interval_ms > DAY_MS ||
	    c->migration_timeout_ms < 1000 ||
	    c->migration_timeout_ms > DAY_MS ||
	    c->min_progress_kib_s < 0 || c->min_progress_kib_s > HOST_MAX_KIB ||
	    c->dom0_dyn_min_kib < 0 || c->dom0_dyn_min_kib > HOST_MAX_KIB ||
	    c->dom0_dyn_max_kib < 0 || c->dom0_dyn_max_kib > HOST_MAX_KIB ||
	    c->dom0_floor_kib < 0 || c->dom0_floor_kib > HOST_MAX_KIB ||
	    (c->socket_mode != 0600 && c->socket_mode != 0660 &&
	    c->socket_mode != 0666) ||
	    memchr(c->policy, '\0', sizeof(c->policy)) == NULL ||
	    memchr(c->socket_group, '\0', sizeof(c->socket_group)) == NULL ||
	    memchr(c->switch_path, '\0', sizeof(c->switch_path)) == NULL ||
	    c->switch_path[0] != '/' ||
	    memchr(c->queue_name, '\0', sizeof(c->queue_name)) == NULL ||
	    c->queue_name[0] == '\0' || strpbrk(c->queue_name, "/%# ") !=
	    NULL ||
	    memchr(c->boot_time_file, '\0', sizeof(c->boot_time_file)) ==
	    NULL || (c->boot_time_file[0] != '\0' &&
	    c->boot_time_file[0] != '/') ||
	    memchr(c->xmlrpc_socket, '\0', sizeof(c->xmlrpc_socket)) ==
	    NULL || (c->xmlrpc_socket[0] != '\0' &&
	    c->xmlrpc_socket[0] != '/') ||
	    conf_engine(c, &ec) < 0) {
		fprintf(stderr, "conf: a value out of its range was stored\n");
		abort();
	}
}

/* The value for every key, and the number parsers on their own. */
static void
fuzz_values(const char *v)
{
	static const uint64_t	maxes[] = { 0, 1, 999, 1000, 60000, DAY_MS,
				    UINT64_MAX / 1000, UINT64_MAX };
	struct conf		c;
	char			err[256];
	uint64_t		ms;
	int64_t			x;
	size_t			i;

	conf_defaults(&c);
	for (i = 0; i < sizeof(fuzz_keys) / sizeof(fuzz_keys[0]); i++) {
		err[0] = '\0';
		if (conf_set(&c, fuzz_keys[i], v, err, sizeof(err)) < 0 &&
		    (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL))
			abort();	/* an error always says why */
		fuzz_check(&c);
	}
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++)
		if (conf_parse_duration(v, maxes[i], &ms) == 0 &&
		    ms > maxes[i])
			abort();
	if (conf_parse_int(v, HOST_MAX_KIB, &x) == 0 &&
	    (x < 0 || x > HOST_MAX_KIB))
		abort();
	if (conf_parse_int(v, INT64_MAX, &x) == 0 && x < 0)
		abort();
}

static int
fuzz_write(const char *path, const void *data, size_t size)
{
	int	fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -errno;
	if (fchmod(fd, 0600) == -1 || (size > 0 && write(fd, data, size) !=
	    (ssize_t)size))
		rc = -EIO;
	close(fd);
	return rc;
}

/* conf_print() of c, in a malloc'd string. */
static char *
fuzz_print(const struct conf *c, size_t *ret_len)
{
	char	*buf = NULL;
	FILE	*f;

	if ((f = open_memstream(&buf, ret_len)) == NULL)
		abort();
	conf_print(c, f);
	fclose(f);
	return buf;
}

/* Load the input as a file; a loaded file prints, and the print loads. */
static void
fuzz_load(const uint8_t *data, size_t size)
{
	struct conf	c, c2;
	char		*p1, *p2;
	size_t		 n1, n2;

	if (fuzz_write(fuzz_file, data, size) < 0)
		abort();
	if (conf_load(fuzz_file, fuzz_null, &c) < 0)
		return;
	fuzz_check(&c);
	p1 = fuzz_print(&c, &n1);
	if (fuzz_write(fuzz_file2, p1, n1) < 0)
		abort();
	if (conf_load(fuzz_file2, fuzz_null, &c2) < 0) {
		fprintf(stderr, "conf: conf_print's output does not load:\n"
		    "%s", p1);
		abort();
	}
	p2 = fuzz_print(&c2, &n2);
	if (n1 != n2 || memcmp(p1, p2, n1) != 0) {
		fprintf(stderr, "conf: print, load, print differs:\n%s---\n%s",
		    p1, p2);
		abort();
	}
	free(p1);
	free(p2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*v;

	if (size > 65536)
		return -1;
	if ((v = malloc(size + 1)) == NULL)
		abort();
	memcpy(v, data, size);
	v[size] = '\0';
	fuzz_values(v);
	free(v);
	fuzz_load(data, size);
	return 0;
}
