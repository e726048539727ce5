/* SPDX-License-Identifier: MIT */
/*
 * state.c - a world's state as JSON, for the explorer: each VMA of a
 * process (its anon_vma and chain, and every PTE in use in it: anonymous,
 * zero, swap, file), and the anon_vma forest.
 *
 * A VMA:
 *   {"start":A,"end":B,"prot":"rw-","anon_vma":ID,"chain":[ID,...],
 *    "flags":"file shared heap ...","ptes":[[ADDR,KIND,WRITABLE,FRAME,
 *    ANON_VMA,MAPCOUNT,EXCLUSIVE],...]}
 * KIND 0 anonymous, 1 the zero page, 2 swap (FRAME is the slot, EXCLUSIVE
 * the swap entry's bit), 3 a file's page.  Arrays, not objects: a page of
 * a long scenario's explorer holds many of them.
 * The forest: [{"id":I,"root":R,"parent":P,"refcount":C,"num_children":N,
 *   "num_active_vmas":A,"avcs":V},...]
 * Addresses are numbers (below 2^47: exact in JavaScript).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <anonvma/inspect.h>
#include "state.h"

struct state_ctx {
	const av_world *w;
	struct strbuf *b;
	av_pid pid;
	size_t ptes;            /* of this process so far */
	int oom, cut;
	int (*fn)(const char *json, void *arg);
	void *arg;
	int stop;
};

static int kind_code(enum av_pte_kind k)
{
	switch (k) {
	case AV_PTE_ANON: return 0;
	case AV_PTE_ZERO: return 1;
	case AV_PTE_SWAP: return 2;
	default: return 3;
	}
}

/* [addr, kind, writable, pfn or slot, anon_vma, mapcount, exclusive] */
static void ptes_json(struct state_ctx *c, const struct av_vma_info *v)
{
	struct av_page_info p;
	int first = 1;

	for (uint64_t a = v->start; a < v->end && !c->oom; a += AV_PAGE_SIZE) {
		if (av_page_lookup(c->w, c->pid, a, &p) || p.kind == AV_PTE_NONE)
			continue;
		if (c->ptes == STATE_MAX_PTES) {
			c->cut = 1;
			return;
		}
		c->ptes++;
		c->oom |= sb_printf(c->b, "%s[%" PRIu64 ",%d,%d,%" PRIu64 ",%" PRIu64 ",%ld,%d]",
				    first ? "" : ",", a, kind_code(p.kind), p.writable,
				    p.kind == AV_PTE_SWAP ? p.swap_slot : p.pfn,
				    p.kind == AV_PTE_ANON ? p.anon_vma : 0,
				    p.kind == AV_PTE_ANON || p.kind == AV_PTE_FILE ? p.mapcount : 0,
				    p.kind == AV_PTE_SWAP ? p.swap_exclusive : p.exclusive);
		first = 0;
	}
}

static int vma_json(const struct av_vma_info *v, void *arg)
{
	struct state_ctx *c = arg;

	c->b->len = 0;
	c->oom |= sb_printf(c->b, "{\"start\":%" PRIu64 ",\"end\":%" PRIu64
			    ",\"prot\":\"%c%c%c\",\"anon_vma\":%" PRIu64 ",\"chain\":[",
			    v->start, v->end,
			    v->prot & AV_PROT_READ ? 'r' : '-', v->prot & AV_PROT_WRITE ? 'w' : '-',
			    v->prot & AV_PROT_EXEC ? 'x' : '-', v->anon_vma);
	for (size_t i = 0; i < v->chain_len; i++)
		c->oom |= sb_printf(c->b, "%s%" PRIu64, i ? "," : "", v->chain[i]);
	c->oom |= sb_printf(c->b, "],\"flags\":\"%s%s%s%s%s%s%s\",\"ptes\":[",
			    v->file ? "file " : "", v->shared ? "shared " : "",
			    v->heap ? "heap " : "", v->growsdown ? "growsdown " : "",
			    v->noreserve ? "noreserve " : "", v->dontfork ? "dontfork " : "",
			    v->wipeonfork ? "wipeonfork " : "");
	ptes_json(c, v);
	c->oom |= sb_printf(c->b, "]}");
	if (c->oom || (c->stop = c->fn(c->b->s, c->arg)))
		return 1;
	return 0;
}

static int anon_vma_json(const struct av_anon_vma_info *a, void *arg)
{
	struct state_ctx *c = arg;

	c->oom |= sb_printf(c->b, "%s{\"id\":%" PRIu64 ",\"root\":%" PRIu64 ",\"parent\":%" PRIu64
			    ",\"refcount\":%lu,\"num_children\":%lu,\"num_active_vmas\":%lu"
			    ",\"avcs\":%zu}", c->b->len > 1 ? "," : "", a->id, a->root, a->parent,
			    a->refcount, a->num_children, a->num_active_vmas, a->nr_avcs);
	return c->oom;
}

size_t state_processes(const av_world *w, const av_pid *pids, size_t n, size_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		av_pid proc;
		size_t j;
		if (pids[i] < 0)
			continue;
		proc = av_task_process(w, pids[i]);
		for (j = 0; j < k && av_task_process(w, pids[out[j]]) != proc; j++)
			;
		if (j == k)
			out[k++] = i;
	}
	return k;
}

int state_vmas(const av_world *w, av_pid pid, int (*fn)(const char *json, void *arg),
	       void *arg, int *cut)
{
	struct strbuf b = { 0 };
	struct state_ctx c = { .w = w, .b = &b, .pid = pid, .fn = fn, .arg = arg };

	av_vma_foreach(w, pid, vma_json, &c);
	free(b.s);
	*cut = c.cut;
	return c.oom ? -ENOMEM : c.stop;
}

int state_anon_vmas_json(struct strbuf *b, const av_world *w)
{
	struct state_ctx c = { .w = w, .b = b };

	b->len = 0;
	c.oom |= sb_printf(b, "[");
	av_anon_vma_foreach(w, anon_vma_json, &c);
	c.oom |= sb_printf(b, "]");
	return c.oom ? -ENOMEM : 0;
}
