/* SPDX-License-Identifier: MIT */
/*
 * test_seed.c - the claims of "track the root (oldest) anon_vma", checked
 * under both policies:
 *  - anon_vma_prepare makes an anon_vma its own root;
 *  - an anon_vma made at fork has the parent's root, at every depth;
 *  - the root is freed last, whatever order the processes exit in.
 */
#include "testutil.h"

#define BASE 0x10000000ULL

static const char *policy_of(void **state)
{
	(void)state;
	return g_policy;
}

static void prepare_makes_own_root(void **state)
{
	av_world *w = new_world(policy_of(state));
	int p;

	OK(w, av_proc_create(w, &p));
	OK(w, av_mmap(w, p, BASE, 4 * PG, RW));
	assert_int_equal(live(w, AV_OBJ_ANON_VMA), 0);
	OK(w, av_touch(w, p, BASE, PG, 1));
	struct vma_probe v = vma_at(w, p, BASE);
	struct av_find a = anon_vma(w, v.info.anon_vma);
	assert_true(a.found);
	assert_int_equal(a.info.root, a.info.id);
	assert_int_equal(a.info.parent, a.info.id);
	assert_int_equal(v.info.chain_len, 1);
	assert_int_equal(v.chain[0], a.info.id);
	CHECK(w);
	av_world_destroy(w);
}

static void fork_root_at_every_depth(void **state)
{
	av_world *w = new_world(policy_of(state));
	int pid[12];
	uint64_t root;

	OK(w, av_proc_create(w, &pid[0]));
	OK(w, av_mmap(w, pid[0], BASE, 8 * PG, RW));
	OK(w, av_touch(w, pid[0], BASE, 8 * PG, 1));
	root = vma_at(w, pid[0], BASE).info.anon_vma;
	for (int d = 1; d < 12; d++) {
		OK(w, av_fork(w, pid[d - 1], &pid[d]));
		OK(w, av_touch(w, pid[d], BASE + (uint64_t)(d % 8) * PG, PG, 1));
		struct vma_probe v = vma_at(w, pid[d], BASE);
		struct av_find a = anon_vma(w, v.info.anon_vma);
		assert_true(a.found);
		assert_int_equal(a.info.root, root);
		/* Its parent is the parent VMA's anon_vma, and the chain holds
		 * every generation, newest first, ending at the root. */
		assert_int_equal(a.info.parent, vma_at(w, pid[d - 1], BASE).info.anon_vma);
		assert_int_equal(v.info.chain_len, (size_t)d + 1);
		assert_int_equal(v.chain[0], a.info.id);
		assert_int_equal(v.chain[d], root);
		CHECK(w);
	}
	av_world_destroy(w);
}

/* Every permutation of exit order for a chain of 4 processes: after each
 * exit, any anon_vma still alive has its root alive too. */
static int root_alive_cb(const struct av_anon_vma_info *a, void *arg)
{
	av_world *w = arg;
	return anon_vma(w, a->root).found ? 0 : 1;
}

static void next_perm(int *a, int n)
{
	int i = n - 2, j = n - 1;
	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return;
	while (a[j] <= a[i])
		j--;
	int t = a[i]; a[i] = a[j]; a[j] = t;
	for (int l = i + 1, r = n - 1; l < r; l++, r--) {
		t = a[l]; a[l] = a[r]; a[r] = t;
	}
}

static void root_freed_last_any_exit_order(void **state)
{
	int order[4] = { 0, 1, 2, 3 };

	for (int perm = 0; perm < 24; perm++, next_perm(order, 4)) {
		av_world *w = new_world(policy_of(state));
		int pid[4];
		uint64_t root;

		OK(w, av_proc_create(w, &pid[0]));
		OK(w, av_mmap(w, pid[0], BASE, 4 * PG, RW));
		OK(w, av_touch(w, pid[0], BASE, 4 * PG, 1));
		root = vma_at(w, pid[0], BASE).info.anon_vma;
		for (int d = 1; d < 4; d++) {
			OK(w, av_fork(w, pid[d - 1], &pid[d]));
			OK(w, av_touch(w, pid[d], BASE + (uint64_t)d * PG, PG, 1));
		}
		assert_int_equal(live(w, AV_OBJ_ANON_VMA), 4);
		for (int i = 0; i < 4; i++) {
			OK(w, av_exit(w, pid[order[i]]));
			CHECK(w);
			assert_int_equal(av_anon_vma_foreach(w, root_alive_cb, w), 0);
			if (live(w, AV_OBJ_ANON_VMA))
				assert_true(anon_vma(w, root).found);
		}
		assert_int_equal(live(w, AV_OBJ_ANON_VMA), 0);
		assert_int_equal(live(w, AV_OBJ_AVC), 0);
		assert_int_equal(live(w, AV_OBJ_PAGE), 0);
		av_world_destroy(w);
	}
}

/* The root stays while a descendant lives even after every VMA of the root's
 * own process is gone: the descendants' references pin it. */
static void root_pinned_by_descendants(void **state)
{
	av_world *w = new_world(policy_of(state));
	int a, b;

	OK(w, av_proc_create(w, &a));
	OK(w, av_mmap(w, a, BASE, 2 * PG, RW));
	OK(w, av_touch(w, a, BASE, 2 * PG, 1));
	uint64_t root = vma_at(w, a, BASE).info.anon_vma;
	OK(w, av_fork(w, a, &b));
	OK(w, av_exit(w, a));
	struct av_find r = anon_vma(w, root);
	assert_true(r.found);
	/* One reference for its non-empty AVC set, one from b's anon_vma. */
	assert_int_equal(r.info.refcount, 2);
	CHECK(w);
	OK(w, av_exit(w, b));
	assert_false(anon_vma(w, root).found);
	CHECK(w);
	av_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prepare_makes_own_root),
		cmocka_unit_test(fork_root_at_every_depth),
		cmocka_unit_test(root_freed_last_any_exit_order),
		cmocka_unit_test(root_pinned_by_descendants),
	};
	/* The seed tracks the root of a tree of anon_vmas grown by fork: not in
	 * 2.6.33 (one per family) nor lazy (a child has none until it writes). */
	return RUN_POLICIES_EXCEPT("seed", tests, "2.6.33", "lazy");
}
