/* SPDX-License-Identifier: MIT */
/*
 * api.c - the public entry points: argument checks (with the errno Linux
 * gives for the same request), pid lookup, the mmap_lock, then the do_*
 * work in src/mm (mapops.c, fault.c, mm.c, rmap.c).
 */
#include <errno.h>
#include "../mm/vm.h"
#include "../mm/rmap.h"
#include "../mm/policy.h"

#define ULL(x) ((unsigned long long)(x))

/*
 * Every entry point that names a process takes a reference on its mm
 * (get_mm), locks mmap_lock, and gives up with -ESRCH if the process exited
 * meanwhile (mm->dead).  On the way out it drops the lock and the reference
 * and frees anon_vmas retired long enough ago (done): holding no lock is
 * what lets that wait for a grace period.
 */
static struct av_mm *get_mm(struct av_world *w, const char *func, int pid)
{
	struct av_mm *mm = av_mm_get(w, pid);

	if (!mm)
		av_fail(w, -ESRCH, func, "no process with pid %d", pid);
	return mm;
}

static void mmap_lock_mode(struct av_world *w, struct av_mm *mm, bool write)
{
	uint64_t waited = av_rwsem_lock_timed(&mm->mmap_lock, write);

	av_touch_mm(mm);        /* for av_check_incremental */
	if (waited) {
		av_stat_inc(w, lock.mmap_contended);
		av_stat_add(w, lock.mmap_wait_ns, waited);
	}
	if (write)
		av_stat_inc(w, lock.mmap_write);
	else
		av_stat_inc(w, lock.mmap_read);
}

static void mmap_unlock(struct av_mm *mm, bool write)
{
	if (write)
		av_rwsem_write_unlock(&mm->mmap_lock);
	else
		av_rwsem_read_unlock(&mm->mmap_lock);
}

/* Lock mm; -ESRCH (lock not held) if its process has exited. */
static int mmap_begin(struct av_world *w, struct av_mm *mm, const char *func, bool write)
{
	mmap_lock_mode(w, mm, write);
	if (!mm->dead)
		return 0;
	mmap_unlock(mm, write);
	return av_fail(w, -ESRCH, func, "process %d has exited", mm->pid);
}

static int done(struct av_world *w, struct av_mm *mm, int err)
{
	if (mm)
		av_mm_put(w, mm);
	av_anon_vma_reclaim(w, AV_RECLAIM_BATCH);
	return err;
}

#define mmap_write(w, mm) mmap_lock_mode(w, mm, true)
#define mmap_read(w, mm) mmap_lock_mode(w, mm, false)

