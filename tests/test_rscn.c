/* SPDX-License-Identifier: MIT */
/*
 * test_rscn.c - the random scenarios of `kcheck --random` and the
 * shrinker, without a kernel.
 *
 *  - a seed gives the same text every time, different seeds different
 *    texts; every scenario parses, writes back to the same text, keeps its
 *    processes and addresses within bounds, and runs in the model under
 *    every policy and both zero-page settings with av_check() holding
 *    after every command;
 *  - the kernel would refuse a fair share of the commands (the model
 *    stands in for it here);
 *  - the shrinker, given the model under 2.6.35 as the "kernel" and
 *    linux-6.18 as the model, finds a small scenario on which they differ
 *    and from which no single command can be dropped.
 */
#include "testutil.h"
#include "cli/rscn.h"
#include "scn/scenario.h"
#include "cli/run.h"
#include "cli/shrink.h"

#define SEEDS 300

static const struct rscn_opts opts = { RSCN_DEFAULT_OPS, RSCN_DEFAULT_PROCS };

static void generation_is_deterministic(void **state)
{
	(void)state;
	for (uint64_t seed = 0; seed < 50; seed++) {
		char *a = rscn_generate(seed, &opts), *b = rscn_generate(seed, &opts);
		char *c = rscn_generate(seed + 1, &opts);
		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_string_equal(a, b);
		assert_true(strcmp(a, c) != 0);
		free(a);
		free(b);
		free(c);
	}
}

/* Parse text; it must write back to itself. */
static void parse_round_trip(const char *text, struct scenario *s)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (scn_parse_string(s, "random", text, err, sizeof(err)))
		fail_msg("%s\n%s", err, text);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(scn_write(f, s), 0);
	fclose(f);
	assert_string_equal(buf, text);
	free(buf);
}

static void scenarios_are_in_bounds(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		char *text = rscn_generate(seed, &opts);
		struct scenario s;
		int live = 0, most = 0;

		assert_non_null(text);
		parse_round_trip(text, &s);
		assert_true(s.n >= (size_t)opts.ops && s.n <= (size_t)opts.ops + 1);
		assert_int_equal(s.cmds[s.n - 1].op, SCN_STATS);
		for (size_t i = 0; i < s.n; i++) {
			const struct scn_cmd *c = &s.cmds[i];
			/* Tasks: each process has at most two threads. */
			live += c->op == SCN_PROC || c->op == SCN_FORK || c->op == SCN_THREAD ||
				c->op == SCN_VFORK;
			live -= c->op == SCN_EXIT;
			most = live > most ? live : most;
			assert_true(c->op != SCN_RECLAIM && c->op != SCN_MIGRATE);
			if (c->op == SCN_MMAP || c->op == SCN_MUNMAP || c->op == SCN_MPROTECT ||
			    c->op == SCN_MREMAP || c->op == SCN_READ || c->op == SCN_WRITE ||
			    c->op == SCN_DONTNEED || c->op == SCN_MADVISE) {
				/* The window: 48 pages at most, from 0x10000000; or
				 * the heap, 9 pages at most. */
				assert_true((c->addr >= 0x10000000 && c->addr + c->size <= 0x10030000) ||
					    (c->addr >= AV_HEAP_START &&
					     c->addr + c->size <= AV_HEAP_START + 0x9000));
				if (c->has_addr2)
					assert_true(c->addr2 + c->size2 <= 0x10030000);
			}
		}
		/* An exit of the last process is followed by a new one. */
		assert_true(most <= 3 * opts.procs);
		scn_free(&s);
		free(text);
	}
}

struct counts {
	unsigned long refused, commands;
};

static void count_error(void *ctx, int line, enum scn_op op, int err)
{
	struct counts *c = ctx;

	(void)line;
	(void)op;
	(void)err;
	c->refused++;
}

static void check_step(void *ctx, int line, enum scn_op op, av_world *w)
{
	struct counts *c = ctx;

	c->commands++;
	if (av_check(w))
		fail_msg("line %d (%s): %s", line, scn_op_name(op), av_world_error(w));
}

static void run_quietly(const struct scenario *s, struct run_opts *o)
{
	FILE *null = fopen("/dev/null", "w");

	assert_non_null(null);
	o->quiet = 1;
	o->max_memory = RUN_DEFAULT_MAX_MEMORY;
	assert_int_equal(run_scenario(s, o, null, stderr), RUN_OK);
	fclose(null);
}

static void scenarios_run_and_check(void **state)
{
	struct counts c = { 0 };

	(void)state;
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		char *text = rscn_generate(seed, &opts);
		struct scenario s;
		char err[512];

		assert_int_equal(scn_parse_string(&s, "random", text, err, sizeof(err)), 0);
		for (const char *const *p = av_policy_names(); *p; p++)
			for (int zero = 0; zero < 2; zero++) {
				struct run_opts o = { .policy = *p, .zero_page = zero,
						      .on_error = count_error, .on_step = check_step,
						      .ctx = &c };
				run_quietly(&s, &o);
			}
		scn_free(&s);
		free(text);
	}
	/* Neither a timid generator nor a hopeless one: between a fifth and
	 * a half of all commands refused (30% against Linux 6.18). */
	print_message("refused %lu of %lu commands\n", c.refused, c.commands);
	assert_true(c.refused * 5 > c.commands && c.refused * 2 < c.commands);
}

