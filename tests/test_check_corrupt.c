/* SPDX-License-Identifier: MIT */
/*
 * test_check_corrupt.c - every complaint av_check() can make, made to
 * happen.  test_check.c breaks the invariants designs and bugs have broken;
 * this file breaks each of the others once - object counts, pools, chains,
 * PTEs, page tables, VMA trees, files, tasks, anon_vmas, pages and swap
 * slots - through the internal headers, expects the exact complaint, puts
 * the world back, and expects a clean check again (the teardown's).
 * Under every design; a corruption a design cannot have (an interval tree
 * under a list design) skips.
 */
#include "testutil.h"
#include "mm/vm.h"
#include "mm/rmap.h"
#include "mm/policy.h"
#include "fork_fixture.h"

static void expect_violation(av_world *w, const char *needle)
{
	expect_check_error(w, av_check(w), needle);
}

static void expect_incremental_violation(av_world *w, const char *needle)
{
	expect_check_error(w, av_check_incremental(w), needle);
}

static av_pte *pte_of(struct av_mm *mm, uint64_t addr)
{
	av_pte *pte = av_pte_lookup(mm, addr);

	assert_non_null(pte);
	return pte;
}

static struct av_page *page_of(struct fixture *f, struct av_mm *mm, uint64_t addr)
{
	return pfn_page(f->w, pte_val(*pte_of(mm, addr)));
}

/* An anon_vma no VMA uses, first on the world's list (so checked first),
 * counted as allocated; listed_del takes it back out. */
static void listed_add(struct fixture *f, struct anon_vma *av)
{
	cds_list_add(&av->node, &f->w->anon_vmas);
	f->w->st.obj[AV_OBJ_ANON_VMA].allocated++;
	f->w->st.obj[AV_OBJ_ANON_VMA].live++;
}

static void listed_del(struct fixture *f, struct anon_vma *av)
{
	cds_list_del(&av->node);
	f->w->st.obj[AV_OBJ_ANON_VMA].allocated--;
	f->w->st.obj[AV_OBJ_ANON_VMA].live--;
}

/* A private read-only mapping of a 4-page file at A+16 pages, page 0 read
 * in and mapped; its file in *file (the caller closes it). */
static struct av_page *map_file_page(struct fixture *f, int *file)
{
	OK(f->w, av_file_create(f->w, 4 * PG, file));
	OK(f->w, av_mmap_file(f->w, f->p, A + 16 * PG, 4 * PG, RO, 0, *file, 0));
	OK(f->w, av_touch(f->w, f->p, A + 16 * PG, PG, 0));
	CHECK(f->w);
	return page_of(f, f->pm, A + 16 * PG);
}

/* ---- object counts and pools ---- */

static void detects_object_counts(void **state)
{
	struct fixture *f = *state;
	struct av_world *w = f->w;

	w->st.obj[AV_OBJ_ANON_VMA].allocated++;
	w->st.obj[AV_OBJ_ANON_VMA].live++;
	expect_violation(w, "on the world list");
	w->st.obj[AV_OBJ_ANON_VMA].allocated--;
	w->st.obj[AV_OBJ_ANON_VMA].live--;

	w->nr_procs++;
	expect_violation(w, "mm: 2 live, 2 listed, 3 processes");
	w->nr_procs--;

	w->frames.nr_used++;
	expect_violation(w, "frames in use");
	w->frames.nr_used--;

	w->swap.nr_used++;
	expect_violation(w, "swap: 0 live but 1 slots in use");
	w->swap.nr_used--;
}

static void detects_pool_bounds(void **state)
{
	struct fixture *f = *state;
	struct av_pool *frames = &f->w->frames, *swap = &f->w->swap;
	uint64_t handed = frames->nr_handed;

	frames->nr_handed = frames->nr_total + 1;
	expect_violation(f->w, "frame pool: ");
	expect_violation(f->w, "handed out of");
	frames->nr_handed = handed;

	/* Every slot ever handed out in use: index 0 too. */
	swap->nr_used = swap->nr_handed;
	f->w->st.obj[AV_OBJ_SWAP].allocated++;
	f->w->st.obj[AV_OBJ_SWAP].live++;
	expect_violation(f->w, "swap pool: 1 used, 1 handed");
	swap->nr_used = 0;
	f->w->st.obj[AV_OBJ_SWAP].allocated--;
	f->w->st.obj[AV_OBJ_SWAP].live--;
}

