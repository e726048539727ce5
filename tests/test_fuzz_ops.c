/* SPDX-License-Identifier: MIT */
/*
 * test_fuzz_ops.c - the fuzzer's checks, both ways, on its corpus.
 *
 * Every input of fuzz/corpus/fuzz_ops must run clean with av_check after
 * each operation and with the incremental check fuzz_ops uses (a full
 * check every 64 operations and at the end).  Then each of three broken
 * policy hooks, planted in a copy of linux-6.18, must be found by both:
 * the incremental check must not lose a bug the full one finds.
 */
#include <dirent.h>
#include "testutil.h"
#include "mm/vm.h"
#include "mm/policy.h"
#include "policy/shared.h"
#include "policy/table.h"
#include "../fuzz/ops.h"
#include "scn/scenario.h"

#define CORPUS "fuzz/corpus/fuzz_ops"
#define FULL_EVERY 64
#define MAX_INPUTS 4096

struct input {
	char name[256];
	uint8_t *data;
	size_t size;
};

static struct input inputs[MAX_INPUTS];
static size_t nr_inputs;

static int cmp_input(const void *a, const void *b)
{
	return strcmp(((const struct input *)a)->name, ((const struct input *)b)->name);
}

static void load(struct input *in, const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(in->name, sizeof(in->name), "%s", name);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	in->size = (size_t)ftell(f);
	rewind(f);
	assert_non_null(in->data = malloc(in->size + 1));
	assert_int_equal(fread(in->data, 1, in->size, f), in->size);
	fclose(f);
}

static int load_corpus(void **state)
{
	const char *dir = getenv("FUZZ_OPS_CORPUS") ? getenv("FUZZ_OPS_CORPUS") : CORPUS;
	DIR *d = opendir(dir);
	struct dirent *e;

	(void)state;
	if (!d) {
		fprintf(stderr, "test_fuzz_ops: no corpus at %s (run from the top of the tree)\n", dir);
		return -1;
	}
	while ((e = readdir(d)) && nr_inputs < MAX_INPUTS)
		if (e->d_name[0] != '.')
			load(&inputs[nr_inputs++], dir, e->d_name);
	closedir(d);
	qsort(inputs, nr_inputs, sizeof(*inputs), cmp_input);
	return nr_inputs ? 0 : -1;
}

static int free_corpus(void **state)
{
	(void)state;
	for (size_t i = 0; i < nr_inputs; i++)
		free(inputs[i].data);
	return 0;
}

/* ---- the broken hooks ---- */

/* fork: the child gets an anon_vma of its own and forgets the parent's
 * chain (anon_vma_fork without its anon_vma_clone), so the pages it
 * shares with the parent are out of its reach. */
static int fork_forgetting_chain(struct av_world *w, struct av_vma *child, struct av_vma *parent)
{
	(void)parent;
	return av_anon_vma_prepare_borrowing(w, child, NULL);
}

/* merge: any two anon_vmas will do. */
static bool merge_any(const struct av_vma *tgt, const struct av_vma *src,
		      const struct anon_vma *src_anon, const struct av_vma *copied_from)
{
	(void)tgt;
	(void)src;
	(void)src_anon;
	(void)copied_from;
	return true;
}

/* copy-on-write: reuse the page in place even while others map it. */
static bool wp_reuse_shared(struct av_world *w, uint64_t pfn)
{
	return av_page_trylock(w, pfn_page(w, pfn));
}

static struct av_policy broken;

static void plant(av_world *w, void *arg)
{
	(void)arg;
	w->policy = &broken;
}

struct finding {
	size_t inputs;          /* inputs on which a check failed */
	const char *first;      /* the first of them */
	char why[512];
};

static struct finding run_corpus(enum fuzz_check mode, const struct av_policy *policy)
{
	struct finding f = { 0, NULL, "" };

	for (size_t i = 0; i < nr_inputs; i++) {
		struct fuzz_run r = { .mode = mode, .full_every = FULL_EVERY,
				      .on_world = policy ? plant : NULL };
		if (policy)
			broken = *policy;
		if (fuzz_ops_run(inputs[i].data, inputs[i].size, &r) >= 0)
			continue;
		if (!f.inputs++) {
			f.first = inputs[i].name;
			snprintf(f.why, sizeof(f.why), "%s", r.why);
		}
	}
	return f;
}

