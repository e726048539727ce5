/* SPDX-License-Identifier: MIT */
/*
 * anon_vma.c - anon_vma and anon_vma_chain: prepare, clone, fork, unlink,
 * reference counting.  The lock order is in rmap.h.
 *
 * Reference counting (2026-11-25): a new anon_vma starts with refcount 1,
 * the reference its AVC set holds; it is dropped when the set empties
 * (unlink).  Every anon_vma made at fork takes a reference on its root, so
 * the root - whose lock the whole tree uses - is freed after all its
 * descendants, whatever the order in which processes exit.  The seed patch
 * got the same guarantee from the order of the same_vma list alone.
 */
#include <errno.h>
#include <string.h>
#include "rmap.h"
#include "vm.h"
#include "policy.h"

/* ---- objects ---- */

/* The AVC set of a new anon_vma: the one kind its world's design uses. */
static void avc_set_init(const struct av_world *w, struct anon_vma *av)
{
	if (w->policy->avc_interval_tree)
		av_itree_init(&av->avc_tree);
	else
		CDS_INIT_LIST_HEAD(&av->avc_list);
}

/*
 * anon_vma memory is type-stable, as the kernel's SLAB_TYPESAFE_BY_RCU
 * cache makes it: once an anon_vma is freed and a grace period has passed,
 * its memory goes to the world's cache of anon_vmas, to be an anon_vma
 * again, and back to the allocator only with the world.  A page that still
 * points to a freed anon_vma - which only a broken design can leave -
 * then leads a walk to a dead or a different anon_vma, which it notices
 * (av_page_get_anon_vma) and av_check reports, never to freed memory.
 */
static struct anon_vma *anon_vma_alloc(struct av_world *w)
{
	struct anon_vma *av = NULL;

	av_mutex_lock(&w->lock);
	if (!cds_list_empty(&w->av_cache)) {
		av = cds_list_entry(w->av_cache.next, struct anon_vma, node);
		cds_list_del_init(&av->node);
		w->nr_cached--;
	}
	av_mutex_unlock(&w->lock);
	if (av) {
		av_count_alloc(w, AV_OBJ_ANON_VMA);
	} else {
		if (!(av = av_alloc(w, sizeof(*av), AV_OBJ_ANON_VMA)))
			return NULL;
		if (av_rwsem_init(&av->rwsem)) {
			av_free(w, av, sizeof(*av), AV_OBJ_ANON_VMA);
			return NULL;
		}
	}
	/* Every field but the lock, which stays initialised. */
	av->root = av;
	av->parent = av;
	av->write_since = 0;
	av_store(&av->refcount, 1UL);
	av->num_children = 0;
	av->num_active_vmas = 0;
	avc_set_init(w, av);
	av_mutex_lock(&w->lock);
	av->id = ++w->next_anon_vma_id;
	cds_list_add_tail(&av->node, &w->anon_vmas);
	av_mutex_unlock(&w->lock);
	return av;
}

/* Walkers may still be looking at av through a page's mapping (under RCU):
 * retire it now, cache its memory after a grace period. */
static void anon_vma_free(struct av_world *w, struct anon_vma *av)
{
	av_mutex_lock(&w->lock);
	cds_list_del_init(&av->node);
	cds_list_add_tail(&av->node, &w->retired);
	w->nr_retired++;
	av_mutex_unlock(&w->lock);
	av_count_free(w, AV_OBJ_ANON_VMA);
}

#define RETIRED_BATCH 64

void av_anon_vma_reclaim(struct av_world *w, enum av_reclaim_when when)
{
	struct cds_list_head batch;

	av_mutex_lock(&w->lock);
	if (!w->nr_retired || (when == AV_RECLAIM_BATCH && w->nr_retired < RETIRED_BATCH)) {
		av_mutex_unlock(&w->lock);
		return;
	}
	CDS_INIT_LIST_HEAD(&batch);
	cds_list_splice(&w->retired, &batch);
	CDS_INIT_LIST_HEAD(&w->retired);
	w->nr_retired = 0;
	av_mutex_unlock(&w->lock);
	if (when != AV_RECLAIM_QUIET)
		av_synchronize_rcu();
	av_mutex_lock(&w->lock);
	while (!cds_list_empty(&batch)) {
		struct anon_vma *av = cds_list_entry(batch.next, struct anon_vma, node);
		cds_list_del(&av->node);
		cds_list_add(&av->node, &w->av_cache);
		w->nr_cached++;
	}
	av_mutex_unlock(&w->lock);
}

