/* SPDX-License-Identifier: MIT */
/*
 * run.c - execute a scenario: one library call per command, checkpoints,
 * errors, the trace, and the text or JSON report.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <anonvma/anonvma.h>
#include <anonvma/limiter.h>
#include "run.h"
#include "../scn/fields.h"
#include "show.h"
#include "../scn/errname.h"
#include "buf.h"

struct point {
	int line;
	struct av_stats st;
};

struct op_error {
	int line;
	enum scn_op op;
	int err;
};

struct runner {
	const struct scenario *s;
	const struct run_opts *o;
	FILE *out, *err, *info;     /* info: show/tree/trace (stderr with --json) */
	av_world *w;
	struct av_limiter limiter;  /* --max-memory and --fail-alloc */
	uint64_t refused_budget, refused_nth;  /* the limiter's refusals before this command */
	av_pid *pids;               /* by name index; -1 if not live */
	int *files;                 /* by file index: its id in the world; 0 not made yet */
	struct point *points;
	size_t npoints, points_cap;
	struct op_error *errors;
	size_t nerrors, errors_cap;
};

/* ---- the trace ---- */

struct id_set {
	uint64_t *ids;
	size_t n, cap;
	struct av_anon_vma_info *info;
};

static int collect_anon_vma(const struct av_anon_vma_info *a, void *arg)
{
	struct id_set *set = arg;
	struct av_anon_vma_info *q = buf_grow(set->info, &set->cap, set->n, sizeof(*q));

	if (!q)
		return -ENOMEM;
	set->info = q;
	set->info[set->n++] = *a;
	return 0;
}

