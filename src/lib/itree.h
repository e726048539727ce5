/* SPDX-License-Identifier: MIT */
/*
 * itree.h - interval tree of inclusive uint64_t ranges [start, last],
 * built on the intrusive red-black tree in rbtree.h.
 * anonvma project, 2026-11-25.
 *
 * Invariants of a valid tree (checked by av_itree_validate()):
 *   - all red-black invariants of rbtree.h hold;
 *   - every node has start <= last;
 *   - an in-order walk yields non-decreasing start; nodes with equal start
 *     appear in insertion order (a new node goes after existing equals);
 *   - every node's subtree_last is the maximum `last` in its subtree;
 *   - count is the number of nodes in the tree.
 *
 * Overlap queries return the nodes n with n->start <= last && start <= n->last,
 * in ascending order of start, in O(log n + k) for k results.
 * Nothing here allocates memory.
 */
#ifndef ANONVMA_ITREE_H
#define ANONVMA_ITREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rbtree.h"

struct av_itree_node {
	struct av_rb_node rb;
	uint64_t start, last, subtree_last;
};

struct av_itree {
	struct av_rb_root root;
	size_t count;
};

#define AV_ITREE_INIT { AV_RB_ROOT_INIT, 0 }

void av_itree_init(struct av_itree *t);

/* n->start and n->last must be set, start <= last. */
void av_itree_insert(struct av_itree *t, struct av_itree_node *n);
void av_itree_remove(struct av_itree *t, struct av_itree_node *n);

/* Overlap queries: first / next node overlapping [start, last]. */
struct av_itree_node *av_itree_iter_first(const struct av_itree *t,
					  uint64_t start, uint64_t last);
struct av_itree_node *av_itree_iter_next(const struct av_itree_node *n,
					 uint64_t start, uint64_t last);

/* Number of nodes overlapping [start, last]. */
size_t av_itree_query_count(const struct av_itree *t, uint64_t start,
			    uint64_t last);

/* All nodes in order of start. */
struct av_itree_node *av_itree_first(const struct av_itree *t);
struct av_itree_node *av_itree_next(const struct av_itree_node *n);

static inline bool av_itree_empty(const struct av_itree *t)
{
	return t->count == 0;
}

/* av_rb_validate() plus the interval invariants above.  0 ok, -1 + reason. */
int av_itree_validate(const struct av_itree *t, char *why, size_t whylen);

#endif /* ANONVMA_ITREE_H */
