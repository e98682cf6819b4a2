"""Diagrams of the operations: matrices drawn cell by cell, sliding windows and their
arithmetic (cross-correlation, channels, padding and stride, pooling), and a network drawn
as a chain of layers.

Every diagram computes what it draws with the companion's own functions, from the tensors
the page hands it. Titles may be Hangul: the Korean font is set up by ``companion.charts``.
"""
from __future__ import annotations

import math
import unicodedata

import matplotlib
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle

from . import _check
from ._check import Maybe, Pair, Strings, Tensor, checked
from .channels import channels_match, corr2d_multi_in, corr2d_multi_in_out_1x1, one_by_one
from .charts import subplots
from .conv import corr2d_fast, kernel_inside
from .models import layer_summary
from .pooling import WINDOW, pool2d, pool_fits
from .shapes import pad2d, pad_fits


def _fmt(v: float) -> str:
    if v in (float("inf"), float("-inf")):  # e.g. the -inf padding of max pooling
        return "∞" if v > 0 else "−∞"
    return f"{v:g}"


def _fmt_factor(v: float) -> str:
    """A factor in written arithmetic: negatives in parentheses, 0×(-1) rather than 0×-1."""
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def _outline(ax: plt.Axes, origin: tuple[float, float], i: int, j: int, h: int, w: int,
             color: str = "#d62828") -> None:
    """Outline the h×w block at (i, j) of a matrix drawn by ``draw_matrix`` at ``origin``."""
    x0, y0 = origin
    ax.add_patch(Rectangle((x0 + j, y0 - i - h), w, h, fill=False, edgecolor=color, lw=2.5))


def _finish(ax: plt.Axes, x_max: float, y_min: float, y_max: float = 1.2, x_min: float = -0.3,
            margin: float = 0.3) -> None:
    ax.set_xlim(x_min, x_max + margin)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.axis("off")


MAX_CELLS = 4096  # cells one diagram draws (64 x 64): each is a patch and a number


def _drawable(shape: tuple[int, ...], name: str) -> None:
    """A matrix of ``shape`` small enough to draw cell by cell (at most ``MAX_CELLS`` cells).

    >>> _drawable((100, 100), "M")
    Traceback (most recent call last):
    ...
    ValueError: M has 10,000 cells: a diagram draws each one, at most 4,096 (64 x 64)
    """
    cells = math.prod(shape)
    if cells > MAX_CELLS:
        raise ValueError(f"{name} has {cells:,} cells: a diagram draws each one, at most {MAX_CELLS:,} (64 x 64)")


def _in_output(pos: tuple[int, int], shape: tuple[int, int], name: str = "pos") -> None:
    """``pos`` (i, j), a cell of an output of ``shape``."""
    i, j = pos
    if i >= shape[0] or j >= shape[1]:
        raise ValueError(f"{name} must lie inside the output of shape {shape}, got {(i, j)}")