/* The corpus as the fuzzer runs it, with each policy the bytes choose. */
static void corpus_runs_clean(enum fuzz_check mode)
{
	struct finding f = run_corpus(mode, NULL);

	if (f.inputs)
		fail_msg("%zu inputs fail, first %s: %s", f.inputs, f.first, f.why);
}

static void corpus_clean_full(void **state) { (void)state; corpus_runs_clean(FUZZ_CHECK_FULL); }
static void corpus_clean_incremental(void **state)
{
	(void)state;
	corpus_runs_clean(FUZZ_CHECK_INCREMENTAL);
}

/* ---- what the incremental check may skip ---- */

/* FNV-1a over the words of the anon_vma side: every anon_vma's fields and
 * AVC set, every VMA's range, anon_vma and chain, every file's users. */
static void mix(uint64_t *h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		*h = (*h ^ (v & 0xff)) * 0x100000001b3ull;
}

#define P(x) ((uint64_t)(uintptr_t)(x))

static uint64_t anon_side_print(const struct av_world *w)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const struct cds_list_head *p, *q;

	for (p = w->anon_vmas.next; p != &w->anon_vmas; p = p->next) {
		struct anon_vma *av = cds_list_entry(p, struct anon_vma, node);
		mix(&h, P(av));
		mix(&h, P(av->root));
		mix(&h, P(av->parent));
		mix(&h, av->refcount);
		mix(&h, av->num_children);
		mix(&h, av->num_active_vmas);
		if (w->policy->avc_interval_tree)
			for (struct av_itree_node *it = av_itree_first(&av->avc_tree); it;
			     it = av_itree_next(it)) {
				mix(&h, P(it));
				mix(&h, it->start);
				mix(&h, it->last);
			}
		else
			for (q = av->avc_list.next; q != &av->avc_list; q = q->next)
				mix(&h, P(q));
	}
	for (p = w->mms.next; p != &w->mms; p = p->next)
		for (struct av_vma *v = av_vma_first(cds_list_entry(p, struct av_mm, node)); v;
		     v = av_vma_next(v)) {
			mix(&h, P(v));
			mix(&h, v->start);
			mix(&h, v->end);
			mix(&h, v->pgoff);
			mix(&h, P(v->anon_vma));
			mix(&h, P(v->file));
			for (q = v->anon_vma_chain.next; q != &v->anon_vma_chain; q = q->next) {
				struct anon_vma_chain *avc =
					cds_list_entry(q, struct anon_vma_chain, same_vma);
				mix(&h, P(avc));
				mix(&h, P(avc->anon_vma));
			}
		}
	for (p = w->files.next; p != &w->files; p = p->next) {
		struct av_file *f = cds_list_entry(p, struct av_file, node);
		mix(&h, P(f));
		mix(&h, (uint64_t)f->id);
		mix(&h, (uint64_t)f->refs);
	}
	return h;
}

struct side_watch {
	uint64_t changes, print;        /* at the last operation */
	size_t ops, still, missed;      /* still: the side count stood */
	const char *input;
	unsigned missed_op;
};

static void watch_side(av_world *w, void *arg)
{
	struct side_watch *s = arg;
	uint64_t print = anon_side_print(w);

	if (s->ops++ && w->touch.anon_side == s->changes) {
		s->still++;
		if (print != s->print && !s->missed++)
			s->missed_op = (unsigned)s->ops - 1;
	}
	s->changes = w->touch.anon_side;
	s->print = print;
}

/* The incremental check skips the anon_vma side while its change count
 * stands (vm.h, av_touch_anon_side): on the whole corpus, every operation
 * that left the count alone must have left the side alone. */
