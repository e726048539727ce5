/* SPDX-License-Identifier: MIT */
/*
 * stress.c - `anonvma stress`: many threads on one world, the kernel's way.
 *
 * SLOTS process slots each run --threads threads of random faults, forks,
 * exits, munmap, mprotect and mremap on their slot's current process (a
 * fork's child replaces another slot's process, which exits); --walkers
 * threads (3: migration, reclaim and aging) run rmap walks from random frames,
 * holding no mm lock.  Once a second, and at the end, the world is stopped
 * (a gate every operation holds for reading) and av_check runs.  Each
 * thread draws from its own generator seeded from --seed, so a failure
 * prints the seed that reproduces its operation mix (the interleaving is
 * the scheduler's).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include <anonvma/anonvma.h>
#include "stress.h"
#include "../scn/errname.h"

#define SLOTS       4
#define WINDOW      0x10000000ULL
#define WIN_PAGES   64
#define PG          AV_PAGE_SIZE
#define HANG_SECONDS 10

struct stress {
	const struct stress_opts *o;
	av_world *w;
	pthread_rwlock_t gate;          /* read: one operation; write: check */
	av_pid slot_pid[SLOTS];         /* atomic */
	int files[2];                   /* for file mappings, private and shared */
	int stop;                       /* atomic */
	int failed;                     /* atomic */
	char failure[512];              /* the first failure, under fail_lock */
	bool known_flaw;                /* it is the design's known flaw */
	pthread_mutex_t fail_lock;
	uint64_t ops, walks;            /* atomic */
};

struct worker {
	struct stress *s;
	int slot, id;
	uint64_t rng;
};

static uint64_t next_rand(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	return *r;
}

static uint64_t below(uint64_t *r, uint64_t n)
{
	return next_rand(r) % n;
}

