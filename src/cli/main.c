/* SPDX-License-Identifier: MIT */
/*
 * main.c - the `anonvma` command: run scenarios, show the demo.
 * docs/anonvma.1 is the manual.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anonvma/anonvma.h>
#include "../scn/scenario.h"
#include "run.h"
#include "compare.h"
#include "../scn/fields.h"
#include "demo.h"
#include "explore.h"
#include "kcheck.h"
#include "record.h"
#include "rscn.h"
#include "stress.h"

static const char usage_text[] =
"usage: anonvma                      run the built-in demo\n"
"       anonvma run [OPTIONS] FILE|-  run a scenario (.scn)\n"
"       anonvma demo [OPTIONS]        run the built-in demo\n"
"       anonvma kcheck [--runs N] [--json] [--policy P] FILE...\n"
"                                     compare linux-6.18 with the live kernel\n"
"       anonvma kcheck --random N [--seed S] [--ops K] [--procs P] [--policy P]\n"
"                      [--save-dir DIR] [--json]\n"
"                                     the same on N random scenarios; the first\n"
"                                     that differs is shrunk and printed\n"
"       anonvma stress [--policy P] [--threads N] [--walkers N] [--seconds S]\n"
"                      [--seed X] [--lock root|own]\n"
"                                     threads on one world, checked every second\n"
"       anonvma compare [--policy P,...] [--json] [--zero-page on|off]\n"
"                       [--fault-around N] FILE|-\n"
"                                     replay under each design (all by default):\n"
"                                     objects, bytes, walk cost, one table\n"
"       anonvma record [-o FILE.scn] [--every N] -- CMD [ARGS...]\n"
"                                     run CMD (root) and write what it did to\n"
"                                     the anon rmap as a scenario, with the\n"
"                                     kernel's object counts as expects\n"
"       anonvma fields                list the stats fields\n"
"       anonvma --help | --version\n"
"\n"
"options:\n"
"  --policy P         linux-6.18 (default), lazy, 3.19, 3.7, 2.6.35, 2.6.34 or\n"
"                     2.6.33 (anonvma --version); overrides the file's\n"
"  --zero-page on|off read faults map the shared zero page (default on)\n"
"  --fault-around N   pages a read fault of a file maps around it (default 16)\n"
"  --json             print one JSON object: checkpoints and errors\n"
"  --check            run the invariant checker after every command\n"
"  --trace            print each command and what it changed\n"
"  --html OUT.html    write a step-through explorer of the run (one file)\n"
"  --compare P2       with --html: a second design beside the first\n"
"  --dot DIR          write a Graphviz file per stats checkpoint into DIR\n"
"  --max-memory SIZE  memory the world may hold (default 1G; 0: no limit)\n"
"  --fail-alloc N     refuse the world's Nth allocation (testing)\n"
"  --fail-alloc-from N  refuse the Nth and every later allocation\n"
"\n"
"exit status: 0 ok, 1 a failed expect or check, 2 a usage, parse or\n"
"process-name error.  See anonvma(1).\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("anonvma: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'anonvma --help'.\n", stderr);
	return RUN_USAGE;
}

static int unknown_policy(const char *name)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "unknown policy '%%s' (%s)", scn_policy_list(", "));
	return usage_error(msg, name);
}

/* Options shared by run and demo.  Returns the index of the first operand,
 * or -1 after a usage error. */
