/* SPDX-License-Identifier: MIT */
/*
 * check.c - av_check(): every invariant of a world, verified from scratch.
 *
 * It recounts everything the structures imply and compares it with what
 * they record: object counts, VMA trees, chains, anon_vma fields, page and
 * swap reference counts - and it walks the rmap from every mapped page to
 * prove the walk finds exactly the PTEs that map it.  Cost is linear in the
 * world (plus one walk per page); it is meant for tests and --check runs.
 *
 * av_check_incremental() runs the same checks on what changed since the
 * last check (the world's touch log, vm.h): page tables and PTEs of the
 * processes operated on, the frames and swap slots whose references
 * changed, the pid table if a task came or went, and the anon_vma side
 * (every chain, anon_vma and file reference) if anything on it changed
 * (av_touch_anon_side: most faults, walks and refusals change nothing
 * there).  Object counts stay whole.  It leaves out what costs the
 * world's capacity: the free lists, every frame and slot, whole page
 * tables (entries outside VMAs, each table's count of entries) and file
 * caches, the PTEs of untouched processes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rmap.h"
#include "vm.h"
#include "policy.h"

/* References seen, per frame (present PTEs) or swap slot (swap PTEs):
 * for every one, by number, in a full check; for the touched ones, sorted
 * and searched, in an incremental one. */
struct refs {
	uint64_t *count;      /* full: by number; incremental: as ids */
	uint64_t *ids;        /* incremental: the numbers counted, ascending */
	size_t n;             /* entries of count */
};