def _block(highlight: object, shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """``highlight`` = (i, j, h, w), a block inside a matrix of ``shape`` (or None)."""
    if highlight is None:
        return None
    if not (_check.is_sequence(highlight) and len(highlight) == 4):
        raise TypeError(f"highlight must be None or (i, j, h, w), four ints, got {highlight!r}")
    i, j = (_check.Int(minimum=0)(v, f"highlight[{k}]") for k, v in enumerate(highlight[:2]))
    h, w = (_check.Int(minimum=1)(v, f"highlight[{k + 2}]") for k, v in enumerate(highlight[2:]))
    if i + h > shape[0] or j + w > shape[1]:
        raise ValueError(f"highlight {(i, j, h, w)} must lie inside M of shape {shape}: rows {i} to {i + h - 1} "
                         f"and columns {j} to {j + w - 1} do not")
    return i, j, h, w


def _shaped_like(shade: torch.Tensor, shape: tuple[int, int], name: str, of: str) -> None:
    """``shade``, a mask of the matrix's shape (a smaller or larger one would not show)."""
    if tuple(shade.shape) != shape:
        raise ValueError(f"{name} must be a mask of {of}'s shape {shape}, got shape {tuple(shade.shape)}")


def matrix_drawable(ax: plt.Axes, M: torch.Tensor, highlight: tuple[int, int, int, int] | None,
                    shade: torch.Tensor | None) -> tuple:
    """``M`` small enough to draw (at most ``MAX_CELLS`` cells) on a matplotlib Axes ``ax``;
    ``highlight`` (i, j, h, w) a block inside ``M`` (returned as four ints); ``shade`` a mask
    of ``M``'s shape.

    >>> fig, ax = plt.subplots(); draw_matrix(ax, torch.eye(2), highlight=(1, 1, 2, 1))
    Traceback (most recent call last):
    ...
    ValueError: highlight (1, 1, 2, 1) must lie inside M of shape (2, 2): rows 1 to 2 and columns 1 to 1 do not
    >>> plt.close(fig)
    """
    _drawable(M.shape, "M")
    if not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    highlight = _block(highlight, tuple(M.shape))
    if shade is not None:
        _shaped_like(shade, tuple(M.shape), "shade", "M")
    return ax, M, highlight, shade


@checked(matrix_drawable, M=Tensor(ndim=2, floating=False), shade=Maybe(Tensor(ndim=2, floating=False)))
def draw_matrix(ax: plt.Axes, M: torch.Tensor, title: str = "", origin: tuple[float, float] = (0, 0),
                highlight: tuple[int, int, int, int] | None = None, color: str = "#8ecae6",
                shade: torch.Tensor | None = None) -> None:
    """Draw matrix ``M`` as a grid of numbered cells on ``ax``.

    ``highlight = (i, j, h, w)`` colors an h×w block whose top-left cell is (i, j);
    ``shade`` (a boolean matrix like ``M``) colors the cells where it is True.

    >>> fig, ax = plt.subplots(); draw_matrix(ax, torch.eye(2), "I"); plt.close(fig)
    """
    x0, y0 = origin
    rows, cols = M.shape
    for i in range(rows):
        for j in range(cols):
            on = shade is not None and bool(shade[i, j])
            ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor=color if on else "white",
                                   edgecolor="black", lw=1))
            ax.text(x0 + j + 0.5, y0 - i - 0.5, _fmt(float(M[i, j])), ha="center", va="center", fontsize=11)
    if highlight is not None:
        i, j, h, w = highlight
        ax.add_patch(Rectangle((x0 + j, y0 - i - h), w, h, facecolor=color, alpha=0.5,
                               edgecolor="#d62828", lw=2.5))
    if title:
        ax.text(x0 + cols / 2, y0 + 0.4, title, ha="center", va="bottom", fontsize=12)



# --- Cross-correlation (03) and channels (06) ----------------------------------------------

def correlation_drawable(X: torch.Tensor, K: torch.Tensor, pos: tuple[int, int]) -> None:
    """``X`` and ``K`` as ``corr2d`` takes them (``kernel_inside``) or, with channels,
    ``corr2d_multi_in`` (``channels_match``); an ``X`` small enough to draw; ``pos`` inside
    the output.

    >>> plot_corr2d(torch.ones(3, 3), torch.ones(2, 2), pos=(2, 0))
    Traceback (most recent call last):
    ...
    ValueError: pos must lie inside the output of shape (2, 2), got (2, 0)
    """
    (kernel_inside if X.dim() == 2 else channels_match)(X, K)
    _drawable(X.shape, "X")
    _in_output(pos, (X.shape[-2] - K.shape[-2] + 1, X.shape[-1] - K.shape[-1] + 1))


@checked(correlation_drawable, X=Tensor(ndim=2), K=Tensor(ndim=2), pos=Pair(minimum=0),
         titles=Strings(3, "input, kernel, output"))
