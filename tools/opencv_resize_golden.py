#!/usr/bin/env python3
"""Golden values for ssdd's OpenCV INTER_LINEAR resize (Imaging/OpenCVLinearResizer.swift).

Writes two fixtures:
  Tests/ImagingTests/Fixtures/opencv_resize_golden.json — synthetic images (the formula of tools/resize_golden.py:
    pixel (x, y) = ((x*37 + y*11) % 256, (x*x + 3*y) % 256, (x*y*5 + 17) % 256)) resized by
    cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR), every output byte (HWC), for odd sizes down and up,
    exact 2x down (OpenCV's area shortcut) and exact 2x up.
  Tests/DetectionTests/Fixtures/opencv_resize_photos.json — darknet's photos (Debian package `darknet`,
    /usr/share/darknet/data) decoded to rgb24 by the ffmpeg CLI, resized by cv2.resize; FNV-1a 64 of the decoded
    input and of each output (too large to store), so the Swift test (FFmpeg decode through MediaIO) can check both.

Rerun: python3 -m venv /work/venv-cv && /work/venv-cv/bin/pip install "opencv-python-headless<5" numpy
       /work/venv-cv/bin/python tools/opencv_resize_golden.py
"""
import json
import subprocess
import sys

import cv2
import numpy as np

# The YUV → RGB conversion of ssdd's MediaIO (PixelConverter: SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
# full range), so the photo is the same pixels in Python and in ssdd.
SWS_FLAGS = "bilinear+accurate_rnd+full_chroma_int"

SYNTHETIC = [((7, 5), (3, 2)), ((7, 5), (13, 11)), ((13, 11), (31, 9)), ((64, 48), (30, 30)), ((17, 23), (17, 23)),
             ((5, 1), (12, 3)), ((1, 7), (4, 20)), ((40, 30), (20, 15)), ((9, 6), (18, 12)), ((101, 37), (33, 40)),
             ((300, 300), (37, 29))]
PHOTOS = ["dog", "person", "horses"]
PHOTO_SIZES = [(300, 300), (512, 512), (301, 173), (1001, 999), "half", "double"]


def image(width, height):
    y, x = np.mgrid[0:height, 0:width]
    r = (x * 37 + y * 11) % 256
    g = (x * x + 3 * y) % 256
    b = (x * y * 5 + 17) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def decode_rgb(path):
    """The photo as the ffmpeg CLI decodes it to packed RGB (the FFmpeg ssdd links)."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                            "-of", "csv=p=0", path], capture_output=True, text=True, check=True).stdout.strip().split(",")
    width, height = int(probe[0]), int(probe[1])
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", "-sws_flags", SWS_FLAGS, "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def main(imaging_out, photos_out):
    cases = []
    for (w_in, h_in), (w, h) in SYNTHETIC:
        out = cv2.resize(image(w_in, h_in), (w, h), interpolation=cv2.INTER_LINEAR)
        cases.append({"in": [w_in, h_in], "out": [w, h], "pixels": out.reshape(-1).tolist()})
    with open(imaging_out, "w") as f:
        json.dump({"generator": "tools/opencv_resize_golden.py", "opencv": cv2.__version__, "cases": cases}, f)

    photos = []
    for name in PHOTOS:
        path = "/usr/share/darknet/data/%s.jpg" % name
        rgb = decode_rgb(path)
        height, width = rgb.shape[:2]
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        outputs = []
        for size in PHOTO_SIZES:
            w, h = {"half": (width // 2, height // 2), "double": (width * 2, height * 2)}.get(size, size) if isinstance(size, str) else size
            # OpenCV DNN users hand cv2 BGR; the resize treats channels alike, so the digest is taken back in RGB order.
            out = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_LINEAR)[:, :, ::-1]
            outputs.append({"out": [w, h], "fnv1a64": fnv1a64(np.ascontiguousarray(out).tobytes())})
        photos.append({"path": path, "size": [width, height], "input_fnv1a64": fnv1a64(rgb.tobytes()), "outputs": outputs})
    with open(photos_out, "w") as f:
        json.dump({"generator": "tools/opencv_resize_golden.py", "opencv": cv2.__version__, "photos": photos}, f, indent=1)


if __name__ == "__main__":
    main(*(sys.argv[1:3] if len(sys.argv) > 2 else
           ("Tests/ImagingTests/Fixtures/opencv_resize_golden.json", "Tests/DetectionTests/Fixtures/opencv_resize_photos.json")))
