#!/bin/sh
# kcheck-random.sh BUILD - differential testing against the live kernel.
#
# Skips (77) where kcheck does: not Linux 6.18, not root, no tracefs.
# Otherwise:
#  * 200 random scenarios (seed 1) must match under linux-6.18;
#  * the generator must be able to find a real difference: under 2.6.35
#    the same seed must differ, and the shrinker must bring the scenario
#    down to at most 12 commands, saved whole with its header;
#  * a scenario measured by a fresh runner and by the long-lived one must
#    give the same kernel report (the runner stays exact across scenarios).
build=$1
tool=$build/anonvma
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
test=kcheck-random
. tests/live-kernel.sh
fail() { echo "kcheck-random: FAIL: $*" >&2; exit 1; }

"$tool" kcheck --random 200 --seed 1 --save-dir "$tmp" > "$tmp/618.out" 2> "$tmp/618.err"
rc=$?
[ $rc -eq 77 ] && { cat "$tmp/618.err" >&2; exit 77; }
if [ $rc -ne 0 ]; then
	cat "$tmp/618.out" "$tmp/618.err" >&2
	fail "linux-6.18 differs from the live kernel on a random scenario (exit $rc)"
fi
tail -1 "$tmp/618.out"
grep -q '^kcheck: 200 random scenarios matched' "$tmp/618.out" || fail "no summary line"

"$tool" kcheck --random 200 --seed 1 --policy 2.6.35 --save-dir "$tmp" > "$tmp/2635.out" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$tmp/2635.out" >&2; fail "2.6.35 matched the kernel on 200 random scenarios (exit $rc)"; }
saved=$(ls "$tmp"/random-*.scn 2>/dev/null | head -1)
[ -n "$saved" ] || fail "no shrunk scenario was saved"
n=$(grep -cv '^#' "$saved")
[ "$n" -le 12 ] || { cat "$saved" >&2; fail "the shrunk scenario has $n commands, more than 12"; }
grep -q '^# Differences' "$saved" || fail "the saved scenario has no header"
grep -q '^# (zero page .*--seed [0-9]* ' "$saved" || fail "the header gives no seed"
[ -z "$(ls "$tmp"/*.tmp* 2>/dev/null)" ] || fail "a half-written file was left behind"
# The saved file is a scenario kcheck reads, and it still differs.
"$tool" kcheck --policy 2.6.35 "$saved" > /dev/null 2>&1
[ $? -eq 1 ] || fail "the saved scenario does not differ under 2.6.35 when checked again"
echo "kcheck-random: 2.6.35 differs, shrunk to $n commands"

# The long-lived runner against a fresh one, report for report.
for seed in 3 4; do
	"$tool" kcheck --random 1 --seed $seed --json > "$tmp/served.json" 2>/dev/null &&
	"$tool" kcheck --random 1 --seed $seed --json --fresh-runner > "$tmp/fresh.json" 2>/dev/null ||
		fail "seed $seed differs from the kernel with one of the runners"
done
printf 'proc P\nmmap P 0 64K\nwrite P 0 64K\nfork P C\nwrite C 0 8K\nstats\nexit C\nstats\n' > "$tmp/a.scn"
"$build/anonvma-krun" "$tmp/a.scn" > "$tmp/fresh.rep" || fail "anonvma-krun FILE failed"
{ printf 'scenario %d a\n' "$(wc -c < "$tmp/a.scn")"; cat "$tmp/a.scn"
  printf 'scenario %d a\n' "$(wc -c < "$tmp/a.scn")"; cat "$tmp/a.scn"; } |
	"$build/anonvma-krun" --serve > "$tmp/served.rep" || fail "anonvma-krun --serve failed"
cat "$tmp/fresh.rep" "$tmp/fresh.rep" | cmp -s - "$tmp/served.rep" ||
	{ diff "$tmp/fresh.rep" "$tmp/served.rep" >&2; fail "the served reports differ from a fresh runner's"; }
echo "kcheck-random: the long-lived runner reports what a fresh one does"
