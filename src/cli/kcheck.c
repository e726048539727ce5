/* SPDX-License-Identifier: MIT */
/*
 * kcheck.c - `anonvma kcheck`: run scenarios in the model (linux-6.18) and
 * on the live kernel (anonvma-krun), and compare every checkpoint.
 *
 * Per checkpoint: anon_vma and avc (kernel: the run minus its baseline),
 * vmas, anon_pages, anon_ptes, zero_ptes, swap_ptes, cow_copies (writes
 * that copied a page rather than reuse it, so far), the mappings (each
 * process's VMAs: start, end, protection), and the sharing signature
 * (which process maps which page to which frame, and whether the frame is
 * mapped exactly once).  Per scenario: the refused operations and
 * their errnos.  docs/kernel-faithfulness.md explains the method.
 *
 * One runner serves every scenario of a run (anonvma-krun --serve): it
 * keeps its tracing instance, so a measurement costs the scenario's own
 * work, not the set-up and teardown of tracefs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <anonvma/anonvma.h>
#include "kcheck.h"
#include "run.h"
#include "../scn/errname.h"
#include "buf.h"
#include "../krun/krun.h"

enum { F_ANON_VMA, F_AVC, F_VMAS, F_ANON_PAGES, F_ANON_PTES, F_ZERO_PTES, F_SWAP_PTES,
       F_FILE_PTES, F_COW_COPIES, NF };
static const char *const field_names[NF] = {
	"anon_vma", "avc", "vmas", "anon_pages", "anon_ptes", "zero_ptes", "swap_ptes",
	"file_ptes", "cow_copies",
};

struct kpoint {
	int line;
	long v[NF];
	char *maps;             /* mappings in the window, process by process */
	char *share;            /* who maps which frame */
};

struct kerr {
	int line;
	char op[16], name[16];
};

/* One side's account of one scenario. */
struct report {
	int zero_page;
	int fault_around;           /* pages; 0 not reported */
	struct kpoint *pts;
	size_t npts, cap;
	struct kerr *errs;
	size_t nerrs, ecap;
};

/* The kernel side: one anonvma-krun --serve. */
struct krunner {
	char *path;
	pid_t pid;                  /* 0: not running */
	FILE *to, *from;
};

struct kcheck {
	const struct kcheck_opts *o;
	struct krunner runner;
	int zero_page;              /* detected on the first run, -1 before */
	int fault_around;           /* pages, detected with it */
	size_t files, points, mismatched_files;
	int json_first;
	uint64_t *pages;            /* the scenario's pages (model side) */
	size_t npages;
	const struct scenario *s;
	struct report *model;       /* being filled by the model hooks */
	int oom;
};

static void report_free(struct report *r)
{
	for (size_t i = 0; i < r->npts; i++) {
		free(r->pts[i].maps);
		free(r->pts[i].share);
	}
	free(r->pts);
	free(r->errs);
	memset(r, 0, sizeof(*r));
}

static struct kpoint *point_at(struct report *r, int line)
{
	struct kpoint *p;

	for (size_t i = 0; i < r->npts; i++)
		if (r->pts[i].line == line)
			return &r->pts[i];
	if (!(p = buf_grow(r->pts, &r->cap, r->npts, sizeof(*p))))
		return NULL;
	r->pts = p;
	memset(&r->pts[r->npts], 0, sizeof(r->pts[0]));
	r->pts[r->npts].line = line;
	return &r->pts[r->npts++];
}

static int add_error(struct report *r, int line, const char *op, const char *name)
{
	struct kerr *e = buf_grow(r->errs, &r->ecap, r->nerrs, sizeof(*e));

	if (!e)
		return -1;
	r->errs = e;
	r->errs[r->nerrs].line = line;
	snprintf(r->errs[r->nerrs].op, sizeof(r->errs[0].op), "%s", op);
	snprintf(r->errs[r->nerrs].name, sizeof(r->errs[0].name), "%s", name);
	r->nerrs++;
	return 0;
}

