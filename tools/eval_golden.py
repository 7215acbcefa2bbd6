#!/usr/bin/env python3
"""Records the evaluation parity fixture for Tests/EvaluationTests (CI never runs this).

Makes a deterministic random set of ground truths and detections over 20 images and 6 classes (one class has no
objects) with difficult and crowd objects, tiny and large boxes, duplicates, wrong-class detections, score ties and one
image with more than 100 detections of one class; then records what the reference implementations compute:
  - COCO: pycocotools COCOeval (bbox) stats and per-class AP / AP50 (precision[:, :, k, 0, -1] means);
  - VOC: AP per class (11-point and area) from py-faster-rcnn's `voc_eval.py` (written by Bharath Hariharan), run
    unmodified as detectron2 ships it (detectron2/evaluation/pascal_voc_evaluation.py: `parse_rec`, `voc_ap`,
    `voc_eval`) from the `detectron2-cdo` 0.5 source distribution on PyPI. Only those three functions are taken from
    the file (the rest of it needs detectron2 built with its C++ extension); they get the modules they use (numpy,
    ElementTree, lru_cache, and `open` as detectron2's PathManager) and read real VOC files written here:
    Annotations/<image>.xml, ImageSets/Main/test.txt and one `<image> <score> <x1> <y1> <x2> <y2>` file per class.
    voc_eval sorts detections with numpy's default (unstable) argsort; the Swift port sorts stably, keeping ties in
    input order. So that both see one order, the i-th detection is written with score − i·1e−9 (scores are multiples
    of 0.05, so this breaks ties only, in input order). A class without positives (no non-difficult object) has no AP
    (voc_eval would divide by zero), as in the Swift port.
Coordinates of ground truths are integers (voc_eval's parse_rec reads them with int()), those of detections multiples of
0.25, so xyxy <-> xywh conversions are exact.

Usage: python -m venv /work/.venv-ref && /work/.venv-ref/bin/pip install pycocotools numpy
       /work/.venv-ref/bin/pip download --no-deps --no-build-isolation -d /tmp/voc-ref detectron2-cdo==0.5
         (its setup.py imports torch to describe itself: install torch in the venv first, or use /work/.venv-ref,
          which has it for tools/torchvision_ssd_tiny_fixture.py)
       /work/.venv-ref/bin/python tools/eval_golden.py Tests/EvaluationTests/Fixtures/eval_golden.json \
         /tmp/voc-ref/detectron2_cdo-0.5.tar.gz
"""
import ast
import contextlib
import functools
import io
import json
import os
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

LABELS = ["circle", "square", "triangle", "star", "person", "unused"]
IMAGES = 20
WIDTH, HEIGHT = 640, 480


def quarter(x):
    return float(np.round(x * 4) / 4)


def make_data(seed=20240606):
    rng = np.random.RandomState(seed)
    objects, detections = [], []
    next_id = 1
    for image in range(1, IMAGES + 1):
        for _ in range(rng.randint(1, 9)):
            label = LABELS[rng.randint(0, 5)]
            kind = rng.rand()
            size = rng.uniform(4, 24) if kind < 0.3 else rng.uniform(30, 90) if kind < 0.7 else rng.uniform(100, 300)
            w, h = np.round(size * rng.uniform(0.6, 1.6)), np.round(size)
            x1, y1 = np.round(rng.uniform(0, WIDTH - w)), np.round(rng.uniform(0, HEIGHT - h))
            box = [float(x1), float(y1), float(x1 + w), float(y1 + h)]
            area = float(w * h) if rng.rand() < 0.7 else quarter(w * h * rng.uniform(0.5, 1.0))
            objects.append(dict(image=image, label=label, box=box, difficult=bool(rng.rand() < 0.15),
                                crowd=bool(rng.rand() < 0.1), area=area, id=next_id))
            next_id += 1
            # Detections: a jittered hit, sometimes a duplicate, sometimes the wrong class.
            for copy in range(1 + (rng.rand() < 0.25)):
                if rng.rand() < 0.85:
                    j = max(1.0, 0.15 * size)
                    d = [quarter(c + rng.uniform(-j, j)) for c in box]
                    d[2], d[3] = max(d[2], d[0] + 1), max(d[3], d[1] + 1)
                    wrong = rng.rand() < 0.1
                    detections.append(dict(image=image, label=LABELS[rng.randint(0, 5)] if wrong else label,
                                           score=float(np.round(rng.uniform(0.05, 1.0) * 20) / 20), box=d))
        for _ in range(rng.randint(0, 5)):  # false positives anywhere
            w, h = rng.uniform(5, 200), rng.uniform(5, 200)
            x1, y1 = rng.uniform(0, WIDTH - w), rng.uniform(0, HEIGHT - h)
            detections.append(dict(image=image, label=LABELS[rng.randint(0, 5)], score=float(np.round(rng.uniform(0, 1) * 20) / 20),
                                   box=[quarter(x1), quarter(y1), quarter(x1 + w), quarter(y1 + h)]))
    # One image with 120 detections of one class: maxDets truncation per image per category.
    for i in range(120):
        x1, y1 = quarter(rng.uniform(0, 500)), quarter(rng.uniform(0, 400))
        detections.append(dict(image=7, label="square", score=float(np.round(rng.uniform(0, 1) * 10) / 10),
                               box=[x1, y1, x1 + quarter(rng.uniform(10, 100)), y1 + quarter(rng.uniform(10, 60))]))
    return objects, detections


