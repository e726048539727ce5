#!/bin/sh
# run-tests.sh BUILD TEST...: run each test - a program in BUILD/tests, or a
# script tests/NAME.sh given BUILD - and print one summary line at the end.
build=$1; shift
pass=0; fail=0
for t in "$@"; do
	case $t in
	*.sh) sh "tests/$t" "$build" ;;
	*)    "$build/tests/$t" ;;
	esac
	if [ $? -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
