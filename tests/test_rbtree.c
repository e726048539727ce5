/* SPDX-License-Identifier: MIT */
/*
 * test_rbtree.c - cmocka unit tests for the red-black tree (rbtree.c) and
 * the interval tree built on it (itree.c).
 * anonvma project, 2026-11-25.
 *
 * All tests are deterministic (fixed-seed xorshift64) and fast.  Trees are
 * validated after every operation; the interval tree's overlap queries are
 * compared against a brute-force scan.  Ordering invariant checked: in-order
 * traversal is sorted by key / start, ties in insertion order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/itree.h"
#include "lib/rbtree.h"

/* ---------------------------------------------------------------- helpers */

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15u;
}

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static size_t rng_below(size_t n)
{
	return (size_t)(rng_next() % n);
}

static void shuffle(int *a, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = rng_below(i);
		int tmp = a[i - 1];

		a[i - 1] = a[j];
		a[j] = tmp;
	}
}

/* Integer-keyed node augmented with its subtree size. */
struct knode {
	struct av_rb_node rb;
	int key;
	size_t size;
};

static struct knode *kn(const struct av_rb_node *rb)
{
	return rb != NULL ? av_rb_entry(rb, struct knode, rb) : NULL;
}

static size_t size_of(const struct av_rb_node *rb)
{
	return rb != NULL ? kn(rb)->size : 0;
}

static bool size_aug(struct av_rb_node *rb)
{
	size_t s = 1 + size_of(rb->left) + size_of(rb->right);

	if (kn(rb)->size == s)
		return false;
	kn(rb)->size = s;
	return true;
}

static void k_insert(struct av_rb_root *root, struct knode *n,
		     av_rb_augment_fn aug)
{
	struct av_rb_node **link = &root->node;
	struct av_rb_node *parent = NULL;

	while (*link != NULL) {
		parent = *link;
		link = n->key < kn(parent)->key ? &parent->left : &parent->right;
	}
	n->size = 1;
	av_rb_insert(root, &n->rb, parent, link, aug);
}

static struct knode *k_find(const struct av_rb_root *root, int key)
{
	struct av_rb_node *rb = root->node;

	while (rb != NULL && kn(rb)->key != key)
		rb = key < kn(rb)->key ? rb->left : rb->right;
	return kn(rb);
}

/* Returns true iff every stored size equals the true subtree size. */
static bool sizes_ok(const struct av_rb_node *rb, size_t *out)
{
	size_t l, r;

	if (rb == NULL) {
		*out = 0;
		return true;
	}
	if (!sizes_ok(rb->left, &l) || !sizes_ok(rb->right, &r))
		return false;
	*out = 1 + l + r;
	return kn(rb)->size == *out;
}

static void assert_rb_valid(const struct av_rb_root *root)
{
	char why[128];
	int rc = av_rb_validate(root, why, sizeof(why));

	if (rc != 0)
		print_error("av_rb_validate: %s\n", why);
	assert_int_equal(rc, 0);
}

/* In-order keys must be strictly ascending, and there must be n of them. */
static void assert_inorder(const struct av_rb_root *root, size_t n)
{
	const struct av_rb_node *rb;
	size_t seen = 0;
	int prev = 0;

	for (rb = av_rb_first(root); rb != NULL; rb = av_rb_next(rb)) {
		if (seen > 0)
			assert_true(kn(rb)->key > prev);
		prev = kn(rb)->key;
		seen++;
	}
	assert_int_equal(seen, n);
}

/* ------------------------------------------------------- red-black tests */

enum order { ASCENDING, DESCENDING, RANDOM };

static void fill_order(int *keys, size_t n, enum order o)
{
	size_t i;

	for (i = 0; i < n; i++)
		keys[i] = o == DESCENDING ? (int)(n - 1 - i) : (int)i;
	if (o == RANDOM)
		shuffle(keys, n);
}

#define SEQ_N 2000

