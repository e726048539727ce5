/* SPDX-License-Identifier: MIT */
/*
 * anonvma/port.h - what an embedder may supply to the library.
 *
 * The core never calls malloc/free directly: every object (anon_vma, AVC,
 * VMA, mm, page-table page, frame chunk) is allocated through the world's
 * allocator, so an embedder can place them in its own heap and a test can
 * make any single allocation fail (SQLite style).
 */
#ifndef ANONVMA_PORT_H
#define ANONVMA_PORT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Object kinds, for allocators that want per-kind pools and for the stats. */
enum av_obj_kind {
	AV_OBJ_ANON_VMA,
	AV_OBJ_AVC,
	AV_OBJ_VMA,
	AV_OBJ_MM,
	AV_OBJ_PGTABLE,
	AV_OBJ_PAGE,      /* a frame in use (anonymous page) */
	AV_OBJ_SWAP,      /* a swap slot in use */
	AV_OBJ_OTHER,     /* bookkeeping arrays */
	AV_OBJ_NR
};

struct av_allocator {
	/* Return size bytes (zeroing not required) or NULL on failure. */
	void *(*alloc)(void *ctx, size_t size, enum av_obj_kind kind);
	/* Release memory returned by alloc; size and kind are as allocated. */
	void (*free)(void *ctx, void *ptr, size_t size, enum av_obj_kind kind);
	void *ctx;
};

#ifdef __cplusplus
}
#endif
#endif
