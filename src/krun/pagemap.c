/* SPDX-License-Identifier: MIT */
/*
 * pagemap.c - page fields of live workers from /proc/PID/pagemap and maps.
 *
 * Runs in the master between commands, so it allocates nothing: static
 * buffers only (a malloc here could grow the master's memory, which later
 * `proc` workers would inherit, and the baseline would no longer cancel).
 *
 * pagemap entries: bit 63 present, 62 swapped, 56 "exclusively mapped"
 * (the page's precise mapcount is 1; PageAnonExclusive itself is not
 * exported to user space), bits 0-54 the frame number (root only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <anonvma/anonvma.h>
#include "krun.h"

#define PM_PRESENT   (1ULL << 63)
#define PM_SWAP      (1ULL << 62)
#define PM_FILE      (1ULL << 61)   /* a page of a file, or shared anonymous */
#define PM_EXCLUSIVE (1ULL << 56)
#define PM_PFN       ((1ULL << 55) - 1)

#define FRAME_SLOTS  (1u << 18)
#define BATCH        512

static uint64_t zero_pfn;
static int have_zero_page;

static uint64_t frame_key[FRAME_SLOTS];
static uint32_t frame_val[FRAME_SLOTS];
static uint32_t frame_gen[FRAME_SLOTS];
static uint32_t generation;
static uint32_t nframes;
static uint64_t entries[BATCH];
static char maps_buf[1 << 18];

ssize_t krun_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return n < 0 ? -1 : total;
}

static int read_entries(int fd, uint64_t vaddr, size_t n)
{
	ssize_t want = (ssize_t)(n * sizeof(uint64_t));

	return pread(fd, entries, (size_t)want, (off_t)(vaddr / 4096 * 8)) == want ? 0 : -1;
}

int pagemap_zero_page_probe(int *zero_page, char *err, size_t errlen)
{
	volatile char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	int rc = -1;

	if (p == MAP_FAILED || fd < 0) {
		snprintf(err, errlen, "zero-page probe: %s", strerror(errno));
		rc = p == MAP_FAILED ? -1 : KRUN_SKIP;
		goto out;
	}
	(void)p[0];
	(void)p[4096];
	if (read_entries(fd, (uint64_t)(uintptr_t)p, 2)) {
		snprintf(err, errlen, "zero-page probe: cannot read pagemap: %s", strerror(errno));
		rc = KRUN_SKIP;
		goto out;
	}
	if (!(entries[0] & PM_PRESENT) || !(entries[0] & PM_PFN)) {
		snprintf(err, errlen, "zero-page probe: no frame numbers in pagemap (need root)");
		rc = KRUN_SKIP;
		goto out;
	}
	have_zero_page = (entries[0] & PM_PFN) == (entries[1] & PM_PFN);
	zero_pfn = have_zero_page ? entries[0] & PM_PFN : 0;
	*zero_page = have_zero_page;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (p != MAP_FAILED)
		munmap((void *)p, 2 * 4096);
	return rc;
}

/* A 512-page tmpfs file, every page in its page cache, mapped privately at
 * a 2 MiB boundary: a read of page 200 maps the fault-around window's
 * cached pages (aligned, within the page table), and pagemap counts them. */
int pagemap_fault_around_probe(int *pages, char *err, size_t errlen)
{
	const size_t n = 512, len = n * 4096;
	static char page[4096];
	char *area = MAP_FAILED, *at;
	int fd = open("/dev/shm", O_TMPFILE | O_RDWR, 0600), pm = -1, rc = -1;

	if (fd < 0 || ftruncate(fd, (off_t)len)) {
		snprintf(err, errlen, "fault-around probe: a file in /dev/shm: %s", strerror(errno));
		goto out;
	}
	memset(page, 1, sizeof(page));
	for (size_t i = 0; i < n; i++)
		if (pwrite(fd, page, sizeof(page), (off_t)(i * 4096)) != (ssize_t)sizeof(page)) {
			snprintf(err, errlen, "fault-around probe: write: %s", strerror(errno));
			goto out;
		}
	/* Room for a 2 MiB-aligned window, then the file there. */
	area = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		goto fail;
	at = (char *)(((uintptr_t)area + len - 1) & ~(uintptr_t)(len - 1));
	if (mmap(at, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) != at)
		goto fail;
	(void)*(volatile char *)(at + 200 * 4096);
	if ((pm = open("/proc/self/pagemap", O_RDONLY)) < 0 ||
	    read_entries(pm, (uint64_t)(uintptr_t)at, n))
		goto fail;
	*pages = 0;
	for (size_t i = 0; i < n; i++)
		*pages += (entries[i] & PM_PRESENT) != 0;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "fault-around probe: %s", strerror(errno));
