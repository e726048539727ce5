/* SPDX-License-Identifier: MIT */
/*
 * krun.c - anonvma-krun: run a scenario on the live kernel (see krun.h).
 *
 *   anonvma-krun [--baseline] FILE
 *
 * --baseline runs only the proc, fork, exit and stats lines: what the
 * workers' own stack, data and heap cost in anon_vmas and AVCs, for
 * `anonvma kcheck` to subtract.
 *
 * Order of start-up, which the baseline relies on: parse, allocate
 * everything, probe the zero page, pretouch every writable mapping (so each
 * has its anon_vma before the first fork and no later access makes one),
 * then start tracing.  After that the master allocates nothing until the
 * last worker has exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "krun.h"
#include "../cli/errname.h"

struct master {
	const struct scenario *s;
	int baseline;
	int *name_slot;             /* by name index: live slot or -1 */
	pid_t slot_pid[KRUN_MAX_SLOTS];
	int next_slot;
	uint64_t *pages;            /* scenario pages, sorted */
	size_t npages;
	struct krun_proc procs[KRUN_MAX_SLOTS];
	char err[512];
};

static char stdout_buf[1 << 16];

/* ---- start-up ---- */

/* Commands the kernel side cannot do, and addresses outside its window. */
static int check_scenario(struct master *m)
{
	for (size_t i = 0; i < m->s->n; i++) {
		const struct scn_cmd *c = &m->s->cmds[i];
		if (c->op == SCN_RECLAIM || c->op == SCN_MIGRATE) {
			snprintf(m->err, sizeof(m->err), "%s:%d: %s has no kernel equivalent",
				 m->s->file, c->line, scn_op_name(c->op));
			return -1;
		}
		if (c->addr >= KRUN_SPAN || c->size > KRUN_SPAN - c->addr ||
		    c->addr2 >= KRUN_SPAN || c->size2 > KRUN_SPAN - (c->has_addr2 ? c->addr2 : c->addr)) {
			snprintf(m->err, sizeof(m->err),
				 "%s:%d: kcheck needs addresses and sizes below %#llx",
				 m->s->file, c->line, KRUN_SPAN);
			return -1;
		}
		if ((c->op == SCN_PROC || c->op == SCN_FORK) && ++m->next_slot > KRUN_MAX_SLOTS) {
			snprintf(m->err, sizeof(m->err), "%s:%d: more than %d processes",
				 m->s->file, c->line, KRUN_MAX_SLOTS);
			return -1;
		}
	}
	m->next_slot = 0;
	return 0;
}

