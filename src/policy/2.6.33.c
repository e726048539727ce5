/* SPDX-License-Identifier: MIT */
/*
 * 2.6.33.c - before anon_vma_chain (docs/policies.md).
 *
 * One anon_vma per fork family: a VMA's first fault makes one (or borrows
 * a neighbour's, forked or not), and every VMA forked or split from it
 * shares it.  The anon_vma keeps the list of its VMAs, so a walk visits
 * every VMA of the family, whether or not it can map the page: the
 * precision that 2.6.34's chains were made to restore.  The list node was
 * part of the VMA, so the model's one AVC per VMA costs no memory of its
 * own here (kernel_avc_bytes 0).
 */
#include "shared.h"

static struct anon_vma *any_neighbour(const struct av_vma *vma)
{
	return av_neighbour_anon_vma(vma, false);
}

static int prepare_2633(struct av_world *w, struct av_vma *vma)
{
	return av_anon_vma_prepare_borrowing(w, vma, any_neighbour);
}

/* anon_vma_link: the child's VMA joins its parent's family. */
static int fork_2633(struct av_world *w, struct av_vma *child, struct av_vma *parent)
{
	child->anon_vma = parent->anon_vma;
	return av_anon_vma_clone(w, child, parent);
}

const struct av_policy av_policy_2_6_33 = {
	.name = "2.6.33",
	.summary = "one anon_vma per fork family, shared by all its VMAs; walks visit the whole family",
	.avc_interval_tree = false,
	.own_locks = false,             /* one anon_vma, one lock per family */
	.anon_exclusive = false,
	.mprotect_drops_account = false,
	.lazy_anon_vma = false,
	.swapin_always_root = false,    /* there is only the one */
	.kernel_anon_vma_bytes = 24,    /* spinlock, ksm_refcount, list head */
	.kernel_avc_bytes = 0,          /* a list node inside the VMA */
	.prepare = prepare_2633,
	.fork = fork_2633,
	.merge_anon_ok = pol_merge_null_or_same,
	.wp_can_reuse = pol_wp_reuse_by_mapcount,
	.swapin_exclusive = pol_swapin_exclusive_by_mapcount,
};
