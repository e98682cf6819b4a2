"""What a layer costs: learnable parameters, bytes of memory and multiply-adds.

Used to compare a fully connected layer on a flattened image with a convolutional layer
on the same image: the first grows with the number of pixels, the second does not.
``conv2d_cost`` puts the three numbers of one ``nn.Conv2d`` side by side.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._check import DType, Flag, Int, Ints, Maybe, OneOf, Pair, checked
from .pooling import MODES as POOL_MODES, pool_window
from .shapes import conv_output_shape, kernel_fits

FC = {"in_features": Int(minimum=1), "out_features": Int(minimum=1)}  # nn.Linear's sizes
CONV = {"in_channels": Int(minimum=1), "out_channels": Int(minimum=1), "kernel_size": Pair(minimum=1)}
LAYER = CONV | {"input_size": Pair(minimum=1), "padding": Pair(minimum=0), "stride": Pair(minimum=1)}


@checked(**FC, bias=Flag())
def fc_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable numbers of ``nn.Linear(in_features, out_features)``: a weight matrix
    plus biases, params = in·out (+ out biases).

    >>> fc_params(1_000_000, 1_000)   # a 1-megapixel image into 1,000 hidden units
    1000001000
    """
    return in_features * out_features + (out_features if bias else 0)


@checked(**CONV, bias=Flag())
def conv_params(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                bias: bool = True) -> int:
    """Learnable numbers of ``nn.Conv2d(in_channels, out_channels, kernel_size)``.

    params = c_o·c_i·k_h·k_w (+ c_o biases): the image size does not appear.

    >>> conv_params(1, 1_000, 3)
    10000
    """
    k_h, k_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    c_i, c_o = in_channels, out_channels
    return c_o * c_i * k_h * k_w + (c_o if bias else 0)


@checked(n_params=Int(minimum=0), dtype=DType())
def param_bytes(n_params: int, dtype: torch.dtype = torch.float32) -> int:
    """Bytes needed to store ``n_params`` numbers of type ``dtype`` (float32: 4 bytes
    each).

    >>> param_bytes(1_000_000_000) / 1e9   # gigabytes
    4.0
    """
    return n_params * torch.empty((), dtype=dtype).element_size()


@checked(**FC)
def fc_macs(in_features: int, out_features: int) -> int:
    """Multiply-adds of one ``nn.Linear`` on one example: every output reads every input.

    >>> fc_macs(784, 784)
    614656
    """
    return in_features * out_features


@checked(**CONV, output_size=Pair(minimum=1))
def conv_macs(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
              output_size: int | tuple[int, int]) -> int:
    """Multiply-adds of one ``nn.Conv2d`` on one example with an output of ``output_size``
    (h_out, w_out): each of the c_o·h_out·w_out outputs needs c_i·k_h·k_w multiply-adds.

    >>> conv_macs(1, 1, 3, (28, 28))   # 3×3 kernel, output as large as a 28×28 image
    7056
    """
    (k_h, k_w), (h, w) = kernel_size, output_size
    return out_channels * h * w * in_channels * k_h * k_w


class _ConvCost(NamedTuple):
    params: int
    output_shape: tuple[int, int, int]
    macs: int


class ConvCost(_ConvCost):
    """What one convolutional layer costs: learnable numbers, output shape, multiply-adds
    (Python ints, also when the sizes were NumPy integers).

    >>> import numpy as np
    >>> ConvCost(np.int64(55), (np.int64(5), 8, 8), 3200)
    ConvCost(params=55, output_shape=(5, 8, 8), macs=3200)
    """

    __slots__ = ()

    def __new__(cls, params: int, output_shape: tuple[int, int, int], macs: int) -> ConvCost:
        return super().__new__(cls, int(params), tuple(int(v) for v in output_shape), int(macs))


