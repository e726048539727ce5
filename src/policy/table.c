/* SPDX-License-Identifier: MIT */
/*
 * table.c - the policies by name (table.h).
 */
#include <string.h>
#include "table.h"
#include "../mm/policy.h"

#define AV_POLICY_ENTRY(name, id) &id,
static const struct av_policy *const policies[] = { AV_POLICY_LIST(AV_POLICY_ENTRY) };

const struct av_policy *av_policy_find(const char *name)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (strcmp(policies[i]->name, name) == 0)
			return policies[i];
	return NULL;
}
