/* SPDX-License-Identifier: MIT */
/*
 * bench_metadata.c - 3. anon_vma and AVC objects per VMA, and bytes at
 * each design's kernel sizes (struct av_policy_info), for every design:
 *
 *  - fan-out: a server forks 32 workers, all alive;
 *  - chain: each process forks the next, 32 deep, all alive;
 *  - handoff (depth): a process forks its successor and exits, N times -
 *    a daemon that restarts by forking, the pattern behind the 2010-2012
 *    "anon_vma chain explosion" reports that led to reuse (without reuse
 *    every generation's anon_vma stays: a chain N deep);
 *  - churn: a server forks 4 workers a round, each writes and forks a
 *    helper that writes, then all exit; the server lives on;
 *  - fork-exec: a shell forks 32 children that write nothing (they would
 *    exec, or only read), all alive - where a lazy anon_vma saves.
 * The server has 4 VMAs of 4 written pages; every new process writes one
 * page in each (but in fork-exec).  The same steps, as scenarios, are run
 * on the live kernel by `anonvma kcheck` at three handoff depths and one
 * churn length: the linux-6.18 counts must match.  Deterministic: one run.
 */
#include "bench.h"
#include <sys/wait.h>

#define BASE  0x10000000ULL
#define NVMAS 4u
#define VPAGES 4u
#define WIDTH 32u       /* fan-out, chain depth, fork-exec children */

/* One simulated step, mirrored into a scenario file when one is given. */
struct sim {
	av_world *w;
	FILE *scn;
	av_pid pid[4096];       /* by scenario name index */
	unsigned next;
};

static uint64_t vma(unsigned i) { return BASE + (uint64_t)i * (VPAGES + 1) * AV_PAGE_SIZE; }

static unsigned sim_proc(struct sim *s)
{
	unsigned n = s->next++ % 4096;

	AV_OK(s->w, av_proc_create(s->w, &s->pid[n]));
	if (s->scn)
		fprintf(s->scn, "proc P%u\n", n);
	for (unsigned i = 0; i < NVMAS; i++) {
		AV_OK(s->w, av_mmap(s->w, s->pid[n], vma(i), VPAGES * AV_PAGE_SIZE,
				    AV_PROT_READ | AV_PROT_WRITE));
		AV_OK(s->w, av_touch(s->w, s->pid[n], vma(i), VPAGES * AV_PAGE_SIZE, 1));
		if (s->scn)
			fprintf(s->scn, "mmap P%u %#llx %uK\nwrite P%u %#llx %uK\n", n,
				(unsigned long long)vma(i), VPAGES * 4, n,
				(unsigned long long)vma(i), VPAGES * 4);
	}
	return n;
}

/* Fork; the child writes nothing. */
static unsigned sim_fork_only(struct sim *s, unsigned parent)
{
	unsigned n = s->next++ % 4096;

	AV_OK(s->w, av_fork(s->w, s->pid[parent], &s->pid[n]));
	if (s->scn)
		fprintf(s->scn, "fork P%u P%u\n", parent, n);
	return n;
}

/* Fork, and the child writes one page in each VMA. */
static unsigned sim_fork(struct sim *s, unsigned parent)
{
	unsigned n = sim_fork_only(s, parent);

	for (unsigned i = 0; i < NVMAS; i++) {
		AV_OK(s->w, av_touch(s->w, s->pid[n], vma(i), AV_PAGE_SIZE, 1));
		if (s->scn)
			fprintf(s->scn, "write P%u %#llx\n", n, (unsigned long long)vma(i));
	}
	return n;
}

static void sim_exit(struct sim *s, unsigned n)
{
	AV_OK(s->w, av_exit(s->w, s->pid[n]));
	if (s->scn)
		fprintf(s->scn, "exit P%u\n", n);
}

struct counts { double anon_vma, avc, vmas; };

static double bytes_per_vma(const char *policy, struct counts c)
{
	struct av_policy_info info = bench_policy(policy);

	return (c.anon_vma * info.kernel_anon_vma_bytes + c.avc * info.kernel_avc_bytes) / c.vmas;
}

static struct counts count(struct sim *s)
{
	struct av_stats st;

	av_stats_read(s->w, &st);
	if (s->scn)
		fprintf(s->scn, "stats\n");
	return (struct counts){ (double)st.obj[AV_OBJ_ANON_VMA].live,
				(double)st.obj[AV_OBJ_AVC].live, (double)st.vmas };
}

/* Names are reused modulo 4096 in the model; the scenario must not
 * reuse a live name, and kcheck runs short ones only. */
static void handoff(struct sim *s, unsigned n, FILE *dat, FILE *js, const char *policy,
		    struct counts *last)
{
	unsigned cur = sim_proc(s);