/* Insert SEQ_N keys in one order, erase them in another, checking always. */
static void run_sequence(enum order ins, enum order del, av_rb_augment_fn aug)
{
	static struct knode nodes[SEQ_N];
	static int keys[SEQ_N];
	struct av_rb_root root = AV_RB_ROOT_INIT;
	size_t i, total;

	fill_order(keys, SEQ_N, ins);
	for (i = 0; i < SEQ_N; i++) {
		nodes[i].key = keys[i];
		k_insert(&root, &nodes[i], aug);
		assert_rb_valid(&root);
		if (aug != NULL) {
			assert_true(sizes_ok(root.node, &total));
			assert_int_equal(total, i + 1);
		}
	}
	assert_inorder(&root, SEQ_N);

	fill_order(keys, SEQ_N, del);
	for (i = 0; i < SEQ_N; i++) {
		struct knode *n = k_find(&root, keys[i]);

		assert_non_null(n);
		av_rb_erase(&root, &n->rb, aug);
		assert_null(k_find(&root, keys[i]));
		assert_rb_valid(&root);
		if (aug != NULL) {
			assert_true(sizes_ok(root.node, &total));
			assert_int_equal(total, SEQ_N - 1 - i);
		}
		if (i % 256 == 0)
			assert_inorder(&root, SEQ_N - 1 - i);
	}
	assert_true(av_rb_empty(&root));
}

static void test_rb_ascending(void **state)
{
	(void)state;
	rng_seed(1);
	run_sequence(ASCENDING, ASCENDING, size_aug);
	run_sequence(ASCENDING, DESCENDING, NULL);
}

static void test_rb_descending(void **state)
{
	(void)state;
	rng_seed(2);
	run_sequence(DESCENDING, DESCENDING, size_aug);
	run_sequence(DESCENDING, ASCENDING, NULL);
}

static void test_rb_random(void **state)
{
	(void)state;
	rng_seed(3);
	run_sequence(RANDOM, RANDOM, size_aug);
	run_sequence(RANDOM, ASCENDING, size_aug);
	run_sequence(ASCENDING, RANDOM, NULL);
}

/* Interleaved random inserts and erases on a churning set of keys. */
static void test_rb_churn(void **state)
{
	enum { N = 512, OPS = 6000 };
	static struct knode nodes[N];
	bool in[N] = { false };
	struct av_rb_root root = AV_RB_ROOT_INIT;
	size_t live = 0, total, op;

	(void)state;
	rng_seed(4);
	for (op = 0; op < OPS; op++) {
		size_t i = rng_below(N);

		if (in[i]) {
			av_rb_erase(&root, &nodes[i].rb, size_aug);
			live--;
		} else {
			nodes[i].key = (int)i;
			k_insert(&root, &nodes[i], size_aug);
			live++;
		}
		in[i] = !in[i];
		assert_rb_valid(&root);
		assert_true(sizes_ok(root.node, &total));
		assert_int_equal(total, live);
	}
	assert_inorder(&root, live);
}

static void test_rb_empty(void **state)
{
	struct av_rb_root root = AV_RB_ROOT_INIT;
	char why[64];

	(void)state;
	assert_true(av_rb_empty(&root));
	assert_null(av_rb_first(&root));
	assert_null(av_rb_last(&root));
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), 0);
	assert_int_equal(av_rb_validate(&root, NULL, 0), 0);
}

