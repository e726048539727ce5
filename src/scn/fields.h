/* SPDX-License-Identifier: MIT */
/*
 * fields.h - the named statistics a `stats` checkpoint records and `expect`
 * can test.  The first seven are the contract (docs/anonvma.1); the rest are
 * extra counters from struct av_stats.
 */
#ifndef AV_CLI_FIELDS_H
#define AV_CLI_FIELDS_H

#include <stdint.h>
#include <anonvma/anonvma.h>

struct stat_field {
	const char *name;
	size_t offset;          /* of a uint64_t in struct av_stats */
	const char *help;
	int scanned;            /* filled by a page-table scan, not a counter */
};

#define NR_CONTRACT_FIELDS 7
extern const struct stat_field stat_fields[];
extern const size_t nr_stat_fields;

int stat_field_find(const char *name);
uint64_t stat_field_get(const struct av_stats *s, int field);

#endif
