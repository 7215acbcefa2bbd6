#!/usr/bin/env python3
"""Training throughput of torchvision's SSD300-VGG16 on CPU, for comparison with `ssdd train --model ssd300`.

Trains `ssd300_vgg16(weights=None, weights_backbone=None, num_classes=4)` in train mode on random 300x300 images with
1-3 random boxes each (batch 8, SGD momentum 0.9, 2 threads) and prints images/s over the timed steps; the first
`--warmup` steps are excluded. Not run by CI. Usage: /work/.venv-ref/bin/python tools/train_speed_torch.py [--steps 4]
"""
import argparse
import time

import torch
import torchvision


def random_batch(batch: int, size: int, generator: torch.Generator):
    images = [torch.rand(3, size, size, generator=generator) for _ in range(batch)]
    targets = []
    for _ in range(batch):
        n = int(torch.randint(1, 4, (1,), generator=generator))
        xy = torch.rand(n, 2, generator=generator) * (size * 0.6)
        wh = 20 + torch.rand(n, 2, generator=generator) * (size * 0.4 - 20)
        boxes = torch.cat([xy, (xy + wh).clamp(max=size)], dim=1)
        labels = torch.randint(1, 4, (n,), generator=generator)
        targets.append({"boxes": boxes, "labels": labels})
    return images, targets


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=4, help="timed steps")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-5, help="small: random init diverges (and NaN steps run slower) at 1e-3")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.detection.ssd300_vgg16(weights=None, weights_backbone=None, num_classes=4)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    generator = torch.Generator().manual_seed(1)
    batches = [random_batch(args.batch, 300, generator) for _ in range(args.warmup + args.steps)]
    timed = 0.0
    for step, (images, targets) in enumerate(batches):
        start = time.perf_counter()
        losses = model(images, targets)
        loss = sum(losses.values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        elapsed = time.perf_counter() - start
        if step >= args.warmup:
            timed += elapsed
        print(f"step {step}: loss {loss.item():.4f} {elapsed:.2f} s{' (warm-up)' if step < args.warmup else ''}", flush=True)
    print(f"torch {torch.__version__} torchvision {torchvision.__version__}, threads {torch.get_num_threads()}, "
          f"batch {args.batch}: {args.batch * args.steps / timed:.2f} images/s over {args.steps} steps")


if __name__ == "__main__":
    main()
