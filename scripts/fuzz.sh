#!/bin/sh
# fuzz.sh BUILD SECONDS TARGET... - run each libFuzzer target for SECONDS.
#
# First every saved crash input in fuzz/regress/TARGET/ must now pass.
# The corpus of fuzz_scenario starts from every scenario in scenarios/;
# fuzz_ops starts from fuzz/seeds/fuzz_ops/.  New inputs the fuzzer finds
# go to BUILD/corpus/TARGET (kept between runs), a crash to
# BUILD/crash/TARGET-*: copy it to fuzz/regress/TARGET/ once fixed.
build=$1 seconds=$2; shift 2
fail=0
for t in "$@"; do
	bin=$build/fuzz/$t
	corpus=$build/corpus/$t
	mkdir -p "$corpus" "$build/crash"
	case $t in
	# The seeds: every scenario but the recordings (a megabyte each would
	# raise libFuzzer's input size to theirs and slow every run).
	fuzz_scenario) find scenarios -name '*.scn' -size -64k -exec cp {} "$corpus"/ \; ;;
	*) [ -d "fuzz/seeds/$t" ] && cp "fuzz/seeds/$t"/* "$corpus"/ ;;
	esac
	regress=$(ls fuzz/regress/"$t"/* 2>/dev/null)
	if [ -n "$regress" ] && ! "$bin" $regress > "$build/$t.regress.log" 2>&1; then
		echo "fuzz: $t: a saved crash input fails again:" >&2
		tail -30 "$build/$t.regress.log" >&2
		fail=1
		continue
	fi
	if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
	     -print_final_stats=1 -artifact_prefix="$build/crash/$t-" "$corpus" \
	     > "$build/$t.log" 2>&1; then
		echo "fuzz: $t: FAILED (input in $build/crash/):" >&2
		grep -v "^#" "$build/$t.log" | tail -40 >&2
		fail=1
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$t.log")
	cov=$(grep -o "cov: [0-9]*" "$build/$t.log" | tail -1)
	echo "fuzz: $t: $execs executions in ${seconds} s, $cov, $(ls "$corpus" | wc -l) corpus inputs, no crash"
done
exit $fail