/* A frame freed but missing from the free list. */
static void detects_lost_free_frame(void **state)
{
	struct fixture *f = *state;
	struct av_pool *p = &f->w->frames;
	uint64_t head;

	OK(f->w, av_madvise_dontneed(f->w, f->c, A, PG));      /* frees C's copy */
	head = p->free_head;
	assert_true(head != 0);
	p->free_head = 0;
	expect_violation(f->w, "frame pool: 0 free, expected 1");
	p->free_head = head;
}

/* ---- chains ---- */

static void detects_avc_of_another_vma(void **state)
{
	struct fixture *f = *state;
	struct anon_vma_chain *avc = cds_list_entry(f->pv->anon_vma_chain.next,
						    struct anon_vma_chain, same_vma);

	avc->vma = f->cv;
	expect_violation(f->w, "chain holds an AVC of vma");
	avc->vma = f->pv;
}

static void detects_avc_keyed_wrong(void **state)
{
	struct fixture *f = *state;
	struct anon_vma_chain *avc = av_vma_find_avc(f->pv, f->root);

	if (!f->w->policy->avc_interval_tree)
		skip();         /* a list has no keys */
	avc->it.last++;
	expect_violation(f->w, "AVC keyed [");
	avc->it.last--;
}

static void detects_chain_without_parent(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *own = f->cv->anon_vma, *parent, ghost;

	if (!own || own == own->root)
		skip();         /* the child shares the root (2.6.33) */
	memset(&ghost, 0, sizeof(ghost));
	ghost.root = own->root;
	parent = own->parent;
	own->parent = &ghost;   /* a parent on no chain */
	expect_violation(f->w, "on chain without its parent");
	own->parent = parent;
}

static void detects_chain_ending_below_root(void **state)
{
	struct fixture *f = *state;
	struct anon_vma ghost;

	memset(&ghost, 0, sizeof(ghost));
	ghost.root = &ghost;
	f->root->root = &ghost; /* P's chain, [root], no longer ends at a root */
	expect_violation(f->w, "not at the root");
	f->root->root = f->root;
}

static void detects_anon_vma_off_chain(void **state)
{
	struct fixture *f = *state;
	struct anon_vma ghost;

	memset(&ghost, 0, sizeof(ghost));
	f->pv->anon_vma = &ghost;
	expect_violation(f->w, "is not on its chain");
	f->pv->anon_vma = f->root;
}

static void detects_chain_without_anon_vma(void **state)
{
	struct fixture *f = *state;

	if (f->w->policy->lazy_anon_vma)
		skip();         /* the lazy design's normal state */
	f->pv->anon_vma = NULL;
	expect_violation(f->w, "AVCs but no anon_vma");
	f->pv->anon_vma = f->root;
}

/* ---- PTEs ---- */

static void detects_file_page_elsewhere(void **state)
{
	struct fixture *f = *state;
	int file;
	struct av_page *pg = map_file_page(f, &file);
	struct av_file *owner = pg->file;

	pg->file = NULL;
	expect_violation(f->w, "of another file than vma");
	pg->file = owner;
	pg->index++;
	expect_violation(f->w, "file page");
	expect_violation(f->w, "index 1, expected 0");
	pg->index--;
	OK(f->w, av_file_close(f->w, file));
}

static void detects_swap_entry_to_free_slot(void **state)
{
	struct fixture *f = *state;
	av_pte *pte = pte_of(f->pm, A + PG), saved = *pte;

	*pte = pte_mk(f->w->swap.nr_handed + 7, PTE_SWAP);
	expect_violation(f->w, "swap entry to a free slot");
	*pte = pte_mk(0, PTE_SWAP);
	expect_violation(f->w, "swap entry to a free slot 0");
	*pte = saved;
}

