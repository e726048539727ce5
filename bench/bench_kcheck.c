/* SPDX-License-Identifier: MIT */
/*
 * bench_kcheck.c - 6. differential testing throughput: random scenarios
 * per second that `anonvma kcheck --random` compares with the live kernel,
 * with one long-lived runner (the default) and with a fresh runner for
 * every scenario (--fresh-runner), alternating run by run, same seeds.
 * Needs root on Linux; elsewhere the section says it was skipped.
 */
#include "bench.h"
#include <sys/wait.h>

#define SCENARIOS 200

/* Scenarios per second of one kcheck --random run; -1 when the kernel
 * cannot be measured here. */
static double run_kcheck(const struct bench_opts *o, int n, int seed, int fresh)
{
	char cmd[4096], buf[8192];
	size_t len;
	double rate = -2;
	const char *s;
	FILE *p;
	int rc;

	snprintf(cmd, sizeof(cmd), "%s kcheck --random %d --seed %d --json%s 2>/dev/null",
		 o->anonvma, n, seed, fresh ? " --fresh-runner" : "");
	if (!(p = popen(cmd, "r")))
		bench_die("%s: %s", cmd, strerror(errno));
	len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = '\0';
	rc = pclose(p);
	if (rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 77)
		return -1;
	if ((s = strstr(buf, "\"per_second\": ")))
		rate = atof(s + 14);
	if (rc != 0 || rate < 0)
		bench_die("%s: failed (a difference?) or printed no rate", cmd);
	return rate;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct samples served = { 0 }, fresh = { 0 };
	FILE *js, *dat, *md;
	int n, skipped = 0;

	bench_args(argc, argv, &o);
	n = o.quick ? 4 : SCENARIOS;
	bench_start(&o, "kcheck", argc, argv, &js, &dat, &md);
	for (int r = 0; r < o.runs && !skipped; r++) {
		double a = run_kcheck(&o, n, 1 + r * n, 0);
		double b = a < 0 ? -1 : run_kcheck(&o, n, 1 + r * n, 1);
		if (a < 0 || b < 0) {
			skipped = 1;
			break;
		}
		sample_add(&served, a);
		sample_add(&fresh, b);
	}
	fprintf(md, "## 6. Differential testing throughput\n\n");
	if (skipped) {
		fprintf(js, " \"skipped\": \"the live kernel cannot be measured here (needs root "
			"and tracefs)\"}\n");
		fprintf(dat, "# skipped\n");
		fprintf(md, "Skipped: `anonvma kcheck` cannot measure the live kernel here "
			"(it needs root and tracefs).\n\n");
		bench_finish(js, dat, md);
		return 0;
	}
	fprintf(js, " \"scenarios_per_run\": %d, \"commands_per_scenario\": 60,\n"
		" \"results\": [{\"runner\": \"long-lived\", \"per_second\": ", n);
	json_samples(js, &served);
	fprintf(js, "},\n  {\"runner\": \"fresh per scenario\", \"per_second\": ");
	json_samples(js, &fresh);
	fprintf(js, "}],\n \"ratio\": %.3f}\n", sample_median(&served) / sample_median(&fresh));
	fprintf(dat, "# runner per_second min max\nlong-lived %.3f %.3f %.3f\nfresh %.3f %.3f %.3f\n",
		sample_median(&served), sample_min(&served), sample_max(&served),
		sample_median(&fresh), sample_min(&fresh), sample_max(&fresh));
	fprintf(md, "`anonvma kcheck --random %d` (60 commands, up to 4 processes each), %d runs\n"
		"on different seeds, the two runners alternating on the same seeds; every scenario\n"
		"runs in the model and twice on the kernel (its baseline, then itself).\n\n"
		"| kernel runner | scenarios/s (median) | min-max |\n|---|---:|---:|\n"
		"| one long-lived `anonvma-krun --serve` | %.1f | %.1f-%.1f |\n"
		"| a fresh `anonvma-krun` per scenario | %.1f | %.1f-%.1f |\n\n"
		"Long-lived / fresh: **%.2f**. `make kcheck-random` (10,000 scenarios) takes about\n"
		"%.0f minutes at the long-lived rate.\n\n", n, o.runs,
		sample_median(&served), sample_min(&served), sample_max(&served),
		sample_median(&fresh), sample_min(&fresh), sample_max(&fresh),
		sample_median(&served) / sample_median(&fresh), 10000 / sample_median(&served) / 60);
	bench_finish(js, dat, md);
	return 0;
}
