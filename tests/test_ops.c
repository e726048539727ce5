/* SPDX-License-Identifier: MIT */
/*
 * test_ops.c - each operation of the address-space model, under both
 * policies unless a test is about one policy's behaviour.
 */
#include "testutil.h"

#define A 0x200000ULL  /* a 2 MiB-aligned base */

static av_world *world_with_proc(int *pid)
{
	av_world *w = new_world(g_policy);
	OK(w, av_proc_create(w, pid));
	return w;
}

/* p maps `pages` pages at A, writes them all, and forks c. */
static av_world *forked_world(int *p, int *c, int pages)
{
	av_world *w = world_with_proc(p);

	OK(w, av_mmap(w, *p, A, (uint64_t)pages * PG, RW));
	OK(w, av_touch(w, *p, A, (uint64_t)pages * PG, 1));
	OK(w, av_fork(w, *p, c));
	return w;
}

/* ---- mmap ---- */

static void mmap_errors(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	assert_int_equal(av_mmap(w, p, A + 1, PG, RW), -EINVAL);
	assert_non_null(strstr(av_world_error(w), "mmap: address 0x200001 is not page-aligned"));
	assert_int_equal(av_mmap(w, p, A, 0, RW), -EINVAL);
	assert_int_equal(av_mmap(w, p, AV_TASK_SIZE - PG, 2 * PG, RW), -ENOMEM);
	assert_int_equal(av_mmap(w, p, A, PG, 8), -EINVAL);
	assert_int_equal(av_mmap(w, 99, A, PG, RW), -ESRCH);
	OK(w, av_mmap(w, p, A, 4 * PG, RW));
	assert_int_equal(av_mmap(w, p, A + 3 * PG, 2 * PG, RW), -EEXIST);
	assert_int_equal(av_mmap(w, p, A - PG, 2 * PG, RW), -EEXIST);
	assert_int_equal(nr_vmas(w, p), 1);
	CHECK(w);
	av_world_destroy(w);
}

static void mmap_merges_with_neighbours(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, PG, RW));
	OK(w, av_mmap(w, p, A + 2 * PG, PG, RW));
	assert_int_equal(nr_vmas(w, p), 2);
	OK(w, av_mmap(w, p, A + PG, PG, RW));       /* joins both */
	assert_int_equal(nr_vmas(w, p), 1);
	OK(w, av_mmap(w, p, A + 3 * PG, PG, RO));   /* other protection: apart */
	assert_int_equal(nr_vmas(w, p), 2);
	OK(w, av_mmap(w, p, A - PG, PG, RW));       /* extends the first at its start */
	assert_int_equal(nr_vmas(w, p), 2);
	struct vma_probe v = vma_at(w, p, A);
	assert_int_equal(v.info.start, A - PG);
	assert_int_equal(v.info.end, A + 3 * PG);
	assert_int_equal(v.info.pgoff, (A - PG) / PG);
	CHECK(w);
	av_world_destroy(w);
}

/* A new mapping next to a VMA of a forked child: linux-6.18 refuses to
 * merge (the child's chain is not singular); 2.6.35 merges. */
static void mmap_next_to_fork_child(void **state)
{
	int p, c;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 2 * PG, RW));
	OK(w, av_touch(w, p, A, PG, 1));
	OK(w, av_fork(w, p, &c));
	OK(w, av_mmap(w, c, A + 2 * PG, PG, RW));
	OK(w, av_mmap(w, p, A + 2 * PG, PG, RW));
	assert_int_equal(nr_vmas(w, p), 1);  /* the parent's chain is singular */
	assert_int_equal(nr_vmas(w, c), is_6_18() ? 2 : 1);
	CHECK(w);
	av_world_destroy(w);
}

/* A fork child's VMA moved away and back next to a never-faulted VMA it
 * fits: linux-6.18 will not let the neighbour take the moved pages'
 * anon_vma (it would drag the child's chain along); 2.6.35 merges. */
