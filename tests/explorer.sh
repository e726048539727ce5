#!/bin/sh
# explorer.sh BUILD - the step-through explorer (anonvma run --html) in a
# real browser, and the DOT files.
#
# Everywhere: --dot writes one file per checkpoint, Graphviz reads them
# (where dot is installed), docs/demo.html is what the tool writes now, and
# the options' misuse is refused.  Where headless Chromium runs: the demo
# and two examples (one with --compare) are opened at #selftest, which
# steps through every step; the numbers the page shows at each checkpoint
# must equal `anonvma run --json`'s, and the page must report no script
# error, no console error and no request (its Content-Security-Policy
# blocks any, and the page records each block).  A page with a request and
# an error planted must be caught.  Screenshots of the first and the last
# step are kept in BUILD/artifacts/.  Skips (77) without a browser.
build=$1
tool=$build/anonvma
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { fail=$((fail + 1)); echo "explorer: FAIL: $*" >&2; }

# The committed page for readers who do not build.
"$tool" run --html "$tmp/demo.html" scenarios/examples/demo.scn || bad "--html failed"
cmp -s "$tmp/demo.html" docs/demo.html ||
	bad "docs/demo.html is out of date: anonvma run --html docs/demo.html scenarios/examples/demo.scn"
# DOT: one file per checkpoint, each a digraph.
"$tool" run --dot "$tmp/dot" scenarios/examples/demo.scn || bad "--dot failed"
n=$(ls "$tmp/dot"/*.dot 2>/dev/null | wc -l)
want=$(grep -c '^stats' scenarios/examples/demo.scn)
[ "$n" -eq "$want" ] || bad "--dot wrote $n files for $want checkpoints"
if command -v dot > /dev/null; then
	for f in "$tmp/dot"/*.dot; do
		dot -Tsvg "$f" > "$f.svg" 2> "$tmp/err" || bad "dot -Tsvg $f: $(cat "$tmp/err")"
	done
fi
# Misuse.
"$tool" run --compare lazy scenarios/examples/demo.scn > /dev/null 2>&1
[ $? -eq 2 ] || bad "--compare without --html is not a usage error"
"$tool" run --html "$tmp/x.html" --compare linux-9 scenarios/examples/demo.scn > /dev/null 2>&1
[ $? -eq 2 ] || bad "--compare of an unknown policy is not a usage error"
"$tool" run --html /nonexistent/dir/x.html scenarios/examples/demo.scn > /dev/null 2>&1
[ $? -eq 2 ] || bad "an unwritable --html path is not an error"
[ $fail -eq 0 ] || exit 1

browser=$(command -v chromium || command -v chromium-browser)
if [ -z "$browser" ]; then
	echo "explorer: skipped: no Chromium here (scripts/deps.sh installs Debian's)" >&2
	exit 77
fi
run_browser() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$tmp/profile" "$@" 2>> "$tmp/browser.log"
}
# The page's #selftest report: its JSON, from the DOM.
selftest() {
	run_browser --virtual-time-budget=10000 --dump-dom "file://$1#selftest" |
		sed -n 's/.*<pre id="selftest"[^>]*>\([^<]*\)<\/pre>.*/\1/p'
}
# The seven fields of every point, one line each, from either JSON.
points() {
	tr -d ' \n' | sed 's/{"line"/\n{"line"/g' | grep '^{"line"' | while read -r p; do
		line=
		for f in line anon_vma avc anon_pages anon_ptes zero_ptes swap_ptes file_ptes; do
			v=$(printf '%s' "$p" | sed -n "s/.*\"$f\":\([0-9]*\).*/\1/p")
			line="$line $f=$v"
		done
		echo "$line"
	done
}
mkdir -p "$build/artifacts"
check_page() { # NAME SCENARIO [POLICY2]
	name=$1 scn=$2
	html="$tmp/$name.html"
	if [ -n "${3:-}" ]; then
		"$tool" run --html "$html" --compare "$3" "$scn" || { bad "$name: --html failed"; return; }
	else
		"$tool" run --html "$html" "$scn" || { bad "$name: --html failed"; return; }
	fi
	report=$(selftest "$html")
	[ -n "$report" ] || { bad "$name: the page wrote no selftest report"; return; }
	case $report in
	*'"problems":[]'*) ;;
	*) bad "$name: the page reported problems: $report" ;;
	esac
	printf '%s' "$report" | points > "$tmp/$name.page"
	"$tool" run --json "$scn" 2> /dev/null | points > "$tmp/$name.json"
	[ -s "$tmp/$name.json" ] || bad "$name: --json printed no points"
	cmp -s "$tmp/$name.page" "$tmp/$name.json" ||
		bad "$name: the page's checkpoints differ from --json: $(diff "$tmp/$name.json" "$tmp/$name.page")"
	steps=$(printf '%s' "$report" | sed -n 's/.*"steps":\([0-9]*\).*/\1/p')
	run_browser --window-size=1400,900 --screenshot="$build/artifacts/explorer-$name-first.png" \
		"file://$html#step=0" > /dev/null
	run_browser --window-size=1400,900 --screenshot="$build/artifacts/explorer-$name-last.png" \
		"file://$html#step=$((steps - 1))" > /dev/null
	for s in first last; do
		[ -s "$build/artifacts/explorer-$name-$s.png" ] || bad "$name: no screenshot of the $s step"
	done
}
check_page demo scenarios/examples/demo.scn
[ -s "$tmp/demo.page" ] || { echo "explorer: skipped: the browser does not run here: $(tail -3 "$tmp/browser.log")" >&2; exit 77; }
check_page fork-chain scenarios/examples/01-fork-chain.scn lazy
check_page process-memory scenarios/examples/20-process-memory.scn
# Hostile text: a narration that would end the page's script.
printf '## "</script><script>window.pwned = 1; console.error("pwned")</script> & <b>\nproc P\nmmap P 0x1000 4K\nwrite P 0x1000\nstats\n' \
	> "$tmp/hostile.scn"
check_page hostile "$tmp/hostile.scn"
grep -q 'pwned' "$tmp/hostile.html" && ! grep -q '<script>window.pwned' "$tmp/hostile.html" ||
	bad "hostile narration: not escaped in the page"

# The checks can fail: a request and an error planted in a page are caught.
sed 's|</body>|<img src="http://192.0.2.1/x.png"><script>undefinedFunction();</script></body>|' \
	"$tmp/demo.html" > "$tmp/planted.html"
report=$(selftest "$tmp/planted.html")
case $report in
*'blocked request'*'http://192.0.2.1/x.png'*|*'http://192.0.2.1/x.png'*'blocked request'*) ;;
*) bad "a planted request was not caught: $report" ;;
esac
case $report in
*'undefinedFunction'*) ;;
*) bad "a planted script error was not caught: $report" ;;
esac
[ $fail -eq 0 ] || exit 1
echo "explorer: 4 pages (one hostile) step through in Chromium and show --json's numbers; screenshots in $build/artifacts"
