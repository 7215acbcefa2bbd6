#!/bin/sh
# Installs everything ssdd needs to build, test and run on Debian 12, as root. Idempotent: safe to run again.
set -eu
PACKAGES="make pkg-config python3-pip unzip ca-certificates \
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavdevice-dev ffmpeg \
  libopenblas-dev libssl-dev darknet \
  libmosquitto-dev mosquitto mosquitto-clients librdkafka-dev kcat \
  chromium chromium-driver"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
command -v swift >/dev/null 2>&1 || [ -x /opt/swift/usr/bin/swift ] || {
  echo "setup: Swift 6 toolchain not found (expected on PATH or at /opt/swift)" >&2; exit 1; }
echo "setup: ok"