def plot_corr2d(X: torch.Tensor, K: torch.Tensor, pos: tuple[int, int] = (0, 0),
                titles: tuple[str, str, str] = ("Input", "Kernel", "Output")) -> plt.Figure:
    """The cross-correlation diagram: input, kernel, output, with the window that produces
    output ``pos`` highlighted and its arithmetic written underneath.

    >>> fig = plot_corr2d(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2))
    >>> plt.close(fig)
    """
    Y = corr2d_fast(X, K)
    i, j = pos
    h, w = K.shape
    gap = 1.6
    xk = X.shape[1] + gap
    xy = xk + w + gap
    fig, ax = subplots(figsize=(0.55 * (xy + Y.shape[1]) + 0.5, 0.55 * (X.shape[0] + 2.2)))
    draw_matrix(ax, X, titles[0], (0, 0), highlight=(i, j, h, w))
    draw_matrix(ax, K, titles[1], (xk, 0), highlight=(0, 0, h, w))
    draw_matrix(ax, Y, titles[2], (xy, 0), highlight=(i, j, 1, 1))
    mid = -max(h, Y.shape[0]) / 2
    ax.text(xk - gap / 2, mid, "⋆", ha="center", va="center", fontsize=20)
    ax.text(xy - gap / 2, mid, "=", ha="center", va="center", fontsize=18)
    window = X[i:i + h, j:j + w].flatten().tolist()
    terms = " + ".join(f"{_fmt_factor(a)}×{_fmt_factor(b)}" for a, b in zip(window, K.flatten().tolist()))
    ax.text(0, -X.shape[0] - 0.7, f"{terms} = {_fmt(float(Y[i, j]))}", ha="left", va="top", fontsize=12)
    _finish(ax, xy + Y.shape[1], -X.shape[0] - 1.6, x_min=-0.2, margin=0.2)
    return fig


@checked(correlation_drawable, X=Tensor(ndim=3), K=Tensor(ndim=3), pos=Pair(minimum=0),
         titles=Strings(4, "input, kernel, partial result, output"))
def plot_corr2d_multi_in(X: torch.Tensor, K: torch.Tensor, pos: tuple[int, int] = (0, 0),
                         titles: tuple[str, str, str, str] = ("Input, channel", "Kernel, channel",
                                                              "Channel", "Output")) -> plt.Figure:
    """Cross-correlation with several input channels, drawn channel by channel: each row is
    one input channel ⋆ its kernel slice = a partial result; the partial results are summed.

    ``titles`` = (input, kernel, partial result, output); the channel index is appended to the
    first three. The arithmetic of output ``pos`` is written underneath.

    >>> X, K = torch.ones(2, 3, 3), torch.ones(2, 2, 2)
    >>> fig = plot_corr2d_multi_in(X, K); plt.close(fig)
    """
    Y = corr2d_multi_in(X, K)
    i, j = pos
    t_in, t_k, t_part, t_out = titles
    c, h, w = X.shape
    kh, kw = K.shape[1:]
    gap, row_gap = 1.6, 2.6
    xk = w + gap
    xp = xk + kw + gap
    xo = xp + Y.shape[1] + 2.2
    row_h = max(h, kh) + row_gap
    fig, ax = subplots(figsize=(0.55 * (xo + Y.shape[1]) + 0.5, 0.55 * (c * row_h + 1.6)))
    terms = []
    for ch in range(c):
        y0 = -ch * row_h
        part = corr2d_multi_in(X[ch:ch + 1], K[ch:ch + 1])
        draw_matrix(ax, X[ch], f"{t_in} {ch}", (0, y0), highlight=(i, j, kh, kw))
        draw_matrix(ax, K[ch], f"{t_k} {ch}", (xk, y0), highlight=(0, 0, kh, kw))
        draw_matrix(ax, part, f"{t_part} {ch}", (xp, y0), highlight=(i, j, 1, 1))
        mid = y0 - max(kh, Y.shape[0]) / 2
        ax.text(xk - gap / 2, mid, "⋆", ha="center", va="center", fontsize=20)
        ax.text(xp - gap / 2, mid, "=", ha="center", va="center", fontsize=18)
        if ch:
            ax.text(xp + Y.shape[1] / 2, y0 + 1.75, "+", ha="center", va="center", fontsize=18)
        window = X[ch, i:i + kh, j:j + kw].flatten().tolist()
        terms.append("(" + " + ".join(f"{_fmt(a)}×{_fmt(b)}" for a, b in zip(window, K[ch].flatten().tolist())) + ")")
    y_out = -((c - 1) * row_h) / 2 + Y.shape[0] / 2 - 0.5
    draw_matrix(ax, Y, t_out, (xo, y_out), highlight=(i, j, 1, 1))
    ax.text(xo - 1.1, y_out - Y.shape[0] / 2, "Σ →", ha="center", va="center", fontsize=15)
    bottom = -(c - 1) * row_h - h
    ax.text(0, bottom - 0.7, f"{' + '.join(terms)} = {_fmt(float(Y[i, j]))}", ha="left", va="top", fontsize=11)
    _finish(ax, xo + Y.shape[1], bottom - 1.6)
    return fig


