#!/bin/sh
# bench/run.sh BUILD [--quick] - run every benchmark side by side on this
# machine, then draw the plots (gnuplot) and write the summary,
# bench/results/README.md.  `make bench` is the way in.
set -e
build=$1; shift
quick=${1:-}
out=bench/results
mkdir -p "$out"
start=$(date +%s)
for b in fork precision metadata scale locks kcheck; do
	echo "bench: $b" >&2
	"$build/bench/bench_$b" --out "$out" --anonvma "$build/anonvma" $quick
done
for g in fork precision metadata scale locks; do
	gnuplot -e "dir='$out'" "bench/plots/$g.gp"
done
took=$(( $(date +%s) - start ))
{
	echo "# anonvma benchmarks"
	echo
	echo "Measured by \`make bench\` on $(date -u +%Y-%m-%d): $(nproc) CPUs, Linux"
	echo "$(uname -r), $(${CC:-cc} --version | head -1), in ${took} s. Each section's raw"
	echo "samples, the machine and the command are in its JSON file; the plots are"
	echo "drawn from the .dat files by bench/plots/*.gp."
	echo
	for s in fork precision metadata scale locks kcheck; do cat "$out/$s.md"; done
} > "$out/README.md"
rm -f "$out"/*.md.tmp
echo "bench: results in $out/README.md (${took} s)" >&2
