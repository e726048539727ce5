/* SPDX-License-Identifier: MIT */
/*
 * names.c - the policies' names, on their own so that tools that only parse
 * scenarios (anonvma-krun) need nothing else of the library.  The list is
 * table.h's.
 */
#include <stddef.h>
#include <anonvma/anonvma.h>
#include "table.h"

#define AV_POLICY_NAME(name, id) name,
static const char *const policy_names[] = { AV_POLICY_LIST(AV_POLICY_NAME) NULL };

const char *const *av_policy_names(void)
{
	return policy_names;
}