@checked(kernel_fits, **LAYER, bias=Flag())
def conv2d_cost(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                input_size: int | tuple[int, int], padding: int | tuple[int, int] = 0,
                stride: int | tuple[int, int] = 1, bias: bool = True) -> ConvCost:
    """Parameters, output shape and multiply-adds of ``nn.Conv2d`` on one (c_i, h, w)
    input.

    params = c_o·c_i·k_h·k_w (+ c_o biases); every one of the c_o·h_out·w_out outputs
    needs c_i·k_h·k_w multiply-adds (the bias additions are not counted).

    >>> conv2d_cost(10, 5, 1, (8, 8))
    ConvCost(params=55, output_shape=(5, 8, 8), macs=3200)
    """
    params = conv_params(in_channels, out_channels, kernel_size, bias)
    h_out, w_out = conv_output_shape(input_size, kernel_size, padding, stride)
    macs = conv_macs(in_channels, out_channels, kernel_size, (h_out, w_out))
    return ConvCost(params, (out_channels, h_out, w_out), macs)


# --- A pooling layer: no parameters, one reduction per output (D2L 7.5.4) ------------------

class PoolCost(NamedTuple):
    """What one pooling layer costs: no parameters, so only its output and its operations."""

    output_shape: tuple[int, int, int]
    ops: int        # comparisons (max) or additions (avg): k_h·k_w − 1 per output
    divisions: int  # one per output for average pooling, none for max pooling


@checked(pool_window, channels=Int(minimum=1), pool_size=Pair(minimum=1), input_size=Pair(minimum=1),
         padding=Pair(minimum=0), stride=Maybe(Pair(minimum=1)), mode=OneOf(POOL_MODES))
def pool2d_cost(channels: int, pool_size: int | tuple[int, int],
                input_size: int | tuple[int, int], padding: int | tuple[int, int] = 0,
                stride: int | tuple[int, int] | None = None, mode: str = "max") -> PoolCost:
    """Output shape and operations of ``nn.MaxPool2d`` / ``nn.AvgPool2d`` on one
    (c, h, w) input.

    Each of the c·h_out·w_out outputs reduces its k_h·k_w window to one number:
    k_h·k_w − 1 comparisons (max) or additions (avg, then one division). Padded cells
    are counted like the others; there are no parameters and no multiplications.

    >>> pool2d_cost(6, 2, 28)                 # LeNet's first pooling layer
    PoolCost(output_shape=(6, 14, 14), ops=3528, divisions=0)
    >>> pool2d_cost(6, 2, 28, mode="avg")
    PoolCost(output_shape=(6, 14, 14), ops=3528, divisions=1176)
    """
    h_out, w_out = conv_output_shape(input_size, pool_size, padding, stride)
    outputs = channels * h_out * w_out
    return PoolCost((channels, h_out, w_out), outputs * (pool_size[0] * pool_size[1] - 1),
                    outputs if mode == "avg" else 0)


class CostRow(NamedTuple):
    """One image size: a fully connected layer next to a convolutional layer on that image."""

    side: int          # the image is side × side pixels
    inputs: int        # numbers in the image: side·side·in_channels
    fc_params: int     # nn.Linear(inputs, hidden)
    fc_bytes: int
    conv_params: int   # nn.Conv2d(in_channels, hidden, kernel_size)
    conv_bytes: int


@checked(sides=Ints(minimum=1), hidden=Int(minimum=1), in_channels=Int(minimum=1),
         kernel_size=Int(minimum=1), dtype=DType())
def cost_table(sides: list[int], hidden: int = 1_000, in_channels: int = 1,
               kernel_size: int = 3, dtype: torch.dtype = torch.float32
               ) -> list[CostRow]:
    """Parameters and memory of the first layer for square images of the given sides.

    The fully connected layer maps the flattened image to ``hidden`` units; the
    convolutional layer has as many output channels (``hidden``) and a
    ``kernel_size``×``kernel_size`` kernel.

    >>> row = cost_table([1000])[0]   # 1 megapixel
    >>> row.fc_params, row.fc_bytes / 1e9, row.conv_params
    (1000001000, 4.000004, 10000)
    """
    conv = conv_params(in_channels, hidden, kernel_size)
    rows = []
    for side in sides:
        n_in = side * side * in_channels
        fc = fc_params(n_in, hidden)
        rows.append(CostRow(side, n_in, fc, param_bytes(fc, dtype),
                            conv, param_bytes(conv, dtype)))
    return rows


