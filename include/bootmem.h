/*
 * bootmem.h: squeezed's boot-time host free memory file
 * (/var/run/nonpersistent/xapi/boot_time_memory, decimal bytes), so that a
 * host can go back to squeezed, and go from it, without xapi seeing a
 * different boot-time figure.
 */
#ifndef SQUEEZERD_BOOTMEM_H
#define SQUEEZERD_BOOTMEM_H

struct squeezerd;

/*
 * With boot-time-memory-file set: if the file is there (squeezed, or an
 * earlier squeezerd, measured it this boot), its figure becomes the
 * daemon's boot-time free memory unless the daemon already has one;
 * otherwise the daemon's figure is written to it (its directory made,
 * mode 0700, when the directory above exists).  Call before anything asks
 * for svc_boot_free_kib().  Failures are logged, never fatal.
 */
void	bootmem_sync(struct squeezerd *);

#endif
