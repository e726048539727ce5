/* SPDX-License-Identifier: MIT */
/*
 * fuzz_scenario.c - libFuzzer target: any bytes as a scenario file.
 *
 * The parser must accept or reject them with a message (never crash, hang
 * or leak); an accepted scenario is run with av_check after every command
 * and a small memory limit, so that a hostile file costs little time.
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

/* A broken invariant is a finding: stop with the checker's words.  But
 * the 3.19 policy allows CVE-2022-42703's double reuse: once av_check has
 * named it, the rest of the run goes unchecked (anon_vma memory is
 * type-stable, so it must still run without a fault). */
static void check_step(void *ctx, int line, enum scn_op op, av_world *w)
{
	bool *broken = ctx;
	int rc = w && !*broken ? av_check(w) : 0;

	(void)op;
	if (rc && av_check_known_flaw(w)) {
		*broken = true;
		return;
	}
	if (rc && rc != -ENOMEM) {   /* the checker's own memory may run out */
		fprintf(stderr, "fuzz.scn:%d: %s\n", line, av_world_error(w));
		abort();
	}
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
		bool broken = false;
		struct run_opts o = { .zero_page = -1, .max_memory = 16u << 20,
				      .on_step = check_step, .ctx = &broken };
		run_scenario(&s, &o, sink, sink);
		scn_free(&s);
	}
	fclose(f);
	return 0;
}