/* Neither present nor swap: a migration entry, which no check can meet
 * (migration holds the page lock throughout, fork and faults wait). */
static void detects_stray_pte(void **state)
{
	struct fixture *f = *state;
	av_pte *pte = pte_of(f->pm, A + PG), saved = *pte;

	*pte = pte_mk(pte_val(saved), PTE_MIGRATION);
	expect_violation(f->w, "stray PTE");
	*pte = saved;
}

static void detects_writable_zero_page(void **state)
{
	struct fixture *f = *state;
	av_pte *pte;

	if (!av_world_zero_page(f->w))
		skip();
	OK(f->w, av_mmap(f->w, f->p, A + 8 * PG, PG, RW));
	OK(f->w, av_touch(f->w, f->p, A + 8 * PG, PG, 0));
	pte = pte_of(f->pm, A + 8 * PG);
	assert_int_equal(pte_val(*pte), ZERO_PFN);
	*pte |= PTE_WRITE;
	expect_violation(f->w, "writable zero page");
	*pte &= ~(av_pte)PTE_WRITE;
}

static void detects_free_frame_mapped(void **state)
{
	struct fixture *f = *state;
	av_pte *pte = pte_of(f->pm, A + PG), saved = *pte;
	uint64_t freed;

	*pte = pte_mk(f->w->frames.nr_handed + 3, PTE_PRESENT);
	expect_violation(f->w, "maps free frame");
	/* A frame below the high-water mark, but on the free list. */
	freed = pte_val(*pte_of(f->cm, A));
	OK(f->w, av_madvise_dontneed(f->w, f->c, A, PG));
	*pte = pte_mk(freed, PTE_PRESENT);
	expect_violation(f->w, "maps free frame");
	*pte = saved;
}

static void detects_anon_page_in_shared_vma(void **state)
{
	struct fixture *f = *state;

	f->pv->flags |= VM_SHARED;
	expect_violation(f->w, "anonymous page in shared vma");
	f->pv->flags &= ~VM_SHARED;
}

static void detects_anon_page_without_chain(void **state)
{
	struct fixture *f = *state;
	struct cds_list_head *h = &f->pv->anon_vma_chain, saved = *h;

	CDS_INIT_LIST_HEAD(h);
	f->pv->anon_vma = NULL;
	expect_violation(f->w, "without anon_vma");
	*h = saved;
	f->pv->anon_vma = f->root;
}

static void detects_writable_pte_in_readonly_vma(void **state)
{
	struct fixture *f = *state;

	assert_true(*pte_of(f->cm, A) & PTE_WRITE);    /* C's own copy */
	f->cv->flags &= ~VM_WRITE;
	expect_violation(f->w, "writable PTE in a read-only VMA");
	f->cv->flags |= VM_WRITE;
}

/* ---- page tables and VMA trees ---- */

static void detects_table_count(void **state)
{
	struct fixture *f = *state;
	struct av_pt *t = f->pm->pgd;

	for (int level = 0; level < PT_LEVELS - 1; level++)
		t = t->e.dir[(A >> (PAGE_SHIFT + 9 * (PT_LEVELS - 1 - level))) % PT_ENTRIES];
	t->used++;
	expect_violation(f->w, "page table at level 3: 4 entries, counted 5");
	t->used--;
}

static void detects_vma_tree(void **state)
{
	struct fixture *f = *state;

	av_rb_set_red(f->pm->vma_tree.node, true);
	expect_violation(f->w, "VMA tree: red root");
	av_rb_set_red(f->pm->vma_tree.node, false);
}

static void detects_bad_vma(void **state)
{
	struct fixture *f = *state;
	struct av_vma *v = f->pv;

	v->mm = f->cm;
	expect_violation(f->w, "bad vma");
	v->mm = f->pm;
	v->start = v->end;
	expect_violation(f->w, "bad vma");
	v->start = A + 1;
	expect_violation(f->w, "bad vma");
	v->start = A;
	v->end++;
	expect_violation(f->w, "bad vma");
	v->end = AV_TASK_SIZE + PG;
	expect_violation(f->w, "bad vma");
	v->end = A + 4 * PG;
}

