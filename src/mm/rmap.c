/* SPDX-License-Identifier: MIT */
/*
 * rmap.c - reverse-map walks from an anonymous page, and their users:
 * reclaim to swap (try_to_unmap), aging (page_referenced) and migration.
 *
 * A walk starts from a page the caller has pinned and locked.  It finds the
 * page's anon_vma under RCU and pins it with a reference taken only if the
 * count is not already zero (folio_get_anon_vma): no mm lock is needed, and
 * an anon_vma is freed only after a grace period.  It then takes the lock
 * of the anon_vma's root for reading, asks the anon_vma's AVC set for the
 * VMAs that may map the page (the interval tree yields only VMAs whose pgoff
 * range covers page->index; the 2.6.35 list yields all of them), computes
 * the page's address in each, and checks that VMA's page table under its
 * page-table lock.
 */
#include <errno.h>
#include <string.h>
#include "rmap.h"
#include "vm.h"
#include "policy.h"

struct walk_ctl {
	uint64_t match_pfn;   /* look for PTEs holding this pfn */
	unsigned match_kind;  /* PTE_PRESENT or PTE_MIGRATION */
	bool counted;
	av_rmap_fn fn;
	void *arg;
	long found;
};

static bool pte_matches(av_pte pte, const struct walk_ctl *c)
{
	return (pte & c->match_kind) && pte_val(pte) == c->match_pfn;
}

/* Returns non-zero if the walk should stop. */
static int visit_vma(struct av_world *w, struct av_vma *vma, uint64_t index,
		     struct walk_ctl *c)
{
	uint64_t addr, start = vma->start, pgoff = vma->pgoff, pages = vma_pages(vma);
	av_pte *pte;
	int stop = 0;

	if (c->counted)
		av_stat_inc(w, walk.avcs_visited);
	if (index < pgoff || index >= pgoff + pages)
		return 0;
	if (c->counted)
		av_stat_inc(w, walk.vmas_covering);
	addr = start + ((index - pgoff) << PAGE_SHIFT);
	av_mutex_lock(&vma->mm->ptl);
	if (c->counted)
		av_stat_inc(w, lock.ptl);
	pte = av_pte_lookup(vma->mm, addr);
	if (pte && pte_matches(*pte, c)) {
		c->found++;
		if (c->counted)
			av_stat_inc(w, walk.ptes_found);
		if (c->fn)
			stop = c->fn(w, vma, addr, pte, c->arg);
	}
	av_mutex_unlock(&vma->mm->ptl);
	return stop;
}

static void walk_anon_vma(struct av_world *w, struct anon_vma *av, uint64_t index,
			  struct walk_ctl *c)
{
	if (w->policy->avc_interval_tree) {
		for (struct av_itree_node *n = av_itree_iter_first(&av->avc_tree, index, index);
		     n; n = av_itree_iter_next(n, index, index)) {
			struct anon_vma_chain *avc = caa_container_of(n, struct anon_vma_chain, it);
			if (visit_vma(w, avc->vma, index, c))
				return;
		}
		return;
	}
	for (struct cds_list_head *p = av->avc_list.next; p != &av->avc_list; p = p->next) {
		struct anon_vma_chain *avc = cds_list_entry(p, struct anon_vma_chain, same_anon_vma);
		if (visit_vma(w, avc->vma, index, c))
			return;
	}
}

/* Walk av (pinned by the caller) for the page at index. */
static long walk_pinned(struct av_world *w, struct anon_vma *av, uint64_t index,
			struct walk_ctl *c)
{
	av_anon_vma_lock_read(w, av);
	if (c->counted)
		av_stat_inc(w, walk.walks);
	walk_anon_vma(w, av, index, c);
	av_anon_vma_unlock_read(w, av);
	return c->found;
}

static void note_dead_mapping(struct av_world *w, uint64_t pfn, struct anon_vma *av)
{
	av_store(&w->dead_mapping_id, av->id);
	av_store(&w->dead_mapping_pfn, pfn);
}

/* folio_get_anon_vma: the page's anon_vma with a reference, or NULL if the
 * page is not mapped (its anon_vma may be gone). */
