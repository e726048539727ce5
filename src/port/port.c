/* SPDX-License-Identifier: MIT */
/* port.c - default platform layer: C library memory, POSIX locks, liburcu. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
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

/* Writers first, as the kernel's rw_semaphore hands off to a waiting
 * writer: with readers first, a stream of walkers starves fork and unmap. */
int av_rwsem_init(struct av_rwsem *s)
{
	pthread_rwlockattr_t a;
	int err;

	if ((err = pthread_rwlockattr_init(&a)))
		return -err;
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	err = pthread_rwlock_init(&s->rw, &a);
	pthread_rwlockattr_destroy(&a);
	return -err;
}

void av_rwsem_destroy(struct av_rwsem *s) { pthread_rwlock_destroy(&s->rw); }
void av_rwsem_read(struct av_rwsem *s) { must(pthread_rwlock_rdlock(&s->rw)); }
void av_rwsem_write(struct av_rwsem *s) { must(pthread_rwlock_wrlock(&s->rw)); }
void av_rwsem_read_unlock(struct av_rwsem *s) { must(pthread_rwlock_unlock(&s->rw)); }
void av_rwsem_write_unlock(struct av_rwsem *s) { must(pthread_rwlock_unlock(&s->rw)); }

bool av_rwsem_try_read(struct av_rwsem *s)
{
	return pthread_rwlock_tryrdlock(&s->rw) == 0;
}

bool av_rwsem_try_write(struct av_rwsem *s)
{
	return pthread_rwlock_trywrlock(&s->rw) == 0;
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