	fprintf(js, "\n  {\"workload\": \"handoff\", \"policy\": \"%s\", \"steps\": [", policy);
	for (unsigned g = 1; g <= n; g++) {
		unsigned next = sim_fork(s, cur);
		sim_exit(s, cur);
		cur = next;
		if (g == n || g % (n / 50 ? n / 50 : 1) == 0) {
			struct counts c = count(s);
			double bytes = bytes_per_vma(policy, c);
			fprintf(js, "%s[%u, %.0f, %.0f, %.0f]", g == (n / 50 ? n / 50 : 1) ? "" : ", ",
				g, c.anon_vma, c.avc, c.vmas);
			if (dat)
				fprintf(dat, "%u %.4f %.4f %.1f\n", g, c.anon_vma / c.vmas,
					c.avc / c.vmas, bytes);
			*last = c;
		}
	}
	fputs("]}", js);
}

static void churn(struct sim *s, unsigned rounds, FILE *dat, FILE *js, const char *policy,
		  struct counts *last)
{
	unsigned server = sim_proc(s);

	fprintf(js, "\n  {\"workload\": \"churn\", \"policy\": \"%s\", \"steps\": [", policy);
	for (unsigned r = 1; r <= rounds; r++) {
		unsigned workers[4], helpers[4];
		for (int i = 0; i < 4; i++)
			workers[i] = sim_fork(s, server);
		for (int i = 0; i < 4; i++)
			helpers[i] = sim_fork(s, workers[i]);
		struct counts busy = count(s);
		for (int i = 0; i < 4; i++) {
			sim_exit(s, workers[i]);
			sim_exit(s, helpers[i]);
		}
		struct counts c = count(s);
		fprintf(js, "%s[%u, %.0f, %.0f, %.0f, %.0f, %.0f, %.0f]", r == 1 ? "" : ", ", r,
			busy.anon_vma, busy.avc, busy.vmas, c.anon_vma, c.avc, c.vmas);
		if (dat)
			fprintf(dat, "%u %.4f %.4f %.4f %.4f\n", r, busy.anon_vma / busy.vmas,
				busy.avc / busy.vmas, c.anon_vma / c.vmas, c.avc / c.vmas);
		*last = c;
	}
	fputs("]}", js);
}

/* Run scenario `path` on the live kernel; "match", "differ" or "skipped". */
static const char *kernel_check(const char *anonvma, const char *path)
{
	char cmd[8192];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s kcheck %s > /dev/null 2>&1", anonvma, path);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc))
		return "error";
	rc = WEXITSTATUS(rc);
	return rc == 0 ? "match" : rc == 77 ? "skipped" : "differ";
}

/* The shapes with every process alive at the end. */
enum { FANOUT, CHAIN, FORK_EXEC };

static struct counts alive(const char *policy, int shape)
{
	struct sim s = { bench_world(policy, 1u << 20), NULL, { 0 }, 0 };
	unsigned cur = sim_proc(&s), server = cur;
	struct counts c;

	for (unsigned i = 0; i < WIDTH; i++) {
		if (shape == FANOUT)
			sim_fork(&s, server);
		else if (shape == CHAIN)
			cur = sim_fork(&s, cur);
		else
			sim_fork_only(&s, server);
	}
	c = count(&s);
	av_world_destroy(s.w);
	return c;
}

struct row { const char *policy; struct counts c[5]; };
static const char *const workload[5] = { "fan-out", "chain", "handoff", "churn", "fork-exec" };

