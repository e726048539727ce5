/* SPDX-License-Identifier: MIT */
/*
 * record.c - `anonvma record [-o FILE.scn] [--every N] -- CMD [ARGS...]`
 *
 * The kernel side (anonvma-krun --record, src/krun/record.c) runs CMD under
 * tracing and writes the scenario, whole or not at all.  Here the tool
 * then replays it under linux-6.18 and judges every `expect` the kernel's
 * counts wrote: a recording is only called faithful once its replay
 * passes.  Without -o the scenario goes to standard output once it is
 * complete, and CMD's own standard output to standard error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kcheck.h"
#include "record.h"
#include "run.h"

#define DEFAULT_EVERY 1000

/* on_step: the expects judged (a failed one stops the run). */
static void count_expect(void *ctx, int line, enum scn_op op, av_world *w)
{
	(void)line;
	(void)w;
	*(uint64_t *)ctx += op == SCN_EXPECT;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Replay path under linux-6.18, judging its expects. */
static int verify(const char *path, const char *shown, uint64_t events)
{
	uint64_t expects = 0;
	struct run_opts o = { .policy = "linux-6.18", .zero_page = -1,
			      .max_memory = RUN_DEFAULT_MAX_MEMORY, .on_step = count_expect,
			      .ctx = &expects };
	struct scenario s;
	char err[512];
	FILE *f = fopen(path, "r"), *devnull = fopen("/dev/null", "w");
	double t0;
	int rc;

	if (!f || !devnull || scn_parse(&s, shown, f, err, sizeof(err))) {
		fprintf(stderr, "anonvma record: %s\n", f && devnull ? err : strerror(errno));
		if (f)
			fclose(f);
		if (devnull)
			fclose(devnull);
		return RUN_FAILED;
	}
	fclose(f);
	t0 = now();
	rc = run_scenario(&s, &o, devnull, stderr);
	t0 = now() - t0;
	fclose(devnull);
	if (rc == RUN_OK)
		fprintf(stderr, "anonvma record: %s: %zu commands, %" PRIu64 " expects, all hold "
			"under linux-6.18 (replayed in %.3f s, %.2f M events/s)\n", shown, s.n,
			expects, t0, t0 > 0 ? events / t0 / 1e6 : 0.0);
	else
		fprintf(stderr, "anonvma record: %s is written, but its replay under linux-6.18 "
			"differs from the kernel (above)\n", shown);
	scn_free(&s);
	return rc;
}

/* The "# N events, P processes, T tasks, traced for S s" header line. */
static void report(const char *path, const char *shown, uint64_t *events)
{
	char line[512];
	FILE *f = fopen(path, "r");
	unsigned long long e, p, t;
	double sec;
	int status;

	*events = 0;
	while (f && fgets(line, sizeof(line), f) && line[0] == '#') {
		if (sscanf(line, "# %llu events, %llu processes, %llu tasks, traced for %lf",
			   &e, &p, &t, &sec) == 4) {
			fprintf(stderr, "anonvma record: %s: %llu events, %llu processes, %llu "
				"tasks, traced for %.3f s\n", shown, e, p, t, sec);
			*events = e;
		}
		if (sscanf(line, "# The program exited with status %d", &status) == 1 && status)
			fprintf(stderr, "anonvma record: the program exited with status %d (recorded "
				"all the same)\n", status);
	}
	if (f)
		fclose(f);
}

static int copy_out(const char *path)
{
	char buf[1 << 16];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			break;
	fclose(f);
	return fflush(stdout) || ferror(stdout) ? -1 : 0;
}

static volatile pid_t runner_pid;

/* A signal to the tool goes to the recorder, which stops the program,
 * cleans up its tracing and writes nothing. */
static void forward(int sig)
{
	if (runner_pid > 0)
		kill(runner_pid, sig);
}

/* Runs anonvma-krun --record; its exit status (or 1). */
static int run_runner(const char *out, unsigned long every, char **cmd, int to_stdout)
{
	char *runner = kcheck_find_runner(), evs[32];
	int n = 0, status;
	pid_t pid;

	for (char **c = cmd; *c; c++)
		n++;
	char **argv = calloc((size_t)n + 6, sizeof(*argv));
	if (!runner || !argv) {
		fprintf(stderr, "anonvma record: out of memory\n");
		free(runner);
		free(argv);
		return RUN_FAILED;
	}
	snprintf(evs, sizeof(evs), "%lu", every);
	argv[0] = runner;
	argv[1] = "--record";
	argv[2] = (char *)out;
	argv[3] = evs;
	argv[4] = "--";
	memcpy(argv + 5, cmd, (size_t)n * sizeof(*argv));
	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (to_stdout)
			dup2(2, 1);     /* standard output is for the scenario */
		execv(runner, argv);
		fprintf(stderr, "anonvma record: %s: %s\n", runner, strerror(errno));
		_exit(77);
	}
	free(argv);
	free(runner);
	runner_pid = pid;
	struct sigaction sa = { .sa_handler = forward }, old[3];
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	sigaction(SIGHUP, &sa, &old[2]);
	while (pid > 0 && (n = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigaction(SIGHUP, &old[2], NULL);
	runner_pid = 0;
	if (pid < 0 || n < 0) {
		fprintf(stderr, "anonvma record: cannot run the recorder: %s\n", strerror(errno));
		return RUN_FAILED;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "anonvma record: the recorder died of signal %d\n", WTERMSIG(status));
		return RUN_FAILED;
	}
	return WEXITSTATUS(status);
}

static int usage(const char *msg)
{
	fprintf(stderr, "anonvma: %s\nusage: anonvma record [-o FILE.scn] [--every N] -- CMD "
		"[ARGS...]\nTry 'anonvma --help'.\n", msg);
	return RUN_USAGE;
}

int record_command(int argc, char **argv)
{
	const char *out = NULL;
	unsigned long every = DEFAULT_EVERY;
	char tmp[] = "/tmp/anonvma-record-XXXXXX";
	uint64_t events;
	int i, rc, fd;

	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (i + 1 >= argc)
			return usage("record: option needs a value, and CMD comes after --");
		if (strcmp(argv[i], "-o") == 0) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--every") == 0) {
			char *end;
			every = strtoul(argv[++i], &end, 10);
			if (*end || !*argv[i] || argv[i][0] == '-' || every > 1000000000)
				return usage("record: --every takes a number of events (0: only at "
					     "each process's end)");
		} else {
			return usage("record: unknown option (CMD comes after --)");
		}
	}
	if (i >= argc - 1)
		return usage("record: no command to record (after --)");
	if (!out) {
		if ((fd = mkstemp(tmp)) < 0) {
			fprintf(stderr, "anonvma record: %s: %s\n", tmp, strerror(errno));
			return RUN_FAILED;
		}
		close(fd);
	}
	rc = run_runner(out ? out : tmp, every, argv + i + 1, !out);
	if (rc == 0) {
		report(out ? out : tmp, out ? out : "the recording", &events);
		rc = verify(out ? out : tmp, out ? out : "<recording>", events);
		if (!out && copy_out(tmp)) {
			fprintf(stderr, "anonvma record: writing standard output: %s\n",
				strerror(errno));
			rc = RUN_FAILED;
		}
	}
	if (!out)
		unlink(tmp);
	return rc;
}
