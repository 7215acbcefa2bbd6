#!/usr/bin/env python3
"""Caffe SSD parity fixtures: three deploy prototxts, seeded weights, and OpenCV DNN's detections on photos.

For each of SSD300-VGG16 (VOC, 21 classes), SSD512-VGG16 (VOC) and MobileNet-SSD (chuanqi305's MobileNetSSD_deploy,
batch norm already merged into the convolutions, as in that deploy file) this tool
  1. writes the deploy prototxt (the layer layout of the released files; SSD layer parameters by field name) into
     Tests/ModelImportTests/Fixtures/Caffe/<model>.prototxt;
  2. derives every blob with the weight recipe below and writes the binary .caffemodel into OUT_DIR (not committed:
     the VGG ones are ~100 MB; the Swift tests rebuild the same bytes with TestSupport's CaffeModelWriter);
  3. runs cv2.dnn.readNetFromCaffe(prototxt, caffemodel) on darknet's photos (Debian package `darknet`), decoded to
     RGB by the ffmpeg CLI (the FFmpeg ssdd uses) and handed to OpenCV as BGR, resized by cv2.resize INTER_LINEAR
     and turned into a blob by cv2.dnn.blobFromImage(img, scale, size, mean) — what OpenCV DNN tutorials do;
  4. writes Tests/ModelImportTests/Fixtures/Caffe/<model>.golden.json: the recipe (per blob: layer, index, shape,
     amplitude, period, shift), the caffemodel's size and SHA-256, and every detection row OpenCV emits (label,
     score, normalised xmin, ymin, xmax, ymax, float32 values in full precision), in OpenCV's order (grouped by
     ascending label, descending score within a label).

Weight recipe (bit-reproducible; the same in Sources/TestSupport/CaffeWeightRecipe.swift):
  key  = FNV-1a 64 of the UTF-8 layer name followed by the bytes 0x00 and the blob index
  z_i  = splitmix64 finaliser of (key + (i + 1) * 0x9E3779B97F4A7C15) (mod 2^64), i = 0, 1, … over the blob's values
  u_i  = float32(z_i >> 40) * 2^-24                                     (exact; in [0, 1))
  w_i  = (2 u_i - 1) * amplitude  (+ shift when period > 0 and i % period == 0), all in float32
Amplitudes: He-uniform sqrt(6 / fan_in) for the trunk; biases 0.1 x that; the heads' amplitudes are set from the RMS
of the feature map they read (measured by OpenCV on the first photo with provisional head weights) so that class
logits have a standard deviation of CONF_STD and box codes of LOC_STD; the background logit of every prior gets
+BACKGROUND_SHIFT (shift on every `classes`-th conf bias). Normalize scales are 20 ± 2.

Rerun: python3 -m venv /work/venv-cv && /work/venv-cv/bin/pip install "opencv-python-headless<5" numpy protobuf
       /work/venv-cv/bin/python tools/caffe_ssd_fixtures.py [OUT_DIR (default /tmp/ssdd-caffe)]
"""
import hashlib
import json
import os
import struct
import subprocess
import sys

import cv2
import numpy as np

# The YUV → RGB conversion of ssdd's MediaIO (PixelConverter: SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
# full range), so the photo is the same pixels in Python and in ssdd.
SWS_FLAGS = "bilinear+accurate_rnd+full_chroma_int"

FIXTURES = "Tests/ModelImportTests/Fixtures/Caffe"
PHOTOS = ["/usr/share/darknet/data/dog.jpg", "/usr/share/darknet/data/person.jpg", "/usr/share/darknet/data/horses.jpg"]
CONF_STD = float(os.environ.get("CONF_STD", "3.0"))
LOC_STD = 1.0
BACKGROUND_SHIFT = float(os.environ.get("BACKGROUND_SHIFT", "10.0"))
GOLDEN = 0x9E3779B97F4A7C15
MASK = 0xFFFFFFFFFFFFFFFF


