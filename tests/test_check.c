/* SPDX-License-Identifier: MIT */
/*
 * test_check.c - av_check() catches what it claims to: each test breaks one
 * invariant by hand (through the internal headers), expects the exact
 * complaint, repairs it, and expects a clean check again.
 */
#include "testutil.h"
#include <anonvma/limiter.h>
#include "mm/vm.h"
#include "mm/rmap.h"
#include "mm/policy.h"
#include "fork_fixture.h"

static void expect_violation(av_world *w, const char *needle)
{
	expect_check_error(w, av_check(w), needle);
	assert_false(av_check_known_flaw(w));   /* no design is known for these */
}

static struct av_page *page_of(struct fixture *f, struct av_mm *mm, uint64_t addr)
{
	return pfn_page(f->w, pte_val(*av_pte_lookup(mm, addr)));
}

static void detects_mapcount(void **state)
{
	struct fixture *f = *state;
	struct av_page *pg = page_of(f, f->pm, A + PG);
	pg->mapcount++;
	expect_violation(f->w, "mapcount 3, 2 PTEs map it");
	pg->mapcount--;
}

static void detects_refcount_leak(void **state)
{
	struct fixture *f = *state;
	struct av_page *pg = page_of(f, f->pm, A + PG);
	pg->refcount++;
	expect_violation(f->w, "refcount 3, expected 2");
	pg->refcount--;
}

static void detects_bad_index(void **state)
{
	struct fixture *f = *state;
	struct av_page *pg = page_of(f, f->pm, A + 2 * PG);
	pg->index++;
	expect_violation(f->w, "index");
	pg->index--;
}

/* Take the child's AVC out of the parent anon_vma's set: a walk from a
 * shared page misses the child's PTE. */
static void detects_missed_mapping(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *av = f->pv->anon_vma;
	struct anon_vma_chain *avc = av_vma_find_avc(f->cv, av);

	assert_non_null(avc);
	if (f->w->policy->avc_interval_tree)
		av_itree_remove(&av->avc_tree, &avc->it);
	else
		cds_list_del_init(&avc->same_anon_vma);
	expect_violation(f->w, "missing from its set");
	if (f->w->policy->avc_interval_tree)
		av_itree_insert(&av->avc_tree, &avc->it);
	else
		cds_list_add(&avc->same_anon_vma, &av->avc_list);
}

/* Point a shared page at the child's anon_vma: the walk from it cannot see
 * the parent's PTE, and the parent's chain does not hold it. */
static void detects_page_in_wrong_anon_vma(void **state)
{
	struct fixture *f = *state;
	struct av_page *pg = page_of(f, f->pm, A + 3 * PG);
	struct anon_vma *old = pg->mapping;
	pg->mapping = f->cv->anon_vma;
	expect_violation(f->w, "is not on vma");
	pg->mapping = old;
}

static void detects_wrong_root(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *child = f->cv->anon_vma, *root = child->root;
	child->root = child;
	expect_violation(f->w, "chain spans two trees (roots 2, 1)");
	child->root = root;
}

static void detects_refcount_and_counters(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *root = f->pv->anon_vma;

	root->refcount--;
	expect_violation(f->w, "refcount 1, structure implies 2");
	root->refcount++;
	root->num_children++;
	expect_violation(f->w, "num_children");
	root->num_children--;
	f->cv->anon_vma->num_active_vmas = 0;
	expect_violation(f->w, "num_active_vmas 0, structure implies 1");
	f->cv->anon_vma->num_active_vmas = 1;
}

static void detects_chain_order(void **state)
{
	struct fixture *f = *state;
	struct cds_list_head *h = &f->cv->anon_vma_chain, *first = h->next;
	/* Move the newest AVC to the tail: oldest first now. */
	cds_list_del_init(first);
	cds_list_add_tail(first, h);
	expect_violation(f->w, "chain not newest to oldest");
	cds_list_del_init(first);
	cds_list_add(first, h);
}

/* An AVC in an anon_vma's set that no chain holds (the set's size is no
 * longer stored: what it is checked against is the chains). */
static void detects_stray_avc_in_set(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *av = f->pv->anon_vma;
	struct anon_vma_chain stray = { .vma = f->pv, .anon_vma = av };
	bool tree = f->w->policy->avc_interval_tree;

	if (tree) {
		stray.it.start = f->pv->pgoff;
		stray.it.last = f->pv->pgoff;
		av_itree_insert(&av->avc_tree, &stray.it);
	} else {
		cds_list_add(&stray.same_anon_vma, &av->avc_list);
	}
	expect_violation(f->w, "AVCs in its set");
	if (tree)
		av_itree_remove(&av->avc_tree, &stray.it);
	else
		cds_list_del(&stray.same_anon_vma);
}

static void detects_object_leak(void **state)
{
	struct fixture *f = *state;
	f->w->st.obj[AV_OBJ_AVC].live++;
	expect_violation(f->w, "avc: allocated");
	f->w->st.obj[AV_OBJ_AVC].live--;
}

