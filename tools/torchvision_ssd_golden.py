#!/usr/bin/env python3
"""Golden parity fixtures for torchvision's ssd300_vgg16 and a small torch-written .pth for the Swift reader.

Builds `torchvision.models.detection.ssd300_vgg16(weights=None, weights_backbone=None, num_classes=91)`, overwrites
EVERY state_dict tensor with the integer formula below (Swift regenerates it bit-exactly; no 140 MB file in the repo),
runs it in eval mode on a synthetic image and writes, under Tests/DetectionTests/Fixtures/torchvision/:

  anchors.f32           [8732, 4] default boxes, pixel xyxy in the 300x300 frame (model.anchor_generator), LE float32.
  bbox_regression.f32   [8732, 4] raw head regressions (dx, dy, dw, dh), LE float32, row-major.
  cls_logits_sampled.f32
                        [R, 91] raw class logits of the anchors listed in golden.json `logit_rows` (every 24th anchor
                        plus the anchors of all final detections; the full tensor would be 3 MB), LE float32.
  input_sampled.f32     the transformed network input [3, 300, 300] sampled at rows/columns 0, 13, ..., 299 and stored
                        (y, x, c) as [24, 24, 3], LE float32.
  golden.json           versions, formulas, state_dict keys and shapes (in order), input checksums, logit row indices,
                        final detections (300-frame and original-frame boxes, scores, labels, anchor index).

Weight formula (all arithmetic on unsigned 32-bit integers wraps mod 2^32):
  h     = FNV-1a-32 of the key's UTF-8 bytes (h = 0x811C9DC5; per byte: h ^= b; h *= 0x01000193)
  x     = h ^ (i * 0x9E3779B1)             for the flat (row-major) index i of the element
  x    ^= x >> 16; x *= 0x85EBCA6B; x ^= x >> 13; x *= 0xC2B2AE35; x ^= x >> 16     (murmur3 fmix32)
  u     = float32((x >> 8) - 2^23) / 2^24  (exact; in [-0.5, 0.5))
  value = float32(u * gain) + shift        (one float32 multiply, then one float32 add)
  gain, shift per tensor (gain is computed in float64 and rounded once to float32):
    4-D weight [O, I, kh, kw]: gain = sqrt(24 / (I*kh*kw)) * 2^e, shift 0   (He-uniform: var(u) = 1/12)
        e = -6 for backbone.features.0.weight (the input is 0..255 minus the mean), e = -1 for
        head.classification_head.* (spreads the softmax), e = 0 otherwise
    backbone.scale_weight: gain 8, shift 20
    every other tensor (biases): gain 0.25, shift 0

Image: 240 rows x 320 columns RGB uint8, with x = column, y = row:
  r = (x * 255) // 319,  g = (y * 255) // 239,  b = ((x // 20 + y // 20) % 2) * 200 + (x * y) % 55
fed as float32 CHW `u8 / 255` (what `weights.transforms()` produces), i.e. torchvision normalises with
mean (0.48235, 0.45882, 0.40784) and std 1/255, then resizes bilinearly (align_corners=False) to 300x300.

The same run writes Tests/ModelImportTests/Fixtures/torch_small.pth (+ torch_small.json with the expected values),
torch_nested.pth (a {"epoch", "state_dict"} checkpoint) and torch_half.pth (a float16 tensor, for the error path).

Usage: /work/.venv-ref/bin/python tools/torchvision_ssd_golden.py [--repo DIR] [--full-pth PATH]   (CI never runs this)
--full-pth writes the formula-weighted state_dict with torch.save; point SSDD_TORCHVISION_PTH at it to run the Swift
test that imports it with the native reader and compares every tensor to the formula.
"""
import argparse
import collections
import hashlib
import json
import math
import os

import numpy as np
import torch
import torchvision
from torchvision.models.detection import ssd300_vgg16

