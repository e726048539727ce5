/* SPDX-License-Identifier: MIT */
/*
 * bench_metadata.c - 3. anon_vma and AVC objects per VMA as a long-lived
 * server forks workers, for both policies (bytes at the kernel's sizes:
 * anon_vma 104, anon_vma_chain 64, from /proc/slabinfo on x86-64).
 *
 *  - handoff (depth): a process forks its successor and exits, N times -
 *    a daemon that restarts by forking, the pattern behind the 2010-2012
 *    "anon_vma chain explosion" reports that led to reuse (2.6.35 keeps
 *    every generation's anon_vma: a chain N deep);
 *  - churn: a server forks 4 workers a round, each writes and forks a
 *    helper that writes, then all exit; the server lives on.
 * The server has 4 VMAs of 4 written pages; every new process writes one
 * page in each.  The same steps, as scenarios, are run on the live kernel
 * by `anonvma kcheck` at three handoff depths and one churn length: the
 * linux-6.18 counts must match.  Deterministic: one run.
 */
#include "bench.h"
#include <sys/wait.h>

#define BASE  0x10000000ULL
#define NVMAS 4u
#define VPAGES 4u
#define KB_ANON_VMA 104
#define KB_AVC 64

static const char *const policies[] = { "linux-6.18", "2.6.35" };

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

/* Fork, and the child writes one page in each VMA. */
static unsigned sim_fork(struct sim *s, unsigned parent)
{
	unsigned n = s->next++ % 4096;

	AV_OK(s->w, av_fork(s->w, s->pid[parent], &s->pid[n]));
	if (s->scn)
		fprintf(s->scn, "fork P%u P%u\n", parent, n);
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
			double bytes = (c.anon_vma * KB_ANON_VMA + c.avc * KB_AVC) / c.vmas;
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

int main(int argc, char **argv)
{
	struct bench_opts o;
	FILE *js, *dat, *md;
	struct counts hand[2], ch[2];
	unsigned depth, rounds;
	const unsigned kdepth[3] = { 10, 50, 200 };
	const char *kres[4];

	bench_args(argc, argv, &o);
	depth = o.quick ? 100 : 2000;
	rounds = o.quick ? 20 : 200;
	bench_start(&o, "metadata", argc, argv, &js, &dat, &md);
	fprintf(js, " \"note\": \"deterministic counts: one run; steps are [generation, anon_vmas, "
		"avcs, vmas] (handoff) or [round, busy anon_vmas, avcs, vmas, idle anon_vmas, avcs, "
		"vmas] (churn)\",\n \"results\": [");
	for (int p = 0; p < 2; p++) {
		struct sim s = { bench_world(policies[p], 1u << 20), NULL, { 0 }, 0 };
		fprintf(dat, "# handoff %s: generation anon_vma/vma avc/vma bytes/vma\n", policies[p]);
		handoff(&s, depth, dat, js, policies[p], &hand[p]);
		fputs(",", js);
		fputs("\n\n", dat);
		av_world_destroy(s.w);
	}
	for (int p = 0; p < 2; p++) {
		struct sim s = { bench_world(policies[p], 1u << 20), NULL, { 0 }, 0 };
		fprintf(dat, "# churn %s: round busy_anon_vma/vma busy_avc/vma idle_anon_vma/vma "
			"idle_avc/vma\n", policies[p]);
		churn(&s, rounds, dat, js, policies[p], &ch[p]);
		fputs(p ? "" : ",", js);
		fputs("\n\n", dat);
		av_world_destroy(s.w);
	}
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
		"Objects per live VMA, and bytes per VMA at the kernel's sizes (anon_vma 104,\n"
		"AVC 64). Server: 4 VMAs of 4 written pages; each new process writes a page\n"
		"in each VMA.\n\n"
		"| workload | policy | anon_vma/VMA | AVC/VMA | bytes/VMA |\n|---|---|---:|---:|---:|\n");
	for (int p = 0; p < 2; p++)
		fprintf(md, "| handoff, %u generations | %s | %.2f | %.2f | %.0f |\n", depth,
			policies[p], hand[p].anon_vma / hand[p].vmas, hand[p].avc / hand[p].vmas,
			(hand[p].anon_vma * KB_ANON_VMA + hand[p].avc * KB_AVC) / hand[p].vmas);
	for (int p = 0; p < 2; p++)
		fprintf(md, "| churn, %u rounds (idle) | %s | %.2f | %.2f | %.0f |\n", rounds,
			policies[p], ch[p].anon_vma / ch[p].vmas, ch[p].avc / ch[p].vmas,
			(ch[p].anon_vma * KB_ANON_VMA + ch[p].avc * KB_AVC) / ch[p].vmas);
	fprintf(md, "\nThe live kernel (`anonvma kcheck`, linux-6.18 counts at every step):\n"
		"handoff 10 generations: %s; 50: %s; 200: %s; churn 10 rounds: %s.\n\n"
		"![metadata](metadata.svg)\n\n", kres[0], kres[1], kres[2], kres[3]);
	bench_finish(js, dat, md);
	return 0;
}