void av_anon_vma_cache_free(struct av_world *w)
{
	while (!cds_list_empty(&w->av_cache)) {
		struct anon_vma *av = cds_list_entry(w->av_cache.next, struct anon_vma, node);
		cds_list_del(&av->node);
		av_rwsem_destroy(&av->rwsem);
		w->alloc.free(w->alloc.ctx, av, sizeof(*av), AV_OBJ_ANON_VMA);
	}
	w->nr_cached = 0;
}

static struct anon_vma_chain *avc_alloc(struct av_world *w)
{
	struct anon_vma_chain *avc = av_alloc(w, sizeof(*avc), AV_OBJ_AVC);

	if (avc)
		memset(avc, 0, sizeof(*avc));
	return avc;
}

static void avc_free(struct av_world *w, struct anon_vma_chain *avc)
{
	av_free(w, avc, sizeof(*avc), AV_OBJ_AVC);
}

void av_get_anon_vma(struct anon_vma *av)
{
	av_atomic_inc(&av->refcount);
}

void av_put_anon_vma(struct av_world *w, struct anon_vma *av)
{
	struct anon_vma *root = av->root;

	av_touch_anon_side(w);
	if (av_atomic_dec(&av->refcount))
		return;
	anon_vma_free(w, av);
	/* The reference this anon_vma held on its root (taken at fork). */
	if (root != av)
		av_put_anon_vma(w, root);
}

/* ---- locking: only ever the root's (unless AV_LOCK_OWN) ---- */

static bool own_locks(const struct av_world *w)
{
	return w->lock_own || w->policy->own_locks;
}

static struct anon_vma *lock_of(const struct av_world *w, struct anon_vma *av)
{
	return own_locks(w) ? av : av->root;
}

static void lock_rw(struct av_world *w, struct anon_vma *l, bool write)
{
	uint64_t waited = av_rwsem_lock_timed(&l->rwsem, write);

	if (waited) {
		av_stat_inc(w, lock.root_contended);
		av_stat_add(w, lock.root_wait_ns, waited);
	}
	if (write) {
		l->write_since = av_now_ns();
		av_stat_inc(w, lock.root_write);
	} else {
		av_stat_inc(w, lock.root_read);
	}
}

static void unlock_w(struct av_world *w, struct anon_vma *l)
{
	av_stat_add(w, lock.root_write_hold_ns, av_now_ns() - l->write_since);
	av_rwsem_write_unlock(&l->rwsem);
}

void av_anon_vma_lock_write(struct av_world *w, struct anon_vma *av)
{
	lock_rw(w, lock_of(w, av), true);
}

void av_anon_vma_unlock_write(struct av_world *w, struct anon_vma *av)
{
	unlock_w(w, lock_of(w, av));
}

void av_anon_vma_lock_read(struct av_world *w, struct anon_vma *av)
{
	lock_rw(w, lock_of(w, av), false);
}

void av_anon_vma_unlock_read(struct av_world *w, struct anon_vma *av)
{
	(void)w;
	av_rwsem_read_unlock(&lock_of(w, av)->rwsem);
}

/* Lock av's tree for writing unless `held`, already locked, is its lock. */
static struct anon_vma *lock_root(struct av_world *w, struct anon_vma *held,
				  struct anon_vma *av)
{
	struct anon_vma *l = lock_of(w, av);

	if (l != held) {
		if (held)
			unlock_w(w, held);
		lock_rw(w, l, true);
	}
	return l;
}

static void unlock_root(struct av_world *w, struct anon_vma *held)
{
	if (held)
		unlock_w(w, held);
}

/* ---- the AVC set of an anon_vma (policy: interval tree or list) ---- */

