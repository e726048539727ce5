/* SPDX-License-Identifier: MIT */
/*
 * rbtree.c - generic intrusive red-black tree with optional augmentation.
 * anonvma project, 2026-11-25.
 *
 * A textbook (CLRS-style) red-black tree using NULL for the black leaves.
 * Left/right symmetric cases are written once: a "side" of 0 means left and
 * 1 means right, and child_slot() maps a side to the matching child pointer.
 *
 * Invariants (see rbtree.h): black root, no red node with a red child, equal
 * black height on every root-to-leaf path, consistent parent pointers.
 *
 * Augmentation strategy: after linking or unlinking, recompute every node
 * from the lowest modified node up to the root; every rotation then
 * recomputes its two nodes, lower one first.  A rotation does not change the
 * set of nodes below the rotated position, so nodes above it stay correct.
 */
#include "rbtree.h"

#include <stdio.h>

enum { LEFT = 0, RIGHT = 1 };

/* No valid tree that fits in memory is this deep (height <= 2*log2(n+1)). */
#define AV_RB_MAX_DEPTH 128

static bool is_red(const struct av_rb_node *n)
{
	return n != NULL && av_rb_is_red(n);
}

static struct av_rb_node **child_slot(struct av_rb_node *n, int side)
{
	return side == LEFT ? &n->left : &n->right;
}

static int side_of(const struct av_rb_node *parent, const struct av_rb_node *n)
{
	return parent->right == n ? RIGHT : LEFT;
}

/* Make whatever pointed at old (parent's child slot or the root) point at new. */
static void replace_child(struct av_rb_root *root, struct av_rb_node *parent,
			  struct av_rb_node *old, struct av_rb_node *new_node)
{
	if (parent == NULL)
		root->node = new_node;
	else if (parent->left == old)
		parent->left = new_node;
	else
		parent->right = new_node;
}

static void set_parent(struct av_rb_node *n, struct av_rb_node *parent)
{
	if (n != NULL)
		av_rb_set_parent(n, parent);
}

/*
 * Rotate x down towards `side`; its child on the other side takes its place.
 * rotate(x, LEFT) is the classic left rotation.
 */
static void rotate(struct av_rb_root *root, struct av_rb_node *x, int side,
		   av_rb_augment_fn aug)
{
	struct av_rb_node *y = *child_slot(x, !side);
	struct av_rb_node *inner = *child_slot(y, side);

	*child_slot(x, !side) = inner;
	set_parent(inner, x);

	av_rb_set_parent(y, av_rb_parent(x));
	replace_child(root, av_rb_parent(x), x, y);

	*child_slot(y, side) = x;
	av_rb_set_parent(x, y);

	if (aug != NULL) {
		aug(x);
		aug(y);
	}
}

/* Recompute augmented values from n up to the root. */
static void propagate(struct av_rb_node *n, av_rb_augment_fn aug)
{
	if (aug == NULL)
		return;
	for (; n != NULL; n = av_rb_parent(n))
		aug(n);
}

static void insert_fixup(struct av_rb_root *root, struct av_rb_node *n,
			 av_rb_augment_fn aug)
{
	struct av_rb_node *p;

	while (is_red(p = av_rb_parent(n))) {
		/* p is red, so it is not the root: the grandparent exists. */
		struct av_rb_node *g = av_rb_parent(p);
		int side = side_of(g, p);
		struct av_rb_node *uncle = *child_slot(g, !side);

		if (is_red(uncle)) {
			/* Push the blackness down from g; continue from g. */
			av_rb_set_red(p, false);
			av_rb_set_red(uncle, false);
			av_rb_set_red(g, true);
			n = g;
			continue;
		}
		if (n == *child_slot(p, !side)) {
			/* Inner grandchild: turn it into an outer one. */
			rotate(root, p, side, aug);
			n = p;
			p = av_rb_parent(n);
		}
		/* Outer grandchild: recolour and rotate g away from it. */
		av_rb_set_red(p, false);
		av_rb_set_red(g, true);
		rotate(root, g, !side, aug);
		break;
	}
	av_rb_set_red(root->node, false);
}

void av_rb_insert(struct av_rb_root *root, struct av_rb_node *n,
		  struct av_rb_node *parent, struct av_rb_node **link,
		  av_rb_augment_fn aug)
{
	n->parent_red = (uintptr_t)parent | AV_RB_RED;
	n->left = NULL;
	n->right = NULL;
	*link = n;

	propagate(n, aug);
	insert_fixup(root, n, aug);
}

/*
 * x (possibly NULL) sits below parent xp and is one black node short
 * compared with its sibling's side.  Restore equal black heights.
 */
