/* SPDX-License-Identifier: MIT */
/*
 * mapops.c - changes to an address space: mmap, munmap, mprotect, mremap,
 * madvise, brk, and the pieces they share (zap, split, remove).
 *
 * Each do_* function runs with the mm's mmap_lock held for writing (api.c)
 * and either succeeds or returns an errno leaving a consistent world.  A
 * failure part-way through a multi-VMA operation leaves the VMAs done so far
 * changed, as Linux does (mprotect, munmap after a split).
 */
#include <errno.h>
#include "vm.h"
#include "rmap.h"
#include "policy.h"

/* ---- zap: drop PTEs of a range ---- */

static int zap_one(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg)
{
	struct av_world *w = arg;
	av_pte old = *pte;

	av_pte_set(mm, addr, pte, 0);
	if (pte_is_swap(old))
		av_swap_entry_put(w, pte_val(old));
	else if (old & PTE_MIGRATION)
		;   /* the page's reference went when the entry was made */
	else if (pte_val(old) != ZERO_PFN)
		av_page_unmap_one(w, pte_val(old));
	return 0;
}

void av_zap_range(struct av_world *w, struct av_vma *v, uint64_t start, uint64_t end)
{
	av_mutex_lock(&v->mm->ptl);
	av_stat_inc(w, lock.ptl);
	av_pte_range(v->mm, start, end, zap_one, w);
	av_mutex_unlock(&v->mm->ptl);
}

/* Page tables are looked up by walkers under the PTL. */
static void free_empty_tables(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end)
{
	av_mutex_lock(&mm->ptl);
	av_pt_free_empty(w, mm, start, end);
	av_mutex_unlock(&mm->ptl);
}

/* ---- split ---- */

int av_split_vma(struct av_world *w, struct av_vma *v, uint64_t addr, bool new_below,
		 struct av_vma **out_new)
{
	struct av_vma *n = av_vma_dup(w, v);
	uint64_t off = (addr - v->start) >> PAGE_SHIFT;
	int err;

	if (!n)
		return av_fail(w, -ENOMEM, "split_vma", "cannot allocate a VMA");
	if (new_below)
		n->end = addr;
	else {
		n->start = addr;
		n->pgoff += off;
	}
	err = av_anon_vma_clone(w, n, v);
	if (err) {
		av_vma_free(w, n);
		return err;
	}
	if (new_below)
		av_vma_set_range(w, v, addr, v->end, v->pgoff + off);
	else
		av_vma_set_range(w, v, v->start, addr, v->pgoff);
	av_vma_insert(v->mm, n);
	*out_new = n;
	return 0;
}

/* ---- munmap ---- */

int av_do_munmap(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end)
{
	struct av_vma *v = av_vma_first_after(mm, start), *last, *part, *next;
	int err;

	if (!v || v->start >= end)
		return 0;
	/* The surviving outer parts become new VMAs; v and last go. */
	if (v->start < start && (err = av_split_vma(w, v, start, true, &part)))
		return err;
	last = av_vma_find(mm, end - 1);
	if (last && last->end > end && (err = av_split_vma(w, last, end, false, &part)))
		return err;
	for (v = av_vma_first_after(mm, start); v && v->start < end; v = av_vma_next(v))
		av_zap_range(w, v, v->start, v->end);
	for (v = av_vma_first_after(mm, start); v && v->start < end; v = av_vma_next(v))
		av_unlink_anon_vmas(w, v);
	for (v = av_vma_first_after(mm, start); v && v->start < end; v = next) {
		next = av_vma_next(v);
		av_vma_erase(mm, v);
		av_vma_free(w, v);
	}
	free_empty_tables(w, mm, start, end);
	return 0;
}

/* ---- mmap ---- */

/* The vm_flags of a new mapping (brk's too: VM_DATA_DEFAULT_FLAGS are
 * those of private read-write memory). */
static unsigned mmap_vm_flags(int prot, int map_flags)
{
	unsigned flags = prot_to_vm_flags(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (map_flags & AV_MAP_SHARED)
		flags |= VM_SHARED;
	if (map_flags & AV_MAP_NORESERVE)
		flags |= VM_NORESERVE;  /* the model assumes overcommit mode 0 or 1 */
	if (map_flags & AV_MAP_STACK)
		flags |= VM_NOHUGEPAGE;
	if (map_flags & AV_MAP_GROWSDOWN)
		flags |= VM_GROWSDOWN;
	/* accountable_mapping: private writable memory is committed. */
	if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE)
		flags |= VM_ACCOUNT;
	return flags;
}

