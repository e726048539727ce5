/* SPDX-License-Identifier: MIT */
/*
 * recscn.c - a recording's trace, written as a scenario.
 *
 * The trace holds the whole machine's events in the order the kernel
 * emitted them; the program's tree is followed from its root through
 * task_newtask / sched_process_fork.  Each event of a task of the tree
 * becomes a command of the task's name ("t" and its first id):
 *   - a fault: read or write of its page (a run of faults by one task on
 *     consecutive pages, nothing between them, is one command with a size:
 *     the model faults a range page by page, in order);
 *   - a memory syscall, at its exit (its result decides the command: the
 *     address an mmap got, whether mremap moved);
 *   - fork / thread / vfork at sched_process_fork, by the clone flags;
 *   - exec at sched_process_exec, followed by the layout ptrace saw;
 *   - exit at sched_process_exit.
 *
 * Counting objects.  The live anon_vma and anon_vma_chain objects made by
 * the tree are kept by key (trace.c's live set).  Every allocation and
 * free is charged to the command of the task that made it: to the
 * syscall it is inside (allocations in dup_mmap belong to the fork, those
 * of execve to the exec), otherwise to the task's latest command (a
 * fault's anon_vma, an exit's teardown, which follows the exit event).
 * A free by a task outside the tree goes to the next command.  The count
 * after a command is then the sum of the charges up to it: what the
 * kernel had when each task had done exactly its commands so far, however
 * the CPUs interleaved them.  That is what `expect` lines state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <anonvma/anonvma.h>
#include "krun.h"
#include "record.h"
#include "../scn/scenario.h"

#define PAGE            4096ULL
#define PAGE_UP(x)      (((x) + PAGE - 1) & ~(PAGE - 1))
#define PAGE_DOWN(x)    ((x) & ~(PAGE - 1))
#define HEAP_SPAN       (1ULL << 40)
#define IS_ERR(ret)     ((uint64_t)(ret) >= (uint64_t)-4095)

/* Linux's flags, as the trace prints them. */
#define L_MAP_SHARED    0x01
#define L_MAP_FIXED     0x10
#define L_MAP_ANONYMOUS 0x20
#define L_MAP_GROWSDOWN 0x100
#define L_MAP_LOCKED    0x2000
#define L_MAP_NORESERVE 0x4000
#define L_MAP_POPULATE  0x8000
#define L_MAP_STACK     0x20000
#define L_MAP_HUGETLB   0x40000
#define L_MAP_FIXED_NOREPLACE 0x100000
#define L_PROT_WRITE    2
#define L_PROT_EXEC     4
#define L_PROT_GROWS    0x03000000
#define L_MREMAP_FIXED  2
#define L_MREMAP_DONTUNMAP 4
#define L_CLONE_VM      0x100
#define L_CLONE_THREAD  0x10000
#define L_ENOMEM        12

enum sysno { SYS_NONE, SYS_MMAP, SYS_MUNMAP, SYS_MPROTECT, SYS_MREMAP, SYS_MADVISE, SYS_BRK,
	     SYS_EXECVE, SYS_CLONE, SYS_UNSUPPORTED };

static const struct { const char *name; int sys; } syscalls[] = {
	{ "mmap", SYS_MMAP }, { "munmap", SYS_MUNMAP }, { "mprotect", SYS_MPROTECT },
	{ "mremap", SYS_MREMAP }, { "madvise", SYS_MADVISE }, { "brk", SYS_BRK },
	{ "execve", SYS_EXECVE }, { "execveat", SYS_EXECVE },
	{ "clone", SYS_CLONE }, { "clone3", SYS_CLONE }, { "fork", SYS_CLONE },
	{ "vfork", SYS_CLONE },
};

/* One command of the scenario being made. */
enum { C_PROC, C_MMAP, C_MUNMAP, C_MPROTECT, C_MREMAP, C_MADVISE, C_BRK, C_READ, C_WRITE,
       C_FORK, C_THREAD, C_VFORK, C_EXEC, C_EXIT };
struct rcmd {
	uint8_t op, prot, map_flags, advice;
	uint8_t has_addr2, process_end;
	uint8_t glued;                  /* no checkpoint after it: exec's layout follows */
	int32_t name, name2;            /* task names: their first ids */
	int32_t file;                   /* mmap: -1 anonymous */
	uint32_t events;                /* kernel events it stands for */
	int32_t delta[2];               /* objects made - freed: anon_vma, avc */
	uint64_t addr, size, size2, addr2, offset;
};

struct rtask {
	int32_t name;           /* its first id: "t<name>" */
	int tree, named, live;
	int group;              /* its process */
	int mm;                 /* its address space */
	int sys;                /* the syscall it is inside, SYS_NONE */
	char sysname[24];
	uint64_t arg[6];
	long pend[2];           /* charges while inside a syscall */
	long last;              /* its latest command, -1 */
	int in_exec;            /* between execve's entry and the exec event */
	uint64_t clone_flags;   /* how it was made */
	size_t fmap_at;         /* where its next file mmap is looked for */
};

