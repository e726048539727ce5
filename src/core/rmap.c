/* SPDX-License-Identifier: MIT */
/*
 * rmap.c - reverse-map walks from an anonymous page, and their users:
 * reclaim to swap (try_to_unmap), aging (page_referenced) and migration.
 *
 * A walk locks the root of the page's anon_vma for reading, asks the
 * anon_vma's AVC set for the VMAs that may map the page (the interval tree
 * yields only VMAs whose pgoff range covers page->index; the 2.6.35 list
 * yields all of them), computes the page's address in each, and checks that
 * VMA's page table.
 */
#include <errno.h>
#include <string.h>
#include "rmap.h"
#include "../vm/vm.h"
#include "../policy/policy.h"

#define PTE_MIGRATION 0x40u /* transient: not present, pfn of the old page */

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
	uint64_t addr;
	av_pte *pte;
	int stop = 0;

	if (c->counted)
		w->st.walk.avcs_visited++;
	if (index < vma->pgoff || index >= vma->pgoff + vma_pages(vma))
		return 0;
	if (c->counted)
		w->st.walk.vmas_covering++;
	addr = vma->start + ((index - vma->pgoff) << PAGE_SHIFT);
	av_mutex_lock(&vma->mm->ptl);
	if (c->counted)
		w->st.lock.ptl++;
	pte = av_pte_lookup(vma->mm, addr);
	if (pte && pte_matches(*pte, c)) {
		c->found++;
		if (c->counted)
			w->st.walk.ptes_found++;
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
			struct anon_vma_chain *avc = av_container_of(n, struct anon_vma_chain, it);
			if (visit_vma(w, avc->vma, index, c))
				return;
		}
		return;
	}
	for (struct av_list *p = av->avc_list.next; p != &av->avc_list; p = p->next) {
		struct anon_vma_chain *avc = av_list_entry(p, struct anon_vma_chain, same_anon_vma);
		if (visit_vma(w, avc->vma, index, c))
			return;
	}
}

static long rmap_walk(struct av_world *w, const struct av_page *pg, struct walk_ctl *c)
{
	struct anon_vma *av = pg->mapping;

	if (!av)
		return 0;
	av_anon_vma_lock_read(w, av);
	if (c->counted)
		w->st.walk.walks++;
	walk_anon_vma(w, av, pg->index, c);
	av_anon_vma_unlock_read(av);
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
	bool exclusive;
};

static int unmap_one(struct av_world *w, struct av_vma *vma, uint64_t addr,
		     av_pte *pte, void *arg)
{
	struct unmap_arg *u = arg;
	struct av_page *pg = pfn_page(w, u->pfn);

	av_pte_set(vma->mm, addr, pte,
		   pte_mk(u->slot, PTE_SWAP | (u->exclusive ? PTE_SWP_EXCL : 0)));
	swap_slot(w, u->slot)->count++;
	pg->mapcount--;
	av_page_put(w, u->pfn);  /* the mapping's reference; swap cache keeps it */
	return 0;
}

int av_try_to_unmap(struct av_world *w, uint64_t pfn)
{
	struct av_page *pg = pfn_page(w, pfn);
	struct unmap_arg u = { pfn, 0, false };
	int err;

	if (!(pg->flags & PG_SWAPCACHE)) {
		err = av_swap_alloc(w, &u.slot);
		if (err)
			return av_fail(w, err, "try_to_unmap", "no free swap slot");
		av_swap_cache_add(w, pfn, u.slot);
	} else {
		u.slot = pg->swap_slot;
	}
	u.exclusive = pg->flags & PG_EXCLUSIVE;
	av_page_lock(w, pg);
	av_rmap_walk(w, pfn, true, unmap_one, &u);
	av_page_unlock(pg);
	if (pg->mapcount)
		return av_fail(w, -EAGAIN, "try_to_unmap",
			       "rmap walk missed %ld mapping(s) of pfn %llu", pg->mapcount,
			       (unsigned long long)pfn);
	/* Written out: leave the swap cache, free the frame. */
	av_swap_cache_del(w, pfn);
	w->st.reclaimed++;
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

long av_page_referenced(struct av_world *w, uint64_t pfn)
{
	long n = 0;

	av_page_lock(w, pfn_page(w, pfn));
	av_rmap_walk(w, pfn, true, referenced_one, &n);
	av_page_unlock(pfn_page(w, pfn));
	w->st.referenced += (uint64_t)n;
	return n;
}

/* ---- migration: two walks, the anon_vma pinned in between ---- */

static int to_migration_entry(struct av_world *w, struct av_vma *vma, uint64_t addr,
			      av_pte *pte, void *arg)
{
	uint64_t pfn = *(uint64_t *)arg;
	struct av_page *pg = pfn_page(w, pfn);
	av_pte bits = *pte & (PTE_WRITE | PTE_YOUNG | PTE_DIRTY);

	av_pte_set(vma->mm, addr, pte, pte_mk(pfn, PTE_MIGRATION | bits));
	pg->mapcount--;
	av_page_put(w, pfn);
	return 0;
}

static int from_migration_entry(struct av_world *w, struct av_vma *vma, uint64_t addr,
				av_pte *pte, void *arg)
{
	uint64_t pfn = *(uint64_t *)arg;
	struct av_page *pg = pfn_page(w, pfn);
	av_pte bits = *pte & (PTE_WRITE | PTE_YOUNG | PTE_DIRTY);

	av_pte_set(vma->mm, addr, pte, pte_mk(pfn, PTE_PRESENT | bits));
	pg->mapcount++;
	pg->refcount++;
	return 0;
}

int av_migrate_page(struct av_world *w, uint64_t old_pfn)
{
	struct av_page *old = pfn_page(w, old_pfn), *new;
	struct anon_vma *av = old->mapping;
	uint64_t new_pfn;
	int err = av_page_alloc(w, &new_pfn);

	if (err)
		return av_fail(w, err, "migrate", "no free frame to migrate to");
	new = pfn_page(w, new_pfn);  /* pool chunks never move: pointers stay valid */
	old->refcount++;             /* isolated: survives losing its mappings */
	av_page_lock(w, old);
	/* Pin: between the walks the root lock is dropped, and the anon_vma
	 * must outlive the migration entries that stand for its page. */
	av_get_anon_vma(av);
	struct walk_ctl out = { old_pfn, PTE_PRESENT, true, to_migration_entry, &old_pfn, 0 };
	rmap_walk(w, old, &out);

	new->mapping = old->mapping;
	new->index = old->index;
	new->flags |= old->flags & PG_EXCLUSIVE;
	if (old->flags & PG_SWAPCACHE)
		av_swap_cache_move(w, old_pfn, new_pfn);
	struct walk_ctl back = { old_pfn, PTE_MIGRATION, true, from_migration_entry, &new_pfn, 0 };
	rmap_walk(w, new, &back);
	av_put_anon_vma(w, av);
	av_page_unlock(old);
	av_page_put(w, old_pfn);  /* the isolation reference: frees it */
	av_page_put(w, new_pfn);  /* the allocation reference: mappings hold theirs */
	if (out.found != back.found)
		return av_fail(w, -EAGAIN, "migrate", "restored %ld of %ld mappings",
			       back.found, out.found);
	w->st.migrated++;
	return 0;
}
