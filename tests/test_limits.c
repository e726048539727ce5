/* SPDX-License-Identifier: MIT */
/*
 * test_limits.c - running out, operation by operation: of page frames
 * (a fault, a swap-in, a private file write, a migration), of swap slots
 * (reclaim), of processes (fork, threads), of address space (brk), and of
 * memory in the middle of a merge (the limiter refusing the one
 * allocation a merge needs).  Each failing call returns the errno Linux
 * would, says why, and leaves a world that passes av_check() and goes on
 * working once the resource is back.  And the incremental checker's change
 * log, which past its size makes the next check a full one.  Also the
 * world's accessors on the arguments they refuse.
 */
#include "testutil.h"
#include <anonvma/limiter.h>
#include "mm/vm.h"

#define A 0x40000000ULL

static av_world *limited_world(uint64_t frames, uint64_t slots, uint64_t procs)
{
	struct av_world_config cfg;

	av_world_config_init(&cfg);
	cfg.policy = g_policy;
	cfg.max_frames = frames;
	cfg.max_swap_slots = slots;
	cfg.max_procs = procs;
	return world_of(&cfg);
}

static void expect_error(av_world *w, int rc, int want, const char *needle)
{
	assert_int_equal(rc, want);
	if (!strstr(av_world_error(w), needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, av_world_error(w));
	CHECK(w);
}

/* Four frames: a fault, a swap-in, a migration and a private file write
 * each find none free. */
static void frames_run_out(void **state)
{
	av_world *w = limited_world(4, 0, 0);
	uint64_t done = 0;
	int p, file;

	(void)state;
	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap(w, p, A, 8 * PG, RW));
	OK(w, av_touch(w, p, A, 4 * PG, 1));
	expect_error(w, av_touch(w, p, A + 4 * PG, PG, 1), -ENOMEM, "out of page frames");
	assert_int_equal(live(w, AV_OBJ_PAGE), 4);

	/* Page 0 goes to swap, its frame to page 4. */
	OK(w, av_reclaim(w, p, A, PG, &done));
	assert_int_equal(done, 1);
	OK(w, av_touch(w, p, A + 4 * PG, PG, 1));
	expect_error(w, av_touch(w, p, A, PG, 0), -ENOMEM, "out of page frames for swap-in");
	expect_error(w, av_migrate(w, p, A + PG, PG, &done), -ENOMEM,
		     "no free frame to migrate to");
	assert_int_equal(page_at(w, p, A + PG).mapcount, 1);    /* still in place */

	/* One frame back: the file's page takes it, and a write through a
	 * second private mapping of the file finds none for its copy. */
	OK(w, av_munmap(w, p, A + 4 * PG, PG));
	OK(w, av_file_create(w, PG, &file));
	OK(w, av_mmap_file(w, p, A + 16 * PG, PG, RO, 0, file, 0));
	OK(w, av_mmap_file(w, p, A + 32 * PG, PG, RW, 0, file, 0));
	OK(w, av_touch(w, p, A + 16 * PG, PG, 0));
	expect_error(w, av_touch(w, p, A + 32 * PG, PG, 1), -ENOMEM, "out of page frames");

	/* With frames back, everything works again. */
	OK(w, av_munmap(w, p, A + PG, 3 * PG));
	OK(w, av_touch(w, p, A + 32 * PG, PG, 1));
	OK(w, av_touch(w, p, A, PG, 1));
	CHECK(w);
	OK(w, av_file_close(w, file));
	av_world_destroy(w);
}

