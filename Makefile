# anonvma - build, test, install.  See README.md.
#
#   make            library (static + shared), the anonvma tool, tests; warning-free
#   make run        build, then run the built-in demo
#   make test       install missing build dependencies (Debian), build, run all tests
#   make kcheck     compare the linux-6.18 policy with the live kernel (root)
#   make kcheck-random  10,000 random scenarios against the live kernel (root)
#   make asan       the test suite under AddressSanitizer + UBSan
#   make tsan       the stress tool under ThreadSanitizer, 60 s per policy
#   make fuzz       the libFuzzer targets, FUZZ_SECONDS (60) each
#   make fuzz-corpus  fold what they found into fuzz/corpus/, minimised
#   make coverage   line and branch coverage of the test suite (llvm-cov),
#                   held to docs/coverage.md
#   make bench      the benchmarks: bench/results/ (JSON, Markdown, SVG plots)
#   make docs       the demo's Graphviz pictures (build/docs/*.svg) and docs/demo.html
#   make install    PREFIX=/usr/local (DESTDIR honoured)

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
VERSION := 0.1.0

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
SAN      ?=
# CFLAGS/LDFLAGS stay free for the user; ours are in ALL_*.
ALL_CPPFLAGS := -Iinclude -D_POSIX_C_SOURCE=200809L $(CPPFLAGS)
ALL_CFLAGS    = -std=c11 $(WARN) -fPIC $(OPT) $(SAN) $(CFLAGS)
ALL_LDFLAGS   = $(SAN) $(LDFLAGS)
LDLIBS   += -lurcu-bp -lpthread
Q        := $(if $(V),,@)

# A build without its libraries stops at once, saying how to get them,
# instead of at the first compiler error.  The targets that install them
# first (run, test, deps, ...) are not held up: they check in the make
# they start once the libraries are there.
BUILD_GOALS := all lib cli tests benches install
ifneq ($(if $(MAKECMDGOALS),$(filter-out $(BUILD_GOALS),$(MAKECMDGOALS)),),)
else
missing_deps := $(strip \
  $(if $(shell printf '\043include <urcu-bp.h>\n' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 && echo y),,liburcu) \
  $(if $(shell printf '\043include <stdarg.h>\n\043include <stddef.h>\n\043include <setjmp.h>\n\043include <stdint.h>\n\043include <cmocka.h>\n' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 && echo y),,cmocka))
ifeq ($(shell $(CC) --version >/dev/null 2>&1 && echo y),)
$(error no C compiler '$(CC)': install gcc or clang (then `make deps` installs the rest))
endif
ifneq ($(missing_deps),)
$(error missing $(missing_deps): run `make deps` (Debian 12), or `make run` / `make test`, which install them first)
endif
endif

LIB_SRC := $(wildcard src/lib/*.c src/port/*.c src/mm/*.c src/policy/*.c src/api/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC := $(wildcard src/cli/*.c src/scn/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/demo.o $(BUILD)/gen/explorer.o
CLI     := $(BUILD)/anonvma
# The tool's parts without main(), for the tests and fuzzers that drive them.
CLI_LIB := $(BUILD)/libanonvma-cli.a
CLI_LIB_OBJ := $(filter-out $(BUILD)/src/cli/main.o,$(CLI_SRC:%.c=$(BUILD)/%.o)) \
	       $(BUILD)/gen/explorer.o
# The kernel-side runner of `anonvma kcheck`: small and never sanitized
# (its memory must stay constant; ASan's shadow and allocator would change
# what the kernel counts), so it has its own objects.  Linked dynamically:
# static glibc puts the main thread's TLS in the heap, which `brk`
# scenarios need empty (src/krun/worker.c).
KRUN_SRC := $(wildcard src/krun/*.c src/scn/*.c) src/policy/names.c
KRUN_OBJ := $(KRUN_SRC:%.c=$(BUILD)/krun-obj/%.o)
KRUN    := $(BUILD)/anonvma-krun
TESTS   := $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))
SCRIPT_TESTS := layering.sh cli.sh kcheck.sh kcheck-random.sh record.sh explorer.sh stress.sh bench.sh
TEST_BIN := $(TESTS:%=$(BUILD)/tests/%)
HEADERS := $(wildcard include/anonvma/*.h)

STATIC := $(BUILD)/libanonvma.a
SHARED := $(BUILD)/libanonvma.so.$(VERSION)

.PHONY: all lib cli tests test run kcheck kcheck-random asan tsan fuzz fuzz-corpus fuzzers coverage bench benches docs deps install clean golden-update
all: lib cli tests benches

cli: $(CLI) $(KRUN)

KRUN_CFLAGS = -std=c11 $(WARN) $(OPT) $(CFLAGS)
$(BUILD)/krun-obj/%.o: %.c $(HEADERS) $(wildcard src/*/*.h) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (runner)")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(KRUN_CFLAGS) -c $< -o $@

