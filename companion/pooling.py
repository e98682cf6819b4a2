"""Max and average pooling from scratch, with the padding and stride rules of PyTorch.

``pool2d`` follows ``nn.MaxPool2d`` / ``nn.AvgPool2d`` (with their defaults):
the stride defaults to the window size; max pooling pads with -inf (a padded cell never
wins); average pooling pads with 0 and divides by the full window size k_h·k_w, padded
cells included (``count_include_pad=True``); the padding may be at most half the window.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from . import _check
from ._check import Maybe, OneOf, Pair, Tensor, checked

MODES = ("max", "avg")
_Pair = tuple[int, int]


def pool_window(pool_size: _Pair, padding: _Pair, stride: _Pair | None,
                input_size: _Pair) -> tuple[_Pair, _Pair, _Pair, _Pair]:
    """PyTorch's rules for a pooling window on an input of ``input_size`` (h, w): a padding
    of at most half the window and a window that fits the padded input; the stride ``None``
    is the window size. Returns ``(pool_size, padding, stride, input_size)``.

    >>> pool_window((2, 2), (1, 1), None, (4, 4))
    ((2, 2), (1, 1), (2, 2), (4, 4))
    """
    (k_h, k_w), (p_h, p_w), (h, w) = pool_size, padding, input_size
    if p_h > k_h // 2 or p_w > k_w // 2:
        raise ValueError(f"padding must be at most half the window (pool_size // 2 = "
                         f"{(k_h // 2, k_w // 2)}), got {(p_h, p_w)}")
    if k_h > h + 2 * p_h or k_w > w + 2 * p_w:
        raise ValueError(f"pool_size {(k_h, k_w)} must not exceed the padded input "
                         f"{(h + 2 * p_h, w + 2 * p_w)}")
    return pool_size, padding, pool_size if stride is None else stride, input_size


def pool_fits(X: torch.Tensor, pool_size: _Pair, padding: _Pair, stride: _Pair | None
              ) -> tuple[torch.Tensor, _Pair, _Pair, _Pair]:
    """``pool_window``'s rules on the last two dimensions of ``X``, and each padded channel
    within the memory budget; the stride ``None`` becomes the window size.

    >>> pool_fits(torch.ones(4, 4), (2, 2), (1, 1), None)[1:]
    ((2, 2), (1, 1), (2, 2))
    """
    k, p, s, _ = pool_window(pool_size, padding, stride, tuple(X.shape[-2:]))
    padded = (X.shape[-2] + 2 * p[0], X.shape[-1] + 2 * p[1])  # one channel at a time
    _check.within_budget(padded[0] * padded[1] * X.element_size(),
                         f"padding={p} pads X of shape {tuple(X.shape)} to {padded}, which")
    return X, k, p, s


WINDOW = {"pool_size": Pair(minimum=1), "mode": OneOf(MODES), "padding": Pair(minimum=0),
          "stride": Maybe(Pair(minimum=1))}


@checked(pool_fits, X=Tensor(ndim=2), **WINDOW)
def pool2d(X: torch.Tensor, pool_size: int | tuple[int, int], mode: str = "max",
           padding: int | tuple[int, int] = 0,
           stride: int | tuple[int, int] | None = None) -> torch.Tensor:
    """Max or average pooling of a 2-D input ``X``, one window at a time.

    The output has shape ⌊(h + 2p_h - k_h) / s_h⌋ + 1 by ⌊(w + 2p_w - k_w) / s_w⌋ + 1.
    ``stride=None`` means stride = window size, as in PyTorch.

    >>> X = torch.arange(9.).reshape(3, 3)
    >>> pool2d(X, 2, stride=1)
    tensor([[4., 5.],
            [7., 8.]])
    >>> pool2d(X, 2, mode="avg", stride=1)
    tensor([[2., 3.],
            [5., 6.]])
    """
    k_h, k_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    stride = (k_h, k_w) if stride is None else stride
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    fill = float("-inf") if mode == "max" else 0.0  # a padded cell never wins a max
    Xp = F.pad(X, (p_w, p_w, p_h, p_h), value=fill)
    h_out = (Xp.shape[0] - k_h) // s_h + 1
    w_out = (Xp.shape[1] - k_w) // s_w + 1
    Y = X.new_zeros((h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = Xp[i * s_h:i * s_h + k_h, j * s_w:j * s_w + k_w]
            Y[i, j] = window.max() if mode == "max" else window.sum() / (k_h * k_w)
    return Y


@checked(pool_fits, X=Tensor(ndim=3), **WINDOW)
def pool2d_multi(X: torch.Tensor, pool_size: int | tuple[int, int], mode: str = "max",
                 padding: int | tuple[int, int] = 0,
                 stride: int | tuple[int, int] | None = None) -> torch.Tensor:
    """Pooling of a (c, h, w) input: each channel pooled on its own, so the output keeps
    all c channels (no sum over channels, unlike a convolution).

    >>> X = torch.arange(32.).reshape(2, 4, 4)
    >>> pool2d_multi(X, 2)
    tensor([[[ 5.,  7.],
             [13., 15.]],
    <BLANKLINE>
            [[21., 23.],
             [29., 31.]]])
    """
    return torch.stack([pool2d(x, pool_size, mode, padding, stride) for x in X], dim=0)