static void avc_set_insert(struct av_world *w, struct anon_vma *av,
			   struct anon_vma_chain *avc)
{
	struct av_vma *v = avc->vma;

	if (w->policy->avc_interval_tree) {
		avc->it.start = v->pgoff;
		avc->it.last = v->pgoff + vma_pages(v) - 1;
		av_itree_insert(&av->avc_tree, &avc->it);
	} else {
		cds_list_add(&avc->same_anon_vma, &av->avc_list);
	}
}

static void avc_set_remove(struct av_world *w, struct anon_vma *av,
			   struct anon_vma_chain *avc)
{
	if (w->policy->avc_interval_tree)
		av_itree_remove(&av->avc_tree, &avc->it);
	else
		cds_list_del_init(&avc->same_anon_vma);
}

static bool avc_set_empty(const struct av_world *w, const struct anon_vma *av)
{
	if (w->policy->avc_interval_tree)
		return av_itree_empty(&av->avc_tree);
	return av_list_empty(&av->avc_list);
}

size_t av_anon_vma_nr_avcs(const struct av_world *w, const struct anon_vma *av)
{
	if (w->policy->avc_interval_tree)
		return av->avc_tree.count;
	return av_list_count(&av->avc_list);
}

/* Link vma to av through avc: newest first on the VMA's chain. */
static void avc_link(struct av_world *w, struct av_vma *vma,
		     struct anon_vma_chain *avc, struct anon_vma *av)
{
	avc->vma = vma;
	avc->anon_vma = av;
	cds_list_add(&avc->same_vma, &vma->anon_vma_chain);
	avc_set_insert(w, av, avc);
}

struct anon_vma_chain *av_vma_find_avc(const struct av_vma *vma, const struct anon_vma *av)
{
	for (struct cds_list_head *p = vma->anon_vma_chain.next; p != &vma->anon_vma_chain;
	     p = p->next) {
		struct anon_vma_chain *avc = cds_list_entry(p, struct anon_vma_chain, same_vma);
		if (avc->anon_vma == av)
			return avc;
	}
	return NULL;
}

static void avc_rekey_remove(struct anon_vma_chain *avc)
{
	av_itree_remove(&avc->anon_vma->avc_tree, &avc->it);
}

static void avc_rekey_insert(struct anon_vma_chain *avc)
{
	struct av_vma *v = avc->vma;

	avc->it.start = v->pgoff;
	avc->it.last = v->pgoff + vma_pages(v) - 1;
	av_itree_insert(&avc->anon_vma->avc_tree, &avc->it);
}

/* For each AVC of v's chain, fn under that anon_vma's own write lock. */
static void for_each_avc_own_locked(struct av_world *w, struct av_vma *v,
				    void (*fn)(struct anon_vma_chain *))
{
	for (struct cds_list_head *p = v->anon_vma_chain.next; p != &v->anon_vma_chain; p = p->next) {
		struct anon_vma_chain *avc = cds_list_entry(p, struct anon_vma_chain, same_vma);
		lock_rw(w, avc->anon_vma, true);
		fn(avc);
		unlock_w(w, avc->anon_vma);
	}
}

static void for_each_avc(struct av_vma *v, void (*fn)(struct anon_vma_chain *))
{
	for (struct cds_list_head *p = v->anon_vma_chain.next; p != &v->anon_vma_chain; p = p->next)
		fn(cds_list_entry(p, struct anon_vma_chain, same_vma));
}

/* Walkers read a linked VMA's start, end and pgoff under the tree's lock,
 * so they change under it for writing (vma_adjust, 2.6.35 on). */
