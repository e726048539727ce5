/* SPDX-License-Identifier: MIT */
/*
 * bench_check.c - 9. checking: what av_check costs after every operation,
 * full or incremental (a full check every 64 operations and at the end).
 *
 * First in this build: every input of fuzz/corpus/fuzz_ops run through
 * fuzz_ops's byte form (fuzz/ops.c) in each mode, alternating, o->runs
 * times; inputs and operations per second.  Then the fuzzer itself, as
 * `make fuzz` runs it (clang, ASan and UBSan, libFuzzer, the flags of
 * fuzz/fuzz_ops.flags), from a copy of that corpus and the scenarios,
 * seed 1, 60 s a run in each mode, and incrementally once more with
 * libFuzzer's default entropic threshold, alternating: executions per
 * second against the goal of 2,000.  Without build-fuzz/fuzz/fuzz_ops
 * (make fuzzers) that part is skipped.
 */
#include "bench.h"
#include <dirent.h>
#include "../fuzz/ops.h"

#define CORPUS "fuzz/corpus/fuzz_ops"
#define FUZZER "build-fuzz/fuzz/fuzz_ops"
#define FLAGS "fuzz/fuzz_ops.flags"
/* libFuzzer's entropic schedule does per-feature bookkeeping until the
 * features' frequencies build up, over the first 20 s or so here: 20-s
 * runs measured mostly that (about 1,200 executions/s, against 2,700 over
 * 60 s, on the same corpus and binary). */
#define FUZZ_SECONDS 60
#define GOAL_EXECS 2000.0

struct input {
	uint8_t *data;
	size_t size;
};

static struct input *inputs;
static size_t nr_inputs, nr_ops;

static void load_corpus(void)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;

	if (!d)
		bench_die("%s: %s (run from the top of the tree)", CORPUS, strerror(errno));
	while ((e = readdir(d))) {
		char path[4096];
		FILE *f;
		struct input *in;
		long n;
		if (e->d_name[0] == '.')
			continue;
		if (!(inputs = realloc(inputs, (nr_inputs + 1) * sizeof(*inputs))))
			bench_die("out of memory");
		in = &inputs[nr_inputs++];
		snprintf(path, sizeof(path), "%s/%s", CORPUS, e->d_name);
		if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0)
			bench_die("%s: %s", path, strerror(errno));
		rewind(f);
		in->size = (size_t)n;
		if (!(in->data = malloc(in->size + 1)) || fread(in->data, 1, in->size, f) != in->size)
			bench_die("%s: cannot read", path);
		fclose(f);
		if (in->size >= FUZZ_HEADER)
			nr_ops += (in->size - FUZZ_HEADER) / 4 < FUZZ_MAX_OPS
				  ? (in->size - FUZZ_HEADER) / 4 : FUZZ_MAX_OPS;
	}
	closedir(d);
}

/* Seconds to run the whole corpus in one mode. */
static double corpus_seconds(enum fuzz_check mode)
{
	uint64_t t0 = bench_now_ns();

	for (size_t i = 0; i < nr_inputs; i++) {
		struct fuzz_run r = { .mode = mode, .full_every = 64 };
		if (fuzz_ops_run(inputs[i].data, inputs[i].size, &r) < 0)
			bench_die("corpus input %zu fails: %s", i, r.why);
	}
	return (double)(bench_now_ns() - t0) / 1e9;
}

/* The fuzzer runs: each check with make fuzz's flags, and incremental
 * with libFuzzer's default threshold of rare features (0xFF) after them. */
static const struct fuzz_series {
	const char *name, *mode, *extra;
} series[] = {
	{ "full", "full", "" },
	{ "incremental", "incremental", "" },
	{ "incremental, libFuzzer's default entropic threshold", "incremental",
	  "-entropic_feature_frequency_threshold=255" },
};
#define NR_SERIES (sizeof(series) / sizeof(series[0]))

/* Executions per second of one libFuzzer run, or -1. */
static double fuzzer_rate(const struct fuzz_series *f)
{
	char cmd[4096], line[512];
	double rate = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "d=$(mktemp -d) && mkdir $d/c $d/s && cp %s/* $d/c/ && "
		 "build-fuzz/fuzz/scn2ops $d/s $(find scenarios -name '*.scn' -size -64k | sort) && "
		 "FUZZ_OPS_CHECK=%s %s -seed=1 -max_total_time=%d $(sed 's/#.*//' %s) %s "
		 "-print_final_stats=1 $d/c $d/s 2>&1; rm -rf $d", CORPUS, f->mode, FUZZER,
		 FUZZ_SECONDS, FLAGS, f->extra);
	if (!(p = popen(cmd, "r")))
		bench_die("popen: %s", strerror(errno));
	while (fgets(line, sizeof(line), p))
		if (!strncmp(line, "stat::average_exec_per_sec:", 27))
			rate = atof(line + 27);
	pclose(p);
	return rate;
}