$(KRUN): $(KRUN_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(KRUN_CFLAGS) -o $@ $(KRUN_OBJ) $(LDFLAGS)

# The built-in demo is scenarios/examples/demo.scn, compiled in.
$(BUILD)/gen/demo.c: scenarios/examples/demo.scn scripts/embed.sh
	@mkdir -p $(dir $@)
	$(Q)sh scripts/embed.sh demo_scenario $< > $@
$(BUILD)/gen/demo.o: $(BUILD)/gen/demo.c $(BUILD)/.flags
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Isrc -c $< -o $@
# The explorer's page (anonvma run --html), src/cli/explorer.html, compiled in.
$(BUILD)/gen/explorer.c: src/cli/explorer.html scripts/embed.sh
	@mkdir -p $(dir $@)
	$(Q)sh scripts/embed.sh explorer_page $< cli/explore.h > $@
$(BUILD)/gen/explorer.o: $(BUILD)/gen/explorer.c src/cli/explore.h $(BUILD)/.flags
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Isrc -c $< -o $@

# The tool uses only the public headers and links the static library.
$(CLI): $(CLI_OBJ) $(STATIC)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(ALL_LDFLAGS) $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory all
	$(CLI)

lib: $(STATIC) $(SHARED) $(BUILD)/anonvma.pc

# Rebuild everything when the compiler, flags or PREFIX (baked into
# anonvma.pc) change.
FLAGS_ID = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) PREFIX=$(PREFIX) \
	   $(if $(findstring $(FUZZ_IGNORE),$(SAN)),$(shell cksum < $(FUZZ_IGNORE)))
