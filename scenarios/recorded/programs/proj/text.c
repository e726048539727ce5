/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <string.h>
#include "proj.h"

size_t text_words(const char *text, void (*fn)(const char *word, void *arg), void *arg)
{
	char word[64];
	size_t n = 0, len = 0;

	for (;; text++) {
		if (*text && (isalnum((unsigned char)*text) || *text == '_')) {
			if (len < sizeof(word) - 1)
				word[len++] = (char)tolower((unsigned char)*text);
			continue;
		}
		if (len) {
			word[len] = '\0';
			fn(word, arg);
			n++;
			len = 0;
		}
		if (!*text)
			return n;
	}
}