/* Round len up to pages; 0 if it overflows. */
static uint64_t page_align(uint64_t len)
{
	return len > UINT64_MAX - (PAGE_SIZE - 1) ? 0 : (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static bool prot_valid(int prot)
{
	return (prot & ~(AV_PROT_READ | AV_PROT_WRITE | AV_PROT_EXEC)) == 0;
}

/* ---- processes ---- */

int av_proc_create(av_world *w, av_pid *out)
{
	struct av_mm *mm;
	int err;

	if (!out)
		return av_fail(w, -EINVAL, "proc_create", "NULL pid pointer");
	err = av_mm_create(w, 0, 0, &mm);
	if (err)
		return err;
	av_mm_publish(w, mm);
	*out = mm->pid;
	return 0;
}

int av_fork(av_world *w, av_pid parent, av_pid *child)
{
	struct av_mm *pm = get_mm(w, "fork", parent), *cm;
	int err;

	if (!pm)
		return -ESRCH;
	if (!child)
		return done(w, pm, av_fail(w, -EINVAL, "fork", "NULL child pointer"));
	if ((err = av_mm_create(w, pm->pid, 0, &cm)))
		return done(w, pm, err);
	if ((err = mmap_begin(w, pm, "fork", true))) {
		av_mm_exit(w, cm);
		return done(w, pm, err);
	}
	mmap_write(w, cm);
	err = av_dup_mmap(w, pm, cm);
	mmap_unlock(cm, true);
	mmap_unlock(pm, true);
	if (err) {
		/* Like Linux, tear down the half-built child. */
		av_mm_exit(w, cm);
		return done(w, pm, err);
	}
	*child = cm->pid;
	av_mm_publish(w, cm);
	return done(w, pm, 0);
}

/* A new task in pid's address space: a thread, or a process of its own. */
static int new_task(av_world *w, const char *func, av_pid pid, bool own_group, av_pid *out)
{
	struct av_mm *mm = get_mm(w, func, pid);

	if (!mm)
		return -ESRCH;
	if (!out)
		return done(w, mm, av_fail(w, -EINVAL, func, "NULL pid pointer"));
	return done(w, mm, av_task_create(w, mm, pid, own_group, out));
}

int av_thread_create(av_world *w, av_pid pid, av_pid *tid)
{
	return new_task(w, "thread_create", pid, false, tid);
}

int av_vfork(av_world *w, av_pid pid, av_pid *child)
{
	return new_task(w, "vfork", pid, true, child);
}

int av_exit(av_world *w, av_pid pid)
{
	struct av_mm *mm = get_mm(w, "exit", pid);
	int last;

	if (!mm)
		return -ESRCH;
	last = av_task_exit(w, mm, pid);
	if (last < 0 || (last && !av_mm_exit(w, mm)))
		return done(w, mm, av_fail(w, -ESRCH, "exit", "process %d is already exiting", pid));
	return done(w, mm, 0);
}

/* exec_mmap: a new, empty address space becomes the task's; the other
 * threads of its group end (de_thread); the old address space goes as at
 * exit unless a vfork relative still uses it.  The new mm is made first,
 * so that an allocation failure leaves the process as it was. */
int av_exec(av_world *w, av_pid pid)
{
	struct av_mm *mm = get_mm(w, "exec", pid), *nm;
	long ended;
	bool last;
	int err;

	if (!mm)
		return -ESRCH;
	if ((err = av_mm_create(w, mm->parent_pid, pid, &nm)))
		return done(w, mm, err);
	if ((err = av_mm_exec_replace(w, mm, nm, pid, &ended, &last))) {
		av_mm_exit(w, nm);
		return done(w, mm, err);
	}
	while (ended-- > 0)
		av_mm_put(w, mm);       /* the ended tasks' references (ours holds it) */
	if (last)
		av_mm_exit(w, mm);
	return done(w, mm, 0);
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

/* Lock pid's mm (write or read), run body, unlock: the shape of every
 * map operation.  Arguments are checked before. */
typedef int (*mm_body)(struct av_world *w, struct av_mm *mm, void *arg);

static int with_mm(struct av_world *w, av_pid pid, const char *func, bool write,
		   mm_body body, void *arg)
{
	struct av_mm *mm = get_mm(w, func, pid);
	int err;

	if (!mm)
		return -ESRCH;
	if ((err = mmap_begin(w, mm, func, write)))
		return done(w, mm, err);
	err = body ? body(w, mm, arg) : 0;
	mmap_unlock(mm, write);
	return done(w, mm, err);
}

struct range_arg {
	uint64_t start, end, len2, addr2;
	int prot, flags;
	struct av_file *file;
};

static int mmap_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	struct range_arg *r = arg;
	return av_do_mmap(w, mm, r->start, r->end, r->prot, r->flags, r->file,
			  r->addr2 >> PAGE_SHIFT);
}

int av_mmap_file(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot, int flags,
		 int file, uint64_t offset)
{
	struct range_arg r;
	int err;

	if ((err = check_prot_addr(w, "mmap", prot, addr)))
		return err;
	if (flags & ~(AV_MAP_SHARED | AV_MAP_NORESERVE | AV_MAP_STACK | AV_MAP_GROWSDOWN))
		return av_fail(w, -EINVAL, "mmap", "unknown flags %#x", flags);
	if (!len)
		return av_fail(w, -EINVAL, "mmap", "zero length");
	if (!PAGE_ALIGNED(offset))
		return av_fail(w, -EINVAL, "mmap", "offset %#llx is not page-aligned", ULL(offset));
	len = page_align(len);
	if (!len || len > AV_TASK_SIZE || addr > AV_TASK_SIZE - len)
		return av_fail(w, -ENOMEM, "mmap", "[%#llx, +%#llx) is beyond the address space",
			       ULL(addr), ULL(len));
	if (offset > AV_TASK_SIZE - len)
		return av_fail(w, -EOVERFLOW, "mmap", "offset %#llx too large", ULL(offset));
	r = (struct range_arg){ .start = addr, .end = addr + len, .prot = prot, .flags = flags,
				.addr2 = file ? offset : 0 };
	if (file && !(r.file = av_file_find(w, file)))
		return av_fail(w, -EBADF, "mmap", "no file %d", file);
	err = with_mm(w, pid, "mmap", true, mmap_body, &r);
	if (r.file)
		av_file_put(w, r.file);
	return err;
}

int av_mmap(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot)
{
	return av_mmap_file(w, pid, addr, len, prot, 0, 0, 0);
}

int av_file_create(av_world *w, uint64_t size, int *file)
{
	struct av_file *f;
	int err;

	if (!file)
		return av_fail(w, -EINVAL, "file_create", "NULL file pointer");
	if (size > AV_TASK_SIZE)
		return av_fail(w, -EFBIG, "file_create", "size %#llx too large", ULL(size));
	if ((err = av_file_new(w, size, false, &f)))
		return err;
	*file = f->id;
	return 0;
}

int av_file_close(av_world *w, int file)
{
	struct av_file *f = av_file_find(w, file);

	if (!f)
		return av_fail(w, -EBADF, "file_close", "no file %d", file);
	av_mutex_lock(&w->lock);
	f->id = -f->id;                 /* no longer found by its name */
	av_mutex_unlock(&w->lock);
	av_file_put(w, f);              /* av_file_find's */
	av_file_put(w, f);              /* the name's */
	return 0;
}

static int munmap_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	struct range_arg *r = arg;
	return av_do_munmap(w, mm, r->start, r->end);
}

int av_munmap(av_world *w, av_pid pid, uint64_t addr, uint64_t len)
{
	struct range_arg r;

	if (!PAGE_ALIGNED(addr) || addr > AV_TASK_SIZE || len > AV_TASK_SIZE - addr)
		return av_fail(w, -EINVAL, "munmap", "bad range [%#llx, +%#llx)", ULL(addr), ULL(len));
	len = page_align(len);
	if (!len)
		return av_fail(w, -EINVAL, "munmap", "zero length");
	r = (struct range_arg){ .start = addr, .end = addr + len };
	return with_mm(w, pid, "munmap", true, munmap_body, &r);
}

static int mprotect_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	struct range_arg *r = arg;
	return av_do_mprotect(w, mm, r->start, r->end, r->prot);
}

