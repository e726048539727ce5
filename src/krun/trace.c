/* SPDX-License-Identifier: MIT */
/*
 * trace.c - count live anon_vma and anon_vma_chain objects with tracefs.
 *
 * A private tracing instance records kmem_cache_alloc and kmem_cache_free
 * for the two caches.  Markers written by the master delimit the run and
 * its checkpoints.  Afterwards each allocation made by a worker is kept by
 * its (hashed) pointer until the free of that pointer; at a checkpoint
 * marker the live ones are counted.
 *
 * Two things seen on 6.18 (2026-11-26):
 *  - the anon_vma_chain cache is merged with other caches of the same size
 *    (fs_cache, eventpoll_pwq): events named "anon_vma_chain" include
 *    fork's fs_struct.  An AVC allocation is one whose call site is an
 *    anon_vma function.
 *  - at fork, the parent allocates the child's objects: they carry the
 *    parent's pid, which is a worker's (or the master's for `proc`, whose
 *    cost the baseline run cancels).
 *
 * The global tracing state is never touched; the instance is removed and
 * tracefs unmounted again if we mounted it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "krun.h"

#define TRACEFS "/sys/kernel/tracing"

static char instance[128];
static int marker_fd = -1;
static int reading_fd = -1;     /* the trace, while trace_count reads it */
static int mounted_here;
static int instance_made;

static int write_file(const char *dir, const char *file, const char *text)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_TRUNC)) < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

static int mount_tracefs(void)
{
	struct stat st;

	if (stat(TRACEFS "/instances", &st) == 0)
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return -1;
	mounted_here = 1;
	return 0;
}

/* A private instance of tracefs named for tag and this process, made
 * (tracefs mounted first if need be): 0, or KRUN_SKIP with a message. */
int trace_instance_open(const char *tag, char *err, size_t errlen)
{
	if (geteuid() != 0) {
		snprintf(err, errlen, "%s needs root to read tracefs and pagemap frames", tag);
		return KRUN_SKIP;
	}
	if (mount_tracefs()) {
		snprintf(err, errlen, "tracefs is not available (%s)", strerror(errno));
		return KRUN_SKIP;
	}
	snprintf(instance, sizeof(instance), TRACEFS "/instances/anonvma-%s-%d", tag, (int)getpid());
	if (mkdir(instance, 0700)) {
		snprintf(err, errlen, "cannot make %s: %s", instance, strerror(errno));
		trace_cleanup();
		return KRUN_SKIP;
	}
	instance_made = 1;
	return 0;
}

const char *trace_instance_path(void)
{
	return instance;
}

/* A file of the instance set to text: 0 or -1 (errno set). */
int trace_set(const char *file, const char *text)
{
	return write_file(instance, file, text);
}

/* Event ("group/name") enabled in the instance, with a filter unless NULL. */
int trace_enable(const char *event, const char *filter)
{
	char path[160];

	snprintf(path, sizeof(path), "events/%s/filter", event);
	if (filter && write_file(instance, path, filter))
		return -1;
	snprintf(path, sizeof(path), "events/%s/enable", event);
	return write_file(instance, path, "1");
}

/* The filter that keeps the two caches' events. */
const char trace_kmem_filter[] = "name == \"anon_vma\" || name == \"anon_vma_chain\"";

