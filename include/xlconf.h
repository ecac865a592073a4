/*
 * xlconf.h: what xl's global configuration (/etc/xen/xl.conf) says about
 * autoballoon, which lowers dom0's target before every `xl create`: a
 * balancer that manages dom0 gives the memory back, and the create fails.
 */
#ifndef SQUEEZERD_XLCONF_H
#define SQUEEZERD_XLCONF_H

#include <stddef.h>

enum xlconf_autoballoon {
	XLCONF_AB_OFF,		/* "off", "0" */
	XLCONF_AB_ON,		/* "on", "1" */
	XLCONF_AB_AUTO,		/* "auto", absent or not understood: xl's */
};				/* default, on unless Xen has dom0_mem= */

/*
 * The autoballoon setting of the xl.conf text at path (its last one, as
 * xl reads it): 0, or -errno when the file cannot be read.
 */
int	xlconf_autoballoon(const char *path, enum xlconf_autoballoon *ret);

/*
 * The warning to give when squeezerd manages dom0 and xl may balloon it,
 * or "" when there is none to give; rc is xlconf_autoballoon()'s.
 */
void	xlconf_warning(const char *path, int rc, enum xlconf_autoballoon,
	    char *buf, size_t len);

#endif
