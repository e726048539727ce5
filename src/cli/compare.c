/* SPDX-License-Identifier: MIT */
/*
 * compare.c - `anonvma compare`: one scenario replayed under several
 * designs, one table.
 *
 * For each design the scenario runs in a world of its own, `expect` and
 * `check` lines not judged (a recording's expects are one design's).  After
 * every command the anon_vma and AVC counts are read (counters only, no
 * scan) for their peaks; the bytes they cost are the design's kernel object
 * sizes (av_policy_describe).  At the end an aging pass walks the rmap from
 * every page in use, once each, as reclaim's LRU scan would: how many
 * anon_vma_chains a walk visits per page, and how many of the VMAs it visits
 * map the page (precision, PTEs found per VMA visited: 1.0 is a walk that
 * visits only VMAs that map the page).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "compare.h"
#include "buf.h"
#include "run.h"
#include "../scn/errname.h"

#define MAX_DESIGNS 16

struct design {
	const char *name;
	struct av_policy_info info;
	int rc;                         /* run_scenario's */
	uint64_t commands, refused;
	uint64_t av_peak, avc_peak, av_final, avc_final;
	uint64_t bytes_peak, bytes_final;
	uint64_t pages, walks, visited, found;
	double replay_ms, walk_ns;      /* walk: per page */
	/* Where the aging pass runs: at the end, or, when the end maps no
	 * anonymous page (a recording: every process has exited), after the
	 * first command with the most live AVCs (the anon rmap at its
	 * largest), found by the first replay. */
	uint64_t peak_step, step;
	int aged_line;                  /* 0: at the end */
	int second_pass;
	const char *aged_ref;           /* whose peak */
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t bytes(const struct design *d, uint64_t av, uint64_t avc)
{
	return av * d->info.kernel_anon_vma_bytes + avc * d->info.kernel_avc_bytes;
}

static void on_step(void *ctx, int line, enum scn_op op, av_world *w)
{
	struct design *d = ctx;
	struct av_stats st;
	uint64_t av, avc;

	(void)line;
	(void)op;
	av_stats_read_counters(w, &st);
	av = st.obj[AV_OBJ_ANON_VMA].live;
	avc = st.obj[AV_OBJ_AVC].live;
	if (avc > d->avc_peak)
		d->peak_step = d->commands;
	d->commands++;
	d->av_peak = av > d->av_peak ? av : d->av_peak;
	d->avc_peak = avc > d->avc_peak ? avc : d->avc_peak;
	if (bytes(d, av, avc) > d->bytes_peak)
		d->bytes_peak = bytes(d, av, avc);
	d->av_final = av;
	d->avc_final = avc;
}

static void on_error(void *ctx, int line, enum scn_op op, int err)
{
	(void)line;
	(void)op;
	(void)err;
	((struct design *)ctx)->refused++;
}

/* The aging pass: every anonymous page once, from its frame. */
static void age_all(struct design *d, av_world *w)
{
	struct av_stats a, b;
	uint64_t t0;

	av_stats_read_counters(w, &a);
	t0 = now_ns();
	for (uint64_t pfn = 1; pfn < av_nr_frames(w); pfn++)
		d->pages += av_walk_page(w, pfn, AV_WALK_AGE) == 0;
	d->walk_ns = (double)(now_ns() - t0);
	av_stats_read_counters(w, &b);
	d->walks = b.walk.walks - a.walk.walks;
	d->visited = b.walk.avcs_visited - a.walk.avcs_visited;
	d->found = b.walk.ptes_found - a.walk.ptes_found;
	d->walk_ns = d->pages ? d->walk_ns / (double)d->pages : 0.0;
}

/* The second replay: only the aging pass, at the peak step. */
static void on_step_to_peak(void *ctx, int line, enum scn_op op, av_world *w)
{
	struct design *d = ctx;

	(void)op;
	if (d->step++ == d->peak_step) {
		d->aged_line = line;
		age_all(d, w);
	}
}

static void on_end(void *ctx, av_world *w)
{
	struct design *d = ctx;

	if (d->second_pass)
		return;
	d->bytes_final = bytes(d, d->av_final, d->avc_final);
	age_all(d, w);
	d->second_pass = !d->pages && d->avc_peak;
}

static struct run_opts replay_opts(const struct compare_opts *co, struct design *d)
{
	struct run_opts o = { .policy = d->name, .zero_page = co->zero_page,
			      .fault_around = co->fault_around, .quiet = 1, .replay = 1,
			      .max_memory = co->max_memory, .ctx = d };
	return o;
}

/* The replay: counts and time, and the aging pass at the end. */
static int replay(const struct scenario *s, const struct compare_opts *co, struct design *d,
		  FILE *null)
{
	struct run_opts o = replay_opts(co, d);
	uint64_t t0;

	o.on_step = on_step;
	o.on_error = on_error;
	o.on_end = on_end;
	av_policy_describe(d->name, &d->info);
	t0 = now_ns();
	d->rc = run_scenario(s, &o, null, stderr);
	d->replay_ms = (double)(now_ns() - t0) / 1e6 - d->walk_ns * (double)d->pages / 1e6;
	return d->rc;
}

