/* SPDX-License-Identifier: MIT */
/*
 * fault.c - page faults.
 *
 * Anonymous private memory:
 *   none  + read   zero page (when the world has one), else as a write
 *   none  + write  anon_vma_prepare, new exclusive page in vma->anon_vma
 *   swap  + any    swap-in (policy decides exclusivity), then as present
 *   migration      wait until the migration is over, then again
 *   present, write to a read-only PTE:
 *         zero page              copy (new page)
 *         exclusive anon page    reuse in place
 *         shared anon page       reuse and move to vma->anon_vma (if the
 *                                VMA has one) if the policy allows, else copy
 * Memory of a file (or shared anonymous memory, a shmem file):
 *   none  + read   fault-around: map the pages of the window around the
 *                  address that are in the page cache (do_fault_around),
 *                  then, if the page itself was not, read it into the
 *                  cache and map it (do_read_fault)
 *   none  + write  shared: the cache's page, writable (do_shared_fault);
 *                  private: anon_vma_prepare, then a new anonymous page
 *                  copied from the cache's, which is read in if need be
 *                  but not mapped (do_cow_fault)
 *   present file page, write: shared: made writable; private: copied
 *   at or past the end of the file: SIGBUS (-EFAULT), after a read fault
 *   mapped around and a private write fault prepared its anon_vma, as in
 *   Linux
 * A new page or a copy needs vma->anon_vma: the fault prepares it first.
 * A read of a present page, or a write to a writable one, takes no fault:
 * the hardware just sets the accessed (and dirty) bit.
 *
 * Locking (2026-11-26): mmap_lock for reading (several threads of a process
 * fault at once), then the page-table lock for the PTE.  anon_vma_prepare
 * takes the root lock, which nests outside the page-table lock, so a fault
 * that needs an anon_vma drops the PTL, prepares, and starts again; swap-in
 * locks the page, which also nests outside, the same way.
 */
#include <errno.h>
#include "vm.h"
#include "rmap.h"
#include "policy.h"

#define FAULT_RETRY   1    /* the PTE changed meanwhile: look again */
#define FAULT_PREPARE 2    /* a copy needs vma->anon_vma: prepare, look again */

static bool exclusive_allowed(const struct av_world *w)
{
	return w->policy->anon_exclusive;
}

/* folio_add_new_anon_rmap: a page that only this PTE maps. */
static void page_add_new_anon_rmap(struct av_world *w, uint64_t pfn, struct av_vma *vma,
				   uint64_t addr)
{
	struct av_page *pg = pfn_page(w, pfn);

	pg->index = vma_linear_index(vma, addr);
	page_set_anon_vma(pg, av_vma_anon_vma(vma));
	av_store(&pg->mapcount, 1);
	if (exclusive_allowed(w))
		page_set(pg, PG_EXCLUSIVE);
}

static av_pte new_pte(const struct av_vma *vma, uint64_t pfn)
{
	av_pte bits = PTE_PRESENT | PTE_YOUNG;

	if (vma->flags & VM_WRITE)
		bits |= PTE_WRITE | PTE_DIRTY;
	return pte_mk(pfn, (unsigned)bits);
}

/* A fresh page for vma at addr (vma has its anon_vma: see handle_fault). */
static int new_anon_page(struct av_world *w, struct av_vma *vma, uint64_t addr,
			 uint64_t *pfn)
{
	int err;

	if ((err = av_page_alloc(w, pfn)))
		return av_fail(w, err, "fault", "out of page frames");
	page_add_new_anon_rmap(w, *pfn, vma, addr);
	av_stat_inc(w, fault.new_pages);
	return 0;
}

static int do_anonymous_page(struct av_world *w, struct av_vma *vma, uint64_t addr,
			     av_pte *pte, bool write)
{
	uint64_t pfn;
	int err;

	if (!write && w->zero_page) {
		av_pte_set(vma->mm, addr, pte, pte_mk(ZERO_PFN, PTE_PRESENT | PTE_YOUNG));
		av_stat_inc(w, fault.zero_maps);
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
		av_stat_inc(w, fault.cow_copies);
	}
	return 0;
}