static int parse_options(int argc, char **argv, int first, struct run_opts *o)
{
	int i;

	for (i = first; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (a[0] != '-' || strcmp(a, "-") == 0)
			break;
		if (strcmp(a, "--") == 0)
			return i + 1;
		if (strcmp(a, "--json") == 0) { o->json = 1; continue; }
		if (strcmp(a, "--check") == 0) { o->check = 1; continue; }
		if (strcmp(a, "--trace") == 0) { o->trace = 1; continue; }
		if (strcmp(a, "--html") == 0 || strcmp(a, "--dot") == 0 || strcmp(a, "--compare") == 0) {
			if (i + 1 == argc)
				return usage_error("option '%s' needs a value", a), -1;
			val = argv[++i];
			if (a[2] == 'h') {
				o->html = val;
			} else if (a[2] == 'd') {
				o->dot = val;
			} else {
				const char *const *p = av_policy_names();
				while (*p && strcmp(*p, val))
					p++;
				if (!*p)
					return unknown_policy(val), -1;
				o->compare = *p;
			}
			continue;
		}
		if (strcmp(a, "--max-memory") == 0 || strcmp(a, "--fail-alloc") == 0 ||
		    strcmp(a, "--fail-alloc-from") == 0) {
			uint64_t v;
			if (i + 1 == argc)
				return usage_error("option '%s' needs a value", a), -1;
			if (scn_number(argv[++i], 1, &v))
				return usage_error("'%s' is not a number (decimal or 0x-hex, optional "
						   "K, M or G)", argv[i]), -1;
			if (a[2] == 'm') {
				o->max_memory = v;
			} else {
				o->fail_alloc = v;
				o->fail_alloc_after = a[12] == '-';
			}
			continue;
		}
		if (strncmp(a, "--policy", 8) == 0 || strncmp(a, "--zero-page", 11) == 0 ||
		    strncmp(a, "--fault-around", 14) == 0) {
			const char *eq = strchr(a, '=');
			size_t n = eq ? (size_t)(eq - a) : strlen(a);
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return usage_error("option '%s' needs a value", a), -1;
			if (n == 8 && strncmp(a, "--policy", 8) == 0) {
				const char *const *p = av_policy_names();
				while (*p && strcmp(*p, val))
					p++;
				if (!*p)
					return unknown_policy(val), -1;
				o->policy = *p;
				continue;
			}
			if (n == 11 && strncmp(a, "--zero-page", 11) == 0) {
				if (strcmp(val, "on") && strcmp(val, "off"))
					return usage_error("--zero-page takes on or off, not '%s'", val), -1;
				o->zero_page = strcmp(val, "on") == 0;
				continue;
			}
			if (n == 14 && strncmp(a, "--fault-around", 14) == 0) {
				char *end;
				unsigned long v = strtoul(val, &end, 10);
				if (*end || !*val || !v || v > 512 || (v & (v - 1)))
					return usage_error("--fault-around takes pages, a power of "
							   "two from 1 to 512, not '%s'", val), -1;
				o->fault_around = (unsigned)v;
				continue;
			}
		}
		return usage_error("unknown option '%s'", a), -1;
	}
	return i;
}

/* Parse the scenario at path ("-": standard input): 0, or RUN_USAGE
 * after saying why. */
static int load_file(const char *path, struct scenario *s)
{
	char err[512];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "anonvma: %s: %s\n", path, strerror(errno));
		return RUN_USAGE;
	}
	rc = scn_parse(s, strcmp(path, "-") == 0 ? "<stdin>" : path, f, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return RUN_USAGE;
	}
	return 0;
}

static int run_file(const char *path, const struct run_opts *o)
{
	struct scenario s;
	int rc;

	if (o->compare && !o->html)
		return usage_error("%s", "--compare draws a second design beside the first: it "
				   "needs --html");
	if ((o->html || o->dot) && (o->json || o->trace))
		return usage_error("%s", "--html and --dot write files: not with --json or --trace");
	if ((rc = load_file(path, &s)))
		return rc;
	if (o->html)
		rc = explore_html(&s, o, o->html, o->compare, stderr);
	if (o->dot && rc == RUN_OK)
		rc = explore_dot(&s, o, o->dot, stderr);
	if (!o->html && !o->dot)
		rc = run_scenario(&s, o, stdout, stderr);
	scn_free(&s);
	return rc;
}

/* anonvma compare [--policy P,...] [--json] [--zero-page on|off]
 *                 [--fault-around N] FILE|- */
static int compare_command(int argc, char **argv)
{
	struct compare_opts co = { .zero_page = -1, .max_memory = RUN_DEFAULT_MAX_MEMORY };
	struct scenario s;
	int i, rc;

	for (i = 2; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) {
			co.json = 1;
			continue;
		}
		if (i + 1 >= argc)
			return usage_error("option '%s' needs a value", a);
		if (strcmp(a, "--policy") == 0) {
			co.policies = argv[++i];
		} else if (strcmp(a, "--zero-page") == 0) {
			const char *v = argv[++i];
			if (strcmp(v, "on") && strcmp(v, "off"))
				return usage_error("--zero-page takes on or off, not '%s'", v);
			co.zero_page = strcmp(v, "on") == 0;
		} else if (strcmp(a, "--fault-around") == 0) {
			uint64_t v;
			if (scn_number(argv[++i], 0, &v) || !v || v > 512 || (v & (v - 1)))
				return usage_error("--fault-around takes pages, a power of two from 1 "
						   "to 512, not '%s'", argv[i]);
			co.fault_around = (unsigned)v;
		} else {
			return usage_error("unknown compare option '%s'", a);
		}
	}
	if (i != argc - 1)
		return usage_error("%s", "compare takes one scenario file (or -)");
	if ((rc = load_file(argv[i], &s)))
		return rc;
	rc = compare_scenario(&s, &co);
	scn_free(&s);
	return rc;
}

