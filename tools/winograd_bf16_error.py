#!/usr/bin/env python3
"""Error of Winograd F(4x4, 3x3) when its products run in bfloat16 (ssdd's precision = "bf16"), in float64 otherwise.

Random 6x6 input tiles in [-1, 1] and 3x3 filters in [-0.5, 0.5] (as Tests/TensorEngineTests/BF16ConvolutionTests),
16 input and output channels: the 4x4 outputs with V = B^T d B and U = G g G^T rounded to bf16, against exact ones,
as max |error| / max |y|; and a direct bf16 convolution for comparison. Needs torch (any CPU build):
    python3 tools/winograd_bf16_error.py
Output on 2026-12-03: bf16 V,U rel 0.067; bf16 V 0.045; bf16 U 0.041; direct bf16 rel 0.0026.
"""
import torch
torch.manual_seed(0)
BT = torch.tensor([[4,0,-5,0,1,0],[0,-4,-4,1,1,0],[0,4,-4,-1,1,0],[0,-2,-1,2,1,0],[0,2,-1,-2,1,0],[0,4,0,-5,0,1]],dtype=torch.float64)
G = torch.tensor([[1/4,0,0],[-1/6,-1/6,-1/6],[-1/6,1/6,-1/6],[1/24,1/12,1/6],[1/24,-1/12,1/6],[0,0,1]],dtype=torch.float64)
AT = torch.tensor([[1,1,1,1,1,0],[0,1,-1,2,-2,0],[0,1,1,4,4,0],[0,1,-1,8,-8,1]],dtype=torch.float64)
def bf(x): return x.float().to(torch.bfloat16).double()
cin, cout, n = 16, 16, 200
d = torch.rand(n, cin, 6, 6, dtype=torch.float64)*2-1
g = torch.rand(cout, cin, 3, 3, dtype=torch.float64)-0.5
V = BT @ d @ BT.T
U = G @ g @ G.T
for name, Vq, Uq in [("fp64", V, U), ("bf16 V,U", bf(V), bf(U)), ("bf16 V", bf(V), U), ("bf16 U", V, bf(U))]:
    M = torch.einsum('ncij,ocij->noij', Vq, Uq)
    Y = AT @ M @ AT.T
    if name == "fp64": ref = Y
    err = (Y-ref).abs().max().item(); print(name, "max|err|", err, "max|y|", ref.abs().max().item(), "rel", err/ref.abs().max().item())
# direct bf16 (im2col) error for comparison
Yd = torch.einsum('ncij,ocij->no', bf(d[:,:,:3,:3]), bf(g)); Yr = torch.einsum('ncij,ocij->no', d[:,:,:3,:3], g)
print("direct bf16 rel", (Yd-Yr).abs().max().item()/Yr.abs().max().item())
