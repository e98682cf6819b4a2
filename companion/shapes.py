"""Output-shape arithmetic of convolutions: padding and stride.

Two conventions for the padding, and it matters which one a formula uses:

* D2L's formulas count the **total** padding of one dimension, both sides together:
  p_h rows in all (say ⌈p_h/2⌉ on top, ⌊p_h/2⌋ at the bottom). ``conv_output_size`` takes
  this ``total_padding``.
* PyTorch's ``nn.Conv2d(..., padding=p)`` pads ``p`` on **each** side, 2p in all.
  ``conv_output_shape`` takes ``padding`` in this sense, like ``nn.Conv2d``.

For one dimension of size n, kernel k, total padding p and stride s the output has
⌊(n − k + p + s) / s⌋ = ⌊(n − k + p) / s⌋ + 1 elements (no dilation).

Two exercises of D2L live here too: ``mirror_pad2d`` pads with the image's own mirror
image instead of zeros, and ``conv_transpose2d`` is a convolution with stride 1/s
(``insert_zeros`` spreads the input apart first), as ``nn.ConvTranspose2d`` computes.
"""
from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from . import _check
from ._check import Int, Module, Number, OneOf, Padding, Pair, Tensor, checked
from .conv import corr2d_fast


def kernel_fits_1d(n: int, kernel_size: int, total_padding: int) -> None:
    """The kernel no larger than the padded input, n + total_padding.

    >>> kernel_fits_1d(4, 7, 2)
    Traceback (most recent call last):
    ...
    ValueError: kernel_size (7) must not exceed the padded input size n + total_padding = 4 + 2 = 6
    """
    if kernel_size > n + total_padding:
        raise ValueError(f"kernel_size ({kernel_size}) must not exceed the padded input size "
                         f"n + total_padding = {n} + {total_padding} = {n + total_padding}")


@checked(kernel_fits_1d, n=Int(minimum=1), kernel_size=Int(minimum=1), total_padding=Int(minimum=0),
         stride=Int(minimum=1))
def conv_output_size(n: int, kernel_size: int, total_padding: int = 0,
                     stride: int = 1) -> int:
    """Output length of one dimension: ⌊(n − k + p + s) / s⌋ with p the *total* padding.

    ``total_padding`` counts the padded rows (or columns) on both sides together;
    PyTorch's ``padding=p`` means ``total_padding=2 * p``.

    >>> conv_output_size(8, 3)                    # no padding: n - k + 1
    6
    >>> conv_output_size(8, 3, total_padding=2)   # one row on each side keeps the size
    8
    >>> conv_output_size(8, 3, total_padding=2, stride=2)
    4
    """
    k, p, s = kernel_size, total_padding, stride
    return (n - k + p + s) // s


def kernel_fits(input_size: tuple[int, int], kernel_size: tuple[int, int],
                padding: tuple[int, int]) -> None:
    """The kernel no larger than the padded input, input_size + 2 * padding (pairs, as the
    rules return them).

    >>> kernel_fits((4, 4), (9, 9), (1, 1))
    Traceback (most recent call last):
    ...
    ValueError: kernel_size (9, 9) must not exceed the padded input (input_size + 2 * padding) = (6, 6)
    """
    (n_h, n_w), (k_h, k_w), (p_h, p_w) = input_size, kernel_size, padding
    if k_h > n_h + 2 * p_h or k_w > n_w + 2 * p_w:
        raise ValueError(f"kernel_size {(k_h, k_w)} must not exceed the padded input "
                         f"(input_size + 2 * padding) = {(n_h + 2 * p_h, n_w + 2 * p_w)}")


@checked(kernel_fits, input_size=Pair(minimum=1), kernel_size=Pair(minimum=1), padding=Pair(minimum=0),
         stride=Pair(minimum=1))
