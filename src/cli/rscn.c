/* SPDX-License-Identifier: MIT */
/*
 * rscn.c - random scenarios (rscn.h).
 *
 * Every address falls in a window of 12 to 48 pages (the seed chooses, and
 * the longest range too), so that mappings touch, split, merge, move onto
 * each other and share pages all the time.
 * Each command picks its range one of two ways: from what the generator
 * believes the process has (a mapped range to unmap, protect, touch or
 * move; a free range to map, often right next to a mapping), or anywhere
 * in the window, over holes, several mappings or mapped ground.  The
 * belief is a page map per process, updated roughly as Linux would; it
 * only steers the choice, it decides nothing, so it may be wrong.  About
 * as many commands end refused as succeed.
 *
 * Processes form trees: fork from any live process, exit any of them
 * (a middle one too, leaving its children to carry its anon_vmas), a new
 * unrelated process now and then, at most opts.procs alive at once.  A
 * process may have up to two threads, any of which does its commands
 * (fork, exit and exec too); it may grow and shrink a heap with brk and
 * touch it; fork advice (madvise dontfork/wipeonfork and their undoing)
 * falls on its ranges like the rest.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rscn.h"
#include "buf.h"

#define WIN_BASE   0x10000000ULL
#define WIN_MAX    48           /* pages in the window, at most */
#define PAGE       4096ULL
#define HEAP_BASE  0x100000000000ULL  /* AV_HEAP_START */
#define HEAP_MAX   8            /* pages of heap, at most, mostly */
#define MAX_TASKS  3            /* a process and two threads */

enum { NONE_MAPPED = 0 };       /* page state: 0, or 1 + protection */
enum { P_NONE, P_R, P_RW, P_RX, P_RWX };
static const char *const prot_word[] = { "none", "r", "rw", "rx", "rwx" };

struct gproc {
	int task[MAX_TASKS];        /* its tasks' names, p<name>; [0] at least */
	int ntasks;
	int heap;                   /* pages of heap, as believed */
	unsigned char page[WIN_MAX];
};

struct gen {
	uint64_t rng;
	const struct rscn_opts *o;
	int win, max_len;           /* this scenario's window and longest range */
	struct gproc proc[RSCN_MAX_PROCS];
	int nlive, next_name;
	int until_stats;
	struct strbuf out;
	int cmds, oom;
};

struct range {
	int start, len;             /* in pages, inside the window */
};

/* ---- numbers ---- */

static uint64_t next(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int below(struct gen *g, int n)
{
	return n > 0 ? (int)(next(g) % (uint64_t)n) : 0;
}

static int chance(struct gen *g, int percent)
{
	return below(g, 100) < percent;
}

/* ---- output ---- */

static void emit(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct gen *g, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sb_printf(&g->out, "%s\n", line))
		g->oom = 1;
	g->cmds++;
}

static unsigned long long addr_of(int page)
{
	return WIN_BASE + (unsigned long long)page * PAGE;
}

static unsigned long long bytes(int pages)
{
	return (unsigned long long)pages * PAGE;
}

/* ---- ranges ---- */

static struct range clamp(const struct gen *g, int start, int len)
{
	if (start < 0)
		start = 0;
	if (start >= g->win)
		start = g->win - 1;
	if (len < 1)
		len = 1;
	if (start + len > g->win)
		len = g->win - start;
	return (struct range){ start, len };
}

static struct range anywhere(struct gen *g)
{
	return clamp(g, below(g, g->win), 1 + below(g, g->max_len));
}

/* A range of pages whose state satisfies want(), starting at a random such
 * page (or at the start of its run), no longer than the run; anywhere if
 * there is none. */
static struct range run_of(struct gen *g, const struct gproc *p,
			   int (*want)(unsigned char))
{
	int pages[WIN_MAX], n = 0, s, e;

	for (int i = 0; i < g->win; i++)
		if (want(p->page[i]))
			pages[n++] = i;
	if (!n)
		return anywhere(g);
	s = pages[below(g, n)];
	if (chance(g, 40))
		while (s > 0 && want(p->page[s - 1]))
			s--;
	for (e = s; e < g->win && want(p->page[e]); e++)
		;
	return clamp(g, s, 1 + below(g, e - s < g->max_len ? e - s : g->max_len));
}

static int is_mapped(unsigned char st) { return st != NONE_MAPPED; }
static int is_free(unsigned char st) { return st == NONE_MAPPED; }
static int is_writable(unsigned char st) { return st == 1 + P_RW || st == 1 + P_RWX; }

