#!/usr/bin/env python3
"""Golden values for ssdd's exact bilinear resize kernels (Tests/ImagingTests/Fixtures/resize_golden.json).

Source image: RGB uint8, width W, height H, pixel (x, y) = ((x*37 + y*11) % 256, (x*x + 3*y) % 256, (x*y*5 + 17) % 256).
For each (W, H) -> (w, h) case it records:
  - "torch": torch.nn.functional.interpolate(float image NCHW, size=(h, w), mode="bilinear", align_corners=False)
  - "tf_legacy": tf.compat.v1.image.resize_bilinear(float image NHWC, (h, w), align_corners=False, half_pixel_centers=False)
as HWC float lists. Rerun: python3 -m venv v && v/bin/pip install torch tensorflow-cpu numpy && v/bin/python tools/resize_golden.py
"""
import json
import sys

import numpy as np
import tensorflow as tf
import torch

CASES = [((7, 5), (3, 2)), ((7, 5), (13, 11)), ((10, 6), (4, 9)), ((64, 48), (30, 30)), ((17, 23), (17, 23)), ((5, 1), (12, 3))]


def image(width, height):
    y, x = np.mgrid[0:height, 0:width]
    r = (x * 37 + y * 11) % 256
    g = (x * x + 3 * y) % 256
    b = (x * y * 5 + 17) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def main(out):
    cases = []
    for (w_in, h_in), (w, h) in CASES:
        img = image(w_in, h_in).astype(np.float32)
        t = torch.from_numpy(img).permute(2, 0, 1)[None]
        th = torch.nn.functional.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)[0].permute(1, 2, 0).numpy()
        tfl = tf.compat.v1.image.resize_bilinear(img[None], (h, w), align_corners=False, half_pixel_centers=False)[0].numpy()
        cases.append({"in": [w_in, h_in], "out": [w, h], "torch": th.reshape(-1).tolist(), "tf_legacy": tfl.reshape(-1).tolist()})
    doc = {"generator": "tools/resize_golden.py", "torch": torch.__version__, "tensorflow": tf.__version__, "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/ImagingTests/Fixtures/resize_golden.json")