static void detects_overlap(void **state)
{
	struct fixture *f = *state;
	struct av_vma *next;

	OK(f->w, av_mmap(f->w, f->p, A + 8 * PG, 2 * PG, RW));
	next = av_vma_find(f->pm, A + 8 * PG);
	next->start = A + 3 * PG;
	expect_violation(f->w, "overlaps its predecessor");
	next->start = A + 8 * PG;
}

static void detects_vma_count(void **state)
{
	struct fixture *f = *state;

	f->pm->nr_vmas++;
	expect_violation(f->w, "1 VMAs in the tree, 2 counted");
	f->pm->nr_vmas--;
}

static void detects_pte_outside_vmas(void **state)
{
	struct fixture *f = *state;
	uint64_t addr = A + 64 * PG;
	av_pte *pte;

	assert_int_equal(av_pte_alloc(f->w, f->pm, addr, &pte), 0);
	av_pte_set(f->pm, addr, pte, pte_mk(ZERO_PFN, PTE_PRESENT));
	expect_violation(f->w, "1 PTEs outside any VMA");
	av_pte_set(f->pm, addr, pte, 0);
}

/* An incremental check still looks at the chains and VMA counts of
 * processes no operation touched. */
static void detects_untouched_process(void **state)
{
	struct fixture *f = *state;
	struct anon_vma_chain *avc = cds_list_entry(f->cv->anon_vma_chain.next,
						    struct anon_vma_chain, same_vma);

	assert_int_equal(av_check_incremental(f->w), 0);       /* starts the log */
	/* The parent maps a page: the anon_vma side changed, so the child,
	 * which no operation touched, has its VMAs and chains checked. */
	f->cm->nr_vmas++;
	OK(f->w, av_mmap(f->w, f->p, A + 8 * PG, PG, RW));
	expect_incremental_violation(f->w, "1 VMAs in the tree, 2 counted");
	f->cm->nr_vmas--;
	avc->vma = f->pv;
	OK(f->w, av_munmap(f->w, f->p, A + 8 * PG, PG));
	expect_incremental_violation(f->w, "chain holds an AVC of vma");
	avc->vma = f->cv;
}

/* What no operation changed an incremental check takes as the last check
 * found it: a break no operation made is the full check's to find. */
static void incremental_trusts_what_did_not_change(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(av_check_incremental(f->w), 0);       /* starts the log */
	f->root->num_active_vmas++;
	/* A write fault on a page the child shares: a copy, PTEs and pages
	 * change, the anon_vma side does not. */
	OK(f->w, av_touch(f->w, f->p, A + PG, PG, 1));
	assert_int_equal(av_check_incremental(f->w), 0);
	expect_violation(f->w, "num_active_vmas");
	/* Once an operation changes that side, the incremental check sees it. */
	OK(f->w, av_mmap(f->w, f->p, A + 8 * PG, PG, RW));
	expect_incremental_violation(f->w, "num_active_vmas");
	f->root->num_active_vmas--;
}

/* ---- files and tasks ---- */

static void detects_file_cache(void **state)
{
	struct fixture *f = *state;
	int file;
	struct av_page *pg = map_file_page(f, &file);
	struct av_file *fl = pg->file;

	/* Mapped by a VMA, but off the world's list of files. */
	cds_list_del(&fl->node);
	expect_violation(f->w, "its file is not open");
	cds_list_add(&fl->node, &f->w->files);
	/* Unmapped, the page stays in the cache: only the file's own
	 * checks see it. */
	OK(f->w, av_munmap(f->w, f->p, A + 16 * PG, 4 * PG));
	assert_int_equal(fl->nr_pages, 1);
	pg->index++;
	expect_violation(f->w, "cache entry 0 is not its page");
	pg->index--;
	fl->refs++;
	expect_violation(f->w, "2 references, 1 users");
	fl->refs--;
	fl->nr_pages++;
	expect_violation(f->w, "1 pages cached, 2 counted");
	fl->nr_pages--;
	OK(f->w, av_file_close(f->w, file));
}