static void detects_writable_shared_pte(void **state)
{
	struct fixture *f = *state;
	av_pte *pte = av_pte_lookup(f->cm, A + PG);
	*pte |= PTE_WRITE;
	expect_violation(f->w, "writable PTE to a page mapped 2 times");
	*pte &= ~(av_pte)PTE_WRITE;
}

/* A slot freed twice: once more on the free list than it should be
 * (found by the stress test, 2026-11-26, as the zero slot "freed"). */
static void detects_slot_freed_twice(void **state)
{
	struct fixture *f = *state;
	struct av_pool *p = &f->w->swap;
	uint64_t a, b;

	/* Two slots handed out and put back: the list is b, a. */
	assert_int_equal(av_pool_get(f->w, p, &a), 0);
	assert_int_equal(av_pool_get(f->w, p, &b), 0);
	av_pool_put(p, a);
	av_pool_put(p, b);
	CHECK(f->w);
	*(uint64_t *)av_pool_at(p, a) = b;      /* a cycle: b listed twice */
	expect_violation(f->w, "swap pool: free list broken");
	*(uint64_t *)av_pool_at(p, a) = 0;
}

static void detects_used_frame_on_free_list(void **state)
{
	struct fixture *f = *state;
	struct av_pool *p = &f->w->frames;
	uint64_t pfn = pte_val(*av_pte_lookup(f->pm, A + PG)), head = p->free_head;

	p->free_head = pfn;   /* a page in use handed out again */
	*(uint64_t *)av_pool_at(p, pfn) = head;
	expect_violation(f->w, "frame pool: ");
	p->free_head = head;
	*(uint64_t *)av_pool_at(p, pfn) = 0;
}

/* An exclusive swap entry must be its slot's only one (2026-11-26: reclaim
 * read the exclusive bit once, before fork copied the PTE, and marked
 * both the parent's and the child's entries exclusive). */
static void detects_shared_exclusive_swap_entry(void **state)
{
	struct fixture *f = *state;
	uint64_t done = 0;
	av_pte *pte;

	OK(f->w, av_reclaim(f->w, f->p, A + PG, PG, &done));
	assert_int_equal(done, 1);
	pte = av_pte_lookup(f->pm, A + PG);
	assert_true(pte_is_swap(*pte) && !(*pte & PTE_SWP_EXCL));
	*pte |= PTE_SWP_EXCL;
	expect_violation(f->w, "exclusive swap entry, but slot");
	*pte &= ~(av_pte)PTE_SWP_EXCL;
}

/* A walk that finds a locked, mapped page whose anon_vma is dead says so
 * through av_check: a VMA maps the page without being linked to it. */
static void detects_walk_on_dead_anon_vma(void **state)
{
	struct fixture *f = *state;
	uint64_t pfn = pte_val(*av_pte_lookup(f->pm, A + PG));
	struct anon_vma *av = pfn_page(f->w, pfn)->mapping;
	unsigned long ref = av->refcount;

	av->refcount = 0;
	assert_int_equal(av_walk_page(f->w, pfn, AV_WALK_AGE), 0);  /* found nothing */
	av->refcount = ref;
	expect_check_error(f->w, av_check(f->w), "mapped, but its anon_vma 1 dead");
	/* 3.19's flaw ends in this use-after-free (CVE-2022-42703). */
	assert_int_equal(av_check_known_flaw(f->w), strcmp(g_policy, "3.19") == 0);
	f->w->dead_mapping_pfn = 0;
}

/* Two VMAs that share an anon_vma must share its chain: merging trusts
 * it.  3.19's reuse by degree breaks it (CVE-2022-42703), and only there
 * is it the design's known flaw. */
static void detects_shared_anon_vma_different_chains(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *own = f->cv->anon_vma, *parents = f->pv->anon_vma;
	struct av_policy_info info;

	if (!own || own == parents)
		skip();         /* no anon_vma of its own to trade (lazy, reuse) */
	f->cv->anon_vma = parents;      /* on the child's chain, but the parent's */
	own->num_active_vmas--;
	parents->num_active_vmas++;
	assert_int_equal(av_check(f->w), -EUCLEAN);
	if (!strstr(av_world_error(f->w), "but are linked to different anon_vmas"))
		fail_msg("unexpected: %s", av_world_error(f->w));
	assert_int_equal(av_policy_describe(g_policy, &info), 0);
	assert_int_equal(av_check_known_flaw(f->w), strcmp(g_policy, "3.19") == 0);
	assert_int_equal(info.known_flaw != NULL, strcmp(g_policy, "3.19") == 0);
	f->cv->anon_vma = own;
	own->num_active_vmas++;
	parents->num_active_vmas--;
	CHECK(f->w);
	assert_false(av_check_known_flaw(f->w));        /* the passing check's answer */
}

/* A file page mapped by the parent and the child, taken out of its file's
 * cache: the cache no longer holds what PTEs map. */
