#!/bin/sh
# cli.sh BUILD [update] - tests of the anonvma tool.
#
#  * every scenarios/examples/*.scn against its golden text and JSON output
#    (tests/golden/NAME.txt, NAME.json);
#  * every tests/bad/*.scn against its exact stderr and exit status
#    (tests/bad/NAME.expected: "exit N" then the stderr lines; options
#    for `anonvma run`, if any, in tests/bad/NAME.args);
#  * every scenarios/kernel/*.scn: its expects, measured on Linux, hold;
#  * the built-in demo against scenarios/examples/demo.scn;
#  * command-line usage errors.
# With `update`, the golden and expected files are rewritten instead:
# review the diff before committing.
build=$1
mode=${2:-check}
tool=$build/anonvma
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli: FAIL: $*" >&2; }

# compare NAME EXPECTED-FILE ACTUAL-FILE
compare() {
	if [ "$mode" = update ]; then
		cp "$3" "$2"
		ok
	elif [ -f "$2" ] && cmp -s "$2" "$3"; then
		ok
	else
		bad "$1"
		[ -f "$2" ] && diff -u "$2" "$3" | head -20 >&2
	fi
}

# capture OUT-FILE CMD...: stdout, stderr and exit status in one file
capture() {
	out=$1; shift
	"$@" > "$tmp/stdout" 2> "$tmp/stderr"
	rc=$?
	{ cat "$tmp/stdout"; echo "--- stderr"; cat "$tmp/stderr"; echo "--- exit $rc"; } > "$out"
}

