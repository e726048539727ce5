/* SPDX-License-Identifier: MIT */
/*
 * test_interleave.c - the interleavings `anonvma stress` meets by chance,
 * each made to happen, in one thread, every run.
 *
 * Two means.  Where the other party's step can be taken before ours
 * starts, it is: another fault prepared the VMA first, another thread
 * exited the process we hold, a walker holds the page lock.  Where it
 * must come in the middle of ours (while we wait for a page lock or an
 * rwsem, between two reads of a page's mapcount), it comes from a hook
 * in this file's port layer: src/port/port.c itself, compiled in here
 * with three functions wrapped - av_cpu_relax (a contended page lock or
 * migration entry spins on it), av_rcu_read_unlock and
 * av_rwsem_lock_timed.  This file defines every symbol port.c does, so
 * the linker takes none from the library's archive.  Each hook fires
 * once, when armed, and does what the other thread would have done.
 *
 * The same port can refuse to initialise a lock, as another platform's
 * may (port.h allows it; pthreads on Linux never does).
 */
#define av_cpu_relax port_cpu_relax
#define av_rcu_read_unlock port_rcu_read_unlock
#define av_rwsem_lock_timed port_rwsem_lock_timed
#define av_rwsem_init port_rwsem_init
#define av_mutex_init port_mutex_init
#include "port/port.c"
#undef av_cpu_relax
#undef av_rcu_read_unlock
#undef av_rwsem_lock_timed
#undef av_rwsem_init
#undef av_mutex_init

#include "testutil.h"
#include "mm/vm.h"
#include "mm/rmap.h"
#include "mm/policy.h"

#define A 0x40000000ULL

/* ---- the hooked port ---- */

typedef void (*hook_fn)(void);
static hook_fn on_relax;        /* a spinning waiter yields */
static hook_fn on_rcu_unlock;   /* a reader section ends */
static hook_fn on_write_lock;   /* an rwsem is about to be taken for writing */
static hook_fn on_contended;    /* an rwsem was not free at once */

static void fire(hook_fn *h)
{
	hook_fn fn = *h;

	*h = NULL;
	if (fn)
		fn();
}

void av_cpu_relax(void);
void av_cpu_relax(void)
{
	fire(&on_relax);
	port_cpu_relax();
}

void av_rcu_read_unlock(void);
void av_rcu_read_unlock(void)
{
	port_rcu_read_unlock();
	fire(&on_rcu_unlock);
}

uint64_t av_rwsem_lock_timed(struct av_rwsem *s, bool write);
uint64_t av_rwsem_lock_timed(struct av_rwsem *s, bool write)
{
	uint64_t waited;

	if (write)
		fire(&on_write_lock);
	if (!on_contended || (write ? av_rwsem_try_write(s) : av_rwsem_try_read(s)))
		return on_contended ? 0 : port_rwsem_lock_timed(s, write);
	fire(&on_contended);    /* the holder lets go */
	waited = port_rwsem_lock_timed(s, write);
	return waited ? waited : 1;
}

/* The next lock of each kind to be made fails, if set. */
static bool fail_rwsem_init, fail_mutex_init;

int av_rwsem_init(struct av_rwsem *s);
int av_rwsem_init(struct av_rwsem *s)
{
	if (fail_rwsem_init) {
		fail_rwsem_init = false;
		return -EAGAIN;
	}
	return port_rwsem_init(s);
}

int av_mutex_init(struct av_mutex *m);
int av_mutex_init(struct av_mutex *m)
{
	if (fail_mutex_init) {
		fail_mutex_init = false;
		return -EAGAIN;
	}
	return port_mutex_init(m);
}

/* ---- the world the hooks act on ---- */

static av_world *w;
static int p, c;

static struct av_mm *mm_of(int pid)
{
	return av_mm_lookup(w, pid);
}

static av_pte *pte_of(int pid, uint64_t addr)
{
	av_pte *pte = av_pte_lookup(mm_of(pid), addr);

	assert_non_null(pte);
	return pte;
}

static uint64_t pfn_at(int pid, uint64_t addr)
{
	return pte_val(*pte_of(pid, addr));
}