static int do_wp_page(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte)
{
	uint64_t pfn = pte_val(*pte);
	struct av_page *pg;

	if (pfn == ZERO_PFN)
		return av_vma_anon_vma(vma) ? wp_page_copy(w, vma, addr, pte) : FAULT_PREPARE;
	pg = pfn_page(w, pfn);
	if (page_is_file(pg)) {
		if (vma->flags & VM_SHARED) {   /* wp_page_shared */
			*pte |= PTE_WRITE | PTE_DIRTY | PTE_YOUNG;
			return 0;
		}
		/* A private mapping never writes the file: always a copy. */
		return av_vma_anon_vma(vma) ? wp_page_copy(w, vma, addr, pte) : FAULT_PREPARE;
	}
	if (!(exclusive_allowed(w) && page_test(pg, PG_EXCLUSIVE))) {
		if (!w->policy->wp_can_reuse(w, pfn))
			return av_vma_anon_vma(vma) ? wp_page_copy(w, vma, addr, pte)
						    : FAULT_PREPARE;
		/* Ours alone now (the policy holds the page lock across the
		 * decision and the move): move it where our new pages go, so
		 * later walks search only our anon_vma.  A VMA without one yet
		 * (lazy) leaves the page in its chain's anon_vma. */
		if (av_vma_anon_vma(vma))
			page_set_anon_vma(pg, av_vma_anon_vma(vma));
		if (exclusive_allowed(w))
			page_set(pg, PG_EXCLUSIVE);
		av_page_unlock(pg);
		av_stat_inc(w, fault.cow_reuses);
		av_touch_page(w, pfn);
	}
	*pte |= PTE_WRITE | PTE_DIRTY | PTE_YOUNG;
	return 0;
}

/* Swap-in.  The page is found (or read in) under swap_lock and pinned; its
 * lock is taken with the PTL dropped; then the PTE must be unchanged. */
static int do_swap_page(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte,
			bool write)
{
	struct av_mm *mm = vma->mm;
	av_pte orig = *pte, bits = PTE_PRESENT | PTE_YOUNG;
	uint64_t slot = pte_val(orig), pfn;
	struct av_page *pg;
	bool excl;
	int err;

	av_mutex_lock(&w->swap_lock);
	pfn = swap_slot(w, slot)->cache_pfn;
	if (!pfn) {
		/* Read it in: a fresh page, held by the swap cache. */
		if ((err = av_page_alloc(w, &pfn))) {
			av_mutex_unlock(&w->swap_lock);
			return av_fail(w, err, "fault", "out of page frames for swap-in");
		}
		av_swap_cache_add_locked(w, pfn, slot);
	} else {
		page_ref_inc(pfn_page(w, pfn));
	}
	av_mutex_unlock(&w->swap_lock);
	pg = pfn_page(w, pfn);          /* pinned: our reference */

	av_mutex_unlock(&mm->ptl);
	av_page_lock(w, pg);
	av_mutex_lock(&mm->ptl);
	av_stat_inc(w, lock.ptl);
	if (*pte != orig) {
		av_page_unlock(pg);
		av_page_put(w, pfn);
		return FAULT_RETRY;     /* someone else got there first */
	}

	av_mutex_lock(&w->swap_lock);
	if (!page_test(pg, PG_SWAPCACHE) || pg->swap_slot != slot) {
		/* Reclaimed and dropped from the cache while we waited. */
		av_mutex_unlock(&w->swap_lock);
		av_page_unlock(pg);
		av_page_put(w, pfn);
		return FAULT_RETRY;
	}
	swap_slot(w, slot)->count--;    /* swap_free: the cache keeps the slot */
	excl = w->policy->swapin_exclusive(w, pfn, slot, orig & PTE_SWP_EXCL, write);
	if (!page_anon_vma(pg)) {
		/* Not exclusive: the root, which every VMA that may hold this
		 * swap entry is linked to.  Exclusive: our own anon_vma, or
		 * (lazy, none yet) the newest we are linked to. */
		struct anon_vma *own = av_vma_anon_vma(vma), *newest = av_vma_chain_newest(vma);
		pg->index = vma_linear_index(vma, addr);
		page_set_anon_vma(pg, excl && !w->policy->swapin_always_root ?
				      (own ? own : newest) : newest->root);
	}
	page_mapcount_inc(pg);          /* our pin becomes the PTE's reference */
	if (excl && exclusive_allowed(w))
		page_set(pg, PG_EXCLUSIVE);
	av_mutex_unlock(&w->swap_lock);
	av_page_unlock(pg);
	if (excl && (vma->flags & VM_WRITE))
		bits |= PTE_WRITE | (write ? PTE_DIRTY : 0);
	av_pte_set(mm, addr, pte, pte_mk(pfn, (unsigned)bits));
	av_stat_inc(w, fault.swapins);
	if (write && !(bits & PTE_WRITE))
		return do_wp_page(w, vma, addr, pte);
	return 0;
}

/* Whoever makes a migration entry for a page holds the page's lock from
 * before it until after the entry is restored, and changes PTEs under the
 * PTL: so an entry seen under the PTL while its page is unlocked is one a
 * walk missed - however often the frame was reused meanwhile. */
