/*
 * bootmem.c: squeezed's boot-time free memory file (xen-api
 * squeezed/src/squeezed_state.ml:23, memory_server.ml
 * record_boot_time_host_free_memory): written once per boot, decimal
 * bytes, read back by squeezed's get_host_initial_free_memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "bootmem.h"
#include "conf.h"
#include "host.h"
#include "log.h"
#include "model.h"
#include "squeezerd.h"

/* Where the model keeps the daemon's own figure (model_boot_free_kib). */
#define BOOTMEM_XS_PATH		MODEL_BOOT_FREE_PATH
#define BOOTMEM_MAX_BYTES	(HOST_MAX_KIB * INT64_C(1024))

/* The file's figure in bytes: -ENOENT when there is none. */
static int
bootmem_read(const char *path, int64_t *ret_bytes)
{
	char	buf[32];
	FILE	*f;
	size_t	n;
	int64_t	v;
	int	rc;

	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if ((rc = conf_parse_int(buf, BOOTMEM_MAX_BYTES, &v)) < 0)
		return rc;
	*ret_bytes = v;
	return 0;
}

/* Write bytes to path (tmp and rename); its directory made if need be. */
static int
bootmem_write(const char *path, int64_t bytes)
{
	char	buf[CONF_PATH_MAX], dir[CONF_PATH_MAX], up[CONF_PATH_MAX];
	char	tmp[CONF_PATH_MAX + 8], val[32];
	int	fd, n, rc;

	/* dirname() may write into its argument and return a part of it */
	snprintf(buf, sizeof(buf), "%s", path);
	snprintf(dir, sizeof(dir), "%s", dirname(buf));
	snprintf(buf, sizeof(buf), "%s", dir);
	snprintf(up, sizeof(up), "%s", dirname(buf));
	if (access(dir, F_OK) != 0) {
		if (access(up, F_OK) != 0)
			return -ENOENT;		/* not a xapi host */
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return -errno;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(val, sizeof(val), "%" PRId64, bytes);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -errno;
	if (write(fd, val, (size_t)n) != n || fsync(fd) == -1) {
		rc = errno != 0 ? -errno : -EIO;
		(void)close(fd);
		(void)unlink(tmp);
		return rc;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		rc = -errno;
		(void)unlink(tmp);
		return rc;
	}
	return 0;
}

void
bootmem_sync(struct squeezerd *bd)
{
	const char	*path = bd->bd_conf.boot_time_file;
	char		*v, val[32];
	int64_t		 bytes = 0, kib;
	int		 rc;

	if (*path == '\0')
		return;
	if ((rc = bootmem_read(path, &bytes)) == 0) {
		if (bd->bd_be->read(bd->bd_be_ctx, BOOTMEM_XS_PATH, &v) == 0) {
			free(v);
			return;		/* the daemon's own figure stands */
		}
		snprintf(val, sizeof(val), "%" PRId64, bytes / 1024);
		if (bd->bd_be->write(bd->bd_be_ctx, BOOTMEM_XS_PATH, val) == 0)
			log_info("boot-time free memory: %" PRId64 " bytes, "
			    "from %s", bytes, path);
		return;
	}
	if (rc != -ENOENT)
		log_warnx("%s: %s: %s, writing it again", __func__, path,
		    strerror(-rc));
	if ((kib = model_boot_free_kib(bd->bd_model)) <= 0)
		return;
	if ((rc = bootmem_write(path, kib * 1024)) == -ENOENT)
		log_debug("%s: no directory for %s, not written", __func__,
		    path);
	else if (rc < 0)
		log_warnx("%s: cannot write %s: %s", __func__, path,
		    strerror(-rc));
	else
		log_info("boot-time free memory: %" PRId64 " bytes, written to "
		    "%s", kib * 1024, path);
}