static int run_demo(const struct run_opts *o)
{
	struct scenario s;
	char err[512];
	struct run_opts d = *o;
	int rc;

	if (scn_parse_string(&s, "demo", demo_scenario, err, sizeof(err))) {
		fprintf(stderr, "anonvma: %s\n", err);
		return RUN_USAGE;
	}
	d.trace = !o->json;
	d.check = 1;
	rc = run_scenario(&s, &d, stdout, stderr);
	scn_free(&s);
	return rc;
}

/* A whole number in [lo, hi] for option opt; -1 after a usage error. */
static int option_number(const char *opt, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (scn_number(v, 0, out) || *out < lo || *out > hi) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s takes %llu to %llu, not '%%s'", opt,
			 (unsigned long long)lo, (unsigned long long)hi);
		usage_error(msg, v);
		return -1;
	}
	return 0;
}

static int kcheck_command(int argc, char **argv)
{
	struct kcheck_opts k = { .runs = 1, .policy = "linux-6.18", .seed = 1,
				 .ops = RSCN_DEFAULT_OPS, .procs = RSCN_DEFAULT_PROCS };
	uint64_t v;
	int i;

	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--json") == 0) {
			k.json = 1;
			continue;
		}
		if (strcmp(a, "--fresh-runner") == 0) {
			k.fresh_runner = 1;
			continue;
		}
		if (!val)
			return usage_error("option '%s' needs a value", a);
		i++;
		if (strcmp(a, "--runs") == 0) {
			if (option_number(a, val, 1, 100, &v))
				return RUN_USAGE;
			k.runs = (int)v;
		} else if (strcmp(a, "--policy") == 0) {
			const char *const *p = av_policy_names();
			while (*p && strcmp(*p, val))
				p++;
			if (!*p)
				return unknown_policy(val);
			k.policy = *p;
		} else if (strcmp(a, "--random") == 0) {
			if (option_number(a, val, 1, 100000000, &v))
				return RUN_USAGE;
			k.random = (long)v;
		} else if (strcmp(a, "--seed") == 0) {
			if (option_number(a, val, 0, UINT64_MAX, &v))
				return RUN_USAGE;
			k.seed = v;
		} else if (strcmp(a, "--ops") == 0) {
			if (option_number(a, val, 2, RSCN_MAX_OPS, &v))
				return RUN_USAGE;
			k.ops = (int)v;
		} else if (strcmp(a, "--procs") == 0) {
			if (option_number(a, val, 1, RSCN_MAX_PROCS, &v))
				return RUN_USAGE;
			k.procs = (int)v;
		} else if (strcmp(a, "--save-dir") == 0) {
			k.save_dir = val;
		} else {
			return usage_error("unknown kcheck option '%s'", a);
		}
	}
	if (k.random && i < argc)
		return usage_error("kcheck --random takes no FILE ('%s')", argv[i]);
	if (!k.random && i == argc)
		return usage_error("%s", "kcheck needs at least one FILE, or --random N");
	if (!k.random && (k.save_dir || k.seed != 1 || k.ops != RSCN_DEFAULT_OPS ||
			  k.procs != RSCN_DEFAULT_PROCS))
		return usage_error("%s", "--seed, --ops, --procs and --save-dir go with --random");
	return kcheck_main(&k, argv + i, argc - i);
}

static int stress_command(int argc, char **argv)
{
	struct stress_opts o = { .policy = "linux-6.18", .threads = 2, .walkers = 3, .seconds = 10,
				 .seed = 1 };
	const char *lock = NULL, *policy = NULL;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (!v)
			return usage_error("option '%s' needs a value", a);
		i++;
		if (strcmp(a, "--policy") == 0) {
			const char *const *p = av_policy_names();
			while (*p && strcmp(*p, v))
				p++;
			if (!*p)
				return unknown_policy(v);
			policy = *p;
		} else if (strcmp(a, "--threads") == 0) {
			long n = strtol(v, &end, 10);
			if (*end || n < 1 || n > 64)
				return usage_error("--threads takes 1 to 64, not '%s'", v);
			o.threads = (int)n;
		} else if (strcmp(a, "--walkers") == 0) {
			long n = strtol(v, &end, 10);
			if (*end || n < 0 || n > 64)
				return usage_error("--walkers takes 0 to 64, not '%s'", v);
			o.walkers = (int)n;
		} else if (strcmp(a, "--seconds") == 0) {
			o.seconds = strtod(v, &end);
			if (*end || !(o.seconds > 0 && o.seconds <= 86400))
				return usage_error("--seconds takes a duration up to 86400, not '%s'", v);
		} else if (strcmp(a, "--seed") == 0) {
			o.seed = strtoull(v, &end, 0);
			if (*end || !*v)
				return usage_error("--seed takes a number, not '%s'", v);
		} else if (strcmp(a, "--lock") == 0) {
			if (strcmp(v, "root") && strcmp(v, "own"))
				return usage_error("--lock takes root or own, not '%s'", v);
			lock = v;
		} else {
			return usage_error("unknown stress option '%s'", a);
		}
	}
	/* --lock own: every anon_vma under its own lock, which is the
	 * 2.6.34 policy. */
	if (lock && strcmp(lock, "own") == 0) {
		if (policy && strcmp(policy, "2.6.34"))
			return usage_error("--lock own is --policy 2.6.34, not '%s'", policy);
		policy = "2.6.34";
	} else if (lock && policy && strcmp(policy, "2.6.34") == 0) {
		return usage_error("%s", "2.6.34 has no root lock (--lock root)");
	}
	if (policy)
		o.policy = policy;
	return stress_main(&o);
}

