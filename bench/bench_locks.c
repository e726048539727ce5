/* SPDX-License-Identifier: MIT */
/*
 * bench_locks.c - 5. lock contention under `anonvma stress`: the root
 * anon_vma lock's wait fraction (time threads spent waiting for it, over
 * thread time), with 1 and 2 threads per process, both policies; 4
 * processes and 2 walker threads; 3 s a run, a different seed each run.
 */
#include "bench.h"

#define SECONDS 3

struct result { struct samples ops, walks, wait; };

static void run_stress(const struct bench_opts *o, const char *policy, int threads, int seed,
		       struct result *r)
{
	char cmd[4096], line[512];
	double ops = -1, walks = -1, wait = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s stress --policy %s --threads %d --walkers 2 --seconds %g "
		 "--seed %d 2>&1", o->anonvma, policy, threads, o->quick ? 0.3 : SECONDS, seed);
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
	}
	if (pclose(p) != 0 || ops < 0 || walks < 0 || wait < 0)
		bench_die("%s: failed or printed no figures", cmd);
	sample_add(&r->ops, ops);
	sample_add(&r->walks, walks);
	sample_add(&r->wait, wait);
}

int main(int argc, char **argv)
{
	static const char *const policies[] = { "linux-6.18", "2.6.35" };
	struct bench_opts o;
	FILE *js, *dat, *md;
	int first = 1;

	bench_args(argc, argv, &o);
	bench_start(&o, "locks", argc, argv, &js, &dat, &md);
	fprintf(js, " \"seconds_per_run\": %d,\n \"results\": [", SECONDS);
	fprintf(dat, "# threads wait_6.18 min max wait_2.6.35 min max\n");
	fprintf(md, "## 5. Lock contention\n\n"
		"`anonvma stress`, 4 processes, 2 walker threads, %d s per run, median of %d\n"
		"runs (seeds 1..%d; min-max in brackets). Wait fraction: time spent waiting\n"
		"for root anon_vma locks over total thread time.\n\n"
		"| threads per process | policy | operations/s | walks/s | root wait fraction |\n"
		"|---:|---|---:|---:|---:|\n", SECONDS, o.runs, o.runs);
	for (int t = 1; t <= 2; t++) {
		struct result r[2];
		for (int p = 0; p < 2; p++) {
			r[p] = (struct result){ { .n = 0 }, { .n = 0 }, { .n = 0 } };
			for (int run = 1; run <= o.runs; run++)
				run_stress(&o, policies[p], t, run, &r[p]);
			fprintf(js, "%s\n  {\"threads\": %d, \"policy\": \"%s\", \"ops_per_s\": ",
				first ? "" : ",", t, policies[p]);
			json_samples(js, &r[p].ops);
			fputs(", \"walks_per_s\": ", js);
			json_samples(js, &r[p].walks);
			fputs(", \"root_wait_fraction\": ", js);
			json_samples(js, &r[p].wait);
			fputc('}', js);
			fprintf(md, "| %d | %s | %.2f M | %.1f k | %.3f [%.3f-%.3f] |\n", t, policies[p],
				sample_median(&r[p].ops) / 1e6, sample_median(&r[p].walks) / 1e3,
				sample_median(&r[p].wait), sample_min(&r[p].wait),
				sample_max(&r[p].wait));
			first = 0;
		}
		fprintf(dat, "%d %.4f %.4f %.4f %.4f %.4f %.4f\n", t, sample_median(&r[0].wait),
			sample_min(&r[0].wait), sample_max(&r[0].wait), sample_median(&r[1].wait),
			sample_min(&r[1].wait), sample_max(&r[1].wait));
	}
	fputs("\n ]}\n", js);
	fprintf(md, "\n![locks](locks.svg)\n\n");
	bench_finish(js, dat, md);
	return 0;
}
