/* SPDX-License-Identifier: MIT */
/*
 * vma.c - VMA objects and the per-mm VMA tree (a red-black tree ordered by
 * start address: O(log n) lookup, like the kernel's maple tree).
 */
#include <errno.h>
#include <string.h>
#include "vm.h"
#include "rmap.h"

static struct av_vma *rb_vma(const struct av_rb_node *n)
{
	return n ? av_rb_entry(n, struct av_vma, rb) : NULL;
}

struct av_vma *av_vma_find(const struct av_mm *mm, uint64_t addr)
{
	struct av_vma *v = av_vma_first_after(mm, addr);

	return v && v->start <= addr ? v : NULL;
}

struct av_vma *av_vma_first_after(const struct av_mm *mm, uint64_t addr)
{
	const struct av_rb_node *n = mm->vma_tree.node;
	struct av_vma *best = NULL;

	while (n) {
		struct av_vma *v = rb_vma(n);
		if (v->end > addr) {
			best = v;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

struct av_vma *av_vma_next(const struct av_vma *v) { return rb_vma(av_rb_next(&v->rb)); }
struct av_vma *av_vma_prev(const struct av_vma *v) { return rb_vma(av_rb_prev(&v->rb)); }
struct av_vma *av_vma_first(const struct av_mm *mm) { return rb_vma(av_rb_first(&mm->vma_tree)); }

struct av_vma *av_vma_new(struct av_world *w, struct av_mm *mm, uint64_t start,
			  uint64_t end, uint64_t pgoff, unsigned flags, struct av_file *file)
{
	struct av_vma *v = av_alloc(w, sizeof(*v), AV_OBJ_VMA);

	if (!v)
		return NULL;
	memset(v, 0, sizeof(*v));
	v->start = start;
	v->end = end;
	v->pgoff = pgoff;
	v->flags = flags;
	if ((v->file = file))
		av_file_get(file);
	v->mm = mm;
	CDS_INIT_LIST_HEAD(&v->anon_vma_chain);
	v->id = av_atomic_add(&w->next_vma_id, 1);
	return v;
}

struct av_vma *av_vma_dup(struct av_world *w, const struct av_vma *v)
{
	struct av_vma *n = av_vma_new(w, v->mm, v->start, v->end, v->pgoff, v->flags, v->file);

	if (n)
		n->anon_vma = v->anon_vma;
	return n;
}

void av_vma_insert(struct av_mm *mm, struct av_vma *v)
{
	struct av_rb_node **link = &mm->vma_tree.node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = v->start < rb_vma(parent)->start ? &parent->left : &parent->right;
	}
	av_rb_insert(&mm->vma_tree, &v->rb, parent, link, NULL);
	mm->nr_vmas++;
}

void av_vma_erase(struct av_mm *mm, struct av_vma *v)
{
	av_rb_erase(&mm->vma_tree, &v->rb, NULL);
	mm->nr_vmas--;
}

void av_vma_free(struct av_world *w, struct av_vma *v)
{
	if (v->file)
		av_file_put(w, v->file);
	av_free(w, v, sizeof(*v), AV_OBJ_VMA);
}

int vm_flags_to_prot(unsigned flags)
{
	return ((flags & VM_READ) ? AV_PROT_READ : 0) | ((flags & VM_WRITE) ? AV_PROT_WRITE : 0) |
	       ((flags & VM_EXEC) ? AV_PROT_EXEC : 0);
}
