/* SPDX-License-Identifier: MIT */
/*
 * rscn.h - random scenarios for differential testing (`kcheck --random`).
 *
 * A scenario is a function of its seed alone: the generator has its own
 * pseudo-random numbers (splitmix64) and its own rough picture of each
 * process's address space, never the model's, so the same seed gives the
 * same text on any machine and with any version of the model.
 */
#ifndef AV_CLI_RSCN_H
#define AV_CLI_RSCN_H

#include <stdint.h>

struct rscn_opts {
	int ops;        /* commands per scenario, about */
	int procs;      /* live processes at most */
};

#define RSCN_DEFAULT_OPS   60
#define RSCN_DEFAULT_PROCS 4
#define RSCN_MAX_OPS       100000
#define RSCN_MAX_PROCS     64

/* The scenario of this seed, as text (to free); NULL if memory ran out. */
char *rscn_generate(uint64_t seed, const struct rscn_opts *o);

#endif
