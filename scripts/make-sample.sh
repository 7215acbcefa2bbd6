#!/bin/sh
# Makes the bundled sample clip from a real photo shipped by Debian's darknet package:
# a 4 s, 25 fps, 480x360 H.264 pan across /usr/share/darknet/data/person.jpg (a woman, a dog and a horse).
set -eu
out=${1:-samples/person.mp4}
photo=/usr/share/darknet/data/person.jpg
[ -f "$photo" ] || { echo "make-sample: $photo is missing; run scripts/setup.sh" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
ffmpeg -v error -y -loop 1 -framerate 25 -i "$photo" -t 4 \
  -vf "crop=480:360:x='min(160\,n*2)':y=32,format=yuv420p" -c:v libx264 -preset veryfast -crf 20 "$out.tmp.mp4"
mv "$out.tmp.mp4" "$out"
echo "make-sample: wrote $out"
