#!/bin/sh
# embed.sh NAME FILE: print a C file defining `const char NAME[]` with
# FILE's text, so one scenario file is both an example and the built-in demo.
set -e
echo "/* Generated from $2 by scripts/embed.sh: edit that file. */"
echo "#include \"cli/demo.h\""
echo "const char $1[] ="
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
echo ";"