def coco_eval(objects, detections):
    gt = {"images": [{"id": i, "width": WIDTH, "height": HEIGHT} for i in range(1, IMAGES + 1)],
          "categories": [{"id": k + 1, "name": n} for k, n in enumerate(LABELS)],
          "annotations": [{"id": o["id"], "image_id": o["image"], "category_id": LABELS.index(o["label"]) + 1,
                           "bbox": [o["box"][0], o["box"][1], o["box"][2] - o["box"][0], o["box"][3] - o["box"][1]],
                           "area": o["area"], "iscrowd": int(o["crowd"])} for o in objects]}
    results = [{"image_id": d["image"], "category_id": LABELS.index(d["label"]) + 1, "score": d["score"],
                "bbox": [d["box"][0], d["box"][1], d["box"][2] - d["box"][0], d["box"][3] - d["box"][1]]} for d in detections]
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = gt
        coco.createIndex()
        e = COCOeval(coco, coco.loadRes(results), "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
    per_class, per_class50 = {}, {}
    for k, name in enumerate(LABELS):
        s = e.eval["precision"][:, :, k, 0, -1]
        per_class[name] = float(np.mean(s[s > -1])) if (s > -1).any() else None
        s = e.eval["precision"][0, :, k, 0, -1]
        per_class50[name] = float(np.mean(s[s > -1])) if (s > -1).any() else None
    return [float(x) for x in e.stats], per_class, per_class50


REFERENCE_FILE = "detectron2/evaluation/pascal_voc_evaluation.py"


def load_voc_eval(sdist):
    """parse_rec, voc_ap and voc_eval, unmodified, from detectron2's copy of py-faster-rcnn's voc_eval.py."""
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(REFERENCE_FILE))
        source = archive.extractfile(member).read().decode("utf-8")
    tree = ast.parse(source)
    wanted = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in ("parse_rec", "voc_ap", "voc_eval")]
    assert [n.name for n in wanted] == ["parse_rec", "voc_ap", "voc_eval"], [n.name for n in wanted]

    class PathManager:  # detectron2.utils.file_io.PathManager for local files
        open = staticmethod(open)

    namespace = {"np": np, "ET": ET, "lru_cache": functools.lru_cache, "PathManager": PathManager}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), member.name, "exec"), namespace)
    return namespace["voc_eval"]


def write_voc(objects, detections, root):
    """Annotations/<image>.xml, ImageSets/Main/test.txt and det_<class>.txt as voc_eval reads them."""
    os.makedirs(os.path.join(root, "Annotations"))
    os.makedirs(os.path.join(root, "ImageSets", "Main"))
    for image in range(1, IMAGES + 1):
        annotation = ET.Element("annotation")
        for o in (o for o in objects if o["image"] == image):
            obj = ET.SubElement(annotation, "object")
            ET.SubElement(obj, "name").text = o["label"]
            ET.SubElement(obj, "pose").text = "Unspecified"
            ET.SubElement(obj, "truncated").text = "0"
            ET.SubElement(obj, "difficult").text = str(int(o["difficult"]))
            box = ET.SubElement(obj, "bndbox")
            for key, value in zip(("xmin", "ymin", "xmax", "ymax"), o["box"]):
                assert value == int(value), value
                ET.SubElement(box, key).text = str(int(value))
        ET.ElementTree(annotation).write(os.path.join(root, "Annotations", f"{image}.xml"))
    with open(os.path.join(root, "ImageSets", "Main", "test.txt"), "w") as f:
        f.write("".join(f"{image}\n" for image in range(1, IMAGES + 1)))
    for label in LABELS:
        with open(os.path.join(root, f"det_{label}.txt"), "w") as f:
            for i, d in enumerate(detections):
                if d["label"] == label:
                    f.write(" ".join([str(d["image"]), repr(d["score"] - i * 1e-9)] + [repr(c) for c in d["box"]]) + "\n")


def voc_reference(objects, detections, voc_eval, eleven_point):
    """AP per class from the reference voc_eval; None for a class without positives."""
    with tempfile.TemporaryDirectory() as root:
        write_voc(objects, detections, root)
        result = {}
        for label in LABELS:
            if not any(o["label"] == label and not o["difficult"] for o in objects):
                result[label] = None
                continue
            _, _, ap = voc_eval(os.path.join(root, "det_{}.txt"), os.path.join(root, "Annotations", "{}.xml"),
                                os.path.join(root, "ImageSets", "Main", "test.txt"), label, ovthresh=0.5,
                                use_07_metric=eleven_point)
            result[label] = float(ap)
        return result


def main(path, sdist):
    objects, detections = make_data()
    stats, per_class, per_class50 = coco_eval(objects, detections)
    voc_eval = load_voc_eval(sdist)
    voc07 = voc_reference(objects, detections, voc_eval, True)
    voc10 = voc_reference(objects, detections, voc_eval, False)
    out = {"labels": LABELS, "images": [str(i) for i in range(1, IMAGES + 1)],
           "objects": objects, "detections": detections,
           "coco": {"stats": stats, "perClassAP": per_class, "perClassAP50": per_class50},
           "voc": {"elevenPoint": voc07, "area": voc10}}
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("objects", len(objects), "detections", len(detections), "stats", [round(s, 4) for s in stats])
    print("voc07", {k: v and round(v, 4) for k, v in voc07.items()})


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: eval_golden.py OUTPUT.json detectron2_cdo-0.5.tar.gz")
    main(sys.argv[1], sys.argv[2])