def pixel_drawable(X: torch.Tensor, K: torch.Tensor, pixel: tuple[int, int]) -> None:
    """``corr2d_multi_in_out_1x1``'s ``one_by_one``, matrices small enough to draw (the
    output, ``X`` and ``K``), and ``pixel`` inside the input.

    >>> plot_conv1x1_matmul(torch.ones(2, 3, 3), torch.ones(4, 2, 1, 1), pixel=(3, 0))
    Traceback (most recent call last):
    ...
    ValueError: pixel must lie inside the input of shape (3, 3), got (3, 0)
    """
    one_by_one(X, K)
    c_i, h, w = X.shape
    _drawable((K.shape[0], h * w), "the output")
    _drawable(X.shape, "X")
    _drawable(K.shape, "K")
    if pixel[0] >= h or pixel[1] >= w:
        raise ValueError(f"pixel must lie inside the input of shape {(h, w)}, got {pixel}")


@checked(pixel_drawable, X=Tensor(ndim=3), K=Tensor(ndim=4), pixel=Pair(minimum=0),
         titles=Strings(3, "weights, pixels, output"))
def plot_conv1x1_matmul(X: torch.Tensor, K: torch.Tensor, pixel: tuple[int, int] = (0, 0),
                        titles: tuple[str, str, str] = ("Weights (c_o × c_i)", "Pixels (c_i × h·w)",
                                                        "Output (c_o × h·w)")) -> plt.Figure:
    """A 1×1 convolution as the matrix product it is: the (c_o, c_i) weights times the
    (c_i, h·w) matrix with one column per pixel. The column of ``pixel`` and its output are outlined.

    >>> fig = plot_conv1x1_matmul(torch.ones(3, 2, 2), torch.ones(2, 3, 1, 1)); plt.close(fig)
    """
    Y = corr2d_multi_in_out_1x1(X, K)
    r, s = pixel
    c_i, h, w = X.shape
    c_o = K.shape[0]
    t_k, t_x, t_y = titles
    col = r * w + s
    gap = 1.6
    xx = c_i + gap
    xy = xx + h * w + gap
    fig, ax = subplots(figsize=(0.55 * (xy + h * w) + 0.5, 0.55 * (max(c_i, c_o) + 2.2)))
    draw_matrix(ax, K.reshape(c_o, c_i), t_k, (0, 0), color="#ffb703", shade=torch.ones(c_o, c_i, dtype=torch.bool))
    draw_matrix(ax, X.reshape(c_i, h * w), t_x, (xx, 0), highlight=(0, col, c_i, 1))
    draw_matrix(ax, Y.reshape(c_o, h * w), t_y, (xy, 0), highlight=(0, col, c_o, 1))
    mid = -max(c_i, c_o) / 2
    ax.text(xx - gap / 2, mid, "×", ha="center", va="center", fontsize=18)
    ax.text(xy - gap / 2, mid, "=", ha="center", va="center", fontsize=18)
    for n in range(h * w):
        ax.text(xx + n + 0.5, -c_i - 0.35, f"({n // w},{n % w})", ha="center", va="top", fontsize=8, color="gray")
    _finish(ax, xy + h * w, -max(c_i, c_o) - 1.2)
    return fig



# --- Padding (04) and stride (05) -----------------------------------------------------------

_WINDOW_COLORS = ("#d62828", "#1d70b8", "#2a9d8f", "#8338ec", "#e76f51", "#6a994e", "#b5179e", "#3d405b")


