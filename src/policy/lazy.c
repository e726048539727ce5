/* SPDX-License-Identifier: MIT */
/*
 * lazy.c - a proposal, not a kernel: the anon_vma of a forked VMA is made
 * when it is first needed (docs/policies.md has the rules; the walk-through
 * in docs/writing-a-policy.md builds this file).
 *
 * At fork the child VMA is linked to every anon_vma of its parent's chain,
 * so the pages it shares stay reachable, but gets no anon_vma of its own.
 * A child that never writes - one that execs, or exits, or only reads -
 * never costs an anon_vma.  Its first new page (a copy-on-write copy, or a
 * fault on an empty PTE) makes one: an anon_vma of its chain that no VMA
 * uses and that has at most one child (the 2022 reuse rule), else a new
 * child of the newest.  Everything else is linux-6.18, except that a VMA
 * in the lazy state merges only with one linked to the same anon_vmas.
 */
#include "shared.h"

/* A chain but no anon_vma of its own yet. */
static bool is_lazy(const struct av_vma *v)
{
	return v && !v->anon_vma && av_vma_has_chain(v);
}

static bool reuse_unused(const struct anon_vma *av, const struct av_vma *vma)
{
	(void)vma;
	return av->num_children < 2 && av->num_active_vmas == 0;
}

static struct anon_vma *unforked_neighbour(const struct av_vma *vma)
{
	return av_neighbour_anon_vma(vma, true);
}

/* A VMA already linked takes its anon_vma from its chain; one that is not
 * makes or borrows one, as linux-6.18. */
static int prepare_lazy(struct av_world *w, struct av_vma *vma)
{
	return av_anon_vma_prepare_from_chain(w, vma, reuse_unused, unforked_neighbour);
}

/* Links only: the anon_vma waits for the first new page. */
static int fork_lazy(struct av_world *w, struct av_vma *child, struct av_vma *parent)
{
	return av_anon_vma_clone(w, child, parent);
}

/* A lazy VMA's pages belong to its chain, which the survivor of a merge
 * must have too: then only the same chain (and the same lack of an
 * anon_vma) will do.  A new, empty range may join a lazy VMA. */
static bool merge_lazy(const struct av_vma *tgt, const struct av_vma *src,
		       const struct anon_vma *src_anon, const struct av_vma *copied_from)
{
	const struct av_vma *from = src ? src : copied_from;

	if (is_lazy(tgt) || is_lazy(from)) {
		if (!from)
			return !src_anon;
		return tgt->anon_vma == src_anon && av_vma_same_chain(tgt, from);
	}
	return pol_merge_unless_fork_child(tgt, src, src_anon, copied_from);
}

const struct av_policy av_policy_lazy = {
	.name = "lazy",
	.summary = "linux-6.18, but a forked VMA gets its own anon_vma only at its first new page",
	.avc_interval_tree = true,
	.own_locks = false,
	.anon_exclusive = true,
	.mprotect_drops_account = true,
	.lazy_anon_vma = true,
	.swapin_always_root = false,
	.kernel_anon_vma_bytes = 104,   /* linux-6.18's objects */
	.kernel_avc_bytes = 64,
	.prepare = prepare_lazy,
	.fork = fork_lazy,
	.merge_anon_ok = merge_lazy,
	.wp_can_reuse = pol_wp_reuse_by_refcount,
	.swapin_exclusive = pol_swapin_exclusive_by_refcount,
};
