/* SPDX-License-Identifier: MIT */
/*
 * policy.h - the interface between the model and a design of the anonymous
 * reverse map.
 *
 * The model (src/mm) keeps processes, VMAs, page tables, pages, swap, the
 * anon_vma and anon_vma_chain (AVC) objects, locking and the rmap walk.
 * A design decides what they are linked to and when: which anon_vma a VMA
 * gets at its first fault, what a child VMA is linked to at fork, which
 * merges are allowed, when a write reuses a page once shared.  Each design
 * is one file in src/policy/ that fills a struct av_policy, and one line in
 * src/policy/table.h; docs/writing-a-policy.md builds one step by step.
 * The model never tests a policy's name.
 *
 * Building blocks a design's hooks may call are at the end of rmap.h
 * ("for policies").  Whatever a design does, av_check() must hold after
 * every operation: every page's anon_vma is on the chain of every VMA that
 * maps it, chains run from the newest anon_vma to their tree's root, and
 * the counters (refcount, num_children, num_active_vmas) agree with the
 * links.  A hook may fail only with -ENOMEM (from a building block), and
 * must then leave everything as it found it.
 */
#ifndef AV_MM_POLICY_H
#define AV_MM_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "vm.h"

struct av_world;
struct av_vma;
struct anon_vma;

struct av_policy {
	const char *name;
	/* One line: what the design is. */
	const char *summary;

	/* ---- what the objects are ---- */

	/* The AVC set of an anon_vma: an interval tree keyed by each linked
	 * VMA's pgoff range, which a walk searches for the page's index
	 * (3.7 on), or a list that a walk visits whole. */
	bool avc_interval_tree;
	/* Every anon_vma takes its own lock, not its tree root's (2.6.34,
	 * before the root lock): walks and VMA changes in one tree do not
	 * exclude each other - the race `anonvma stress` shows. */
	bool own_locks;
	/* PageAnonExclusive on anonymous pages and swap entries (5.19). */
	bool anon_exclusive;
	/* mprotect to read-only drops VM_ACCOUNT from a private VMA that has
	 * no anon_vma yet (6.7). */
	bool mprotect_drops_account;
	/* A VMA may be linked to anon_vmas (a non-empty chain) without one
	 * of its own (vma->anon_vma NULL) until it needs one; av_check
	 * accepts that only if this is set. */
	bool lazy_anon_vma;
	/* A page read back from swap goes to the root anon_vma even when it
	 * is exclusive to the faulting VMA (2.6.34 and 2.6.35). */
	bool swapin_always_root;
	/* The kernel's sizes of anon_vma and of the VMA-to-anon_vma link, in
	 * bytes (x86-64), for the benchmarks' memory figures; link 0 where it
	 * is a list node inside the VMA (2.6.33), not an object. */
	unsigned kernel_anon_vma_bytes, kernel_avc_bytes;
	/* The invariants the design is known to break (AV_INV_BIT()s; 0:
	 * none), and how it was known (NULL: none).  av_check still
	 * reports them; av_check_known_flaw() tells callers they are the
	 * design's, so that random tests, fuzzers and stress can tell them
	 * from a finding. */
	unsigned known_flaws;
	const char *known_flaw_text;

	/* ---- decisions ---- */

	/* vma has no anon_vma and its first fault needs one (a new page, a
	 * copy-on-write copy; with the zero page off, a read): link vma to
	 * one.  mmap_lock held for reading: other faults of the same mm may
	 * prepare at the same time.  av_anon_vma_prepare_borrowing() is the
	 * kernel's way. */
	int (*prepare)(struct av_world *w, struct av_vma *vma);
	/* fork: child is a new copy of parent's range and flags with an
	 * empty chain and no anon_vma, and parent's chain is not empty.
	 * Link child so that every page parent maps stays reachable from
	 * child.  Both mmap_locks held for writing. */
	int (*fork)(struct av_world *w, struct av_vma *child, struct av_vma *parent);
	/* VMA merge: may tgt (the surviving or absorbing neighbour) take a
	 * range whose anon_vma is src_anon?  src is the existing VMA being
	 * merged (NULL for a new range); copied_from is the VMA a moved range
	 * comes from (mremap), else NULL.  A merge that leaves a page with an
	 * anon_vma the survivor is not linked to breaks av_check. */
	bool (*merge_anon_ok)(const struct av_vma *tgt, const struct av_vma *src,
			      const struct anon_vma *src_anon,
			      const struct av_vma *copied_from);
	/* Write fault on a present, non-exclusive anonymous page, PTL held:
	 * may the faulting process reuse it in place?  If so the page is
	 * returned locked (the model moves it to the faulting VMA's
	 * anon_vma, if it has one).  May free the page's swap slot, as the
	 * kernel does. */
	bool (*wp_can_reuse)(struct av_world *w, uint64_t pfn);
	/* Swap-in, swap_lock held: the faulting PTE's reference on pfn is
	 * taken and its swap entry released; is the page exclusive to this VMA
	 * (mapped writable, anon-exclusive)?  May drop it from the swap cache. */
	bool (*swapin_exclusive)(struct av_world *w, uint64_t pfn, uint64_t slot,
				 bool pte_exclusive, bool write);
};

#endif
