/* SPDX-License-Identifier: MIT */
/*
 * krun.c - anonvma-krun: run a scenario on the live kernel (see krun.h).
 *
 *   anonvma-krun FILE       measure one scenario
 *   anonvma-krun --serve    measure each scenario sent on stdin (krun.h)
 *
 * Each measurement is two runs of the scenario.  The baseline run does only
 * its proc, fork, exit and stats lines: what the workers' own stack, data
 * and heap cost in anon_vmas and AVCs.  The real run does everything, and
 * its objects minus the baseline's are the scenario's.
 *
 * That subtraction is exact only if the master's own mappings are the same
 * in both runs, since every worker inherits them.  So before each run the
 * master writes to every private writable mapping it has (each then has its
 * anon_vma before any fork), and checks that its list of mappings is the one
 * the baseline ran with; malloc is told never to mmap and never to trim, so
 * it can only grow the heap, which is one VMA whatever its size.  During a
 * run the master allocates nothing until the last worker has exited.
 *
 * The runner pins itself, and so its workers, to one CPU: whether a write
 * reuses a page once shared depends on the page's reference count, and a
 * page still in another CPU's LRU batch has one reference too many
 * (wp_can_reuse_anon_folio drains only the local CPU's batch).  On one CPU
 * that drain is complete, and the kernel's choice is the same every run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <anonvma/anonvma.h>
#include "krun.h"
#include "record.h"
#include "../scn/errname.h"

struct master {
	const struct scenario *s;
	int baseline;               /* this run does only proc, fork, exit, stats */
	int *name_slot;             /* by name index: live slot or -1 */
	pid_t slot_pid[KRUN_MAX_SLOTS];   /* the task's id (a thread's own) */
	pid_t slot_born[KRUN_MAX_SLOTS];  /* its id when it began: what tracing
					   * saw it allocate with (a thread
					   * that execs takes its leader's) */
	pid_t slot_tgid[KRUN_MAX_SLOTS];  /* its process's */
	int slot_mm[KRUN_MAX_SLOTS];      /* its address space: threads and vfork
					   * children share their maker's */
	int next_mm;
	int next_slot, nslots;
	uint64_t *pages;            /* scenario pages, sorted */
	size_t npages;
	struct krun_objects *objs[2];  /* per checkpoint: baseline, real run */
	size_t npts;
	struct krun_proc procs[KRUN_MAX_SLOTS];
	char err[512];
};

static char stdout_buf[1 << 16];
static int fault_around;        /* pages, probed at start-up */

/* ---- start-up ---- */

/* Whether [addr, addr + size) lies in the scenario window or the heap's
 * (worker.c maps the one to KRUN_BASE, the other to the heap's start). */
static int in_window(uint64_t addr, uint64_t size)
{
	if (addr < KRUN_SPAN)
		return size <= KRUN_SPAN - addr;
	return addr >= AV_HEAP_START && addr - AV_HEAP_START < KRUN_HEAP_SPAN &&
	       size <= KRUN_HEAP_SPAN - (addr - AV_HEAP_START);
}

/* Commands the kernel side cannot do, and addresses outside its windows. */
static int check_scenario(struct master *m)
{
	for (size_t i = 0; i < m->s->n; i++) {
		const struct scn_cmd *c = &m->s->cmds[i];
		if (c->op == SCN_RECLAIM || c->op == SCN_MIGRATE) {
			snprintf(m->err, sizeof(m->err), "%s:%d: %s has no kernel equivalent",
				 m->s->file, c->line, scn_op_name(c->op));
			return -1;
		}
		if (c->op == SCN_BRK ? c->size >= KRUN_HEAP_SPAN :
		    !in_window(c->addr, c->size) ||
		    !in_window(c->has_addr2 ? c->addr2 : c->addr, c->size2)) {
			snprintf(m->err, sizeof(m->err),
				 "%s:%d: kcheck needs addresses and sizes below %#llx "
				 "(heaps below %#llx)", m->s->file, c->line, KRUN_SPAN, KRUN_HEAP_SPAN);
			return -1;
		}
		if ((c->op == SCN_PROC || c->op == SCN_FORK || c->op == SCN_THREAD ||
		     c->op == SCN_VFORK) &&
		    ++m->nslots > KRUN_MAX_SLOTS) {
			snprintf(m->err, sizeof(m->err), "%s:%d: more than %d processes",
				 m->s->file, c->line, KRUN_MAX_SLOTS);
			return -1;
		}
		m->npts += c->op == SCN_STATS;
	}
	if (m->s->nfiles > KRUN_MAX_FILES) {
		snprintf(m->err, sizeof(m->err), "%s: more than %d files", m->s->file, KRUN_MAX_FILES);
		return -1;
	}
	return 0;
}