static void fail_as(struct stress *s, const char *what, int err, bool known_flaw)
{
	pthread_mutex_lock(&s->fail_lock);
	if (!__atomic_load_n(&s->failed, __ATOMIC_ACQUIRE)) {
		snprintf(s->failure, sizeof(s->failure), "%s: %s (%s)", what,
			 errno_name(err), av_world_error(s->w));
		s->known_flaw = known_flaw;
		__atomic_store_n(&s->failed, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->fail_lock);
}

static void fail(struct stress *s, const char *what, int err)
{
	fail_as(s, what, err, false);
}

/* Refusals a random request may get; anything else is a bug. */
static bool expected(int err)
{
	return err == 0 || err == -EEXIST || err == -ENOMEM || err == -EFAULT ||
	       err == -EINVAL || err == -ESRCH || err == -EAGAIN || err == -ENOENT;
}

static uint64_t rand_addr(uint64_t *r)
{
	return WINDOW + below(r, WIN_PAGES) * PG;
}

static uint64_t rand_len(uint64_t *r)
{
	return (1 + below(r, 8)) * PG;
}

/* A fork's child takes over another slot, whose process exits. */
static int do_fork(struct stress *s, struct worker *wk, av_pid pid)
{
	int other = (int)below(&wk->rng, SLOTS);
	av_pid child, old;
	int err = av_fork(s->w, pid, &child);

	if (err)
		return err;
	old = __atomic_exchange_n(&s->slot_pid[other], child, __ATOMIC_ACQ_REL);
	err = av_exit(s->w, old);
	return err == -ESRCH ? 0 : err;
}

/* The slot's process exits; a new one starts with a mapping. */
static int do_exit(struct stress *s, struct worker *wk, av_pid pid)
{
	av_pid fresh;
	int err = av_proc_create(s->w, &fresh);

	if (err)
		return err;
	av_mmap(s->w, fresh, WINDOW, 16 * PG, AV_PROT_READ | AV_PROT_WRITE);
	if (__atomic_compare_exchange_n(&s->slot_pid[wk->slot], &pid, fresh, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		err = av_exit(s->w, pid);
		return err == -ESRCH ? 0 : err;
	}
	err = av_exit(s->w, fresh);     /* someone else replaced it first */
	return err == -ESRCH ? 0 : err;
}

static int process_op(struct stress *s, struct worker *wk)
{
	av_pid pid = __atomic_load_n(&s->slot_pid[wk->slot], __ATOMIC_ACQUIRE);
	uint64_t *r = &wk->rng, a = rand_addr(r), l = rand_len(r);
	int prot = below(r, 4) ? AV_PROT_READ | AV_PROT_WRITE : AV_PROT_READ;

	switch (below(r, 20)) {
	case 0:           return do_fork(s, wk, pid);
	case 1:           return below(r, 4) ? 0 : do_exit(s, wk, pid);
	case 2:           return av_mmap(s->w, pid, a, l, prot);
	case 3:
		/* A file, private or shared, at the offset that lines it up
		 * with the window; or shared anonymous memory. */
		if (below(r, 3))
			return av_mmap_file(s->w, pid, a, l, prot, below(r, 2) ? AV_MAP_SHARED : 0,
					    s->files[below(r, 2)], a - WINDOW);
		return av_mmap_file(s->w, pid, a, l, prot, AV_MAP_SHARED, 0, 0);
	case 4:           return av_munmap(s->w, pid, a, l);
	case 5: case 6:   return av_mprotect(s->w, pid, a, l, prot);
	case 7: case 8:   return av_mremap(s->w, pid, a, l, l, AV_MREMAP_MAYMOVE | AV_MREMAP_FIXED,
				       rand_addr(r));
	case 9:           return av_madvise_dontneed(s->w, pid, a, l);
	case 10: case 11: return av_touch(s->w, pid, a, l, 0);
	default:          return av_touch(s->w, pid, a, l, 1);
	}
}

static bool stopping(struct stress *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
}

static void *process_thread(void *arg)
{
	struct worker *wk = arg;
	struct stress *s = wk->s;

	while (!stopping(s)) {
		int err;
		pthread_rwlock_rdlock(&s->gate);
		err = process_op(s, wk);
		pthread_rwlock_unlock(&s->gate);
		__atomic_add_fetch(&s->ops, 1, __ATOMIC_RELAXED);
		if (!expected(err))
			fail(s, "process operation", err);
	}
	return NULL;
}

static void *walker_thread(void *arg)
{
	struct worker *wk = arg;
	struct stress *s = wk->s;
	/* Walkers take turns: migration first, then reclaim, then aging. */
	static const enum av_walk_op ops[3] = { AV_WALK_MIGRATE, AV_WALK_RECLAIM, AV_WALK_AGE };

	while (!stopping(s)) {
		uint64_t n = av_nr_frames(s->w), pfn = 1 + below(&wk->rng, n > 1 ? n - 1 : 1);
		int err;
		pthread_rwlock_rdlock(&s->gate);
		err = av_walk_page(s->w, pfn, ops[wk->id % 3]);
		pthread_rwlock_unlock(&s->gate);
		if (err == 0)
			__atomic_add_fetch(&s->walks, 1, __ATOMIC_RELAXED);
		if (!expected(err))
			fail(s, "rmap walk", err);
	}
	return NULL;
}

/* A thread that never comes back holds a lock forever: report a hang (a
 * deadlock, or a walk waiting on a migration entry nobody will restore)
 * and leave without touching the world. */
static void hung(const struct stress *s, const char *where)
{
	printf("stress: FAILED: %s did not finish within %d s (deadlock?)\n", where, HANG_SECONDS);
	printf("stress: reproduce with --policy %s --seed %" PRIu64 "\n", s->o->policy, s->o->seed);
	fflush(stdout);
	_exit(1);
}

static struct timespec deadline_in(int seconds)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += seconds;
	return t;
}

/* Stop the world and check it. */
static void checkpoint(struct stress *s, struct av_stats *st)
{
	struct timespec limit = deadline_in(HANG_SECONDS);
	int err;

	if (pthread_rwlock_timedwrlock(&s->gate, &limit))
		hung(s, "an operation");
	err = av_check(s->w);
	if (err)
		fail_as(s, "av_check", err, av_check_known_flaw(s->w));
	av_stats_read(s->w, st);
	pthread_rwlock_unlock(&s->gate);
}

/* A crash is a failure too (under 2.6.34's own locks the race can
 * corrupt the structures outright): say so, with the seed, and exit 1. */
static char crash_msg[160];
static struct timespec crash_t0;

/* Decimal digits of v into buf (async-signal-safe); returns the length. */
static size_t put_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		buf[i++] = tmp[--n];
	return i;
}