/* P maps [A, A+4) written; the policy is the group's. */
static int setup(void **state)
{
	(void)state;
	on_relax = on_rcu_unlock = on_write_lock = on_contended = NULL;
	fail_rwsem_init = fail_mutex_init = false;
	w = new_world(g_policy);
	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap(w, p, A, 4 * PG, RW));
	OK(w, av_touch(w, p, A, 4 * PG, 1));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_null(on_relax);          /* every armed hook fired */
	assert_null(on_rcu_unlock);
	assert_null(on_write_lock);
	assert_null(on_contended);
	assert_false(fail_rwsem_init || fail_mutex_init);
	CHECK(w);
	av_world_destroy(w);
	return 0;
}

/* ---- anon_vma_prepare: another fault got there first ---- */

static struct anon_vma *own_anon_vma(const struct av_vma *v)
{
	return v->anon_vma;
}

/* The loser of the race finds the VMA prepared once it holds the locks:
 * it frees what it made, or lets go of what it borrowed. */
static void prepare_loses_the_race(void **state)
{
	struct av_vma *v = av_vma_find(mm_of(p), A);
	struct anon_vma *av = v->anon_vma;
	struct av_stats before = stats(w);

	(void)state;
	OK(w, av_anon_vma_prepare_borrowing(w, v, NULL));
	OK(w, av_anon_vma_prepare_borrowing(w, v, own_anon_vma));
	OK(w, av_anon_vma_prepare_from_chain(w, v, NULL, NULL));
	assert_ptr_equal(v->anon_vma, av);
	assert_int_equal(av_list_count(&v->anon_vma_chain), 1);
	assert_int_equal(live(w, AV_OBJ_AVC), before.obj[AV_OBJ_AVC].live);
	assert_int_equal(live(w, AV_OBJ_ANON_VMA), before.obj[AV_OBJ_ANON_VMA].live);
	assert_int_equal(stats(w).prepare_borrowed, before.prepare_borrowed);
}

/* ---- a process that exits under us ---- */

/* We took a reference on the mm before its exit; its exit has run. */
static void process_exits_under_us(void **state)
{
	struct av_mm *mm, *nm;
	long ended;
	bool last;
	int t;

	(void)state;
	OK(w, av_fork(w, p, &c));
	mm = av_mm_get(w, c);
	OK(w, av_exit(w, c));
	assert_true(mm->exiting && mm->dead);
	assert_int_equal(av_task_exit(w, mm, c), -ESRCH);
	assert_false(av_mm_exit(w, mm));        /* another owns the exit */
	assert_int_equal(av_task_create(w, mm, c, false, &t), -ESRCH);
	OK(w, av_mm_create(w, p, c, &nm));
	assert_int_equal(av_mm_exec_replace(w, mm, nm, c, &ended, &last), -ESRCH);
	/* Nor is a task found in an mm not yet published, or in another. */
	assert_int_equal(av_task_create(w, nm, c, false, &t), -ESRCH);
	assert_int_equal(av_mm_exec_replace(w, nm, mm, c, &ended, &last), -ESRCH);
	assert_int_equal(av_mm_exec_replace(w, mm_of(p), nm, c, &ended, &last), -ESRCH);
	assert_int_equal(av_task_exit(w, mm_of(p), c), -ESRCH);
	assert_true(av_mm_exit(w, nm));
	av_mm_put(w, mm);
	assert_int_equal(stats(w).obj[AV_OBJ_MM].live, 1);
}

/* ---- a page someone else holds locked ---- */

/* Page 1 shared with a child that has gone, reclaimed, read back in:
 * mapped once, read-only, in the swap cache, not exclusive. */
static uint64_t swapped_back_in(void)
{
	uint64_t done = 0, pfn;

	OK(w, av_fork(w, p, &c));
	OK(w, av_reclaim(w, p, A + PG, PG, &done));
	assert_int_equal(done, 1);
	OK(w, av_exit(w, c));
	OK(w, av_touch(w, p, A + PG, PG, 0));
	pfn = pfn_at(p, A + PG);
	assert_true(page_test(pfn_page(w, pfn), PG_SWAPCACHE));
	assert_false(page_test(pfn_page(w, pfn), PG_EXCLUSIVE));
	assert_int_equal(page_mapcount(pfn_page(w, pfn)), 1);
	return pfn;
}

/* The write would reuse the page, but the page lock is held (by reclaim,
 * say, which holds the swap cache's reference): it copies instead, and
 * the unmapped page is left in the swap cache for the lock holder. */
