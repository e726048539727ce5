/* SPDX-License-Identifier: MIT */
/*
 * fault.c - page faults on private anonymous memory.
 *
 *   none  + read   zero page (when the world has one), else as a write
 *   none  + write  anon_vma_prepare, new exclusive page in vma->anon_vma
 *   swap  + any    swap-in (policy decides exclusivity), then as present
 *   present, write to a read-only PTE:
 *         zero page              copy (new page)
 *         exclusive anon page    reuse in place
 *         shared anon page       reuse and move to vma->anon_vma if the
 *                                policy allows, else copy
 * A read of a present page, or a write to a writable one, takes no fault:
 * the hardware just sets the accessed (and dirty) bit.
 */
#include <errno.h>
#include "vm.h"
#include "../core/rmap.h"
#include "../policy/policy.h"

static bool exclusive_allowed(const struct av_world *w)
{
	return w->policy->anon_exclusive;
}

/* folio_add_new_anon_rmap: a page that only this PTE maps. */
static void page_add_new_anon_rmap(struct av_world *w, uint64_t pfn, struct av_vma *vma,
				   uint64_t addr)
{
	struct av_page *pg = pfn_page(w, pfn);

	pg->mapping = vma->anon_vma;
	pg->index = vma_linear_index(vma, addr);
	pg->mapcount = 1;
	if (exclusive_allowed(w))
		pg->flags |= PG_EXCLUSIVE;
}

static av_pte new_pte(const struct av_vma *vma, uint64_t pfn)
{
	av_pte bits = PTE_PRESENT | PTE_YOUNG;

	if (vma->flags & VM_WRITE)
		bits |= PTE_WRITE | PTE_DIRTY;
	return pte_mk(pfn, (unsigned)bits);
}

/* A fresh page for vma at addr: prepares the anon_vma first. */
static int new_anon_page(struct av_world *w, struct av_vma *vma, uint64_t addr,
			 uint64_t *pfn)
{
	int err = av_anon_vma_prepare(w, vma);

	if (err)
		return err;
	if ((err = av_page_alloc(w, pfn)))
		return av_fail(w, err, "fault", "out of page frames");
	page_add_new_anon_rmap(w, *pfn, vma, addr);
	w->st.fault.new_pages++;
	return 0;
}

static int do_anonymous_page(struct av_world *w, struct av_vma *vma, uint64_t addr,
			     av_pte *pte, bool write)
{
	uint64_t pfn;
	int err;

	if (!write && w->zero_page) {
		av_pte_set(vma->mm, addr, pte, pte_mk(ZERO_PFN, PTE_PRESENT | PTE_YOUNG));
		w->st.fault.zero_maps++;
		return 0;
	}
	if ((err = new_anon_page(w, vma, addr, &pfn)))
		return err;
	av_pte_set(vma->mm, addr, pte, new_pte(vma, pfn));
	return 0;
}

static int wp_page_copy(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte)
{
	uint64_t old = pte_val(*pte), pfn;
	int err = new_anon_page(w, vma, addr, &pfn);

	if (err)
		return err;
	av_pte_set(vma->mm, addr, pte, new_pte(vma, pfn));
	if (old != ZERO_PFN) {
		av_page_unmap_one(w, old);
		w->st.fault.cow_copies++;
	}
	return 0;
}

static int do_wp_page(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte)
{
	uint64_t pfn = pte_val(*pte);
	struct av_page *pg;

	if (pfn == ZERO_PFN)
		return wp_page_copy(w, vma, addr, pte);
	pg = pfn_page(w, pfn);
	if (!(exclusive_allowed(w) && (pg->flags & PG_EXCLUSIVE))) {
		if (!w->policy->wp_can_reuse(w, pfn))
			return wp_page_copy(w, vma, addr, pte);
		/* Ours alone now: move it where our new pages go, so later
		 * walks search only our anon_vma. */
		av_page_lock(w, pg);
		pg->mapping = vma->anon_vma;
		if (exclusive_allowed(w))
			pg->flags |= PG_EXCLUSIVE;
		av_page_unlock(pg);
		w->st.fault.cow_reuses++;
	}
	*pte |= PTE_WRITE | PTE_DIRTY | PTE_YOUNG;
	return 0;
}

