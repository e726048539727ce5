/* SPDX-License-Identifier: MIT */
/*
 * 3.7.c - the interval tree (docs/policies.md).
 *
 * Commit bf181b9f9d8d put an anon_vma's AVCs in an interval tree keyed by
 * each VMA's page-offset range, so a walk visits only the VMAs whose range
 * covers the page.  Still a new anon_vma at every fork: a long chain of
 * forks grows every VMA's chain by one per generation.  Merges follow the
 * 3.0 rule (a side without an anon_vma joins only a never-forked one).
 */
#include "shared.h"

const struct av_policy av_policy_3_7 = {
	.name = "3.7",
	.summary = "interval-tree AVC sets, a new anon_vma per VMA at every fork, root lock",
	.avc_interval_tree = true,
	.own_locks = false,
	.anon_exclusive = false,
	.mprotect_drops_account = false,
	.lazy_anon_vma = false,
	.swapin_always_root = false,    /* exclusive swap-ins stay private */
	.kernel_anon_vma_bytes = 56,    /* root, mutex, refcount, rb_root */
	.kernel_avc_bytes = 64,         /* vma, anon_vma, list head, rb node, subtree last */
	.prepare = pol_prepare_from_unforked_neighbour,
	.fork = pol_fork_new_child,
	.merge_anon_ok = pol_merge_singular_neighbour,
	.wp_can_reuse = pol_wp_reuse_by_mapcount,
	.swapin_exclusive = pol_swapin_exclusive_by_mapcount,
};
