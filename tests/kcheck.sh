#!/bin/sh
# kcheck.sh BUILD - the kernel corpus against the live kernel.
#
# Skips (77) where the live kernel cannot be the oracle: not Linux 6.18 (the
# policy claims 6.18 only), not root, or no tracefs (the runner says so).
# Otherwise every scenario of scenarios/kernel must match in 3 runs of 3,
# and kcheck must also be able to fail: the 2.6.35 policy differs from the
# live kernel on the reuse scenarios.
build=$1
tool=$build/anonvma
test=kcheck
. tests/live-kernel.sh
"$tool" kcheck --runs 3 scenarios/kernel/*.scn
rc=$?
[ $rc -eq 0 ] || exit $rc
"$tool" kcheck --policy 2.6.35 scenarios/kernel/reuse-after-exit.scn > /dev/null 2>&1
rc=$?
if [ $rc -ne 1 ]; then
	echo "kcheck: FAIL: the 2.6.35 policy matched the live kernel on reuse-after-exit (exit $rc)" >&2
	exit 1
fi
json=$("$tool" kcheck --json scenarios/kernel/k01-fork-cow-exit.scn)
case $json in
*'"match": true'*'"compared": {"files": 1, "checkpoints": 4}'*) ;;
*) echo "kcheck: FAIL: --json output: $json" >&2; exit 1 ;;
esac
echo "kcheck: corpus matches the live kernel"