int av_mprotect(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot)
{
	struct range_arg r;
	int err;

	if ((err = check_prot_addr(w, "mprotect", prot, addr)))
		return err;
	if (!len)
		return with_mm(w, pid, "mprotect", false, NULL, NULL);
	len = page_align(len);
	if (!len || addr + len <= addr)
		return av_fail(w, -ENOMEM, "mprotect", "range wraps around");
	r = (struct range_arg){ .start = addr, .end = addr + len, .prot = prot };
	return with_mm(w, pid, "mprotect", true, mprotect_body, &r);
}

static int mremap_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	struct range_arg *r = arg;
	return av_do_mremap(w, mm, r->start, r->end, r->len2, r->flags, r->addr2);
}

int av_mremap(av_world *w, av_pid pid, uint64_t addr, uint64_t old_len, uint64_t new_len,
	      int flags, uint64_t new_addr)
{
	struct range_arg r;
	int err;

	/* check_mremap_params: what needs no VMA; av_do_mremap decides the
	 * rest with the VMAs in hand, as Linux does. */
	if (flags & ~(AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED))
		return av_fail(w, -EINVAL, "mremap", "unknown flags %#x", flags);
	if (!PAGE_ALIGNED(addr))
		return av_fail(w, -EINVAL, "mremap", "address %#llx is not page-aligned", ULL(addr));
	old_len = page_align(old_len);
	new_len = page_align(new_len);
	if (!new_len || new_len > AV_TASK_SIZE)
		return av_fail(w, -EINVAL, "mremap", "new length %#llx is 0 or too large",
			       ULL(new_len));
	if (flags & AV_MREMAP_FIXED) {
		if (new_addr > AV_TASK_SIZE - new_len)
			return av_fail(w, -EINVAL, "mremap", "new range beyond the address space");
		if (!PAGE_ALIGNED(new_addr))
			return av_fail(w, -EINVAL, "mremap", "new address %#llx is not page-aligned",
				       ULL(new_addr));
		if (!(flags & AV_MREMAP_MAYMOVE))
			return av_fail(w, -EINVAL, "mremap", "MREMAP_FIXED needs MREMAP_MAYMOVE");
		if (addr + old_len > new_addr && new_addr + new_len > addr)
			return av_fail(w, -EINVAL, "mremap", "old and new ranges overlap");
	}
	/* Linux refuses a zero old length for private mappings (all of ours)
	 * only once it has found the VMA; an old range past the end of the
	 * address space has no VMA.  Both are decided here, with the errno
	 * the kernel gives when there is no VMA to find. */
	if (!old_len)
		return av_fail(w, -EINVAL, "mremap", "zero old length duplicates only shared mappings");
	if (addr > AV_TASK_SIZE - old_len || old_len > AV_TASK_SIZE)
		return av_fail(w, -EFAULT, "mremap", "old range beyond the address space");
	/* start/end carry the old address and length here. */
	r = (struct range_arg){ .start = addr, .end = old_len, .len2 = new_len,
				.flags = flags & AV_MREMAP_FIXED, .addr2 = new_addr };
	err = with_mm(w, pid, "mremap", true, mremap_body, &r);
	if (err == -ENOMEM && (flags & AV_MREMAP_MAYMOVE) && !(flags & AV_MREMAP_FIXED))
		return av_fail(w, -EOPNOTSUPP, "mremap",
			       "cannot grow in place, and choosing a new address is not modelled "
			       "(use MREMAP_FIXED)");
	return err;
}

