/* SPDX-License-Identifier: MIT */
/*
 * policy.h - everything that differs between the modelled kernels.
 *
 * The rest of the library asks the world's policy; it never tests a policy's
 * name.  docs/policies.md explains each entry and where it comes from.
 */
#ifndef AV_POLICY_H
#define AV_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct av_world;
struct av_vma;
struct anon_vma;

struct av_policy {
	const char *name;
	const char *summary;
	/* AVC set of an anon_vma: interval tree keyed by the VMA's pgoff
	 * range (3.7+), or a plain list that walks visit whole (2.6.35). */
	bool avc_interval_tree;
	/* anon_vma_clone at fork may reuse an anon_vma that has no active
	 * VMA and fewer than two children (4.0, fixed 2022). */
	bool fork_reuse;
	/* PageAnonExclusive bit on anonymous pages and swap entries (5.19). */
	bool anon_exclusive;
	/* mprotect to read-only drops VM_ACCOUNT from a private VMA that has
	 * no anon_vma yet. */
	bool mprotect_drops_account;
	/* A page fresh from swap always goes to the root anon_vma (2.6.35);
	 * else only when it is not exclusive to the faulting VMA. */
	bool swapin_always_root;

	/* Root of a new anon_vma made at fork for child VMA vma (whose chain
	 * already holds clones of pvma's AVCs). */
	struct anon_vma *(*fork_root)(const struct av_vma *vma, const struct av_vma *pvma);
	/* VMA merge: may tgt (the surviving or absorbing neighbour) take a
	 * range whose anon_vma is src_anon?  src is the existing VMA being
	 * merged (NULL for a new range); copied_from is the VMA a moved range
	 * comes from (mremap), else NULL. */
	bool (*merge_anon_ok)(const struct av_vma *tgt, const struct av_vma *src,
			      const struct anon_vma *src_anon,
			      const struct av_vma *copied_from);
	/* Write fault on a present, non-exclusive anonymous page, PTL held:
	 * may the faulting process reuse it in place (and move it to its
	 * anon_vma)?  If so the page is returned locked.  May free the page's
	 * swap slot as the kernel does. */
	bool (*wp_can_reuse)(struct av_world *w, uint64_t pfn);
	/* Swap-in, swap_lock held: the faulting PTE's reference on pfn is
	 * taken and its swap entry released; is the page exclusive to this VMA
	 * (mapped writable, anon-exclusive)?  May drop it from the swap cache. */
	bool (*swapin_exclusive)(struct av_world *w, uint64_t pfn, uint64_t slot,
				 bool pte_exclusive, bool write);
};


#endif
