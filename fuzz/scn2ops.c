/* SPDX-License-Identifier: MIT */
/*
 * scn2ops.c - scn2ops OUTDIR FILE.scn...: each scenario in fuzz_ops's byte
 * form (ops.h), as OUTDIR/PATH.ops (slashes made underscores), to seed
 * the fuzzer.  Exit status 1 if
 * a scenario does not parse or its translation cannot be written.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ops.h"
#include "scn/scenario.h"

#define MAX_BYTES (FUZZ_HEADER + 4 * FUZZ_MAX_OPS)

static int translate(const char *outdir, const char *file)
{
	static uint8_t bytes[MAX_BYTES];
	struct scenario s;
	char err[512], out[4096];
	FILE *in = fopen(file, "r"), *f;
	long n;

	if (!in) {
		fprintf(stderr, "scn2ops: %s: %s\n", file, strerror(errno));
		return 1;
	}
	n = scn_parse(&s, file, in, err, sizeof(err));
	fclose(in);
	if (n) {
		fprintf(stderr, "scn2ops: %s\n", n == -1 ? err : strerror((int)-n));
		return 1;
	}
	n = fuzz_ops_translate(&s, bytes, sizeof(bytes));
	scn_free(&s);
	if (n < 0) {
		fprintf(stderr, "scn2ops: %s: %s\n", file, strerror((int)-n));
		return 1;
	}
	/* scenarios/kernel/fork.scn: OUTDIR/scenarios_kernel_fork.scn.ops */
	snprintf(out, sizeof(out), "%s/%s.ops", outdir, file);
	for (char *p = out + strlen(outdir) + 1; *p; p++)
		if (*p == '/')
			*p = '_';
	if (!(f = fopen(out, "wb")) || fwrite(bytes, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "scn2ops: %s: %s\n", out, strerror(errno));
		if (f)
			fclose(f);
		remove(out);
		return 1;
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: scn2ops OUTDIR FILE.scn...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		rc |= translate(argv[1], argv[i]);
	return rc;
}