/* Two swap slots for four pages: reclaim stops at the third. */
static void swap_runs_out(void **state)
{
	av_world *w = limited_world(0, 2, 0);
	uint64_t done = 0;
	int p;

	(void)state;
	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap(w, p, A, 4 * PG, RW));
	OK(w, av_touch(w, p, A, 4 * PG, 1));
	expect_error(w, av_reclaim(w, p, A, 4 * PG, &done), -ENOMEM, "no free swap slot");
	assert_int_equal(done, 2);
	assert_int_equal(live(w, AV_OBJ_SWAP), 2);
	assert_int_equal(page_at(w, p, A + 2 * PG).mapcount, 1);
	OK(w, av_touch(w, p, A, PG, 1));        /* swap-in gives a slot back */
	OK(w, av_reclaim(w, p, A + 2 * PG, PG, &done));
	assert_int_equal(done, 1);
	av_world_destroy(w);
}

/* Two tasks at most: a third, process or thread, is EAGAIN. */
static void processes_run_out(void **state)
{
	av_world *w = limited_world(0, 0, 2);
	int p, c, t;

	(void)state;
	OK(w, av_proc_create(w, &p));
	OK(w, av_fork(w, p, &c));
	expect_error(w, av_fork(w, p, &t), -EAGAIN, "process limit (2) reached");
	expect_error(w, av_proc_create(w, &t), -EAGAIN, "process limit (2) reached");
	expect_error(w, av_thread_create(w, c, &t), -EAGAIN, "process limit (2) reached");
	OK(w, av_exit(w, c));
	OK(w, av_thread_create(w, p, &t));
	av_world_destroy(w);
}

/* A heap up to the very end of the address space leaves no guard page. */
static void brk_to_the_top(void **state)
{
	av_world *w = new_world(g_policy);
	int p;

	(void)state;
	OK(w, av_proc_create(w, &p));
	expect_error(w, av_brk(w, p, AV_TASK_SIZE - AV_HEAP_START), -ENOMEM,
		     "is within a page of a mapping");
	OK(w, av_brk(w, p, AV_TASK_SIZE - AV_HEAP_START - PG));
	assert_int_equal(nr_vmas(w, p), 1);
	av_world_destroy(w);
}

/* ---- the change log of av_check_incremental ---- */

/* A zero-page PTE outside every VMA of p: only a full check counts the
 * PTEs outside VMAs. */
static av_pte *stray_pte(av_world *w, int p)
{
	struct av_mm *mm = av_mm_lookup(w, p);
	av_pte *pte;

	assert_int_equal(av_pte_alloc(w, mm, A + 1024 * PG, &pte), 0);
	av_pte_set(mm, A + 1024 * PG, pte, pte_mk(ZERO_PFN, PTE_PRESENT));
	return pte;
}

static void change_log_overflows(void **state)
{
	av_world *w = new_world(g_policy);
	struct av_mm *mm;
	av_pte *pte;
	int p;

	(void)state;
	OK(w, av_proc_create(w, &p));
	mm = av_mm_lookup(w, p);
	OK(w, av_mmap(w, p, A, 2 * AV_TOUCH_MAX * PG, RW));
	assert_int_equal(av_check_incremental(w), 0);   /* the log starts */
	/* Within the log: the incremental check misses the stray PTE. */
	OK(w, av_touch(w, p, A, 8 * PG, 1));
	OK(w, av_touch(w, p, A + 8 * PG, PG, 0));        /* the zero page: not logged */
	pte = stray_pte(w, p);
	assert_int_equal(av_check_incremental(w), 0);
	assert_int_equal(av_check(w), -EUCLEAN);
	av_pte_set(mm, A + 1024 * PG, pte, 0);
	/* Past it: the next check is a full one, and finds it. */
	OK(w, av_touch(w, p, A, 2 * AV_TOUCH_MAX * PG, 1));
	assert_true(w->touch.nr_pfns > AV_TOUCH_MAX);
	pte = stray_pte(w, p);
	assert_int_equal(av_check_incremental(w), -EUCLEAN);
	assert_non_null(strstr(av_world_error(w), "1 PTEs outside any VMA"));
	av_pte_set(mm, A + 1024 * PG, pte, 0);
	assert_int_equal(av_check_incremental(w), 0);
	av_world_destroy(w);
}

/* ---- a merge that cannot get its link ---- */

