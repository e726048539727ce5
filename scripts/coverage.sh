#!/bin/sh
# coverage.sh BUILD TEST... - run the test suite with clang's source-based
# coverage and report line and branch coverage of the model (src/mm), the
# policies (src/policy) and the generic containers (src/lib); an HTML
# report goes to BUILD/coverage/index.html.
set -e
build=$1; shift
prof=$build/prof
rm -rf "$prof" "$build/coverage"
mkdir -p "$prof"
# %4m: at most 4 raw profiles per binary, merged as processes exit.
export LLVM_PROFILE_FILE="$PWD/$prof/%4m.profraw"
sh scripts/run-tests.sh "$build" "$@" || true
llvm-profdata merge -sparse "$prof"/*.profraw -o "$build/all.profdata"
objects="$build/anonvma"
for t in "$build"/tests/test_*; do objects="$objects -object $t"; done
report() {   # report DIR: the TOTAL row of llvm-cov's table for DIR
	# shellcheck disable=SC2086
	llvm-cov report $objects -instr-profile="$build/all.profdata" "$1" | awk -v dir="$1" '
		/^TOTAL/ { printf "coverage: %-8s lines %s (%d of %d), branches %s (%d of %d), functions %s\n",
			   dir, $10, $8 - $9, $8, $13, $11 - $12, $11, $7 }'
}
report src/mm
report src/policy
report src/lib
# shellcheck disable=SC2086
llvm-cov show $objects -instr-profile="$build/all.profdata" -format=html \
	-output-dir="$build/coverage" src/lib src/mm src/policy src/api src/port src/scn src/cli > /dev/null
echo "coverage: per-line report in $build/coverage/index.html"
