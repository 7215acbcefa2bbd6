#!/usr/bin/env bash
# Regenerates Sources/ModelImport/TensorFlow/Generated/*.pb.swift from the minimal TensorFlow .proto files and
# Sources/ModelImport/Caffe/Generated/caffe.pb.swift from the minimal Caffe one (scripts/protos/caffe.proto).
#
# Needs protoc (Debian: `apt-get install protobuf-compiler`) and protoc-gen-swift built from the swift-protobuf
# version pinned in Package.resolved:
#   git clone /opt/swift-packages/apple/swift-protobuf.git /tmp/swift-protobuf   # or https://github.com/apple/swift-protobuf
#   cd /tmp/swift-protobuf && git checkout 1.39.0 && swift build -c release --product protoc-gen-swift
# Usage: scripts/generate-protos.sh [path/to/protoc-gen-swift]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
plugin="${1:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"
# The .proto files live outside the target so SwiftPM does not flag them as unhandled sources.
protos="$root/scripts/protos"
out="$root/Sources/ModelImport/TensorFlow/Generated"

mkdir -p "$out"
rm -f "$out"/*.pb.swift
protoc \
    --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$protos" \
    --swift_opt=Visibility=Internal \
    --swift_opt=FileNaming=DropPath \
    --swift_out="$out" \
    "$protos"/types.proto "$protos"/tensor_shape.proto "$protos"/tensor.proto \
    "$protos"/attr_value.proto "$protos"/graph.proto
echo "generated: $(ls "$out")"

caffe_out="$root/Sources/ModelImport/Caffe/Generated"
mkdir -p "$caffe_out"
rm -f "$caffe_out"/*.pb.swift
protoc \
    --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$protos" \
    --swift_opt=Visibility=Internal \
    --swift_opt=FileNaming=DropPath \
    --swift_out="$caffe_out" \
    "$protos"/caffe.proto
echo "generated: $(ls "$caffe_out")"