static void test_rb_traversal(void **state)
{
	enum { N = 300 };
	static struct knode nodes[N];
	int keys[N];
	struct av_rb_root root = AV_RB_ROOT_INIT;
	const struct av_rb_node *rb;
	int expect;
	size_t i;

	(void)state;
	rng_seed(5);
	fill_order(keys, N, RANDOM);
	for (i = 0; i < N; i++) {
		nodes[i].key = keys[i] * 2;	/* even keys 0..2N-2 */
		k_insert(&root, &nodes[i], NULL);
	}
	assert_false(av_rb_empty(&root));
	assert_int_equal(kn(av_rb_first(&root))->key, 0);
	assert_int_equal(kn(av_rb_last(&root))->key, 2 * (N - 1));
	assert_null(av_rb_prev(av_rb_first(&root)));
	assert_null(av_rb_next(av_rb_last(&root)));

	expect = 0;
	for (rb = av_rb_first(&root); rb != NULL; rb = av_rb_next(rb)) {
		assert_int_equal(kn(rb)->key, expect);
		expect += 2;
	}
	assert_int_equal(expect, 2 * N);

	expect = 2 * (N - 1);
	for (rb = av_rb_last(&root); rb != NULL; rb = av_rb_prev(rb)) {
		assert_int_equal(kn(rb)->key, expect);
		expect -= 2;
	}
	assert_int_equal(expect, -2);

	/* next(prev(x)) == x and prev(next(x)) == x for interior nodes. */
	for (i = 1; i + 1 < N; i++) {
		struct knode *x = k_find(&root, (int)i * 2);

		assert_ptr_equal(av_rb_next(av_rb_prev(&x->rb)), &x->rb);
		assert_ptr_equal(av_rb_prev(av_rb_next(&x->rb)), &x->rb);
	}

	/* Single-node tree. */
	root.node = NULL;
	k_insert(&root, &nodes[0], NULL);
	assert_ptr_equal(av_rb_first(&root), &nodes[0].rb);
	assert_ptr_equal(av_rb_last(&root), &nodes[0].rb);
	assert_null(av_rb_next(&nodes[0].rb));
	assert_null(av_rb_prev(&nodes[0].rb));
}

/* Erase key from a tree holding a known set; check the remaining keys. */
static void erase_and_check(struct av_rb_root *root, int key, bool *present,
			    int maxkey)
{
	struct knode *n = k_find(root, key);
	const struct av_rb_node *rb;
	size_t total;
	int k;

	assert_non_null(n);
	av_rb_erase(root, &n->rb, size_aug);
	present[key] = false;
	assert_rb_valid(root);
	assert_true(sizes_ok(root->node, &total));

	rb = av_rb_first(root);
	for (k = 0; k <= maxkey; k++) {
		if (!present[k])
			continue;
		assert_non_null(rb);
		assert_int_equal(kn(rb)->key, k);
		rb = av_rb_next(rb);
	}
	assert_null(rb);
}

static void test_rb_erase_cases(void **state)
{
	enum { N = 31 };
	static struct knode nodes[N];
	bool present[N];
	struct av_rb_root root = AV_RB_ROOT_INIT;
	struct av_rb_node *rb;
	int k;

	(void)state;
	for (k = 0; k < N; k++) {
		nodes[k].key = k;
		present[k] = true;
		k_insert(&root, &nodes[k], size_aug);
	}
	assert_rb_valid(&root);

	/* The root (which has two children here). */
	rb = root.node;
	assert_non_null(rb->left);
	assert_non_null(rb->right);
	k = kn(rb)->key;
	erase_and_check(&root, k, present, N - 1);
	assert_ptr_not_equal(root.node, rb);

	/* A leaf. */
	for (rb = av_rb_first(&root); rb->left || rb->right; rb = av_rb_next(rb))
		;
	erase_and_check(&root, kn(rb)->key, present, N - 1);

	/* A non-root node with two children. */
	rb = root.node->left;
	assert_non_null(rb->left);
	assert_non_null(rb->right);
	erase_and_check(&root, kn(rb)->key, present, N - 1);

	/* A node with two children whose successor is its right child. */
	for (rb = av_rb_first(&root); rb != NULL; rb = av_rb_next(rb))
		if (rb->left && rb->right && rb->right->left == NULL)
			break;
	assert_non_null(rb);
	erase_and_check(&root, kn(rb)->key, present, N - 1);

	/* A node with exactly one child. */
	for (rb = av_rb_first(&root); rb != NULL; rb = av_rb_next(rb))
		if ((rb->left == NULL) != (rb->right == NULL))
			break;
	assert_non_null(rb);
	erase_and_check(&root, kn(rb)->key, present, N - 1);

	/* Then the root repeatedly until empty. */
	while (root.node != NULL)
		erase_and_check(&root, kn(root.node)->key, present, N - 1);
	assert_true(av_rb_empty(&root));
	assert_null(av_rb_first(&root));
}

