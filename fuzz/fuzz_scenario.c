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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "scn/scenario.h"
#include "cli/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a finding: stop with the checker's words. */
static void check_step(void *ctx, int line, enum scn_op op, av_world *w)
{
	int rc = w ? av_check(w) : 0;

	(void)ctx;
	(void)op;
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
		struct run_opts o = { .zero_page = -1, .max_memory = 16u << 20,
				      .on_step = check_step };
		run_scenario(&s, &o, sink, sink);
		scn_free(&s);
	}
	fclose(f);
	return 0;
}