static uint64_t *refs_of(struct refs *r, uint64_t id)
{
	size_t lo = 0, hi = r->n;

	if (!r->ids)
		return id < r->n ? &r->count[id] : NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->ids[mid] == id)
			return &r->count[mid];
		if (r->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void refs_inc(struct refs *r, uint64_t id)
{
	uint64_t *n = refs_of(r, id);

	if (n)
		(*n)++;
}

static uint64_t refs_get(struct refs *r, uint64_t id)
{
	uint64_t *n = refs_of(r, id);

	return n ? *n : 0;
}

/* An entry found by its object's address: an open-addressing table, at
 * most half full, of (address, entry number).  Every AVC on every chain
 * looks its anon_vma's counts up, every VMA its file's users; sorting
 * and searching cost the fuzzers 5 % of their time. */
struct addr_slot {
	const void *addr;
	size_t n;               /* the entry's number + 1; 0: an empty slot */
};

struct addr_index {
	struct addr_slot *slot;
	size_t size;            /* a power of two */
};

static size_t addr_index_size(size_t entries)
{
	size_t size = 16;

	while (size < 2 * entries)
		size *= 2;
	return size;
}

static size_t addr_hash(const struct addr_index *x, const void *addr)
{
	uint64_t h = (uint64_t)(uintptr_t)addr * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (x->size - 1);
}

static void addr_index_add(struct addr_index *x, const void *addr, size_t i)
{
	size_t s = addr_hash(x, addr);

	while (x->slot[s].n)
		s = (s + 1) & (x->size - 1);
	x->slot[s] = (struct addr_slot){ addr, i + 1 };
}

/* The number of addr's entry, or SIZE_MAX. */
static size_t addr_index_find(const struct addr_index *x, const void *addr)
{
	for (size_t s = addr_hash(x, addr);; s = (s + 1) & (x->size - 1)) {
		if (!x->slot[s].n)
			return SIZE_MAX;
		if (x->slot[s].addr == addr)
			return x->slot[s].n - 1;
	}
}

struct checker {
	struct av_world *w;
	struct refs maps;     /* present PTEs seen, by pfn */
	struct refs swaps;    /* swap PTEs seen, by slot */
	size_t nr_frames, nr_slots;
	uint64_t avcs, vmas, ptes_in_vmas;
	struct av_vma *vma;   /* the VMA being scanned */
	struct av_counts *counts;  /* in the order of w->anon_vmas */
	size_t nr_counts;
	struct addr_index av_index;    /* counts by anon_vma address */
	struct file_users *files;  /* in the order of w->files */
	size_t nr_files;
	struct addr_index file_index;  /* files by address */
	struct av_mm **owners;     /* check_tasks: room for every pid */
	bool incremental;     /* only what the touch log names */
	bool count_refs;      /* untouched mms count references too */
	bool anon_side;       /* chains, anon_vmas, files: changed, or full */
	bool tasks;           /* the pid table: changed, or full */
};

#define FAIL(c, ...) (av_fail((c)->w, -EUCLEAN, "av_check", __VA_ARGS__))
/* A failure a design may be known for (enum av_invariant). */
#define FAIL_INV(c, inv, ...) (FAIL(c, __VA_ARGS__), av_fail_invariant(inv), -EUCLEAN)
#define ULL(x) ((unsigned long long)(x))

/* ---- objects ---- */

static int check_object_counts(struct checker *c)
{
	struct av_world *w = c->w;
	uint64_t anon_vmas = av_list_count(&w->anon_vmas), mms = av_list_count(&w->mms);

	for (int k = 0; k < AV_OBJ_NR; k++) {
		const struct av_obj_stats *o = &w->st.obj[k];
		if (o->allocated != o->freed + o->live)
			return FAIL(c, "%s: allocated %llu != freed %llu + live %llu",
				    av_obj_kind_name((enum av_obj_kind)k), ULL(o->allocated),
				    ULL(o->freed), ULL(o->live));
	}
	if (w->st.obj[AV_OBJ_ANON_VMA].live != anon_vmas)
		return FAIL(c, "anon_vma: %llu live but %llu on the world list",
			    ULL(w->st.obj[AV_OBJ_ANON_VMA].live), ULL(anon_vmas));
	if (w->st.obj[AV_OBJ_MM].live != mms || mms != w->nr_procs)
		return FAIL(c, "mm: %llu live, %llu listed, %llu processes",
			    ULL(w->st.obj[AV_OBJ_MM].live), ULL(mms), ULL(w->nr_procs));
	if (w->st.obj[AV_OBJ_PAGE].live != w->frames.nr_used)
		return FAIL(c, "page: %llu live but %llu frames in use",
			    ULL(w->st.obj[AV_OBJ_PAGE].live), ULL(w->frames.nr_used));
	if (w->st.obj[AV_OBJ_SWAP].live != w->swap.nr_used)
		return FAIL(c, "swap: %llu live but %llu slots in use",
			    ULL(w->st.obj[AV_OBJ_SWAP].live), ULL(w->swap.nr_used));
	return 0;
}


/* A pool's free list: in range, never index 0, no element in use, and
 * as long as the elements not in use (a slot freed twice breaks this). */
static int check_pool(struct checker *c, const struct av_pool *p, const char *name,
		      bool (*in_use)(const struct av_world *w, uint64_t idx))
{
	uint64_t n = 0, want = p->nr_handed - 1 - p->nr_used;

	if (p->nr_handed > p->nr_total || p->nr_used >= p->nr_handed)
		return FAIL(c, "%s pool: %llu used, %llu handed out of %llu", name,
			    ULL(p->nr_used), ULL(p->nr_handed), ULL(p->nr_total));
	for (uint64_t i = p->free_head; i; i = *(const uint64_t *)av_pool_at(p, i)) {
		if (i >= p->nr_handed || n > want)
			return FAIL(c, "%s pool: free list broken at %llu", name, ULL(i));
		if (in_use(c->w, i))
			return FAIL(c, "%s pool: %llu is in use and on the free list", name, ULL(i));
		n++;
	}
	if (n != want)
		return FAIL(c, "%s pool: %llu free, expected %llu", name, ULL(n), ULL(want));
	return 0;
}

static bool frame_in_use(const struct av_world *w, uint64_t pfn)
{
	return pfn_page(w, pfn)->flags & PG_USED;
}

static bool slot_in_use(const struct av_world *w, uint64_t slot)
{
	return swap_slot(w, slot)->used;
}

/* ---- AVC set membership ---- */

static bool avc_in_set(const struct av_world *w, const struct anon_vma_chain *avc)
{
	const struct anon_vma *av = avc->anon_vma;

	if (w->policy->avc_interval_tree) {
		/* In av's tree iff climbing from the node ends at its root:
		 * logarithmic, where a search among the many AVCs with the
		 * same range (a fork fan-out) would be linear. */
		const struct av_rb_node *n = &avc->it.rb;
		for (const struct av_rb_node *p; (p = av_rb_parent(n)); n = p)
			if (p->left != n && p->right != n)
				return false;   /* a stale link: n was taken out */
		return n == av->avc_tree.root.node;
	}
	for (const struct cds_list_head *p = av->avc_list.next; p != &av->avc_list; p = p->next)
		if (p == &avc->same_anon_vma)
			return true;
	return false;
}

/* ---- one VMA and its chain ---- */

static int check_chain(struct checker *c, struct av_vma *v)
{
	struct cds_list_head *h = &v->anon_vma_chain;
	struct anon_vma *root = NULL, *prev_av = NULL;
	bool own = false;

	for (struct cds_list_head *p = h->next; p != h; p = p->next) {
		struct anon_vma_chain *avc = cds_list_entry(p, struct anon_vma_chain, same_vma);
		struct anon_vma *av = avc->anon_vma;

		c->avcs++;
		if (avc->vma != v)
			return FAIL(c, "vma %llu: chain holds an AVC of vma %llu", ULL(v->id),
				    ULL(avc->vma->id));
		if (!avc_in_set(c->w, avc))
			return FAIL(c, "vma %llu: AVC to anon_vma %llu missing from its set",
				    ULL(v->id), ULL(av->id));
		if (c->w->policy->avc_interval_tree &&
		    (avc->it.start != v->pgoff || avc->it.last != v->pgoff + vma_pages(v) - 1))
			return FAIL(c, "vma %llu: AVC keyed [%llu,%llu], VMA covers [%llu,%llu]",
				    ULL(v->id), ULL(avc->it.start), ULL(avc->it.last),
				    ULL(v->pgoff), ULL(v->pgoff + vma_pages(v) - 1));
		if (root && av->root != root)
			return FAIL(c, "vma %llu: chain spans two trees (roots %llu, %llu)",
				    ULL(v->id), ULL(root->id), ULL(av->root->id));
		root = av->root;
		if (prev_av && av->id >= prev_av->id)
			return FAIL(c, "vma %llu: chain not newest to oldest (%llu before %llu)",
				    ULL(v->id), ULL(prev_av->id), ULL(av->id));
		if (av != av->root && !av_vma_find_avc(v, av->parent))
			return FAIL(c, "vma %llu: anon_vma %llu on chain without its parent %llu",
				    ULL(v->id), ULL(av->id), ULL(av->parent->id));
		own |= av == v->anon_vma;
		prev_av = av;
	}
	if (prev_av && prev_av != prev_av->root)
		return FAIL(c, "vma %llu: chain ends at %llu, not at the root %llu", ULL(v->id),
			    ULL(prev_av->id), ULL(prev_av->root->id));
	if (v->anon_vma && !own)
		return FAIL(c, "vma %llu: its anon_vma %llu is not on its chain", ULL(v->id),
			    ULL(v->anon_vma->id));
	if (!v->anon_vma && prev_av && !c->w->policy->lazy_anon_vma)
		return FAIL(c, "vma %llu: chain of %zu AVCs but no anon_vma", ULL(v->id),
			    av_list_count(h));
	return 0;
}

/* ---- PTEs of one VMA ---- */

/* A file page is mapped only by VMAs of its file, at its index, and is in
 * that file's cache; a private mapping never maps it writable. */
static int check_file_pte(struct checker *c, struct av_vma *v, uint64_t addr, av_pte pte,
			  struct av_page *pg)
{
	uint64_t pfn = pte_val(pte);

	if (!pg->file || pg->file != v->file)
		return FAIL(c, "pid %d %#llx: page %llu of another file than vma %llu's",
			    v->mm->pid, ULL(addr), ULL(pfn), ULL(v->id));
	if (pg->index != vma_linear_index(v, addr))
		return FAIL(c, "pid %d %#llx: file page %llu index %llu, expected %llu", v->mm->pid,
			    ULL(addr), ULL(pfn), ULL(pg->index), ULL(vma_linear_index(v, addr)));
	if (av_file_cached(pg->file, pg->index) != pfn)
		return FAIL(c, "pid %d %#llx: file page %llu is not in its file's cache",
			    v->mm->pid, ULL(addr), ULL(pfn));
	if ((pte & PTE_WRITE) && !(v->flags & VM_SHARED))
		return FAIL(c, "pid %d %#llx: private mapping writes file page %llu", v->mm->pid,
			    ULL(addr), ULL(pfn));
	return 0;
}

static int check_pte(struct av_mm *mm, uint64_t addr, av_pte *ptep, void *arg)
{
	struct checker *c = arg;
	struct av_world *w = c->w;
	struct av_vma *v = c->vma;
	av_pte pte = *ptep;
	uint64_t val = pte_val(pte);

	(void)mm;
	c->ptes_in_vmas++;
	if (pte_is_swap(pte)) {
		struct av_swap_slot *s;
		if (!val || val >= c->nr_slots || !(s = swap_slot(w, val))->used)
			return FAIL(c, "pid %d %#llx: swap entry to a free slot %llu", v->mm->pid,
				    ULL(addr), ULL(val));
		refs_inc(&c->swaps, val);
		/* An exclusive entry is the page's only reference (2026-11-26:
		 * a reclaim that read the bit before fork copied the PTE made
		 * two, and swap-in then chose an anon_vma one side lacks). */
		if ((pte & PTE_SWP_EXCL) &&
		    (s->count != 1 || (s->cache_pfn && page_mapcount(pfn_page(w, s->cache_pfn)))))
			return FAIL(c, "pid %d %#llx: exclusive swap entry, but slot %llu has %llu "
				    "entries and its page %ld mappings", v->mm->pid, ULL(addr), ULL(val),
				    ULL(s->count),
				    s->cache_pfn ? page_mapcount(pfn_page(w, s->cache_pfn)) : 0L);
		if (s->cache_pfn) {
			struct av_page *pg = pfn_page(w, s->cache_pfn);
			if (pg->mapping && !av_vma_find_avc(v, pg->mapping))
				return FAIL(c, "pid %d %#llx: swap-cached page's anon_vma %llu not on the chain",
					    v->mm->pid, ULL(addr), ULL(pg->mapping->id));
		}
		return 0;
	}
	if (!pte_present(pte))
		return FAIL(c, "pid %d %#llx: stray PTE %#llx", v->mm->pid, ULL(addr), ULL(pte));
	if (val == ZERO_PFN) {
		if (pte & PTE_WRITE)
			return FAIL(c, "pid %d %#llx: writable zero page", v->mm->pid, ULL(addr));
		return 0;
	}
	if (val >= c->nr_frames || !(pfn_page(w, val)->flags & PG_USED))
		return FAIL(c, "pid %d %#llx: maps free frame %llu", v->mm->pid, ULL(addr), ULL(val));
	struct av_page *pg = pfn_page(w, val);
	refs_inc(&c->maps, val);
	if (pg->flags & PG_FILE)
		return check_file_pte(c, v, addr, pte, pg);
	if (v->flags & VM_SHARED)
		return FAIL(c, "pid %d %#llx: anonymous page in shared vma %llu", v->mm->pid,
			    ULL(addr), ULL(v->id));
	if (!av_vma_has_chain(v))
		return FAIL(c, "pid %d %#llx: anonymous page in vma %llu without anon_vma",
			    v->mm->pid, ULL(addr), ULL(v->id));
	if (!pg->mapping || !av_vma_find_avc(v, pg->mapping))
		return FAIL(c, "pid %d %#llx: page %llu's anon_vma %llu is not on vma %llu's chain",
			    v->mm->pid, ULL(addr), ULL(val),
			    ULL(pg->mapping ? pg->mapping->id : 0), ULL(v->id));
	if (pg->index != vma_linear_index(v, addr))
		return FAIL(c, "pid %d %#llx: page %llu index %llu, expected %llu", v->mm->pid,
			    ULL(addr), ULL(val), ULL(pg->index), ULL(vma_linear_index(v, addr)));
	if ((pte & PTE_WRITE) && !(v->flags & VM_WRITE))
		return FAIL(c, "pid %d %#llx: writable PTE in a read-only VMA", v->mm->pid, ULL(addr));
	if ((pte & PTE_WRITE) && pg->mapcount != 1)
		return FAIL(c, "pid %d %#llx: writable PTE to a page mapped %ld times",
			    v->mm->pid, ULL(addr), pg->mapcount);
	return 0;
}

static int count_pte(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg)
{
	(void)mm;
	(void)addr;
	(void)pte;
	(*(uint64_t *)arg)++;
	return 0;
}

/* Non-empty entries of a table, against its used count. */
static int check_tables(struct checker *c, const struct av_pt *t, int level)
{
	unsigned n = 0;

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (level == PT_LEVELS - 1) {
			n += t->e.pte[i] != 0;
		} else if (t->e.dir[i]) {
			n++;
			if (check_tables(c, t->e.dir[i], level + 1))
				return -EUCLEAN;
		}
	}
	if (n != t->used)
		return FAIL(c, "page table at level %d: %u entries, counted %u", level, n, t->used);
	return 0;
}

