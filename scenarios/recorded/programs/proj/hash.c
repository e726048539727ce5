/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include "proj.h"

size_t hash_word(const char *word)
{
	size_t h = 5381;

	while (*word)
		h = h * 33 + (unsigned char)*word++;
	return h;
}

int table_init(struct table *t, size_t n)
{
	t->n = n;
	t->bucket = calloc(n, sizeof(*t->bucket));
	return t->bucket ? 0 : -1;
}

void table_add(struct table *t, const char *word)
{
	size_t b = hash_word(word) % t->n;

	for (struct node *n = t->bucket[b]; n; n = n->next)
		if (strcmp(n->word, word) == 0) {
			n->count++;
			return;
		}
	t->bucket[b] = list_push(t->bucket[b], word);
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		list_free(t->bucket[i]);
	free(t->bucket);
}