mkdir -p tests/golden
for f in scenarios/examples/*.scn; do
	n=$(basename "$f" .scn)
	trace=""
	[ "$n" = demo ] && trace=--trace
	capture "$tmp/$n.txt" "$tool" run --check $trace "$f"
	compare "$n (text)" "tests/golden/$n.txt" "$tmp/$n.txt"
	capture "$tmp/$n.json" "$tool" run --json "$f"
	compare "$n (json)" "tests/golden/$n.json" "$tmp/$n.json"
done

# The kernel corpus: expects measured on the live kernel must hold.
for f in scenarios/kernel/*.scn; do
	if "$tool" run --check --policy linux-6.18 --zero-page on "$f" > /dev/null 2> "$tmp/err"; then
		ok
	else
		bad "kernel corpus: $f"
		cat "$tmp/err" >&2
	fi
done

for f in tests/bad/*.scn; do
	n=$(basename "$f" .scn)
	args=$(cat "tests/bad/$n.args" 2>/dev/null)
	"$tool" run $args "$f" > /dev/null 2> "$tmp/err"
	rc=$?
	{ echo "exit $rc"; cat "$tmp/err"; } > "$tmp/$n.expected"
	compare "bad/$n" "tests/bad/$n.expected" "$tmp/$n.expected"
done

# CVE-2022-42703: under 3.19 av_check names the double reuse (the golden
# above); run on without --check, the walk that meets the freed anon_vma
# is caught by the file's own check; under linux-6.18 it all passes.
cve=scenarios/examples/cve-2022-42703.scn
"$tool" run "$cve" > /dev/null 2> "$tmp/err"
if [ $? -eq 1 ] && grep -q ":61: check failed: av_check: a walk found page 3 mapped, but its anon_vma 5 dead" "$tmp/err"; then
	ok
else
	bad "cve-2022-42703 under 3.19 without --check: $(cat "$tmp/err")"
fi
if "$tool" run --policy linux-6.18 --check "$cve" > /dev/null 2> "$tmp/err"; then
	ok
else
	bad "cve-2022-42703 under linux-6.18: $(cat "$tmp/err")"
fi

# The demo is demo.scn, traced and checked.
"$tool" > "$tmp/demo1" 2>&1
"$tool" run --trace --check scenarios/examples/demo.scn > "$tmp/demo2" 2>&1
if cmp -s "$tmp/demo1" "$tmp/demo2"; then ok; else bad "demo differs from demo.scn"; fi

# usage EXPECTED-STATUS ARGS...
usage() {
	want=$1; shift
	"$tool" "$@" > /dev/null 2>&1 < /dev/null
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else bad "anonvma $* exited $rc, want $want"; fi
}
usage 0 --help
usage 0 --version

# --version: the first line as scripts read it (tests/bench.sh), then the
# model's object sizes, within issue 17's ceilings: anon_vma <= 130 bytes,
# anon_vma_chain <= 80 (the kernel's are 104 and 64).
"$tool" --version > "$tmp/version" 2>&1
if head -n 1 "$tmp/version" |
   grep -Eqx 'anonvma [0-9]+\.[0-9]+\.[0-9]+ \(policies: ([a-z0-9.-]+, )*linux-6\.18(, [a-z0-9.-]+)*\)'; then
	ok
else
	bad "--version first line: $(head -n 1 "$tmp/version")"
fi
if awk '$1 == "anon_vma" { av = $2 } $1 == "anon_vma_chain" { avc = $2 }
	$1 == "vma" { vma = $3 } $1 == "page" { page = $2 }
	END { exit !(av > 0 && av <= 130 && avc > 0 && avc <= 80 && vma > 0 && page > 0) }' \
	"$tmp/version"; then
	ok
else
	bad "--version sizes: $(cat "$tmp/version")"
fi

usage 0 fields
usage 2 frob
usage 2 run
usage 2 run --policy
usage 2 run --policy linux-9 scenarios/examples/01-fork-chain.scn
usage 2 run --zero-page maybe scenarios/examples/01-fork-chain.scn
usage 2 run --bogus scenarios/examples/01-fork-chain.scn
usage 2 run /nonexistent.scn
usage 2 run a.scn b.scn
usage 2 demo extra
usage 2 kcheck
usage 2 kcheck --runs 0 scenarios/kernel/k01-fork-cow-exit.scn
usage 2 kcheck --policy linux-9 scenarios/kernel/k01-fork-cow-exit.scn
usage 2 kcheck --bogus scenarios/kernel/k01-fork-cow-exit.scn
usage 2 kcheck --random
usage 2 kcheck --random 0
usage 2 kcheck --random lots
usage 2 kcheck --random 5 scenarios/kernel/k01-fork-cow-exit.scn
usage 2 kcheck --random 5 --ops 1
usage 2 kcheck --random 5 --procs 0
usage 2 kcheck --random 5 --procs 65
usage 2 kcheck --random 5 --seed -1
usage 2 kcheck --seed 5 scenarios/kernel/k01-fork-cow-exit.scn
usage 2 kcheck --save-dir /tmp scenarios/kernel/k01-fork-cow-exit.scn
usage 2 stress --threads 0
usage 2 stress --lock maybe
usage 2 stress --seconds
usage 2 stress --policy linux-9
# Threads: what this run reaches depends on how they interleave, so make
# coverage sends its profile to RACY_PROFILE, out of the figures
# (scripts/coverage.sh; tests/test_interleave.c forces those paths).
if [ -n "${RACY_PROFILE:-}" ]; then
	LLVM_PROFILE_FILE=$RACY_PROFILE usage 0 stress --seconds 0.3 --threads 1 --walkers 1
else
	usage 0 stress --seconds 0.3 --threads 1 --walkers 1
fi
usage 0 run --policy=2.6.35 --zero-page=off --check scenarios/examples/01-fork-chain.scn
usage 0 run - 
usage 2 run --fault-around 3 scenarios/examples/01-fork-chain.scn
usage 0 run --fault-around 1 scenarios/examples/20-process-memory.scn
usage 2 compare
usage 2 compare --policy linux-9 scenarios/examples/02-fan-out.scn
usage 2 compare --policy lazy,lazy scenarios/examples/02-fan-out.scn
usage 2 compare --policy , scenarios/examples/02-fan-out.scn
usage 2 compare --bogus scenarios/examples/02-fan-out.scn
usage 2 compare scenarios/examples/02-fan-out.scn scenarios/examples/01-fork-chain.scn
usage 0 compare --policy 2.6.33,lazy --zero-page off --fault-around 4 scenarios/examples/02-fan-out.scn
usage 2 run --max-memory lots scenarios/examples/01-fork-chain.scn
usage 2 run --fail-alloc scenarios/examples/01-fork-chain.scn
usage 1 run --max-memory 0 --fail-alloc-from 9 scenarios/examples/01-fork-chain.scn

# A file of more than 1,000,000 commands is refused (generated: 6 MB).
{ echo "proc P"; yes stats | head -n 1000000; } | "$tool" run - > /dev/null 2> "$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "<stdin>:1000001:1: more than 1000000 commands" ]; then
	ok
else
	bad "1,000,001 commands: exit $rc, $(cat "$tmp/err")"
fi

# --fail-alloc: the refused allocation is reported as ENOMEM, marked.
if "$tool" run --fail-alloc 12 scenarios/examples/01-fork-chain.scn 2>&1 >/dev/null |
	grep -q ": ENOMEM (--fail-alloc)$"; then
	ok
else
	bad "--fail-alloc 12 reports no marked ENOMEM"
fi
if printf 'proc P\nmmap P 0 4K\nstats\n' | "$tool" run --json - | grep -q '"anon_vma": 0'; then
	ok
else
	bad "scenario from stdin"
fi

# compare: a row per design, in the order asked; the recorded expects of
# one design are not judged under another (the CVE file passes).
"$tool" compare --policy lazy,2.6.33 scenarios/examples/02-fan-out.scn > "$tmp/cmp" 2>&1
if [ "$(awk 'NR > 2 { print $1 }' "$tmp/cmp" | tr '\n' ' ')" = "lazy 2.6.33 " ]; then
	ok
else
	bad "compare rows: $(cat "$tmp/cmp")"
fi
if "$tool" compare --json scenarios/examples/cve-2022-42703.scn > "$tmp/cmp" &&
	[ "$(grep -c '"policy"' "$tmp/cmp")" -eq 7 ]; then
	ok
else
	bad "compare --json of the CVE file under every design"
fi

# A build without its libraries (here: hidden by -nostdinc) stops at once
# with one line naming the command that installs them; `make test` is not
# held up by it (it installs them first).
out=$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -n CPPFLAGS=-nostdinc 2>&1)
if [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && printf '%s' "$out" | grep -q 'missing liburcu cmocka: run `make deps`'; then
	ok
else
	bad "make without its libraries: $out"
fi
if env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -n test CPPFLAGS=-nostdinc 2>&1 | grep -q deps.sh; then
	ok
else
	bad "make test is held up by the missing-library check"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