static void write_to_a_locked_page_copies(void **state)
{
	uint64_t pfn = swapped_back_in(), slot = pfn_page(w, pfn)->swap_slot;
	struct av_page *pg = pfn_page(w, pfn);
	struct av_stats before;

	(void)state;
	assert_true(av_page_trylock(w, pg));
	before = stats(w);
	OK(w, av_touch(w, p, A + PG, PG, 1));
	assert_int_equal(stats(w).fault.cow_copies, before.fault.cow_copies + 1);
	assert_int_equal(stats(w).fault.cow_reuses, before.fault.cow_reuses);
	assert_true(pfn_at(p, A + PG) != pfn);
	assert_int_equal(page_mapcount(pg), 0);
	assert_true(page_test(pg, PG_SWAPCACHE));
	assert_int_equal(swap_slot(w, slot)->cache_pfn, pfn);
	assert_null(av_page_get_anon_vma(w, pfn));      /* not mapped: no anon_vma */
	av_page_unlock(pg);
	/* A walk from the frame finds it no longer mapped. */
	assert_int_equal(av_walk_page(w, pfn, AV_WALK_AGE), -EAGAIN);
	/* What the holder does next: nobody needs the swap copy. */
	assert_true(av_swap_try_free(w, pfn));
	assert_int_equal(live(w, AV_OBJ_SWAP), 0);
}

/* ---- waiting for a page lock ---- */

static uint64_t held_pfn;

static void unlock_held(void)
{
	av_page_unlock(pfn_page(w, held_pfn));
}

/* A walker finds the page locked and spins until its holder lets go. */
static void page_lock_contended(void **state)
{
	struct av_stats before = stats(w);

	(void)state;
	held_pfn = pfn_at(p, A);
	assert_true(av_page_trylock(w, pfn_page(w, held_pfn)));
	on_relax = unlock_held;
	OK(w, av_walk_page(w, held_pfn, AV_WALK_AGE));
	assert_int_equal(stats(w).lock.page_contended, before.lock.page_contended + 1);
	assert_false(page_test(pfn_page(w, held_pfn), PG_LOCKED));
}

/* Page 2, shared with C, reclaimed; C reads it back (swap cache, mapped
 * by C); P's PTE is still the swap entry.  Drop C's mapping too, if
 * asked: then the page is only in the swap cache. */
static uint64_t swap_cached_for_p(bool unmapped)
{
	uint64_t done = 0, pfn;

	OK(w, av_fork(w, p, &c));
	OK(w, av_reclaim(w, p, A + 2 * PG, PG, &done));
	OK(w, av_touch(w, c, A + 2 * PG, PG, 0));
	pfn = pfn_at(c, A + 2 * PG);
	if (unmapped)
		OK(w, av_munmap(w, c, A + 2 * PG, PG));
	assert_true(page_test(pfn_page(w, pfn), PG_SWAPCACHE));
	assert_true(pte_is_swap(*pte_of(p, A + 2 * PG)));
	return pfn;
}

/* Another thread of P drops the page (MADV_DONTNEED) while P's swap-in
 * waits for the page lock: the PTE changed, the fault starts again and
 * finds nothing there. */
static void dontneed_then_unlock(void)
{
	av_zap_range(w, av_vma_find(mm_of(p), A), A + 2 * PG, A + 3 * PG);
	unlock_held();
}

static void swapin_finds_pte_changed(void **state)
{
	struct av_stats before;

	(void)state;
	held_pfn = swap_cached_for_p(false);
	assert_true(av_page_trylock(w, pfn_page(w, held_pfn)));
	before = stats(w);
	on_relax = dontneed_then_unlock;
	OK(w, av_touch(w, p, A + 2 * PG, PG, 0));
	assert_int_equal(stats(w).fault.swapins, before.fault.swapins);
	assert_true(pfn_at(p, A + 2 * PG) != held_pfn);
	assert_int_equal(page_mapcount(pfn_page(w, held_pfn)), 1);     /* C's */
}

/* Reclaim, holding the page lock, writes the unmapped page out and drops
 * it from the swap cache while P's swap-in waits: the PTE is the same,
 * the page no longer the slot's; the fault reads the slot in afresh. */
static void reclaim_then_unlock(void)
{
	assert_int_equal(av_try_to_unmap(w, held_pfn), 0);
	unlock_held();
	av_page_put(w, held_pfn);       /* reclaim's pin */
}

