"""Convolutions over several channels: sum over input channels, stack over output channels.

Shapes follow PyTorch: an input is (c_i, h, w) and a kernel is (c_o, c_i, k_h, k_w),
the shape of ``nn.Conv2d(c_i, c_o, (k_h, k_w)).weight``.
"""
from __future__ import annotations

import torch

from . import _check
from ._check import Tensor, checked
from .conv import corr2d_fast


def channels_match(X: torch.Tensor, K: torch.Tensor) -> None:
    """``X`` (c_i, h, w) and ``K`` (c_i, k_h, k_w) or (c_o, c_i, k_h, k_w) of one dtype and
    device, with the same c_i, the kernel no larger than the input.

    >>> corr2d_multi_in(torch.ones(2, 3, 3), torch.ones(3, 2, 2))
    Traceback (most recent call last):
    ...
    ValueError: K must have as many input channels as X: X has c_i=2, K of shape (3, 2, 2) (c_i, k_h, k_w) has c_i=3
    """
    _check.same_dtype(X, K, "X", "K")
    c_i = K.shape[0] if K.dim() == 3 else K.shape[1]
    if c_i != X.shape[0]:
        want = "(c_i, k_h, k_w)" if K.dim() == 3 else "(c_o, c_i, k_h, k_w)"
        raise ValueError(f"K must have as many input channels as X: X has c_i={X.shape[0]}, "
                         f"K of shape {tuple(K.shape)} {want} has c_i={c_i}")
    if K.shape[-2] > X.shape[1] or K.shape[-1] > X.shape[2]:
        raise ValueError(f"K must not be larger than X, got a {tuple(K.shape[-2:])} kernel "
                         f"for X of shape {tuple(X.shape)}")


def output_within_budget(X: torch.Tensor, K: torch.Tensor) -> None:
    """``channels_match``, and an output (c_o, h', w') of at most ``MEMORY_BUDGET`` bytes
    (2 GiB), refused before it is computed.

    >>> corr2d_multi_in_out(torch.ones(1, 200, 200), torch.ones(2**14, 1, 1, 1))
    Traceback (most recent call last):
    ...
    ValueError: K of shape (16384, 1, 1, 1) and X of shape (1, 200, 200) make a (16384, 200, 200) output that would allocate 2.4 GiB, more than the 2 GiB one call may use (companion._check.MEMORY_BUDGET)
    """
    channels_match(X, K)
    shape = (K.shape[0], X.shape[1] - K.shape[2] + 1, X.shape[2] - K.shape[3] + 1)
    _check.within_budget(shape[0] * shape[1] * shape[2] * X.element_size(),
                         f"K of shape {tuple(K.shape)} and X of shape {tuple(X.shape)} make a {shape} output that")


def one_by_one(X: torch.Tensor, K: torch.Tensor) -> None:
    """A 1×1 kernel (c_o, c_i, 1, 1), then ``output_within_budget``.

    >>> corr2d_multi_in_out_1x1(torch.ones(2, 3, 3), torch.ones(4, 2, 2, 2))
    Traceback (most recent call last):
    ...
    ValueError: K must be a 1x1 kernel of shape (c_o, c_i, 1, 1), got shape (4, 2, 2, 2)
    """
    if K.shape[2:] != (1, 1):
        raise ValueError(f"K must be a 1x1 kernel of shape (c_o, c_i, 1, 1), got shape {tuple(K.shape)}")
    output_within_budget(X, K)


@checked(channels_match, X=Tensor(ndim=3), K=Tensor(ndim=3))
def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation of a (c_i, h, w) input with a (c_i, k_h, k_w) kernel: one
    kernel slice per input channel, the c_i results summed into one 2-D output.

    >>> X = torch.stack([torch.arange(9.), torch.arange(1., 10.)]).reshape(2, 3, 3)
    >>> K = torch.stack([torch.arange(4.), torch.arange(1., 5.)]).reshape(2, 2, 2)
    >>> corr2d_multi_in(X, K)
    tensor([[ 56.,  72.],
            [104., 120.]])
    """
    return sum(corr2d_fast(x, k) for x, k in zip(X, K))


@checked(output_within_budget, X=Tensor(ndim=3), K=Tensor(ndim=4))
def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation of a (c_i, h, w) input with a (c_o, c_i, k_h, k_w) kernel: one
    ``corr2d_multi_in`` per output channel, stacked into a (c_o, h', w') output.

    >>> X = torch.ones(2, 3, 3)
    >>> corr2d_multi_in_out(X, torch.ones(4, 2, 2, 2)).shape
    torch.Size([4, 2, 2])
    """
    return torch.stack([corr2d_multi_in(X, k) for k in K], dim=0)


@checked(one_by_one, X=Tensor(ndim=3), K=Tensor(ndim=4))
def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 convolution as one matrix multiplication: the (c_o, c_i) weight matrix
    times the (c_i, h·w) matrix whose columns are the pixels' channel vectors.

    The same fully connected layer (c_i inputs, c_o outputs) is applied at every pixel.

    >>> X = torch.ones(3, 2, 2)
    >>> corr2d_multi_in_out_1x1(X, torch.ones(5, 3, 1, 1))[:, 0, 0]
    tensor([3., 3., 3., 3., 3.])
    """
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)  # (c_o, c_i) @ (c_i, h*w)
    return Y.reshape(c_o, h, w)
