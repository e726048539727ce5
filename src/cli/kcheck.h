/* SPDX-License-Identifier: MIT */
#ifndef AV_CLI_KCHECK_H
#define AV_CLI_KCHECK_H

struct kcheck_opts {
	int runs;       /* kernel runs per scenario; all must agree */
	int json;
	const char *policy;  /* the model's; linux-6.18 unless told */
};

/* Exit status: 0 all match, 1 a difference or noise, 2 usage, 77 the
 * kernel cannot be measured here. */
int kcheck_main(const struct kcheck_opts *o, char *const *files, int nfiles);

#endif
