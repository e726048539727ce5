/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - the scenario language (.scn), parsed.
 *
 * The language is a contract other tools read (docs/anonvma.1 has the
 * grammar).  Parsing is complete before anything runs: syntax, numbers,
 * alignment, and process names (a name must be live where it is used) are
 * all checked here, so a scenario that parses can only fail at run time by
 * an operation the model refuses.
 */
#ifndef AV_CLI_SCENARIO_H
#define AV_CLI_SCENARIO_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

enum scn_op {
	SCN_PROC, SCN_MMAP, SCN_MUNMAP, SCN_MPROTECT, SCN_MREMAP, SCN_READ,
	SCN_WRITE, SCN_FORK, SCN_EXIT, SCN_DONTNEED, SCN_STATS, SCN_RECLAIM,
	SCN_AGE, SCN_MIGRATE, SCN_CHECK, SCN_SHOW, SCN_TREE, SCN_EXPECT,
	SCN_POLICY, SCN_MADVISE, SCN_BRK, SCN_EXEC, SCN_THREAD, SCN_VFORK, SCN_NARRATE, SCN_OP_NR
};

enum scn_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct scn_cmd {
	enum scn_op op;
	int line;
	int proc, proc2;        /* indexes into scenario.names; -1 if none */
	uint64_t addr, size, size2, addr2;
	int has_addr2;
	int prot;               /* AV_PROT_* */
	int advice;             /* madvise: AV_MADV_* */
	int map_flags;          /* mmap: AV_MAP_SHARED, _NORESERVE, _STACK */
	int file;               /* mmap: index into scenario.files; -1: anonymous */
	uint64_t offset;        /* mmap of a file: byte offset */
	int field;              /* expect: index into the stats field table */
	enum scn_cmp cmp;
	uint64_t value;
	char *text;             /* narrate: the text, policy: the name */
};

struct scenario {
	char *file;             /* as given, for messages */
	struct scn_cmd *cmds;
	size_t n, cap;
	char **names;           /* process names; a name's index is stable */
	size_t nnames, names_cap;
	char **files;           /* file names, in order of first use */
	uint64_t *file_size;    /* each file's: the end of its furthest mapping */
	size_t nfiles, files_cap;
	const char *policy;     /* from a `policy` line, or NULL */
	int has_zero_page;      /* a `zero_page` line was given: */
	int zero_page;          /* 1 on, 0 off */
	unsigned fault_around;  /* from a `fault_around` line: pages, 0 none */
};

/* Limits of the parser (docs/anonvma.1, LIMITS). */
#define SCN_MAX_LINE   4096
#define SCN_MAX_NAME   64
#define SCN_MAX_COMMANDS 1000000
#define SCN_MAX_FAULT_AROUND 512	/* fault_around_bytes is at most a PMD */

/* Parse the whole of f.  0 on success; on a syntax or name error, -1 with
 * "FILE:LINE:COL: message" in err.  -ENOMEM if memory ran out. */
int scn_parse(struct scenario *s, const char *file, FILE *f, char *err, size_t errlen);
/* Parse a scenario held in memory (the built-in demo). */
int scn_parse_string(struct scenario *s, const char *file, const char *text,
		     char *err, size_t errlen);
void scn_free(struct scenario *s);
/* Every page an mmap, mremap, brk, read or write of s may map, sorted,
 * each once (in
 * *pages, to free; the heap's at AV_HEAP_START).  -E2BIG beyond max
 * pages, -ENOMEM. */
int scn_pages(const struct scenario *s, size_t max, uint64_t **pages, size_t *npages);
/* A number as scenarios write it: decimal or 0x-hex, and with allow_suffix
 * an optional K, M or G.  0, or one of these: */
enum { SCN_NUM_BAD = -1, SCN_NUM_TOO_LARGE = -2 };
int scn_number(const char *s, int allow_suffix, uint64_t *out);
const char *scn_op_name(enum scn_op op);
/* The policies' names, sep between them (for messages). */
const char *scn_policy_list(const char *sep);
/* One command as a scenario line (no newline), which scn_parse reads back
 * as the same command; the trace prints commands so too. */
void scn_format_cmd(const struct scenario *s, const struct scn_cmd *c, char *buf, size_t len);
/* The whole scenario, one line a command (comments are not kept). */
int scn_write(FILE *f, const struct scenario *s);
const char *scn_cmp_name(enum scn_cmp c);
/* madvise's advice words: the name of AV_MADV_* advice, or NULL. */
const char *scn_advice_name(int advice);

#endif