struct anon_vma *av_page_get_anon_vma(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	struct anon_vma *av;

	av_rcu_read_lock();
	av = page_anon_vma(pg);
	if (av && !page_mapcount(pg))
		av = NULL;
	if (av && !av_inc_not_zero_ul(&av->refcount)) {
		/* Dead: legitimately, if the page was unmapped meanwhile.  But
		 * our callers hold the page lock, so nothing can map it again:
		 * still mapped means a VMA maps it without being linked to its
		 * anon_vma - the memory about to be freed under us. */
		if (page_mapcount(pg) && page_anon_vma(pg) == av)
			note_dead_mapping(w, pfn, av);
		av = NULL;
	}
	av_rcu_read_unlock();
	if (av && !page_mapcount(pg)) {
		av_put_anon_vma(w, av);
		av = NULL;
	}
	return av;
}

static long rmap_walk(struct av_world *w, struct av_page *pg, struct walk_ctl *c)
{
	struct anon_vma *av = av_page_get_anon_vma(w, c->match_pfn);

	if (!av)
		return 0;
	walk_pinned(w, av, pg->index, c);
	av_put_anon_vma(w, av);
	return c->found;
}

long av_rmap_walk(struct av_world *w, uint64_t pfn, bool counted, av_rmap_fn fn, void *arg)
{
	struct walk_ctl c = { pfn, PTE_PRESENT, counted, fn, arg, 0 };

	return rmap_walk(w, pfn_page(w, pfn), &c);
}

/* ---- reclaim: replace every PTE with a swap entry ---- */

struct unmap_arg {
	uint64_t pfn, slot;
};

static int unmap_one(struct av_world *w, struct av_vma *vma, uint64_t addr,
		     av_pte *pte, void *arg)
{
	struct unmap_arg *u = arg;
	struct av_page *pg = pfn_page(w, u->pfn);
	/* Read under this PTL, not once before the walk (2026-11-26): fork
	 * clears the bit under the parent's PTL while it copies, so a bit
	 * read earlier could mark the parent's and the child's swap entries
	 * both exclusive - and swap-in would then give the page the anon_vma
	 * of whichever side came first, one the other is not linked to.  As
	 * folio_try_share_anon_rmap_pte, the exclusive mark moves from the
	 * page to the swap entry. */
	bool exclusive = page_test(pg, PG_EXCLUSIVE);

	if (exclusive)
		page_clear(pg, PG_EXCLUSIVE);
	av_pte_set(vma->mm, addr, pte,
		   pte_mk(u->slot, PTE_SWAP | (exclusive ? PTE_SWP_EXCL : 0)));
	av_swap_entry_dup(w, u->slot);
	page_mapcount_dec(pg);
	av_page_put(w, u->pfn);  /* the mapping's reference; swap cache keeps it */
	return 0;
}

/* Page pinned and locked by the caller. */
int av_try_to_unmap(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	struct unmap_arg u = { pfn, 0 };
	long left;
	int err;

	av_mutex_lock(&w->swap_lock);
	if (!page_test(pg, PG_SWAPCACHE)) {
		if ((err = av_swap_alloc_locked(w, &u.slot))) {
			av_mutex_unlock(&w->swap_lock);
			return av_fail(w, err, "try_to_unmap", "no free swap slot");
		}
		av_swap_cache_add_locked(w, pfn, u.slot);
	} else {
		u.slot = pg->swap_slot;
	}
	av_mutex_unlock(&w->swap_lock);
	av_rmap_walk(w, pfn, true, unmap_one, &u);
	if ((left = page_mapcount(pg)))
		return av_fail(w, -EAGAIN, "try_to_unmap",
			       "pfn %llu is still mapped %ld time(s)", (unsigned long long)pfn, left);
	/* Written out: leave the swap cache; the frame goes with the last pin. */
	av_swap_cache_del(w, pfn);
	av_stat_inc(w, reclaimed);
	return 0;
}

/* ---- aging ---- */

static int referenced_one(struct av_world *w, struct av_vma *vma, uint64_t addr,
			  av_pte *pte, void *arg)
{
	long *n = arg;

	(void)w;
	(void)vma;
	(void)addr;
	if (*pte & PTE_YOUNG) {
		*pte &= ~(av_pte)PTE_YOUNG;
		(*n)++;
	}
	return 0;
}