def conv_output_shape(input_size: int | tuple[int, int],
                      kernel_size: int | tuple[int, int],
                      padding: int | tuple[int, int] = 0,
                      stride: int | tuple[int, int] = 1) -> tuple[int, int]:
    """Output (height, width) of ``nn.Conv2d(c_i, c_o, kernel_size, stride, padding)``.

    Each argument is an int (same for height and width) or a pair (height, width).
    ``padding`` follows PyTorch: p rows on top *and* p at the bottom, so the total
    padding of the height is 2p (likewise for the width).

    >>> conv_output_shape(8, 3, padding=1)
    (8, 8)
    >>> conv_output_shape(8, (5, 3), padding=(2, 1))
    (8, 8)
    >>> conv_output_shape(8, (3, 5), padding=(0, 1), stride=(3, 4))
    (2, 2)
    """
    n, k, p, s = ((v, v) if isinstance(v, int) else v
                  for v in (input_size, kernel_size, padding, stride))
    return (conv_output_size(n[0], k[0], 2 * p[0], s[0]),
            conv_output_size(n[1], k[1], 2 * p[1], s[1]))


def pad_fits(X: torch.Tensor, padding: object, value: float) -> dict[str, tuple[int, int, int, int]]:
    """``padding`` is an int, a pair or 4 ints (top, bottom, left, right), each >= 0
    (``Padding``, returned as 4 ints); ``value`` is held exactly by ``X``'s dtype; the padded
    result is within the memory budget.

    >>> pad2d(torch.ones(2, 2, dtype=torch.uint8), 1, value=-1)
    Traceback (most recent call last):
    ...
    ValueError: value=-1 cannot be held exactly by X's dtype torch.uint8, which holds 0 to 255: pass a value in that range, or convert X (e.g. X.float())
    """
    pads = Padding()(padding, "padding")
    _held_exactly(value, X.dtype)
    _padded_within_budget(X, pads, padding)
    return {"padding": pads}


def _padded_within_budget(X: torch.Tensor, pads: tuple[int, int, int, int], padding: object) -> None:
    top, bottom, left, right = pads
    shape = (top + X.shape[0] + bottom, left + X.shape[1] + right)
    _check.within_budget(shape[0] * shape[1] * X.element_size(), f"padding={padding!r} (a {shape} result of {X.dtype})")


def _held_exactly(value: numbers.Real, dtype: torch.dtype) -> None:
    """Refuse a padding value that ``dtype`` would change: a fraction or an out-of-range number
    for an integer dtype (0.5 would become 0, -1 would wrap to 255 in uint8), a number too large
    for a floating dtype (it would become inf). A float rounded to the nearest float16/32 is
    held: that is what a float literal means."""
    v = float(value) if not isinstance(value, numbers.Integral) else int(value)
    if dtype.is_floating_point or dtype.is_complex:
        info = torch.finfo(dtype)
        if math.isfinite(v) and abs(v) > info.max:
            raise ValueError(f"value={value!r} cannot be held by X's dtype {dtype} (it would become inf): "
                             f"the largest {dtype} is {info.max:g}")
        return
    lo, hi = (0, 1) if dtype == torch.bool else (torch.iinfo(dtype).min, torch.iinfo(dtype).max)
    if isinstance(v, float) and not v.is_integer():
        becomes = f"it would become {int(v)}" if math.isfinite(v) else "it is not a number of that dtype"
        raise ValueError(f"value={value!r} cannot be held exactly by X's dtype {dtype} ({becomes}): "
                         f"pass a whole number from {lo} to {hi}, or a floating X (e.g. X.float())")
    if not lo <= v <= hi:
        raise ValueError(f"value={value!r} cannot be held exactly by X's dtype {dtype}, which holds {lo} to {hi}: "
                         f"pass a value in that range, or convert X (e.g. X.float())")