struct rmm { uint64_t start_brk, brk; };

struct tr {
	struct recording *r;
	char *err;
	size_t errlen;
	struct rtask *task;
	size_t ntask, task_cap;
	int32_t *by_tid;        /* tid -> task index + 1 */
	size_t tid_cap;
	int *group_tasks;       /* live tasks per process */
	size_t ngroup, group_cap;
	struct rmm *mm;
	size_t nmm, mm_cap;
	struct rcmd *cmd;
	size_t ncmd, cmd_cap;
	struct live_set live;
	int counting;           /* since the root's first execve */
	long carry[2];          /* charges waiting for the next command */
	uint64_t events;
	int failed;
};

static int fail(struct tr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct tr *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->failed) {
		va_start(ap, fmt);
		vsnprintf(t->err, t->errlen, fmt, ap);
		va_end(ap);
	}
	t->failed = 1;
	return -1;
}

int rec_grow(void **v, size_t *cap, size_t need, size_t size)
{
	void *n;
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (!(n = realloc(*v, c * size)))
		return -1;
	memset((char *)n + *cap * size, 0, (c - *cap) * size);
	*v = n;
	*cap = c;
	return 0;
}

static int grow(struct tr *t, void **v, size_t *cap, size_t need, size_t size)
{
	return rec_grow(v, cap, need, size) ? fail(t, "out of memory reading the trace") : 0;
}

/* ---- tasks, processes, address spaces ---- */

static struct rtask *task_of(struct tr *t, pid_t tid)
{
	if (tid <= 0 || (size_t)tid >= t->tid_cap || !t->by_tid[tid])
		return NULL;
	return &t->task[t->by_tid[tid] - 1];
}

static struct rtask *task_new(struct tr *t, pid_t tid)
{
	struct rtask *k;

	if (tid <= 0 || grow(t, (void **)&t->by_tid, &t->tid_cap, (size_t)tid + 1, sizeof(int32_t)) ||
	    grow(t, (void **)&t->task, &t->task_cap, t->ntask + 1, sizeof(*t->task)))
		return NULL;
	k = &t->task[t->ntask];
	memset(k, 0, sizeof(*k));
	k->name = tid;
	k->last = -1;
	k->group = k->mm = -1;
	t->by_tid[tid] = (int32_t)++t->ntask;
	return k;
}

static int group_new(struct tr *t)
{
	if (grow(t, (void **)&t->group_tasks, &t->group_cap, t->ngroup + 1, sizeof(int)))
		return -1;
	t->group_tasks[t->ngroup] = 0;
	return (int)t->ngroup++;
}

static int mm_new(struct tr *t, uint64_t start_brk)
{
	if (grow(t, (void **)&t->mm, &t->mm_cap, t->nmm + 1, sizeof(*t->mm)))
		return -1;
	t->mm[t->nmm].start_brk = t->mm[t->nmm].brk = start_brk;
	return (int)t->nmm++;
}

/* A scenario address: the heap moves to the model's heap start. */
static uint64_t at(const struct tr *t, const struct rtask *k, uint64_t addr)
{
	const struct rmm *m = &t->mm[k->mm];

	if (m->start_brk && addr >= m->start_brk && addr - m->start_brk < HEAP_SPAN)
		return AV_HEAP_START + (addr - m->start_brk);
	return addr;
}

static int check_range(struct tr *t, const struct rtask *k, uint64_t addr, uint64_t size)
{
	uint64_t a = at(t, k, addr);

	if (a == addr && addr < AV_HEAP_START + HEAP_SPAN && addr + size > AV_HEAP_START)
		return fail(t, "t%d maps %#" PRIx64 "-%#" PRIx64 ", where the model keeps the heap",
			    k->name, addr, addr + size);
	if (a + size > AV_TASK_SIZE || a + size < a)
		return fail(t, "t%d uses %#" PRIx64 "-%#" PRIx64 ", beyond the model's address space",
			    k->name, addr, addr + size);
	return 0;
}

/* ---- commands and their charges ---- */

static struct rcmd *emit(struct tr *t, struct rtask *k, int op)
{
	struct rcmd *c;

	if (grow(t, (void **)&t->cmd, &t->cmd_cap, t->ncmd + 1, sizeof(*t->cmd)))
		return NULL;
	c = &t->cmd[t->ncmd];
	memset(c, 0, sizeof(*c));
	c->op = (uint8_t)op;
	c->name = k->name;
	c->file = -1;
	c->events = 1;
	c->delta[0] = (int32_t)(k->pend[0] + t->carry[0]);
	c->delta[1] = (int32_t)(k->pend[1] + t->carry[1]);
	k->pend[0] = k->pend[1] = t->carry[0] = t->carry[1] = 0;
	k->last = (long)t->ncmd++;
	return c;
}