static int check_mm(struct checker *c, struct av_mm *mm)
{
	char why[128];
	uint64_t all = 0, prev_end = 0;
	size_t n = 0;

	if (av_rb_validate(&mm->vma_tree, why, sizeof(why)))
		return FAIL(c, "pid %d: VMA tree: %s", mm->pid, why);
	c->ptes_in_vmas = 0;
	for (struct av_vma *v = av_vma_first(mm); v; v = av_vma_next(v), n++) {
		if (v->mm != mm || v->start >= v->end || !PAGE_ALIGNED(v->start) ||
		    !PAGE_ALIGNED(v->end) || v->end > AV_TASK_SIZE)
			return FAIL(c, "pid %d: bad vma %llu [%#llx, %#llx)", mm->pid, ULL(v->id),
				    ULL(v->start), ULL(v->end));
		if (v->start < prev_end)
			return FAIL(c, "pid %d: vma %llu overlaps its predecessor", mm->pid,
				    ULL(v->id));
		prev_end = v->end;
		if (c->anon_side && check_chain(c, v))
			return -EUCLEAN;
		c->vma = v;
		if (av_pte_range(mm, v->start, v->end, check_pte, c))
			return -EUCLEAN;
	}
	if (n != mm->nr_vmas)
		return FAIL(c, "pid %d: %zu VMAs in the tree, %zu counted", mm->pid, n, mm->nr_vmas);
	c->vmas += n;
	if (c->incremental)     /* the tables whole: the next full check */
		return 0;
	av_pte_range(mm, 0, AV_TASK_SIZE, count_pte, &all);
	if (all != c->ptes_in_vmas)
		return FAIL(c, "pid %d: %llu PTEs outside any VMA", mm->pid,
			    ULL(all - c->ptes_in_vmas));
	return mm->pgd ? check_tables(c, mm->pgd, 0) : 0;
}