def windows_drawable(X: torch.Tensor, K: torch.Tensor, padding: tuple[int, int], stride: tuple[int, int],
                     positions: list[tuple[int, int]] | None) -> tuple:
    """``K`` no larger than the padded ``X`` and of its dtype and device; the padded ``X``
    within the memory budget and small enough to draw; ``positions`` (if given) a non-empty
    list of (i, j) pairs inside the output, returned as pairs of ints.

    >>> plot_padding_stride(torch.ones(3, 3), torch.ones(5, 5), padding=0)
    Traceback (most recent call last):
    ...
    ValueError: K of shape (5, 5) must not be larger than X of shape (3, 3) padded by padding (0, 0): (3, 3)
    """
    (p_h, p_w), (s_h, s_w) = padding, stride
    k_h, k_w = K.shape
    padded = (X.shape[0] + 2 * p_h, X.shape[1] + 2 * p_w)
    if k_h > padded[0] or k_w > padded[1]:
        raise ValueError(f"K of shape {(k_h, k_w)} must not be larger than X of shape {tuple(X.shape)} padded by "
                         f"padding {(p_h, p_w)}: {padded}")
    if positions is not None:
        if not isinstance(positions, (list, tuple)):
            raise TypeError(f"positions must be a non-empty list of (i, j) pairs, got {positions!r}")
        if not positions:
            raise ValueError(f"positions must be a non-empty list of (i, j) pairs, got {positions!r}")
        for n, q in enumerate(positions):
            if not _check.is_sequence(q):
                raise TypeError(f"positions[{n}] must be a pair (i, j), got {q!r}")
    pad_fits(X, padding, 0.0)  # pad2d's memory budget, before it pads
    _drawable(padded, "the padded X")
    _check.same_dtype(X, K, "X", "K")
    if positions is not None:
        positions = [_check.Pair(minimum=0)(q, f"positions[{n}]") for n, q in enumerate(positions)]
        out = ((padded[0] - k_h) // s_h + 1, (padded[1] - k_w) // s_w + 1)
        for n, q in enumerate(positions):
            _in_output(q, out, f"positions[{n}]")
    return X, K, padding, stride, positions


@checked(windows_drawable, X=Tensor(ndim=2), K=Tensor(ndim=2), padding=Pair(minimum=0), stride=Pair(minimum=1),
         titles=Strings(3, "padded input, kernel, output"))
def plot_padding_stride(X: torch.Tensor, K: torch.Tensor, padding: int | tuple[int, int] = 0,
                        stride: int | tuple[int, int] = 1,
                        positions: list[tuple[int, int]] | None = None,
                        titles: tuple[str, str, str] = ("Padded input", "Kernel", "Output")) -> plt.Figure:
    """Cross-correlation with zero padding and stride, drawn on grids: the padded input (the
    padding cells gray, row and column indices in gray), the kernel and the output.

    The window of every output position in ``positions`` (default: all of them) is outlined in
    its own color, the output cell it produces is filled with that color, and the arithmetic
    of each is written underneath; with a stride the windows visibly jump by s_h rows and
    s_w columns. ``padding`` is per side, as in ``nn.Conv2d``.

    >>> fig = plot_padding_stride(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2),
    ...                           padding=1, stride=(3, 2)); plt.close(fig)
    """
    (p_h, p_w), (s_h, s_w) = padding, stride
    k_h, k_w = K.shape
    Xp = pad2d(X, (p_h, p_h, p_w, p_w))
    Y = corr2d_fast(Xp, K)[::s_h, ::s_w]
    if positions is None:
        positions = [(i, j) for i in range(Y.shape[0]) for j in range(Y.shape[1])]
    t_in, t_k, t_out = titles
    pad = torch.ones(Xp.shape, dtype=torch.bool)
    pad[p_h:p_h + X.shape[0], p_w:p_w + X.shape[1]] = False
    gap = 1.6
    xk = Xp.shape[1] + gap
    xy = xk + k_w + gap
    n_lines = len(positions)
    height = max(Xp.shape[0], k_h, Y.shape[0])
    fig, ax = subplots(figsize=(0.55 * (xy + Y.shape[1]) + 0.9, 0.55 * (height + 2.6 + 0.8 * n_lines)))
    draw_matrix(ax, Xp, t_in, (0, 0), color="#d9d9d9", shade=pad)
    for r in range(Xp.shape[0]):
        ax.text(-0.25, -r - 0.5, str(r), ha="right", va="center", fontsize=8, color="gray")
    for c in range(Xp.shape[1]):
        ax.text(c + 0.5, -Xp.shape[0] - 0.1, str(c), ha="center", va="top", fontsize=8, color="gray")
    draw_matrix(ax, K, t_k, (xk, 0))
    draw_matrix(ax, Y, t_out, (xy, 0))
    for n, (i, j) in enumerate(positions):
        color = _WINDOW_COLORS[n % len(_WINDOW_COLORS)]
        inset = 0.06 * (n % 4)  # overlapping windows stay distinguishable
        ax.add_patch(Rectangle((j * s_w + inset, -i * s_h - k_h + inset), k_w - 2 * inset, k_h - 2 * inset,
                               facecolor=color, alpha=0.12, edgecolor="none"))
        ax.add_patch(Rectangle((j * s_w + inset, -i * s_h - k_h + inset), k_w - 2 * inset, k_h - 2 * inset,
                               fill=False, edgecolor=color, lw=2.2))
        ax.add_patch(Rectangle((xy + j, -i - 1), 1, 1, facecolor=color, alpha=0.35, edgecolor=color, lw=2.2))
        window = Xp[i * s_h:i * s_h + k_h, j * s_w:j * s_w + k_w].flatten().tolist()
        terms = " + ".join(f"{_fmt(a)}×{_fmt(b)}" for a, b in zip(window, K.flatten().tolist()))
        ax.text(0, -height - 0.8 - 0.8 * n, f"({i}, {j}):  {terms} = {_fmt(float(Y[i, j]))}",
                ha="left", va="top", fontsize=11, color=color)
    mid = -max(k_h, Y.shape[0]) / 2
    ax.text(xk - gap / 2, mid, "⋆", ha="center", va="center", fontsize=20)
    ax.text(xy - gap / 2, mid, "=", ha="center", va="center", fontsize=18)
    _finish(ax, xy + Y.shape[1], -height - 1.2 - 0.8 * n_lines, x_min=-0.9)
    return fig



# --- Pooling (07) ---------------------------------------------------------------------------

def pooled_drawable(X: torch.Tensor, pool_size: tuple[int, int], padding: tuple[int, int],
                    stride: tuple[int, int] | None, pos: tuple[int, int]) -> tuple:
    """``pool2d``'s ``pool_fits`` (the stride ``None`` becomes the window size), a padded ``X``
    small enough to draw, and ``pos`` inside the output.

    >>> plot_pool2d(torch.ones(3, 3), 2, pos=(0, 1))
    Traceback (most recent call last):
    ...
    ValueError: pos must lie inside the output of shape (1, 1), got (0, 1)
    """
    X, pool_size, padding, stride = pool_fits(X, pool_size, padding, stride)
    (kh, kw), (ph, pw), (sh, sw) = pool_size, padding, stride
    padded = (X.shape[0] + 2 * ph, X.shape[1] + 2 * pw)
    _drawable(padded, "the padded X")
    _in_output(pos, ((padded[0] - kh) // sh + 1, (padded[1] - kw) // sw + 1))
    return X, pool_size, padding, stride, pos


@checked(pooled_drawable, X=Tensor(ndim=2), **WINDOW, pos=Pair(minimum=0), titles=Strings(2, "input, output"))
def plot_pool2d(X: torch.Tensor, pool_size: int | tuple[int, int], mode: str = "max",
                padding: int | tuple[int, int] = 0, stride: int | tuple[int, int] | None = None,
                pos: tuple[int, int] = (0, 0),
                titles: tuple[str, str] = ("Padded input", "Output")) -> plt.Figure:
    """Pooling diagram: the padded input (padding cells gray, filled as ``pool2d`` fills them:
    -inf for max, 0 for avg), the window of output ``pos``, the output, and the arithmetic.

    >>> fig = plot_pool2d(torch.arange(16.).reshape(4, 4), 3, padding=1, stride=2); plt.close(fig)
    """
    (kh, kw), (ph, pw), (sh, sw) = pool_size, padding, stride
    Y = pool2d(X, pool_size, mode, padding, stride)
    i, j = pos
    t_in, t_out = titles
    fill = float("-inf") if mode == "max" else 0.0
    Xp = F.pad(X, (pw, pw, ph, ph), value=fill)
    pad = torch.ones(Xp.shape, dtype=torch.bool)
    pad[ph:ph + X.shape[0], pw:pw + X.shape[1]] = False
    gap = 1.8
    xy = Xp.shape[1] + gap
    fig, ax = subplots(figsize=(0.6 * (xy + Y.shape[1]) + 0.5, 0.6 * (Xp.shape[0] + 2.2)))
    draw_matrix(ax, Xp, t_in, (0, 0), color="#d9d9d9", shade=pad)
    _outline(ax, (0, 0), i * sh, j * sw, kh, kw)
    draw_matrix(ax, Y, t_out, (xy, 0), highlight=(i, j, 1, 1))
    ax.text(xy - gap / 2, -Xp.shape[0] / 2, "→", ha="center", va="center", fontsize=18)
    window = ", ".join(_fmt(v) for v in Xp[i * sh:i * sh + kh, j * sw:j * sw + kw].flatten().tolist())
    text = f"max({window})" if mode == "max" else f"({window.replace(', ', ' + ')}) / {kh * kw}"
    ax.text(0, -Xp.shape[0] - 0.6, f"{text} = {_fmt(float(Y[i, j]))}", ha="left", va="top", fontsize=11)
    _finish(ax, xy + Y.shape[1], -Xp.shape[0] - 1.6)
    return fig


def matrices_row_by_row(rows: list[list[torch.Tensor]], titles: list[list[str]],
                        shades: list[list[torch.Tensor | None]] | None, row_labels: list[str] | None) -> None:
    """``rows`` a non-empty list of non-empty lists of 2-D tensors, each small enough to draw;
    ``titles`` and ``shades`` (masks of each matrix's shape, or None) row by row like ``rows``;
    one row label per row.

    >>> draw_matrix_grid([[torch.eye(2)]], [["A", "B"]])
    Traceback (most recent call last):
    ...
    ValueError: titles must hold one string per matrix, row by row like rows
    """
    if not (isinstance(rows, (list, tuple)) and all(isinstance(r, (list, tuple)) for r in rows)):
        raise TypeError("rows must be a non-empty list of non-empty lists of 2-D tensors")
    if not rows or not all(rows):
        raise ValueError("rows must be a non-empty list of non-empty lists of 2-D tensors")
    for a, r in enumerate(rows):
        for b, M in enumerate(r):
            _drawable(_check.Tensor(ndim=2, floating=False)(M, f"rows[{a}][{b}]").shape, f"rows[{a}][{b}]")
    if not (isinstance(titles, (list, tuple)) and all(isinstance(t, (list, tuple)) for t in titles)
            and [len(t) for t in titles] == [len(r) for r in rows]):
        raise ValueError("titles must hold one string per matrix, row by row like rows")
    if shades is not None:
        if not (isinstance(shades, (list, tuple)) and all(isinstance(r, (list, tuple)) for r in shades)):
            raise TypeError(f"shades must be a list of lists of masks (or None), row by row like rows, got "
                            f"{type(shades).__name__}")
        if [len(r) for r in shades] != [len(r) for r in rows]:
            raise ValueError("shades must hold one mask (or None) per matrix, row by row like rows")
        for a, r in enumerate(shades):
            for b, m in enumerate(r):
                if m is not None:
                    _shaped_like(_check.Tensor(ndim=2, floating=False)(m, f"shades[{a}][{b}]"),
                                 tuple(rows[a][b].shape), f"shades[{a}][{b}]", f"rows[{a}][{b}]")
    if row_labels is not None:
        if not isinstance(row_labels, (list, tuple)):
            raise TypeError(f"row_labels must be a list of strings, one per row, got {type(row_labels).__name__}")
        if len(row_labels) != len(rows):
            raise ValueError(f"row_labels must hold one string per row ({len(rows)}), got {len(row_labels)}")


@checked(matrices_row_by_row)
def draw_matrix_grid(rows: list[list[torch.Tensor]], titles: list[list[str]],
                     shades: list[list[torch.Tensor | None]] | None = None,
                     row_labels: list[str] | None = None) -> plt.Figure:
    """Matrices side by side, one list per row (e.g. input → convolution → pooling, for an
    input and its shifted copy); ``shades`` colors chosen cells (say, those that changed).

    >>> fig = draw_matrix_grid([[torch.eye(2), torch.ones(1, 1)]], [["A", "B"]]); plt.close(fig)
    """
    gap = 1.4
    n_cols = max(len(r) for r in rows)
    widths = [max(r[b].shape[1] for r in rows if b < len(r)) for b in range(n_cols)]
    xs = [sum(widths[:b]) + gap * b for b in range(n_cols)]
    heights = [max(M.shape[0] for M in r) for r in rows]
    ys = [-sum(heights[:a]) - 1.6 * a for a in range(len(rows))]
    # room for the row labels: a 12-pt character takes up to 0.27 cell, a Hangul one 0.45
    wide = lambda c: 0.45 if unicodedata.east_asian_width(c) in "WF" else 0.27  # noqa: E731
    left = max([2.6] + [sum(map(wide, line)) + 0.5 for label in row_labels or []
                        for line in label.splitlines()]) if row_labels else 0.0
    total_w = xs[-1] + widths[-1] + left
    total_h = sum(heights) + 1.6 * len(rows)
    fig, ax = subplots(figsize=(0.42 * total_w + 0.5, 0.42 * total_h + 0.4))
    for a, r in enumerate(rows):
        for b, M in enumerate(r):
            shade = None if shades is None else shades[a][b]
            draw_matrix(ax, M, titles[a][b], (left + xs[b], ys[a]), color="#ffb703", shade=shade)
        if row_labels:
            ax.text(0, ys[a] - heights[a] / 2, row_labels[a], ha="left", va="center", fontsize=12)
    _finish(ax, total_w, ys[-1] - heights[-1] - 0.3)
    return fig



# --- LeNet (08) -----------------------------------------------------------------------------

_BLOCK_COLORS = {"Conv2d": "#8ecae6", "AvgPool2d": "#b7e4c7", "MaxPool2d": "#b7e4c7",
                 "Flatten": "#e9ecef", "Linear": "#ffb703"}


def _describe(layer: torch.nn.Module) -> str:
    pair = lambda v: f"{v[0]}×{v[1]}" if isinstance(v, tuple) else f"{v}×{v}"  # noqa: E731
    if isinstance(layer, torch.nn.Conv2d):
        pad = layer.padding[0] if isinstance(layer.padding, tuple) else layer.padding
        return (f"Conv2d {pair(layer.kernel_size)}, {layer.out_channels} ch"
                + (f", pad {pad}" if pad else ""))
    if isinstance(layer, (torch.nn.AvgPool2d, torch.nn.MaxPool2d)):
        return f"{type(layer).__name__} {pair(layer.kernel_size)}, stride {layer.stride}"
    if isinstance(layer, torch.nn.Linear):
        return f"Linear {layer.in_features} → {layer.out_features}"
    return type(layer).__name__


def plot_architecture(net: torch.nn.Sequential, input_shape: tuple[int, ...] = (1, 1, 28, 28),
                      input_label: str = "Input", title: str = "") -> plt.Figure:
    """A sequential network as a chain of boxes, top to bottom: one box per layer (an
    activation is written into the box of the layer before it), with the output shape of
    each box on the right, as computed by ``layer_summary``.

    >>> from companion.models import LeNet
    >>> fig = plot_architecture(LeNet()); plt.close(fig)
    """
    rows = layer_summary(net, input_shape)
    if not isinstance(input_label, str) or not isinstance(title, str):
        raise TypeError("input_label and title must be strings")
    blocks = [(input_label, tuple(input_shape[1:]), "#ffffff")]
    for layer, row in zip(net, rows):
        name = type(layer).__name__
        if name in ("Sigmoid", "ReLU", "Tanh") and len(blocks) > 1:
            text, _, color = blocks[-1]
            blocks[-1] = (f"{text} + {name}", row.output_shape[1:], color)
        else:
            blocks.append((_describe(layer), row.output_shape[1:], _BLOCK_COLORS.get(name, "#e9ecef")))
    step = 0.62
    fig, ax = subplots(figsize=(6.6, step * len(blocks) + 0.5))
    for k, (text, shape, color) in enumerate(blocks):
        y = -k * step
        ax.add_patch(matplotlib.patches.FancyBboxPatch((0, y - 0.2), 3.6, 0.4, boxstyle="round,pad=0.02",
                                                       facecolor=color, edgecolor="black", lw=1))
        ax.text(1.8, y, text, ha="center", va="center", fontsize=10)
        ax.text(3.85, y, " × ".join(map(str, shape)), ha="left", va="center", fontsize=10, color="#1d3557")
        if k:
            ax.annotate("", xy=(1.8, y + 0.21), xytext=(1.8, y + step - 0.21),
                        arrowprops=dict(arrowstyle="->", lw=1.2))
    ax.set_xlim(-0.1, 5.4)
    ax.set_ylim(-(len(blocks) - 1) * step - 0.35, 0.35 + (0.3 if title else 0))
    if title:
        ax.text(2.7, 0.45, title, ha="center", va="center", fontsize=12)
    ax.axis("off")
    return fig
