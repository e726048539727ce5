/* SPDX-License-Identifier: MIT */
/*
 * shared.h - pieces of the kernel's anon rmap that several designs share,
 * named for the kernel function each models and the versions that had it.
 * A policy file includes this and the model's headers, never another
 * policy file.
 */
#ifndef AV_POLICY_SHARED_H
#define AV_POLICY_SHARED_H

#include <stdbool.h>
#include <stdint.h>
#include "../mm/policy.h"
#include "../mm/rmap.h"
#include "../mm/vm.h"

/* Was v forked from a parent, so that it may share pages copy-on-write?
 * (Its chain has more than one anon_vma.) */
static inline bool vma_is_fork_child(const struct av_vma *v)
{
	return av_vma_has_chain(v) && !av_list_singular(&v->anon_vma_chain);
}

/* ---- anon_vma_prepare ---- */

/* 2.6.34 on: borrow the anon_vma of a compatible neighbour that was never
 * forked (reusable_anon_vma), else a new root. */
int pol_prepare_from_unforked_neighbour(struct av_world *w, struct av_vma *vma);

/* ---- fork ---- */

/* 2.6.34 to 3.18: every fork gives the child VMA a new anon_vma below the
 * parent VMA's, and links it to all of the parent's (anon_vma_fork). */
int pol_fork_new_child(struct av_world *w, struct av_vma *child, struct av_vma *parent);
/* 3.19 on: the same, unless reuse accepts an anon_vma of the parent's
 * chain (oldest first) for the child. */
int pol_fork_reusing(struct av_world *w, struct av_vma *child, struct av_vma *parent,
		     av_reuse_fn reuse);

/* ---- merging (is_mergeable_anon_vma) ---- */

/* Before 3.0: either side without an anon_vma, or the same one. */
bool pol_merge_null_or_same(const struct av_vma *tgt, const struct av_vma *src,
			    const struct anon_vma *src_anon, const struct av_vma *copied_from);
/* 3.0 to 6.15 (965f55dea0e3): a side without an anon_vma merges only
 * into a neighbour whose chain holds exactly one AVC; else the same
 * anon_vma.  So a faulted range never joins an unfaulted neighbour. */
bool pol_merge_singular_neighbour(const struct av_vma *tgt, const struct av_vma *src,
				  const struct anon_vma *src_anon,
				  const struct av_vma *copied_from);
/* 6.16 on (879bca0a2c4f): a neighbour without an anon_vma may take a
 * faulted range unless that range is a fork child's; a faulted neighbour
 * takes an unfaulted range unless it is a fork child; else the same. */
bool pol_merge_unless_fork_child(const struct av_vma *tgt, const struct av_vma *src,
				 const struct anon_vma *src_anon,
				 const struct av_vma *copied_from);

/* ---- copy-on-write and swap-in ---- */

/* Before 5.9 (reuse_swap_page): reuse a page mapped at most once, counting
 * a swap-cache page's swap entries; the swap copy is then dropped. */
bool pol_wp_reuse_by_mapcount(struct av_world *w, uint64_t pfn);
bool pol_swapin_exclusive_by_mapcount(struct av_world *w, uint64_t pfn, uint64_t slot,
				      bool pte_exclusive, bool write);
/* 5.9 on (wp_can_reuse_anon_folio): reuse only with the only reference;
 * 5.19 on, swap entries carry the exclusive bit. */
bool pol_wp_reuse_by_refcount(struct av_world *w, uint64_t pfn);
bool pol_swapin_exclusive_by_refcount(struct av_world *w, uint64_t pfn, uint64_t slot,
				      bool pte_exclusive, bool write);

#endif