int trace_start(char *err, size_t errlen)
{
	int rc = trace_instance_open("kcheck", err, errlen);

	if (rc)
		return rc;
	if (trace_enable("kmem/kmem_cache_alloc", trace_kmem_filter) ||
	    trace_enable("kmem/kmem_cache_free", trace_kmem_filter) ||
	    trace_set("buffer_size_kb", "16384") || trace_set("tracing_on", "1"))
		goto fail;
	snprintf(err, errlen, "%s/trace_marker", instance);
	if ((marker_fd = open(err, O_WRONLY)) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot set up tracing in %s: %s", instance, strerror(errno));
	trace_cleanup();
	return -1;
}

void trace_mark(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (marker_fd >= 0 && n > 0)
		(void)!write(marker_fd, buf, (size_t)n);
}

void trace_forget(void)
{
	if (marker_fd >= 0)
		close(marker_fd);
	marker_fd = -1;
	instance_made = 0;
	mounted_here = 0;
}

/* Also from a signal handler: an open file of the instance would make
 * removing it fail (EBUSY), so whatever is open is closed first. */
void trace_cleanup(void)
{
	if (reading_fd >= 0)
		close(reading_fd);
	reading_fd = -1;
	if (marker_fd >= 0)
		close(marker_fd);
	marker_fd = -1;
	if (instance_made) {
		write_file(instance, "tracing_on", "0");
		rmdir(instance);
		instance_made = 0;
	}
	if (mounted_here && umount(TRACEFS) == 0)
		mounted_here = 0;
}

/* ---- reading the trace back ---- */

static size_t slot_of(const struct live_set *s, uint64_t key)
{
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (s->cap - 1);

	while (s->kind[i] != KIND_NONE && s->key[i] != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int live_grow(struct live_set *s)
{
	struct live_set n = { 0 };

	n.cap = s->cap ? 2 * s->cap : 1 << 16;
	n.key = calloc(n.cap, sizeof(*n.key));
	n.kind = calloc(n.cap, 1);
	if (!n.key || !n.kind) {
		free(n.key);
		free(n.kind);
		return -1;
	}
	for (size_t i = 0; i < s->cap; i++)
		if (s->kind[i] == KIND_ANON_VMA || s->kind[i] == KIND_AVC) {
			size_t j = slot_of(&n, s->key[i]);
			n.key[j] = s->key[i];
			n.kind[j] = s->kind[i];
			n.used++;
		}
	memcpy(n.count, s->count, sizeof(n.count));
	free(s->key);
	free(s->kind);
	*s = n;
	return 0;
}

int live_add(struct live_set *s, uint64_t key, int kind)
{
	size_t i;

	if (4 * (s->used + 1) > 3 * s->cap && live_grow(s))
		return -1;
	i = slot_of(s, key);
	if (s->kind[i] == KIND_ANON_VMA || s->kind[i] == KIND_AVC)
		s->count[s->kind[i]]--;   /* its free was not seen: replaced */
	else if (s->kind[i] == KIND_NONE)
		s->used++;
	s->key[i] = key;
	s->kind[i] = (unsigned char)kind;
	s->count[kind]++;
	return 0;
}

int live_remove(struct live_set *s, uint64_t key)
{
	size_t i;
	int kind;

	if (!s->cap)
		return KIND_NONE;
	i = slot_of(s, key);
	kind = s->kind[i];
	if (kind != KIND_ANON_VMA && kind != KIND_AVC)
		return KIND_NONE;
	s->count[kind]--;
	s->kind[i] = KIND_GONE;  /* keeps probe chains intact */
	return kind;
}

void live_free(struct live_set *s)
{
	free(s->key);
	free(s->kind);
	memset(s, 0, sizeof(*s));
}

/* "comm-PID [CPU] ..." : the pid is the number before " [". */
pid_t trace_line_pid(const char *line)
{
	const char *b = strstr(line, " [");
	const char *d;

	while (b) {
		d = b;
		while (d > line && d[-1] == ' ')
			d--;
		const char *e = d;
		while (d > line && d[-1] >= '0' && d[-1] <= '9')
			d--;
		if (d < e && d > line && d[-1] == '-')
			return (pid_t)strtol(d, NULL, 10);
		b = strstr(b + 2, " [");
	}
	return -1;
}

static const char *field(const char *line, const char *key, size_t *len)
{
	const char *p = strstr(line, key);

	if (!p)
		return NULL;
	p += strlen(key);
	*len = strcspn(p, " \n");
	return p;
}

static int is_worker(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

int trace_kmem_event(const char *line, uint64_t *key)
{
	size_t plen = 0, nlen = 0, clen = 0;
	const char *ptr = field(line, " ptr=", &plen);
	const char *name = field(line, " name=", &nlen);
	const char *site = field(line, "call_site=", &clen);

	if (!ptr || !name)
		return KMEM_OTHER;
	*key = strtoull(ptr, NULL, 16);
	if (strstr(line, "kmem_cache_free:"))
		return KMEM_FREE;
	if (!strstr(line, "kmem_cache_alloc:"))
		return KMEM_OTHER;
	if (nlen == 8 && strncmp(name, "anon_vma", 8) == 0)
		return KMEM_ALLOC_ANON_VMA;
	if (site && memmem(site, clen, "anon_vma", 8))
		return KMEM_ALLOC_AVC;
	return KMEM_OTHER;   /* another cache merged with anon_vma_chain */
}

static int handle_event(struct live_set *s, const char *line, const pid_t *pids, size_t n)
{
	uint64_t key;
	int ev = trace_kmem_event(line, &key);

	if (ev == KMEM_FREE)
		live_remove(s, key);
	else if ((ev == KMEM_ALLOC_ANON_VMA || ev == KMEM_ALLOC_AVC) &&
		 is_worker(trace_line_pid(line), pids, n))
		return live_add(s, key, ev == KMEM_ALLOC_ANON_VMA ? KIND_ANON_VMA : KIND_AVC);
	return 0;
}

/* Events the instance lost: overwritten (overrun) or, with overwrite
 * off, not written (dropped events), over every CPU. */
long trace_lost_events(void)
{
	char path[256], line[256];
	long total = 0;

	for (int cpu = 0; cpu < 4096; cpu++) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", instance, cpu);
		if (!(f = fopen(path, "r")))
			break;
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "overrun:", 8) == 0)
				total += strtol(line + 8, NULL, 10);
			else if (strncmp(line, "dropped events:", 15) == 0)
				total += strtol(line + 15, NULL, 10);
		fclose(f);
	}
	return total;
}

/* Overruns counted before this run began: clearing the buffer need not
 * reset the per-CPU counters, so each run looks at its own increase. */
static long overruns_before;

int trace_clear(char *err, size_t errlen)
{
	if (write_file(instance, "trace", "") ||
	    write_file(instance, "tracing_on", "1")) {
		snprintf(err, errlen, "cannot reset the trace in %s: %s", instance, strerror(errno));
		return -1;
	}
	overruns_before = trace_lost_events();
	return 0;
}

/* Live objects at every checkpoint marker, into pts (the scenario's
 * checkpoints, in order). */
int trace_count(const pid_t *pids, size_t npids, struct krun_objects *pts, size_t npts,
		char *err, size_t errlen)
{
	struct live_set s = { 0 };
	char path[256], *line = NULL;
	size_t cap = 0, n = 0;
	int in_run = 0, rc = 0;
	long lost;
	FILE *f;

	write_file(instance, "tracing_on", "0");
	if ((lost = trace_lost_events() - overruns_before) > 0) {
		snprintf(err, errlen, "the trace buffer overran (%ld events lost)", lost);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/trace", instance);
	if ((reading_fd = open(path, O_RDONLY)) < 0 || !(f = fdopen(reading_fd, "r"))) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (reading_fd >= 0)
			close(reading_fd);
		reading_fd = -1;
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		const char *m = strstr(line, "tracing_mark_write: anonvma ");
		if (m) {
			m += strlen("tracing_mark_write: anonvma ");
			if (strncmp(m, "begin", 5) == 0) {
				in_run = 1;
			} else if (strncmp(m, "end", 3) == 0) {
				in_run = 0;
			} else if (strncmp(m, "ckpt ", 5) == 0 && n < npts) {
				pts[n].line = (int)strtol(m + 5, NULL, 10);
				pts[n].anon_vma = s.count[KIND_ANON_VMA];
				pts[n].avc = s.count[KIND_AVC];
				n++;
			}
			continue;
		}
		if (in_run && handle_event(&s, line, pids, npids)) {
			snprintf(err, errlen, "out of memory counting objects");
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "error reading %s", path);
		rc = -1;
	}
	if (!rc && n != npts) {
		snprintf(err, errlen, "the trace holds %zu of %zu checkpoints", n, npts);
		rc = -1;
	}
	reading_fd = -1;
	fclose(f);
	free(line);
	live_free(&s);
	return rc;
}
