/* SPDX-License-Identifier: MIT */
/*
 * bench_record.c - 7. real workloads: the recordings of scenarios/recorded/
 * (`anonvma record` of real programs on this kind of machine) replayed
 * under every design by `anonvma compare`; how fast a recording replays
 * (recorded kernel events per second under linux-6.18, the target being
 * 1,000,000); and, where this machine can record (root, tracefs), how much
 * `anonvma record` slows a program down: the program alone and under
 * record, alternating, the same command.
 */
#include "bench.h"
#include <glob.h>
#include <sys/wait.h>

#define MAX_FILES 16
#define TARGET_EVENTS_PER_S 1e6

static char *slurp(const char *cmd, int *status)
{
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap);
	FILE *p = popen(cmd, "r");

	if (!buf || !p)
		bench_die("%s: %s", cmd, strerror(errno));
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (len + 1 == cap && !(buf = realloc(buf, cap *= 2)))
			bench_die("out of memory");
	}
	buf[len] = '\0';
	*status = pclose(p);
	return buf;
}

/* The number after "key": in the design object of policy in compare's JSON. */
static double field(const char *json, const char *policy, const char *key)
{
	char pat[64];
	const char *d, *end, *k;

	snprintf(pat, sizeof(pat), "{\"policy\": \"%s\"", policy);
	if (!(d = strstr(json, pat)))
		bench_die("compare printed no %s", policy);
	end = strchr(d, '}');
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	if (!(k = strstr(d, pat)) || (end && k > end))
		bench_die("compare printed no %s for %s", key, policy);
	return atof(k + strlen(pat));
}

/* "# N events, P processes, T tasks, traced for S s" */
static int header(const char *path, double *events, double *procs, double *traced)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int ok = 0;

	while (f && !ok && fgets(line, sizeof(line), f) && line[0] == '#')
		ok = sscanf(line, "# %lf events, %lf processes, %*f tasks, traced for %lf", events,
			    procs, traced) == 3;
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static double now_s(void)
{
	return (double)bench_now_ns() / 1e9;
}

