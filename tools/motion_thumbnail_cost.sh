#!/bin/sh
# Counts the instructions the motion gate's grey thumbnail (Sources/Imaging/GreyThumbnail.swift) costs per frame, with
# callgrind (repeatable on a busy machine, unlike wall time): the thumbnail sources are built with the release flags
# (-O, -target-cpu haswell) into a small program that makes N thumbnails of a W x H frame; the difference between
# N = 10 and N = 0 over 10 is one thumbnail. Needs valgrind and swiftc.
# Usage: tools/motion_thumbnail_cost.sh [W=640] [H=480]
set -eu
W=${1:-640}
H=${2:-480}
SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$root/Sources/Imaging/RGBImage.swift" "$root/Sources/Imaging/GreyThumbnail.swift" \
    "$root/Sources/Imaging/GreyThumbnail+Difference.swift" > "$work/lib.swift"
cat > "$work/main.swift" <<'SWIFT'
let arguments = CommandLine.arguments.dropFirst().map { Int($0)! }
let (w, h, n) = (arguments[0], arguments[1], arguments[2])
let image = RGBImage(width: w, height: h, pixels: [UInt8](repeating: 77, count: w * h * 3))
var sum: Float = 0
for _ in 0..<n { sum += GreyThumbnail(image).cells[0] }
print(sum)
SWIFT
"$SWIFTC" -O -target-cpu haswell "$work/lib.swift" "$work/main.swift" -o "$work/thumbnail" 2>/dev/null
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$work/thumbnail" "$W" "$H" "$1" 2>&1 | sed -n 's/.*I *refs: *//p' | tr -d ,; }
base=$(count 0)
ten=$(count 10)
echo "grey thumbnail of a ${W}x${H} frame: $(( (ten - base) / 10 )) instructions ($(( (ten - base) / 10 / (W * H) )) per pixel)"