void av_vma_set_range(struct av_world *w, struct av_vma *v, uint64_t start,
		      uint64_t end, uint64_t pgoff)
{
	struct cds_list_head *h = &v->anon_vma_chain;
	bool tree = w->policy->avc_interval_tree;
	struct anon_vma *first, *held;

	av_touch_anon_side(w);
	if (cds_list_empty(h) || (start == v->start && end == v->end && pgoff == v->pgoff)) {
		v->start = start;
		v->end = end;
		v->pgoff = pgoff;
		return;
	}
	first = cds_list_entry(h->next, struct anon_vma_chain, same_vma)->anon_vma;
	if (own_locks(w)) {
		/* Before the seed's series: each tree under its own lock, the
		 * range under the newest anon_vma's lock only (2.6.34). */
		if (tree)
			for_each_avc_own_locked(w, v, avc_rekey_remove);
		lock_rw(w, first, true);
		v->start = start;
		v->end = end;
		v->pgoff = pgoff;
		unlock_w(w, first);
		if (tree)
			for_each_avc_own_locked(w, v, avc_rekey_insert);
		return;
	}
	/* One chain, one tree: every AVC here shares a root. */
	held = lock_root(w, NULL, first);
	if (tree)
		for_each_avc(v, avc_rekey_remove);
	v->start = start;
	v->end = end;
	v->pgoff = pgoff;
	if (tree)
		for_each_avc(v, avc_rekey_insert);
	unlock_root(w, held);
}

/* ---- anon_vma_prepare: the first fault that needs an anon_vma ---- */

/* a directly before b, could be merged but for protections: the same
 * file (or none), contiguous offsets (the kernel's anon_vma_compatible). */
static bool anon_vma_compatible(const struct av_vma *a, const struct av_vma *b)
{
	return a->end == b->start && a->file == b->file &&
	       ((a->flags ^ b->flags) & ~VM_ACCESS_FLAGS) == 0 &&
	       b->pgoff == a->pgoff + vma_pages(a);
}

/* old's anon_vma, if a and b are compatible and (when singular is asked)
 * old has never been forked or merged across a fork: its chain has one
 * entry. */
static struct anon_vma *reusable_anon_vma(const struct av_vma *old, const struct av_vma *a,
					  const struct av_vma *b, bool singular)
{
	struct anon_vma *av = av_vma_anon_vma(old);

	if (anon_vma_compatible(a, b) && av &&
	    (!singular || av_list_singular(&old->anon_vma_chain)))
		return av;
	return NULL;
}

struct anon_vma *av_neighbour_anon_vma(const struct av_vma *vma, bool singular)
{
	const struct av_vma *next = av_vma_next(vma), *prev = av_vma_prev(vma);
	struct anon_vma *av = NULL;

	if (next)
		av = reusable_anon_vma(next, vma, next, singular);
	if (!av && prev)
		av = reusable_anon_vma(prev, prev, vma, singular);
	return av;
}

int av_anon_vma_prepare(struct av_world *w, struct av_vma *vma)
{
	if (av_vma_anon_vma(vma))
		return 0;
	av_touch_anon_side(w);
	return w->policy->prepare(w, vma);
}

/* Runs with mmap_lock held for reading: other faults of the mm may
 * prepare this VMA or its neighbours at the same time.  Neighbours are
 * looked at, and the first AVC linked, under the mm's page-table lock (the
 * kernel's page_table_lock); the loser of a race frees what it made. */
int av_anon_vma_prepare_borrowing(struct av_world *w, struct av_vma *vma, av_borrow_fn borrow)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av = NULL, *made = NULL;
	bool linked = false;

	avc = avc_alloc(w);
	if (!avc)
		return av_fail(w, -ENOMEM, "anon_vma_prepare", "cannot allocate an anon_vma_chain");
	if (borrow) {
		av_mutex_lock(&vma->mm->ptl);
		av = borrow(vma);
		av_mutex_unlock(&vma->mm->ptl);
	}
	if (!av) {
		av = made = anon_vma_alloc(w);
		if (!av) {
			avc_free(w, avc);
			return av_fail(w, -ENOMEM, "anon_vma_prepare", "cannot allocate an anon_vma");
		}
		/* A root is its own parent: it counts itself as a child while
		 * linked, so it is never picked for reuse at fork. */
		av->num_children++;
	}
	av_anon_vma_lock_write(w, av);
	av_mutex_lock(&vma->mm->ptl);
	if (!vma->anon_vma) {
		avc_link(w, vma, avc, av);
		av->num_active_vmas++;
		av_store(&vma->anon_vma, av);
		linked = true;
	}
	av_mutex_unlock(&vma->mm->ptl);
	av_anon_vma_unlock_write(w, av);
	if (!linked) {
		avc_free(w, avc);
		if (made)
			av_put_anon_vma(w, made);
	} else if (!made) {
		av_stat_inc(w, prepare_borrowed);
	}
	return 0;
}

