/* SPDX-License-Identifier: MIT */
/*
 * vm.h - the address-space model: world, mm, VMA, page tables, frames, swap.
 *
 * Invariants (2026-11-25):
 *  - A world owns every object; world->obj[k].live is exact for every kind.
 *  - An mm's VMAs never overlap and are ordered by start in mm->vma_tree.
 *  - vm_pgoff of a private anonymous VMA starts as start >> PAGE_SHIFT and
 *    moves with the memory (split keeps continuity, mremap keeps pgoff).
 *  - A PTE is none (0), present (maps a frame: the zero page at pfn 0 or an
 *    anonymous page) or a swap entry.  Anonymous pages are mapped only in
 *    VMAs that have an anon_vma, and page->mapping is on the chain of every
 *    VMA that maps the page (checked by av_check).
 *  - page->mapcount counts PTEs mapping the page; page->refcount is
 *    mapcount plus one for the swap cache plus temporary pins.
 */
#ifndef AV_VM_H
#define AV_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <anonvma/anonvma.h>
#include "../lib/list.h"
#include "../lib/rbtree.h"
#include "../port/port.h"

struct anon_vma;
struct av_policy;

#define PAGE_SIZE  AV_PAGE_SIZE
#define PAGE_SHIFT AV_PAGE_SHIFT
#define PAGE_ALIGNED(x) (((x) & (PAGE_SIZE - 1)) == 0)

/* vm_flags (our own bit values; the names are the kernel's) */
#define VM_READ      0x001u
#define VM_WRITE     0x002u
#define VM_EXEC      0x004u
#define VM_MAYREAD   0x010u
#define VM_MAYWRITE  0x020u
#define VM_MAYEXEC   0x040u
#define VM_ACCOUNT   0x100u  /* charged to overcommit: private writable */
#define VM_DONTCOPY  0x200u  /* MADV_DONTFORK: fork leaves it out */
#define VM_WIPEONFORK 0x400u /* MADV_WIPEONFORK: the child's copy starts empty */
#define VM_SHARED    0x800u  /* MAP_SHARED: writes go to the file, never an anon_vma */
#define VM_NORESERVE 0x1000u /* MAP_NORESERVE: never charged (VM_ACCOUNT) */
#define VM_NOHUGEPAGE 0x2000u /* MAP_STACK (since 6.7) or MADV_NOHUGEPAGE */
#define VM_GROWSDOWN 0x4000u /* MAP_GROWSDOWN, a process's stack: faults below extend it */
#define STACK_GUARD_GAP (256 * PAGE_SIZE)   /* Linux's default stack_guard_gap */
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)

/* ---- page tables: 4 levels of 512 entries, 4 KiB pages, 48-bit VA ---- */
typedef uint64_t av_pte;

#define PTE_PRESENT   0x01u
#define PTE_WRITE     0x02u
#define PTE_YOUNG     0x04u
#define PTE_DIRTY     0x08u
#define PTE_SWAP      0x10u  /* not present, holds a swap slot */
#define PTE_SWP_EXCL  0x20u  /* swap entry of an anon-exclusive page */
#define PTE_MIGRATION 0x40u  /* not present: the pfn of a page being migrated */
#define PTE_VAL_SHIFT 12     /* pfn or swap slot above this */

#define PT_ENTRIES 512
#define PT_LEVELS  4

static inline uint64_t pte_val(av_pte p) { return p >> PTE_VAL_SHIFT; }
static inline bool pte_present(av_pte p) { return p & PTE_PRESENT; }
static inline bool pte_is_swap(av_pte p) { return p & PTE_SWAP; }
static inline av_pte pte_mk(uint64_t val, unsigned bits)
{
	return (val << PTE_VAL_SHIFT) | bits;
}

struct av_pt {
	union {
		struct av_pt *dir[PT_ENTRIES];
		av_pte pte[PT_ENTRIES];
	} e;
	unsigned used;            /* non-empty entries */
};

/* ---- frames and swap ---- */
#define ZERO_PFN 0

#define PG_USED      0x01u
#define PG_EXCLUSIVE 0x02u  /* PageAnonExclusive */
#define PG_SWAPCACHE 0x04u
#define PG_LOCKED    0x08u
#define PG_FILE      0x10u  /* in a file's page cache (page->file), not anonymous */

