#!/bin/sh
# Soak test (not in CI): N live HTTP streams served by the ffmpeg CLI for DURATION seconds, with the servers killed
# and restarted at random and socket subscribers coming and going (some never reading). Every INTERVAL seconds it
# prints the daemon's RSS, open descriptors, threads and frames written; they must stay flat. At the end the
# daemon gets SIGTERM and must exit 0 with no partial line in its output.
# PRECISION=int8 (with a model from `ssdd model calibrate`) and THREADS (per worker) choose the inference variant.
# RELOADS=K sends K SIGHUPs (configuration reloads, the file unchanged) every round of about 2 s.
# Usage: [BIN=.build/release/ssdd] [MODEL=models/person.safetensors] [PRECISION=fp32] [THREADS=1] [INTERVAL=60] [RELOADS=0] \
#          tools/soak.sh [STREAMS=4] [DURATION=3600]
set -eu
N=${1:-4}
DURATION=${2:-3600}
INTERVAL=${INTERVAL:-60}
RELOADS=${RELOADS:-0}
BIN=${BIN:-.build/release/ssdd}
MODEL=${MODEL:-models/person.safetensors}
PRECISION=${PRECISION:-fp32}
THREADS=${THREADS:-1}
case "$N$DURATION$INTERVAL$RELOADS$THREADS" in *[!0-9]* | '') echo "STREAMS, DURATION, INTERVAL, RELOADS and THREADS must be whole numbers" >&2; exit 2 ;; esac
[ "$N" -ge 1 ] && [ "$INTERVAL" -ge 1 ] && [ "$THREADS" -ge 1 ] || { echo "STREAMS, INTERVAL and THREADS must be at least 1" >&2; exit 2; }
case $MODEL in /*) ;; *) MODEL="$PWD/$MODEL" ;; esac
case $BIN in /*) ;; *) BIN="$PWD/$BIN" ;; esac
dir=$(mktemp -d /tmp/ssdd-soak.XXXXXX)
ffmpeg -v error -y -loop 1 -framerate 25 -i /usr/share/darknet/data/person.jpg -t 20 \
  -vf "scale=960:636,crop=640:480:x='min(320\,n)':y=80,format=yuv420p" -c:v libx264 -preset veryfast "$dir/person.mp4"
{
  printf '[model]\npath = "%s"\nprecision = "%s"\n[workers]\ncount = 2\nthreads = %s\nqueue = 3\n' "$MODEL" "$PRECISION" "$THREADS"
  i=0
  while [ $i -lt $N ]; do
    printf '[[streams]]\nname = "s%d"\nurl = "http://127.0.0.1:%d/live.ts"\nstall_timeout = 3.0\nreconnect_initial = 0.5\nreconnect_max = 4.0\n' $i $((18700 + i))
    i=$((i + 1))
  done
  printf '[output.file]\npath = "%s/out.jsonl"\nrotate_bytes = 50000000\n' "$dir"
  printf '[output.socket]\npath = "%s/ssdd.sock"\n[metrics]\naddress = "127.0.0.1:19465"\n[state]\ndir = "%s/state"\n' "$dir" "$dir"
} > "$dir/soak.toml"

serve() { # $1 = stream index; prints the server's pid
  ffmpeg -nostdin -v error -re -stream_loop -1 -i "$dir/person.mp4" -c copy -f mpegts -listen 1 \
    "http://127.0.0.1:$((18700 + $1))/live.ts" > /dev/null 2>&1 &
  echo $!
}
i=0
while [ $i -lt $N ]; do echo "$(serve $i)" > "$dir/server-$i.pid"; i=$((i + 1)); done
"$BIN" run --config "$dir/soak.toml" 2> "$dir/daemon.log" &
daemon=$!
sleep 5
echo "soak: $N live streams for $DURATION s; outputs in $dir"
echo "elapsed_s rss_kib fds threads frames_written subscribers"
start=$(date +%s)
next=$start
while [ $(( $(date +%s) - start )) -lt "$DURATION" ]; do
  kill -0 $daemon 2>/dev/null || { echo "soak: the daemon died; $dir/daemon.log:" >&2; tail -20 "$dir/daemon.log" >&2; exit 1; }
  # Kill one source at random now and then; restart it a few seconds later.
  victim=$(( $(od -An -N2 -tu2 /dev/urandom) % N ))
  if [ $(( $(od -An -N1 -tu1 /dev/urandom) % 4 )) -eq 0 ]; then
    kill "$(cat "$dir/server-$victim.pid")" 2>/dev/null || true
    sleep $(( $(od -An -N1 -tu1 /dev/urandom) % 5 + 1 ))
    echo "$(serve $victim)" > "$dir/server-$victim.pid"
  fi
  # RELOADS configuration reloads (SIGHUP, the file unchanged) per round: RSS must not grow with them.
  r=0
  while [ $r -lt "$RELOADS" ]; do kill -HUP $daemon; sleep 0.02; r=$((r + 1)); done
  # Subscribers: one that reads for a while, one that never reads (it must be cut off, not stall anything).
  timeout $(( $(od -An -N1 -tu1 /dev/urandom) % 10 + 1 )) "$BIN" subscribe --socket "$dir/ssdd.sock" > /dev/null 2>&1 &
  python3 -c "import socket,time,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(8)" "$dir/ssdd.sock" 2>/dev/null &
  sleep 2
  if [ "$(date +%s)" -ge "$next" ]; then
    rss=$(awk '/VmRSS/ {print $2}' /proc/$daemon/status)
    fds=$(ls /proc/$daemon/fd | wc -l)
    threads=$(awk '/Threads/ {print $2}' /proc/$daemon/status)
    metrics=$(curl -s http://127.0.0.1:19465/metrics || true)
    written=$(echo "$metrics" | awk '/^ssdd_frames_written_total/ {s += $2} END {print s + 0}')
    subscribers=$(echo "$metrics" | awk '/^ssdd_subscribers / {print $2 + 0}')
    echo "$(( $(date +%s) - start )) $rss $fds $threads $written ${subscribers:-?}"
    next=$(( next + INTERVAL ))
  fi
done
kill -TERM $daemon
wait $daemon && status=0 || status=$?
for f in "$dir"/server-*.pid; do kill "$(cat "$f")" 2>/dev/null || true; done
tail -c 1 "$dir/out.jsonl" | od -c | grep -q '\\n' && partial=no || partial=yes
echo "soak: daemon exit status $status; partial last line: $partial; log: $dir/daemon.log"
[ "$status" -eq 0 ] && [ "$partial" = no ]
