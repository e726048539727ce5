/* SPDX-License-Identifier: MIT */
/*
 * list.h - the kernel-style intrusive list of liburcu (urcu/list.h), and
 * the two questions about a list that it does not answer.
 *
 * Used for a VMA's chain of AVCs (same_vma, newest first), for list-based
 * policies' per-anon_vma list of AVCs, and for the world's object lists.
 * Entries leave a list with cds_list_del_init, so that a removed entry is
 * an empty list again.
 */
#ifndef AV_LIB_LIST_H
#define AV_LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <urcu/list.h>

/* No entry (cds_list_empty, for a const list). */
static inline bool av_list_empty(const struct cds_list_head *h)
{
	return h->next == h;
}

/* Exactly one entry. */
static inline bool av_list_singular(const struct cds_list_head *h)
{
	return h->next != h && h->next == h->prev;
}

static inline size_t av_list_count(const struct cds_list_head *h)
{
	size_t n = 0;

	for (const struct cds_list_head *p = h->next; p != h; p = p->next)
		n++;
	return n;
}

#endif