static void detects_tasks(void **state)
{
	struct fixture *f = *state;

	f->pm->brk = f->pm->start_brk - PG;
	expect_violation(f->w, "below the heap's start");
	f->pm->brk = f->pm->start_brk;
	f->w->nr_tasks++;
	expect_violation(f->w, "tasks: 3 counted by the world, 2 by its processes, 2 pids");
	f->w->nr_tasks--;
}

/* ---- anon_vmas ---- */

static void detects_dead_root(void **state)
{
	struct fixture *f = *state;
	struct anon_vma stray, ghost;

	memset(&stray, 0, sizeof(stray));
	memset(&ghost, 0, sizeof(ghost));
	stray.root = &ghost;
	stray.parent = &stray;
	listed_add(f, &stray);
	expect_violation(f->w, "its root or parent is not alive");
	stray.root = &stray;
	stray.parent = &ghost;
	expect_violation(f->w, "its root or parent is not alive");
	listed_del(f, &stray);
}

/* A process of its own, whose anon_vma leaves the world's list. */
static void detects_dead_anon_vma_in_use(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *av;
	int q;

	OK(f->w, av_proc_create(f->w, &q));
	OK(f->w, av_mmap(f->w, q, A, PG, RW));
	OK(f->w, av_touch(f->w, q, A, PG, 1));
	av = av_vma_find(av_mm_lookup(f->w, q), A)->anon_vma;
	listed_del(f, av);
	expect_violation(f->w, "its anon_vma is not alive");
	listed_add(f, av);
	OK(f->w, av_exit(f->w, q));
}

/* A chain that holds a dead anon_vma no VMA uses as its own: under a
 * lazy design, a grandchild linked to its exited parent's anon_vma
 * without one of its own yet. */
static void detects_dead_anon_vma_on_chain(void **state)
{
	struct fixture *f = *state;
	struct anon_vma *av = f->cv->anon_vma;
	int g;

	if (!f->w->policy->lazy_anon_vma)
		skip();         /* elsewhere a chain's anon_vmas are its own's ancestors */
	assert_non_null(av);
	OK(f->w, av_fork(f->w, f->c, &g));
	OK(f->w, av_exit(f->w, f->c));
	assert_null(av_vma_find(av_mm_lookup(f->w, g), A)->anon_vma);
	listed_del(f, av);
	expect_violation(f->w, "linked to an anon_vma that is not alive");
	listed_add(f, av);
	OK(f->w, av_exit(f->w, g));
}

static void detects_bad_root_and_parent(void **state)
{
	struct fixture *f = *state;
	struct anon_vma a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	/* b's root is a, whose root is the real root. */
	a.root = f->root;
	a.parent = f->root;
	b.root = &a;
	b.parent = &a;
	listed_add(f, &a);
	listed_add(f, &b);
	expect_violation(f->w, "is not its own root");
	listed_del(f, &b);
	listed_del(f, &a);

	/* A root whose parent is another. */
	a.root = &a;
	a.parent = f->root;
	listed_add(f, &a);
	expect_violation(f->w, "differs from its parent's");
	listed_del(f, &a);
	/* A child in another tree than its parent (checked first). */
	a.root = f->root;
	a.parent = &b;
	b.root = &b;
	b.parent = &b;
	listed_add(f, &b);
	listed_add(f, &a);
	expect_violation(f->w, "differs from its parent's");
	listed_del(f, &a);
	listed_del(f, &b);

	/* Alive, but linked to nothing. */
	a.root = &a;
	a.parent = &a;
	listed_add(f, &a);
	expect_violation(f->w, "alive with no VMA linked");
	listed_del(f, &a);
}

static void detects_avc_tree(void **state)
{
	struct fixture *f = *state;
	struct av_rb_node *top = f->root->avc_tree.root.node;

	if (!f->w->policy->avc_interval_tree)
		skip();
	av_rb_set_red(top, true);
	expect_violation(f->w, "AVC tree: red root");
	av_rb_set_red(top, false);
}