static void test_rb_validate_detects(void **state)
{
	struct knode a = { .key = 1 }, b = { .key = 2 }, c = { .key = 3 };
	struct av_rb_root root = AV_RB_ROOT_INIT;
	char why[128];

	(void)state;
	/* Hand-built: b black root, a and c red children: valid. */
	b.rb = (struct av_rb_node){ 0, &a.rb, &c.rb };
	a.rb = (struct av_rb_node){ (uintptr_t)&b.rb | AV_RB_RED, NULL, NULL };
	c.rb = (struct av_rb_node){ (uintptr_t)&b.rb | AV_RB_RED, NULL, NULL };
	root.node = &b.rb;
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), 0);
	assert_string_equal(why, "");

	av_rb_set_red(&b.rb, true);
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "red root"));
	av_rb_set_red(&b.rb, false);

	av_rb_set_parent(&a.rb, &c.rb);
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "parent"));
	av_rb_set_parent(&a.rb, &b.rb);
	assert_true(av_rb_is_red(&a.rb));	/* the colour survives a new parent */

	av_rb_set_red(&a.rb, false);	/* left black height 2, right 1 */
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "black height"));
	av_rb_set_red(&a.rb, true);
	assert_ptr_equal(av_rb_parent(&a.rb), &b.rb);	/* and the parent a colour */

	/* Chain b -> a -> c, a and c red. */
	b.rb.right = NULL;
	a.rb.left = &c.rb;
	av_rb_set_parent(&c.rb, &a.rb);
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "red child"));

	/* A cycle must be reported, not followed forever. */
	a.rb.left = &b.rb;
	av_rb_set_parent(&b.rb, &a.rb);
	root.node = &a.rb;
	a.rb.parent_red = 0;	/* no parent, black */
	b.rb.left = &a.rb;
	assert_int_equal(av_rb_validate(&root, NULL, 0), -1);
}

/* What test_rb_validate_detects leaves out: a red right child, a fault in
 * the right subtree only, a degenerate (but well linked) chain deeper
 * than any red-black tree can be, and a caller that wants no reason. */
static void test_rb_validate_detects_more(void **state)
{
	enum { DEEP = 200 };
	struct knode a = { .key = 1 }, b = { .key = 2 }, c = { .key = 3 }, d = { .key = 4 };
	struct knode *chain = calloc(DEEP, sizeof(*chain));
	struct av_rb_root root = AV_RB_ROOT_INIT;
	char why[128];

	(void)state;
	/* b black root; a black left; c black right with d red right. */
	b.rb = (struct av_rb_node){ 0, &a.rb, &c.rb };
	a.rb = (struct av_rb_node){ (uintptr_t)&b.rb, NULL, NULL };
	c.rb = (struct av_rb_node){ (uintptr_t)&b.rb, NULL, &d.rb };
	d.rb = (struct av_rb_node){ (uintptr_t)&c.rb | AV_RB_RED, NULL, NULL };
	root.node = &b.rb;
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), 0);

	av_rb_set_red(&c.rb, true);     /* red c, red right child d */
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "red node with red child"));
	av_rb_set_red(&c.rb, false);

	av_rb_set_parent(&d.rb, &b.rb); /* the left subtree is fine, the right is not */
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "bad parent pointer"));
	assert_int_equal(av_rb_validate(&root, why, 0), -1);    /* no room: no reason */
	assert_int_equal(av_rb_validate(&root, NULL, 0), -1);
	av_rb_set_parent(&d.rb, &c.rb);

	/* Each node the left child of the one before, parents right. */
	assert_non_null(chain);
	for (int i = 0; i < DEEP; i++)
		chain[i].rb = (struct av_rb_node){ i ? (uintptr_t)&chain[i - 1].rb : 0,
						   i + 1 < DEEP ? &chain[i + 1].rb : NULL, NULL };
	root.node = &chain[0].rb;
	assert_int_equal(av_rb_validate(&root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "tree too deep"));
	free(chain);
}

