"""Charts: lines, images, influence maps, learning curves and confusion matrices, with
Hangul that renders on a machine without Korean fonts.

The first figure drawn (``subplots``, which every figure of ``charts`` and ``diagrams`` goes
through) registers NanumGothic (shipped by the ``koreanize-matplotlib`` package, or Debian's
``fonts-nanum``) with matplotlib and puts it after DejaVu Sans in the font list: Latin text
stays in DejaVu Sans, Hangul falls back to NanumGothic glyph by glyph. Importing the module
changes nothing. The koreanize package itself is never imported (it needs ``distutils``).
"""
from __future__ import annotations

import importlib.util
import math
import numbers
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import font_manager
from matplotlib.patches import Rectangle

from . import _check
from ._check import Flag, Int, Maybe, Pair, Real, Strings, Tensor, checked

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


def subplots(*args: object, **kwargs: object) -> tuple:
    """``plt.subplots``, with the Korean font registered first (``use_korean_font``), once.

    >>> fig, ax = subplots(figsize=(2, 2)); plt.close(fig)
    >>> KOREAN_FONT in matplotlib.rcParams["font.family"]
    True
    """
    if KOREAN_FONT not in matplotlib.rcParams["font.family"]:
        use_korean_font()
    return plt.subplots(*args, **kwargs)


# --- Lines and images ----------------------------------------------------------------------

def values_plottable(x: list[float], series: dict[str, list[float]], logx: bool, logy: bool,
                     annotate: dict[str, list[str]] | None) -> None:
    """``x`` a non-empty list of finite numbers, ``series`` a non-empty dict label → one finite
    number per x, > 0 on a log axis; ``annotate`` (label → one string per x) names a series.

    >>> plot_lines([0, 1], {"a": [1, 2]}, logx=True)
    Traceback (most recent call last):
    ...
    ValueError: x[0] is 0: a log axis (logx=True) shows only values > 0
    """
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"x must be a non-empty list of numbers, got {x!r}")
    if not x:
        raise ValueError(f"x must be a non-empty list of numbers, got {x!r}")
    if not isinstance(series, dict):
        raise TypeError(f"series must be a non-empty dict label -> list of values, got {type(series).__name__}")
    if not series:
        raise ValueError("series must be a non-empty dict label -> list of values, got {}")
    _plotted(x, "x", logx, "logx")
    for label, ys in series.items():
        if not isinstance(ys, (list, tuple)) or len(ys) != len(x):
            raise ValueError(f"series[{label!r}] must hold one value per x ({len(x)}), got {ys!r}")
        _plotted(ys, f"series[{label!r}]", logy, "logy")
    if annotate is not None:
        for label, texts in annotate.items():
            if label not in series or len(texts) != len(x):
                raise ValueError(f"annotate[{label!r}] must name a series and hold one string per x ({len(x)})")


@checked(values_plottable, logx=Flag(), logy=Flag())
def plot_lines(x: list[float], series: dict[str, list[float]], xlabel: str = "", ylabel: str = "",
               title: str = "", logx: bool = False, logy: bool = False,
               annotate: dict[str, list[str]] | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """One line with markers per entry of ``series`` (label → y values at ``x``), optionally on
    log axes; ``annotate`` (label → one string per point) writes text next to the points.

    >>> ax = plot_lines([1, 10], {"a": [1, 100]}, logx=True, logy=True); plt.close(ax.figure)
    """
    if ax is None:
        _, ax = subplots(figsize=(6.4, 4.0))
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


def _plotted(values: list | tuple, name: str, log: bool, log_name: str) -> None:
    """Values a line chart can show: finite numbers, and > 0 on a log axis (matplotlib would
    leave out the others without a word)."""
    for k, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name}[{k}] must be a number, got {type(v).__name__}")
        if not math.isfinite(v):
            raise ValueError(f"{name}[{k}] is {v}: every value must be a finite number")
        if log and v <= 0:
            raise ValueError(f"{name}[{k}] is {v}: a log axis ({log_name}=True) shows only values > 0")