/* A PTE of an untouched mm: counted, for the touched frames and slots
 * whose references it may be among. */
static int count_ref(struct av_mm *mm, uint64_t addr, av_pte *ptep, void *arg)
{
	struct checker *c = arg;
	av_pte pte = *ptep;
	uint64_t val = pte_val(pte);

	(void)mm;
	(void)addr;
	if (pte_is_swap(pte))
		refs_inc(&c->swaps, val);
	else if (pte_present(pte))
		refs_inc(&c->maps, val);
	return 0;
}

/* An mm no operation touched since the last check: its chains, if the
 * anon_vma side changed (a change elsewhere can break them), and its
 * references to the touched frames and slots; its VMAs, PTEs and tables
 * are as the last check found them. */
static int check_mm_untouched(struct checker *c, struct av_mm *mm)
{
	size_t n = 0;

	if (!c->anon_side && !c->count_refs) {
		c->vmas += mm->nr_vmas;         /* as the last check counted */
		return 0;
	}
	for (struct av_vma *v = av_vma_first(mm); v; v = av_vma_next(v), n++) {
		if (c->anon_side && check_chain(c, v))
			return -EUCLEAN;
		if (c->count_refs)
			av_pte_range(mm, v->start, v->end, count_ref, c);
	}
	if (n != mm->nr_vmas)
		return FAIL(c, "pid %d: %zu VMAs in the tree, %zu counted", mm->pid, n, mm->nr_vmas);
	c->vmas += n;
	return 0;
}

/* ---- files: their caches and references ---- */

struct cache_count {
	struct checker *c;
	struct av_file *f;
	uint64_t pages;
};

static int check_cached(struct av_mm *mm, uint64_t key, av_pte *slot, void *arg)
{
	struct cache_count *cc = arg;
	uint64_t pfn = pte_val(*slot);
	struct av_page *pg;

	(void)mm;
	cc->pages++;
	if (pfn >= cc->c->nr_frames || !((pg = pfn_page(cc->c->w, pfn))->flags & PG_FILE) ||
	    pg->file != cc->f || pg->index != key >> PAGE_SHIFT)
		return FAIL(cc->c, "file %d: cache entry %llu is not its page", cc->f->id,
			    ULL(key >> PAGE_SHIFT));
	return 0;
}

/* VMAs that map each file, counted in count_references' pass over VMAs
 * (a pass per file made av_check quadratic in files). */
struct file_users {
	const struct av_file *f;
	long users;
};

static struct file_users *users_of(struct checker *c, const struct av_file *f)
{
	size_t i = addr_index_find(&c->file_index, f);

	return i == SIZE_MAX ? NULL : &c->files[i];
}

static void index_files(struct checker *c)
{
	size_t i = 0;

	for (struct cds_list_head *p = c->w->files.next; p != &c->w->files; p = p->next, i++) {
		c->files[i].f = cds_list_entry(p, struct av_file, node);
		addr_index_add(&c->file_index, c->files[i].f, i);
	}
}

/* Each file's references are the VMAs that map it, and its name while it
 * has one; its cache holds exactly its pages. */
