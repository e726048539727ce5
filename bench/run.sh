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
for b in fork precision metadata scale locks kcheck record explorer check; do
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
	echo "## Designs side by side"
	echo
	echo "Every design (docs/policies.md) under the same workloads in this one run;"
	echo "each figure with its ratio to linux-6.18's. Metadata per VMA: section 3"
	echo "(bytes at the kernel's object sizes); precision, PTEs found per VMA a walk"
	echo "visits at the largest size: section 2; fork: section 1, 100 VMAs of 16"
	echo "pages; lock wait fraction and stress at 2 threads per process: section 5."
	echo
	sh bench/designs.sh "$out"
	echo
	for s in fork precision metadata scale locks kcheck record explorer check; do cat "$out/$s.md"; done
} > "$out/README.md"
rm -f "$out"/*.md.tmp
echo "bench: results in $out/README.md (${took} s)" >&2
