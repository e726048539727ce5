/* SPDX-License-Identifier: MIT */
/*
 * kcheck.h - `anonvma kcheck`: scenarios in the model and on the live kernel.
 *
 * kcheck.c compares one scenario at a time (kcheck_scenario) and runs the
 * files given on the command line; krandom.c generates random scenarios,
 * compares them the same way and shrinks any that differ.
 */
#ifndef AV_CLI_KCHECK_H
#define AV_CLI_KCHECK_H

#include <stddef.h>
#include <stdint.h>

struct kcheck_opts {
	int runs;               /* kernel runs per scenario; all must agree */
	int json;
	const char *policy;     /* the model's; linux-6.18 unless told */
	int fresh_runner;       /* a new anonvma-krun per kernel run */
	/* --random */
	long random;            /* scenarios to generate; 0: check files */
	uint64_t seed;
	int ops, procs;
	const char *save_dir;
};

/* Exit status: 0 all match, 1 a difference or noise, 2 usage, 77 the
 * kernel cannot be measured here. */
int kcheck_main(const struct kcheck_opts *o, char *const *files, int nfiles);
/* The path of anonvma-krun: next to this program, or $ANONVMA_KRUN (malloc'd). */
char *kcheck_find_runner(void);

/* ---- one scenario, for krandom.c ---- */

struct kcheck;

/* One way the model and the kernel differ: a checkpoint's field, or an
 * operation's errno (field is then the operation's name). */
struct kdiff {
	int line;
	char field[16];
	char model[96], kernel[96];
};

struct kresult {
	struct kdiff *diffs;
	size_t ndiffs, cap;
	size_t points;          /* checkpoints compared */
	size_t refused;         /* operations the kernel refused */
	int model_failed;       /* the model's own expect or check failed */
};

/* Compare the scenario in text.  0 (res says whether they differ),
 * RUN_USAGE, KRUN_SKIP, or RUN_FAILED: the runner failed or its runs
 * disagreed (noise); a message is on stderr. */
int kcheck_scenario(struct kcheck *k, const char *name, const char *text, int runs,
		    struct kresult *res);
void kresult_free(struct kresult *res);
/* Do the two sides differ? */
int kresult_differs(const struct kresult *res);
/* The table of differences (text) or a JSON array of them. */
void kcheck_print_diffs(const struct kcheck *k, const char *name, const struct kresult *res);
/* The zero-page setting the kernel showed; -1 before the first run. */
int kcheck_zero_page(const struct kcheck *k);

/* krandom.c: the --random mode, with k set up and the header printed. */
int krandom_main(struct kcheck *k, const struct kcheck_opts *o);

#endif
