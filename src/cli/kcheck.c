/* SPDX-License-Identifier: MIT */
/*
 * kcheck.c - `anonvma kcheck`: run scenarios in the model (linux-6.18) and
 * on the live kernel (anonvma-krun), and compare every checkpoint.
 *
 * Per checkpoint: anon_vma and avc (kernel: the run minus its baseline),
 * vmas, anon_pages, anon_ptes, zero_ptes, swap_ptes, and the sharing
 * signature (which process maps which page to which frame, and whether the
 * frame is mapped exactly once).  Per scenario: the refused operations and
 * their errnos.  docs/kernel-faithfulness.md explains the method.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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
#include "errname.h"
#include "../krun/krun.h"

enum { F_ANON_VMA, F_AVC, F_VMAS, F_ANON_PAGES, F_ANON_PTES, F_ZERO_PTES, F_SWAP_PTES, NF };
static const char *const field_names[NF] = {
	"anon_vma", "avc", "vmas", "anon_pages", "anon_ptes", "zero_ptes", "swap_ptes",
};

struct kpoint {
	int line;
	long v[NF];
	char *share;
};

struct kerr {
	int line;
	char op[16], name[16];
};

/* One side's account of one scenario. */
struct report {
	int zero_page;
	struct kpoint *pts;
	size_t npts, cap;
	struct kerr *errs;
	size_t nerrs, ecap;
};

struct kcheck {
	const struct kcheck_opts *o;
	const char *runner;
	int zero_page;              /* detected on the first run, -1 before */
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
	for (size_t i = 0; i < r->npts; i++)
		free(r->pts[i].share);
	free(r->pts);
	free(r->errs);
	memset(r, 0, sizeof(*r));
}

static struct kpoint *point_at(struct report *r, int line)
{
	for (size_t i = 0; i < r->npts; i++)
		if (r->pts[i].line == line)
			return &r->pts[i];
	if (r->npts == r->cap) {
		size_t c = r->cap ? 2 * r->cap : 16;
		struct kpoint *p = realloc(r->pts, c * sizeof(*p));
		if (!p)
			return NULL;
		r->pts = p;
		r->cap = c;
	}
	memset(&r->pts[r->npts], 0, sizeof(r->pts[0]));
	r->pts[r->npts].line = line;
	return &r->pts[r->npts++];
}

static int add_error(struct report *r, int line, const char *op, const char *name)
{
	if (r->nerrs == r->ecap) {
		size_t c = r->ecap ? 2 * r->ecap : 16;
		struct kerr *e = realloc(r->errs, c * sizeof(*e));
		if (!e)
			return -1;
		r->errs = e;
		r->ecap = c;
	}
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
	if (sscanf(line, "pages %d", &ln) == 1) {
		if (!(p = point_at(r, ln)))
			return -1;
		sscanf(line, "pages %*d vmas %ld anon_pages %ld anon_ptes %ld zero_ptes %ld swap_ptes %ld",
		       &p->v[F_VMAS], &p->v[F_ANON_PAGES], &p->v[F_ANON_PTES],
		       &p->v[F_ZERO_PTES], &p->v[F_SWAP_PTES]);
	}
	return 0;
}

/* Run the runner on file; its report into r.  Returns the runner's exit
 * status, or -1 if it could not be run. */
static int run_runner(const char *runner, const char *file, int baseline, struct report *r)
{
	int fd[2], status;
	char *line = NULL;
	size_t cap = 0;
	pid_t pid;
	FILE *f;

	if (pipe(fd))
		return -1;
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		if (baseline)
			execl(runner, runner, "--baseline", file, (char *)NULL);
		else
			execl(runner, runner, file, (char *)NULL);
		fprintf(stderr, "anonvma kcheck: cannot run %s: %s\n", runner, strerror(errno));
		_exit(2);
	}
	close(fd[1]);
	if (!(f = fdopen(fd[0], "r"))) {
		close(fd[0]);
		waitpid(pid, &status, 0);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (parse_record(r, line))
			break;
	}
	free(line);
	fclose(f);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* One kernel run: the scenario minus its baseline. */
