/* SPDX-License-Identifier: MIT */
/*
 * buf.h - growing arrays and strings for the tool.
 */
#ifndef AV_CLI_BUF_H
#define AV_CLI_BUF_H

#include <stddef.h>
#include <stdio.h>

/* Room for element n of the array p of *cap elements of size bytes: p
 * itself, or p moved (and *cap doubled), or NULL with p and *cap as they
 * were. */
void *buf_grow(void *p, size_t *cap, size_t n, size_t size);

/* A NUL-terminated string that grows; all zero is the empty one. */
struct strbuf {
	char *s;
	size_t len, cap;
};

/* Append; 0, or -1 when memory ran out (the string is as it was). */
int sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append n bytes of s. */
int sb_add(struct strbuf *b, const char *s, size_t n);

/* s as a JSON string, quotes included (escaped so that it may also sit
 * inside an HTML <script>): appended to b (0 or -1), or printed to f. */
int sb_json_string(struct strbuf *b, const char *s);
void json_string(FILE *f, const char *s);

#endif
