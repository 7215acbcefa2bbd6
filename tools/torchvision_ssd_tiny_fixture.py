#!/usr/bin/env python3
"""A small, real, torch-written torchvision SSD checkpoint for the importer test (CI never runs this).

The importer reads torchvision's SSD-VGG16 family only (SSD300 and SSD512), whose state_dict holds 35.6 M values
(136 MB as float32), far more than a repository fixture should. This script builds the real architecture,
`torchvision.models.detection.ssd300_vgg16(weights=None, weights_backbone=None, num_classes=21)` (the smallest variant
the importer supports, with the 21 PASCAL VOC class slots: 26.3 M values), and saves its state_dict with `torch.save` where every
tensor larger than STORAGE values is a strided view into a storage of its own:

  weight [O, I, kh, kw] = storage.as_strided(shape, (s_O, kh·kw, kw, 1)),  storage length L = max(STORAGE, I·kh·kw + O − 1),
                          s_O = (L − I·kh·kw) // (O − 1)

so the filter of output channel o is the I·kh·kw consecutive values from storage[o·s_O] on: independent values within a
filter (so He scaling keeps activations in range), neighbouring output channels shifted copies. That is what
torch.save writes for such a view (the storage once, then shape, strides and offset), so the file stays under 1.5 MB,
and the reader must gather the values through the strides, as it does for any view. Storage values are uniform in
[−0.5, 0.5) (torch.Generator, seed 11) times a He-uniform gain sqrt(24 / (I·kh·kw)) (×2⁻⁶ for the first convolution,
whose input is 0…255 minus the mean; ×2⁻¹ for the class head), biases ×0.25; backbone.scale_weight (L2Norm) is
20 + 8·u.

It then runs the loaded model in eval mode on the synthetic 240×320 image of tools/torchvision_ssd_golden.py and
records in ssd300_tiny.json: the versions, per tensor its shape, sum and first four values (row-major), the parameter
count, every 97th raw box regression and class logit, and the final detections (labels, scores, boxes in the source
frame) after torchvision's post-processing (score > 0.01, top 400 per class, class-wise NMS 0.45, 200 kept).

Usage: python3 -m venv VENV && VENV/bin/pip install torch==2.13.0 torchvision==0.28.0 numpy
         (PyPI's torchvision wheels link torch's CUDA libraries: with a +cpu torch `import torchvision` fails with
          "operator torchvision::nms does not exist"; the CUDA build of torch runs on a CPU-only machine)
       VENV/bin/python tools/torchvision_ssd_tiny_fixture.py [OUTPUT_DIR]
       (default Tests/DetectionTests/Fixtures/torchvision; writes ssd300_tiny.pth and ssd300_tiny.json)
"""
import collections
import json
import math
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.models.detection import ssd300_vgg16

STORAGE = 8192
SAMPLE_STEP = 97
CLASSES = 21


def image_u8(height=240, width=320):
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    r = (x * 255) // 319
    g = (y * 255) // 239
    b = ((x // 20 + y // 20) % 2) * 200 + (x * y) % 55
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def tiny_tensor(key, shape, generator):
    """A tensor of `shape` over at most STORAGE random values (a strided view when it is larger)."""
    numel = math.prod(shape)
    if len(shape) == 4:
        exponent = -6 if key == "backbone.features.0.weight" else (-1 if key.startswith("head.classification_head.") else 0)
        gain, shift = math.sqrt(24.0 / (shape[1] * shape[2] * shape[3])) * 2.0 ** exponent, 0.0
    elif key == "backbone.scale_weight":
        gain, shift = 8.0, 20.0
    else:
        gain, shift = 0.25, 0.0
    if numel <= STORAGE:
        return ((torch.rand(numel, generator=generator) - 0.5) * gain + shift).view(shape)
    assert len(shape) == 4, (key, shape)
    out, inputs, kh, kw = shape
    per_filter = inputs * kh * kw
    length = max(STORAGE, per_filter + out - 1)
    step = (length - per_filter) // (out - 1)
    storage = (torch.rand(length, generator=generator) - 0.5) * gain + shift
    view = storage.as_strided(shape, (step, kh * kw, kw, 1))
    assert view.storage_offset() == 0 and (out - 1) * step + per_filter <= length
    return view


def f32list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def main(out_dir):
    torch.set_num_threads(2)
    model = ssd300_vgg16(weights=None, weights_backbone=None, num_classes=CLASSES).eval()
    generator = torch.Generator().manual_seed(11)
    state = collections.OrderedDict(
        (key, tiny_tensor(key, list(value.shape), generator)) for key, value in model.state_dict().items())
    path = os.path.join(out_dir, "ssd300_tiny.pth")
    torch.save(state, path)
    loaded = torch.load(path, weights_only=True)
    model.load_state_dict(loaded)

    image = torch.from_numpy(image_u8()).permute(2, 0, 1).float() / 255
    with torch.no_grad():
        images, _ = model.transform([image])
        features = list(model.backbone(images.tensors).values())
        head = model.head(features)
        result = model([image])[0]
    regression = head["bbox_regression"][0].numpy()
    logits = head["cls_logits"][0].numpy()
    tensors = [{"key": k, "shape": list(v.shape), "sum": float(v.double().sum()), "first": f32list(v.reshape(-1)[:4])}
               for k, v in loaded.items()]
    record = {
        "torch": torch.__version__, "torchvision": torchvision.__version__, "classes": CLASSES, "storage": STORAGE,
        "file_bytes": os.path.getsize(path), "parameter_count": int(sum(v.numel() for v in loaded.values())),
        "tensors": tensors, "sample_step": SAMPLE_STEP,
        "regression_sampled": f32list(regression.reshape(-1)[::SAMPLE_STEP]),
        "logits_sampled": f32list(logits.reshape(-1)[::SAMPLE_STEP]),
        "regression_abs_max": float(np.abs(regression).max()), "logits_abs_max": float(np.abs(logits).max()),
        "detections": {"boxes": f32list(result["boxes"]), "scores": f32list(result["scores"]),
                       "labels": [int(v) for v in result["labels"]]},
    }
    with open(os.path.join(out_dir, "ssd300_tiny.json"), "w") as f:
        json.dump(record, f, separators=(",", ":"))
        f.write("\n")
    print("file bytes", record["file_bytes"], "parameters", record["parameter_count"], "detections",
          len(record["detections"]["labels"]), "top scores", record["detections"]["scores"][:5],
          "regression |max|", record["regression_abs_max"], "logits |max|", record["logits_abs_max"])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/DetectionTests/Fixtures/torchvision")
