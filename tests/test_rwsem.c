/* SPDX-License-Identifier: MIT */
/*
 * test_rwsem.c - the port layer's one-word rwsem: readers share it, a
 * writer excludes everyone, a waiting writer holds off new readers, and a
 * contended acquisition is timed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include "port/port.h"

static void readers_share_writers_exclude(void **state)
{
	struct av_rwsem s;

	(void)state;
	assert_int_equal(av_rwsem_init(&s), 0);
	assert_true(av_rwsem_try_read(&s));
	assert_true(av_rwsem_try_read(&s));
	assert_false(av_rwsem_try_write(&s));
	av_rwsem_read_unlock(&s);
	assert_false(av_rwsem_try_write(&s));
	av_rwsem_read_unlock(&s);
	assert_true(av_rwsem_try_write(&s));
	assert_false(av_rwsem_try_read(&s));
	assert_false(av_rwsem_try_write(&s));
	av_rwsem_write_unlock(&s);
	assert_int_equal(av_rwsem_lock_timed(&s, false), 0);  /* free: not timed */
	av_rwsem_read_unlock(&s);
	av_rwsem_destroy(&s);
}

struct writer {
	struct av_rwsem *s;
	uint64_t waited;
	int done;
};

static void *write_once(void *arg)
{
	struct writer *wr = arg;

	wr->waited = av_rwsem_lock_timed(wr->s, true);
	__atomic_store_n(&wr->done, 1, __ATOMIC_RELEASE);
	av_rwsem_write_unlock(wr->s);
	return NULL;
}

/* A writer that waits for a reader keeps new readers out (or a stream of
 * walkers would starve fork), gets the lock when the reader leaves, and
 * reports that it waited. */
static void waiting_writer_holds_off_readers(void **state)
{
	struct av_rwsem s;
	struct writer wr = { &s, 0, 0 };
	pthread_t t;

	(void)state;
	av_rwsem_init(&s);
	av_rwsem_read(&s);
	assert_int_equal(pthread_create(&t, NULL, write_once, &wr), 0);
	while (av_rwsem_try_read(&s)) {          /* until the writer waits */
		av_rwsem_read_unlock(&s);
		sched_yield();
	}
	assert_false(__atomic_load_n(&wr.done, __ATOMIC_ACQUIRE));
	av_rwsem_read_unlock(&s);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(wr.done);
	assert_true(wr.waited > 0);
	assert_true(av_rwsem_try_write(&s));      /* left free */
	av_rwsem_write_unlock(&s);
}

#define THREADS 4
#define ROUNDS 20000

struct shared {
	struct av_rwsem s;
	uint64_t a, b;            /* equal whenever the lock is free */
	uint64_t torn;
};

static void *hammer(void *arg)
{
	struct shared *sh = arg;

	for (int i = 0; i < ROUNDS; i++) {
		if (i % 3) {
			av_rwsem_read(&sh->s);
			if (sh->a != sh->b)
				__atomic_add_fetch(&sh->torn, 1, __ATOMIC_RELAXED);
			av_rwsem_read_unlock(&sh->s);
		} else {
			av_rwsem_write(&sh->s);
			sh->a++;
			sched_yield();      /* let a reader try to see a torn pair */
			sh->b++;
			av_rwsem_write_unlock(&sh->s);
		}
	}
	return NULL;
}

/* Sleepers are woken: many threads, both modes, nobody stuck, nothing torn. */
static void threads_both_modes(void **state)
{
	struct shared sh = { .a = 0 };
	pthread_t t[THREADS];

	(void)state;
	av_rwsem_init(&sh.s);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &sh), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(sh.torn, 0);
	assert_int_equal(sh.a, THREADS * ((ROUNDS + 2) / 3));
	assert_int_equal(sh.a, sh.b);
	assert_true(av_rwsem_try_write(&sh.s));
	av_rwsem_write_unlock(&sh.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readers_share_writers_exclude),
		cmocka_unit_test(waiting_writer_holds_off_readers),
		cmocka_unit_test(threads_both_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