static struct range mapped(struct gen *g, const struct gproc *p)
{
	return run_of(g, p, is_mapped);
}

/* A free range, often ending at a mapping or starting just after one. */
static struct range free_range(struct gen *g, const struct gproc *p)
{
	struct range r = run_of(g, p, is_free);
	int e = r.start + r.len;

	if (chance(g, 50)) {
		while (e < g->win && is_free(p->page[e]))
			e++;
		if (e < g->win)         /* end right below the next mapping */
			r.start = e - r.len;
	}
	return r;
}

static int all(const struct gproc *p, struct range r, int (*want)(unsigned char))
{
	for (int i = r.start; i < r.start + r.len; i++)
		if (!want(p->page[i]))
			return 0;
	return 1;
}

static void set(struct gproc *p, struct range r, unsigned char st)
{
	for (int i = r.start; i < r.start + r.len && i < WIN_MAX; i++)
		p->page[i] = st;
}

static int random_prot(struct gen *g)
{
	int x = below(g, 100);

	return x < 55 ? P_RW : x < 75 ? P_R : x < 85 ? P_NONE : x < 95 ? P_RX : P_RWX;
}

/* ---- commands ---- */

static struct gproc *any_proc(struct gen *g)
{
	return &g->proc[below(g, g->nlive)];
}

/* The name a command of p goes by: any of its tasks. */
static int task_of(struct gen *g, const struct gproc *p)
{
	return p->task[below(g, p->ntasks)];
}

static void new_proc(struct gen *g)
{
	struct gproc *p = &g->proc[g->nlive++];

	memset(p, 0, sizeof(*p));
	p->task[0] = g->next_name++;
	p->ntasks = 1;
	emit(g, "proc p%d", p->task[0]);
}

/* Most mappings are private anonymous memory; the rest are of one of two
 * files (private or shared, at an offset that often follows the address,
 * so that neighbours can merge), shared anonymous memory, or private
 * memory never charged (MAP_NORESERVE), for a thread's stack (MAP_STACK) or
 * a stack that grows down (MAP_GROWSDOWN). */
static void do_mmap(struct gen *g, struct gproc *p)
{
	struct range r = chance(g, 45) ? free_range(g, p) : anywhere(g);
	int prot = random_prot(g), kind = below(g, 100);
	char tail[64] = "";

	if (kind < 22) {
		int off = chance(g, 60) ? r.start : below(g, 2 * WIN_MAX);
		int n = snprintf(tail, sizeof(tail), "%s file f%d", chance(g, 30) ? " shared" : "",
				 below(g, 2));
		if (off)                /* as scn_format_cmd writes it */
			snprintf(tail + n, sizeof(tail) - (size_t)n, " %#llx", bytes(off));
	} else if (kind < 28) {
		snprintf(tail, sizeof(tail), " shared");
	} else if (kind < 33) {         /* a malloc arena's reservation */
		snprintf(tail, sizeof(tail), " noreserve");
	} else if (kind < 36) {         /* a thread's stack */
		snprintf(tail, sizeof(tail), " stack");
	} else if (kind < 39) {         /* a process's stack, which touches below grow */
		snprintf(tail, sizeof(tail), " growsdown");
	}
	emit(g, "mmap p%d %#llx %#llx %s%s", task_of(g, p), addr_of(r.start), bytes(r.len),
	     prot_word[prot], tail);
	if (all(p, r, is_free))
		set(p, r, (unsigned char)(1 + prot));
}

static void do_munmap(struct gen *g, struct gproc *p)
{
	struct range r = chance(g, 70) ? mapped(g, p) : anywhere(g);

	emit(g, "munmap p%d %#llx %#llx", task_of(g, p), addr_of(r.start), bytes(r.len));
	set(p, r, NONE_MAPPED);
}

/* mprotect changes what is mapped up to the first hole, then fails. */
static void do_mprotect(struct gen *g, struct gproc *p)
{
	struct range r = chance(g, 70) ? mapped(g, p) : anywhere(g);
	int prot = random_prot(g);

	emit(g, "mprotect p%d %#llx %#llx %s", task_of(g, p), addr_of(r.start), bytes(r.len),
	     prot_word[prot]);
	for (int i = r.start; i < r.start + r.len && is_mapped(p->page[i]); i++)
		p->page[i] = (unsigned char)(1 + prot);
}

