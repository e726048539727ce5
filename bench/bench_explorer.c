/* SPDX-License-Identifier: MIT */
/*
 * bench_explorer.c - 8. the explorer (anonvma run --html) on a scenario of
 * 1,000 commands: the size of the page it writes, and how long the page
 * takes to draw one step in headless Chromium (its #selftest draws every
 * step in turn and reports the median and the slowest), against the goals
 * of 2 MB and 50 ms.  The scenario is made here, the same every time: up to
 * eight processes forking, exiting, mapping, unmapping, protecting and
 * touching a few dozen pages each, a checkpoint every 50 commands.  Without
 * a browser the draw time is said to be skipped.
 */
#include "bench.h"
#include <sys/stat.h>
#include <sys/wait.h>

#define COMMANDS 1000
#define MAX_PROCS 8
#define GOAL_BYTES (2.0 * 1024 * 1024)
#define GOAL_MS 50.0

static uint64_t lcg = 12345;

static unsigned pick(unsigned n)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(lcg >> 33) % n;
}

/* The scenario: every command valid in the language; some the model
 * refuses (a touch of an unmapped page), as real ones are. */
static void make_scenario(FILE *f, int commands)
{
	int live[MAX_PROCS], nlive = 0, next = 1;

	fprintf(f, "# bench_explorer: %d commands, made by bench/bench_explorer.c\nproc p0\n"
		"mmap p0 0x100000 64K\n", commands);
	live[nlive++] = 0;
	for (int i = 3; i <= commands; i++) {
		int p = live[pick((unsigned)nlive)], r = (int)pick(100);
		unsigned page = pick(16), region = pick(4);
		uint64_t addr = 0x100000 + region * 0x10000 + page * 4096;
		if (i % 50 == 0) {
			fprintf(f, "stats\n");
		} else if (r < 8 && nlive < MAX_PROCS) {
			fprintf(f, "fork p%d p%d\n", p, next);
			live[nlive++] = next++;
		} else if (r < 12 && nlive > 2 && p != 0) {
			fprintf(f, "exit p%d\n", p);
			for (int k = 0; k < nlive; k++)
				if (live[k] == p)
					live[k] = live[--nlive];
		} else if (r < 18) {
			fprintf(f, "mmap p%d %#llx 16K\n", p, (unsigned long long)addr);
		} else if (r < 22) {
			fprintf(f, "munmap p%d %#llx 8K\n", p, (unsigned long long)addr);
		} else if (r < 26) {
			fprintf(f, "mprotect p%d %#llx 4K %s\n", p, (unsigned long long)addr,
				pick(2) ? "r" : "rw");
		} else if (r < 70) {
			fprintf(f, "write p%d %#llx\n", p, (unsigned long long)addr);
		} else {
			fprintf(f, "read p%d %#llx\n", p, (unsigned long long)addr);
		}
	}
}

static const char *browser(void)
{
	static const char *const names[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (access(names[i], X_OK) == 0)
			return names[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct samples med = { 0 }, p99 = { 0 }, max = { 0 };
	char dir[] = "/tmp/anonvma-bench-explorer-XXXXXX", scn[256], html[256], cmd[2048];
	const char *b;
	struct stat st;
	FILE *js, *dat, *md, *f;
	int commands;

	bench_args(argc, argv, &o);
	commands = o.quick ? 100 : COMMANDS;
	if (!mkdtemp(dir))
		bench_die("mkdtemp: %s", strerror(errno));
	snprintf(scn, sizeof(scn), "%s/steps.scn", dir);
	snprintf(html, sizeof(html), "%s/steps.html", dir);
	if (!(f = fopen(scn, "w")))
		bench_die("%s: %s", scn, strerror(errno));
	make_scenario(f, commands);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s run --html %s %s", o.anonvma, html, scn);
	if (system(cmd) != 0 || stat(html, &st))
		bench_die("%s failed", cmd);
	bench_start(&o, "explorer", argc, argv, &js, &dat, &md);
	fprintf(js, " \"commands\": %d, \"bytes\": %lld, \"bytes_goal\": %.0f,\n", commands,
		(long long)st.st_size, GOAL_BYTES);
	fprintf(md, "## 8. The explorer\n\n`anonvma run --html` of a scenario of %d commands "
		"(up to 8 processes, a checkpoint every 50; made by bench_explorer.c): the page is "
		"**%.2f MB**, %.2fx the goal of 2 MB.\n\n", commands, st.st_size / 1048576.0,
		st.st_size / GOAL_BYTES);
	fprintf(dat, "# bytes draw_ms_median draw_ms_p99 draw_ms_max\n%lld", (long long)st.st_size);
	if (!(b = browser())) {
		fprintf(js, " \"results\": [], \"skipped\": \"no Chromium here\"}\n");
		fprintf(md, "Draw time: skipped (no Chromium here).\n\n");
		fprintf(dat, " 0 0 0\n");
	} else {
		for (int r = 0; r < o.runs; r++) {
			static char out[64 << 20];   /* the whole DOM, data included */
			const char *p;
			size_t n = 0, k;
			FILE *pp;
			snprintf(cmd, sizeof(cmd), "timeout 300 %s --headless --no-sandbox --disable-gpu "
				 "--user-data-dir=%s/profile --dump-dom "
				 "'file://%s#selftest' 2>/dev/null", b, dir, html);
			if (!(pp = popen(cmd, "r")))
				bench_die("%s: %s", cmd, strerror(errno));
			while ((k = fread(out + n, 1, sizeof(out) - 1 - n, pp)) > 0)
				n += k;
			out[n] = '\0';
			pclose(pp);
			const char *rep = strstr(out, "<pre id=\"selftest\"");
			if (!rep || !(p = strstr(rep, "\"draw_ms_median\":")))
				bench_die("the page reported no draw times");
			sample_add(&med, atof(p + 17));
			if (!(p = strstr(rep, "\"draw_ms_p99\":")))
				bench_die("the page reported no draw times");
			sample_add(&p99, atof(p + 14));
			if (!(p = strstr(rep, "\"draw_ms_max\":")))
				bench_die("the page reported no draw times");
			sample_add(&max, atof(p + 14));
			if (!strstr(rep, "\"problems\":[]"))
				bench_die("the page reported problems");
		}
		fprintf(js, " \"results\": [{\"draw_ms_median\": ");
		json_samples(js, &med);
		fprintf(js, ", \"draw_ms_p99\": ");
		json_samples(js, &p99);
		fprintf(js, ", \"draw_ms_max\": ");
		json_samples(js, &max);
		fprintf(js, "}], \"draw_ms_goal\": %.0f}\n", GOAL_MS);
		fprintf(md, "Drawing one step in headless Chromium, software rendering (the page's "
			"#selftest draws all %d steps in turn; %d runs, medians of the runs): median "
			"**%.1f ms**, 99th percentile **%.1f ms**, slowest %.1f ms (%.2fx the goal of "
			"50 ms; the slowest steps are not the biggest ones: a pause of the browser, "
			"which shares the 2 CPUs with its own processes).\n\n", commands + 1, o.runs,
			sample_median(&med), sample_median(&p99), sample_median(&max),
			sample_median(&max) / GOAL_MS);
		fprintf(dat, " %.3f %.3f %.3f\n", sample_median(&med), sample_median(&p99),
			sample_median(&max));
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		bench_die("%s failed", cmd);
	bench_finish(js, dat, md);
	return 0;
}
