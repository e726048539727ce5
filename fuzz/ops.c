/* SPDX-License-Identifier: MIT */
/*
 * ops.c - run fuzz_ops's byte form (ops.h) on one world, checking it.
 *
 * Operations' results are not judged (refusals are normal), only what
 * they leave behind: av_check (or its incremental form) after each one,
 * and at the end every byte the world took must be back.  And a scenario
 * translated to the byte form, as near as it goes, to seed the fuzzer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anonvma/limiter.h>
#include "ops.h"
#include "scn/scenario.h"

struct fuzz {
	av_world *w;
	struct av_limiter lim;
	av_pid pids[FUZZ_NPROCS];
	int files[2];           /* 0 where making it was refused */
};

static uint64_t page_addr(uint8_t v)
{
	return FUZZ_BASE + (uint64_t)(v % FUZZ_WINDOW) * AV_PAGE_SIZE;
}

static uint64_t page_len(uint8_t v)
{
	return (uint64_t)(v % 16 + 1) * AV_PAGE_SIZE;
}

static int prot_of(uint8_t v)
{
	return v >> 6 == 0 ? AV_PROT_NONE : v >> 6 == 1 ? AV_PROT_READ
			   : AV_PROT_READ | AV_PROT_WRITE;
}

/* Low bits of b[2]: anonymous, shared anonymous, or a file, private or
 * shared, at an offset from b[3]. */
static void op_mmap(struct fuzz *f, av_pid pid, const uint8_t *b)
{
	uint64_t a = page_addr(b[2]), len = page_len(b[3]);
	int prot = prot_of(b[3]);

	switch (b[2] & 3) {
	case 0:  /* private, perhaps never charged, a stack, growing down */
		av_mmap_file(f->w, pid, a, len, prot,
			     (b[1] & 0x40 ? AV_MAP_NORESERVE : 0) |
			     (b[1] & 0x80 ? AV_MAP_STACK : 0) |
			     (b[1] & 0x20 ? AV_MAP_GROWSDOWN : 0), 0, 0);
		break;
	case 1:
		av_mmap_file(f->w, pid, a, len, prot, AV_MAP_SHARED, 0, 0);
		break;
	default:
		av_mmap_file(f->w, pid, a, len, prot, (b[3] & 1) ? AV_MAP_SHARED : 0,
			     f->files[(b[3] >> 1) & 1], (uint64_t)(b[3] % 32) * AV_PAGE_SIZE);
		break;
	}
}

/* A new task in the slot b[2] names, if it is free. */
static void op_new_task(struct fuzz *f, av_pid pid, const uint8_t *b)
{
	av_pid *slot = &f->pids[b[2] % FUZZ_NPROCS], child;
	int err;

	if (*slot >= 0)
		return;
	switch (b[0] % FOP_NR) {
	case FOP_FORK:
		err = av_fork(f->w, pid, &child);
		break;
	default:
		err = (b[3] & 1) ? av_vfork(f->w, pid, &child) : av_thread_create(f->w, pid, &child);
		break;
	}
	if (!err)
		*slot = child;
}

static void op_exec(struct fuzz *f, av_pid pid)
{
	if (av_exec(f->w, pid))
		return;
	for (int i = 0; i < FUZZ_NPROCS; i++)   /* its other tasks are gone */
		if (f->pids[i] >= 0 && av_task_process(f->w, f->pids[i]) < 0)
			f->pids[i] = -1;
}