/* An AVC of another anon_vma in the root's set. */
static void detects_foreign_avc(void **state)
{
	struct fixture *f = *state;
	struct anon_vma_chain avc;
	struct anon_vma ghost;

	memset(&avc, 0, sizeof(avc));
	memset(&ghost, 0, sizeof(ghost));
	avc.vma = f->pv;
	avc.anon_vma = &ghost;
	if (f->w->policy->avc_interval_tree) {
		avc.it.start = f->pv->pgoff;
		avc.it.last = f->pv->pgoff + vma_pages(f->pv) - 1;
		av_itree_insert(&f->root->avc_tree, &avc.it);
		expect_violation(f->w, "foreign AVC in its tree");
		av_itree_remove(&f->root->avc_tree, &avc.it);
	} else {
		cds_list_add(&avc.same_anon_vma, &f->root->avc_list);
		expect_violation(f->w, "foreign AVC in its list");
		cds_list_del(&avc.same_anon_vma);
	}
}

/* The interval tree's own count of its nodes (a list keeps none). */
static void detects_avc_count(void **state)
{
	struct fixture *f = *state;
	size_t n = f->root->avc_tree.count;

	if (!f->w->policy->avc_interval_tree)
		skip();
	f->root->avc_tree.count++;
	expect_violation(f->w, "AVC tree: ");
	f->root->avc_tree.count--;
	(void)n;
}

/* ---- pages and swap slots ---- */

static void detects_file_page_made_anonymous(void **state)
{
	struct fixture *f = *state;
	int file;
	struct av_page *pg = map_file_page(f, &file);

	pg->mapping = f->root;
	expect_violation(f->w, "a file page out of its file's cache, or anonymous too");
	pg->mapping = NULL;
	pg->flags |= PG_EXCLUSIVE;
	expect_violation(f->w, "or anonymous too");
	pg->flags &= ~PG_EXCLUSIVE;
	OK(f->w, av_file_close(f->w, file));
}

static void detects_page_state(void **state)
{
	struct fixture *f = *state;
	struct av_page *pg = page_of(f, f->pm, A + PG);       /* shared: mapped twice */

	pg->flags |= PG_LOCKED;
	expect_violation(f->w, "leaked or left locked");
	pg->flags &= ~PG_LOCKED;
	pg->flags |= PG_EXCLUSIVE;
	expect_violation(f->w, "exclusive but mapped 2 times");
	pg->flags &= ~PG_EXCLUSIVE;
}

/* Page 2 reclaimed from both, then read back by P: in the swap cache,
 * C's swap entry still on its slot. */
static struct av_page *swap_cached_page(struct fixture *f, struct av_swap_slot **slot)
{
	uint64_t done = 0;
	struct av_page *pg;

	OK(f->w, av_reclaim(f->w, f->p, A + 2 * PG, PG, &done));
	assert_int_equal(done, 1);
	OK(f->w, av_touch(f->w, f->p, A + 2 * PG, PG, 0));
	pg = page_of(f, f->pm, A + 2 * PG);
	assert_true(pg->flags & PG_SWAPCACHE);
	*slot = swap_slot(f->w, pg->swap_slot);
	assert_int_equal((*slot)->count, 1);
	assert_true(pte_is_swap(*pte_of(f->cm, A + 2 * PG)));
	CHECK(f->w);
	return pg;
}

static void detects_swap_cache_state(void **state)
{
	struct fixture *f = *state;
	struct av_swap_slot *s;
	struct av_page *pg = swap_cached_page(f, &s);
	uint64_t slot = pg->swap_slot;

	pg->swap_slot = 0;
	expect_violation(f->w, "points elsewhere");
	pg->swap_slot = slot;
	s->count++;
	expect_violation(f->w, "count 2, 1 swap PTEs");
	s->count--;
}

static void detects_slot_used_by_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t slot;

	av_mutex_lock(&f->w->swap_lock);
	assert_int_equal(av_swap_alloc_locked(f->w, &slot), 0);
	av_mutex_unlock(&f->w->swap_lock);
	expect_violation(f->w, "in use by nothing");
	av_swap_entry_dup(f->w, slot);
	av_swap_entry_put(f->w, slot);  /* count 0, no page: freed */
}

