/* SPDX-License-Identifier: MIT */
/*
 * merge.c - VMA merging, the one place that decides it.
 *
 * Two VMAs side by side become one when their flags are equal, they map
 * the same file (or none), their page offsets are contiguous and their
 * anon_vmas are compatible (the policy's merge_anon_ok).  Three callers:
 *  - a new range (mmap, mremap growing in place, mremap moving: copy_vma)
 *    may extend the VMA before it, the one after it, or join both;
 *  - an existing range whose flags change (mprotect) may be absorbed by a
 *    neighbour, whole or in part; otherwise the VMA is split around it.
 * When the surviving VMA has no anon_vma and a merged one does, the
 * survivor first takes it and its chain (dup_anon_vma), so every page stays
 * reachable by the rmap.  Merged-away VMAs keep their pages: the PTEs do not
 * move, they just belong to the survivor now.
 */
#include <errno.h>
#include "vm.h"
#include "rmap.h"
#include "policy.h"

static bool fits(unsigned a_flags, const struct av_file *a_file, uint64_t a_start,
		 uint64_t a_end, uint64_t a_pgoff, unsigned b_flags,
		 const struct av_file *b_file, uint64_t b_start, uint64_t b_pgoff)
{
	return a_end == b_start && a_flags == b_flags && a_file == b_file &&
	       a_pgoff + ((a_end - a_start) >> PAGE_SHIFT) == b_pgoff;
}

bool av_vma_fits_before(const struct av_vma *a, unsigned b_flags, const struct av_file *b_file,
			uint64_t b_start, uint64_t b_pgoff)
{
	return fits(a->flags, a->file, a->start, a->end, a->pgoff, b_flags, b_file, b_start,
		    b_pgoff);
}

bool av_vma_fits_after(const struct av_vma *b, unsigned a_flags, const struct av_file *a_file,
		       uint64_t a_start, uint64_t a_end, uint64_t a_pgoff)
{
	return fits(a_flags, a_file, a_start, a_end, a_pgoff, b->flags, b->file, b->start,
		    b->pgoff);
}

/* The VMA ending exactly at addr, and the one starting exactly at end. */
static struct av_vma *adjacent_prev(const struct av_mm *mm, uint64_t addr)
{
	struct av_vma *v = addr ? av_vma_find(mm, addr - 1) : NULL;

	return v && v->end == addr ? v : NULL;
}

static struct av_vma *adjacent_next(const struct av_mm *mm, uint64_t end)
{
	struct av_vma *v = av_vma_find(mm, end);

	return v && v->start == end ? v : NULL;
}

/* prev and next of a three-way merge: next's pages must stay reachable
 * from prev.  A VMA linked without an anon_vma of its own (lazy) needs the
 * same links on the other side. */