int av_do_mmap(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end, int prot,
	       int map_flags, struct av_file *file, uint64_t pgoff)
{
	struct av_vma *v = av_vma_first_after(mm, start);
	unsigned flags = mmap_vm_flags(prot, map_flags);
	int err;

	if (v && v->start < end)
		return av_fail(w, -EEXIST, "mmap", "[%#llx, %#llx) overlaps a mapping at %#llx",
			       (unsigned long long)start, (unsigned long long)end,
			       (unsigned long long)v->start);
	if ((map_flags & AV_MAP_SHARED) && !file) {
		/* shmem_zero_setup: an object of its own, from offset 0, so
		 * it merges with nothing it did not come from. */
		if ((err = av_file_new(w, end - start, true, &file)))
			return err;
		v = av_vma_new(w, mm, start, end, 0, flags, file);
		av_file_put(w, file);
		if (!v)
			return av_fail(w, -ENOMEM, "mmap", "cannot allocate a VMA");
		av_vma_insert(mm, v);
		return 0;
	}
	if (!file)
		pgoff = start >> PAGE_SHIFT;
	err = av_vma_merge_new_range(w, mm, start, end, flags, file, pgoff, NULL, NULL, &v);
	if (err || v)
		return err;
	v = av_vma_new(w, mm, start, end, pgoff, flags, file);
	if (!v)
		return av_fail(w, -ENOMEM, "mmap", "cannot allocate a VMA");
	av_vma_insert(mm, v);
	return 0;
}

/* ---- mprotect ---- */

struct prot_arg {
	struct av_world *w;
	bool writable;
};

/* change_protection: drop write permission, or grant it at once where the
 * write fault would (an exclusive anonymous page). */
static int protect_one(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg)
{
	struct prot_arg *p = arg;
	av_pte v = *pte;

	(void)mm;
	(void)addr;
	if (!pte_present(v) || pte_val(v) == ZERO_PFN)
		return 0;
	if (!p->writable)
		*pte = v & ~(av_pte)PTE_WRITE;
	else if (p->w->policy->anon_exclusive &&
		 page_test(pfn_page(p->w, pte_val(v)), PG_EXCLUSIVE))
		*pte = v | PTE_WRITE;
	return 0;
}

static unsigned mprotect_newflags(const struct av_world *w, const struct av_vma *v, int prot)
{
	unsigned nf = (v->flags & ~VM_ACCESS_FLAGS) | prot_to_vm_flags(prot);

	/* mprotect_fixup leaves a VMA whose protection does not change
	 * alone, before it looks at the accounting: a read-only VMA that
	 * kept VM_ACCOUNT (its anon_vma wiped at fork) keeps it. */
	if (nf == v->flags)
		return nf;
	if (nf & VM_WRITE) {
		if (!(v->flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE)))
			nf |= VM_ACCOUNT;
	} else if (w->policy->mprotect_drops_account && (v->flags & VM_ACCOUNT) &&
		   vma_is_anonymous(v) && !av_vma_has_chain(v)) {
		nf &= ~VM_ACCOUNT;
	}
	return nf;
}

int av_do_mprotect(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end, int prot)
{
	struct av_vma *v = av_vma_first_after(mm, start);
	uint64_t tmp;

	if (!v || v->start > start)
		return av_fail(w, -ENOMEM, "mprotect", "%#llx is not mapped",
			       (unsigned long long)start);
	for (tmp = start; tmp < end;) {
		unsigned nf;
		struct av_vma *out = v;
		uint64_t to;

		if (!v || v->start > tmp)
			return av_fail(w, -ENOMEM, "mprotect", "hole at %#llx",
				       (unsigned long long)tmp);
		nf = mprotect_newflags(w, v, prot);
		to = v->end < end ? v->end : end;
		if (nf != v->flags) {
			struct prot_arg pa = { w, (nf & VM_WRITE) != 0 };
			int err = av_vma_modify_flags(w, v, tmp, to, nf, &out);
			if (err)
				return err;
			av_mutex_lock(&mm->ptl);
			av_pte_range(mm, tmp, to, protect_one, &pa);
			av_mutex_unlock(&mm->ptl);
		}
		tmp = out->end;
		v = av_vma_next(out);
	}
	return 0;
}