static int check_files(struct checker *c)
{
	struct av_world *w = c->w;

	for (struct cds_list_head *p = w->files.next; p != &w->files; p = p->next) {
		struct av_file *f = cds_list_entry(p, struct av_file, node);
		struct cache_count cc = { c, f, 0 };
		long users = (f->id > 0) + users_of(c, f)->users;

		if (users != f->refs || users == 0)
			return FAIL(c, "file %d: %ld references, %ld users", f->id, f->refs, users);
		if (c->incremental)     /* touched file pages: check_page */
			continue;
		if (av_radix_range(f->cache, 0, AV_TASK_SIZE, check_cached, &cc))
			return -EUCLEAN;
		if (cc.pages != f->nr_pages)
			return FAIL(c, "file %d: %llu pages cached, %llu counted", f->id,
				    ULL(cc.pages), ULL(f->nr_pages));
	}
	return 0;
}

/* ---- tasks: the pid table against the mms ---- */

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return (x > y) - (x < y);
}

/* Each published mm is named by exactly nr_tasks pids (its threads), at
 * least one; no pid names an mm that is not published; the world's task
 * count is their sum.  And each heap is where it began, or above. */
static int check_tasks(struct checker *c)
{
	struct av_world *w = c->w;
	struct av_mm **owners = c->owners;
	size_t n = 0;
	uint64_t tasks = 0;
	int err = 0;

	for (size_t pid = 0; pid < w->pid_cap; pid++)
		if (w->mm_by_pid[pid])
			owners[n++] = w->mm_by_pid[pid];
	qsort(owners, n, sizeof(*owners), cmp_ptr);
	for (struct cds_list_head *p = w->mms.next; p != &w->mms && !err; p = p->next) {
		struct av_mm *mm = cds_list_entry(p, struct av_mm, node);
		struct av_mm **lo = bsearch(&mm, owners, n, sizeof(*owners), cmp_ptr);
		size_t named = 0;

		while (lo && lo > owners && lo[-1] == mm)
			lo--;
		for (; lo && lo < owners + n && *lo == mm; lo++)
			named++;
		if (!mm->published || mm->nr_tasks < 1 || named != (size_t)mm->nr_tasks)
			err = FAIL(c, "pid %d: %d tasks, but %zu pids name its mm", mm->pid,
				   mm->nr_tasks, named);
		else if (mm->brk < mm->start_brk)
			err = FAIL(c, "pid %d: brk %#llx below the heap's start %#llx", mm->pid,
				   ULL(mm->brk), ULL(mm->start_brk));
		tasks += (uint64_t)mm->nr_tasks;
	}
	if (!err && (tasks != n || tasks != w->nr_tasks))
		err = FAIL(c, "tasks: %llu counted by the world, %llu by its processes, %zu pids",
			   ULL(w->nr_tasks), ULL(tasks), n);
	return err;
}

/* ---- anon_vmas ---- */

/* What the structure implies for each live anon_vma, gathered in one pass
 * over anon_vmas and VMAs (2026-11-26: counting per anon_vma made av_check
 * quadratic; a 10,000-fork fan-out took seconds). */
struct av_counts {
	const struct anon_vma *av;
	unsigned long refs, children, active;
	size_t avcs;                    /* AVCs to it on the VMAs' chains */
	const struct av_vma *user;      /* a VMA whose anon_vma this is */
};

static struct av_counts *counts_of(struct checker *c, const struct anon_vma *av)
{
	size_t i = addr_index_find(&c->av_index, av);

	return i == SIZE_MAX ? NULL : &c->counts[i];
}

/* Each AVC on v's chain, to its anon_vma's count. */
static int count_chain(struct checker *c, const struct av_vma *v)
{
	const struct cds_list_head *h = &v->anon_vma_chain;

	for (const struct cds_list_head *p = h->next; p != h; p = p->next) {
		const struct anon_vma_chain *avc =
			cds_list_entry(p, const struct anon_vma_chain, same_vma);
		struct av_counts *k = counts_of(c, avc->anon_vma);
		if (!k)
			return FAIL(c, "vma %llu: linked to an anon_vma that is not alive",
				    ULL(v->id));
		k->avcs++;
	}
	return 0;
}

static int count_references(struct checker *c)
{
	struct av_world *w = c->w;
	struct av_counts *k;
	size_t i = 0;
	int err;

	for (struct cds_list_head *p = w->anon_vmas.next; p != &w->anon_vmas; p = p->next) {
		c->counts[i].av = cds_list_entry(p, struct anon_vma, node);
		addr_index_add(&c->av_index, c->counts[i].av, i);
		i++;
	}
	for (i = 0; i < c->nr_counts; i++) {
		const struct anon_vma *av = c->counts[i].av;
		struct av_counts *parent = counts_of(c, av->parent);
		if (!(k = counts_of(c, av->root)) || !parent)
			return FAIL(c, "anon_vma %llu: its root or parent is not alive", ULL(av->id));
		if (av->root != av)
			k->refs++;
		if (av->parent != av)
			parent->children++;
	}
	index_files(c);
	for (struct cds_list_head *p = w->mms.next; p != &w->mms; p = p->next) {
		struct av_mm *mm = cds_list_entry(p, struct av_mm, node);
		for (struct av_vma *v = av_vma_first(mm); v; v = av_vma_next(v)) {
			struct file_users *fu = v->file ? users_of(c, v->file) : NULL;
			if (v->file && !fu)
				return FAIL(c, "vma %llu: its file is not open", ULL(v->id));
			if (fu)
				fu->users++;
			/* Its own anon_vma first: named before its chain's. */
			k = v->anon_vma ? counts_of(c, v->anon_vma) : NULL;
			if (v->anon_vma && !k)
				return FAIL(c, "vma %llu: its anon_vma is not alive", ULL(v->id));
			if ((err = count_chain(c, v)))
				return err;
			if (!k)
				continue;
			k->active++;
			/* Merging relies on it: a VMA may take a neighbour's
			 * range when their anon_vmas are equal, which is safe
			 * only if their chains are too (the degree rule broke
			 * this: CVE-2022-42703). */
			if (!k->user)
				k->user = v;
			else if (!av_vma_same_chain(v, k->user))
				return FAIL_INV(c, AV_INV_SHARED_CHAIN,
					    "vmas %llu (pid %d) and %llu (pid %d) share anon_vma "
					    "%llu but are linked to different anon_vmas", ULL(k->user->id),
					    k->user->mm->pid, ULL(v->id), v->mm->pid,
					    ULL(v->anon_vma->id));
		}
	}
	return 0;
}

