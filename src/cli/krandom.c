/* SPDX-License-Identifier: MIT */
/*
 * krandom.c - `anonvma kcheck --random N`: differential testing of the
 * model against the live kernel on scenarios nobody wrote.
 *
 * Scenario i of a run is rscn_generate(seed + i): one kernel run each.
 * The first scenario that differs is shrunk (shrink.c), re-running both
 * sides at every step, and believed only if three more kernel runs agree
 * on the result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <anonvma/anonvma.h>
#include "kcheck.h"
#include "rscn.h"
#include "run.h"
#include "../scn/scenario.h"
#include "shrink.h"
#include "../krun/krun.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- reporting a difference ---- */

struct found {
	uint64_t seed;
	size_t from_cmds;
	double seconds;
};

/* The header of a saved scenario: how to find it again, and how it
 * differs (lines counted in the saved file). */
static char *header(const struct kcheck *k, const struct kcheck_opts *o, const struct found *f,
		    const struct shrink_result *r, int *nlines)
{
	struct utsname u;
	char *buf = NULL;
	size_t len = 0;
	FILE *h = open_memstream(&buf, &len);
	int lines = 4 + (int)r->res.ndiffs + (r->res.model_failed ? 1 : 0);

	if (!h)
		return NULL;
	uname(&u);
	fprintf(h, "# Found by anonvma kcheck --random: the %s policy differs from Linux %s\n",
		o->policy, u.release);
	fprintf(h, "# (zero page %s).  Again: anonvma kcheck --random 1 --seed %" PRIu64
		" --ops %d --procs %d --policy %s\n", kcheck_zero_page(k) ? "on" : "off",
		f->seed, o->ops, o->procs, o->policy);
	fprintf(h, "# Shrunk from %zu to %zu commands in %ld runs.\n", f->from_cmds, r->s.n, r->runs);
	fprintf(h, "# Differences (line: field, model, kernel):\n");
	for (size_t i = 0; i < r->res.ndiffs; i++)
		fprintf(h, "#   %d: %s, %s, %s\n", r->res.diffs[i].line + lines,
			r->res.diffs[i].field, r->res.diffs[i].model, r->res.diffs[i].kernel);
	if (r->res.model_failed)
		fprintf(h, "#   and the model's own check failed\n");
	if (fclose(h)) {
		free(buf);
		return NULL;
	}
	*nlines = lines;
	return buf;
}

