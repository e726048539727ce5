/* SPDX-License-Identifier: MIT */
/*
 * explore.h - a scenario as pictures: the step-through explorer page
 * (anonvma run --html) and Graphviz files (anonvma run --dot).
 */
#ifndef AV_CLI_EXPLORE_H
#define AV_CLI_EXPLORE_H

#include <stdio.h>
#include "run.h"

/* src/cli/explorer.html, compiled in (scripts/embed.sh). */
extern const char explorer_page[];

/* Write the page for s to path; with compare, a second design beside the
 * first, step for step.  An exit status (RUN_*); nothing written unless
 * RUN_OK. */
int explore_html(const struct scenario *s, const struct run_opts *o, const char *path,
		 const char *compare, FILE *err);
/* Write DIR/ckpt-NNN-lineL.dot at every `stats` checkpoint. */
int explore_dot(const struct scenario *s, const struct run_opts *o, const char *dir, FILE *err);

#endif
