/* SPDX-License-Identifier: MIT */
/*
 * file.c - files that mappings can be of, and their page caches.
 *
 * A page in the cache is a frame with PG_FILE and page->file set; the cache
 * holds one reference, each PTE mapping it another (and a mapcount).  The
 * anon rmap never sees these pages: their mapping (anon_vma) is NULL, and
 * walks and reclaim pass them by.  A page comes into the cache when a fault
 * needs it (read in, in the kernel; a fresh frame here) and stays until the
 * file goes, so that a later read fault finds it there and maps it with its
 * neighbours (fault-around, fault.c), as Linux does with a file that memory
 * pressure has not shrunk.
 *
 * Locking: file->lock guards the cache; it is a leaf lock, taken under the
 * page-table lock or none (rmap.h).  refs is atomic: VMAs come and go under
 * different mms' locks.
 */
#include <errno.h>
#include <string.h>
#include "vm.h"

int av_file_new(struct av_world *w, uint64_t size, bool anon, struct av_file **out)
{
	struct av_file *f = av_alloc(w, sizeof(*f), AV_OBJ_OTHER);

	if (!f)
		return av_fail(w, -ENOMEM, "file_create", "cannot allocate a file");
	memset(f, 0, sizeof(*f));
	if (av_mutex_init(&f->lock)) {
		av_free(w, f, sizeof(*f), AV_OBJ_OTHER);
		return av_fail(w, -ENOMEM, "file_create", "cannot initialise a file's lock");
	}
	f->size = size;
	f->anon = anon;
	f->refs = 1;
	av_touch_anon_side(w);  /* a file's users are checked with the chains */
	av_mutex_lock(&w->lock);
	if (!anon)
		f->id = ++w->next_file_id;
	cds_list_add_tail(&f->node, &w->files);
	av_mutex_unlock(&w->lock);
	*out = f;
	return 0;
}

/* A named file by id, with a reference (w->lock taken here), or NULL.
 * A file whose last reference is going is not found. */
struct av_file *av_file_find(struct av_world *w, int id)
{
	struct av_file *found = NULL;

	av_mutex_lock(&w->lock);
	for (struct cds_list_head *p = w->files.next; p != &w->files; p = p->next) {
		struct av_file *f = cds_list_entry(p, struct av_file, node);
		if (f->id == id && id > 0 && av_inc_not_zero_l(&f->refs)) {
			found = f;
			break;
		}
	}
	av_mutex_unlock(&w->lock);
	if (found)
		av_touch_anon_side(w);
	return found;
}

void av_file_get(struct av_file *f)
{
	av_atomic_inc(&f->refs);
}

static int drop_cached(struct av_mm *mm, uint64_t key, av_pte *slot, void *arg)
{
	struct av_world *w = arg;
	uint64_t pfn = pte_val(*slot);

	(void)mm;
	av_radix_set(key, slot, 0);
	av_page_put(w, pfn);
	return 0;
}

void av_file_put(struct av_world *w, struct av_file *f)
{
	av_touch_anon_side(w);
	if (av_atomic_dec(&f->refs))
		return;
	av_mutex_lock(&w->lock);
	cds_list_del(&f->node);
	av_mutex_unlock(&w->lock);
	/* Nothing maps it any more: every cached page has only the cache's
	 * reference left. */
	av_radix_range(f->cache, 0, AV_TASK_SIZE, drop_cached, w);
	av_radix_free(w, &f->cache, AV_OBJ_OTHER);
	av_mutex_destroy(&f->lock);
	av_free(w, f, sizeof(*f), AV_OBJ_OTHER);
}

uint64_t av_file_cached(struct av_file *f, uint64_t index)
{
	av_pte *slot = av_radix_lookup(f->cache, index << PAGE_SHIFT);

	return slot && *slot ? pte_val(*slot) : 0;
}

int av_file_page(struct av_world *w, struct av_file *f, uint64_t index, uint64_t *pfn)
{
	av_pte *slot;
	int err;

	av_mutex_lock(&f->lock);
	if ((*pfn = av_file_cached(f, index))) {
		av_mutex_unlock(&f->lock);
		return 0;
	}
	err = av_radix_alloc(w, &f->cache, AV_OBJ_OTHER, index << PAGE_SHIFT, &slot);
	if (!err && (err = av_page_alloc(w, pfn)) == 0) {
		struct av_page *pg = pfn_page(w, *pfn);
		pg->file = f;
		pg->index = index;
		page_set(pg, PG_FILE);
		av_radix_set(index << PAGE_SHIFT, slot, pte_mk(*pfn, PTE_PRESENT));
		f->nr_pages++;
	}
	av_mutex_unlock(&f->lock);
	return err ? av_fail(w, -ENOMEM, "fault", "cannot read a page of a file in") : 0;
}