def _figure_size(width: float, height: float, what: str, fix: str) -> None:
    """Refuse a figure larger than matplotlib draws (2**16 pixels a side); ``fix`` says which
    arguments to lower."""
    dpi = float(matplotlib.rcParams["figure.dpi"])
    if max(width, height) * dpi >= 2**16:
        raise ValueError(f"{what} makes a figure of {width:g} x {height:g} inches, {max(width, height) * dpi:,.0f} "
                         f"pixels at {dpi:g} dpi, more than the 65,536 pixels matplotlib draws: lower {fix}")


def _inside(mark: tuple[int, int], shape: tuple[int, ...], where: str) -> None:
    """``mark`` (i, j), a cell of a grid of ``shape`` (an outline outside it would not show)."""
    i, j = mark
    if i >= shape[0] or j >= shape[1]:
        raise ValueError(f"mark {(i, j)} must lie inside {where} of shape {tuple(shape)}")


def _titled(items: object, titles: object, name: str, what: str, per: str) -> None:
    """``items`` a non-empty list (or tuple) of ``what``, and ``titles`` one per item."""
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"{name} must be a non-empty list of {what}")
    if not items:
        raise ValueError(f"{name} must be a non-empty list of {what}, got an empty one")
    if not isinstance(titles, (list, tuple)) or len(titles) != len(items):
        raise ValueError(f"titles must hold one string per {per} ({len(items)}), got {titles!r}")


