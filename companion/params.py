"""What a layer costs: learnable parameters, bytes of memory and multiply-adds.

Used to compare a fully connected layer on a flattened image with a convolutional layer
on the same image: the first grows with the number of pixels, the second does not.
``conv2d_cost`` puts the three numbers of one ``nn.Conv2d`` side by side.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import torch

from . import _check
from ._check import checked
from .shapes import check_conv_output_shape, conv_output_shape
from .pooling import MODES as POOL_MODES, window


def check_fc(in_features: object, out_features: object, bias: object = True
             ) -> tuple[int, int, bool]:
    """The guard of ``fc_params`` and ``fc_macs``: two ints >= 1 and a bool.

    >>> check_fc(784, 10)
    (784, 10, True)
    """
    n_in = _check.integer(in_features, "in_features", minimum=1)
    n_out = _check.integer(out_features, "out_features", minimum=1)
    return n_in, n_out, _check.flag(bias, "bias")


@checked(check_fc)
def fc_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable numbers of ``nn.Linear(in_features, out_features)``: a weight matrix
    plus biases, params = in·out (+ out biases).

    >>> fc_params(1_000_000, 1_000)   # a 1-megapixel image into 1,000 hidden units
    1000001000
    """
    return in_features * out_features + (out_features if bias else 0)


def check_conv(in_channels: object, out_channels: object, kernel_size: object,
               bias: object = True) -> tuple[int, int, tuple[int, int], bool]:
    """The guard of ``conv_params`` and ``conv_macs``: channel counts >= 1, a kernel size
    (an int or a pair) and a bool. Returns ``(c_i, c_o, (k_h, k_w), bias)``.

    >>> check_conv(3, 8, 5)
    (3, 8, (5, 5), True)
    """
    c_i = _check.integer(in_channels, "in_channels", minimum=1)
    c_o = _check.integer(out_channels, "out_channels", minimum=1)
    k = _check.pair(kernel_size, "kernel_size", minimum=1)
    return c_i, c_o, k, _check.flag(bias, "bias")


@checked(check_conv)
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


def check_param_bytes(n_params: object, dtype: object) -> tuple[int, torch.dtype]:
    """The guard of ``param_bytes``: an int >= 0 and a ``torch.dtype``.

    >>> check_param_bytes(10, torch.float16)
    (10, torch.float16)
    """
    n = _check.integer(n_params, "n_params", minimum=0)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype (e.g. torch.float32), got {type(dtype).__name__}")
    return n, dtype


@checked(check_param_bytes)
def param_bytes(n_params: int, dtype: torch.dtype = torch.float32) -> int:
    """Bytes needed to store ``n_params`` numbers of type ``dtype`` (float32: 4 bytes
    each).

    >>> param_bytes(1_000_000_000) / 1e9   # gigabytes
    4.0
    """
    return n_params * torch.empty((), dtype=dtype).element_size()


@checked(check_fc)
def fc_macs(in_features: int, out_features: int) -> int:
    """Multiply-adds of one ``nn.Linear`` on one example: every output reads every input.

    >>> fc_macs(784, 784)
    614656
    """
    return in_features * out_features


def _check_conv_macs(in_channels: object, out_channels: object, kernel_size: object,
                    output_size: object) -> tuple[int, int, tuple[int, int], tuple[int, int]]:
    """The guard of ``conv_macs``: ``check_conv``'s arguments (no bias) and an output size."""
    c_i, c_o, k, _ = check_conv(in_channels, out_channels, kernel_size)
    return c_i, c_o, k, _check.pair(output_size, "output_size", minimum=1)


@checked(_check_conv_macs)
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


def check_conv_layer(in_channels: object, out_channels: object, kernel_size: object,
                     input_size: object, padding: object = 0, stride: object = 1,
                     bias: object = True) -> tuple:
    """The guard of ``conv2d_ops``: the arguments of ``nn.Conv2d`` and an input its kernel
    fits. Returns ``(c_i, c_o, (k_h, k_w), (h, w), (p_h, p_w), (s_h, s_w), bias)``.

    >>> check_conv_layer(3, 8, 5, 28, padding=2)
    (3, 8, (5, 5), (28, 28), (2, 2), (1, 1), True)
    """
    c_i, c_o, _, bias = check_conv(in_channels, out_channels, kernel_size, bias)
    n, k, p, s = check_conv_output_shape(input_size, kernel_size, padding, stride)
    return c_i, c_o, k, n, p, s, bias


