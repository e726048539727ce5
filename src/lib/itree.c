/* SPDX-License-Identifier: MIT */
/*
 * itree.c - interval tree of inclusive uint64_t ranges [start, last],
 * built on the intrusive red-black tree in rbtree.c.
 * anonvma project, 2026-11-25.
 *
 * Nodes are ordered by start (ties: insertion order).  Each node keeps
 * subtree_last, the largest `last` in its subtree, maintained through the
 * red-black tree's augmentation callback.  See itree.h for the invariants.
 *
 * Query pruning rests on two facts:
 *   - a subtree whose subtree_last < start holds no overlapping node;
 *   - once a node with start > last is met in order, no later node overlaps.
 */
#include "itree.h"

#include <stdio.h>

static struct av_itree_node *to_inode(const struct av_rb_node *rb)
{
	return rb != NULL ? av_rb_entry(rb, struct av_itree_node, rb) : NULL;
}

/* True if the subtree at rb may hold a node reaching start or beyond. */
static bool reaches(const struct av_rb_node *rb, uint64_t start)
{
	return rb != NULL && to_inode(rb)->subtree_last >= start;
}

static bool overlaps(const struct av_itree_node *n, uint64_t start,
		     uint64_t last)
{
	return n->start <= last && start <= n->last;
}

static uint64_t max_last(const struct av_itree_node *n)
{
	uint64_t m = n->last;

	if (n->rb.left != NULL && to_inode(n->rb.left)->subtree_last > m)
		m = to_inode(n->rb.left)->subtree_last;
	if (n->rb.right != NULL && to_inode(n->rb.right)->subtree_last > m)
		m = to_inode(n->rb.right)->subtree_last;
	return m;
}

static bool itree_augment(struct av_rb_node *rb)
{
	struct av_itree_node *n = to_inode(rb);
	uint64_t m = max_last(n);

	if (m == n->subtree_last)
		return false;
	n->subtree_last = m;
	return true;
}

void av_itree_init(struct av_itree *t)
{
	t->root.node = NULL;
	t->count = 0;
}

void av_itree_insert(struct av_itree *t, struct av_itree_node *n)
{
	struct av_rb_node **link = &t->root.node;
	struct av_rb_node *parent = NULL;

	while (*link != NULL) {
		parent = *link;
		if (n->start < to_inode(parent)->start)
			link = &parent->left;
		else
			link = &parent->right;	/* equal starts go after */
	}
	n->subtree_last = n->last;
	av_rb_insert(&t->root, &n->rb, parent, link, itree_augment);
	t->count++;
}

void av_itree_remove(struct av_itree *t, struct av_itree_node *n)
{
	av_rb_erase(&t->root, &n->rb, itree_augment);
	t->count--;
}

/*
 * Leftmost overlapping node in the subtree at n, given that
 * n->subtree_last >= start.  If the left subtree reaches start, any overlap
 * in this subtree must be there: the node reaching start either overlaps or
 * has start > last, which rules out everything after it.  If neither the
 * left subtree nor n reaches start, the right subtree must: n's
 * subtree_last is the largest of the three.
 */
static struct av_itree_node *subtree_first(struct av_itree_node *n,
					   uint64_t start, uint64_t last)
{
	for (;;) {
		if (reaches(n->rb.left, start)) {
			n = to_inode(n->rb.left);
			continue;
		}
		if (n->start > last)
			return NULL;
		if (start <= n->last)
			return n;
		n = to_inode(n->rb.right);
	}
}

struct av_itree_node *av_itree_iter_first(const struct av_itree *t,
					  uint64_t start, uint64_t last)
{
	if (!reaches(t->root.node, start))
		return NULL;
	return subtree_first(to_inode(t->root.node), start, last);
}

struct av_itree_node *av_itree_iter_next(const struct av_itree_node *n,
					 uint64_t start, uint64_t last)
{
	const struct av_rb_node *rb = &n->rb;

	for (;;) {
		const struct av_rb_node *from;
		struct av_itree_node *up;

		/* Everything after rb inside its own subtree. */
		if (reaches(rb->right, start))
			return subtree_first(to_inode(rb->right), start, last);

		/* Climb to the next ancestor that comes after rb in order. */
		do {
			from = rb;
			rb = av_rb_parent(rb);
			if (rb == NULL)
				return NULL;
		} while (rb->right == from);

		up = to_inode(rb);
		if (up->start > last)
			return NULL;
		if (overlaps(up, start, last))
			return up;
	}
}

size_t av_itree_query_count(const struct av_itree *t, uint64_t start,
			    uint64_t last)
{
	size_t k = 0;
	struct av_itree_node *n;

	for (n = av_itree_iter_first(t, start, last); n != NULL;
	     n = av_itree_iter_next(n, start, last))
		k++;
	return k;
}

struct av_itree_node *av_itree_first(const struct av_itree *t)
{
	return to_inode(av_rb_first(&t->root));
}

struct av_itree_node *av_itree_next(const struct av_itree_node *n)
{
	return to_inode(av_rb_next(&n->rb));
}

static int fail(char *why, size_t whylen, const char *msg,
		const struct av_itree_node *n)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s (node %p)", msg, (const void *)n);
	return -1;
}

/* Per-node checks; in order, so prev is the previous node or NULL. */
static int check_node(const struct av_itree_node *n,
		      const struct av_itree_node *prev, char *why,
		      size_t whylen)
{
	if (n->start > n->last)
		return fail(why, whylen, "start > last", n);
	if (prev != NULL && prev->start > n->start)
		return fail(why, whylen, "nodes out of start order", n);
	if (n->subtree_last != max_last(n))
		return fail(why, whylen, "wrong subtree_last", n);
	return 0;
}

int av_itree_validate(const struct av_itree *t, char *why, size_t whylen)
{
	const struct av_itree_node *n, *prev = NULL;
	size_t seen = 0;

	if (av_rb_validate(&t->root, why, whylen) != 0)
		return -1;
	/*
	 * Each node is checked against its children's stored subtree_last,
	 * so by induction from the leaves every stored value is the true max.
	 */
	for (n = av_itree_first(t); n != NULL; prev = n, n = av_itree_next(n)) {
		if (check_node(n, prev, why, whylen) != 0)
			return -1;
		seen++;
	}
	if (seen != t->count)
		return fail(why, whylen, "count does not match node count",
			    NULL);
	return 0;
}
