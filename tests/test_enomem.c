/* SPDX-License-Identifier: MIT */
/*
 * test_enomem.c - every allocation may fail (SQLite style).
 *
 * A scenario that reaches every operation is run once to count its
 * allocations, then once per allocation with exactly that one failing.  Each
 * time: the failing call returns -ENOMEM (never anything worse), av_check()
 * holds after every call, the world can go on and be destroyed, and no byte
 * stays allocated.  A sticky variant fails everything after the Nth.
 */
#include "testutil.h"
#include <anonvma/limiter.h>

#define A 0x40000000ULL

struct run {
	av_world *w;
	int degraded;   /* an allocation failed: later calls may find less */
	uint64_t calls;
};

static void step_done(struct run *r, int rc, const char *what)
{
	r->calls++;
	if (rc == -ENOMEM) {
		r->degraded = 1;
		/* The failing function must say what it could not get. */
		assert_true(strlen(av_world_error(r->w)) > 0);
	} else if (rc != 0 && !(r->degraded && (rc == -ESRCH || rc == -EFAULT ||
						 rc == -EEXIST || rc == -EAGAIN))) {
		fail_msg("%s: %d: %s", what, rc, av_world_error(r->w));
	}
	int c = av_check(r->w);
	if (c == -ENOMEM)
		c = av_check(r->w);  /* the check's own allocation was the one */
	if (c != 0)
		fail_msg("after %s: %s", what, av_world_error(r->w));
}

#define STEP(r, call) step_done(r, (call), #call)

static void scenario(struct run *r)
{
	av_world *w = r->w;
	int p = 0, c = 0, g = 0;
	uint64_t n;

	STEP(r, av_proc_create(w, &p));
	STEP(r, av_mmap(w, p, A, 16 * PG, RW));
	STEP(r, av_mmap(w, p, A + 16 * PG, 4 * PG, RO));
	STEP(r, av_touch(w, p, A, 16 * PG, 1));
	STEP(r, av_touch(w, p, A + 16 * PG, 4 * PG, 0));
	STEP(r, av_fork(w, p, &c));
	STEP(r, av_touch(w, c, A, 4 * PG, 1));
	STEP(r, av_fork(w, c, &g));
	STEP(r, av_touch(w, g, A + 4 * PG, 2 * PG, 1));
	STEP(r, av_mprotect(w, c, A + 2 * PG, 2 * PG, RO));
	STEP(r, av_mprotect(w, c, A + 2 * PG, 2 * PG, RW));
	STEP(r, av_mremap(w, g, A + 8 * PG, 4 * PG, 4 * PG, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED,
			  A + 64 * PG));
	STEP(r, av_mremap(w, p, A + 16 * PG, 4 * PG, 8 * PG, 0, 0));
	STEP(r, av_munmap(w, c, A + 5 * PG, 2 * PG));
	STEP(r, av_reclaim(w, p, A, 8 * PG, &n));
	STEP(r, av_touch(w, c, A + 7 * PG, 4 * PG, 0));
	STEP(r, av_touch(w, p, A + 4 * PG, 2 * PG, 1));
	STEP(r, av_migrate(w, p, A + 8 * PG, 4 * PG, &n));
	STEP(r, av_age(w, g, A, 16 * PG, &n));
	STEP(r, av_madvise_dontneed(w, g, A, 4 * PG));
	STEP(r, av_exit(w, c));
	STEP(r, av_touch(w, g, A, 8 * PG, 1));
	STEP(r, av_mmap(w, p, A + 128 * PG, 4 * PG, RW));
	STEP(r, av_touch(w, p, A + 128 * PG, PG, 1));
	STEP(r, av_exit(w, p));
}

static uint64_t run_once(uint64_t fail_at, int sticky, int zero_page, uint64_t *failures)
{
	struct av_limiter lim;
	struct av_world_config cfg;
	struct run r = { 0 };

	av_limiter_init(&lim, NULL);
	lim.fail_nth = fail_at;
	lim.fail_after = sticky;
	av_world_config_init(&cfg);
	cfg.policy = g_policy;
	cfg.zero_page = zero_page;
	cfg.allocator = &lim.allocator;
	int rc = av_world_create(&cfg, &r.w);
	if (rc == 0) {
		if (!sticky) {
			scenario(&r);
		} else {
			/* With everything failing, only check that calls fail cleanly. */
			int p = 0;
			if (av_proc_create(r.w, &p) == 0) {
				av_mmap(r.w, p, A, 4 * PG, RW);
				av_touch(r.w, p, A, 4 * PG, 1);
				av_fork(r.w, p, &p);
			}
		}
		av_world_destroy(r.w);
	} else {
		assert_int_equal(rc, -ENOMEM);
	}
	assert_int_equal(lim.live_bytes, 0);
	assert_int_equal(lim.live_allocs, 0);
	*failures = lim.refused_nth;
	return lim.allocations;
}

static void every_allocation_fails_once(void **state)
{
	uint64_t f, cases = 0;
	(void)state;

	for (int zp = 0; zp <= 1; zp++) {
		uint64_t total = run_once(0, 0, zp, &f);
		/* The scenario's objects and tables, and the checker's memory
		 * (kept between checks, so taken only when it must grow). */
		assert_true(total > 40);
		for (uint64_t k = 1; k <= total; k++) {
			run_once(k, 0, zp, &f);
			assert_int_equal(f, 1);
			cases++;
		}
	}
	print_message("%s: %llu single-failure cases, all clean\n", g_policy,
		      (unsigned long long)cases);
}

static void sticky_failures(void **state)
{
	uint64_t f;
	(void)state;
	for (uint64_t k = 1; k <= 40; k++)
		run_once(k, 1, 1, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_allocation_fails_once),
		cmocka_unit_test(sticky_failures),
	};
	return RUN_ALL_POLICIES("enomem", tests);
}
