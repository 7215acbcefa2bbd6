#!/bin/sh
# The performance issue's figures in one run, ssdd next to ONNX Runtime: each round runs ssdd and the peer back to
# back on the same work, so both see the same state of a shared machine. Parts (PARTS, default all four):
#   ssdlite  the person detector's raw network, 1 and 2 threads: `ssdd bench` fp32, int8 (and bf16 where this CPU
#            runs it) against ORT (`bench_peers.py --worker --model ssdlite-raw --runtime ort`), 200 passes each;
#   ssd300   SSD300-VGG16 (torchvision's initialisation, seed 0), 1 and 2 threads, 10 passes each, against ORT;
#   detect   one 640x480 H.264 clip end to end at 2 threads: `ssdd detect --stats` fp32 and int8 against the
#            OpenCV + ORT peer (`e2e_peer.py --runtime ort-full`, 2 passes);
#   daemon   `tools/bench_daemon.sh`: 8 file streams (int8 and fp32), then 4 live streams x 25 fps (int8, fp32).
# Prints every raw line (also kept in $WORK/log.txt), then a table of the medians over the rounds and the ratios the
# issue asks for, the vCPU placement (../shared/peers/c2c.c) and the FMA peak `ssdd bench` measured.
#
# Needs: a release build (`make build`), the default model (`make model`), the peers harness set up as its README
# says (a venv with onnxruntime, and `make_models.py` run so $ANCHORS_DIR holds the ONNX models and the test clip),
# darknet's photos for calibration (`scripts/setup.sh` installs them) and, for ssd300, torch + torchvision in the
# same venv (tools/make_ssd300_checkpoint.py). Models it derives (int8, SSD300) are made once under $WORK.
# Usage: [PEERS=../shared/peers] [PY=$PEERS/.venv-peers/bin/python] [ANCHORS_DIR=$PEERS/.peer-models] \
#        [BIN=.build/release/ssdd] [WORK=/tmp/ssdd-peers] [PARTS="ssdlite ssd300 detect daemon"] \
#        tools/peers_paired.sh [ROUNDS=3]
# It runs from the repository's root, wherever it is started: relative paths in these variables are taken from there.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
case "$ROUNDS" in *[!0-9]* | '' | 0) echo "ROUNDS must be a positive integer" >&2; exit 2 ;; esac
PEERS=${PEERS:-../shared/peers}
PY=${PY:-$PEERS/.venv-peers/bin/python}
ANCHORS_DIR=${ANCHORS_DIR:-$PEERS/.peer-models}
export ANCHORS_DIR
BIN=${BIN:-.build/release/ssdd}
WORK=${WORK:-${TMPDIR:-/tmp}/ssdd-peers}
PARTS=${PARTS:-ssdlite ssd300 detect daemon}
MODEL=models/person.safetensors
CLIP=$ANCHORS_DIR/test_640x480_10s.mp4

fail() { echo "peers_paired: $*" >&2; exit 2; }
[ -x "$BIN" ] || fail "no ssdd binary at $BIN: run 'make build' (a release build)"
[ -f "$MODEL" ] || fail "no default model at $MODEL: run 'make model'"
[ -f "$PEERS/bench_peers.py" ] || fail "no peers harness at $PEERS (set PEERS=…)"
[ -x "$PY" ] || fail "no Python at $PY: set up the peers' venv as $PEERS/README.md says, or set PY=…"
"$PY" -c 'import onnxruntime' 2>/dev/null || fail "$PY cannot import onnxruntime"
for f in ssdlite_person ssd300_vgg16.onnx test_640x480_10s.mp4; do
    [ -e "$ANCHORS_DIR/$f" ] || fail "$ANCHORS_DIR/$f is missing: run '$PY $PEERS/make_models.py' (and '$PY $PEERS/e2e_peer.py --make-video')"
done
mkdir -p "$WORK"
log=$WORK/log.txt
values=$WORK/values.tsv
: >"$log"
: >"$values"
say() { echo "$*" | tee -a "$log"; }
# record KEY VALUE: one measurement of this round for the summary.
round=0
record() { printf '%s\t%s\t%s\n' "$round" "$1" "$2" >>"$values"; }