/* The slowdown of one command: alone, then under record, o->runs times. */
static int slowdown(const struct bench_opts *o, const char *name, const char *cmd, FILE *js,
		    FILE *md, int first)
{
	struct samples plain = { 0 }, traced = { 0 }, whole = { 0 };
	char line[8192], scn[] = "/tmp/anonvma-bench-record-XXXXXX";
	int fd = mkstemp(scn), rc;

	if (fd < 0)
		bench_die("mkstemp: %s", strerror(errno));
	close(fd);
	for (int r = 0; r < o->runs; r++) {
		double t0 = now_s(), ev, pr, tr;
		snprintf(line, sizeof(line), "%s > /dev/null 2>&1", cmd);
		if (system(line) != 0)
			bench_die("%s failed", cmd);
		sample_add(&plain, now_s() - t0);
		snprintf(line, sizeof(line), "%s record -o %s -- %s > /dev/null 2>&1", o->anonvma,
			 scn, cmd);
		t0 = now_s();
		rc = system(line);
		if (rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
			unlink(scn);
			return -1;
		}
		if (rc != 0 || header(scn, &ev, &pr, &tr))
			bench_die("%s: failed", line);
		sample_add(&whole, now_s() - t0);
		sample_add(&traced, tr);
	}
	unlink(scn);
	fprintf(js, "%s\n  {\"workload\": \"%s\", \"command\": \"%s\", \"plain_s\": ", first ? "" : ",",
		name, name);
	json_samples(js, &plain);
	fprintf(js, ", \"traced_s\": ");
	json_samples(js, &traced);
	fprintf(js, ", \"record_s\": ");
	json_samples(js, &whole);
	fprintf(js, ", \"slowdown\": %.3f}", sample_median(&traced) / sample_median(&plain));
	fprintf(md, "| %s | %.3f | %.3f | **%.2f** | %.3f |\n", name, sample_median(&plain),
		sample_median(&traced), sample_median(&traced) / sample_median(&plain),
		sample_median(&whole));
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	FILE *js, *dat, *md, *des;
	glob_t g;
	const char *const *names = av_policy_names();
	double sum_bytes[16] = { 0 }, sum_prec[16] = { 0 }, sum_walk[16] = { 0 };
	double total_events = 0, total_ms = 0;
	int np = 0, status;
	char cmd[4096];

	bench_args(argc, argv, &o);
	while (names[np])
		np++;
	if (glob("scenarios/recorded/*.scn", 0, NULL, &g) || !g.gl_pathc)
		bench_die("no recordings in scenarios/recorded/ (run from the source tree)");
	bench_start(&o, "record", argc, argv, &js, &dat, &md);
	des = bench_designs(&o, "record");
	fprintf(md, "## 7. Real workloads\n\n"
		"The recordings of `scenarios/recorded/` (`anonvma record` of real programs;\n"
		"`sh scenarios/recorded/record.sh` makes them again) replayed by `anonvma compare`\n"
		"under every design. Bytes at the kernel's object sizes at the peak; AVCs a\n"
		"page's rmap walk visits and precision (PTEs found per VMA visited) in an aging\n"
		"pass over every anonymous page where linux-6.18's rmap was largest (a\n"
		"recording's end maps nothing). Each value with its ratio to linux-6.18's.\n\n");
	fprintf(js, " \"results\": [");
	fprintf(dat, "# workload policy bytes_peak precision avcs_per_page\n");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		double ev, pr, tr;
		char *out;
		if (header(path, &ev, &pr, &tr))
			bench_die("%s: no recording header", path);
		snprintf(cmd, sizeof(cmd), "%s compare --json %s", o.anonvma, path);
		out = slurp(cmd, &status);
		if (status)
			bench_die("%s failed", cmd);
		double ref_bytes = field(out, "linux-6.18", "bytes_peak");
		double ref_prec = field(out, "linux-6.18", "precision");
		double ref_avcs = field(out, "linux-6.18", "avcs_per_page");
		fprintf(md, "**%s** (%.0f events, %.0f processes):\n\n| design | anon_vma peak | "
			"AVC peak | bytes peak | AVCs/page | precision |\n|---|---:|---:|---:|---:|"
			"---:|\n", base(path), ev, pr);
		fprintf(js, "%s\n  {\"file\": \"%s\", \"events\": %.0f, \"processes\": %.0f, "
			"\"compare\": %s", i ? "," : "", base(path), ev, pr, out);
		for (int p = 0; p < np; p++) {
			double b = field(out, names[p], "bytes_peak");
			double pc = field(out, names[p], "precision");
			double a = field(out, names[p], "avcs_per_page");
			fprintf(md, "| %s | %.0f | %.0f | %.0f (%.2fx) | %.2f (%.2fx) | %.3f (%.2fx) |\n",
				names[p], field(out, names[p], "anon_vma_peak"),
				field(out, names[p], "avc_peak"), b, ref_bytes ? b / ref_bytes : 0,
				a, ref_avcs ? a / ref_avcs : 0, pc, ref_prec ? pc / ref_prec : 0);
			fprintf(dat, "%s %s %.0f %.4f %.4f\n", base(path), names[p], b, pc, a);
			sum_bytes[p] += b;
			sum_prec[p] += pc;
			sum_walk[p] += a;
		}
		fprintf(md, "\n");
		free(out);
		/* Replay speed: linux-6.18 alone, o.runs times. */
		struct samples ms = { 0 };
		snprintf(cmd, sizeof(cmd), "%s compare --json --policy linux-6.18 %s", o.anonvma, path);
		for (int r = 0; r < o.runs; r++) {
			out = slurp(cmd, &status);
			if (status)
				bench_die("%s failed", cmd);
			sample_add(&ms, field(out, "linux-6.18", "replay_ms"));
			free(out);
		}
		fprintf(js, ", \"replay_ms\": ");
		json_samples(js, &ms);
		fprintf(js, ", \"events_per_s\": %.0f}", ev / (sample_median(&ms) / 1e3));
		total_events += ev;
		total_ms += sample_median(&ms);
	}
	fprintf(js, "\n ],\n");
	for (int p = 0; p < np; p++) {
		design_metric(des, names[p], "recorded: bytes at peak, 5 workloads summed", sum_bytes[p]);
		design_metric(des, names[p], "recorded: precision, mean", sum_prec[p] / (double)g.gl_pathc);
		design_metric(des, names[p], "recorded: AVCs per page walk, mean",
			      sum_walk[p] / (double)g.gl_pathc);
	}
	fprintf(md, "### Replay speed\n\nlinux-6.18, median of %d replays of each recording (replay "
		"time as `anonvma compare` measures it: the commands, not the parse): all %zu "
		"recordings, %.0f recorded kernel events in %.1f ms, **%.2f M events/s**, %.2fx the "
		"target of 1 M/s.\n\n", o.runs, g.gl_pathc, total_events, total_ms,
		total_events / total_ms / 1e3, total_events / total_ms * 1e3 / TARGET_EVENTS_PER_S);
	fprintf(js, " \"replay\": {\"events\": %.0f, \"ms\": %.3f, \"events_per_s\": %.0f, "
		"\"ratio_to_target\": %.3f},\n", total_events, total_ms, total_events / total_ms * 1e3,
		total_events / total_ms * 1e3 / TARGET_EVENTS_PER_S);
	/* Slowdown, where this machine can record. */
	fprintf(md, "### Record's slowdown\n\n");
	fprintf(js, " \"slowdown\": [");
	fprintf(md, "Each program alone and under `anonvma record`, alternating, %d runs, medians "
		"in seconds; traced is the program's own run under tracing, record the whole "
		"command (tracing, writing the scenario and judging its replay).\n\n| workload | "
		"alone s | traced s | slowdown | record s |\n|---|---:|---:|---:|---:|\n", o.runs);
	/* Python where Debian puts it (a user's shims would time themselves). */
	int python = access("/usr/bin/python3", X_OK) == 0;
	if (slowdown(&o, "sh -c 'for i in $(seq 100); do /bin/true; done'",
		     "sh -c 'for i in $(seq 100); do /bin/true; done'", js, md, 1) ||
	    (!o.quick && python &&
	     slowdown(&o, "python3 forktree.py 3 3",
		      "/usr/bin/python3 scenarios/recorded/programs/forktree.py 3 3", js, md, 0))) {
		fprintf(md, "\nSkipped: this machine cannot record (`anonvma record` needs root "
			"and tracefs).\n");
		fprintf(js, "], \"slowdown_skipped\": \"cannot record here\"}\n");
	} else {
		fprintf(js, "]}\n");
	}
	fprintf(md, "\n");
	fclose(des);
	globfree(&g);
	bench_finish(js, dat, md);
	return 0;
}