static void erase_fixup(struct av_rb_root *root, struct av_rb_node *x,
			struct av_rb_node *xp, av_rb_augment_fn aug)
{
	while (x != root->node && !is_red(x)) {
		/* The sibling's side has black height >= 1, so it is non-NULL. */
		int side = side_of(xp, x);
		struct av_rb_node *w = *child_slot(xp, !side);

		if (is_red(w)) {
			/* Make the sibling black by rotating the red one above xp. */
			av_rb_set_red(w, false);
			av_rb_set_red(xp, true);
			rotate(root, xp, side, aug);
			w = *child_slot(xp, !side);
		}
		if (!is_red(w->left) && !is_red(w->right)) {
			/* Take one black off both sides; the deficit moves up. */
			av_rb_set_red(w, true);
			x = xp;
			xp = av_rb_parent(x);
			continue;
		}
		if (!is_red(*child_slot(w, !side))) {
			/* Near nephew red, far black: rotate to make the far red. */
			av_rb_set_red(*child_slot(w, side), false);
			av_rb_set_red(w, true);
			rotate(root, w, !side, aug);
			w = *child_slot(xp, !side);
		}
		/* Far nephew red: one rotation at xp adds the missing black. */
		av_rb_set_red(w, av_rb_is_red(xp));
		av_rb_set_red(xp, false);
		av_rb_set_red(*child_slot(w, !side), false);
		rotate(root, xp, side, aug);
		x = root->node;
	}
	if (x != NULL)
		av_rb_set_red(x, false);
}

static struct av_rb_node *leftmost(struct av_rb_node *n)
{
	while (n->left != NULL)
		n = n->left;
	return n;
}

static struct av_rb_node *rightmost(struct av_rb_node *n)
{
	while (n->right != NULL)
		n = n->right;
	return n;
}

void av_rb_erase(struct av_rb_root *root, struct av_rb_node *n,
		 av_rb_augment_fn aug)
{
	struct av_rb_node *x;	/* node that moves into the vacated spot */
	struct av_rb_node *xp;	/* x's new parent; lowest modified node */
	bool removed_red;	/* colour of the node physically removed */

	if (n->left == NULL || n->right == NULL) {
		/* At most one child: splice n out. */
		x = n->left != NULL ? n->left : n->right;
		xp = av_rb_parent(n);
		removed_red = av_rb_is_red(n);
		replace_child(root, xp, n, x);
		set_parent(x, xp);
	} else {
		/* Two children: the successor y takes n's place and colour. */
		struct av_rb_node *y = leftmost(n->right);

		removed_red = av_rb_is_red(y);
		x = y->right;
		if (av_rb_parent(y) == n) {
			xp = y;
		} else {
			xp = av_rb_parent(y);
			xp->left = x;
			set_parent(x, xp);
			y->right = n->right;
			av_rb_set_parent(n->right, y);
		}
		y->left = n->left;
		av_rb_set_parent(n->left, y);
		y->parent_red = n->parent_red;   /* n's parent and colour */
		replace_child(root, av_rb_parent(n), n, y);
	}

	propagate(xp, aug);
	if (!removed_red)
		erase_fixup(root, x, xp, aug);
}

struct av_rb_node *av_rb_first(const struct av_rb_root *root)
{
	return root->node != NULL ? leftmost(root->node) : NULL;
}

struct av_rb_node *av_rb_last(const struct av_rb_root *root)
{
	return root->node != NULL ? rightmost(root->node) : NULL;
}

struct av_rb_node *av_rb_next(const struct av_rb_node *n)
{
	const struct av_rb_node *p;

	if (n->right != NULL)
		return leftmost(n->right);
	/* Climb until we arrive from a left child. */
	while ((p = av_rb_parent(n)) != NULL && p->right == n)
		n = p;
	return (struct av_rb_node *)p;
}

struct av_rb_node *av_rb_prev(const struct av_rb_node *n)
{
	const struct av_rb_node *p;

	if (n->left != NULL)
		return rightmost(n->left);
	/* Climb until we arrive from a right child. */
	while ((p = av_rb_parent(n)) != NULL && p->left == n)
		n = p;
	return (struct av_rb_node *)p;
}

static int fail(char *why, size_t whylen, const char *msg,
		const struct av_rb_node *n)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s (node %p)", msg, (const void *)n);
	return -1;
}

/*
 * Check the subtree at n (whose parent must be `parent`); on success store
 * its black height (counting NULL leaves as 1) in *bh and return 0.
 */
static int check_subtree(const struct av_rb_node *n,
			 const struct av_rb_node *parent, int depth, int *bh,
			 char *why, size_t whylen)
{
	int lbh, rbh;

	if (n == NULL) {
		*bh = 1;
		return 0;
	}
	if (depth > AV_RB_MAX_DEPTH)
		return fail(why, whylen, "tree too deep (cycle?)", n);
	if (av_rb_parent(n) != parent)
		return fail(why, whylen, "bad parent pointer", n);
	if (av_rb_is_red(n) && (is_red(n->left) || is_red(n->right)))
		return fail(why, whylen, "red node with red child", n);
	if (check_subtree(n->left, n, depth + 1, &lbh, why, whylen) != 0 ||
	    check_subtree(n->right, n, depth + 1, &rbh, why, whylen) != 0)
		return -1;
	if (lbh != rbh)
		return fail(why, whylen, "unequal black height", n);
	*bh = lbh + (av_rb_is_red(n) ? 0 : 1);
	return 0;
}

int av_rb_validate(const struct av_rb_root *root, char *why, size_t whylen)
{
	int bh;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (is_red(root->node))
		return fail(why, whylen, "red root", root->node);
	return check_subtree(root->node, NULL, 0, &bh, why, whylen);
}
