#!/bin/sh
# Throughput with and without the Kafka output, same machine, same clip, alternating runs (file only and file +
# Kafka, ROUNDS times, the order swapped every round): N file streams of darknet's person photo panned (640x480 H.264), processed as fast as
# possible; Kafka goes to librdkafka's mock cluster (tools/kafka_mock_cluster.c, 3 brokers) or to KAFKA_BROKERS.
# Wall-clock throughput is sensitive to whatever else runs on the machine; the daemon's CPU time per frame (user +
# system, /usr/bin/time) is printed too, as the steadier measure of what the output costs.
# Usage: [BIN=.build/release/ssdd] [MODEL=models/person.safetensors] [SECONDS_OF_CLIP=8] [ROUNDS=2] tools/bench_kafka.sh [STREAMS=4]
set -eu
N=${1:-4}
BIN=${BIN:-.build/release/ssdd}
MODEL=${MODEL:-models/person.safetensors}
CLIP=${SECONDS_OF_CLIP:-8}
ROUNDS=${ROUNDS:-2}
case $MODEL in /*) ;; *) MODEL="$PWD/$MODEL" ;; esac
dir=$(mktemp -d /tmp/ssdd-bench-kafka.XXXXXX)
ffmpeg -v error -y -loop 1 -framerate 25 -i /usr/share/darknet/data/person.jpg -t "$CLIP" \
  -vf "scale=960:636,crop=640:480:x='min(320\,n)':y=80,format=yuv420p" -c:v libx264 -preset veryfast "$dir/person.mp4"

mock=""
if [ -z "${KAFKA_BROKERS:-}" ]; then
  cc -O2 -o "$dir/kafka_mock_cluster" tools/kafka_mock_cluster.c -lrdkafka
  mkfifo "$dir/hold"
  "$dir/kafka_mock_cluster" 3 bench 4 < "$dir/hold" > "$dir/bootstraps" &
  mock=$!
  exec 9> "$dir/hold"   # the cluster runs until this descriptor closes
  while [ ! -s "$dir/bootstraps" ]; do sleep 0.1; done
  KAFKA_BROKERS=$(head -1 "$dir/bootstraps")
fi
brokers=$(echo "$KAFKA_BROKERS" | sed 's/\([^,]*\)/"\1"/g')

config() { # $1 = run name, $2 = with kafka (yes|no)
  printf '[model]\npath = "%s"\n[workers]\ncount = 2\nthreads = 1\n' "$MODEL"
  i=0
  while [ $i -lt $N ]; do
    printf '[[streams]]\nname = "s%d"\nurl = "%s"\n' $i "$dir/person.mp4"
    i=$((i + 1))
  done
  printf '[output.file]\npath = "%s/out-%s.jsonl"\n' "$dir" "$1"
  [ "$2" = no ] || printf '[output.kafka]\nbrokers = [%s]\ntopic = "bench"\n' "$brokers"
}

run() { # $1 = run name, $2 = with kafka
  config "$1" "$2" > "$dir/$1.toml"
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$dir/$1.cpu" "$BIN" run --config "$dir/$1.toml" 2> "$dir/$1.log" || {
    echo "the daemon failed; $dir/$1.log:" >&2; tail -5 "$dir/$1.log" >&2; exit 1; }
  end=$(date +%s.%N)
  frames=$(grep -c '"kind":"frame"' "$dir/out-$1.jsonl")
  fps=$(echo "scale=2; $frames / ($end - $start)" | bc)
  cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$dir/$1.cpu")
  echo "$1: $N file stream(s), kafka=$2: $frames frames in $(echo "$end - $start" | bc) s = $fps frames/s, $cpu CPU s ($(echo "scale=2; $cpu * 1000 / $frames" | bc) CPU ms/frame) $(grep -o 'delivered=[0-9]* dropped=[0-9]* failed=[0-9]*' "$dir/$1.log" | tail -1)"
  echo "$2 $fps $cpu $frames" >> "$dir/results"
}

r=1
while [ $r -le "$ROUNDS" ]; do
  if [ $((r % 2)) -eq 1 ]; then run "file-$r" no; run "kafka-$r" yes; else run "kafka-$r" yes; run "file-$r" no; fi
  r=$((r + 1))
done
awk '{ s[$1] += $2; c[$1] += $3; fr[$1] += $4; n[$1]++ } END { f = s["no"] / n["no"]; k = s["yes"] / n["yes"];
  cf = c["no"] * 1000 / fr["no"]; ck = c["yes"] * 1000 / fr["yes"];
  printf "mean: file only %.2f frames/s, file + kafka %.2f frames/s (%+.1f%%); CPU per frame %.2f ms vs %.2f ms (%+.1f%%)\n",
    f, k, (k - f) / f * 100, cf, ck, (ck - cf) / cf * 100 }' "$dir/results"
if [ -n "$mock" ]; then exec 9>&-; wait "$mock" || true; fi
echo "logs and outputs in $dir"