# ---------------------------------------------------------------------------------------------------------------------
# Weight recipe
# ---------------------------------------------------------------------------------------------------------------------

def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001B3) & MASK
    return h


def recipe_values(layer, index, count, amplitude, period=0, shift=0.0):
    key = np.uint64(fnv1a64(layer.encode() + bytes([0, index])))
    with np.errstate(over="ignore"):
        z = key + (np.arange(1, count + 1, dtype=np.uint64) * np.uint64(GOLDEN))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    w = (np.float32(2) * u - np.float32(1)) * np.float32(amplitude)
    if period > 0:
        w[::period] = w[::period] + np.float32(shift)
    return w.astype(np.float32)


# ---------------------------------------------------------------------------------------------------------------------
# Protobuf wire format: NetParameter.layer = 100 { name = 1, type = 2, blobs = 7 { shape = 7 { dim = 1 }, data = 5 } }
# ---------------------------------------------------------------------------------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def blob_message(shape, values):
    dims = b"".join(varint(d) for d in shape)
    return field(7, field(1, dims)) + field(5, values.astype("<f4").tobytes())


def layer_message(name, type_name, blobs):
    body = field(1, name.encode()) + field(2, type_name.encode())
    for shape, values in blobs:
        body += field(7, blob_message(shape, values))
    return field(100, body)


# ---------------------------------------------------------------------------------------------------------------------
# Prototxt builder
# ---------------------------------------------------------------------------------------------------------------------