def one_per_image(images: list[torch.Tensor | None], titles: list[str], ncols: int | None,
                  cmap: str | list[str], symmetric: bool | list[bool], size: float, height: float | None
                  ) -> tuple:
    """A non-empty list of 2-D tensors (or None) and one title per image; ``cmap`` (colormap
    names) and ``symmetric`` single values or one per image; a figure matplotlib can draw
    (at most ``2**16`` pixels a side). ``ncols=None`` becomes one row, ``height=None`` the
    ``size``, a single ``cmap`` or ``symmetric`` one per image.

    >>> one_per_image([torch.eye(2), None], ["a", ""], None, "gray", False, 2.0, None)[2:]
    (2, ['gray', 'gray'], [False, False], 2.0, 2.0)
    """
    _titled(images, titles, "images", "2-D tensors (or None)", "image")
    n = len(images)
    cols = n if ncols is None else ncols
    rows = -(-n // cols)
    cmaps = list(cmap) if isinstance(cmap, (list, tuple)) else [cmap] * n
    syms = list(symmetric) if isinstance(symmetric, (list, tuple)) else [symmetric] * n
    if len(cmaps) != n or len(syms) != n:
        raise ValueError(f"cmap and symmetric must be single values or lists of {n}")
    for name in cmaps:
        if not (isinstance(name, matplotlib.colors.Colormap) or (isinstance(name, str) and name in matplotlib.colormaps)):
            raise ValueError(f"cmap must be a matplotlib colormap name, got {name!r} (e.g. 'gray' or 'RdBu_r')")
    row_h = size if height is None else height
    _figure_size(size * cols, row_h * rows + 0.3, f"size={size:g}" + ("" if height is None else f", height={row_h:g}"),
                 f"size, height or ncols ({cols} columns)")
    for k, M in enumerate(images):
        if M is not None:
            _check.Tensor(ndim=2, floating=False)(M, f"images[{k}]")
    return images, titles, cols, cmaps, syms, size, row_h


@checked(one_per_image, ncols=Maybe(Int(minimum=1)), size=Real(above=0), height=Maybe(Real(above=0)))
def plot_images(images: list[torch.Tensor | None], titles: list[str], ncols: int | None = None,
                cmap: str | list[str] = "gray", symmetric: bool | list[bool] = False,
                size: float = 2.2, height: float | None = None) -> plt.Figure:
    """2-D tensors as images in a grid (row by row, ``ncols`` per row); ``None`` leaves a cell
    empty. ``symmetric=True`` centers the color scale on zero (for signed maps, with a
    diverging ``cmap`` such as "RdBu_r"); both may be given per image as lists. Each cell is
    ``size`` inches wide and ``height`` (default: ``size``) inches high.

    >>> fig = plot_images([torch.eye(3), None], ["I", ""]); plt.close(fig)
    """
    n = len(images)
    rows = -(-n // ncols)
    fig, axes = subplots(rows, ncols, figsize=(size * ncols, height * rows + 0.3), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n or images[k] is None:
            continue
        M = images[k].detach().float().cpu()
        lim = float(M.abs().max()) or 1.0
        kw = {"vmin": -lim, "vmax": lim} if symmetric[k] else {}
        ax.imshow(M.numpy(), cmap=cmap[k], **kw)
        ax.set_title(titles[k], fontsize=10)
    fig.tight_layout()
    return fig


def _cell_grid(ax: plt.Axes, shape: tuple[int, int], mark: tuple[int, int] | None) -> None:
    """Gray lines between the cells of an (h, w) image on ``ax``, and the cell ``mark`` outlined."""
    h, w = shape
    ax.set_xticks([x - 0.5 for x in range(w + 1)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(h + 1)], minor=True)
    ax.grid(which="minor", color="gray", lw=0.5)
    ax.tick_params(which="both", length=0, labelsize=8)
    if mark is not None:
        i, j = mark
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#d62828", lw=2.5))


def mark_inside_mask(mask: torch.Tensor, mark: tuple[int, int] | None) -> None:
    """``mark`` (if given) is a cell of ``mask``.

    >>> plot_mask(torch.ones(3, 3), mark=(3, 0))
    Traceback (most recent call last):
    ...
    ValueError: mark (3, 0) must lie inside mask of shape (3, 3)
    """
    if mark is not None:
        _inside(mark, tuple(mask.shape), "mask")


@checked(mark_inside_mask, mask=Tensor(ndim=2, floating=False), mark=Maybe(Pair(minimum=0)))
def plot_mask(mask: torch.Tensor, title: str = "", mark: tuple[int, int] | None = None,
              ax: plt.Axes | None = None) -> plt.Axes:
    """Show a boolean (or numeric) 2-D map as an image, e.g. a receptive field.

    ``mark = (i, j)`` outlines one cell (say, the output position traced back).

    >>> ax = plot_mask(torch.eye(3, dtype=torch.bool)); plt.close(ax.figure)
    """
    if ax is None:
        _, ax = subplots(figsize=(3.2, 3.2))
    ax.imshow(mask.detach().float().cpu().numpy(), cmap="Blues", vmin=0)
    ax.set_xticks(range(mask.shape[1]))
    ax.set_yticks(range(mask.shape[0]))
    _cell_grid(ax, mask.shape, mark)
    if title:
        ax.set_title(title)
    return ax


def maps_with_titles(maps: list[torch.Tensor], titles: list[str], mark: tuple[int, int] | None) -> None:
    """A non-empty list of 2-D tensors, one title per map, and ``mark`` (if given) a cell of each.

    >>> plot_influence_maps([torch.ones(3, 3), torch.ones(2, 2)], ["a", "b"], mark=(2, 2))
    Traceback (most recent call last):
    ...
    ValueError: mark (2, 2) must lie inside maps[1] of shape (2, 2)
    """
    _titled(maps, titles, "maps", "2-D tensors", "map")
    for k, M in enumerate(maps):
        _check.Tensor(ndim=2, floating=False)(M, f"maps[{k}]")
    if mark is not None:
        for k, M in enumerate(maps):
            _inside(mark, tuple(M.shape), f"maps[{k}]")


@checked(maps_with_titles, mark=Maybe(Pair(minimum=0)))
def plot_influence_maps(maps: list[torch.Tensor], titles: list[str],
                        mark: tuple[int, int] | None = None) -> plt.Figure:
    """Influence maps (|gradient| of one output with respect to each input pixel) side by side,
    the output's own position outlined by ``mark``. A white cell has no influence at all; every
    pixel with some influence is blue, darker for more.

    >>> fig = plot_influence_maps([torch.eye(3), torch.ones(3, 3)], ["a", "b"], mark=(1, 1))
    >>> plt.close(fig)
    """
    cmap = plt.get_cmap("Blues").with_extremes(bad="white")
    fig, axes = subplots(1, len(maps), figsize=(3.4 * len(maps), 3.6), squeeze=False)
    for k, (M, ax) in enumerate(zip(maps, axes[0])):
        M = M.detach().float().cpu()
        top = float(M.abs().max()) or 1.0
        A = np.ma.masked_equal(M.abs().numpy(), 0.0)
        ax.imshow(A, cmap=cmap, vmin=-0.3 * top, vmax=top)  # the weakest influence is still blue
        h, w = M.shape
        ax.set_xticks(range(0, w, max(1, w // 6)))
        ax.set_yticks(range(0, h, max(1, h // 6)))
        _cell_grid(ax, (h, w), mark)
        ax.set_title(titles[k])
    fig.tight_layout()
    return fig


# --- Training results ----------------------------------------------------------------------

def histories_with_epochs(histories: dict[str, object]) -> None:
    """A non-empty dict title → ``History``, each with one number per epoch in its three lists.

    >>> from companion.training import History
    >>> plot_history({"run": History()})
    Traceback (most recent call last):
    ...
    ValueError: histories['run'] has no epochs to plot
    """
    if not isinstance(histories, dict):
        raise TypeError("histories must be a non-empty dict title -> History")
    if not histories:
        raise ValueError("histories must be a non-empty dict title -> History, got {}")
    for title, h in histories.items():
        if not all(hasattr(h, a) for a in ("train_loss", "train_acc", "test_acc")):
            raise TypeError(f"histories[{title!r}] must be a History, got {type(h).__name__}")
        n = {len(h.train_loss), len(h.train_acc), len(h.test_acc)}
        if n == {0}:
            raise ValueError(f"histories[{title!r}] has no epochs to plot")
        if len(n) != 1:
            raise ValueError(f"histories[{title!r}] must hold one number per epoch in each of its three lists")


@checked(histories_with_epochs, labels=Strings(3, "train loss, train acc, test acc"))
def plot_history(histories: dict[str, object], labels: tuple[str, str, str] = ("train loss", "train acc", "test acc"),
                 xlabel: str = "epoch") -> plt.Figure:
    """Learning curves after training, one panel per run (title → ``History``): training
    loss, training accuracy and test accuracy per epoch, as D2L draws them.

    >>> from companion.training import History
    >>> fig = plot_history({"run": History([1.0, 0.5], [0.6, 0.8], [0.6, 0.7])}); plt.close(fig)
    """
    fig, axes = subplots(1, len(histories), figsize=(4.6 * len(histories), 3.4), squeeze=False)
    for ax, (title, h) in zip(axes[0], histories.items()):
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


def counts_or_rates(C: torch.Tensor, classes: list[str]) -> None:
    """A square ``C`` of finite numbers >= 0 (counts or rates), and one class name per row.

    >>> plot_confusion_matrix(torch.tensor([[5, -1], [0, 2]]), ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: C must hold counts or rates >= 0, got -1
    """
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be square, got shape {tuple(C.shape)}")
    if not isinstance(classes, (list, tuple)) or len(classes) != C.shape[0]:
        raise ValueError(f"classes must hold one name per row of C ({C.shape[0]}), got {classes!r}")
    if C.dtype == torch.bool or C.is_complex():
        raise TypeError(f"C must hold counts or rates (numbers), got {C.dtype}")
    M = C.detach().cpu().double()
    if not bool(M.isfinite().all()):
        raise ValueError(f"C must hold finite numbers, got {float(M[~M.isfinite()][0])}")
    if bool((M < 0).any()):
        raise ValueError(f"C must hold counts or rates >= 0, got {M.min().item():g}")


@checked(counts_or_rates, C=Tensor(ndim=2, floating=False))
def plot_confusion_matrix(C: torch.Tensor, classes: list[str], xlabel: str = "predicted",
                          ylabel: str = "true", title: str = "") -> plt.Figure:
    """A confusion matrix (rows: true class, columns: predicted class) with its counts written
    in the cells; the diagonal holds the correct predictions. A floating-point ``C`` of rates
    (e.g. each row divided by its sum) is shown as rates, two decimals in each cell.

    >>> fig = plot_confusion_matrix(torch.tensor([[5, 1], [2, 7]]), ["a", "b"]); plt.close(fig)
    """
    n = C.shape[0]
    M = C.detach().cpu().double()
    counts = not C.is_floating_point() or bool((M == M.round()).all())  # rates are not truncated to 0
    fig, ax = subplots(figsize=(0.62 * n + 2.4, 0.62 * n + 1.6))
    ax.imshow(M.numpy(), cmap="Blues")
    top = float(M.max())
    for i in range(n):
        for j in range(n):
            v = float(M[i, j])
            ax.text(j, i, f"{v:.0f}" if counts else f"{v:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if v > top / 2 else "black")
    ax.set_xticks(range(n), classes, rotation=45, ha="right")
    ax.set_yticks(range(n), classes)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