static void one_op(struct fuzz *f, const uint8_t *b)
{
	static const int advice[] = { AV_MADV_DONTFORK, AV_MADV_DOFORK,
				      AV_MADV_WIPEONFORK, AV_MADV_KEEPONFORK };
	av_world *w = f->w;
	av_pid *pid = &f->pids[b[1] % FUZZ_NPROCS], child;
	uint64_t a = page_addr(b[2]), len = page_len(b[3]), n;

	switch ((enum fuzz_op)(b[0] % FOP_NR)) {
	case FOP_PROC:
		if (*pid < 0 && av_proc_create(w, &child) == 0)
			*pid = child;
		break;
	case FOP_FORK:
	case FOP_THREAD_OR_VFORK:
		op_new_task(f, *pid, b);
		break;
	case FOP_EXIT:
		if (av_exit(w, *pid) == 0)
			*pid = -1;
		break;
	case FOP_MMAP:      op_mmap(f, *pid, b); break;
	case FOP_MUNMAP:    av_munmap(w, *pid, a, len); break;
	case FOP_MPROTECT:  av_mprotect(w, *pid, a, len, prot_of(b[3])); break;
	case FOP_MREMAP:    av_mremap(w, *pid, a, len, page_len(b[2] >> 4), 0, 0); break;
	case FOP_MREMAP_FIXED:
		av_mremap(w, *pid, a, len, len, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED,
			  page_addr((uint8_t)(b[2] + 17 + b[3])));
		break;
	case FOP_DONTNEED:  av_madvise_dontneed(w, *pid, a, len); break;
	case FOP_READ:      av_touch(w, *pid, a, len, 0); break;
	case FOP_WRITE:     av_touch(w, *pid, a, len, 1); break;
	case FOP_RECLAIM:   av_reclaim(w, *pid, a, len, &n); break;
	case FOP_AGE:       av_age(w, *pid, a, len, &n); break;
	case FOP_MIGRATE:   av_migrate(w, *pid, a, len, &n); break;
	case FOP_WALK:      av_walk_page(w, b[2] % 256, (enum av_walk_op)(b[3] % 3)); break;
	case FOP_EXEC:      op_exec(f, *pid); break;
	case FOP_BRK:
		if (av_brk(w, *pid, (uint64_t)(b[2] % 16) * AV_PAGE_SIZE) == 0 && (b[3] & 1))
			av_touch(w, *pid, AV_HEAP_START, AV_PAGE_SIZE * (1 + (b[3] >> 1) % 4),
				 b[3] & 2);
		break;
	case FOP_MADVISE:   av_madvise(w, *pid, a, len, advice[b[2] >> 6]); break;
	case FOP_NR:        break;
	}
}

/* Bit 0 and bits 2-4 of the first byte: any policy (bit 1 is the zero page). */
static const char *policy_of(uint8_t b)
{
	const char *const *names = av_policy_names();
	size_t n = 0;

	while (names[n])
		n++;
	return names[((b & 1) | ((b >> 1) & 0xe)) % n];
}

/* 0: the world holds; 1: the design's known flaw (CVE-2022-42703's double
 * reuse, which 3.19 allows: stop there); -1: a finding. */
static int check(struct fuzz *f, struct fuzz_run *r, unsigned op, bool last)
{
	bool full = r->mode == FUZZ_CHECK_FULL || last ||
		    (r->full_every && (op + 1) % r->full_every == 0);
	int rc;

	f->lim.paused = true;
	rc = full ? av_check(f->w) : av_check_incremental(f->w);
	f->lim.paused = false;
	if (!rc)
		return 0;
	if (rc == -EUCLEAN && av_check_known_flaw(f->w))
		return 1;
	r->failed_op = op;
	snprintf(r->why, sizeof(r->why), "after op %u (%s check): %s", op,
		 full ? "full" : "incremental", av_world_error(f->w));
	return -1;
}

static int world_create(struct fuzz *f, const uint8_t *data)
{
	struct av_world_config cfg;

	av_limiter_init(&f->lim, NULL);
	if (data[1])
		f->lim.fail_nth = (uint64_t)data[1] * 4 + (data[2] & 3);
	f->lim.fail_after = data[2] & 4;
	av_world_config_init(&cfg);
	cfg.policy = policy_of(data[0]);
	cfg.zero_page = (data[0] & 2) != 0;
	cfg.max_frames = 1024;
	cfg.max_swap_slots = 1024;
	cfg.allocator = &f->lim.allocator;
	if (av_world_create(&cfg, &f->w))
		return -1;      /* the refused allocation was the world's own */
	for (int i = 0; i < FUZZ_NPROCS; i++)
		f->pids[i] = -1;
	for (int i = 0; i < 2; i++)
		if (av_file_create(f->w, 48 * AV_PAGE_SIZE, &f->files[i]))
			f->files[i] = 0;
	return 0;
}