/* ---- talking to workers ---- */

/* The reply of the worker in slot, process pid: an error if the process
 * dies first (another process may hold the socket's other end, so its
 * death alone would never end the read). */
static int recv_reply_on(struct master *m, int slot, pid_t pid, int pidfd,
			 struct krun_reply *r)
{
	struct pollfd p[2] = { { .fd = krun_sock[slot][0], .events = POLLIN },
			       { .fd = pidfd, .events = POLLIN } };
	ssize_t n = -1;

	if (pidfd < 0) {
		snprintf(m->err, sizeof(m->err), "worker %d (pid %d) is gone", slot, (int)pid);
		return -1;
	}
	while (poll(p, 2, -1) < 0 && errno == EINTR)
		;
	if (p[0].revents & POLLIN)
		n = read(krun_sock[slot][0], r, sizeof(*r));
	close(pidfd);
	if (n == (ssize_t)sizeof(*r))
		return 0;
	snprintf(m->err, sizeof(m->err), "worker %d (pid %d) died without answering", slot,
		 (int)pid);
	return -1;
}

static int recv_reply(struct master *m, int slot, pid_t pid, struct krun_reply *r)
{
	return recv_reply_on(m, slot, pid, krun_pidfd(pid), r);
}

static int send_msg(struct master *m, int slot, const struct krun_msg *msg)
{
	if (write(krun_sock[slot][0], msg, sizeof(*msg)) == (ssize_t)sizeof(*msg))
		return 0;
	snprintf(m->err, sizeof(m->err), "cannot reach worker %d", slot);
	return -1;
}

static int start_proc(struct master *m, const struct scn_cmd *c)
{
	int slot = m->next_slot++;
	struct krun_reply r;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(m->err, sizeof(m->err), "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		krun_worker_setup();
		krun_worker(slot);
	}
	if (recv_reply(m, slot, pid, &r))
		return -1;
	if (r.err) {
		snprintf(m->err, sizeof(m->err), "worker %d cannot start a heap of its own: %s",
			 slot, strerror(r.err));
		return -1;
	}
	m->slot_pid[slot] = m->slot_born[slot] = m->slot_tgid[slot] = r.pid;
	m->slot_mm[slot] = ++m->next_mm;
	m->name_slot[c->proc] = slot;
	return 0;
}

static void report_error(const struct master *m, const struct scn_cmd *c, int err)
{
	if (!m->baseline)
		printf("error %d %s %s\n", c->line, scn_op_name(c->op), errno_name(err));
}

/* fork, thread and vfork: the task asked makes the new one. */
static int fork_proc(struct master *m, const struct scn_cmd *c)
{
	int parent = m->name_slot[c->proc], slot = m->next_slot++;
	struct krun_msg msg = { .op = c->op, .slot = slot };
	struct krun_reply r, hello;

	if (send_msg(m, parent, &msg) || recv_reply(m, parent, m->slot_pid[parent], &r))
		return -1;
	if (r.err) {
		report_error(m, c, r.err);
		return 0;
	}
	if (recv_reply(m, slot, r.pid, &hello))
		return -1;
	m->slot_pid[slot] = m->slot_born[slot] = hello.pid;
	m->slot_tgid[slot] = c->op == SCN_THREAD ? m->slot_tgid[parent] : hello.pid;
	m->slot_mm[slot] = c->op == SCN_FORK ? ++m->next_mm : m->slot_mm[parent];
	m->name_slot[c->proc2] = slot;
	return 0;
}

