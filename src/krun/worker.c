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
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "krun.h"

int krun_sock[KRUN_MAX_SLOTS][2];
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

static void *at(uint64_t addr)
{
	return (void *)(uintptr_t)(KRUN_BASE + addr);
}

static int native_prot(int prot)
{
	return (prot & 1 ? PROT_READ : 0) | (prot & 2 ? PROT_WRITE : 0);
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
	void *got = mmap(want, m->size, native_prot(m->prot),
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

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
	case SCN_READ:     return touch(m->addr, len, 0);
	case SCN_WRITE:    return touch(m->addr, len, 1);
	case SCN_EXIT:     _exit(0);
	case SCN_FORK:
		child = fork();
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
	struct krun_reply r = { 0, getpid() };
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
