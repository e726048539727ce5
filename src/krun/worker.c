/* SPDX-License-Identifier: MIT */
/*
 * worker.c - one real process of a scenario.  It obeys the master, one
 * command at a time, and answers each with the errno the kernel gave.
 *
 * A worker allocates nothing and touches no memory of its own beyond what
 * the master touched before the first fork (krun.c: pretouch), so every
 * anon_vma and anon_vma_chain it makes belongs to the scenario's ranges or
 * to the fixed cost the baseline run measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <anonvma/anonvma.h>
#include "krun.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL     /* Linux 6.9 */
#endif

int krun_sock[KRUN_MAX_SLOTS][2];
int krun_file_fd[KRUN_MAX_FILES];
char krun_exe[4096];
int krun_lifeline[2] = { -1, -1 };

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t touching;

static void on_fault(int sig)
{
	if (touching)
		siglongjmp(fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

int krun_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
}

uint64_t krun_start_brk(pid_t pid)
{
	static char stat[4096];
	char path[64];
	const char *p;
	int spaces = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (krun_read_file(path, stat, sizeof(stat)) < 0 || !(p = strrchr(stat, ')')))
		return 0;
	/* Field 2, the name, ends at the last ')'; field k > 2 follows the
	 * (k-2)th space after it: start_brk, field 47, the 45th. */
	for (p++; *p; p++)
		if (*p == ' ' && ++spaces == 45)
			return strtoull(p + 1, NULL, 10);
	return 0;
}

/* This process's heap start (its own, whatever exec made it). */
static uint64_t start_brk;

static void *at(uint64_t addr)
{
	if (addr >= AV_HEAP_START)
		return (void *)(uintptr_t)(start_brk + (addr - AV_HEAP_START));
	return (void *)(uintptr_t)(KRUN_BASE + addr);
}

/* A new process's heap starts empty, as the model's does.  A worker the
 * master made inherits the master's malloc arena in its heap: it lets it
 * go (it allocates nothing).  This is why the runner is not a static
 * program: static glibc keeps the main thread's TLS in the heap.  0, or
 * the errno. */
static int start_own_heap(void)
{
	uint64_t start = krun_start_brk(getpid());

	if (!start)
		return errno ? errno : EIO;
	if ((uint64_t)syscall(SYS_brk, start) != start)
		return ENOMEM;
	start_brk = start;
	return 0;
}

/* In a process the master has just forked (its children inherit all of
 * this): hold nothing of the master's but the lifeline's read end, and
 * neither its standard output (kcheck's pipe) nor a tracefs file. */
void krun_worker_setup(void)
{
	struct sigaction sa = { .sa_handler = on_fault };
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	close(krun_lifeline[1]);
	trace_forget();

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* Children are reaped by the kernel; the master watches pidfds. */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

static int native_prot(int prot)
{
	return (prot & AV_PROT_READ ? PROT_READ : 0) | (prot & AV_PROT_WRITE ? PROT_WRITE : 0) |
	       (prot & AV_PROT_EXEC ? PROT_EXEC : 0);
}

/* Touch one page; EFAULT where the process gets SIGSEGV or SIGBUS. */
static int touch_page(volatile char *p, int write)
{
	if (sigsetjmp(fault_jmp, 1)) {
		touching = 0;
		return EFAULT;
	}
	touching = 1;
	if (write)
		*p = 1;
	else
		(void)*p;
	touching = 0;
	return 0;
}

static int touch(uint64_t addr, uint64_t len, int write)
{
	for (uint64_t off = 0; off < len; off += 4096)
		if (touch_page(at(addr + off), write))
			return EFAULT;
	return 0;
}

static int do_mmap(const struct krun_msg *m)
{
	void *want = at(m->addr);
	int fd = m->file >= 0 ? krun_file_fd[m->file] : -1;
	int flags = (m->map_flags & AV_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE) |
		    (m->map_flags & AV_MAP_NORESERVE ? MAP_NORESERVE : 0) |
		    (m->map_flags & AV_MAP_STACK ? MAP_STACK : 0) |
		    (m->map_flags & AV_MAP_GROWSDOWN ? MAP_GROWSDOWN : 0) |
		    (fd < 0 ? MAP_ANONYMOUS : 0) |
		    MAP_FIXED_NOREPLACE;
	void *got = mmap(want, m->size, native_prot(m->prot), flags, fd,
			 fd < 0 ? 0 : (off_t)m->offset);

	if (got == MAP_FAILED)
		return errno;
	if (got != want) {      /* a kernel without MAP_FIXED_NOREPLACE */
		munmap(got, m->size);
		return EEXIST;
	}
	return 0;
}

static int do_mremap(const struct krun_msg *m)
{
	void *r = m->has_addr2
		? mremap(at(m->addr), m->size, m->size2, MREMAP_MAYMOVE | MREMAP_FIXED, at(m->addr2))
		: mremap(at(m->addr), m->size, m->size2, 0);

	return r == MAP_FAILED ? errno : 0;
}

static int sys(int rc)
{
	return rc ? errno : 0;
}

static int native_advice(int advice)
{
	switch (advice) {
	case AV_MADV_DONTNEED:   return MADV_DONTNEED;
	case AV_MADV_DONTFORK:   return MADV_DONTFORK;
	case AV_MADV_DOFORK:     return MADV_DOFORK;
	case AV_MADV_WIPEONFORK: return MADV_WIPEONFORK;
	default:                 return MADV_KEEPONFORK;
	}
}

/* brk(2) answers with the break it has: the one asked for, or the old. */
static int do_brk(uint64_t size)
{
	uint64_t want = start_brk + size;

	return (uint64_t)syscall(SYS_brk, want) == want ? 0 : ENOMEM;
}

/* ---- threads: raw clone, a static stack each (a worker allocates
 * nothing), one command at a time like every worker ---- */

#define THREAD_STACK (64 * 1024)
static char thread_stack[KRUN_MAX_SLOTS][THREAD_STACK] __attribute__((aligned(16)));

static int thread_main(void *arg)
{
	krun_worker((int)(intptr_t)arg);
}

static int new_thread(int slot, struct krun_reply *r)
{
	int tid = clone(thread_main, thread_stack[slot] + THREAD_STACK,
			CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			CLONE_SYSVSEM, (void *)(intptr_t)slot);

	r->pid = tid;
	return tid < 0 ? errno : 0;
}

/* clone(CLONE_VM) without CLONE_THREAD: a process of its own in the same
 * address space, as vfork makes one, without suspending its parent. */
static int new_vfork(int slot, struct krun_reply *r)
{
	int pid = clone(thread_main, thread_stack[slot] + THREAD_STACK, CLONE_VM | SIGCHLD,
			(void *)(intptr_t)slot);

	r->pid = pid;
	return pid < 0 ? errno : 0;
}

/* exec: this very program again, as a worker.  The lifeline and the
 * worker ends of every slot's socket survive it (a worker's children use
 * later slots): their numbers go on the command line, "-" for none.
 * Returns only on failure. */
/* An fd the new image keeps, as an argument: its number ("-" for none),
 * or NULL if it cannot be kept open across exec. */
static const char *pass_fd(int fd, char num[12])
{
	if (fd < 0)
		return "-";
	if (fcntl(fd, F_SETFD, 0))
		return NULL;
	snprintf(num, 12, "%d", fd);
	return num;
}

/* pass_fd's argument, in the new image: the fd, closed at the next exec. */
static int take_fd(const char *arg)
{
	int fd = strcmp(arg, "-") ? atoi(arg) : -1;

	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static int do_exec(int slot)
{
	static char nums[KRUN_MAX_SLOTS + KRUN_MAX_FILES + 2][12];
	static char *argv[KRUN_MAX_SLOTS + KRUN_MAX_FILES + 6];
	int n = 0, k = 0;

	argv[n++] = krun_exe;           /* which the new image needs in turn */
	argv[n++] = "--worker";
	snprintf(nums[k], sizeof(nums[k]), "%d", slot);
	argv[n++] = nums[k++];
	argv[n++] = (char *)pass_fd(krun_lifeline[0], nums[k++]);
	for (int i = 0; i < KRUN_MAX_SLOTS; i++)
		argv[n++] = (char *)pass_fd(krun_sock[i][1], nums[k++]);
	for (int i = 0; i < KRUN_MAX_FILES; i++)
		argv[n++] = (char *)pass_fd(krun_file_fd[i], nums[k++]);
	for (int i = 0; i < n; i++)
		if (!argv[i])
			return errno;
	argv[n] = NULL;
	execv(krun_exe, argv);
	return errno;
}

void krun_worker_exec_main(int argc, char **argv)
{
	int slot;

	if (argc != 4 + KRUN_MAX_SLOTS + KRUN_MAX_FILES)
		_exit(1);
	slot = atoi(argv[2]);
	if (slot < 0 || slot >= KRUN_MAX_SLOTS)
		_exit(1);
	snprintf(krun_exe, sizeof(krun_exe), "%s", argv[0]);
	krun_lifeline[0] = take_fd(argv[3]);
	for (int i = 0; i < KRUN_MAX_SLOTS; i++) {
		krun_sock[i][0] = -1;
		krun_sock[i][1] = take_fd(argv[4 + i]);
	}
	for (int i = 0; i < KRUN_MAX_FILES; i++)
		krun_file_fd[i] = take_fd(argv[4 + KRUN_MAX_SLOTS + i]);
	krun_worker_setup();
	krun_worker(slot);
}

static int write_msg(int fd, const void *p, size_t n)
{
	return write(fd, p, n) == (ssize_t)n ? 0 : -1;
}

/* Returns the reply's errno; a fork's child never returns from here. */
static int obey(const struct krun_msg *m, struct krun_reply *r)
{
	uint64_t len = m->size ? m->size : 4096;
	pid_t child;

	switch (m->op) {
	case SCN_MMAP:     return do_mmap(m);
	case SCN_MUNMAP:   return sys(munmap(at(m->addr), m->size));
	case SCN_MPROTECT: return sys(mprotect(at(m->addr), m->size, native_prot(m->prot)));
	case SCN_MREMAP:   return do_mremap(m);
	case SCN_DONTNEED: return sys(madvise(at(m->addr), m->size, MADV_DONTNEED));
	case SCN_MADVISE:
		return sys(madvise(at(m->addr), m->size, native_advice(m->advice)));
	case SCN_BRK:      return do_brk(m->size);
	case SCN_READ:     return touch(m->addr, len, 0);
	case SCN_WRITE:    return touch(m->addr, len, 1);
	/* This task only: the last one's exit ends the process. */
	case SCN_EXIT:     syscall(SYS_exit, 0); _exit(1);
	case SCN_THREAD:   return new_thread(m->slot, r);
	case SCN_VFORK:    return new_vfork(m->slot, r);
	case SCN_EXEC:     return do_exec(m->slot);
	case SCN_FORK:
		/* The raw call: a thread may fork, and glibc's fork expects
		 * threads that glibc made. */
		child = (pid_t)syscall(SYS_fork);
		if (child == 0)
			krun_worker(m->slot);
		r->pid = child;
		return child < 0 ? errno : 0;
	default:
		return EINVAL;
	}
}

void krun_worker(int slot)
{
	int fd = krun_sock[slot][1];
	struct krun_reply r = { 0, (pid_t)syscall(SYS_gettid) };

	if (!start_brk)
		r.err = start_own_heap();       /* a new process: proc, or exec */
	struct krun_msg m;

	if (write_msg(fd, &r, sizeof(r)))
		_exit(1);
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = krun_lifeline[0], .events = POLLIN } };
		/* The lifeline's write end closes when the master dies, however
		 * it dies: then no command will come. */
		while (poll(p, 2, -1) < 0 && errno == EINTR)
			;
		if (p[1].revents || read(fd, &m, sizeof(m)) != (ssize_t)sizeof(m))
			_exit(1);
		r.pid = 0;
		r.err = obey(&m, &r);
		if (write_msg(fd, &r, sizeof(r)))
			_exit(1);
	}
}
