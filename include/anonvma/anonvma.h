/* SPDX-License-Identifier: MIT */
/*
 * anonvma/anonvma.h - the public API of libanonvma.
 *
 * A *world* holds processes (address spaces), a frame pool with the shared
 * zero page, swap, and one rmap *policy* (a design: linux-6.18, or one of
 * Linux's earlier ones, or a proposal; av_policy_names()).  Processes
 * are named by small integer pids.  Every call that can fail returns 0 or a
 * negative errno, the one Linux would give for the same request (-EINVAL for
 * a misaligned address, -EEXIST for an overlapping fixed mapping, -ENOMEM for
 * an allocation failure or an unmapped range, -EFAULT for an access the
 * process may not make, -ESRCH for a pid that does not exist).  After a
 * failure av_world_error() tells which function failed and why (the last
 * failure in the calling thread); the world is left consistent (av_check()
 * holds) and may be used further.
 *
 * Threads: the operations on processes and pages (proc_create, fork, exit,
 * mmap ... touch, reclaim/age/migrate and the *_page walks) may be called
 * concurrently from any threads, on any processes, with the kernel's locking
 * (src/mm/rmap.h).  The read-only views (av_stats_read's scan, the foreach
 * and lookup functions), av_check and av_check_incremental (one at a time:
 * they keep a change log and working memory in the world) and
 * av_world_destroy need a quiet world: no operation in progress.  A custom
 * allocator must then be thread-safe.
 */
#ifndef ANONVMA_ANONVMA_H
#define ANONVMA_ANONVMA_H

#include <stdint.h>
#include <stddef.h>
#include <anonvma/port.h>
#include <anonvma/stats.h>
#include <anonvma/inspect.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ANONVMA_VERSION "0.1.0"

#define AV_PAGE_SIZE   UINT64_C(4096)
#define AV_PAGE_SHIFT  12
/* User addresses: the lower half of a 48-bit, 4-level address space, less
 * the guard page x86-64 keeps below the non-canonical hole (TASK_SIZE_MAX
 * = 0x7ffffffff000). */
#define AV_TASK_SIZE   ((UINT64_C(1) << 47) - AV_PAGE_SIZE)
/* Where every process's heap (brk) starts.  Linux puts it at a random
 * address just past the program's data; the model has no program, so it
 * puts it at 16 TiB, above where scenarios map (anonvma kcheck reports
 * the kernel's heap relative to its own start, as if it were here). */
#define AV_HEAP_START  (UINT64_C(1) << 44)

/* Protections, as PROT_* */
#define AV_PROT_NONE   0
#define AV_PROT_READ   1
#define AV_PROT_WRITE  2
#define AV_PROT_EXEC   4    /* only tells VMAs apart: r-x and r-- do not merge */

/* mremap flags, as MREMAP_* */
#define AV_MREMAP_MAYMOVE 1
#define AV_MREMAP_FIXED   2

typedef struct av_world av_world;
typedef int av_pid;

struct av_world_config {
	const char *policy;       /* "linux-6.18" (default); av_policy_names() */
	int zero_page;            /* 1 (default): read faults map the zero page */
	uint64_t max_frames;      /* page frames available; 0 = 1<<24 */
	uint64_t max_swap_slots;  /* swap slots available; 0 = 1<<24 */
	uint64_t max_procs;       /* live processes; 0 = 1<<16 */
	const struct av_allocator *allocator; /* NULL: malloc/free */
	/* AV_LOCK_ROOT (default): every anon_vma takes the lock its policy
	 * says (the root's, since the seed's series).  AV_LOCK_OWN: each
	 * takes its own, whatever the policy - unsafe, as the 2.6.34 policy
	 * is, kept to show the race (docs/locking.md). */
	int lock_mode;
	/* Pages a read fault of a file maps around the one it needs, if they
	 * are in the page cache: fault_around_bytes / 4096, a power of two up
	 * to 512; 1 turns it off.  0 (default): 16, Linux's default. */
	unsigned fault_around_pages;
};

