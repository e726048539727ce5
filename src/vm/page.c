/* SPDX-License-Identifier: MIT */
/*
 * page.c - page frames, swap slots and the swap cache.
 *
 * Reference rules (2026-11-25): a frame's refcount is one per PTE mapping it
 * (mapcount), plus one while it is in the swap cache, plus short-lived pins
 * (allocation, migration).  A swap slot is in use while swap PTEs hold it
 * (count) or a page caches it.  The kernel frees an unmapped swap-cache page
 * lazily, under memory pressure; the model does it as soon as no swap entry
 * needs the page, which changes no count a user can observe.
 */
#include <errno.h>
#include <stdlib.h>
#include "vm.h"

int av_page_alloc(struct av_world *w, uint64_t *pfn)
{
	struct av_page *pg;
	int err = av_pool_get(w, &w->frames, pfn);

	if (err)
		return err;
	pg = pfn_page(w, *pfn);
	pg->flags = PG_USED;
	pg->refcount = 1;
	av_count_alloc(w, AV_OBJ_PAGE);
	return 0;
}

void av_page_put(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	if (--pg->refcount)
		return;
	av_pool_put(&w->frames, pfn);
	av_count_free(w, AV_OBJ_PAGE);
}

void av_page_lock(struct av_world *w, struct av_page *pg)
{
	/* Single-threaded worlds: a page lock is never contended.  A second
	 * lock of a locked page is a bug in the caller. */
	if (pg->flags & PG_LOCKED)
		abort();
	pg->flags |= PG_LOCKED;
	w->st.lock.page++;
}

void av_page_unlock(struct av_page *pg)
{
	pg->flags &= ~PG_LOCKED;
}

int av_swap_alloc(struct av_world *w, uint64_t *slot)
{
	int err = av_pool_get(w, &w->swap, slot);

	if (err)
		return err;
	swap_slot(w, *slot)->used = true;
	av_count_alloc(w, AV_OBJ_SWAP);
	return 0;
}

static void swap_slot_release(struct av_world *w, uint64_t slot)
{
	struct av_swap_slot *s = swap_slot(w, slot);

	if (s->count || s->cache_pfn)
		return;
	av_pool_put(&w->swap, slot);
	av_count_free(w, AV_OBJ_SWAP);
}

void av_swap_cache_add(struct av_world *w, uint64_t pfn, uint64_t slot)
{
	struct av_page *pg = pfn_page(w, pfn);

	pg->flags |= PG_SWAPCACHE;
	pg->swap_slot = slot;
	pg->refcount++;
	swap_slot(w, slot)->cache_pfn = pfn;
}

void av_swap_cache_del(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	uint64_t slot = pg->swap_slot;

	swap_slot(w, slot)->cache_pfn = 0;
	pg->flags &= ~PG_SWAPCACHE;
	pg->swap_slot = 0;
	swap_slot_release(w, slot);
	av_page_put(w, pfn);
}

void av_swap_cache_move(struct av_world *w, uint64_t old_pfn, uint64_t new_pfn)
{
	struct av_page *old = pfn_page(w, old_pfn), *new = pfn_page(w, new_pfn);
	uint64_t slot = old->swap_slot;

	old->flags &= ~PG_SWAPCACHE;
	old->swap_slot = 0;
	old->refcount--;  /* the caller still pins old */
	new->flags |= PG_SWAPCACHE;
	new->swap_slot = slot;
	new->refcount++;
	swap_slot(w, slot)->cache_pfn = new_pfn;
}

bool av_swap_try_free(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	if (!(pg->flags & PG_SWAPCACHE) || swap_slot(w, pg->swap_slot)->count)
		return false;
	av_swap_cache_del(w, pfn);
	return true;
}

void av_swap_cache_reap(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	if ((pg->flags & PG_USED) && pg->mapcount == 0)
		av_swap_try_free(w, pfn);
}

void av_swap_entry_put(struct av_world *w, uint64_t slot)
{
	struct av_swap_slot *s = swap_slot(w, slot);

	s->count--;
	if (s->count == 0 && s->cache_pfn)
		av_swap_cache_reap(w, s->cache_pfn);
	else
		swap_slot_release(w, slot);
}

void av_page_unmap_one(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	bool cached = pg->flags & PG_SWAPCACHE;

	pg->mapcount--;
	av_page_put(w, pfn);
	if (cached)
		av_swap_cache_reap(w, pfn);
}
