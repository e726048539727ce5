/* SPDX-License-Identifier: MIT */
/*
 * 2.6.34.c - anon_vma_chain, before the root lock (docs/policies.md).
 *
 * Commit 5beb49305251 gave every forked VMA an anon_vma of its own, linked
 * to all of its parent's by anon_vma_chain objects, so that a walk visits
 * only the VMAs that may hold the page.  But each anon_vma still had its
 * own lock: a walk of the root's list and a change to a child VMA's range
 * under the child's lock do not exclude each other.  `anonvma stress
 * --policy 2.6.34` shows what that race does; the root lock (the seed's
 * series, the 2.6.35 policy) fixed it.
 */
#include "shared.h"

const struct av_policy av_policy_2_6_34 = {
	.name = "2.6.34",
	.summary = "anon_vma_chain with list walks, each anon_vma under its own lock",
	.avc_interval_tree = false,
	.own_locks = true,
	.anon_exclusive = false,
	.mprotect_drops_account = false,
	.lazy_anon_vma = false,
	.swapin_always_root = true,     /* __page_set_anon_rmap: the oldest */
	.kernel_anon_vma_bytes = 24,    /* spinlock, ksm_refcount, list head */
	.kernel_avc_bytes = 48,         /* vma, anon_vma, two list heads */
	.prepare = pol_prepare_from_unforked_neighbour,
	.fork = pol_fork_new_child,
	.merge_anon_ok = pol_merge_null_or_same,
	.wp_can_reuse = pol_wp_reuse_by_mapcount,
	.swapin_exclusive = pol_swapin_exclusive_by_mapcount,
};
