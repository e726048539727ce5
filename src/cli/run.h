/* SPDX-License-Identifier: MIT */
/*
 * run.h - executing a parsed scenario on a world, and what it prints.
 */
#ifndef AV_CLI_RUN_H
#define AV_CLI_RUN_H

#include <stdio.h>
#include <anonvma/anonvma.h>
#include "../scn/scenario.h"

struct run_opts {
	const char *policy;     /* overrides the scenario's `policy` line */
	int zero_page;          /* 1 on, 0 off, -1 the library default */
	unsigned fault_around;  /* pages; 0 the library default */
	int json;               /* one JSON object on stdout */
	int check;              /* av_check after every command */
	int trace;              /* print each command and what it changed */
	/* The tool's pictures instead of the run's text (explore.h): */
	const char *html;       /* --html OUT.html */
	const char *compare;    /* --compare P2, with --html */
	const char *dot;        /* --dot DIR */
	const struct av_allocator *allocator;  /* NULL: the default */
	uint64_t max_memory;    /* bytes the world may hold; 0: no limit */
	uint64_t fail_alloc;    /* refuse the world's Nth allocation; 0: never */
	int fail_alloc_after;   /* ... and every one after it */
	/* For tools built on the runner (kcheck): no text, no error lines;
	 * instead these are called at each `stats` and each refusal. */
	int quiet;
	void (*on_point)(void *ctx, int line, av_world *w, const av_pid *pids);
	void (*on_error)(void *ctx, int line, enum scn_op op, int err);
	/* After each command, refused or not (tests: check, count). */
	void (*on_step)(void *ctx, int line, enum scn_op op, av_world *w);
	/* After every command, narration included (the explorer): the
	 * scenario's names and their tasks (pids[i] is names[i]'s, -1 none). */
	void (*on_command)(void *ctx, const struct scn_cmd *c, av_world *w, const av_pid *pids);
	/* Once the last command has run, before the world goes (compare). */
	void (*on_end)(void *ctx, av_world *w);
	/* Replay only: `expect` and `check` lines are not judged (a
	 * recording's expects are one design's). */
	int replay;
	void *ctx;
};

/* The memory a scenario's world may hold unless --max-memory says otherwise. */
#define RUN_DEFAULT_MAX_MEMORY (1ULL << 30)

/* Exit statuses of `anonvma run`. */
enum { RUN_OK = 0, RUN_FAILED = 1, RUN_USAGE = 2 };

/* Run s; text to out, diagnostics to err.  Returns an exit status. */
int run_scenario(const struct scenario *s, const struct run_opts *o, FILE *out, FILE *err);

#endif
