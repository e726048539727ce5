/* SPDX-License-Identifier: MIT */
/*
 * 2.6.35.c - the seed's series (docs/policies.md): AVC sets on a plain list,
 * a new anon_vma for every VMA at every fork, the root's lock for the whole
 * tree, COW reuse decided by the map count.
 */
#include "shared.h"

/* The seed: the root is the anon_vma of the last (oldest) AVC on the
 * child's chain, which anon_vma_clone has just copied from the parent. */
static struct anon_vma *l2635_fork_root(const struct av_vma *vma, const struct av_vma *pvma)
{
	const struct anon_vma_chain *oldest =
		cds_list_entry(vma->anon_vma_chain.prev, struct anon_vma_chain, same_vma);

	(void)pvma;
	return oldest->anon_vma;
}

/* is_mergeable_anon_vma before 3.0: either side without an anon_vma, or
 * the same one.  No check for forked chains. */
static bool l2635_merge_anon_ok(const struct av_vma *tgt, const struct av_vma *src,
				const struct anon_vma *src_anon,
				const struct av_vma *copied_from)
{
	(void)src;
	(void)copied_from;
	return !tgt->anon_vma || !src_anon || tgt->anon_vma == src_anon;
}

/* reuse_swap_page: mapcount, plus swap count for a swap-cache page, at
 * most one; the swap-cache copy is then dropped.  swap_lock held. */
static bool l2635_reuse_swap_page(struct av_world *w, uint64_t pfn, long mapcount,
				  uint64_t swapcount)
{
	struct av_page *pg = pfn_page(w, pfn);
	uint64_t count = (uint64_t)mapcount;

	if (count <= 1 && page_test(pg, PG_SWAPCACHE)) {
		count += swapcount;
		if (count == 1)
			av_swap_cache_del_locked(w, pfn);
	}
	return count <= 1;
}

/* do_wp_page tried the page lock, as here; on success it stays held. */
static bool l2635_wp_can_reuse(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	bool ok;

	if (!av_page_trylock(w, pg))
		return false;
	av_mutex_lock(&w->swap_lock);
	ok = l2635_reuse_swap_page(w, pfn, page_mapcount(pg),
				   page_test(pg, PG_SWAPCACHE) ? swap_slot(w, pg->swap_slot)->count : 0);
	av_mutex_unlock(&w->swap_lock);
	if (!ok)
		av_page_unlock(pg);
	return ok;
}

/* do_swap_page called reuse_swap_page before releasing its swap entry,
 * and before adding its mapping.  swap_lock held. */
static bool l2635_swapin_exclusive(struct av_world *w, uint64_t pfn, uint64_t slot,
				   bool pte_exclusive, bool write)
{
	(void)pte_exclusive;
	if (!write)
		return false;
	return l2635_reuse_swap_page(w, pfn, page_mapcount(pfn_page(w, pfn)),
				     swap_slot(w, slot)->count + 1);
}

const struct av_policy av_policy_2_6_35 = {
	.name = "2.6.35",
	.summary = "list AVC sets, a new anon_vma per VMA at every fork, root lock (the seed)",
	.avc_interval_tree = false,
	.fork_reuse = false,
	.anon_exclusive = false,
	.mprotect_drops_account = false,
	.swapin_always_root = true,
	.fork_root = l2635_fork_root,
	.merge_anon_ok = l2635_merge_anon_ok,
	.wp_can_reuse = l2635_wp_can_reuse,
	.swapin_exclusive = l2635_swapin_exclusive,
};

