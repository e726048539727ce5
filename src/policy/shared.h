/* SPDX-License-Identifier: MIT */
/*
 * shared.h - pieces several policies use.  A policy file includes this,
 * the model's headers and nothing of another policy.
 */
#ifndef AV_POLICY_SHARED_H
#define AV_POLICY_SHARED_H

#include <stdbool.h>
#include "../mm/policy.h"
#include "../mm/rmap.h"
#include "../mm/vm.h"

/* Was v forked from a parent, so that it may share pages copy-on-write?
 * (Its chain has more than one anon_vma.) */
static inline bool vma_is_fork_child(const struct av_vma *v)
{
	return v && v->anon_vma && !av_list_singular(&v->anon_vma_chain);
}

#endif
