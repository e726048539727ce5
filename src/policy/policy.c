/* SPDX-License-Identifier: MIT */
/*
 * policy.c - the two modelled kernels.  docs/policies.md has the sources.
 */
#include <string.h>
#include "policy.h"
#include "../vm/vm.h"
#include "../core/rmap.h"

/* ---- shared pieces ---- */

/* Was v forked from a parent, so that it may share pages copy-on-write?
 * (Its chain has more than one anon_vma.) */
static bool vma_is_fork_child(const struct av_vma *v)
{
	return v && v->anon_vma && !av_list_singular(&v->anon_vma_chain);
}

/* ---- linux-6.18 ---- */

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

/* ---- 2.6.35 ---- */

/* The seed: the root is the anon_vma of the last (oldest) AVC on the
 * child's chain, which anon_vma_clone has just copied from the parent. */
static struct anon_vma *l2635_fork_root(const struct av_vma *vma, const struct av_vma *pvma)
{
	const struct anon_vma_chain *oldest =
		av_list_entry(vma->anon_vma_chain.prev, struct anon_vma_chain, same_vma);

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

static const struct av_policy *const policies[] = { &av_policy_linux_6_18, &av_policy_2_6_35 };

const struct av_policy *av_policy_find(const char *name)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (strcmp(policies[i]->name, name) == 0)
			return policies[i];
	return NULL;
}
