/* SPDX-License-Identifier: MIT */
/*
 * linux-6.18.c - what the running kernel does (docs/policies.md): AVC sets
 * in an interval tree (3.7), an anon_vma reused at fork when no VMA uses it
 * and it has at most one child (3.19, fixed 2022), anon-exclusive pages
 * (5.19), COW reuse decided by the reference count (5.9).
 */
#include "shared.h"

static struct anon_vma *l618_fork_root(const struct av_vma *vma, const struct av_vma *pvma)
{
	(void)vma;
	return pvma->anon_vma->root;
}

static bool l618_merge_anon_ok(const struct av_vma *tgt, const struct av_vma *src,
			       const struct anon_vma *src_anon,
			       const struct av_vma *copied_from)
{
	if (!tgt->anon_vma && src_anon) {
		/* tgt will take src's anon_vma: only if that is not a fork
		 * child's, which would drag its ancestors' chain along. */
		if (src)
			return !vma_is_fork_child(src);
		if (copied_from)
			return !vma_is_fork_child(copied_from);
		return true;
	}
	if (tgt->anon_vma && !src_anon)
		return !vma_is_fork_child(tgt);
	return tgt->anon_vma == src_anon;
}

/* wp_can_reuse_anon_folio: reuse iff ours is the only reference, after
 * dropping a swap-cache copy nobody else needs.  The page lock is only
 * tried, under the PTL; on success it stays held for the caller's move. */
static bool l618_wp_can_reuse(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	if (page_ref(pg) > 1 + (page_test(pg, PG_SWAPCACHE) ? 1 : 0))
		return false;
	if (!av_page_trylock(w, pg))
		return false;
	if (page_test(pg, PG_SWAPCACHE))
		av_swap_try_free(w, pfn);
	if (page_ref(pg) == 1)
		return true;
	av_page_unlock(pg);
	return false;
}

/* Called with swap_lock held and the faulting PTE's reference taken. */
static bool l618_swapin_exclusive(struct av_world *w, uint64_t pfn, uint64_t slot,
				  bool pte_exclusive, bool write)
{
	struct av_page *pg = pfn_page(w, pfn);

	(void)slot;
	/* should_try_to_free_swap: a writer holding the only other reference
	 * (the cache's) drops the swap copy if no swap entry needs it. */
	if (write && page_ref(pg) == 2)
		av_swap_try_free_locked(w, pfn);
	return pte_exclusive || page_ref(pg) == 1;
}

const struct av_policy av_policy_linux_6_18 = {
	.name = "linux-6.18",
	.summary = "interval-tree AVC sets, anon_vma reuse at fork, anon-exclusive pages",
	.avc_interval_tree = true,
	.fork_reuse = true,
	.anon_exclusive = true,
	.mprotect_drops_account = true,
	.swapin_always_root = false,
	.fork_root = l618_fork_root,
	.merge_anon_ok = l618_merge_anon_ok,
	.wp_can_reuse = l618_wp_can_reuse,
	.swapin_exclusive = l618_swapin_exclusive,
};

