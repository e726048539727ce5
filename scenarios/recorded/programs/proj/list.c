/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include "proj.h"

struct node *list_push(struct node *head, const char *word)
{
	struct node *n = malloc(sizeof(*n));

	if (!n || !(n->word = strdup(word))) {
		free(n);
		return head;
	}
	n->count = 1;
	n->next = head;
	return n;
}

void list_free(struct node *head)
{
	while (head) {
		struct node *next = head->next;
		free(head->word);
		free(head);
		head = next;
	}
}