static void swapin_finds_page_reclaimed(void **state)
{
	struct av_stats before;

	(void)state;
	held_pfn = swap_cached_for_p(true);
	page_ref_inc(pfn_page(w, held_pfn));
	assert_true(av_page_trylock(w, pfn_page(w, held_pfn)));
	before = stats(w);
	on_relax = reclaim_then_unlock;
	OK(w, av_touch(w, p, A + 2 * PG, PG, 0));
	assert_int_equal(stats(w).fault.swapins, before.fault.swapins + 1);
	assert_int_equal(stats(w).reclaimed, before.reclaimed + 1);
	assert_true(pte_present(*pte_of(p, A + 2 * PG)));
}

/* ---- a migration entry ---- */

static uint64_t migrating_pfn;

/* What av_migrate_page does to P's PTE at addr, then holds. */
static void start_migration(uint64_t addr)
{
	av_pte *pte = pte_of(p, addr);

	migrating_pfn = pte_val(*pte);
	assert_true(av_page_trylock(w, pfn_page(w, migrating_pfn)));
	page_ref_inc(pfn_page(w, migrating_pfn));               /* migration's pin */
	av_pte_set(mm_of(p), addr, pte, pte_mk(migrating_pfn, PTE_MIGRATION | (*pte & PTE_WRITE)));
	page_mapcount_dec(pfn_page(w, migrating_pfn));
	av_page_put(w, migrating_pfn);                          /* the PTE's */
}

static void finish_migration(void)
{
	av_pte *pte = pte_of(p, A);
	struct av_page *pg = pfn_page(w, migrating_pfn);

	page_mapcount_inc(pg);
	page_ref_inc(pg);
	av_pte_set(mm_of(p), A, pte, pte_mk(migrating_pfn, PTE_PRESENT | (*pte & PTE_WRITE)));
	av_page_unlock(pg);
	av_page_put(w, migrating_pfn);
}

/* A fault meets the entry while the page is locked: it waits, and goes
 * on once the migration is over. */
static void fault_waits_for_migration(void **state)
{
	(void)state;
	start_migration(A);
	on_relax = finish_migration;
	OK(w, av_touch(w, p, A, PG, 0));
	assert_int_equal(pfn_at(p, A), migrating_pfn);
	assert_true(pte_present(*pte_of(p, A)));
}

/* An entry whose page is not locked is one a walk missed (each
 * anon_vma's own lock, 2.6.34): the fault says so. */
static void fault_finds_migration_entry_left(void **state)
{
	(void)state;
	start_migration(A);
	av_page_unlock(pfn_page(w, migrating_pfn));
	assert_int_equal(av_touch(w, p, A, PG, 0), -EUCLEAN);
	assert_non_null(strstr(av_world_error(w), "migration entry left behind"));
	assert_true(av_page_trylock(w, pfn_page(w, migrating_pfn)));
	finish_migration();
}

/* fork meets the entry: it lets the migration finish, then copies the
 * page's PTE as it is now. */
static void fork_waits_for_migration(void **state)
{
	(void)state;
	start_migration(A);
	on_relax = finish_migration;
	OK(w, av_fork(w, p, &c));
	assert_int_equal(pfn_at(c, A), migrating_pfn);
	assert_int_equal(page_mapcount(pfn_page(w, migrating_pfn)), 2);
}

/* ... and an entry left behind fails the fork, which leaves no child. */
static void fork_finds_migration_entry_left(void **state)
{
	struct av_stats before = stats(w);

	(void)state;
	start_migration(A);
	av_page_unlock(pfn_page(w, migrating_pfn));
	assert_int_equal(av_fork(w, p, &c), -EUCLEAN);
	assert_non_null(strstr(av_world_error(w), "migration entry left behind"));
	assert_int_equal(stats(w).obj[AV_OBJ_MM].live, before.obj[AV_OBJ_MM].live);
	assert_true(av_page_trylock(w, pfn_page(w, migrating_pfn)));
	finish_migration();
}

/* munmap during a migration drops the entry (the page's reference went
 * when it was made); the migration then finds nothing to restore. */
static void munmap_during_migration(void **state)
{
	struct av_page *pg;
	av_pte *pte;

	(void)state;
	start_migration(A);
	pg = pfn_page(w, migrating_pfn);
	OK(w, av_munmap(w, p, A, PG));
	pte = av_pte_lookup(mm_of(p), A);
	assert_true(!pte || !*pte);
	av_page_unlock(pg);
	av_page_put(w, migrating_pfn);  /* the migration's pin: the last */
	assert_false(page_test(pg, PG_USED));
}