static void mremap_next_to_fork_child(void **state)
{
	int p, c;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 2 * PG, RW));
	OK(w, av_touch(w, p, A, PG, 1));
	OK(w, av_fork(w, p, &c));
	OK(w, av_mmap(w, c, A - 2 * PG, 2 * PG, RW));
	assert_int_equal(nr_vmas(w, c), is_6_18() ? 2 : 1);
	OK(w, av_mremap(w, c, A, 2 * PG, 2 * PG, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED, A + 64 * PG));
	OK(w, av_mremap(w, c, A + 64 * PG, 2 * PG, 2 * PG, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED, A));
	assert_int_equal(nr_vmas(w, c), is_6_18() ? 2 : 1);
	assert_int_equal(page_at(w, c, A).mapcount, 2);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- faults ---- */

static void read_fault_zero_page(void **state)
{
	int p;
	(void)state;
	for (int zp = 0; zp <= 1; zp++) {
		av_world *w = new_world_with(g_policy, zp, NULL);
		OK(w, av_proc_create(w, &p));
		OK(w, av_mmap(w, p, A, 4 * PG, RW));
		OK(w, av_touch(w, p, A, 4 * PG, 0));
		struct av_stats s = stats(w);
		if (zp) {
			assert_int_equal(s.zero_ptes, 4);
			assert_int_equal(s.anon_ptes, 0);
			assert_int_equal(s.obj[AV_OBJ_ANON_VMA].live, 0);
		} else {
			/* pvm_no_zero_page: real pages, and an anon_vma. */
			assert_int_equal(s.zero_ptes, 0);
			assert_int_equal(s.anon_pages, 4);
			assert_int_equal(s.obj[AV_OBJ_ANON_VMA].live, 1);
		}
		/* Writing a zero-page PTE replaces it with a fresh page. */
		OK(w, av_touch(w, p, A, PG, 1));
		s = stats(w);
		assert_int_equal(s.anon_pages, zp ? 1 : 4);
		assert_int_equal(s.zero_ptes, zp ? 3 : 0);
		CHECK(w);
		av_world_destroy(w);
	}
}

static void write_fault_new_page(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 4 * PG, RW));
	OK(w, av_touch(w, p, A + 2 * PG, PG, 1));
	struct av_page_info pi = page_at(w, p, A + 2 * PG);
	assert_int_equal(pi.kind, AV_PTE_ANON);
	assert_int_equal(pi.anon_vma, vma_at(w, p, A).info.anon_vma);
	assert_int_equal(pi.index, A / PG + 2);
	assert_int_equal(pi.mapcount, 1);
	assert_true(pi.writable);
	assert_int_equal(pi.exclusive, is_6_18());
	CHECK(w);
	av_world_destroy(w);
}

static void access_checks(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, PG, RO));
	OK(w, av_mmap(w, p, A + 2 * PG, PG, AV_PROT_NONE));
	OK(w, av_touch(w, p, A, PG, 0));
	assert_int_equal(av_touch(w, p, A, PG, 1), -EFAULT);
	assert_int_equal(av_touch(w, p, A + PG, PG, 0), -EFAULT);  /* hole */
	assert_int_equal(av_touch(w, p, A + 2 * PG, PG, 0), -EFAULT);
	assert_int_equal(av_touch(w, p, A + 1, PG, 0), -EINVAL);
	assert_int_equal(stats(w).fault.segv, 3);
	CHECK(w);
	av_world_destroy(w);
}

/* Borrowing: a VMA faulting next to a compatible, never-forked neighbour
 * takes the neighbour's anon_vma, so the two may merge later. */
