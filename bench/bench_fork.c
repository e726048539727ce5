/* SPDX-License-Identifier: MIT */
/*
 * bench_fork.c - 1. fork+exit in the model against fork()+_exit() on the
 * live kernel, for the same layout: V private anonymous VMAs of P written
 * pages each.  Both sides time the same thing: the parent forks, the child
 * exits, the parent has waited (kernel) or the call has returned (model).
 *
 * The kernel side runs in a helper process that builds the layout (THP off,
 * so pages are 4 KiB as in the model) and forks it over and over; the
 * helper also has the usual VMAs of a C program (~20), which the model
 * lacks: "kernel, empty" is that cost alone.  Layouts above 1 GiB of
 * written memory are skipped.  The model runs every design; at one layout
 * it also times a fork whose child writes a page of every VMA before it
 * exits, which is where a lazy anon_vma pays what it saved at fork.
 */
#include "bench.h"
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define BASE      0x300000000000ULL   /* above ASan's shadow, below the stack */
#define MAX_PAGES (1u << 18)    /* 1 GiB of 4 KiB pages */

static const unsigned vmas_grid[] = { 1, 10, 100, 1000 };
static const unsigned pages_grid[] = { 1, 16, 256, 4096 };

static uint64_t vma_addr(unsigned i, unsigned pages)
{
	return BASE + (uint64_t)i * (pages + 1) * 4096;   /* a hole between VMAs */
}

/* Iterations per run: about 30 ms of work, at least 3, at most 500. */
static int iterations(double first_ns)
{
	double k = 30e6 / (first_ns > 1 ? first_ns : 1);

	return k < 3 ? 3 : k > 500 ? 500 : (int)k;
}

/* ---- the kernel ---- */

static double kernel_fork_exit_ns(int k)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < k; i++) {
		pid_t pid = fork();
		if (pid < 0)
			bench_die("fork: %s", strerror(errno));
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			bench_die("waitpid: %s", strerror(errno));
	}
	return (double)(bench_now_ns() - t0) / k;
}

/* In a helper: build the layout, time `runs` runs, send the per-run means
 * back through a pipe. */
static void kernel_side(unsigned vmas, unsigned pages, int runs, struct samples *out)
{
	int fd[2];
	pid_t pid;

	if (pipe(fd))
		bench_die("pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		close(fd[0]);
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
		for (unsigned i = 0; i < vmas; i++) {
			size_t len = (size_t)pages * 4096;
			char *p = mmap((void *)(uintptr_t)vma_addr(i, pages), len,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == MAP_FAILED)
				_exit(2);
			for (size_t off = 0; off < len; off += 4096)
				p[off] = 1;
		}
		int k = iterations(kernel_fork_exit_ns(1));
		for (int r = 0; r < runs; r++) {
			double ns = kernel_fork_exit_ns(k);
			if (write(fd[1], &ns, sizeof(ns)) != sizeof(ns))
				_exit(3);
		}
		_exit(0);
	}
	close(fd[1]);
	double ns;
	while (read(fd[0], &ns, sizeof(ns)) == sizeof(ns))
		sample_add(out, ns);
	close(fd[0]);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || out->n != runs)
		bench_die("kernel side failed for %u VMAs of %u pages", vmas, pages);
}

/* ---- the model ---- */

static double model_fork_exit_ns(av_world *w, av_pid p, int k)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < k; i++) {
		av_pid c;
		AV_OK(w, av_fork(w, p, &c));
		AV_OK(w, av_exit(w, c));
	}
	return (double)(bench_now_ns() - t0) / k;
}

/* fork, the child writes one page of each of its vmas VMAs, exit. */
static double model_fork_write_exit_ns(av_world *w, av_pid p, unsigned vmas, unsigned pages,
				       int k)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < k; i++) {
		av_pid c;
		AV_OK(w, av_fork(w, p, &c));
		for (unsigned v = 0; v < vmas; v++)
			AV_OK(w, av_touch(w, c, vma_addr(v, pages), 4096, 1));
		AV_OK(w, av_exit(w, c));
	}
	return (double)(bench_now_ns() - t0) / k;
}

