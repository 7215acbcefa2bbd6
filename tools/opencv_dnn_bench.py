#!/usr/bin/env python3
"""OpenCV DNN forward-pass timing of a Caffe SSD, to set next to `ssdd bench` on the same model.

Usage: opencv_dnn_bench.py PROTOTXT CAFFEMODEL [--threads N] [--iterations N] [--warmup N] [--size S]
Times net.forward() on a fixed blob (darknet's dog.jpg, resized, mean 127.5, scale 0.007843 — the values do not
change the time), cv2.setNumThreads(N), and prints median and p90 ms per forward pass.
Rerun: /work/venv-cv/bin/python tools/opencv_dnn_bench.py Tests/ModelImportTests/Fixtures/Caffe/mobilenet_ssd_voc.prototxt \
       /tmp/ssdd-caffe/mobilenet_ssd_voc.caffemodel --threads 2
(the caffemodel comes from tools/caffe_ssd_fixtures.py).
"""
import argparse
import time

import cv2
import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("prototxt")
    parser.add_argument("caffemodel")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--size", type=int, default=300)
    args = parser.parse_args()
    cv2.setNumThreads(args.threads)
    net = cv2.dnn.readNetFromCaffe(args.prototxt, args.caffemodel)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    image = cv2.imread("/usr/share/darknet/data/dog.jpg")
    blob = cv2.dnn.blobFromImage(cv2.resize(image, (args.size, args.size)), 0.007843, (args.size, args.size), 127.5)
    for _ in range(args.warmup):
        net.setInput(blob)
        net.forward()
    times = []
    for _ in range(args.iterations):
        net.setInput(blob)
        start = time.perf_counter()
        net.forward()
        times.append((time.perf_counter() - start) * 1000)
    times = np.array(times)
    print("opencv %s, %d threads: median %.2f ms, p90 %.2f ms per forward pass (%d passes)" % (
        cv2.__version__, args.threads, np.median(times), np.percentile(times, 90), args.iterations))


if __name__ == "__main__":
    main()