static void charge(struct tr *t, struct rtask *k, int kind, int d)
{
	int i = kind == KIND_ANON_VMA ? 0 : 1;

	if (k && k->sys)
		k->pend[i] += d;
	else if (k && k->last >= 0)
		t->cmd[k->last].delta[i] += d;
	else
		t->carry[i] += d;
}

static void kmem(struct tr *t, struct rtask *k, const char *line)
{
	uint64_t key;
	int ev = trace_kmem_event(line, &key), kind;

	if (ev == KMEM_FREE) {
		if ((kind = live_remove(&t->live, key)) != KIND_NONE)
			charge(t, k && k->tree ? k : NULL, kind, -1);
		return;
	}
	if ((ev != KMEM_ALLOC_ANON_VMA && ev != KMEM_ALLOC_AVC) || !t->counting || !k || !k->tree)
		return;
	kind = ev == KMEM_ALLOC_ANON_VMA ? KIND_ANON_VMA : KIND_AVC;
	if (live_add(&t->live, key, kind)) {
		fail(t, "out of memory counting objects");
		return;
	}
	charge(t, k, kind, +1);
}

static void touch(struct tr *t, struct rtask *k, uint64_t addr, uint64_t size, int write)
{
	struct rcmd *p = t->ncmd ? &t->cmd[t->ncmd - 1] : NULL;
	int op = write ? C_WRITE : C_READ;

	addr = at(t, k, addr);
	if (p && (long)t->ncmd - 1 == k->last && p->op == op && p->name == k->name &&
	    p->addr + p->size == addr && !k->pend[0] && !k->pend[1] && !t->carry[0] &&
	    !t->carry[1]) {
		p->size += size;
		p->events++;
		return;
	}
	if ((p = emit(t, k, op))) {
		p->addr = addr;
		p->size = size;
	}
}

/* The syscall k was in is over: what it charged and no command took goes
 * to the next command. */
static void close_syscall(struct tr *t, struct rtask *k)
{
	t->carry[0] += k->pend[0];
	t->carry[1] += k->pend[1];
	k->pend[0] = k->pend[1] = 0;
	k->sys = SYS_NONE;
}

/* ---- fields of a line ---- */

static uint64_t num_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoull(p + strlen(key), NULL, 0) : 0;
}

/* The last occurrence of key in s. */
static const char *last_of(const char *s, const char *key)
{
	const char *p, *found = NULL;

	for (p = strstr(s, key); p; p = strstr(p + 1, key))
		found = p;
	return found;
}

/* ---- syscalls ---- */

static int sys_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (strlen(syscalls[i].name) == len && strncmp(syscalls[i].name, name, len) == 0)
			return syscalls[i].sys;
	return SYS_UNSUPPORTED;
}

static void sys_enter(struct tr *t, struct rtask *k, const char *name, size_t len, const char *args)
{
	int sys = sys_lookup(name, len);

	if (k->sys)             /* a syscall whose exit is not traced */
		close_syscall(t, k);
	k->sys = sys;
	snprintf(k->sysname, sizeof(k->sysname), "%.*s", (int)len, name);
	for (int i = 0; i < 6; i++) {
		const char *colon = strstr(args, ": ");
		k->arg[i] = colon ? strtoull(colon + 2, NULL, 0) : 0;
		args = colon ? colon + 2 : args + strlen(args);
	}
	if (sys == SYS_EXECVE) {
		k->in_exec = 1;
		if (k->name == (int32_t)t->r->root)
			t->counting = 1;
	}
}

/* The file an mmap of a descriptor by k maps: the next one ptrace saw. */
static const struct rec_fmap *next_fmap(struct tr *t, struct rtask *k, pid_t tid)
{
	struct recording *r = t->r;

	for (; k->fmap_at < r->nfmaps; k->fmap_at++)
		if (r->fmaps[k->fmap_at].tid == tid)
			return &r->fmaps[k->fmap_at++];
	return NULL;
}

