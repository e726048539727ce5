/* SPDX-License-Identifier: MIT */
/*
 * record.c - run a program under the kernel's tracing, for `anonvma record`.
 *
 *   anonvma-krun --record OUT EVERY -- CMD [ARGS...]
 *
 * How the pieces fit:
 *  - A tracefs instance of our own records, for the whole machine, the
 *    memory syscalls (enter and exit), clone/fork/vfork and execve entries,
 *    user and kernel page faults on user addresses, task_newtask, the
 *    sched fork/exec/exit events and the kmem events of the anon_vma and
 *    anon_vma_chain caches.  A thread drains trace_pipe into a temporary
 *    file as the program runs, so a long program does not overrun the
 *    buffer; any event lost all the same fails the recording.  recscn.c
 *    keeps the events of CMD's tree (followed through the fork events).
 *  - CMD runs with THP disabled (PR_SET_THP_DISABLE, inherited by its
 *    whole tree) and a seccomp filter that stops, under ptrace, only at an
 *    mmap of a file descriptor: there the tracer notes which file the
 *    descriptor is (a trace event has only its number).
 *  - At every exec the tracer is stopped (PTRACE_EVENT_EXEC) before the new
 *    image runs: it reads the layout exec made (/proc/PID/smaps), the
 *    pages exec already filled (pagemap) and the heap start, so the replay
 *    starts from the same VMAs and pages.
 * Nothing is instrumented in CMD; ptrace stops only at exec, fork and
 * file mmaps.
 *
 * Exit status: 0 written; 1 the recording failed (message); 2 usage;
 * 77 this machine cannot record (not root, no tracefs, no ptrace);
 * 126/127 CMD could not be run / not found; 128+N CMD killed by signal N.
 * OUT is written only when the recording is complete.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <anonvma/anonvma.h>
#include "krun.h"
#include "record.h"

#define REC_FAIL 1

/* The events, as tracefs names them.  A missing syscall event (an old
 * kernel without one) is not an error; the others are. */
static const char *const needed_events[] = {
	"syscalls/sys_enter_mmap", "syscalls/sys_exit_mmap",
	"syscalls/sys_enter_munmap", "syscalls/sys_exit_munmap",
	"syscalls/sys_enter_mprotect", "syscalls/sys_exit_mprotect",
	"syscalls/sys_enter_mremap", "syscalls/sys_exit_mremap",
	"syscalls/sys_enter_madvise", "syscalls/sys_exit_madvise",
	"syscalls/sys_enter_brk", "syscalls/sys_exit_brk",
	"syscalls/sys_enter_execve", "syscalls/sys_exit_execve",
	"syscalls/sys_enter_clone", "syscalls/sys_enter_fork", "syscalls/sys_enter_vfork",
	"exceptions/page_fault_user", "task/task_newtask",
	"sched/sched_process_fork", "sched/sched_process_exec", "sched/sched_process_exit",
};
/* Syscalls that change mappings in ways the scenario language cannot say:
 * a recording that sees one of them succeed fails, naming it. */
static const char *const optional_events[] = {
	"syscalls/sys_enter_execveat", "syscalls/sys_exit_execveat", "syscalls/sys_enter_clone3",
	"syscalls/sys_enter_mlock", "syscalls/sys_exit_mlock",
	"syscalls/sys_enter_mlock2", "syscalls/sys_exit_mlock2",
	"syscalls/sys_enter_mlockall", "syscalls/sys_exit_mlockall",
	"syscalls/sys_enter_pkey_mprotect", "syscalls/sys_exit_pkey_mprotect",
	"syscalls/sys_enter_shmat", "syscalls/sys_exit_shmat",
	"syscalls/sys_enter_shmdt", "syscalls/sys_exit_shmdt",
	"syscalls/sys_enter_remap_file_pages", "syscalls/sys_exit_remap_file_pages",
	"syscalls/sys_enter_process_madvise", "syscalls/sys_exit_process_madvise",
	"syscalls/sys_enter_process_vm_writev", "syscalls/sys_exit_process_vm_writev",
	"syscalls/sys_enter_mseal", "syscalls/sys_exit_mseal",
	"syscalls/sys_enter_userfaultfd", "syscalls/sys_exit_userfaultfd",
};

/* ---- the trace, drained as the program runs ---- */

