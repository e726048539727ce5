/* SPDX-License-Identifier: MIT */
/*
 * page.c - page frames, swap slots and the swap cache.
 *
 * Reference rules (2026-11-25): a frame's refcount is one per PTE mapping it
 * (mapcount), plus one while it is in the swap cache, plus short-lived pins
 * (allocation, a walker, migration).  A swap slot is in use while swap PTEs
 * hold it (count) or a page caches it.  The kernel frees an unmapped
 * swap-cache page lazily, under memory pressure; the model does it as soon
 * as no swap entry needs the page, which changes no count a user can see.
 *
 * Locks (2026-11-26): refcount, mapcount and flags are atomic; the frame
 * pool is under w->frame_lock; swap slots, the swap cache and a page's
 * PG_SWAPCACHE/swap_slot under w->swap_lock (taken before frame_lock).
 * Functions named *_locked expect swap_lock held.  A page leaves the swap
 * cache only with its page lock held as well.
 */
#include <errno.h>
#include <stdlib.h>
#include "vm.h"

int av_page_alloc(struct av_world *w, uint64_t *pfn)
{
	struct av_page *pg;
	int err;

	av_mutex_lock(&w->frame_lock);
	err = av_pool_get(w, &w->frames, pfn);
	av_mutex_unlock(&w->frame_lock);
	if (err)
		return err;
	pg = pfn_page(w, *pfn);
	page_set_anon_vma(pg, NULL);
	pg->file = NULL;
	pg->index = 0;
	pg->swap_slot = 0;
	av_store(&pg->mapcount, 0);
	av_store(&pg->flags, PG_USED);
	av_store(&pg->refcount, 1);     /* last: walkers may take it now */
	av_count_alloc(w, AV_OBJ_PAGE);
	av_touch_page(w, *pfn);
	return 0;
}

void av_page_put(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	if (av_atomic_dec(&pg->refcount))
		return;
	av_store(&pg->flags, 0);
	page_set_anon_vma(pg, NULL);
	av_mutex_lock(&w->frame_lock);
	av_pool_put(&w->frames, pfn);
	av_mutex_unlock(&w->frame_lock);
	av_count_free(w, AV_OBJ_PAGE);
	av_touch_page(w, pfn);
}

/* PG_LOCKED is a bit lock: holders may sleep (walks take other locks). */
bool av_page_trylock(struct av_world *w, struct av_page *pg)
{
	if (av_fetch_or(&pg->flags, PG_LOCKED) & PG_LOCKED)
		return false;
	av_stat_inc(w, lock.page);
	return true;
}

void av_page_lock(struct av_world *w, struct av_page *pg)
{
	uint64_t t0;

	if (av_page_trylock(w, pg))
		return;
	av_stat_inc(w, lock.page_contended);
	t0 = av_now_ns();
	while (!av_page_trylock(w, pg))
		av_cpu_relax();
	av_stat_add(w, lock.page_wait_ns, av_now_ns() - t0);
}

void av_page_unlock(struct av_page *pg)
{
	page_clear(pg, PG_LOCKED);
}

int av_swap_alloc_locked(struct av_world *w, uint64_t *slot)
{
	struct av_swap_slot *s;
	int err = av_pool_get(w, &w->swap, slot);

	if (err)
		return err;
	s = swap_slot(w, *slot);
	s->count = 0;
	s->cache_pfn = 0;
	s->used = true;
	av_count_alloc(w, AV_OBJ_SWAP);
	av_touch_slot(w, *slot);
	return 0;
}

static void swap_slot_release(struct av_world *w, uint64_t slot)
{
	struct av_swap_slot *s = swap_slot(w, slot);

	if (s->count || s->cache_pfn)
		return;
	s->used = false;
	av_pool_put(&w->swap, slot);
	av_count_free(w, AV_OBJ_SWAP);
	av_touch_slot(w, slot);
}

