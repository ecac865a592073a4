/* policy.c: the registry of balancing policies, searched by name. */
#include <stddef.h>
#include <string.h>

#include "policy.h"

static const struct policy *const policies[] = {
	&policy_proportional,
	NULL,
};

const struct policy *
policy_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		return NULL;
	for (i = 0; policies[i] != NULL; i++)
		if (strcmp(policies[i]->name, name) == 0)
			return policies[i];
	return NULL;
}

const struct policy *const *
policy_all(void)
{
	return policies;
}