/* ---- MADV_DONTNEED ---- */

int av_do_dontneed(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end)
{
	uint64_t covered = 0;

	for (struct av_vma *v = av_vma_first_after(mm, start); v && v->start < end;
	     v = av_vma_next(v)) {
		uint64_t s = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		av_zap_range(w, v, s, e);
		covered += e - s;
	}
	if (covered != end - start)
		return av_fail(w, -ENOMEM, "madvise", "part of [%#llx, %#llx) is not mapped",
			       (unsigned long long)start, (unsigned long long)end);
	return 0;
}

/* ---- madvise: fork advice ---- */

static unsigned advised_flags(unsigned flags, int advice)
{
	switch (advice) {
	case AV_MADV_DONTFORK:   return flags | VM_DONTCOPY;
	case AV_MADV_DOFORK:     return flags & ~VM_DONTCOPY;
	case AV_MADV_WIPEONFORK: return flags | VM_WIPEONFORK;
	default:                 return flags & ~VM_WIPEONFORK;   /* KEEPONFORK */
	}
}

/* madvise_walk_vmas: the advice goes to every VMA in the range, each cut
 * to it or merged with its neighbours as its flags change; a hole is
 * -ENOMEM, reported once the rest is done. */
int av_do_madvise_flags(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end,
			int advice)
{
	struct av_vma *v = av_vma_first_after(mm, start);
	uint64_t tmp = start;
	int unmapped = 0;

	while (tmp < end) {
		struct av_vma *out;
		uint64_t to;
		unsigned nf;
		int err;

		if (!v)
			return av_fail(w, -ENOMEM, "madvise", "nothing mapped from %#llx",
				       (unsigned long long)tmp);
		if (v->start > tmp) {
			unmapped = 1;
			if ((tmp = v->start) >= end)
				break;
		}
		to = v->end < end ? v->end : end;
		if (advice == AV_MADV_WIPEONFORK && (v->file || (v->flags & VM_SHARED)))
			return av_fail(w, -EINVAL, "madvise", "wipeonfork on a file or shared "
				       "mapping at %#llx", (unsigned long long)v->start);
		nf = advised_flags(v->flags, advice);
		out = v;
		if (nf != v->flags && (err = av_vma_modify_flags(w, v, tmp, to, nf, &out)))
			return err;
		tmp = out->end;
		v = av_vma_next(out);
	}
	if (unmapped)
		return av_fail(w, -ENOMEM, "madvise", "part of [%#llx, %#llx) is not mapped",
			       (unsigned long long)start, (unsigned long long)end);
	return 0;
}

/* ---- brk ---- */

/* do_brk_flags: the heap grows by [addr, addr + len).  Only the VMA that
 * ends the heap there may grow (never one below the heap's start, never
 * the next one: brk keeps a page free above the heap). */
static int brk_grow(struct av_world *w, struct av_mm *mm, uint64_t addr, uint64_t len)
{
	unsigned flags = mmap_vm_flags(AV_PROT_READ | AV_PROT_WRITE, 0);
	struct av_vma *prev = addr > mm->start_brk ? av_vma_find(mm, addr - 1) : NULL;
	struct av_vma *v;
	int err;

	if (prev && prev->end == addr) {
		err = av_vma_merge_new_range(w, mm, addr, addr + len, flags, NULL,
					     addr >> PAGE_SHIFT, NULL, NULL, &v);
		if (err || v)
			return err;
	}
	if (!(v = av_vma_new(w, mm, addr, addr + len, addr >> PAGE_SHIFT, flags, NULL)))
		return av_fail(w, -ENOMEM, "brk", "cannot allocate a VMA");
	av_vma_insert(mm, v);
	return 0;
}