int main(int argc, char **argv)
{
	struct bench_opts o;
	FILE *js, *dat, *md, *designs;
	struct row rows[16];
	unsigned depth, rounds;
	const unsigned kdepth[3] = { 10, 50, 200 };
	const char *kres[4];
	int np = 0;

	bench_args(argc, argv, &o);
	depth = o.quick ? 100 : 2000;
	rounds = o.quick ? 20 : 200;
	bench_start(&o, "metadata", argc, argv, &js, &dat, &md);
	designs = bench_designs(&o, "metadata");
	fprintf(js, " \"note\": \"deterministic counts: one run; steps are [generation, anon_vmas, "
		"avcs, vmas] (handoff) or [round, busy anon_vmas, avcs, vmas, idle anon_vmas, avcs, "
		"vmas] (churn)\",\n \"results\": [");
	/* Handoff and churn, step by step: one data block per design each,
	 * its header naming the design for the plot. */
	FOR_EACH_POLICY(p) {
		struct sim s = { bench_world(*p, 1u << 20), NULL, { 0 }, 0 };
		struct row *r = &rows[np++];
		r->policy = *p;
		fprintf(dat, "generation anon_vma_per_vma avc_per_vma %s\n", *p);
		handoff(&s, depth, dat, js, *p, &r->c[2]);
		fputs(",", js);
		fputs("\n\n", dat);
		av_world_destroy(s.w);
	}
	np = 0;
	FOR_EACH_POLICY(p) {
		struct sim s = { bench_world(*p, 1u << 20), NULL, { 0 }, 0 };
		struct row *r = &rows[np++];
		fprintf(dat, "round busy_anon_vma busy_%s idle_anon_vma idle_%s\n", *p, *p);
		churn(&s, rounds, dat, js, *p, &r->c[3]);
		fputs(",", js);
		fputs("\n\n", dat);
		av_world_destroy(s.w);
		r->c[0] = alive(*p, FANOUT);
		r->c[1] = alive(*p, CHAIN);
		r->c[4] = alive(*p, FORK_EXEC);
	}
	/* Last block: bytes per VMA, a row per design, a column per workload. */
	fputs("design", dat);
	for (int k = 0; k < 5; k++)
		fprintf(dat, " %s", workload[k]);
	fputc('\n', dat);
	for (int i = 0; i < np; i++) {
		fprintf(dat, "%s", rows[i].policy);
		for (int k = 0; k < 5; k++)
			fprintf(dat, " %.1f", bytes_per_vma(rows[i].policy, rows[i].c[k]));
		fputc('\n', dat);
	}
	fputs("\n  {\"workload\": \"alive\", \"designs\": [", js);
	for (int i = 0; i < np; i++) {
		fprintf(js, "%s\n   {\"policy\": \"%s\"", i ? "," : "", rows[i].policy);
		for (int k = 0; k < 5; k++) {
			struct counts c = rows[i].c[k];
			char metric[64];
			fprintf(js, ", \"%s\": [%.0f, %.0f, %.0f]", workload[k], c.anon_vma, c.avc, c.vmas);
			snprintf(metric, sizeof(metric), "anon_vma/vma %s", workload[k]);
			design_metric(designs, rows[i].policy, metric, c.anon_vma / c.vmas);
			snprintf(metric, sizeof(metric), "avc/vma %s", workload[k]);
			design_metric(designs, rows[i].policy, metric, c.avc / c.vmas);
			snprintf(metric, sizeof(metric), "bytes/vma %s", workload[k]);
			design_metric(designs, rows[i].policy, metric, bytes_per_vma(rows[i].policy, c));
		}
		fputc('}', js);
	}
	fputs("]}", js);
	/* The same steps on the live kernel, as kcheck scenarios. */
	for (int i = 0; i < 4; i++) {
		char path[4096];
		struct counts c;
		FILE *nul = fopen("/dev/null", "w");
		snprintf(path, sizeof(path), "%s/metadata-%s-%u.scn", o.out, i < 3 ? "handoff" : "churn",
			 i < 3 ? kdepth[i] : 10u);
		struct sim s = { bench_world("linux-6.18", 1u << 20), fopen(path, "w"), { 0 }, 0 };
		if (!s.scn || !nul)
			bench_die("%s: %s", path, strerror(errno));
		fprintf(s.scn, "# bench_metadata: %s, linux-6.18 (generated)\n",
			i < 3 ? "handoff" : "churn");
		if (i < 3)
			handoff(&s, kdepth[i], NULL, nul, "linux-6.18", &c);
		else
			churn(&s, 10, NULL, nul, "linux-6.18", &c);
		fclose(s.scn);
		fclose(nul);
		av_world_destroy(s.w);
		kres[i] = kernel_check(o.anonvma, path);
	}
	fprintf(js, "\n ],\n \"kernel_check\": {\"handoff-10\": \"%s\", \"handoff-50\": \"%s\", "
		"\"handoff-200\": \"%s\", \"churn-10\": \"%s\"}}\n", kres[0], kres[1], kres[2], kres[3]);
	fprintf(md, "## 3. Metadata growth\n\n"
		"anon_vma and AVC objects per live VMA, and (in brackets) bytes per VMA at\n"
		"each design's kernel sizes. Server: 4 VMAs of 4 written pages; each new\n"
		"process writes a page in each VMA, except in fork-exec. Fan-out and chain:\n"
		"%u processes, all alive; handoff: %u generations; churn: %u rounds (idle);\n"
		"fork-exec: %u children that write nothing.\n\n"
		"| design |", WIDTH, depth, rounds, WIDTH);
	for (int k = 0; k < 5; k++)
		fprintf(md, " %s |", workload[k]);
	fputs("\n|---|---:|---:|---:|---:|---:|\n", md);
	for (int i = 0; i < np; i++) {
		fprintf(md, "| %s |", rows[i].policy);
		for (int k = 0; k < 5; k++) {
			struct counts c = rows[i].c[k];
			fprintf(md, " %.2f + %.2f (%.0f) |", c.anon_vma / c.vmas, c.avc / c.vmas,
				bytes_per_vma(rows[i].policy, c));
		}
		fputc('\n', md);
	}
	fprintf(md, "\nWithout reuse at fork (up to 3.7) the handoff chain grows by an anon_vma\n"
		"and an AVC per VMA per generation, without bound; 3.19 and later stay at a\n"
		"few. 2.6.33 has no chains at all, and pays for it in walk precision\n"
		"(section 2). lazy makes no anon_vma for a child that writes nothing.\n"
		"\nThe live kernel (`anonvma kcheck`, linux-6.18 counts at every step):\n"
		"handoff 10 generations: %s; 50: %s; 200: %s; churn 10 rounds: %s.\n\n"
		"![metadata](metadata.svg)\n\n", kres[0], kres[1], kres[2], kres[3]);
	if (fclose(designs))
		bench_die("cannot write the design metrics: %s", strerror(errno));
	bench_finish(js, dat, md);
	return 0;
}