/* One series' runs, in the order they ran. */
static void print_runs(FILE *md, const struct samples *s)
{
	for (int i = 0; i < s->n; i++)
		fprintf(md, "%s%.0f", i ? ", " : "", s->v[i]);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "full", "incremental" };
	struct bench_opts o;
	struct samples secs[2] = { { { 0 }, 0 }, { { 0 }, 0 } };
	struct samples rate[NR_SERIES];
	FILE *js, *dat, *md;
	int fuzz_runs;

	memset(rate, 0, sizeof(rate));
	bench_args(argc, argv, &o);
	load_corpus();
	for (int r = 0; r < o.runs; r++)
		for (int m = 0; m < 2; m++)
			sample_add(&secs[m], corpus_seconds((enum fuzz_check)m));
	fuzz_runs = access(FUZZER, X_OK) ? 0 : o.quick ? 1 : 3;
	for (int r = 0; r < fuzz_runs; r++)
		for (size_t f = 0; f < NR_SERIES; f++) {
			double v = fuzzer_rate(&series[f]);
			if (v < 0)
				bench_die("%s reported no rate", FUZZER);
			sample_add(&rate[f], v);
		}
	bench_start(&o, "check", argc, argv, &js, &dat, &md);
	fprintf(js, " \"inputs\": %zu, \"operations\": %zu, \"results\": [", nr_inputs, nr_ops);
	fprintf(dat, "# mode corpus_inputs_per_s\n");
	for (int m = 0; m < 2; m++) {
		fprintf(js, "%s{\"mode\": \"%s\", \"corpus_seconds\": ", m ? ", " : "", names[m]);
		json_samples(js, &secs[m]);
		fputs("}", js);
		fprintf(dat, "%s %.1f\n", names[m], nr_inputs / sample_median(&secs[m]));
	}
	fprintf(js, "], \"fuzzer\": [");
	for (size_t f = 0; f < NR_SERIES; f++) {
		fprintf(js, "%s{\"series\": \"%s\", \"execs_per_s\": ", f ? ", " : "",
			series[f].name);
		json_samples(js, &rate[f]);
		fputs("}", js);
	}
	fprintf(js, "], \"goal_execs_per_s\": %.0f}\n", GOAL_EXECS);
	fprintf(md, "## 9. Checking after every operation\n\n"
		"fuzz_ops's corpus (%zu inputs, %zu operations) run in this build with av_check "
		"after every operation, or with av_check_incremental (a full check every 64 and "
		"at the end); %d runs alternating, medians:\n\n"
		"| check | corpus inputs/s | operations/s | ratio |\n|---|---:|---:|---:|\n",
		nr_inputs, nr_ops, o.runs);
	for (int m = 0; m < 2; m++)
		fprintf(md, "| %s | %.0f | %.0f | %.2fx |\n", names[m],
			nr_inputs / sample_median(&secs[m]), nr_ops / sample_median(&secs[m]),
			sample_median(&secs[0]) / sample_median(&secs[m]));
	if (!fuzz_runs) {
		fprintf(md, "\nThe fuzzer: skipped (no %s; make fuzzers).\n\n", FUZZER);
	} else {
		fprintf(md, "\nThe fuzzer as `make fuzz` runs it (clang, ASan+UBSan, libFuzzer with "
			"the flags of %s, coverage without the checker and containers "
			"(fuzz/no-coverage.txt), from the corpus and the scenarios, seed 1, %d s a run, "
			"%d runs alternating, medians):\n\n"
			"| check | executions/s | runs | ratio | of the goal (2,000/s) |\n"
			"|---|---:|---|---:|---:|\n", FLAGS, FUZZ_SECONDS, fuzz_runs);
		for (size_t f = 0; f < NR_SERIES; f++) {
			fprintf(md, "| %s | **%.0f** | ", series[f].name, sample_median(&rate[f]));
			print_runs(md, &rate[f]);
			fprintf(md, " | %.2fx | %.2fx |\n", sample_median(&rate[f]) /
				sample_median(&rate[0]), sample_median(&rate[f]) / GOAL_EXECS);
		}
		fputs("\n", md);
	}
	bench_finish(js, dat, md);
	return 0;
}