# Derived models, made once.
calibrated() { # SOURCE OUT
    [ -f "$2" ] || "$BIN" model calibrate "$1" /usr/share/darknet/data/*.jpg -o "$2" >>"$log" 2>&1 ||
        fail "calibrating $1 failed (darknet's photos in /usr/share/darknet/data?); see $log"
}
calibrated "$MODEL" "$WORK/person-int8.safetensors"
case " $PARTS " in *" ssd300 "*)
    if [ ! -f "$WORK/ssd300.safetensors" ]; then
        "$PY" tools/make_ssd300_checkpoint.py "$WORK/ssd300.pth" >>"$log" 2>&1 || fail "making SSD300 needs torch + torchvision in $PY; see $log"
        "$BIN" model import "$WORK/ssd300.pth" -o "$WORK/ssd300.safetensors" >>"$log" 2>&1 || fail "importing SSD300 failed; see $log"
    fi
    calibrated "$WORK/ssd300.safetensors" "$WORK/ssd300-int8.safetensors"
    ;;
esac

# ssdd's median ms of `ssdd bench` (KEY MODEL PRECISION THREADS FRAMES); bf16 is recorded only where it runs as bf16.
bench() {
    out=$("$BIN" bench --model "$2" --precision "$3" --threads "$4" --frames "$5" --warmup 5 2>&1) || { say "$out"; fail "ssdd bench failed"; }
    say "$1: $(echo "$out" | grep -E '^median|running fp32' | tr '\n' ' ')"
    if [ "$3" = bf16 ] && echo "$out" | grep -q 'running fp32'; then return; fi
    record "$1" "$(echo "$out" | awk '/^median/ {print $2}')"
    record "$1.min" "$(echo "$out" | awk '/^median/ {print $8}')"
    record "$1.peak%" "$(echo "$out" | awk '/median pass ran at/ {for (i = 1; i <= NF; i++) if ($i == "%") {print $(i - 1); exit}}')"
    record fma-peak "$(echo "$out" | awk '/zmm FMA peak|ymm FMA peak/ {print $4; exit}')"
}
# ONNX Runtime's median ms (KEY PEER-MODEL THREADS RUNS).
ort() {
    "$PY" "$PEERS/bench_peers.py" --worker --model "$2" --runtime ort --threads "$3" --runs "$4" --warmup 5 --out "$WORK/ort.json" >>"$log" 2>&1 ||
        fail "bench_peers.py failed; see $log"
    # shellcheck disable=SC2046 # the two figures, median and least, become $2 and $3
    set -- "$1" $("$PY" -c 'import json, statistics, sys; s = json.load(open(sys.argv[1]))["samples_s"]; print("%.2f %.2f" % (1000 * statistics.median(s), 1000 * min(s)))' "$WORK/ort.json")
    say "$1: median $2 ms  min $3 ms"
    record "$1" "$2"
    record "$1.min" "$3"
}

cc -O2 -pthread -o "$WORK/c2c" "$PEERS/c2c.c" 2>>"$log" || fail "cannot build $PEERS/c2c.c"
round=1
while [ "$round" -le "$ROUNDS" ]; do
    c2c=$("$WORK/c2c")
    say "== round $round of $ROUNDS, $(date -u +%T), load $(cut -d' ' -f1 /proc/loadavg), c2c $c2c ns"
    record c2c "$c2c"
    for part in $PARTS; do
        case $part in
        ssdlite)
            for t in 1 2; do
                bench "ssdlite.t$t.fp32" "$MODEL" fp32 "$t" 200
                ort "ssdlite.t$t.ort" ssdlite-raw "$t" 200
                bench "ssdlite.t$t.int8" "$WORK/person-int8.safetensors" int8 "$t" 200
                bench "ssdlite.t$t.bf16" "$MODEL" bf16 "$t" 200
            done
            ;;
        ssd300)
            for t in 1 2; do
                bench "ssd300.t$t.fp32" "$WORK/ssd300.safetensors" fp32 "$t" 10
                ort "ssd300.t$t.ort" ssd300 "$t" 10
                bench "ssd300.t$t.int8" "$WORK/ssd300-int8.safetensors" int8 "$t" 10
                bench "ssd300.t$t.bf16" "$WORK/ssd300.safetensors" bf16 "$t" 10
            done
            ;;
        detect)
            for p in fp32 int8; do
                m=$MODEL
                [ "$p" = int8 ] && m=$WORK/person-int8.safetensors
                line=$("$BIN" detect "$CLIP" --model "$m" --precision "$p" --threads 2 --stats 2>&1 >/dev/null | grep 'frames/s' | tail -1)
                say "detect.$p: $line"
                record "detect.$p" "$(echo "$line" | awk '{for (i = 1; i <= NF; i++) if ($i == "frames/s") {print $(i - 1); exit}}')"
            done
            line=$("$PY" "$PEERS/e2e_peer.py" --model ssdlite --runtime ort-full --threads 2 --video "$CLIP" --passes 2 2>&1 | grep RESULT | tail -1)
            say "detect.peer: $line"
            record detect.peer "$(echo "$line" | awk '{for (i = 1; i <= NF; i++) if ($i == "median") {print $(i + 1); exit}}')"
            ;;
        daemon)
            [ "$round" -eq 1 ] || continue # one daemon run each: they take a minute or more
            for p in int8 fp32; do
                m=$MODEL
                [ "$p" = int8 ] && m=$WORK/person-int8.safetensors
                out=$(BIN=$BIN MODEL=$m PRECISION=$p ONLY=file sh tools/bench_daemon.sh 8 2>&1) || { say "$out"; fail "bench_daemon.sh failed"; }
                say "daemon.file8.$p: $(echo "$out" | grep '^throughput')"
                record "daemon.file8.$p" "$(echo "$out" | awk '/^throughput/ {for (i = 1; i <= NF; i++) if ($i == "frames/s;") {print $(i - 1); exit}}')"
                out=$(BIN=$BIN MODEL=$m PRECISION=$p ONLY=live sh tools/bench_daemon.sh 4 40 2>&1) || { say "$out"; fail "bench_daemon.sh failed"; }
                say "daemon.live4.$p: $(echo "$out" | grep -E '^live:|^dropped after|^steady state' | tr '\n' ' ')"
                record "daemon.live4.$p.written" "$(echo "$out" | awk '/^live:/ {for (i = 1; i <= NF; i++) if ($i == "frames/s);") {print substr($(i - 1), 2); exit}}')"
                record "daemon.live4.$p.late-drops" "$(echo "$out" | awk '/^dropped after/ {print $7}')"
                record "daemon.live4.$p.p99" "$(echo "$out" | awk '/^steady state/ {for (i = 1; i <= NF; i++) if ($i == "p99") {print 1000 * $(i + 2); exit}}')"
            done
            ;;
        *) fail "unknown part '$part' (ssdlite, ssd300, detect, daemon)" ;;
        esac
    done
    round=$((round + 1))
done

# The summary: medians over the rounds; ratios per round (each round ran both sides back to back), then their median.
echo
echo "## $(date -u '+%F %T') UTC, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) vCPU; $ROUNDS round(s); ssdd $("$BIN" --version 2>/dev/null || echo "?")"
"$PY" - "$values" <<'SUMMARY'
import collections, statistics, sys

values = collections.defaultdict(dict)  # key -> {round: value}
for line in open(sys.argv[1]):
    round_, key, value = line.rstrip("\n").split("\t")
    if value:
        values[key][int(round_)] = float(value)

def cell(key, digits=2):
    v = values.get(key)
    return f"{statistics.median(v.values()):.{digits}f}" if v else "–"

def least(key):
    v = values.get(key)
    return min(v.values()) if v else None

def paired(a, b):
    """a / b in each round both ran, then the median of those ratios."""
    rounds = sorted(set(values.get(a, {})) & set(values.get(b, {})))
    if not rounds:
        return "–"
    ratios = [values[a][r] / values[b][r] for r in rounds]
    each = " / ".join(f"{x:.2f}" for x in ratios)
    return f"**{statistics.median(ratios):.2f}**" + (f" ({each})" if len(ratios) > 1 else "")

def least_ratio(a, b):
    x, y = least(a + ".min"), least(b + ".min")
    return f"{x / y:.2f}" if x and y else "–"

print(f"vCPU round trip (c2c): {cell('c2c', 1)} ns; zmm FMA peak {cell('fma-peak', 1)} GFLOP/s per core (`ssdd bench`)")
print()
print("| work | ssdd fp32 | ssdd int8 | ssdd bf16 | ONNX Runtime | fp32 / ORT time, per round | least pass fp32 / ORT | int8 / fp32 time | fp32, % of the FMA peak |")
print("|---|---|---|---|---|---|---|---|---|")
for net in ("ssdlite", "ssd300"):
    for t in (1, 2):
        k = f"{net}.t{t}"
        if f"{k}.fp32" not in values:
            continue
        print(f"| {net}, {t} thread{'s' if t > 1 else ''}, ms | {cell(k + '.fp32')} | {cell(k + '.int8')} | {cell(k + '.bf16')} | "
              f"{cell(k + '.ort')} | {paired(k + '.fp32', k + '.ort')} | {least_ratio(k + '.fp32', k + '.ort')} | "
              f"{paired(k + '.int8', k + '.fp32')} | {cell(k + '.fp32.peak%', 0)} |")
if "detect.peer" in values:
    print(f"| detect 640x480, 2 threads, frames/s | {cell('detect.fp32', 1)} | {cell('detect.int8', 1)} | | peer {cell('detect.peer', 1)} | "
          f"{paired('detect.fp32', 'detect.peer')}× the peer's frames/s (int8 {paired('detect.int8', 'detect.peer')}×) | | | |")
if "daemon.file8.fp32" in values or "daemon.file8.int8" in values:
    print(f"| daemon, 8 file streams 640x480, frames/s | {cell('daemon.file8.fp32', 1)} | {cell('daemon.file8.int8', 1)} | | | | | | |")
if "daemon.live4.int8.written" in values or "daemon.live4.fp32.written" in values:
    def live(p):
        k = f"daemon.live4.{p}"
        return f"{cell(k + '.written', 1)} written, {cell(k + '.late-drops', 0)} dropped after 2 s, steady p99 ≤ {cell(k + '.p99', 0)} ms"
    print(f"| daemon, 4 live streams x 25 fps, 40 s | {live('fp32')} | {live('int8')} | | | | | | |")
print()
print("bf16 shows – where this CPU runs it as fp32 (`ssdd bench` says why). SSD300's % of the peak counts the direct")
print("convolution's operations, so Winograd F(4x4, 3x3) goes above 100 %.")
SUMMARY
echo
echo "raw lines: $log (the live daemon runs, 4 streams x 25 fps: the lines daemon.live4.*)"