class Net:
    def __init__(self, name, size):
        self.name = name
        self.size = size
        self.text = ['name: "%s"' % name, 'input: "data"',
                     "input_shape {\n  dim: 1\n  dim: 3\n  dim: %d\n  dim: %d\n}" % (size, size)]
        self.params = []  # (layer, type, [shape…], role, level)
        self.channels = {"data": 3}

    def layer(self, name, type_name, bottoms, tops, body=""):
        lines = ["layer {", '  name: "%s"' % name, '  type: "%s"' % type_name]
        lines += ['  bottom: "%s"' % b for b in bottoms]
        lines += ['  top: "%s"' % t for t in tops]
        if body:
            lines += ["  " + line for line in body.strip().split("\n")]
        lines.append("}")
        self.text.append("\n".join(lines))

    def conv(self, name, bottom, out, kernel, stride=1, pad=0, dilation=1, group=1, relu=True, role="trunk", level=None):
        inp = self.channels[bottom]
        body = "convolution_param {\n  num_output: %d\n  bias_term: true\n  pad: %d\n  kernel_size: %d\n  stride: %d\n" % (
            out, pad, kernel, stride)
        if group > 1:
            body += "  group: %d\n  engine: CAFFE\n" % group
        if dilation > 1:
            body += "  dilation: %d\n" % dilation
        body += "  weight_filler {\n    type: \"xavier\"\n  }\n  bias_filler {\n    type: \"constant\"\n    value: 0\n  }\n}"
        self.layer(name, "Convolution", [bottom], [name], body)
        self.params.append((name, "Convolution", [[out, inp // group, kernel, kernel], [out]], role, level))
        self.channels[name] = out
        if relu:
            self.layer(name.replace("conv", "relu", 1) if name.startswith("conv") else "relu" + name, "ReLU", [name], [name])
        return name

    def pool(self, name, bottom, kernel, stride, pad=0):
        body = "pooling_param {\n  pool: MAX\n  kernel_size: %d\n  stride: %d\n%s}" % (kernel, stride, "  pad: %d\n" % pad if pad else "")
        self.layer(name, "Pooling", [bottom], [name], body)
        self.channels[name] = self.channels[bottom]
        return name

    def normalize(self, name, bottom):
        body = ("norm_param {\n  across_spatial: false\n  scale_filler {\n    type: \"constant\"\n    value: 20\n  }\n"
                "  channel_shared: false\n}")
        self.layer(name, "Normalize", [bottom], [name], body)
        self.params.append((name, "Normalize", [[self.channels[bottom]]], "norm", None))
        self.channels[name] = self.channels[bottom]
        return name

    def heads(self, sources, classes, priors, kernel, pad, detection):
        """sources: [(blob, PriorBox parameter text, priors per location)]."""
        self.sources = [s[0] for s in sources]
        locs, confs, boxes = [], [], []
        for level, (source, prior_text, count) in enumerate(sources):
            for kind, per in (("loc", 4), ("conf", classes)):
                name = "%s_mbox_%s" % (source, kind)
                self.conv(name, source, count * per, kernel, pad=pad, relu=False, role=kind, level=level)
                self.layer(name + "_perm", "Permute", [name], [name + "_perm"],
                           "permute_param {\n  order: 0\n  order: 2\n  order: 3\n  order: 1\n}")
                self.layer(name + "_flat", "Flatten", [name + "_perm"], [name + "_flat"], "flatten_param {\n  axis: 1\n}")
                (locs if kind == "loc" else confs).append(name + "_flat")
            prior = source + "_mbox_priorbox"
            self.layer(prior, "PriorBox", [source, "data"], [prior], "prior_box_param {\n%s\n}" % prior_text)
            boxes.append(prior)
        self.layer("mbox_loc", "Concat", locs, ["mbox_loc"], "concat_param {\n  axis: 1\n}")
        self.layer("mbox_conf", "Concat", confs, ["mbox_conf"], "concat_param {\n  axis: 1\n}")
        self.layer("mbox_priorbox", "Concat", boxes, ["mbox_priorbox"], "concat_param {\n  axis: 2\n}")
        self.layer("mbox_conf_reshape", "Reshape", ["mbox_conf"], ["mbox_conf_reshape"],
                   "reshape_param {\n  shape {\n    dim: 0\n    dim: -1\n    dim: %d\n  }\n}" % classes)
        self.layer("mbox_conf_softmax", "Softmax", ["mbox_conf_reshape"], ["mbox_conf_softmax"], "softmax_param {\n  axis: 2\n}")
        self.layer("mbox_conf_flatten", "Flatten", ["mbox_conf_softmax"], ["mbox_conf_flatten"], "flatten_param {\n  axis: 1\n}")
        self.layer("detection_out", "DetectionOutput", ["mbox_loc", "mbox_conf_flatten", "mbox_priorbox"], ["detection_out"],
                   detection)

    def prototxt(self):
        return "\n".join(self.text) + "\n"


def prior_text(min_sizes, max_sizes, ratios, step=None):
    lines = ["  min_size: %s" % fmt(m) for m in min_sizes] + ["  max_size: %s" % fmt(m) for m in max_sizes]
    lines += ["  aspect_ratio: %s" % fmt(r) for r in ratios]
    lines += ["  flip: true", "  clip: false"] + ["  variance: %s" % v for v in ("0.1", "0.1", "0.2", "0.2")]
    if step is not None:
        lines.append("  step: %s" % fmt(step))
    lines.append("  offset: 0.5")
    return "\n".join(lines)


def fmt(value):
    return repr(float(value)) if not float(value).is_integer() else "%d.0" % value


def detection_text(classes, nms, top_k, keep, threshold):
    return ("detection_output_param {\n  num_classes: %d\n  share_location: true\n  background_label_id: 0\n"
            "  nms_param {\n    nms_threshold: %s\n    top_k: %d\n  }\n  code_type: CENTER_SIZE\n  keep_top_k: %d\n"
            "  confidence_threshold: %s\n}") % (classes, nms, top_k, keep, threshold)


def vgg_trunk(net):
    x = "data"
    for block, (count, width) in enumerate([(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)], start=1):
        for i in range(1, count + 1):
            x = net.conv("conv%d_%d" % (block, i), x, width, 3, pad=1)
        if block < 5:
            x = net.pool("pool%d" % block, x, 2, 2)
    net.pool("pool5", x, 3, 1, pad=1)
    net.conv("fc6", "pool5", 1024, 3, pad=6, dilation=6)
    net.conv("fc7", "fc6", 1024, 1)
    net.normalize("conv4_3_norm", "conv4_3")


def ssd300():
    net = Net("VGG_VOC0712_SSD_300x300_deploy", 300)
    vgg_trunk(net)
    x = "fc7"
    for i, (mid, out, stride, pad) in enumerate([(256, 512, 2, 1), (128, 256, 2, 1), (128, 256, 1, 0), (128, 256, 1, 0)], start=6):
        net.conv("conv%d_1" % i, x, mid, 1)
        x = net.conv("conv%d_2" % i, "conv%d_1" % i, out, 3, stride=stride, pad=pad)
    mins, maxs, steps = [30, 60, 111, 162, 213, 264], [60, 111, 162, 213, 264, 315], [8, 16, 32, 64, 100, 300]
    ratios = [[2], [2, 3], [2, 3], [2, 3], [2], [2]]
    names = ["conv4_3_norm", "fc7", "conv6_2", "conv7_2", "conv8_2", "conv9_2"]
    sources = [(n, prior_text([mins[k]], [maxs[k]], ratios[k], steps[k]), 2 + 2 * len(ratios[k])) for k, n in enumerate(names)]
    net.heads(sources, 21, None, 3, 1, detection_text(21, "0.45", 400, 200, "0.01"))
    return net


def ssd512():
    net = Net("VGG_VOC0712_SSD_512x512_deploy", 512)
    vgg_trunk(net)
    x = "fc7"
    for i, (mid, out, stride, pad) in enumerate([(256, 512, 2, 1), (128, 256, 2, 1), (128, 256, 2, 1), (128, 256, 2, 1)], start=6):
        net.conv("conv%d_1" % i, x, mid, 1)
        x = net.conv("conv%d_2" % i, "conv%d_1" % i, out, 3, stride=stride, pad=pad)
    net.conv("conv10_1", x, 128, 1)
    net.conv("conv10_2", "conv10_1", 256, 4, stride=1, pad=1)
    mins = [35.84, 76.8, 153.6, 230.4, 307.2, 384.0, 460.8]
    maxs = [76.8, 153.6, 230.4, 307.2, 384.0, 460.8, 537.6]
    steps = [8, 16, 32, 64, 128, 256, 512]
    ratios = [[2], [2, 3], [2, 3], [2, 3], [2, 3], [2], [2]]
    names = ["conv4_3_norm", "fc7", "conv6_2", "conv7_2", "conv8_2", "conv9_2", "conv10_2"]
    sources = [(n, prior_text([mins[k]], [maxs[k]], ratios[k], steps[k]), 2 + 2 * len(ratios[k])) for k, n in enumerate(names)]
    net.heads(sources, 21, None, 3, 1, detection_text(21, "0.45", 400, 200, "0.01"))
    return net


def mobilenet_ssd():
    net = Net("MobileNet-SSD", 300)
    x = net.conv("conv0", "data", 32, 3, stride=2, pad=1)
    widths = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1),
              (1024, 2), (1024, 1)]
    for i, (out, stride) in enumerate(widths, start=1):
        channels = net.channels[x]
        net.conv("conv%d/dw" % i, x, channels, 3, stride=stride, pad=1, group=channels)
        x = net.conv("conv%d" % i, "conv%d/dw" % i, out, 1)
    for i, (mid, out) in enumerate([(256, 512), (128, 256), (128, 256), (64, 128)], start=14):
        net.conv("conv%d_1" % i, x, mid, 1)
        x = net.conv("conv%d_2" % i, "conv%d_1" % i, out, 3, stride=2, pad=1)
    levels = [("conv11", [60], [], [2]), ("conv13", [105], [150], [2, 3]), ("conv14_2", [150], [195], [2, 3]),
              ("conv15_2", [195], [240], [2, 3]), ("conv16_2", [240], [285], [2, 3]), ("conv17_2", [285], [300], [2, 3])]
    sources = [(n, prior_text(mn, mx, r), 1 + len(mx) + 2 * len(r)) for n, mn, mx, r in levels]
    net.heads(sources, 21, None, 1, 0, detection_text(21, "0.45", 100, 100, "0.25"))
    return net


MODELS = {
    "ssd300_vgg16_voc": (ssd300, {"mean": (104.0, 117.0, 123.0), "scale": 1.0}),
    "ssd512_vgg16_voc": (ssd512, {"mean": (104.0, 117.0, 123.0), "scale": 1.0}),
    "mobilenet_ssd_voc": (mobilenet_ssd, {"mean": (127.5, 127.5, 127.5), "scale": 0.007843}),
}


# ---------------------------------------------------------------------------------------------------------------------
# Weights, OpenCV, goldens
# ---------------------------------------------------------------------------------------------------------------------

def blob_recipes(net, head_rms, classes=21):
    recipes = []
    for name, type_name, shapes, role, level in net.params:
        if role == "norm":
            recipes.append({"layer": name, "type": type_name, "index": 0, "shape": shapes[0], "amplitude": 2.0, "period": 1,
                            "shift": 20.0})
            continue
        fan_in = int(np.prod(shapes[0][1:]))
        if role == "trunk":
            a = float(np.float32(np.sqrt(6.0 / fan_in)))
            weight, bias = a, float(np.float32(0.1 * a))
        else:
            std = CONF_STD if role == "conf" else LOC_STD
            rms = head_rms.get(level, 1.0)
            weight = float(np.float32(std * np.sqrt(3.0 / fan_in) / rms))
            bias = float(np.float32(0.1 * std))
        recipes.append({"layer": name, "type": type_name, "index": 0, "shape": shapes[0], "amplitude": weight, "period": 0,
                        "shift": 0.0})
        bias_recipe = {"layer": name, "type": type_name, "index": 1, "shape": shapes[1], "amplitude": bias, "period": 0,
                       "shift": 0.0}
        if role == "conf":
            bias_recipe.update(period=classes, shift=BACKGROUND_SHIFT)
        recipes.append(bias_recipe)
    return recipes


def caffemodel_bytes(net, recipes):
    by_layer = {}
    for r in recipes:
        count = int(np.prod(r["shape"]))
        values = recipe_values(r["layer"], r["index"], count, r["amplitude"], r["period"], r["shift"])
        by_layer.setdefault(r["layer"], []).append((r["shape"], values))
    types = {r["layer"]: r["type"] for r in recipes}
    out = field(1, net.name.encode())
    for layer, blobs in by_layer.items():
        out += layer_message(layer, types[layer], blobs)
    return out


def decode_rgb(path):
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                            "-of", "csv=p=0", path], capture_output=True, text=True, check=True).stdout.strip().split(",")
    width, height = int(probe[0]), int(probe[1])
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", "-sws_flags", SWS_FLAGS, "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def blob(rgb, size, prep):
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    resized = cv2.resize(bgr, (size, size), interpolation=cv2.INTER_LINEAR)
    return cv2.dnn.blobFromImage(resized, prep["scale"], (size, size), prep["mean"], swapRB=False, crop=False)


