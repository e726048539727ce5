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
CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) -fPIC
LDLIBS   += -lpthread

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

$(BUILD)/%.o: %.c $(HEADERS) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libanonvma.so.0 -o $@ $^ $(LDFLAGS) $(LDLIBS)
	ln -sf libanonvma.so.$(VERSION) $(BUILD)/libanonvma.so.0
	ln -sf libanonvma.so.$(VERSION) $(BUILD)/libanonvma.so

$(BUILD)/anonvma.pc: anonvma.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# Tests link the static library and may include internal headers.
$(BUILD)/tests/%: tests/%.c tests/testutil.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $< $(STATIC) -o $@ $(LDFLAGS) -lcmocka $(LDLIBS)

tests: $(TEST_BIN)

deps:
	@sh scripts/deps.sh

# One command on a fresh Debian 12 machine: dependencies, build, every test.
test: deps
	$(MAKE) all
	@sh scripts/run-tests.sh $(BUILD) $(TESTS)

asan: deps
	$(MAKE) BUILD=build-asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" all
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