static void do_touch(struct gen *g, struct gproc *p, int write)
{
	struct range r;

	if (p->heap && chance(g, 15)) {         /* the heap, or just past it */
		int s = below(g, p->heap + 1), n = 1 + below(g, p->heap + 1 - s);
		emit(g, "%s p%d %#llx %#llx", write ? "write" : "read", task_of(g, p),
		     HEAP_BASE + bytes(s), bytes(n));
		return;
	}
	if (chance(g, 25))
		r = anywhere(g);
	else
		r = run_of(g, p, write && chance(g, 70) ? is_writable : is_mapped);
	emit(g, "%s p%d %#llx %#llx", write ? "write" : "read", task_of(g, p), addr_of(r.start),
	     bytes(r.len));
}

static void do_dontneed(struct gen *g, struct gproc *p)
{
	struct range r = chance(g, 70) ? mapped(g, p) : anywhere(g);

	emit(g, "dontneed p%d %#llx %#llx", task_of(g, p), addr_of(r.start), bytes(r.len));
}

/* Fork advice: set more often than undone. */
static void do_advice(struct gen *g, struct gproc *p)
{
	static const char *const advice[] = { "dontfork", "wipeonfork", "dofork", "keeponfork",
					      "dontfork", "wipeonfork" };
	struct range r = chance(g, 75) ? mapped(g, p) : anywhere(g);

	emit(g, "madvise p%d %#llx %#llx %s", task_of(g, p), addr_of(r.start), bytes(r.len),
	     advice[below(g, 6)]);
}

/* The heap grows a little at a time, shrinks, goes; now and then it is
 * asked for more than fits (a mapping sits in the heap's way only if the
 * scenario put one there: the window is far below). */
static void do_brk(struct gen *g, struct gproc *p)
{
	int pages = chance(g, 70) ? p->heap + 1 + below(g, 3) : below(g, HEAP_MAX + 1);

	if (pages > HEAP_MAX && chance(g, 80))
		pages = HEAP_MAX;
	emit(g, "brk p%d %#llx", task_of(g, p), bytes(pages));
	p->heap = pages;
}

static void do_thread(struct gen *g, struct gproc *p)
{
	int name = g->next_name++;

	emit(g, "thread p%d p%d", task_of(g, p), name);
	p->task[p->ntasks++] = name;
}

/* exec by one task: the others end, the address space empties. */
static void do_exec(struct gen *g, struct gproc *p)
{
	int t = task_of(g, p);

	emit(g, "exec p%d", t);
	p->task[0] = t;
	p->ntasks = 1;
	p->heap = 0;
	memset(p->page, 0, sizeof(p->page));
}

/* Shrink, grow in place, or move (MREMAP_FIXED), each sometimes over
 * ground that makes the kernel refuse. */
static void do_mremap(struct gen *g, struct gproc *p)
{
	struct range r = chance(g, 80) ? mapped(g, p) : anywhere(g);
	int kind = below(g, 4), new_len, to;
	unsigned char st = p->page[r.start];

	if (kind == 0) {                        /* shrink */
		new_len = r.len > 1 ? 1 + below(g, r.len - 1) : 1;
		emit(g, "mremap p%d %#llx %#llx %#llx", task_of(g, p), addr_of(r.start),
		     bytes(r.len), bytes(new_len));
		set(p, clamp(g, r.start + new_len, r.len - new_len), NONE_MAPPED);
		return;
	}
	if (kind == 1) {                        /* grow in place */
		int e = r.start + r.len;
		if (chance(g, 70))              /* to the end of the run */
			while (e < g->win && is_mapped(p->page[e]))
				e++;
		r.len = e - r.start;
		new_len = r.len + 1 + below(g, 4);
		emit(g, "mremap p%d %#llx %#llx %#llx", task_of(g, p), addr_of(r.start),
		     bytes(r.len), bytes(new_len));
		if (e < g->win && all(p, clamp(g, e, new_len - r.len), is_free) && is_mapped(st))
			set(p, clamp(g, e, new_len - r.len), st);
		return;
	}
	/* move */
	new_len = chance(g, 55) ? r.len : chance(g, 40) ? 1 + below(g, r.len) : r.len + 1 + below(g, 3);
	if (chance(g, 60)) {
		struct range d = free_range(g, p);
		to = d.start;
	} else {
		to = below(g, g->win);
	}
	if (to + new_len > g->win)
		to = g->win - new_len > 0 ? g->win - new_len : 0;
	emit(g, "mremap p%d %#llx %#llx %#llx %#llx", task_of(g, p), addr_of(r.start),
	     bytes(r.len), bytes(new_len), addr_of(to));
	if (to + new_len <= r.start || r.start + r.len <= to) {
		if (is_mapped(st)) {
			set(p, clamp(g, to, new_len), st);
		}
		set(p, r, NONE_MAPPED);
	}
}

