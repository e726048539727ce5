/* SPDX-License-Identifier: MIT */
/* port.c - default platform layer: C library memory, POSIX locks. */
#include <stdlib.h>
#include <errno.h>
#include "port.h"

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

int av_rwsem_init(struct av_rwsem *s)
{
	return -pthread_rwlock_init(&s->rw, NULL);
}

void av_rwsem_destroy(struct av_rwsem *s)
{
	pthread_rwlock_destroy(&s->rw);
}

/* Lock calls cannot fail on a valid lock; a failure is a bug in the caller,
 * and continuing would corrupt the world. */
static void must(int err)
{
	if (err)
		abort();
}

void av_rwsem_read(struct av_rwsem *s) { must(pthread_rwlock_rdlock(&s->rw)); }
void av_rwsem_write(struct av_rwsem *s) { must(pthread_rwlock_wrlock(&s->rw)); }
void av_rwsem_read_unlock(struct av_rwsem *s) { must(pthread_rwlock_unlock(&s->rw)); }
void av_rwsem_write_unlock(struct av_rwsem *s) { must(pthread_rwlock_unlock(&s->rw)); }

int av_mutex_init(struct av_mutex *m)
{
	return -pthread_mutex_init(&m->m, NULL);
}

void av_mutex_destroy(struct av_mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

void av_mutex_lock(struct av_mutex *m) { must(pthread_mutex_lock(&m->m)); }
void av_mutex_unlock(struct av_mutex *m) { must(pthread_mutex_unlock(&m->m)); }
