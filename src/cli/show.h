/* SPDX-License-Identifier: MIT */
/*
 * show.h - text views of a world (show, tree, one page).
 */
#ifndef AV_CLI_SHOW_H
#define AV_CLI_SHOW_H

#include <stdio.h>
#include <anonvma/anonvma.h>

/* Each returns 0, or -1 if memory ran out (output may be partial). */
int show_proc(FILE *f, av_world *w, av_pid pid, const char *name);
/* names[i] is the scenario name of pids[i] (-1: not live). */
int show_tree(FILE *f, av_world *w, const av_pid *pids, char *const *names, size_t n);
void show_page(FILE *f, av_world *w, av_pid pid, uint64_t addr);

#endif
