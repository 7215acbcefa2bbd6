#!/bin/sh
# Interleaved A/B of two ssdd binaries on the same model: ROUNDS rounds of `ssdd bench` (FRAMES passes each),
# alternating old and new, then the median of each side's per-round medians and the least per-round minimum (the
# minimum is the steadier figure when other processes load the machine).
# Usage: tools/bench_ab.sh OLD_BINARY NEW_BINARY [THREADS] [ROUNDS] [FRAMES]   (MODEL=… for another model)
# OLD_ARGS / NEW_ARGS add options to one side's `ssdd bench`, e.g. one binary against itself:
#   OLD_ARGS="--precision fp32" NEW_ARGS="--precision bf16" tools/bench_ab.sh .build/release/ssdd .build/release/ssdd 2
set -eu
old=$1 new=$2 threads=${3:-1} rounds=${4:-6} frames=${5:-40}
model=${MODEL:-models/person.safetensors}
for bin in "$old" "$new"; do [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
    for side in old new; do
        if [ "$side" = old ]; then bin=$old args=${OLD_ARGS:-}; else bin=$new args=${NEW_ARGS:-}; fi
        # shellcheck disable=SC2086 # $args is a list of options
        "$bin" bench $args --model "$model" --threads "$threads" --frames "$frames" --warmup 3 | awk '/^median/ {print $2; print $8 >"/dev/stderr"}' >>"$tmp/$side" 2>>"$tmp/$side.min"
    done
    i=$((i + 1))
done
for side in old new; do
    printf '%s: per-round medians (ms) %s -> median ' "$side" "$(sort -n "$tmp/$side" | tr '\n' ' ')"
    sort -n "$tmp/$side" | awk '{v[NR]=$1} END {printf "%s", (NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
    printf ', least minimum %s ms\n' "$(sort -n "$tmp/$side.min" | head -1)"
done