static void model_side(const char *policy, unsigned vmas, unsigned pages, int runs,
		       int with_writes, struct samples *out)
{
	av_world *w = bench_world(policy, 0);
	av_pid p;
	int k;

	AV_OK(w, av_proc_create(w, &p));
	for (unsigned i = 0; i < vmas; i++) {
		AV_OK(w, av_mmap(w, p, vma_addr(i, pages), (uint64_t)pages * 4096,
				 AV_PROT_READ | AV_PROT_WRITE));
		AV_OK(w, av_touch(w, p, vma_addr(i, pages), (uint64_t)pages * 4096, 1));
	}
	if (with_writes) {
		k = iterations(model_fork_write_exit_ns(w, p, vmas, pages, 1));
		for (int r = 0; r < runs; r++)
			sample_add(out, model_fork_write_exit_ns(w, p, vmas, pages, k));
	} else {
		k = iterations(model_fork_exit_ns(w, p, 1));
		for (int r = 0; r < runs; r++)
			sample_add(out, model_fork_exit_ns(w, p, k));
	}
	av_world_destroy(w);
}

#define DESIGN_VMAS  100     /* the layout of the design table's figures */
#define DESIGN_PAGES 16

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct samples empty = { .n = 0 };
	FILE *js, *dat, *md, *designs;
	int first = 1, np = bench_npolicies();
	double worst = 0, best = 1e300;
	double k_one = 0, m_one = 0, per_vma_kernel = 0, per_vma_model = 0;
	static char rows[sizeof(pages_grid) / sizeof(*pages_grid)][4096];

	bench_args(argc, argv, &o);
	bench_start(&o, "fork", argc, argv, &js, &dat, &md);
	designs = bench_designs(&o, "fork");
	kernel_side(0, 1, o.runs, &empty);
	fprintf(js, " \"unit\": \"ns per fork+exit\",\n \"kernel_empty_ns\": ");
	json_samples(js, &empty);
	fputs(",\n \"results\": [", js);
	fprintf(md, "## 1. fork+exit: model against the live kernel\n\n"
		"Nanoseconds per fork+exit (median of %d runs; each run the mean of many\n"
		"forks), the kernel and the model under every design. The kernel process\n"
		"also carries a C program's own ~20 VMAs: with no extra mappings it costs\n"
		"%.0f ns. The last column is linux-6.18 / kernel; below 1 the model is\n"
		"faster.\n\n| VMAs | pages each | kernel |", o.runs, sample_median(&empty));
	FOR_EACH_POLICY(p)
		fprintf(md, " %s |", *p);
	fputs(" 6.18/kernel |\n|---:|---:|---:|", md);
	FOR_EACH_POLICY(p)
		fputs("---:|", md);
	fputs("---:|\n", md);
	for (unsigned vi = 0; vi < sizeof(vmas_grid) / sizeof(*vmas_grid); vi++) {
		for (unsigned pi = 0; pi < sizeof(pages_grid) / sizeof(*pages_grid); pi++) {
			unsigned v = vmas_grid[vi], pg = pages_grid[pi];
			struct samples ks = { .n = 0 };
			double m618 = 0, k, r1;
			size_t len;
			if ((uint64_t)v * pg > (o.quick ? 4096u : MAX_PAGES))
				continue;
			kernel_side(v, pg, o.runs, &ks);
			k = sample_median(&ks);
			fprintf(js, "%s\n  {\"vmas\": %u, \"pages_per_vma\": %u, \"kernel_ns\": ",
				first ? "" : ",", v, pg);
			json_samples(js, &ks);
			len = strlen(rows[pi]);
			snprintf(rows[pi] + len, sizeof(rows[pi]) - len, "%u %u %llu %.0f", v, pg,
				 (unsigned long long)v * pg, k);
			fprintf(md, "| %u | %u | %.0f |", v, pg, k);
			FOR_EACH_POLICY(p) {
				struct samples ms = { .n = 0 };
				model_side(*p, v, pg, o.runs, 0, &ms);
				fprintf(js, ", \"model_%s_ns\": ", *p);
				json_samples(js, &ms);
				len = strlen(rows[pi]);
				snprintf(rows[pi] + len, sizeof(rows[pi]) - len, " %.0f",
					 sample_median(&ms));
				fprintf(md, " %.0f |", sample_median(&ms));
				if (strcmp(*p, "linux-6.18") == 0)
					m618 = sample_median(&ms);
				if (v == DESIGN_VMAS && pg == DESIGN_PAGES)
					design_metric(designs, *p, "fork+exit us", sample_median(&ms) / 1e3);
			}
			r1 = m618 / k;
			worst = r1 > worst ? r1 : worst;
			best = r1 < best ? r1 : best;
			fprintf(js, ", \"ratio_linux-6.18\": %.4f}", r1);
			len = strlen(rows[pi]);
			snprintf(rows[pi] + len, sizeof(rows[pi]) - len, " %.4f\n", r1);
			fprintf(md, " %.3f |\n", r1);
			first = 0;
			if (pg == 1 && v == 1) {
				k_one = k;
				m_one = m618;
			}
			if (pg == 1 && v > 1) {
				per_vma_kernel = (k - k_one) / (v - 1);
				per_vma_model = (m618 - m_one) / (v - 1);
			}
			fprintf(stderr, "fork: %4u VMAs x %4u pages: kernel %.0f ns, model 6.18 %.0f ns "
				"(%.3f)\n", v, pg, k, m618, r1);
		}
	}
	/* One gnuplot data block per pages-per-VMA: lines across VMA counts;
	 * a header names the columns, the designs among them. */
	for (unsigned pi = 0; pi < sizeof(pages_grid) / sizeof(*pages_grid); pi++) {
		fprintf(dat, "vmas pages total kernel");
		FOR_EACH_POLICY(p)
			fprintf(dat, " %s", *p);
		fprintf(dat, " ratio_6.18\n%s\n\n", rows[pi]);
	}
	fprintf(js, "\n ],\n \"ratio_linux-6.18_range\": [%.4f, %.4f],\n \"fork_write_exit\": {"
		"\"vmas\": %u, \"pages_per_vma\": %u", best, worst, DESIGN_VMAS, DESIGN_PAGES);
	fprintf(md, "\nModel (linux-6.18) / kernel ranges from %.3f to %.3f. Layouts above\n"
		"1 GiB of written memory (V x P > 262144) are not run.\n", best, worst);
	if (per_vma_kernel > 0)
		fprintf(md, "\nRead the ratio with the machine in mind: here the kernel pays %.0f us\n"
			"per extra written one-page VMA at fork+exit, the model %.2f us. Where fork\n"
			"is that slow (a virtual machine whose page-table updates are expensive,\n"
			"say) the ratio flatters the model; run `make bench` on the hardware you\n"
			"care about.\n",
			per_vma_kernel / 1e3, per_vma_model / 1e3);
	/* What a child that writes costs: fork, a page written in each VMA, exit. */
	fprintf(md, "\nA child that writes: fork, one page written in each of %u VMAs of %u\n"
		"pages, exit (model, us; in brackets, fork+exit alone):\n\n|", DESIGN_VMAS,
		DESIGN_PAGES);
	FOR_EACH_POLICY(p)
		fprintf(md, " %s |", *p);
	fputs("\n|", md);
	for (int i = 0; i < np; i++)
		fputs("---:|", md);
	fputs("\n|", md);
	FOR_EACH_POLICY(p) {
		struct samples ws = { .n = 0 }, fs = { .n = 0 };
		model_side(*p, DESIGN_VMAS, DESIGN_PAGES, o.runs, 1, &ws);
		model_side(*p, DESIGN_VMAS, DESIGN_PAGES, o.runs, 0, &fs);
		fprintf(js, ", \"%s_ns\": ", *p);
		json_samples(js, &ws);
		fprintf(md, " %.1f (%.1f) |", sample_median(&ws) / 1e3, sample_median(&fs) / 1e3);
		design_metric(designs, *p, "fork+write+exit us", sample_median(&ws) / 1e3);
	}
	fputs("}}\n", js);
	fputs("\n\n![fork cost](fork.svg)\n\n", md);
	if (fclose(designs))
		bench_die("cannot write the design metrics: %s", strerror(errno));
	bench_finish(js, dat, md);
	return 0;
}
