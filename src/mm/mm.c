/* SPDX-License-Identifier: MIT */
/*
 * mm.c - address spaces: creation, fork (dup_mmap), exit.
 */
#include <errno.h>
#include <string.h>
#include "vm.h"
#include "rmap.h"
#include "policy.h"

static int pid_table_grow(struct av_world *w)
{
	size_t cap = w->pid_cap ? w->pid_cap * 2 : 64;
	struct av_mm **t = av_alloc(w, cap * sizeof(*t), AV_OBJ_OTHER);
	int *g = t ? av_alloc(w, cap * sizeof(*g), AV_OBJ_OTHER) : NULL;

	if (!g) {
		if (t)
			av_free(w, t, cap * sizeof(*t), AV_OBJ_OTHER);
		return -ENOMEM;
	}
	memset(t, 0, cap * sizeof(*t));
	memset(g, 0, cap * sizeof(*g));
	if (w->mm_by_pid) {
		memcpy(t, w->mm_by_pid, w->pid_cap * sizeof(*t));
		memcpy(g, w->tgid_by_pid, w->pid_cap * sizeof(*g));
		av_free(w, w->mm_by_pid, w->pid_cap * sizeof(*t), AV_OBJ_OTHER);
		av_free(w, w->tgid_by_pid, w->pid_cap * sizeof(*g), AV_OBJ_OTHER);
	}
	w->mm_by_pid = t;
	w->tgid_by_pid = g;
	w->pid_cap = cap;
	return 0;
}

/* A new, unpublished address space with its own pid (or, for exec, the
 * pid of the process it will replace): nobody can find it until
 * av_mm_publish (fork publishes the child only once it is complete). */
int av_mm_create(struct av_world *w, int parent_pid, int pid, struct av_mm **out)
{
	struct av_mm *mm = av_alloc(w, sizeof(*mm), AV_OBJ_MM);
	int err = 0;

	if (!mm)
		return av_fail(w, -ENOMEM, "proc_create", "cannot allocate an mm");
	memset(mm, 0, sizeof(*mm));
	if (av_rwsem_init(&mm->mmap_lock)) {
		av_free(w, mm, sizeof(*mm), AV_OBJ_MM);
		return av_fail(w, -ENOMEM, "proc_create", "cannot initialise mmap_lock");
	}
	if (av_mutex_init(&mm->ptl)) {
		av_rwsem_destroy(&mm->mmap_lock);
		av_free(w, mm, sizeof(*mm), AV_OBJ_MM);
		return av_fail(w, -ENOMEM, "proc_create", "cannot initialise the page-table lock");
	}
	mm->w = w;
	mm->users = 1;                  /* its task's, in the pid table once published */
	mm->nr_tasks = 1;
	mm->parent_pid = parent_pid;
	mm->start_brk = mm->brk = AV_HEAP_START;
	CDS_INIT_LIST_HEAD(&mm->node);
	av_mutex_lock(&w->lock);
	if (!pid && w->nr_tasks >= w->max_procs)
		err = av_fail(w, -EAGAIN, "proc_create", "process limit (%llu) reached",
			      (unsigned long long)w->max_procs);
	else if (!pid && (size_t)w->next_pid >= w->pid_cap && pid_table_grow(w))
		err = av_fail(w, -ENOMEM, "proc_create", "cannot grow the pid table");
	if (!err) {
		mm->pid = pid ? pid : w->next_pid++;
		if (!pid)       /* an exec's: av_mm_exec_replace still needs the old */
			w->tgid_by_pid[mm->pid] = mm->pid;
		w->nr_procs++;
		w->nr_tasks++;
	}
	av_mutex_unlock(&w->lock);
	if (err) {
		av_mutex_destroy(&mm->ptl);
		av_rwsem_destroy(&mm->mmap_lock);
		av_free(w, mm, sizeof(*mm), AV_OBJ_MM);
		return err;
	}
	*out = mm;
	return 0;
}

void av_mm_publish(struct av_world *w, struct av_mm *mm)
{
	av_mutex_lock(&w->lock);
	w->mm_by_pid[mm->pid] = mm;
	cds_list_add_tail(&mm->node, &w->mms);
	mm->published = true;
	av_mutex_unlock(&w->lock);
}

/* The mm of pid with a reference, or NULL. */
struct av_mm *av_mm_get(struct av_world *w, int pid)
{
	struct av_mm *mm = NULL;

	av_mutex_lock(&w->lock);
	if (pid > 0 && (size_t)pid < w->pid_cap && (mm = w->mm_by_pid[pid]))
		av_atomic_inc(&mm->users);
	av_mutex_unlock(&w->lock);
	return mm;
}

void av_mm_put(struct av_world *w, struct av_mm *mm)
{
	if (av_atomic_dec(&mm->users))
		return;
	av_mutex_destroy(&mm->ptl);
	av_rwsem_destroy(&mm->mmap_lock);
	av_free(w, mm, sizeof(*mm), AV_OBJ_MM);
}