/* A world whose limiter refuses the next allocation when armed. */
struct armed {
	struct av_limiter lim;
	av_world *w;
	int p;
};

static void armed_world(struct armed *a)
{
	av_limiter_init(&a->lim, NULL);
	/* No zero page: a read fault makes pages, in a VMA read-only for
	 * now, which mprotect then makes like its writable neighbours. */
	a->w = new_world_with(g_policy, 0, &a->lim.allocator);
	OK(a->w, av_proc_create(a->w, &a->p));
}

static void arm(struct armed *a)
{
	a->lim.fail_nth = a->lim.allocations + 1;
}

/* The merge's one allocation is refused: -ENOMEM, VMAs as they were;
 * then it goes through. */
static void merge_refused(struct armed *a, int rc, int vmas)
{
	assert_int_equal(a->lim.refused_nth, 1);
	expect_error(a->w, rc, -ENOMEM, "cannot allocate an anon_vma_chain");
	assert_int_equal(nr_vmas(a->w, a->p), vmas);
	a->lim.fail_nth = 0;
}

static void done_armed(struct armed *a)
{
	CHECK(a->w);
	av_world_destroy(a->w);
	assert_int_equal(a->lim.live_bytes, 0);
}

/* mprotect makes a read-only VMA with pages like the never-faulted
 * writable VMA before it, after it, or both: the survivor must first be
 * linked to the pages' anon_vma, and that link cannot be had. */
static void mprotect_merge_refused(void **state)
{
	struct armed a;
	int p;

	(void)state;
	/* Absorbed by the VMA before it. */
	armed_world(&a);
	p = a.p;
	OK(a.w, av_mmap(a.w, p, A, 2 * PG, RW));
	OK(a.w, av_mmap(a.w, p, A + 2 * PG, 2 * PG, RO));
	OK(a.w, av_touch(a.w, p, A + 2 * PG, 2 * PG, 0));
	arm(&a);
	merge_refused(&a, av_mprotect(a.w, p, A + 2 * PG, 2 * PG, RW), 2);
	OK(a.w, av_mprotect(a.w, p, A + 2 * PG, 2 * PG, RW));
	assert_int_equal(nr_vmas(a.w, p), 1);
	done_armed(&a);

	/* By the one after it. */
	armed_world(&a);
	p = a.p;
	OK(a.w, av_mmap(a.w, p, A, 2 * PG, RO));
	OK(a.w, av_mmap(a.w, p, A + 2 * PG, 2 * PG, RW));
	OK(a.w, av_touch(a.w, p, A, 2 * PG, 0));
	arm(&a);
	merge_refused(&a, av_mprotect(a.w, p, A, 2 * PG, RW), 2);
	OK(a.w, av_mprotect(a.w, p, A, 2 * PG, RW));
	assert_int_equal(nr_vmas(a.w, p), 1);
	done_armed(&a);

	/* By both: the link the middle needs ... */
	armed_world(&a);
	p = a.p;
	OK(a.w, av_mmap(a.w, p, A, PG, RW));
	OK(a.w, av_mmap(a.w, p, A + PG, PG, RO));
	OK(a.w, av_mmap(a.w, p, A + 2 * PG, PG, RW));
	OK(a.w, av_touch(a.w, p, A + PG, PG, 0));
	arm(&a);
	merge_refused(&a, av_mprotect(a.w, p, A + PG, PG, RW), 3);
	OK(a.w, av_mprotect(a.w, p, A + PG, PG, RW));
	assert_int_equal(nr_vmas(a.w, p), 1);
	done_armed(&a);

	/* ... or the one the VMA after it needs. */
	armed_world(&a);
	p = a.p;
	OK(a.w, av_mmap(a.w, p, A, PG, RW));
	OK(a.w, av_mmap(a.w, p, A + PG, PG, RO));
	OK(a.w, av_mmap(a.w, p, A + 2 * PG, PG, RO));
	assert_int_equal(nr_vmas(a.w, p), 2);                  /* merged at mmap */
	OK(a.w, av_touch(a.w, p, A + 2 * PG, PG, 0));
	OK(a.w, av_mprotect(a.w, p, A + 2 * PG, PG, RW));      /* split off, pages */
	assert_int_equal(nr_vmas(a.w, p), 3);
	arm(&a);
	merge_refused(&a, av_mprotect(a.w, p, A + PG, PG, RW), 3);
	OK(a.w, av_mprotect(a.w, p, A + PG, PG, RW));
	assert_int_equal(nr_vmas(a.w, p), 1);
	done_armed(&a);
}

