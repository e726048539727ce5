/* SPDX-License-Identifier: MIT */
/*
 * rbtree.h - generic intrusive red-black tree with optional augmentation.
 * anonvma project, 2026-11-25.
 *
 * The tree stores no data of its own: users embed a struct av_rb_node in
 * their objects and get back to the object with av_rb_entry().  Nothing here
 * allocates memory.
 *
 * Invariants of a valid tree (checked by av_rb_validate()):
 *   - the root is black;
 *   - a red node has no red child;
 *   - every path from a node down to a missing (NULL) child passes through
 *     the same number of black nodes;
 *   - child->parent points back to its parent, and root->node->parent is NULL.
 *
 * Ordering is the caller's business: the caller finds the empty slot where
 * the new node belongs and hands it to av_rb_insert().
 *
 * Augmentation: if an av_rb_augment_fn is given, it recomputes a node's
 * augmented value from the node itself and its (already correct) children.
 * After av_rb_insert() / av_rb_erase() return, every node's augmented value
 * is correct, provided the same callback is used for every operation.
 */
#ifndef ANONVMA_RBTREE_H
#define ANONVMA_RBTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A node's colour rides in the low bit of its parent's address (nodes are
 * pointer-aligned, so that bit is always free): a node is three words, not
 * four, which is what lets an anon_vma_chain fit in 80 bytes.  Read and
 * change them only through the accessors below.
 */
struct av_rb_node {
	uintptr_t parent_red;     /* parent address | AV_RB_RED */
	struct av_rb_node *left, *right;
};

#define AV_RB_RED ((uintptr_t)1)
_Static_assert(_Alignof(struct av_rb_node) > AV_RB_RED, "no free bit for the colour");

static inline struct av_rb_node *av_rb_parent(const struct av_rb_node *n)
{
	return (struct av_rb_node *)(n->parent_red & ~AV_RB_RED);
}

static inline bool av_rb_is_red(const struct av_rb_node *n)
{
	return n->parent_red & AV_RB_RED;
}

static inline void av_rb_set_parent(struct av_rb_node *n, struct av_rb_node *parent)
{
	n->parent_red = (uintptr_t)parent | (n->parent_red & AV_RB_RED);
}

static inline void av_rb_set_red(struct av_rb_node *n, bool red)
{
	n->parent_red = (n->parent_red & ~AV_RB_RED) | (red ? AV_RB_RED : 0);
}

struct av_rb_root {
	struct av_rb_node *node;
};

#define AV_RB_ROOT_INIT { NULL }

/* Recompute n's augmented value from n and its children; true if it changed. */
typedef bool (*av_rb_augment_fn)(struct av_rb_node *n);

/*
 * Link n into the empty slot *link (which is &parent->left, &parent->right,
 * or &root->node when parent is NULL), then rebalance.  aug may be NULL.
 */
void av_rb_insert(struct av_rb_root *root, struct av_rb_node *n,
		  struct av_rb_node *parent, struct av_rb_node **link,
		  av_rb_augment_fn aug);

/* Unlink n from the tree and rebalance.  n's own fields are left stale. */
void av_rb_erase(struct av_rb_root *root, struct av_rb_node *n,
		 av_rb_augment_fn aug);

/* In-order traversal; all return NULL when there is no such node. */
struct av_rb_node *av_rb_first(const struct av_rb_root *root);
struct av_rb_node *av_rb_last(const struct av_rb_root *root);
struct av_rb_node *av_rb_next(const struct av_rb_node *n);
struct av_rb_node *av_rb_prev(const struct av_rb_node *n);

static inline bool av_rb_empty(const struct av_rb_root *r)
{
	return r->node == NULL;
}

/*
 * Check the red-black invariants listed above.  Returns 0 if the tree is
 * valid; otherwise -1, with a reason written to why (if why is non-NULL and
 * whylen > 0).  Also rejects trees deeper than any valid tree can be, so a
 * corrupted (cyclic) tree cannot make it loop forever.
 */
int av_rb_validate(const struct av_rb_root *root, char *why, size_t whylen);

#define av_rb_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* ANONVMA_RBTREE_H */
