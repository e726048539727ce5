/* SPDX-License-Identifier: MIT */
/*
 * list.h - intrusive circular doubly-linked list.
 *
 * Used for a VMA's chain of AVCs (same_vma, newest first), for the 2.6.35
 * policy's per-anon_vma list of AVCs, and for the world's object lists.
 */
#ifndef AV_LIST_H
#define AV_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct av_list {
	struct av_list *next, *prev;
};

#define av_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void av_list_init(struct av_list *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool av_list_empty(const struct av_list *h)
{
	return h->next == h;
}

/* Exactly one entry. */
static inline bool av_list_singular(const struct av_list *h)
{
	return !av_list_empty(h) && h->next == h->prev;
}

static inline void av_list_insert_between(struct av_list *n, struct av_list *prev,
					  struct av_list *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Insert at the head (newest first). */
static inline void av_list_add(struct av_list *n, struct av_list *h)
{
	av_list_insert_between(n, h, h->next);
}

static inline void av_list_add_tail(struct av_list *n, struct av_list *h)
{
	av_list_insert_between(n, h->prev, h);
}

static inline void av_list_del(struct av_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

/* Move every entry of from to the end of to; from becomes empty. */
static inline void av_list_splice_init(struct av_list *from, struct av_list *to)
{
	if (av_list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	av_list_init(from);
}

static inline size_t av_list_count(const struct av_list *h)
{
	size_t n = 0;
	for (const struct av_list *p = h->next; p != h; p = p->next)
		n++;
	return n;
}

#define av_list_entry(ptr, type, member) av_container_of(ptr, type, member)

#endif