static void prepare_borrows_neighbour(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 2 * PG, RW));
	OK(w, av_touch(w, p, A, PG, 1));
	OK(w, av_mprotect(w, p, A + PG, PG, RO));  /* split: [A] rw, [A+PG] r */
	assert_int_equal(nr_vmas(w, p), 2);
	OK(w, av_mmap(w, p, A + 4 * PG, PG, RW));
	OK(w, av_mmap(w, p, A + 5 * PG, PG, RO));  /* different protection: two VMAs */
	OK(w, av_touch(w, p, A + 4 * PG, PG, 1));
	OK(w, av_touch(w, p, A + 5 * PG, PG, 0));
	uint64_t a4 = vma_at(w, p, A + 4 * PG).info.anon_vma;
	/* With the zero page, a read fault makes no anon_vma at all. */
	assert_int_equal(vma_at(w, p, A + 5 * PG).info.anon_vma, 0);
	OK(w, av_mprotect(w, p, A + 5 * PG, PG, RW));
	OK(w, av_touch(w, p, A + 5 * PG, PG, 1));
	assert_int_equal(nr_vmas(w, p), 3);  /* the mprotect merged them */
	assert_int_equal(vma_at(w, p, A + 5 * PG).info.anon_vma, a4);
	assert_int_equal(live(w, AV_OBJ_ANON_VMA), 2);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- fork and copy-on-write ---- */

static void fork_shares_pages_cow(void **state)
{
	int p, c;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 4 * PG, RW));
	OK(w, av_mmap(w, p, A + 8 * PG, 4 * PG, RW));  /* never touched */
	OK(w, av_touch(w, p, A, 4 * PG, 1));
	OK(w, av_fork(w, p, &c));
	struct av_page_info pp = page_at(w, p, A), cp = page_at(w, c, A);
	assert_int_equal(pp.pfn, cp.pfn);
	assert_int_equal(pp.mapcount, 2);
	assert_false(pp.writable);
	assert_false(cp.writable);
	assert_false(pp.exclusive);
	struct av_stats s = stats(w);
	assert_int_equal(s.anon_pages, 4);
	assert_int_equal(s.anon_ptes, 8);
	assert_int_equal(s.obj[AV_OBJ_ANON_VMA].live, 2);
	assert_int_equal(s.obj[AV_OBJ_AVC].live, 3);  /* parent 1, child 2 */
	assert_int_equal(nr_vmas(w, c), 2);
	assert_int_equal(vma_at(w, c, A + 8 * PG).info.anon_vma, 0);

	/* The child writes: a new page in the child's anon_vma. */
	OK(w, av_touch(w, c, A, PG, 1));
	cp = page_at(w, c, A);
	assert_int_not_equal(cp.pfn, pp.pfn);
	assert_int_equal(cp.anon_vma, vma_at(w, c, A).info.anon_vma);
	assert_int_equal(page_at(w, p, A).mapcount, 1);
	assert_int_equal(stats(w).fault.cow_copies, 1);

	/* The parent writes a page it alone maps now: reused in place. */
	OK(w, av_touch(w, p, A, PG, 1));
	assert_int_equal(page_at(w, p, A).pfn, pp.pfn);
	assert_true(page_at(w, p, A).writable);
	assert_int_equal(stats(w).fault.cow_reuses, 1);
	CHECK(w);
	av_world_destroy(w);
}

/* After the parent exits, the child's write reuses the shared page and moves
 * it to the child's own anon_vma. */
static void cow_reuse_moves_page(void **state)
{
	int p, c;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, PG, RW));
	OK(w, av_touch(w, p, A, PG, 1));
	uint64_t pav = vma_at(w, p, A).info.anon_vma;
	OK(w, av_fork(w, p, &c));
	OK(w, av_exit(w, p));
	assert_int_equal(page_at(w, c, A).anon_vma, pav);
	OK(w, av_touch(w, c, A, PG, 1));
	struct av_page_info pi = page_at(w, c, A);
	assert_int_equal(pi.anon_vma, vma_at(w, c, A).info.anon_vma);
	assert_int_not_equal(pi.anon_vma, pav);
	assert_int_equal(pi.exclusive, is_6_18());
	CHECK(w);
	av_world_destroy(w);
}

/* A forks B, B forks C, B exits; when C forks D, linux-6.18 gives D's VMA
 * B's idle anon_vma instead of a new one.  2.6.35 always allocates. */