static void sys_mmap(struct tr *t, struct rtask *k, pid_t tid, uint64_t ret)
{
	uint64_t len = PAGE_UP(k->arg[1]), prot = k->arg[2], flags = k->arg[3];
	int anon = (flags & L_MAP_ANONYMOUS) != 0, shared = (flags & L_MAP_SHARED) != 0;   /* SHARED and SHARED_VALIDATE */
	const struct rec_fmap *fm = anon ? NULL : next_fmap(t, k, tid);
	struct rcmd *c;

	if (IS_ERR(ret))
		return;
	if (!anon && !fm) {
		fail(t, "t%d mapped a file that ptrace did not see", k->name);
		return;
	}
	if (fm && fm->kind != REC_MAP_FILE && fm->kind != REC_MAP_ZERO) {
		fail(t, "t%d mapped a device, which the scenario language cannot say", k->name);
		return;
	}
	if (flags & (L_MAP_LOCKED | L_MAP_HUGETLB)) {
		fail(t, "t%d used mmap with %s, which the model does not have", k->name,
		     flags & L_MAP_LOCKED ? "MAP_LOCKED" : "MAP_HUGETLB");
		return;
	}
	if (check_range(t, k, ret, len))
		return;
	if ((flags & L_MAP_FIXED) && !(flags & L_MAP_FIXED_NOREPLACE)) {
		if (!(c = emit(t, k, C_MUNMAP)))      /* what MAP_FIXED replaced */
			return;
		c->addr = at(t, k, ret);
		c->size = len;
		c->events = 0;
	}
	if (!(c = emit(t, k, C_MMAP)))
		return;
	c->addr = at(t, k, ret);
	c->size = len;
	c->prot = (uint8_t)((prot & 1 ? AV_PROT_READ : 0) | (prot & L_PROT_WRITE ? AV_PROT_WRITE : 0));
	if (prot & L_PROT_EXEC)
		c->prot |= AV_PROT_EXEC | (prot & L_PROT_WRITE ? 0 : AV_PROT_READ);
	c->map_flags = (uint8_t)((shared ? AV_MAP_SHARED : 0) |
				 (flags & L_MAP_NORESERVE ? AV_MAP_NORESERVE : 0) |
				 (flags & L_MAP_STACK ? AV_MAP_STACK : 0) |
				 (flags & L_MAP_GROWSDOWN ? AV_MAP_GROWSDOWN : 0));
	if (fm && fm->kind == REC_MAP_FILE) {
		c->file = fm->file;
		c->offset = k->arg[5];
	}
	if (flags & L_MAP_POPULATE)
		touch(t, k, ret, len, !shared && (prot & L_PROT_WRITE));
}

static void sys_madvise(struct tr *t, struct rtask *k, uint64_t ret)
{
	uint64_t addr = k->arg[0], len = PAGE_UP(k->arg[1]), advice = k->arg[2];
	struct rcmd *c;
	int a;

	if (IS_ERR(ret) && (int64_t)ret != -L_ENOMEM)
		return;
	switch (advice) {
	case 0: case 3: case 20: case 21:
		return;         /* NORMAL, WILLNEED, COLD, PAGEOUT: no VMA or anon rmap change
				   (no swap to page anonymous memory out to) */
	case 22: case 23:
		touch(t, k, addr, len, advice == 23);   /* MADV_POPULATE_(READ|WRITE) */
		return;
	case 4: case 24: a = AV_MADV_DONTNEED; break;
	case 10: a = AV_MADV_DONTFORK; break;
	case 11: a = AV_MADV_DOFORK; break;
	case 18: a = AV_MADV_WIPEONFORK; break;
	case 19: a = AV_MADV_KEEPONFORK; break;
	default:
		fail(t, "t%d used madvise advice %" PRIu64 ", which the scenario language cannot "
		     "say", k->name, advice);
		return;
	}
	if (check_range(t, k, addr, len) || !(c = emit(t, k, C_MADVISE)))
		return;
	c->addr = at(t, k, addr);
	c->size = len;
	c->advice = (uint8_t)a;
}

static void sys_exit(struct tr *t, struct rtask *k, pid_t tid, const char *name, size_t len,
		     uint64_t ret)
{
	int sys = sys_lookup(name, len);
	struct rcmd *c;

	if (!k->sys || sys != k->sys)
		return;
	if (sys == SYS_EXECVE)
		k->in_exec = 0;
	switch (k->named ? sys : SYS_NONE) {
	case SYS_MMAP:
		sys_mmap(t, k, tid, ret);
		break;
	case SYS_MUNMAP:
		if (!ret && !check_range(t, k, k->arg[0], PAGE_UP(k->arg[1])) &&
		    (c = emit(t, k, C_MUNMAP))) {
			c->addr = at(t, k, k->arg[0]);
			c->size = PAGE_UP(k->arg[1]);
		}
		break;
	case SYS_MPROTECT:
		if (!ret && (k->arg[2] & L_PROT_GROWS)) {
			fail(t, "t%d used mprotect with PROT_GROWSDOWN/UP", k->name);
			break;
		}
		if ((!ret || (int64_t)ret == -L_ENOMEM) &&
		    !check_range(t, k, k->arg[0], PAGE_UP(k->arg[1])) &&
		    (c = emit(t, k, C_MPROTECT))) {
			uint64_t prot = k->arg[2];
			c->addr = at(t, k, k->arg[0]);
			c->size = PAGE_UP(k->arg[1]);
			c->prot = (uint8_t)((prot & 1 ? AV_PROT_READ : 0) |
					    (prot & L_PROT_WRITE ? AV_PROT_WRITE : 0));
			if (prot & L_PROT_EXEC)
				c->prot |= AV_PROT_EXEC | (prot & L_PROT_WRITE ? 0 : AV_PROT_READ);
		}
		break;
	case SYS_MREMAP:
		if (IS_ERR(ret))
			break;
		if (k->arg[3] & L_MREMAP_DONTUNMAP || !k->arg[1]) {
			fail(t, "t%d used mremap %s, which the model does not have", k->name,
			     k->arg[1] ? "with MREMAP_DONTUNMAP" : "of an old size 0");
			break;
		}
		if (check_range(t, k, k->arg[0], PAGE_UP(k->arg[1])) ||
		    check_range(t, k, ret, PAGE_UP(k->arg[2])) || !(c = emit(t, k, C_MREMAP)))
			break;
		c->addr = at(t, k, k->arg[0]);
		c->size = PAGE_UP(k->arg[1]);
		c->size2 = PAGE_UP(k->arg[2]);
		if (ret != k->arg[0] || (k->arg[3] & L_MREMAP_FIXED)) {
			c->has_addr2 = 1;
			c->addr2 = at(t, k, ret);
		}
		break;
	case SYS_MADVISE:
		sys_madvise(t, k, ret);
		break;
	case SYS_BRK: {
		struct rmm *m = &t->mm[k->mm];
		uint64_t brk = PAGE_UP(ret);
		if (brk != m->brk && brk >= m->start_brk && (c = emit(t, k, C_BRK))) {
			c->size = brk - m->start_brk;
			m->brk = brk;
		}
		break;
	}
	case SYS_UNSUPPORTED:
		if (!IS_ERR(ret))
			fail(t, "t%d used %s, which the scenario language cannot say", k->name,
			     k->sysname);
		break;
	}
	close_syscall(t, k);
}

