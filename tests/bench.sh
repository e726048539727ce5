#!/bin/sh
# bench.sh BUILD - the benchmarks still run: each program in its --quick
# form (small sizes, one run) must finish and write its JSON, data and
# Markdown.  Nothing is timed or compared here: figures belong to
# `make bench`.
build=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for b in fork precision metadata scale locks kcheck record explorer; do
	if ! "$build/bench/bench_$b" --quick --runs 1 --out "$out" --anonvma "$build/anonvma" \
	     > "$out/$b.log" 2>&1; then
		echo "bench: FAIL: bench_$b --quick:" >&2
		tail -5 "$out/$b.log" >&2
		fail=1
		continue
	fi
	for ext in json dat md; do
		if [ ! -s "$out/$b.$ext" ]; then
			echo "bench: FAIL: bench_$b wrote no $b.$ext" >&2
			fail=1
		fi
	done
	grep -q '"results": \[\|"skipped": ' "$out/$b.json" || { echo "bench: FAIL: $b.json has no results" >&2; fail=1; }
done
# The designs table: a row per metric, a figure for every design.
npolicies=$("$build/anonvma" --version | head -n 1 | sed 's/.*policies: //; s/)//' | tr ',' '\n' | wc -l)
if ! sh bench/designs.sh "$out" > "$out/designs.md"; then
	echo "bench: FAIL: bench/designs.sh" >&2
	fail=1
elif awk -F '|' -v n="$npolicies" 'NR > 2 && (NF - 3 != n || / - \|/) { bad = 1 }
				       END { exit bad || NR < 20 }' "$out/designs.md"; then
	:
else
	echo "bench: FAIL: the designs table has a row without a cell per design ($npolicies):" >&2
	cat "$out/designs.md" >&2
	fail=1
fi
[ $fail -eq 0 ] && echo "bench: all 8 benchmarks run (--quick), the designs table whole"
exit $fail