int av_migration_wait(struct av_world *w, struct av_mm *mm, uint64_t addr, av_pte seen)
{
	struct av_page *pg = pfn_page(w, pte_val(seen));

	for (;;) {
		bool same, locked;
		av_pte *pte;

		av_mutex_lock(&mm->ptl);
		pte = av_pte_lookup(mm, addr);
		same = pte && *pte == seen;
		locked = same && page_test(pg, PG_LOCKED);
		av_mutex_unlock(&mm->ptl);
		if (!same)
			return 0;
		if (!locked)
			return av_fail(w, -EUCLEAN, "fault",
				       "pid %d %#llx: migration entry left behind: an rmap walk "
				       "missed this PTE", mm->pid, (unsigned long long)addr);
		av_cpu_relax();
	}
}

/* ---- memory of a file ---- */

static uint64_t file_pages(const struct av_file *f)
{
	return (f->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

static av_pte file_pte(const struct av_vma *vma, uint64_t pfn, bool write)
{
	unsigned bits = PTE_PRESENT | PTE_YOUNG;

	/* A shared writable mapping maps its pages writable at once (no
	 * dirty tracking modelled); a private one never maps them so. */
	if ((vma->flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE))
		bits |= PTE_WRITE | (write ? PTE_DIRTY : 0);
	return pte_mk(pfn, bits);
}

static void map_file_page(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte,
			  uint64_t pfn, bool write)
{
	struct av_page *pg = pfn_page(w, pfn);

	page_mapcount_inc(pg);
	page_ref_inc(pg);
	av_pte_set(vma->mm, addr, pte, file_pte(vma, pfn, write));
}

/* do_fault_around: the window of fault_around_pages PTEs aligned around
 * addr, moved up to start no lower than the VMA, cut at the VMA's end, the
 * page table's end and the file's end; every page of it in the cache whose
 * PTE is none gets mapped (filemap_map_pages).  The page table is addr's
 * (the window never leaves it). */
static void fault_around(struct av_world *w, struct av_vma *vma, uint64_t addr)
{
	uint64_t nr = w->fault_around_pages, table = addr & ~(PT_ENTRIES * PAGE_SIZE - 1);
	uint64_t pte_off = (addr - table) >> PAGE_SHIFT, vma_off = (addr - vma->start) >> PAGE_SHIFT;
	uint64_t from = pte_off & ~(nr - 1), to, eof = file_pages(vma->file);

	if (nr <= 1)
		return;
	if (pte_off - (vma_off < pte_off ? vma_off : pte_off) > from)
		from = pte_off - (vma_off < pte_off ? vma_off : pte_off);
	to = from + nr;
	if (to > PT_ENTRIES)
		to = PT_ENTRIES;
	if (to > pte_off + vma_pages(vma) - vma_off)
		to = pte_off + vma_pages(vma) - vma_off;
	av_mutex_lock(&vma->file->lock);
	for (uint64_t i = from; i < to; i++) {
		uint64_t a = table + (i << PAGE_SHIFT), index = vma_linear_index(vma, a), pfn;
		av_pte *pte = av_pte_lookup(vma->mm, a);

		if (!pte || *pte || index >= eof || !(pfn = av_file_cached(vma->file, index)))
			continue;
		map_file_page(w, vma, a, pte, pfn, false);
	}
	av_mutex_unlock(&vma->file->lock);
}

static int do_file_fault(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte,
			 bool write)
{
	uint64_t index = vma_linear_index(vma, addr), pfn, copy;
	int err;

	/* do_read_fault maps around first: a fault past the end of the file
	 * still maps the cached pages before it. */
	if (!write) {
		fault_around(w, vma, addr);
		if (*pte)
			return 0;
	}
	if (index >= file_pages(vma->file)) {
		av_stat_inc(w, fault.segv);
		return av_fail(w, -EFAULT, write ? "write" : "read",
			       "%#llx is past the end of its file: SIGBUS", (unsigned long long)addr);
	}
	if ((err = av_file_page(w, vma->file, index, &pfn)))
		return err;
	if (!write || (vma->flags & VM_SHARED)) {
		map_file_page(w, vma, addr, pte, pfn, write);
		return 0;
	}
	/* do_cow_fault: a copy, in the VMA's anon_vma (prepared before). */
	if ((err = new_anon_page(w, vma, addr, &copy)))
		return err;
	av_pte_set(vma->mm, addr, pte, new_pte(vma, copy));
	return 0;
}

/* Does this access need vma->anon_vma before it can be handled?  A new
 * anonymous page does, and a private write to a file; a write to a present
 * page may (do_wp_page says). */
static bool needs_anon_vma(const struct av_world *w, const struct av_vma *vma, av_pte pte,
			   bool write)
{
	if (pte)
		return false;
	if (vma->flags & VM_SHARED)
		return false;
	if (vma->file)
		return write;
	return write || !w->zero_page;
}

static int fault_locked(struct av_world *w, struct av_vma *vma, uint64_t addr, av_pte *pte,
			bool write)
{
	if (!*pte)
		return vma->file ? do_file_fault(w, vma, addr, pte, write)
				 : do_anonymous_page(w, vma, addr, pte, write);
	if (pte_is_swap(*pte))
		return do_swap_page(w, vma, addr, pte, write);
	return do_wp_page(w, vma, addr, pte);
}

/* The stack that addr is below, if it grows down. */
static struct av_vma *stack_above(const struct av_mm *mm, uint64_t addr)
{
	struct av_vma *v = av_vma_first_after(mm, addr);

	return v && v->start > addr && (v->flags & VM_GROWSDOWN) ? v : NULL;
}

int av_expand_stack(struct av_world *w, struct av_mm *mm, uint64_t addr)
{
	struct av_vma *v = stack_above(mm, addr), *prev;
	uint64_t start = addr & ~(PAGE_SIZE - 1);
	int err;

	if (!v) {
		av_stat_inc(w, fault.segv);
		return av_fail(w, -EFAULT, "fault", "%#llx is mapped by nothing: SIGSEGV",
			       (unsigned long long)addr);
	}
	prev = av_vma_prev(v);
	/* The guard gap: only an accessible mapping below, not another
	 * stack, keeps the stack away. */
	if (prev && !(prev->flags & VM_GROWSDOWN) && (prev->flags & VM_ACCESS_FLAGS) &&
	    start - prev->end < STACK_GUARD_GAP)
		return av_stat_inc(w, fault.segv), av_fail(w, -EFAULT, "fault", "%#llx: the stack would come within the guard "
			       "gap of the mapping at %#llx: SIGSEGV", (unsigned long long)addr,
			       (unsigned long long)prev->start);
	if ((err = av_anon_vma_prepare(w, v)))
		return err;
	av_vma_set_range(w, v, start, v->end, v->pgoff - ((v->start - start) >> PAGE_SHIFT));
	return 0;
}

int av_handle_fault(struct av_world *w, struct av_mm *mm, uint64_t addr, bool write)
{
	struct av_vma *vma = av_vma_find(mm, addr);
	av_pte *pte, seen;
	int err;

	if (!vma && stack_above(mm, addr))
		return AV_FAULT_EXPAND;
	if (!vma || !(vma->flags & (write ? VM_WRITE : VM_READ))) {
		av_stat_inc(w, fault.segv);
		return av_fail(w, -EFAULT, write ? "write" : "read",
			       "%s access to %#llx: SIGSEGV", vma ? "forbidden" : "unmapped",
			       (unsigned long long)addr);
	}
	for (bool counted = false;;) {
		av_mutex_lock(&mm->ptl);
		av_stat_inc(w, lock.ptl);
		if ((err = av_pte_alloc(w, mm, addr, &pte))) {
			av_mutex_unlock(&mm->ptl);
			return av_fail(w, err, "fault", "cannot allocate a page table");
		}
		seen = *pte;
		if (seen & PTE_MIGRATION) {
			av_mutex_unlock(&mm->ptl);
			if ((err = av_migration_wait(w, mm, addr, seen)))
				return err;
			continue;
		}
		if (needs_anon_vma(w, vma, seen, write) && !av_vma_anon_vma(vma)) {
			av_mutex_unlock(&mm->ptl);
			if ((err = av_anon_vma_prepare(w, vma)))
				return err;
			continue;
		}
		if (pte_present(seen) && (!write || (seen & PTE_WRITE))) {
			*pte |= PTE_YOUNG | (write ? PTE_DIRTY : 0);
			err = 0;
		} else {
			/* Once, however often it is looked at again. */
			if (!counted && write)
				av_stat_inc(w, fault.write);
			else if (!counted)
				av_stat_inc(w, fault.read);
			counted = true;
			err = fault_locked(w, vma, addr, pte, write);
		}
		av_mutex_unlock(&mm->ptl);
		if (err == FAULT_PREPARE) {
			if ((err = av_anon_vma_prepare(w, vma)))
				return err;
			continue;
		}
		if (err != FAULT_RETRY)
			return err;
	}
}