/* ---- fork, exec, exit ---- */

static void on_fork(struct tr *t, struct rtask *parent, pid_t child_tid)
{
	struct rtask *child = task_of(t, child_tid);
	uint64_t flags = child ? child->clone_flags : 0;
	struct rcmd *c;
	int op = flags & L_CLONE_THREAD ? C_THREAD : flags & L_CLONE_VM ? C_VFORK : C_FORK;
	size_t pi = (size_t)(parent - t->task);

	if (!child && !(child = task_new(t, child_tid)))
		return;
	parent = &t->task[pi];          /* task_new may have moved the table */
	child->tree = child->live = 1;
	if (!parent->named)
		return;
	child->named = 1;
	if (!(c = emit(t, parent, op)))
		return;
	c->name2 = child->name;
	parent->sys = SYS_NONE;        /* clone's charges went to the command */
	child->last = parent->last;
	if (op == C_THREAD) {
		child->group = parent->group;
	} else if ((child->group = group_new(t)) < 0) {
		return;
	}
	t->group_tasks[child->group]++;
	if (op == C_FORK) {
		if ((child->mm = mm_new(t, t->mm[parent->mm].start_brk)) >= 0)
			t->mm[child->mm].brk = t->mm[parent->mm].brk;
	} else {
		child->mm = parent->mm;
	}
}

static struct rec_snap *snap_of(struct tr *t, pid_t pid)
{
	for (size_t i = 0; i < t->r->nsnaps; i++)
		if (t->r->snaps[i].pid == pid && !t->r->snaps[i].used) {
			t->r->snaps[i].used = 1;
			return &t->r->snaps[i];
		}
	return NULL;
}

/* exec's layout: the VMAs, then the pages it filled, in runs. */
static void layout(struct tr *t, struct rtask *k, const struct rec_snap *s)
{
	struct rcmd *c;

	for (size_t i = 0; i < s->nvma && !t->failed; i++) {
		const struct rec_vma *v = &s->vma[i];
		if (check_range(t, k, v->start, v->end - v->start))
			return;
		if (v->start == t->mm[k->mm].start_brk && v->file < 0 && !v->special) {
			if (!(c = emit(t, k, C_BRK)))      /* a heap already */
				return;
			c->size = v->end - v->start;
			t->mm[k->mm].brk = v->end;
		} else {
			if (!(c = emit(t, k, C_MMAP)))
				return;
			c->addr = at(t, k, v->start);
			c->size = v->end - v->start;
			c->prot = (uint8_t)v->prot;
			c->map_flags = (uint8_t)((v->shared || v->special ? AV_MAP_SHARED : 0) |
						 (v->growsdown ? AV_MAP_GROWSDOWN : 0));
			c->file = v->file;
			c->offset = v->offset;
		}
		c->events = 0;
	}
	for (size_t i = 0; i < s->npage && !t->failed; i++) {
		uint64_t a = PAGE_DOWN(s->page[i]);
		touch(t, k, a, PAGE, !(s->page[i] & REC_PAGE_FILE));
		t->cmd[t->ncmd - 1].events = 0;
	}
}

