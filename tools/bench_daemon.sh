#!/bin/sh
# Measures the daemon on this machine with the default person model (release build):
#   1. throughput: N file streams of a 640x480 H.264 clip, processed as fast as possible (frames/s summed);
#   2. live latency: N live HTTP streams served in real time (25 fps) by the ffmpeg CLI, for DURATION seconds:
#      frames written and dropped, end-to-end latency p50/p99 (decode -> line written), peak RSS.
# ZONES=1 gives every stream a zone (with loitering) and a line across the person's path, to measure their cost.
# EXTRA names a TOML fragment appended to both configurations, e.g. `[output.mqtt]` and `[output.kafka]` tables, to
# measure what more outputs cost.
# SNAPSHOTS=1 adds [output.snapshots] (defaults: crop, latest.jpg once a second) to measure their cost.
# THREADS (per worker), MAX_BATCH ([workers] max_batch) and LIVE_BACKLOG ([workers] live_backlog, seconds) choose the
# worker variant, e.g. WORKERS=1 THREADS=2 MAX_BATCH=4 tools/bench_daemon.sh 8. ONLY=file or ONLY=live runs one half.
# PRECISION=bf16|int8 sets [model] precision (int8 needs a calibrated model: `ssdd model calibrate`).
# SIZE=WxH makes the clip that size instead of 640x480 (e.g. SIZE=1920x1080 for cameras' usual frames).
# Usage: [MODEL=models/person.safetensors] [RESIZE=exact|fast] [WORKERS=2] [THREADS=1] [MAX_BATCH=1] [LIVE_BACKLOG=0.2] \
#          [PRECISION=fp32|bf16|int8] [SIZE=640x480] [QUEUE=8] [ZONES=0|1] [SNAPSHOTS=0|1] [EXTRA=outputs.toml] [ONLY=file|live] tools/bench_daemon.sh [STREAMS=4] [DURATION=40]
set -eu
N=${1:-4}
DURATION=${2:-40}
case "$N$DURATION" in *[!0-9]* | '') echo "STREAMS and DURATION must be whole numbers" >&2; exit 2 ;; esac
[ "$N" -ge 1 ] || { echo "STREAMS must be at least 1" >&2; exit 2; }
[ "$DURATION" -ge 11 ] || { echo "DURATION must be at least 11 s (steady state is measured from t = 10 s)" >&2; exit 2; }
BIN=${BIN:-.build/release/ssdd}
MODEL=${MODEL:-models/person.safetensors}
WORKERS=${WORKERS:-2}
RESIZE=${RESIZE:-exact}   # exact | fast
QUEUE=${QUEUE:-8}
THREADS=${THREADS:-1}
MAX_BATCH=${MAX_BATCH:-1}
LIVE_BACKLOG=${LIVE_BACKLOG:-0.2}
ONLY=${ONLY:-}
PRECISION=${PRECISION:-fp32}
ZONES=${ZONES:-0}
SNAPSHOTS=${SNAPSHOTS:-0}
SIZE=${SIZE:-640x480}
W=${SIZE%x*}
H=${SIZE#*x}
case "$W$H" in *[!0-9]* | '') echo "SIZE must be WxH, e.g. 1920x1080" >&2; exit 2 ;; esac
case $MODEL in /*) ;; *) MODEL="$PWD/$MODEL" ;; esac
dir=$(mktemp -d /tmp/ssdd-bench.XXXXXX)
ffmpeg -v error -y -f lavfi -i testsrc2=size=640x480:rate=25 -t 20 -c:v libx264 -preset veryfast -pix_fmt yuv420p "$dir/clip.mp4"
# A real scene for the detector: darknet's person photo panned, WxH (640x480 by default), 20 s at 25 fps.
ffmpeg -v error -y -loop 1 -framerate 25 -i /usr/share/darknet/data/person.jpg -t 20 \
  -vf "scale=$((W * 3 / 2)):$((H * 53 / 40)),crop=$W:$H:x='min($((W / 2))\,n)':y=$((H / 6)),format=yuv420p" \
  -c:v libx264 -preset veryfast "$dir/person.mp4"

config() { # $1 = kind (file|live)
  printf '[model]\npath = "%s"\nprecision = "%s"\n[workers]\ncount = %s\nthreads = %s\nqueue = %s\nmax_batch = %s\nlive_backlog = %s\n' \
    "$MODEL" "$PRECISION" "$WORKERS" "$THREADS" "$QUEUE" "$MAX_BATCH" "$LIVE_BACKLOG"
  i=0
  while [ $i -lt $N ]; do
    if [ "$1" = file ]; then url="$dir/person.mp4"; else url="http://127.0.0.1:$((18600 + i))/live.ts"; fi
    printf '[[streams]]\nname = "s%d"\nurl = "%s"\nstall_timeout = 5.0\nresize = "%s"\n' $i "$url" "$RESIZE"
    if [ "$ZONES" = 1 ]; then
      printf '[[streams.zones]]\nname = "field"\nrelative = true\npoints = [[0, 0.4], [1, 0.4], [1, 1], [0, 1]]\nloiter = 2.0\n'
      printf '[[streams.lines]]\nname = "middle"\nrelative = true\npoints = [[0.5, 1], [0.5, 0]]\n'
    fi
    i=$((i + 1))
  done
  printf '[output.file]\npath = "%s/out-%s.jsonl"\n[metrics]\naddress = "127.0.0.1:19464"\n' "$dir" "$1"
  if [ -n "${EXTRA:-}" ]; then cat "$EXTRA"; fi
  if [ "$SNAPSHOTS" = 1 ]; then printf '[output.snapshots]\ndir = "%s/snapshots-%s"\n' "$dir" "$1"; fi
}

echo "variant: $N streams of ${W}x$H, precision $PRECISION, workers x threads = ${WORKERS}x${THREADS}, max_batch $MAX_BATCH, queue $QUEUE, live_backlog $LIVE_BACKLOG s"
if [ "$ONLY" != live ]; then
config file > "$dir/file.toml"
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$dir/rss-file" "$BIN" run --config "$dir/file.toml" 2> "$dir/file.log" || {
  echo "the daemon failed; $dir/file.log:" >&2; tail -5 "$dir/file.log" >&2; exit 1; }
end=$(date +%s.%N)
frames=$(grep -c '"kind":"frame"' "$dir/out-file.jsonl")
echo "throughput: $N file stream(s): $frames frames in $(echo "$end - $start" | bc) s = $(echo "scale=1; $frames / ($end - $start)" | bc) frames/s; peak RSS $(cat "$dir/rss-file") KiB"
if [ "$ZONES" = 1 ]; then echo "zone and line events: $(grep -c '"kind":"event"' "$dir/out-file.jsonl" || true)"; fi
fi
[ "$ONLY" = file ] && { echo "logs and outputs in $dir"; exit 0; }

config live > "$dir/live.toml"
pids=""
i=0
while [ $i -lt $N ]; do
  ffmpeg -nostdin -v error -re -stream_loop -1 -i "$dir/person.mp4" -c copy -f mpegts -muxdelay 0 -flush_packets 1 -listen 1 "http://127.0.0.1:$((18600 + i))/live.ts" &
  pids="$pids $!"
  i=$((i + 1))
done
sleep 1
/usr/bin/time -f "%M" -o "$dir/rss-live" "$BIN" run --config "$dir/live.toml" 2> "$dir/live.log" &
daemon=$!
# Drops after the first 2 s: the dropped counters at t = 2 s against the end.
sleep 2
curl -s http://127.0.0.1:19464/metrics > "$dir/metrics-2s" || true
# Steady-state latency: histogram difference between t = 10 s (start-up bursts excluded) and the end.
sleep 8
curl -s http://127.0.0.1:19464/metrics > "$dir/metrics-start"
sleep $((DURATION - 10))
curl -s http://127.0.0.1:19464/metrics > "$dir/metrics-end"
# shellcheck disable=SC2046 # one pid per word
kill -TERM $(pgrep -P $daemon ssdd || echo $daemon) 2>/dev/null || true
wait $daemon || true
kill $pids 2>/dev/null || true
frames=$(grep -c '"kind":"frame"' "$dir/out-live.jsonl")
echo "live: $N stream(s) at 25 fps for ${DURATION} s: $frames frames written ($(echo "scale=1; $frames / $DURATION" | bc) frames/s); $(grep -o 'dropped=[0-9]* frames=[0-9]* latency_p50_ms=[0-9.]* latency_p99_ms=[0-9.]*' "$dir/live.log"); peak RSS $(cat "$dir/rss-live") KiB"
python3 - "$dir/metrics-start" "$dir/metrics-end" "$dir/metrics-2s" <<'PY'
import re, sys
def dropped(path):
    try: return sum(float(l.split()[-1]) for l in open(path) if l.startswith('ssdd_frames_dropped_total'))
    except OSError: return float('nan')
print(f"dropped after t = 2 s: {dropped(sys.argv[2]) - dropped(sys.argv[3]):.0f} (before: {dropped(sys.argv[3]):.0f})")
def buckets(path):
    b = {}
    for line in open(path):
        m = re.match(r'ssdd_end_to_end_seconds_bucket\{le="([^"]+)"\} (\d+)', line)
        if m: b[m.group(1)] = int(m.group(2))
    return b
a, z = buckets(sys.argv[1]), buckets(sys.argv[2])
total = z["+Inf"] - a["+Inf"]
def quantile(q):
    for le in z:
        if z[le] - a[le] >= q * total: return le
print(f"steady state (t = 10 s to end): {total} frames, end-to-end latency p50 <= {quantile(0.5)} s, p99 <= {quantile(0.99)} s (histogram bucket bounds)")
PY
echo "logs and outputs in $dir"