/* ---------------------------------------------------- interval tree tests */

struct iv {
	struct av_itree_node it;
	unsigned long seq;	/* insertion stamp: tie-break for equal starts */
	bool in;
};

static struct iv *ivn(const struct av_itree_node *n)
{
	return n != NULL ? av_rb_entry(n, struct iv, it) : NULL;
}

static unsigned long seq_counter;

static void iv_insert(struct av_itree *t, struct iv *v, uint64_t start,
		      uint64_t last)
{
	v->it.start = start;
	v->it.last = last;
	v->seq = ++seq_counter;
	v->in = true;
	av_itree_insert(t, &v->it);
}

static void iv_remove(struct av_itree *t, struct iv *v)
{
	av_itree_remove(t, &v->it);
	v->in = false;
}

static void assert_it_valid(const struct av_itree *t)
{
	char why[128];
	int rc = av_itree_validate(t, why, sizeof(why));

	if (rc != 0)
		print_error("av_itree_validate: %s\n", why);
	assert_int_equal(rc, 0);
}

static int cmp_iv(const void *pa, const void *pb)
{
	const struct iv *a = *(const struct iv *const *)pa;
	const struct iv *b = *(const struct iv *const *)pb;

	if (a->it.start != b->it.start)
		return a->it.start < b->it.start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Compare the tree's answer for [s, l] to a sorted brute-force scan. */
static void check_query(const struct av_itree *t, struct iv *pool, size_t n,
			struct iv **scratch, uint64_t s, uint64_t l)
{
	const struct av_itree_node *it;
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		if (pool[i].in && pool[i].it.start <= l && s <= pool[i].it.last)
			scratch[k++] = &pool[i];
	qsort(scratch, k, sizeof(*scratch), cmp_iv);

	i = 0;
	for (it = av_itree_iter_first(t, s, l); it != NULL;
	     it = av_itree_iter_next(it, s, l)) {
		assert_true(i < k);
		assert_ptr_equal(ivn(it), scratch[i]);
		i++;
	}
	assert_int_equal(i, k);
	assert_int_equal(av_itree_query_count(t, s, l), k);
}

/* Full in-order walk must equal all live nodes sorted by (start, seq). */
static void check_order(const struct av_itree *t, struct iv *pool, size_t n,
			struct iv **scratch)
{
	const struct av_itree_node *it = av_itree_first(t);
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		if (pool[i].in)
			scratch[k++] = &pool[i];
	qsort(scratch, k, sizeof(*scratch), cmp_iv);
	for (i = 0; i < k; i++, it = av_itree_next(it))
		assert_ptr_equal(ivn(it), scratch[i]);
	assert_null(it);
	assert_int_equal(t->count, k);
}

static void test_itree_empty(void **state)
{
	struct av_itree t;
	struct av_itree t2 = AV_ITREE_INIT;

	(void)state;
	av_itree_init(&t);
	assert_true(av_itree_empty(&t));
	assert_true(av_itree_empty(&t2));
	assert_null(av_itree_first(&t));
	assert_null(av_itree_iter_first(&t, 0, UINT64_MAX));
	assert_null(av_itree_iter_first(&t, 5, 5));
	assert_int_equal(av_itree_query_count(&t, 0, UINT64_MAX), 0);
	assert_it_valid(&t);
}

static uint64_t root_subtree_last(const struct av_itree *t)
{
	assert_non_null(t->root.node);
	return av_rb_entry(t->root.node, struct av_itree_node, rb)->subtree_last;
}

static void test_itree_basic(void **state)
{
	static const uint64_t r[][2] = {
		{ 10, 19 }, { 0, 4 }, { 5, 5 }, { 20, 29 }, { 15, 40 },
		{ 100, 100 }, { 50, UINT64_MAX }, { UINT64_MAX, UINT64_MAX },
	};
	enum { N = sizeof(r) / sizeof(r[0]) };
	struct iv v[N];
	struct av_itree t;
	const struct av_itree_node *it;
	size_t i;

	(void)state;
	memset(v, 0, sizeof(v));
	av_itree_init(&t);
	for (i = 0; i < N; i++)
		iv_insert(&t, &v[i], r[i][0], r[i][1]);
	assert_it_valid(&t);
	assert_int_equal(t.count, N);
	assert_false(av_itree_empty(&t));

	/* Endpoints are inclusive. */
	it = av_itree_iter_first(&t, 4, 5);
	assert_ptr_equal(it, &v[1].it);
	it = av_itree_iter_next(it, 4, 5);
	assert_ptr_equal(it, &v[2].it);
	assert_null(av_itree_iter_next(it, 4, 5));

	/* [19, 20]: {10,19}, {15,40}, {20,29} in start order. */
	it = av_itree_iter_first(&t, 19, 20);
	assert_ptr_equal(it, &v[0].it);
	it = av_itree_iter_next(it, 19, 20);
	assert_ptr_equal(it, &v[4].it);
	it = av_itree_iter_next(it, 19, 20);
	assert_ptr_equal(it, &v[3].it);
	assert_null(av_itree_iter_next(it, 19, 20));

	assert_null(av_itree_iter_first(&t, 6, 9));
	assert_int_equal(av_itree_query_count(&t, 6, 9), 0);
	assert_int_equal(av_itree_query_count(&t, 41, 49), 0);
	assert_int_equal(av_itree_query_count(&t, 0, UINT64_MAX), N);
	assert_int_equal(av_itree_query_count(&t, 101, 101), 1);
	assert_int_equal(av_itree_query_count(&t, UINT64_MAX, UINT64_MAX), 2);
	assert_int_equal(av_itree_query_count(&t, 30, 100), 3);

	iv_remove(&t, &v[6]);	/* [50, max] */
	assert_it_valid(&t);
	assert_int_equal(root_subtree_last(&t), UINT64_MAX);	/* [max, max] */
	assert_int_equal(av_itree_query_count(&t, 101, 101), 0);
	iv_remove(&t, &v[7]);
	assert_it_valid(&t);
	assert_int_equal(root_subtree_last(&t), 100);

	for (i = 0; i < N; i++)
		if (v[i].in)
			iv_remove(&t, &v[i]);
	assert_true(av_itree_empty(&t));
	assert_null(t.root.node);
	assert_it_valid(&t);
}

static void test_itree_equal_starts(void **state)
{
	enum { N = 64 };
	static struct iv v[N];
	struct av_itree t;
	struct iv *scratch[N];
	size_t i;

	(void)state;
	rng_seed(6);
	av_itree_init(&t);
	for (i = 0; i < N; i++)
		iv_insert(&t, &v[i], 7, 7 + rng_below(50));
	assert_it_valid(&t);
	check_order(&t, v, N, scratch);
	/* Insertion order is kept among equal starts. */
	assert_ptr_equal(av_itree_first(&t), &v[0].it);

	for (i = 0; i < N; i += 3)
		iv_remove(&t, &v[i]);
	for (i = 0; i < N; i += 6)
		iv_insert(&t, &v[i], 7, 7 + rng_below(50));
	assert_it_valid(&t);
	check_order(&t, v, N, scratch);
	check_query(&t, v, N, scratch, 0, 6);
	check_query(&t, v, N, scratch, 7, 7);
	check_query(&t, v, N, scratch, 30, 40);
	check_query(&t, v, N, scratch, 56, 100);
	assert_int_equal(av_itree_query_count(&t, 7, 7), t.count);
}

/* Random interval: starts from a small range so duplicates are common. */
static void random_range(uint64_t *s, uint64_t *l)
{
	uint64_t start = rng_below(300);
	uint64_t len;

	switch (rng_below(8)) {
	case 0:
		len = 0;
		break;
	case 1:
		len = rng_below(300);
		break;
	default:
		len = rng_below(12);
		break;
	}
	*s = start;
	*l = start + len;
}

static void test_itree_random_vs_bruteforce(void **state)
{
	enum { N = 1200, OPS = 5000 };
	static struct iv pool[N];
	static struct iv *scratch[N];
	struct av_itree t;
	size_t op, q;

	(void)state;
	rng_seed(7);
	memset(pool, 0, sizeof(pool));
	av_itree_init(&t);
	for (op = 0; op < OPS; op++) {
		/* Grow for the first half, then churn towards shrinking. */
		struct iv *v = &pool[rng_below(N)];
		bool grow = op < OPS / 2 ? rng_below(4) != 0 : rng_below(4) == 0;
		uint64_t s, l;

		if (v->in && (!grow || rng_below(2) == 0)) {
			iv_remove(&t, v);
		} else if (!v->in) {
			random_range(&s, &l);
			iv_insert(&t, v, s, l);
		}
		assert_it_valid(&t);

		random_range(&s, &l);
		check_query(&t, pool, N, scratch, s, l);
		if (op % 64 == 0) {
			check_order(&t, pool, N, scratch);
			for (q = 0; q < 16; q++) {
				random_range(&s, &l);
				check_query(&t, pool, N, scratch, s, l);
				check_query(&t, pool, N, scratch, s, s);
			}
			check_query(&t, pool, N, scratch, 0, UINT64_MAX);
			check_query(&t, pool, N, scratch, 700, UINT64_MAX);
		}
	}
	/* Drain everything. */
	for (op = 0; op < N; op++) {
		if (pool[op].in) {
			iv_remove(&t, &pool[op]);
			assert_it_valid(&t);
		}
	}
	assert_true(av_itree_empty(&t));
	assert_null(av_itree_iter_first(&t, 0, UINT64_MAX));
}

static void test_itree_validate_detects(void **state)
{
	enum { N = 16 };
	struct iv v[N];
	struct av_itree t;
	struct av_itree_node *root;
	char why[128];
	uint64_t saved;
	size_t i;

	(void)state;
	memset(v, 0, sizeof(v));
	av_itree_init(&t);
	for (i = 0; i < N; i++)
		iv_insert(&t, &v[i], i * 10, i * 10 + 5);
	assert_it_valid(&t);
	root = av_rb_entry(t.root.node, struct av_itree_node, rb);

	saved = root->subtree_last;
	root->subtree_last = saved + 1;
	assert_int_equal(av_itree_validate(&t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "subtree_last"));
	root->subtree_last = saved;

	t.count++;
	assert_int_equal(av_itree_validate(&t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "count"));
	t.count--;

	/* Swap two starts so the order breaks but subtree_last stays right. */
	v[3].it.start = 33;	/* still <= its last (35) */
	v[4].it.start = 30;
	assert_int_equal(av_itree_validate(&t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "order"));
	v[3].it.start = 30;
	v[4].it.start = 40;

	v[5].it.start = v[5].it.last + 1;
	assert_int_equal(av_itree_validate(&t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "start > last"));
	v[5].it.start = 50;

	av_rb_set_red(&root->rb, true);
	assert_int_equal(av_itree_validate(&t, why, sizeof(why)), -1);
	av_rb_set_red(&root->rb, false);
	assert_it_valid(&t);

	/* A caller that wants no reason gets none written. */
	t.count++;
	assert_int_equal(av_itree_validate(&t, NULL, 0), -1);
	why[0] = 'x';
	assert_int_equal(av_itree_validate(&t, why, 0), -1);
	assert_int_equal(why[0], 'x');
	t.count--;
	assert_it_valid(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rb_empty),
		cmocka_unit_test(test_rb_ascending),
		cmocka_unit_test(test_rb_descending),
		cmocka_unit_test(test_rb_random),
		cmocka_unit_test(test_rb_churn),
		cmocka_unit_test(test_rb_traversal),
		cmocka_unit_test(test_rb_erase_cases),
		cmocka_unit_test(test_rb_validate_detects),
		cmocka_unit_test(test_rb_validate_detects_more),
		cmocka_unit_test(test_itree_empty),
		cmocka_unit_test(test_itree_basic),
		cmocka_unit_test(test_itree_equal_starts),
		cmocka_unit_test(test_itree_random_vs_bruteforce),
		cmocka_unit_test(test_itree_validate_detects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