static void fork_reuses_idle_anon_vma(void **state)
{
	int a, b, c, d;
	av_world *w = world_with_proc(&a);
	(void)state;

	OK(w, av_mmap(w, a, A, PG, RW));
	OK(w, av_touch(w, a, A, PG, 1));
	OK(w, av_fork(w, a, &b));
	uint64_t bav = vma_at(w, b, A).info.anon_vma;
	OK(w, av_fork(w, b, &c));
	OK(w, av_exit(w, b));
	assert_true(anon_vma(w, bav).found);  /* still linked from C's VMA */
	assert_int_equal(anon_vma(w, bav).info.num_active_vmas, 0);
	uint64_t before = stats(w).obj[AV_OBJ_ANON_VMA].allocated;
	OK(w, av_fork(w, c, &d));
	struct vma_probe dv = vma_at(w, d, A);
	if (is_6_18()) {
		assert_int_equal(dv.info.anon_vma, bav);
		assert_int_equal(stats(w).obj[AV_OBJ_ANON_VMA].allocated, before);
		assert_int_equal(stats(w).fork_reused, 1);
		assert_int_equal(dv.info.chain_len, 3);
	} else {
		assert_int_not_equal(dv.info.anon_vma, bav);
		assert_int_equal(stats(w).obj[AV_OBJ_ANON_VMA].allocated, before + 1);
		assert_int_equal(dv.info.chain_len, 4);
	}
	/* D's new pages land in the reused anon_vma and stay reachable. */
	OK(w, av_touch(w, d, A, PG, 1));
	assert_int_equal(page_at(w, d, A).anon_vma, dv.info.anon_vma);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- munmap, split ---- */

static void munmap_middle_splits(void **state)
{
	int p, c;
	av_world *w = forked_world(&p, &c, 6);
	(void)state;

	OK(w, av_munmap(w, c, A + 2 * PG, 2 * PG));
	assert_int_equal(nr_vmas(w, c), 2);
	struct vma_probe lo = vma_at(w, c, A), hi = vma_at(w, c, A + 4 * PG);
	assert_int_equal(lo.info.anon_vma, hi.info.anon_vma);  /* split shares it */
	assert_int_equal(hi.info.pgoff, A / PG + 4);
	assert_int_equal(lo.info.chain_len, 2);
	assert_int_equal(hi.info.chain_len, 2);
	assert_int_equal(anon_vma(w, lo.info.anon_vma).info.num_active_vmas, 2);
	assert_int_equal(page_at(w, p, A + 2 * PG).mapcount, 1);
	assert_int_equal(page_at(w, c, A + 2 * PG).kind, AV_PTE_NONE);
	assert_int_equal(live(w, AV_OBJ_AVC), 5);
	OK(w, av_munmap(w, c, A, 8 * PG));  /* covers a hole: fine */
	assert_int_equal(nr_vmas(w, c), 0);
	assert_int_equal(live(w, AV_OBJ_AVC), 1);
	assert_int_equal(av_munmap(w, c, A + 1, PG), -EINVAL);
	assert_int_equal(av_munmap(w, c, A, 0), -EINVAL);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- mprotect ---- */

static void mprotect_split_and_merge_back(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 3 * PG, RW));
	OK(w, av_touch(w, p, A, 3 * PG, 1));
	OK(w, av_mprotect(w, p, A + PG, PG, RO));
	assert_int_equal(nr_vmas(w, p), 3);
	assert_false(page_at(w, p, A + PG).writable);
	assert_int_equal(av_touch(w, p, A + PG, PG, 1), -EFAULT);
	OK(w, av_mprotect(w, p, A + PG, PG, RW));
	assert_int_equal(nr_vmas(w, p), 1);
	/* linux-6.18 makes an exclusive page writable at once; 2.6.35 waits
	 * for the write fault. */
	assert_int_equal(page_at(w, p, A + PG).writable, is_6_18());
	assert_int_equal(live(w, AV_OBJ_AVC), 1);
	/* A hole in the range: the part before it is changed, then ENOMEM. */
	OK(w, av_mmap(w, p, A + 4 * PG, PG, RW));
	assert_int_equal(av_mprotect(w, p, A, 5 * PG, RO), -ENOMEM);
	assert_int_equal(vma_at(w, p, A).info.prot, RO);
	assert_int_equal(vma_at(w, p, A + 4 * PG).info.prot, RW);
	CHECK(w);
	av_world_destroy(w);
}

