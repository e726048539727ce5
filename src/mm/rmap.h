/* SPDX-License-Identifier: MIT */
/*
 * rmap.h - anon_vma, anon_vma_chain and the reverse-map walks.
 *
 * Lock order (2026-11-26; the one place it is written down):
 *
 *   mm->mmap_lock              write for map changes, fork, exit; read for
 *                              faults and for walks started from a process
 *     page lock (PG_LOCKED)    walks hold it; a swap-in takes it with the PTL
 *                              dropped; COW reuse only tries it, under the PTL
 *       anon_vma->root->rwsem  write to link/unlink AVCs, change the range of
 *                              a linked VMA, move page tables (mremap);
 *                              read for rmap walks
 *         mm->ptl              page-table lock: PTEs, page tables, the link
 *                              of a VMA's first AVC (page_table_lock); fork
 *                              holds the child's, then the parent's
 *           w->swap_lock       swap slots, swap cache
 *             w->frame_lock    frame pool
 *           w->lock            pids, mm list, anon_vma list, ids (a leaf)
 *   RCU read side              page->mapping to a pinned anon_vma, no locks
 *
 * Only the *root* anon_vma's lock is ever taken (the seed's series, 2.6.35):
 * every anon_vma of a fork tree shares it, so a walk and a fork/unmap in the
 * same tree serialize, and anon_vma->root is a direct pointer that stays
 * valid because every descendant holds a reference on its root.  A walker
 * that starts from a page holds no mm lock: it pins the page, locks it,
 * reads page->mapping under RCU and takes a reference on the anon_vma only
 * if the count is not zero; a freed anon_vma's memory becomes an anon_vma
 * again only after a grace period (av_anon_vma_reclaim), and is never
 * anything else while the world lives, as SLAB_TYPESAFE_BY_RCU makes it
 * in the kernel.  The 2.6.34 design (and world option AV_LOCK_OWN) takes
 * each anon_vma's own lock instead: the locking before the seed's series,
 * kept to show what breaks (docs/locking.md).
 *
 * Invariants (checked by av_check):
 *  - every AVC is on its VMA's chain and in its anon_vma's AVC set;
 *  - vma->anon_vma, if set, is on vma's chain; the chain runs newest to
 *    oldest and ends at the root;
 *  - av->root == av->parent->root; the root is its own root and parent;
 *  - refcount = (AVC set non-empty) + number of live anon_vmas whose root is
 *    this one (other than itself) + pins by walkers;
 *  - num_children = anon_vmas whose parent is this one (a root counts itself
 *    while its AVC set is non-empty); num_active_vmas = VMAs whose anon_vma
 *    is this one.
 */
#ifndef AV_RMAP_H
#define AV_RMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "../lib/itree.h"
#include "../lib/list.h"
#include "../port/port.h"
#include "vm.h"

struct av_world;
struct av_vma;
struct av_mm;
struct av_page;

/*
 * Where the designs differ, each keeps only its own members: an anon_vma's
 * AVC set is an interval tree (3.7 on) or a list (2.6.35), never both, as
 * the world's policy says (avc_interval_tree), and so is the AVC's place in
 * it.  Nothing that can be derived is stored: the number of AVCs is the
 * set's size (av_anon_vma_nr_avcs).
 *
 * anon_vma memory is used again once freed (anon_vma_alloc sets every
 * field but rwsem: a new field must be set there too).
 */
struct anon_vma {
	struct anon_vma *root;    /* oldest anon_vma of this tree (the seed) */
	struct anon_vma *parent;  /* the anon_vma this one was forked from */
	unsigned long refcount;
	unsigned long num_children;
	unsigned long num_active_vmas;
	union {                   /* the AVC set */
		struct av_itree avc_tree;       /* by VMA pgoff range */
		struct cds_list_head avc_list;  /* newest first */
	};
	struct cds_list_head node;      /* world->anon_vmas */
	uint64_t id;
	uint64_t write_since;     /* when the write lock was taken (stats) */
	struct av_rwsem rwsem;    /* used only in the root */
};

struct anon_vma_chain {
	struct av_vma *vma;
	struct anon_vma *anon_vma;
	struct cds_list_head same_vma;      /* on vma->anon_vma_chain */
	union {                             /* in anon_vma's AVC set */
		struct av_itree_node it;            /* avc_tree */
		struct cds_list_head same_anon_vma; /* avc_list */
	};
};

/* Linux 6.18's are 104 and 64 bytes (x86-64).  Issue 17 brought ours from
 * 168 and 104 to 96 and 80, and set these ceilings: growing past one is a
 * decision to take in the open (anonvma --version prints the sizes). */
_Static_assert(sizeof(struct anon_vma) <= 130, "struct anon_vma grew past 130 bytes");
_Static_assert(sizeof(struct anon_vma_chain) <= 80, "struct anon_vma_chain grew past 80 bytes");

/* anon_vma.c */
/* vma's first fault that needs an anon_vma: the policy's prepare, unless
 * vma has one already. */
int av_anon_vma_prepare(struct av_world *w, struct av_vma *vma);
/* Split, merge, mremap: dst (its anon_vma set to src's) gets a link to
 * every anon_vma of src's chain. */
int av_anon_vma_clone(struct av_world *w, struct av_vma *dst, struct av_vma *src);
/* Fork: vma (a copy of pvma, its chain empty) linked as the policy says;
 * nothing if pvma has no chain.  On failure whatever was linked goes. */