static int kernel_run(struct kcheck *k, const char *file, struct report *out)
{
	struct report base = { 0 };
	int rc = run_runner(k->runner, file, 1, &base);

	if (rc == 0)
		rc = run_runner(k->runner, file, 0, out);
	if (rc == 0) {
		for (size_t i = 0; i < out->npts; i++) {
			struct kpoint *b = point_at(&base, out->pts[i].line);
			if (!b) {
				rc = -1;
				break;
			}
			out->pts[i].v[F_ANON_VMA] -= b->v[F_ANON_VMA];
			out->pts[i].v[F_AVC] -= b->v[F_AVC];
		}
	}
	report_free(&base);
	return rc;
}

/* ---- the model side ---- */

struct frame_ids {
	uint64_t *pfn;
	size_t n, cap;
};

static unsigned frame_id(struct frame_ids *f, uint64_t pfn, int *oom)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->pfn[i] == pfn)
			return (unsigned)i + 1;
	if (f->n == f->cap) {
		size_t c = f->cap ? 2 * f->cap : 64;
		uint64_t *p = realloc(f->pfn, c * sizeof(*p));
		if (!p) {
			*oom = 1;
			return 0;
		}
		f->pfn = p;
		f->cap = c;
	}
	f->pfn[f->n++] = pfn;
	return (unsigned)f->n;
}

/* Append to a growing string. */
struct strbuf {
	char *s;
	size_t len, cap;
};

static int sb_add(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sb_add(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[160];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t c = b->cap ? 2 * b->cap : 256;
		char *s;
		while (c < b->len + (size_t)n + 1)
			c *= 2;
		if (!(s = realloc(b->s, c)))
			return -1;
		b->s = s;
		b->cap = c;
	}
	memcpy(b->s + b->len, tmp, (size_t)n + 1);
	b->len += (size_t)n;
	return 0;
}

