#!/bin/sh
# kcheck-mutants.sh [N] - how good is `anonvma kcheck --random` at finding
# model bugs?  Each scripts/mutants/NAME.patch plants one deliberate bug in
# the linux-6.18 model (its first line says which).  For each: copy the
# tree, apply the patch, build the tool, and compare up to N (default 2000)
# random scenarios from seed 1 with the live kernel through the real runner.
# Prints, per mutant, after how many scenarios it was found and how small
# the shrunk scenario is.  Needs root on Linux 6.18, like kcheck; takes a
# few minutes.  Exit status 1 if a mutant went unnoticed or no longer
# applies (the model changed: update its patch).
set -u
n=${1:-2000}
top=$(cd "$(dirname "$0")/.." && pwd)
runner=$top/build/anonvma-krun
[ -x "$runner" ] || { echo "kcheck-mutants: build first (make)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
missed=0
printf '%-30s %-10s %s\n' mutant found shrunk
for patch in "$top"/scripts/mutants/*.patch; do
	name=$(basename "$patch" .patch)
	rm -rf "$tmp/src"
	mkdir -p "$tmp/src"
	(cd "$top" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$tmp/src"
	if ! (cd "$tmp/src" && git apply "$patch" 2>/dev/null); then
		printf '%-30s %s\n' "$name" "does not apply any more"
		missed=1
		continue
	fi
	if ! make -C "$tmp/src" -j2 build/anonvma > "$tmp/build.log" 2>&1; then
		printf '%-30s %s\n' "$name" "does not build"
		missed=1
		continue
	fi
	ANONVMA_KRUN=$runner "$tmp/src/build/anonvma" kcheck --random "$n" --seed 1 \
		> "$tmp/out" 2> /dev/null
	rc=$?
	seed=$(sed -n 's/^kcheck: scenario with seed \([0-9]*\) differs.*/\1/p' "$tmp/out")
	size=$(sed -n 's/^kcheck: shrunk from [0-9]* to \([0-9]*\) commands.*/\1/p' "$tmp/out")
	if [ $rc -eq 1 ] && [ -n "$seed" ]; then
		printf '%-30s %-10s %s commands\n' "$name" "after $seed" "$size"
	elif [ $rc -eq 77 ]; then
		echo "kcheck-mutants: skipped: the live kernel cannot be measured here" >&2
		exit 77
	else
		printf '%-30s %s\n' "$name" "NOT FOUND in $n scenarios (exit $rc)"
		missed=1
	fi
done
exit $missed
