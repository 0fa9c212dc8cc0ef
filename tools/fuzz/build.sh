#!/bin/bash
# Builds the libFuzzer harness over the C bridge (tools/fuzz/fuzz_codecs) and the seed writer
# (tools/fuzz/out/make_seeds). Run from anywhere; needs the Swift toolchain's clang and libjpeg/libpng dev files.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
CC=${CC:-/opt/swift/usr/bin/clang}
mkdir -p tools/fuzz/out
# -fno-sanitize-recover: an undefined-behaviour report stops the run and leaves a crash-* file, like ASan does.
# -fuse-ld=lld: the default gold linker warns about every ASan helper symbol.
$CC -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fuse-ld=lld \
    -I Sources/CCodecs/include -I Sources/CCodecs \
    tools/fuzz/fuzz_codecs.c Sources/CCodecs/*.c \
    -ljpeg -lpng16 -o tools/fuzz/fuzz_codecs
# The seed writer is a plain program (no sanitizers): it only writes files.
$CC -O1 tools/fuzz/make_seeds.c -ljpeg -lpng16 -o tools/fuzz/out/make_seeds
echo "built tools/fuzz/fuzz_codecs and tools/fuzz/out/make_seeds"
