/* backend.c: helpers every backend shares. */
#include <stdlib.h>

#include "backend.h"

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
