/* SPDX-License-Identifier: MIT */
/*
 * fuzz_scenario.c - libFuzzer target: any bytes as a scenario file.
 *
 * The parser must accept or reject them with a message (never crash, hang
 * or leak); an accepted scenario is run with the incremental av_check
 * after every command (and the full one every 64 and at the end) and a
 * small memory limit, so that a hostile file costs little time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scn/scenario.h"
#include "cli/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checked incrementally after each command, fully every FULL_EVERY and
 * at the end. */
#define FULL_EVERY 64

struct fuzz {
	bool broken;            /* the design's known flaw was reached */
	unsigned steps;
};

/* A broken invariant is a finding: stop with the checker's words.  But
 * the 3.19 policy allows CVE-2022-42703's double reuse: once av_check has
 * named it, the rest of the run goes unchecked (anon_vma memory is
 * type-stable, so it must still run without a fault). */
static void check(struct fuzz *f, int line, av_world *w, bool full)
{
	int rc = 0;

	if (w && !f->broken)
		rc = full ? av_check(w) : av_check_incremental(w);
	if (rc && av_check_known_flaw(w)) {
		f->broken = true;
		return;
	}
	if (rc && rc != -ENOMEM) {   /* the checker's own memory may run out */
		fprintf(stderr, "fuzz.scn:%d: %s (%s check)\n", line, av_world_error(w),
			full ? "full" : "incremental");
		abort();
	}
}

static void check_step(void *ctx, int line, enum scn_op op, av_world *w)
{
	struct fuzz *f = ctx;

	(void)op;
	check(f, line, w, ++f->steps % FULL_EVERY == 0);
}

static void check_end(void *ctx, av_world *w)
{
	check(ctx, 0, w, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct scenario s;
	char err[512];
	FILE *f;

	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	if (!size)
		return 0;       /* fmemopen refuses an empty buffer */
	if (!(f = fmemopen((void *)data, size, "r")))
		abort();
	if (scn_parse(&s, "fuzz.scn", f, err, sizeof(err)) == 0) {
		struct fuzz fz = { false, 0 };
		struct run_opts o = { .zero_page = -1, .max_memory = 16u << 20,
				      .on_step = check_step, .on_end = check_end, .ctx = &fz };
		run_scenario(&s, &o, sink, sink);
		scn_free(&s);
	}
	fclose(f);
	return 0;
}
