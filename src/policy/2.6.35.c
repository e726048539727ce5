/* SPDX-License-Identifier: MIT */
/*
 * 2.6.35.c - the seed's series (docs/policies.md): AVC sets on a plain list,
 * a new anon_vma for every VMA at every fork, and the root's lock for the
 * whole tree ("always lock the root (oldest) anon_vma", posted for 2.6.35
 * in May 2010 and merged for 2.6.36-rc1).  The seed found the root as the
 * anon_vma of the child chain's oldest AVC; the model keeps a root pointer
 * that is always that one.
 */
#include "shared.h"

const struct av_policy av_policy_2_6_35 = {
	.name = "2.6.35",
	.summary = "list AVC sets, a new anon_vma per VMA at every fork, root lock (the seed)",
	.avc_interval_tree = false,
	.own_locks = false,
	.anon_exclusive = false,
	.mprotect_drops_account = false,
	.lazy_anon_vma = false,
	.swapin_always_root = true,
	.kernel_anon_vma_bytes = 40,    /* + root, external refcount */
	.kernel_avc_bytes = 48,
	.prepare = pol_prepare_from_unforked_neighbour,
	.fork = pol_fork_new_child,
	.merge_anon_ok = pol_merge_null_or_same,
	.wp_can_reuse = pol_wp_reuse_by_mapcount,
	.swapin_exclusive = pol_swapin_exclusive_by_mapcount,
};
