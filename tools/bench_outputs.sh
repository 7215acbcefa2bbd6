#!/bin/sh
# What outputs and events cost: N file streams of a 640x480 H.264 clip (darknet's person photo panned) processed as fast
# as possible, in alternating runs of up to three variants, ROUNDS times each; prints frames/s and the daemon's CPU
# seconds per run, then the medians relative to `file`:
#   file      [output.file] only
#   brokers   + [output.mqtt] (a local mosquitto started here; kinds incl. frames, frigate and homeassistant on)
#             + [output.kafka] (librdkafka's mock cluster, 3 brokers, built from tools/kafka_mock_cluster.c; all kinds)
#   pictures  + a zone (with loitering) and a line per stream, and [output.snapshots] (crop, latest.jpg once a second)
# Usage: [MODEL=models/person.safetensors] [WORKERS=2] [ROUNDS=3] [VARIANTS="file brokers pictures"] \
#          tools/bench_outputs.sh [STREAMS=4]
set -eu
N=${1:-4}
ROUNDS=${ROUNDS:-3}
VARIANTS=${VARIANTS:-file brokers pictures}
case "$N$ROUNDS" in *[!0-9]* | '') echo "STREAMS and ROUNDS must be whole numbers" >&2; exit 2 ;; esac
[ "$N" -ge 1 ] && [ "$ROUNDS" -ge 1 ] || { echo "STREAMS and ROUNDS must be at least 1" >&2; exit 2; }
BIN=${BIN:-.build/release/ssdd}
MODEL=${MODEL:-models/person.safetensors}
WORKERS=${WORKERS:-2}
case $MODEL in /*) ;; *) MODEL="$PWD/$MODEL" ;; esac
dir=$(mktemp -d /tmp/ssdd-bench-outputs.XXXXXX)
ffmpeg -v error -y -loop 1 -framerate 25 -i /usr/share/darknet/data/person.jpg -t 20 \
  -vf "scale=960:636,crop=640:480:x='min(320\,n)':y=80,format=yuv420p" -c:v libx264 -preset veryfast "$dir/person.mp4"

pids=""
trap 'kill $pids 2>/dev/null || true' EXIT
case " $VARIANTS " in *" brokers "*)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'user %s\nlistener %s 127.0.0.1\nallow_anonymous true\n' "$(id -un)" "$port" > "$dir/mosquitto.conf"
  /usr/sbin/mosquitto -c "$dir/mosquitto.conf" 2> "$dir/mosquitto.log" &
  pids="$pids $!"
  cc -O2 -o "$dir/kafka-mock" "$(dirname "$0")/kafka_mock_cluster.c" -lrdkafka
  mkfifo "$dir/kafka-stdin"
  "$dir/kafka-mock" 3 ssdd 4 < "$dir/kafka-stdin" > "$dir/bootstraps" 2> "$dir/kafka-mock.log" &
  pids="$pids $!"
  exec 9> "$dir/kafka-stdin"   # the mock cluster runs until this closes
  while [ ! -s "$dir/bootstraps" ]; do sleep 0.1; done
  bootstraps=$(head -1 "$dir/bootstraps" | sed 's/,/", "/g')
  sleep 0.5 ;;
esac

config() { # $1 = variant
  printf '[model]\npath = "%s"\n[workers]\ncount = %s\nthreads = 1\n' "$MODEL" "$WORKERS"
  i=0
  while [ $i -lt $N ]; do
    printf '[[streams]]\nname = "s%d"\nurl = "%s/person.mp4"\n' $i "$dir"
    if [ "$1" = pictures ]; then
      printf '[[streams.zones]]\nname = "left"\npoints = [[0, 0], [320, 0], [320, 480], [0, 480]]\nloiter = 2.0\n'
      printf '[[streams.lines]]\nname = "middle"\npoints = [[240, 480], [240, 0]]\n'
    fi
    i=$((i + 1))
  done
  printf '[output.file]\npath = "%s/out-%s.jsonl"\n' "$dir" "$1"
  case $1 in
    brokers)
      printf '[output.mqtt]\nurl = "mqtt://127.0.0.1:%s"\nkinds = ["frame", "track", "stream", "event"]\n' "$port"
      printf 'frigate = true\nhomeassistant = true\n'
      printf '[output.kafka]\nbrokers = ["%s"]\n' "$bootstraps" ;;
    pictures)
      printf '[output.snapshots]\ndir = "%s/snapshots"\n' "$dir" ;;
  esac
}

run() { # $1 = variant; prints "frames/s cpu_s"
  config "$1" > "$dir/$1.toml"
  rm -f "$dir/out-$1.jsonl"
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$dir/time-$1" "$BIN" run --config "$dir/$1.toml" 2> "$dir/$1.log" || {
    echo "the daemon failed; $dir/$1.log:" >&2; tail -5 "$dir/$1.log" >&2; exit 1; }
  end=$(date +%s.%N)
  frames=$(grep -c '"kind":"frame"' "$dir/out-$1.jsonl")
  cpu=$(awk '{print $1 + $2}' "$dir/time-$1")
  echo "$(echo "scale=1; $frames / ($end - $start)" | bc) $cpu"
}

: > "$dir/results"
r=0
while [ $r -lt "$ROUNDS" ]; do
  for variant in $VARIANTS; do
    result=$(run "$variant")
    echo "round $r $variant: $result (frames/s, CPU s)"
    echo "$variant $result" >> "$dir/results"
  done
  r=$((r + 1))
done
python3 - "$dir/results" $VARIANTS <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
base = None
for variant in sys.argv[2:]:
    fps = statistics.median(float(r[1]) for r in rows if r[0] == variant)
    cpu = statistics.median(float(r[2]) for r in rows if r[0] == variant)
    base = base or (fps, cpu)
    print(f"{variant:9} median {fps:6.1f} frames/s ({fps / base[0] * 100:5.1f} %), CPU {cpu:6.2f} s ({cpu / base[1] * 100:5.1f} %)")
PY
if [ -f "$dir/out-pictures.jsonl" ]; then
  echo "pictures run: $(grep -c '"kind":"event"' "$dir/out-pictures.jsonl") events, $(find "$dir/snapshots" -name '*.jpg' | wc -l) pictures"
fi
echo "logs and outputs in $dir"
