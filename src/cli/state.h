/* SPDX-License-Identifier: MIT */
/*
 * state.h - a world's whole state as one JSON object (state.c has its
 * shape), for the explorer (--html) and the DOT files (--dot).
 */
#ifndef AV_CLI_STATE_H
#define AV_CLI_STATE_H

#include <stddef.h>
#include <anonvma/anonvma.h>
#include "buf.h"

/* PTEs listed per process and state; beyond, the state says it cut. */
#define STATE_MAX_PTES 4096

/* The processes among pids (pids[i] is the task of the scenario's name
 * i, -1 none), each once, under its first live task: their name indexes
 * into out (room for n); how many. */
size_t state_processes(const av_world *w, const av_pid *pids, size_t n, size_t *out);
/* fn(json, arg) for each VMA of pid, in address order; *cut is 1 when
 * the process had more than STATE_MAX_PTES PTEs (the rest not listed).
 * 0, fn's non-zero value, or -ENOMEM. */
int state_vmas(const av_world *w, av_pid pid, int (*fn)(const char *json, void *arg),
	       void *arg, int *cut);
/* b becomes the anon_vma forest: 0 or -ENOMEM. */
int state_anon_vmas_json(struct strbuf *b, const av_world *w);

#endif
