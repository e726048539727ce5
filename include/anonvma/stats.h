/* SPDX-License-Identifier: MIT */
/*
 * anonvma/stats.h - counters a world keeps.
 *
 * Object counts are exact at every moment: live = allocated - freed.
 * Walk and lock counters are cumulative since the world was created.
 * Page-table-derived counts (anon_pages, anon_ptes, ...) are computed by a
 * scan when av_stats_read() is called.
 */
#ifndef ANONVMA_STATS_H
#define ANONVMA_STATS_H

#include <stdint.h>
#include <anonvma/port.h>

#ifdef __cplusplus
extern "C" {
#endif

struct av_world;

struct av_obj_stats {
	uint64_t live, allocated, freed;
};

struct av_walk_stats {
	uint64_t walks;          /* rmap walks started */
	uint64_t avcs_visited;   /* AVCs the walk looked at */
	uint64_t vmas_covering;  /* of those, VMAs whose range covers the page */
	uint64_t ptes_found;     /* PTEs found mapping the page */
};

struct av_lock_stats {
	uint64_t root_write, root_read; /* anon_vma root lock, by mode */
	uint64_t mmap_write, mmap_read; /* per-mm mmap lock */
	uint64_t ptl;                   /* page-table lock */
	uint64_t page;                  /* per-page lock */
	/* Contention: acquisitions that had to wait, and how long (ns). */
	uint64_t root_contended, root_wait_ns;
	uint64_t root_write_hold_ns;    /* time the root lock was held for writing */
	uint64_t mmap_contended, mmap_wait_ns;
	uint64_t page_contended, page_wait_ns;
};

struct av_fault_stats {
	uint64_t read, write;    /* faults taken */
	uint64_t zero_maps;      /* zero page mapped on a read fault */
	uint64_t new_pages;      /* fresh anonymous pages */
	uint64_t cow_copies;     /* write to a shared page: copied */
	uint64_t cow_reuses;     /* write to a shared page: reused in place */
	uint64_t swapins;        /* swap entries faulted back in */
	uint64_t segv;           /* accesses refused (-EFAULT) */
};

struct av_stats {
	struct av_obj_stats obj[AV_OBJ_NR];
	struct av_walk_stats walk;
	struct av_lock_stats lock;
	struct av_fault_stats fault;
	uint64_t prepare_borrowed;   /* anon_vma_prepare took a neighbour's */
	uint64_t fork_reused;        /* anon_vma_fork reused an existing one */
	uint64_t reclaimed, referenced, migrated;
	/* scan of all live processes' page tables: */
	uint64_t procs, vmas;
	uint64_t anon_pages;   /* distinct anonymous pages mapped (zero page excluded) */
	uint64_t anon_ptes;    /* PTEs mapping an anonymous page */
	uint64_t zero_ptes;    /* PTEs mapping the zero page */
	uint64_t swap_ptes;    /* PTEs holding a swap entry */
	uint64_t file_ptes;    /* PTEs mapping a page of a file (or of shared anonymous memory) */
};

void av_stats_read(const struct av_world *w, struct av_stats *s);
/* The counters alone, without the scan (its fields are 0): cheap enough
 * to call after every operation, as a peak tracker does. */
void av_stats_read_counters(const struct av_world *w, struct av_stats *s);
const char *av_obj_kind_name(enum av_obj_kind k);

#ifdef __cplusplus
}
#endif
#endif
