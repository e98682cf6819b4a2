"""Two-dimensional cross-correlation, the operation every convolutional layer computes.

Two forms of the same algorithm: ``corr2d`` loops over output positions (read it to
understand the operation), ``corr2d_fast`` computes every window at once (use it).
"""
from __future__ import annotations

import torch
from torch import nn

from . import _check
from .invariance import influence_map


def _check_corr2d(X: object, K: object) -> tuple[torch.Tensor, torch.Tensor]:
    X = _check.tensor(X, "X", ndim=2)
    K = _check.tensor(K, "K", ndim=2)
    _check.same_dtype(X, K, "X", "K")
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"K must not be larger than X, got K of shape {tuple(K.shape)} "
                         f"for X of shape {tuple(X.shape)}")
    return X, K


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (h×w) with kernel ``K``, one output element at a time.

    >>> X = torch.arange(9.).reshape(3, 3)
    >>> corr2d(X, torch.tensor([[0., 1.], [2., 3.]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    X, K = _check_corr2d(X, K)
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def corr2d_fast(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The same result as ``corr2d``, with every window taken at once (no Python loop).

    ``X.unfold`` views all h×w windows as a tensor of shape (out_h, out_w, h, w);
    one ``tensordot`` multiplies each window by ``K`` and sums it.

    >>> X = torch.arange(9.).reshape(3, 3)
    >>> corr2d_fast(X, torch.tensor([[0., 1.], [2., 3.]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    X, K = _check_corr2d(X, K)
    h, w = K.shape
    windows = X.unfold(0, h, 1).unfold(1, w, 1)  # (out_h, out_w, h, w), a view
    return torch.tensordot(windows, K, dims=2)


class Conv2D(nn.Module):
    """A convolutional layer built on ``corr2d``: a learnable kernel plus a scalar bias.

    >>> layer = Conv2D(kernel_size=(1, 2))
    >>> layer(torch.ones(6, 8)).shape
    torch.Size([6, 7])
    """

    def __init__(self, kernel_size: int | tuple[int, int]):
        super().__init__()
        kernel_size = _check.pair(kernel_size, "kernel_size", minimum=1)
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return corr2d(x, self.weight) + self.bias


def conv2d_flip(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Convolution in the strict mathematical sense: cross-correlation with ``K`` flipped
    upside down and left to right.

    >>> conv2d_flip(torch.arange(9.).reshape(3, 3), torch.tensor([[3., 2.], [1., 0.]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    X, K = _check_corr2d(X, K)
    return corr2d_fast(X, torch.flip(K, dims=(0, 1)))


def receptive_field(net: nn.Module, input_shape: tuple[int, int], out_pos: tuple[int, int]) -> torch.Tensor:
    """Which input pixels influence output ``out_pos`` of ``net``? Found with autograd.

    Feeds a (1, 1, h, w) input through ``net`` and returns a boolean (h, w) mask of the pixels
    with a nonzero gradient for one output element of the first channel (``influence_map``).
    Use weights that cannot cancel (e.g. all ones) so a zero gradient means "no influence".

    >>> net = nn.Conv2d(1, 1, 3, bias=False); _ = nn.init.ones_(net.weight)
    >>> int(receptive_field(net, (5, 5), (0, 0)).sum())
    9
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    h, w = _check.pair(input_shape, "input_shape", minimum=1)
    param = next(net.parameters(), None)
    x = torch.zeros((1, 1, h, w), dtype=param.dtype if param is not None else torch.float32)
    return influence_map(net, x, out_pos) != 0


def receptive_field_size(kernel_sizes: list[int], strides: list[int] | None = None) -> int:
    """Side length of the receptive field of one output after stacked layers.

    r = 1 + sum_l (k_l - 1) * (s_1 * ... * s_{l-1})

    >>> receptive_field_size([3, 3])
    5
    >>> receptive_field_size([5, 2, 5, 2], strides=[1, 2, 1, 2])
    16
    """
    if not isinstance(kernel_sizes, (list, tuple)) or not kernel_sizes:
        raise TypeError(f"kernel_sizes must be a non-empty list of ints, got {kernel_sizes!r}")
    ks = [_check.integer(k, f"kernel_sizes[{n}]", minimum=1) for n, k in enumerate(kernel_sizes)]
    if strides is None:
        ss = [1] * len(ks)
    else:
        if not isinstance(strides, (list, tuple)) or len(strides) != len(ks):
            raise ValueError(f"strides must be a list with one int per kernel ({len(ks)}), got {strides!r}")
        ss = [_check.integer(s, f"strides[{n}]", minimum=1) for n, s in enumerate(strides)]
    r, jump = 1, 1
    for k, s in zip(ks, ss):
        r += (k - 1) * jump
        jump *= s
    return r