/*
 * A frame.  refcount, mapcount and flags change under different locks
 * (several mms' page-table locks at once), so they are atomic, as in the
 * kernel; mapping is read by rmap walkers under RCU.  swap_slot and
 * PG_SWAPCACHE change under w->swap_lock.  A walker that starts from a pfn
 * takes a reference only if refcount is not zero (a free frame).
 */
struct av_page {
	uint64_t pool_next;       /* free-list link (pool.c), w->frame_lock */
	struct anon_vma *mapping; /* the page's anon_vma; NULL for a file page */
	struct av_file *file;     /* PG_FILE: the file whose page cache holds it */
	uint64_t index;           /* linear page offset (a file page's: in the file) */
	long mapcount;
	long refcount;
	uint64_t swap_slot;       /* valid with PG_SWAPCACHE */
	unsigned flags;
};

static inline long page_ref(struct av_page *pg) { return av_load(&pg->refcount); }
static inline void page_ref_inc(struct av_page *pg) { av_atomic_inc(&pg->refcount); }
static inline bool page_ref_get_unless_zero(struct av_page *pg)
{
	return av_inc_not_zero_l(&pg->refcount);
}
static inline long page_mapcount(struct av_page *pg) { return av_load(&pg->mapcount); }
static inline void page_mapcount_inc(struct av_page *pg) { av_atomic_inc(&pg->mapcount); }
static inline long page_mapcount_dec(struct av_page *pg) { return av_atomic_dec(&pg->mapcount); }
static inline unsigned page_flags(struct av_page *pg) { return av_load(&pg->flags); }
static inline bool page_test(struct av_page *pg, unsigned f) { return page_flags(pg) & f; }
static inline void page_set(struct av_page *pg, unsigned f) { (void)av_fetch_or(&pg->flags, f); }
static inline void page_clear(struct av_page *pg, unsigned f) { (void)av_fetch_and(&pg->flags, ~f); }
static inline struct anon_vma *page_anon_vma(struct av_page *pg) { return av_load(&pg->mapping); }
static inline void page_set_anon_vma(struct av_page *pg, struct anon_vma *av)
{
	av_store(&pg->mapping, av);
}

struct av_swap_slot {
	uint64_t pool_next;
	uint64_t count;           /* swap PTEs holding this slot */
	uint64_t cache_pfn;       /* page in the swap cache, 0 if none */
	bool used;
};

/* A growable array of fixed-size elements in chunks, with a free list.
 * Index 0 is reserved (the zero page; the invalid swap slot). */
struct av_pool {
	void **chunks;            /* max_chunks slots, filled as it grows */
	size_t nr_chunks, max_chunks;
	size_t elem_size;
	uint64_t nr_total;        /* elements that exist (used or free) */
	uint64_t nr_used;         /* excluding index 0 */
	uint64_t limit;           /* max usable elements */
	uint64_t free_head;       /* put back, most recent first; 0 = none */
	uint64_t nr_handed;       /* indexes below were handed out once: the
				   * rest are free without being listed */
};

/* ---- files ---- */
/*
 * A file that mappings can be of: a named one (av_file_create), or the
 * shmem object behind one MAP_SHARED|MAP_ANONYMOUS mapping.  Its page cache
 * is a radix tree by page index of frames with PG_FILE; a page stays in it,
 * holding one reference, until the file goes (nothing evicts the cache in
 * the model).  refs: the VMAs mapping it, plus one while it is named.
 */
struct av_file {
	struct cds_list_head node;  /* w->files, w->lock */
	int id;                     /* the name callers use; 0 for shmem ones */
	bool anon;                  /* shared anonymous memory */
	uint64_t size;              /* bytes: a fault at or past it is SIGBUS */
	long refs;
	struct av_mutex lock;       /* the cache */
	struct av_pt *cache;        /* entries pte_mk(pfn, PTE_PRESENT) */
	uint64_t nr_pages;
};

