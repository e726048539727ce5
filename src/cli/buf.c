/* SPDX-License-Identifier: MIT */
/*
 * buf.c - growing arrays and strings (buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

void *buf_grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *q;

	if (n < *cap)
		return p;
	c = *cap ? 2 * *cap : 16;
	if (c > (size_t)-1 / size || !(q = realloc(p, c * size)))
		return NULL;
	*cap = c;
	return q;
}

int sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? 2 * b->cap : 256;
		char *p;
		while (c < b->len + n + 1)
			c *= 2;
		if (!(p = realloc(b->s, c)))
			return -1;
		b->s = p;
		b->cap = c;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int sb_printf(struct strbuf *b, const char *fmt, ...)
{
	char tmp[256], *big = NULL;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(tmp)) {
		if (!(big = malloc((size_t)n + 1)))
			return -1;
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rc = sb_add(b, big ? big : tmp, (size_t)n);
	free(big);
	return rc;
}

/* One character of a JSON string: itself, or its escape.  <, > and & are
 * escaped too, so the text may sit inside an HTML <script> (the explorer). */
static const char *json_char(char c, char buf[8])
{
	if (c == '"' || c == '\\') {
		buf[0] = '\\';
		buf[1] = c;
		buf[2] = '\0';
	} else if ((unsigned char)c < 0x20 || c == '<' || c == '>' || c == '&') {
		snprintf(buf, 8, "\\u%04x", (unsigned char)c);
	} else {
		buf[0] = c;
		buf[1] = '\0';
	}
	return buf;
}

int sb_json_string(struct strbuf *b, const char *s)
{
	char buf[8];
	int oom = sb_add(b, "\"", 1);

	for (; *s && !oom; s++)
		oom = sb_printf(b, "%s", json_char(*s, buf));
	return oom | sb_add(b, "\"", 1);
}

void json_string(FILE *f, const char *s)
{
	char buf[8];

	fputc('"', f);
	for (; *s; s++)
		fputs(json_char(*s, buf), f);
	fputc('"', f);
}