/* ---- the shrinker, with two policies of the model as its two sides ---- */

struct side {
	int line[64];
	long anon_vma[64], avc[64], vmas[64];
	int n;
	int err_line[256], err[256];
	int nerr;
};

static void side_point(void *ctx, int line, av_world *w, const av_pid *pids)
{
	struct side *sd = ctx;
	struct av_stats st;

	(void)pids;
	if (sd->n == 64)
		return;
	av_stats_read(w, &st);
	sd->line[sd->n] = line;
	sd->anon_vma[sd->n] = (long)st.obj[AV_OBJ_ANON_VMA].live;
	sd->avc[sd->n] = (long)st.obj[AV_OBJ_AVC].live;
	sd->vmas[sd->n++] = (long)st.vmas;
}

static void side_error(void *ctx, int line, enum scn_op op, int err)
{
	struct side *sd = ctx;

	(void)op;
	if (sd->nerr < 256) {
		sd->err_line[sd->nerr] = line;
		sd->err[sd->nerr++] = err;
	}
}

static void run_side(const struct scenario *s, const char *policy, struct side *sd)
{
	struct run_opts o = { .policy = policy, .zero_page = 1, .on_point = side_point,
			      .on_error = side_error, .ctx = sd };

	memset(sd, 0, sizeof(*sd));
	run_quietly(s, &o);
}

static void add(struct kresult *r, int line, const char *field)
{
	struct kdiff *d = realloc(r->diffs, (r->ndiffs + 1) * sizeof(*d));

	assert_non_null(d);
	r->diffs = d;
	memset(&d[r->ndiffs], 0, sizeof(*d));
	d[r->ndiffs].line = line;
	snprintf(d[r->ndiffs].field, sizeof(d->field), "%s", field);
	r->ndiffs++;
}

static long measured;

/* linux-6.18 is "the model", 2.6.35 "the kernel". */
static int two_policies(void *ctx, const char *text, struct kresult *res)
{
	struct side a, b;
	struct scenario s;
	char err[512];

	(void)ctx;
	measured++;
	memset(res, 0, sizeof(*res));
	if (scn_parse_string(&s, "shrink", text, err, sizeof(err)))
		return RUN_USAGE;
	run_side(&s, "linux-6.18", &a);
	run_side(&s, "2.6.35", &b);
	for (int i = 0; i < a.n && i < b.n; i++) {
		if (a.anon_vma[i] != b.anon_vma[i])
			add(res, a.line[i], "anon_vma");
		if (a.avc[i] != b.avc[i])
			add(res, a.line[i], "avc");
		if (a.vmas[i] != b.vmas[i])
			add(res, a.line[i], "vmas");
	}
	for (int i = 0; i < a.nerr || i < b.nerr; i++)
		if (i >= a.nerr || i >= b.nerr || a.err_line[i] != b.err_line[i] || a.err[i] != b.err[i])
			add(res, i < a.nerr ? a.err_line[i] : b.err_line[i], "errno");
	scn_free(&s);
	return 0;
}

static void shrinker_finds_a_small_difference(void **state)
{
	struct kresult first;
	struct shrink_result r;
	char *text = NULL;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed < 100; seed++) {
		text = rscn_generate(seed, &opts);
		assert_int_equal(two_policies(NULL, text, &first), 0);
		if (kresult_differs(&first))
			break;
		kresult_free(&first);
		free(text);
	}
	assert_true(seed < 100);
	measured = 0;
	assert_int_equal(shrink_scenario(text, &first, two_policies, NULL, &r), 0);
	assert_true(kresult_differs(&r.res));
	assert_int_equal(r.runs, measured);
	print_message("seed %llu: shrunk from %zu to %zu commands in %ld runs\n",
		      (unsigned long long)seed, (size_t)opts.ops, r.s.n, r.runs);
	assert_true(r.s.n <= 12);
	/* 1-minimal: without any one of its commands, it no longer differs
	 * in a field it first differed in (or no longer parses). */
	for (size_t drop = 0; drop < r.s.n; drop++) {
		struct scenario cand = r.s;
		struct scn_cmd *c = malloc(r.s.n * sizeof(*c));
		struct kresult res;
		char *buf = NULL;
		size_t len = 0, n = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_non_null(c);
		assert_non_null(f);
		for (size_t i = 0; i < r.s.n; i++)
			if (i != drop)
				c[n++] = r.s.cmds[i];
		cand.cmds = c;
		cand.n = n;
		assert_int_equal(scn_write(f, &cand), 0);
		fclose(f);
		if (two_policies(NULL, buf, &res) == 0) {
			for (size_t i = 0; i < res.ndiffs; i++)
				for (size_t j = 0; j < first.ndiffs; j++)
					assert_string_not_equal(res.diffs[i].field, first.diffs[j].field);
			kresult_free(&res);
		}
		free(buf);
		free(c);
	}
	shrink_result_free(&r);
	kresult_free(&first);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generation_is_deterministic),
		cmocka_unit_test(scenarios_are_in_bounds),
		cmocka_unit_test(scenarios_run_and_check),
		cmocka_unit_test(shrinker_finds_a_small_difference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