/* objsize of a slab cache in /proc/slabinfo (f), 0 if it has no such
 * line. */
static size_t slab_objsize(FILE *f, const char *cache)
{
	char line[512], name[64];
	size_t objsize;

	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %*s %*s %zu", name, &objsize) == 2 &&
		    strcmp(name, cache) == 0)
			return objsize;
	return 0;
}

/* The first line is what scripts read (tests/bench.sh counts the policies
 * in it): it stays as it is.  Then the size of each object of the model,
 * from the library, next to the kernel's: the known Linux 6.18 x86-64
 * figures, and this machine's slabs if /proc/slabinfo is readable (root). */
static void print_version(void)
{
	struct av_object_size sz[8];
	size_t n = av_object_sizes(sz, sizeof(sz) / sizeof(sz[0]));
	FILE *slabs = fopen("/proc/slabinfo", "r");

	printf("anonvma %s (policies: %s)\n", ANONVMA_VERSION, scn_policy_list(", "));
	printf("%-24s %6s %18s%s\n", "object sizes (bytes)", "model", "Linux 6.18 x86-64",
	       slabs ? "  live (/proc/slabinfo)" : "");
	for (size_t i = 0; i < n && i < sizeof(sz) / sizeof(sz[0]); i++) {
		char label[64];
		size_t live = slabs && sz[i].kernel_cache ? slab_objsize(slabs, sz[i].kernel_cache) : 0;

		if (strcmp(sz[i].name, sz[i].kernel_name))
			snprintf(label, sizeof(label), "%s (%s)", sz[i].name, sz[i].kernel_name);
		else
			snprintf(label, sizeof(label), "%s", sz[i].name);
		printf("  %-22s %6zu %18zu", label, sz[i].model_bytes, sz[i].kernel_bytes);
		if (slabs && live)
			printf(" %22zu", live);
		else if (slabs)
			printf(" %22s", "-");
		putchar('\n');
	}
	if (slabs)
		fclose(slabs);
}

static void list_fields(void)
{
	for (size_t i = 0; i < nr_stat_fields; i++)
		printf("%-20s %s\n", stat_fields[i].name, stat_fields[i].help);
}

int main(int argc, char **argv)
{
	struct run_opts o = { .zero_page = -1, .max_memory = RUN_DEFAULT_MAX_MEMORY };
	int i;

	if (argc < 2)
		return run_demo(&o);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		print_version();
		return 0;
	}
	if (strcmp(argv[1], "fields") == 0 && argc == 2) {
		list_fields();
		return 0;
	}
	if (strcmp(argv[1], "demo") == 0) {
		if ((i = parse_options(argc, argv, 2, &o)) < 0)
			return RUN_USAGE;
		if (i < argc)
			return usage_error("demo takes no file ('%s')", argv[i]);
		return run_demo(&o);
	}
	if (strcmp(argv[1], "kcheck") == 0)
		return kcheck_command(argc, argv);
	if (strcmp(argv[1], "compare") == 0)
		return compare_command(argc, argv);
	if (strcmp(argv[1], "record") == 0)
		return record_command(argc, argv);
	if (strcmp(argv[1], "stress") == 0)
		return stress_command(argc, argv);
	if (strcmp(argv[1], "run") == 0) {
		if ((i = parse_options(argc, argv, 2, &o)) < 0)
			return RUN_USAGE;
		if (i != argc - 1)
			return usage_error("%s", i == argc ? "run needs one FILE (or - for stdin)"
							   : "run takes one FILE");
		return run_file(argv[i], &o);
	}
	return usage_error("unknown command '%s'", argv[1]);
}