/* Write to one byte of every private writable mapping of this process. */
static void pretouch(void)
{
	static char maps[1 << 16];
	ssize_t n, total = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return;
	while ((n = read(fd, maps + total, sizeof(maps) - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	maps[total] = '\0';
	for (char *l = maps; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char *end;
		uint64_t start = strtoull(l, &end, 16);
		char *perms = strchr(end, ' ');
		if (perms && strncmp(perms + 1, "rw-p", 4) == 0) {
			volatile char *p = (volatile char *)(uintptr_t)start;
			*p = *p;
		}
	}
}

/* ---- talking to workers ---- */

static int recv_reply(struct master *m, int slot, struct krun_reply *r)
{
	ssize_t n = read(krun_sock[slot][0], r, sizeof(*r));

	if (n == (ssize_t)sizeof(*r))
		return 0;
	snprintf(m->err, sizeof(m->err), "worker %d stopped answering", slot);
	return -1;
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
	if (recv_reply(m, slot, &r))
		return -1;
	m->slot_pid[slot] = r.pid;
	m->name_slot[c->proc] = slot;
	return 0;
}

static void report_error(const struct scn_cmd *c, int err)
{
	printf("error %d %s %s\n", c->line, scn_op_name(c->op), errno_name(err));
}

static int fork_proc(struct master *m, const struct scn_cmd *c)
{
	int parent = m->name_slot[c->proc], slot = m->next_slot++;
	struct krun_msg msg = { .op = SCN_FORK, .slot = slot };
	struct krun_reply r, hello;

	if (send_msg(m, parent, &msg) || recv_reply(m, parent, &r))
		return -1;
	if (r.err) {
		report_error(c, r.err);
		return 0;
	}
	if (recv_reply(m, slot, &hello))
		return -1;
	m->slot_pid[slot] = hello.pid;
	m->name_slot[c->proc2] = slot;
	return 0;
}

/* Wait until the process is gone, its mm torn down: a pidfd becomes
 * readable only after exit_mm() has run. */
static int exit_proc(struct master *m, const struct scn_cmd *c)
{
	int slot = m->name_slot[c->proc];
	struct krun_msg msg = { .op = SCN_EXIT };
	int pidfd = (int)syscall(SYS_pidfd_open, m->slot_pid[slot], 0);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int rc = 0;

	if (pidfd < 0) {
		snprintf(m->err, sizeof(m->err), "pidfd_open: %s", strerror(errno));
		return -1;
	}
	if (send_msg(m, slot, &msg))
		rc = -1;
	else if (poll(&pfd, 1, 10000) != 1) {
		snprintf(m->err, sizeof(m->err), "process %d did not exit", (int)m->slot_pid[slot]);
		rc = -1;
	}
	close(pidfd);
	m->name_slot[c->proc] = -1;
	return rc;
}

static int plain_op(struct master *m, const struct scn_cmd *c)
{
	struct krun_msg msg = { .op = c->op, .prot = c->prot, .addr = c->addr, .size = c->size,
				.size2 = c->size2, .addr2 = c->addr2, .has_addr2 = c->has_addr2 };
	int slot = m->name_slot[c->proc];
	struct krun_reply r;

	if (send_msg(m, slot, &msg) || recv_reply(m, slot, &r))
		return -1;
	if (r.err)
		report_error(c, r.err);
	return 0;
}

/* Live processes in name order, the order the model reports them in. */
static int checkpoint(struct master *m, const struct scn_cmd *c)
{
	size_t n = 0;

	trace_mark("anonvma ckpt %d\n", c->line);
	if (m->baseline)
		return 0;
	for (size_t i = 0; i < m->s->nnames; i++)
		if (m->name_slot[i] >= 0)
			m->procs[n++] = (struct krun_proc){ m->s->names[i], m->slot_pid[m->name_slot[i]] };
	return pagemap_report(c->line, m->procs, n, m->pages, m->npages, m->err, sizeof(m->err));
}

static int step(struct master *m, const struct scn_cmd *c)
{
	switch (c->op) {
	case SCN_PROC:  return start_proc(m, c);
	case SCN_FORK:  return fork_proc(m, c);
	case SCN_EXIT:  return exit_proc(m, c);
	case SCN_STATS: return checkpoint(m, c);
	case SCN_MMAP: case SCN_MUNMAP: case SCN_MPROTECT: case SCN_MREMAP:
	case SCN_READ: case SCN_WRITE: case SCN_DONTNEED:
		return m->baseline ? 0 : plain_op(m, c);
	default:        /* model-only views and checks */
		return 0;
	}
}

static int run(struct master *m)
{
	int rc = 0;

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

/* ---- main ---- */

static void on_signal(int sig)
{
	trace_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* 0, -1 on error, KRUN_SKIP when the kernel cannot be measured. */
static int setup(struct master *m, int *zero_page)
{
	if (check_scenario(m))
		return -1;
	if (scn_pages(m->s, KRUN_MAX_PAGES, &m->pages, &m->npages)) {
		snprintf(m->err, sizeof(m->err), "more than %u scenario pages", KRUN_MAX_PAGES);
		return -1;
	}
	if (!(m->name_slot = malloc((m->s->nnames + 1) * sizeof(*m->name_slot)))) {
		snprintf(m->err, sizeof(m->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < m->s->nnames; i++)
		m->name_slot[i] = -1;
	for (int i = 0; i < KRUN_MAX_SLOTS; i++)
		krun_sock[i][0] = krun_sock[i][1] = -1;
	return pagemap_zero_page_probe(zero_page, m->err, sizeof(m->err));
}

static int make_sockets(struct master *m, int nslots)
{
	for (int i = 0; i < nslots; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, krun_sock[i])) {
			snprintf(m->err, sizeof(m->err), "socketpair: %s", strerror(errno));
			return -1;
		}
	return 0;
}

static int count_slots(const struct scenario *s)
{
	int n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->cmds[i].op == SCN_PROC || s->cmds[i].op == SCN_FORK;
	return n;
}

int main(int argc, char **argv)
{
	struct scenario s;
	struct master m = { .s = &s };
	int zero_page = 0, rc, argi = 1;
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "--baseline") == 0) {
		m.baseline = 1;
		argi++;
	}
	if (argi != argc - 1) {
		fprintf(stderr, "usage: anonvma-krun [--baseline] FILE\n");
		return 2;
	}
	if (!(f = fopen(argv[argi], "r"))) {
		fprintf(stderr, "anonvma-krun: %s: %s\n", argv[argi], strerror(errno));
		return 2;
	}
	rc = scn_parse(&s, argv[argi], f, m.err, sizeof(m.err));
	fclose(f);
	if (rc) {
		fprintf(stderr, "%s\n", m.err);
		return 2;
	}
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	signal(SIGCHLD, SIG_IGN);
	if ((rc = setup(&m, &zero_page)) || (rc = make_sockets(&m, count_slots(&s)))) {
		fprintf(stderr, "anonvma-krun: %s\n", m.err);
		rc = rc == KRUN_SKIP ? KRUN_SKIP : 2;
		goto out;
	}
	rc = trace_start(m.err, sizeof(m.err));
	if (rc) {
		fprintf(stderr, "anonvma-krun: %s\n", m.err);
		rc = rc == KRUN_SKIP ? KRUN_SKIP : 1;
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	pretouch();
	printf("krun 1\nzero_page %d\n", zero_page);
	rc = run(&m);
	if (!rc)
		rc = trace_finish(m.slot_pid, (size_t)m.next_slot, m.err, sizeof(m.err));
	trace_cleanup();
	if (rc) {
		fprintf(stderr, "anonvma-krun: %s\n", m.err);
		rc = 1;
	} else {
		printf("end\n");
	}
out:
	fflush(stdout);
	free(m.name_slot);
	free(m.pages);
	scn_free(&s);
	return rc;
}
