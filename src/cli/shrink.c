/* SPDX-License-Identifier: MIT */
/*
 * shrink.c - the smallest scenario that still differs (shrink.h).
 *
 * One change at a time, each kept if the scenario still differs in a field
 * it first differed in:
 *  - drop runs of commands, halves first, down to single ones (delta
 *    debugging);
 *  - drop a whole process with everything it did, its children with it or
 *    adopted by its parent; fold a child into its parent (no fork, its
 *    commands done by the parent);
 *  - narrow a range: half, a page less at either end, a page less of an
 *    mremap's new size;
 *  - take a page out of the whole address space, everything above it
 *    moving down a page.
 * The passes repeat until none keeps anything.  Every candidate is written
 * out and parsed again, so only valid scenarios are measured.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anonvma/anonvma.h>
#include "shrink.h"
#include "run.h"

struct shrinker {
	shrink_measure_fn measure;
	void *ctx;
	struct shrink_result *r;    /* the smallest differing scenario so far */
	const struct kresult *first;  /* how the original differed */
	int failed;                 /* the oracle failed: stop */
};

/* The scenario's text; NULL if memory ran out. */
static char *to_text(const struct scenario *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (scn_write(f, s)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Does r differ in a field the original differed in? */
static int keeps_a_field(const struct shrinker *sh, const struct kresult *r)
{
	for (size_t i = 0; i < r->ndiffs; i++)
		for (size_t j = 0; j < sh->first->ndiffs; j++)
			if (strcmp(r->diffs[i].field, sh->first->diffs[j].field) == 0)
				return 1;
	return r->model_failed && sh->first->model_failed;
}

/* Try cmds[0..n) with the current scenario's names: adopt it if it still
 * differs.  1 adopted, 0 not. */
static int try_cmds(struct shrinker *sh, const struct scn_cmd *cmds, size_t n)
{
	struct scenario cand = sh->r->s, parsed;
	struct kresult r = { 0 };
	char err[512], *text;
	int rc;

	if (sh->failed)
		return 0;
	cand.cmds = (struct scn_cmd *)cmds;
	cand.n = n;
	if (!(text = to_text(&cand))) {
		sh->failed = RUN_USAGE;
		return 0;
	}
	if (strcmp(text, sh->r->text) == 0 ||
	    scn_parse_string(&parsed, "shrink", text, err, sizeof(err))) {
		free(text);     /* no change, or not a valid scenario */
		return 0;
	}
	sh->r->runs++;
	rc = sh->measure(sh->ctx, text, &r);
	if (rc) {
		if (rc != RUN_USAGE)    /* a refused candidate is just not kept */
			sh->failed = rc;
	} else if (kresult_differs(&r) && keeps_a_field(sh, &r)) {
		scn_free(&sh->r->s);
		free(sh->r->text);
		kresult_free(&sh->r->res);
		sh->r->s = parsed;
		sh->r->text = text;
		sh->r->res = r;
		return 1;
	}
	kresult_free(&r);
	scn_free(&parsed);
	free(text);
	return 0;
}

/* A copy of the current commands to edit; NULL if memory ran out. */
static struct scn_cmd *copy_cmds(struct shrinker *sh)
{
	struct scn_cmd *c = malloc((sh->r->s.n + 1) * sizeof(*c));

	if (c)
		memcpy(c, sh->r->s.cmds, sh->r->s.n * sizeof(*c));
	else
		sh->failed = RUN_USAGE;
	return c;
}

/* Drop runs of chunk commands, halving chunk down to one. */
static int drop_commands(struct shrinker *sh)
{
	int progress = 0;

	for (size_t chunk = sh->r->s.n / 2 ? sh->r->s.n / 2 : 1; chunk >= 1 && !sh->failed; chunk /= 2) {
		for (size_t i = 0; i < sh->r->s.n && !sh->failed;) {
			struct scn_cmd *c = copy_cmds(sh);
			size_t end = i + chunk < sh->r->s.n ? i + chunk : sh->r->s.n, n = 0;
			if (!c)
				break;
			for (size_t j = 0; j < sh->r->s.n; j++)
				if (j < i || j >= end)
					c[n++] = sh->r->s.cmds[j];
			if (try_cmds(sh, c, n))
				progress = 1;   /* the same i now names later commands */
			else
				i = end;
			free(c);
		}
	}
	return progress;
}

/* Drop process x: its creation and every command of it.  Its children
 * (forked by it) are dropped too, with their own, or (adopt) forked by x's
 * parent instead, or made new processes if x had none. */
static int drop_process(struct shrinker *sh, int x, int adopt)
{
	size_t nn = sh->r->s.nnames;
	unsigned char *gone = calloc(nn ? nn : 1, 1);
	struct scn_cmd *c = copy_cmds(sh);
	int parent = -1, rc = 0;
	size_t n = 0;

	if (!gone || !c) {
		sh->failed = RUN_USAGE;
		goto out;
	}
	gone[x] = 1;
	for (size_t j = 0; j < sh->r->s.n; j++) {
		struct scn_cmd cmd = sh->r->s.cmds[j];
		int makes = cmd.op == SCN_FORK || cmd.op == SCN_THREAD || cmd.op == SCN_VFORK;
		if (makes && cmd.proc2 == x)
			parent = cmd.proc;
		if (makes && gone[cmd.proc] && !gone[cmd.proc2]) {
			if (!adopt) {
				gone[cmd.proc2] = 1;
				continue;
			}
			if (parent >= 0) {
				cmd.proc = parent;
			} else {
				cmd.op = SCN_PROC;
				cmd.proc = cmd.proc2;
				cmd.proc2 = -1;
			}
		}
		if ((cmd.proc >= 0 && gone[cmd.proc]) || (cmd.proc2 >= 0 && gone[cmd.proc2]))
			continue;
		c[n++] = cmd;
	}
	rc = try_cmds(sh, c, n);
out:
	free(gone);
	free(c);
	return rc;
}

/* Fold process (or thread) x into the task that made it: no fork, no
 * exit of x, and its commands done by the maker instead. */
static int fold_process(struct shrinker *sh, int x)
{
	struct scn_cmd *c = copy_cmds(sh);
	int parent = -1, rc;
	size_t n = 0;

	if (!c)
		return 0;
	for (size_t j = 0; j < sh->r->s.n; j++) {
		struct scn_cmd cmd = sh->r->s.cmds[j];
		if ((cmd.op == SCN_FORK || cmd.op == SCN_THREAD || cmd.op == SCN_VFORK) &&
		    cmd.proc2 == x) {
			parent = cmd.proc;
			continue;
		}
		if (cmd.op == SCN_EXIT && cmd.proc == x)
			continue;
		if (parent >= 0 && cmd.proc == x)
			cmd.proc = parent;
		c[n++] = cmd;
	}
	rc = parent >= 0 && try_cmds(sh, c, n);
	free(c);
	return rc;
}

static int drop_processes(struct shrinker *sh)
{
	int progress = 0;

	for (size_t x = 0; x < sh->r->s.nnames && !sh->failed; x++)
		if (drop_process(sh, (int)x, 0) || drop_process(sh, (int)x, 1) ||
		    fold_process(sh, (int)x)) {
			progress = 1;
			x = (size_t)-1;     /* names renumbered: start again */
		}
	return progress;
}

static int has_range(enum scn_op op)
{
	return op == SCN_MMAP || op == SCN_MUNMAP || op == SCN_MPROTECT || op == SCN_MREMAP ||
	       op == SCN_READ || op == SCN_WRITE || op == SCN_DONTNEED || op == SCN_MADVISE;
}

/* A range in the scenario's window, not in the heap (which starts where
 * it starts: taking a page out of the window does not move it). */
static int in_window(const struct scn_cmd *c)
{
	return has_range(c->op) && c->addr < AV_HEAP_START &&
	       (!c->has_addr2 || c->addr2 < AV_HEAP_START);
}

/* Narrow one command's ranges: half, one page less at either end, and
 * for mremap one page less of the new size. */
static int narrow_ranges(struct shrinker *sh)
{
	int progress = 0;

	for (size_t j = 0; j < sh->r->s.n && !sh->failed; j++) {
		const struct scn_cmd *o = &sh->r->s.cmds[j];
		uint64_t size = o->size ? o->size : AV_PAGE_SIZE;
		struct scn_cmd tries[4];
		int nt = 0;

		if (o->op == SCN_BRK && o->size) {        /* a page smaller heap */
			tries[nt] = *o;
			tries[nt++].size = o->size - AV_PAGE_SIZE;
		}
		if (!has_range(o->op))
			goto try;
		if (size >= 4 * AV_PAGE_SIZE) {
			tries[nt] = *o;
			tries[nt++].size = size / 2 & ~(uint64_t)(AV_PAGE_SIZE - 1);
		}
		if (size > AV_PAGE_SIZE) {
			tries[nt] = *o;
			tries[nt++].size = size - AV_PAGE_SIZE;
			tries[nt] = *o;
			tries[nt].addr += AV_PAGE_SIZE;
			tries[nt++].size = size - AV_PAGE_SIZE;
		}
		if (o->op == SCN_MREMAP && o->size2 > AV_PAGE_SIZE) {
			tries[nt] = *o;
			tries[nt++].size2 = o->size2 - AV_PAGE_SIZE;
		}
try:
		for (int t = 0; t < nt; t++) {
			struct scn_cmd *c = copy_cmds(sh);
			int ok;
			if (!c)
				break;
			c[j] = tries[t];
			ok = try_cmds(sh, c, sh->r->s.n);
			free(c);
			if (ok) {
				progress = 1;
				break;
			}
		}
	}
	return progress;
}

/* Take page x out of a range [*a, *a + *s): 0 if the range is then empty. */
static int cut_page(uint64_t x, uint64_t *a, uint64_t *s)
{
	if (x < *a)
		*a -= AV_PAGE_SIZE;
	else if (x < *a + *s)
		*s -= AV_PAGE_SIZE;
	return *s != 0;
}

/* Take the page at x out of the whole address space: everything above it
 * moves down a page, ranges over it lose it. */
static int drop_page(struct shrinker *sh, uint64_t x)
{
	struct scn_cmd *c = copy_cmds(sh);
	size_t n = 0;
	int rc;

	if (!c)
		return 0;
	for (size_t j = 0; j < sh->r->s.n; j++) {
		struct scn_cmd cmd = sh->r->s.cmds[j];
		if (in_window(&cmd)) {
			uint64_t a2 = cmd.has_addr2 ? cmd.addr2 : cmd.addr;
			if (!cmd.size)
				cmd.size = AV_PAGE_SIZE;
			if (!cut_page(x, &cmd.addr, &cmd.size))
				continue;
			if (cmd.op == SCN_MREMAP) {
				if (!cut_page(x, &a2, &cmd.size2))
					continue;
				if (cmd.has_addr2)
					cmd.addr2 = a2;
			}
		}
		c[n++] = cmd;
	}
	rc = try_cmds(sh, c, n);
	free(c);
	return rc;
}

static int drop_pages(struct shrinker *sh)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	int progress = 0;

	for (size_t j = 0; j < sh->r->s.n; j++) {
		const struct scn_cmd *c = &sh->r->s.cmds[j];
		if (!in_window(c))
			continue;
		if (c->addr < lo)
			lo = c->addr;
		if (c->addr + (c->size ? c->size : AV_PAGE_SIZE) > hi)
			hi = c->addr + (c->size ? c->size : AV_PAGE_SIZE);
		if (c->has_addr2 && c->addr2 < lo)
			lo = c->addr2;
		if (c->op == SCN_MREMAP && (c->has_addr2 ? c->addr2 : c->addr) + c->size2 > hi)
			hi = (c->has_addr2 ? c->addr2 : c->addr) + c->size2;
	}
	for (uint64_t x = lo; x < hi && !sh->failed; x += AV_PAGE_SIZE)
		if (drop_page(sh, x)) {
			progress = 1;
			hi -= AV_PAGE_SIZE;
			x -= AV_PAGE_SIZE;
		}
	return progress;
}

int shrink_scenario(const char *text, const struct kresult *first, shrink_measure_fn measure,
		    void *ctx, struct shrink_result *out)
{
	struct shrinker sh = { .measure = measure, .ctx = ctx, .r = out, .first = first };
	char err[512];
	int progress = 1;

	memset(out, 0, sizeof(*out));
	if (!(out->text = strdup(text)))
		return RUN_USAGE;
	if (scn_parse_string(&out->s, "shrink", text, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		free(out->text);
		out->text = NULL;
		return RUN_USAGE;
	}
	while (progress && !sh.failed) {
		progress = drop_commands(&sh);
		progress |= drop_processes(&sh);
		progress |= narrow_ranges(&sh);
		progress |= drop_pages(&sh);
	}
	if (sh.failed)
		shrink_result_free(out);
	return sh.failed;
}

void shrink_result_free(struct shrink_result *r)
{
	scn_free(&r->s);
	free(r->text);
	kresult_free(&r->res);
	memset(r, 0, sizeof(*r));
}