/* A forked child's VMA cannot absorb a neighbour without an anon_vma under
 * linux-6.18 (it would spread its ancestors' chain). */
static void mprotect_merge_refused_after_fork(void **state)
{
	int p, c;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, PG, RW));
	OK(w, av_mmap(w, p, A + PG, PG, RO));
	OK(w, av_touch(w, p, A, PG, 1));
	OK(w, av_fork(w, p, &c));
	OK(w, av_mprotect(w, c, A + PG, PG, RW));
	assert_int_equal(nr_vmas(w, c), is_6_18() ? 2 : 1);
	OK(w, av_mprotect(w, p, A + PG, PG, RW));
	assert_int_equal(nr_vmas(w, p), 1);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- mremap ---- */

static void mremap_in_place(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 2 * PG, RW));
	OK(w, av_touch(w, p, A, 2 * PG, 1));
	OK(w, av_mremap(w, p, A, 2 * PG, 4 * PG, 0, 0));
	assert_int_equal(vma_at(w, p, A).info.end, A + 4 * PG);
	OK(w, av_touch(w, p, A + 3 * PG, PG, 1));
	OK(w, av_mmap(w, p, A + 5 * PG, PG, RW));
	assert_int_equal(av_mremap(w, p, A, 4 * PG, 6 * PG, 0, 0), -ENOMEM);
	/* Growing into the gap up to the neighbour joins it. */
	OK(w, av_mremap(w, p, A, 4 * PG, 5 * PG, 0, 0));
	assert_int_equal(nr_vmas(w, p), 1);
	OK(w, av_mremap(w, p, A, 6 * PG, 2 * PG, 0, 0));  /* shrink */
	assert_int_equal(vma_at(w, p, A).info.end, A + 2 * PG);
	assert_int_equal(stats(w).anon_pages, 2);
	assert_int_equal(av_mremap(w, p, A + 8 * PG, PG, 2 * PG, 0, 0), -EFAULT);
	assert_int_equal(av_mremap(w, p, A, PG, 2 * PG, AV_MREMAP_FIXED, A + 8 * PG), -EINVAL);
	assert_int_equal(av_mremap(w, p, A, 2 * PG, 2 * PG, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED,
				   A + PG), -EINVAL);
	CHECK(w);
	av_world_destroy(w);
}

