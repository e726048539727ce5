# anonvma - build, test, install.  See README.md.
#
#   make            library (static + shared) and tests, warning-free
#   make test       install missing build dependencies (Debian), build, run all tests
#   make asan       the test suite under AddressSanitizer + UBSan
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
LDLIBS   += -lpthread
Q        := $(if $(V),,@)

LIB_SRC := $(wildcard src/core/*.c src/vm/*.c src/policy/*.c src/port/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
TESTS   := $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))
TEST_BIN := $(TESTS:%=$(BUILD)/tests/%)
HEADERS := $(wildcard include/anonvma/*.h)

STATIC := $(BUILD)/libanonvma.a
SHARED := $(BUILD)/libanonvma.so.$(VERSION)

.PHONY: all lib tests test check-tests asan deps install clean
all: lib tests

lib: $(STATIC) $(SHARED) $(BUILD)/anonvma.pc

# Rebuild everything when the compiler or flags change.
FLAGS_ID = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS)
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

$(SHARED): $(LIB_OBJ)
	$(Q)$(CC) -shared -Wl,-soname,libanonvma.so.0 -o $@ $^ $(ALL_LDFLAGS) $(LDLIBS)
	$(Q)ln -sf libanonvma.so.$(VERSION) $(BUILD)/libanonvma.so.0
	$(Q)ln -sf libanonvma.so.$(VERSION) $(BUILD)/libanonvma.so

$(BUILD)/anonvma.pc: anonvma.pc.in Makefile
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# Tests link the static library and may include internal headers.
$(BUILD)/tests/%: tests/%.c tests/testutil.h $(STATIC) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) $< $(STATIC) -o $@ $(ALL_LDFLAGS) -lcmocka $(LDLIBS)

tests: $(TEST_BIN)

deps:
	@sh scripts/deps.sh

# One command on a fresh Debian 12 machine: dependencies, build, every test.
test: deps
	$(MAKE) all
	@sh scripts/run-tests.sh $(BUILD) $(TESTS)

asan: deps
	$(MAKE) BUILD=build-asan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh scripts/run-tests.sh build-asan $(TESTS)

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/anonvma
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libanonvma.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libanonvma.so.0
	ln -sf libanonvma.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libanonvma.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/anonvma/
	install -m 644 $(BUILD)/anonvma.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build build-asan
