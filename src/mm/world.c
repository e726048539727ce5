/* SPDX-License-Identifier: MIT */
/*
 * world.c - a world's allocator, errors, counters and teardown (making one,
 * which picks its policy, is the API's: src/api/world.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "vm.h"
#include "rmap.h"
#include "policy.h"

void *av_alloc(struct av_world *w, size_t size, enum av_obj_kind kind)
{
	void *p = w->alloc.alloc(w->alloc.ctx, size, kind);

	if (p)
		av_count_alloc(w, kind);
	return p;
}

void av_free(struct av_world *w, void *p, size_t size, enum av_obj_kind kind)
{
	w->alloc.free(w->alloc.ctx, p, size, kind);
	av_count_free(w, kind);
}

/* The last error is per thread: threads share a world, not their errors. */
static _Thread_local char last_error[256];
static _Thread_local enum av_invariant last_invariant;

int av_fail(struct av_world *w, int err, const char *func, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(last_error, sizeof(last_error), "%s: ", func);

	(void)w;
	last_invariant = AV_INV_NONE;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(last_error))
		vsnprintf(last_error + n, sizeof(last_error) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

void av_world_destroy(av_world *w)
{
	struct av_allocator a;

	if (!w)
		return;
	while (!cds_list_empty(&w->mms))
		av_mm_exit(w, cds_list_entry(w->mms.next, struct av_mm, node));
	/* Only named files are left, each with its name's reference. */
	while (!cds_list_empty(&w->files))
		av_file_put(w, cds_list_entry(w->files.next, struct av_file, node));
	av_anon_vma_reclaim(w, AV_RECLAIM_QUIET);  /* no call in progress */
	av_anon_vma_cache_free(w);
	av_check_mem_free(w);
	if (w->mm_by_pid) {
		av_free(w, w->mm_by_pid, w->pid_cap * sizeof(*w->mm_by_pid), AV_OBJ_OTHER);
		av_free(w, w->tgid_by_pid, w->pid_cap * sizeof(*w->tgid_by_pid), AV_OBJ_OTHER);
	}
	av_pool_destroy(w, &w->swap);
	av_pool_destroy(w, &w->frames);
	av_mutex_destroy(&w->frame_lock);
	av_mutex_destroy(&w->swap_lock);
	av_mutex_destroy(&w->lock);
	a = w->alloc;
	a.free(a.ctx, w, sizeof(*w), AV_OBJ_OTHER);
}

void av_fail_invariant(enum av_invariant inv) { last_invariant = inv; }

const char *av_world_error(const av_world *w) { return w ? last_error : "no world"; }

int av_check_known_flaw(const av_world *w)
{
	return w && last_invariant != AV_INV_NONE &&
	       (w->policy->known_flaws & AV_INV_BIT(last_invariant));
}
const char *av_world_policy(const av_world *w) { return w->policy->name; }
int av_world_zero_page(const av_world *w) { return w->zero_page; }
unsigned av_world_fault_around(const av_world *w) { return w->fault_around_pages; }

/* For views of a quiet world only: no reference taken. */
struct av_mm *av_mm_lookup(struct av_world *w, int pid)
{
	if (pid <= 0 || (size_t)pid >= w->pid_cap)
		return NULL;
	return w->mm_by_pid[pid];
}

uint64_t av_nr_frames(const av_world *w)
{
	return av_load(&w->frames.nr_total);
}

/* The counters, word by word: other threads may be adding to them. */
void av_stats_snapshot(const struct av_world *w, struct av_stats *s)
{
	const uint64_t *from = (const uint64_t *)(const void *)&w->st;
	uint64_t *to = (uint64_t *)(void *)s;

	_Static_assert(sizeof(struct av_stats) % sizeof(uint64_t) == 0,
		       "struct av_stats holds only uint64_t");
	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

const char *av_obj_kind_name(enum av_obj_kind k)
{
	static const char *const names[AV_OBJ_NR] = {
		"anon_vma", "avc", "vma", "mm", "pgtable", "page", "swap", "other",
	};
	return (unsigned)k < AV_OBJ_NR ? names[k] : "?";
}
