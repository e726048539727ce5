#!/bin/sh
# record.sh BUILD - `anonvma record` and its recordings.
#
# Everywhere: the recordings of scenarios/recorded/ replay with every
# expect passing, compare reads them, and record's usage errors.  Where the
# live kernel can be the oracle (Linux 6.18, root, tracefs): record small
# programs and replay them, and every way a recording can fail (CMD not
# found, CMD killed, lost events, interrupted, not root) gives its exit
# status and writes nothing.  Skips (77) there otherwise.
build=$1
tool=$build/anonvma
test=record
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { fail=$((fail + 1)); echo "record: FAIL: $*" >&2; }

for f in scenarios/recorded/*.scn; do
	"$tool" run "$f" > /dev/null 2> "$tmp/err" || bad "$f does not replay: $(cat "$tmp/err")"
	grep -q '^expect anon_vma == ' "$f" || bad "$f has no expects"
done
n=$(ls scenarios/recorded/*.scn | wc -l)
[ "$n" -ge 5 ] || bad "scenarios/recorded holds $n recordings, not 5"
json=$("$tool" compare --json scenarios/recorded/prefork-server.scn)
case $json in
*'"policy": "linux-6.18"'*'"aged_at_line": '[1-9]*) ;;
*) bad "compare --json on a recording: $json" ;;
esac

"$tool" record > /dev/null 2>&1; [ $? -eq 2 ] || bad "record without CMD is not a usage error"
"$tool" record --every x -- true > /dev/null 2>&1; [ $? -eq 2 ] || bad "--every x is not a usage error"
"$tool" record -q -- true > /dev/null 2>&1; [ $? -eq 2 ] || bad "an unknown option is not a usage error"
[ $fail -eq 0 ] || exit 1

. tests/live-kernel.sh

# A shell that forks, execs and exits, expects every 10 events.
"$tool" record -o "$tmp/loop.scn" --every 10 -- sh -c 'for i in 1 2 3; do /bin/true; done' \
	> /dev/null 2> "$tmp/err"
rc=$?
[ $rc -eq 77 ] && { echo "record: skipped: $(cat "$tmp/err")" >&2; exit 77; }
[ $rc -eq 0 ] || bad "recording a shell loop: exit $rc: $(cat "$tmp/err")"
grep -q 'all hold under linux-6.18' "$tmp/err" || bad "record did not judge the replay: $(cat "$tmp/err")"
for w in '^proc ' '^v*fork ' '^exec ' '^exit ' '^mmap .* file ' '^write ' '^read ' \
	 '^expect anon_vma == ' '^expect avc == ' '^zero_page o' '^fault_around '; do
	grep -q "$w" "$tmp/loop.scn" || bad "the recording has no line like '$w'"
done
[ "$(grep -c '^exit ' "$tmp/loop.scn")" -eq 4 ] || bad "the loop's recording has not 4 exits"
"$tool" run "$tmp/loop.scn" > /dev/null 2> "$tmp/err" || bad "the recording does not replay: $(cat "$tmp/err")"
# The expects are judged: one changed must fail.
sed '0,/^expect anon_vma == \([0-9]*\)$/s//expect anon_vma == 999/' "$tmp/loop.scn" > "$tmp/wrong.scn"
"$tool" run "$tmp/wrong.scn" > /dev/null 2>&1; [ $? -eq 1 ] || bad "a wrong expect passed"

# Threads (sort sorts in threads), a pipe, and the scenario on stdout.
seq 200000 | sed 's/^/w/' > "$tmp/in.txt"
"$tool" record -- sh -c "sort --parallel=2 -S 64M $tmp/in.txt | uniq -c | head -1" \
	> "$tmp/out.scn" 2> "$tmp/err" || bad "recording sort: $(cat "$tmp/err")"
head -1 "$tmp/out.scn" | grep -q '^# Recorded by anonvma record' || bad "stdout is not the scenario"
grep -q '^ *1 w1$' "$tmp/err" || bad "the program's output did not go to stderr"
"$tool" run "$tmp/out.scn" > /dev/null 2> "$tmp/err" || bad "sort's recording does not replay"

# Failures: an exit status each, nothing written.
nothing() { [ ! -e "$tmp/$1" ] && [ ! -e "$tmp/$1.partial" ] || bad "$2: a file was written"; }
"$tool" record -o "$tmp/a.scn" -- /nonexistent/program > /dev/null 2> "$tmp/err"
rc=$?; [ $rc -eq 127 ] || bad "CMD not found: exit $rc"; nothing a.scn "CMD not found"
"$tool" record -o "$tmp/b.scn" -- sh -c 'kill -9 $$' > /dev/null 2> "$tmp/err"
rc=$?; [ $rc -eq 137 ] || bad "CMD killed: exit $rc"; nothing b.scn "CMD killed"
grep -q 'killed by signal 9' "$tmp/err" || bad "CMD killed: $(cat "$tmp/err")"
ANONVMA_RECORD_TEST_OVERRUN=1 "$tool" record -o "$tmp/c.scn" -- sh -c 'for i in $(seq 30); do /bin/true; done' \
	> /dev/null 2> "$tmp/err"
rc=$?; [ $rc -eq 1 ] || bad "lost events: exit $rc"; nothing c.scn "lost events"
grep -q 'lost .* events' "$tmp/err" || bad "lost events: $(cat "$tmp/err")"
"$tool" record -o "$tmp/d.scn" -- sleep 20 > /dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?; [ $rc -eq 130 ] || bad "interrupted: exit $rc"; nothing d.scn "interrupted"
if command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" record -o "$tmp/e.scn" -- true \
		> /dev/null 2> "$tmp/err"
	rc=$?; [ $rc -eq 77 ] || bad "not root: exit $rc"; nothing e.scn "not root"
fi
ls /sys/kernel/tracing/instances 2>/dev/null | grep -q anonvma-record && bad "a tracing instance was left"
[ $fail -eq 0 ] || exit 1
echo "record: recordings replay; record records, judges and fails cleanly"