/* ---- a page unmapped while a walk looks it up ---- */

static void unmap_page_0(void)
{
	av_zap_range(w, av_vma_find(mm_of(p), A), A, A + PG);
}

/* The walk pinned the anon_vma, then saw the page unmapped meanwhile
 * (folio_get_anon_vma's second look): it lets go and finds nothing. */
static void walk_sees_page_unmapped(void **state)
{
	uint64_t pfn = pfn_at(p, A);
	struct av_stats before = stats(w);

	(void)state;
	on_rcu_unlock = unmap_page_0;
	assert_int_equal(av_walk_page(w, pfn, AV_WALK_MIGRATE), -EAGAIN);
	assert_non_null(strstr(av_world_error(w), "is not mapped"));
	assert_int_equal(stats(w).migrated, before.migrated);
	assert_int_equal(*pte_of(p, A), 0);
}

/* ---- the root lock, contended ---- */

static struct anon_vma *read_held;

static void release_read(void)
{
	av_anon_vma_unlock_read(w, read_held);
}

/* A walker holds the tree for reading; munmap must wait to unlink. */
static void root_lock_contended(void **state)
{
	struct av_stats before;

	(void)state;
	read_held = av_vma_find(mm_of(p), A)->anon_vma;
	av_anon_vma_lock_read(w, read_held);
	before = stats(w);
	on_contended = release_read;
	OK(w, av_munmap(w, p, A, 4 * PG));
	assert_int_equal(stats(w).lock.root_contended, before.lock.root_contended + 1);
	assert_true(stats(w).lock.root_wait_ns > before.lock.root_wait_ns);
	assert_int_equal(nr_vmas(w, p), 0);
}

/* ---- a stack unmapped before it could grow ---- */

#define STACK 0x7f0000000000ULL

static void unmap_stack(void)
{
	OK(w, av_munmap(w, p, STACK, 4 * PG));
}

/* A fault below the stack drops mmap_lock to take it for writing and
 * grow the stack; another thread unmaps the stack in between. */
static void stack_gone_before_growing(void **state)
{
	(void)state;
	OK(w, av_mmap_file(w, p, STACK, 4 * PG, RW, AV_MAP_GROWSDOWN, 0, 0));
	on_write_lock = unmap_stack;
	assert_int_equal(av_touch(w, p, STACK - PG, PG, 1), -EFAULT);
	assert_non_null(strstr(av_world_error(w), "is mapped by nothing: SIGSEGV"));
	assert_int_equal(nr_vmas(w, p), 1);
}

/* ---- a lock that cannot be made ---- */

/* Each object with a lock of its own - an mm, a file, an anon_vma - is
 * given back, and the call fails with ENOMEM, when the lock cannot be
 * made. */
static void lock_init_fails(void **state)
{
	struct av_stats before = stats(w);
	int q, file;

	(void)state;
	fail_rwsem_init = true;
	assert_int_equal(av_proc_create(w, &q), -ENOMEM);
	assert_non_null(strstr(av_world_error(w), "cannot initialise mmap_lock"));
	fail_mutex_init = true;
	assert_int_equal(av_fork(w, p, &q), -ENOMEM);
	assert_non_null(strstr(av_world_error(w), "cannot initialise the page-table lock"));
	fail_mutex_init = true;
	assert_int_equal(av_file_create(w, PG, &file), -ENOMEM);
	assert_non_null(strstr(av_world_error(w), "cannot initialise a file's lock"));
	assert_int_equal(stats(w).obj[AV_OBJ_MM].live, before.obj[AV_OBJ_MM].live);
	assert_int_equal(stats(w).obj[AV_OBJ_OTHER].live, before.obj[AV_OBJ_OTHER].live);
	/* A first write fault needs an anon_vma, new memory: its lock. */
	OK(w, av_mmap(w, p, A + 16 * PG, PG, RW));
	fail_rwsem_init = true;
	assert_int_equal(av_touch(w, p, A + 16 * PG, PG, 1), -ENOMEM);
	assert_non_null(strstr(av_world_error(w), "cannot allocate an anon_vma"));
	assert_int_equal(stats(w).obj[AV_OBJ_ANON_VMA].live, before.obj[AV_OBJ_ANON_VMA].live);
	OK(w, av_touch(w, p, A + 16 * PG, PG, 1));
}

