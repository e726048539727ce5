/* SPDX-License-Identifier: MIT */
/*
 * compare.h - `anonvma compare`: one scenario under several designs.
 */
#ifndef AV_CLI_COMPARE_H
#define AV_CLI_COMPARE_H

#include <stdint.h>
#include "../scn/scenario.h"

struct compare_opts {
	const char *policies;   /* comma-separated; NULL: every design */
	int json;
	int zero_page;          /* 1 on, 0 off, -1 the library default */
	unsigned fault_around;  /* pages; 0 the library default */
	uint64_t max_memory;    /* per world */
};

/* Replay s under each design and print one table (or JSON).  0, 1 if a
 * replay did not finish (it says which), 2 for a bad --policy list. */
int compare_scenario(const struct scenario *s, const struct compare_opts *o);

#endif