static int check_anon_vma(struct checker *c, struct anon_vma *av)
{
	struct av_world *w = c->w;
	const struct av_counts *k = counts_of(c, av);
	/* Linked (its set not empty, which the end holds to the chains). */
	bool linked = k->avcs > 0;
	unsigned long refs = (linked ? 1 : 0) + k->refs, children = k->children;
	unsigned long active = k->active;
	char why[128];
	size_t n = 0, nr_avcs;

	if (av->root->root != av->root)
		return FAIL(c, "anon_vma %llu: root %llu is not its own root", ULL(av->id),
			    ULL(av->root->id));
	if (av->root == av ? av->parent != av : av->parent->root != av->root)
		return FAIL(c, "anon_vma %llu: root %llu differs from its parent's", ULL(av->id),
			    ULL(av->root->id));
	if (!linked)
		return FAIL(c, "anon_vma %llu: alive with no VMA linked", ULL(av->id));
	if (av->root == av)
		children++;  /* a root counts itself */
	if (av->refcount != refs)
		return FAIL(c, "anon_vma %llu: refcount %lu, structure implies %lu", ULL(av->id),
			    av->refcount, refs);
	if (av->num_children != children)
		return FAIL(c, "anon_vma %llu: num_children %lu, structure implies %lu",
			    ULL(av->id), av->num_children, children);
	if (av->num_active_vmas != active)
		return FAIL(c, "anon_vma %llu: num_active_vmas %lu, structure implies %lu",
			    ULL(av->id), av->num_active_vmas, active);
	if (w->policy->avc_interval_tree) {
		if (av_itree_validate(&av->avc_tree, why, sizeof(why)))
			return FAIL(c, "anon_vma %llu: AVC tree: %s", ULL(av->id), why);
		for (struct av_itree_node *it = av_itree_first(&av->avc_tree); it;
		     it = av_itree_next(it), n++)
			if (caa_container_of(it, struct anon_vma_chain, it)->anon_vma != av)
				return FAIL(c, "anon_vma %llu: foreign AVC in its tree", ULL(av->id));
	} else {
		for (struct cds_list_head *p = av->avc_list.next; p != &av->avc_list; p = p->next, n++)
			if (cds_list_entry(p, struct anon_vma_chain, same_anon_vma)->anon_vma != av)
				return FAIL(c, "anon_vma %llu: foreign AVC in its list", ULL(av->id));
	}
	/* Every AVC in the set is on a chain, and the tree's count is right
	 * (a list has no count: its length is the set's size). */
	nr_avcs = av_anon_vma_nr_avcs(w, av);
	if (n != k->avcs || n != nr_avcs)
		return FAIL(c, "anon_vma %llu: %zu AVCs in its set, %zu on chains, %zu counted",
			    ULL(av->id), n, k->avcs, nr_avcs);
	return 0;
}

/* ---- frames and swap slots against the PTEs seen ---- */

static int check_page(struct checker *c, uint64_t pfn)
{
	struct av_world *w = c->w;
	struct av_page *pg = pfn_page(w, pfn);
	long cached = (pg->flags & (PG_SWAPCACHE | PG_FILE)) ? 1 : 0;
	uint64_t seen = refs_get(&c->maps, pfn);

	if (!(pg->flags & PG_USED))
		return seen ? FAIL(c, "page %llu: free, but %llu PTEs map it", ULL(pfn), ULL(seen))
			    : 0;
	if ((pg->flags & PG_FILE) &&
	    (pg->mapping || (pg->flags & (PG_EXCLUSIVE | PG_SWAPCACHE)) || !pg->file ||
	     av_file_cached(pg->file, pg->index) != pfn))
		return FAIL(c, "page %llu: a file page out of its file's cache, or anonymous too",
			    ULL(pfn));
	if ((uint64_t)pg->mapcount != seen)
		return FAIL(c, "page %llu: mapcount %ld, %llu PTEs map it", ULL(pfn),
			    pg->mapcount, ULL(seen));
	if (pg->refcount != pg->mapcount + cached)
		return FAIL(c, "page %llu: refcount %ld, expected %ld", ULL(pfn),
			    pg->refcount, pg->mapcount + cached);
	if (pg->refcount == 0 || (pg->flags & PG_LOCKED))
		return FAIL(c, "page %llu: leaked or left locked", ULL(pfn));
	if ((pg->flags & PG_EXCLUSIVE) && pg->mapcount > 1)
		return FAIL(c, "page %llu: exclusive but mapped %ld times", ULL(pfn),
			    pg->mapcount);
	if ((pg->flags & PG_SWAPCACHE) && swap_slot(w, pg->swap_slot)->cache_pfn != pfn)
		return FAIL(c, "page %llu: swap cache slot %llu points elsewhere", ULL(pfn),
			    ULL(pg->swap_slot));
	if (pg->mapcount && !(pg->flags & PG_FILE)) {
		long found = av_rmap_walk(w, pfn, false, NULL, NULL);
		if (found != pg->mapcount)
			return FAIL(c, "page %llu: rmap walk found %ld of %ld mappings",
				    ULL(pfn), found, pg->mapcount);
	}
	return 0;
}

