"""Output-shape arithmetic of convolutions: padding and stride.

Two conventions for the padding, and it matters which one a formula uses:

* D2L's formulas count the **total** padding of one dimension, both sides together:
  p_h rows in all (say ⌈p_h/2⌉ on top, ⌊p_h/2⌋ at the bottom). ``conv_output_size`` takes
  this ``total_padding``.
* PyTorch's ``nn.Conv2d(..., padding=p)`` pads ``p`` on **each** side, 2p in all.
  ``conv_output_shape`` takes ``padding`` in this sense, like ``nn.Conv2d``.

For one dimension of size n, kernel k, total padding p and stride s the output has
⌊(n − k + p + s) / s⌋ = ⌊(n − k + p) / s⌋ + 1 elements (no dilation).
"""
from __future__ import annotations

import torch
from torch import nn

from . import _check


def conv_output_size(n: int, kernel_size: int, total_padding: int = 0, stride: int = 1) -> int:
    """Output length of one dimension: ⌊(n − k + p + s) / s⌋ with p the *total* padding.

    ``total_padding`` counts the padded rows (or columns) on both sides together; PyTorch's
    ``padding=p`` means ``total_padding=2 * p``.

    >>> conv_output_size(8, 3)                    # no padding: n - k + 1
    6
    >>> conv_output_size(8, 3, total_padding=2)   # one row on each side keeps the size
    8
    >>> conv_output_size(8, 3, total_padding=2, stride=2)
    4
    """
    n = _check.integer(n, "n", minimum=1)
    k = _check.integer(kernel_size, "kernel_size", minimum=1)
    p = _check.integer(total_padding, "total_padding", minimum=0)
    s = _check.integer(stride, "stride", minimum=1)
    if k > n + p:
        raise ValueError(f"kernel_size ({k}) must not exceed the padded input size "
                         f"n + total_padding = {n} + {p} = {n + p}")
    return (n - k + p + s) // s


def conv_output_shape(input_size: int | tuple[int, int], kernel_size: int | tuple[int, int],
                      padding: int | tuple[int, int] = 0,
                      stride: int | tuple[int, int] = 1) -> tuple[int, int]:
    """Output (height, width) of ``nn.Conv2d(c_i, c_o, kernel_size, stride, padding)``.

    Each argument is an int (same for height and width) or a pair (height, width).
    ``padding`` follows PyTorch: p rows on top *and* p at the bottom, so the total padding
    of the height is 2p (likewise for the width).

    >>> conv_output_shape(8, 3, padding=1)
    (8, 8)
    >>> conv_output_shape(8, (5, 3), padding=(2, 1))
    (8, 8)
    >>> conv_output_shape(8, (3, 5), padding=(0, 1), stride=(3, 4))
    (2, 2)
    """
    n_h, n_w = _check.pair(input_size, "input_size", minimum=1)
    k_h, k_w = _check.pair(kernel_size, "kernel_size", minimum=1)
    p_h, p_w = _check.pair(padding, "padding", minimum=0)
    s_h, s_w = _check.pair(stride, "stride", minimum=1)
    if k_h > n_h + 2 * p_h or k_w > n_w + 2 * p_w:
        raise ValueError(f"kernel_size {(k_h, k_w)} must not exceed the padded input "
                         f"(input_size + 2 * padding) = {(n_h + 2 * p_h, n_w + 2 * p_w)}")
    return (conv_output_size(n_h, k_h, 2 * p_h, s_h), conv_output_size(n_w, k_w, 2 * p_w, s_w))


def pad2d(X: torch.Tensor, padding: int | tuple[int, int] | tuple[int, int, int, int],
          value: float = 0.0) -> torch.Tensor:
    """Surround a 2-D tensor with ``value`` (zero padding by default).

    ``padding`` is an int p (p on every side), a pair (p_h, p_w) (p_h rows on top and at the
    bottom, p_w columns left and right, as ``nn.Conv2d``), or a 4-tuple
    (top, bottom, left, right) for uneven padding, e.g. for an even kernel.
    Note the order differs from ``F.pad``, which takes (left, right, top, bottom).

    >>> pad2d(torch.ones(2, 2), 1)
    tensor([[0., 0., 0., 0.],
            [0., 1., 1., 0.],
            [0., 1., 1., 0.],
            [0., 0., 0., 0.]])
    >>> pad2d(torch.ones(1, 1), (1, 0, 0, 2)).shape
    torch.Size([2, 3])
    """
    X = _check.tensor(X, "X", ndim=2, floating=False)
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        top, bottom, left, right = (_check.integer(p, f"padding[{n}]", minimum=0) for n, p in enumerate(padding))
    else:
        top, left = _check.pair(padding, "padding", minimum=0)
        bottom, right = top, left
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"value must be a number, got {type(value).__name__}")
    h, w = X.shape
    Y = X.new_full((top + h + bottom, left + w + right), value)
    Y[top:top + h, left:left + w] = X
    return Y


def comp_conv2d(conv: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Apply a one-channel-in, one-channel-out conv layer to a 2-D tensor ``X``.

    Adds the batch and channel dimensions PyTorch expects, (h, w) → (1, 1, h, w),
    and removes them from the result. Handy for looking at output shapes.

    >>> conv = nn.Conv2d(1, 1, kernel_size=3, padding=1)
    >>> comp_conv2d(conv, torch.rand(8, 8)).shape
    torch.Size([8, 8])
    """
    if not isinstance(conv, nn.Module):
        raise TypeError(f"conv must be a torch.nn.Module, got {type(conv).__name__}")
    X = _check.tensor(X, "X", ndim=2)
    if isinstance(conv, nn.Conv2d):
        if conv.in_channels != 1 or conv.out_channels != 1:
            raise ValueError(f"conv must map 1 channel to 1 channel, got in_channels={conv.in_channels}, "
                             f"out_channels={conv.out_channels}")
        if X.dtype != conv.weight.dtype:
            raise TypeError(f"X must have the dtype of conv's weight ({conv.weight.dtype}), got {X.dtype}")
        if not isinstance(conv.padding, str) and conv.dilation == (1, 1):
            conv_output_shape(tuple(X.shape), conv.kernel_size, conv.padding, conv.stride)  # clear error
    Y = conv(X.reshape((1, 1) + X.shape))
    if Y.dim() != 4 or Y.shape[:2] != (1, 1):
        raise ValueError(f"conv must return one (1, 1, h, w) feature map, got shape {tuple(Y.shape)}")
    return Y.reshape(Y.shape[2:])
