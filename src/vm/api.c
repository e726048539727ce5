/* SPDX-License-Identifier: MIT */
/*
 * api.c - the public entry points: argument checks (with the errno Linux
 * gives for the same request), pid lookup, the mmap_lock, then the do_*
 * work in mapops.c, fault.c, mm.c and core/rmap.c.
 */
#include <errno.h>
#include "vm.h"
#include "../core/rmap.h"
#include "../policy/policy.h"

#define ULL(x) ((unsigned long long)(x))

static struct av_mm *get_mm(struct av_world *w, const char *func, int pid)
{
	struct av_mm *mm = av_mm_lookup(w, pid);

	if (!mm)
		av_fail(w, -ESRCH, func, "no process with pid %d", pid);
	return mm;
}

static void mmap_write(struct av_world *w, struct av_mm *mm)
{
	av_rwsem_write(&mm->mmap_lock);
	w->st.lock.mmap_write++;
}

static void mmap_read(struct av_world *w, struct av_mm *mm)
{
	av_rwsem_read(&mm->mmap_lock);
	w->st.lock.mmap_read++;
}

static void mmap_unlock(struct av_mm *mm)
{
	av_rwsem_write_unlock(&mm->mmap_lock);  /* pthread: one unlock for both modes */
}

/* Round len up to pages; 0 if it overflows. */
static uint64_t page_align(uint64_t len)
{
	return len > UINT64_MAX - (PAGE_SIZE - 1) ? 0 : (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static bool prot_valid(int prot)
{
	return (prot & ~(AV_PROT_READ | AV_PROT_WRITE)) == 0;
}

/* ---- processes ---- */

int av_proc_create(av_world *w, av_pid *out)
{
	struct av_mm *mm;
	int err;

	if (!out)
		return av_fail(w, -EINVAL, "proc_create", "NULL pid pointer");
	err = av_mm_create(w, 0, &mm);
	if (!err)
		*out = mm->pid;
	return err;
}

int av_fork(av_world *w, av_pid parent, av_pid *child)
{
	struct av_mm *pm = get_mm(w, "fork", parent), *cm;
	int err;

	if (!pm)
		return -ESRCH;
	if (!child)
		return av_fail(w, -EINVAL, "fork", "NULL child pointer");
	if ((err = av_mm_create(w, parent, &cm)))
		return err;
	mmap_write(w, pm);
	mmap_write(w, cm);
	err = av_dup_mmap(w, pm, cm);
	mmap_unlock(cm);
	mmap_unlock(pm);
	if (err) {
		/* Like Linux, tear down the half-built child. */
		av_mm_destroy(w, cm);
		return err;
	}
	*child = cm->pid;
	return 0;
}

int av_exit(av_world *w, av_pid pid)
{
	struct av_mm *mm = get_mm(w, "exit", pid);

	if (!mm)
		return -ESRCH;
	av_mm_destroy(w, mm);
	return 0;
}

/* ---- mappings ---- */

/* The EINVAL checks mmap and mprotect share. */
static int check_prot_addr(av_world *w, const char *fn, int prot, uint64_t addr)
{
	if (!prot_valid(prot))
		return av_fail(w, -EINVAL, fn, "bad protection %#x", prot);
	if (!PAGE_ALIGNED(addr))
		return av_fail(w, -EINVAL, fn, "address %#llx is not page-aligned", ULL(addr));
	return 0;
}

int av_mmap(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot)
{
	struct av_mm *mm = get_mm(w, "mmap", pid);
	int err;

	if (!mm)
		return -ESRCH;
	if ((err = check_prot_addr(w, "mmap", prot, addr)))
		return err;
	if (!len)
		return av_fail(w, -EINVAL, "mmap", "zero length");
	len = page_align(len);
	if (!len || len > AV_TASK_SIZE || addr > AV_TASK_SIZE - len)
		return av_fail(w, -ENOMEM, "mmap", "[%#llx, +%#llx) is beyond the address space",
			       ULL(addr), ULL(len));
	mmap_write(w, mm);
	err = av_do_mmap(w, mm, addr, addr + len, prot);
	mmap_unlock(mm);
	return err;
}

int av_munmap(av_world *w, av_pid pid, uint64_t addr, uint64_t len)
{
	struct av_mm *mm = get_mm(w, "munmap", pid);
	int err;

	if (!mm)
		return -ESRCH;
	if (!PAGE_ALIGNED(addr) || addr > AV_TASK_SIZE || len > AV_TASK_SIZE - addr)
		return av_fail(w, -EINVAL, "munmap", "bad range [%#llx, +%#llx)", ULL(addr), ULL(len));
	len = page_align(len);
	if (!len)
		return av_fail(w, -EINVAL, "munmap", "zero length");
	mmap_write(w, mm);
	err = av_do_munmap(w, mm, addr, addr + len);
	mmap_unlock(mm);
	return err;
}

int av_mprotect(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot)
{
	struct av_mm *mm = get_mm(w, "mprotect", pid);
	int err;

	if (!mm)
		return -ESRCH;
	if ((err = check_prot_addr(w, "mprotect", prot, addr)))
		return err;
	if (!len)
		return 0;
	len = page_align(len);
	if (!len || addr + len <= addr)
		return av_fail(w, -ENOMEM, "mprotect", "range wraps around");
	mmap_write(w, mm);
	err = av_do_mprotect(w, mm, addr, addr + len, prot);
	mmap_unlock(mm);
	return err;
}

int av_mremap(av_world *w, av_pid pid, uint64_t addr, uint64_t old_len, uint64_t new_len,
	      int flags, uint64_t new_addr)
{
	struct av_mm *mm = get_mm(w, "mremap", pid);
	int err;

	if (!mm)
		return -ESRCH;
	if (flags & ~(AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED))
		return av_fail(w, -EINVAL, "mremap", "unknown flags %#x", flags);
	if ((flags & AV_MREMAP_FIXED) && !(flags & AV_MREMAP_MAYMOVE))
		return av_fail(w, -EINVAL, "mremap", "MREMAP_FIXED needs MREMAP_MAYMOVE");
	if (!PAGE_ALIGNED(addr))
		return av_fail(w, -EINVAL, "mremap", "address %#llx is not page-aligned", ULL(addr));
	old_len = page_align(old_len);
	new_len = page_align(new_len);
	if (!new_len)
		return av_fail(w, -EINVAL, "mremap", "zero new length");
	if (!old_len)
		return av_fail(w, -EINVAL, "mremap", "zero old length duplicates only shared mappings");
	if (addr > AV_TASK_SIZE - old_len || old_len > AV_TASK_SIZE)
		return av_fail(w, -EFAULT, "mremap", "old range beyond the address space");
	if (flags & AV_MREMAP_FIXED) {
		if (!PAGE_ALIGNED(new_addr))
			return av_fail(w, -EINVAL, "mremap", "new address %#llx is not page-aligned",
				       ULL(new_addr));
		if (new_len > AV_TASK_SIZE || new_addr > AV_TASK_SIZE - new_len)
			return av_fail(w, -EINVAL, "mremap", "new range beyond the address space");
	}
	mmap_write(w, mm);
	err = av_do_mremap(w, mm, addr, old_len, new_len, flags & AV_MREMAP_FIXED, new_addr);
	mmap_unlock(mm);
	if (err == -ENOMEM && (flags & AV_MREMAP_MAYMOVE) && !(flags & AV_MREMAP_FIXED))
		return av_fail(w, -EOPNOTSUPP, "mremap",
			       "cannot grow in place, and choosing a new address is not modelled "
			       "(use MREMAP_FIXED)");
	return err;
}

int av_madvise_dontneed(av_world *w, av_pid pid, uint64_t addr, uint64_t len)
{
	struct av_mm *mm = get_mm(w, "madvise", pid);
	uint64_t alen;
	int err;

	if (!mm)
		return -ESRCH;
	if (!PAGE_ALIGNED(addr))
		return av_fail(w, -EINVAL, "madvise", "address %#llx is not page-aligned", ULL(addr));
	alen = page_align(len);
	if ((len && !alen) || addr + alen < addr)
		return av_fail(w, -EINVAL, "madvise", "range wraps around");
	if (!alen)
		return 0;
	mmap_read(w, mm);
	err = av_do_dontneed(w, mm, addr, addr + alen);
	mmap_unlock(mm);
	return err;
}

/* ---- accesses and rmap operations, page by page ---- */

static int check_touch_range(struct av_world *w, const char *func, uint64_t addr, uint64_t len)
{
	if (!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len) || !len)
		return av_fail(w, -EINVAL, func, "range [%#llx, +%#llx) is not whole pages",
			       ULL(addr), ULL(len));
	if (addr >= AV_TASK_SIZE || len > AV_TASK_SIZE - addr)
		return av_fail(w, -EFAULT, func, "range beyond the address space");
	return 0;
}

int av_touch(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int write)
{
	const char *func = write ? "write" : "read";
	struct av_mm *mm = get_mm(w, func, pid);
	int err;

	if (!mm)
		return -ESRCH;
	if ((err = check_touch_range(w, func, addr, len)))
		return err;
	mmap_read(w, mm);
	for (uint64_t a = addr; a < addr + len && !err; a += PAGE_SIZE)
		err = av_handle_fault(w, mm, a, write != 0);
	mmap_unlock(mm);
	return err;
}

typedef int (*page_op)(struct av_world *w, uint64_t pfn, uint64_t *done);

static int op_reclaim(struct av_world *w, uint64_t pfn, uint64_t *done)
{
	int err = av_try_to_unmap(w, pfn);

	*done += !err;
	return err;
}

static int op_age(struct av_world *w, uint64_t pfn, uint64_t *done)
{
	*done += (uint64_t)av_page_referenced(w, pfn);
	return 0;
}

static int op_migrate(struct av_world *w, uint64_t pfn, uint64_t *done)
{
	int err = av_migrate_page(w, pfn);

	*done += !err;
	return err;
}

/* Apply op to each anonymous page pid maps in the range. */
static int for_each_anon_page(struct av_world *w, const char *func, av_pid pid, uint64_t addr,
			      uint64_t len, page_op op, uint64_t *done)
{
	struct av_mm *mm = get_mm(w, func, pid);
	uint64_t n = 0;
	int err;

	if (!mm)
		return -ESRCH;
	if ((err = check_touch_range(w, func, addr, len)))
		return err;
	mmap_read(w, mm);
	for (uint64_t a = addr; a < addr + len && !err; a += PAGE_SIZE) {
		av_pte *pte = av_pte_lookup(mm, a);
		if (pte && pte_present(*pte) && pte_val(*pte) != ZERO_PFN)
			err = op(w, pte_val(*pte), &n);
	}
	mmap_unlock(mm);
	if (done)
		*done = n;
	return err;
}

int av_reclaim(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *done)
{
	return for_each_anon_page(w, "reclaim", pid, addr, len, op_reclaim, done);
}

int av_age(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *referenced)
{
	return for_each_anon_page(w, "age", pid, addr, len, op_age, referenced);
}

int av_migrate(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *done)
{
	return for_each_anon_page(w, "migrate", pid, addr, len, op_migrate, done);
}
