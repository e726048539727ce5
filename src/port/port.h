/* SPDX-License-Identifier: MIT */
/*
 * port.h - the platform layer: raw memory, locks, atomics and RCU.
 *
 * Nothing above this file includes <pthread.h> or liburcu, or calls malloc.
 * The default implementation (port.c) uses the C library, POSIX threads and
 * liburcu's "bulletproof" flavour (urcu-bp: threads register themselves, so
 * an embedder's threads need no set-up).  An embedder supplies its allocator
 * at run time (struct av_allocator, anonvma/port.h) and its locks and RCU by
 * replacing port.c: the functions below are the whole contract.
 */
#ifndef AV_PORT_H
#define AV_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <anonvma/port.h>

/* The allocator every world starts with unless told otherwise. */
extern const struct av_allocator av_default_allocator;

/*
 * A sleeping reader/writer lock (the kernel's rw_semaphore, mmap_lock): one
 * 32-bit word, as every anon_vma carries one (a pthread_rwlock_t is 56
 * bytes).  A writer waiting holds off new readers, as the kernel's
 * rw_semaphore hands off to a waiting writer: readers first, a stream of
 * walkers would starve fork and unmap.  Not recursive: a reader that reads
 * again while a writer waits deadlocks.
 */
struct av_rwsem {
	_Atomic uint32_t state;   /* AV_RWSEM_* flags | number of readers */
};

int av_rwsem_init(struct av_rwsem *s);
void av_rwsem_destroy(struct av_rwsem *s);
void av_rwsem_read(struct av_rwsem *s);
void av_rwsem_write(struct av_rwsem *s);
void av_rwsem_read_unlock(struct av_rwsem *s);
void av_rwsem_write_unlock(struct av_rwsem *s);
bool av_rwsem_try_read(struct av_rwsem *s);
bool av_rwsem_try_write(struct av_rwsem *s);
/* Take s for reading or writing; the nanoseconds spent waiting for it, at
 * least 1 if it was not free at once (the contention statistics). */
uint64_t av_rwsem_lock_timed(struct av_rwsem *s, bool write);

/* A mutual-exclusion lock (page-table lock, frame and swap locks). */
struct av_mutex {
	pthread_mutex_t m;
};

int av_mutex_init(struct av_mutex *m);
void av_mutex_destroy(struct av_mutex *m);
void av_mutex_lock(struct av_mutex *m);
void av_mutex_unlock(struct av_mutex *m);

/* Let another thread run (a contended bit lock spins on this). */
void av_cpu_relax(void);
/* Monotonic nanoseconds, for lock hold and wait times. */
uint64_t av_now_ns(void);

/*
 * RCU.  A reader section may run concurrently with updates; memory retired
 * by an updater is released only after every reader section that could see
 * it has ended (a grace period: av_anon_vma_reclaim).
 */
void av_rcu_read_lock(void);
void av_rcu_read_unlock(void);
/* Wait for a grace period: every reader section now running has ended. */
void av_synchronize_rcu(void);

/* Relaxed counters and acquire/release accesses, on plain fields. */
#define av_atomic_add(p, n)   __atomic_add_fetch((p), (n), __ATOMIC_RELAXED)
#define av_atomic_sub(p, n)   __atomic_sub_fetch((p), (n), __ATOMIC_ACQ_REL)
#define av_atomic_inc(p)      __atomic_add_fetch((p), 1, __ATOMIC_ACQ_REL)
#define av_atomic_dec(p)      __atomic_sub_fetch((p), 1, __ATOMIC_ACQ_REL)
#define av_load(p)            __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define av_load_relaxed(p)    __atomic_load_n((p), __ATOMIC_RELAXED)
#define av_store(p, v)        __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define av_fetch_or(p, v)     __atomic_fetch_or((p), (v), __ATOMIC_ACQ_REL)
#define av_fetch_and(p, v)    __atomic_fetch_and((p), (v), __ATOMIC_ACQ_REL)

/* Increment *p unless it is zero; whether it was incremented. */
static inline bool av_inc_not_zero_ul(unsigned long *p)
{
	unsigned long v = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (v)
		if (__atomic_compare_exchange_n(p, &v, v + 1, true, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

static inline bool av_inc_not_zero_l(long *p)
{
	long v = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (v > 0)
		if (__atomic_compare_exchange_n(p, &v, v + 1, true, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

#endif
