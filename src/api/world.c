/* SPDX-License-Identifier: MIT */
/*
 * world.c - making a world: its policy (by name, from src/policy), allocator,
 * frames, swap and limits.
 */
#include <errno.h>
#include <string.h>
#include "../mm/vm.h"
#include "../mm/rmap.h"
#include "../mm/policy.h"
#include "../policy/table.h"

#define DEFAULT_FRAMES (1ULL << 24)
#define DEFAULT_SWAP   (1ULL << 24)
#define DEFAULT_PROCS  (1ULL << 16)

int av_policy_describe(const char *name, struct av_policy_info *out)
{
	const struct av_policy *p = name ? av_policy_find(name) : NULL;

	if (!p || !out)
		return -EINVAL;
	*out = (struct av_policy_info){ p->name, p->summary, p->kernel_anon_vma_bytes,
					p->kernel_avc_bytes, p->own_locks, p->known_flaw_text };
	return 0;
}

void av_world_config_init(struct av_world_config *c)
{
	memset(c, 0, sizeof(*c));
	c->policy = "linux-6.18";
	c->zero_page = 1;
}

int av_world_create(const struct av_world_config *c, av_world **out)
{
	struct av_world_config def;
	const struct av_allocator *a;
	const struct av_policy *pol;
	struct av_world *w;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!c) {
		av_world_config_init(&def);
		c = &def;
	}
	pol = av_policy_find(c->policy ? c->policy : "linux-6.18");
	if (!pol)
		return -EINVAL;
	a = c->allocator ? c->allocator : &av_default_allocator;
	if (!a->alloc || !a->free)
		return -EINVAL;
	w = a->alloc(a->ctx, sizeof(*w), AV_OBJ_OTHER);
	if (!w)
		return -ENOMEM;
	memset(w, 0, sizeof(*w));
	w->alloc = *a;
	av_count_alloc(w, AV_OBJ_OTHER);  /* the world itself */
	w->policy = pol;
	w->zero_page = c->zero_page != 0;
	if (c->lock_mode != AV_LOCK_ROOT && c->lock_mode != AV_LOCK_OWN) {
		a->free(a->ctx, w, sizeof(*w), AV_OBJ_OTHER);
		return -EINVAL;
	}
	w->lock_own = c->lock_mode == AV_LOCK_OWN;
	w->max_procs = c->max_procs ? c->max_procs : DEFAULT_PROCS;
	w->next_pid = 1;
	CDS_INIT_LIST_HEAD(&w->mms);
	CDS_INIT_LIST_HEAD(&w->anon_vmas);
	CDS_INIT_LIST_HEAD(&w->retired);
	CDS_INIT_LIST_HEAD(&w->av_cache);
	CDS_INIT_LIST_HEAD(&w->files);
	if (c->fault_around_pages > 512 ||
	    (c->fault_around_pages & (c->fault_around_pages - 1))) {
		a->free(a->ctx, w, sizeof(*w), AV_OBJ_OTHER);
		return -EINVAL;
	}
	w->fault_around_pages = c->fault_around_pages ? c->fault_around_pages : 16;
	if (av_mutex_init(&w->lock))
		goto fail_lock;
	if (av_mutex_init(&w->swap_lock))
		goto fail_swap_lock;
	if (av_mutex_init(&w->frame_lock))
		goto fail_frame_lock;
	if (av_pool_init(w, &w->frames, sizeof(struct av_page),
			 c->max_frames ? c->max_frames : DEFAULT_FRAMES))
		goto fail;
	/* pfn 0: the shared zero page, never counted, never freed. */
	if (av_pool_init(w, &w->swap, sizeof(struct av_swap_slot),
			 c->max_swap_slots ? c->max_swap_slots : DEFAULT_SWAP))
		goto fail;
	*out = w;
	return 0;
fail:
	av_pool_destroy(w, &w->frames);
	av_mutex_destroy(&w->frame_lock);
fail_frame_lock:
	av_mutex_destroy(&w->swap_lock);
fail_swap_lock:
	av_mutex_destroy(&w->lock);
fail_lock:
	a->free(a->ctx, w, sizeof(*w), AV_OBJ_OTHER);
	return -ENOMEM;
}