@checked(n_bytes=Int(minimum=0))
def human_bytes(n_bytes: int) -> str:
    """Bytes in decimal units, the way a disk label says it.

    >>> human_bytes(4_000_004_000), human_bytes(40_000), human_bytes(12)
    ('4.0 GB', '40.0 kB', '12 B')
    """
    n = n_bytes
    if n < 1000:
        return f"{n} B"
    for unit, size in (("kB", 10**3), ("MB", 10**6), ("GB", 10**9), ("TB", 10**12), ("PB", 10**15)):
        text = f"{n / size:.1f}"
        if float(text) < 1000 or unit == "PB":  # 999,999 B is "1.0 MB", not "1000.0 kB"
            return f"{text} {unit}"


# --- Training one layer: operations one by one, memory, backward pass (D2L 7.4.2) ----------

class ConvOps(NamedTuple):
    """The arithmetic of one convolutional layer on one example, operation by operation."""

    multiplications: int
    additions: int


@checked(kernel_fits, **LAYER, bias=Flag())
def conv2d_ops(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
               input_size: int | tuple[int, int], padding: int | tuple[int, int] = 0,
               stride: int | tuple[int, int] = 1, bias: bool = True) -> ConvOps:
    """Multiplications and additions of ``nn.Conv2d``'s forward pass on one (c_i, h, w)
    input: each of the c_o·h_out·w_out outputs multiplies c_i·k_h·k_w pairs, adds up
    the products (c_i·k_h·k_w - 1 additions) and adds its bias (1 more).

    >>> conv2d_ops(10, 5, 1, 8)   # 320 outputs: 10 products, 9 + 1 additions each
    ConvOps(multiplications=3200, additions=3200)
    """
    cost = conv2d_cost(in_channels, out_channels, kernel_size, input_size, padding, stride)
    outputs = math.prod(cost.output_shape)  # each sums its products, then adds its bias
    return ConvOps(cost.macs, cost.macs - outputs + (outputs if bias else 0))


class ConvMemory(NamedTuple):
    """Bytes of what one convolutional layer holds on a batch: its parameters, its input
    and its output. Backpropagation adds a gradient of each, of the same size."""

    params: int
    input: int
    output: int


@checked(kernel_fits, **LAYER, bias=Flag(), batch_size=Int(minimum=1), dtype=DType())
def conv2d_memory(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                  input_size: int | tuple[int, int], padding: int | tuple[int, int] = 0,
                  stride: int | tuple[int, int] = 1, bias: bool = True,
                  batch_size: int = 1, dtype: torch.dtype = torch.float32) -> ConvMemory:
    """Bytes of the parameters, the (n, c_i, h, w) input and the (n, c_o, h_out, w_out)
    output of ``nn.Conv2d`` on a batch of n = ``batch_size`` examples of type ``dtype``.

    >>> conv2d_memory(3, 64, 3, 224, padding=1, batch_size=32)
    ConvMemory(params=7168, input=19267584, output=411041792)
    """
    cost = conv2d_cost(in_channels, out_channels, kernel_size, input_size, padding, stride, bias)
    return ConvMemory(param_bytes(cost.params, dtype),
                      param_bytes(batch_size * in_channels * math.prod(input_size), dtype),
                      param_bytes(batch_size * math.prod(cost.output_shape), dtype))


@checked(kernel_fits, **LAYER, input_grad=Flag())
def conv2d_backward_macs(in_channels: int, out_channels: int,
                         kernel_size: int | tuple[int, int], input_size: int | tuple[int, int],
                         padding: int | tuple[int, int] = 0, stride: int | tuple[int, int] = 1,
                         input_grad: bool = True) -> int:
    """Multiply-adds of ``nn.Conv2d``'s backward pass on one example. The weight gradient
    pairs each product of the forward pass with an output gradient: as many multiply-adds
    as the forward pass. So does the input gradient, which the first layer can skip (its
    input is the data: ``input_grad=False``). The bias gradient only adds.

    >>> conv2d_backward_macs(10, 5, 1, 8), conv2d_backward_macs(10, 5, 1, 8, input_grad=False)
    (6400, 3200)
    """
    cost = conv2d_cost(in_channels, out_channels, kernel_size, input_size, padding, stride)
    return (2 if input_grad else 1) * cost.macs