static void on_exec(struct tr *t, pid_t pid, pid_t old_pid)
{
	struct rtask *k = task_of(t, old_pid);
	const struct rec_snap *s;
	struct rcmd *c;

	if (!k || !k->tree)
		return;
	if (!(s = snap_of(t, pid))) {
		fail(t, "the exec of t%d has no layout (ptrace missed it)", k->name);
		return;
	}
	if (pid != old_pid) {           /* a thread exec'd: it takes the leader's id */
		if (grow(t, (void **)&t->by_tid, &t->tid_cap, (size_t)pid + 1, sizeof(int32_t)))
			return;
		t->by_tid[pid] = t->by_tid[old_pid];
		t->by_tid[old_pid] = 0;
	}
	k->in_exec = 0;
	if (!k->named) {                /* the root's first exec: where the scenario starts */
		k->named = 1;
		if (!(c = emit(t, k, C_PROC)) || (k->group = group_new(t)) < 0)
			return;
		t->group_tasks[k->group] = 1;
	} else {
		if (!(c = emit(t, k, C_EXEC)))
			return;
		for (size_t i = 0; i < t->ntask; i++) {  /* exec ends the other tasks */
			struct rtask *o = &t->task[i];
			if (o != k && o->live && o->named && o->group == k->group) {
				o->live = 0;
				t->group_tasks[k->group]--;
			}
		}
	}
	k->sys = SYS_NONE;
	if ((k->mm = mm_new(t, s->start_brk)) < 0)
		return;
	size_t first = t->ncmd - 1;
	layout(t, k, s);
	for (size_t i = first; i + 1 < t->ncmd; i++)
		t->cmd[i].glued = 1;    /* the kernel's counts hold once it is all there */
}

static void task_exit(struct tr *t, struct rtask *k)
{
	struct rcmd *c;

	if (!k->named || !k->live)
		return;
	k->live = 0;
	if (!(c = emit(t, k, C_EXIT)))
		return;
	c->process_end = --t->group_tasks[k->group] == 0;
}

/* ---- one line of the trace ---- */

static void fault(struct tr *t, struct rtask *k, const char *ev, int user)
{
	uint64_t addr = num_after(ev, "address=");
	uint64_t code = num_after(ev, "error_code=");

	if (user && k->sys)     /* back in user mode: a syscall whose exit is
				   not traced (a clone that failed) is over */
		close_syscall(t, k);

	if (!k->named || !k->live || k->in_exec || addr >= AV_TASK_SIZE)
		return;
	if (check_range(t, k, PAGE_DOWN(addr), PAGE))
		return;
	touch(t, k, PAGE_DOWN(addr), PAGE, (code & 2) != 0);
}

static void line(struct tr *t, const char *ln)
{
	pid_t tid = trace_line_pid(ln);
	struct rtask *k = task_of(t, tid);
	const char *ev = strchr(ln, ']');

	if (!ev || !(ev = strstr(ev, ": ")))
		return;
	ev += 2;
	if (strncmp(ev, "kmem_cache_", 11) == 0) {
		kmem(t, k, ln);
		return;
	}
	if (strncmp(ev, "task_newtask: ", 14) == 0) {
		pid_t child = (pid_t)num_after(ev, "pid=");
		const char *f = last_of(ev, " clone_flags=");
		struct rtask *c;
		if (!k || !k->tree || !f)
			return;
		if ((c = task_new(t, child))) {
			c->clone_flags = strtoull(f + 13, NULL, 16);
			c->tree = 1;
		}
		return;
	}
	if (!k || !k->tree)
		return;
	t->events++;
	if (strncmp(ev, "sys_", 4) == 0) {
		const char *name = ev + 4;
		size_t len = strcspn(name, "( ");
		if (name[len] == '(')
			sys_enter(t, k, name, len, name + len);
		else if (strncmp(name + len, " -> ", 4) == 0)
			sys_exit(t, k, tid, name, len, strtoull(name + len + 4, NULL, 0));
	} else if (strncmp(ev, "page_fault_", 11) == 0) {
		fault(t, k, ev, strncmp(ev + 11, "user", 4) == 0);
	} else if (strncmp(ev, "sched_process_fork: ", 20) == 0) {
		const char *c = last_of(ev, " child_pid=");
		if (c)
			on_fork(t, k, (pid_t)strtol(c + 11, NULL, 10));
	} else if (strncmp(ev, "sched_process_exec: ", 20) == 0) {
		const char *o = last_of(ev, " old_pid="), *p = last_of(ev, " pid=");
		if (o && p && p < o)
			on_exec(t, (pid_t)strtol(p + 5, NULL, 10), (pid_t)strtol(o + 9, NULL, 10));
	} else if (strncmp(ev, "sched_process_exit: ", 20) == 0) {
		task_exit(t, k);
	} else {
		t->events--;
	}
}

/* ---- writing ---- */