static int madvise_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	struct range_arg *r = arg;

	if (r->flags == AV_MADV_DONTNEED)
		return av_do_dontneed(w, mm, r->start, r->end);
	return av_do_madvise_flags(w, mm, r->start, r->end, r->flags);
}

int av_madvise(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int advice)
{
	struct range_arg r;
	uint64_t alen;
	/* DONTNEED zaps under mmap_lock for reading; the advice that changes
	 * vm_flags needs it for writing (madvise_need_mmap_write). */
	bool write = advice != AV_MADV_DONTNEED;

	if (advice != AV_MADV_DONTNEED && advice != AV_MADV_DONTFORK &&
	    advice != AV_MADV_DOFORK && advice != AV_MADV_WIPEONFORK &&
	    advice != AV_MADV_KEEPONFORK)
		return av_fail(w, -EINVAL, "madvise", "unknown advice %d", advice);
	if (!PAGE_ALIGNED(addr))
		return av_fail(w, -EINVAL, "madvise", "address %#llx is not page-aligned", ULL(addr));
	alen = page_align(len);
	if ((len && !alen) || addr + alen < addr)
		return av_fail(w, -EINVAL, "madvise", "range wraps around");
	if (!alen)
		return with_mm(w, pid, "madvise", false, NULL, NULL);
	r = (struct range_arg){ .start = addr, .end = addr + alen, .flags = advice };
	return with_mm(w, pid, "madvise", write, madvise_body, &r);
}

int av_madvise_dontneed(av_world *w, av_pid pid, uint64_t addr, uint64_t len)
{
	return av_madvise(w, pid, addr, len, AV_MADV_DONTNEED);
}

static int brk_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	return av_do_brk(w, mm, *(uint64_t *)arg);
}

int av_brk(av_world *w, av_pid pid, uint64_t size)
{
	return with_mm(w, pid, "brk", true, brk_body, &size);
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

struct touch_arg {
	uint64_t addr, len;
	int write;
	enum av_walk_op op;
	uint64_t done;
};

/* Faults page by page from t->addr; a page below a stack that may grow
 * down stops the walk there (t->addr, t->len moved on to it). */
static int touch_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	struct touch_arg *t = arg;
	uint64_t end = t->addr + t->len;
	int err = 0;

	for (; t->addr < end && !err; t->addr += PAGE_SIZE)
		if ((err = av_handle_fault(w, mm, t->addr, t->write != 0)) == AV_FAULT_EXPAND)
			break;
	t->len = end - t->addr;
	return err;
}

static int expand_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	return av_expand_stack(w, mm, *(uint64_t *)arg);
}

/* A stack grows with mmap_lock held for writing (as since Linux 6.5), so
 * the touch drops its read lock for it and goes on. */