out:
	if (area != MAP_FAILED)
		munmap(area, 2 * len);
	if (pm >= 0)
		close(pm);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Canonical id of a frame: 1, 2, ... in order of first sight. */
static int frame_id(uint64_t pfn, uint32_t *id, int *fresh)
{
	uint32_t i = (uint32_t)(pfn * 0x9e3779b97f4a7c15ULL >> 40) & (FRAME_SLOTS - 1);

	for (uint32_t probes = 0; probes < FRAME_SLOTS; probes++, i = (i + 1) & (FRAME_SLOTS - 1)) {
		if (frame_gen[i] != generation) {
			frame_gen[i] = generation;
			frame_key[i] = pfn;
			frame_val[i] = *id = ++nframes;
			*fresh = 1;
			return 0;
		}
		if (frame_key[i] == pfn) {
			*id = frame_val[i];
			*fresh = 0;
			return 0;
		}
	}
	return -1;
}

/* Where scenario address addr is in a worker whose heap starts at
 * start_brk (worker.c: at()). */
static uint64_t real_addr(uint64_t addr, uint64_t start_brk)
{
	return addr >= AV_HEAP_START ? start_brk + (addr - AV_HEAP_START) : KRUN_BASE + addr;
}

/* The scenario address of a worker's address into *out: 0, or -1 outside
 * both windows. */
static int scenario_addr(uint64_t addr, uint64_t start_brk, uint64_t *out)
{
	if (addr >= KRUN_BASE && addr < KRUN_BASE + KRUN_SPAN)
		*out = addr - KRUN_BASE;
	else if (start_brk && addr >= start_brk && addr < start_brk + KRUN_HEAP_SPAN)
		*out = AV_HEAP_START + (addr - start_brk);
	else
		return -1;
	return 0;
}

/* Print the process's mappings in the windows, " NAME:START-END:PROT"
 * each (scenario addresses), and count them; -1 if maps cannot be read. */
static long print_vmas(const struct krun_proc *pr, uint64_t start_brk)
{
	char path[64];
	long vmas = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pr->pid);
	if (krun_read_file(path, maps_buf, sizeof(maps_buf)) < 0)
		return -1;
	for (char *l = maps_buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char *p;
		uint64_t start = strtoull(l, &p, 16), end = strtoull(p + 1, &p, 16);
		uint64_t s;

		if (scenario_addr(start, start_brk, &s))
			continue;
		printf(" %s:%#" PRIx64 "-%#" PRIx64 ":%s%s", pr->name, s, s + (end - start),
		       p[1] != 'r' ? "none" : p[2] == 'w' ? "rw" : "r", p[3] == 'x' ? "x" : "");
		vmas++;
	}
	return vmas;
}

struct page_counts {
	long vmas, anon_pages, anon_ptes, zero_ptes, swap_ptes, file_ptes;
};

static int classify(const struct krun_proc *pr, uint64_t page, uint64_t e, struct page_counts *c)
{
	uint32_t id;
	int fresh;

	if (e & PM_SWAP) {
		c->swap_ptes++;
		printf(" %s:%#" PRIx64 "=S", pr->name, page);
	} else if (e & PM_PRESENT) {
		uint64_t pfn = e & PM_PFN;
		if (have_zero_page && pfn == zero_pfn) {
			c->zero_ptes++;
			printf(" %s:%#" PRIx64 "=Z", pr->name, page);
			return 0;
		}
		if (frame_id(pfn, &id, &fresh))
			return -1;
		if (e & PM_FILE) {
			c->file_ptes++;
		} else {
			c->anon_ptes++;
			c->anon_pages += fresh;
		}
		printf(" %s:%#" PRIx64 "=%u%s%s", pr->name, page, id, e & PM_FILE ? "f" : "",
		       e & PM_EXCLUSIVE ? "x" : "");
	}
	return 0;
}

