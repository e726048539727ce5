#!/bin/sh
# stress.sh BUILD - concurrency: the root lock holds, the race without it shows.
#
#  * `anonvma stress` with the root lock, 2 threads per process, both
#    policies: every once-a-second av_check must pass.  Under `make test`
#    the binary is the ThreadSanitizer build (build-tsan, made by make test)
#    and runs 15 s per policy; with another BUILD (make asan) it runs 5 s.
#  * `--lock own` (the locking before the seed's series) must fail: a
#    migration entry left behind, or an invariant broken.
build=$1
tool=$build/anonvma
seconds=5
if [ "$build" = build ] && [ -x build-tsan/anonvma ]; then
	tool=build-tsan/anonvma
	seconds=15
	export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
fi
fail=0
for policy in linux-6.18 2.6.35; do
	if ! "$tool" stress --policy "$policy" --threads 2 --seconds "$seconds" --seed 7 > /tmp/stress.$$ 2>&1; then
		echo "stress: FAIL: $policy with the root lock:" >&2
		tail -20 /tmp/stress.$$ >&2
		fail=1
	else
		grep -E "operations|walks|wait fraction" /tmp/stress.$$ | sed "s/^/stress: $policy: /"
	fi
done
for policy in linux-6.18 2.6.35; do
	"$build/anonvma" stress --policy "$policy" --threads 2 --seconds 20 --lock own --seed 3 > /tmp/stress.$$ 2>&1
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "stress: FAIL: $policy with --lock own did not fail (exit $rc)" >&2
		fail=1
	else
		grep -E "FAILED|CRASHED" /tmp/stress.$$ | sed "s/^/stress: $policy --lock own: /"
	fi
done
rm -f /tmp/stress.$$
[ $fail -eq 0 ] && echo "stress: root lock clean, own lock fails as it should"
exit $fail