/* exec: the worker runs this program again, which answers as a new
 * worker would; the process's other tasks are gone.  Waits on the
 * process (a thread that execs takes its leader's pid meanwhile). */
static int exec_proc(struct master *m, const struct scn_cmd *c)
{
	int slot = m->name_slot[c->proc];
	pid_t tgid = m->slot_tgid[slot];
	struct krun_msg msg = { .op = SCN_EXEC, .slot = slot };
	struct krun_reply r;

	if (send_msg(m, slot, &msg) ||
	    recv_reply_on(m, slot, tgid, (int)syscall(SYS_pidfd_open, tgid, 0), &r))
		return -1;
	if (r.err) {
		report_error(m, c, r.err);
		return 0;
	}
	m->slot_pid[slot] = r.pid;
	m->slot_mm[slot] = ++m->next_mm;
	for (size_t i = 0; i < m->s->nnames; i++)
		if ((int)i != c->proc && m->name_slot[i] >= 0 && m->slot_tgid[m->name_slot[i]] == tgid)
			m->name_slot[i] = -1;
	return 0;
}

/* Wait until the process is gone, its mm torn down: a pidfd becomes
 * readable only after exit_mm() has run. */
/* Whether a live name other than proc is a task of process tgid. */
static int has_other_tasks(const struct master *m, int proc, pid_t tgid)
{
	for (size_t i = 0; i < m->s->nnames; i++)
		if ((int)i != proc && m->name_slot[i] >= 0 && m->slot_tgid[m->name_slot[i]] == tgid)
			return 1;
	return 0;
}

/* A process's first task that exits before its threads stays a zombie
 * until they have gone, and no pidfd tells of it: read its state. */
static int wait_zombie(pid_t tgid, pid_t tid)
{
	static char stat[1024];
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)tgid, (int)tid);
	for (int tries = 0; tries < 50000; tries++) {
		const char *p;
		if (krun_read_file(path, stat, sizeof(stat)) < 0)
			return 0;               /* gone altogether */
		if ((p = strrchr(stat, ')')) && (p[2] == 'Z' || p[2] == 'X'))
			return 0;
		usleep(200);
	}
	return -1;
}

/* Wait until the task is gone; for a process's last task, until its mm is
 * torn down: a pidfd becomes readable only after exit_mm() has run. */
static int exit_proc(struct master *m, const struct scn_cmd *c)
{
	int slot = m->name_slot[c->proc];
	pid_t pid = m->slot_pid[slot], tgid = m->slot_tgid[slot];
	struct krun_msg msg = { .op = SCN_EXIT };
	int leader_first = pid == tgid && has_other_tasks(m, c->proc, tgid);
	int pidfd = krun_pidfd(pid);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int rc = 0;

	if (pidfd < 0) {
		snprintf(m->err, sizeof(m->err), "pidfd_open: %s", strerror(errno));
		return -1;
	}
	if (send_msg(m, slot, &msg))
		rc = -1;
	else if (leader_first ? wait_zombie(tgid, pid) : poll(&pfd, 1, 10000) != 1) {
		snprintf(m->err, sizeof(m->err), "task %d did not exit", (int)pid);
		rc = -1;
	}
	close(pidfd);
	m->name_slot[c->proc] = -1;
	return rc;
}

static int plain_op(struct master *m, const struct scn_cmd *c)
{
	struct krun_msg msg = { .op = c->op, .prot = c->prot, .advice = c->advice,
				.map_flags = c->map_flags, .file = c->file, .offset = c->offset,
				.addr = c->addr, .size = c->size, .size2 = c->size2,
				.addr2 = c->addr2, .has_addr2 = c->has_addr2 };
	int slot = m->name_slot[c->proc];
	uint64_t len = c->size ? c->size : 4096;
	pid_t pid = m->slot_pid[slot];
	struct krun_reply r;

	if (c->op == SCN_WRITE && pagemap_write_begin(pid, c->addr, len))
		goto pagemap;
	if (send_msg(m, slot, &msg) || recv_reply(m, slot, pid, &r))
		return -1;
	if (c->op == SCN_WRITE && pagemap_write_end(pid, c->addr, len))
		goto pagemap;
	if (r.err)
		report_error(m, c, r.err);
	return 0;
pagemap:
	snprintf(m->err, sizeof(m->err), "cannot read /proc/%d/pagemap: %s", (int)pid,
		 strerror(errno));
	return -1;
}