int fuzz_ops_run(const uint8_t *data, size_t size, struct fuzz_run *r)
{
	struct fuzz f;
	size_t nops = size < FUZZ_HEADER ? 0 : (size - FUZZ_HEADER) / 4;
	int rc = 0;

	r->failed_op = 0;
	r->why[0] = '\0';
	if (size < FUZZ_HEADER || world_create(&f, data))
		return 0;
	if (nops > FUZZ_MAX_OPS)
		nops = FUZZ_MAX_OPS;
	if (r->on_world)
		r->on_world(f.w, r->arg);
	if (r->mode == FUZZ_CHECK_INCREMENTAL)
		rc = check(&f, r, 0, nops == 0);        /* starts the change log */
	for (unsigned op = 0; op < nops && !rc; op++) {
		one_op(&f, data + FUZZ_HEADER + 4 * op);
		rc = check(&f, r, op, op + 1 == nops);
		if (!rc && r->after_op)
			r->after_op(f.w, r->arg);
	}
	av_world_destroy(f.w);
	if (f.lim.live_bytes || f.lim.live_allocs) {
		snprintf(r->why, sizeof(r->why), "%llu bytes in %llu blocks never freed",
			 (unsigned long long)f.lim.live_bytes, (unsigned long long)f.lim.live_allocs);
		return -1;
	}
	return rc;
}

/* ---- a scenario in the byte form ---- */

/* The window page standing for addr: its rank among the scenario's pages,
 * so that neighbours stay neighbours (until the window wraps). */
static uint8_t window_page(const uint64_t *pages, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	addr &= ~(uint64_t)(AV_PAGE_SIZE - 1);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pages[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint8_t)(lo % FUZZ_WINDOW);
}

/* b[3]: a length of 1 to 16 pages and a protection. */
static uint8_t len_prot(uint64_t size, int prot)
{
	uint64_t pages = size / AV_PAGE_SIZE;
	unsigned p = !(prot & AV_PROT_READ) ? 0 : (prot & AV_PROT_WRITE) ? 2 : 1;

	pages = pages == 0 ? 1 : pages > 16 ? 16 : pages;
	return (uint8_t)(p << 6 | (pages - 1));
}

static uint8_t mmap_flags(const struct scn_cmd *c)
{
	return (uint8_t)((c->map_flags & AV_MAP_NORESERVE ? 0x40 : 0) |
			 (c->map_flags & AV_MAP_STACK ? 0x80 : 0) |
			 (c->map_flags & AV_MAP_GROWSDOWN ? 0x20 : 0));
}

