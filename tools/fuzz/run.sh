#!/bin/bash
# Seeds tools/fuzz/corpus-run/ (once) and fuzzes the C bridge with one process.
#   tools/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]      (default 720 s)
# Findings land in tools/fuzz/crash-*, leak-*, timeout-*, oom-*; the log in tools/fuzz/out/run.log.
# Reproduce one:  tools/fuzz/fuzz_codecs tools/fuzz/crash-<sha1>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
secs=${1:-720}
[ $# -gt 0 ] && shift
fuzz=tools/fuzz
corpus=$fuzz/corpus-run
bash $fuzz/build.sh  # always: a stale binary would fuzz yesterday's bridge (the build takes a second)
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
    mkdir -p "$corpus"
    # Generated variants: 4:2:0/4:2:2/4:4:0/4:1:1, progressive, arithmetic, gray, CMYK, YCCK, RGB-coded JPEGs;
    # gray 1/2/4/8/16-bit, alpha, palette (with tRNS), 16-bit, interlaced PNGs.
    $fuzz/out/make_seeds "$corpus"
    # Real files: the smallest thermal JPEGs (640x512 gray) and tinyperson crops (PNG), knob bytes in front.
    thermal=/work/shared/datasets/hit-uav-thermal-test300/images
    negatives=/work/shared/datasets/tinyperson-coast-valid/negatives
    i=0
    for f in $( (ls -S "$thermal"/*.jpg 2>/dev/null || true) | tail -n 4) \
             $( (ls -S "$negatives"/*.png 2>/dev/null || true) | tail -n 4); do
        i=$((i + 1))
        { printf '\000\340'; cat "$f"; } > "$corpus/real-$i-$(basename "$f")"
        { printf '\072\243'; cat "$f"; } > "$corpus/real-$i-crop-$(basename "$f")"
    done
    echo "seeded $(ls "$corpus" | wc -l) files into $corpus"
fi
mkdir -p $fuzz/out
# One process (-jobs/-workers unset); inputs up to 64 KB from the start (-len_control=0: the real 45 KB frames are
# mutated whole, not cut to libFuzzer's slowly growing length limit); 2 GB RSS; one input over 30 s is a timeout.
$fuzz/fuzz_codecs "$corpus" \
    -dict=$fuzz/codecs.dict \
    -max_len=65536 -len_control=0 -rss_limit_mb=2048 -timeout=30 \
    -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix=$fuzz/ "$@" 2>&1 | tee $fuzz/out/run.log
