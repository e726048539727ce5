#!/bin/sh
# layering.sh BUILD - the source folders form no circle.
#
# Order: lib, port, mm, policy, api, scn, krun, cli.  A folder may use a
# folder before it, never one after it: checked on what it includes
# (#include "../DIR/...") and on what its objects call (every symbol an
# object needs that the project defines must be defined in its own folder
# or an earlier one).  See README.md, Layout.
build=$1
order="lib port mm policy api scn krun cli"
fail=0

# Includes.
for dir in $order; do
	grep -H '^#include "\.\./[a-z]*/' src/"$dir"/*.[ch] 2>/dev/null
done | awk -v order="$order" '
	BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i }
	{
		split($0, p, "/"); dir = p[2]
		dep = $0; sub(/.*#include "\.\.\//, "", dep); sub(/\/.*/, "", dep)
		file = $0; sub(/:.*/, "", file)
		if (!(dep in rank) || rank[dep] > rank[dir])
			printf "layering: FAIL: %s includes src/%s, which comes after src/%s\n", file, dep, dir
	}' > "$build/layering-includes.txt"
if [ -s "$build/layering-includes.txt" ]; then
	cat "$build/layering-includes.txt" >&2
	fail=1
fi
rm -f "$build/layering-includes.txt"

# Calls: where each global symbol is defined, then what each object needs.
# Only objects of sources that still exist: a build directory may keep
# objects of files since moved.
objs=$(find "$build/src" "$build/krun-obj/src" -name '*.o' 2>/dev/null |
       while read -r o; do
	       src=src/${o#*/src/}; [ -f "${src%.o}.c" ] && echo "$o"
       done)
[ -n "$objs" ] || { echo "layering: no objects in $build (make first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One nm each: "OBJECT:ADDR TYPE SYMBOL" defined, "OBJECT: U SYMBOL" needed;
# into "D|U SYMBOL DIR OBJECT".
{
	# shellcheck disable=SC2086
	nm -A -g --defined-only $objs | awk '{ print "D", $3, $1 }'
	# shellcheck disable=SC2086
	nm -A -u $objs | awk '{ print "U", $3, $1 }'
} | awk '{ o = $3; sub(/:.*/, "", o); d = o; sub(/.*\/src\//, "", d); sub(/\/.*/, "", d)
	   print $1, $2, d, o }' > "$tmp/syms"
awk -v order="$order" '
	BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i }
	$1 == "D" { def[$2] = def[$2] " " $3; next }
	{ need[++k] = $0 }
	END {
		for (i = 1; i <= k; i++) {
			split(need[i], f, " ")
			m = split(def[f[2]], ds, " ")
			for (j = 1; j <= m; j++)
				if (rank[ds[j]] > rank[f[3]])
					printf "layering: FAIL: %s (src/%s) uses %s from src/%s, which comes after it\n",
					       f[4], f[3], f[2], ds[j]
		}
	}' "$tmp/syms" > "$tmp/bad"
if [ -s "$tmp/bad" ]; then
	cat "$tmp/bad" >&2
	fail=1
fi
[ $fail -eq 0 ] && echo "layering: $order: no folder uses a later one"
exit $fail