/* ---- VMAs and address spaces ---- */
struct av_vma {
	struct av_rb_node rb;     /* in mm->vma_tree, by start */
	uint64_t start, end;      /* [start, end) */
	uint64_t pgoff;           /* a file VMA's: its offset in the file, in pages */
	unsigned flags;
	struct av_file *file;     /* NULL: anonymous memory */
	struct anon_vma *anon_vma;
	struct cds_list_head anon_vma_chain; /* AVCs, newest first */
	struct av_mm *mm;
	uint64_t id;
};

/*
 * An address space.  Found by pid under w->lock, which takes a reference
 * (users); exit unpublishes it, tears it down under mmap_lock for writing
 * and marks it dead, and the last reference frees the struct.
 */
struct av_mm {
	struct av_rb_root vma_tree;
	size_t nr_vmas;
	struct av_pt *pgd;        /* page tables: ptl */
	struct av_rwsem mmap_lock;
	struct av_mutex ptl;
	int pid, parent_pid;       /* pid: the process's (its first task's) */
	int nr_tasks;             /* tasks (threads) sharing it: w->lock */
	uint64_t start_brk, brk;  /* the heap: [start_brk, brk), mmap_lock */
	long users;
	bool dead;                /* exited: mmap_lock */
	bool published;           /* in the pid table: w->lock */
	bool exiting;             /* an exit owns it: w->lock */
	bool touched;             /* changed since the last av_check (check.c) */
	struct cds_list_head node;      /* world->mms, w->lock */
	struct av_world *w;
};

/*
 * What changed since the last av_check, for av_check_incremental(): the
 * frames and swap slots whose state or references changed (logged where
 * a PTE is written, a frame or slot allocated or freed, the swap cache
 * changed) and, in each mm, `touched`.  Off until the first incremental
 * check, so that nothing else pays for it; a log that overflows makes the
 * next check a full one.  Appends are atomic: walks log from any thread.
 */
#define AV_TOUCH_MAX 256
struct av_touch_log {
	bool on;
	uint64_t nr_pfns, nr_slots;     /* past AV_TOUCH_MAX: overflowed */
	uint64_t pfns[AV_TOUCH_MAX], slots[AV_TOUCH_MAX];
	/* At the last check: a pid table that may have changed since (a
	 * task made or gone, an mm made by exec) is checked again. */
	uint64_t next_pid, nr_tasks, mms_made;
	/* Changes to the anon_vma side (av_touch_anon_side), and their
	 * count at the last check: while it stands, every chain, anon_vma,
	 * AVC set and file user count is as that check found it. */
	uint64_t anon_side, anon_side_checked;
};

struct av_world {
	const struct av_policy *policy;
	bool zero_page;
	bool lock_own;            /* AV_LOCK_OWN: each anon_vma's own lock */
	struct av_allocator alloc;
	struct av_stats st;       /* counters; scan fields filled on read */

	/* Leaf locks, taken last (rmap.h has the whole order):
	 * swap_lock before frame_lock; lock alone. */
	struct av_mutex lock;       /* pids, mms, anon_vma lists, ids */
	struct av_mutex swap_lock;  /* swap pool, slots, swap cache */
	struct av_mutex frame_lock; /* frame pool */
	struct cds_list_head retired;     /* anon_vmas waiting for a grace period */
	size_t nr_retired;
	struct cds_list_head av_cache;    /* anon_vma memory to use again */
	size_t nr_cached;
	/* A walk found a mapped page whose anon_vma was already dead (pfn
	 * and anon_vma id; pfn 0: never).  av_check reports it. */
	uint64_t dead_mapping_pfn, dead_mapping_id;

	struct av_mm **mm_by_pid;       /* a task's mm, by its pid */
	int *tgid_by_pid;               /* its thread group: the pid exec keeps */
	size_t pid_cap;
	int next_pid;
	uint64_t nr_procs, max_procs;   /* processes (mms) */
	uint64_t nr_tasks;              /* tasks: processes and their threads */
	struct cds_list_head mms;
	struct cds_list_head anon_vmas; /* every live anon_vma */
	uint64_t next_anon_vma_id, next_vma_id;

	struct cds_list_head files;     /* every live struct av_file, w->lock */
	int next_file_id;
	unsigned fault_around_pages;    /* a read fault of a file maps this many */

