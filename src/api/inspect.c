/* SPDX-License-Identifier: MIT */
/*
 * inspect.c - read-only views: statistics and object listings.
 */
#include <errno.h>
#include <string.h>
#include "../mm/vm.h"
#include "../mm/rmap.h"

struct scan {
	const struct av_world *w;
	struct av_stats *s;
	uint8_t *seen;   /* by pfn: counted in anon_pages already */
};

static int scan_pte(struct av_mm *mm, uint64_t addr, av_pte *pte, void *arg)
{
	struct scan *sc = arg;
	uint64_t pfn = pte_val(*pte);

	(void)mm;
	(void)addr;
	if (pte_is_swap(*pte)) {
		sc->s->swap_ptes++;
	} else if (pte_present(*pte) && pfn == ZERO_PFN) {
		sc->s->zero_ptes++;
	} else if (pte_present(*pte) && page_is_file(pfn_page(sc->w, pfn))) {
		sc->s->file_ptes++;
	} else if (pte_present(*pte)) {
		sc->s->anon_ptes++;
		if (sc->seen && !sc->seen[pfn]) {
			sc->seen[pfn] = 1;
			sc->s->anon_pages++;
		}
	}
	return 0;
}

void av_stats_read_counters(const struct av_world *w, struct av_stats *s)
{
	av_stats_snapshot(w, s);
}

void av_stats_read(const struct av_world *w, struct av_stats *s)
{
	struct av_world *mw = (struct av_world *)w;  /* scratch allocation only */
	size_t n = w->frames.nr_total;
	struct scan sc = { w, s, av_alloc(mw, n, AV_OBJ_OTHER) };

	av_stats_snapshot(w, s);
	if (sc.seen)
		memset(sc.seen, 0, n);
	for (const struct cds_list_head *p = w->mms.next; p != &w->mms; p = p->next) {
		struct av_mm *mm = cds_list_entry(p, struct av_mm, node);
		s->procs++;
		s->vmas += mm->nr_vmas;
		av_pte_range(mm, 0, AV_TASK_SIZE, scan_pte, &sc);
	}
	if (sc.seen) {
		av_free(mw, sc.seen, n, AV_OBJ_OTHER);
		/* The scratch array is not part of the world. */
		s->obj[AV_OBJ_OTHER].allocated--;
		s->obj[AV_OBJ_OTHER].live--;
	} else {
		/* Without scratch memory, distinct pages are counted from the
		 * frames side: every used frame with a mapping. */
		for (uint64_t pfn = 1; pfn < n; pfn++)
			s->anon_pages += pfn_page(w, pfn)->mapcount > 0;
	}
}

int av_proc_foreach(const struct av_world *w, av_proc_fn fn, void *arg)
{
	for (const struct cds_list_head *p = w->mms.next; p != &w->mms; p = p->next) {
		const struct av_mm *mm = cds_list_entry(p, struct av_mm, node);
		int r = fn(mm->pid, mm->parent_pid, arg);
		if (r)
			return r;
	}
	return 0;
}

#define CHAIN_INLINE 64

int av_vma_foreach(const struct av_world *w, int pid, av_vma_fn fn, void *arg)
{
	struct av_mm *mm = av_mm_lookup((struct av_world *)w, pid);

	if (!mm)
		return -ESRCH;
	for (struct av_vma *v = av_vma_first(mm); v; v = av_vma_next(v)) {
		size_t len = av_list_count(&v->anon_vma_chain), i = 0;
		uint64_t inline_ids[CHAIN_INLINE], *ids = inline_ids;
		struct av_vma_info info;
		int r;

		if (len > CHAIN_INLINE &&
		    !(ids = av_alloc((struct av_world *)w, len * sizeof(*ids), AV_OBJ_OTHER)))
			return -ENOMEM;
		for (struct cds_list_head *p = v->anon_vma_chain.next; p != &v->anon_vma_chain; p = p->next)
			ids[i++] = cds_list_entry(p, struct anon_vma_chain, same_vma)->anon_vma->id;
		info = (struct av_vma_info){
			.id = v->id, .start = v->start, .end = v->end, .pgoff = v->pgoff,
			.prot = vm_flags_to_prot(v->flags),
			.shared = !!(v->flags & VM_SHARED),
			.file = v->file ? v->file->id : 0,
			/* vma_is_initial_heap */
			.heap = v->start < mm->brk && v->end > mm->start_brk,
			.noreserve = !!(v->flags & VM_NORESERVE),
			.nohugepage = !!(v->flags & VM_NOHUGEPAGE),
			.growsdown = !!(v->flags & VM_GROWSDOWN),
			.dontfork = !!(v->flags & VM_DONTCOPY),
			.wipeonfork = !!(v->flags & VM_WIPEONFORK),
			.anon_vma = v->anon_vma ? v->anon_vma->id : 0,
			.chain_len = len, .chain = ids };
		r = fn(&info, arg);
		if (ids != inline_ids)
			av_free((struct av_world *)w, ids, len * sizeof(*ids), AV_OBJ_OTHER);
		if (r)
			return r;
	}
	return 0;
}

