/* SPDX-License-Identifier: MIT */
/*
 * record.h - `anonvma record`: a real program's memory events, as a scenario.
 *
 * Two halves.  record.c runs the program under the kernel's own tracing
 * (a tracefs instance: the memory syscalls, faults, fork/exec/exit and the
 * anon_vma / anon_vma_chain allocations) and ptrace (only where an event
 * cannot say enough: which file an mmap maps, and the layout exec made).
 * recscn.c reads what that gathered and writes the scenario.
 *
 * The raw trace is text, one event a line, as tracefs prints it; ptrace's
 * findings are kept beside it in the order they happened.
 */
#ifndef AV_KRUN_RECORD_H
#define AV_KRUN_RECORD_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* A mapped file, told apart by its path and inode. */
struct rec_file {
	char *path;
	uint64_t ino;
};

/* What one mmap(fd) maps, seen at its syscall entry (seccomp stop). */
enum rec_map_kind { REC_MAP_FILE, REC_MAP_ZERO, REC_MAP_DEVICE, REC_MAP_BADFD };
struct rec_fmap {
	pid_t tid;
	int kind;               /* enum rec_map_kind */
	int file;               /* REC_MAP_FILE: index into files */
};

/* One VMA of the layout exec made, from /proc/PID/smaps. */
struct rec_vma {
	uint64_t start, end, offset;
	int prot;               /* AV_PROT_* */
	int shared, growsdown, special;
	int file;               /* index into files, -1 anonymous */
};

/* The layout of a process just after exec, before its first instruction. */
struct rec_snap {
	pid_t pid;
	int used;
	uint64_t start_brk;
	struct rec_vma *vma;
	size_t nvma;
	uint64_t *page;         /* present pages: address | REC_PAGE_* */
	size_t npage;
};
#define REC_PAGE_FILE 1     /* a file's page (else anonymous): read, not write */

struct recording {
	FILE *trace;            /* the raw trace, rewound */
	pid_t root;
	int exit_status;        /* the program's (its root process's) */
	int zero_page, fault_around;
	struct rec_file *files;
	size_t nfiles, files_cap;
	struct rec_fmap *fmaps;
	size_t nfmaps, fmaps_cap;
	struct rec_snap *snaps;
	size_t nsnaps, snaps_cap;
};

/* What the scenario holds, for the report. */
struct rec_summary {
	double seconds;         /* the program's run, traced (set by the caller) */
	uint64_t events, commands, processes, tasks, expects;
	long peak_anon_vma, peak_avc, final_anon_vma, final_avc;
};

/* recscn.c: the scenario of r into out (a complete text, or -1 and a
 * message in err: then out holds a half result the caller throws away).
 * A checkpoint after every process's end and every `every` events (0:
 * only those). */
int rec_translate(struct recording *r, const char *const *argv, unsigned every, FILE *out,
		  struct rec_summary *sum, char *err, size_t errlen);
/* Room for element need - 1 of the array *v of *cap elements of size
 * bytes (grown and zero-filled): 0, or -1 with *v and *cap as they were. */
int rec_grow(void **v, size_t *cap, size_t need, size_t size);
/* A file's index in r (added if new), -1 out of memory. */
int rec_file_index(struct recording *r, const char *path, uint64_t ino);
void rec_free(struct recording *r);

/* record.c: `anonvma-krun --record OUT EVERY -- CMD...` */
int krun_record_main(int argc, char **argv);

#endif
