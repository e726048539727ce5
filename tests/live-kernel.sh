# live-kernel.sh - sourced by the tests that use the live kernel as the
# oracle, with $test set to the test's name.  Skips (exit 77) where it
# cannot be: not Linux 6.18 (the policy claims 6.18 only) or not root
# (tracefs, pagemap frame numbers).  No tracefs is found later, by the
# runner, which says so.
case $(uname -r) in
6.18|6.18.*|6.18-*) ;;
*) echo "$test: skipped: the live kernel is $(uname -r), not 6.18" >&2; exit 77 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "$test: skipped: needs root (tracefs, pagemap frame numbers)" >&2
	exit 77
fi