static bool anon_vmas_compatible(const struct av_vma *a, const struct av_vma *b)
{
	if ((!a->anon_vma && av_vma_has_chain(a)) || (!b->anon_vma && av_vma_has_chain(b)))
		return a->anon_vma == b->anon_vma && av_vma_same_chain(a, b);
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/* A VMA swallowed by a merge: its pages now belong to the survivor. */
static void merge_remove(struct av_world *w, struct av_vma *v)
{
	av_unlink_anon_vmas(w, v);
	av_vma_erase(v->mm, v);
	av_vma_free(w, v);
}

int av_vma_merge_new_range(struct av_world *w, struct av_mm *mm, uint64_t start,
			   uint64_t end, unsigned flags, struct av_file *file, uint64_t pgoff,
			   struct anon_vma *anon, struct av_vma *copied_from,
			   struct av_vma **out)
{
	const struct av_policy *pol = w->policy;
	struct av_vma *prev = adjacent_prev(mm, start), *next = adjacent_next(mm, end);
	bool left, right;
	struct av_vma *target;
	int err = 0;

	*out = NULL;
	left = prev && av_vma_fits_before(prev, flags, file, start, pgoff) &&
	       pol->merge_anon_ok(prev, NULL, anon, copied_from);
	right = next && av_vma_fits_after(next, flags, file, start, end, pgoff) &&
		pol->merge_anon_ok(next, NULL, anon, copied_from);
	if (left && right && !anon_vmas_compatible(prev, next))
		right = false;
	if (!left && !right)
		return 0;

	target = left ? prev : next;
	if (left && right)
		err = av_dup_anon_vma(w, prev, next);
	if (!err && copied_from)
		err = av_dup_anon_vma(w, target, copied_from);
	if (err)
		return err;
	if (left)
		av_vma_set_range(w, prev, prev->start, right ? next->end : end, prev->pgoff);
	else
		av_vma_set_range(w, next, start, next->end, pgoff);
	if (left && right)
		merge_remove(w, next);
	*out = target;
	return 0;
}

/* mprotect of [start, end) inside middle to newflags: merge with a
 * neighbour if possible (vma_merge_existing_range), else split. */
static int merge_existing(struct av_world *w, struct av_vma *mid, uint64_t start,
			  uint64_t end, unsigned newflags, struct av_vma **out)
{
	const struct av_policy *pol = w->policy;
	struct av_mm *mm = mid->mm;
	struct av_vma *prev = start == mid->start ? adjacent_prev(mm, start) : NULL;
	struct av_vma *next = end == mid->end ? adjacent_next(mm, end) : NULL;
	uint64_t pgoff = vma_linear_index(mid, start);
	uint64_t pages = (end - start) >> PAGE_SHIFT;
	bool left, right;
	int err = 0;

	left = prev && av_vma_fits_before(prev, newflags, mid->file, start, pgoff) &&
	       pol->merge_anon_ok(prev, mid, mid->anon_vma, NULL);
	right = next && av_vma_fits_after(next, newflags, mid->file, start, end, pgoff) &&
		pol->merge_anon_ok(next, mid, mid->anon_vma, NULL);
	if (left && right && !anon_vmas_compatible(prev, next))
		right = false;
	*out = NULL;
	if (!left && !right)
		return 0;

	if (left && right) {
		/* prev absorbs mid and next. */
		err = av_dup_anon_vma(w, prev, next);
		if (!err)
			err = av_dup_anon_vma(w, prev, mid);
		if (err)
			return err;
		av_vma_set_range(w, prev, prev->start, next->end, prev->pgoff);
		merge_remove(w, mid);
		merge_remove(w, next);
		*out = prev;
	} else if (left) {
		if ((err = av_dup_anon_vma(w, prev, mid)))
			return err;
		av_vma_set_range(w, prev, prev->start, end, prev->pgoff);
		if (end == mid->end)
			merge_remove(w, mid);
		else
			av_vma_set_range(w, mid, end, mid->end, pgoff + pages);
		*out = prev;
	} else {
		if ((err = av_dup_anon_vma(w, next, mid)))
			return err;
		/* The survivor grows first: a walk between the two steps must
		 * find the moved range in one VMA or the other, never neither. */
		av_vma_set_range(w, next, start, next->end, pgoff);
		if (start == mid->start)
			merge_remove(w, mid);
		else
			av_vma_set_range(w, mid, mid->start, start, mid->pgoff);
		*out = next;
	}
	return 0;
}

int av_vma_modify_flags(struct av_world *w, struct av_vma *v, uint64_t start,
			uint64_t end, unsigned newflags, struct av_vma **out)
{
	struct av_vma *merged, *part;
	int err = merge_existing(w, v, start, end, newflags, &merged);

	if (err)
		return err;
	if (merged) {
		*out = merged;
		return 0;
	}
	/* No merge: cut the range out.  The lower part gets a new VMA, then
	 * the upper part; v itself becomes [start, end). */
	if (v->start < start && (err = av_split_vma(w, v, start, true, &part)))
		return err;
	if (v->end > end && (err = av_split_vma(w, v, end, false, &part)))
		return err;
	v->flags = newflags;
	*out = v;
	return 0;
}