#define AV_LOCK_ROOT 0
#define AV_LOCK_OWN  1

/* Fill c with the defaults above. */
void av_world_config_init(struct av_world_config *c);

int av_world_create(const struct av_world_config *c, av_world **out);
/* Exits every process and frees everything. */
void av_world_destroy(av_world *w);

/* The last error of this world: "function: cause" (empty if none). */
const char *av_world_error(const av_world *w);
const char *av_world_policy(const av_world *w);
int av_world_zero_page(const av_world *w);
unsigned av_world_fault_around(const av_world *w);
/* Names of the built-in policies, NULL-terminated. */
const char *const *av_policy_names(void);

/* What a policy is, for tools that compare designs. */
struct av_policy_info {
	const char *name;
	const char *summary;            /* one line */
	unsigned kernel_anon_vma_bytes; /* the kernel's object sizes (x86-64) */
	unsigned kernel_avc_bytes;      /* 0: the link is not an object of its own */
	int own_locks;                  /* each anon_vma its own lock: no root lock */
	const char *known_flaw;         /* the invariant it is known to break, and
					 * how that was known; NULL: none */
};
/* 0, or -EINVAL for a name no policy has. */
int av_policy_describe(const char *name, struct av_policy_info *out);

/* Processes and their threads.  A pid names a task: a process's first
 * task, or one of its threads (av_thread_create), all sharing one address
 * space.  Every call naming a task acts on its process's address space;
 * av_fork by any task forks the process (the child has one task).
 * av_exit ends only the task named; the last task's exit ends the address
 * space.  av_exec gives the process an empty address space of its own
 * (what it had is unlinked as at exit, unless a vfork relative still
 * shares it) and ends its other threads; the task that execs keeps its
 * pid. */
int av_proc_create(av_world *w, av_pid *out);
int av_thread_create(av_world *w, av_pid pid, av_pid *tid);
/* A new process that shares pid's address space, as vfork(2) and
 * posix_spawn make one (clone(CLONE_VM) without CLONE_THREAD; the parent
 * is not suspended here): its exec gives it an address space of its own
 * and ends none of pid's tasks, its exit ends only it. */
int av_vfork(av_world *w, av_pid pid, av_pid *child);
int av_fork(av_world *w, av_pid parent, av_pid *child);
int av_exit(av_world *w, av_pid pid);
int av_exec(av_world *w, av_pid pid);
/* The pid of the process task pid belongs to (pid itself for a process's
 * first task), or -ESRCH if no such task is alive.  A read-only view, like
 * those of inspect.h: call it on a quiet world. */
av_pid av_task_process(const av_world *w, av_pid pid);

/* Files that processes can map: size bytes (a fault at or past the end is
 * SIGBUS: -EFAULT), with a page cache that starts empty and keeps every
 * page a fault read in until the file goes.  *file is its id.  A file goes
 * once closed and no longer mapped. */
int av_file_create(av_world *w, uint64_t size, int *file);
int av_file_close(av_world *w, int file);

/* Mappings, always at a fixed address that must be free
 * (MAP_FIXED_NOREPLACE semantics).  av_mmap: private anonymous memory.
 * av_mmap_file: with AV_MAP_SHARED and file 0, shared anonymous memory
 * (its own shmem object); with a file, that file from byte offset (page
 * aligned), private (copy-on-write: the first write makes the VMA's
 * anon_vma) or shared (never an anon_vma).  AV_MAP_NORESERVE and
 * AV_MAP_STACK change the VMA's flags as Linux does, so its merges too
 * (Linux's overcommit mode 2, which ignores MAP_NORESERVE, is not modelled). */
#define AV_MAP_SHARED    1
#define AV_MAP_NORESERVE 2      /* never charged: VM_NORESERVE, no VM_ACCOUNT */
#define AV_MAP_STACK     4      /* a thread stack: VM_NOHUGEPAGE, as Linux 6.7 on */
#define AV_MAP_GROWSDOWN 8      /* a process stack: a touch of the pages below it
				 * grows it down to them, short of a guard gap of
				 * 256 pages above the next mapping below */