/* A slot whose swap cache names a page that is not in it. */
static void detects_slot_cache_mismatch(void **state)
{
	struct fixture *f = *state;
	uint64_t done = 0;
	struct av_swap_slot *s;

	OK(f->w, av_reclaim(f->w, f->p, A + 2 * PG, PG, &done));
	s = swap_slot(f->w, pte_val(*pte_of(f->pm, A + 2 * PG)));
	assert_int_equal(s->cache_pfn, 0);      /* written out */
	s->cache_pfn = pte_val(*pte_of(f->pm, A + 3 * PG));
	expect_violation(f->w, "cached page disagrees");
	s->cache_pfn = 0;
}

/* An incremental check looks at the frames and slots an operation
 * touched. */
static void detects_touched_page_and_slot(void **state)
{
	struct fixture *f = *state;
	uint64_t done = 0;
	struct av_page *pg;
	struct av_swap_slot *s;

	assert_int_equal(av_check_incremental(f->w), 0);
	OK(f->w, av_touch(f->w, f->p, A + 3 * PG, PG, 1));
	pg = page_of(f, f->pm, A + 3 * PG);
	pg->refcount++;
	expect_incremental_violation(f->w, "refcount");
	pg->refcount--;
	assert_int_equal(av_check_incremental(f->w), 0);

	OK(f->w, av_reclaim(f->w, f->c, A + PG, PG, &done));
	s = swap_slot(f->w, pte_val(*pte_of(f->cm, A + PG)));
	s->count++;
	expect_incremental_violation(f->w, "swap PTEs");
	s->count--;
}

/* ---- the other half of each compound complaint ---- */

static void detects_more_counts_and_lists(void **state)
{
	struct fixture *f = *state;
	struct av_world *w = f->w;
	struct av_pool *frames = &w->frames;
	uint64_t head = frames->free_head;

	w->st.obj[AV_OBJ_MM].allocated++;
	w->st.obj[AV_OBJ_MM].live++;
	expect_violation(w, "mm: 3 live, 2 listed, 2 processes");
	w->st.obj[AV_OBJ_MM].allocated--;
	w->st.obj[AV_OBJ_MM].live--;

	frames->free_head = frames->nr_handed + 5;      /* never handed out */
	expect_violation(w, "frame pool: free list broken at");
	frames->free_head = head;

	f->pm->published = false;
	expect_violation(w, "tasks, but 1 pids name its mm");
	f->pm->published = true;
}

static void detects_more_ptes(void **state)
{
	struct fixture *f = *state;
	struct anon_vma_chain *avc = av_vma_find_avc(f->pv, f->root);
	av_pte *pte = pte_of(f->pm, A + PG), saved = *pte;
	uint64_t slot;

	if (f->w->policy->avc_interval_tree) {
		avc->it.start++;
		expect_violation(f->w, "AVC keyed [");
		avc->it.start--;
	}
	/* A swap entry to a slot handed out once, free now. */
	av_mutex_lock(&f->w->swap_lock);
	assert_int_equal(av_swap_alloc_locked(f->w, &slot), 0);
	av_mutex_unlock(&f->w->swap_lock);
	av_swap_entry_dup(f->w, slot);
	av_swap_entry_put(f->w, slot);
	*pte = pte_mk(slot, PTE_SWAP);
	expect_violation(f->w, "swap entry to a free slot");
	*pte = saved;
}

/* C's swap entry marked exclusive while P maps the slot's page. */
static void detects_exclusive_entry_of_mapped_page(void **state)
{
	struct fixture *f = *state;
	struct av_swap_slot *s;
	av_pte *pte;

	swap_cached_page(f, &s);
	pte = pte_of(f->cm, A + 2 * PG);
	*pte |= PTE_SWP_EXCL;
	expect_violation(f->w, "entries and its page 1 mappings");
	*pte &= ~(av_pte)PTE_SWP_EXCL;
}

