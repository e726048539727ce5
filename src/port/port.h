/* SPDX-License-Identifier: MIT */
/*
 * port.h - the platform layer: raw memory and locks.
 *
 * Nothing above this file includes <pthread.h> or calls malloc.  The default
 * implementation (port.c) uses the C library and POSIX threads; an embedder
 * supplies its allocator through struct av_allocator (anonvma/port.h).
 */
#ifndef AV_PORT_H
#define AV_PORT_H

#include <stddef.h>
#include <pthread.h>
#include <anonvma/port.h>

/* The allocator every world starts with unless told otherwise. */
extern const struct av_allocator av_default_allocator;

/* A sleeping reader/writer lock (the kernel's rw_semaphore, mmap_lock). */
struct av_rwsem {
	pthread_rwlock_t rw;
};

int av_rwsem_init(struct av_rwsem *s);
void av_rwsem_destroy(struct av_rwsem *s);
void av_rwsem_read(struct av_rwsem *s);
void av_rwsem_write(struct av_rwsem *s);
void av_rwsem_read_unlock(struct av_rwsem *s);
void av_rwsem_write_unlock(struct av_rwsem *s);

/* A spinning mutual-exclusion lock (page-table lock). */
struct av_mutex {
	pthread_mutex_t m;
};

int av_mutex_init(struct av_mutex *m);
void av_mutex_destroy(struct av_mutex *m);
void av_mutex_lock(struct av_mutex *m);
void av_mutex_unlock(struct av_mutex *m);

#endif
