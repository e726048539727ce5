/* SPDX-License-Identifier: MIT */
/*
 * ops.h - fuzz_ops's byte form: a sequence of library calls on one world.
 *
 * Byte 0 picks the policy (bit 0 and bits 2-4) and the zero page (bit 1);
 * byte 1, if not 0, an allocation to refuse, and bit 2 of byte 2 whether
 * every later one is refused too.  Then every 4 bytes are one operation:
 *
 *   b[0] % 19   what (enum fuzz_op)
 *   b[1]        which task slot (% FUZZ_NPROCS), and flags for mmap
 *   b[2]        a page in the window (% FUZZ_WINDOW), or a second slot
 *   b[3]        a length (% 16 + 1 pages) and the protection (bits 6-7)
 *
 * in a FUZZ_WINDOW-page window, where VMAs collide, split and merge.  The
 * fuzzer (fuzz_ops.c), the scenario translator (scn2ops.c) and the test
 * that a broken policy is caught (tests/test_fuzz_ops.c) share it.
 */
#ifndef AV_FUZZ_OPS_H
#define AV_FUZZ_OPS_H
#include <stddef.h>
#include <stdint.h>
#include <anonvma/anonvma.h>

#define FUZZ_BASE    0x10000000ULL
#define FUZZ_WINDOW  64          /* pages */
#define FUZZ_NPROCS  8
#define FUZZ_MAX_OPS 512
#define FUZZ_HEADER  3           /* bytes before the first operation */

enum fuzz_op {
	FOP_PROC, FOP_FORK, FOP_EXIT, FOP_MMAP, FOP_MUNMAP, FOP_MPROTECT,
	FOP_MREMAP, FOP_MREMAP_FIXED, FOP_DONTNEED, FOP_READ, FOP_WRITE,
	FOP_RECLAIM, FOP_AGE, FOP_MIGRATE, FOP_WALK, FOP_THREAD_OR_VFORK,
	FOP_EXEC, FOP_BRK, FOP_MADVISE, FOP_NR
};

/* How the world is checked: av_check after every operation, or
 * av_check_incremental with a full av_check every full_every operations
 * and always at the end. */
enum fuzz_check { FUZZ_CHECK_FULL, FUZZ_CHECK_INCREMENTAL };

struct fuzz_run {
	enum fuzz_check mode;
	unsigned full_every;
	/* Called once the world exists, before the first operation (a test
	 * plants a broken policy here); may be NULL. */
	void (*on_world)(av_world *w, void *arg);
	/* Called after each operation whose check held; may be NULL. */
	void (*after_op)(av_world *w, void *arg);
	void *arg;
	/* Out: the operation after which a check failed, and why. */
	unsigned failed_op;
	char why[512];
};

/* Run data.  0: every check held and every byte came back; 1: the design's
 * known flaw stopped it (not a finding); -1: a check failed or memory
 * leaked (r->failed_op, r->why). */
int fuzz_ops_run(const uint8_t *data, size_t size, struct fuzz_run *r);

/* A scenario in the byte form, as near as it goes: each process name is
 * a task slot (its index, modulo FUZZ_NPROCS), each address the window
 * page of its rank among the pages the scenario uses; lengths are cut to
 * 16 pages; commands the form cannot say (expect, stats, other advice)
 * are left out, and so is everything after FUZZ_MAX_OPS operations.
 * The length written to out, or -ENOSPC, -E2BIG, -ENOMEM. */
struct scenario;
long fuzz_ops_translate(const struct scenario *s, uint8_t *out, size_t cap);

#endif
