/* SPDX-License-Identifier: MIT */
/* port.c - default platform layer: C library memory, POSIX mutexes, a
 * futex-based rwsem (Linux; elsewhere it yields while it waits), liburcu. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <urcu-bp.h>
#include "port.h"

/*
 * ThreadSanitizer does not see liburcu's own synchronisation (it is not
 * instrumented), so the end of each reader section "releases" and each RCU
 * callback "acquires" one shared address: that is exactly the ordering a
 * grace period provides.
 */
#if defined(__SANITIZE_THREAD__)
#define AV_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AV_TSAN 1
#endif
#endif
#ifdef AV_TSAN
#include <sanitizer/tsan_interface.h>
static char rcu_sync;
#define rcu_release() __tsan_release(&rcu_sync)
#define rcu_acquire() __tsan_acquire(&rcu_sync)
#else
#define rcu_release() ((void)0)
#define rcu_acquire() ((void)0)
#endif

static void *libc_alloc(void *ctx, size_t size, enum av_obj_kind kind)
{
	(void)ctx;
	(void)kind;
	return malloc(size);
}

static void libc_free(void *ctx, void *ptr, size_t size, enum av_obj_kind kind)
{
	(void)ctx;
	(void)size;
	(void)kind;
	free(ptr);
}

const struct av_allocator av_default_allocator = { libc_alloc, libc_free, NULL };

/* Lock calls cannot fail on a valid lock; a failure is a bug in the caller,
 * and continuing would corrupt the world. */
static void must(int err)
{
	if (err)
		abort();
}

/*
 * The rwsem's word.  WRITER: held for writing.  WANTED: a writer waits, so
 * readers wait too; the writer that gets the lock clears it, and writers
 * still waiting set it again when they look.  SLEEPERS: a thread sleeps on
 * the word, so whoever frees the lock wakes them all, to look again.  The
 * rest counts the readers.  Every change is one atomic operation on the
 * word: acquire to take the lock, release to give it back - the ordering
 * ThreadSanitizer sees, as it does not see futexes.
 */
#define AV_RWSEM_WRITER   (UINT32_C(1) << 31)
#define AV_RWSEM_WANTED   (UINT32_C(1) << 30)
#define AV_RWSEM_SLEEPERS (UINT32_C(1) << 29)
#define AV_RWSEM_READERS  (AV_RWSEM_SLEEPERS - 1)

_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t) && ATOMIC_INT_LOCK_FREE == 2,
	       "a futex is a plain 32-bit word");

#ifdef __linux__
static void sleep_on(_Atomic uint32_t *word, uint32_t seen)
{
	/* Returns at once if *word is no longer seen; spurious wake-ups are
	 * fine, the caller looks again. */
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void wake_sleepers(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}
#else
static void sleep_on(_Atomic uint32_t *word, uint32_t seen)
{
	(void)word;
	(void)seen;
	sched_yield();
}

static void wake_sleepers(_Atomic uint32_t *word)
{
	(void)word;
}
#endif

int av_rwsem_init(struct av_rwsem *s)
{
	atomic_init(&s->state, 0);
	return 0;
}

void av_rwsem_destroy(struct av_rwsem *s)
{
	(void)s;
}

bool av_rwsem_try_read(struct av_rwsem *s)
{
	uint32_t v = atomic_load_explicit(&s->state, memory_order_relaxed);

	do {
		if (v & (AV_RWSEM_WRITER | AV_RWSEM_WANTED))
			return false;
		/* Half a billion readers at once: a reader that never unlocks. */
		if ((v & AV_RWSEM_READERS) == AV_RWSEM_READERS)
			abort();
	} while (!atomic_compare_exchange_weak_explicit(&s->state, &v, v + 1,
							memory_order_acquire,
							memory_order_relaxed));
	return true;
}

bool av_rwsem_try_write(struct av_rwsem *s)
{
	uint32_t v = atomic_load_explicit(&s->state, memory_order_relaxed);

	do {
		if (v & (AV_RWSEM_WRITER | AV_RWSEM_READERS))
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&s->state, &v,
							(v & AV_RWSEM_SLEEPERS) | AV_RWSEM_WRITER,
							memory_order_acquire,
							memory_order_relaxed));
	return true;
}

/* Sleep while any of busy is set, after setting mark and SLEEPERS, so
 * that the thread that clears busy wakes us; return at once if it is
 * clear. */
static void wait_while(struct av_rwsem *s, uint32_t busy, uint32_t mark)
{
	uint32_t v = atomic_load_explicit(&s->state, memory_order_relaxed), marked;

	do {
		if (!(v & busy))
			return;
		marked = v | mark | AV_RWSEM_SLEEPERS;
	} while (v != marked &&
		 !atomic_compare_exchange_weak_explicit(&s->state, &v, marked,
							memory_order_relaxed,
							memory_order_relaxed));
	sleep_on(&s->state, marked);
}

void av_rwsem_read(struct av_rwsem *s)
{
	while (!av_rwsem_try_read(s))
		wait_while(s, AV_RWSEM_WRITER | AV_RWSEM_WANTED, 0);
}

void av_rwsem_write(struct av_rwsem *s)
{
	while (!av_rwsem_try_write(s))
		wait_while(s, AV_RWSEM_WRITER | AV_RWSEM_READERS, AV_RWSEM_WANTED);
}

/* The last reader out wakes the sleepers: a writer may take the lock.
 * Readers still in: whoever sleeps waits for a writer, which waits for
 * them. */
void av_rwsem_read_unlock(struct av_rwsem *s)
{
	uint32_t v = atomic_load_explicit(&s->state, memory_order_relaxed), next;

	do {
		next = v - 1;
		if (!(next & AV_RWSEM_READERS))
			next &= ~AV_RWSEM_SLEEPERS;
	} while (!atomic_compare_exchange_weak_explicit(&s->state, &v, next,
							memory_order_release,
							memory_order_relaxed));
	if ((v ^ next) & AV_RWSEM_SLEEPERS)
		wake_sleepers(&s->state);
}

void av_rwsem_write_unlock(struct av_rwsem *s)
{
	uint32_t v = atomic_fetch_and_explicit(&s->state, ~(AV_RWSEM_WRITER | AV_RWSEM_SLEEPERS),
					       memory_order_release);

	if (v & AV_RWSEM_SLEEPERS)
		wake_sleepers(&s->state);
}

uint64_t av_rwsem_lock_timed(struct av_rwsem *s, bool write)
{
	uint64_t t0, waited;

	if (write ? av_rwsem_try_write(s) : av_rwsem_try_read(s))
		return 0;
	t0 = av_now_ns();
	if (write)
		av_rwsem_write(s);
	else
		av_rwsem_read(s);
	waited = av_now_ns() - t0;
	return waited ? waited : 1;
}

int av_mutex_init(struct av_mutex *m)
{
	return -pthread_mutex_init(&m->m, NULL);
}

void av_mutex_destroy(struct av_mutex *m) { pthread_mutex_destroy(&m->m); }
void av_mutex_lock(struct av_mutex *m) { must(pthread_mutex_lock(&m->m)); }
void av_mutex_unlock(struct av_mutex *m) { must(pthread_mutex_unlock(&m->m)); }

void av_cpu_relax(void)
{
	sched_yield();
}

uint64_t av_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void av_rcu_read_lock(void)
{
	urcu_bp_read_lock();
}

void av_rcu_read_unlock(void)
{
	rcu_release();
	urcu_bp_read_unlock();
}

void av_synchronize_rcu(void)
{
	urcu_bp_synchronize_rcu();
	rcu_acquire();
}

