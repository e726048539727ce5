/* SPDX-License-Identifier: MIT */
/*
 * shrink.h - shrink a scenario on which two accounts of it differ (the
 * model and the kernel, for `kcheck --random`) to a smallest one on which
 * they still do.
 */
#ifndef AV_CLI_SHRINK_H
#define AV_CLI_SHRINK_H

#include "kcheck.h"
#include "../scn/scenario.h"

/* Measure the scenario in text: 0 with *res filled (res->ndiffs or
 * res->model_failed when it differs), RUN_USAGE for a scenario that cannot
 * be measured (just not kept), anything else to stop shrinking. */
typedef int (*shrink_measure_fn)(void *ctx, const char *text, struct kresult *res);

struct shrink_result {
	struct scenario s;      /* the smallest scenario found */
	char *text;             /* ... as text */
	struct kresult res;     /* ... and how it differs (empty if the
	                         * original was never beaten) */
	long runs;              /* candidates measured */
};

/* Shrink text, which differed as first says.  0 with *out filled, or the
 * measure's failure (or RUN_USAGE when memory ran out), *out then empty. */
int shrink_scenario(const char *text, const struct kresult *first, shrink_measure_fn measure,
		    void *ctx, struct shrink_result *out);
void shrink_result_free(struct shrink_result *r);

#endif