/* exit_mmap: unmap every VMA, then unlink the anon_vmas of each in address
 * order (as free_pgtables does), then free the VMAs and tables.  mmap_lock
 * is held for writing. */
static void exit_mmap(struct av_world *w, struct av_mm *mm)
{
	struct av_vma *v, *next;

	for (v = av_vma_first(mm); v; v = av_vma_next(v))
		av_zap_range(w, v, v->start, v->end);
	for (v = av_vma_first(mm); v; v = av_vma_next(v))
		av_unlink_anon_vmas(w, v);
	for (v = av_vma_first(mm); v; v = next) {
		next = av_vma_next(v);
		av_vma_erase(mm, v);
		av_vma_free(w, v);
	}
	av_mutex_lock(&mm->ptl);
	av_pt_free_all(w, mm);
	av_mutex_unlock(&mm->ptl);
}

/* Take every pid-table entry of mm out (w->lock held): its last task's,
 * or all of them when the world goes with threads still running. */
static void unpublish(struct av_world *w, struct av_mm *mm)
{
	if (mm->nr_tasks == 1 && w->mm_by_pid[mm->pid] == mm)
		w->mm_by_pid[mm->pid] = NULL;
	else
		for (size_t pid = 1; pid < w->pid_cap; pid++)
			if (w->mm_by_pid[pid] == mm)
				w->mm_by_pid[pid] = NULL;
	cds_list_del_init(&mm->node);
	mm->published = false;
}

/* Exit: unpublish (whoever does it owns the exit), tear down, drop the
 * table's references.  false if another thread is already exiting mm. */
bool av_mm_exit(struct av_world *w, struct av_mm *mm)
{
	long refs;
	bool mine;

	av_mutex_lock(&w->lock);
	mine = !mm->exiting;
	mm->exiting = true;
	if (mm->published)
		unpublish(w, mm);
	refs = mm->nr_tasks;
	if (mine) {
		w->nr_procs--;
		w->nr_tasks -= (uint64_t)mm->nr_tasks;
		mm->nr_tasks = 0;
	}
	av_mutex_unlock(&w->lock);
	if (!mine)
		return false;
	av_rwsem_write(&mm->mmap_lock);
	exit_mmap(w, mm);
	mm->dead = true;
	av_rwsem_write_unlock(&mm->mmap_lock);
	while (refs-- > 0)
		av_mm_put(w, mm);
	return true;
}

/* ---- threads and exec ---- */

int av_task_create(struct av_world *w, struct av_mm *mm, int creator, bool own_group, int *tid)
{
	int err = 0;

	av_mutex_lock(&w->lock);
	if (mm->exiting || !mm->published)
		err = av_fail(w, -ESRCH, "thread_create", "process %d is exiting", mm->pid);
	else if (w->nr_tasks >= w->max_procs)
		err = av_fail(w, -EAGAIN, "thread_create", "process limit (%llu) reached",
			      (unsigned long long)w->max_procs);
	else if ((size_t)w->next_pid >= w->pid_cap && pid_table_grow(w))
		err = av_fail(w, -ENOMEM, "thread_create", "cannot grow the pid table");
	if (!err) {
		*tid = w->next_pid++;
		w->mm_by_pid[*tid] = mm;
		w->tgid_by_pid[*tid] = own_group ? *tid : w->tgid_by_pid[creator];
		mm->nr_tasks++;
		w->nr_tasks++;
		av_atomic_inc(&mm->users);      /* the new task's */
	}
	av_mutex_unlock(&w->lock);
	return err;
}

int av_task_exit(struct av_world *w, struct av_mm *mm, int pid)
{
	int rc;

	av_mutex_lock(&w->lock);
	if (mm->exiting || w->mm_by_pid[pid] != mm)
		rc = -ESRCH;
	else if (mm->nr_tasks == 1)
		rc = 1;
	else {
		w->mm_by_pid[pid] = NULL;
		mm->nr_tasks--;
		w->nr_tasks--;
		rc = 0;
	}
	av_mutex_unlock(&w->lock);
	if (rc == 0)
		av_mm_put(w, mm);       /* the ended task's reference */
	return rc;
}