static void mremap_move(void **state)
{
	int p, c;
	av_world *w = forked_world(&p, &c, 4);
	(void)state;

	struct av_page_info before = page_at(w, c, A + PG);
	OK(w, av_mremap(w, c, A + PG, 2 * PG, 2 * PG, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED,
			A + 0x100000));
	struct av_page_info after = page_at(w, c, A + 0x100000);
	assert_int_equal(after.pfn, before.pfn);
	assert_int_equal(after.index, before.index);
	struct vma_probe nv = vma_at(w, c, A + 0x100000);
	assert_int_equal(nv.info.pgoff, A / PG + 1);  /* the memory's offset moves with it */
	assert_int_equal(nr_vmas(w, c), 3);
	assert_int_equal(page_at(w, c, A + PG).kind, AV_PTE_NONE);
	/* rmap still finds the moved PTEs: reclaim of the shared page. */
	uint64_t n;
	OK(w, av_reclaim(w, p, A + PG, PG, &n));
	assert_int_equal(n, 1);
	assert_int_equal(page_at(w, c, A + 0x100000).kind, AV_PTE_SWAP);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- MADV_DONTNEED ---- */

static void dontneed_drops_pages_keeps_vma(void **state)
{
	int p;
	av_world *w = world_with_proc(&p);
	(void)state;

	OK(w, av_mmap(w, p, A, 4 * PG, RW));
	OK(w, av_touch(w, p, A, 4 * PG, 1));
	uint64_t av = vma_at(w, p, A).info.anon_vma;
	OK(w, av_madvise_dontneed(w, p, A, 2 * PG));
	assert_int_equal(stats(w).anon_pages, 2);
	assert_int_equal(vma_at(w, p, A).info.anon_vma, av);
	OK(w, av_touch(w, p, A, PG, 1));
	assert_int_equal(page_at(w, p, A).anon_vma, av);
	assert_int_equal(av_madvise_dontneed(w, p, A, 8 * PG), -ENOMEM);
	assert_int_equal(stats(w).anon_pages, 0);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- reclaim, swap-in, aging, migration ---- */

static void reclaim_and_swap_in(void **state)
{
	int p, c;
	av_world *w = world_with_proc(&p);
	uint64_t n;
	(void)state;

	OK(w, av_mmap(w, p, A, 2 * PG, RW));
	OK(w, av_touch(w, p, A, 2 * PG, 1));
	uint64_t root = vma_at(w, p, A).info.anon_vma;
	OK(w, av_fork(w, p, &c));
	OK(w, av_reclaim(w, c, A, 2 * PG, &n));
	assert_int_equal(n, 2);
	struct av_stats s = stats(w);
	assert_int_equal(s.swap_ptes, 4);
	assert_int_equal(s.anon_pages, 0);
	assert_int_equal(s.obj[AV_OBJ_SWAP].live, 2);
	assert_int_equal(s.walk.ptes_found, 4);

	/* A read swap-in of a shared entry: page in the root anon_vma. */
	OK(w, av_touch(w, c, A, PG, 0));
	struct av_page_info pi = page_at(w, c, A);
	assert_int_equal(pi.kind, AV_PTE_ANON);
	assert_int_equal(pi.anon_vma, root);
	assert_false(pi.exclusive);
	/* The parent finds the same page in the swap cache. */
	OK(w, av_touch(w, p, A, PG, 0));
	assert_int_equal(page_at(w, p, A).pfn, pi.pfn);
	assert_int_equal(page_at(w, p, A).mapcount, 2);
	assert_int_equal(stats(w).obj[AV_OBJ_SWAP].live, 2);  /* cached slot kept */
	/* A write by the last holder of the other entry takes it exclusively. */
	OK(w, av_exit(w, c));
	OK(w, av_touch(w, p, A + PG, PG, 1));
	pi = page_at(w, p, A + PG);
	assert_true(pi.writable);
	assert_int_equal(pi.exclusive, is_6_18());
	CHECK(w);
	av_world_destroy(w);
}

static void age_counts_and_clears_young(void **state)
{
	int p, c;
	av_world *w = forked_world(&p, &c, 2);
	uint64_t ref;
	(void)state;

	OK(w, av_age(w, p, A, 2 * PG, &ref));
	assert_int_equal(ref, 2);  /* parent's PTEs young; the child's start old */
	OK(w, av_age(w, p, A, 2 * PG, &ref));
	assert_int_equal(ref, 0);
	OK(w, av_touch(w, c, A, PG, 0));
	OK(w, av_age(w, p, A, 2 * PG, &ref));
	assert_int_equal(ref, 1);
	CHECK(w);
	av_world_destroy(w);
}

static void migrate_moves_frame(void **state)
{
	int p, c;
	av_world *w = forked_world(&p, &c, 2);
	uint64_t n;
	(void)state;

	struct av_page_info b = page_at(w, c, A);
	struct av_stats s0 = stats(w);
	OK(w, av_migrate(w, c, A, PG, &n));
	assert_int_equal(n, 1);
	struct av_page_info pa = page_at(w, p, A), ca = page_at(w, c, A);
	assert_int_not_equal(ca.pfn, b.pfn);
	assert_int_equal(ca.pfn, pa.pfn);
	assert_int_equal(ca.anon_vma, b.anon_vma);
	assert_int_equal(ca.index, b.index);
	assert_int_equal(ca.mapcount, 2);
	struct av_stats s1 = stats(w);
	assert_int_equal(s1.walk.walks - s0.walk.walks, 2);  /* unmap walk, restore walk */
	assert_int_equal(s1.obj[AV_OBJ_PAGE].live, s0.obj[AV_OBJ_PAGE].live);
	CHECK(w);
	av_world_destroy(w);
}

/* ---- walk cost: the policies' AVC sets ---- */

/* A parent with one VMA forks 8 children, each of which unmaps all but one
 * page, each a different one.  A walk from a parent page visits every
 * child's AVC on 2.6.35's list but only the covering one in the tree. */
static void walk_visits_only_covering_vmas(void **state)
{
	int p, c[8];
	av_world *w = world_with_proc(&p);
	uint64_t ref;
	(void)state;

	OK(w, av_mmap(w, p, A, 8 * PG, RW));
	OK(w, av_touch(w, p, A, 8 * PG, 1));
	for (int i = 0; i < 8; i++) {
		OK(w, av_fork(w, p, &c[i]));
		OK(w, av_munmap(w, c[i], A, 8 * PG));
		OK(w, av_mmap(w, c[i], A, 8 * PG, RW));
	}
	/* Children's fresh VMAs are not linked: only the parent's is. */
	struct av_stats s0 = stats(w);
	OK(w, av_age(w, p, A, PG, &ref));
	struct av_stats s1 = stats(w);
	assert_int_equal(s1.walk.avcs_visited - s0.walk.avcs_visited, 1);

	/* Now children that keep part of the memory. */
	int q[8];
	for (int i = 0; i < 8; i++) {
		OK(w, av_fork(w, p, &q[i]));
		if (i)
			OK(w, av_munmap(w, q[i], A, (uint64_t)i * PG));
		if (i < 7)
			OK(w, av_munmap(w, q[i], A + (uint64_t)(i + 1) * PG, (uint64_t)(7 - i) * PG));
	}
	s0 = stats(w);
	OK(w, av_age(w, p, A, PG, &ref));  /* page 0: the parent and q[0] */
	s1 = stats(w);
	assert_int_equal(s1.walk.walks - s0.walk.walks, 1);
	assert_int_equal(s1.walk.vmas_covering - s0.walk.vmas_covering, 2);
	assert_int_equal(s1.walk.avcs_visited - s0.walk.avcs_visited, is_6_18() ? 2 : 9);
	CHECK(w);
	av_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mmap_errors),
		cmocka_unit_test(mmap_merges_with_neighbours),
		cmocka_unit_test(mmap_next_to_fork_child),
		cmocka_unit_test(mremap_next_to_fork_child),
		cmocka_unit_test(read_fault_zero_page),
		cmocka_unit_test(write_fault_new_page),
		cmocka_unit_test(access_checks),
		cmocka_unit_test(prepare_borrows_neighbour),
		cmocka_unit_test(fork_shares_pages_cow),
		cmocka_unit_test(cow_reuse_moves_page),
		cmocka_unit_test(fork_reuses_idle_anon_vma),
		cmocka_unit_test(munmap_middle_splits),
		cmocka_unit_test(mprotect_split_and_merge_back),
		cmocka_unit_test(mprotect_merge_refused_after_fork),
		cmocka_unit_test(mremap_in_place),
		cmocka_unit_test(mremap_move),
		cmocka_unit_test(dontneed_drops_pages_keeps_vma),
		cmocka_unit_test(reclaim_and_swap_in),
		cmocka_unit_test(age_counts_and_clears_young),
		cmocka_unit_test(migrate_moves_frame),
		cmocka_unit_test(walk_visits_only_covering_vmas),
	};
	return RUN_BOTH_POLICIES("ops", tests);
}