	struct av_pool frames;    /* struct av_page; pfn 0 is the zero page */
	struct av_pool swap;      /* struct av_swap_slot; slot 0 invalid */
	struct av_touch_log touch;
	/* av_check's working memory, kept between checks while small
	 * (check.c); not one of the world's objects. */
	void *check_mem;
	size_t check_mem_size;
};

/* ---- check.c: the change log of av_check_incremental() ---- */
void av_check_mem_free(struct av_world *w);  /* the kept working memory */
static inline void av_touch_add(uint64_t *nr, uint64_t *log, uint64_t v)
{
	uint64_t i = av_atomic_inc(nr) - 1;

	if (i < AV_TOUCH_MAX)
		av_store(&log[i], v);
}
static inline void av_touch_page(struct av_world *w, uint64_t pfn)
{
	if (av_load_relaxed(&w->touch.on) && pfn)
		av_touch_add(&w->touch.nr_pfns, w->touch.pfns, pfn);
}
static inline void av_touch_slot(struct av_world *w, uint64_t slot)
{
	if (av_load_relaxed(&w->touch.on) && slot)
		av_touch_add(&w->touch.nr_slots, w->touch.slots, slot);
}
static inline void av_touch_mm(struct av_mm *mm)
{
	if (!av_load_relaxed(&mm->touched))
		av_store(&mm->touched, true);
}
/*
 * The anon_vma side changed: a VMA, AVC, anon_vma or mm made or freed
 * (av_count_alloc/free), a VMA's range moved (av_vma_set_range), a VMA
 * given an anon_vma (av_anon_vma_prepare), an anon_vma's reference
 * dropped (av_put_anon_vma), a file made, looked up or let go.  Every
 * other change to chains, anon_vmas and AVC sets comes with one of these
 * (a fork, a split or a merge makes or frees objects).  An incremental
 * check skips that side while nothing changed; test_fuzz_ops proves the
 * list complete on every operation of the fuzz corpus, and the full check
 * every so often stays the backstop.
 */
static inline void av_touch_anon_side(struct av_world *w)
{
	if (av_load_relaxed(&w->touch.on))
		(void)av_atomic_add(&w->touch.anon_side, 1);
}