$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(FLAGS_ID)' | cmp -s - $@ || echo '$(FLAGS_ID)' > $@
.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c $(HEADERS) $(wildcard src/*/*.h) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(CLI_LIB): $(CLI_LIB_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(Q)$(CC) -shared -Wl,-soname,libanonvma.so.0 -o $@ $^ $(ALL_LDFLAGS) $(LDLIBS)
	$(Q)ln -sf libanonvma.so.$(VERSION) $(BUILD)/libanonvma.so.0
	$(Q)ln -sf libanonvma.so.$(VERSION) $(BUILD)/libanonvma.so

$(BUILD)/anonvma.pc: anonvma.pc.in Makefile $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# Tests link the static library and may include internal headers;
# test_fuzz_ops runs fuzz_ops's byte form (fuzz/ops.c).
$(BUILD)/tests/%: tests/%.c tests/testutil.h tests/fork_fixture.h $(CLI_LIB) $(STATIC) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) $< $(CLI_LIB) $(STATIC) -o $@ $(ALL_LDFLAGS) -lcmocka $(LDLIBS)
$(BUILD)/tests/test_fuzz_ops: tests/test_fuzz_ops.c fuzz/ops.c fuzz/ops.h tests/testutil.h $(CLI_LIB) $(STATIC) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) $< fuzz/ops.c $(CLI_LIB) $(STATIC) -o $@ $(ALL_LDFLAGS) -lcmocka $(LDLIBS)

tests: $(TEST_BIN)

deps:
	@sh scripts/deps.sh

# One command on a fresh Debian 12 machine: dependencies, build, every test.
test: deps
	@sh scripts/deps.sh test
	$(MAKE) all
	$(MAKE) BUILD=build-tsan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=thread" cli
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" SAN="$(FUZZ_SAN)" fuzzers
	@sh scripts/run-tests.sh $(BUILD) $(TESTS) $(SCRIPT_TESTS) fuzz.sh

# The kernel corpus against the live kernel: 3 runs each, all must match.
kcheck: all
	$(CLI) kcheck --runs 3 scenarios/kernel/*.scn

# Differential testing: random scenarios in the model and on the live kernel;
# the first that differs is shrunk and saved to KCHECK_SAVE (docs/kernel-faithfulness.md).
KCHECK_RANDOM ?= 10000
KCHECK_SEED ?= 1
KCHECK_SAVE ?= build/kcheck-random
kcheck-random: all
	@mkdir -p $(KCHECK_SAVE)
	$(CLI) kcheck --random $(KCHECK_RANDOM) --seed $(KCHECK_SEED) --save-dir $(KCHECK_SAVE)

# Regenerate the golden outputs of scenarios/examples (review the diff!).
golden-update: cli
	@sh tests/cli.sh $(BUILD) update

asan: deps
	$(MAKE) BUILD=build-asan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh scripts/run-tests.sh build-asan $(TESTS) $(SCRIPT_TESTS)

# The stress tool under ThreadSanitizer: root locking must be race-free,
# under every design that has it (2.6.34 has not: tests/stress.sh).  Exit
# 3 is 3.19 stopped at its known flaw (CVE-2022-42703), not a race.
TSAN_SECONDS ?= 60
TSAN_POLICIES := 2.6.33 2.6.35 3.7 3.19 linux-6.18 lazy
tsan: deps
	$(MAKE) BUILD=build-tsan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=thread" cli
	for p in $(TSAN_POLICIES); do \
	  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	    build-tsan/anonvma stress --threads 2 --walkers 2 --seconds $(TSAN_SECONDS) --policy $$p; \
	  rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 3 ] || exit 1; \
	done

# libFuzzer targets (fuzz/), under ASan+UBSan, seeded from scenarios/.
# Every input that once crashed one is kept in fuzz/regress/TARGET/.
FUZZ_SECONDS ?= 60
FUZZERS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZERS:%=$(BUILD)/fuzz/%)
# Coverage leaves out the checker, the containers and the page-table
# walker (fuzz/no-coverage.txt says why); the sanitizers cover everything.
FUZZ_IGNORE := fuzz/no-coverage.txt
FUZZ_SAN := -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all \
	    -fsanitize-coverage-ignorelist=$(FUZZ_IGNORE)
fuzzers: $(FUZZ_BIN) $(BUILD)/fuzz/scn2ops
# fuzz/ops.c is fuzz_ops's byte form, which tests/test_fuzz_ops.c runs too.
$(BUILD)/fuzz/%: fuzz/%.c fuzz/ops.c fuzz/ops.h $(CLI_LIB) $(STATIC) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) -fsanitize=fuzzer $< fuzz/ops.c $(CLI_LIB) $(STATIC) -o $@ $(ALL_LDFLAGS) $(LDLIBS)

# Scenarios in fuzz_ops's byte form, to seed it (scripts/fuzz.sh).
$(BUILD)/fuzz/scn2ops: fuzz/scn2ops.c fuzz/ops.c fuzz/ops.h $(CLI_LIB) $(STATIC) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) fuzz/scn2ops.c fuzz/ops.c $(CLI_LIB) $(STATIC) -o $@ $(ALL_LDFLAGS) $(LDLIBS)

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" SAN="$(FUZZ_SAN)" fuzzers
	@sh scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZERS)
# Fold the inputs fuzzing found into fuzz/corpus/, minimised (commit them).
fuzz-corpus:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" SAN="$(FUZZ_SAN)" fuzzers
	@sh scripts/fuzz-corpus.sh build-fuzz $(FUZZERS)

# Benchmarks (bench/): results, plots and a summary in bench/results/.
# Separate from the tests, which never time anything.
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/bench_*.c))
benches: $(BENCH_BIN)
$(BUILD)/bench/%: bench/%.c bench/bench.h $(STATIC) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< $(STATIC) -o $@ $(ALL_LDFLAGS) $(LDLIBS)
# bench_check runs fuzz_ops's byte form (fuzz/ops.c, with the scenario parser).
$(BUILD)/bench/bench_check: bench/bench_check.c bench/bench.h fuzz/ops.c fuzz/ops.h $(CLI_LIB) $(STATIC) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) $< fuzz/ops.c $(CLI_LIB) $(STATIC) -o $@ $(ALL_LDFLAGS) $(LDLIBS)

# The demo drawn: a Graphviz file per checkpoint rendered to SVG, and the
# explorer page committed for readers who do not build (make test checks
# that docs/demo.html is what the tool writes).
docs: deps
	@sh scripts/deps.sh docs
	$(MAKE) cli
	rm -rf $(BUILD)/docs
	$(CLI) run --dot $(BUILD)/docs scenarios/examples/demo.scn
	for f in $(BUILD)/docs/*.dot; do dot -Tsvg "$$f" -o "$${f%.dot}.svg" || exit 1; done
	$(CLI) run --html docs/demo.html scenarios/examples/demo.scn
	@echo "docs: $(BUILD)/docs/*.svg, docs/demo.html"

bench: deps
	@sh scripts/deps.sh bench
	$(MAKE) all benches
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" SAN="$(FUZZ_SAN)" fuzzers
	@sh bench/run.sh $(BUILD)

# Line and branch coverage of src/mm, src/policy and src/lib over the test suite.
coverage: deps
	$(MAKE) BUILD=build-cov CC=clang OPT="-O0 -g" \
	  SAN="-fprofile-instr-generate -fcoverage-mapping" all
	@sh scripts/coverage.sh build-cov $(TESTS) $(SCRIPT_TESTS)

install: lib cli
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/anonvma \
	  $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(CLI) $(KRUN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/anonvma.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libanonvma.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libanonvma.so.0
	ln -sf libanonvma.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libanonvma.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/anonvma/
	install -m 644 $(BUILD)/anonvma.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build build-asan build-tsan build-fuzz build-cov
