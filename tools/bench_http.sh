#!/bin/sh
# The HTTP API under load while the daemon works: STREAMS (4) looping realtime streams of samples/person.mp4 (25
# frames/s each) in one daemon with [http], the live page open in headless Chromium for the whole run, and
# tools/bench_http.py sending RATE (50) requests/s spread over the API endpoints for SECONDS (60). Prints p50/p95/p99/max
# latency per endpoint and overall and the daemon's frames written per second during the run.
# Usage: [BIN=.build/release/ssdd] [MODEL=models/person.safetensors] [WORKERS=2] [RATE=50] [SECONDS=60] \
#          [TOKEN=1] tools/bench_http.sh [STREAMS=4]
set -eu
N=${1:-4}
BIN=${BIN:-.build/release/ssdd}
MODEL=${MODEL:-models/person.safetensors}
SAMPLE=${SAMPLE:-samples/person.mp4}
WORKERS=${WORKERS:-2}
RATE=${RATE:-50}
SECONDS_=${SECONDS:-60}
case $MODEL in /*) ;; *) MODEL="$PWD/$MODEL" ;; esac
case $SAMPLE in /*) ;; *) SAMPLE="$PWD/$SAMPLE" ;; esac
tools=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/ssdd-bench-http.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

{
  printf '[model]\npath = "%s"\n[workers]\ncount = %s\nthreads = 1\n' "$MODEL" "$WORKERS"
  i=0
  while [ $i -lt "$N" ]; do
    printf '[[streams]]\nname = "s%d"\nurl = "%s"\nrealtime = true\nloop = true\n' $i "$SAMPLE"
    printf '[[streams.lines]]\nname = "door"\npoints = [[150, 360], [150, 0]]\n'
    i=$((i + 1))
  done
  printf '[output.file]\npath = "%s/out.jsonl"\n[http]\naddress = "127.0.0.1:%s"\n' "$dir" "$port"
  if [ "${TOKEN:-0}" = 1 ]; then
    python3 -c 'import secrets; print(secrets.token_hex(32))' > "$dir/token"
    printf 'token_file = "%s/token"\n' "$dir"
  fi
} > "$dir/ssdd.toml"
"$BIN" config check "$dir/ssdd.toml"

daemon=""
browser=""
cleanup() {
  [ -n "$browser" ] && kill "$browser" 2>/dev/null || true
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null || true
  [ -n "$daemon" ] && wait "$daemon" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
"$BIN" run --config "$dir/ssdd.toml" 2> "$dir/ssdd.log" &
daemon=$!
tries=0
until python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null; do
  tries=$((tries + 1))
  if [ $tries -gt 600 ] || ! kill -0 "$daemon" 2>/dev/null; then
    echo "the daemon did not answer on port $port; $dir/ssdd.log:" >&2; tail -5 "$dir/ssdd.log" >&2; exit 1
  fi
  sleep 0.2
done

# The page, open for the whole run (with TOKEN=1 it waits at its token prompt: no feed, no pictures).
chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir="$dir/chromium" \
  --remote-debugging-port=0 "http://127.0.0.1:$port/" > "$dir/chromium.log" 2>&1 &
browser=$!
sleep 5   # the page loads, subscribes to the feed and starts polling; the streams warm up

token_arg=""
[ "${TOKEN:-0}" = 1 ] && token_arg="--token-file $dir/token"
# shellcheck disable=SC2086
python3 "$tools/bench_http.py" --port "$port" --rate "$RATE" --seconds "$SECONDS_" $token_arg
if kill -0 "$browser" 2>/dev/null; then echo "chromium: the page stayed open for the whole run"; else echo "chromium: exited early (see $dir/chromium.log)"; fi
ps -o rss=,time= -p "$daemon" | awk '{printf "daemon: RSS %.0f MB, CPU time %s\n", $1 / 1024, $2}'
echo "logs and configuration: $dir"