@checked(pad_fits, X=Tensor(ndim=2, floating=False), value=Number())
def pad2d(X: torch.Tensor, padding: int | tuple[int, int] | tuple[int, int, int, int],
          value: float = 0.0) -> torch.Tensor:
    """Surround a 2-D tensor with ``value`` (zero padding by default).

    ``padding`` is an int p (p on every side), a pair (p_h, p_w) (p_h rows on top and at
    the bottom, p_w columns left and right, as ``nn.Conv2d``), or a 4-tuple
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
    p = (padding, padding) if isinstance(padding, int) else tuple(padding)
    top, bottom, left, right = p if len(p) == 4 else (p[0], p[0], p[1], p[1])
    h, w = X.shape
    Y = X.new_full((top + h + bottom, left + w + right), value)
    Y[top:top + h, left:left + w] = X
    return Y


def conv_fits(conv: nn.Module, X: torch.Tensor) -> dict[str, object]:
    """An ``nn.Conv2d`` maps one channel to one, has ``X``'s dtype and device and a kernel that
    fits; any other module takes ``X`` as a (1, 1, h, w) input and returns one map.

    >>> comp_conv2d(nn.Conv2d(1, 3, 3), torch.ones(4, 4))
    Traceback (most recent call last):
    ...
    ValueError: conv must map 1 channel to 1 channel, got in_channels=1, out_channels=3
    """
    if isinstance(conv, nn.Conv2d):
        if conv.in_channels != 1 or conv.out_channels != 1:
            raise ValueError(f"conv must map 1 channel to 1 channel, got in_channels="
                             f"{conv.in_channels}, out_channels={conv.out_channels}")
        if X.dtype != conv.weight.dtype:
            raise TypeError(f"X must have the dtype of conv's weight ({conv.weight.dtype}), "
                            f"got {X.dtype}")
        if X.device != conv.weight.device:
            raise ValueError(f"X must be on the device of conv's weight ({conv.weight.device}), got {X.device}")
        if not isinstance(conv.padding, str):  # a clear error, not PyTorch's from inside
            (k_h, k_w), (p_h, p_w), (d_h, d_w) = conv.kernel_size, conv.padding, conv.dilation
            span = (d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1)  # what a dilated kernel covers
            kernel = f"conv.kernel_size {(k_h, k_w)}" + (
                f" with conv.dilation {(d_h, d_w)} spans {span} and" if (d_h, d_w) != (1, 1) else "")
            padded = (X.shape[0] + 2 * p_h, X.shape[1] + 2 * p_w)
            if span[0] > padded[0] or span[1] > padded[1]:
                raise ValueError(f"X of shape {tuple(X.shape)} is too small for conv: {kernel} "
                                 f"is larger than X padded by conv.padding {(p_h, p_w)}, {padded}")
    else:  # any other module: which of its layers X does not fit, if any
        _check.trial(conv, X.reshape((1, 1) + X.shape), f"X of shape {tuple(X.shape)}", root="conv")
    return {"conv": _check.returning(conv, check_one_map, f"X of shape {tuple(X.shape)}", root="conv")}


def check_one_map(Y: object) -> torch.Tensor:
    """What ``comp_conv2d`` expects back from ``conv``: one (1, 1, h, w) feature map.

    >>> check_one_map(torch.ones(1, 2, 3, 3))
    Traceback (most recent call last):
    ...
    ValueError: conv must return one (1, 1, h, w) feature map, got shape (1, 2, 3, 3)
    """
    if not isinstance(Y, torch.Tensor):
        raise ValueError(f"conv must return one (1, 1, h, w) feature map, got {type(Y).__name__}")
    if Y.dim() != 4 or Y.shape[:2] != (1, 1):
        raise ValueError(f"conv must return one (1, 1, h, w) feature map, got shape {tuple(Y.shape)}")
    return Y


@checked(conv_fits, conv=Module(), X=Tensor(ndim=2))
def comp_conv2d(conv: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Apply a one-channel-in, one-channel-out conv layer to a 2-D tensor ``X``.

    Adds the batch and channel dimensions PyTorch expects, (h, w) → (1, 1, h, w),
    and removes them from the result. Handy for looking at output shapes.

    >>> conv = nn.Conv2d(1, 1, kernel_size=3, padding=1)
    >>> comp_conv2d(conv, torch.rand(8, 8)).shape
    torch.Size([8, 8])
    """
    Y = conv(X.reshape((1, 1) + X.shape))  # (1, 1, h, w): batch, channel
    return Y.reshape(Y.shape[2:])  # drop them again: (h', w')