struct drain {
	int pipe_fd, out_fd;
	volatile int stop;      /* set by the tracer once tracing is off */
	int late;               /* read only after the program (tests) */
	int err;                /* errno of a failed read or write */
	pthread_t thread;
};

static void *drain_main(void *arg)
{
	static char buf[1 << 16];
	struct drain *d = arg;
	struct pollfd p = { .fd = d->pipe_fd, .events = POLLIN };

	for (;;) {
		ssize_t n = read(d->pipe_fd, buf, sizeof(buf));
		if (n > 0) {
			for (ssize_t done = 0, w; done < n; done += w)
				if ((w = write(d->out_fd, buf + done, (size_t)(n - done))) < 0) {
					d->err = errno;
					return NULL;
				}
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			d->err = errno;
			return NULL;
		}
		if (d->stop)
			return NULL;    /* empty, and nothing more will come */
		if (d->late) {
			while (!d->stop)
				poll(NULL, 0, 20);
			continue;
		}
		poll(&p, 1, 50);
	}
}

/* ---- ptrace's findings ---- */

/* At the seccomp stop of mmap(addr, len, prot, flags, fd, off): which
 * file fd is, from /proc/TID/fd/FD (the path and the inode behind it). */
static int note_file_mmap(struct recording *r, pid_t tid)
{
	struct user_regs_struct regs;
	struct rec_fmap m = { .tid = tid, .kind = REC_MAP_BADFD, .file = -1 };
	char link[64], path[4096];
	struct stat st;
	ssize_t n;

	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs))
		return 0;       /* gone (killed): its mmap never ran */
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, (int)regs.r8);
	if (stat(link, &st) == 0 && (n = readlink(link, path, sizeof(path) - 1)) > 0) {
		path[n] = '\0';
		if (S_ISCHR(st.st_mode))
			m.kind = st.st_rdev == (dev_t)makedev(1, 5) ? REC_MAP_ZERO : REC_MAP_DEVICE;
		else if ((m.file = rec_file_index(r, path, st.st_ino)) < 0)
			return -1;
		else
			m.kind = REC_MAP_FILE;
	}
	if (rec_grow((void **)&r->fmaps, &r->fmaps_cap, r->nfmaps + 1, sizeof(m)))
		return -1;
	r->fmaps[r->nfmaps++] = m;
	return 0;
}

/* "55d0c-55d0f000 r-xp 00001000 08:01 1234   /usr/bin/x" */
static int parse_vma_line(struct recording *r, const char *line, struct rec_vma *v)
{
	char perms[8];
	unsigned long long start, end, off, ino;
	int pos = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %*x:%*x %llu %n", &start, &end, perms, &off, &ino,
		   &pos) < 5)
		return 1;
	const char *name = line + pos;
	size_t len = strcspn(name, "\n");
	memset(v, 0, sizeof(*v));
	v->start = start;
	v->end = end;
	v->offset = off;
	v->prot = (perms[0] == 'r' ? AV_PROT_READ : 0) | (perms[1] == 'w' ? AV_PROT_WRITE : 0) |
		  (perms[2] == 'x' ? AV_PROT_EXEC : 0);
	if (perms[2] == 'x' && !(v->prot & AV_PROT_WRITE))
		v->prot |= AV_PROT_READ;     /* x86: executable is readable */
	v->shared = perms[3] == 's';
	v->file = -1;
	if (name[0] == '/' && ino) {
		char path[4096];
		snprintf(path, sizeof(path), "%.*s", (int)len, name);
		if ((v->file = rec_file_index(r, path, ino)) < 0)
			return -1;
	} else if (name[0] == '[' && strncmp(name, "[heap]", 6) && strncmp(name, "[stack]", 7)) {
		v->special = 1;         /* [vdso], [vvar]...: never anonymous memory */
	}
	return 0;
}

