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
from ._check import checked


def check_corr2d(X: object, K: object) -> tuple[torch.Tensor, torch.Tensor]:
    """The guard of ``corr2d`` and its relatives: ``X`` and ``K`` are 2-D floating tensors of
    one dtype and device, and ``K`` fits inside ``X``. Returns ``(X, K)``.

    >>> check_corr2d(torch.ones(3, 3), torch.ones(4, 1))
    Traceback (most recent call last):
    ...
    ValueError: K must not be larger than X, got K of shape (4, 1) for X of shape (3, 3)
    """
    X = _check.tensor(X, "X", ndim=2)
    K = _check.tensor(K, "K", ndim=2)
    _check.same_dtype(X, K, "X", "K")
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"K must not be larger than X, got K of shape {tuple(K.shape)} "
                         f"for X of shape {tuple(X.shape)}")
    return X, K


def _check_layer_input(self: nn.Module, x: object) -> None:
    """The guard of ``Conv2D.forward``: ``check_corr2d`` for the layer's kernel, in words
    that speak of the layer's weight (the user never named it K).

    >>> Conv2D((3, 3))(torch.ones(2, 2))
    Traceback (most recent call last):
    ...
    ValueError: the layer's kernel of shape (3, 3) must not be larger than X, got X of shape (2, 2)
    """
    X, weight = _check.tensor(x, "X", ndim=2), _check.tensor(self.weight, "the layer's weight", ndim=2)
    if X.dtype != weight.dtype:
        raise TypeError(f"X must have the dtype of the layer's weight ({weight.dtype}), got {X.dtype}")
    if X.device != weight.device:
        raise ValueError(f"X must be on the device of the layer's weight ({weight.device}), got {X.device}")
    if weight.shape[0] > X.shape[0] or weight.shape[1] > X.shape[1]:
        raise ValueError(f"the layer's kernel of shape {tuple(weight.shape)} must not be larger than X, "
                         f"got X of shape {tuple(X.shape)}")


@checked(check_corr2d)
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


@checked(check_corr2d)
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


def check_kernel_size(kernel_size: object) -> tuple[int, int]:
    """The guard of ``Conv2D``: an int or a pair of ints >= 1, returned as a pair.

    A kernel of more than ``MEMORY_BUDGET`` bytes (2 GiB) is refused before it is allocated.

    >>> check_kernel_size(3)
    (3, 3)
    """
    k_h, k_w = _check.pair(kernel_size, "kernel_size", minimum=1)
    _check.within_budget(k_h * k_w * torch.get_default_dtype().itemsize,
                         f"kernel_size={(k_h, k_w)} (a {k_h} x {k_w} weight of {torch.get_default_dtype()})")
    return k_h, k_w


class Conv2D(nn.Module):
    """A convolutional layer built on ``corr2d``: a learnable kernel plus a scalar bias.

    >>> layer = Conv2D(kernel_size=(1, 2))
    >>> layer(torch.ones(6, 8)).shape
    torch.Size([6, 7])
    """

    @checked(check_kernel_size)
    def __init__(self, kernel_size: int | tuple[int, int]):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    @checked(_check_layer_input)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return corr2d(x, self.weight) + self.bias


@checked(check_corr2d)
def conv2d_flip(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Convolution in the strict mathematical sense: cross-correlation with ``K``
    flipped upside down and left to right.

    >>> conv2d_flip(torch.arange(9.).reshape(3, 3), torch.tensor([[3., 2.], [1., 0.]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    return corr2d_fast(X, torch.flip(K, dims=(0, 1)))
