/* SPDX-License-Identifier: MIT */
/*
 * anonvma/inspect.h - read-only views of a world, for tools and teaching.
 *
 * Objects are named by ids that are unique for the life of the world and
 * never reused (anon_vma #1, #2, ...), so output can be compared across steps.
 */
#ifndef ANONVMA_INSPECT_H
#define ANONVMA_INSPECT_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct av_world;

struct av_vma_info {
	uint64_t id;
	uint64_t start, end, pgoff;
	int prot;
	int shared;              /* MAP_SHARED */
	int file;                /* the id of the file it maps; 0: none, or shared anonymous */
	int heap;                /* part of the process's brk heap */
	int noreserve;           /* MAP_NORESERVE: never charged */
	int nohugepage;          /* MAP_STACK */
	int growsdown;           /* MAP_GROWSDOWN */
	int dontfork;            /* MADV_DONTFORK */
	int wipeonfork;          /* MADV_WIPEONFORK */
	uint64_t anon_vma;       /* id of vma->anon_vma, 0 if none */
	size_t chain_len;        /* AVCs on this VMA's chain */
	const uint64_t *chain;   /* anon_vma ids, newest first (valid in the callback) */
};

struct av_anon_vma_info {
	uint64_t id, root, parent;
	unsigned long refcount;
	unsigned long num_children;
	unsigned long num_active_vmas;
	size_t nr_avcs;          /* VMAs linked to it */
};

enum av_pte_kind { AV_PTE_NONE, AV_PTE_ZERO, AV_PTE_ANON, AV_PTE_SWAP, AV_PTE_FILE };

struct av_page_info {
	enum av_pte_kind kind;
	int writable, young;
	uint64_t pfn;            /* AV_PTE_ZERO/ANON/FILE */
	uint64_t swap_slot;      /* AV_PTE_SWAP */
	int swap_exclusive;      /* AV_PTE_SWAP */
	uint64_t anon_vma;       /* AV_PTE_ANON: id of page->mapping */
	int file;                /* AV_PTE_FILE: the file's id (0: shared anonymous) */
	uint64_t index;          /* AV_PTE_ANON, AV_PTE_FILE (the page's in its file) */
	long mapcount;           /* AV_PTE_ANON, AV_PTE_FILE */
	long refcount;           /* AV_PTE_ANON, AV_PTE_FILE (the page cache holds one) */
	int exclusive;           /* AV_PTE_ANON: the anon-exclusive bit */
};

typedef int (*av_proc_fn)(int pid, int parent_pid, void *arg);
typedef int (*av_vma_fn)(const struct av_vma_info *v, void *arg);
typedef int (*av_anon_vma_fn)(const struct av_anon_vma_info *a, void *arg);

/* Each calls fn for every item in order and stops early (returning fn's
 * value) when fn returns non-zero. */
int av_proc_foreach(const struct av_world *w, av_proc_fn fn, void *arg);
int av_vma_foreach(const struct av_world *w, int pid, av_vma_fn fn, void *arg);
int av_anon_vma_foreach(const struct av_world *w, av_anon_vma_fn fn, void *arg);
int av_page_lookup(const struct av_world *w, int pid, uint64_t addr,
		   struct av_page_info *out);

/* One kind of the model's objects: its size in this build, next to its
 * counterpart's in Linux 6.18 on x86-64. */
struct av_object_size {
	const char *name;         /* the model's: anon_vma, anon_vma_chain, vma, page */
	const char *kernel_name;  /* the kernel's struct */
	const char *kernel_cache; /* its slab cache (/proc/slabinfo); NULL: none */
	size_t model_bytes;       /* sizeof, in this build of the library */
	size_t kernel_bytes;      /* Linux 6.18, x86-64 */
};

/* The sizes of anon_vma, anon_vma_chain, VMA and page, in that order: fills
 * up to n entries of out and returns how many kinds there are (4). */
size_t av_object_sizes(struct av_object_size *out, size_t n);

#ifdef __cplusplus
}
#endif
#endif
