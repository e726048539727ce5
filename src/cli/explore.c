/* SPDX-License-Identifier: MIT */
/*
 * explore.c - `anonvma run --html OUT.html [--compare P2]` and
 * `anonvma run --dot DIR`: a scenario as pictures.
 *
 * --html replays the scenario (expects not judged: the page shows, it does
 * not test) and after every command takes the world's whole state
 * (state.c, the one writer of it) and the seven stats fields `--json`
 * prints.  The states are cut in fragments - one per process, one for the
 * anon_vma forest - and each distinct fragment is kept once: a step that
 * touches one process shares every other fragment with the step before, so
 * a long scenario stays small.  The data go into the page explorer.html
 * (compiled in), whose own script draws them: one file, nothing fetched.
 * With --compare the same is done under a second design, step for step.
 *
 * --dot writes, at every `stats` checkpoint, DIR/ckpt-NNN-lineL.dot: the
 * processes and their VMAs (pages in the label), the anon_vma forest
 * (parent edges) and the AVCs (dashed, VMA to anon_vma), for `dot -Tsvg`.
 *
 * Both write through a temporary file renamed into place: a failure leaves
 * no half file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <anonvma/inspect.h>
#include <anonvma/stats.h>
#include "explore.h"
#include "state.h"
#include "../scn/errname.h"

/* ---- fragments, each kept once ---- */

struct frags {
	char **text;
	size_t n, cap;
	size_t *slot;           /* hash table of indexes + 1 */
	size_t nslots;
	uint64_t bytes;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int frags_rehash(struct frags *f)
{
	size_t n = f->nslots ? 2 * f->nslots : 1024, *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -1;
	for (size_t i = 0; i < f->n; i++) {
		size_t j = hash(f->text[i]) & (n - 1);
		while (slot[j])
			j = (j + 1) & (n - 1);
		slot[j] = i + 1;
	}
	free(f->slot);
	f->slot = slot;
	f->nslots = n;
	return 0;
}

/* The index of text among the fragments, added (copied) if new; -1. */
static long frag_index(struct frags *f, const char *text)
{
	size_t j;
	char **t;

	if (2 * (f->n + 1) > f->nslots && frags_rehash(f))
		return -1;
	for (j = hash(text) & (f->nslots - 1); f->slot[j]; j = (j + 1) & (f->nslots - 1))
		if (strcmp(f->text[f->slot[j] - 1], text) == 0)
			return (long)f->slot[j] - 1;
	if (!(t = buf_grow(f->text, &f->cap, f->n, sizeof(*t))))
		return -1;
	f->text = t;
	if (!(t[f->n] = strdup(text)))
		return -1;
	f->bytes += strlen(text);
	f->slot[j] = f->n + 1;
	return (long)f->n++;
}

static void frags_free(struct frags *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->text[i]);
	free(f->text);
	free(f->slot);
}

/* ---- one run's steps ---- */

struct run_steps {
	const char *policy;
	const struct scenario *s;
	struct frags *frags;
	struct strbuf out;      /* the steps, as JSON objects */
	size_t nsteps;
	struct strbuf narr;     /* narration waiting for the next step */
	int err_line, err;      /* the latest refusal */
	int oom;
};

/* A VMA's fragment: its index into the step. */
struct vma_sink {
	struct run_steps *r;
	int first;
};

static int vma_fragment(const char *json, void *arg)
{
	struct vma_sink *v = arg;
	long idx = frag_index(v->r->frags, json);

	if (idx < 0)
		return -1;
	v->r->oom |= sb_printf(&v->r->out, "%s%ld", v->first ? "" : ",", idx);
	v->first = 0;
	return 0;
}

/* A step: {"line":L,"cmd":C,"narr":N,"err":E|null,"ckpt":0|1,
 * "stats":[the seven fields],"procs":[[NAME,PID,[VMA fragments],CUT],...],
 * "avs":FOREST}.  Each VMA and the forest are fragments, kept once. */
