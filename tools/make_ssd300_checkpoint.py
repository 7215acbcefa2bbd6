#!/usr/bin/env python3
"""SSD300-VGG16 with torchvision's initialisation under torch.manual_seed(0) (as ../shared/peers/make_models.py),
saved as a state_dict for `ssdd model import` (the SSD300 figures of the README's reduced-precision section):

    python3 tools/make_ssd300_checkpoint.py ssd300.pth      # a venv with torch + torchvision
    ssdd model import ssd300.pth -o ssd300.safetensors

torchvision's compiled operators need not load (a CPU-only torch with another build's torchvision wheel): the model
definition does not use them, so their meta registrations are skipped.
"""
import sys
import types

sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
import torch  # noqa: E402
import torchvision  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "ssd300.pth"
torch.manual_seed(0)
model = torchvision.models.detection.ssd300_vgg16(weights=None, weights_backbone=None)
torch.save(model.state_dict(), out)
print(f"{out}: torch {torch.__version__}, torchvision {torchvision.__version__}")
