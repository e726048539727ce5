/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops.c - libFuzzer target: bytes become a sequence of operations on
 * one world (the byte form is in ops.h).
 *
 * Checked incrementally after each operation, fully every 64 and at the
 * end (FUZZ_OPS_CHECK=full: fully after each, the slow way); at the end
 * every byte the world took must be back.  A failure aborts: a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops.h"

#define FULL_EVERY 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum fuzz_check mode = FUZZ_CHECK_INCREMENTAL;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *m = getenv("FUZZ_OPS_CHECK");

	(void)argc;
	(void)argv;
	if (m && strcmp(m, "full") == 0)
		mode = FUZZ_CHECK_FULL;
	else if (m && strcmp(m, "incremental") != 0) {
		fprintf(stderr, "fuzz_ops: FUZZ_OPS_CHECK must be full or incremental, not %s\n", m);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_run r = { .mode = mode, .full_every = FULL_EVERY };

	if (fuzz_ops_run(data, size, &r) < 0) {
		fprintf(stderr, "fuzz_ops: %s\n", r.why);
		abort();
	}
	return 0;
}