/* Write path whole or not at all. */
static int save(const char *dir, uint64_t seed, const char *head, const char *body, char *path,
		size_t pathlen)
{
	char tmp[4200];
	FILE *f;

	snprintf(path, pathlen, "%s/random-%" PRIu64 ".scn", dir, seed);
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	if (mkdir(dir, 0777) && errno != EEXIST)
		return -1;
	if (!(f = fopen(tmp, "w")))
		return -1;
	fputs(head, f);
	fputs(body, f);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void json_chars(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
}

static void json_text(const char *s)
{
	putchar('"');
	json_chars(s);
	putchar('"');
}

static int measure_once(void *k, const char *text, struct kresult *res)
{
	return kcheck_scenario(k, "shrink", text, 1, res);
}

/* Shrink the scenario of seed (text, which differed as first says),
 * confirm it, save it, print it.  Returns RUN_FAILED (a difference), or
 * the runner's failure if it failed on the way. */
static int found_difference(struct kcheck *k, const struct kcheck_opts *o, uint64_t seed,
			    const char *text, const struct kresult *first)
{
	struct shrink_result r;
	struct found f = { .seed = seed };
	char path[4200] = "", *head = NULL;
	double t0 = now();
	int rc, nlines = 0;

	for (const char *c = text; *c; c++)
		f.from_cmds += *c == '\n';
	if (!o->json)
		printf("kcheck: scenario with seed %" PRIu64 " differs; shrinking it\n", seed);
	fflush(stdout);
	if ((rc = shrink_scenario(text, first, measure_once, k, &r)))
		return rc;
	f.seconds = now() - t0;
	/* Believe it only if the kernel says the same three times. */
	kresult_free(&r.res);
	if ((rc = kcheck_scenario(k, "random", r.text, 3, &r.res)))
		goto out;
	if (!kresult_differs(&r.res)) {
		fprintf(stderr, "anonvma kcheck: the shrunk scenario no longer differs on three "
			"runs: the kernel is not deterministic here\n");
		rc = RUN_FAILED;
		goto out;
	}
	if (!(head = header(k, o, &f, &r, &nlines))) {
		rc = RUN_USAGE;
		goto out;
	}
	for (size_t i = 0; i < r.res.ndiffs; i++)
		r.res.diffs[i].line += nlines;
	if (o->save_dir && save(o->save_dir, seed, head, r.text, path, sizeof(path))) {
		fprintf(stderr, "anonvma kcheck: cannot save %s: %s\n", path, strerror(errno));
		path[0] = '\0';
	}
	if (o->json) {
		printf("\"difference\": {\"seed\": %" PRIu64 ", \"commands\": %zu, \"from\": %zu, "
		       "\"shrink_runs\": %ld, \"saved\": ", seed, r.s.n, f.from_cmds, r.runs);
		json_text(path);
		printf(", \"scenario\": ");
		putchar('"');           /* the saved file: its lines are the diffs' */
		json_chars(head);
		json_chars(r.text);
		putchar('"');
		printf(", \"diffs\": [");
		kcheck_print_diffs(k, path[0] ? path : "random", &r.res);
		printf("]}, ");
	} else {
		printf("kcheck: shrunk from %zu to %zu commands in %ld runs (%.1f s)%s%s\n\n%s%s\n",
		       f.from_cmds, r.s.n, r.runs, f.seconds, path[0] ? "; saved as " : "", path,
		       head, r.text);
		kcheck_print_diffs(k, path[0] ? path : "random", &r.res);
	}
	rc = RUN_FAILED;
out:
	free(head);
	shrink_result_free(&r);
	return rc;
}

/* ---- the run ---- */

struct progress {
	double start, last;
	int tty, tenth;
};

static void show_progress(struct progress *p, long done, long total, int finished)
{
	double t = now(), rate = done / (t - p->start > 0 ? t - p->start : 1);
	int tenth = (int)(done * 10 / (total ? total : 1));

	if (p->tty ? t - p->last < 0.25 && !finished : tenth == p->tenth && t - p->last < 30)
		return;
	p->last = t;
	p->tenth = tenth;
	fprintf(stderr, "%skcheck: %ld/%ld random scenarios, %.1f/s, 0 differences%s",
		p->tty ? "\r" : "", done, total, rate, p->tty && !finished ? "" : "\n");
}

int krandom_main(struct kcheck *k, const struct kcheck_opts *o)
{
	struct rscn_opts g = { .ops = o->ops, .procs = o->procs };
	struct progress p = { .start = now(), .last = now(), .tty = isatty(STDERR_FILENO) };
	unsigned long long cmds = 0, refused = 0, points = 0;
	long done = 0;
	int rc = 0, found = 0;

	if (o->json)
		printf("\"seed\": %" PRIu64 ", \"ops\": %d, \"procs\": %d, ", o->seed, o->ops, o->procs);
	else
		printf("kcheck: %ld random scenario%s from seed %" PRIu64 " (%d commands, up to %d "
		       "process%s), %s policy\n", o->random, o->random == 1 ? "" : "s", o->seed,
		       o->ops, o->procs, o->procs == 1 ? "" : "es", o->policy);
	fflush(stdout);
	for (long i = 0; i < o->random && !rc; i++) {
		uint64_t seed = o->seed + (uint64_t)i;
		char name[48], *text = rscn_generate(seed, &g);
		struct kresult res;

		if (!text) {
			fprintf(stderr, "anonvma kcheck: out of memory\n");
			rc = RUN_USAGE;
			break;
		}
		snprintf(name, sizeof(name), "random-%" PRIu64, seed);
		rc = kcheck_scenario(k, name, text, 1, &res);
		if (rc == KRUN_SKIP && done) {
			fprintf(stderr, "anonvma kcheck: the live kernel became unmeasurable after "
				"%ld scenarios\n", done);
			rc = RUN_FAILED;
		}
		if (rc) {
			free(text);
			break;
		}
		if (kresult_differs(&res)) {
			found = 1;
			rc = found_difference(k, o, seed, text, &res);
			kresult_free(&res);
			free(text);
			break;
		}
		done++;
		points += res.points;
		refused += res.refused;
		for (const char *c = text; *c; c++)
			cmds += *c == '\n';
		kresult_free(&res);
		free(text);
		show_progress(&p, done, o->random, done == o->random);
	}
	{
		double secs = now() - p.start;
		if (o->json)
			printf("\"scenarios\": %ld, \"commands\": %llu, \"refused\": %llu, "
			       "\"checkpoints\": %llu, \"differences\": %d, \"seconds\": %.1f, "
			       "\"per_second\": %.2f, \"skipped\": %s}\n", done, cmds, refused, points,
			       found, secs, done / (secs > 0 ? secs : 1),
			       rc == KRUN_SKIP ? "true" : "false");
		else if (rc == KRUN_SKIP)
			printf("kcheck: skipped: the live kernel cannot be measured here\n");
		else
			printf("kcheck: %ld random scenarios matched (%llu commands, %.1f%% refused by "
			       "the kernel, %llu checkpoints) in %.1f s, %.1f scenarios/s%s\n", done,
			       cmds, cmds ? 100.0 * (double)refused / (double)cmds : 0.0, points, secs,
			       done / (secs > 0 ? secs : 1), found ? "; then a difference" :
			       rc ? "; then a failure" : "");
	}
	return rc;
}