/* Page pinned and locked by the caller. */
long av_page_referenced(struct av_world *w, uint64_t pfn)
{
	long n = 0;

	av_rmap_walk(w, pfn, true, referenced_one, &n);
	av_stat_add(w, referenced, (uint64_t)n);
	return n;
}

/* ---- migration: two walks, the anon_vma pinned in between ---- */

static int to_migration_entry(struct av_world *w, struct av_vma *vma, uint64_t addr,
			      av_pte *pte, void *arg)
{
	uint64_t pfn = *(uint64_t *)arg;
	av_pte bits = *pte & (PTE_WRITE | PTE_YOUNG | PTE_DIRTY);

	av_pte_set(vma->mm, addr, pte, pte_mk(pfn, PTE_MIGRATION | bits));
	page_mapcount_dec(pfn_page(w, pfn));
	av_page_put(w, pfn);
	return 0;
}

static int from_migration_entry(struct av_world *w, struct av_vma *vma, uint64_t addr,
				av_pte *pte, void *arg)
{
	uint64_t pfn = *(uint64_t *)arg;
	struct av_page *pg = pfn_page(w, pfn);
	av_pte bits = *pte & (PTE_WRITE | PTE_YOUNG | PTE_DIRTY);

	page_mapcount_inc(pg);
	page_ref_inc(pg);
	av_pte_set(vma->mm, addr, pte, pte_mk(pfn, PTE_PRESENT | bits));
	return 0;
}

/* Page pinned and locked by the caller.  Faults and forks that meet a
 * migration entry wait for the page lock to go (fault.c, mm.c). */
int av_migrate_page(struct av_world *w, uint64_t old_pfn)
{
	struct av_page *old = pfn_page(w, old_pfn), *new;
	struct anon_vma *av = av_page_get_anon_vma(w, old_pfn);
	uint64_t new_pfn, index = old->index;
	int err;

	if (!av)
		return av_fail(w, -EAGAIN, "migrate", "pfn %llu is not mapped",
			       (unsigned long long)old_pfn);
	if ((err = av_page_alloc(w, &new_pfn))) {
		av_put_anon_vma(w, av);
		return av_fail(w, err, "migrate", "no free frame to migrate to");
	}
	new = pfn_page(w, new_pfn);  /* pool chunks never move: pointers stay valid */
	av_page_lock(w, new);
	/* The pin on av keeps it (and so the tree's lock) alive while the
	 * root lock is dropped between the walks. */
	struct walk_ctl out = { old_pfn, PTE_PRESENT, true,
				to_migration_entry, &old_pfn, 0 };
	walk_pinned(w, av, index, &out);

	new->index = index;
	page_set_anon_vma(new, page_anon_vma(old));
	if (page_test(old, PG_EXCLUSIVE))
		page_set(new, PG_EXCLUSIVE);
	if (page_test(old, PG_SWAPCACHE))
		av_swap_cache_move(w, old_pfn, new_pfn);
	struct walk_ctl back = { old_pfn, PTE_MIGRATION, true, from_migration_entry, &new_pfn, 0 };
	walk_pinned(w, av, index, &back);
	av_put_anon_vma(w, av);
	av_page_unlock(new);
	av_page_put(w, new_pfn);  /* the allocation reference: mappings hold theirs */
	av_stat_inc(w, migrated);
	return 0;
}

/* ---- a page operation, from a pinned frame ---- */

int av_page_op(struct av_world *w, uint64_t pfn, enum av_walk_op op, uint64_t *done)
{
	struct av_page *pg = pfn_page(w, pfn);
	int err = 0;

	av_page_lock(w, pg);
	if (!page_test(pg, PG_USED) || !page_mapcount(pg) || !page_anon_vma(pg)) {
		av_page_unlock(pg);
		return -EAGAIN;         /* no longer a mapped anonymous page */
	}
	switch (op) {
	case AV_WALK_RECLAIM:
		err = av_try_to_unmap(w, pfn);
		*done += !err;
		break;
	case AV_WALK_AGE:
		*done += (uint64_t)av_page_referenced(w, pfn);
		break;
	case AV_WALK_MIGRATE:
		err = av_migrate_page(w, pfn);
		*done += !err;
		break;
	}
	av_page_unlock(pg);
	return err;
}