/* Scenario names of files: the path's last part, letters kept. */
static char **file_names(struct recording *r)
{
	char **names = calloc(r->nfiles ? r->nfiles : 1, sizeof(*names));

	if (!names)
		return NULL;
	for (size_t i = 0; i < r->nfiles; i++) {
		const char *base = strrchr(r->files[i].path, '/');
		char buf[SCN_MAX_NAME - 8];
		size_t n = 0;
		base = base ? base + 1 : r->files[i].path;
		if (!((*base >= 'A' && *base <= 'Z') || (*base >= 'a' && *base <= 'z') || *base == '_'))
			buf[n++] = 'f';
		for (; *base && *base != ' ' && n < sizeof(buf) - 1; base++)
			buf[n++] = (*base >= 'A' && *base <= 'Z') || (*base >= 'a' && *base <= 'z') ||
				   (*base >= '0' && *base <= '9') ? *base : '_';
		buf[n] = '\0';
		for (int dup = 1;; dup++) {
			char cand[SCN_MAX_NAME];
			size_t j;
			snprintf(cand, sizeof(cand), dup == 1 ? "%s" : "%s_%d", buf, dup);
			for (j = 0; j < i && strcmp(names[j], cand); j++)
				;
			if (j == i) {
				names[i] = strdup(cand);
				break;
			}
		}
		if (!names[i]) {
			for (size_t j = 0; j < i; j++)
				free(names[j]);
			free(names);
			return NULL;
		}
	}
	return names;
}

static const char *prot_word(int prot)
{
	switch (prot) {
	case AV_PROT_READ | AV_PROT_WRITE: return "rw";
	case AV_PROT_READ: return "r";
	case AV_PROT_READ | AV_PROT_EXEC: return "rx";
	case AV_PROT_READ | AV_PROT_WRITE | AV_PROT_EXEC: return "rwx";
	default: return "none";
	}
}

static void write_cmd(FILE *f, const struct rcmd *c, char *const *files)
{
	static const char *const ops[] = {
		[C_PROC] = "proc", [C_MMAP] = "mmap", [C_MUNMAP] = "munmap",
		[C_MPROTECT] = "mprotect", [C_MREMAP] = "mremap", [C_MADVISE] = "madvise",
		[C_BRK] = "brk", [C_READ] = "read", [C_WRITE] = "write", [C_FORK] = "fork",
		[C_THREAD] = "thread", [C_VFORK] = "vfork", [C_EXEC] = "exec", [C_EXIT] = "exit",
	};

	fprintf(f, "%s t%d", ops[c->op], c->name);
	switch (c->op) {
	case C_MMAP:
		fprintf(f, " %#" PRIx64 " %#" PRIx64 " %s%s%s%s%s", c->addr, c->size,
			prot_word(c->prot), c->map_flags & AV_MAP_SHARED ? " shared" : "",
			c->map_flags & AV_MAP_NORESERVE ? " noreserve" : "",
			c->map_flags & AV_MAP_STACK ? " stack" : "",
			c->map_flags & AV_MAP_GROWSDOWN ? " growsdown" : "");
		if (c->file >= 0)
			fprintf(f, " file %s %#" PRIx64, files[c->file], c->offset);
		break;
	case C_MUNMAP: case C_READ: case C_WRITE:
		fprintf(f, " %#" PRIx64 " %#" PRIx64, c->addr, c->size);
		break;
	case C_MPROTECT:
		fprintf(f, " %#" PRIx64 " %#" PRIx64 " %s", c->addr, c->size, prot_word(c->prot));
		break;
	case C_MREMAP:
		fprintf(f, " %#" PRIx64 " %#" PRIx64 " %#" PRIx64, c->addr, c->size, c->size2);
		if (c->has_addr2)
			fprintf(f, " %#" PRIx64, c->addr2);
		break;
	case C_MADVISE:
		fprintf(f, " %#" PRIx64 " %#" PRIx64 " %s", c->addr, c->size,
			scn_advice_name(c->advice));
		break;
	case C_BRK:
		fprintf(f, " %#" PRIx64, c->size);
		break;
	case C_FORK: case C_THREAD: case C_VFORK:
		fprintf(f, " t%d", c->name2);
		break;
	}
	fputc('\n', f);
}

