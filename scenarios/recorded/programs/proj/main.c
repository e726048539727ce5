/* SPDX-License-Identifier: MIT */
/* main.c - print the most frequent words of standard input. */
#include <stdio.h>
#include <stdlib.h>
#include "proj.h"

static void add(const char *word, void *arg)
{
	table_add(arg, word);
}

int main(void)
{
	static char buf[1 << 20];
	struct table t;
	size_t n = fread(buf, 1, sizeof(buf) - 1, stdin), best = 0;
	struct node *top = NULL;

	buf[n] = '\0';
	if (table_init(&t, 4096))
		return 1;
	printf("%zu words\n", text_words(buf, add, &t));
	for (size_t i = 0; i < t.n; i++)
		for (struct node *w = t.bucket[i]; w; w = w->next)
			if (w->count > best) {
				best = w->count;
				top = w;
			}
	if (top)
		printf("most frequent: %s (%u)\n", top->word, top->count);
	table_free(&t);
	return 0;
}
