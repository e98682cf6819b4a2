"""Two-dimensional cross-correlation, the operation every convolutional layer computes.

Two forms of the same algorithm: ``corr2d`` loops over output positions (read it to
understand the operation), ``corr2d_fast`` computes every window at once (use it).
``Conv2D`` turns ``corr2d`` into a layer; ``conv2d_flip`` is convolution in the strict,
mathematical sense.
"""
from __future__ import annotations

import torch
from torch import nn

from . import _check
from ._check import Pair, Tensor, checked


def kernel_inside(X: torch.Tensor, K: torch.Tensor) -> None:
    """``X`` and ``K`` of one dtype and device, and ``K`` no larger than ``X``.

    >>> corr2d(torch.ones(3, 3), torch.ones(4, 1))
    Traceback (most recent call last):
    ...
    ValueError: K must not be larger than X, got K of shape (4, 1) for X of shape (3, 3)
    """
    _check.same_dtype(X, K, "X", "K")
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"K must not be larger than X, got K of shape {tuple(K.shape)} "
                         f"for X of shape {tuple(X.shape)}")


CORR2D = {"X": Tensor(ndim=2), "K": Tensor(ndim=2)}


def _check_layer_input(self: nn.Module, x: object) -> None:
    """The guard of ``Conv2D.forward``: ``kernel_inside`` for the layer's kernel, in words
    that speak of the layer's weight (the user never named it K).

    >>> Conv2D((3, 3))(torch.ones(2, 2))
    Traceback (most recent call last):
    ...
    ValueError: the layer's kernel of shape (3, 3) must not be larger than X, got X of shape (2, 2)
    """
    X, weight = _check.Tensor(ndim=2)(x, "X"), _check.Tensor(ndim=2)(self.weight, "the layer's weight")
    if X.dtype != weight.dtype:
        raise TypeError(f"X must have the dtype of the layer's weight ({weight.dtype}), got {X.dtype}")
    if X.device != weight.device:
        raise ValueError(f"X must be on the device of the layer's weight ({weight.device}), got {X.device}")
    if weight.shape[0] > X.shape[0] or weight.shape[1] > X.shape[1]:
        raise ValueError(f"the layer's kernel of shape {tuple(weight.shape)} must not be larger than X, "
                         f"got X of shape {tuple(X.shape)}")


@checked(kernel_inside, **CORR2D)
def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (h×w) with kernel ``K``, one output element at a
    time.

    >>> X = torch.arange(9.).reshape(3, 3)
    >>> corr2d(X, torch.tensor([[0., 1.], [2., 3.]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    h, w = K.shape
    Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


@checked(kernel_inside, **CORR2D)
def corr2d_fast(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The same result as ``corr2d``, with every window taken at once (no Python loop).

    ``X.unfold`` views all h×w windows as a tensor of shape (out_h, out_w, h, w);
    one ``tensordot`` multiplies each window by ``K`` and sums it.

    >>> X = torch.arange(9.).reshape(3, 3)
    >>> corr2d_fast(X, torch.tensor([[0., 1.], [2., 3.]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    h, w = K.shape
    windows = X.unfold(0, h, 1).unfold(1, w, 1)  # (out_h, out_w, h, w), a view
    return torch.tensordot(windows, K, dims=2)


def kernel_within_budget(kernel_size: tuple[int, int]) -> None:
    """A kernel of at most ``MEMORY_BUDGET`` bytes (2 GiB), refused before it is allocated.

    >>> Conv2D((10**6, 1000))
    Traceback (most recent call last):
    ...
    ValueError: kernel_size=(1000000, 1000) (a 1000000 x 1000 weight of torch.float32) would allocate 3.7 GiB, more than the 2 GiB one call may use (companion._check.MEMORY_BUDGET)
    """
    k_h, k_w = kernel_size
    _check.within_budget(k_h * k_w * torch.get_default_dtype().itemsize,
                         f"kernel_size={(k_h, k_w)} (a {k_h} x {k_w} weight of {torch.get_default_dtype()})")


class Conv2D(nn.Module):
    """A convolutional layer built on ``corr2d``: a learnable kernel plus a scalar bias.

    >>> layer = Conv2D(kernel_size=(1, 2))
    >>> layer(torch.ones(6, 8)).shape
    torch.Size([6, 7])
    """

    @checked(kernel_within_budget, kernel_size=Pair(minimum=1))
    def __init__(self, kernel_size: int | tuple[int, int]):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    @checked(_check_layer_input)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return corr2d(x, self.weight) + self.bias


@checked(kernel_inside, **CORR2D)
def conv2d_flip(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Convolution in the strict mathematical sense: cross-correlation with ``K``
    flipped upside down and left to right.

    >>> conv2d_flip(torch.arange(9.).reshape(3, 3), torch.tensor([[3., 2.], [1., 0.]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    return corr2d_fast(X, torch.flip(K, dims=(0, 1)))