/* The child has one task (the one named by fork) and the parent's heap.
 * A vfork child shares its parent's address space: to the generator's
 * belief it is one more task of it, until it execs. */
static void do_fork(struct gen *g)
{
	struct gproc *parent = any_proc(g), *c;
	int by = task_of(g, parent);

	if (parent->ntasks < MAX_TASKS && chance(g, 12)) {
		parent->task[parent->ntasks] = g->next_name++;
		emit(g, "vfork p%d p%d", by, parent->task[parent->ntasks++]);
		return;
	}
	c = &g->proc[g->nlive++];
	*c = *parent;
	c->task[0] = g->next_name++;
	c->ntasks = 1;
	emit(g, "fork p%d p%d", by, c->task[0]);
}

/* Any task of any process ends; with its last task the process goes. */
static void do_exit(struct gen *g)
{
	int i = below(g, g->nlive), k = below(g, g->proc[i].ntasks);
	struct gproc *p = &g->proc[i];

	emit(g, "exit p%d", p->task[k]);
	p->task[k] = p->task[--p->ntasks];
	if (p->ntasks)
		return;
	g->proc[i] = g->proc[--g->nlive];
	if (!g->nlive)
		new_proc(g);
}

/* Weights of the commands, out of 100. */
enum { W_WRITE = 17, W_READ = 7, W_MMAP = 13, W_MUNMAP = 6, W_MPROTECT = 10, W_MREMAP = 12,
       W_DONTNEED = 4, W_ADVICE = 4, W_BRK = 3, W_FORK = 10, W_EXIT = 7, W_THREAD = 3,
       W_EXEC = 2, W_PROC = 2 };

static void one_command(struct gen *g)
{
	struct gproc *p = any_proc(g);
	int x = below(g, 100);

	if ((x -= W_WRITE) < 0)
		do_touch(g, p, 1);
	else if ((x -= W_READ) < 0)
		do_touch(g, p, 0);
	else if ((x -= W_MMAP) < 0)
		do_mmap(g, p);
	else if ((x -= W_MUNMAP) < 0)
		do_munmap(g, p);
	else if ((x -= W_MPROTECT) < 0)
		do_mprotect(g, p);
	else if ((x -= W_MREMAP) < 0)
		do_mremap(g, p);
	else if ((x -= W_DONTNEED) < 0)
		do_dontneed(g, p);
	else if ((x -= W_ADVICE) < 0)
		do_advice(g, p);
	else if ((x -= W_BRK) < 0)
		do_brk(g, p);
	else if ((x -= W_FORK) < 0)
		g->nlive < g->o->procs ? do_fork(g) : do_touch(g, p, 1);
	else if ((x -= W_EXIT) < 0)
		g->nlive > 1 || p->ntasks > 1 || chance(g, 30) ? do_exit(g) : do_mmap(g, p);
	else if ((x -= W_THREAD) < 0)
		p->ntasks < MAX_TASKS ? do_thread(g, p) : do_touch(g, p, 0);
	else if ((x -= W_EXEC) < 0)
		do_exec(g, p);
	else
		g->nlive < g->o->procs ? new_proc(g) : do_touch(g, p, 0);
}

char *rscn_generate(uint64_t seed, const struct rscn_opts *o)
{
	static const int wins[] = { 12, 16, 24, 32, 48 }, lens[] = { 2, 4, 8, 12 };
	struct gen *g = calloc(1, sizeof(*g));
	char *text;

	if (!g)
		return NULL;
	g->rng = seed;
	g->o = o;
	g->win = wins[below(g, 5)];
	g->max_len = lens[below(g, 4)];
	new_proc(g);
	g->until_stats = 3 + below(g, 6);
	while (g->cmds < o->ops - 1 && !g->oom) {
		one_command(g);
		if (--g->until_stats <= 0 && g->cmds < o->ops - 1) {
			emit(g, "stats");
			g->until_stats = 3 + below(g, 9);
		}
	}
	emit(g, "stats");
	text = g->oom ? NULL : g->out.s;
	if (g->oom)
		free(g->out.s);
	free(g);
	return text;
}