/* ---- world.c ---- */
void *av_alloc(struct av_world *w, size_t size, enum av_obj_kind kind);
void av_free(struct av_world *w, void *p, size_t size, enum av_obj_kind kind);
/* Record "func: cause" as the world's last error; returns err. */
int av_fail(struct av_world *w, int err, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Invariants a design may be known to break (struct av_policy.known_flaws):
 * av_check names the one it found, after av_fail, for
 * av_check_known_flaw(); av_check's start and any av_fail forget it. */
enum av_invariant {
	AV_INV_NONE,
	AV_INV_SHARED_CHAIN,    /* VMAs sharing an anon_vma share their chain */
	AV_INV_DEAD_MAPPING,    /* a mapped page's anon_vma is alive */
};
#define AV_INV_BIT(inv) (1u << (inv))
void av_fail_invariant(enum av_invariant inv);
struct av_mm *av_mm_lookup(struct av_world *w, int pid);
void av_stats_snapshot(const struct av_world *w, struct av_stats *s);
/* Counters are updated from many threads: relaxed atomics, read by
 * av_stats_read one word at a time. */
#define av_stat_add(w, field, n) ((void)av_atomic_add(&(w)->st.field, (uint64_t)(n)))
#define av_stat_inc(w, field)    av_stat_add(w, field, 1)
/* The kinds av_touch_anon_side follows (the rest are pages, swap slots,
 * page tables and bookkeeping, which the touch log follows). */
static inline bool av_anon_side_kind(enum av_obj_kind k)
{
	return k == AV_OBJ_ANON_VMA || k == AV_OBJ_AVC || k == AV_OBJ_VMA || k == AV_OBJ_MM;
}
static inline void av_count_alloc(struct av_world *w, enum av_obj_kind k)
{
	av_stat_inc(w, obj[k].allocated);
	av_stat_inc(w, obj[k].live);
	if (av_anon_side_kind(k))
		av_touch_anon_side(w);
}
static inline void av_count_free(struct av_world *w, enum av_obj_kind k)
{
	av_stat_inc(w, obj[k].freed);
	(void)__atomic_sub_fetch(&w->st.obj[k].live, 1, __ATOMIC_RELAXED);
	if (av_anon_side_kind(k))
		av_touch_anon_side(w);
}

/* ---- pool.c ---- */
int av_pool_init(struct av_world *w, struct av_pool *p, size_t elem_size, uint64_t limit);
void av_pool_destroy(struct av_world *w, struct av_pool *p);
/* 0 and the new index in *idx, or -ENOMEM (limit reached or no memory). */
int av_pool_get(struct av_world *w, struct av_pool *p, uint64_t *idx);
void av_pool_put(struct av_pool *p, uint64_t idx);
void *av_pool_at(const struct av_pool *p, uint64_t idx);

/* ---- page.c: frames, swap slots, swap cache ---- */
static inline struct av_page *pfn_page(const struct av_world *w, uint64_t pfn)
{
	return av_pool_at(&w->frames, pfn);
}
static inline struct av_swap_slot *swap_slot(const struct av_world *w, uint64_t s)
{
	return av_pool_at(&w->swap, s);
}
int av_page_alloc(struct av_world *w, uint64_t *pfn);
/* Drop one reference; frees the frame at zero. */
void av_page_put(struct av_world *w, uint64_t pfn);
bool av_page_trylock(struct av_world *w, struct av_page *pg);
void av_page_lock(struct av_world *w, struct av_page *pg);
void av_page_unlock(struct av_page *pg);
/* Swap: *_locked need w->swap_lock held. */
int av_swap_alloc_locked(struct av_world *w, uint64_t *slot);
/* Swap cache membership: the cache holds one page reference. */
void av_swap_cache_add_locked(struct av_world *w, uint64_t pfn, uint64_t slot);
void av_swap_cache_del_locked(struct av_world *w, uint64_t pfn);
void av_swap_cache_del(struct av_world *w, uint64_t pfn);
/* Free the page's swap slot if no swap PTE needs it (folio_free_swap). */
bool av_swap_try_free_locked(struct av_world *w, uint64_t pfn);
bool av_swap_try_free(struct av_world *w, uint64_t pfn);
/* Migration: the swap cache entry passes from old to new. */
void av_swap_cache_move(struct av_world *w, uint64_t old_pfn, uint64_t new_pfn);
/* A swap PTE for slot was copied (fork) or went away. */
void av_swap_entry_dup(struct av_world *w, uint64_t slot);
void av_swap_entry_put(struct av_world *w, uint64_t slot);
/* A PTE mapping pfn went away: mapcount and reference drop; an unmapped
 * swap-cache page nobody needs is reaped. */
void av_page_unmap_one(struct av_world *w, uint64_t pfn);

/* ---- pgtable.c ---- */
/* The radix tree itself, for page tables and page caches (key: an
 * address, or a page index << PAGE_SHIFT); nodes counted as kind. */
av_pte *av_radix_lookup(const struct av_pt *root, uint64_t addr);
int av_radix_alloc(struct av_world *w, struct av_pt **root, enum av_obj_kind kind,
		   uint64_t addr, av_pte **out);
void av_radix_set(uint64_t addr, av_pte *slot, av_pte val);
typedef int (*av_pte_fn)(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg);
int av_radix_range(struct av_pt *root, uint64_t start, uint64_t end, av_pte_fn fn, void *arg);
/* Free the tree, whose entries must all be empty. */
void av_radix_free(struct av_world *w, struct av_pt **root, enum av_obj_kind kind);
av_pte *av_pte_lookup(const struct av_mm *mm, uint64_t addr);
/* Find or create the PTE slot for addr; -ENOMEM if a table is needed and
 * cannot be allocated. */
int av_pte_alloc(struct av_world *w, struct av_mm *mm, uint64_t addr, av_pte **out);
/* Set or clear an entry, keeping the table's used count. */
void av_pte_set(struct av_mm *mm, uint64_t addr, av_pte *slot, av_pte val);
/* Call fn for every non-empty PTE in [start, end), in address order. */
int av_pte_range(struct av_mm *mm, uint64_t start, uint64_t end, av_pte_fn fn, void *arg);
/* Free page-table pages left empty in [start, end). */
void av_pt_free_empty(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end);
void av_pt_free_all(struct av_world *w, struct av_mm *mm);

/* ---- vma.c: the per-mm VMA tree and VMA objects ---- */
struct av_vma *av_vma_find(const struct av_mm *mm, uint64_t addr); /* containing */
struct av_vma *av_vma_first_after(const struct av_mm *mm, uint64_t addr); /* end > addr */
struct av_vma *av_vma_next(const struct av_vma *v);
struct av_vma *av_vma_prev(const struct av_vma *v);
struct av_vma *av_vma_first(const struct av_mm *mm);
/* A new VMA (of file, which gains a reference, if not NULL). */
struct av_vma *av_vma_new(struct av_world *w, struct av_mm *mm, uint64_t start,
			  uint64_t end, uint64_t pgoff, unsigned flags, struct av_file *file);
/* A copy of v (range, flags, anon_vma pointer) with an empty chain. */
struct av_vma *av_vma_dup(struct av_world *w, const struct av_vma *v);
void av_vma_insert(struct av_mm *mm, struct av_vma *v);
void av_vma_erase(struct av_mm *mm, struct av_vma *v);
void av_vma_free(struct av_world *w, struct av_vma *v);
/* vma->anon_vma is set once, by anon_vma_prepare under mmap_lock for
 * reading, while other faults of the same mm look at it. */
static inline struct anon_vma *av_vma_anon_vma(const struct av_vma *v)
{
	return av_load(&((struct av_vma *)v)->anon_vma);
}
static inline uint64_t vma_pages(const struct av_vma *v)
{
	return (v->end - v->start) >> PAGE_SHIFT;
}
static inline uint64_t vma_linear_index(const struct av_vma *v, uint64_t addr)
{
	return v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
}
static inline unsigned prot_to_vm_flags(int prot)
{
	return ((prot & AV_PROT_READ) ? VM_READ : 0) |
	       ((prot & AV_PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & AV_PROT_EXEC) ? VM_EXEC : 0);
}
int vm_flags_to_prot(unsigned flags);

/* ---- file.c ---- */
int av_file_new(struct av_world *w, uint64_t size, bool anon, struct av_file **out);
/* A named file by id, with a reference; NULL if there is none. */
struct av_file *av_file_find(struct av_world *w, int id);
void av_file_get(struct av_file *f);
void av_file_put(struct av_world *w, struct av_file *f);
/* The cache's page at index: its pfn, or 0 if not cached (file->lock). */
uint64_t av_file_cached(struct av_file *f, uint64_t index);
/* The cache's page at index, read in (a new frame) if it is not there;
 * takes file->lock itself.  0, or -ENOMEM. */
int av_file_page(struct av_world *w, struct av_file *f, uint64_t index, uint64_t *pfn);
static inline bool page_is_file(struct av_page *pg) { return page_test(pg, PG_FILE); }
static inline bool vma_is_anonymous(const struct av_vma *v) { return !v->file; }

/* ---- mapops.c ---- */
/* Unmap [start, end) of v's pages: drop PTEs, mapcounts, swap entries. */
void av_zap_range(struct av_world *w, struct av_vma *v, uint64_t start, uint64_t end);
int av_split_vma(struct av_world *w, struct av_vma *v, uint64_t addr, bool new_below,
		 struct av_vma **out_new);

/* The operations behind the public calls; arguments already checked,
 * mmap_lock held. */
/* A new mapping: anonymous (file NULL, not shared), shared anonymous (a
 * new shmem file made here), or of file at page offset pgoff; map_flags
 * are AV_MAP_*. */
int av_do_mmap(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end, int prot,
	       int map_flags, struct av_file *file, uint64_t pgoff);
int av_do_munmap(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end);
int av_do_mprotect(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end, int prot);
int av_do_mremap(struct av_world *w, struct av_mm *mm, uint64_t addr, uint64_t old_len,
		 uint64_t new_len, int flags, uint64_t new_addr);
int av_do_dontneed(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end);
/* MADV_DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK: set or clear vm_flags
 * over [start, end), splitting and merging as mprotect does. */
int av_do_madvise_flags(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end,
			int advice);
/* brk: move the heap's end to mm->start_brk + size. */
int av_do_brk(struct av_world *w, struct av_mm *mm, uint64_t size);

/* ---- merge.c ---- */
/* Whether VMA a could absorb the range [b_start, ...) of flags b_flags,
 * of b_file at b_pgoff, just after it (and the same with a after b):
 * equal flags, the same file, contiguous offsets.  (anon_vma compatibility
 * is the policy's.) */
bool av_vma_fits_before(const struct av_vma *a, unsigned b_flags, const struct av_file *b_file,
			uint64_t b_start, uint64_t b_pgoff);
bool av_vma_fits_after(const struct av_vma *b, unsigned a_flags, const struct av_file *a_file,
		       uint64_t a_start, uint64_t a_end, uint64_t a_pgoff);
/* Try to merge the new range [start, end) (flags, pgoff, carrying anon's
 * pages when copied_from is set) into its neighbours.  *out is the VMA that
 * now covers it, or NULL when no merge was possible. */
int av_vma_merge_new_range(struct av_world *w, struct av_mm *mm, uint64_t start,
			   uint64_t end, unsigned flags, struct av_file *file, uint64_t pgoff,
			   struct anon_vma *anon, struct av_vma *copied_from,
			   struct av_vma **out);
/* Give [start, end) of v the flags newflags, merging or splitting; *out is
 * the VMA that covers the range afterwards. */
int av_vma_modify_flags(struct av_world *w, struct av_vma *v, uint64_t start,
			uint64_t end, unsigned newflags, struct av_vma **out);

/* ---- fault.c ---- */
/* av_handle_fault's answer when addr is below a stack that may grow down
 * to it: the caller extends it (av_expand_stack, mmap_lock held for
 * writing) and faults again. */
#define AV_FAULT_EXPAND 3
int av_handle_fault(struct av_world *w, struct av_mm *mm, uint64_t addr, bool write);
/* expand_downwards: the stack above addr grows down to addr's page.
 * -EFAULT (SIGSEGV) if there is no such stack or it would come within
 * STACK_GUARD_GAP of the accessible mapping below; -ENOMEM. */
int av_expand_stack(struct av_world *w, struct av_mm *mm, uint64_t addr);
/* A PTE was seen holding the migration entry `seen`: wait (ptl not held)
 * until the migration is over.  -EUCLEAN if it is over and the entry is
 * still there: a walk missed it (only possible with each anon_vma's own
 * lock: the 2.6.34 design, or AV_LOCK_OWN). */
int av_migration_wait(struct av_world *w, struct av_mm *mm, uint64_t addr, av_pte seen);

/* ---- mm.c ---- */
/* A new, empty, unpublished mm for a new process (pid 0: a new pid) or
 * for the process pid that execs (its pid kept). */
int av_mm_create(struct av_world *w, int parent_pid, int pid, struct av_mm **out);
void av_mm_publish(struct av_world *w, struct av_mm *mm);
struct av_mm *av_mm_get(struct av_world *w, int pid);
void av_mm_put(struct av_world *w, struct av_mm *mm);
/* Exit (or undo a failed fork): false if another thread already exits it. */
bool av_mm_exit(struct av_world *w, struct av_mm *mm);
/* A new task sharing mm, made by task creator: a thread of creator's
 * thread group, or (own_group: clone(CLONE_VM) without CLONE_THREAD, as
 * vfork) a process of its own.  Its pid in *tid. */
int av_task_create(struct av_world *w, struct av_mm *mm, int creator, bool own_group, int *tid);
/* Task pid ends: 1 if it was the last task of its mm (which the caller
 * then exits), 0 if others remain, -ESRCH if pid is no task of mm. */
int av_task_exit(struct av_world *w, struct av_mm *mm, int pid);
/* exec by task pid of old: nm (from av_mm_create with pid) becomes pid's;
 * the other tasks of pid's thread group end, those of other groups
 * sharing old (a vfork child, its parent) keep it.  *ended: the task
 * references old lost, which the caller drops; *last: no task is left on
 * old, which the caller then exits.  -ESRCH if old is already exiting. */
int av_mm_exec_replace(struct av_world *w, struct av_mm *old, struct av_mm *nm, int pid,
		       long *ended, bool *last);
int av_dup_mmap(struct av_world *w, struct av_mm *parent, struct av_mm *child);

#endif
