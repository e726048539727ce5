/* SPDX-License-Identifier: MIT */
/*
 * bench_precision.c - 2. how many VMAs an rmap walk visits per page, against
 * how many PTEs really map it (precision = PTEs found / VMAs visited; 1.0
 * is the limit), for linux-6.18 (interval tree) and 2.6.35 (list).
 *
 * Workloads on a 64-page VMA:
 *  - fan-out, shared: a parent writes its pages and forks F children that
 *    only read (every page mapped F+1 times);
 *  - fan-out, copied: the children write every page (the parent's pages are
 *    then mapped once, but every child is still linked to its anon_vma);
 *  - fan-out, sliced: each child keeps only its own 64/F-page slice of the
 *    VMA (unmapping the rest): ranges differ, which the interval tree uses
 *    and the list cannot;
 *  - chain: D generations, each writing every page and then forking the
 *    next.
 * Each distinct page is walked once (av_walk_page, aging); the counts come
 * from the library's walk statistics.  Deterministic: one run suffices.
 */
#include "bench.h"

#define BASE  0x10000000ULL
#define PAGES 64u
#define LEN   ((uint64_t)PAGES * AV_PAGE_SIZE)

enum shape { FANOUT_SHARED, FANOUT_COPIED, FANOUT_SLICED, CHAIN, NR_SHAPES };
static const char *const shape_name[] = { "fanout-shared", "fanout-copied", "fanout-sliced",
					  "chain" };
static const char *const policies[] = { "linux-6.18", "2.6.35" };
static const unsigned sizes[] = { 1, 2, 4, 8, 16, 32, 64 };

struct precision {
	double visited, found, walks;
};

/* Walk every page once; the walk counters' deltas. */
static struct precision walk_all(av_world *w)
{
	struct av_stats a, b;

	av_stats_read(w, &a);
	for (uint64_t pfn = 1; pfn < av_nr_frames(w); pfn++)
		av_walk_page(w, pfn, AV_WALK_AGE);   /* -ENOENT: a free frame */
	av_stats_read(w, &b);
	return (struct precision){ (double)(b.walk.avcs_visited - a.walk.avcs_visited),
				   (double)(b.walk.ptes_found - a.walk.ptes_found),
				   (double)(b.walk.walks - a.walk.walks) };
}

static struct precision run(const char *policy, enum shape shape, unsigned n)
{
	av_world *w = bench_world(policy, 1u << 16);
	av_pid p, c;
	struct precision pr;

	AV_OK(w, av_proc_create(w, &p));
	AV_OK(w, av_mmap(w, p, BASE, LEN, AV_PROT_READ | AV_PROT_WRITE));
	AV_OK(w, av_touch(w, p, BASE, LEN, 1));
	if (shape == CHAIN) {
		for (unsigned d = 0; d < n; d++, p = c) {
			AV_OK(w, av_fork(w, p, &c));
			AV_OK(w, av_touch(w, c, BASE, LEN, 1));
		}
	} else {
		uint64_t slice = LEN / n;
		for (unsigned i = 0; i < n; i++) {
			AV_OK(w, av_fork(w, p, &c));
			if (shape == FANOUT_SHARED)
				AV_OK(w, av_touch(w, c, BASE, LEN, 0));
			else if (shape == FANOUT_COPIED)
				AV_OK(w, av_touch(w, c, BASE, LEN, 1));
			else {
				uint64_t lo = BASE + i * slice, hi = lo + slice;
				if (lo > BASE)
					AV_OK(w, av_munmap(w, c, BASE, lo - BASE));
				if (hi < BASE + LEN)
					AV_OK(w, av_munmap(w, c, hi, BASE + LEN - hi));
			}
		}
	}
	pr = walk_all(w);
	av_world_destroy(w);
	return pr;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	FILE *js, *dat, *md;
	int first = 1;
	double summary[NR_SHAPES][2];

	bench_args(argc, argv, &o);
	bench_start(&o, "precision", argc, argv, &js, &dat, &md);
	fputs(" \"note\": \"deterministic counts: one run\",\n \"results\": [", js);
	fprintf(md, "## 2. Rmap walk precision\n\n"
		"PTEs found per VMA visited, walking each page once (1.0: the walk visits\n"
		"only VMAs that map the page). Fan-out F children or a chain D deep, on a\n"
		"64-page VMA.\n\n"
		"| workload | F or D | 6.18 VMAs/walk | 6.18 PTEs/walk | 6.18 precision | "
		"2.6.35 VMAs/walk | 2.6.35 PTEs/walk | 2.6.35 precision |\n"
		"|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int s = 0; s < NR_SHAPES; s++) {
		fprintf(dat, "# %s: n precision_6.18 precision_2.6.35 visited_per_walk_6.18 "
			"visited_per_walk_2.6.35\n", shape_name[s]);
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
			unsigned n = sizes[i];
			struct precision r[2];
			double prec[2];
			if (o.quick && n > 8)
				continue;
			for (int pi = 0; pi < 2; pi++) {
				r[pi] = run(policies[pi], (enum shape)s, n);
				prec[pi] = r[pi].visited ? r[pi].found / r[pi].visited : 1;
			}
			summary[s][0] = prec[0];
			summary[s][1] = prec[1];
			fprintf(js, "%s\n  {\"workload\": \"%s\", \"n\": %u", first ? "" : ",",
				shape_name[s], n);
			for (int pi = 0; pi < 2; pi++)
				fprintf(js, ", \"%s\": {\"walks\": %.0f, \"vmas_visited\": %.0f, "
					"\"ptes_found\": %.0f, \"precision\": %.4f}", policies[pi],
					r[pi].walks, r[pi].visited, r[pi].found, prec[pi]);
			fputc('}', js);
			fprintf(dat, "%u %.4f %.4f %.3f %.3f\n", n, prec[0], prec[1],
				r[0].visited / r[0].walks, r[1].visited / r[1].walks);
			fprintf(md, "| %s | %u | %.2f | %.2f | %.3f | %.2f | %.2f | %.3f |\n",
				shape_name[s], n, r[0].visited / r[0].walks, r[0].found / r[0].walks,
				prec[0], r[1].visited / r[1].walks, r[1].found / r[1].walks, prec[1]);
			first = 0;
		}
		fputs("\n\n", dat);   /* a gnuplot data block per workload */
	}
	fputs("\n ]}\n", js);
	fprintf(md, "\nAt the largest size: ");
	for (int s = 0; s < NR_SHAPES; s++)
		fprintf(md, "%s%s %.3f (6.18) vs %.3f (2.6.35)", s ? "; " : "", shape_name[s],
			summary[s][0], summary[s][1]);
	fprintf(md, ".\n\n![precision](precision.svg)\n\n");
	bench_finish(js, dat, md);
	return 0;
}
