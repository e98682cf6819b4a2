"""Translation invariance and locality, measured.

``shift2d`` moves images by whole pixels; ``equivariance_error`` checks that a layer's
output moves with its input; ``relative_change`` measures how much an output changes when
the input moves; ``influence_map`` shows which input pixels one output depends on; and
``conv_as_fc_matrix`` writes a convolution as the fully connected layer it is a special case of.
"""
from __future__ import annotations

from typing import Callable

import torch

from . import _check


def _shift(shift: object) -> tuple[int, int]:
    if not (isinstance(shift, (tuple, list)) and len(shift) == 2):
        raise TypeError(f"shift must be a pair of ints (down, right), got {shift!r}")
    return _check.integer(shift[0], "shift[0]"), _check.integer(shift[1], "shift[1]")


def shift2d(X: torch.Tensor, shift: tuple[int, int]) -> torch.Tensor:
    """Move the image(s) ``X`` (shape (..., h, w)) down by ``shift[0]`` and right by
    ``shift[1]`` pixels (negative: up, left). Pixels pushed out are lost; the
    vacated rows and columns are filled with zeros (nothing wraps around).

    >>> shift2d(torch.arange(1., 10.).reshape(3, 3), (1, -1))
    tensor([[0., 0., 0.],
            [2., 3., 0.],
            [5., 6., 0.]])
    """
    X = _check.tensor(X, "X", floating=False)
    if X.dim() < 2:
        raise ValueError(f"X must have at least 2 dimensions (..., h, w), got shape {tuple(X.shape)}")
    dy, dx = _shift(shift)
    h, w = X.shape[-2:]
    Y = torch.zeros_like(X)
    if abs(dy) >= h or abs(dx) >= w:
        return Y
    src_r, dst_r = slice(max(-dy, 0), h - max(dy, 0)), slice(max(dy, 0), h - max(-dy, 0))
    src_c, dst_c = slice(max(-dx, 0), w - max(dx, 0)), slice(max(dx, 0), w - max(-dx, 0))
    Y[..., dst_r, dst_c] = X[..., src_r, src_c]
    return Y


def interior_mask(size: tuple[int, int], shift: tuple[int, int], margin: int = 0) -> torch.Tensor:
    """Boolean (h, w) mask of the positions that ``shift2d(·, shift)`` fills with real values
    (not vacated) and that lie at least ``margin`` positions away from every edge.

    >>> interior_mask((3, 4), (1, 1)).int()
    tensor([[0, 0, 0, 0],
            [0, 1, 1, 1],
            [0, 1, 1, 1]], dtype=torch.int32)
    """
    h, w = _check.pair(size, "size", minimum=1)
    dy, dx = _shift(shift)
    m = _check.integer(margin, "margin", minimum=0)
    keep = shift2d(torch.ones(h, w), (dy, dx)) > 0
    if m:
        inner = torch.zeros(h, w, dtype=torch.bool)
        inner[m:h - m, m:w - m] = True
        keep &= inner
    return keep


def _check_f(f: object) -> Callable[[torch.Tensor], torch.Tensor]:
    if not callable(f):
        raise TypeError(f"f must be a callable such as an nn.Module, got {type(f).__name__}")
    return f


def equivariance_error(f: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor,
                       shift: tuple[int, int], margin: int = 0, relative: bool = False) -> float:
    """How far ``f`` is from translation equivariance: compares f(shift(X)) with shift(f(X)).

    ``X`` is a batch (n, c, h, w) and ``f`` returns a batch (n, c', h', w'). The two are compared
    where the shifted output is defined (not vacated), at least ``margin`` away from the edges.
    Returns the largest absolute difference there, or with ``relative=True`` the norm of the
    difference divided by the norm of shift(f(X)) on the same positions.
    A convolution without padding gives 0 (up to rounding) with ``margin=0``.

    >>> conv = torch.nn.Conv2d(1, 1, 3)
    >>> equivariance_error(conv, torch.randn(2, 1, 8, 8), (2, 1)) < 1e-6
    True
    """
    f = _check_f(f)
    X = _check.tensor(X, "X", ndim=4)
    s = _shift(shift)
    m = _check.integer(margin, "margin", minimum=0)
    if not isinstance(relative, bool):
        raise TypeError(f"relative must be a bool, got {type(relative).__name__}")
    with torch.no_grad():
        A = f(shift2d(X, s))
        B = shift2d(f(X), s)
    if not isinstance(A, torch.Tensor) or A.dim() != 4:
        raise ValueError(f"f must return a (batch, channel, h, w) tensor, got {getattr(A, 'shape', A)!r}")
    keep = interior_mask(tuple(A.shape[-2:]), s, m).to(A.device)
    if not bool(keep.any()):
        raise ValueError(f"no position is left to compare: shift {s} and margin {m} cover the whole "
                         f"output of size {tuple(A.shape[-2:])}")
    diff, ref = (A - B)[..., keep], B[..., keep]
    if relative:
        return float(diff.norm() / ref.norm().clamp_min(torch.finfo(ref.dtype).tiny))
    return float(diff.abs().max())