# --- Mirror padding (D2L exercise 7.3.3) ---------------------------------------------

def mirror_fits(X: torch.Tensor, padding: object, mode: str) -> dict[str, tuple[int, int, int, int]]:
    """``padding`` read as in ``pad2d``, at most what the input can mirror (``"reflect"``: n − 1
    per side, ``"symmetric"``: n).

    >>> mirror_pad2d(torch.ones(2, 2), 2, "reflect")
    Traceback (most recent call last):
    ...
    ValueError: padding must be at most (1, 1, 1, 1) for mode='reflect' and X of shape (2, 2), got (2, 2, 2, 2)
    """
    pads = Padding()(padding, "padding")
    _padded_within_budget(X, pads, padding)
    h, w = X.shape
    most = (h, h, w, w) if mode == "symmetric" else (h - 1, h - 1, w - 1, w - 1)
    if any(p > m for p, m in zip(pads, most)):
        raise ValueError(f"padding must be at most {most} for mode={mode!r} and X of "
                         f"shape {tuple(X.shape)}, got {pads}")
    return {"padding": pads}


@checked(mirror_fits, X=Tensor(ndim=2, floating=False), mode=OneOf(("reflect", "symmetric")))
def mirror_pad2d(X: torch.Tensor,
                 padding: int | tuple[int, int] | tuple[int, int, int, int],
                 mode: str = "reflect") -> torch.Tensor:
    """Pad a 2-D tensor with its own mirror image instead of zeros.

    ``mode="reflect"`` mirrors about the border pixel, which is not repeated
    (d c b | a b c d | c b a), as ``F.pad(..., mode="reflect")`` does; ``"symmetric"``
    mirrors about the border line and repeats the border pixel (b a | a b c d | d c), as
    ``numpy.pad(..., mode="symmetric")`` does. ``padding`` is read as in ``pad2d``.

    >>> mirror_pad2d(torch.tensor([[1., 2., 3.]]), (0, 2))
    tensor([[3., 2., 1., 2., 3., 2., 1.]])
    >>> mirror_pad2d(torch.tensor([[1., 2., 3.]]), (0, 2), mode="symmetric")
    tensor([[2., 1., 1., 2., 3., 3., 2.]])
    """
    p = (padding, padding) if isinstance(padding, int) else tuple(padding)
    top, bottom, left, right = p if len(p) == 4 else (p[0], p[0], p[1], p[1])
    repeat = 1 if mode == "symmetric" else 0  # is the border pixel repeated?

    def mirror(i: torch.Tensor, n: int) -> torch.Tensor:  # the index of X to copy
        i = torch.maximum(i, -i - repeat)                  # fold back at the start
        return torch.minimum(i, 2 * (n - 1) + repeat - i)  # and at the end

    h, w = X.shape
    rows = mirror(torch.arange(-top, h + bottom, device=X.device), h)
    cols = mirror(torch.arange(-left, w + right, device=X.device), w)
    return X[rows][:, cols]


# --- Stride 1/2: transposed convolution (D2L exercise 7.3.6) -------------------------