int av_do_brk(struct av_world *w, struct av_mm *mm, uint64_t size)
{
	uint64_t brk = mm->start_brk + size;
	uint64_t newbrk = (brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t oldbrk = (mm->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	struct av_vma *next;
	int err;

	if (size > AV_TASK_SIZE - mm->start_brk)
		return av_fail(w, -ENOMEM, "brk", "heap of %#llx bytes beyond the address space",
			       (unsigned long long)size);
	if (newbrk == oldbrk) {
		mm->brk = brk;
		return 0;
	}
	if (brk <= mm->brk) {
		if ((err = av_do_munmap(w, mm, newbrk, oldbrk)))
			return err;
		mm->brk = brk;
		return 0;
	}
	next = av_vma_first_after(mm, oldbrk);
	if ((next && next->start < newbrk + PAGE_SIZE) || newbrk + PAGE_SIZE > AV_TASK_SIZE)
		return av_fail(w, -ENOMEM, "brk", "[%#llx, %#llx) is within a page of a mapping",
			       (unsigned long long)oldbrk, (unsigned long long)newbrk);
	if ((err = brk_grow(w, mm, oldbrk, newbrk - oldbrk)))
		return err;
	mm->brk = brk;
	return 0;
}

/* ---- mremap ---- */

static int move_one(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg)
{
	int64_t delta = *(int64_t *)arg;
	av_pte *dst = av_pte_lookup(mm, (uint64_t)((int64_t)addr + delta));
	av_pte v = *pte;

	av_pte_set(mm, addr, pte, 0);
	av_pte_set(mm, (uint64_t)((int64_t)addr + delta), dst, v);
	return 0;
}

/* Tables for every page that will move, so that moving cannot fail. */
static int prealloc_one(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg)
{
	av_pte *dst;

	(void)pte;
	return av_pte_alloc(mm->w, mm, (uint64_t)((int64_t)addr + *(int64_t *)arg), &dst);
}

/* copy_vma: the VMA that will hold [new_addr, new_addr+len) of v's memory,
 * merged with a neighbour there if possible. */
static int copy_vma(struct av_world *w, struct av_vma *v, uint64_t old_addr, uint64_t len,
		    uint64_t new_addr, struct av_vma **out)
{
	uint64_t pgoff = vma_linear_index(v, old_addr);
	struct av_vma *n;
	int err;

	/* Anonymous memory never faulted: nothing to keep in place, start
	 * afresh at new_addr.  A file's offsets are the file's. */
	if (vma_is_anonymous(v) && !av_vma_has_chain(v))
		pgoff = new_addr >> PAGE_SHIFT;
	err = av_vma_merge_new_range(w, v->mm, new_addr, new_addr + len, v->flags, v->file, pgoff,
				     v->anon_vma, v, out);
	if (err || *out)
		return err;
	n = av_vma_dup(w, v);
	if (!n)
		return av_fail(w, -ENOMEM, "mremap", "cannot allocate a VMA");
	n->start = new_addr;
	n->end = new_addr + len;
	n->pgoff = pgoff;
	if ((err = av_anon_vma_clone(w, n, v))) {
		av_vma_free(w, n);
		return err;
	}
	av_vma_insert(v->mm, n);
	*out = n;
	return 0;
}

static int move_vma(struct av_world *w, struct av_vma *v, uint64_t old_addr, uint64_t old_len,
		    uint64_t new_len, uint64_t new_addr)
{
	struct av_mm *mm = v->mm;
	int64_t delta = (int64_t)new_addr - (int64_t)old_addr;
	struct anon_vma *locked;
	struct av_vma *nv;
	int err;

	av_mutex_lock(&mm->ptl);
	err = av_pte_range(mm, old_addr, old_addr + old_len, prealloc_one, &delta);
	av_mutex_unlock(&mm->ptl);
	if (!err)
		err = copy_vma(w, v, old_addr, new_len, new_addr, &nv);
	if (err) {
		free_empty_tables(w, mm, new_addr, new_addr + new_len);
		return err == -ENOMEM ? av_fail(w, err, "mremap", "out of memory moving %#llx",
						 (unsigned long long)old_addr) : err;
	}
	/* v may be gone: a never-faulted v can merge into nv (copy_vma gave
	 * the range a pgoff to match its new place).  nv has v's anon_vma.
	 * take_rmap_locks: a walk must see each PTE at its old place or its
	 * new one, never in flight between the two VMAs. */
	v = NULL;
	locked = nv->anon_vma ? nv->anon_vma : av_vma_chain_newest(nv);
	if (locked)
		av_anon_vma_lock_write(w, locked);
	av_mutex_lock(&mm->ptl);
	av_stat_inc(w, lock.ptl);
	av_pte_range(mm, old_addr, old_addr + old_len, move_one, &delta);
	av_mutex_unlock(&mm->ptl);
	if (locked)
		av_anon_vma_unlock_write(w, locked);
	/* The old range holds no pages now.  Should splitting it fail, Linux
	 * leaves it mapped and empty, and so do we. */
	av_do_munmap(w, mm, old_addr, old_addr + old_len);
	return 0;
}

/* mremap_to: unmap the destination, shrink the source if asked, move. */
static int remap_to(struct av_world *w, struct av_mm *mm, uint64_t addr, uint64_t old_len,
		    uint64_t new_len, uint64_t new_addr)
{
	struct av_vma *v;
	int err;

	if ((err = av_do_munmap(w, mm, new_addr, new_addr + new_len)))
		return err;
	if (old_len > new_len) {
		if ((err = av_do_munmap(w, mm, addr + new_len, addr + old_len)))
			return err;
		old_len = new_len;
	}
	if (!(v = av_vma_find(mm, addr)))
		return av_fail(w, -EFAULT, "mremap", "%#llx is not mapped", (unsigned long long)addr);
	return move_vma(w, v, addr, old_len, new_len, new_addr);
}

/*
 * A move that keeps the size (MREMAP_FIXED, old_len == new_len) may span
 * several VMAs (Linux 6.17): each piece moves on its own, in address order,
 * keeping the gaps between them.  A hole at the start is EFAULT; a failure
 * part-way leaves the pieces moved so far where they went.
 */
static int remap_move(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t len,
		      uint64_t new_addr)
{
	uint64_t end = start + len, target = new_addr, last_end = 0;
	struct av_vma *v = av_vma_first_after(mm, start);
	bool seen = false;

	if (!v || v->start > start)
		return av_fail(w, -EFAULT, "mremap", "%#llx is not mapped", (unsigned long long)start);
	for (; v && v->start < end; v = av_vma_first_after(mm, last_end)) {
		uint64_t a = v->start > start ? v->start : start;
		uint64_t e = v->end < end ? v->end : end;
		uint64_t to = target + (seen ? v->start - last_end : 0);
		int err;

		last_end = v->end;
		if ((err = remap_to(w, mm, a, e - a, e - a, to)))
			return err;
		seen = true;
		target = to + (e - a);
	}
	return 0;
}

/*
 * mremap, in the order Linux 6.18 decides it (the arguments were checked
 * in api.c).  A same-size move goes its own way (remap_move).  Otherwise
 * the VMA at addr comes first: none is EFAULT, whatever else is wrong.  In
 * place, the same size does nothing and a smaller one unmaps the tail,
 * wherever that reaches.  Growing or moving needs the part that stays,
 * [addr, +min(old_len, new_len)), inside that one VMA, checked before a
 * move unmaps anything; growing in place then needs free space after it.
 */
int av_do_mremap(struct av_world *w, struct av_mm *mm, uint64_t addr, uint64_t old_len,
		 uint64_t new_len, int flags, uint64_t new_addr)
{
	bool fixed = flags & AV_MREMAP_FIXED;
	struct av_vma *v, *merged;
	int err;

	if (fixed && old_len == new_len)
		return remap_move(w, mm, addr, old_len, new_addr);
	if (!(v = av_vma_find(mm, addr)))
		return av_fail(w, -EFAULT, "mremap", "%#llx is not mapped", (unsigned long long)addr);
	if (!fixed && old_len == new_len)
		return 0;
	if (!fixed && old_len > new_len)
		return av_do_munmap(w, mm, addr + new_len, addr + old_len);
	if ((old_len < new_len ? old_len : new_len) > v->end - addr)
		return av_fail(w, -EFAULT, "mremap", "[%#llx, +%#llx) spans more than one mapping",
			       (unsigned long long)addr, (unsigned long long)old_len);
	if (fixed)
		return remap_to(w, mm, addr, old_len, new_len, new_addr);

	/* Grow in place: only at the end of the VMA, into free space. */
	if (addr + old_len == v->end) {
		struct av_vma *next = av_vma_next(v);
		uint64_t new_end = addr + new_len;
		if (new_end <= AV_TASK_SIZE && (!next || next->start >= new_end)) {
			err = av_vma_merge_new_range(w, mm, v->end, new_end, v->flags, v->file,
						     vma_linear_index(v, v->end), v->anon_vma,
						     NULL, &merged);
			if (err)
				return err;
			if (merged)
				return 0;
		}
	}
	return av_fail(w, -ENOMEM, "mremap", "cannot grow [%#llx, +%#llx) in place",
		       (unsigned long long)addr, (unsigned long long)old_len);
}