/* One command as an operation (0 if the byte form cannot say it). */
static int translate_cmd(const struct scn_cmd *c, const uint64_t *pages, size_t n, uint8_t *b)
{
	uint8_t slot = (uint8_t)(c->proc < 0 ? 0 : c->proc % FUZZ_NPROCS);
	uint8_t other = (uint8_t)(c->proc2 < 0 ? 0 : c->proc2 % FUZZ_NPROCS);
	uint8_t page = window_page(pages, n, c->addr), lp = len_prot(c->size, c->prot);
	static const struct { enum scn_op scn; enum fuzz_op op; } same[] = {
		{ SCN_MUNMAP, FOP_MUNMAP }, { SCN_MPROTECT, FOP_MPROTECT },
		{ SCN_DONTNEED, FOP_DONTNEED }, { SCN_READ, FOP_READ },
		{ SCN_WRITE, FOP_WRITE }, { SCN_RECLAIM, FOP_RECLAIM },
		{ SCN_AGE, FOP_AGE }, { SCN_MIGRATE, FOP_MIGRATE },
	};

	b[1] = slot;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (c->op == same[i].scn) {
			/* A protection only where one is given; a touch of no
			 * length is one page. */
			b[0] = (uint8_t)same[i].op, b[2] = page;
			b[3] = len_prot(c->size ? c->size : AV_PAGE_SIZE,
					c->op == SCN_MPROTECT ? c->prot : 0);
			return 1;
		}
	switch (c->op) {
	case SCN_PROC:   b[0] = FOP_PROC; b[2] = b[3] = 0; return 1;
	case SCN_EXIT:   b[0] = FOP_EXIT; b[2] = b[3] = 0; return 1;
	case SCN_EXEC:   b[0] = FOP_EXEC; b[2] = b[3] = 0; return 1;
	case SCN_FORK:   b[0] = FOP_FORK; b[2] = other; b[3] = 0; return 1;
	case SCN_VFORK:  b[0] = FOP_THREAD_OR_VFORK; b[2] = other; b[3] = 1; return 1;
	case SCN_THREAD: b[0] = FOP_THREAD_OR_VFORK; b[2] = other; b[3] = 0; return 1;
	case SCN_BRK:
		b[0] = FOP_BRK;
		b[2] = (uint8_t)(c->size / AV_PAGE_SIZE % 16);
		b[3] = 0;
		return 1;
	case SCN_MMAP:
		/* The low bits of b[2] say the kind: the page moves to fit. */
		b[0] = FOP_MMAP;
		b[1] = slot | mmap_flags(c);
		b[2] = (uint8_t)((page & ~3u) | (c->file >= 0 ? 2 + (c->map_flags & AV_MAP_SHARED ? 1 : 0)
							       : (c->map_flags & AV_MAP_SHARED ? 1 : 0)));
		b[3] = lp;
		return 1;
	case SCN_MREMAP:
		b[0] = FOP_MREMAP;
		b[2] = (uint8_t)(page % 16 | len_prot(c->size2, 0) << 4);
		b[3] = len_prot(c->size, 0);
		return 1;
	case SCN_MADVISE: {
		static const int advice[] = { AV_MADV_DONTFORK, AV_MADV_DOFORK,
					      AV_MADV_WIPEONFORK, AV_MADV_KEEPONFORK };
		for (unsigned i = 0; i < 4; i++)
			if (c->advice == advice[i]) {
				b[0] = FOP_MADVISE, b[2] = (uint8_t)(i << 6 | page);
				b[3] = len_prot(c->size, 0);
				return 1;
			}
		return 0;
	}
	default:
		return 0;
	}
}

/* Byte 0: the scenario's policy and zero page; no allocation refused. */
static uint8_t header_byte(const struct scenario *s)
{
	const char *const *names = av_policy_names();
	const char *want = s->policy ? s->policy : "linux-6.18";
	unsigned i = 0;

	while (names[i] && strcmp(names[i], want) != 0)
		i++;
	if (!names[i])
		i = 0;
	/* policy_of reads bit 0 and bits 2-4 as one number. */
	return (uint8_t)((i & 1) | (i >> 1) << 2 | (s->has_zero_page && !s->zero_page ? 0 : 2));
}

long fuzz_ops_translate(const struct scenario *s, uint8_t *out, size_t cap)
{
	uint64_t *pages;
	size_t npages, len = FUZZ_HEADER;
	int err = scn_pages(s, 1u << 20, &pages, &npages);

	if (err)
		return err;
	if (cap < FUZZ_HEADER) {
		free(pages);
		return -ENOSPC;
	}
	out[0] = header_byte(s);
	out[1] = out[2] = 0;
	for (size_t i = 0; i < s->n && len + 4 <= cap && (len - FUZZ_HEADER) / 4 < FUZZ_MAX_OPS; i++)
		len += 4 * (size_t)translate_cmd(&s->cmds[i], pages, npages, out + len);
	free(pages);
	return (long)len;
}
