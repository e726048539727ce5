/* SPDX-License-Identifier: MIT */
/*
 * limiter.c - the refusing allocator of anonvma/limiter.h.
 *
 * Counters are updated atomically so that one limiter may serve a world
 * used from several threads; `paused` and the policy fields are plain
 * settings, changed only while the world is quiet.
 */
#include <anonvma/limiter.h>
#include "port.h"

/* Reserve size bytes of the budget; false if that would exceed it. */
static bool reserve(struct av_limiter *lim, size_t size)
{
	uint64_t live = __atomic_add_fetch(&lim->live_bytes, size, __ATOMIC_RELAXED);
	uint64_t peak = __atomic_load_n(&lim->peak_bytes, __ATOMIC_RELAXED);

	if (lim->max_bytes && live > lim->max_bytes) {
		__atomic_sub_fetch(&lim->live_bytes, size, __ATOMIC_RELAXED);
		return false;
	}
	while (live > peak && !__atomic_compare_exchange_n(&lim->peak_bytes, &peak, live, true,
							   __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return true;
}

static void *limiter_alloc(void *ctx, size_t size, enum av_obj_kind kind)
{
	struct av_limiter *lim = ctx;
	uint64_t n;
	void *p;

	if (!lim->paused) {
		n = __atomic_add_fetch(&lim->allocations, 1, __ATOMIC_RELAXED);
		if (lim->fail_nth && (n == lim->fail_nth || (lim->fail_after && n > lim->fail_nth))) {
			__atomic_add_fetch(&lim->refused_nth, 1, __ATOMIC_RELAXED);
			return NULL;
		}
	}
	if (!reserve(lim, size)) {
		__atomic_add_fetch(&lim->refused_budget, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	if (!(p = lim->base.alloc(lim->base.ctx, size, kind)))
		__atomic_sub_fetch(&lim->live_bytes, size, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&lim->live_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

static void limiter_free(void *ctx, void *ptr, size_t size, enum av_obj_kind kind)
{
	struct av_limiter *lim = ctx;

	lim->base.free(lim->base.ctx, ptr, size, kind);
	__atomic_sub_fetch(&lim->live_bytes, size, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&lim->live_allocs, 1, __ATOMIC_RELAXED);
}

void av_limiter_init(struct av_limiter *lim, const struct av_allocator *base)
{
	*lim = (struct av_limiter){ 0 };
	lim->base = base ? *base : av_default_allocator;
	lim->allocator = (struct av_allocator){ limiter_alloc, limiter_free, lim };
}