/* Live processes in name order, the order the model reports them in:
 * each by the first of its live tasks' names. */
static int checkpoint(struct master *m, const struct scn_cmd *c)
{
	size_t n = 0;

	trace_mark("anonvma ckpt %d\n", c->line);
	if (m->baseline)
		return 0;
	for (size_t i = 0; i < m->s->nnames; i++) {
		int slot = m->name_slot[i];
		size_t k;

		if (slot < 0)
			continue;
		for (k = 0; k < n && m->procs[k].mm != m->slot_mm[slot]; k++)
			;
		if (k == n)
			m->procs[n++] = (struct krun_proc){ m->s->names[i], m->slot_pid[slot],
							    m->slot_mm[slot] };
	}
	return pagemap_report(c->line, m->procs, n, m->pages, m->npages, m->err, sizeof(m->err));
}

static int step(struct master *m, const struct scn_cmd *c)
{
	switch (c->op) {
	case SCN_PROC:  return start_proc(m, c);
	case SCN_FORK: case SCN_THREAD: case SCN_VFORK:
		return fork_proc(m, c);
	case SCN_EXEC:  return exec_proc(m, c);
	case SCN_EXIT:  return exit_proc(m, c);
	case SCN_STATS: return checkpoint(m, c);
	case SCN_MMAP: case SCN_MUNMAP: case SCN_MPROTECT: case SCN_MREMAP:
	case SCN_READ: case SCN_WRITE: case SCN_DONTNEED: case SCN_MADVISE: case SCN_BRK:
		return m->baseline ? 0 : plain_op(m, c);
	default:        /* model-only views and checks */
		return 0;
	}
}

static int run_commands(struct master *m)
{
	int rc = 0;

	for (size_t i = 0; i < m->s->nnames; i++)
		m->name_slot[i] = -1;
	m->next_slot = 0;
	pagemap_reset();
	trace_mark("anonvma begin\n");
	for (size_t i = 0; i < m->s->n && !rc; i++)
		rc = step(m, &m->s->cmds[i]);
	for (size_t i = 0; i < m->s->nnames; i++)
		if (m->name_slot[i] >= 0) {
			struct scn_cmd c = { .op = SCN_EXIT, .proc = (int)i };
			if (exit_proc(m, &c))
				rc = -1;
		}
	trace_mark("anonvma end\n");
	return rc;
}

/* ---- one measurement ---- */

static int make_sockets(struct master *m)
{
	for (int i = 0; i < m->nslots; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, krun_sock[i])) {
			snprintf(m->err, sizeof(m->err), "socketpair: %s", strerror(errno));
			return -1;
		}
	return 0;
}

static void close_sockets(struct master *m)
{
	for (int i = 0; i < m->nslots; i++)
		for (int e = 0; e < 2; e++)
			if (krun_sock[i][e] >= 0) {
				close(krun_sock[i][e]);
				krun_sock[i][e] = -1;
			}
}

/* Write to one byte of every private writable mapping of the master, so
 * that each has its anon_vma before any fork; return a hash of the
 * permissions of all its mappings, in address order: what its workers
 * inherit, as far as anon_vmas go (the stack and the heap may change size,
 * never number).  0 if /proc/self/maps cannot be read. */
