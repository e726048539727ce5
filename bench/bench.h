/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what every benchmark shares: a clock, samples and their
 * median and spread, the machine, and JSON output.  Each benchmark writes
 * RESULTS/NAME.json (machine, command, raw samples), RESULTS/NAME.dat (the
 * columns its gnuplot script draws) and RESULTS/NAME.md (its part of the
 * summary).
 */
#ifndef AV_BENCH_H
#define AV_BENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <anonvma/anonvma.h>
#include <anonvma/stats.h>

#define MAX_SAMPLES 64

struct samples {
	double v[MAX_SAMPLES];
	int n;
};

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void sample_add(struct samples *s, double v)
{
	if (s->n < MAX_SAMPLES)
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double sample_median(const struct samples *s)
{
	double v[MAX_SAMPLES];

	if (!s->n)
		return 0;
	memcpy(v, s->v, (size_t)s->n * sizeof(double));
	qsort(v, (size_t)s->n, sizeof(double), cmp_double);
	return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

static inline double sample_min(const struct samples *s)
{
	double m = s->n ? s->v[0] : 0;

	for (int i = 1; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

static inline double sample_max(const struct samples *s)
{
	double m = s->n ? s->v[0] : 0;

	for (int i = 1; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

/* {"median": m, "min": a, "max": b, "samples": [...]} */
static inline void json_samples(FILE *f, const struct samples *s)
{
	fprintf(f, "{\"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"samples\": [",
		sample_median(s), sample_min(s), sample_max(s));
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s%.6g", i ? ", " : "", s->v[i]);
	fputs("]}", f);
}

static inline void bench_die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
static inline void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Die on a failed library call: a benchmark of a broken run means nothing. */
#define AV_OK(w, call)                                                          \
	do {                                                                     \
		int rc_ = (call);                                                \
		if (rc_)                                                         \
			bench_die("%s:%d: %s: %d: %s", __FILE__, __LINE__, #call, \
				  rc_, av_world_error(w));                        \
	} while (0)

static inline FILE *bench_open(const char *dir, const char *name, const char *ext)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	if (!(f = fopen(path, "w")))
		bench_die("%s: %s", path, strerror(errno));
	return f;
}

/* The machine and the command, as the first members of a result object. */
static inline void json_header(FILE *f, const char *name, int argc, char **argv)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "{\"bench\": \"%s\",\n \"machine\": {\"nproc\": %ld, \"kernel\": \"%s %s\", "
		"\"machine\": \"%s\", \"compiler\": \"%s\"},\n \"command\": \"", name,
		sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release, u.machine, __VERSION__);
	for (int i = 0; i < argc; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	fputs("\",\n", f);
}

/* Common options: --out DIR (default bench/results), --runs N (default 5). */
struct bench_opts {
	const char *out;
	int runs;
	const char *anonvma;    /* the tool, for benchmarks that run it */
	int quick;              /* smaller sizes: a smoke test of the bench itself */
};

static inline void bench_args(int argc, char **argv, struct bench_opts *o)
{
	*o = (struct bench_opts){ "bench/results", 5, "build/anonvma", 0 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			o->out = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			o->runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--anonvma") && i + 1 < argc)
			o->anonvma = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			o->quick = 1;
		else
			bench_die("usage: %s [--out DIR] [--runs N] [--anonvma PATH] [--quick]",
				  argv[0]);
	}
	if (o->runs < 1 || o->runs > MAX_SAMPLES)
		bench_die("--runs takes 1 to %d", MAX_SAMPLES);
}

/* Open NAME.json (its header written), NAME.dat and NAME.md in o->out. */
static inline void bench_start(const struct bench_opts *o, const char *name, int argc,
			       char **argv, FILE **js, FILE **dat, FILE **md)
{
	*js = bench_open(o->out, name, "json");
	*dat = bench_open(o->out, name, "dat");
	*md = bench_open(o->out, name, "md");
	json_header(*js, name, argc, argv);
}

/* Every policy, in the table's order. */
#define FOR_EACH_POLICY(p) for (const char *const *p = av_policy_names(); *p; p++)

static inline int bench_npolicies(void)
{
	int n = 0;

	FOR_EACH_POLICY(p)
		n++;
	return n;
}

/* NAME.designs in o->out: "policy<TAB>metric<TAB>value" lines, which
 * bench/run.sh gathers into the design table. */
static inline FILE *bench_designs(const struct bench_opts *o, const char *name)
{
	return bench_open(o->out, name, "designs");
}

static inline void design_metric(FILE *f, const char *policy, const char *metric, double v)
{
	fprintf(f, "%s\t%s\t%.6g\n", policy, metric, v);
}

/* The kernel's sizes of a policy's objects (bytes). */
static inline struct av_policy_info bench_policy(const char *name)
{
	struct av_policy_info info;

	if (av_policy_describe(name, &info))
		bench_die("no policy %s", name);
	return info;
}

static inline void bench_finish(FILE *js, FILE *dat, FILE *md)
{
	if (fclose(js) | fclose(dat) | fclose(md))
		bench_die("cannot write the results: %s", strerror(errno));
}

static inline av_world *bench_world(const char *policy, uint64_t max_frames)
{
	struct av_world_config cfg;
	av_world *w;

	av_world_config_init(&cfg);
	cfg.policy = policy;
	cfg.max_frames = max_frames;
	if (av_world_create(&cfg, &w))
		bench_die("cannot create a %s world", policy);
	return w;
}

#endif
