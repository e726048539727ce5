/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops.c - libFuzzer target: bytes become a sequence of operations on
 * one world.
 *
 * Byte 0 picks the policy and the zero page; bytes 1-2 may pick an
 * allocation to refuse (and whether every later one is refused too), so
 * the fuzzer explores error paths as well.  Then every 4 bytes are one
 * operation: what (processes, threads, exec, the map operations, brk and
 * touches of the heap, fork advice, accesses, rmap walks), which task, and
 * two small numbers that become addresses and lengths in a 64-page window,
 * where VMAs collide, split and merge often.  After each operation av_check() must hold; at the end the
 * world is destroyed and every byte it took must be back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anonvma/anonvma.h>
#include <anonvma/limiter.h>

#define BASE    0x10000000ULL
#define WINDOW  64          /* pages */
#define NPROCS  8
#define MAX_OPS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz {
	av_world *w;
	struct av_limiter lim;
	av_pid pids[NPROCS];
	int files[2];           /* 0 where making it was refused */
};

/* 0: the world holds; 1: the 3.19 policy reached CVE-2022-42703's double
 * reuse, which it allows (stop there: not a finding).  Anything else is. */
static int check(struct fuzz *f, unsigned op)
{
	int rc;

	f->lim.paused = true;
	rc = av_check(f->w);
	f->lim.paused = false;
	if (!rc)
		return 0;
	if (av_check_known_flaw(f->w))
		return 1;
	fprintf(stderr, "after op %u: %s\n", op, av_world_error(f->w));
	abort();
}

static uint64_t page_addr(uint8_t v) { return BASE + (uint64_t)(v % WINDOW) * AV_PAGE_SIZE; }
static uint64_t page_len(uint8_t v) { return (uint64_t)(v % 16 + 1) * AV_PAGE_SIZE; }

/* One operation; its result is not judged (refusals are normal), only
 * what it leaves behind. */
static void one_op(struct fuzz *f, const uint8_t *b)
{
	av_world *w = f->w;
	av_pid *pid = &f->pids[b[1] % NPROCS], child;
	uint64_t a = page_addr(b[2]), len = page_len(b[3]), n;
	int prot = b[3] >> 6 == 0 ? AV_PROT_NONE : b[3] >> 6 == 1 ? AV_PROT_READ
						 : AV_PROT_READ | AV_PROT_WRITE;

	switch (b[0] % 19) {
	case 0:
		if (*pid < 0 && av_proc_create(w, &child) == 0)
			*pid = child;
		break;
	case 1: {
		av_pid *slot = &f->pids[b[2] % NPROCS];
		if (*slot < 0 && av_fork(w, *pid, &child) == 0)
			*slot = child;
		break;
	}
	case 2:
		if (av_exit(w, *pid) == 0)
			*pid = -1;
		break;
	case 3:
		/* Low bits of b[2]: anonymous, shared anonymous, or a file,
		 * private or shared, at an offset from b[3]. */
		switch (b[2] & 3) {
		case 0:  /* private, perhaps never charged, a stack, growing down */
			av_mmap_file(w, *pid, a, len, prot,
				     (b[1] & 0x40 ? AV_MAP_NORESERVE : 0) |
				     (b[1] & 0x80 ? AV_MAP_STACK : 0) |
				     (b[1] & 0x20 ? AV_MAP_GROWSDOWN : 0), 0, 0);
			break;
		case 1:  av_mmap_file(w, *pid, a, len, prot, AV_MAP_SHARED, 0, 0); break;
		default:
			av_mmap_file(w, *pid, a, len, prot, (b[3] & 1) ? AV_MAP_SHARED : 0,
				     f->files[(b[3] >> 1) & 1], (uint64_t)(b[3] % 32) * AV_PAGE_SIZE);
			break;
		}
		break;
	case 4:  av_munmap(w, *pid, a, len); break;
	case 5:  av_mprotect(w, *pid, a, len, prot); break;
	case 6:  av_mremap(w, *pid, a, len, page_len(b[2] >> 4), 0, 0); break;
	case 7:
		av_mremap(w, *pid, a, len, len, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED,
			  page_addr((uint8_t)(b[2] + 17 + b[3])));
		break;
	case 8:  av_madvise_dontneed(w, *pid, a, len); break;
	case 9:  av_touch(w, *pid, a, len, 0); break;
	case 10: av_touch(w, *pid, a, len, 1); break;
	case 11: av_reclaim(w, *pid, a, len, &n); break;
	case 12: av_age(w, *pid, a, len, &n); break;
	case 13: av_migrate(w, *pid, a, len, &n); break;
	case 14: av_walk_page(w, b[2] % 256, (enum av_walk_op)(b[3] % 3)); break;
	case 15: {
		av_pid *slot = &f->pids[b[2] % NPROCS];
		if (*slot < 0 && ((b[3] & 1) ? av_vfork(w, *pid, &child)
					       : av_thread_create(w, *pid, &child)) == 0)
			*slot = child;
		break;
	}
	case 16:
		if (av_exec(w, *pid) == 0)      /* its other tasks are gone */
			for (int i = 0; i < NPROCS; i++)
				if (f->pids[i] >= 0 && av_task_process(w, f->pids[i]) < 0)
					f->pids[i] = -1;
		break;
	case 17:
		if (av_brk(w, *pid, (uint64_t)(b[2] % 16) * AV_PAGE_SIZE) == 0 && (b[3] & 1))
			av_touch(w, *pid, AV_HEAP_START, AV_PAGE_SIZE * (1 + (b[3] >> 1) % 4),
				 b[3] & 2);
		break;
	case 18: {
		static const int advice[] = { AV_MADV_DONTFORK, AV_MADV_DOFORK,
					      AV_MADV_WIPEONFORK, AV_MADV_KEEPONFORK };
		av_madvise(w, *pid, a, len, advice[b[2] >> 6]);
		break;
	}
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz f;
	struct av_world_config cfg;
	unsigned ops = 0;

	if (size < 3)
		return 0;
	av_limiter_init(&f.lim, NULL);
	if (data[1])
		f.lim.fail_nth = (uint64_t)data[1] * 4 + (data[2] & 3);
	f.lim.fail_after = data[2] & 4;
	av_world_config_init(&cfg);
	cfg.policy = policy_of(data[0]);
	cfg.zero_page = (data[0] & 2) != 0;
	cfg.max_frames = 1024;
	cfg.max_swap_slots = 1024;
	cfg.allocator = &f.lim.allocator;
	if (av_world_create(&cfg, &f.w))
		return 0;       /* the refused allocation was the world's own */
	for (int i = 0; i < NPROCS; i++)
		f.pids[i] = -1;
	for (int i = 0; i < 2; i++)
		if (av_file_create(f.w, 48 * AV_PAGE_SIZE, &f.files[i]))
			f.files[i] = 0;
	for (size_t i = 3; i + 4 <= size && ops < MAX_OPS; i += 4, ops++) {
		one_op(&f, data + i);
		if (check(&f, ops))
			break;
	}
	av_world_destroy(f.w);
	if (f.lim.live_bytes || f.lim.live_allocs) {
		fprintf(stderr, "%llu bytes in %llu blocks never freed\n",
			(unsigned long long)f.lim.live_bytes, (unsigned long long)f.lim.live_allocs);
		abort();
	}
	return 0;
}
