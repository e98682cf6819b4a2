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
    return f"{v:g}"


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
    terms = " + ".join(f"{_fmt(a)}×{_fmt(b)}" for a, b in zip(window, K.flatten().tolist()))
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