static void write_header(FILE *f, const struct tr *t, const char *const *argv, unsigned every,
			 char *const *files, const struct rec_summary *sum)
{
	struct utsname u;

	fprintf(f, "# Recorded by anonvma record --");
	for (; *argv; argv++)           /* as a shell would take it back */
		if (**argv && strspn(*argv, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789_-./=:,+%@") == strlen(*argv)) {
			fprintf(f, " %s", *argv);
		} else {
			fputs(" '", f);
			for (const char *c = *argv; *c; c++)
				fputs(*c == '\'' ? "'\\''" : *c == '\n' ? "\\n" : (char[2]){ *c, 0 }, f);
			fputc('\'', f);
		}
	if (uname(&u) == 0)
		fprintf(f, "\n# on %s %s (%s), zero page %s, fault-around %d pages", u.sysname,
			u.release, u.machine, t->r->zero_page ? "on" : "off", t->r->fault_around);
	fprintf(f, "\n# %" PRIu64 " events, %" PRIu64 " processes, %" PRIu64 " tasks, traced for "
		"%.3f s; the "
		"expects are the kernel's live anon_vma and anon_vma_chain objects after every "
		"process's end%s", sum->events, sum->processes, sum->tasks, sum->seconds,
		every ? "" : " and at the end");
	if (every)
		fprintf(f, ", every %u events and at the end", every);
	fprintf(f, "\n# The program exited with status %d.", t->r->exit_status);
	fprintf(f, "\n# Replay: anonvma run FILE (the expects hold for linux-6.18); compare "
		"designs: anonvma compare FILE\n");
	for (size_t i = 0; i < t->r->nfiles; i++)
		fprintf(f, "# file %s: %s\n", files[i], t->r->files[i].path);
	fprintf(f, "zero_page %s\nfault_around %d\n", t->r->zero_page ? "on" : "off",
		t->r->fault_around);
}

static void write_expect(FILE *f, long av, long avc, struct rec_summary *sum)
{
	fprintf(f, "expect anon_vma == %ld\nexpect avc == %ld\n", av, avc);
	sum->expects += 2;
}

static int write_scenario(struct tr *t, const char *const *argv, unsigned every, FILE *f,
			  struct rec_summary *sum)
{
	char **files = file_names(t->r);
	long av = 0, avc = 0;
	uint64_t since = 0, ckpts = 1;

	if (!files)
		return fail(t, "out of memory naming files");
	for (size_t i = 0; i < t->ncmd; i++) {
		ckpts += t->cmd[i].process_end;
		since += t->cmd[i].events;
		if (every && since >= every && !t->cmd[i].glued) {
			ckpts++;
			since = 0;
		}
	}
	if (t->ncmd + 2 * ckpts > SCN_MAX_COMMANDS) {
		for (size_t i = 0; i < t->r->nfiles; i++)
			free(files[i]);
		free(files);
		return fail(t, "the recording has %zu commands, more than a scenario holds (%d): "
			    "record a shorter run", t->ncmd + (size_t)(2 * ckpts), SCN_MAX_COMMANDS);
	}
	sum->commands = t->ncmd;
	write_header(f, t, argv, every, files, sum);
	since = 0;
	for (size_t i = 0; i < t->ncmd; i++) {
		const struct rcmd *c = &t->cmd[i];
		write_cmd(f, c, files);
		av += c->delta[0];
		avc += c->delta[1];
		if (av > sum->peak_anon_vma)
			sum->peak_anon_vma = av;
		if (avc > sum->peak_avc)
			sum->peak_avc = avc;
		since += c->events;
		if (c->process_end || (every && since >= every && !c->glued)) {
			write_expect(f, av, avc, sum);
			since = 0;
		}
	}
	write_expect(f, av, avc, sum);
	sum->final_anon_vma = av;
	sum->final_avc = avc;
	for (size_t i = 0; i < t->r->nfiles; i++)
		free(files[i]);
	free(files);
	if (ferror(f))
		return fail(t, "writing the scenario: %s", strerror(errno));
	return 0;
}

int rec_translate(struct recording *r, const char *const *argv, unsigned every, FILE *out,
		  struct rec_summary *sum, char *err, size_t errlen)
{
	struct tr t = { .r = r, .err = err, .errlen = errlen };
	struct rtask *root;
	char *ln = NULL;
	size_t cap = 0;
	int rc = -1;

	if (!(root = task_new(&t, r->root)))
		goto out;
	root->tree = root->live = 1;
	while (!t.failed && getline(&ln, &cap, r->trace) > 0)
		line(&t, ln);
	if (t.failed)
		goto out;
	if (ferror(r->trace)) {
		fail(&t, "reading the trace back: %s", strerror(errno));
		goto out;
	}
	if (!t.ncmd) {
		fail(&t, "the trace holds no exec of the program");
		goto out;
	}
	for (size_t i = 0; i < t.ntask; i++)
		sum->tasks += t.task[i].named;
	sum->processes = t.ngroup;
	sum->events = t.events;
	rc = write_scenario(&t, argv, every, out, sum);
out:
	free(ln);
	free(t.task);
	free(t.by_tid);
	free(t.group_tasks);
	free(t.mm);
	free(t.cmd);
	live_free(&t.live);
	return rc;
}

int rec_file_index(struct recording *r, const char *path, uint64_t ino)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].ino == ino && strcmp(r->files[i].path, path) == 0)
			return (int)i;
	if (rec_grow((void **)&r->files, &r->files_cap, r->nfiles + 1, sizeof(*r->files)) ||
	    !(r->files[r->nfiles].path = strdup(path)))
		return -1;
	r->files[r->nfiles].ino = ino;
	return (int)r->nfiles++;
}

void rec_free(struct recording *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	for (size_t i = 0; i < r->nsnaps; i++) {
		free(r->snaps[i].vma);
		free(r->snaps[i].page);
	}
	free(r->files);
	free(r->fmaps);
	free(r->snaps);
	if (r->trace)
		fclose(r->trace);
	memset(r, 0, sizeof(*r));
}
