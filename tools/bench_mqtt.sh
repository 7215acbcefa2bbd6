#!/bin/sh
# Throughput cost of the MQTT output: N file streams of a 640x480 H.264 clip processed as fast as possible, with
# [output.file] only and with [output.file] + [output.mqtt] (a local mosquitto started here, frigate and
# homeassistant on, kinds incl. frames unless KINDS is set), ROUNDS times each, alternating. Prints frames/s and
# the daemon's CPU seconds for every run and the medians.
# Usage: [MODEL=models/person.safetensors] [WORKERS=2] [ROUNDS=3] [KINDS='"track","stream","event"'] tools/bench_mqtt.sh [STREAMS=4]
set -eu
N=${1:-4}
ROUNDS=${ROUNDS:-3}
BIN=${BIN:-.build/release/ssdd}
MODEL=${MODEL:-models/person.safetensors}
WORKERS=${WORKERS:-2}
KINDS=${KINDS:-'"frame","track","stream","event"'}
case $MODEL in /*) ;; *) MODEL="$PWD/$MODEL" ;; esac
dir=$(mktemp -d /tmp/ssdd-bench-mqtt.XXXXXX)
ffmpeg -v error -y -loop 1 -framerate 25 -i /usr/share/darknet/data/person.jpg -t 20 \
  -vf "scale=960:636,crop=640:480:x='min(320\,n)':y=80,format=yuv420p" -c:v libx264 -preset veryfast "$dir/person.mp4"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'user %s\nlistener %s 127.0.0.1\nallow_anonymous true\n' "$(id -un)" "$port" > "$dir/mosquitto.conf"
/usr/sbin/mosquitto -c "$dir/mosquitto.conf" 2> "$dir/mosquitto.log" &
broker=$!
trap 'kill $broker 2>/dev/null || true' EXIT
sleep 0.5

config() { # $1 = file | mqtt
  printf '[model]\npath = "%s"\n[workers]\ncount = %s\nthreads = 1\n' "$MODEL" "$WORKERS"
  i=0
  while [ $i -lt $N ]; do
    printf '[[streams]]\nname = "s%d"\nurl = "%s/person.mp4"\n' $i "$dir"
    i=$((i + 1))
  done
  printf '[output.file]\npath = "%s/out-%s.jsonl"\n' "$dir" "$1"
  if [ "$1" = mqtt ]; then
    printf '[output.mqtt]\nurl = "mqtt://127.0.0.1:%s"\nkinds = [%s]\nfrigate = true\nhomeassistant = true\n' "$port" "$KINDS"
  fi
}

run() { # $1 = file | mqtt; prints "frames/s cpu_s"
  config "$1" > "$dir/$1.toml"
  rm -f "$dir/out-$1.jsonl"
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$dir/time-$1" "$BIN" run --config "$dir/$1.toml" 2> "$dir/$1.log"
  end=$(date +%s.%N)
  frames=$(grep -c '"kind":"frame"' "$dir/out-$1.jsonl")
  cpu=$(awk '{print $1 + $2}' "$dir/time-$1")
  echo "$(echo "scale=1; $frames / ($end - $start)" | bc) $cpu"
}

: > "$dir/results"
r=0
while [ $r -lt $ROUNDS ]; do
  for kind in file mqtt; do
    result=$(run $kind)
    echo "round $r $kind: $result (frames/s, CPU s)"
    echo "$kind $result" >> "$dir/results"
  done
  r=$((r + 1))
done
python3 - "$dir/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for kind in ("file", "mqtt"):
    fps = [float(r[1]) for r in rows if r[0] == kind]
    cpu = [float(r[2]) for r in rows if r[0] == kind]
    print(f"{kind}: median {statistics.median(fps):.1f} frames/s, median CPU {statistics.median(cpu):.2f} s")
f = statistics.median(float(r[1]) for r in rows if r[0] == "file")
m = statistics.median(float(r[1]) for r in rows if r[0] == "mqtt")
print(f"MQTT on / file only: {m / f * 100:.1f} % of the throughput")
PY
echo "logs and outputs in $dir"
