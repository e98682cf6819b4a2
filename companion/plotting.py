"""Figures for the course, with Hangul that renders on a machine without Korean fonts.

Importing this module registers NanumGothic (shipped by the ``koreanize-matplotlib``
package, or Debian's ``fonts-nanum``) with matplotlib and puts it after DejaVu Sans in
the font list: Latin text stays in DejaVu Sans, Hangul falls back to NanumGothic glyph by
glyph. The koreanize package itself is never imported (it needs ``distutils``).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import torch
from matplotlib import font_manager
from matplotlib.patches import Rectangle

from . import _check

KOREAN_FONT = "NanumGothic"
_SYSTEM_FONT_DIRS = [Path("/usr/share/fonts/truetype/nanum"), Path("/usr/share/fonts/nanum")]


def korean_font_path() -> Path:
    """Path of NanumGothic.ttf: from the koreanize-matplotlib package, else the system.

    >>> korean_font_path().name
    'NanumGothic.ttf'
    """
    candidates = []
    spec = importlib.util.find_spec("koreanize_matplotlib")  # finds, does not import
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "fonts" for p in spec.submodule_search_locations]
    candidates += _SYSTEM_FONT_DIRS
    for folder in candidates:
        if (folder / "NanumGothic.ttf").is_file():
            return folder / "NanumGothic.ttf"
    raise RuntimeError("No Korean font found for matplotlib figures. Fix: "
                       "`pip install koreanize-matplotlib==0.1.1` (ships NanumGothic) or "
                       "`sudo apt-get install fonts-nanum`.")


def use_korean_font() -> str:
    """Register NanumGothic with matplotlib and use it for Hangul; return the font name.

    >>> use_korean_font()
    'NanumGothic'
    """
    path = korean_font_path()
    if KOREAN_FONT not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", KOREAN_FONT]
    return KOREAN_FONT


use_korean_font()


def _fmt(v: float) -> str:
    if v in (float("inf"), float("-inf")):  # e.g. the -inf padding of max pooling
        return "∞" if v > 0 else "−∞"
    return f"{v:g}"


def _fmt_factor(v: float) -> str:
    """A factor in written arithmetic: negatives in parentheses, 0×(-1) rather than 0×-1."""
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def draw_matrix(ax: plt.Axes, M: torch.Tensor, title: str = "", origin: tuple[float, float] = (0, 0),
                highlight: tuple[int, int, int, int] | None = None, color: str = "#8ecae6",
                shade: torch.Tensor | None = None) -> None:
    """Draw matrix ``M`` as a grid of numbered cells on ``ax``.

    ``highlight = (i, j, h, w)`` colours an h×w block whose top-left cell is (i, j);
    ``shade`` (a boolean matrix like ``M``) colours the cells where it is True.

    >>> fig, ax = plt.subplots(); draw_matrix(ax, torch.eye(2), "I"); plt.close(fig)
    """
    M = _check.tensor(M, "M", ndim=2, floating=False)
    if not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
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


def plot_corr2d(X: torch.Tensor, K: torch.Tensor, pos: tuple[int, int] = (0, 0),
                titles: tuple[str, str, str] = ("Input", "Kernel", "Output")) -> plt.Figure:
    """The cross-correlation diagram: input, kernel, output, with the window that produces
    output ``pos`` highlighted and its arithmetic written underneath.

    >>> fig = plot_corr2d(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2))
    >>> plt.close(fig)
    """
    from .conv import corr2d_fast
    Y = corr2d_fast(X, K)
    i, j = _check.pair(pos, "pos", minimum=0)
    if i >= Y.shape[0] or j >= Y.shape[1]:
        raise ValueError(f"pos must lie inside the output of shape {tuple(Y.shape)}, got {(i, j)}")
    if not (isinstance(titles, (tuple, list)) and len(titles) == 3):
        raise TypeError(f"titles must be three strings (input, kernel, output), got {titles!r}")
    h, w = K.shape
    gap = 1.6
    xk = X.shape[1] + gap
    xy = xk + w + gap
    fig, ax = plt.subplots(figsize=(0.55 * (xy + Y.shape[1]) + 0.5, 0.55 * (X.shape[0] + 2.2)))
    draw_matrix(ax, X, titles[0], (0, 0), highlight=(i, j, h, w))
    draw_matrix(ax, K, titles[1], (xk, 0), highlight=(0, 0, h, w))
    draw_matrix(ax, Y, titles[2], (xy, 0), highlight=(i, j, 1, 1))
    mid = -max(h, Y.shape[0]) / 2
    ax.text(xk - gap / 2, mid, "⋆", ha="center", va="center", fontsize=20)
    ax.text(xy - gap / 2, mid, "=", ha="center", va="center", fontsize=18)
    window = X[i:i + h, j:j + w].flatten().tolist()
    terms = " + ".join(f"{_fmt_factor(a)}×{_fmt_factor(b)}" for a, b in zip(window, K.flatten().tolist()))
    ax.text(0, -X.shape[0] - 0.7, f"{terms} = {_fmt(float(Y[i, j]))}", ha="left", va="top", fontsize=12)
    ax.set_xlim(-0.2, xy + Y.shape[1] + 0.2)
    ax.set_ylim(-X.shape[0] - 1.6, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def plot_mask(mask: torch.Tensor, title: str = "", mark: tuple[int, int] | None = None,
              ax: plt.Axes | None = None) -> plt.Axes:
    """Show a boolean (or numeric) 2-D map as an image, e.g. a receptive field.

    ``mark = (i, j)`` outlines one cell (say, the output position traced back).

    >>> ax = plot_mask(torch.eye(3, dtype=torch.bool)); plt.close(ax.figure)
    """
    mask = _check.tensor(mask, "mask", ndim=2, floating=False)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    ax.imshow(mask.detach().float().cpu().numpy(), cmap="Blues", vmin=0)
    ax.set_xticks(range(mask.shape[1]))
    ax.set_yticks(range(mask.shape[0]))
    ax.set_xticks([x - 0.5 for x in range(mask.shape[1] + 1)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(mask.shape[0] + 1)], minor=True)
    ax.grid(which="minor", color="gray", lw=0.5)
    ax.tick_params(which="both", length=0, labelsize=8)
    if mark is not None:
        i, j = _check.pair(mark, "mark", minimum=0)
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#d62828", lw=2.5))
    if title:
        ax.set_title(title)
    return ax


# --- Multiple channels (06) and pooling (07) ------------------------------------------------

def _outline(ax: plt.Axes, origin: tuple[float, float], i: int, j: int, h: int, w: int,
             color: str = "#d62828") -> None:
    """Outline the h×w block at (i, j) of a matrix drawn by ``draw_matrix`` at ``origin``."""
    x0, y0 = origin
    ax.add_patch(Rectangle((x0 + j, y0 - i - h), w, h, fill=False, edgecolor=color, lw=2.5))


def _titles(titles: object, n: int, what: str) -> tuple[str, ...]:
    if not (isinstance(titles, (tuple, list)) and len(titles) == n and all(isinstance(t, str) for t in titles)):
        raise TypeError(f"titles must be {n} strings ({what}), got {titles!r}")
    return tuple(titles)


def _finish(ax: plt.Axes, x_max: float, y_min: float, y_max: float = 1.2) -> None:
    ax.set_xlim(-0.3, x_max + 0.3)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.axis("off")


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
    from .channels import corr2d_multi_in
    Y = corr2d_multi_in(X, K)
    i, j = _check.pair(pos, "pos", minimum=0)
    if i >= Y.shape[0] or j >= Y.shape[1]:
        raise ValueError(f"pos must lie inside the output of shape {tuple(Y.shape)}, got {(i, j)}")
    t_in, t_k, t_part, t_out = _titles(titles, 4, "input, kernel, partial result, output")
    c, h, w = X.shape
    kh, kw = K.shape[1:]
    gap, row_gap = 1.6, 2.6
    xk = w + gap
    xp = xk + kw + gap
    xo = xp + Y.shape[1] + 2.2
    row_h = max(h, kh) + row_gap
    fig, ax = plt.subplots(figsize=(0.55 * (xo + Y.shape[1]) + 0.5, 0.55 * (c * row_h + 1.6)))
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


def plot_conv1x1_matmul(X: torch.Tensor, K: torch.Tensor, pixel: tuple[int, int] = (0, 0),
                        titles: tuple[str, str, str] = ("Weights (c_o × c_i)", "Pixels (c_i × h·w)",
                                                        "Output (c_o × h·w)")) -> plt.Figure:
    """A 1×1 convolution as the matrix product it is: the (c_o, c_i) weights times the
    (c_i, h·w) matrix with one column per pixel. The column of ``pixel`` and its output are outlined.

    >>> fig = plot_conv1x1_matmul(torch.ones(3, 2, 2), torch.ones(2, 3, 1, 1)); plt.close(fig)
    """
    from .channels import corr2d_multi_in_out_1x1
    Y = corr2d_multi_in_out_1x1(X, K)
    r, s = _check.pair(pixel, "pixel", minimum=0)
    c_i, h, w = X.shape
    c_o = K.shape[0]
    if r >= h or s >= w:
        raise ValueError(f"pixel must lie inside the input of shape {(h, w)}, got {(r, s)}")
    t_k, t_x, t_y = _titles(titles, 3, "weights, pixels, output")
    col = r * w + s
    gap = 1.6
    xx = c_i + gap
    xy = xx + h * w + gap
    fig, ax = plt.subplots(figsize=(0.55 * (xy + h * w) + 0.5, 0.55 * (max(c_i, c_o) + 2.2)))
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


def plot_pool2d(X: torch.Tensor, pool_size: int | tuple[int, int], mode: str = "max",
                padding: int | tuple[int, int] = 0, stride: int | tuple[int, int] | None = None,
                pos: tuple[int, int] = (0, 0),
                titles: tuple[str, str] = ("Padded input", "Output")) -> plt.Figure:
    """Pooling diagram: the padded input (padding cells grey, filled as ``pool2d`` fills them:
    -inf for max, 0 for avg), the window of output ``pos``, the output, and the arithmetic.

    >>> fig = plot_pool2d(torch.arange(16.).reshape(4, 4), 3, padding=1, stride=2); plt.close(fig)
    """
    import torch.nn.functional as F

    from .pooling import pool2d
    Y = pool2d(X, pool_size, mode, padding, stride)
    kh, kw = _check.pair(pool_size, "pool_size", minimum=1)
    ph, pw = _check.pair(padding, "padding", minimum=0)
    sh, sw = (kh, kw) if stride is None else _check.pair(stride, "stride", minimum=1)
    i, j = _check.pair(pos, "pos", minimum=0)
    if i >= Y.shape[0] or j >= Y.shape[1]:
        raise ValueError(f"pos must lie inside the output of shape {tuple(Y.shape)}, got {(i, j)}")
    t_in, t_out = _titles(titles, 2, "input, output")
    fill = float("-inf") if mode == "max" else 0.0
    Xp = F.pad(X, (pw, pw, ph, ph), value=fill)
    pad = torch.ones(Xp.shape, dtype=torch.bool)
    pad[ph:ph + X.shape[0], pw:pw + X.shape[1]] = False
    gap = 1.8
    xy = Xp.shape[1] + gap
    fig, ax = plt.subplots(figsize=(0.6 * (xy + Y.shape[1]) + 0.5, 0.6 * (Xp.shape[0] + 2.2)))
    draw_matrix(ax, Xp, t_in, (0, 0), color="#d9d9d9", shade=pad)
    _outline(ax, (0, 0), i * sh, j * sw, kh, kw)
    draw_matrix(ax, Y, t_out, (xy, 0), highlight=(i, j, 1, 1))
    ax.text(xy - gap / 2, -Xp.shape[0] / 2, "→", ha="center", va="center", fontsize=18)
    window = ", ".join(_fmt(v) for v in Xp[i * sh:i * sh + kh, j * sw:j * sw + kw].flatten().tolist())
    text = f"max({window})" if mode == "max" else f"({window.replace(', ', ' + ')}) / {kh * kw}"
    ax.text(0, -Xp.shape[0] - 0.6, f"{text} = {_fmt(float(Y[i, j]))}", ha="left", va="top", fontsize=11)
    _finish(ax, xy + Y.shape[1], -Xp.shape[0] - 1.6)
    return fig


def draw_matrix_grid(rows: list[list[torch.Tensor]], titles: list[list[str]],
                     shades: list[list[torch.Tensor | None]] | None = None,
                     row_labels: list[str] | None = None) -> plt.Figure:
    """Matrices side by side, one list per row (e.g. input → convolution → pooling, for an
    input and its shifted copy); ``shades`` colours chosen cells (say, those that changed).

    >>> fig = draw_matrix_grid([[torch.eye(2), torch.ones(1, 1)]], [["A", "B"]]); plt.close(fig)
    """
    if not (isinstance(rows, (list, tuple)) and rows and all(isinstance(r, (list, tuple)) and r for r in rows)):
        raise TypeError("rows must be a non-empty list of non-empty lists of 2-D tensors")
    mats = [[_check.tensor(M, f"rows[{a}][{b}]", ndim=2, floating=False) for b, M in enumerate(r)]
            for a, r in enumerate(rows)]
    if not (isinstance(titles, (list, tuple)) and [len(t) for t in titles] == [len(r) for r in mats]):
        raise ValueError("titles must hold one string per matrix, row by row like rows")
    if shades is not None and [len(s) for s in shades] != [len(r) for r in mats]:
        raise ValueError("shades must hold one mask (or None) per matrix, row by row like rows")
    if row_labels is not None and len(row_labels) != len(mats):
        raise ValueError(f"row_labels must hold one string per row ({len(mats)}), got {len(row_labels)}")
    gap = 1.4
    n_cols = max(len(r) for r in mats)
    widths = [max(r[b].shape[1] for r in mats if b < len(r)) for b in range(n_cols)]
    xs = [sum(widths[:b]) + gap * b for b in range(n_cols)]
    heights = [max(M.shape[0] for M in r) for r in mats]
    ys = [-sum(heights[:a]) - 1.6 * a for a in range(len(mats))]
    left = 2.6 if row_labels else 0.0
    total_w = xs[-1] + widths[-1] + left
    total_h = sum(heights) + 1.6 * len(mats)
    fig, ax = plt.subplots(figsize=(0.42 * total_w + 0.5, 0.42 * total_h + 0.4))
    for a, r in enumerate(mats):
        for b, M in enumerate(r):
            shade = None if shades is None else shades[a][b]
            draw_matrix(ax, M, titles[a][b], (left + xs[b], ys[a]), color="#ffb703", shade=shade)
        if row_labels:
            ax.text(0, ys[a] - heights[a] / 2, row_labels[a], ha="left", va="center", fontsize=12)
    ax.set_xlim(-0.3, total_w + 0.3)
    ax.set_ylim(ys[-1] - heights[-1] - 0.3, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# --- Padding (04) and stride (05) -----------------------------------------------------------

_WINDOW_COLORS = ("#d62828", "#1d70b8", "#2a9d8f", "#8338ec", "#e76f51", "#6a994e", "#b5179e", "#3d405b")


def plot_padding_stride(X: torch.Tensor, K: torch.Tensor, padding: int | tuple[int, int] = 0,
                        stride: int | tuple[int, int] = 1,
                        positions: list[tuple[int, int]] | None = None,
                        titles: tuple[str, str, str] = ("Padded input", "Kernel", "Output")) -> plt.Figure:
    """Cross-correlation with zero padding and stride, drawn on grids: the padded input (the
    padding cells grey, row and column indices in grey), the kernel and the output.

    The window of every output position in ``positions`` (default: all of them) is outlined in
    its own colour, the output cell it produces is filled with that colour, and the arithmetic
    of each is written underneath; with a stride the windows visibly jump by s_h rows and
    s_w columns. ``padding`` is per side, as in ``nn.Conv2d``.

    >>> fig = plot_padding_stride(torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2),
    ...                           padding=1, stride=(3, 2)); plt.close(fig)
    """
    from .conv import corr2d_fast
    from .shapes import conv_output_shape, pad2d
    X = _check.tensor(X, "X", ndim=2)
    K = _check.tensor(K, "K", ndim=2)
    p_h, p_w = _check.pair(padding, "padding", minimum=0)
    s_h, s_w = _check.pair(stride, "stride", minimum=1)
    k_h, k_w = K.shape
    conv_output_shape(tuple(X.shape), (k_h, k_w), (p_h, p_w), (s_h, s_w))  # names a kernel that is too large
    Xp = pad2d(X, (p_h, p_w))
    Y = corr2d_fast(Xp, K)[::s_h, ::s_w]
    if positions is None:
        positions = [(i, j) for i in range(Y.shape[0]) for j in range(Y.shape[1])]
    if not isinstance(positions, (list, tuple)) or not positions:
        raise TypeError(f"positions must be a non-empty list of (i, j) pairs, got {positions!r}")
    positions = [_check.pair(q, f"positions[{n}]", minimum=0) for n, q in enumerate(positions)]
    for n, (i, j) in enumerate(positions):
        if i >= Y.shape[0] or j >= Y.shape[1]:
            raise ValueError(f"positions[{n}] must lie inside the output of shape {tuple(Y.shape)}, got {(i, j)}")
    t_in, t_k, t_out = _titles(titles, 3, "padded input, kernel, output")
    pad = torch.ones(Xp.shape, dtype=torch.bool)
    pad[p_h:p_h + X.shape[0], p_w:p_w + X.shape[1]] = False
    gap = 1.6
    xk = Xp.shape[1] + gap
    xy = xk + k_w + gap
    n_lines = len(positions)
    height = max(Xp.shape[0], k_h, Y.shape[0])
    fig, ax = plt.subplots(figsize=(0.55 * (xy + Y.shape[1]) + 0.9, 0.55 * (height + 2.6 + 0.8 * n_lines)))
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
    ax.set_xlim(-0.9, xy + Y.shape[1] + 0.3)
    ax.set_ylim(-height - 1.2 - 0.8 * n_lines, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# --- From FC layers to convolutions (01) and invariance (02) --------------------------------

def plot_lines(x: list[float], series: dict[str, list[float]], xlabel: str = "", ylabel: str = "",
               title: str = "", logx: bool = False, logy: bool = False,
               annotate: dict[str, list[str]] | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """One line with markers per entry of ``series`` (label → y values at ``x``), optionally on
    log axes; ``annotate`` (label → one string per point) writes text next to the points.

    >>> ax = plot_lines([1, 10], {"a": [1, 100]}, logx=True, logy=True); plt.close(ax.figure)
    """
    if not isinstance(x, (list, tuple)) or not x:
        raise TypeError(f"x must be a non-empty list of numbers, got {x!r}")
    if not isinstance(series, dict) or not series:
        raise TypeError(f"series must be a non-empty dict label -> list of values, got {type(series).__name__}")
    for label, ys in series.items():
        if not isinstance(ys, (list, tuple)) or len(ys) != len(x):
            raise ValueError(f"series[{label!r}] must hold one value per x ({len(x)}), got {ys!r}")
    if annotate is not None:
        for label, texts in annotate.items():
            if label not in series or len(texts) != len(x):
                raise ValueError(f"annotate[{label!r}] must name a series and hold one string per x ({len(x)})")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, ys in series.items():
        ax.plot(x, ys, marker="o", label=label)
        for xi, yi, text in zip(x, ys, (annotate or {}).get(label, [])):
            ax.annotate(text, (xi, yi), textcoords="offset points", xytext=(4, 6), fontsize=9)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.4)
    ax.legend()
    return ax


def plot_images(images: list[torch.Tensor | None], titles: list[str], ncols: int | None = None,
                cmap: str | list[str] = "gray", symmetric: bool | list[bool] = False,
                size: float = 2.2, height: float | None = None) -> plt.Figure:
    """2-D tensors as images in a grid (row by row, ``ncols`` per row); ``None`` leaves a cell
    empty. ``symmetric=True`` centres the colour scale on zero (for signed maps, with a
    diverging ``cmap`` such as "RdBu_r"); both may be given per image as lists. Each cell is
    ``size`` inches wide and ``height`` (default: ``size``) inches high.

    >>> fig = plot_images([torch.eye(3), None], ["I", ""]); plt.close(fig)
    """
    if not isinstance(images, (list, tuple)) or not images:
        raise TypeError("images must be a non-empty list of 2-D tensors (or None)")
    if not isinstance(titles, (list, tuple)) or len(titles) != len(images):
        raise ValueError(f"titles must hold one string per image ({len(images)}), got {titles!r}")
    n = len(images)
    cols = n if ncols is None else _check.integer(ncols, "ncols", minimum=1)
    rows = -(-n // cols)
    cmaps = list(cmap) if isinstance(cmap, (list, tuple)) else [cmap] * n
    syms = list(symmetric) if isinstance(symmetric, (list, tuple)) else [symmetric] * n
    if len(cmaps) != n or len(syms) != n:
        raise ValueError(f"cmap and symmetric must be single values or lists of {n}")
    row_h = size if height is None else height
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, row_h * rows + 0.3), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n or images[k] is None:
            continue
        M = _check.tensor(images[k], f"images[{k}]", ndim=2, floating=False).detach().float().cpu()
        lim = float(M.abs().max()) or 1.0
        kw = {"vmin": -lim, "vmax": lim} if syms[k] else {}
        ax.imshow(M.numpy(), cmap=cmaps[k], **kw)
        ax.set_title(titles[k], fontsize=10)
    fig.tight_layout()
    return fig


def plot_influence_maps(maps: list[torch.Tensor], titles: list[str],
                        mark: tuple[int, int] | None = None) -> plt.Figure:
    """Influence maps (|gradient| of one output with respect to each input pixel) side by side,
    the output's own position outlined by ``mark``. A white cell has no influence at all; every
    pixel with some influence is blue, darker for more.

    >>> fig = plot_influence_maps([torch.eye(3), torch.ones(3, 3)], ["a", "b"], mark=(1, 1))
    >>> plt.close(fig)
    """
    import numpy as np
    if not isinstance(maps, (list, tuple)) or not maps:
        raise TypeError("maps must be a non-empty list of 2-D tensors")
    if not isinstance(titles, (list, tuple)) or len(titles) != len(maps):
        raise ValueError(f"titles must hold one string per map ({len(maps)}), got {titles!r}")
    cmap = plt.get_cmap("Blues").with_extremes(bad="white")
    fig, axes = plt.subplots(1, len(maps), figsize=(3.4 * len(maps), 3.6), squeeze=False)
    for k, (M, ax) in enumerate(zip(maps, axes[0])):
        M = _check.tensor(M, f"maps[{k}]", ndim=2, floating=False).detach().float().cpu()
        top = float(M.abs().max()) or 1.0
        A = np.ma.masked_equal(M.abs().numpy(), 0.0)
        ax.imshow(A, cmap=cmap, vmin=-0.3 * top, vmax=top)  # the weakest influence is still blue
        h, w = M.shape
        ax.set_xticks([x - 0.5 for x in range(w + 1)], minor=True)
        ax.set_yticks([y - 0.5 for y in range(h + 1)], minor=True)
        ax.set_xticks(range(0, w, max(1, w // 6)))
        ax.set_yticks(range(0, h, max(1, h // 6)))
        ax.grid(which="minor", color="gray", lw=0.5)
        ax.tick_params(which="both", length=0, labelsize=8)
        if mark is not None:
            i, j = _check.pair(mark, "mark", minimum=0)
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#d62828", lw=2.5))
        ax.set_title(titles[k])
    fig.tight_layout()
    return fig


# --- LeNet (08) -----------------------------------------------------------------------------

def class_names(lang: str) -> list[str]:
    """The ten Fashion-MNIST class names in the page's language, ``"ko"`` or ``"en"``.

    >>> class_names("en")[0], class_names("ko")[0]
    ('T-shirt/top', '티셔츠/톱')
    """
    from .data import CLASSES_EN, CLASSES_KO
    names = {"ko": CLASSES_KO, "en": CLASSES_EN}
    if not isinstance(lang, str):
        raise TypeError(f"lang must be a str, 'ko' or 'en', got {type(lang).__name__}")
    if lang not in names:
        raise ValueError(f"lang must be 'ko' or 'en', got {lang!r}")
    return list(names[lang])


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
    from .models import layer_summary
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
    fig, ax = plt.subplots(figsize=(6.6, step * len(blocks) + 0.5))
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


def plot_history(histories: dict[str, object], labels: tuple[str, str, str] = ("train loss", "train acc", "test acc"),
                 xlabel: str = "epoch") -> plt.Figure:
    """Learning curves after training, one panel per run (title → ``History``): training
    loss, training accuracy and test accuracy per epoch, as D2L draws them.

    >>> from companion.training import History
    >>> fig = plot_history({"run": History([1.0, 0.5], [0.6, 0.8], [0.6, 0.7])}); plt.close(fig)
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a non-empty dict title -> History")
    labels = _titles(labels, 3, "train loss, train acc, test acc")
    fig, axes = plt.subplots(1, len(histories), figsize=(4.6 * len(histories), 3.4), squeeze=False)
    for ax, (title, h) in zip(axes[0], histories.items()):
        if not all(hasattr(h, a) for a in ("train_loss", "train_acc", "test_acc")):
            raise TypeError(f"histories[{title!r}] must be a History, got {type(h).__name__}")
        epochs = list(range(1, len(h.train_loss) + 1))
        ax.plot(epochs, h.train_loss, "-", color="#1f77b4", label=labels[0])
        ax.plot(epochs, h.train_acc, "--", color="#9467bd", label=labels[1])
        ax.plot(epochs, h.test_acc, "-.", color="#2ca02c", marker="o", ms=4, label=labels[2])
        ax.set_xlabel(xlabel)
        ax.set_xlim(1, max(len(epochs), 2))
        ax.set_ylim(0, max(1.0, max(h.train_loss) * 1.05))
        ax.set_title(str(title))
        ax.grid(True, alpha=0.4)
        ax.legend(loc="center right", fontsize=9)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(C: torch.Tensor, classes: list[str], xlabel: str = "predicted",
                          ylabel: str = "true", title: str = "") -> plt.Figure:
    """A confusion matrix (rows: true class, columns: predicted class) with its counts written
    in the cells; the diagonal holds the correct predictions.

    >>> fig = plot_confusion_matrix(torch.tensor([[5, 1], [2, 7]]), ["a", "b"]); plt.close(fig)
    """
    C = _check.tensor(C, "C", ndim=2, floating=False)
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be square, got shape {tuple(C.shape)}")
    if not isinstance(classes, (list, tuple)) or len(classes) != C.shape[0]:
        raise ValueError(f"classes must hold one name per row of C ({C.shape[0]}), got {classes!r}")
    n = C.shape[0]
    fig, ax = plt.subplots(figsize=(0.62 * n + 2.4, 0.62 * n + 1.6))
    M = C.detach().cpu().to(torch.int64)
    ax.imshow(M.numpy(), cmap="Blues")
    top = int(M.max())
    for i in range(n):
        for j in range(n):
            v = int(M[i, j])
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                    color="white" if v > top / 2 else "black")
    ax.set_xticks(range(n), classes, rotation=45, ha="right")
    ax.set_yticks(range(n), classes)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