static void add_step(struct run_steps *r, int line, const char *cmd, int ckpt, const av_world *w,
		     const av_pid *pids)
{
	struct strbuf b = { 0 };
	struct av_stats st;
	size_t *procs = calloc(r->s->nnames ? r->s->nnames : 1, sizeof(*procs));
	size_t nprocs = w && procs ? state_processes(w, pids, r->s->nnames, procs) : 0;
	long idx;

	r->oom |= !procs;
	r->oom |= sb_printf(&r->out, "%s\n{\"line\":%d,\"cmd\":", r->nsteps ? "," : "", line);
	r->oom |= sb_json_string(&r->out, cmd);
	r->oom |= sb_printf(&r->out, ",\"narr\":");
	r->oom |= sb_json_string(&r->out, r->narr.s ? r->narr.s : "");
	r->narr.len = 0;
	if (r->narr.s)
		r->narr.s[0] = '\0';
	if (r->err_line == line && line)
		r->oom |= sb_printf(&r->out, ",\"err\":\"%s\"", errno_name(r->err));
	else
		r->oom |= sb_printf(&r->out, ",\"err\":null");
	if (w)
		av_stats_read(w, &st);
	else
		memset(&st, 0, sizeof(st));
	r->oom |= sb_printf(&r->out, ",\"ckpt\":%d,\"stats\":[%" PRIu64 ",%" PRIu64 ",%" PRIu64
			    ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "],\"procs\":[", ckpt,
			    st.obj[AV_OBJ_ANON_VMA].live, st.obj[AV_OBJ_AVC].live, st.anon_pages,
			    st.anon_ptes, st.zero_ptes, st.swap_ptes, st.file_ptes);
	for (size_t i = 0; i < nprocs && !r->oom; i++) {
		struct vma_sink sink = { r, 1 };
		av_pid pid = pids[procs[i]];
		int cut = 0;
		r->oom |= sb_printf(&r->out, "%s[\"%s\",%d,[", i ? "," : "", r->s->names[procs[i]],
				    (int)pid);
		if (state_vmas(w, pid, vma_fragment, &sink, &cut))
			r->oom = 1;
		r->oom |= sb_printf(&r->out, "],%d]", cut);
	}
	if (w ? state_anon_vmas_json(&b, w) : sb_printf(&b, "[]"))
		r->oom = 1;
	else if ((idx = frag_index(r->frags, b.s)) < 0)
		r->oom = 1;
	else
		r->oom |= sb_printf(&r->out, "],\"avs\":%ld}", idx);
	free(procs);
	free(b.s);
	r->nsteps++;
}

static void on_command(void *ctx, const struct scn_cmd *c, av_world *w, const av_pid *pids)
{
	struct run_steps *r = ctx;
	char text[SCN_MAX_LINE];

	if (c->op == SCN_NARRATE) {
		r->oom |= sb_printf(&r->narr, "%s%s", r->narr.len ? " " : "", c->text);
		return;
	}
	scn_format_cmd(r->s, c, text, sizeof(text));
	add_step(r, c->line, text, c->op == SCN_STATS, w, pids);
}

static void on_error(void *ctx, int line, enum scn_op op, int err)
{
	struct run_steps *r = ctx;

	(void)op;
	r->err_line = line;
	r->err = err;
}

static int collect(const struct scenario *s, const struct run_opts *o, const char *policy,
		   struct run_steps *r, FILE *err)
{
	struct run_opts ro = *o;
	FILE *null = fopen("/dev/null", "w");
	int rc;

	if (!null)
		return RUN_USAGE;
	ro.policy = policy;
	ro.json = ro.trace = ro.check = 0;
	ro.quiet = 1;
	ro.replay = 1;
	ro.on_command = on_command;
	ro.on_error = on_error;
	ro.ctx = r;
	r->s = s;
	add_step(r, 0, "(start: an empty world)", 0, NULL, NULL);
	rc = run_scenario(s, &ro, null, err);
	fclose(null);
	if (r->oom) {
		fprintf(err, "%s: out of memory drawing the steps\n", s->file);
		return RUN_USAGE;
	}
	return rc;
}

/* ---- the page ---- */