/* The layout exec gave pid, and the pages it filled. */
static int note_exec(struct recording *r, pid_t pid, char *err, size_t errlen)
{
	static char smaps[1 << 20];
	struct rec_snap s = { .pid = pid };
	char path[64];
	struct rec_vma v;
	int fd, rc = -1, kept = 0;    /* whether the last VMA line was kept */
	size_t vcap = 0, pcap = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if (krun_read_file(path, smaps, sizeof(smaps)) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	s.start_brk = krun_start_brk(pid);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	if ((fd = open(path, O_RDONLY)) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	for (char *line = smaps, *next; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (strncmp(line, "VmFlags:", 8) == 0 && kept) {
			s.vma[s.nvma - 1].growsdown = strstr(line, " gd") != NULL;
			continue;
		}
		int k = parse_vma_line(r, line, &v);
		if (k < 0)
			goto nomem;
		if (k)
			continue;       /* a field line */
		if (!(kept = v.end <= AV_TASK_SIZE))
			continue;       /* [vsyscall] */
		if (rec_grow((void **)&s.vma, &vcap, s.nvma + 1, sizeof(v)))
			goto nomem;
		s.vma[s.nvma++] = v;
		if (v.special)
			continue;
		for (uint64_t a = v.start; a < v.end; a += 4096) {
			uint64_t e;
			if (pread(fd, &e, 8, (off_t)(a / 4096 * 8)) != 8 || !(e >> 63))
				continue;
			if (rec_grow((void **)&s.page, &pcap, s.npage + 1, sizeof(*s.page)))
				goto nomem;
			s.page[s.npage++] = a | ((e >> 61) & 1 ? REC_PAGE_FILE : 0);
		}
	}
	if (rec_grow((void **)&r->snaps, &r->snaps_cap, r->nsnaps + 1, sizeof(s)))
		goto nomem;
	r->snaps[r->nsnaps++] = s;
	close(fd);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory noting an exec's layout");
	free(s.vma);
	free(s.page);
	close(fd);
	return rc;
}

/* ---- the program ---- */

/* In the child, before exec: stop at every mmap of a descriptor. */
static int install_filter(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -1 : 0;
}

static void child_main(char **argv, int go_fd, int err_fd) __attribute__((noreturn));
static void child_main(char **argv, int go_fd, int err_fd)
{
	char c;
	int e;

	if (read(go_fd, &c, 1) != 1)
		_exit(REC_FAIL);        /* the recorder gave up */
	close(go_fd);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) || install_filter()) {
		e = -errno;
		(void)!write(err_fd, &e, sizeof(e));
		_exit(REC_FAIL);
	}
	execvp(argv[0], argv);
	e = errno;
	(void)!write(err_fd, &e, sizeof(e));
	_exit(e == ENOENT ? 127 : 126);
}

static volatile sig_atomic_t interrupted;
static void on_signal(int sig)
{
	interrupted = sig;
}

struct tracer {
	struct recording *r;
	pid_t root;
	int root_status;        /* wait status of the root's end */
	int root_done;
	size_t tracees;         /* live tracees */
	pid_t *seen;            /* every task that stopped, to kill on a failure */
	size_t nseen, seen_cap;
	char *err;
	size_t errlen;
};

/* One ptrace stop of tid. */
static int on_stop(struct tracer *t, pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;

	switch (event) {
	case PTRACE_EVENT_EXEC:
		if (note_exec(t->r, tid, t->err, t->errlen))
			return -1;
		sig = 0;
		break;
	case PTRACE_EVENT_SECCOMP:
		if (note_file_mmap(t->r, tid)) {
			snprintf(t->err, t->errlen, "out of memory noting a file mmap");
			return -1;
		}
		sig = 0;
		break;
	case PTRACE_EVENT_FORK: case PTRACE_EVENT_VFORK: case PTRACE_EVENT_CLONE:
		t->tracees++;           /* the new task arrives with its own stop */
		sig = 0;
		break;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			ptrace(PTRACE_LISTEN, tid, NULL, NULL);     /* a group-stop */
			return 0;
		}
		sig = 0;                /* a new task's first stop */
		break;
	case 0:
		break;                  /* a signal to deliver */
	default:
		sig = 0;
		break;
	}
	ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
	return 0;
}

/* On a failure or an interruption: the whole tree goes (they are all
 * tracees; the ones that never stopped yet die of PTRACE_O_EXITKILL). */
static void kill_tree(struct tracer *t)
{
	kill(t->root, SIGKILL);
	for (size_t i = 0; i < t->nseen; i++)
		kill(t->seen[i], SIGKILL);
}

static void note_tracee(struct tracer *t, pid_t tid)
{
	for (size_t i = t->nseen; i-- > 0;)
		if (t->seen[i] == tid)
			return;
	if (!rec_grow((void **)&t->seen, &t->seen_cap, t->nseen + 1, sizeof(pid_t)))
		t->seen[t->nseen++] = tid;
}