static int cmp_info(const void *a, const void *b)
{
	const struct av_anon_vma_info *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int snapshot(av_world *w, struct id_set *set)
{
	set->n = 0;
	if (av_anon_vma_foreach(w, collect_anon_vma, set))
		return -ENOMEM;
	if (set->n)
		qsort(set->info, set->n, sizeof(*set->info), cmp_info);
	return 0;
}

static int has_id(const struct id_set *set, uint64_t id)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (set->info[mid].id == id)
			return 1;
		if (set->info[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void trace_anon_vmas(FILE *f, const struct id_set *before, const struct id_set *after)
{
	for (size_t i = 0; i < after->n; i++) {
		const struct av_anon_vma_info *a = &after->info[i];
		if (has_id(before, a->id))
			continue;
		if (a->root == a->id)
			fprintf(f, "    + anon_vma #%" PRIu64 " (its own root)\n", a->id);
		else
			fprintf(f, "    + anon_vma #%" PRIu64 " (root #%" PRIu64 ", parent #%" PRIu64 ")\n",
				a->id, a->root, a->parent);
	}
	for (size_t i = 0; i < before->n; i++) {
		const struct av_anon_vma_info *a = &before->info[i];
		if (!has_id(after, a->id))
			fprintf(f, "    - anon_vma #%" PRIu64 "%s freed\n", a->id,
				a->root == a->id ? " (a root)" : "");
	}
}

/* Counters worth showing; lock counts would drown the rest. */
static int traced_field(int i)
{
	const char *n = stat_fields[i].name;
	return strncmp(n, "root_lock", 9) && strncmp(n, "mmap_lock", 9) &&
	       !strstr(n, "_allocated") && !strstr(n, "_freed");
}

static void trace_stats(FILE *f, const struct av_stats *a, const struct av_stats *b)
{
	int n = 0;

	for (size_t i = 0; i < nr_stat_fields; i++) {
		uint64_t x = stat_field_get(a, (int)i), y = stat_field_get(b, (int)i);
		if (x == y || !traced_field((int)i))
			continue;
		fprintf(f, "%s%s %s%" PRIu64, n++ % 6 ? ", " : n > 1 ? "\n    " : "    ",
			stat_fields[i].name, y > x ? "+" : "-", y > x ? y - x : x - y);
	}
	if (n)
		fputc('\n', f);
}

#define TRACE_PAGES 4

static void trace_pages(struct runner *r, const struct scn_cmd *c)
{
	uint64_t len = c->size ? c->size : AV_PAGE_SIZE, pages = len / AV_PAGE_SIZE;
	av_pid pid = r->pids[c->proc];

	if (pid < 0)
		return;
	for (uint64_t i = 0; i < pages && i < TRACE_PAGES; i++)
		show_page(r->info, r->w, pid, c->addr + i * AV_PAGE_SIZE);
	if (pages > TRACE_PAGES)
		fprintf(r->info, "    ... and %" PRIu64 " more pages\n", pages - TRACE_PAGES);
}

/* ---- executing one command ---- */

static int record_error(struct runner *r, const struct scn_cmd *c, int err)
{
	struct op_error *e = buf_grow(r->errors, &r->errors_cap, r->nerrors, sizeof(*e));

	if (r->o->on_error)
		r->o->on_error(r->o->ctx, c->line, c->op, err);
	if (!r->o->quiet) {
		fprintf(r->err, "%s:%d: %s: %s", r->s->file, c->line, scn_op_name(c->op),
			errno_name(err));
		/* Say which limit refused, if one did during this command. */
		if (err == -ENOMEM && r->limiter.refused_budget != r->refused_budget)
			fprintf(r->err, " (the world's memory limit of %" PRIu64 " bytes; "
				"raise it with --max-memory)", r->limiter.max_bytes);
		if (err == -ENOMEM && r->limiter.refused_nth != r->refused_nth)
			fprintf(r->err, " (--fail-alloc)");
		fputc('\n', r->err);
	}
	if (r->o->trace)
		fprintf(r->info, "    refused: %s\n", av_world_error(r->w));
	if (!e)
		return -ENOMEM;
	r->errors = e;
	r->errors[r->nerrors++] = (struct op_error){ c->line, c->op, err };
	return 0;
}

static int add_point(struct runner *r, const struct scn_cmd *c)
{
	struct point *p = buf_grow(r->points, &r->points_cap, r->npoints, sizeof(*p));

	if (!p)
		return -ENOMEM;
	r->points = p;
	p = &r->points[r->npoints++];
	p->line = c->line;
	av_stats_read(r->w, &p->st);
	if (r->o->on_point)
		r->o->on_point(r->o->ctx, c->line, r->w, r->pids);
	if (!r->o->json && !r->o->quiet) {
		fprintf(r->out, "line %d: stats", c->line);
		for (int i = 0; i < NR_CONTRACT_FIELDS; i++)
			fprintf(r->out, " %s=%" PRIu64, stat_fields[i].name,
				stat_field_get(&p->st, i));
		fputc('\n', r->out);
	}
	return 0;
}

static int compare(uint64_t a, enum scn_cmp op, uint64_t b)
{
	switch (op) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_LT: return a < b;
	case CMP_LE: return a <= b;
	case CMP_GT: return a > b;
	default:     return a >= b;
	}
}

static int do_expect(struct runner *r, const struct scn_cmd *c)
{
	struct av_stats st;
	uint64_t v;

	if (stat_fields[c->field].scanned)
		av_stats_read(r->w, &st);
	else
		av_stats_read_counters(r->w, &st);   /* a recording's many expects */
	v = stat_field_get(&st, c->field);
	if (compare(v, c->cmp, c->value))
		return RUN_OK;
	fprintf(r->err, "%s:%d: expect %s %s %" PRIu64 " failed: %s is %" PRIu64 "\n",
		r->s->file, c->line, stat_fields[c->field].name, scn_cmp_name(c->cmp),
		c->value, stat_fields[c->field].name, v);
	return RUN_FAILED;
}

static int do_check(struct runner *r, const struct scn_cmd *c, const char *after)
{
	if (av_check(r->w) == 0)
		return RUN_OK;
	if (after)
		fprintf(r->err, "%s:%d: check failed after '%s': %s\n", r->s->file, c->line,
			after, av_world_error(r->w));
	else
		fprintf(r->err, "%s:%d: check failed: %s\n", r->s->file, c->line,
			av_world_error(r->w));
	return RUN_FAILED;
}

/* The library call behind c; 0 or a negative errno. */
static int call(struct runner *r, const struct scn_cmd *c, uint64_t *done)
{
	av_world *w = r->w;
	av_pid pid = c->proc >= 0 ? r->pids[c->proc] : -1, child;
	uint64_t len = c->size ? c->size : AV_PAGE_SIZE;
	int err;

	switch (c->op) {
	case SCN_PROC:
		if ((err = av_proc_create(w, &child)) == 0)
			r->pids[c->proc] = child;
		return err;
	case SCN_FORK:
		if ((err = av_fork(w, pid, &child)) == 0)
			r->pids[c->proc2] = child;
		return err;
	case SCN_THREAD:
		if ((err = av_thread_create(w, pid, &child)) == 0)
			r->pids[c->proc2] = child;
		return err;
	case SCN_VFORK:
		if ((err = av_vfork(w, pid, &child)) == 0)
			r->pids[c->proc2] = child;
		return err;
	case SCN_EXIT:
		r->pids[c->proc] = -1;
		return av_exit(w, pid);
	case SCN_EXEC:
		err = av_exec(w, pid);
		/* The other tasks of the process ended with its old image. */
		for (size_t i = 0; !err && i < r->s->nnames; i++)
			if (r->pids[i] >= 0 && av_task_process(w, r->pids[i]) < 0)
				r->pids[i] = -1;
		return err;
	case SCN_BRK:      return av_brk(w, pid, c->size);
	case SCN_MADVISE:  return av_madvise(w, pid, c->addr, c->size, c->advice);
	case SCN_MMAP:
		if (c->file < 0)
			return av_mmap_file(w, pid, c->addr, c->size, c->prot,
					    c->map_flags, 0, 0);
		/* A file comes to be at its first mapping, its size the end
		 * of its furthest one. */
		if (!r->files[c->file] &&
		    (err = av_file_create(w, r->s->file_size[c->file], &r->files[c->file])))
			return err;
		return av_mmap_file(w, pid, c->addr, c->size, c->prot,
				    c->map_flags, r->files[c->file], c->offset);
	case SCN_MUNMAP:   return av_munmap(w, pid, c->addr, c->size);
	case SCN_MPROTECT: return av_mprotect(w, pid, c->addr, c->size, c->prot);
	case SCN_MREMAP:
		return av_mremap(w, pid, c->addr, c->size, c->size2,
				 c->has_addr2 ? AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED : 0, c->addr2);
	case SCN_DONTNEED: return av_madvise_dontneed(w, pid, c->addr, c->size);
	case SCN_READ:     return av_touch(w, pid, c->addr, len, 0);
	case SCN_WRITE:    return av_touch(w, pid, c->addr, len, 1);
	case SCN_RECLAIM:  return av_reclaim(w, pid, c->addr, len, done);
	case SCN_AGE:      return av_age(w, pid, c->addr, len, done);
	case SCN_MIGRATE:  return av_migrate(w, pid, c->addr, len, done);
	default:           return 0;
	}
}

/* A name the parser saw created may still be missing: its fork failed. */
static int names_live(struct runner *r, const struct scn_cmd *c)
{
	int idx[2] = { c->proc, c->op == SCN_FORK || c->op == SCN_THREAD || c->op == SCN_VFORK
				? -1 : c->proc2 };

	if (c->op == SCN_PROC)
		return 1;
	for (int i = 0; i < 2; i++)
		if (idx[i] >= 0 && r->pids[idx[i]] < 0) {
			fprintf(r->err, "%s:%d: no process '%s' (its creation failed)\n",
				r->s->file, c->line, r->s->names[idx[i]]);
			return 0;
		}
	return 1;
}

static int step(struct runner *r, const struct scn_cmd *c, struct id_set *before,
		struct id_set *after)
{
	struct av_stats s0, s1;
	char text[160];
	uint64_t done = 0;
	int err, rc = RUN_OK;

	if (c->op == SCN_NARRATE) {
		if (r->o->trace)
			fprintf(r->info, "%s%s\n", c->text[0] ? "## " : "", c->text);
		return RUN_OK;
	}
	if (!names_live(r, c))
		return RUN_USAGE;
	/* The command's text, for the trace and --check's message only: a
	 * replay of a million faults need not print each to a buffer. */
	if (r->o->trace || r->o->check)
		scn_format_cmd(r->s, c, text, sizeof(text));
	if (r->o->trace) {
		if (c->op != SCN_STATS)
			fprintf(r->info, "line %d: %s\n", c->line, text);
		av_stats_read(r->w, &s0);
		if (snapshot(r->w, before))
			return -ENOMEM;
	}
	switch (c->op) {
	case SCN_STATS:  err = add_point(r, c); break;
	case SCN_EXPECT: return r->o->replay ? RUN_OK : do_expect(r, c);
	case SCN_CHECK:  return r->o->replay ? RUN_OK : do_check(r, c, NULL);
	case SCN_SHOW:
		return show_proc(r->info, r->w, r->pids[c->proc], r->s->names[c->proc])
			? -ENOMEM : RUN_OK;
	case SCN_TREE:
		return show_tree(r->info, r->w, r->pids, r->s->names, r->s->nnames) ? -ENOMEM : RUN_OK;
	default:
		err = call(r, c, &done);
		if (err && (err = record_error(r, c, err)))
			return err;
		break;
	}
	if (err)
		return err;
	if (r->o->trace) {
		av_stats_read(r->w, &s1);
		if (snapshot(r->w, after))
			return -ENOMEM;
		trace_anon_vmas(r->info, before, after);
		trace_stats(r->info, &s0, &s1);
		if (c->op == SCN_READ || c->op == SCN_WRITE || c->op == SCN_MIGRATE ||
		    c->op == SCN_RECLAIM)
			trace_pages(r, c);
	}
	if (r->o->check)
		rc = do_check(r, c, text);
	return rc;
}

static int step_hooked(struct runner *r, const struct scn_cmd *c, struct id_set *before,
		       struct id_set *after)
{
	int rc;

	r->refused_budget = r->limiter.refused_budget;
	r->refused_nth = r->limiter.refused_nth;
	rc = step(r, c, before, after);
	if (r->o->on_step && c->op != SCN_NARRATE)
		r->o->on_step(r->o->ctx, c->line, c->op, r->w);
	if (r->o->on_command && (rc == RUN_OK || rc == RUN_FAILED))
		r->o->on_command(r->o->ctx, c, r->w, r->pids);
	return rc;
}

/* ---- the report ---- */

static void print_json(struct runner *r)
{
	FILE *f = r->out;

	fputs("{\"policy\": ", f);
	json_string(f, av_world_policy(r->w));
	fprintf(f, ", \"zero_page\": %s,\n \"points\": [", av_world_zero_page(r->w) ? "true" : "false");
	for (size_t i = 0; i < r->npoints; i++) {
		fprintf(f, "%s\n  {\"line\": %d", i ? "," : "", r->points[i].line);
		for (size_t k = 0; k < nr_stat_fields; k++)
			fprintf(f, ", \"%s\": %" PRIu64, stat_fields[k].name,
				stat_field_get(&r->points[i].st, (int)k));
		fputc('}', f);
	}
	fputs(r->npoints ? "\n ],\n \"errors\": [" : "],\n \"errors\": [", f);
	for (size_t i = 0; i < r->nerrors; i++)
		fprintf(f, "%s\n  {\"line\": %d, \"op\": \"%s\", \"errno\": \"%s\"}", i ? "," : "",
			r->errors[i].line, scn_op_name(r->errors[i].op), errno_name(r->errors[i].err));
	fputs(r->nerrors ? "\n ]}\n" : "]}\n", f);
}

static int world_for(struct runner *r)
{
	struct av_world_config cfg;
	int err;

	av_world_config_init(&cfg);
	cfg.policy = r->o->policy ? r->o->policy : r->s->policy ? r->s->policy : cfg.policy;
	if (r->o->zero_page >= 0)
		cfg.zero_page = r->o->zero_page;
	else if (r->s->has_zero_page)
		cfg.zero_page = r->s->zero_page;
	cfg.fault_around_pages = r->o->fault_around ? r->o->fault_around : r->s->fault_around;
	av_limiter_init(&r->limiter, r->o->allocator);
	r->limiter.max_bytes = r->o->max_memory;
	r->limiter.fail_nth = r->o->fail_alloc;
	r->limiter.fail_after = r->o->fail_alloc_after;
	cfg.allocator = &r->limiter.allocator;
	if ((err = av_world_create(&cfg, &r->w))) {
		r->w = NULL;
		fprintf(r->err, "%s: cannot create a world: %s\n", r->s->file, errno_name(err));
		return RUN_USAGE;
	}
	return RUN_OK;
}

int run_scenario(const struct scenario *s, const struct run_opts *o, FILE *out, FILE *err)
{
	struct runner r = { .s = s, .o = o, .out = out, .err = err, .info = o->json ? err : out };
	struct id_set before = { 0 }, after = { 0 };
	int rc = world_for(&r);

	if (rc)
		return rc;
	if (!(r.pids = malloc((s->nnames ? s->nnames : 1) * sizeof(*r.pids))) ||
	    !(r.files = calloc(s->nfiles ? s->nfiles : 1, sizeof(*r.files)))) {
		rc = -ENOMEM;
	} else {
		for (size_t i = 0; i < s->nnames; i++)
			r.pids[i] = -1;
		for (size_t i = 0; i < s->n && rc == RUN_OK; i++)
			rc = step_hooked(&r, &s->cmds[i], &before, &after);
	}
	if (rc == -ENOMEM) {
		fprintf(err, "%s: out of memory in the tool itself\n", s->file);
		rc = RUN_USAGE;
	}
	if (o->json && rc != RUN_USAGE)
		print_json(&r);
	if (o->on_end && rc != RUN_USAGE)
		o->on_end(o->ctx, r.w);
	av_world_destroy(r.w);
	free(r.pids);
	free(r.files);
	free(r.points);
	free(r.errors);
	free(before.info);
	free(after.info);
	return rc;
}
