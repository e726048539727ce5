#!/bin/sh
# stress.sh BUILD - concurrency: the root lock holds, the race without it shows.
#
#  * `anonvma stress`, 2 threads per process, under every policy that locks
#    an anon_vma tree by its root: every once-a-second av_check must pass.
#    Under `make test` the binary is the ThreadSanitizer build (build-tsan,
#    made by make test), 5 s per policy; with another BUILD (make asan),
#    3 s per policy.
#  * 2.6.34, where every anon_vma takes its own lock, must fail: a
#    migration entry left behind, or an invariant broken; and so must its
#    old name, `--lock own`.
build=$1
tool=$build/anonvma
seconds=3
if [ "$build" = build ] && [ -x build-tsan/anonvma ]; then
	tool=build-tsan/anonvma
	seconds=5
	export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
fi
fail=0
for policy in 2.6.33 2.6.35 3.7 3.19 linux-6.18 lazy; do
	if ! "$tool" stress --policy "$policy" --threads 2 --seconds "$seconds" --seed 7 > /tmp/stress.$$ 2>&1; then
		echo "stress: FAIL: $policy with the root lock:" >&2
		tail -20 /tmp/stress.$$ >&2
		fail=1
	else
		grep -E "operations|walks|wait fraction" /tmp/stress.$$ | sed "s/^/stress: $policy: /"
	fi
done
for how in "--policy 2.6.34" "--lock own"; do
	# shellcheck disable=SC2086
	"$build/anonvma" stress $how --threads 2 --seconds 20 --seed 3 > /tmp/stress.$$ 2>&1
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "stress: FAIL: $how did not fail (exit $rc)" >&2
		fail=1
	else
		grep -E "FAILED|CRASHED" /tmp/stress.$$ | sed "s/^/stress: $how: /"
	fi
done
rm -f /tmp/stress.$$
[ $fail -eq 0 ] && echo "stress: root lock clean under every design, 2.6.34's own locks fail as they should"
exit $fail
