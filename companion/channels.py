"""Convolutions over several channels: sum over input channels, stack over output channels.

Shapes follow PyTorch: an input is (c_i, h, w) and a kernel is (c_o, c_i, k_h, k_w),
the shape of ``nn.Conv2d(c_i, c_o, (k_h, k_w)).weight``.
"""
from __future__ import annotations

from typing import NamedTuple

import torch

from . import _check
from .conv import corr2d_fast
from .params import conv_macs, conv_params
from .shapes import conv_output_shape


def _check_multi(X: object, K: object, k_ndim: int) -> tuple[torch.Tensor, torch.Tensor]:
    X = _check.tensor(X, "X", ndim=3)
    K = _check.tensor(K, "K", ndim=k_ndim)
    _check.same_dtype(X, K, "X", "K")
    c_i = K.shape[0] if k_ndim == 3 else K.shape[1]
    if c_i != X.shape[0]:
        want = "(c_i, k_h, k_w)" if k_ndim == 3 else "(c_o, c_i, k_h, k_w)"
        raise ValueError(f"K must have as many input channels as X: X has c_i={X.shape[0]}, "
                         f"K of shape {tuple(K.shape)} {want} has c_i={c_i}")
    if K.shape[-2] > X.shape[1] or K.shape[-1] > X.shape[2]:
        raise ValueError(f"K must not be larger than X, got a {tuple(K.shape[-2:])} kernel "
                         f"for X of shape {tuple(X.shape)}")
    return X, K


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation of a (c_i, h, w) input with a (c_i, k_h, k_w) kernel: one kernel slice
    per input channel, the c_i results summed into one 2-D output.

    >>> X = torch.stack([torch.arange(9.).reshape(3, 3), torch.arange(1., 10.).reshape(3, 3)])
    >>> K = torch.stack([torch.arange(4.).reshape(2, 2), torch.arange(1., 5.).reshape(2, 2)])
    >>> corr2d_multi_in(X, K)
    tensor([[ 56.,  72.],
            [104., 120.]])
    """
    X, K = _check_multi(X, K, k_ndim=3)
    return sum(corr2d_fast(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation of a (c_i, h, w) input with a (c_o, c_i, k_h, k_w) kernel: one
    ``corr2d_multi_in`` per output channel, stacked into a (c_o, h - k_h + 1, w - k_w + 1) output.

    >>> X = torch.ones(2, 3, 3)
    >>> corr2d_multi_in_out(X, torch.ones(4, 2, 2, 2)).shape
    torch.Size([4, 2, 2])
    """
    X, K = _check_multi(X, K, k_ndim=4)
    return torch.stack([corr2d_multi_in(X, k) for k in K], dim=0)


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 convolution as one matrix multiplication: the (c_o, c_i) weight matrix times the
    (c_i, h·w) matrix whose columns are the pixels' channel vectors.

    The same fully connected layer (c_i inputs, c_o outputs) is applied at every pixel.

    >>> X = torch.ones(3, 2, 2)
    >>> corr2d_multi_in_out_1x1(X, torch.ones(5, 3, 1, 1))[:, 0, 0]
    tensor([3., 3., 3., 3., 3.])
    """
    X, K = _check_multi(X, K, k_ndim=4)
    if K.shape[2:] != (1, 1):
        raise ValueError(f"K must be a 1x1 kernel of shape (c_o, c_i, 1, 1), got shape {tuple(K.shape)}")
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)  # (c_o, c_i) @ (c_i, h*w)
    return Y.reshape(c_o, h, w)


class ConvCost(NamedTuple):
    """What one convolutional layer costs: learnable numbers, output shape, multiply-adds."""

    params: int
    output_shape: tuple[int, int, int]
    macs: int


def conv2d_cost(in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                input_size: int | tuple[int, int], padding: int | tuple[int, int] = 0,
                stride: int | tuple[int, int] = 1, bias: bool = True) -> ConvCost:
    """Parameters, output shape and multiply-add count of ``nn.Conv2d`` on one (c_i, h, w) input.

    params = c_o·c_i·k_h·k_w (+ c_o biases); every one of the c_o·h_out·w_out outputs
    needs c_i·k_h·k_w multiply-adds (the bias additions are not counted).

    >>> conv2d_cost(10, 5, 1, (8, 8))
    ConvCost(params=55, output_shape=(5, 8, 8), macs=3200)
    """
    params = conv_params(in_channels, out_channels, kernel_size, bias)
    h_out, w_out = conv_output_shape(input_size, kernel_size, padding, stride)
    macs = conv_macs(in_channels, out_channels, kernel_size, (h_out, w_out))
    return ConvCost(params, (out_channels, h_out, w_out), macs)