av_pid av_task_process(const av_world *w, av_pid pid)
{
	struct av_mm *mm = av_mm_lookup((struct av_world *)w, pid);

	return mm ? mm->pid : -ESRCH;
}

int av_anon_vma_foreach(const struct av_world *w, av_anon_vma_fn fn, void *arg)
{
	for (const struct cds_list_head *p = w->anon_vmas.next; p != &w->anon_vmas; p = p->next) {
		const struct anon_vma *av = cds_list_entry(p, struct anon_vma, node);
		struct av_anon_vma_info info = { av->id, av->root->id, av->parent->id,
						 av->refcount, av->num_children,
						 av->num_active_vmas,
						 av_anon_vma_nr_avcs(w, av) };
		int r = fn(&info, arg);
		if (r)
			return r;
	}
	return 0;
}

int av_page_lookup(const struct av_world *w, int pid, uint64_t addr, struct av_page_info *out)
{
	struct av_mm *mm = av_mm_lookup((struct av_world *)w, pid);
	av_pte *ptep, pte;

	if (!mm)
		return -ESRCH;
	memset(out, 0, sizeof(*out));
	ptep = av_pte_lookup(mm, addr & ~(PAGE_SIZE - 1));
	pte = ptep ? *ptep : 0;
	if (!pte)
		return 0;
	if (pte_is_swap(pte)) {
		out->kind = AV_PTE_SWAP;
		out->swap_slot = pte_val(pte);
		out->swap_exclusive = (pte & PTE_SWP_EXCL) != 0;
		return 0;
	}
	out->pfn = pte_val(pte);
	out->writable = (pte & PTE_WRITE) != 0;
	out->young = (pte & PTE_YOUNG) != 0;
	if (out->pfn == ZERO_PFN) {
		out->kind = AV_PTE_ZERO;
		return 0;
	}
	const struct av_page *pg = pfn_page(w, out->pfn);
	out->kind = (pg->flags & PG_FILE) ? AV_PTE_FILE : AV_PTE_ANON;
	out->file = pg->file ? pg->file->id : 0;
	out->anon_vma = pg->mapping ? pg->mapping->id : 0;
	out->index = pg->index;
	out->mapcount = pg->mapcount;
	out->refcount = pg->refcount;
	out->exclusive = (pg->flags & PG_EXCLUSIVE) != 0;
	return 0;
}

/* Linux 6.18, x86-64: the vm_area_struct slab's objects, and struct page.
 * The anon_vma and AVC figures are the linux-6.18 policy's, which the
 * benchmarks' memory figures use too. */
#define KERNEL_VMA_BYTES  192
#define KERNEL_PAGE_BYTES 64

size_t av_object_sizes(struct av_object_size *out, size_t n)
{
	struct av_policy_info k = { .name = NULL };

	(void)av_policy_describe("linux-6.18", &k);   /* the default: always there */
	const struct av_object_size sizes[] = {
		{ "anon_vma", "anon_vma", "anon_vma", sizeof(struct anon_vma),
		  k.kernel_anon_vma_bytes },
		{ "anon_vma_chain", "anon_vma_chain", "anon_vma_chain",
		  sizeof(struct anon_vma_chain), k.kernel_avc_bytes },
		{ "vma", "vm_area_struct", "vm_area_struct", sizeof(struct av_vma),
		  KERNEL_VMA_BYTES },
		{ "page", "page", NULL, sizeof(struct av_page), KERNEL_PAGE_BYTES },
	};
	size_t nr = sizeof(sizes) / sizeof(sizes[0]);

	for (size_t i = 0; i < nr && i < n; i++)
		out[i] = sizes[i];
	return nr;
}
