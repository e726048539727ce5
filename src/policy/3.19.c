/* SPDX-License-Identifier: MIT */
/*
 * 3.19.c - reuse by degree, as it shipped until 2022, flaw included
 * (docs/policies.md, CVE-2022-42703).
 *
 * Commit 7a3ef208e662 bounded the chains: at fork, the child VMA may take
 * an anon_vma of its parent's chain instead of a new one, if that
 * anon_vma's degree - its children and the VMAs using it, counted in one
 * number - is below 2, and it is not the parent VMA's own.  The model's
 * num_children + num_active_vmas is that degree.  But "below 2" cannot
 * tell a dead anon_vma with one child from a leaf that one VMA still uses:
 * such a leaf can be taken twice, by two VMAs with different chains, and a
 * later merge of the two leaves a page whose anon_vma the survivor is not
 * linked to (scenarios/examples/cve-2022-42703.scn; av_check names it).
 */
#include "shared.h"

static bool reuse_by_degree(const struct anon_vma *av, const struct av_vma *src)
{
	return av != src->anon_vma && av->num_children + av->num_active_vmas < 2;
}

static int fork_319(struct av_world *w, struct av_vma *child, struct av_vma *parent)
{
	return pol_fork_reusing(w, child, parent, reuse_by_degree);
}

const struct av_policy av_policy_3_19 = {
	.name = "3.19",
	.summary = "interval tree, anon_vma reuse at fork by degree (until 2022, with its flaw)",
	.avc_interval_tree = true,
	.own_locks = false,
	.anon_exclusive = false,
	.mprotect_drops_account = false,
	.lazy_anon_vma = false,
	.swapin_always_root = false,
	.kernel_anon_vma_bytes = 72,    /* root, rwsem, refcount, degree, parent, rb_root */
	.kernel_avc_bytes = 64,
	.known_flaws = AV_INV_BIT(AV_INV_SHARED_CHAIN) | AV_INV_BIT(AV_INV_DEAD_MAPPING),
	.known_flaw_text = "CVE-2022-42703: reuse by degree can give two VMAs of one process "
			   "one anon_vma with different chains, and a page then outlives its "
			   "anon_vma (fixed by 2555283eb40d, in 6.0)",
	.prepare = pol_prepare_from_unforked_neighbour,
	.fork = fork_319,
	.merge_anon_ok = pol_merge_singular_neighbour,
	.wp_can_reuse = pol_wp_reuse_by_mapcount,
	.swapin_exclusive = pol_swapin_exclusive_by_mapcount,
};