int av_mm_exec_replace(struct av_world *w, struct av_mm *old, struct av_mm *nm, int pid,
		       long *ended, bool *last)
{
	int tgid;

	av_mutex_lock(&w->lock);
	if (old->exiting || !old->published || w->mm_by_pid[pid] != old) {
		av_mutex_unlock(&w->lock);
		return av_fail(w, -ESRCH, "exec", "task %d is exiting", pid);
	}
	/* de_thread: the rest of pid's thread group ends; then pid's task
	 * leaves old for nm (which counted it as a process and a task). */
	tgid = w->tgid_by_pid[pid];
	*ended = 0;
	for (size_t t = 1; t < w->pid_cap; t++)
		if (w->mm_by_pid[t] == old && w->tgid_by_pid[t] == tgid) {
			w->mm_by_pid[t] = NULL;
			++*ended;
		}
	w->mm_by_pid[pid] = nm;
	w->tgid_by_pid[pid] = pid;
	old->nr_tasks -= (int)*ended;
	w->nr_tasks -= (uint64_t)*ended;
	if ((*last = old->nr_tasks == 0)) {
		cds_list_del_init(&old->node);
		old->published = false;
	} else if (w->mm_by_pid[old->pid] != old) {
		/* Its process is another's now: a task left on it names it. */
		for (size_t t = 1; t < w->pid_cap; t++)
			if (w->mm_by_pid[t] == old) {
				old->pid = (int)t;
				break;
			}
	}
	cds_list_add_tail(&nm->node, &w->mms);
	nm->published = true;
	av_mutex_unlock(&w->lock);
	return 0;
}

/* ---- fork: copy_page_range for one VMA ---- */

struct copy_arg {
	struct av_world *w;
	struct av_mm *dst;
	uint64_t wait_addr;       /* a page under migration stopped the copy */
	av_pte wait_pte;
};

#define COPY_WAIT 1

static int copy_one_pte(struct av_mm *src_mm, uint64_t addr, av_pte *src, void *arg)
{
	struct copy_arg *c = arg;
	struct av_world *w = c->w;
	av_pte *dst, pte = *src;
	int err;

	if (pte & PTE_MIGRATION) {
		/* The kernel copies migration entries; the model lets the
		 * migration finish first, so walks never race with the copy. */
		c->wait_addr = addr;
		c->wait_pte = pte;
		return COPY_WAIT;
	}
	if ((err = av_pte_alloc(w, c->dst, addr, &dst)))
		return err;
	if (pte_is_swap(pte)) {
		/* The slot is shared now: neither side owns it exclusively. */
		av_swap_entry_dup(w, pte_val(pte));
		pte &= ~(av_pte)PTE_SWP_EXCL;
		av_pte_set(src_mm, addr, src, pte);
	} else if (pte_val(pte) != ZERO_PFN) {
		struct av_page *pg = pfn_page(w, pte_val(pte));
		page_mapcount_inc(pg);
		page_ref_inc(pg);
		page_clear(pg, PG_EXCLUSIVE);
		/* Copy-on-write: both sides read-only until the next write. */
		pte &= ~(av_pte)PTE_WRITE;
		av_pte_set(src_mm, addr, src, pte);
	}
	/* The child's entry starts old (not recently referenced). */
	av_pte_set(c->dst, addr, dst, pte & ~(av_pte)PTE_YOUNG);
	return 0;
}

/* Both page-table locks, the child's first (the child is new: nobody else
 * can hold its lock and want the parent's). */
static int copy_page_range(struct av_world *w, struct av_mm *dst, struct av_vma *src)
{
	struct copy_arg c = { w, dst, 0, 0 };
	uint64_t start = src->start;
	int err;

	for (;;) {
		av_mutex_lock(&dst->ptl);
		av_mutex_lock(&src->mm->ptl);
		av_stat_add(w, lock.ptl, 2);
		err = av_pte_range(src->mm, start, src->end, copy_one_pte, &c);
		av_mutex_unlock(&src->mm->ptl);
		av_mutex_unlock(&dst->ptl);
		if (err != COPY_WAIT)
			return err;
		if ((err = av_migration_wait(w, src->mm, c.wait_addr, c.wait_pte)))
			return err;
		start = c.wait_addr;
	}
}

/* Copy every VMA of parent into child, but those advised MADV_DONTFORK;
 * one advised MADV_WIPEONFORK is copied empty, with no anon_vma, as if
 * just mapped.  Only VMAs linked to an anon_vma copy their page tables
 * (the others can only hold zero-page entries, which the child will fault
 * in again). */
int av_dup_mmap(struct av_world *w, struct av_mm *parent, struct av_mm *child)
{
	child->start_brk = parent->start_brk;
	child->brk = parent->brk;
	for (struct av_vma *pv = av_vma_first(parent); pv; pv = av_vma_next(pv)) {
		struct av_vma *v;
		int err = 0;

		if (pv->flags & VM_DONTCOPY)
			continue;
		if (!(v = av_vma_dup(w, pv)))
			return av_fail(w, -ENOMEM, "fork", "cannot allocate a VMA");
		v->mm = child;
		if (pv->flags & VM_WIPEONFORK)
			v->anon_vma = NULL;
		else
			err = av_anon_vma_fork(w, v, pv);
		if (err) {
			av_vma_free(w, v);
			return err;
		}
		av_vma_insert(child, v);
		if (pv->flags & VM_WIPEONFORK)
			continue;
		if (av_vma_has_chain(pv) && (err = copy_page_range(w, child, pv)))
			return err == -EUCLEAN ? err
					       : av_fail(w, err, "fork", "cannot allocate a page table");
	}
	return 0;
}