/* ---- rmap walks cut short, and a page they cannot wholly find ---- */

static int stop_at_first(struct av_world *ww, struct av_vma *vma, uint64_t addr,
			 av_pte *pte, void *arg)
{
	(void)ww;
	(void)vma;
	(void)addr;
	(void)pte;
	++*(int *)arg;
	return 1;
}

static void walk_stops_when_asked(void **state)
{
	uint64_t pfn = pfn_at(p, A + PG);
	struct av_page *pg = pfn_page(w, pfn);
	int calls = 0;

	(void)state;
	OK(w, av_fork(w, p, &c));
	assert_int_equal(page_mapcount(pg), 2);
	av_page_lock(w, pg);
	assert_int_equal(av_rmap_walk(w, pfn, false, stop_at_first, &calls), 1);
	assert_int_equal(av_rmap_walk(w, pfn, false, NULL, NULL), 2);
	av_page_unlock(pg);
	assert_int_equal(calls, 1);
}

/* A PTE the walk cannot reach (C's link left out of the anon_vma's set,
 * as a broken design would leave it): reclaim unmaps what it finds and
 * reports the rest still mapped. */
static void reclaim_cannot_find_every_pte(void **state)
{
	struct anon_vma *av = av_vma_find(mm_of(p), A)->anon_vma;
	struct anon_vma_chain *avc;
	uint64_t done = 0, pfn = pfn_at(p, A + PG);

	(void)state;
	OK(w, av_fork(w, p, &c));
	avc = av_vma_find_avc(av_vma_find(mm_of(c), A), av);
	if (w->policy->avc_interval_tree)
		av_itree_remove(&av->avc_tree, &avc->it);
	else
		cds_list_del_init(&avc->same_anon_vma);
	assert_int_equal(av_reclaim(w, p, A + PG, PG, &done), -EAGAIN);
	assert_non_null(strstr(av_world_error(w), "is still mapped 1 time(s)"));
	assert_int_equal(done, 0);
	assert_true(pte_is_swap(*pte_of(p, A + PG)));
	assert_int_equal(pfn_at(c, A + PG), pfn);
	if (w->policy->avc_interval_tree)
		av_itree_insert(&av->avc_tree, &avc->it);
	else
		cds_list_add(&avc->same_anon_vma, &av->avc_list);
}

/* ---- each anon_vma its own lock, over interval trees ---- */

static void own_locks_rekey_trees(void **state)
{
	struct av_world_config cfg;
	uint64_t referenced = 0;

	(void)state;
	av_world_destroy(w);
	av_world_config_init(&cfg);
	cfg.policy = g_policy;
	cfg.lock_mode = AV_LOCK_OWN;
	w = world_of(&cfg);
	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap(w, p, A, 4 * PG, RW));
	OK(w, av_touch(w, p, A, 4 * PG, 1));
	OK(w, av_fork(w, p, &c));
	OK(w, av_touch(w, c, A, 4 * PG, 1));
	/* A split changes the ranges of VMAs linked to two anon_vmas. */
	OK(w, av_mprotect(w, c, A + PG, PG, RO));
	assert_int_equal(nr_vmas(w, c), 3);
	CHECK(w);
	OK(w, av_age(w, c, A, 4 * PG, &referenced));
	assert_int_equal(referenced, 4);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	/* Each design's own COW decision (by map count or by reference
	 * count) meets the locked page. */
	const struct CMUnitTest every[] = {
		T(write_to_a_locked_page_copies),
		T(reclaim_cannot_find_every_pte),
		T(walk_stops_when_asked),       /* a list, or a tree */
	};
	const struct CMUnitTest one[] = {
		T(prepare_loses_the_race),
		T(process_exits_under_us),
		T(page_lock_contended),
		T(swapin_finds_pte_changed),
		T(swapin_finds_page_reclaimed),
		T(fault_waits_for_migration),
		T(fault_finds_migration_entry_left),
		T(fork_waits_for_migration),
		T(fork_finds_migration_entry_left),
		T(munmap_during_migration),
		T(lock_init_fails),
		T(walk_sees_page_unmapped),
		T(root_lock_contended),
		T(stack_gone_before_growing),
		T(own_locks_rekey_trees),
	};
	return RUN_ALL_POLICIES("interleave", every) |
	       cmocka_run_group_tests_name("interleave [linux-6.18]", one, set_policy_6_18, NULL);
}