static void anon_side_count_complete(void **state)
{
	size_t ops = 0, still = 0;

	(void)state;
	for (size_t i = 0; i < nr_inputs; i++) {
		struct side_watch s = { .input = inputs[i].name };
		struct fuzz_run r = { .mode = FUZZ_CHECK_INCREMENTAL, .full_every = FULL_EVERY,
				      .after_op = watch_side, .arg = &s };
		assert_true(fuzz_ops_run(inputs[i].data, inputs[i].size, &r) >= 0);
		if (s.missed)
			fail_msg("%s: operation %u changed the anon_vma side unlogged (%zu such)",
				 s.input, s.missed_op, s.missed);
		ops += s.ops;
		still += s.still;
	}
	printf("[ INFO     ] %zu of %zu operations left the anon_vma side alone\n", still, ops);
	/* Not vacuous: both kinds occur. */
	assert_true(still > 0 && still < ops);
}

/* Every input under linux-6.18 with one hook broken: both ways find it. */
static void found_both_ways(const char *what, const struct av_policy *bad)
{
	struct finding full = run_corpus(FUZZ_CHECK_FULL, bad);
	struct finding incr = run_corpus(FUZZ_CHECK_INCREMENTAL, bad);

	printf("[ INFO     ] %s: found by %zu inputs checked fully, %zu incrementally\n"
	       "[ INFO     ]   first: %s: %s\n", what, full.inputs, incr.inputs,
	       incr.first ? incr.first : "-", incr.why);
	assert_true(full.inputs > 0);
	assert_true(incr.inputs > 0);
	/* The incremental check ends with a full one: it may miss only a
	 * break a later operation repaired. */
	assert_true(incr.inputs * 10 >= full.inputs * 9);
}

static void broken_fork_found(void **state)
{
	struct av_policy p = av_policy_linux_6_18;

	(void)state;
	p.fork = fork_forgetting_chain;
	found_both_ways("fork forgets the parent's chain", &p);
}

static void broken_merge_found(void **state)
{
	struct av_policy p = av_policy_linux_6_18;

	(void)state;
	p.merge_anon_ok = merge_any;
	found_both_ways("merge ignores anon_vmas", &p);
}

static void broken_cow_found(void **state)
{
	struct av_policy p = av_policy_linux_6_18;

	(void)state;
	p.wp_can_reuse = wp_reuse_shared;
	found_both_ways("copy-on-write reuses shared pages", &p);
}

/* A scenario in the byte form: each command as ops.h says. */
static void translates_scenario(void **state)
{
	static const char text[] =
		"policy 2.6.35\nzero_page off\nproc P\nmmap P 0x10000000 16K rw\n"
		"write P 0x10001000\nfork P C\nmunmap C 0x10002000 8K\nstats\n"
		"madvise P 0x10000000 4K dontfork\nmmap C 0x20000000 4K r shared\nexit C\n";
	static const uint8_t want[] = {
		1 << 2, 0, 0,            /* policy 2 (2.6.35): bit 0 clear, bits 2-4 = 1; no zero page */
		FOP_PROC, 0, 0, 0,
		FOP_MMAP, 0, 0, 2 << 6 | 3,             /* page 0, private, rw, 4 pages */
		FOP_WRITE, 0, 1, 0,                     /* page 1, 1 page */
		FOP_FORK, 0, 1, 0,                      /* slot 0 forks slot 1 */
		FOP_MUNMAP, 1, 2, 1,                    /* page 2, 2 pages */
		FOP_MADVISE, 0, 0 << 6 | 0, 0,          /* dontfork, page 0 */
		FOP_MMAP, 1, 4 | 1, 1 << 6,             /* page 4, shared anonymous, r */
		FOP_EXIT, 1, 0, 0,
	};
	struct scenario sc;
	char err[256];
	uint8_t out[256];
	long n;

	(void)state;
	assert_int_equal(scn_parse_string(&sc, "t.scn", text, err, sizeof(err)), 0);
	n = fuzz_ops_translate(&sc, out, sizeof(out));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(fuzz_ops_translate(&sc, out, 2), -ENOSPC);
	scn_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(translates_scenario),
		cmocka_unit_test(corpus_clean_full),
		cmocka_unit_test(corpus_clean_incremental),
		cmocka_unit_test(anon_side_count_complete),
		cmocka_unit_test(broken_fork_found),
		cmocka_unit_test(broken_merge_found),
		cmocka_unit_test(broken_cow_found),
	};

	return cmocka_run_group_tests_name("fuzz_ops corpus", tests, load_corpus, free_corpus);
}