/* Pages of one process, in runs of consecutive addresses. */
static int scan_proc(const struct krun_proc *pr, uint64_t start_brk, const uint64_t *pages,
		     size_t npages, struct page_counts *c, char *err, size_t errlen)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pr->pid);
	if ((fd = open(path, O_RDONLY)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < npages;) {
		size_t n = 1;
		while (i + n < npages && n < BATCH && pages[i + n] == pages[i] + n * 4096 &&
		       (pages[i + n] >= AV_HEAP_START) == (pages[i] >= AV_HEAP_START))
			n++;
		if (read_entries(fd, real_addr(pages[i], start_brk), n)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		for (size_t k = 0; k < n; k++)
			if (classify(pr, pages[i + k], entries[k], c)) {
				snprintf(err, errlen, "more than %u distinct frames", FRAME_SLOTS);
				close(fd);
				return -1;
			}
		i += n;
	}
	close(fd);
	return 0;
}

/* ---- copy-on-write copies ---- */

static uint64_t frames_before[KRUN_MAX_PAGES];
static unsigned long cow_copies;

/* Frames of pages [addr, +n) of pid into out: the frame number, or 0 for
 * no page (not present, swapped, or the zero page). */
static int frames(pid_t pid, uint64_t addr, size_t n, uint64_t *out)
{
	char path[64];
	int fd, rc = 0;

	uint64_t start_brk = addr >= AV_HEAP_START ? krun_start_brk(pid) : 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	for (size_t i = 0; i < n && !rc; i += BATCH) {
		size_t k = n - i < BATCH ? n - i : BATCH;
		rc = read_entries(fd, real_addr(addr + i * 4096, start_brk), k);
		for (size_t j = 0; j < k && !rc; j++) {
			uint64_t e = entries[j], pfn = e & PM_PFN;
			out[i + j] = (e & PM_PRESENT) && !(have_zero_page && pfn == zero_pfn) ? pfn : 0;
		}
	}
	close(fd);
	return rc;
}

/* A copy-on-write copy allocates the new page before it lets the old one
 * go, so a written page whose frame changed was copied; one that kept its
 * frame was reused or already writable. */
int pagemap_write_begin(pid_t pid, uint64_t addr, uint64_t len)
{
	size_t n = len / 4096 < KRUN_MAX_PAGES ? len / 4096 : KRUN_MAX_PAGES;

	return frames(pid, addr, n, frames_before);
}

int pagemap_write_end(pid_t pid, uint64_t addr, uint64_t len)
{
	static uint64_t after[BATCH];
	size_t n = len / 4096 < KRUN_MAX_PAGES ? len / 4096 : KRUN_MAX_PAGES;

	for (size_t i = 0; i < n; i += BATCH) {
		size_t k = n - i < BATCH ? n - i : BATCH;
		if (frames(pid, addr + i * 4096, k, after))
			return -1;
		for (size_t j = 0; j < k; j++)
			cow_copies += frames_before[i + j] && after[j] && after[j] != frames_before[i + j];
	}
	return 0;
}

void pagemap_reset(void)
{
	cow_copies = 0;
}

int pagemap_report(int line, const struct krun_proc *procs, size_t nprocs,
		   const uint64_t *pages, size_t npages, char *err, size_t errlen)
{
	struct page_counts c = { 0 };

	generation++;
	nframes = 0;
	printf("maps %d", line);
	for (size_t p = 0; p < nprocs; p++) {
		long v = print_vmas(&procs[p], krun_start_brk(procs[p].pid));
		if (v < 0) {
			snprintf(err, errlen, "cannot read /proc/%d/maps", (int)procs[p].pid);
			return -1;
		}
		c.vmas += v;
	}
	printf("\nshare %d", line);
	for (size_t p = 0; p < nprocs; p++)
		if (scan_proc(&procs[p], krun_start_brk(procs[p].pid), pages, npages, &c, err, errlen))
			return -1;
	printf("\npages %d vmas %ld anon_pages %ld anon_ptes %ld zero_ptes %ld swap_ptes %ld "
	       "file_ptes %ld cow_copies %lu\n", line, c.vmas, c.anon_pages, c.anon_ptes,
	       c.zero_ptes, c.swap_ptes, c.file_ptes, cow_copies);
	return 0;
}