static int do_swap_page(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte,
			bool write)
{
	uint64_t slot = pte_val(*pte), pfn;
	bool pte_excl = *pte & PTE_SWP_EXCL, excl;
	struct av_page *pg;
	av_pte bits = PTE_PRESENT | PTE_YOUNG;
	int err;

	pfn = swap_slot(w, slot)->cache_pfn;
	if (!pfn) {
		/* Read it in: a fresh page, held by the swap cache. */
		if ((err = av_page_alloc(w, &pfn)))
			return av_fail(w, err, "fault", "out of page frames for swap-in");
		av_swap_cache_add(w, pfn, slot);
		av_page_put(w, pfn);
	}
	pg = pfn_page(w, pfn);
	pg->refcount++;                   /* ours, for the PTE */
	swap_slot(w, slot)->count--;      /* swap_free; the cache keeps the slot */
	excl = w->policy->swapin_exclusive(w, pfn, slot, pte_excl, write);
	if (!pg->mapping) {
		/* Not exclusive: the oldest anon_vma, which every VMA that may
		 * hold this swap entry is linked to. */
		pg->mapping = excl && !w->policy->swapin_always_root ? vma->anon_vma
								      : vma->anon_vma->root;
		pg->index = vma_linear_index(vma, addr);
	}
	pg->mapcount++;
	if (excl && exclusive_allowed(w))
		pg->flags |= PG_EXCLUSIVE;
	if (excl && (vma->flags & VM_WRITE))
		bits |= PTE_WRITE | (write ? PTE_DIRTY : 0);
	av_pte_set(vma->mm, addr, pte, pte_mk(pfn, (unsigned)bits));
	w->st.fault.swapins++;
	if (write && !(bits & PTE_WRITE))
		return do_wp_page(w, vma, addr, pte);
	return 0;
}

int av_handle_fault(struct av_world *w, struct av_mm *mm, uint64_t addr, bool write)
{
	struct av_vma *vma = av_vma_find(mm, addr);
	av_pte *pte;
	int err;

	if (!vma || !(vma->flags & (write ? VM_WRITE : VM_READ))) {
		w->st.fault.segv++;
		return av_fail(w, -EFAULT, write ? "write" : "read",
			       "%s access to %#llx: SIGSEGV", vma ? "forbidden" : "unmapped",
			       (unsigned long long)addr);
	}
	if ((err = av_pte_alloc(w, mm, addr, &pte)))
		return av_fail(w, err, "fault", "cannot allocate a page table");
	/* Faults that will make a page need the anon_vma first: it takes the
	 * root lock, which nests outside the page-table lock. */
	if ((!*pte && (write || !w->zero_page)) ||
	    (write && pte_present(*pte) && pte_val(*pte) == ZERO_PFN)) {
		if ((err = av_anon_vma_prepare(w, vma)))
			return err;
	}
	if (pte_present(*pte) && (!write || (*pte & PTE_WRITE))) {
		*pte |= PTE_YOUNG | (write ? PTE_DIRTY : 0);
		return 0;
	}
	if (write)
		w->st.fault.write++;
	else
		w->st.fault.read++;
	av_mutex_lock(&mm->ptl);
	w->st.lock.ptl++;
	if (!*pte)
		err = do_anonymous_page(w, vma, addr, pte, write);
	else if (pte_is_swap(*pte))
		err = do_swap_page(w, vma, addr, pte, write);
	else
		err = do_wp_page(w, vma, addr, pte);
	av_mutex_unlock(&mm->ptl);
	return err;
}