static void on_crash(int sig)
{
	char line[96];
	size_t n = 0;
	struct timespec t;
	uint64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (uint64_t)(t.tv_sec - crash_t0.tv_sec) * 1000 +
	     (uint64_t)((t.tv_nsec - crash_t0.tv_nsec) / 1000000);
	memcpy(line, "stress: CRASHED after ", 22);
	n = 22;
	n += put_u64(line + n, ms);
	memcpy(line + n, " ms (signal ", 12);
	n += 12;
	n += put_u64(line + n, (uint64_t)sig);
	memcpy(line + n, ")\n", 2);
	n += 2;
	(void)!write(2, line, n);
	(void)!write(2, crash_msg, strlen(crash_msg));
	_exit(1);
}

/* The last resort: the world stopped making progress altogether (a
 * corrupted list walked forever, a lock never released). */
static void on_alarm(int sig)
{
	static const char msg[] = "stress: FAILED: hung (no progress; a deadlock or a loop)\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, crash_msg, strlen(crash_msg));
	_exit(1);
}

static void catch_crashes(const struct stress_opts *o)
{
	snprintf(crash_msg, sizeof(crash_msg), "stress: reproduce with --policy %s --seed %" PRIu64
		 "\n", o->policy, o->seed);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)o->seconds + 3 * HANG_SECONDS);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void report(const struct stress *s, const struct av_stats *st, double secs, int threads)
{
	const struct av_lock_stats *l = &st->lock;
	double thread_ns = secs * 1e9 * threads;
	struct av_policy_info info;
	/* Under a design without a root lock the counters are each
	 * anon_vma's own lock: say so. */
	const char *which = !av_policy_describe(s->o->policy, &info) && info.own_locks ?
			    "anon_vma" : "root";
	char wr[16], rd[16];

	printf("stress: %s, %d thread%s per process, %d processes, %d walkers, "
	       "seed %" PRIu64 ", %.1f s\n", s->o->policy, s->o->threads, s->o->threads == 1 ? "" : "s", SLOTS, s->o->walkers, s->o->seed, secs);
	printf("  operations  %10" PRIu64 "  (%.0f/s)\n", s->ops, (double)s->ops / secs);
	printf("  walks       %10" PRIu64 "  (%.0f/s; %" PRIu64 " reclaimed, %" PRIu64
	       " migrated, %" PRIu64 " referenced)\n", s->walks, (double)s->walks / secs,
	       st->reclaimed, st->migrated, st->referenced);
	printf("  lock          acquisitions   contended    wait ms    hold ms\n");
	snprintf(wr, sizeof(wr), "%s write", which);
	snprintf(rd, sizeof(rd), "%s read", which);
	printf("  %-14s%12" PRIu64 " %11" PRIu64 " %10.1f %10.1f\n", wr, l->root_write,
	       l->root_contended, (double)l->root_wait_ns / 1e6, (double)l->root_write_hold_ns / 1e6);
	printf("  %-14s%12" PRIu64 "\n", rd, l->root_read);
	printf("  mmap         %13" PRIu64 " %11" PRIu64 " %10.1f\n", l->mmap_write + l->mmap_read,
	       l->mmap_contended, (double)l->mmap_wait_ns / 1e6);
	printf("  page         %13" PRIu64 " %11" PRIu64 " %10.1f\n", l->page, l->page_contended,
	       (double)l->page_wait_ns / 1e6);
	printf("  page table   %13" PRIu64 "\n", l->ptl);
	printf("  %s lock wait fraction: %.4f (wait time / thread time)\n", which,
	       thread_ns > 0 ? (double)l->root_wait_ns / thread_ns : 0.0);
}

