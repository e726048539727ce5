#!/bin/sh
# Run each test program; print one summary line at the end.
build=$1; shift
pass=0; fail=0
for t in "$@"; do
	if "$build/tests/$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