static int trace_program(struct tracer *t)
{
	while (t->tracees > 0) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR) {
				if (interrupted) {
					kill_tree(t);
					snprintf(t->err, t->errlen, "interrupted (signal %d); nothing "
						 "written", (int)interrupted);
					return -1;
				}
				continue;
			}
			if (errno == ECHILD)
				break;
			snprintf(t->err, t->errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			t->tracees--;
			if (tid == t->root) {
				t->root_status = status;
				t->root_done = 1;
			}
			continue;
		}
		if (WIFSTOPPED(status)) {
			note_tracee(t, tid);
			if (on_stop(t, tid, status)) {
				kill_tree(t);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- set-up and the whole run ---- */

static int start_tracing(char *err, size_t errlen)
{
	int rc = trace_instance_open("record", err, errlen);

	if (rc)
		return rc;
	/* ANONVMA_RECORD_TEST_OVERRUN (the tests): a 4 KiB buffer per CPU, read
	 * only once the program has ended, so that events are lost. */
	if (trace_set("buffer_size_kb", getenv("ANONVMA_RECORD_TEST_OVERRUN") ? "4" : "32768") ||
	    trace_set("tracing_on", "0") ||
	    trace_set("options/overwrite", "0") || trace_set("trace_clock", "mono"))
		goto fail;
	for (size_t i = 0; i < sizeof(needed_events) / sizeof(needed_events[0]); i++)
		if (trace_enable(needed_events[i], NULL)) {
			snprintf(err, errlen, "cannot enable the event %s: %s", needed_events[i],
				 strerror(errno));
			trace_cleanup();
			return KRUN_SKIP;
		}
	for (size_t i = 0; i < sizeof(optional_events) / sizeof(optional_events[0]); i++)
		(void)trace_enable(optional_events[i], NULL);
	if (trace_enable("exceptions/page_fault_kernel", "address < 0x800000000000") ||
	    trace_enable("kmem/kmem_cache_alloc", trace_kmem_filter) ||
	    trace_enable("kmem/kmem_cache_free", trace_kmem_filter))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot set up tracing in %s: %s", trace_instance_path(),
		 strerror(errno));
	trace_cleanup();
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs argv under tracing; fills r (r->trace rewound).  Returns 0, or an
 * exit status with a message in err. */
static int record_run(struct recording *r, char **argv, double *seconds, char *err, size_t errlen)
{
	struct tracer t = { .r = r, .err = err, .errlen = errlen };
	struct drain d = { .pipe_fd = -1, .out_fd = -1,
			   .late = getenv("ANONVMA_RECORD_TEST_OVERRUN") != NULL };
	int go[2] = { -1, -1 }, ef[2] = { -1, -1 }, rc, e = 0, thread_up = 0;
	char path[300];
	long lost;
	double t0;

	if ((rc = start_tracing(err, errlen)))
		return rc == KRUN_SKIP ? KRUN_SKIP : REC_FAIL;
	if (!(r->trace = tmpfile()) || pipe2(go, O_CLOEXEC) || pipe2(ef, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot set up: %s", strerror(errno));
		rc = REC_FAIL;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", trace_instance_path());
	d.out_fd = fileno(r->trace);
	if ((d.pipe_fd = open(path, O_RDONLY | O_NONBLOCK)) < 0 ||
	    pthread_create(&d.thread, NULL, drain_main, &d)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		rc = REC_FAIL;
		goto out;
	}
	thread_up = 1;
	fflush(NULL);
	if ((t.root = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		rc = REC_FAIL;
		goto out;
	}
	if (t.root == 0) {
		close(go[1]);
		close(ef[0]);
		child_main(argv, go[0], ef[1]);
	}
	close(go[0]);
	close(ef[1]);
	go[0] = ef[1] = -1;
	r->root = t.root;
	t.tracees = 1;
	if (ptrace(PTRACE_SEIZE, t.root, NULL,
		   (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
				  PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL))) {
		snprintf(err, errlen, "ptrace: %s", strerror(errno));
		kill(t.root, SIGKILL);
		waitpid(t.root, NULL, 0);
		rc = errno == EPERM ? KRUN_SKIP : REC_FAIL;
		goto out;
	}
	if (trace_set("tracing_on", "1")) {
		snprintf(err, errlen, "cannot start tracing: %s", strerror(errno));
		kill(t.root, SIGKILL);
		rc = REC_FAIL;
	} else {
		t0 = now();
		(void)!write(go[1], "g", 1);
		rc = trace_program(&t) ? interrupted ? 128 + interrupted : REC_FAIL : 0;
		*seconds = now() - t0;
	}
	close(go[1]);
	go[1] = -1;
	trace_set("tracing_on", "0");
	while (waitpid(-1, NULL, __WALL) > 0)
		;
	if (rc)
		goto out;
	if (read(ef[0], &e, sizeof(e)) == sizeof(e)) {
		if (e < 0) {
			snprintf(err, errlen, "cannot set up %s: %s", argv[0], strerror(-e));
			rc = REC_FAIL;
		} else {
			snprintf(err, errlen, "%s: %s", argv[0], strerror(e));
			rc = e == ENOENT ? 127 : 126;
		}
		goto out;
	}
	if (WIFSIGNALED(t.root_status)) {
		snprintf(err, errlen, "%s was killed by signal %d (%s); nothing written", argv[0],
			 WTERMSIG(t.root_status), strsignal(WTERMSIG(t.root_status)));
		rc = 128 + WTERMSIG(t.root_status);
		goto out;
	}
	r->exit_status = WEXITSTATUS(t.root_status);
	if ((lost = trace_lost_events()) > 0) {
		snprintf(err, errlen, "the trace lost %ld events (the buffer was full); nothing "
			 "written", lost);
		rc = REC_FAIL;
	}
out:
	if (thread_up) {
		d.stop = 1;
		pthread_join(d.thread, NULL);
		if (!rc && d.err) {
			snprintf(err, errlen, "reading the trace: %s", strerror(d.err));
			rc = REC_FAIL;
		}
	}
	if (d.pipe_fd >= 0)
		close(d.pipe_fd);
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (ef[i] >= 0)
			close(ef[i]);
	}
	free(t.seen);
	if (!rc && (fflush(r->trace) || fseek(r->trace, 0, SEEK_SET))) {
		snprintf(err, errlen, "the trace file: %s", strerror(errno));
		rc = REC_FAIL;
	}
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: anonvma-krun --record OUT EVERY -- CMD [ARGS...]\n");
	return 2;
}

int krun_record_main(int argc, char **argv)
{
	struct recording r = { 0 };
	struct rec_summary sum = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[5000], tmp[4200];
	double seconds = 0;
	unsigned long every;
	char *end;
	FILE *out;
	int rc;

	if (argc < 6 || strcmp(argv[4], "--"))
		return usage();
	every = strtoul(argv[3], &end, 10);
	if (*end || !*argv[3])
		return usage();
	if (geteuid() != 0) {
		fprintf(stderr, "anonvma record: recording needs root (tracefs, ptrace and the "
			"frame numbers in pagemap)\n");
		return KRUN_SKIP;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((rc = pagemap_zero_page_probe(&r.zero_page, err, sizeof(err))) ||
	    (rc = pagemap_fault_around_probe(&r.fault_around, err, sizeof(err)))) {
		fprintf(stderr, "anonvma record: %s\n", err);
		return rc == KRUN_SKIP ? KRUN_SKIP : REC_FAIL;
	}
	rc = record_run(&r, argv + 5, &seconds, err, sizeof(err));
	trace_cleanup();
	if (rc) {
		fprintf(stderr, "anonvma record: %s\n", err);
		rec_free(&r);
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.partial", argv[2]);
	if (!(out = fopen(tmp, "w"))) {
		fprintf(stderr, "anonvma record: %s: %s\n", tmp, strerror(errno));
		rec_free(&r);
		return REC_FAIL;
	}
	sum.seconds = seconds;
	rc = rec_translate(&r, (const char *const *)argv + 5, (unsigned)every, out, &sum, err,
			   sizeof(err));
	if (fclose(out) && !rc) {
		snprintf(err, sizeof(err), "%s: %s", tmp, strerror(errno));
		rc = -1;
	}
	rec_free(&r);
	if (rc || rename(tmp, argv[2])) {
		if (!rc)
			snprintf(err, sizeof(err), "%s: %s", argv[2], strerror(errno));
		fprintf(stderr, "anonvma record: %s; nothing written\n", err);
		unlink(tmp);
		return REC_FAIL;
	}
	return 0;
}