static int start_world(struct stress *s)
{
	struct av_world_config cfg;
	int err;

	av_world_config_init(&cfg);
	cfg.policy = s->o->policy;
	cfg.max_frames = 1 << 20;
	if ((err = av_world_create(&cfg, &s->w)))
		return err;
	for (int i = 0; i < 2; i++)
		if ((err = av_file_create(s->w, WIN_PAGES * PG, &s->files[i])))
			return err;
	for (int i = 0; i < SLOTS; i++) {
		if ((err = av_proc_create(s->w, &s->slot_pid[i])))
			return err;
		av_mmap(s->w, s->slot_pid[i], WINDOW, 16 * PG, AV_PROT_READ | AV_PROT_WRITE);
		av_touch(s->w, s->slot_pid[i], WINDOW, 16 * PG, 1);
	}
	return 0;
}

int stress_main(const struct stress_opts *o)
{
	struct stress s = { .o = o };
	int nproc = SLOTS * o->threads, nthreads = nproc + o->walkers, rc = 0, err;
	struct worker *wk = calloc((size_t)nthreads, sizeof(*wk));
	pthread_t *tid = calloc((size_t)nthreads, sizeof(*tid));
	struct av_stats st;
	struct timespec t0;
	double secs = 0;

	if (!wk || !tid) {
		fprintf(stderr, "anonvma stress: out of memory\n");
		free(wk);
		free(tid);
		return 2;
	}
	pthread_rwlockattr_t ga;
	pthread_rwlockattr_init(&ga);
	/* The checker must get in between operations. */
	pthread_rwlockattr_setkind_np(&ga, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s.gate, &ga);
	pthread_rwlockattr_destroy(&ga);
	pthread_mutex_init(&s.fail_lock, NULL);
	if ((err = start_world(&s))) {
		fprintf(stderr, "anonvma stress: cannot set up the world: %s\n", errno_name(err));
		rc = 2;
		goto out;
	}
	catch_crashes(o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	crash_t0 = t0;
	for (int i = 0; i < nthreads; i++) {
		wk[i] = (struct worker){ &s, i < nproc ? i % SLOTS : -1, i < nproc ? i : i - nproc,
					 o->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)i + 1 };
		pthread_create(&tid[i], NULL, i < nproc ? process_thread : walker_thread, &wk[i]);
	}
	while (!stopping(&s) && (secs = seconds_since(&t0)) < o->seconds) {
		struct timespec one = { 0, 100000000 };
		nanosleep(&one, NULL);
		if ((int)(secs * 10) % 10 == 9)
			checkpoint(&s, &st);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	struct timespec limit = deadline_in(HANG_SECONDS);
	for (int i = 0; i < nthreads; i++)
		if (pthread_timedjoin_np(tid[i], NULL, &limit))
			hung(&s, i < nproc ? "a process thread" : "a walker thread");
	secs = seconds_since(&t0);
	checkpoint(&s, &st);
	report(&s, &st, secs, nthreads);
	if (s.failed) {
		printf("stress: FAILED after %.1f s: %s\n", secs, s.failure);
		printf("stress: reproduce with --policy %s --seed %" PRIu64 "\n", o->policy,
		       o->seed);
		rc = 1;
		if (s.known_flaw) {
			struct av_policy_info info;
			av_policy_describe(o->policy, &info);
			printf("stress: this is the design's known flaw, not a locking failure: %s\n",
			       info.known_flaw);
			rc = STRESS_KNOWN_FLAW;
		}
	} else {
		printf("stress: OK: every check passed\n");
	}
out:
	av_world_destroy(s.w);
	pthread_rwlock_destroy(&s.gate);
	pthread_mutex_destroy(&s.fail_lock);
	free(wk);
	free(tid);
	return rc;
}
