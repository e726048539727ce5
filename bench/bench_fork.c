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
 * written memory are skipped.
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

static void model_side(const char *policy, unsigned vmas, unsigned pages, int runs,
		       struct samples *out)
{
	av_world *w = bench_world(policy, 0);
	av_pid p;

	AV_OK(w, av_proc_create(w, &p));
	for (unsigned i = 0; i < vmas; i++) {
		AV_OK(w, av_mmap(w, p, vma_addr(i, pages), (uint64_t)pages * 4096,
				 AV_PROT_READ | AV_PROT_WRITE));
		AV_OK(w, av_touch(w, p, vma_addr(i, pages), (uint64_t)pages * 4096, 1));
	}
	int k = iterations(model_fork_exit_ns(w, p, 1));
	for (int r = 0; r < runs; r++)
		sample_add(out, model_fork_exit_ns(w, p, k));
	av_world_destroy(w);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct samples empty = { .n = 0 };
	FILE *js, *dat, *md;
	int first = 1;
	double worst = 0, best = 1e300;
	double k_one = 0, m_one = 0, per_vma_kernel = 0, per_vma_model = 0;
	static char rows[sizeof(pages_grid) / sizeof(*pages_grid)][1024];

	bench_args(argc, argv, &o);
	bench_start(&o, "fork", argc, argv, &js, &dat, &md);
	kernel_side(0, 1, o.runs, &empty);
	fprintf(js, " \"unit\": \"ns per fork+exit\",\n \"kernel_empty_ns\": ");
	json_samples(js, &empty);
	fputs(",\n \"results\": [", js);
	fprintf(dat, "# vmas pages total_pages kernel_ns model_6.18_ns model_2.6.35_ns ratio_6.18 ratio_2.6.35\n");
	fprintf(md, "## 1. fork+exit: model against the live kernel\n\n"
		"Nanoseconds per fork+exit (median of %d runs; each run the mean of many\n"
		"forks). The kernel process also carries a C program's own ~20 VMAs: with no\n"
		"extra mappings it costs %.0f ns. Ratio = model / kernel; below 1 the model\n"
		"is faster.\n\n"
		"| VMAs | pages each | kernel ns | model 6.18 ns | model 2.6.35 ns | 6.18/kernel | 2.6.35/kernel |\n"
		"|---:|---:|---:|---:|---:|---:|---:|\n", o.runs, sample_median(&empty));
	for (unsigned vi = 0; vi < sizeof(vmas_grid) / sizeof(*vmas_grid); vi++) {
		for (unsigned pi = 0; pi < sizeof(pages_grid) / sizeof(*pages_grid); pi++) {
			unsigned v = vmas_grid[vi], pg = pages_grid[pi];
			struct samples ks = { .n = 0 }, m618 = { .n = 0 }, m2635 = { .n = 0 };
			if ((uint64_t)v * pg > (o.quick ? 4096u : MAX_PAGES))
				continue;
			kernel_side(v, pg, o.runs, &ks);
			model_side("linux-6.18", v, pg, o.runs, &m618);
			model_side("2.6.35", v, pg, o.runs, &m2635);
			double k = sample_median(&ks), r1 = sample_median(&m618) / k,
			       r2 = sample_median(&m2635) / k;
			worst = r1 > worst ? r1 : worst;
			best = r1 < best ? r1 : best;
			fprintf(js, "%s\n  {\"vmas\": %u, \"pages_per_vma\": %u, \"kernel_ns\": ",
				first ? "" : ",", v, pg);
			json_samples(js, &ks);
			fputs(", \"model_linux-6.18_ns\": ", js);
			json_samples(js, &m618);
			fputs(", \"model_2.6.35_ns\": ", js);
			json_samples(js, &m2635);
			fprintf(js, ", \"ratio_linux-6.18\": %.4f, \"ratio_2.6.35\": %.4f}", r1, r2);
			snprintf(rows[pi] + strlen(rows[pi]), sizeof(rows[pi]) - strlen(rows[pi]),
				 "%u %u %llu %.0f %.0f %.0f %.4f %.4f\n", v, pg,
				 (unsigned long long)v * pg, k, sample_median(&m618),
				 sample_median(&m2635), r1, r2);
			fprintf(md, "| %u | %u | %.0f | %.0f | %.0f | %.3f | %.3f |\n", v, pg, k,
				sample_median(&m618), sample_median(&m2635), r1, r2);
			first = 0;
			if (pg == 1 && v == 1) {
				k_one = k;
				m_one = sample_median(&m618);
			}
			if (pg == 1 && v > 1) {
				per_vma_kernel = (k - k_one) / (v - 1);
				per_vma_model = (sample_median(&m618) - m_one) / (v - 1);
			}
			fprintf(stderr, "fork: %4u VMAs x %4u pages: kernel %.0f ns, model %.0f ns (%.3f)\n",
				v, pg, k, sample_median(&m618), r1);
		}
	}
	/* One gnuplot data block per pages-per-VMA: lines across VMA counts. */
	for (unsigned pi = 0; pi < sizeof(pages_grid) / sizeof(*pages_grid); pi++)
		fprintf(dat, "# %u pages per VMA\n%s\n\n", pages_grid[pi], rows[pi]);
	fprintf(js, "\n ],\n \"ratio_linux-6.18_range\": [%.4f, %.4f]}\n", best, worst);
	fprintf(md, "\nModel (linux-6.18) / kernel ranges from %.3f to %.3f. Layouts above\n"
		"1 GiB of written memory (V x P > 262144) are not run.\n", best, worst);
	if (per_vma_kernel > 0)
		fprintf(md, "\nRead the ratio with the machine in mind: here the kernel pays %.0f us\n"
			"per extra written one-page VMA at fork+exit, the model %.2f us. Where fork\n"
			"is that slow (a virtual machine whose page-table updates are expensive,\n"
			"say) the ratio flatters the model; run `make bench` on the hardware you\n"
			"care about.\n",
			per_vma_kernel / 1e3, per_vma_model / 1e3);
	fputs("\n![fork cost](fork.svg)\n\n", md);
	bench_finish(js, dat, md);
	return 0;
}
