#!/bin/sh
# coverage.sh BUILD TEST... - run the test suite with clang's source-based
# coverage and report line and branch coverage of the model (src/mm), the
# policies (src/policy) and the generic containers (src/lib); an HTML
# report goes to BUILD/coverage/index.html.
#
# The figures must not depend on how threads interleave: stress.sh and
# bench.sh (which runs `anonvma stress` too) are left out, and cli.sh's
# short stress run writes its profile to RACY_PROFILE, which is thrown
# away.  tests/test_interleave.c forces, in one thread, the paths those
# runs reach by chance.
#
# It fails if a directory is below MIN_LINES % of lines or MIN_BRANCHES %
# of branches, or if docs/coverage.md and the lines left uncovered differ:
# each uncovered line must be listed there, by file, function and source
# text, with the reason no test reaches it, and nothing else may be.
set -e
build=$1; shift
MIN_LINES=${MIN_LINES:-98}
MIN_BRANCHES=${MIN_BRANCHES:-95}
dirs="src/mm src/policy src/lib"
doc=docs/coverage.md
prof=$build/prof
rm -rf "$prof" "$build/prof-racy" "$build/coverage"
mkdir -p "$prof" "$build/prof-racy"
steady=""
for t in "$@"; do
	case $t in
	stress.sh|bench.sh) echo "coverage: $t left out: what it reaches depends on thread timing" ;;
	*) steady="$steady $t" ;;
	esac
done
# %4m: at most 4 raw profiles per binary, merged as processes exit.
export LLVM_PROFILE_FILE="$PWD/$prof/%4m.profraw"
export RACY_PROFILE="$PWD/$build/prof-racy/%p.profraw"
# shellcheck disable=SC2086
sh scripts/run-tests.sh "$build" $steady || true
rm -rf "$build/prof-racy"
llvm-profdata merge -sparse "$prof"/*.profraw -o "$build/all.profdata"
objects="$build/anonvma"
for t in "$build"/tests/test_*; do objects="$objects -object $t"; done

fail=0
for d in $dirs; do
	# shellcheck disable=SC2086
	llvm-cov report $objects -instr-profile="$build/all.profdata" "$d" |
	awk -v dir="$d" -v minl="$MIN_LINES" -v minb="$MIN_BRANCHES" '
		/^TOTAL/ {
			l = $10; b = $13; sub(/%/, "", l); sub(/%/, "", b)
			printf "coverage: %-10s lines %s (%d of %d), branches %s (%d of %d), functions %s\n",
			       dir, $10, $8 - $9, $8, $13, $11 - $12, $11, $7
			if (l + 0 < minl || b + 0 < minb) {
				printf "coverage: FAIL: %s is below %s %% of lines or %s %% of branches\n",
				       dir, minl, minb
				bad = 1
			}
		}
		END { exit bad }' || fail=1
done

# Every line no test runs, as "FILE|FUNCTION|TEXT" (TEXT with its blanks
# squeezed): from llvm-cov's per-line counts; the function is the last
# definition that began at the left margin.
# shellcheck disable=SC2086
llvm-cov show $objects -instr-profile="$build/all.profdata" $dirs |
awk '
	/^\/.*:$/ { file = $0; sub(/:$/, "", file); sub(/.*\/src\//, "src/", file); next }
	/^ *[0-9]+\|/ {
		count = $0; sub(/^ *[0-9]+\|/, "", count); text = count
		sub(/\|.*/, "", count); gsub(/ /, "", count)
		sub(/^[^|]*\|/, "", text)
		if (text ~ /^[A-Za-z_].*\(/ && text !~ /;[ \t]*$/) {
			fn = text; sub(/\(.*/, "", fn); sub(/.*[ *]/, "", fn)
		}
		if (count == "0") {
			gsub(/[ \t]+/, " ", text); sub(/^ /, "", text); sub(/ $/, "", text)
			print file "|" fn "|" text
		}
	}' | sort > "$build/uncovered.txt"
# The same, from the document: "- `FILE` `FUNCTION()`: `TEXT`".
sed -n 's/^- `\([^`]*\)` `\([^`(]*\)()`: `\(.*\)`[ \t]*$/\1|\2|\3/p' "$doc" |
	sed 's/[ \t][ \t]*/ /g' | sort > "$build/listed.txt"
if ! cmp -s "$build/uncovered.txt" "$build/listed.txt"; then
	comm -23 "$build/uncovered.txt" "$build/listed.txt" |
		awk -v doc="$doc" '{ print "coverage: FAIL: uncovered, not in " doc ": " $0 }'
	comm -13 "$build/uncovered.txt" "$build/listed.txt" |
		awk -v doc="$doc" '{ print "coverage: FAIL: in " doc ", but covered or gone: " $0 }'
	fail=1
else
	echo "coverage: $(wc -l < "$build/uncovered.txt") uncovered lines, each listed in $doc with its reason"
fi

# shellcheck disable=SC2086
llvm-cov show $objects -instr-profile="$build/all.profdata" -format=html \
	-output-dir="$build/coverage" src/lib src/mm src/policy src/api src/port src/scn src/cli > /dev/null
echo "coverage: per-line report in $build/coverage/index.html"
exit $fail
