#!/bin/sh
# Install what the build and tests need on Debian 12, if it is missing.
set -e
need=""
[ -f /usr/include/cmocka.h ] || need="$need libcmocka-dev"
[ -f /usr/include/urcu-bp.h ] || [ -f /usr/include/x86_64-linux-gnu/urcu-bp.h ] || need="$need liburcu-dev"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v clang >/dev/null 2>&1 || need="$need clang"
# libFuzzer and the sanitizer runtimes (make fuzz, make asan).
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
	need="$need libclang-rt-14-dev"
# Plots (make bench, which calls `deps.sh bench`).
[ "${1:-}" = bench ] && { command -v gnuplot >/dev/null 2>&1 || need="$need gnuplot-nox"; }
# A browser for the explorer's test (make test: tests/explorer.sh) and
# its benchmark (make bench).
case ${1:-} in test|bench) command -v chromium >/dev/null 2>&1 || need="$need chromium" ;; esac
# Graphviz for the DOT pictures (make docs).
[ "${1:-}" = docs ] && { command -v dot >/dev/null 2>&1 || need="$need graphviz"; }
# Coverage reports (make coverage).
command -v llvm-cov >/dev/null 2>&1 || need="$need llvm"
[ -z "$need" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$need (no apt-get here: install them by hand)" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing$need" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