def zeros_within_budget(X: torch.Tensor, stride: tuple[int, int]) -> None:
    """The spread-out input, (s_h (h − 1) + 1) × (s_w (w − 1) + 1), within the memory budget,
    before it is allocated.

    >>> zeros_within_budget(torch.ones(2, 2), (1, 10**10))
    Traceback (most recent call last):
    ...
    ValueError: stride=(1, 10000000000) (a (2, 10000000001) result of torch.float32) would allocate 74.5 GiB, more than the 2 GiB one call may use (companion._check.MEMORY_BUDGET)
    """
    _spread_within_budget(X, stride, stride[0] if stride[0] == stride[1] else stride)  # an int when it can be


def _spread_within_budget(X: torch.Tensor, stride: tuple[int, int], shown: object) -> None:
    shape = (stride[0] * (X.shape[0] - 1) + 1, stride[1] * (X.shape[1] - 1) + 1)
    _check.within_budget(shape[0] * shape[1] * X.element_size(), f"stride={shown!r} (a {shape} result of {X.dtype})")


@checked(zeros_within_budget, X=Tensor(ndim=2, floating=False), stride=Pair(minimum=1))
def insert_zeros(X: torch.Tensor, stride: int | tuple[int, int]) -> torch.Tensor:
    """Move the entries of a 2-D tensor ``stride`` apart, with zeros in between:
    (h, w) becomes (s_h (h − 1) + 1, s_w (w − 1) + 1).

    >>> insert_zeros(torch.tensor([[1., 2.], [3., 4.]]), 2)
    tensor([[1., 0., 2.],
            [0., 0., 0.],
            [3., 0., 4.]])
    """
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    h, w = X.shape
    Z = X.new_zeros((s_h * (h - 1) + 1, s_w * (w - 1) + 1))
    Z[::s_h, ::s_w] = X
    return Z


def transpose_fits(X: torch.Tensor, K: torch.Tensor, stride: tuple[int, int],
                   padding: tuple[int, int]) -> None:
    """``X`` and ``K`` of one dtype and device, a padding of at most k − 1, a non-empty
    output, and a spread-out input within the memory budget.

    >>> transpose_fits(torch.ones(2, 2), torch.ones(3, 3), (2, 2), (3, 3))
    Traceback (most recent call last):
    ...
    ValueError: padding must be at most kernel size - 1 = (2, 2), got (3, 3)
    """
    _check.same_dtype(X, K, "X", "K")
    most = (K.shape[0] - 1, K.shape[1] - 1)
    if padding[0] > most[0] or padding[1] > most[1]:
        raise ValueError(f"padding must be at most kernel size - 1 = {most}, got {padding}")
    size = tuple(stride[d] * (X.shape[d] - 1) + K.shape[d] - 2 * padding[d] for d in (0, 1))
    if min(size) < 1:
        raise ValueError(f"padding {padding} leaves no output: s (n - 1) + k - 2p = {size}")
    _spread_within_budget(X, stride, stride)


@checked(transpose_fits, X=Tensor(ndim=2), K=Tensor(ndim=2), stride=Pair(minimum=1), padding=Pair(minimum=0))
def conv_transpose2d(X: torch.Tensor, K: torch.Tensor,
                     stride: int | tuple[int, int] = 1,
                     padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """Transposed convolution, a convolution with stride 1/s: put s − 1 zeros between
    the entries of ``X``, pad k − 1 − p zeros around, and cross-correlate with the
    flipped kernel. The output is (s (h − 1) + k − 2p) × (s (w − 1) + k − 2p), as with
    ``F.conv_transpose2d`` (one channel, no bias).

    >>> X = torch.tensor([[0., 1.], [2., 3.]])
    >>> conv_transpose2d(X, X)
    tensor([[ 0.,  0.,  1.],
            [ 0.,  4.,  6.],
            [ 4., 12.,  9.]])
    """
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    k_h, k_w = K.shape
    Z = pad2d(insert_zeros(X, (s_h, s_w)), (k_h - 1 - p_h, k_w - 1 - p_w))
    return corr2d_fast(Z, torch.flip(K, dims=(0, 1)))  # a true convolution: K flipped