static unsigned long long prepare_own_mappings(void)
{
	static char maps[1 << 16];
	unsigned long long h = 1469598103934665603ULL;

	if (krun_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return 0;
	for (char *l = maps; *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char *end;
		uint64_t start = strtoull(l, &end, 16);
		const char *perms = strchr(end, ' ');
		if (!perms)
			break;
		if (strncmp(perms + 1, "rw-p", 4) == 0) {
			volatile char *p = (volatile char *)(uintptr_t)start;
			*p = *p;
		}
		for (int i = 0; i < 5; i++)
			h = (h ^ (unsigned char)perms[i]) * 1099511628211ULL;
		if (!strchr(l, '\n'))
			break;
	}
	return h;
}

/* One run: baseline or real.  Objects at each checkpoint into out. */
/* Each run's files are new, so their page caches start empty as the
 * model's do: unnamed tmpfs files (tmpfs reads nothing ahead), each as
 * big as its furthest mapping reaches. */
static int make_files(struct master *m)
{
	for (size_t i = 0; i < m->s->nfiles; i++) {
		int fd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)m->s->file_size[i])) {
			snprintf(m->err, sizeof(m->err), "a file in /dev/shm: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		krun_file_fd[i] = fd;
	}
	return 0;
}

static void close_files(void)
{
	for (int i = 0; i < KRUN_MAX_FILES; i++)
		if (krun_file_fd[i] >= 0) {
			close(krun_file_fd[i]);
			krun_file_fd[i] = -1;
		}
}

static int run_once(struct master *m, struct krun_objects *out, unsigned long long *layout)
{
	unsigned long long now;
	int rc;

	if (make_files(m)) {
		close_files();
		return -1;
	}
	if (make_sockets(m)) {
		close_files();
		return -1;
	}
	now = prepare_own_mappings();
	if (!now || (*layout && now != *layout)) {
		snprintf(m->err, sizeof(m->err), "the runner's own mappings changed between the "
			 "baseline and the run: the subtraction would be wrong");
		close_sockets(m);
		close_files();
		return -1;
	}
	*layout = now;
	rc = trace_clear(m->err, sizeof(m->err));
	if (!rc)
		rc = run_commands(m);
	close_sockets(m);
	close_files();
	if (!rc)
		rc = trace_count(m->slot_born, (size_t)m->next_slot, out, m->npts,
				 m->err, sizeof(m->err));
	return rc;
}

static void master_free(struct master *m)
{
	free(m->name_slot);
	free(m->pages);
	free(m->objs[0]);
	free(m->objs[1]);
}

/* Measure the scenario in text: the report on stdout up to, not including,
 * its last line.  0, 1 a failure, 2 a scenario the kernel side cannot run;
 * the message in m->err. */
static int measure(struct master *m, const char *name, const char *text, int zero_page)
{
	struct scenario s;
	unsigned long long layout = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if (scn_parse_string(&s, name, text, m->err, sizeof(m->err)))
		return 2;
	m->s = &s;
	rc = 2;
	if (check_scenario(m))
		goto out;
	if (scn_pages(&s, KRUN_MAX_PAGES, &m->pages, &m->npages)) {
		snprintf(m->err, sizeof(m->err), "%s: more than %u scenario pages", name,
			 KRUN_MAX_PAGES);
		goto out;
	}
	m->name_slot = malloc((s.nnames + 1) * sizeof(*m->name_slot));
	m->objs[0] = calloc(m->npts + 1, sizeof(*m->objs[0]));
	m->objs[1] = calloc(m->npts + 1, sizeof(*m->objs[1]));
	rc = 1;
	if (!m->name_slot || !m->objs[0] || !m->objs[1]) {
		snprintf(m->err, sizeof(m->err), "out of memory");
		goto out;
	}
	printf("krun 1\nzero_page %d\nfault_around %d\n", zero_page, fault_around);
	for (m->baseline = 1; m->baseline >= 0; m->baseline--)
		if (run_once(m, m->objs[!m->baseline], &layout))
			goto out;
	for (size_t i = 0; i < m->npts; i++)
		printf("objects %d anon_vma %ld avc %ld\n", m->objs[1][i].line,
		       m->objs[1][i].anon_vma - m->objs[0][i].anon_vma,
		       m->objs[1][i].avc - m->objs[0][i].avc);
	rc = 0;
out:
	master_free(m);
	scn_free(&s);
	return rc;
}

/* ---- main ---- */

static void on_signal(int sig)
{
	trace_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One CPU for the runner and every worker (see the top of this file). */
static void pin_to_one_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set)) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
			return;
		}
}