static int check_slot(struct checker *c, uint64_t s)
{
	struct av_swap_slot *sl = swap_slot(c->w, s);
	uint64_t seen = refs_get(&c->swaps, s);

	if (!sl->used)
		return seen ? FAIL(c, "swap slot %llu: free, but %llu swap PTEs", ULL(s), ULL(seen))
			    : 0;
	if (sl->count != seen)
		return FAIL(c, "swap slot %llu: count %llu, %llu swap PTEs", ULL(s),
			    ULL(sl->count), ULL(seen));
	if (!sl->count && !sl->cache_pfn)
		return FAIL(c, "swap slot %llu: in use by nothing", ULL(s));
	if (sl->cache_pfn && pfn_page(c->w, sl->cache_pfn)->swap_slot != s)
		return FAIL(c, "swap slot %llu: cached page disagrees", ULL(s));
	return 0;
}

/* Every frame and slot, or those the touch log names. */
static int check_pages(struct checker *c)
{
	if (c->incremental) {
		for (size_t i = 0; i < c->maps.n; i++)
			if (c->maps.ids[i] < c->nr_frames && check_page(c, c->maps.ids[i]))
				return -EUCLEAN;
		for (size_t i = 0; i < c->swaps.n; i++)
			if (c->swaps.ids[i] < c->nr_slots && check_slot(c, c->swaps.ids[i]))
				return -EUCLEAN;
		return 0;
	}
	for (uint64_t pfn = 1; pfn < c->nr_frames; pfn++)
		if (check_page(c, pfn))
			return -EUCLEAN;
	for (uint64_t s = 1; s < c->nr_slots; s++)
		if (check_slot(c, s))
			return -EUCLEAN;
	return 0;
}

/* Every anon_vma against what the chains imply, and every file's users
 * (the chains themselves: check_mm, check_mm_untouched). */
static int check_anon_side(struct checker *c)
{
	struct av_world *w = c->w;
	int err;

	if ((err = count_references(c)) || (err = check_files(c)))
		return err;
	for (struct cds_list_head *p = w->anon_vmas.next; p != &w->anon_vmas; p = p->next)
		if ((err = check_anon_vma(c, cds_list_entry(p, struct anon_vma, node))))
			return err;
	return 0;
}

static int check_world(struct checker *c)
{
	struct av_world *w = c->w;
	int err;

	if (av_load(&w->dead_mapping_pfn))
		return FAIL_INV(c, AV_INV_DEAD_MAPPING,
				"a walk found page %llu mapped, but its anon_vma %llu dead",
				ULL(av_load(&w->dead_mapping_pfn)),
				ULL(av_load(&w->dead_mapping_id)));
	if ((err = check_object_counts(c)))
		return err;
	if (!c->incremental && ((err = check_pool(c, &w->frames, "frame", frame_in_use)) ||
				(err = check_pool(c, &w->swap, "swap", slot_in_use))))
		return err;
	for (struct cds_list_head *p = w->mms.next; p != &w->mms; p = p->next) {
		struct av_mm *mm = cds_list_entry(p, struct av_mm, node);
		if (!c->incremental || av_load(&mm->touched))
			err = check_mm(c, mm);
		else
			err = check_mm_untouched(c, mm);
		if (err)
			return err;
	}
	if (c->tasks && (err = check_tasks(c)))
		return err;
	if (c->anon_side && (err = check_anon_side(c)))
		return err;
	if ((err = check_pages(c)))
		return err;
	if (c->vmas != w->st.obj[AV_OBJ_VMA].live)
		return FAIL(c, "vma: %llu live, %llu in trees", ULL(w->st.obj[AV_OBJ_VMA].live),
			    ULL(c->vmas));
	if (c->anon_side && c->avcs != w->st.obj[AV_OBJ_AVC].live)
		return FAIL(c, "avc: %llu live, %llu on chains", ULL(w->st.obj[AV_OBJ_AVC].live),
			    ULL(c->avcs));
	return 0;
}

