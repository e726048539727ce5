#!/bin/sh
# fuzz.sh BUILD SECONDS TARGET... - run each libFuzzer target for SECONDS.
#
# First every saved crash input in fuzz/regress/TARGET/ must now pass.
# Every run starts from the minimised corpus kept in fuzz/corpus/TARGET/,
# and from the scenarios (under 64 KiB): as they are for fuzz_scenario,
# translated to the byte form (BUILD/fuzz/scn2ops) for fuzz_ops.  New
# inputs the fuzzer finds go to BUILD/corpus/TARGET (kept between runs;
# scripts/fuzz-corpus.sh folds them into fuzz/corpus), a crash to
# BUILD/crash/TARGET-*: copy it to fuzz/regress/TARGET/ once fixed.
build=$1 seconds=$2; shift 2
fail=0
for t in "$@"; do
	bin=$build/fuzz/$t
	corpus=$build/corpus/$t
	seeds=$build/seeds/$t
	rm -rf "$seeds"
	mkdir -p "$corpus" "$seeds" "$build/crash"
	# Not the recordings: a megabyte each would raise libFuzzer's input
	# size to theirs and slow every run.
	scns=$(find scenarios -name '*.scn' -size -64k | sort)
	# shellcheck disable=SC2086
	case $t in
	fuzz_scenario) cp $scns "$seeds"/ ;;
	fuzz_ops) "$build/fuzz/scn2ops" "$seeds" $scns || fail=1 ;;
	esac
	# The target's own flags (fuzz/TARGET.flags), after the common ones.
	flags=$(sed 's/#.*//' "fuzz/$t.flags" 2>/dev/null || true)
	regress=$(ls fuzz/regress/"$t"/* 2>/dev/null)
	# shellcheck disable=SC2086
	if [ -n "$regress" ] && ! "$bin" -timeout=10 $regress > "$build/$t.regress.log" 2>&1; then
		echo "fuzz: $t: a saved crash input fails again:" >&2
		tail -30 "$build/$t.regress.log" >&2
		fail=1
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
	     -print_final_stats=1 -artifact_prefix="$build/crash/$t-" $flags \
	     "$corpus" "fuzz/corpus/$t" "$seeds" > "$build/$t.log" 2>&1; then
		echo "fuzz: $t: FAILED (input in $build/crash/):" >&2
		grep -v "^#" "$build/$t.log" | tail -40 >&2
		fail=1
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$t.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$build/$t.log")
	cov=$(grep -o "cov: [0-9]*" "$build/$t.log" | tail -1)
	echo "fuzz: $t: $execs executions in ${seconds} s ($rate/s), $cov, $(ls "$corpus" | wc -l) new corpus inputs, no crash"
done
exit $fail