def relative_change(f: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor,
                    shift: tuple[int, int]) -> float:
    """How much ``f``'s output changes when its input moves: ‖f(shift(X)) − f(X)‖ / ‖f(X)‖,
    computed per example of the batch ``X`` (n, c, h, w) and averaged (0 = invariant).
    Examples whose output is all zeros are skipped.

    >>> round(relative_change(torch.nn.Identity(), torch.ones(1, 1, 2, 2), (0, 1)), 4)  # √2 / 2
    0.7071
    """
    f = _check_f(f)
    X = _check.tensor(X, "X", ndim=4)
    s = _shift(shift)
    with torch.no_grad():
        before, after = f(X), f(shift2d(X, s))
    if not isinstance(before, torch.Tensor) or before.shape != after.shape:
        raise ValueError("f must return tensors of one shape for X and for its shifted copy")
    before, after = before.flatten(1), after.flatten(1)
    norms = before.norm(dim=1)
    nonzero = norms > 0
    if not bool(nonzero.any()):
        raise ValueError("f(X) is zero for every example: a relative change is undefined")
    return float(((after - before).norm(dim=1)[nonzero] / norms[nonzero]).mean())


def influence_map(f: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor,
                  out_pos: tuple[int, int], channel: int = 0) -> torch.Tensor:
    """|∂ f(X)[0, channel, i, j] / ∂ X|: how strongly each input pixel moves one output.

    ``X`` has shape (1, c, h, w); the map is summed over the input channels and has shape
    (h, w). Zero means the pixel has no influence at all (outside the receptive field).

    >>> conv = torch.nn.Conv2d(1, 1, 3, padding=1)
    >>> int((influence_map(conv, torch.randn(1, 1, 6, 6), (2, 2)) > 0).sum())
    9
    """
    f = _check_f(f)
    X = _check.tensor(X, "X", ndim=4)
    if X.shape[0] != 1:
        raise ValueError(f"X must hold one example, shape (1, c, h, w), got {tuple(X.shape)}")
    i, j = _check.pair(out_pos, "out_pos", minimum=0)
    c = _check.integer(channel, "channel", minimum=0)
    x = X.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        y = f(x)
        if not isinstance(y, torch.Tensor) or y.dim() != 4:
            raise ValueError(f"f must return a (batch, channel, h, w) tensor, got {getattr(y, 'shape', y)!r}")
        if not (c < y.shape[1] and i < y.shape[2] and j < y.shape[3]):
            raise ValueError(f"channel {c} and out_pos {(i, j)} must lie inside the output of shape "
                             f"{tuple(y.shape[1:])}")
        # autograd.grad, not backward(): the gradient goes to x only, never into f's .grad fields
        (grad,) = torch.autograd.grad(y[0, c, i, j], x, allow_unused=True)
    if grad is None:  # the output does not depend on the input at all
        return torch.zeros(X.shape[2:], dtype=X.dtype)
    return grad[0].abs().sum(dim=0)


def conv_as_fc_matrix(K: torch.Tensor, input_size: tuple[int, int]) -> torch.Tensor:
    """The weight matrix of the fully connected layer that computes the cross-correlation
    with ``K`` on an image of ``input_size`` (h, w): one row per output pixel, one column per
    input pixel, so that ``W @ X.flatten()`` equals ``corr2d(X, K).flatten()``.

    Each row holds the kernel's k_h·k_w numbers (locality: all else is zero), and every row
    holds the same numbers, only moved (translation invariance: the weights are shared).

    >>> conv_as_fc_matrix(torch.tensor([[1., 2.]]), (1, 3))
    tensor([[1., 2., 0.],
            [0., 1., 2.]])
    """
    K = _check.tensor(K, "K", ndim=2)
    h, w = _check.pair(input_size, "input_size", minimum=1)
    k_h, k_w = K.shape
    if k_h > h or k_w > w:
        raise ValueError(f"K must not be larger than the input, got K of shape {tuple(K.shape)} "
                         f"for input_size {(h, w)}")
    out_h, out_w = h - k_h + 1, w - k_w + 1
    W = torch.zeros(out_h, out_w, h, w, dtype=K.dtype, device=K.device)
    for i in range(out_h):
        for j in range(out_w):
            W[i, j, i:i + k_h, j:j + k_w] = K  # the same kernel, moved to output (i, j)
    return W.reshape(out_h * out_w, h * w)

