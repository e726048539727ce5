/* SPDX-License-Identifier: MIT */
/*
 * krun.h - the kernel side of `anonvma kcheck`.
 *
 * anonvma-krun runs a scenario on real processes of the running kernel.
 * One master process drives one worker per scenario process over a
 * socketpair, a command at a time, acknowledged.  A worker is a real
 * process: `fork P C` makes P call fork(), so C inherits P's VMAs and
 * anon_vma chains exactly as the scenario says.  Every scenario address is
 * offset by KRUN_BASE; mappings use MAP_FIXED_NOREPLACE; THP is disabled.
 *
 * Report, on stdout, one record per line (docs/kernel-faithfulness.md):
 *   krun 1
 *   zero_page 0|1
 *   fault_around PAGES         what a read fault of a file maps around it
 *   error LINE OP ERRNO        an operation the kernel refused
 *   pages LINE vmas N anon_pages N anon_ptes N zero_ptes N swap_ptes N file_ptes N
 *         cow_copies N
 *   maps LINE TOKEN...         the mappings: NAME:START-END:rw|r|none, x added if executable
 *   share LINE TOKEN...        who maps what: NAME:ADDR=FRAME[f][x] (f: a file's)
 *   objects LINE anon_vma N avc N
 *   end
 * Exit status 0, 1 on a failure (message on stderr), 77 when the kernel
 * cannot be measured here (not root, no tracefs).
 */
#ifndef AV_KRUN_H
#define AV_KRUN_H

#include <stdint.h>
#include <sys/types.h>
#include "../scn/scenario.h"

#define KRUN_BASE       0x200000000000ULL   /* far from anything else */
#define KRUN_SPAN       (1ULL << 43)        /* scenario addresses below this */
/* The heap: scenario address AV_HEAP_START + x is the worker's own
 * start_brk + x (its heap start, from /proc/PID/stat, as the kernel put
 * it); the model's heap is at AV_HEAP_START, well above KRUN_SPAN. */
#define KRUN_HEAP_SPAN  (1ULL << 40)
#define KRUN_MAX_SLOTS  512                 /* processes created per scenario */
#define KRUN_MAX_PAGES  (1u << 16)          /* distinct scenario pages */
#define KRUN_MAX_FILES  16                  /* files a scenario maps */
#define KRUN_SKIP       77

/* What the master sends a worker, and what comes back. */
struct krun_msg {
	int op;                 /* enum scn_op */
	int slot;               /* fork, thread: the new task's slot */
	int prot;
	int advice;             /* madvise: AV_MADV_* (Linux's own values) */
	int map_flags;          /* mmap: AV_MAP_* */
	int file;               /* mmap: a file's index, -1 none */
	uint64_t offset;        /* mmap: in the file */
	uint64_t addr, size, size2, addr2;
	int has_addr2;
};

struct krun_reply {
	int err;                /* 0 or a positive errno */
	pid_t pid;              /* fork, thread: the new task's id; hello: own id */
};

/* worker.c */
void krun_worker(int slot) __attribute__((noreturn));
void krun_worker_setup(void);
/* The worker image after exec: `anonvma-krun --worker SLOT SOCK LIFELINE`. */
void krun_worker_exec_main(int argc, char **argv) __attribute__((noreturn));
/* pidfd_open of any task, a thread too (PIDFD_THREAD): readable once it
 * has exited, which for the last task of a process is after exit_mm(). */
int krun_pidfd(pid_t pid);
/* start_brk of a live task, from /proc/PID/stat; 0 if it cannot be read. */
uint64_t krun_start_brk(pid_t pid);
extern int krun_sock[KRUN_MAX_SLOTS][2];
/* The scenario's files (tmpfs, unnamed), made for each run: -1 none. */
extern int krun_file_fd[KRUN_MAX_FILES];
/* This program's path, for exec (/proc/self/exe is gone from a process
 * whose first task has exited). */
extern char krun_exe[4096];
/* A pipe whose write end only the master holds: it closes when the master
 * dies, and the workers, polling its read end, exit. */
extern int krun_lifeline[2];

/* trace.c: live anon_vma / anon_vma_chain objects from tracefs */
struct krun_objects { int line; long anon_vma, avc; };
int trace_start(char *err, size_t errlen);     /* 0, -1 error, KRUN_SKIP */
int trace_clear(char *err, size_t errlen);     /* an empty buffer, tracing on */
void trace_mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Stop tracing; the live objects made by pids at each of the npts
 * checkpoint markers since trace_clear(). */
int trace_count(const pid_t *pids, size_t npids, struct krun_objects *pts, size_t npts,
		char *err, size_t errlen);
void trace_cleanup(void);
/* In a worker: close what tracing fds it inherited (the master's stay). */
void trace_forget(void);
/* The pieces trace_start is made of, for `record`'s own instance. */
int trace_instance_open(const char *tag, char *err, size_t errlen);
const char *trace_instance_path(void);
int trace_set(const char *file, const char *text);
int trace_enable(const char *event, const char *filter);
long trace_lost_events(void);
extern const char trace_kmem_filter[];
/* Reading a trace line: the task's id ("comm-PID [CPU]"), and what a kmem
 * event of the two caches is (its object's hashed pointer in *key). */
pid_t trace_line_pid(const char *line);
enum { KMEM_OTHER, KMEM_FREE, KMEM_ALLOC_ANON_VMA, KMEM_ALLOC_AVC };
int trace_kmem_event(const char *line, uint64_t *key);
/* Live objects by key: live_add a new one (-1 out of memory), live_remove
 * one freed (its kind, KIND_NONE if it was not live). */
enum { KIND_NONE, KIND_ANON_VMA, KIND_AVC, KIND_GONE };
struct live_set {
	uint64_t *key;
	unsigned char *kind;
	size_t cap, used;
	long count[3];
};
int live_add(struct live_set *s, uint64_t key, int kind);
int live_remove(struct live_set *s, uint64_t key);
void live_free(struct live_set *s);

/* pagemap.c: page fields and the sharing signature */
/* Pages a read fault of a file maps around it (fault_around_bytes / 4096),
 * found by doing one: 0, or -1 with a message. */
int pagemap_fault_around_probe(int *pages, char *err, size_t errlen);
/* All of a /proc file (up to size - 1 bytes), NUL-terminated, into buf:
 * its length, or -1.  Static buffers only: the master must not allocate. */
ssize_t krun_read_file(const char *path, char *buf, size_t size);
/* 0, -1 on error, KRUN_SKIP when pagemap shows no frame numbers. */
int pagemap_zero_page_probe(int *zero_page, char *err, size_t errlen);
struct krun_proc { const char *name; pid_t pid; int mm; };
int pagemap_report(int line, const struct krun_proc *procs, size_t nprocs,
		   const uint64_t *pages, size_t npages, char *err, size_t errlen);
/* Around a write of [addr, +len) by pid: count the pages it copied
 * (cow_copies in the report: since pagemap_reset, for the whole run). */
int pagemap_write_begin(pid_t pid, uint64_t addr, uint64_t len);
int pagemap_write_end(pid_t pid, uint64_t addr, uint64_t len);
void pagemap_reset(void);

#endif