/* A second replay, for the aging pass after command number step. */
static int age_at(const struct scenario *s, const struct compare_opts *co, struct design *d,
		  uint64_t step, const char *whose, FILE *null)
{
	struct run_opts o = replay_opts(co, d);

	o.on_step = on_step_to_peak;
	d->peak_step = step;
	d->aged_ref = whose;
	d->step = 0;
	d->pages = 0;
	return run_scenario(s, &o, null, stderr);
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void print_table(const char *file, const struct design *d, size_t n)
{
	printf("compare: %s, %" PRIu64 " commands (%" PRIu64 " refused), %zu designs\n", file,
	       d[0].commands, d[0].refused, n);
	printf("%-11s %17s %17s %19s %6s %9s %9s %8s %10s\n", "design", "anon_vma peak/end",
	       "avc peak/end", "bytes peak/end", "pages", "AVCs/page", "precision", "ns/page",
	       "replay ms");
	for (size_t i = 0; i < n; i++) {
		char a[32], b[32], c[32];
		snprintf(a, sizeof(a), "%" PRIu64 "/%" PRIu64, d[i].av_peak, d[i].av_final);
		snprintf(b, sizeof(b), "%" PRIu64 "/%" PRIu64, d[i].avc_peak, d[i].avc_final);
		snprintf(c, sizeof(c), "%" PRIu64 "/%" PRIu64, d[i].bytes_peak, d[i].bytes_final);
		printf("%-11s %17s %17s %19s %6" PRIu64 " %9.2f %9.3f %8.0f %10.2f\n", d[i].name, a,
		       b, c, d[i].pages, ratio(d[i].visited, d[i].walks),
		       ratio(d[i].found, d[i].visited), d[i].walk_ns, d[i].replay_ms);
	}
	for (size_t i = 0; i < n; i++)
		if (d[i].aged_line) {
			printf("aging pass: the end maps no anonymous page, so after line %d, where "
			       "%s's anon rmap was largest (most AVCs)\n", d[i].aged_line,
			       d[i].aged_ref);
			break;
		}
}

static void print_json(const char *file, const struct design *d, size_t n)
{
	printf("{\"file\": ");
	json_string(stdout, file);
	printf(", \"designs\": [");
	for (size_t i = 0; i < n; i++)
		printf("%s\n  {\"policy\": \"%s\", \"commands\": %" PRIu64 ", \"refused\": %" PRIu64
		       ", \"anon_vma_peak\": %" PRIu64 ", \"anon_vma_final\": %" PRIu64
		       ", \"avc_peak\": %" PRIu64 ", \"avc_final\": %" PRIu64
		       ", \"bytes_peak\": %" PRIu64 ", \"bytes_final\": %" PRIu64
		       ", \"pages\": %" PRIu64 ", \"walks\": %" PRIu64 ", \"avcs_visited\": %" PRIu64
		       ", \"ptes_found\": %" PRIu64 ", \"avcs_per_page\": %.4f, \"precision\": %.4f"
		       ", \"walk_ns_per_page\": %.1f, \"replay_ms\": %.3f, \"aged_at_line\": %d}",
		       i ? "," : "", d[i].name, d[i].commands, d[i].refused, d[i].av_peak,
		       d[i].av_final, d[i].avc_peak, d[i].avc_final, d[i].bytes_peak,
		       d[i].bytes_final, d[i].pages, d[i].walks, d[i].visited, d[i].found,
		       ratio(d[i].visited, d[i].walks), ratio(d[i].found, d[i].visited),
		       d[i].walk_ns, d[i].replay_ms, d[i].aged_line);
	printf("\n]}\n");
}

/* The designs named in a comma-separated list, each known, none twice. */
static int pick_designs(const char *list, struct design *d, size_t *n)
{
	const char *const *names = av_policy_names();
	char buf[256], *save = NULL;

	*n = 0;
	if (!list) {
		for (; *names && *n < MAX_DESIGNS; names++)
			d[(*n)++].name = *names;
		return 0;
	}
	if (strlen(list) >= sizeof(buf)) {
		fprintf(stderr, "anonvma compare: --policy list too long\n");
		return -1;
	}
	strcpy(buf, list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const char *const *p = names;
		while (*p && strcmp(*p, t))
			p++;
		if (!*p) {
			fprintf(stderr, "anonvma compare: unknown policy '%s' (%s)\n", t,
				scn_policy_list(", "));
			return -1;
		}
		for (size_t i = 0; i < *n; i++)
			if (d[i].name == *p) {
				fprintf(stderr, "anonvma compare: policy '%s' given twice\n", t);
				return -1;
			}
		if (*n == MAX_DESIGNS)
			return -1;
		d[(*n)++].name = *p;
	}
	if (!*n) {
		fprintf(stderr, "anonvma compare: --policy names no policy\n");
		return -1;
	}
	return 0;
}

static int unfinished(const struct scenario *s, const struct design *d)
{
	fprintf(stderr, "anonvma compare: %s: the replay under %s did not finish\n", s->file,
		d->name);
	return RUN_FAILED;
}

int compare_scenario(const struct scenario *s, const struct compare_opts *o)
{
	struct design d[MAX_DESIGNS];
	size_t n, ref = 0;
	int rc = RUN_OK;
	FILE *null;

	memset(d, 0, sizeof(d));
	if (pick_designs(o->policies, d, &n))
		return RUN_USAGE;
	if (!(null = fopen("/dev/null", "w")))
		return RUN_USAGE;
	for (size_t i = 0; i < n; i++)
		if (replay(s, o, &d[i], null) == RUN_USAGE)
			rc = unfinished(s, &d[i]);
	/* When the end maps no anonymous page, every design ages after the
	 * same command: where linux-6.18's (or the first design's) anon rmap
	 * was largest, on equal terms. */
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].name, "linux-6.18") == 0)
			ref = i;
	for (size_t i = 0; i < n; i++)
		if (d[i].second_pass && d[i].rc != RUN_USAGE &&
		    age_at(s, o, &d[i], d[ref].peak_step, d[ref].name, null) == RUN_USAGE)
			rc = unfinished(s, &d[i]);
	fclose(null);
	if (o->json)
		print_json(s->file, d, n);
	else
		print_table(s->file, d, n);
	return rc;
}
