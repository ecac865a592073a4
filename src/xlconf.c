/*
 * xlconf.c: autoballoon in xl.conf, read as xl reads it (libxlutil's
 * "key = value" lines, '#' comments, ';' between settings, the last
 * setting of a key wins; a value is a number or a quoted string).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlconf.h"

#define XLCONF_KEY	"autoballoon"

/* The value of one "autoballoon = V" setting (quotes removed). */
static enum xlconf_autoballoon
xlconf_value(const char *v)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		return XLCONF_AB_ON;
	if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		return XLCONF_AB_OFF;
	return XLCONF_AB_AUTO;		/* "auto", or what xl calls invalid */
}

/* Look at one setting "key = value"; true when it was autoballoon's. */
static bool
xlconf_setting(char *s, enum xlconf_autoballoon *ret)
{
	char	*eq, *v, *e;
	size_t	 n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(XLCONF_KEY);
	if (strncmp(s, XLCONF_KEY, n) != 0)
		return false;
	for (eq = s + n; isspace((unsigned char)*eq); eq++)
		;
	if (*eq != '=')
		return false;
	for (v = eq + 1; isspace((unsigned char)*v); v++)
		;
	e = v + strlen(v);
	while (e > v && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (e - v >= 2 && (*v == '"' || *v == '\'') && e[-1] == *v) {
		e[-1] = '\0';
		v++;
	}
	*ret = xlconf_value(v);
	return true;
}

/* Cut a line at its comment ('#' outside quotes). */
static void
xlconf_uncomment(char *line)
{
	char	q = '\0';

	for (; *line != '\0'; line++) {
		if (q != '\0' && *line == q)
			q = '\0';
		else if (q == '\0' && (*line == '"' || *line == '\''))
			q = *line;
		else if (q == '\0' && *line == '#') {
			*line = '\0';
			return;
		}
	}
}

int
xlconf_autoballoon(const char *path, enum xlconf_autoballoon *ret)
{
	enum xlconf_autoballoon	 ab = XLCONF_AB_AUTO;
	FILE			*f;
	char			*line = NULL, *s, *save;
	size_t			 cap = 0;
	int			 rc;

	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	while (getline(&line, &cap, f) != -1) {
		xlconf_uncomment(line);
		for (s = strtok_r(line, ";\n", &save); s != NULL;
		    s = strtok_r(NULL, ";\n", &save))
			(void)xlconf_setting(s, &ab);
	}
	rc = ferror(f) ? -EIO : 0;
	free(line);
	fclose(f);
	if (rc == 0)
		*ret = ab;
	return rc;
}

void
xlconf_warning(const char *path, int rc, enum xlconf_autoballoon ab,
    char *buf, size_t len)
{
	buf[0] = '\0';
	if (rc == -ENOENT || (rc == 0 && ab == XLCONF_AB_OFF))
		return;			/* no xl here, or xl leaves dom0 be */
	if (rc < 0)
		(void)snprintf(buf, len, "%.128s: %s: cannot tell whether xl "
		    "balloons dom0 (autoballoon)", path, strerror(-rc));
	else
		(void)snprintf(buf, len, "%.128s leaves autoballoon %s while "
		    "squeezerd manages dom0: xl create lowers dom0's target "
		    "itself and fails when squeezerd gives dom0 its memory "
		    "back; set autoballoon=\"off\" there and start guests "
		    "with squeezerctl xl create", path, ab == XLCONF_AB_ON ?
		    "on" : "at auto (on unless Xen's command line has "
		    "dom0_mem=)");
}
