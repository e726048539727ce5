/* SPDX-License-Identifier: MIT */
/*
 * bench_scale.c - 4. how the cost of an operation grows with the world:
 * faults, rmap walks and forks in a world of 1e3..1e7 pages (one VMA), and
 * of 1e2..1e5 VMAs (one page each, holes between them so none merge).
 *
 * A fault looks its VMA up (a tree: logarithmic in VMAs) and fills a PTE
 * (page tables: constant); a walk from a page visits its anon_vma's AVCs
 * (here one) whatever the world's size; a fork copies every VMA and PTE
 * (linear, in the kernel too).  Reported per operation, median of 5 runs,
 * linux-6.18.
 */
#include "bench.h"

#define BASE 0x10000000ULL

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct point { struct samples fault, walk, fork; };

/* One run: build the world (timing the faults), walk, fork. */
static void run_once(uint64_t vmas, uint64_t pages_per_vma, struct point *pt)
{
	uint64_t pages = vmas * pages_per_vma, stride = (pages_per_vma + 1) * AV_PAGE_SIZE;
	av_world *w = bench_world("linux-6.18", pages + 16);
	uint64_t t0, walks = pages < 20000 ? pages : 20000;
	av_pid p, c;

	AV_OK(w, av_proc_create(w, &p));
	for (uint64_t i = 0; i < vmas; i++)
		AV_OK(w, av_mmap(w, p, BASE + i * stride, pages_per_vma * AV_PAGE_SIZE,
				 AV_PROT_READ | AV_PROT_WRITE));
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < vmas; i++)
		AV_OK(w, av_touch(w, p, BASE + i * stride, pages_per_vma * AV_PAGE_SIZE, 1));
	sample_add(&pt->fault, (double)(bench_now_ns() - t0) / pages);
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < walks; i++)
		AV_OK(w, av_walk_page(w, 1 + rng() % pages, AV_WALK_AGE));
	sample_add(&pt->walk, (double)(bench_now_ns() - t0) / walks);
	t0 = bench_now_ns();
	AV_OK(w, av_fork(w, p, &c));
	AV_OK(w, av_exit(w, c));
	sample_add(&pt->fork, (double)(bench_now_ns() - t0));
	av_world_destroy(w);
}

static void series(FILE *js, FILE *dat, FILE *md, const char *what, const uint64_t *sizes,
		   int nsizes, int by_vmas, int runs, int *first)
{
	fprintf(dat, "# %s: size fault_ns walk_ns fork_ns fork_ns_per_unit\n", what);
	for (int i = 0; i < nsizes; i++) {
		struct point pt = { { .n = 0 }, { .n = 0 }, { .n = 0 } };
		uint64_t n = sizes[i];
		for (int r = 0; r < runs; r++)
			run_once(by_vmas ? n : 1, by_vmas ? 1 : n, &pt);
		double f = sample_median(&pt.fault), wk = sample_median(&pt.walk),
		       fk = sample_median(&pt.fork);
		fprintf(js, "%s\n  {\"series\": \"%s\", \"size\": %llu, \"fault_ns\": ", *first ? "" : ",",
			what, (unsigned long long)n);
		json_samples(js, &pt.fault);
		fputs(", \"walk_ns\": ", js);
		json_samples(js, &pt.walk);
		fputs(", \"fork_exit_ns\": ", js);
		json_samples(js, &pt.fork);
		fputc('}', js);
		fprintf(dat, "%llu %.1f %.1f %.0f %.2f\n", (unsigned long long)n, f, wk, fk, fk / (double)n);
		fprintf(md, "| %s | %.0e | %.0f | %.2f | %.0f | %.0f | %.2f |\n", what, (double)n,
			f, 1e3 / f, wk, fk / 1e3, fk / (double)n);
		*first = 0;
		fprintf(stderr, "scale: %s %llu: fault %.0f ns, walk %.0f ns, fork %.0f us\n", what,
			(unsigned long long)n, f, wk, fk / 1e3);
	}
	fputs("\n\n", dat);
}

int main(int argc, char **argv)
{
	static const uint64_t pages[] = { 1000, 10000, 100000, 1000000, 10000000 };
	static const uint64_t vmas[] = { 100, 1000, 10000, 100000 };
	struct bench_opts o;
	FILE *js, *dat, *md;
	int first = 1;

	bench_args(argc, argv, &o);
	bench_start(&o, "scale", argc, argv, &js, &dat, &md);
	fputs(" \"unit\": \"ns per operation (fork_exit: per fork+exit)\",\n \"results\": [", js);
	fprintf(md, "## 4. Scale\n\n"
		"Per operation, median of %d runs, linux-6.18. A fault and a walk should\n"
		"cost about the same whatever the world's size (a walk visits one AVC here;\n"
		"a fault's VMA lookup is logarithmic); fork+exit copies everything, so it\n"
		"grows linearly, per page or per VMA, as in the kernel. This section measures\n"
		"the model's own structures (VMA tree, page tables, frames), which every\n"
		"design shares: what the designs change is in sections 1-3 and 5.\n\n"
		"| world | size | ns/fault | M faults/s | ns/walk | us/fork+exit | fork ns per page or VMA |\n"
		"|---|---:|---:|---:|---:|---:|---:|\n", o.runs);
	series(js, dat, md, "pages", pages, o.quick ? 3 : 5, 0, o.runs, &first);
	series(js, dat, md, "vmas", vmas, o.quick ? 2 : 4, 1, o.runs, &first);
	fputs("\n ]}\n", js);
	fprintf(md, "\n![scale](scale.svg)\n\n");
	bench_finish(js, dat, md);
	return 0;
}
