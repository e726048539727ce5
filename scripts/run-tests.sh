#!/bin/sh
# run-tests.sh BUILD TEST...: run each test - a program in BUILD/tests, or a
# script tests/NAME.sh given BUILD - and print one summary line at the end.
# Exit status 77 means the test cannot run on this machine: a skip.
build=$1; shift
pass=0; fail=0; skip=0
for t in "$@"; do
	case $t in
	*.sh) sh "tests/$t" "$build" ;;
	*)    "$build/tests/$t" ;;
	esac
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIPPED: $t" >&2
	else
		fail=$((fail + 1)); echo "FAILED: $t" >&2
	fi
done
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