/* The next check starts from here: nothing touched. */
static void touch_log_reset(struct av_world *w)
{
	w->touch.next_pid = (uint64_t)w->next_pid;
	w->touch.nr_tasks = w->nr_tasks;
	w->touch.mms_made = w->st.obj[AV_OBJ_MM].allocated;
	w->touch.anon_side_checked = w->touch.anon_side;
	for (struct cds_list_head *p = w->mms.next; p != &w->mms; p = p->next)
		av_store(&cds_list_entry(p, struct av_mm, node)->touched, false);
	av_store(&w->touch.nr_pfns, 0);
	av_store(&w->touch.nr_slots, 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The touched numbers of a log, sorted and each once, counted from 0. */
static void refs_touched(struct refs *r, const uint64_t *log, uint64_t n, uint64_t *ids,
			 uint64_t *count)
{
	memcpy(ids, log, n * sizeof(*ids));
	qsort(ids, n, sizeof(*ids), cmp_u64);
	r->n = 0;
	for (uint64_t i = 0; i < n; i++)
		if (r->n == 0 || ids[r->n - 1] != ids[i])
			ids[r->n++] = ids[i];
	memset(count, 0, r->n * sizeof(*count));
	r->ids = ids;
	r->count = count;
}

/* ---- working memory ----
 *
 * A check needs room for the anon_vmas' counts, the files' and their
 * indexes by address, a table of pids and, when full, a counter per frame and
 * per swap slot.  It takes it in one piece, and keeps a piece of up to
 * CHECK_MEM_KEEP bytes in the world for the next check: checking after
 * every operation then allocates nothing (under ASan, the fuzzers spent a
 * quarter of their time in the allocator, two thirds of whose calls were
 * av_check's).  The kept piece is not one of the world's objects: the
 * object counts the check verifies leave it out, and av_world_destroy
 * frees it. */
#define CHECK_MEM_KEEP (64u << 10)

static void *check_mem_get(struct av_world *w, size_t size)
{
	size_t keep = 1024;
	void *p;

	if (size <= w->check_mem_size)
		return w->check_mem;
	if (size > CHECK_MEM_KEEP)
		return w->alloc.alloc(w->alloc.ctx, size, AV_OBJ_OTHER);
	while (keep < size)
		keep *= 2;
	if (!(p = w->alloc.alloc(w->alloc.ctx, keep, AV_OBJ_OTHER)))
		return NULL;
	av_check_mem_free(w);
	w->check_mem = p;
	w->check_mem_size = keep;
	return p;
}

static void check_mem_put(struct av_world *w, void *p, size_t size)
{
	if (p && p != w->check_mem)
		w->alloc.free(w->alloc.ctx, p, size, AV_OBJ_OTHER);
}

void av_check_mem_free(struct av_world *w)
{
	if (w->check_mem)
		w->alloc.free(w->alloc.ctx, w->check_mem, w->check_mem_size, AV_OBJ_OTHER);
	w->check_mem = NULL;
	w->check_mem_size = 0;
}

/* The next piece of mem, bytes long, at *off (NULL without mem). */
static void *piece(char *mem, size_t *off, size_t bytes)
{
	size_t at = *off;

	*off += bytes;
	return mem ? mem + at : NULL;
}

/* Place the pieces in mem one after another (every size a multiple of 8,
 * so each is aligned); with mem NULL, only measure.  Returns their size. */
static size_t check_mem_layout(struct checker *c, char *mem)
{
	size_t off = 0;

	if (c->anon_side) {
		c->counts = piece(mem, &off, (c->nr_counts + 1) * sizeof(*c->counts));
		c->av_index.slot = piece(mem, &off, c->av_index.size * sizeof(struct addr_slot));
		c->files = piece(mem, &off, c->nr_files * sizeof(*c->files));
		c->file_index.slot = piece(mem, &off,
					   c->file_index.size * sizeof(struct addr_slot));
	}
	if (c->tasks)
		c->owners = piece(mem, &off, (c->w->pid_cap + 1) * sizeof(*c->owners));
	if (!c->incremental) {
		c->maps = (struct refs){ piece(mem, &off, c->nr_frames * sizeof(uint64_t)), NULL,
					 c->nr_frames };
		c->swaps = (struct refs){ piece(mem, &off, c->nr_slots * sizeof(uint64_t)), NULL,
					  c->nr_slots };
	}
	return off;
}

/* Has the pid table changed since the last check?  A new task takes a new
 * pid, one going lowers the count, exec makes an mm. */
static bool tasks_changed(const struct av_world *w)
{
	const struct av_touch_log *t = &w->touch;

	return t->next_pid != (uint64_t)w->next_pid || t->nr_tasks != w->nr_tasks ||
	       t->mms_made != w->st.obj[AV_OBJ_MM].allocated;
}

static int check(struct av_world *w, bool incremental)
{
	struct checker c = { .w = w, .incremental = incremental };
	/* An incremental check counts only the touched: no allocation. */
	uint64_t pfn_ids[AV_TOUCH_MAX], pfn_refs[AV_TOUCH_MAX];
	uint64_t slot_ids[AV_TOUCH_MAX], slot_refs[AV_TOUCH_MAX];
	size_t size;
	void *mem;
	int err;

	av_fail_invariant(AV_INV_NONE);     /* what a passing check found */
	c.anon_side = !incremental || w->touch.anon_side != w->touch.anon_side_checked;
	c.tasks = !incremental || tasks_changed(w);
	c.nr_frames = w->frames.nr_handed;  /* the rest were never used */
	c.nr_slots = w->swap.nr_handed;
	if (c.anon_side) {
		c.nr_counts = av_list_count(&w->anon_vmas);
		c.av_index.size = addr_index_size(c.nr_counts);
		c.nr_files = av_list_count(&w->files);
		c.file_index.size = addr_index_size(c.nr_files);
	}
	c.count_refs = w->touch.nr_pfns || w->touch.nr_slots;
	/* Nothing at all when only pages and PTEs are to be checked. */
	size = check_mem_layout(&c, NULL);
	mem = size ? check_mem_get(w, size) : NULL;
	if (size && !mem)
		return av_fail(w, -ENOMEM, "av_check", "cannot allocate its counters");
	if (mem)
		memset(mem, 0, size);
	check_mem_layout(&c, mem);
	if (incremental) {
		refs_touched(&c.maps, w->touch.pfns, w->touch.nr_pfns, pfn_ids, pfn_refs);
		refs_touched(&c.swaps, w->touch.slots, w->touch.nr_slots, slot_ids, slot_refs);
	}
	err = check_world(&c);
	touch_log_reset(w);
	check_mem_put(w, mem, size);
	return err;
}

int av_check(av_world *w)
{
	return check(w, false);
}

int av_check_incremental(av_world *w)
{
	const struct av_touch_log *t = &w->touch;

	if (!t->on) {           /* from now on, operations log what they touch */
		av_store(&w->touch.on, true);
		return check(w, false);
	}
	return check(w, t->nr_pfns <= AV_TOUCH_MAX && t->nr_slots <= AV_TOUCH_MAX);
}
