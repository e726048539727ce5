/* SPDX-License-Identifier: MIT */
/*
 * names.c - the policies' names, on their own so that tools that only parse
 * scenarios (anonvma-krun) need nothing else of the library.  policy.c's
 * table must list the same names.
 */
#include <stddef.h>
#include <anonvma/anonvma.h>

static const char *const policy_names[] = { "linux-6.18", "2.6.35", NULL };

const char *const *av_policy_names(void)
{
	return policy_names;
}
