#!/bin/sh
# fuzz-corpus.sh BUILD TARGET... - fold what the fuzzer found (BUILD/corpus/
# TARGET) into the corpus kept in the repository (fuzz/corpus/TARGET),
# minimised: libFuzzer's merge keeps the smallest inputs that together
# reach every feature (edge, counter, comparison) the union reaches.
set -e
build=$1; shift
for t in "$@"; do
	new=$build/corpus-merged/$t
	rm -rf "$new"
	mkdir -p "$new" "fuzz/corpus/$t" "$build/corpus/$t"
	"$build/fuzz/$t" -merge=1 -max_len=4096 -rss_limit_mb=2048 "$new" \
		"fuzz/corpus/$t" "$build/corpus/$t" > "$build/$t.merge.log" 2>&1
	rm -rf "fuzz/corpus/$t"
	mv "$new" "fuzz/corpus/$t"
	echo "fuzz-corpus: $t: $(ls "fuzz/corpus/$t" | wc -l) inputs, $(du -sb "fuzz/corpus/$t" | cut -f1) bytes"
done