def load(prototxt, model_path):
    net = cv2.dnn.readNetFromCaffe(prototxt, model_path)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return net


def head_sources(net):
    sources = []
    for name, _, _, role, level in net.params:
        if role == "loc":
            sources.append((level, name[: -len("_mbox_loc")]))
    return sources


def build(key, out_dir, photos):
    make, prep = MODELS[key]
    net = make()
    prototxt = os.path.join(FIXTURES, key + ".prototxt")
    with open(prototxt, "w") as f:
        f.write(net.prototxt())
    model_path = os.path.join(out_dir, key + ".caffemodel")
    # Provisional weights, to measure the RMS of the feature maps the heads read on the first photo.
    with open(model_path, "wb") as f:
        f.write(caffemodel_bytes(net, blob_recipes(net, {})))
    cvnet = load(prototxt, model_path)
    cvnet.setInput(blob(photos[0][1], net.size, prep))
    sources = head_sources(net)
    maps = cvnet.forward([name for _, name in sources])
    head_rms = {level: float(np.sqrt(np.mean(np.square(m.astype(np.float64))))) for (level, _), m in zip(sources, maps)}
    recipes = blob_recipes(net, head_rms)
    data = caffemodel_bytes(net, recipes)
    with open(model_path, "wb") as f:
        f.write(data)
    cvnet = load(prototxt, model_path)
    results = []
    for number, (path, rgb) in enumerate(photos):
        cvnet.setInput(blob(rgb, net.size, prep))
        if number == 0:
            # What DetectionOutput reads, for the post-processing test: the priors (mean and variance channels), and
            # for the small model the raw head outputs (box codes and class logits before the softmax).
            outs = cvnet.forward(["mbox_priorbox", "mbox_loc", "mbox_conf", "detection_out"])
            priors = outs[0].reshape(2, -1).astype("<f4")
            prior_digest = {"count": priors.shape[1] // 4, "boxes_fnv1a64": "%016x" % fnv1a64(priors[0].tobytes()),
                            "variances_fnv1a64": "%016x" % fnv1a64(priors[1].tobytes()),
                            "sample_every": 97, "sample": [float(v) for v in priors[0].reshape(-1, 4)[::97].reshape(-1)]}
            maps = cvnet.forward(net.sources)
            prior_digest["feature_maps"] = [[int(m.shape[3]), int(m.shape[2])] for m in maps]
            if key == "mobilenet_ssd_voc":
                raw = np.concatenate([outs[1].reshape(-1), outs[2].reshape(-1)]).astype("<f4")
                with open(os.path.join(FIXTURES, key + ".heads.bin"), "wb") as f:
                    f.write(raw.tobytes())
            rows = outs[3].reshape(-1, 7)
        else:
            rows = cvnet.forward().reshape(-1, 7)
        rows = rows[rows[:, 2] > 0] if len(rows) else rows
        detections = [{"label": int(r[1]), "score": float(r[2]), "box": [float(v) for v in r[3:7]]} for r in rows]
        results.append({"path": path, "size": [rgb.shape[1], rgb.shape[0]], "input_fnv1a64": "%016x" % fnv1a64(rgb.tobytes()),
                        "detections": detections})
        labels = sorted({d["label"] for d in detections})
        scores = [d["score"] for d in detections]
        print("%s %s: %d detections, labels %s, scores %.4f…%.4f" % (key, os.path.basename(path), len(detections), labels,
                                                                     min(scores or [0]), max(scores or [0])))
    golden = {
        "generator": "tools/caffe_ssd_fixtures.py", "opencv": cv2.__version__, "model": key, "prototxt": key + ".prototxt",
        "input_size": net.size, "mean": list(prep["mean"]), "scale": prep["scale"], "channel_order": "bgr",
        "net_name": net.name, "caffemodel_bytes": len(data), "caffemodel_sha256": hashlib.sha256(data).hexdigest(),
        "head_rms": [head_rms[k] for k in sorted(head_rms)],
        "priors": prior_digest, "recipe": recipes, "photos": results,
    }
    with open(os.path.join(FIXTURES, key + ".golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ssdd-caffe"
    only = sys.argv[2:] or list(MODELS)
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(FIXTURES, exist_ok=True)
    photos = [(p, decode_rgb(p)) for p in PHOTOS]
    for key in only:
        build(key, out_dir, photos)


if __name__ == "__main__":
    main()
