/* SPDX-License-Identifier: MIT */
/*
 * fork_fixture.h - the world test_check.c and test_check_corrupt.c break:
 * P maps [A, A+4) written, then forks C, which writes page 0 (a copy);
 * pages 1-3 are shared.  After testutil.h and the internal mm headers.
 */
#ifndef AV_FORK_FIXTURE_H
#define AV_FORK_FIXTURE_H

#define A 0x40000000ULL

struct fixture {
	av_world *w;
	int p, c;
	struct av_mm *pm, *cm;
	struct av_vma *pv, *cv;
	struct anon_vma *root;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->w = new_world(g_policy);
	OK(f->w, av_proc_create(f->w, &f->p));
	OK(f->w, av_mmap(f->w, f->p, A, 4 * PG, RW));
	OK(f->w, av_touch(f->w, f->p, A, 4 * PG, 1));
	OK(f->w, av_fork(f->w, f->p, &f->c));
	OK(f->w, av_touch(f->w, f->c, A, PG, 1));
	f->pm = av_mm_lookup(f->w, f->p);
	f->cm = av_mm_lookup(f->w, f->c);
	f->pv = av_vma_find(f->pm, A);
	f->cv = av_vma_find(f->cm, A);
	f->root = f->pv->anon_vma;
	assert_ptr_equal(f->root, f->root->root);
	CHECK(f->w);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	CHECK(f->w);
	av_world_destroy(f->w);
	free(f);
	return 0;
}

#endif