static void detects_file_page_out_of_cache(void **state)
{
	struct fixture *f = *state;
	int file;
	av_pte *slot;
	struct av_page *pg;

	OK(f->w, av_file_create(f->w, 4 * PG, &file));
	OK(f->w, av_mmap_file(f->w, f->p, A + 16 * PG, 4 * PG, RO, 0, file, 0));
	OK(f->w, av_touch(f->w, f->p, A + 16 * PG, PG, 0));
	CHECK(f->w);
	pg = page_of(f, f->pm, A + 16 * PG);
	slot = av_radix_lookup(pg->file->cache, pg->index << PAGE_SHIFT);
	assert_non_null(slot);
	av_pte saved = *slot;
	*slot = 0;
	expect_violation(f->w, "not in its file's cache");
	*slot = saved;
	/* And a private mapping that writes the file's page in place. */
	*av_pte_lookup(f->pm, A + 16 * PG) |= PTE_WRITE;
	expect_violation(f->w, "private mapping writes file page");
	*av_pte_lookup(f->pm, A + 16 * PG) &= ~(av_pte)PTE_WRITE;
	OK(f->w, av_file_close(f->w, file));
}

/* A thread the pid table does not know of. */
static void detects_task_count(void **state)
{
	struct fixture *f = *state;
	int t;

	OK(f->w, av_thread_create(f->w, f->p, &t));
	CHECK(f->w);
	f->pm->nr_tasks++;
	expect_violation(f->w, "tasks, but 2 pids name its mm");
	f->pm->nr_tasks--;
	OK(f->w, av_exit(f->w, t));
}

/* Checking after every operation allocates nothing once the checker has
 * its working memory; a check too big to keep gives back what it took;
 * the kept piece is not one of the world's objects. */
static void check_keeps_its_memory(void **state)
{
	struct av_limiter lim;
	av_world *w;
	uint64_t allocs, live, other;
	int p;

	(void)state;
	av_limiter_init(&lim, NULL);
	w = new_world_with(g_policy, 1, &lim.allocator);
	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap(w, p, A, 16 * PG, RW));
	OK(w, av_touch(w, p, A, 16 * PG, 1));
	other = stats(w).obj[AV_OBJ_OTHER].live;
	CHECK(w);
	assert_int_equal(stats(w).obj[AV_OBJ_OTHER].live, other);
	allocs = lim.allocations;
	live = lim.live_allocs;
	for (int i = 0; i < 4; i++) {
		OK(w, av_touch(w, p, A + (uint64_t)i * PG, PG, 1));
		assert_int_equal(av_check_incremental(w), 0);
		CHECK(w);
	}
	assert_int_equal(lim.allocations, allocs);
	assert_int_equal(lim.live_allocs, live);

	/* 9,000 frames: a full check's counters (8 bytes a frame) pass
	 * 64 KiB, so it takes them for itself and gives them back. */
	OK(w, av_mmap(w, p, 2 * A, 9000 * PG, RW));
	OK(w, av_touch(w, p, 2 * A, 9000 * PG, 1));
	allocs = lim.allocations;
	live = lim.live_allocs;
	CHECK(w);
	assert_int_equal(lim.allocations, allocs + 1);
	assert_int_equal(lim.live_allocs, live);
	av_world_destroy(w);
	assert_int_equal(lim.live_allocs, 0);
	assert_int_equal(lim.live_bytes, 0);

	/* A first check too big to keep anything, then an incremental one
	 * that needs no memory (no anon_vma or task changed): it runs, and
	 * takes none. */
	w = new_world_with(g_policy, 1, &lim.allocator);
	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap(w, p, A, 9000 * PG, RW));
	OK(w, av_touch(w, p, A, 9000 * PG, 1));
	assert_int_equal(av_check_incremental(w), 0);
	allocs = lim.allocations;
	OK(w, av_touch(w, p, A, PG, 1));
	assert_int_equal(av_check_incremental(w), 0);
	assert_int_equal(lim.allocations, allocs);
	av_world_destroy(w);
	assert_int_equal(lim.live_allocs, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(detects_mapcount),
		T(detects_refcount_leak),
		T(detects_bad_index),
		T(detects_missed_mapping),
		T(detects_page_in_wrong_anon_vma),
		T(detects_wrong_root),
		T(detects_refcount_and_counters),
		T(detects_chain_order),
		T(detects_stray_avc_in_set),
		T(detects_object_leak),
		T(detects_writable_shared_pte),
		T(detects_slot_freed_twice),
		T(detects_used_frame_on_free_list),
		T(detects_shared_exclusive_swap_entry),
		T(detects_walk_on_dead_anon_vma),
		T(detects_shared_anon_vma_different_chains),
		T(detects_file_page_out_of_cache),
		T(detects_task_count),
		cmocka_unit_test(check_keeps_its_memory),
	};
	/* 2.6.33 has no chains, roots or child anon_vmas to break. */
	return RUN_POLICIES_EXCEPT("check", tests, "2.6.33");
}