static int write_page(FILE *f, const char *file, struct run_steps *runs, size_t nruns,
		      const struct frags *fr)
{
	static const char mark[] = "/*ANONVMA-DATA*/null";
	const char *at = strstr(explorer_page, mark);
	struct strbuf name = { 0 };

	if (!at || sb_json_string(&name, file))
		return free(name.s), -1;
	fwrite(explorer_page, 1, (size_t)(at - explorer_page), f);
	fprintf(f, "{\"file\": %s, \"frags\": [", name.s);
	free(name.s);
	for (size_t i = 0; i < fr->n; i++)
		fprintf(f, "%s\n%s", i ? "," : "", fr->text[i]);
	fprintf(f, "],\n\"runs\": [");
	for (size_t i = 0; i < nruns; i++)
		fprintf(f, "%s{\"policy\": \"%s\", \"steps\": [%s]}", i ? ",\n" : "", runs[i].policy,
			runs[i].out.s ? runs[i].out.s : "");
	fprintf(f, "]}");
	fputs(at + strlen(mark), f);
	return ferror(f) ? -1 : 0;
}

static const char *policy_of(const struct scenario *s, const struct run_opts *o)
{
	return o->policy ? o->policy : s->policy ? s->policy : "linux-6.18";
}

int explore_html(const struct scenario *s, const struct run_opts *o, const char *path,
		 const char *compare, FILE *err)
{
	struct frags fr = { 0 };
	struct run_steps runs[2] = { { .policy = policy_of(s, o), .frags = &fr },
				     { .policy = compare, .frags = &fr } };
	size_t nruns = compare ? 2 : 1;
	char *tmp = NULL;
	FILE *f = NULL;
	int rc = RUN_OK, r;

	for (size_t i = 0; i < nruns && rc != RUN_USAGE; i++)
		if ((r = collect(s, o, runs[i].policy, &runs[i], err)) == RUN_USAGE)
			rc = r;
	if (rc == RUN_OK && nruns == 2 && runs[0].nsteps != runs[1].nsteps) {
		fprintf(err, "%s: the two designs ran a different number of commands\n", s->file);
		rc = RUN_FAILED;
	}
	if (rc == RUN_OK) {
		if (asprintf(&tmp, "%s.partial", path) < 0 || !(f = fopen(tmp, "w")) ||
		    write_page(f, s->file, runs, nruns, &fr) | fclose(f) || rename(tmp, path)) {
			fprintf(err, "anonvma: %s: %s\n", path, strerror(errno ? errno : EIO));
			if (tmp)
				unlink(tmp);
			rc = RUN_USAGE;
		}
	}
	free(tmp);
	for (size_t i = 0; i < 2; i++) {
		free(runs[i].out.s);
		free(runs[i].narr.s);
	}
	frags_free(&fr);
	return rc;
}

/* ---- DOT ---- */

struct dot_run {
	const struct scenario *s;
	const char *dir;
	int n, failed;
	FILE *err;
};

struct dot_ctx {
	FILE *f;
	const av_world *w;
	av_pid pid;
	int proc;
};

static int dot_vma(const struct av_vma_info *v, void *arg)
{
	struct dot_ctx *c = arg;
	struct av_page_info p;
	int shown = 0;

	fprintf(c->f, "    v%d_%" PRIx64 " [shape=box, label=\"%#" PRIx64 "-%#" PRIx64 " %c%c%c%s%s",
		c->proc, v->start, v->start, v->end, v->prot & AV_PROT_READ ? 'r' : '-',
		v->prot & AV_PROT_WRITE ? 'w' : '-', v->prot & AV_PROT_EXEC ? 'x' : '-',
		v->file ? " file" : "", v->shared ? " shared" : "");
	for (uint64_t a = v->start; a < v->end && shown < 16; a += AV_PAGE_SIZE) {
		if (av_page_lookup(c->w, c->pid, a, &p) || p.kind == AV_PTE_NONE)
			continue;
		if (p.kind == AV_PTE_ANON)
			fprintf(c->f, "\\n%#" PRIx64 ": frame %" PRIu64 " av #%" PRIu64 " map %ld%s", a,
				p.pfn, p.anon_vma, p.mapcount, p.exclusive ? " excl" : "");
		else
			fprintf(c->f, "\\n%#" PRIx64 ": %s", a, p.kind == AV_PTE_ZERO ? "zero page" :
				p.kind == AV_PTE_SWAP ? "swap" : "file page");
		shown++;
	}
	fprintf(c->f, "%s\"];\n", shown == 16 ? "\\n..." : "");
	for (size_t i = 0; i < v->chain_len; i++)
		fprintf(c->f, "    v%d_%" PRIx64 " -> av%" PRIu64 " [style=dashed, color=gray40];\n",
			c->proc, v->start, v->chain[i]);
	return 0;
}