/* The same signature pagemap.c prints, from the model. */
static char *model_share(struct kcheck *k, av_world *w, const av_pid *pids)
{
	struct strbuf b = { 0 };
	struct frame_ids f = { 0 };
	int oom = sb_add(&b, "%s", "");

	for (size_t i = 0; i < k->s->nnames && !oom; i++) {
		if (pids[i] < 0)
			continue;
		for (size_t p = 0; p < k->npages && !oom; p++) {
			struct av_page_info pi;
			const char *sep = b.len ? " " : "";
			if (av_page_lookup(w, pids[i], k->pages[p], &pi))
				continue;
			if (pi.kind == AV_PTE_SWAP)
				oom = sb_add(&b, "%s%s:%#" PRIx64 "=S", sep, k->s->names[i], k->pages[p]);
			else if (pi.kind == AV_PTE_ZERO)
				oom = sb_add(&b, "%s%s:%#" PRIx64 "=Z", sep, k->s->names[i], k->pages[p]);
			else if (pi.kind == AV_PTE_ANON)
				oom = sb_add(&b, "%s%s:%#" PRIx64 "=%u%s", sep, k->s->names[i], k->pages[p],
					     frame_id(&f, pi.pfn, &oom), pi.mapcount == 1 ? "x" : "");
		}
	}
	free(f.pfn);
	if (oom) {
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
	free(p->share);
	if (!(p->share = model_share(k, w, pids)))
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
	struct run_opts o = { .policy = k->o->policy, .zero_page = k->zero_page, .quiet = 1,
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

struct diff_printer {
	struct kcheck *k;
	const char *file;
	int n;
};

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else
			putchar(*s);
	putchar('"');
}

static void print_diff(struct diff_printer *d, int line, const char *field,
		       const char *model, const char *kernel)
{
	if (d->k->o->json) {
		printf("%s{\"line\": %d, \"field\": ", d->n ? ", " : "", line);
		json_str(field);
		printf(", \"model\": ");
		json_str(model);
		printf(", \"kernel\": ");
		json_str(kernel);
		putchar('}');
	} else {
		if (!d->n)
			printf("  %-28s %-12s %-24s %s\n", "where", "field", "model", "kernel");
		char where[PATH_MAX + 16];
		snprintf(where, sizeof(where), "%s:%d", d->file, line);
		printf("  %-28s %-12s %-24s %s\n", where, field, model, kernel);
	}
	d->n++;
}

/* The first token where two signatures part. */
static void share_diff(struct diff_printer *d, int line, const char *a, const char *b)
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
	print_diff(d, line, "share", ta, tb);
}

static void compare_points(struct diff_printer *d, const struct report *m, const struct report *kr)
{
	char a[32], b[32];

	for (size_t i = 0; i < m->npts || i < kr->npts; i++) {
		const struct kpoint *p = i < m->npts ? &m->pts[i] : NULL;
		const struct kpoint *q = i < kr->npts ? &kr->pts[i] : NULL;
		if (!p || !q || p->line != q->line) {
			print_diff(d, p ? p->line : q->line, "checkpoint", p ? "present" : "missing",
				   q ? "present" : "missing");
			continue;
		}
		for (int f = 0; f < NF; f++)
			if (p->v[f] != q->v[f]) {
				snprintf(a, sizeof(a), "%ld", p->v[f]);
				snprintf(b, sizeof(b), "%ld", q->v[f]);
				print_diff(d, p->line, field_names[f], a, b);
			}
		if (strcmp(p->share ? p->share : "", q->share ? q->share : ""))
			share_diff(d, p->line, p->share ? p->share : "", q->share ? q->share : "");
	}
}

static void compare_errors(struct diff_printer *d, const struct report *m, const struct report *kr)
{
	size_t i = 0, j = 0;
	char a[48], b[48];

	while (i < m->nerrs || j < kr->nerrs) {
		const struct kerr *x = i < m->nerrs ? &m->errs[i] : NULL;
		const struct kerr *y = j < kr->nerrs ? &kr->errs[j] : NULL;
		int line = x && (!y || x->line <= y->line) ? x->line : y->line;
		int xin = x && x->line == line, yin = y && y->line == line;

		if (xin && yin && strcmp(x->name, y->name) == 0) {
			i++, j++;
			continue;
		}
		snprintf(a, sizeof(a), "%s", xin ? x->name : "ok");
		snprintf(b, sizeof(b), "%s", yin ? y->name : "ok");
		print_diff(d, line, xin ? x->op : y->op, a, b);
		i += xin;
		j += yin;
	}
}

/* Kernel runs that disagree are noise, not a verdict. */
static int same_report(const struct report *a, const struct report *b)
{
	if (a->npts != b->npts || a->nerrs != b->nerrs)
		return 0;
	for (size_t i = 0; i < a->npts; i++) {
		if (a->pts[i].line != b->pts[i].line ||
		    memcmp(a->pts[i].v, b->pts[i].v, sizeof(a->pts[i].v)) ||
		    strcmp(a->pts[i].share ? a->pts[i].share : "", b->pts[i].share ? b->pts[i].share : ""))
			return 0;
	}
	for (size_t i = 0; i < a->nerrs; i++)
		if (a->errs[i].line != b->errs[i].line || strcmp(a->errs[i].name, b->errs[i].name))
			return 0;
	return 1;
}

/* ---- one file ---- */

static int kernel_runs(struct kcheck *k, const char *file, struct report *first)
{
	for (int run = 0; run < k->o->runs; run++) {
		struct report r = { 0 };
		int rc = kernel_run(k, file, run ? &r : first);
		if (rc) {
			report_free(&r);
			return rc == KRUN_SKIP ? KRUN_SKIP : rc == 2 ? RUN_USAGE : -1;
		}
		if (run && !same_report(first, &r)) {
			fprintf(stderr, "%s: kernel run %d differs from run 1 (noise)\n", file, run + 1);
			report_free(&r);
			return -1;
		}
		report_free(&r);
	}
	return 0;
}

static int check_file(struct kcheck *k, const char *file)
{
	struct scenario s;
	struct report kr = { 0 }, mr = { 0 };
	struct diff_printer d = { k, file, 0 };
	char err[512];
	FILE *f = fopen(file, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "anonvma kcheck: %s: %s\n", file, strerror(errno));
		return RUN_USAGE;
	}
	rc = scn_parse(&s, file, f, err, sizeof(err));
	fclose(f);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return RUN_USAGE;
	}
	k->s = &s;
	if ((rc = kernel_runs(k, file, &kr)))
		goto out;
	if (k->zero_page < 0 && !k->o->json)
		printf("kcheck: kernel maps the zero page on read faults: %s; model runs with "
		       "--zero-page %s\n", kr.zero_page ? "yes" : "no", kr.zero_page ? "on" : "off");
	k->zero_page = kr.zero_page;
	free(k->pages);
	k->pages = NULL;
	if (scn_pages(&s, KRUN_MAX_PAGES, &k->pages, &k->npages)) {
		rc = RUN_USAGE;
		goto out;
	}
	if ((rc = model_run(k, &s, &mr)) == RUN_USAGE)
		goto out;
	if (k->o->json) {
		printf("%s\n  {\"file\": ", k->json_first++ ? "," : "");
		json_str(file);
		printf(", \"checkpoints\": %zu, \"diffs\": [", kr.npts);
	}
	compare_points(&d, &mr, &kr);
	compare_errors(&d, &mr, &kr);
	if (k->o->json)
		printf("], \"match\": %s}", d.n || rc ? "false" : "true");
	else if (!d.n && !rc)
		printf("%s: %zu checkpoints match\n", file, kr.npts);
	else
		printf("%s: %d difference%s%s\n", file, d.n, d.n == 1 ? "" : "s",
		       rc ? " (and the model's own expect/check failed)" : "");
	k->files++;
	k->points += kr.npts;
	if (d.n || rc) {
		k->mismatched_files++;
		rc = RUN_FAILED;
	}
