"""Inputs and small networks shared by the convolution tests."""
from __future__ import annotations

import torch
from torch import nn


def ones_conv(k: int, stride: int = 1, padding: int = 0, dtype: torch.dtype = torch.float32) -> nn.Conv2d:
    """A 1-channel convolution whose weights are all one: no two paths can cancel."""
    conv = nn.Conv2d(1, 1, k, stride=stride, padding=padding, bias=False, dtype=dtype)
    nn.init.ones_(conv.weight)
    return conv


def random_stacks(n: int, seed: int):
    """``n`` random stacks of 1-3 all-ones convolutions: yields (net, kernel sizes, strides)."""
    g = torch.Generator().manual_seed(seed)
    for _ in range(n):
        depth = int(torch.randint(1, 4, (1,), generator=g))
        ks = [int(k) for k in torch.randint(1, 5, (depth,), generator=g)]
        ss = [int(s) for s in torch.randint(1, 3, (depth,), generator=g)]
        yield nn.Sequential(*(ones_conv(k, s) for k, s in zip(ks, ss))), ks, ss


def random_shapes(n: int = 60, seed: int = 0):
    """``n`` random (X, K) float64 pairs with 1 <= K's sides <= X's sides <= 12."""
    g = torch.Generator().manual_seed(seed)
    for _ in range(n):
        h, w = (int(v) for v in torch.randint(1, 13, (2,), generator=g))
        kh = int(torch.randint(1, h + 1, (1,), generator=g))
        kw = int(torch.randint(1, w + 1, (1,), generator=g))
        yield torch.randn(h, w, generator=g, dtype=torch.float64), torch.randn(kh, kw, generator=g, dtype=torch.float64)
