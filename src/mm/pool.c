/* SPDX-License-Identifier: MIT */
/*
 * pool.c - growable arrays of fixed-size elements (frames, swap slots).
 *
 * Elements live in chunks that never move once allocated, and the array of
 * chunk pointers is sized for the pool's limit at creation, so an element's
 * address never changes and a walker may look a pfn up without any lock
 * (chunk pointers and nr_total are published with release stores).  Free
 * elements are linked through their first field (uint64_t pool_next); get
 * and put touch nothing else: callers initialise elements, because lock-free
 * readers may be looking at them; elements never handed out are on no
 * list (nr_handed marks them).  Index 0 is reserved.  The caller holds
 * the pool's lock (w->frame_lock or w->swap_lock) for get and put.
 */
#include <errno.h>
#include <string.h>
#include "vm.h"

#define POOL_CHUNK 256u

void *av_pool_at(const struct av_pool *p, uint64_t idx)
{
	char *chunk = av_load(&p->chunks[idx / POOL_CHUNK]);

	return chunk + (idx % POOL_CHUNK) * p->elem_size;
}

static uint64_t *next_of(const struct av_pool *p, uint64_t idx)
{
	return av_pool_at(p, idx);
}

static int pool_grow(struct av_world *w, struct av_pool *p)
{
	size_t n = p->nr_chunks;
	void *chunk;

	if (n == p->max_chunks)
		return -ENOMEM;
	chunk = av_alloc(w, POOL_CHUNK * p->elem_size, AV_OBJ_OTHER);
	if (!chunk)
		return -ENOMEM;
	memset(chunk, 0, POOL_CHUNK * p->elem_size);
	av_store(&p->chunks[n], chunk);
	p->nr_chunks = n + 1;
	av_store(&p->nr_total, p->nr_total + POOL_CHUNK);
	return 0;
}

int av_pool_init(struct av_world *w, struct av_pool *p, size_t elem_size, uint64_t limit)
{
	memset(p, 0, sizeof(*p));
	p->nr_handed = 1;       /* index 0 is reserved */
	p->elem_size = elem_size;
	p->limit = limit;
	p->max_chunks = (size_t)(limit / POOL_CHUNK + 2);
	/* Not cleared: a slot is read only below nr_chunks, once filled. */
	p->chunks = av_alloc(w, p->max_chunks * sizeof(void *), AV_OBJ_OTHER);
	if (!p->chunks)
		return -ENOMEM;
	if (pool_grow(w, p)) {
		av_free(w, p->chunks, p->max_chunks * sizeof(void *), AV_OBJ_OTHER);
		p->chunks = NULL;
		return -ENOMEM;
	}
	return 0;
}

void av_pool_destroy(struct av_world *w, struct av_pool *p)
{
	for (size_t i = 0; i < p->nr_chunks; i++)
		av_free(w, p->chunks[i], POOL_CHUNK * p->elem_size, AV_OBJ_OTHER);
	if (p->chunks)
		av_free(w, p->chunks, p->max_chunks * sizeof(void *), AV_OBJ_OTHER);
	memset(p, 0, sizeof(*p));
}

int av_pool_get(struct av_world *w, struct av_pool *p, uint64_t *idx)
{
	if (p->nr_used >= p->limit)
		return -ENOMEM;
	if (p->free_head) {
		*idx = p->free_head;
		p->free_head = *next_of(p, *idx);
	} else {
		/* Low indexes first, so that the checker's scans (up to
		 * nr_handed) stay short in a world that uses few. */
		if (p->nr_handed == p->nr_total && pool_grow(w, p))
			return -ENOMEM;
		*idx = p->nr_handed++;
	}
	p->nr_used++;
	return 0;
}

void av_pool_put(struct av_pool *p, uint64_t idx)
{
	*next_of(p, idx) = p->free_head;
	p->free_head = idx;
	p->nr_used--;
}
