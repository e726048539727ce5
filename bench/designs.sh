#!/bin/sh
# bench/designs.sh DIR - the designs side by side: every DIR/*.designs file
# ("policy<TAB>metric<TAB>value", written by the benchmarks) as one
# Markdown table, a row per metric, a column per design, each value with
# its ratio to linux-6.18's.  Sections in the order of the summary.
dir=$1
files=
for s in metadata precision fork locks record; do
	[ -s "$dir/$s.designs" ] && files="$files $dir/$s.designs"
done
[ -n "$files" ] || { echo "designs.sh: no .designs files in $dir" >&2; exit 1; }
# shellcheck disable=SC2086
cat $files | awk -F '\t' '
function show(v) {
	if (v >= 1e6) return sprintf("%.2f M", v / 1e6)
	if (v >= 1e4) return sprintf("%.1f k", v / 1e3)
	if (v >= 100) return sprintf("%.0f", v)
	return sprintf("%.3g", v)
}
NF != 3 { printf "designs.sh: bad line: %s\n", $0 > "/dev/stderr"; bad = 1; exit 1 }
{
	if (!($1 in seen_p)) { seen_p[$1] = 1; pol[++np] = $1 }
	if (!($2 in seen_m)) { seen_m[$2] = 1; met[++nm] = $2 }
	val[$1, $2] = $3
}
END {
	if (bad) exit 1
	printf "| metric |"
	for (i = 1; i <= np; i++) printf " %s |", pol[i]
	printf "\n|---|"
	for (i = 1; i <= np; i++) printf "---:|"
	printf "\n"
	for (m = 1; m <= nm; m++) {
		printf "| %s |", met[m]
		ref = val["linux-6.18", met[m]]
		for (i = 1; i <= np; i++) {
			if (!((pol[i], met[m]) in val)) { printf " - |"; continue }
			v = val[pol[i], met[m]]
			if (met[m] ~ /failed/ || ref == "" || ref + 0 == 0 || pol[i] == "linux-6.18")
				printf " %s |", show(v)
			else
				printf " %s (%.2fx) |", show(v), v / ref
		}
		printf "\n"
	}
}'
