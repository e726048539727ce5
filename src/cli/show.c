/* SPDX-License-Identifier: MIT */
/*
 * show.c - text views of a world for `show`, `tree` and the trace: a
 * process's VMAs with their chains, every anon_vma tree with the VMAs
 * linked to each anon_vma, and one page's reverse-map state.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "show.h"
#include "buf.h"

/* As /proc/PID/maps writes it: "r-x", "rw-". */
static const char *prot_str(int prot, char buf[4])
{
	buf[0] = prot & AV_PROT_READ ? 'r' : '-';
	buf[1] = prot & AV_PROT_WRITE ? 'w' : '-';
	buf[2] = prot & AV_PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

static const char *name_of(av_pid pid, const av_pid *pids, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return names[i];
	return "?";
}

struct show_vma {
	FILE *f;
};

static int print_vma(const struct av_vma_info *v, void *arg)
{
	struct show_vma *sv = arg;
	char prot[4];

	fprintf(sv->f, "  %#" PRIx64 "-%#" PRIx64 " %s pgoff %#" PRIx64, v->start, v->end,
		prot_str(v->prot, prot), v->pgoff);
	if (v->file)
		fprintf(sv->f, " file %d", v->file);
	fprintf(sv->f, "%s%s%s%s%s%s%s", v->shared ? " shared" : "", v->heap ? " [heap]" : "",
		v->noreserve ? " noreserve" : "", v->nohugepage ? " stack" : "",
		v->growsdown ? " growsdown" : "",
		v->dontfork ? " dontfork" : "", v->wipeonfork ? " wipeonfork" : "");
	if (!v->anon_vma) {
		fputs("  no anon_vma\n", sv->f);
		return 0;
	}
	fprintf(sv->f, "  anon_vma #%" PRIu64 "  chain", v->anon_vma);
	for (size_t i = 0; i < v->chain_len; i++)
		fprintf(sv->f, " #%" PRIu64, v->chain[i]);
	fputc('\n', sv->f);
	return 0;
}

static int count_vma(const struct av_vma_info *v, void *arg)
{
	(void)v;
	++*(size_t *)arg;
	return 0;
}

int show_proc(FILE *f, av_world *w, av_pid pid, const char *name)
{
	struct show_vma sv = { f };
	size_t nvmas = 0;

	av_vma_foreach(w, pid, count_vma, &nvmas);
	fprintf(f, "%s: %zu VMA%s (chains newest first)\n", name, nvmas, nvmas == 1 ? "" : "s");
	return av_vma_foreach(w, pid, print_vma, &sv) == -ENOMEM;
}

/* ---- tree ---- */

struct link {
	uint64_t anon_vma;
	av_pid pid;
	uint64_t start, end;
};

struct tree_ctx {
	av_world *w;
	struct av_anon_vma_info *av;
	size_t nav, cap_av;
	struct link *links;
	size_t nlinks, cap_links;
	av_pid pid;
	int oom;
};

static int collect_av(const struct av_anon_vma_info *a, void *arg)
{
	struct tree_ctx *t = arg;
	struct av_anon_vma_info *q = buf_grow(t->av, &t->cap_av, t->nav, sizeof(*q));

	if (!q)
		return t->oom = 1;
	t->av = q;
	t->av[t->nav++] = *a;
	return 0;
}

static int collect_links(const struct av_vma_info *v, void *arg)
{
	struct tree_ctx *t = arg;

	for (size_t i = 0; i < v->chain_len; i++) {
		struct link *q = buf_grow(t->links, &t->cap_links, t->nlinks, sizeof(*q));
		if (!q)
			return t->oom = 1;
		t->links = q;
		t->links[t->nlinks++] = (struct link){ v->chain[i], t->pid, v->start, v->end };
	}
	return 0;
}

static int collect_proc(int pid, int parent, void *arg)
{
	struct tree_ctx *t = arg;

	(void)parent;
	t->pid = pid;
	return av_vma_foreach(t->w, pid, collect_links, t) ? (t->oom = 1) : 0;
}

static int by_id(const void *a, const void *b)
{
	const struct av_anon_vma_info *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

#define MAX_INDENT 32

static void print_node(FILE *f, const struct tree_ctx *t, size_t i, int depth,
		       const av_pid *pids, char *const *names, size_t n)
{
	const struct av_anon_vma_info *a = &t->av[i];
	int indent = depth < MAX_INDENT ? depth : MAX_INDENT;

	fprintf(f, "  %*s#%" PRIu64, 2 * indent, "", a->id);
	if (depth > MAX_INDENT)
		fprintf(f, " (depth %d)", depth);
	/* A root counts itself among its children, as in the kernel. */
	fprintf(f, " refcount %lu, num_children %lu%s, num_active_vmas %lu, AVCs %zu:",
		a->refcount, a->num_children, a->root == a->id ? " (incl. itself)" : "",
		a->num_active_vmas, a->nr_avcs);
	for (size_t k = 0; k < t->nlinks; k++)
		if (t->links[k].anon_vma == a->id)
			fprintf(f, " %s %#" PRIx64 "-%#" PRIx64, name_of(t->links[k].pid, pids, names, n),
				t->links[k].start, t->links[k].end);
	fputc('\n', f);
}

/* Depth-first, iteratively: fork chains can be thousands deep. */
static int print_tree(FILE *f, const struct tree_ctx *t, size_t root,
		      const av_pid *pids, char *const *names, size_t n)
{
	size_t *stack = malloc(t->nav * sizeof(*stack));
	int *depth = malloc(t->nav * sizeof(*depth));
	size_t sp = 0;

	if (!stack || !depth) {
		free(stack);
		free(depth);
		return -1;
	}
	stack[sp] = root;
	depth[sp++] = 0;
	while (sp) {
		size_t i = stack[--sp];
		int d = depth[sp];
		print_node(f, t, i, d, pids, names, n);
		/* Push children in reverse id order so the oldest prints first. */
		for (size_t k = t->nav; k-- > 0;)
			if (t->av[k].parent == t->av[i].id && t->av[k].id != t->av[i].id) {
				stack[sp] = k;
				depth[sp++] = d + 1;
			}
	}
	free(stack);
	free(depth);
	return 0;
}

int show_tree(FILE *f, av_world *w, const av_pid *pids, char *const *names, size_t n)
{
	struct tree_ctx t = { .w = w };
	int rc = 0;

	av_anon_vma_foreach(w, collect_av, &t);
	if (!t.oom)
		av_proc_foreach(w, collect_proc, &t);
	if (t.oom) {
		rc = -1;
		goto out;
	}
	if (t.nav)
		qsort(t.av, t.nav, sizeof(*t.av), by_id);
	fprintf(f, "anon_vma trees: %zu anon_vma%s\n", t.nav, t.nav == 1 ? "" : "s");
	for (size_t i = 0; i < t.nav && !rc; i++)
		if (t.av[i].root == t.av[i].id)
			rc = print_tree(f, &t, i, pids, names, n);
out:
	free(t.av);
	free(t.links);
	return rc;
}

void show_page(FILE *f, av_world *w, av_pid pid, uint64_t addr)
{
	struct av_page_info pi;

	if (av_page_lookup(w, pid, addr, &pi)) {
		fprintf(f, "    %#" PRIx64 ": no such process\n", addr);
		return;
	}
	fprintf(f, "    %#" PRIx64 ": ", addr);
	switch (pi.kind) {
	case AV_PTE_NONE:
		fputs("not mapped\n", f);
		break;
	case AV_PTE_ZERO:
		fputs("the zero page\n", f);
		break;
	case AV_PTE_SWAP:
		fprintf(f, "swap entry %" PRIu64 "%s\n", pi.swap_slot,
			pi.swap_exclusive ? " (exclusive)" : "");
		break;
	case AV_PTE_ANON:
		fprintf(f, "page %" PRIu64 " in anon_vma #%" PRIu64 ", index %#" PRIx64
			", mapcount %ld%s%s\n", pi.pfn, pi.anon_vma, pi.index, pi.mapcount,
			pi.exclusive ? ", exclusive" : "", pi.writable ? ", writable" : "");
		break;
	case AV_PTE_FILE:
		if (pi.file)
			fprintf(f, "page %" PRIu64 " of file %d, index %#" PRIx64, pi.pfn, pi.file,
				pi.index);
		else
			fprintf(f, "page %" PRIu64 " of shared memory, index %#" PRIx64, pi.pfn,
				pi.index);
		fprintf(f, ", mapcount %ld%s\n", pi.mapcount, pi.writable ? ", writable" : "");
		break;
	}
}