struct anon_vma *av_vma_chain_newest(const struct av_vma *v)
{
	if (av_list_empty(&v->anon_vma_chain))
		return NULL;
	return cds_list_entry(v->anon_vma_chain.next, struct anon_vma_chain, same_vma)->anon_vma;
}

bool av_vma_same_chain(const struct av_vma *a, const struct av_vma *b)
{
	const struct cds_list_head *p = a->anon_vma_chain.next, *q = b->anon_vma_chain.next;

	for (; p != &a->anon_vma_chain && q != &b->anon_vma_chain; p = p->next, q = q->next)
		if (cds_list_entry(p, struct anon_vma_chain, same_vma)->anon_vma !=
		    cds_list_entry(q, struct anon_vma_chain, same_vma)->anon_vma)
			return false;
	return p == &a->anon_vma_chain && q == &b->anon_vma_chain;
}

/* A child anon_vma of parent for vma, with its AVC: not yet linked. */
static void make_child(struct anon_vma *av, struct anon_vma *parent)
{
	av->root = parent->root;
	av->parent = parent;
	av_get_anon_vma(av->root);
}

/* Same locking as prepare_borrowing: the chain changes under its root's
 * lock and the page-table lock, after looking again. */
int av_anon_vma_prepare_from_chain(struct av_world *w, struct av_vma *vma, av_reuse_fn reuse,
				   av_borrow_fn borrow)
{
	struct anon_vma_chain *avc;
	struct anon_vma *made, *newest, *pick = NULL;
	bool linked = false;

	/* The chain's head changes under the page-table lock (as below, in
	 * another fault of this VMA); its root does not while the VMA lives. */
	av_mutex_lock(&vma->mm->ptl);
	newest = av_vma_chain_newest(vma);
	av_mutex_unlock(&vma->mm->ptl);
	if (!newest)
		return av_anon_vma_prepare_borrowing(w, vma, borrow);
	avc = avc_alloc(w);
	made = anon_vma_alloc(w);
	if (!avc || !made) {
		if (avc)
			avc_free(w, avc);
		if (made)
			av_put_anon_vma(w, made);
		return av_fail(w, -ENOMEM, "anon_vma_prepare", "cannot allocate an anon_vma "
			       "or its chain");
	}
	av_anon_vma_lock_write(w, newest);
	av_mutex_lock(&vma->mm->ptl);
	if (!vma->anon_vma) {
		/* Nobody linked a child meanwhile (that sets vma->anon_vma
		 * too): the chain is as read. */
		for (struct cds_list_head *p = vma->anon_vma_chain.prev;
		     reuse && p != &vma->anon_vma_chain && !pick; p = p->prev) {
			struct anon_vma *av = cds_list_entry(p, struct anon_vma_chain, same_vma)->anon_vma;
			if (reuse(av, vma))
				pick = av;
		}
		if (pick) {
			pick->num_active_vmas++;
			av_store(&vma->anon_vma, pick);
			av_stat_inc(w, fork_reused);
		} else {
			make_child(made, newest);
			made->num_active_vmas++;
			avc_link(w, vma, avc, made);
			newest->num_children++;
			av_store(&vma->anon_vma, made);
			linked = true;
		}
	}
	av_mutex_unlock(&vma->mm->ptl);
	av_anon_vma_unlock_write(w, newest);
	if (!linked) {
		avc_free(w, avc);
		av_put_anon_vma(w, made);
	}
	return 0;
}

/* ---- clone (split, merge, fork) ---- */