int av_anon_vma_fork(struct av_world *w, struct av_vma *vma, struct av_vma *pvma);
void av_unlink_anon_vmas(struct av_world *w, struct av_vma *vma);
void av_get_anon_vma(struct anon_vma *av);
void av_put_anon_vma(struct av_world *w, struct anon_vma *av);
void av_anon_vma_lock_write(struct av_world *w, struct anon_vma *av);
void av_anon_vma_unlock_write(struct av_world *w, struct anon_vma *av);
void av_anon_vma_lock_read(struct av_world *w, struct anon_vma *av);
void av_anon_vma_unlock_read(struct av_world *w, struct anon_vma *av);
/* Put the memory of retired anon_vmas in the world's cache (it is an
 * anon_vma again, never anything else) after a grace period, once many
 * wait (BATCH); or all of them at once, with no grace period, in a world
 * no call is using (QUIET: destroy), where no walker can hold one.  Call
 * holding no locks. */
enum av_reclaim_when { AV_RECLAIM_BATCH, AV_RECLAIM_QUIET };
void av_anon_vma_reclaim(struct av_world *w, enum av_reclaim_when when);
/* Give the cache's memory back to the allocator (world destroy). */
void av_anon_vma_cache_free(struct av_world *w);
/* The anon_vma of a mapped, locked page, with a reference
 * (folio_get_anon_vma). */
struct anon_vma *av_page_get_anon_vma(struct av_world *w, uint64_t pfn);
/* Change a VMA's range or pgoff, keeping the AVC interval trees sorted. */
void av_vma_set_range(struct av_world *w, struct av_vma *v, uint64_t start,
		      uint64_t end, uint64_t pgoff);
/* dup_anon_vma: give dst src's anon_vma (and chain) if dst has none. */
int av_dup_anon_vma(struct av_world *w, struct av_vma *dst, struct av_vma *src);
/* The newest anon_vma on v's chain (NULL if it has none): in the tree of
 * every page v may map. */
struct anon_vma *av_vma_chain_newest(const struct av_vma *v);
/* Are a and b linked to the same anon_vmas, in the same order? */
bool av_vma_same_chain(const struct av_vma *a, const struct av_vma *b);
/* Is v linked to any anon_vma - may it map anonymous pages?  (With a lazy
 * design, a VMA may be linked without an anon_vma of its own.) */
static inline bool av_vma_has_chain(const struct av_vma *v)
{
	return !av_list_empty(&v->anon_vma_chain);
}
/* How many VMAs are linked to av: the size of its AVC set (a list is
 * counted, in time linear in its length). */
size_t av_anon_vma_nr_avcs(const struct av_world *w, const struct anon_vma *av);
/* The AVC on vma's chain whose anon_vma is av, or NULL. */
struct anon_vma_chain *av_vma_find_avc(const struct av_vma *vma, const struct anon_vma *av);

/* ---- building blocks for policies (policy.h) ---- */

/* A neighbour's anon_vma a first fault may borrow (the kernel's
 * find_mergeable_anon_vma): the next VMA's, else the previous one's, if
 * the two could be merged but for their protections, and (singular) if
 * that neighbour was never forked - its chain holds one AVC. */
struct anon_vma *av_neighbour_anon_vma(const struct av_vma *vma, bool singular);
/* anon_vma_prepare, the kernel's way: borrow(vma)'s anon_vma if it gives
 * one (borrow may be NULL), else a new root; one AVC links it to vma. */
typedef struct anon_vma *(*av_borrow_fn)(const struct av_vma *vma);
int av_anon_vma_prepare_borrowing(struct av_world *w, struct av_vma *vma, av_borrow_fn borrow);
/* May av, on src's chain, take the new pages of a VMA being linked? */
typedef bool (*av_reuse_fn)(const struct anon_vma *av, const struct av_vma *src);
/* Link dst to every anon_vma of src's chain, oldest first.  If dst has no
 * anon_vma yet and reuse (may be NULL) accepts one on the way, the first
 * it accepts becomes dst's. */
int av_anon_vma_clone_reusing(struct av_world *w, struct av_vma *dst, struct av_vma *src,
			      av_reuse_fn reuse);
/* A new anon_vma below parent, in parent's tree (it pins the root), for
 * vma, which has none: linked at the head of vma's chain. */
int av_anon_vma_add_child(struct av_world *w, struct av_vma *vma, struct anon_vma *parent);
/* For a VMA linked to anon_vmas but without one of its own (lazy): the
 * oldest anon_vma on its chain that reuse accepts (reuse may be NULL),
 * else a new child of the newest.  A VMA not linked at all: as
 * av_anon_vma_prepare_borrowing(). */
int av_anon_vma_prepare_from_chain(struct av_world *w, struct av_vma *vma, av_reuse_fn reuse,
				   av_borrow_fn borrow);

/* rmap.c: walks from a page.
 * fn is called, root lock held for reading, for each PTE found mapping the
 * page; a non-zero return stops the walk.  counted: add to the walk stats
 * (av_check walks uncounted).  Returns the number of PTEs found. */
typedef int (*av_rmap_fn)(struct av_world *w, struct av_vma *vma, uint64_t addr,
			  uint64_t *pte, void *arg);
long av_rmap_walk(struct av_world *w, uint64_t pfn, bool counted, av_rmap_fn fn, void *arg);

/* The three users of the walk (reclaim, aging, migration), page by page;
 * the caller has pinned and locked the page. */
int av_try_to_unmap(struct av_world *w, uint64_t pfn);   /* to swap */
long av_page_referenced(struct av_world *w, uint64_t pfn);
int av_migrate_page(struct av_world *w, uint64_t pfn);
/* Lock the pinned page, run op if it is still a mapped anonymous page,
 * unlock.  -EAGAIN if it is not. */
int av_page_op(struct av_world *w, uint64_t pfn, enum av_walk_op op, uint64_t *done);

#endif
