"""What a layer costs: learnable parameters, bytes of memory and multiply-adds.

Used to compare a fully connected layer on a flattened image with a convolutional layer
on the same image: the first grows with the number of pixels, the second does not.
"""
from __future__ import annotations

from typing import NamedTuple

import torch

from . import _check


def _bias(bias: object) -> bool:
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be a bool, got {type(bias).__name__}")
    return bias


def fc_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable numbers of ``nn.Linear(in_features, out_features)``: a weight matrix plus biases.

    params = in·out (+ out biases)

    >>> fc_params(1_000_000, 1_000)   # a 1-megapixel image into 1,000 hidden units
    1000001000
    """
    n_in = _check.integer(in_features, "in_features", minimum=1)
    n_out = _check.integer(out_features, "out_features", minimum=1)
    return n_in * n_out + (n_out if _bias(bias) else 0)


def conv_params(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                bias: bool = True) -> int:
    """Learnable numbers of ``nn.Conv2d(in_channels, out_channels, kernel_size)``.

    params = c_o·c_i·k_h·k_w (+ c_o biases): the image size does not appear.

    >>> conv_params(1, 1_000, 3)
    10000
    """
    c_i = _check.integer(in_channels, "in_channels", minimum=1)
    c_o = _check.integer(out_channels, "out_channels", minimum=1)
    k_h, k_w = _check.pair(kernel_size, "kernel_size", minimum=1)
    return c_o * c_i * k_h * k_w + (c_o if _bias(bias) else 0)


def param_bytes(n_params: int, dtype: torch.dtype = torch.float32) -> int:
    """Bytes needed to store ``n_params`` numbers of type ``dtype`` (float32: 4 bytes each).

    >>> param_bytes(1_000_000_000) / 1e9   # gigabytes
    4.0
    """
    n = _check.integer(n_params, "n_params", minimum=0)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype (e.g. torch.float32), got {type(dtype).__name__}")
    return n * torch.empty((), dtype=dtype).element_size()


def fc_macs(in_features: int, out_features: int) -> int:
    """Multiply-adds of one ``nn.Linear`` on one example: every output reads every input.

    >>> fc_macs(784, 784)
    614656
    """
    n_in = _check.integer(in_features, "in_features", minimum=1)
    n_out = _check.integer(out_features, "out_features", minimum=1)
    return n_in * n_out


def conv_macs(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
              output_size: int | tuple[int, int]) -> int:
    """Multiply-adds of one ``nn.Conv2d`` on one example with an output of ``output_size``
    (h_out, w_out): each of the c_o·h_out·w_out outputs needs c_i·k_h·k_w multiply-adds.

    >>> conv_macs(1, 1, 3, (28, 28))   # 3×3 kernel, output as large as a 28×28 image
    7056
    """
    c_i = _check.integer(in_channels, "in_channels", minimum=1)
    c_o = _check.integer(out_channels, "out_channels", minimum=1)
    k_h, k_w = _check.pair(kernel_size, "kernel_size", minimum=1)
    h, w = _check.pair(output_size, "output_size", minimum=1)
    return c_o * h * w * c_i * k_h * k_w


class CostRow(NamedTuple):
    """One image size: a fully connected layer next to a convolutional layer on that image."""

    side: int          # the image is side × side pixels
    inputs: int        # numbers in the image: side·side·in_channels
    fc_params: int     # nn.Linear(inputs, hidden)
    fc_bytes: int
    conv_params: int   # nn.Conv2d(in_channels, hidden, kernel_size)
    conv_bytes: int


def cost_table(sides: list[int], hidden: int = 1_000, in_channels: int = 1, kernel_size: int = 3,
               dtype: torch.dtype = torch.float32) -> list[CostRow]:
    """Parameters and memory of the first layer for square images of the given sides.

    The fully connected layer maps the flattened image to ``hidden`` units; the
    convolutional layer has as many output channels (``hidden``) and a
    ``kernel_size``×``kernel_size`` kernel.

    >>> row = cost_table([1000])[0]   # 1 megapixel
    >>> row.fc_params, row.fc_bytes / 1e9, row.conv_params
    (1000001000, 4.000004, 10000)
    """
    if not isinstance(sides, (list, tuple)) or not sides:
        raise TypeError(f"sides must be a non-empty list of ints, got {sides!r}")
    sides = [_check.integer(s, f"sides[{n}]", minimum=1) for n, s in enumerate(sides)]
    n_hidden = _check.integer(hidden, "hidden", minimum=1)
    c_i = _check.integer(in_channels, "in_channels", minimum=1)
    k = _check.integer(kernel_size, "kernel_size", minimum=1)
    conv = conv_params(c_i, n_hidden, k)
    rows = []
    for side in sides:
        n_in = side * side * c_i
        fc = fc_params(n_in, n_hidden)
        rows.append(CostRow(side, n_in, fc, param_bytes(fc, dtype), conv, param_bytes(conv, dtype)))
    return rows


def human_bytes(n_bytes: int) -> str:
    """Bytes in decimal units, the way a disk label says it.

    >>> human_bytes(4_000_004_000), human_bytes(40_000), human_bytes(12)
    ('4.0 GB', '40.0 kB', '12 B')
    """
    n = _check.integer(n_bytes, "n_bytes", minimum=0)
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