/* Everything before the first measurement; 0, -1, or KRUN_SKIP. */
static int start(int *zero_page, char *err, size_t errlen)
{
	int rc;

	for (int i = 0; i < KRUN_MAX_SLOTS; i++)
		krun_sock[i][0] = krun_sock[i][1] = -1;
	for (int i = 0; i < KRUN_MAX_FILES; i++)
		krun_file_fd[i] = -1;
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	if (readlink("/proc/self/exe", krun_exe, sizeof(krun_exe) - 1) <= 0) {
		snprintf(err, errlen, "cannot find this program: %s", strerror(errno));
		return -1;
	}
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	pin_to_one_cpu();
	if (pipe(krun_lifeline)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	signal(SIGCHLD, SIG_IGN);
	if ((rc = pagemap_zero_page_probe(zero_page, err, errlen)))
		return rc;
	if ((rc = pagemap_fault_around_probe(&fault_around, err, errlen)))
		return rc;
	if ((rc = trace_start(err, errlen)))
		return rc;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	return 0;
}

/* All of f, NUL-terminated; NULL on a read error or beyond limit bytes. */
static char *read_all(FILE *f, size_t limit)
{
	size_t n = 0, cap = 0, got;
	char *buf = NULL, *p;

	do {
		if (cap - n < 2) {
			if (cap > limit || !(p = realloc(buf, cap ? 2 * cap : 4096))) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap = cap ? 2 * cap : 4096;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Requests on stdin: "scenario NBYTES NAME" then NBYTES of text.  Each
 * answer is a report ending in "end", or "fail STATUS MESSAGE". */
static int serve(int zero_page)
{
	char hdr[SCN_MAX_LINE + 64], name[SCN_MAX_LINE];
	struct master m;
	size_t len;

	while (fgets(hdr, sizeof(hdr), stdin)) {
		char *text;
		int rc;

		if (sscanf(hdr, "scenario %zu %4095[^\n]", &len, name) != 2 ||
		    len > (size_t)SCN_MAX_LINE * SCN_MAX_COMMANDS || !(text = malloc(len + 1))) {
			printf("fail 2 bad request\n");
			fflush(stdout);
			return 2;
		}
		if (fread(text, 1, len, stdin) != len) {
			free(text);
			return 2;
		}
		text[len] = '\0';
		rc = measure(&m, name, text, zero_page);
		free(text);
		if (rc)
			printf("fail %d %s\n", rc, m.err);
		else
			printf("end\n");
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct master m;
	char err[512], *text;
	int zero_page = 0, rc, serving = argc == 2 && strcmp(argv[1], "--serve") == 0;
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "--worker") == 0)
		krun_worker_exec_main(argc, argv);      /* a worker after exec */
	if (argc > 1 && strcmp(argv[1], "--record") == 0)
		return krun_record_main(argc, argv);
	if (argc != 2 || (argv[1][0] == '-' && !serving)) {
		fprintf(stderr, "usage: anonvma-krun FILE | --serve | --record OUT EVERY -- CMD...\n");
		return 2;
	}
	if ((rc = start(&zero_page, err, sizeof(err)))) {
		trace_cleanup();
		if (serving) {
			printf("fail %d %s\n", rc == KRUN_SKIP ? KRUN_SKIP : 1, err);
			fflush(stdout);
		} else {
			fprintf(stderr, "anonvma-krun: %s\n", err);
		}
		return rc == KRUN_SKIP ? KRUN_SKIP : 1;
	}
	if (serving) {
		rc = serve(zero_page);
		trace_cleanup();
		return rc;
	}
	if (!(f = fopen(argv[1], "r")) || !(text = read_all(f, (size_t)SCN_MAX_LINE * SCN_MAX_COMMANDS))) {
		fprintf(stderr, "anonvma-krun: %s: %s\n", argv[1], strerror(errno ? errno : EIO));
		if (f)
			fclose(f);
		trace_cleanup();
		return 2;
	}
	fclose(f);
	rc = measure(&m, argv[1], text, zero_page);
	free(text);
	trace_cleanup();
	if (rc)
		fprintf(stderr, "anonvma-krun: %s\n", m.err);
	else
		printf("end\n");
	fflush(stdout);
	return rc;
}