int av_anon_vma_clone_reusing(struct av_world *w, struct av_vma *dst, struct av_vma *src,
			      av_reuse_fn reuse)
{
	struct cds_list_head *h = &src->anon_vma_chain;
	struct anon_vma *root = NULL;

	/* Oldest first, each added at the head: dst's chain keeps src's order. */
	for (struct cds_list_head *p = h->prev; p != h; p = p->prev) {
		struct anon_vma_chain *pavc = cds_list_entry(p, struct anon_vma_chain, same_vma);
		struct anon_vma *av = pavc->anon_vma;
		struct anon_vma_chain *avc = avc_alloc(w);

		if (!avc)
			goto enomem;
		root = lock_root(w, root, av);
		avc_link(w, dst, avc, av);
		/* At fork an anon_vma of the chain may take dst's new pages
		 * instead of a fresh one, if the design says so. */
		if (reuse && !dst->anon_vma && reuse(av, src)) {
			dst->anon_vma = av;
			av_stat_inc(w, fork_reused);
		}
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	unlock_root(w, root);
	return 0;

enomem:
	unlock_root(w, root);
	dst->anon_vma = NULL;
	av_unlink_anon_vmas(w, dst);
	return av_fail(w, -ENOMEM, "anon_vma_clone", "cannot allocate an anon_vma_chain");
}

int av_anon_vma_clone(struct av_world *w, struct av_vma *dst, struct av_vma *src)
{
	return av_anon_vma_clone_reusing(w, dst, src, NULL);
}

int av_dup_anon_vma(struct av_world *w, struct av_vma *dst, struct av_vma *src)
{
	if (!src->anon_vma || dst->anon_vma)
		return 0;
	dst->anon_vma = src->anon_vma;
	return av_anon_vma_clone(w, dst, src);
}

/* ---- fork ---- */

int av_anon_vma_fork(struct av_world *w, struct av_vma *vma, struct av_vma *pvma)
{
	int err;

	vma->anon_vma = NULL;
	if (cds_list_empty(&pvma->anon_vma_chain))
		return 0;
	if ((err = w->policy->fork(w, vma, pvma))) {
		/* What the design linked so far goes again. */
		av_unlink_anon_vmas(w, vma);
		return err;
	}
	return 0;
}

int av_anon_vma_add_child(struct av_world *w, struct av_vma *vma, struct anon_vma *parent)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av = anon_vma_alloc(w);

	if (!av)
		goto nomem;
	avc = avc_alloc(w);
	if (!avc) {
		av_put_anon_vma(w, av);
		goto nomem;
	}
	make_child(av, parent);
	av->num_active_vmas++;
	vma->anon_vma = av;
	av_anon_vma_lock_write(w, av);
	avc_link(w, vma, avc, av);
	parent->num_children++;
	av_anon_vma_unlock_write(w, av);
	return 0;
nomem:
	return av_fail(w, -ENOMEM, "anon_vma_fork", "cannot allocate an anon_vma or its chain");
}

/* ---- unlink (munmap, exit, merge) ---- */

void av_unlink_anon_vmas(struct av_world *w, struct av_vma *vma)
{
	struct cds_list_head *h = &vma->anon_vma_chain;
	struct anon_vma *root = NULL;
	struct cds_list_head *p, *next;

	/* Newest to oldest.  An anon_vma whose set empties stays on the chain,
	 * to be released below, outside the lock. */
	for (p = h->next; p != h; p = next) {
		struct anon_vma_chain *avc = cds_list_entry(p, struct anon_vma_chain, same_vma);
		struct anon_vma *av = avc->anon_vma;

		next = p->next;
		root = lock_root(w, root, av);
		avc_set_remove(w, av, avc);
		if (avc_set_empty(w, av)) {
			av->parent->num_children--;
			continue;
		}
		cds_list_del_init(&avc->same_vma);
		avc_free(w, avc);
	}
	if (vma->anon_vma) {
		vma->anon_vma->num_active_vmas--;
		vma->anon_vma = NULL;
	}
	unlock_root(w, root);

	for (p = h->next; p != h; p = next) {
		struct anon_vma_chain *avc = cds_list_entry(p, struct anon_vma_chain, same_vma);

		next = p->next;
		av_put_anon_vma(w, avc->anon_vma);
		cds_list_del_init(&avc->same_vma);
		avc_free(w, avc);
	}
}