void av_swap_cache_add_locked(struct av_world *w, uint64_t pfn, uint64_t slot)
{
	struct av_page *pg = pfn_page(w, pfn);

	pg->swap_slot = slot;
	page_set(pg, PG_SWAPCACHE);
	page_ref_inc(pg);
	swap_slot(w, slot)->cache_pfn = pfn;
	av_touch_page(w, pfn);
	av_touch_slot(w, slot);
}

void av_swap_cache_del_locked(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	uint64_t slot = pg->swap_slot;

	swap_slot(w, slot)->cache_pfn = 0;
	page_clear(pg, PG_SWAPCACHE);
	pg->swap_slot = 0;
	av_touch_page(w, pfn);
	av_touch_slot(w, slot);
	swap_slot_release(w, slot);
	av_page_put(w, pfn);
}

void av_swap_cache_del(struct av_world *w, uint64_t pfn)
{
	av_mutex_lock(&w->swap_lock);
	av_swap_cache_del_locked(w, pfn);
	av_mutex_unlock(&w->swap_lock);
}

void av_swap_cache_move(struct av_world *w, uint64_t old_pfn, uint64_t new_pfn)
{
	struct av_page *old = pfn_page(w, old_pfn), *new = pfn_page(w, new_pfn);
	uint64_t slot;

	av_mutex_lock(&w->swap_lock);
	slot = old->swap_slot;
	page_clear(old, PG_SWAPCACHE);
	old->swap_slot = 0;
	av_atomic_dec(&old->refcount);  /* the caller still pins old */
	new->swap_slot = slot;
	page_set(new, PG_SWAPCACHE);
	page_ref_inc(new);
	swap_slot(w, slot)->cache_pfn = new_pfn;
	av_mutex_unlock(&w->swap_lock);
	av_touch_page(w, old_pfn);
	av_touch_page(w, new_pfn);
	av_touch_slot(w, slot);
}

bool av_swap_try_free_locked(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	if (!page_test(pg, PG_SWAPCACHE) || swap_slot(w, pg->swap_slot)->count)
		return false;
	av_swap_cache_del_locked(w, pfn);
	return true;
}

bool av_swap_try_free(struct av_world *w, uint64_t pfn)
{
	bool freed;

	av_mutex_lock(&w->swap_lock);
	freed = av_swap_try_free_locked(w, pfn);
	av_mutex_unlock(&w->swap_lock);
	return freed;
}

/* free_swap_cache: leaving the swap cache needs the page lock (reclaim,
 * migration and swap-in rely on membership staying put while they hold
 * it), so a page someone has locked is left for them. */
static void swap_cache_reap_locked(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	if (!page_test(pg, PG_USED) || page_mapcount(pg) != 0 || !av_page_trylock(w, pg))
		return;
	av_swap_try_free_locked(w, pfn);
	av_page_unlock(pg);
}

void av_swap_entry_dup(struct av_world *w, uint64_t slot)
{
	av_mutex_lock(&w->swap_lock);
	swap_slot(w, slot)->count++;
	av_mutex_unlock(&w->swap_lock);
	av_touch_slot(w, slot);
}

void av_swap_entry_put(struct av_world *w, uint64_t slot)
{
	struct av_swap_slot *s;

	av_mutex_lock(&w->swap_lock);
	s = swap_slot(w, slot);
	s->count--;
	av_touch_slot(w, slot);
	if (s->count == 0 && s->cache_pfn)
		swap_cache_reap_locked(w, s->cache_pfn);
	else
		swap_slot_release(w, slot);
	av_mutex_unlock(&w->swap_lock);
}

void av_page_unmap_one(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);

	page_mapcount_dec(pg);
	av_touch_page(w, pfn);
	if (page_test(pg, PG_SWAPCACHE)) {
		/* The swap cache's reference keeps the frame while we look. */
		av_mutex_lock(&w->swap_lock);
		av_page_put(w, pfn);
		if (page_test(pg, PG_SWAPCACHE))
			swap_cache_reap_locked(w, pfn);
		av_mutex_unlock(&w->swap_lock);
		return;
	}
	av_page_put(w, pfn);
}
