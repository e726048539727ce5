/* SPDX-License-Identifier: MIT */
/*
 * pgtable.c - 4-level page tables: 512 entries a level, 4 KiB pages, 48-bit
 * virtual addresses (PGD, PUD, PMD, PTE as on x86-64).
 *
 * Each table counts its non-empty entries, so that empty tables can be freed
 * after an unmap.  A file's page cache is the same radix tree, keyed by
 * page index instead of address (av_radix_*).  Tables are model bookkeeping: the kernel frees them by
 * floor/ceiling rules, and the difference is invisible to every counter a
 * scenario compares.
 */
#include <errno.h>
#include <string.h>
#include "vm.h"

static unsigned pt_index(uint64_t addr, int level)
{
	return (unsigned)(addr >> (PAGE_SHIFT + 9 * (PT_LEVELS - 1 - level))) & (PT_ENTRIES - 1);
}

/* Bytes of address space one entry at this level covers. */
static uint64_t pt_span(int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * (PT_LEVELS - 1 - level));
}

static struct av_pt *pt_new(struct av_world *w, enum av_obj_kind kind)
{
	struct av_pt *t = av_alloc(w, sizeof(*t), kind);

	if (t)
		memset(t, 0, sizeof(*t));
	return t;
}

av_pte *av_radix_lookup(const struct av_pt *root, uint64_t addr)
{
	const struct av_pt *t = root;

	for (int level = 0; t && level < PT_LEVELS - 1; level++)
		t = t->e.dir[pt_index(addr, level)];
	return t ? (av_pte *)&t->e.pte[pt_index(addr, PT_LEVELS - 1)] : NULL;
}

int av_radix_alloc(struct av_world *w, struct av_pt **root, enum av_obj_kind kind,
		   uint64_t addr, av_pte **out)
{
	struct av_pt *t;

	if (!*root && !(*root = pt_new(w, kind)))
		return -ENOMEM;
	t = *root;
	for (int level = 0; level < PT_LEVELS - 1; level++) {
		struct av_pt **slot = &t->e.dir[pt_index(addr, level)];
		if (!*slot) {
			if (!(*slot = pt_new(w, kind)))
				return -ENOMEM;
			t->used++;
		}
		t = *slot;
	}
	*out = &t->e.pte[pt_index(addr, PT_LEVELS - 1)];
	return 0;
}

void av_radix_set(uint64_t addr, av_pte *slot, av_pte val)
{
	/* The leaf table starts where entry 0 is: the union is its first member. */
	struct av_pt *t = (struct av_pt *)(void *)(slot - pt_index(addr, PT_LEVELS - 1));

	if (!*slot && val)
		t->used++;
	else if (*slot && !val)
		t->used--;
	*slot = val;
}

av_pte *av_pte_lookup(const struct av_mm *mm, uint64_t addr)
{
	return av_radix_lookup(mm->pgd, addr);
}

int av_pte_alloc(struct av_world *w, struct av_mm *mm, uint64_t addr, av_pte **out)
{
	av_touch_mm(mm);
	return av_radix_alloc(w, &mm->pgd, AV_OBJ_PGTABLE, addr, out);
}

/* For av_check_incremental: the frame or swap slot a PTE names. */
static void touch_entry(struct av_world *w, av_pte pte)
{
	if (pte_is_swap(pte))
		av_touch_slot(w, pte_val(pte));
	else if (pte_present(pte))
		av_touch_page(w, pte_val(pte));
}

void av_pte_set(struct av_mm *mm, uint64_t addr, av_pte *slot, av_pte val)
{
	av_touch_mm(mm);
	touch_entry(mm->w, *slot);
	touch_entry(mm->w, val);
	av_radix_set(addr, slot, val);
}

static int range_level(struct av_mm *mm, struct av_pt *t, int level, uint64_t base,
		       uint64_t start, uint64_t end, av_pte_fn fn, void *arg)
{
	uint64_t span = pt_span(level);

	for (unsigned i = pt_index(start > base ? start : base, level); i < PT_ENTRIES; i++) {
		uint64_t lo = base + i * span;
		int err;

		if (lo >= end)
			break;
		if (level == PT_LEVELS - 1) {
			if (t->e.pte[i] && (err = fn(mm, lo, &t->e.pte[i], arg)))
				return err;
		} else if (t->e.dir[i]) {
			err = range_level(mm, t->e.dir[i], level + 1, lo, start, end, fn, arg);
			if (err)
				return err;
		}
	}
	return 0;
}

int av_radix_range(struct av_pt *root, uint64_t start, uint64_t end, av_pte_fn fn, void *arg)
{
	if (!root || start >= end)
		return 0;
	return range_level(NULL, root, 0, 0, start, end, fn, arg);
}

int av_pte_range(struct av_mm *mm, uint64_t start, uint64_t end, av_pte_fn fn, void *arg)
{
	if (!mm->pgd || start >= end)
		return 0;
	return range_level(mm, mm->pgd, 0, 0, start, end, fn, arg);
}

/* Free empty tables below t in [start, end); returns whether t is empty. */
static bool free_level(struct av_world *w, struct av_pt *t, int level, uint64_t base,
		       uint64_t start, uint64_t end, enum av_obj_kind kind)
{
	uint64_t span = pt_span(level);

	if (level == PT_LEVELS - 1)
		return t->used == 0;
	for (unsigned i = pt_index(start > base ? start : base, level); i < PT_ENTRIES; i++) {
		uint64_t lo = base + i * span;

		if (lo >= end)
			break;
		if (t->e.dir[i] && free_level(w, t->e.dir[i], level + 1, lo, start, end, kind)) {
			av_free(w, t->e.dir[i], sizeof(struct av_pt), kind);
			t->e.dir[i] = NULL;
			t->used--;
		}
	}
	return t->used == 0;
}

void av_pt_free_empty(struct av_world *w, struct av_mm *mm, uint64_t start, uint64_t end)
{
	av_touch_mm(mm);
	if (mm->pgd && start < end)
		free_level(w, mm->pgd, 0, 0, start, end, AV_OBJ_PGTABLE);
}

void av_radix_free(struct av_world *w, struct av_pt **root, enum av_obj_kind kind)
{
	if (!*root)
		return;
	free_level(w, *root, 0, 0, 0, AV_TASK_SIZE, kind);
	av_free(w, *root, sizeof(struct av_pt), kind);
	*root = NULL;
}

void av_pt_free_all(struct av_world *w, struct av_mm *mm)
{
	av_radix_free(w, &mm->pgd, AV_OBJ_PGTABLE);
}
