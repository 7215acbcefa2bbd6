#!/bin/sh
# Runs schemathesis (property-based API testing from the OpenAPI document) against a live daemon's HTTP API.
#
# Starts `ssdd run` with an [http] table (loopback, a random free port, a token file), one file stream of
# samples/person.mp4 (with LOOP=1, `loop = true` so the stream keeps running while schemathesis works — needs the
# page helper's stream key) and one live stream of a camera that is not there (it keeps reconnecting, and keeps the
# daemon running after the file is done), waits for /healthz, then runs every documented operation with generated inputs and checks
# status codes, content types and response schemas against /api/v1/openapi.json. The feed (a WebSocket) is excluded:
# schemathesis speaks plain HTTP.
#
# Usage: [BIN=.build/release/ssdd] [MODEL=models/person.safetensors] [MAX_EXAMPLES=100] [LOOP=0|1] tools/api_schemathesis.sh
# Needs python3 with venv; installs schemathesis from PyPI into /tmp/ssdd-schemathesis-venv (reused on later runs).
set -eu
BIN=${BIN:-.build/release/ssdd}
MODEL=${MODEL:-models/person.safetensors}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
LOOP=${LOOP:-0}
VENV=${VENV:-/tmp/ssdd-schemathesis-venv}
case $MODEL in /*) ;; *) MODEL="$PWD/$MODEL" ;; esac
SAMPLE="$PWD/samples/person.mp4"
[ -x "$BIN" ] || { echo "no daemon binary at $BIN; build it: swift build -c release --product ssdd" >&2; exit 2; }
[ -f "$MODEL" ] || { echo "no model at $MODEL" >&2; exit 2; }

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet schemathesis
fi

dir=$(mktemp -d /tmp/ssdd-schemathesis.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# A free port: bind port 0 and read what the kernel chose.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
printf '%s\n' "$token" > "$dir/token"
chmod 600 "$dir/token"
loop_key=
[ "$LOOP" = 1 ] && loop_key='loop = true'
cat > "$dir/ssdd.toml" <<TOML
[model]
path = "$MODEL"

[http]
address = "127.0.0.1:$port"
token_file = "$dir/token"

[[streams]]
name = "sample"
url = "$SAMPLE"
$loop_key

[[streams]]
name = "offline"
url = "rtsp://127.0.0.1:9/none"

[output.file]
path = "$dir/records.jsonl"
TOML

"$BIN" run --config "$dir/ssdd.toml" > "$dir/daemon.log" 2>&1 &
pid=$!
tries=0
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do
  tries=$((tries + 1))
  if ! kill -0 "$pid" 2>/dev/null || [ $tries -gt 600 ]; then
    echo "the daemon did not come up; its log:" >&2
    cat "$dir/daemon.log" >&2
    exit 1
  fi
  sleep 0.1
done

# The document as the daemon serves it (it needs the token too).
curl -sf -H "Authorization: Bearer $token" -o "$dir/openapi.json" "http://127.0.0.1:$port/api/v1/openapi.json"
set +e
"$VENV/bin/schemathesis" run "$dir/openapi.json" --url "http://127.0.0.1:$port" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --exclude-path /api/v1/feed \
  --max-examples "$MAX_EXAMPLES"
status=$?
set -e
if ! kill -0 "$pid" 2>/dev/null; then
  echo "the daemon died during the run; its log:" >&2
  cat "$dir/daemon.log" >&2
  exit 1
fi
exit $status
