/* SPDX-License-Identifier: MIT */
/*
 * bench_locks.c - 5. lock contention under `anonvma stress`, every design:
 * the anon_vma lock's wait fraction (time threads spent waiting for it,
 * over thread time), with 1 and 2 threads per process; 4 processes and 2
 * walker threads; 3 s a run, a different seed each run.  Under 2.6.34 the
 * lock is each anon_vma's own, not its root's: stress may find that
 * design's race, and a run that does is counted, its figures kept.  So is
 * a 3.19 run that stops at that design's known flaw (CVE-2022-42703).
 */
#include "bench.h"

#define SECONDS 3

struct result { struct samples ops, walks, wait; int failed, flawed; };

/* One stress run: its figures into r (a run that failed early has
 * fewer seconds in them, rates still); failures counted in r. */
static void run_stress(const struct bench_opts *o, double secs, const char *policy,
		      int threads, int seed, struct result *r)
{
	char cmd[4096], line[512];
	double ops = -1, walks = -1, wait = -1;
	int failed = 0, flawed = 0, status;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s stress --policy %s --threads %d --walkers 2 --seconds %g "
		 "--seed %d 2>&1", o->anonvma, policy, threads, secs, seed);
	if (!(p = popen(cmd, "r")))
		bench_die("%s: %s", cmd, strerror(errno));
	while (fgets(line, sizeof(line), p)) {
		char *s;
		if ((s = strstr(line, "operations")) && (s = strchr(s, '(')))
			ops = atof(s + 1);
		else if ((s = strstr(line, "walks")) && (s = strchr(s, '(')))
			walks = atof(s + 1);
		else if ((s = strstr(line, "wait fraction:")))
			wait = atof(s + 14);
		else if (strstr(line, "stress: FAILED") || strstr(line, "stress: CRASHED"))
			failed = 1;
		else if (strstr(line, "the design's known flaw"))
			flawed = 1;
	}
	status = pclose(p);
	if (flawed)
		failed = 0;
	if (failed && !bench_policy(policy).own_locks)
		bench_die("%s: a design with the root lock failed its checks", cmd);
	if (!failed && !flawed && status != 0)
		bench_die("%s: exit status %d", cmd, status);
	r->failed += failed;
	r->flawed += flawed;
	if (ops < 0 || walks < 0 || wait < 0) {
		if (!failed)
			bench_die("%s: printed no figures", cmd);
		return;         /* crashed before its report */
	}
	sample_add(&r->ops, ops);
	sample_add(&r->walks, walks);
	sample_add(&r->wait, wait);
}

static void json_result(FILE *js, int first, const char *policy, int threads,
			const struct result *r)
{
	fprintf(js, "%s\n  {\"threads\": %d, \"policy\": \"%s\", \"failed_runs\": %d, "
		"\"known_flaw_runs\": %d, \"ops_per_s\": ", first ? "" : ",", threads, policy,
		r->failed, r->flawed);
	json_samples(js, &r->ops);
	fputs(", \"walks_per_s\": ", js);
	json_samples(js, &r->walks);
	fputs(", \"wait_fraction\": ", js);
	json_samples(js, &r->wait);
	fputc('}', js);
}

static void md_result(FILE *md, const struct bench_opts *o, const char *policy, int threads,
		      const struct result *r)
{
	fprintf(md, "| %d | %s | %.2f M | %.1f k | %.3f [%.3f-%.3f] | %s |\n", threads, policy,
		sample_median(&r->ops) / 1e6, sample_median(&r->walks) / 1e3,
		sample_median(&r->wait), sample_min(&r->wait), sample_max(&r->wait),
		bench_policy(policy).own_locks ? "its own" : "root");
	if (r->failed)
		fprintf(md, "| | | | | %d of %d runs found its race | |\n", r->failed, o->runs);
	if (r->flawed)
		fprintf(md, "| | | | | %d of %d runs stopped at its known flaw | |\n", r->flawed,
			o->runs);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	FILE *js, *dat, *md, *designs;
	int first = 1;
	double secs;

	bench_args(argc, argv, &o);
	secs = o.quick ? 0.3 : SECONDS;
	bench_start(&o, "locks", argc, argv, &js, &dat, &md);
	designs = bench_designs(&o, "locks");
	fprintf(js, " \"seconds_per_run\": %g,\n \"results\": [", secs);
	fprintf(md, "## 5. Lock contention\n\n"
		"`anonvma stress` under every design, 4 processes, 2 walker threads, %g s\n"
		"per run, median of %d runs (seeds 1..%d; min-max in brackets). Wait\n"
		"fraction: time spent waiting for anon_vma locks over total thread time.\n"
		"Every design but 2.6.34 takes the root anon_vma's lock; 2.6.34 takes each\n"
		"anon_vma's own, the race the root lock closed, so its runs may fail.\n"
		"With %ld CPUs for 6 or 10 threads, a wait is often a lock holder\n"
		"preempted: compare designs with each other, not with a kernel.\n\n"
		"| threads per process | design | operations/s | walks/s | wait fraction | lock |\n"
		"|---:|---|---:|---:|---:|---|\n", secs, o.runs, o.runs,
		sysconf(_SC_NPROCESSORS_ONLN));
	/* locks.dat: a block per design, a row per thread count. */
	FOR_EACH_POLICY(p) {
		fprintf(dat, "%s# %s\nthreads wait min max\n", first ? "" : "\n\n", *p);
		for (int t = 1; t <= 2; t++) {
			struct result r = { .failed = 0 };
			for (int run = 1; run <= o.runs; run++)
				run_stress(&o, secs, *p, t, run, &r);
			json_result(js, first, *p, t, &r);
			md_result(md, &o, *p, t, &r);
			fprintf(dat, "%d %.4f %.4f %.4f\n", t, sample_median(&r.wait),
				sample_min(&r.wait), sample_max(&r.wait));
			if (t == 2) {
				design_metric(designs, *p, "lock wait fraction", sample_median(&r.wait));
				design_metric(designs, *p, "stress ops/s", sample_median(&r.ops));
				design_metric(designs, *p, "stress failed runs", r.failed);
			}
			first = 0;
		}
	}
	fputs("\n ]}\n", js);
	fprintf(md, "\n![locks](locks.svg)\n\n");
	if (fclose(designs))
		bench_die("cannot write locks.designs: %s", strerror(errno));
	bench_finish(js, dat, md);
	return 0;
}
