#!/usr/bin/env python3
"""Records the evaluation parity fixture for Tests/EvaluationTests (CI never runs this).

Makes a deterministic random set of ground truths and detections over 20 images and 6 classes (one class has no
objects) with difficult and crowd objects, tiny and large boxes, duplicates, wrong-class detections, score ties and one
image with more than 100 detections of one class; then records
  - pycocotools COCOeval (bbox) stats and per-class AP / AP50 (precision[:, :, k, 0, -1] means),
  - VOC AP per class (11-point and area) from voc_ap below, written from the protocol in ssd.md §8.1 (py-faster-rcnn's
    voc_eval: +1 areas, IoU > 0.5, difficult ignored, greedy by descending score — here a stable sort, as the Swift
    port uses, because numpy's default quicksort leaves the order of ties unspecified).
Coordinates are multiples of 0.25 so xyxy <-> xywh conversions are exact.

Usage: python -m venv /work/.venv-eval && /work/.venv-eval/bin/pip install pycocotools numpy
       /work/.venv-eval/bin/python tools/eval_golden.py Tests/EvaluationTests/Fixtures/eval_golden.json
"""
import contextlib
import io
import json
import sys

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


def voc_ap(rec, prec, eleven_point):
    if eleven_point:
        ap = 0.0
        for t in np.arange(0.0, 1.1, 0.1):
            p = 0 if np.sum(rec >= t) == 0 else np.max(prec[rec >= t])
            ap = ap + p / 11.0
        return float(ap)
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def voc_class(objects, detections, label, eleven_point):
    gts = [o for o in objects if o["label"] == label]
    npos = sum(not o["difficult"] for o in gts)
    if npos == 0:
        return None
    dets = [d for d in detections if d["label"] == label]
    order = np.argsort(-np.array([d["score"] for d in dets]), kind="mergesort")
    used = [False] * len(gts)
    tp, fp = np.zeros(len(dets)), np.zeros(len(dets))
    for n, di in enumerate(order):
        bb = np.array(dets[di]["box"], dtype=float)
        cand = [g for g in range(len(gts)) if gts[g]["image"] == dets[di]["image"]]
        ovmax, jmax = -np.inf, -1
        if cand:
            g = np.array([gts[c]["box"] for c in cand], dtype=float)
            iw = np.maximum(np.minimum(g[:, 2], bb[2]) - np.maximum(g[:, 0], bb[0]) + 1.0, 0.0)
            ih = np.maximum(np.minimum(g[:, 3], bb[3]) - np.maximum(g[:, 1], bb[1]) + 1.0, 0.0)
            inter = iw * ih
            union = (bb[2] - bb[0] + 1.0) * (bb[3] - bb[1] + 1.0) + (g[:, 2] - g[:, 0] + 1.0) * (g[:, 3] - g[:, 1] + 1.0) - inter
            ov = inter / union
            ovmax, jmax = np.max(ov), cand[int(np.argmax(ov))]
        if ovmax > 0.5:
            if not gts[jmax]["difficult"]:
                if not used[jmax]:
                    tp[n], used[jmax] = 1.0, True
                else:
                    fp[n] = 1.0
        else:
            fp[n] = 1.0
    tp, fp = np.cumsum(tp), np.cumsum(fp)
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return voc_ap(rec, prec, eleven_point)


def main(path):
    objects, detections = make_data()
    stats, per_class, per_class50 = coco_eval(objects, detections)
    voc07 = {n: voc_class(objects, detections, n, True) for n in LABELS}
    voc10 = {n: voc_class(objects, detections, n, False) for n in LABELS}
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
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/EvaluationTests/Fixtures/eval_golden.json")
