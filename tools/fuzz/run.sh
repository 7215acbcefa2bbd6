#!/usr/bin/env bash
# Builds and runs the libFuzzer harnesses of the hostile-file readers:
#   safetensors  the safetensors header parser and validator (Sources/ModelStore/SafeTensors)
#   pickle       the pickle machine and the tensor view checks of the .pth reader (Sources/ModelImport/PyTorch)
#   graphdef     the TensorFlow GraphDef importer (Sources/ModelImport/TensorFlow)
#   caffe        the Caffe importer (Sources/ModelImport/Caffe): a deploy prototxt, a zero byte, a caffemodel
#
# Usage: tools/fuzz/run.sh [seconds per harness, default 180] [harness …]
#
# Each harness is compiled with `swiftc -sanitize=fuzzer,address` together with the sources it tests (so internal
# types are visible without @testable and without touching Package.swift); the graphdef and caffe harnesses link the
# modules the importers depend on (SwiftProtobuf, Digests, ModelStore, NeuralNet, TensorEngine) from
# `swift build --target ModelImport`.
# The Swift toolchain ships the libFuzzer runtime (lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a).
# Seeds come from tools/fuzz/corpus/<harness>/; the growing corpus goes to .build/fuzz/corpus/<harness>/ and crashes
# to .build/fuzz/crashes/<harness>/ (turn each into a regression test). Not part of CI.
set -euo pipefail

seconds=${1:-180}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(safetensors pickle graphdef caffe)

root=$(cd "$(dirname "$0")/../.." && pwd)
fuzz=$root/tools/fuzz
out=$root/.build/fuzz
export PATH=/opt/swift/usr/bin:$PATH
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -enable-upcoming-feature ExistentialAny)
# ld.gold warns about every ASan symbol it cannot export; the warnings are noise.
quiet() { "$@" 2> >(grep -v "Cannot export local symbol" >&2); }
mkdir -p "$out"

# An importer harness: `harness` built as module `module` from `file` and the importer sources given after it, with the
# files they share and the object files of the modules they import.
importer() {
  local harness=$1 module=$2 file=$3
  shift 3
  (cd "$root" && swift build --target ModelImport >/dev/null)
  local build=$root/.build/debug
  local objects=()
  for dependency in SwiftProtobuf Digests ModelStore NeuralNet TensorEngine TensorKernelsAVX512 TensorKernelsX86; do
    objects+=("$build/$dependency.build"/*.o)
  done
  quiet swiftc "${flags[@]}" -module-name "$module" -I "$build/Modules" -I "$root/Sources/CBLAS" -I "$root/Sources/CLibCrypto" \
    -Xcc -fmodule-map-file="$build/TensorKernelsX86.build/module.modulemap" \
    -o "$out/$harness" "$fuzz/$file" "$@" \
    "$root"/Sources/ModelImport/{ModelImportError,ImportedModel,DefaultLabels,SourceFileCheck}.swift \
    "${objects[@]}" -lopenblas -lcrypto
}

build() {
  local harness=$1
  case $harness in
    safetensors)
      quiet swiftc "${flags[@]}" -module-name FuzzSafeTensors -o "$out/safetensors" "$fuzz/SafeTensorsHeaderFuzz.swift" \
        "$root"/Sources/ModelStore/SafeTensors/{SafeTensorsHeader,SafeTensorsHeaderParser,SafeTensorsDType,SafeTensorsTensorInfo}.swift \
        "$root/Sources/ModelStore/ModelStoreError.swift"
      ;;
    pickle)
      quiet swiftc "${flags[@]}" -module-name FuzzPickle -o "$out/pickle" "$fuzz/PickleMachineFuzz.swift" \
        "$root"/Sources/ModelImport/PyTorch/{PickleMachine,PickleMachine+Objects,PickleValue,PickleOpcode,TorchCheckpointError,TorchTensor}.swift
      ;;
    graphdef)
      importer "$harness" FuzzGraph GraphDefImportFuzz.swift "$root"/Sources/ModelImport/TensorFlow/*.swift \
        "$root"/Sources/ModelImport/TensorFlow/Generated/*.swift
      ;;
    caffe)
      importer "$harness" FuzzCaffe CaffeImportFuzz.swift "$root"/Sources/ModelImport/Caffe/*.swift \
        "$root"/Sources/ModelImport/Caffe/Generated/*.swift
      ;;
    *) echo "unknown harness '$harness' (safetensors, pickle, graphdef, caffe)" >&2; exit 2 ;;
  esac
}

for harness in "${harnesses[@]}"; do
  echo "== building $harness"
  build "$harness"
  mkdir -p "$out/corpus/$harness" "$out/crashes/$harness"
  echo "== fuzzing $harness for ${seconds}s"
  # -rss_limit_mb: an input that makes a reader allocate more than that is itself a finding.
  status=0
  "$out/$harness" -max_total_time="$seconds" -rss_limit_mb=1536 -max_len=65536 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$harness/" "$out/corpus/$harness" "$fuzz/corpus/$harness" >"$out/$harness.log" 2>&1 \
    || status=$?
  grep -E "^Done [0-9]+ runs|^stat::|ERROR|SUMMARY|Test unit written" "$out/$harness.log" || true
  echo "== $harness: exit status $status, log $out/$harness.log"
  [ "$status" -eq 0 ] || failed=1
done
exit "${failed:-0}"