/* ---- the kernel side ---- */

/* Parse one record of anonvma-krun's report (krun.h). */
static int parse_record(struct report *r, char *line)
{
	char op[32], name[32];
	struct kpoint *p;
	int n, ln;
	long a, b;

	if (sscanf(line, "zero_page %d", &r->zero_page) == 1)
		return 0;
	if (sscanf(line, "fault_around %d", &r->fault_around) == 1)
		return 0;
	if (sscanf(line, "error %d %31s %31s", &ln, op, name) == 3)
		return add_error(r, ln, op, name);
	if (sscanf(line, "objects %d anon_vma %ld avc %ld", &ln, &a, &b) == 3) {
		if (!(p = point_at(r, ln)))
			return -1;
		p->v[F_ANON_VMA] = a;
		p->v[F_AVC] = b;
		return 0;
	}
	if (sscanf(line, "share %d%n", &ln, &n) == 1) {
		if (!(p = point_at(r, ln)))
			return -1;
		free(p->share);
		return (p->share = strdup(line + n + (line[n] == ' '))) ? 0 : -1;
	}
	if (sscanf(line, "maps %d%n", &ln, &n) == 1) {
		if (!(p = point_at(r, ln)))
			return -1;
		free(p->maps);
		return (p->maps = strdup(line + n + (line[n] == ' '))) ? 0 : -1;
	}
	if (sscanf(line, "pages %d", &ln) == 1) {
		if (!(p = point_at(r, ln)))
			return -1;
		sscanf(line, "pages %*d vmas %ld anon_pages %ld anon_ptes %ld zero_ptes %ld swap_ptes %ld "
		       "file_ptes %ld cow_copies %ld", &p->v[F_VMAS], &p->v[F_ANON_PAGES],
		       &p->v[F_ANON_PTES], &p->v[F_ZERO_PTES], &p->v[F_SWAP_PTES], &p->v[F_FILE_PTES],
		       &p->v[F_COW_COPIES]);
	}
	return 0;
}

/* Start the runner: "anonvma-krun --serve" on two pipes. */
static int krunner_start(struct krunner *r)
{
	int in[2], out[2];

	if (pipe(in))
		return -1;
	if (pipe(out)) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if ((r->pid = fork()) < 0) {
		r->pid = 0;
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return -1;
	}
	if (r->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		execl(r->path, r->path, "--serve", (char *)NULL);
		fprintf(stderr, "anonvma kcheck: cannot run %s: %s\n", r->path, strerror(errno));
		_exit(2);
	}
	close(in[0]);
	close(out[1]);
	r->to = fdopen(in[1], "w");
	r->from = fdopen(out[0], "r");
	if (!r->to || !r->from) {
		if (r->to)
			fclose(r->to);
		else
			close(in[1]);
		if (r->from)
			fclose(r->from);
		else
			close(out[0]);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
		return -1;
	}
	return 0;
}