out:
	report_free(&kr);
	report_free(&mr);
	scn_free(&s);
	return rc < 0 ? RUN_FAILED : rc;
}

/* The runner lives next to this program, unless ANONVMA_KRUN says. */
static char *find_runner(void)
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

int kcheck_main(const struct kcheck_opts *o, char *const *files, int nfiles)
{
	struct kcheck k = { .o = o, .zero_page = -1 };
	struct utsname u;
	char *runner = find_runner();
	int rc = RUN_OK, r;

	if (!runner || access(runner, X_OK)) {
		fprintf(stderr, "anonvma kcheck: cannot find the runner %s\n", runner ? runner : "");
		free(runner);
		return RUN_USAGE;
	}
	k.runner = runner;
	uname(&u);
	if (o->json)
		printf("{\"kernel\": \"%s\", \"policy\": \"%s\", \"runs\": %d, \"files\": [",
		       u.release, o->policy, o->runs);
	else
		printf("kcheck: %s policy against Linux %s, %d run%s per scenario\n",
		       o->policy, u.release, o->runs, o->runs == 1 ? "" : "s");
	for (int i = 0; i < nfiles; i++) {
		r = check_file(&k, files[i]);
		if (r == KRUN_SKIP && k.files) {
			/* Measurable a moment ago: something broke, not a skip
			 * (the runner said what on stderr). */
			fprintf(stderr, "anonvma kcheck: %s: the live kernel became unmeasurable "
				"after %zu scenario%s had been measured\n", files[i], k.files,
				k.files == 1 ? "" : "s");
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
		       k.zero_page > 0 ? "true" : "false", k.files, k.points, k.mismatched_files,
		       rc == KRUN_SKIP ? "true" : "false");
	else if (rc == KRUN_SKIP)
		printf("kcheck: skipped: the live kernel cannot be measured here\n");
	else
		printf("kcheck: %zu scenario%s, %zu checkpoints compared, %zu with differences\n",
		       k.files, k.files == 1 ? "" : "s", k.points, k.mismatched_files);
	free(k.pages);
	free(runner);
	return rc;
}
