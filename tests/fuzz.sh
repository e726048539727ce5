#!/bin/sh
# fuzz.sh BUILD - `make test`'s fuzzing: every saved crash input of each
# libFuzzer target must pass, then each target runs 30 s (FUZZ_TEST_SECONDS)
# under ASan+UBSan.  The fuzzers live in build-fuzz (make test builds them;
# BUILD is not used: they always carry the sanitizers).
if [ ! -x build-fuzz/fuzz/fuzz_scenario ] || [ ! -x build-fuzz/fuzz/fuzz_ops ] ||
   [ ! -x build-fuzz/fuzz/scn2ops ]; then
	echo "fuzz: build-fuzz/fuzz/* missing (make test or make fuzz builds them)" >&2
	exit 1
fi
exec sh scripts/fuzz.sh build-fuzz "${FUZZ_TEST_SECONDS:-30}" fuzz_scenario fuzz_ops
