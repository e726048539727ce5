#!/bin/sh
# embed.sh NAME FILE [HEADER]: print a C file defining `const char NAME[]`
# with FILE's text (HEADER declares it; default cli/demo.h), so one scenario
# file is both an example and the built-in demo, and the explorer's page is
# an HTML file of its own.
set -e
echo "/* Generated from $2 by scripts/embed.sh: edit that file. */"
echo "#include \"${3:-cli/demo.h}\""
echo "const char $1[] ="
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
echo ";"
