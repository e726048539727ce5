/* SPDX-License-Identifier: MIT */
/*
 * test_scenario_enomem.c - every scenario under scenarios/, once per
 * allocation its world makes, with exactly that allocation refused
 * (SQLite style), under both policies; then again with that allocation and
 * every later one refused.  Every policy: a scenario's own (or the
 * default), and each other one under which it runs clean without
 * injection (its expects hold there).  The one run that breaks an
 * invariant by design - the CVE-2022-42703 example under 3.19 - is
 * checked to break exactly that one, and not injected.
 *
 * Each case must show: the command during which the allocation was refused
 * reports ENOMEM (and nothing else), av_check() holds after every command,
 * the scenario's later commands run on the damaged-but-consistent world,
 * and when the run ends every byte the world took is given back.  The
 * invariant checks run with the refusals paused, so they never consume the
 * refused allocation themselves.
 */
#include "testutil.h"
#include <glob.h>
#include <anonvma/limiter.h>
#include "scn/scenario.h"
#include "cli/run.h"

struct harness {
	struct av_limiter lim;
	const char *file;
	uint64_t nth;
	uint64_t refused_seen;   /* lim.refused_nth after the previous command */
	int refused_line;        /* the command during which the first refusal came */
	int enomem_line;         /* the first ENOMEM reported after it */
	int other_error;         /* errno of a non-ENOMEM report at the refusal */
	enum scn_op refused_op;
	const char *policy;
	bool double_reuse;       /* av_check found CVE-2022-42703's state (3.19) */
	unsigned check_every;    /* av_check after every Nth command (and at a refusal) */
	unsigned step;
};

static bool reporting(enum scn_op op)
{
	return op == SCN_SHOW || op == SCN_TREE || op == SCN_STATS || op == SCN_EXPECT ||
	       op == SCN_CHECK;
}

static void on_error(void *ctx, int line, enum scn_op op, int err)
{
	struct harness *h = ctx;

	(void)op;
	if (h->lim.refused_nth && !h->enomem_line && h->lim.refused_nth != h->refused_seen) {
		if (err == -ENOMEM)
			h->enomem_line = line;
		else
			h->other_error = err;
	}
}

static void on_step(void *ctx, int line, enum scn_op op, av_world *w)
{
	struct harness *h = ctx;
	int rc;

	if (h->lim.refused_nth != h->refused_seen && !h->refused_line) {
		h->refused_line = line;
		h->refused_op = op;
	}
	bool refused_now = h->lim.refused_nth != h->refused_seen;
	h->refused_seen = h->lim.refused_nth;
	if (h->double_reuse || (++h->step % h->check_every && !refused_now))
		return;
	h->lim.paused = true;
	rc = av_check(w);
	h->lim.paused = false;
	if (rc && !h->nth && av_check_known_flaw(w))
		h->double_reuse = true;
	else if (rc)
		fail_msg("%s: allocation %llu refused: after line %d: %s", h->file,
			 (unsigned long long)h->nth, line, av_world_error(w));
}

/* And at the end, whatever the stride. */
static void on_end(void *ctx, av_world *w)
{
	struct harness *h = ctx;

	h->step = h->check_every - 1;
	on_step(ctx, 0, SCN_STATS, w);
}

/* Run s with allocation nth refused (0: none); the allocations made, or
 * 0 when the run without injection did not pass. */
