/*
 * xsd-shim.so -- LD_PRELOAD shim that lets Debian's unmodified 4.17
 * xenstored run without a hypervisor:
 *
 *	XENSTORED_RUNDIR=$T/rd XENSTORED_PATH=$T/rd/socket \
 *	LD_PRELOAD=xsd-shim.so LD_LIBRARY_PATH=<fake libxenctrl dir> \
 *	/usr/lib/xen-4.17/bin/xenstored -N
 *
 * - every xenevtchn_* and xengnttab_* call xenstored imports is faked (it is
 *   linked BIND_NOW, so all of them must exist);
 * - /proc/xen/xsd_port reads "1\n" and /proc/xen/xsd_kva is a one-page
 *   memfd, served by interposing open/open64/openat;
 * - SIGUSR1 makes VIRQ_DOM_EXC pending on the fake event channel, so
 *   xenstored runs check_domains(), asks libxenctrl (the test double) about
 *   every introduced domain and fires @releaseDomain for the dead ones.
 *
 * Pinned to bookworm's xen-utils-4.17: these are xenstored internals.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <sys/mman.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/xen.h>

#define SHIM_XSD_PORT	"/proc/xen/xsd_port"
#define SHIM_XSD_KVA	"/proc/xen/xsd_kva"
#define SHIM_PORT_TEXT	"1\n"
#define SHIM_FIRST_PORT	10		/* local ports we hand out */
#define SHIM_PAGE	4096

struct xenevtchn_handle {
	int		rfd, wfd;	/* pending ports, 4 bytes each */
};

struct xengntdev_handle {
	int		unused;
};

typedef int	(*shim_open_fn)(const char *, int, ...);
typedef int	(*shim_openat_fn)(int, const char *, int, ...);

static struct xenevtchn_handle	shim_xce = { -1, -1 };
static struct xengntdev_handle	shim_xgt;
static volatile sig_atomic_t	shim_virq_port = -1;
static int			shim_next_port = SHIM_FIRST_PORT;

/* SIGUSR1: mark VIRQ_DOM_EXC pending (async-signal-safe). */
static void
shim_sigusr1(int sig)
{
	uint32_t	port;
	int		saved = errno;

	(void)sig;
	if (shim_virq_port >= 0 && shim_xce.wfd != -1) {
		port = (uint32_t)shim_virq_port;
		if (write(shim_xce.wfd, &port, sizeof(port)) == -1) {
			/* pipe full: an exception is already pending */
		}
	}
	errno = saved;
}

xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	int	fds[2];

	(void)logger;
	(void)open_flags;
	if (shim_xce.rfd == -1) {
		if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1)
			return NULL;
		shim_xce.rfd = fds[0];
		shim_xce.wfd = fds[1];
	}
	return &shim_xce;
}

xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
    unsigned int open_flags)
{
	(void)fd;
	return xenevtchn_open(logger, open_flags);
}

int
xenevtchn_close(xenevtchn_handle *xce)
{
	(void)xce;
	return 0;
}

int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->rfd;
}

int
xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
    evtchn_port_t remote_port)
{
	(void)xce;
	(void)domid;
	(void)remote_port;
	return shim_next_port++;
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	struct sigaction	sa;
	int			port = shim_next_port++;

	(void)xce;
	if (virq == VIRQ_DOM_EXC) {
		shim_virq_port = port;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = shim_sigusr1;
		sa.sa_flags = SA_RESTART;
		(void)sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL) == -1)
			return -1;
	}
	return port;
}

int
xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	uint32_t	port;
	ssize_t		n;

	do
		n = read(xce->rfd, &port, sizeof(port));
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(port)) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return (xenevtchn_port_or_error_t)port;
}

int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

xengnttab_handle *
xengnttab_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return &shim_xgt;
}

int
xengnttab_close(xengnttab_handle *xgt)
{
	(void)xgt;
	return 0;
}

int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

/* A guest's xenstore ring: a private zeroed page (no guest will write). */
void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
    int prot)
{
	void	*p;

	(void)xgt;
	(void)domid;
	(void)ref;
	p = mmap(NULL, SHIM_PAGE, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int
xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	(void)xgt;
	return munmap(start_address, (size_t)count * SHIM_PAGE);
}

/* A memfd standing in for one of the /proc/xen/xsd_* files. */
static int
shim_proc_open(const char *path)
{
	const char	*name = strrchr(path, '/') + 1;
	int		 fd, saved;
	if ((fd = memfd_create(name, MFD_CLOEXEC)) == -1)
		return -1;
	if (strcmp(path, SHIM_XSD_PORT) == 0) {
		if (write(fd, SHIM_PORT_TEXT, strlen(SHIM_PORT_TEXT)) == -1 ||
		    lseek(fd, 0, SEEK_SET) == -1)
			goto fail;
	} else if (ftruncate(fd, SHIM_PAGE) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	(void)close(fd);
	errno = saved;
	return -1;
}

/* Is this one of the files the shim serves? */
static int
shim_is_proc(const char *path)
{
	return path != NULL && (strcmp(path, SHIM_XSD_PORT) == 0 ||
	    strcmp(path, SHIM_XSD_KVA) == 0);
}

/* The mode argument of open(2), present only when a file may be created. */
#define SHIM_MODE(flags, last, mode)					\
	do {								\
		va_list	ap_;					\
		if ((flags) & (O_CREAT | O_TMPFILE)) {			\
			va_start(ap_, last);				\
			(mode) = va_arg(ap_, mode_t);			\
			va_end(ap_);					\
		}							\
	} while (0)

int
open(const char *path, int flags, ...)
{
	static shim_open_fn	real;
	mode_t			mode = 0;

	SHIM_MODE(flags, flags, mode);
	if (shim_is_proc(path))
		return shim_proc_open(path);
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "open");
	return real(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	static shim_open_fn	real;
	mode_t			mode = 0;

	SHIM_MODE(flags, flags, mode);
	if (shim_is_proc(path))
		return shim_proc_open(path);
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "open64");
	return real(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	static shim_openat_fn	real;
	mode_t			mode = 0;

	SHIM_MODE(flags, flags, mode);
	if (shim_is_proc(path))
		return shim_proc_open(path);
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "openat");
	return real(dirfd, path, flags, mode);
}
