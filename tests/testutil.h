/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - shared helpers for the cmocka tests.
 */
#ifndef AV_TESTUTIL_H
#define AV_TESTUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <anonvma/anonvma.h>

#define PG AV_PAGE_SIZE
#define RW (AV_PROT_READ | AV_PROT_WRITE)
#define RO AV_PROT_READ

/* The world c describes; making it must succeed. */
static inline av_world *world_of(const struct av_world_config *c)
{
	av_world *w = NULL;

	assert_int_equal(av_world_create(c, &w), 0);
	return w;
}

static inline av_world *new_world_with(const char *policy, int zero_page,
				       const struct av_allocator *a)
{
	struct av_world_config c;

	av_world_config_init(&c);
	c.policy = policy;
	c.zero_page = zero_page;
	c.allocator = a;
	return world_of(&c);
}

static inline av_world *new_world(const char *policy)
{
	return new_world_with(policy, 1, NULL);
}

/* Run an API call; on failure print the world's error and fail the test. */
#define OK(w, call)                                                                  \
	do {                                                                         \
		int rc_ = (call);                                                    \
		if (rc_ != 0)                                                        \
			fail_msg("%s = %d (%s): %s", #call, rc_, strerror(-rc_),       \
				 av_world_error(w));                                 \
	} while (0)

#define CHECK(w)                                                                     \
	do {                                                                         \
		if (av_check(w) != 0)                                                \
			fail_msg("%s", av_world_error(w));                  \
	} while (0)

/* A check's result rc must be a violation whose message names needle. */
static inline void expect_check_error(av_world *w, int rc, const char *needle)
{
	assert_int_equal(rc, -EUCLEAN);
	if (!strstr(av_world_error(w), needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, av_world_error(w));
}

static inline struct av_stats stats(av_world *w)
{
	struct av_stats s;
	av_stats_read(w, &s);
	return s;
}

static inline uint64_t live(av_world *w, enum av_obj_kind k)
{
	return stats(w).obj[k].live;
}

static inline struct av_page_info page_at(av_world *w, int pid, uint64_t addr)
{
	struct av_page_info pi;
	assert_int_equal(av_page_lookup(w, pid, addr, &pi), 0);
	return pi;
}

/* The anon_vma of the VMA covering addr, and its chain length. */
struct vma_probe {
	uint64_t addr;
	struct av_vma_info info;
	uint64_t chain[64];
	int found;
};

static inline int probe_cb(const struct av_vma_info *v, void *arg)
{
	struct vma_probe *p = arg;
	if (v->start <= p->addr && p->addr < v->end) {
		p->info = *v;
		for (size_t i = 0; i < v->chain_len && i < 64; i++)
			p->chain[i] = v->chain[i];
		p->found = 1;
		return 1;
	}
	return 0;
}

static inline struct vma_probe vma_at(av_world *w, int pid, uint64_t addr)
{
	struct vma_probe p;
	memset(&p, 0, sizeof(p));
	p.addr = addr;
	av_vma_foreach(w, pid, probe_cb, &p);
	assert_true(p.found);
	return p;
}

static inline int count_vma_cb(const struct av_vma_info *v, void *arg)
{
	(void)v;
	(*(int *)arg)++;
	return 0;
}

static inline int nr_vmas(av_world *w, int pid)
{
	int n = 0;
	assert_int_equal(av_vma_foreach(w, pid, count_vma_cb, &n), 0);
	return n;
}

struct av_find {
	uint64_t id;
	struct av_anon_vma_info info;
	int found;
};

static inline int find_av_cb(const struct av_anon_vma_info *a, void *arg)
{
	struct av_find *f = arg;
	if (a->id == f->id) {
		f->info = *a;
		f->found = 1;
		return 1;
	}
	return 0;
}

static inline struct av_find anon_vma(av_world *w, uint64_t id)
{
	struct av_find f;
	memset(&f, 0, sizeof(f));
	f.id = id;
	av_anon_vma_foreach(w, find_av_cb, &f);
	return f;
}

/* Tests that run once per policy read it from here. */
static const char *g_policy = "linux-6.18";

static inline int set_policy_6_18(void **state) { (void)state; g_policy = "linux-6.18"; return 0; }
static inline int set_policy_2_6_35(void **state) { (void)state; g_policy = "2.6.35"; return 0; }

/* Run the array of tests under each policy, as two named groups. */
#define RUN_BOTH_POLICIES(name, tests)                                                  \
	(cmocka_run_group_tests_name(name " [linux-6.18]", tests, set_policy_6_18, NULL) | \
	 cmocka_run_group_tests_name(name " [2.6.35]", tests, set_policy_2_6_35, NULL))

/* Run the array of tests under every policy, one named group each; or
 * every policy but those listed (tests of what only some designs have). */
#define RUN_ALL_POLICIES(name, tests)                                                   \
	run_policies(name, tests, sizeof(tests) / sizeof(tests[0]), NULL)
#define RUN_POLICIES_EXCEPT(name, tests, ...)                                           \
	run_policies(name, tests, sizeof(tests) / sizeof(tests[0]),                     \
		     (const char *const[]){ __VA_ARGS__, NULL })

static inline int run_policies(const char *name, const struct CMUnitTest *tests, size_t n,
			       const char *const *except)
{
	int rc = 0;

	for (const char *const *p = av_policy_names(); *p; p++) {
		char group[128];
		bool skip = false;
		for (const char *const *e = except; e && *e; e++)
			skip |= strcmp(*e, *p) == 0;
		if (skip)
			continue;
		g_policy = *p;
		snprintf(group, sizeof(group), "%s [%s]", name, *p);
		rc |= _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	}
	return rc;
}

static inline int is_6_18(void) { return strcmp(g_policy, "linux-6.18") == 0; }

#endif
