/* backend.c: the backends by name. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"

static const struct backend_ops *const backends[] = {
	&backend_sim_ops,
};

const struct backend_ops *
backend_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

void
backend_strv_free(char **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
