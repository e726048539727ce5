#!/bin/sh
# record.sh - make the recordings of scenarios/recorded/ again (root).
#
#   sh scenarios/recorded/record.sh [ANONVMA] [OUTDIR]
#
# Five real workloads, each recorded by `anonvma record` on this machine
# and written to OUTDIR (default scenarios/recorded): every recording must
# replay with all its expects passing (record checks it before it
# returns).  The programs are in programs/; what each records:
#   shell-loop       a shell loop that forks 100 short-lived children
#   make-j2          `make -j2` of a small C project (programs/proj)
#   prefork-server   a pre-forking server whose workers exit and are replaced
#   python-forktree  a Python program that forks a tree of workers
#   sort-uniq        the pipeline `sort | uniq -c` over 2,000,000 lines
set -eu
here=$(cd "$(dirname "$0")" && pwd)
anonvma=${1:-$here/../../build/anonvma}
out=${2:-$here}
work=$(mktemp -d /tmp/anonvma-record.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

cc -O2 -o "$work/prefork" "$here/programs/prefork.c"
cp -r "$here/programs/proj" "$work/proj"
make -s -C "$work/proj" clean
cp "$here/programs/forktree.py" "$work/forktree.py"
# The pipeline's input: 2,000,000 words of a 5,000-word vocabulary, the same
# every time (a linear congruential generator).
awk 'BEGIN { x = 1; for (i = 0; i < 2000000; i++) { x = (x * 1103515245 + 12345) % 2147483648;
	print "w" (x % 5000) } }' > "$work/words.txt"

rec() {
	name=$1
	shift
	echo "== $name: $*"
	"$anonvma" record -o "$out/$name.scn" -- "$@" > /dev/null
}
rec shell-loop sh -c 'for i in $(seq 100); do /bin/true; done'
rec make-j2 make -s -C "$work/proj" -j2
rec prefork-server "$work/prefork" 4 400 20
rec python-forktree /usr/bin/python3 "$work/forktree.py" 3 3
rec sort-uniq sh -c "sort $work/words.txt | uniq -c > /dev/null"
