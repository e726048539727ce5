/* SPDX-License-Identifier: MIT */
/* proj.h - a word-frequency counter, the project `make -j2` builds. */
#ifndef PROJ_H
#define PROJ_H
#include <stddef.h>

struct node { char *word; unsigned count; struct node *next; };
struct table { struct node **bucket; size_t n; };

struct node *list_push(struct node *head, const char *word);
void list_free(struct node *head);
size_t hash_word(const char *word);
int table_init(struct table *t, size_t n);
void table_add(struct table *t, const char *word);
void table_free(struct table *t);
size_t text_words(const char *text, void (*fn)(const char *word, void *arg), void *arg);
#endif
