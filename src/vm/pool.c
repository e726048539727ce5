/* SPDX-License-Identifier: MIT */
/*
 * pool.c - growable arrays of fixed-size elements (frames, swap slots).
 *
 * Elements live in chunks that never move once allocated, so a pointer to an
 * element stays valid while it is in use; only the small array of chunk
 * pointers is reallocated as the pool grows.  Free elements are linked
 * through their first field (uint64_t pool_next).  Index 0 is reserved.
 */
#include <errno.h>
#include <string.h>
#include "vm.h"

#define POOL_CHUNK 1024u

void *av_pool_at(const struct av_pool *p, uint64_t idx)
{
	return (char *)p->chunks[idx / POOL_CHUNK] + (idx % POOL_CHUNK) * p->elem_size;
}

static uint64_t *next_of(const struct av_pool *p, uint64_t idx)
{
	return av_pool_at(p, idx);
}

static int pool_grow(struct av_world *w, struct av_pool *p)
{
	size_t n = p->nr_chunks;
	void **chunks = av_alloc(w, (n + 1) * sizeof(void *), AV_OBJ_OTHER);
	void *chunk;

	if (!chunks)
		return -ENOMEM;
	chunk = av_alloc(w, POOL_CHUNK * p->elem_size, AV_OBJ_OTHER);
	if (!chunk) {
		av_free(w, chunks, (n + 1) * sizeof(void *), AV_OBJ_OTHER);
		return -ENOMEM;
	}
	memset(chunk, 0, POOL_CHUNK * p->elem_size);
	if (n)
		memcpy(chunks, p->chunks, n * sizeof(void *));
	if (p->chunks)
		av_free(w, p->chunks, n * sizeof(void *), AV_OBJ_OTHER);
	chunks[n] = chunk;
	p->chunks = chunks;
	p->nr_chunks = n + 1;
	/* Push in reverse so that low indexes are handed out first. */
	for (uint64_t i = POOL_CHUNK; i-- > 0;) {
		uint64_t idx = n * POOL_CHUNK + i;
		if (idx == 0)
			continue;
		*next_of(p, idx) = p->free_head;
		p->free_head = idx;
	}
	p->nr_total += POOL_CHUNK;
	return 0;
}

int av_pool_init(struct av_world *w, struct av_pool *p, size_t elem_size, uint64_t limit)
{
	memset(p, 0, sizeof(*p));
	p->elem_size = elem_size;
	p->limit = limit;
	return pool_grow(w, p);
}

void av_pool_destroy(struct av_world *w, struct av_pool *p)
{
	for (size_t i = 0; i < p->nr_chunks; i++)
		av_free(w, p->chunks[i], POOL_CHUNK * p->elem_size, AV_OBJ_OTHER);
	if (p->chunks)
		av_free(w, p->chunks, p->nr_chunks * sizeof(void *), AV_OBJ_OTHER);
	memset(p, 0, sizeof(*p));
}

int av_pool_get(struct av_world *w, struct av_pool *p, uint64_t *idx)
{
	if (p->nr_used >= p->limit)
		return -ENOMEM;
	if (!p->free_head && pool_grow(w, p))
		return -ENOMEM;
	*idx = p->free_head;
	p->free_head = *next_of(p, *idx);
	memset(av_pool_at(p, *idx), 0, p->elem_size);
	p->nr_used++;
	return 0;
}

void av_pool_put(struct av_pool *p, uint64_t idx)
{
	memset(av_pool_at(p, idx), 0, p->elem_size);
	*next_of(p, idx) = p->free_head;
	p->free_head = idx;
	p->nr_used--;
}