int av_touch(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int write)
{
	const char *func = write ? "write" : "read";
	struct touch_arg t = { addr, len, write, AV_WALK_AGE, 0 };
	int err;

	if ((err = check_touch_range(w, func, addr, len)))
		return err;
	while ((err = with_mm(w, pid, func, false, touch_body, &t)) == AV_FAULT_EXPAND)
		if ((err = with_mm(w, pid, func, true, expand_body, &t.addr)))
			return err;
	return err;
}

/* The anonymous page mapped at addr, pinned; 0 if none. */
static uint64_t pin_mapped_page(struct av_mm *mm, uint64_t addr)
{
	uint64_t pfn = 0;
	av_pte *pte;

	av_mutex_lock(&mm->ptl);
	pte = av_pte_lookup(mm, addr);
	if (pte && pte_present(*pte) && pte_val(*pte) != ZERO_PFN &&
	    !page_is_file(pfn_page(mm->w, pte_val(*pte)))) {
		pfn = pte_val(*pte);
		page_ref_inc(pfn_page(mm->w, pfn));  /* mapped: the count is not 0 */
	}
	av_mutex_unlock(&mm->ptl);
	return pfn;
}

static int first_pte(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg)
{
	(void)mm;
	(void)pte;
	*(uint64_t *)arg = addr;
	return 1;
}

/* The first address in [addr, end) that has a PTE, else end: the page
 * tables' holes are skipped whole (2026-11-27: the fuzzer's `reclaim P 0
 * 0x90001001000` looked at nine billion addresses one by one). */
static uint64_t next_pte(struct av_mm *mm, uint64_t addr, uint64_t end)
{
	uint64_t found = end;

	av_mutex_lock(&mm->ptl);
	av_pte_range(mm, addr, end, first_pte, &found);
	av_mutex_unlock(&mm->ptl);
	return found;
}

/* Apply op to each anonymous page the process maps in the range. */
static int page_ops_body(struct av_world *w, struct av_mm *mm, void *arg)
{
	struct touch_arg *t = arg;
	uint64_t end = t->addr + t->len;
	int err = 0;

	for (uint64_t a = next_pte(mm, t->addr, end); a < end && !err;
	     a = next_pte(mm, a + PAGE_SIZE, end)) {
		uint64_t pfn = pin_mapped_page(mm, a);
		if (!pfn)
			continue;
		err = av_page_op(w, pfn, t->op, &t->done);
		if (err == -EAGAIN && t->op != AV_WALK_RECLAIM)
			err = 0;    /* unmapped meanwhile: nothing to do */
		av_page_put(w, pfn);
	}
	return err;
}

static int for_each_anon_page(struct av_world *w, const char *func, av_pid pid, uint64_t addr,
			      uint64_t len, enum av_walk_op op, uint64_t *done)
{
	struct touch_arg t = { addr, len, 0, op, 0 };
	int err;

	if ((err = check_touch_range(w, func, addr, len)))
		return err;
	err = with_mm(w, pid, func, false, page_ops_body, &t);
	if (done)
		*done = t.done;
	return err;
}

int av_reclaim(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *done)
{
	return for_each_anon_page(w, "reclaim", pid, addr, len, AV_WALK_RECLAIM, done);
}

int av_age(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *referenced)
{
	return for_each_anon_page(w, "age", pid, addr, len, AV_WALK_AGE, referenced);
}

int av_migrate(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *done)
{
	return for_each_anon_page(w, "migrate", pid, addr, len, AV_WALK_MIGRATE, done);
}

/* As reclaim's LRU scan: from a frame, holding no mm lock. */
int av_walk_page(av_world *w, uint64_t pfn, enum av_walk_op op)
{
	uint64_t n = 0;
	int err;

	if ((unsigned)op > AV_WALK_MIGRATE)
		return av_fail(w, -EINVAL, "walk_page", "unknown operation %d", (int)op);
	if (pfn == ZERO_PFN || pfn >= av_nr_frames(w) ||
	    !page_ref_get_unless_zero(pfn_page(w, pfn)))
		return done(w, NULL, -ENOENT);
	if (page_is_file(pfn_page(w, pfn))) {   /* not the anon rmap's */
		av_page_put(w, pfn);
		return done(w, NULL, -ENOENT);
	}
	err = av_page_op(w, pfn, op, &n);
	av_page_put(w, pfn);
	return done(w, NULL, err);
}
