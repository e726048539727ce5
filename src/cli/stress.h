/* SPDX-License-Identifier: MIT */
#ifndef AV_CLI_STRESS_H
#define AV_CLI_STRESS_H

#include <stdint.h>

struct stress_opts {
	const char *policy;
	int threads;            /* per process */
	int walkers;            /* rmap walk threads: migrate, reclaim, age, ... */
	double seconds;
	uint64_t seed;
};

/* Exit status: 0 clean, 1 a failure (printed with its seed), 2 usage,
 * STRESS_KNOWN_FLAW the first failure was av_check finding the flaw the
 * design is known to have (3.19: CVE-2022-42703), no locking failure. */
#define STRESS_KNOWN_FLAW 3
int stress_main(const struct stress_opts *o);

#endif
