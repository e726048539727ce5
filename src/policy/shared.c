/* SPDX-License-Identifier: MIT */
/*
 * shared.c - pieces several designs share (shared.h).
 */
#include "shared.h"

/* ---- anon_vma_prepare ---- */

static struct anon_vma *unforked_neighbour(const struct av_vma *vma)
{
	return av_neighbour_anon_vma(vma, true);
}

int pol_prepare_from_unforked_neighbour(struct av_world *w, struct av_vma *vma)
{
	return av_anon_vma_prepare_borrowing(w, vma, unforked_neighbour);
}

/* ---- fork ---- */

int pol_fork_reusing(struct av_world *w, struct av_vma *child, struct av_vma *parent,
		     av_reuse_fn reuse)
{
	int err = av_anon_vma_clone_reusing(w, child, parent, reuse);

	if (err || child->anon_vma)
		return err;
	return av_anon_vma_add_child(w, child, parent->anon_vma);
}

int pol_fork_new_child(struct av_world *w, struct av_vma *child, struct av_vma *parent)
{
	return pol_fork_reusing(w, child, parent, NULL);
}

/* ---- merging ---- */

bool pol_merge_null_or_same(const struct av_vma *tgt, const struct av_vma *src,
			    const struct anon_vma *src_anon, const struct av_vma *copied_from)
{
	(void)src;
	(void)copied_from;
	return !tgt->anon_vma || !src_anon || tgt->anon_vma == src_anon;
}

bool pol_merge_singular_neighbour(const struct av_vma *tgt, const struct av_vma *src,
				  const struct anon_vma *src_anon,
				  const struct av_vma *copied_from)
{
	(void)src;
	(void)copied_from;
	if ((!tgt->anon_vma || !src_anon) && av_list_singular(&tgt->anon_vma_chain))
		return true;
	return tgt->anon_vma == src_anon;
}

bool pol_merge_unless_fork_child(const struct av_vma *tgt, const struct av_vma *src,
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

/* ---- copy-on-write and swap-in: by map count ---- */

/* reuse_swap_page: mapcount, plus swap count for a swap-cache page, at
 * most one; the swap-cache copy is then dropped.  swap_lock held. */
static bool reuse_swap_page(struct av_world *w, uint64_t pfn, long mapcount, uint64_t swapcount)
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
bool pol_wp_reuse_by_mapcount(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	bool ok;

	if (!av_page_trylock(w, pg))
		return false;
	av_mutex_lock(&w->swap_lock);
	ok = reuse_swap_page(w, pfn, page_mapcount(pg),
			     page_test(pg, PG_SWAPCACHE) ? swap_slot(w, pg->swap_slot)->count : 0);
	av_mutex_unlock(&w->swap_lock);
	if (!ok)
		av_page_unlock(pg);
	return ok;
}

/* do_swap_page called reuse_swap_page before releasing its swap entry,
 * and before adding its mapping.  swap_lock held. */
bool pol_swapin_exclusive_by_mapcount(struct av_world *w, uint64_t pfn, uint64_t slot,
				      bool pte_exclusive, bool write)
{
	(void)pte_exclusive;
	if (!write)
		return false;
	return reuse_swap_page(w, pfn, page_mapcount(pfn_page(w, pfn)),
			       swap_slot(w, slot)->count + 1);
}

/* ---- copy-on-write and swap-in: by reference count ---- */

/* wp_can_reuse_anon_folio: reuse iff ours is the only reference, after
 * dropping a swap-cache copy nobody else needs.  The page lock is only
 * tried, under the PTL; on success it stays held for the caller's move. */
bool pol_wp_reuse_by_refcount(struct av_world *w, uint64_t pfn)
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
bool pol_swapin_exclusive_by_refcount(struct av_world *w, uint64_t pfn, uint64_t slot,
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