LOGIT_ROW_STEP = 24
SAMPLE_STEP = 13
MASK = 0xFFFFFFFF


def fnv1a32(key):
    h = 0x811C9DC5
    for b in key.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & MASK
    return h


def formula_values(key, shape, gain, shift):
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.uint64)
    x = (np.uint64(fnv1a32(key)) ^ ((i * np.uint64(0x9E3779B1)) & np.uint64(MASK))) & np.uint64(MASK)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(MASK)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(MASK)
    x ^= x >> np.uint64(16)
    u = ((x >> np.uint64(8)).astype(np.int64) - (1 << 23)).astype(np.float32) / np.float32(1 << 24)
    return ((u * np.float32(gain)).astype(np.float32) + np.float32(shift)).astype(np.float32).reshape(shape)


def gain_and_shift(key, shape):
    if len(shape) == 4:
        exponent = -6 if key == "backbone.features.0.weight" else (-1 if key.startswith("head.classification_head.") else 0)
        return float(np.float32(math.sqrt(24.0 / (shape[1] * shape[2] * shape[3])) * 2.0 ** exponent)), 0.0
    if key == "backbone.scale_weight":
        return 8.0, 20.0
    return 0.25, 0.0


def image_u8(height=240, width=320):
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    r = (x * 255) // 319
    g = (y * 255) // 239
    b = ((x // 20 + y // 20) % 2) * 200 + (x * y) % 55
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def f32list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def write_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def ssd_golden(out_dir, full_pth=None):
    torch.manual_seed(0)
    model = ssd300_vgg16(weights=None, weights_backbone=None, num_classes=91).eval()
    state = model.state_dict()
    shapes = []
    with torch.no_grad():
        for key, tensor in state.items():
            gain, shift = gain_and_shift(key, list(tensor.shape))
            tensor.copy_(torch.from_numpy(formula_values(key, list(tensor.shape), gain, shift)))
            shapes.append({"key": key, "shape": list(tensor.shape), "gain": gain, "shift": shift})
    if full_pth:
        torch.save(model.state_dict(), full_pth)
    u8 = image_u8()
    image = torch.from_numpy(u8).permute(2, 0, 1).float() / 255
    with torch.no_grad():
        images, _ = model.transform([image])
        features = list(model.backbone(images.tensors).values())
        head = model.head(features)
        anchors = model.anchor_generator(images, features)
        dets300 = model.postprocess_detections(head, anchors, images.image_sizes)[0]
        dets = model.transform.postprocess([dict(dets300)], images.image_sizes, [(240, 320)])[0]
        full = model([image])[0]
    for k in ("boxes", "scores", "labels"):
        assert torch.equal(full[k], dets[k]), k

    regression = head["bbox_regression"][0].numpy()
    logits = head["cls_logits"][0].numpy()
    anchor_boxes = anchors[0].numpy()
    # Anchor index of each detection: the decoded, clipped box that equals it for that class's score.
    decoded = torchvision.ops.clip_boxes_to_image(
        model.box_coder.decode_single(head["bbox_regression"][0], anchors[0]), (300, 300)).numpy()
    scores = torch.softmax(head["cls_logits"][0], dim=-1).numpy()
    det_anchor = []
    for box, score, label in zip(dets300["boxes"].numpy(), dets300["scores"].numpy(), dets300["labels"].numpy()):
        match = np.nonzero((decoded == box).all(axis=1) & (scores[:, label] == score))[0]
        assert len(match) == 1, (box, score, label, match)
        det_anchor.append(int(match[0]))
    rows = sorted(set(range(0, 8732, LOGIT_ROW_STEP)) | set(det_anchor))

    x = images.tensors[0].numpy()
    write_f32(os.path.join(out_dir, "anchors.f32"), anchor_boxes)
    write_f32(os.path.join(out_dir, "bbox_regression.f32"), regression)
    write_f32(os.path.join(out_dir, "cls_logits_sampled.f32"), logits[rows])
    sampled = x[:, ::SAMPLE_STEP, ::SAMPLE_STEP].transpose(1, 2, 0)
    write_f32(os.path.join(out_dir, "input_sampled.f32"), sampled)
    golden = {
        "torch": torch.__version__, "torchvision": torchvision.__version__,
        "image": {"height": 240, "width": 320, "sha256": hashlib.sha256(u8.tobytes()).hexdigest()},
        "input": {
            "shape": list(x.shape), "sample_step": SAMPLE_STEP, "sum": float(x.astype(np.float64).sum()),
            "sum_of_squares": float((x.astype(np.float64) ** 2).sum()), "min": float(x.min()), "max": float(x.max()),
        },
        "parameters": shapes, "parameter_count": int(sum(t.numel() for t in state.values())),
        "regression_abs_max": float(np.abs(regression).max()), "logits_abs_max": float(np.abs(logits).max()),
        "logit_rows": rows,
        "detections": {
            "boxes300": f32list(dets300["boxes"]), "boxes": f32list(dets["boxes"]), "scores": f32list(dets["scores"]),
            "labels": [int(v) for v in dets["labels"]], "anchors": det_anchor,
        },
    }
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    print("detections:", len(det_anchor), "top scores:", dets["scores"][:5].tolist(),
          "logit rows:", len(rows), "regression |max|:", golden["regression_abs_max"],
          "logits |max|:", golden["logits_abs_max"])


def small_pth(out_dir):
    """A state_dict exercising contiguous, transposed, sliced, offset and shared storages and a 0-d tensor."""
    conv = torch.from_numpy(formula_values("conv.weight", [4, 3, 3, 3], 0.5, 0.0))
    base = torch.arange(40, dtype=torch.float32) * 0.5 - 3.25
    matrix = torch.from_numpy(formula_values("fc.weight", [5, 6], 1.0, 0.0))
    grid = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    state = collections.OrderedDict([
        ("conv.weight", conv),
        ("conv.bias", torch.tensor([0.5, -1.0, 1e-8, 3.0e38])),
        ("fc.weight_t", matrix.t()),                  # strides (1, 6): not contiguous
        ("shared.a", base[:20].view(4, 5)),           # storage shared with shared.b
        ("shared.b", base[10:30].view(2, 10)),        # storage offset 10
        ("grid.columns", grid[:, 1:3]),               # offset 1, strides (6, 1)
        ("scalar", torch.tensor(3.5)),                # 0-d
        ("empty", torch.zeros(0, 3)),
    ])
    assert not state["fc.weight_t"].is_contiguous()
    torch.save(state, os.path.join(out_dir, "torch_small.pth"))
    expected = {k: {"shape": list(v.shape), "values": f32list(v.contiguous())} for k, v in state.items()}
    expected["_order"] = list(state.keys())
    with open(os.path.join(out_dir, "torch_small.json"), "w") as f:
        json.dump(expected, f, indent=1)
    nested = {"epoch": 7, "lr": 0.001, "state_dict": collections.OrderedDict([("layer.weight", conv[:2])]),
              "names": ["a", "b"], "flags": (True, False, None)}
    torch.save(nested, os.path.join(out_dir, "torch_nested.pth"))
    torch.save({"w": conv.half()}, os.path.join(out_dir, "torch_half.pth"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--full-pth", help="also torch.save the formula-weighted ssd300_vgg16 state_dict (136 MB) here")
    args = parser.parse_args()
    detection = os.path.join(args.repo, "Tests/DetectionTests/Fixtures/torchvision")
    importing = os.path.join(args.repo, "Tests/ModelImportTests/Fixtures")
    os.makedirs(detection, exist_ok=True)
    os.makedirs(importing, exist_ok=True)
    torch.set_num_threads(2)
    ssd_golden(detection, args.full_pth)
    small_pth(importing)


if __name__ == "__main__":
    main()