@checked(check_conv_layer)
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


def check_pool2d_cost(channels: object, pool_size: object, input_size: object,
                      padding: object, stride: object, mode: object) -> tuple:
    """The guard of ``pool2d_cost``: the rules of ``nn.MaxPool2d`` (padding at most half
    the window, a window that fits the padded input; ``stride=None`` is the window size).
    Returns ``(c, (k_h, k_w), (h, w), (p_h, p_w), (s_h, s_w), mode)``.

    >>> check_pool2d_cost(3, 2, 8, 1, None, "max")
    (3, (2, 2), (8, 8), (1, 1), (2, 2), 'max')
    """
    c = _check.integer(channels, "channels", minimum=1)
    n = _check.pair(input_size, "input_size", minimum=1)
    mode = _check.one_of(mode, "mode", POOL_MODES)
    k, p, s = window(pool_size, padding, stride, n)
    return c, k, n, p, s, mode


@checked(check_pool2d_cost)
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


def check_cost_table(sides: object, hidden: object, in_channels: object,
                     kernel_size: object, dtype: object = torch.float32
                     ) -> tuple[tuple[int, ...], int, int, int]:
    """The guard of ``cost_table``: a non-empty list of sides and three ints, all >= 1.

    >>> check_cost_table([28, 64], 1000, 1, 3)
    ((28, 64), 1000, 1, 3)
    """
    sides = _check.ints(sides, "sides", minimum=1)
    n_hidden = _check.integer(hidden, "hidden", minimum=1)
    c_i = _check.integer(in_channels, "in_channels", minimum=1)
    k = _check.integer(kernel_size, "kernel_size", minimum=1)
    check_param_bytes(0, dtype)
    return sides, n_hidden, c_i, k


@checked(check_cost_table)
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


def human_bytes(n_bytes: int) -> str:
    """Bytes in decimal units, the way a disk label says it.

    >>> human_bytes(4_000_004_000), human_bytes(40_000), human_bytes(12)
    ('4.0 GB', '40.0 kB', '12 B')
    """
    n = _check.integer(n_bytes, "n_bytes", minimum=0)
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


@checked(check_conv_layer)
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


def check_conv_memory(in_channels: object, out_channels: object, kernel_size: object,
                      input_size: object, padding: object = 0, stride: object = 1,
                      bias: object = True, batch_size: object = 1,
                      dtype: object = torch.float32) -> tuple:
    """The guard of ``conv2d_memory``: ``check_conv_layer``'s arguments, then a batch
    size >= 1 and a ``torch.dtype``.

    >>> check_conv_memory(1, 6, 5, 28, batch_size=256)[-2:]
    (256, torch.float32)
    """
    layer = check_conv_layer(in_channels, out_channels, kernel_size, input_size, padding,
                             stride, bias)
    batch = _check.integer(batch_size, "batch_size", minimum=1)
    return *layer, batch, check_param_bytes(0, dtype)[1]


@checked(check_conv_memory)
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


def check_conv_backward(in_channels: object, out_channels: object, kernel_size: object,
                        input_size: object, padding: object = 0, stride: object = 1,
                        input_grad: object = True) -> tuple:
    """The guard of ``conv2d_backward_macs``: ``check_conv_layer``'s arguments (no bias)
    and a bool.

    >>> check_conv_backward(3, 8, 3, 32, input_grad=False)[-1]
    False
    """
    c_i, c_o, k, n, p, s, _ = check_conv_layer(in_channels, out_channels, kernel_size,
                                               input_size, padding, stride)
    return c_i, c_o, k, n, p, s, _check.flag(input_grad, "input_grad")


@checked(check_conv_backward)
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