static void detects_more_file_states(void **state)
{
	struct fixture *f = *state;
	int file, other;
	struct av_page *pg = map_file_page(f, &file);
	struct av_file *owner = pg->file;
	av_pte *slot = av_radix_lookup(owner->cache, 0), saved = *slot;

	/* Mapped: a page of another file. */
	OK(f->w, av_file_create(f->w, PG, &other));
	pg->file = av_file_find(f->w, other);
	expect_violation(f->w, "of another file than vma");
	av_file_put(f->w, pg->file);
	pg->file = owner;
	pg->flags |= PG_SWAPCACHE;
	expect_violation(f->w, "or anonymous too");
	pg->flags &= ~PG_SWAPCACHE;
	OK(f->w, av_file_close(f->w, other));
	/* Cached: entries to a frame beyond the pool, or to one that is
	 * not a file page. */
	OK(f->w, av_munmap(f->w, f->p, A + 16 * PG, 4 * PG));
	*slot = pte_mk(f->w->frames.nr_handed + 9, PTE_PRESENT);
	expect_violation(f->w, "is not its page");
	*slot = pte_mk(pte_val(*pte_of(f->pm, A)), PTE_PRESENT);
	expect_violation(f->w, "is not its page");
	*slot = saved;
	OK(f->w, av_file_close(f->w, file));
}

/* A frame in use that nothing holds a reference to. */
static void detects_unreferenced_page(void **state)
{
	struct fixture *f = *state;
	uint64_t pfn;

	assert_int_equal(av_page_alloc(f->w, &pfn), 0);
	pfn_page(f->w, pfn)->refcount = 0;
	expect_violation(f->w, "leaked or left locked");
	pfn_page(f->w, pfn)->refcount = 1;
	av_page_put(f->w, pfn);
}

/* ---- the totals ---- */

static void detects_vma_and_avc_totals(void **state)
{
	struct fixture *f = *state;
	struct av_obj_stats *vma = &f->w->st.obj[AV_OBJ_VMA], *avc = &f->w->st.obj[AV_OBJ_AVC];

	vma->allocated++;
	vma->live++;
	expect_violation(f->w, "vma: 3 live, 2 in trees");
	vma->allocated--;
	vma->live--;
	avc->allocated++;
	avc->live++;
	expect_violation(f->w, "on chains");
	avc->allocated--;
	avc->live--;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(detects_object_counts),
		T(detects_pool_bounds),
		T(detects_lost_free_frame),
		T(detects_avc_of_another_vma),
		T(detects_avc_keyed_wrong),
		T(detects_chain_without_parent),
		T(detects_chain_ending_below_root),
		T(detects_anon_vma_off_chain),
		T(detects_chain_without_anon_vma),
		T(detects_file_page_elsewhere),
		T(detects_swap_entry_to_free_slot),
		T(detects_stray_pte),
		T(detects_writable_zero_page),
		T(detects_free_frame_mapped),
		T(detects_anon_page_in_shared_vma),
		T(detects_anon_page_without_chain),
		T(detects_writable_pte_in_readonly_vma),
		T(detects_table_count),
		T(detects_vma_tree),
		T(detects_bad_vma),
		T(detects_overlap),
		T(detects_vma_count),
		T(detects_pte_outside_vmas),
		T(detects_untouched_process),
		T(incremental_trusts_what_did_not_change),
		T(detects_file_cache),
		T(detects_tasks),
		T(detects_dead_root),
		T(detects_dead_anon_vma_in_use),
		T(detects_dead_anon_vma_on_chain),
		T(detects_bad_root_and_parent),
		T(detects_avc_tree),
		T(detects_foreign_avc),
		T(detects_avc_count),
		T(detects_file_page_made_anonymous),
		T(detects_page_state),
		T(detects_swap_cache_state),
		T(detects_slot_used_by_nothing),
		T(detects_slot_cache_mismatch),
		T(detects_touched_page_and_slot),
		T(detects_more_counts_and_lists),
		T(detects_more_ptes),
		T(detects_exclusive_entry_of_mapped_page),
		T(detects_more_file_states),
		T(detects_unreferenced_page),
		T(detects_vma_and_avc_totals),
	};
	return RUN_ALL_POLICIES("check_corrupt", tests);
}