static int dot_anon_vma(const struct av_anon_vma_info *a, void *arg)
{
	FILE *f = arg;

	fprintf(f, "  av%" PRIu64 " [shape=ellipse, style=filled, fillcolor=\"#e8f0ff\", "
		"label=\"anon_vma #%" PRIu64 "%s\\nref %lu children %lu active %lu\"];\n", a->id,
		a->id, a->root == a->id ? " (root)" : "", a->refcount, a->num_children,
		a->num_active_vmas);
	if (a->parent && a->parent != a->id)
		fprintf(f, "  av%" PRIu64 " -> av%" PRIu64 " [label=parent];\n", a->id, a->parent);
	return 0;
}

static void dot_write(struct dot_run *d, int line, const av_world *w, const av_pid *pids)
{
	char *path = NULL, *tmp = NULL;
	FILE *f = NULL;

	d->n++;
	if (asprintf(&path, "%s/ckpt-%03d-line%d.dot", d->dir, d->n, line) < 0 ||
	    asprintf(&tmp, "%s.partial", path) < 0 || !(f = fopen(tmp, "w"))) {
		fprintf(d->err, "anonvma: %s: %s\n", path ? path : d->dir, strerror(errno));
		d->failed = 1;
		goto out;
	}
	fprintf(f, "// anonvma run --dot: %s, checkpoint %d (line %d)\ndigraph anonvma {\n"
		"  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n", d->s->file, d->n,
		line);
	size_t *procs = calloc(d->s->nnames ? d->s->nnames : 1, sizeof(*procs));
	size_t nprocs = procs ? state_processes(w, pids, d->s->nnames, procs) : 0;
	for (size_t k = 0; k < nprocs; k++) {
		size_t i = procs[k];
		struct dot_ctx c = { f, w, pids[i], (int)i };
		fprintf(f, "  subgraph cluster_%zu {\n    label=\"%s\";\n", i, d->s->names[i]);
		av_vma_foreach(w, pids[i], dot_vma, &c);
		fprintf(f, "  }\n");
	}
	if (!procs)
		d->failed = 1;
	free(procs);
	av_anon_vma_foreach(w, dot_anon_vma, f);
	fprintf(f, "}\n");
	if (ferror(f) | fclose(f) || rename(tmp, path)) {
		fprintf(d->err, "anonvma: %s: %s\n", path, strerror(errno ? errno : EIO));
		unlink(tmp);
		d->failed = 1;
	}
	f = NULL;
out:
	if (f)
		fclose(f);
	free(path);
	free(tmp);
}

static void dot_command(void *ctx, const struct scn_cmd *c, av_world *w, const av_pid *pids)
{
	if (c->op == SCN_STATS)
		dot_write(ctx, c->line, w, pids);
}

int explore_dot(const struct scenario *s, const struct run_opts *o, const char *dir, FILE *err)
{
	struct dot_run d = { .s = s, .dir = dir, .err = err };
	struct run_opts ro = *o;
	FILE *null = fopen("/dev/null", "w");
	int rc;

	if (!null)
		return RUN_USAGE;
	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(err, "anonvma: %s: %s\n", dir, strerror(errno));
		fclose(null);
		return RUN_USAGE;
	}
	ro.json = ro.trace = 0;
	ro.quiet = 1;
	ro.on_command = dot_command;
	ro.ctx = &d;
	rc = run_scenario(s, &ro, null, err);
	fclose(null);
	return d.failed ? RUN_USAGE : rc;
}