/* mremap grows a never-faulted VMA up to one with pages: joining them
 * needs the link. */
static void mremap_merge_refused(void **state)
{
	struct armed a;

	(void)state;
	armed_world(&a);
	OK(a.w, av_mmap(a.w, a.p, A, 2 * PG, RW));
	OK(a.w, av_mmap(a.w, a.p, A + 4 * PG, 2 * PG, RW));
	OK(a.w, av_touch(a.w, a.p, A + 4 * PG, 2 * PG, 1));
	arm(&a);
	merge_refused(&a, av_mremap(a.w, a.p, A, 2 * PG, 4 * PG, 0, 0), 2);
	OK(a.w, av_mremap(a.w, a.p, A, 2 * PG, 4 * PG, 0, 0));
	assert_int_equal(nr_vmas(a.w, a.p), 1);
	done_armed(&a);
}

/* ---- arguments refused ---- */

static void unknown_policy(void **state)
{
	struct av_world_config cfg;
	struct av_policy_info info;
	av_world *w = NULL;

	(void)state;
	av_world_config_init(&cfg);
	cfg.policy = "linux-9";
	assert_int_equal(av_world_create(&cfg, &w), -EINVAL);
	assert_null(w);
	assert_int_equal(av_policy_describe("linux-9", &info), -EINVAL);
}

static void accessors(void **state)
{
	struct av_world_config cfg;
	av_world *w;
	int p;

	(void)state;
	av_world_destroy(NULL);
	assert_string_equal(av_world_error(NULL), "no world");
	assert_int_equal(av_check_known_flaw(NULL), 0);
	assert_string_equal(av_obj_kind_name(AV_OBJ_NR), "?");
	assert_string_equal(av_obj_kind_name(AV_OBJ_AVC), "avc");

	av_world_config_init(&cfg);
	cfg.fault_around_pages = 4;
	w = world_of(&cfg);
	assert_int_equal(av_world_fault_around(w), 4);
	/* No task has pid 0, none a pid beyond the table. */
	assert_int_equal(av_vma_foreach(w, 0, count_vma_cb, &p), -ESRCH);
	assert_int_equal(av_vma_foreach(w, 1 << 20, count_vma_cb, &p), -ESRCH);
	/* A shared anonymous mapping's object has no name: file 0 is none. */
	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap_file(w, p, A, PG, RW, AV_MAP_SHARED, 0, 0));
	assert_int_equal(av_file_close(w, 0), -EBADF);
	av_world_destroy(w);

	w = new_world(g_policy);
	assert_int_equal(av_world_fault_around(w), 16);
	av_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest all[] = {
		cmocka_unit_test(frames_run_out),
		cmocka_unit_test(swap_runs_out),
		cmocka_unit_test(processes_run_out),
		cmocka_unit_test(brk_to_the_top),
		cmocka_unit_test(change_log_overflows),
	};
	/* Which merges a design allows is its own (test_ops.c): these are
	 * linux-6.18's. */
	const struct CMUnitTest one[] = {
		cmocka_unit_test(mprotect_merge_refused),
		cmocka_unit_test(mremap_merge_refused),
		cmocka_unit_test(unknown_policy),
		cmocka_unit_test(accessors),
	};
	return RUN_ALL_POLICIES("limits", all) |
	       cmocka_run_group_tests_name("limits [linux-6.18]", one, set_policy_6_18, NULL);
}
