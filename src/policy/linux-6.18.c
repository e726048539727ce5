/* SPDX-License-Identifier: MIT */
/*
 * linux-6.18.c - what the running kernel does (docs/policies.md): AVC sets
 * in an interval tree (3.7), an anon_vma reused at fork when no VMA uses it
 * and it has at most one child (3.19, fixed in 2022 by 2555283eb40d),
 * anon-exclusive pages (5.19), copy-on-write reuse decided by the reference
 * count (5.9), VM_ACCOUNT dropped by mprotect from unfaulted VMAs (6.7),
 * faulted ranges merged into unfaulted neighbours (6.16).
 */
#include "shared.h"

/* An anon_vma no VMA uses any more, with at most one child (a root counts
 * itself, so it never qualifies). */
static bool reuse_unused(const struct anon_vma *av, const struct av_vma *src)
{
	(void)src;
	return av->num_children < 2 && av->num_active_vmas == 0;
}

static int fork_618(struct av_world *w, struct av_vma *child, struct av_vma *parent)
{
	return pol_fork_reusing(w, child, parent, reuse_unused);
}

const struct av_policy av_policy_linux_6_18 = {
	.name = "linux-6.18",
	.summary = "interval-tree AVC sets, anon_vma reuse at fork, anon-exclusive pages",
	.avc_interval_tree = true,
	.own_locks = false,
	.anon_exclusive = true,
	.mprotect_drops_account = true,
	.lazy_anon_vma = false,
	.swapin_always_root = false,
	.kernel_anon_vma_bytes = 104,   /* the slab's size on this kernel */
	.kernel_avc_bytes = 64,
	.prepare = pol_prepare_from_unforked_neighbour,
	.fork = fork_618,
	.merge_anon_ok = pol_merge_unless_fork_child,
	.wp_can_reuse = pol_wp_reuse_by_refcount,
	.swapin_exclusive = pol_swapin_exclusive_by_refcount,
};