int av_mmap(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot);
int av_mmap_file(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot, int flags,
		 int file, uint64_t offset);
int av_munmap(av_world *w, av_pid pid, uint64_t addr, uint64_t len);
int av_mprotect(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int prot);
/* flags 0: resize in place; AV_MREMAP_MAYMOVE|AV_MREMAP_FIXED: move to
 * new_addr (ignored otherwise). */
int av_mremap(av_world *w, av_pid pid, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr);
int av_madvise_dontneed(av_world *w, av_pid pid, uint64_t addr, uint64_t len);
/* madvise(2) with one of these (MADV_* of the same name).  Over a hole,
 * -ENOMEM after the advice was applied to what is mapped, as Linux does. */
#define AV_MADV_DONTNEED   4
#define AV_MADV_DONTFORK   10   /* fork leaves the range out of the child */
#define AV_MADV_DOFORK     11
#define AV_MADV_WIPEONFORK 18   /* the child gets the range empty */
#define AV_MADV_KEEPONFORK 19
int av_madvise(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int advice);
/* brk(2): the heap becomes [AV_HEAP_START, AV_HEAP_START + size), page
 * rounded: it grows (a new VMA, or the heap VMA extended) or shrinks
 * (unmapped).  -ENOMEM, the heap unchanged, if growing would reach within
 * a page of another mapping. */
int av_brk(av_world *w, av_pid pid, uint64_t size);

/* Touch every page of [addr, addr+len) as the process would: a read or a
 * write access, faulting as needed.  -EFAULT where the process would get
 * SIGSEGV (pages before it stay touched). */
int av_touch(av_world *w, av_pid pid, uint64_t addr, uint64_t len, int write);

/* Reverse-map operations on the anonymous pages the process maps in the
 * range.  Each page is handled by an rmap walk from the page, so it affects
 * every process that maps it.  *done (may be NULL) counts pages handled. */
int av_reclaim(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *done);
int av_age(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *referenced);
int av_migrate(av_world *w, av_pid pid, uint64_t addr, uint64_t len, uint64_t *done);

/* Reverse-map operations started from a frame, as reclaim's LRU scan
 * does: no process named, no mm lock held.  0 when the page was handled;
 * -ENOENT if pfn is not an anonymous page in use; -EAGAIN if the page was
 * busy or could not be unmapped everywhere (it stays consistent). */
enum av_walk_op { AV_WALK_RECLAIM, AV_WALK_AGE, AV_WALK_MIGRATE };
int av_walk_page(av_world *w, uint64_t pfn, enum av_walk_op op);
/* Frames that exist in the world's pool (used or free): pfns are below. */
uint64_t av_nr_frames(const av_world *w);

/* Verify every invariant of the world (the list is in src/mm/check.c).
 * 0 if all hold; -EUCLEAN with the first violation in av_world_error(). */
int av_check(av_world *w);
/* The same, for what changed since the previous check of either kind:
 * the processes operated on, the frames and swap slots whose references
 * changed, the pid table if a task came or went, every anon_vma, chain
 * and file if a VMA, chain or anon_vma was made, freed or moved, and
 * (always) every object count.  Its first call is a full check and
 * starts the world's change log; so is a call after more changes than
 * the log holds.  What it cannot see (a stray free-list entry, a
 * page-table entry count, a structure changed behind the library's back)
 * a full check finds: call av_check() every so often and at the end
 * (docs/checking.md).  Not while other calls run. */
int av_check_incremental(av_world *w);
/* After av_check() failed in this thread: 1 if what it found is the flaw
 * the world's design is known to have (av_policy_info.known_flaw: 3.19's
 * CVE-2022-42703), which random tests and stress runs expect of it; 0 for
 * anything else, which is a finding. */
int av_check_known_flaw(const av_world *w);

#ifdef __cplusplus
}
#endif
#endif