/* Closing its input ends the runner, which removes its tracing instance. */
static int krunner_stop(struct krunner *r)
{
	int status = 0;

	if (!r->pid)
		return 0;
	fclose(r->to);
	fclose(r->from);
	waitpid(r->pid, &status, 0);
	r->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* One kernel measurement of text: the report into out.  0, or the
 * runner's failure status (1, RUN_USAGE, KRUN_SKIP) with its message on
 * stderr. */
static int krunner_measure(struct kcheck *k, const char *name, const char *text,
			   struct report *out)
{
	struct krunner *r = &k->runner;
	char *line = NULL;
	size_t cap = 0;
	int rc = -1, status;

	if (!r->pid && krunner_start(r)) {
		fprintf(stderr, "anonvma kcheck: cannot start %s: %s\n", r->path, strerror(errno));
		return RUN_FAILED;
	}
	fprintf(r->to, "scenario %zu %s\n", strlen(text), name);
	fputs(text, r->to);
	if (fflush(r->to) == 0) {
		while (getline(&line, &cap, r->from) > 0) {
			int n = 0;
			line[strcspn(line, "\n")] = '\0';
			if (strcmp(line, "end") == 0) {
				rc = 0;
				break;
			}
			if (sscanf(line, "fail %d %n", &status, &n) == 1 && n) {
				fprintf(stderr, "anonvma-krun: %s\n", line + n);
				rc = status == KRUN_SKIP || status == RUN_USAGE ? status : RUN_FAILED;
				break;
			}
			if (parse_record(out, line)) {
				fprintf(stderr, "anonvma kcheck: out of memory\n");
				rc = RUN_FAILED;
				break;
			}
		}
	}
	free(line);
	if (rc < 0) {
		fprintf(stderr, "anonvma kcheck: the runner %s stopped answering (exit %d)\n",
			r->path, krunner_stop(r));
		return RUN_FAILED;
	}
	if (k->o->fresh_runner || rc)
		krunner_stop(r);
	return rc;
}

/* ---- the model side ---- */

struct frame_ids {
	uint64_t *pfn;
	size_t n, cap;
};

static unsigned frame_id(struct frame_ids *f, uint64_t pfn, int *oom)
{
	uint64_t *p;

	for (size_t i = 0; i < f->n; i++)
		if (f->pfn[i] == pfn)
			return (unsigned)i + 1;
	if (!(p = buf_grow(f->pfn, &f->cap, f->n, sizeof(*p)))) {
		*oom = 1;
		return 0;
	}
	f->pfn = p;
	f->pfn[f->n++] = pfn;
	return (unsigned)f->n;
}

/* Whether name i is the one that speaks for its process at a checkpoint:
 * the first live name (in name order) of its tasks, as krun.c picks. */
static int reports_process(av_world *w, const av_pid *pids, size_t i)
{
	av_pid proc;

	if (pids[i] < 0 || (proc = av_task_process(w, pids[i])) < 0)
		return 0;
	for (size_t j = 0; j < i; j++)
		if (pids[j] >= 0 && av_task_process(w, pids[j]) == proc)
			return 0;
	return 1;
}

/* The same signature pagemap.c prints, from the model. */
static char *model_share(struct kcheck *k, av_world *w, const av_pid *pids)
{
	struct strbuf b = { 0 };
	struct frame_ids f = { 0 };
	int oom = sb_add(&b, "", 0);

	for (size_t i = 0; i < k->s->nnames && !oom; i++) {
		if (!reports_process(w, pids, i))
			continue;
		for (size_t p = 0; p < k->npages && !oom; p++) {
			struct av_page_info pi;
			const char *sep = b.len ? " " : "";
			if (av_page_lookup(w, pids[i], k->pages[p], &pi))
				continue;
			if (pi.kind == AV_PTE_SWAP)
				oom = sb_printf(&b, "%s%s:%#" PRIx64 "=S", sep, k->s->names[i], k->pages[p]);
			else if (pi.kind == AV_PTE_ZERO)
				oom = sb_printf(&b, "%s%s:%#" PRIx64 "=Z", sep, k->s->names[i], k->pages[p]);
			else if (pi.kind == AV_PTE_ANON || pi.kind == AV_PTE_FILE)
				oom = sb_printf(&b, "%s%s:%#" PRIx64 "=%u%s%s", sep, k->s->names[i],
						k->pages[p], frame_id(&f, pi.pfn, &oom),
						pi.kind == AV_PTE_FILE ? "f" : "",
						pi.mapcount == 1 ? "x" : "");
		}
	}
	free(f.pfn);
	if (oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

struct maps_ctx {
	struct strbuf *b;
	const char *name;
	int oom;
};

static int add_vma(const struct av_vma_info *v, void *arg)
{
	struct maps_ctx *m = arg;

	if (v->start < KRUN_SPAN ||
	    (v->start >= AV_HEAP_START && v->start < AV_HEAP_START + KRUN_HEAP_SPAN))
		m->oom |= sb_printf(m->b, "%s%s:%#" PRIx64 "-%#" PRIx64 ":%s%s", m->b->len ? " " : "",
				    m->name, v->start, v->end,
				    !(v->prot & AV_PROT_READ) ? "none" :
				    v->prot & AV_PROT_WRITE ? "rw" : "r",
				    v->prot & AV_PROT_EXEC ? "x" : "");
	return 0;
}

/* The same list of mappings pagemap.c prints, from the model. */
static char *model_maps(struct kcheck *k, av_world *w, const av_pid *pids)
{
	struct strbuf b = { 0 };
	struct maps_ctx m = { &b, NULL, sb_add(&b, "", 0) };

	for (size_t i = 0; i < k->s->nnames && !m.oom; i++) {
		if (!reports_process(w, pids, i))
			continue;
		m.name = k->s->names[i];
		if (av_vma_foreach(w, pids[i], add_vma, &m))
			m.oom = 1;
	}
	if (m.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static void on_model_point(void *ctx, int line, av_world *w, const av_pid *pids)
{
	struct kcheck *k = ctx;
	struct kpoint *p = point_at(k->model, line);
	struct av_stats st;

	if (!p) {
		k->oom = 1;
		return;
	}
	av_stats_read(w, &st);
	p->v[F_ANON_VMA] = (long)st.obj[AV_OBJ_ANON_VMA].live;
	p->v[F_AVC] = (long)st.obj[AV_OBJ_AVC].live;
	p->v[F_VMAS] = (long)st.vmas;
	p->v[F_ANON_PAGES] = (long)st.anon_pages;
	p->v[F_ANON_PTES] = (long)st.anon_ptes;
	p->v[F_ZERO_PTES] = (long)st.zero_ptes;
	p->v[F_SWAP_PTES] = (long)st.swap_ptes;
	p->v[F_FILE_PTES] = (long)st.file_ptes;
	p->v[F_COW_COPIES] = (long)st.fault.cow_copies;
	free(p->share);
	free(p->maps);
	if (!(p->share = model_share(k, w, pids)) || !(p->maps = model_maps(k, w, pids)))
		k->oom = 1;
}

static void on_model_error(void *ctx, int line, enum scn_op op, int err)
{
	struct kcheck *k = ctx;

	if (add_error(k->model, line, scn_op_name(op), errno_name(err)))
		k->oom = 1;
}

static int model_run(struct kcheck *k, const struct scenario *s, struct report *out)
{
	struct run_opts o = { .policy = k->o->policy, .zero_page = k->zero_page,
			      .fault_around = (unsigned)k->fault_around, .quiet = 1,
			      .max_memory = RUN_DEFAULT_MAX_MEMORY, .on_point = on_model_point,
			      .on_error = on_model_error, .ctx = k };
	FILE *null = fopen("/dev/null", "w");
	int rc;

	if (!null)
		return RUN_USAGE;
	k->model = out;
	k->oom = 0;
	rc = run_scenario(s, &o, null, stderr);
	fclose(null);
	return k->oom ? RUN_USAGE : rc;
}

/* ---- comparing ---- */

static int add_diff(struct kresult *res, int line, const char *field, const char *model,
		    const char *kernel)
{
	struct kdiff *d = buf_grow(res->diffs, &res->cap, res->ndiffs, sizeof(*d));

	if (!d)
		return -1;
	res->diffs = d;
	d = &res->diffs[res->ndiffs++];
	d->line = line;
	snprintf(d->field, sizeof(d->field), "%s", field);
	snprintf(d->model, sizeof(d->model), "%s", model);
	snprintf(d->kernel, sizeof(d->kernel), "%s", kernel);
	return 0;
}

/* The first token where two signatures part. */
static int token_diff(struct kresult *res, int line, const char *field, const char *a,
		      const char *b)
{
	char ta[96] = "(end)", tb[96] = "(end)";

	while (*a && *b) {
		size_t la = strcspn(a, " "), lb = strcspn(b, " ");
		if (la != lb || strncmp(a, b, la))
			break;
		a += la + (a[la] == ' ');
		b += lb + (b[lb] == ' ');
	}
	if (*a)
		snprintf(ta, sizeof(ta), "%.*s", (int)strcspn(a, " "), a);
	if (*b)
		snprintf(tb, sizeof(tb), "%.*s", (int)strcspn(b, " "), b);
	return add_diff(res, line, field, ta, tb);
}

static int compare_points(struct kresult *res, const struct report *m, const struct report *kr)
{
	char a[32], b[32];
	int err = 0;

	for (size_t i = 0; (i < m->npts || i < kr->npts) && !err; i++) {
		const struct kpoint *p = i < m->npts ? &m->pts[i] : NULL;
		const struct kpoint *q = i < kr->npts ? &kr->pts[i] : NULL;
		if (!p || !q || p->line != q->line) {
			err = add_diff(res, p ? p->line : q->line, "checkpoint",
				       p ? "present" : "missing", q ? "present" : "missing");
			continue;
		}
		for (int f = 0; f < NF && !err; f++)
			if (p->v[f] != q->v[f]) {
				snprintf(a, sizeof(a), "%ld", p->v[f]);
				snprintf(b, sizeof(b), "%ld", q->v[f]);
				err = add_diff(res, p->line, field_names[f], a, b);
			}
		if (!err && strcmp(p->maps ? p->maps : "", q->maps ? q->maps : ""))
			err = token_diff(res, p->line, "maps", p->maps ? p->maps : "",
					 q->maps ? q->maps : "");
		if (!err && strcmp(p->share ? p->share : "", q->share ? q->share : ""))
			err = token_diff(res, p->line, "share", p->share ? p->share : "",
					 q->share ? q->share : "");
	}
	return err;
}

static int compare_errors(struct kresult *res, const struct report *m, const struct report *kr)
{
	size_t i = 0, j = 0;
	int err = 0;

	while ((i < m->nerrs || j < kr->nerrs) && !err) {
		const struct kerr *x = i < m->nerrs ? &m->errs[i] : NULL;
		const struct kerr *y = j < kr->nerrs ? &kr->errs[j] : NULL;
		int line = x && (!y || x->line <= y->line) ? x->line : y->line;
		int xin = x && x->line == line, yin = y && y->line == line;

		if (xin && yin && strcmp(x->name, y->name) == 0) {
			i++, j++;
			continue;
		}
		err = add_diff(res, line, xin ? x->op : y->op, xin ? x->name : "ok",
			       yin ? y->name : "ok");
		i += xin;
		j += yin;
	}
	return err;
}

/* Kernel runs that disagree are noise, not a verdict. */
static int same_report(const struct report *a, const struct report *b)
{
	if (a->npts != b->npts || a->nerrs != b->nerrs)
		return 0;
	for (size_t i = 0; i < a->npts; i++) {
		if (a->pts[i].line != b->pts[i].line ||
		    memcmp(a->pts[i].v, b->pts[i].v, sizeof(a->pts[i].v)) ||
		    strcmp(a->pts[i].maps ? a->pts[i].maps : "", b->pts[i].maps ? b->pts[i].maps : "") ||
		    strcmp(a->pts[i].share ? a->pts[i].share : "", b->pts[i].share ? b->pts[i].share : ""))
			return 0;
	}
	for (size_t i = 0; i < a->nerrs; i++)
		if (a->errs[i].line != b->errs[i].line || strcmp(a->errs[i].name, b->errs[i].name))
			return 0;
	return 1;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	putchar('"');
}

void kcheck_print_diffs(const struct kcheck *k, const char *name, const struct kresult *res)
{
	char where[PATH_MAX + 16];

	for (size_t i = 0; i < res->ndiffs; i++) {
		const struct kdiff *d = &res->diffs[i];
		if (k->o->json) {
			printf("%s{\"line\": %d, \"field\": ", i ? ", " : "", d->line);
			json_str(d->field);
			printf(", \"model\": ");
			json_str(d->model);
			printf(", \"kernel\": ");
			json_str(d->kernel);
			putchar('}');
			continue;
		}
		if (!i)
			printf("  %-28s %-12s %-24s %s\n", "where", "field", "model", "kernel");
		snprintf(where, sizeof(where), "%s:%d", name, d->line);
		printf("  %-28s %-12s %-24s %s\n", where, d->field, d->model, d->kernel);
	}
}

void kresult_free(struct kresult *res)
{
	free(res->diffs);
	memset(res, 0, sizeof(*res));
}

int kresult_differs(const struct kresult *res)
{
	return res->ndiffs || res->model_failed;
}

int kcheck_zero_page(const struct kcheck *k)
{
	return k->zero_page;
}

/* ---- one scenario ---- */

static int kernel_runs(struct kcheck *k, const char *name, const char *text, int runs,
		       struct report *first)
{
	for (int run = 0; run < runs; run++) {
		struct report r = { 0 };
		int rc = krunner_measure(k, name, text, run ? &r : first);
		if (rc) {
			report_free(&r);
			return rc;
		}
		if (run && !same_report(first, &r)) {
			fprintf(stderr, "%s: kernel run %d differs from run 1 (noise)\n", name, run + 1);
			report_free(&r);
			return RUN_FAILED;
		}
		report_free(&r);
	}
	return 0;
}

int kcheck_scenario(struct kcheck *k, const char *name, const char *text, int runs,
		    struct kresult *res)
{
	struct scenario s;
	struct report kr = { 0 }, mr = { 0 };
	char err[512];
	int rc;

	memset(res, 0, sizeof(*res));
	if (scn_parse_string(&s, name, text, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return RUN_USAGE;
	}
	k->s = &s;
	if ((rc = kernel_runs(k, name, text, runs, &kr)))
		goto out;
	if (k->zero_page < 0 && !k->o->json)
		printf("kcheck: kernel maps the zero page on read faults: %s; model runs with "
		       "--zero-page %s\n", kr.zero_page ? "yes" : "no", kr.zero_page ? "on" : "off");
	if (k->zero_page < 0 && !k->o->json && kr.fault_around != 16)
		printf("kcheck: kernel's fault-around maps %d pages, not 16; model runs with "
		       "--fault-around %d\n", kr.fault_around, kr.fault_around);
	fflush(stdout);
	k->zero_page = kr.zero_page;
	k->fault_around = kr.fault_around;
	free(k->pages);
	k->pages = NULL;
	if (scn_pages(&s, KRUN_MAX_PAGES, &k->pages, &k->npages)) {
		rc = RUN_USAGE;
		goto out;
	}
	rc = model_run(k, &s, &mr);
	if (rc == RUN_USAGE)
		goto out;
	res->model_failed = rc != RUN_OK;
	res->points = kr.npts;
	res->refused = kr.nerrs;
	rc = 0;
	if (compare_points(res, &mr, &kr) || compare_errors(res, &mr, &kr)) {
		fprintf(stderr, "anonvma kcheck: out of memory\n");
		rc = RUN_USAGE;
	}
out:
	report_free(&kr);
	report_free(&mr);
	scn_free(&s);
	return rc;
}

/* ---- files ---- */

static char *read_file(const char *path)
{
	struct strbuf b = { 0 };
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (sb_add(&b, chunk, n)) {
			errno = ENOMEM;
			break;
		}
	if (ferror(f) || n) {
		free(b.s);
		b.s = NULL;
	} else if (!b.s) {
		b.s = strdup("");
	}
	fclose(f);
	return b.s;
}

static int check_file(struct kcheck *k, const char *file)
{
	struct kresult res;
	char *text = read_file(file);
	int rc;

	if (!text) {
		fprintf(stderr, "anonvma kcheck: %s: %s\n", file, strerror(errno));
		return RUN_USAGE;
	}
	rc = kcheck_scenario(k, file, text, k->o->runs, &res);
	free(text);
	if (rc)
		return rc;
	if (k->o->json) {
		printf("%s\n  {\"file\": ", k->json_first++ ? "," : "");
		json_str(file);
		printf(", \"checkpoints\": %zu, \"diffs\": [", res.points);
	}
	kcheck_print_diffs(k, file, &res);
	if (k->o->json)
		printf("], \"match\": %s}", kresult_differs(&res) ? "false" : "true");
	else if (!kresult_differs(&res))
		printf("%s: %zu checkpoints match\n", file, res.points);
	else
		printf("%s: %zu difference%s%s\n", file, res.ndiffs, res.ndiffs == 1 ? "" : "s",
		       res.model_failed ? " (and the model's own expect/check failed)" : "");
	k->files++;
	k->points += res.points;
	rc = 0;
	if (kresult_differs(&res)) {
		k->mismatched_files++;
		rc = RUN_FAILED;
	}
	kresult_free(&res);
	return rc;
}

/* The runner lives next to this program, unless ANONVMA_KRUN says. */
char *kcheck_find_runner(void)
{
	const char *env = getenv("ANONVMA_KRUN");
	char self[PATH_MAX], *slash, *path;
	ssize_t n;

	if (env)
		return strdup(env);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')))
		*slash = '\0';
	if (asprintf(&path, "%s/anonvma-krun", self) < 0)
		return NULL;
	return path;
}

static int check_files(struct kcheck *k, char *const *files, int nfiles)
{
	const struct kcheck_opts *o = k->o;
	int rc = RUN_OK, r;

	for (int i = 0; i < nfiles; i++) {
		r = check_file(k, files[i]);
		if (r == KRUN_SKIP && k->files) {
			/* Measurable a moment ago: something broke, not a skip
			 * (the runner said what on stderr). */
			fprintf(stderr, "anonvma kcheck: %s: the live kernel became unmeasurable "
				"after %zu scenario%s had been measured\n", files[i], k->files,
				k->files == 1 ? "" : "s");
			rc = RUN_FAILED;
			break;
		}
		if (r == KRUN_SKIP) {
			rc = KRUN_SKIP;
			break;
		}
		if (r > rc)
			rc = r;
	}
	if (o->json)
		printf("\n ], \"zero_page\": %s, \"compared\": {\"files\": %zu, \"checkpoints\": %zu}, "
		       "\"mismatched_files\": %zu, \"skipped\": %s}\n",
		       k->zero_page > 0 ? "true" : "false", k->files, k->points, k->mismatched_files,
		       rc == KRUN_SKIP ? "true" : "false");
	else if (rc == KRUN_SKIP)
		printf("kcheck: skipped: the live kernel cannot be measured here\n");
	else
		printf("kcheck: %zu scenario%s, %zu checkpoints compared, %zu with differences\n",
		       k->files, k->files == 1 ? "" : "s", k->points, k->mismatched_files);
	return rc;
}

int kcheck_main(const struct kcheck_opts *o, char *const *files, int nfiles)
{
	struct kcheck k = { .o = o, .zero_page = -1 };
	struct utsname u;
	int rc;

	k.runner.path = kcheck_find_runner();
	if (!k.runner.path || access(k.runner.path, X_OK)) {
		fprintf(stderr, "anonvma kcheck: cannot find the runner %s\n",
			k.runner.path ? k.runner.path : "");
		free(k.runner.path);
		return RUN_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);   /* a runner that died is a message, not our death */
	uname(&u);
	if (o->json)
		printf("{\"kernel\": \"%s\", \"policy\": \"%s\", \"runs\": %d, ", u.release,
		       o->policy, o->runs);
	else if (!o->random)
		printf("kcheck: %s policy against Linux %s, %d run%s per scenario\n",
		       o->policy, u.release, o->runs, o->runs == 1 ? "" : "s");
	if (o->random) {
		rc = krandom_main(&k, o);
	} else {
		if (o->json)
			printf("\"files\": [");
		rc = check_files(&k, files, nfiles);
	}
	krunner_stop(&k.runner);
	fflush(stdout);
	free(k.pages);
	free(k.runner.path);
	return rc;
}