static uint64_t run_case(const struct scenario *s, const char *policy, uint64_t nth,
			 bool after, unsigned check_every, FILE *sink, bool *double_reuse)
{
	struct harness h = { .file = s->file, .nth = nth, .policy = policy,
			     .check_every = check_every };
	struct run_opts o = { .policy = policy, .zero_page = -1, .quiet = 1,
			      .on_error = on_error, .on_step = on_step, .on_end = on_end,
			      .ctx = &h };
	int rc;

	av_limiter_init(&h.lim, NULL);
	h.lim.fail_nth = nth;
	h.lim.fail_after = after;
	o.allocator = &h.lim.allocator;
	rc = run_scenario(s, &o, sink, sink);
	if (h.lim.live_bytes || h.lim.live_allocs)
		fail_msg("%s: allocation %llu refused: %llu bytes in %llu blocks never freed",
			 s->file, (unsigned long long)nth, (unsigned long long)h.lim.live_bytes,
			 (unsigned long long)h.lim.live_allocs);
	if (!nth) {
		*double_reuse = h.double_reuse;
		return rc == RUN_OK && !h.double_reuse ? h.lim.allocations : 0;
	}
	if (!h.lim.refused_nth)
		fail_msg("%s: allocation %llu never happened", s->file, (unsigned long long)nth);
	if (h.other_error)
		fail_msg("%s: allocation %llu refused at line %d, reported as errno %d",
			 s->file, (unsigned long long)nth, h.refused_line, -h.other_error);
	/* A library operation must say ENOMEM, with two exceptions.  The
	 * tool's own reports (show, tree, stats, expect, check) may stop the
	 * run for want of memory, or do without it (av_stats_read counts
	 * another way).  mremap, like Linux's move_vma, keeps its success when
	 * unmapping the old range fails after the pages moved: that range
	 * stays mapped and empty (av_check has verified the world all the
	 * same). */
	if (h.refused_line && h.enomem_line != h.refused_line && !reporting(h.refused_op) &&
	    h.refused_op != SCN_MREMAP)
		fail_msg("%s: allocation %llu refused at line %d, but ENOMEM %s%d", s->file,
			 (unsigned long long)nth, h.refused_line,
			 h.enomem_line ? "reported at line " : "never reported", h.enomem_line);
	if (!h.refused_line && rc != RUN_USAGE)
		fail_msg("%s: allocation %llu refused creating the world, exit %d", s->file,
			 (unsigned long long)nth, rc);
	return h.lim.allocations;
}

#define RECORDED_POINTS 12

static void every_scenario_every_allocation(void **state)
{
	glob_t g;
	uint64_t cases = 0, sticky = 0, runs = 0, by_design = 0;
	FILE *sink = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(sink);
	assert_int_equal(glob("scenarios/*/*.scn", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct scenario s;
		char err[512];
		FILE *f = fopen(g.gl_pathv[i], "r");

		assert_non_null(f);
		if (scn_parse(&s, g.gl_pathv[i], f, err, sizeof(err)))
			fail_msg("%s", err);
		fclose(f);
		/* A recording (tens of thousands of commands, as many
		 * allocations) is refused at RECORDED_POINTS allocations spread
		 * evenly, under linux-6.18 only, checked every 256 commands
		 * and at the refusal: every allocation would take hours. */
		bool recorded = strstr(g.gl_pathv[i], "scenarios/recorded/") != NULL;
		unsigned every = recorded ? 256 : 1;
		for (const char *const *p = av_policy_names(); *p; p++) {
			bool own = strcmp(*p, s.policy ? s.policy : "linux-6.18") == 0, broken = false;
			if (recorded && !own)
				continue;
			uint64_t total = run_case(&s, *p, 0, false, every, sink, &broken);
			uint64_t stride = recorded && total > RECORDED_POINTS ?
					  total / RECORDED_POINTS : 1;

			if (!total && own && !broken)
				fail_msg("%s: fails without injection under its own policy %s",
					 s.file, *p);
			by_design += broken;
			for (uint64_t n = 1; n <= total; n += stride) {
				run_case(&s, *p, n, false, every, sink, &broken);
				run_case(&s, *p, n, true, every, sink, &broken);
				cases++;
				sticky++;
			}
			runs += total != 0;
		}
		scn_free(&s);
	}
	print_message("scenario_enomem: %zu scenarios, %llu (scenario, policy) runs: "
		      "%llu single-refusal and %llu refuse-from-then-on cases, all clean; "
		      "%llu run%s broken by design (CVE-2022-42703 under 3.19)\n",
		      g.gl_pathc, (unsigned long long)runs, (unsigned long long)cases,
		      (unsigned long long)sticky, (unsigned long long)by_design,
		      by_design == 1 ? "" : "s");
	assert_int_equal(by_design, 1);
	globfree(&g);
	fclose(sink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_scenario_every_allocation),
	};
	return cmocka_run_group_tests_name("scenario_enomem", tests, NULL, NULL);
}
