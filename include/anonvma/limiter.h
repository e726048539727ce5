/* SPDX-License-Identifier: MIT */
/*
 * anonvma/limiter.h - an allocator that wraps another one and can refuse:
 * beyond a byte budget, or at the Nth allocation (SQLite-style failure
 * injection: every allocation may fail, and a test proves the library
 * copes).  Thread-safe if the allocator it wraps is.
 *
 *	struct av_limiter lim;
 *	av_limiter_init(&lim, NULL);        // wrap the default allocator
 *	lim.max_bytes = 1 << 30;            // refuse beyond 1 GiB live
 *	cfg.allocator = &lim.allocator;
 */
#ifndef ANONVMA_LIMITER_H
#define ANONVMA_LIMITER_H

#include <stdbool.h>
#include <stdint.h>
#include <anonvma/port.h>

#ifdef __cplusplus
extern "C" {
#endif

struct av_limiter {
	struct av_allocator allocator;  /* give this one to the world */
	struct av_allocator base;       /* the allocator wrapped */

	/* Policy: set after init, before use. */
	uint64_t max_bytes;   /* refuse when live bytes would exceed it; 0: no limit */
	uint64_t fail_nth;    /* refuse the Nth allocation (1-based); 0: never */
	bool fail_after;      /* ... and every one after it */
	bool paused;          /* count nothing, refuse nothing (for checks) */

	/* What happened. */
	uint64_t allocations; /* attempted, while not paused */
	uint64_t refused_nth; /* refused by fail_nth/fail_after */
	uint64_t refused_budget; /* refused by max_bytes */
	uint64_t live_bytes, peak_bytes;
	uint64_t live_allocs;  /* blocks not yet freed */
};

/* Wrap base (NULL: the library's default allocator); no limits set. */
void av_limiter_init(struct av_limiter *lim, const struct av_allocator *base);

#ifdef __cplusplus
}
#endif
#endif
