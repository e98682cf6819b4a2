"""Animations of the sliding window, computed by the companion's own functions.

Each ``animate_…`` function computes every frame with the function a page teaches
(``corr2d``, ``pad2d``, ``mirror_pad2d``, ``insert_zeros``, ``conv_transpose2d``,
``corr2d_multi_in``, ``corr2d_multi_in_out``, ``corr2d_multi_in_out_1x1``, ``pool2d``), so a
drawing cannot disagree with the code. It returns an ``Animation``: a notebook shows it as
HTML with an inline SVG of the first frame and the frames as JSON; the book's player
(``_ext/static/conv_anim.js``) plays them. Without JavaScript (an untrusted notebook, print)
the first frame stays visible. ``Playground`` is the output-shape playground of section 05,
and ``playground_output_size`` the answer it must show.

The HTML is deterministic (no random ids, no timestamps): nbval compares it exactly.
"""
from __future__ import annotations

import html
import json

import torch

from . import _check
from ._check import Int, OneOf, Pair, Tensor, checked
from .channels import corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1
from .conv import corr2d
from .pooling import pool2d
from .shapes import conv_output_shape, conv_transpose2d, insert_zeros, mirror_pad2d, pad2d

LANGS = ("en", "ko")
MAX_SIDE = 16     # rows or columns of one drawn matrix
MAX_FRAMES = 64   # frames of one animation
CELL = 30         # SVG units per cell
ACCENT = "#d1495b"  # the window; the book's CSS gives dark mode its own shade

WORDS = {
    "en": {"input": "input X", "padded": "padded input", "kernel": "kernel K",
           "output": "output Y", "channels": "input channels", "out_channels": "output channels",
           "kernel_o": "kernel K[{o}]", "weights": "weights (c_o × c_i)",
           "zeros": "zeros inserted, padded", "flipped": "K flipped", "play": "Play",
           "pause": "Pause", "back": "Step back", "forward": "Step forward", "speed": "Speed",
           "frame": "Frame", "modes": "padding_mode",
           "mode_zeros": "the outside is 0",
           "mode_reflect": "mirrored about the border cell (d c b | a b c d | c b a)",
           "mode_replicate": "the border cell repeated (a a a | a b c d | d d d)",
           "mode_circular": "the other side wraps around (b c d | a b c d | a b c)",
           "size": "input size n", "kernel_in": "kernel size k", "padding": "padding p (per side)",
           "stride": "stride s", "dilation": "dilation d", "out": "output size",
           "dilated": "dilated kernel d·(k − 1) + 1", "no_draw": "too large to draw"},
    "ko": {"input": "입력 X", "padded": "패딩한 입력", "kernel": "커널 K",
           "output": "출력 Y", "channels": "입력 채널", "out_channels": "출력 채널",
           "kernel_o": "커널 K[{o}]", "weights": "가중치 (c_o × c_i)",
           "zeros": "0을 끼워 넣고 패딩한 입력", "flipped": "뒤집은 K", "play": "재생",
           "pause": "일시 정지", "back": "한 단계 뒤로", "forward": "한 단계 앞으로", "speed": "속도",
           "frame": "프레임", "modes": "padding_mode",
           "mode_zeros": "바깥은 0입니다",
           "mode_reflect": "가장자리 칸을 축으로 비춥니다 (d c b | a b c d | c b a)",
           "mode_replicate": "가장자리 칸을 되풀이합니다 (a a a | a b c d | d d d)",
           "mode_circular": "반대쪽이 이어집니다 (b c d | a b c d | a b c)",
           "size": "입력 크기 n", "kernel_in": "커널 크기 k", "padding": "패딩 p (한쪽)",
           "stride": "스트라이드 s", "dilation": "팽창 d", "out": "출력 크기",
           "dilated": "팽창한 커널 d·(k − 1) + 1", "no_draw": "그리기에는 너무 큽니다"},
}
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _fmt(v: float) -> str:
    """A number as a cell shows it: ``-inf`` as −∞, 3.0 as 3."""
    if v in (float("inf"), float("-inf")):
        return "∞" if v > 0 else "−∞"
    return f"{v:g}"


def _factor(v: float) -> str:
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def _sum(xs: list[float], ks: list[float]) -> str:
    """The multiply-add written out: ``1×0 + 2×(−1)``."""
    return " + ".join(f"{_factor(x)}×{_factor(k)}" for x, k in zip(xs, ks))


def _frame_exists(self: Animation, frame: int) -> None:
    """``frame`` is one of the animation's frames: below their number.

    >>> animate_corr2d(torch.arange(9.).reshape(3, 3), torch.ones(2, 2)).values_at(4)
    Traceback (most recent call last):
    ...
    ValueError: frame must be < 4, got 4
    """
    if frame >= len(self.frames):
        raise ValueError(f"frame must be < {len(self.frames)}, got {frame}")


class Animation:
    """Frames of a sliding window over matrices drawn cell by cell.

    ``panels`` is a list of (title, matrices); each matrix is a dict with ``values`` (rows of
    strings) and ``shade`` (rows of ``""``, ``"pad"`` or ``"zero"``). Each frame is a dict:
    ``box`` (windows ``[m, r, c, h, w]`` on matrix ``m``), ``mark`` (cells ``[m, r, c]``),
    ``set`` (cells ``[m, r, c, text]`` written from this frame on) and ``text`` (the
    arithmetic). ``values_at(k)`` replays ``set`` up to frame k.

    >>> a = animate_corr2d(torch.arange(9.).reshape(3, 3), torch.ones(2, 2))
    >>> len(a.frames), a.frames[0]["text"]
    (4, 'Y[0, 0] = 0×1 + 1×1 + 3×1 + 4×1 = 8')
    """

    def __init__(self, panels: list[tuple[str, list[dict]]], frames: list[dict], alt: str,
                 lang: str, kind: str):
        self.panels, self.frames, self.alt, self.lang, self.kind = panels, frames, alt, lang, kind
        self.matrices = [m for _, ms in panels for m in ms]

    def __repr__(self) -> str:
        return f"<Animation {self.kind}: {len(self.frames)} frames>"

    @checked(_frame_exists, frame=Int(minimum=0))
    def values_at(self, frame: int) -> list[list[list[str]]]:
        """Every matrix's cells as the reader sees them at ``frame``.

        >>> a = animate_corr2d(torch.arange(9.).reshape(3, 3), torch.ones(2, 2))
        >>> a.values_at(1)[2]
        [['8', '12'], ['', '']]
        """
        values = [[list(row) for row in m["values"]] for m in self.matrices]
        for f in self.frames[:frame + 1]:
            for m, r, c, text in f["set"]:
                values[m][r][c] = text
        return values

    def _svg(self, p: int, first: int) -> str:
        """Panel ``p`` at frame 0: its matrices side by side, then the frame's windows."""
        ids = [i for i, (_, ms) in enumerate(self.panels) for _ in ms]
        mine = [i for i, owner in enumerate(ids) if owner == p]
        values = self.values_at(0)
        parts, x, height = [], 0, 0
        offsets = {}
        for m in mine:
            M = self.matrices[m]
            rows, cols = len(M["values"]), len(M["values"][0])
            offsets[m] = x
            for r in range(rows):
                for c in range(cols):
                    shade = M["shade"][r][c]
                    fill = ' fill="currentColor" fill-opacity=".14"' if shade == "pad" else (
                        ' fill="currentColor" fill-opacity=".05"' if shade == "zero" else ' fill="none"')
                    parts.append(f'<rect class="ca-cell{" ca-" + shade if shade else ""}" x="{x + c * CELL}" '
                                 f'y="{r * CELL}" width="{CELL}" height="{CELL}"{fill} '
                                 f'stroke="currentColor" stroke-opacity=".45"/>')
                    parts.append(f'<text x="{x + c * CELL + CELL / 2:g}" y="{r * CELL + CELL / 2:g}" '
                                 f'data-m="{m}" data-r="{r}" data-c="{c}">{html.escape(values[m][r][c])}</text>')
            x += cols * CELL + CELL // 2
            height = max(height, rows * CELL)
        width = x - CELL // 2
        overlay = "".join(_overlay(f, offsets) for f in _of_panel(self.frames[first], mine))
        return (f'<svg class="ca-svg" data-p="{p}" viewBox="-2 -2 {width + 4} {height + 4}" '
                f'width="{width + 4}" height="{height + 4}" font-size="13" text-anchor="middle" '
                f'dominant-baseline="central" fill="currentColor" aria-hidden="true">'
                f'{"".join(parts)}<g class="ca-overlay">{overlay}</g></svg>')

    def _repr_html_(self) -> str:
        w = WORDS[self.lang]
        data = {"cell": CELL, "accent": ACCENT, "frames": self.frames,
                "matrices": [{"values": m["values"]} for m in self.matrices],
                "panel_of": [i for i, (_, ms) in enumerate(self.panels) for _ in ms],
                "words": {k: w[k] for k in ("play", "pause", "frame")}}
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        panels = "".join(f'<div class="ca-panel"><div class="ca-title">{html.escape(t)}</div>'
                         f'{self._svg(p, 0)}</div>' for p, (t, _) in enumerate(self.panels))
        speeds = "".join(f'<option value="{s}"{" selected" if s == "1" else ""}>{s}×</option>'
                         for s in ("0.5", "1", "2"))
        controls = (f'<div class="conv-anim-controls" hidden>'
                    f'<button type="button" class="ca-back" aria-label="{w["back"]}">◀</button>'
                    f'<button type="button" class="ca-play" aria-pressed="false">{w["play"]}</button>'
                    f'<button type="button" class="ca-forward" aria-label="{w["forward"]}">▶</button>'
                    f'<label class="ca-speed">{w["speed"]} <select>{speeds}</select></label>'
                    f'<span class="ca-count">{w["frame"]} 1 / {len(self.frames)}</span></div>')
        return (f'<div class="conv-anim" lang="{self.lang}" data-kind="{self.kind}">'
                f'<div class="ca-panels" role="img" aria-label="{html.escape(self.alt)}">{panels}</div>'
                f'<p class="ca-text" aria-live="off">{html.escape(self.frames[0]["text"])}</p>'
                f'{controls}<script type="application/json" class="conv-anim-data">{payload}</script>'
                f'</div>')


def _of_panel(frame: dict, mine: list[int]) -> list[tuple[str, list]]:
    return ([("box", b) for b in frame["box"] if b[0] in mine]
            + [("mark", k) for k in frame["mark"] if k[0] in mine])


def _overlay(item: tuple[str, list], offsets: dict[int, int]) -> str:
    kind, v = item
    x0 = offsets[v[0]]
    if kind == "box":
        m, r, c, h, w = v
        return (f'<rect class="ca-box" x="{x0 + c * CELL}" y="{r * CELL}" width="{w * CELL}" '
                f'height="{h * CELL}" fill="none" stroke="{ACCENT}" stroke-width="3"/>')
    m, r, c = v
    return (f'<rect class="ca-mark" x="{x0 + c * CELL}" y="{r * CELL}" width="{CELL}" '
            f'height="{CELL}" fill="{ACCENT}" fill-opacity=".25"/>')


def _matrix(M: torch.Tensor, shade: torch.Tensor | None = None, blank: bool = False,
            zero: torch.Tensor | None = None) -> dict:
    rows, cols = M.shape
    return {"values": [["" if blank else _fmt(float(M[r, c])) for c in range(cols)] for r in range(rows)],
            "shade": [["pad" if shade is not None and shade[r, c] else
                       "zero" if zero is not None and zero[r, c] else "" for c in range(cols)]
                      for r in range(rows)]}


def _frame(box: list, mark: list, set_: list, text: str) -> dict:
    return {"box": box, "mark": mark, "set": set_, "text": text}


def _check_common(lang: object, alt: object, *matrices: tuple[str, tuple[int, ...]]) -> str:
    """``lang`` one of ``LANGS``, ``alt`` a non-empty str, each drawn matrix (name, shape) at
    most ``MAX_SIDE`` on a side, checked before it is computed. Returns ``lang``."""
    _check.OneOf(LANGS)(lang, "lang")
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str (the text a screen reader says), got {type(alt).__name__}")
    if not alt.strip():
        raise ValueError("alt must describe the animation for a screen reader, got an empty str")
    for name, shape in matrices:
        if max(shape[-2:]) > MAX_SIDE:
            raise ValueError(f"{name} of shape {tuple(shape)} is too large to animate: at most "
                             f"{MAX_SIDE} rows and columns (companion.animation.MAX_SIDE)")
    return lang


def _check_frames(n: int, what: str) -> None:
    if n > MAX_FRAMES:
        raise ValueError(f"{what} would make {n} frames, more than MAX_FRAMES = {MAX_FRAMES}: "
                         f"animate a smaller example")


def _slide(X: torch.Tensor, K: torch.Tensor, Y: torch.Tensor, src: int, dst: int,
           stride: tuple[int, int] = (1, 1), dilation: tuple[int, int] = (1, 1),
           extra: list | None = None) -> list[dict]:
    """One frame per output cell: the window of ``K`` (dilated) on matrix ``src`` (values
    ``X``), its multiply-add, and ``Y[i, j]`` written into matrix ``dst``."""
    (k_h, k_w), (s_h, s_w), (d_h, d_w) = K.shape, stride, dilation
    frames = []
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            r0, c0 = i * s_h, j * s_w
            taps = [(r0 + a * d_h, c0 + b * d_w) for a in range(k_h) for b in range(k_w)]
            xs = [float(X[r, c]) for r, c in taps]
            ks = [float(k) for k in K.flatten()]
            mark = [[src, r, c] for r, c in taps] if (d_h, d_w) != (1, 1) else []
            frames.append(_frame([[src, r0, c0, d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1]] + (extra or []),
                                 mark + [[dst, i, j]], [[dst, i, j, _fmt(float(Y[i, j]))]],
                                 f"Y[{i}, {j}] = {_sum(xs, ks)} = {_fmt(float(Y[i, j]))}"))
    return frames


@checked(corr2d.guard, **corr2d.rules)
def animate_corr2d(X: torch.Tensor, K: torch.Tensor, lang: str = "en",
                   alt: str = "A window slides over the input; each step writes one output "
                              "cell and its multiply-add.") -> Animation:
    """2-D cross-correlation, one frame per output cell, computed by ``corr2d``; each frame
    writes the cell's multiply-add out.

    >>> animate_corr2d(torch.arange(9.).reshape(3, 3), torch.ones(2, 2)).frames[3]["text"]
    'Y[1, 1] = 4×1 + 5×1 + 7×1 + 8×1 = 24'
    """
    lang = _check_common(lang, alt, ("X", X.shape), ("K", K.shape))
    Y = corr2d(X, K)
    _check_frames(Y.numel(), f"an output of shape {tuple(Y.shape)}")
    w = WORDS[lang]
    panels = [(w["input"], [_matrix(X)]), (w["kernel"], [_matrix(K)]),
              (w["output"], [_matrix(Y, blank=True)])]
    return Animation(panels, _slide(X, K, Y, 0, 2), alt, lang, "corr2d")


def dilated_kernel_fits(X: torch.Tensor, K: torch.Tensor, padding: tuple[int, int],
                        dilation: tuple[int, int]) -> None:
    """``X`` and ``K`` of one dtype and device, and a dilated kernel that fits the padded input.

    >>> animate_conv2d(torch.ones(3, 3), torch.ones(2, 2), 0, 1, 3)
    Traceback (most recent call last):
    ...
    ValueError: K of shape (2, 2) dilated by (3, 3) spans (4, 4), more than X padded by padding (0, 0): (3, 3); lower dilation, or raise padding
    """
    _check.same_dtype(X, K, "X", "K")
    p, d = padding, dilation
    span = tuple(d[a] * (K.shape[a] - 1) + 1 for a in (0, 1))
    padded = tuple(X.shape[a] + 2 * p[a] for a in (0, 1))
    if span[0] > padded[0] or span[1] > padded[1]:
        raise ValueError(f"K of shape {tuple(K.shape)} dilated by {d} spans {span}, more than X "
                         f"padded by padding {p}: {padded}; lower dilation, or raise padding")


@checked(dilated_kernel_fits, X=Tensor(ndim=2), K=Tensor(ndim=2), padding=Pair(minimum=0),
         stride=Pair(minimum=1), dilation=Pair(minimum=1))
def animate_conv2d(X: torch.Tensor, K: torch.Tensor, padding: int | tuple[int, int] = 0,
                   stride: int | tuple[int, int] = 1, dilation: int | tuple[int, int] = 1,
                   lang: str = "en", alt: str = "A window slides over the padded input with "
                                                "the given stride and dilation.") -> Animation:
    """A convolutional layer's window with zero padding, stride and dilation, as
    ``nn.Conv2d(1, 1, K.shape, stride, padding, dilation)`` moves it: ``pad2d`` pads,
    ``insert_zeros`` dilates the kernel, ``corr2d`` computes, and every ``stride``-th window
    is kept.

    >>> a = animate_conv2d(torch.arange(9.).reshape(3, 3), torch.ones(2, 2), padding=1, stride=2)
    >>> a.frames[0]["text"], len(a.frames)
    ('Y[0, 0] = 0×1 + 0×1 + 0×1 + 0×1 = 0', 4)
    """
    p, s, d = padding, stride, dilation
    lang = _check_common(lang, alt, (f"X padded by padding={p}", (X.shape[0] + 2 * p[0], X.shape[1] + 2 * p[1])), ("K", K.shape))
    Xp = pad2d(X, p)
    full = corr2d(Xp, insert_zeros(K, d))     # every window, the kernel spread d apart
    Y = full[::s[0], ::s[1]]                  # keep every s-th one
    _check_frames(Y.numel(), f"an output of shape {tuple(Y.shape)}")
    is_pad = torch.ones_like(Xp, dtype=torch.bool)
    is_pad[p[0]:p[0] + X.shape[0], p[1]:p[1] + X.shape[1]] = False
    w = WORDS[lang]
    panels = [(w["padded"] if p != (0, 0) else w["input"], [_matrix(Xp, is_pad)]),
              (w["kernel"], [_matrix(K)]), (w["output"], [_matrix(Y, blank=True)])]
    return Animation(panels, _slide(Xp, K, Y, 0, 2, s, d), alt, lang, "conv2d")


def _reflect_fits(X: torch.Tensor, padding: int) -> None:
    """A ``padding`` that reflect can mirror (at most ``min(X.shape) - 1``), and padded copies of
    ``X`` within the memory budget.

    >>> pad_modes(torch.ones(2, 3), 2)
    Traceback (most recent call last):
    ...
    ValueError: padding must be at most min(X.shape) - 1 = 1 for reflect, got 2
    """
    if padding > min(X.shape) - 1:
        raise ValueError(f"padding must be at most min(X.shape) - 1 = {min(X.shape) - 1} for "
                         f"reflect, got {padding}")
    shape = (X.shape[0] + 2 * padding, X.shape[1] + 2 * padding)
    _check.within_budget(shape[0] * shape[1] * X.element_size(), f"padding={padding!r} (a {shape} result of {X.dtype})")


@checked(_reflect_fits, X=Tensor(ndim=2), padding=Int(minimum=0))
def pad_modes(X: torch.Tensor, padding: int) -> dict[str, torch.Tensor]:
    """``X`` padded by ``padding`` on every side in each of ``nn.Conv2d``'s padding modes:
    ``pad2d`` for zeros, ``mirror_pad2d`` for reflect; replicate clamps the index to the
    border and circular takes it modulo the size.

    >>> pad_modes(torch.tensor([[1., 2.], [3., 4.]]), 1)["circular"]
    tensor([[4., 3., 4., 3.],
            [2., 1., 2., 1.],
            [4., 3., 4., 3.],
            [2., 1., 2., 1.]])
    """
    p = padding
    h, w = X.shape
    rows, cols = torch.arange(-p, h + p), torch.arange(-p, w + p)
    return {"zeros": pad2d(X, p), "reflect": mirror_pad2d(X, p, mode="reflect"),
            "replicate": X[rows.clamp(0, h - 1)][:, cols.clamp(0, w - 1)],
            "circular": X[rows % h][:, cols % w]}


@checked(_reflect_fits, X=Tensor(ndim=2), padding=Int(minimum=0))
def animate_padding_modes(X: torch.Tensor, padding: int = 1, lang: str = "en",
                          alt: str = "The same input padded in each padding mode in turn.") -> Animation:
    """The four padding modes of ``nn.Conv2d`` (zeros, reflect, replicate, circular), one
    frame each, computed by ``pad_modes``; the frame marks the padded cells.

    >>> a = animate_padding_modes(torch.arange(1., 10.).reshape(3, 3))
    >>> a.values_at(1)[0][0]
    ['5', '4', '5', '6', '5']
    """
    p = padding
    lang = _check_common(lang, alt, (f"X padded by padding={p}", (X.shape[0] + 2 * p, X.shape[1] + 2 * p)))
    padded = pad_modes(X, p)
    w = WORDS[lang]
    shape = padded["zeros"].shape
    is_pad = torch.ones(shape, dtype=torch.bool)
    is_pad[p:p + X.shape[0], p:p + X.shape[1]] = False
    frames = []
    for mode in PADDING_MODES:
        P = padded[mode]
        cells = [[0, r, c, _fmt(float(P[r, c]))] for r in range(shape[0]) for c in range(shape[1])
                 if is_pad[r, c]]
        frames.append(_frame([[0, p, p, X.shape[0], X.shape[1]]], [], cells,
                             f"padding_mode='{mode}': {w['mode_' + mode]}"))
    panel = _matrix(padded["zeros"], is_pad)
    for row, pads in zip(panel["values"], is_pad.tolist()):
        row[:] = ["" if q else v for v, q in zip(row, pads)]
    return Animation([(w["padded"], [panel])], frames, alt, lang, "padding_modes")


@checked(conv_transpose2d.guard, **conv_transpose2d.rules)
def animate_conv_transpose2d(X: torch.Tensor, K: torch.Tensor, stride: int | tuple[int, int] = 1,
                             padding: int | tuple[int, int] = 0, lang: str = "en",
                             alt: str = "Zeros are inserted between the input's entries; the "
                                        "flipped kernel slides over the result.") -> Animation:
    """Transposed convolution as ``conv_transpose2d`` computes it: ``insert_zeros`` spreads
    ``X`` ``stride`` apart, ``pad2d`` pads k − 1 − p zeros around, and the flipped kernel
    slides over the result; each frame marks the inputs the window reaches.

    >>> X = torch.tensor([[0., 1.], [2., 3.]])
    >>> animate_conv_transpose2d(X, X, stride=2).frames[5]["text"]
    'Y[1, 1] = 0×3 + 0×2 + 0×1 + 0×0 = 0'
    """
    s, p = stride, padding
    k_h, k_w = K.shape
    q = (k_h - 1 - p[0], k_w - 1 - p[1])
    z = tuple(s[a] * (X.shape[a] - 1) + 1 + 2 * q[a] for a in (0, 1))  # the shape of Z below
    lang = _check_common(lang, alt, ("X with zeros inserted and padded", z), ("K", K.shape))
    spread = insert_zeros(X, s)
    Z = pad2d(spread, q)
    Y = conv_transpose2d(X, K, s, p)
    _check_frames(Y.numel(), f"an output of shape {tuple(Y.shape)}")
    is_pad = torch.ones_like(Z, dtype=torch.bool)
    is_pad[q[0]:q[0] + spread.shape[0], q[1]:q[1] + spread.shape[1]] = False
    inserted = torch.zeros_like(Z, dtype=torch.bool)
    inserted[q[0]:q[0] + spread.shape[0], q[1]:q[1] + spread.shape[1]] = True
    inserted[q[0]:q[0] + spread.shape[0]:s[0], q[1]:q[1] + spread.shape[1]:s[1]] = False
    Kf = torch.flip(K, dims=(0, 1))
    w = WORDS[lang]
    panels = [(w["input"], [_matrix(X)]), (w["kernel"], [_matrix(K)]),
              (w["zeros"], [_matrix(Z, is_pad, zero=inserted)]), (w["flipped"], [_matrix(Kf)]),
              (w["output"], [_matrix(Y, blank=True)])]
    frames = _slide(Z, Kf, Y, 2, 4)
    for f, (i, j) in zip(frames, [(i, j) for i in range(Y.shape[0]) for j in range(Y.shape[1])]):
        for a in range(k_h):          # the entries of X inside the window
            for b in range(k_w):
                r, c = i + a - q[0], j + b - q[1]
                if 0 <= r < spread.shape[0] and 0 <= c < spread.shape[1] and r % s[0] == c % s[1] == 0:
                    f["mark"].append([0, r // s[0], c // s[1]])
    return Animation(panels, frames, alt, lang, "conv_transpose2d")


@checked(corr2d_multi_in.guard, **corr2d_multi_in.rules)
def animate_multi_in(X: torch.Tensor, K: torch.Tensor, lang: str = "en",
                     alt: str = "The window moves over every input channel at once; the "
                                "channels' sums are added into one output.") -> Animation:
    """Several input channels: one window per channel, the channels' multiply-adds summed
    into one output cell, computed by ``corr2d_multi_in``.

    >>> X = torch.ones(2, 3, 3)
    >>> animate_multi_in(X, torch.ones(2, 2, 2)).frames[0]["text"]
    'Y[0, 0] = (1×1 + 1×1 + 1×1 + 1×1) + (1×1 + 1×1 + 1×1 + 1×1) = 8'
    """
    lang = _check_common(lang, alt, ("X", X.shape), ("K", K.shape))
    Y = corr2d_multi_in(X, K)
    _check_frames(Y.numel(), f"an output of shape {tuple(Y.shape)}")
    c_i, (k_h, k_w) = X.shape[0], K.shape[1:]
    w = WORDS[lang]
    panels = [(w["channels"], [_matrix(x) for x in X]), (w["kernel"], [_matrix(k) for k in K]),
              (w["output"], [_matrix(Y, blank=True)])]
    frames = []
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            parts = [_sum(X[c, i:i + k_h, j:j + k_w].flatten().tolist(), K[c].flatten().tolist())
                     for c in range(c_i)]
            frames.append(_frame([[c, i, j, k_h, k_w] for c in range(c_i)], [[2 * c_i, i, j]],
                                 [[2 * c_i, i, j, _fmt(float(Y[i, j]))]],
                                 f"Y[{i}, {j}] = " + " + ".join(f"({t})" for t in parts)
                                 + f" = {_fmt(float(Y[i, j]))}"))
    return Animation(panels, frames, alt, lang, "multi_in")


@checked(corr2d_multi_in_out.guard, **corr2d_multi_in_out.rules)
def animate_multi_in_out(X: torch.Tensor, K: torch.Tensor, lang: str = "en",
                         alt: str = "Each output channel has its own kernel over all input "
                                    "channels; the window fills one output channel after "
                                    "the other.") -> Animation:
    """Several output channels: output channel o is ``corr2d_multi_in`` of the input with
    ``K[o]``, computed by ``corr2d_multi_in_out``; one frame per output cell.

    >>> a = animate_multi_in_out(torch.ones(2, 3, 3), torch.ones(3, 2, 2, 2))
    >>> len(a.frames), a.frames[-1]["text"][:10]
    (12, 'Y[2, 1, 1]')
    """
    lang = _check_common(lang, alt, ("X", X.shape), ("K", K.shape))
    Y = corr2d_multi_in_out(X, K)
    _check_frames(Y.numel(), f"an output of shape {tuple(Y.shape)}")
    c_o, c_i, k_h, k_w = K.shape
    w = WORDS[lang]
    panels = ([(w["channels"], [_matrix(x) for x in X])]
              + [(w["kernel_o"].format(o=o), [_matrix(k) for k in K[o]]) for o in range(c_o)]
              + [(w["out_channels"], [_matrix(y, blank=True) for y in Y])])
    out0 = c_i + c_o * c_i   # the first output matrix
    frames = []
    for o in range(c_o):
        for i in range(Y.shape[1]):
            for j in range(Y.shape[2]):
                parts = [_sum(X[c, i:i + k_h, j:j + k_w].flatten().tolist(), K[o, c].flatten().tolist())
                         for c in range(c_i)]
                boxes = ([[c, i, j, k_h, k_w] for c in range(c_i)]
                         + [[c_i + o * c_i + c, 0, 0, k_h, k_w] for c in range(c_i)])
                frames.append(_frame(boxes, [[out0 + o, i, j]],
                                     [[out0 + o, i, j, _fmt(float(Y[o, i, j]))]],
                                     f"Y[{o}, {i}, {j}] = " + " + ".join(f"({t})" for t in parts)
                                     + f" = {_fmt(float(Y[o, i, j]))}"))
    return Animation(panels, frames, alt, lang, "multi_in_out")


@checked(corr2d_multi_in_out_1x1.guard, **corr2d_multi_in_out_1x1.rules)
def animate_conv1x1(X: torch.Tensor, K: torch.Tensor, lang: str = "en",
                    alt: str = "A 1×1 kernel reads one pixel's channels at a time and "
                               "writes every output channel of that pixel.") -> Animation:
    """A 1×1 convolution, one frame per pixel: the pixel's c_i channel values times the
    (c_o, c_i) weights give its c_o outputs, computed by ``corr2d_multi_in_out_1x1``.

    >>> a = animate_conv1x1(torch.arange(8.).reshape(2, 2, 2), torch.ones(3, 2, 1, 1))
    >>> a.frames[1]["text"].splitlines()[0]
    'Y[0, 0, 1] = 1×1 + 5×1 = 6'
    """
    lang = _check_common(lang, alt, ("X", X.shape), ("K", K.shape))
    Y = corr2d_multi_in_out_1x1(X, K)
    c_i, h, w_ = X.shape
    c_o = K.shape[0]
    _check_frames(h * w_, f"an input of {h}×{w_} pixels")
    W = K.reshape(c_o, c_i)
    w = WORDS[lang]
    panels = [(w["channels"], [_matrix(x) for x in X]), (w["weights"], [_matrix(W)]),
              (w["out_channels"], [_matrix(y, blank=True) for y in Y])]
    frames = []
    for i in range(h):
        for j in range(w_):
            lines = [f"Y[{o}, {i}, {j}] = {_sum(X[:, i, j].tolist(), W[o].tolist())} = "
                     f"{_fmt(float(Y[o, i, j]))}" for o in range(c_o)]
            frames.append(_frame([[c, i, j, 1, 1] for c in range(c_i)] + [[c_i, 0, 0, c_o, c_i]],
                                 [[c_i + 1 + o, i, j] for o in range(c_o)],
                                 [[c_i + 1 + o, i, j, _fmt(float(Y[o, i, j]))] for o in range(c_o)],
                                 "\n".join(lines)))
    return Animation(panels, frames, alt, lang, "conv1x1")


@checked(pool2d.guard, **pool2d.rules)
def animate_pool2d(X: torch.Tensor, pool_size: int | tuple[int, int], mode: str = "max",
                   padding: int | tuple[int, int] = 0,
                   stride: int | tuple[int, int] | None = None, lang: str = "en",
                   alt: str = "The pooling window slides over the padded input; each step "
                              "writes the window's maximum or mean.") -> Animation:
    """Max or average pooling as ``pool2d`` computes it: max pooling pads with −∞ (a padded
    cell never wins), average pooling with 0 and divides by the window size.

    >>> a = animate_pool2d(torch.arange(4.).reshape(2, 2), 2, padding=1)
    >>> a.frames[0]["text"]
    'Y[0, 0] = max(−∞, −∞, −∞, 0) = 0'
    """
    (k_h, k_w), p, s = pool_size, padding, stride
    lang = _check_common(lang, alt, (f"X padded by padding={p}", (X.shape[0] + 2 * p[0], X.shape[1] + 2 * p[1])))
    fill = float("-inf") if mode == "max" else 0.0
    Xp = pad2d(X, p, value=fill)
    Y = pool2d(X, pool_size, mode, padding, stride)
    _check_frames(Y.numel(), f"an output of shape {tuple(Y.shape)}")
    is_pad = torch.ones_like(Xp, dtype=torch.bool)
    is_pad[p[0]:p[0] + X.shape[0], p[1]:p[1] + X.shape[1]] = False
    w = WORDS[lang]
    panels = [(w["padded"] if p != (0, 0) else w["input"], [_matrix(Xp, is_pad)]),
              (w["output"], [_matrix(Y, blank=True)])]
    frames = []
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            r0, c0 = i * s[0], j * s[1]
            window = [_fmt(v) for v in Xp[r0:r0 + k_h, c0:c0 + k_w].flatten().tolist()]
            y = _fmt(float(Y[i, j]))
            arithmetic = (f"max({', '.join(window)})" if mode == "max"
                          else f"({' + '.join(window)}) / {k_h * k_w}")
            frames.append(_frame([[0, r0, c0, k_h, k_w]], [[1, i, j]], [[1, i, j, y]],
                                 f"Y[{i}, {j}] = {arithmetic} = {y}"))
    return Animation(panels, frames, alt, lang, f"pool2d_{mode}")


# --- The shape playground (section 05) -------------------------------------------------

def playground_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1,
                           dilation: int = 1) -> int:
    """The output size the playground shows for a square input: ``conv_output_shape`` with
    the dilated kernel d (k − 1) + 1, as ``nn.Conv2d(1, 1, kernel, stride, padding,
    dilation)`` computes ⌊(n + 2p − d (k − 1) − 1) / s⌋ + 1. An impossible setting raises
    the ``ValueError`` whose message the playground shows.

    >>> playground_output_size(8, 3, padding=1, stride=2, dilation=2)
    3
    """
    n = _check.Int(minimum=1)(size, "input_size")
    k = _check.Int(minimum=1)(kernel, "kernel_size")
    p = _check.Int(minimum=0)(padding, "padding")
    s = _check.Int(minimum=1)(stride, "stride")
    d = _check.Int(minimum=1)(dilation, "dilation")
    return conv_output_shape(n, d * (k - 1) + 1, p, s)[0]


class Playground:
    """The output-shape playground: inputs named ``size``, ``kernel``, ``padding``,
    ``stride``, ``dilation``; the output size in ``.out-size``, the formula with the numbers
    put in, and the window sliding on a grid of that size (played by the book's
    ``conv_anim.js``). Without JavaScript it shows the starting setting.

    >>> "conv-playground" in Playground(lang="en")._repr_html_()
    True
    """

    FIELDS = (("size", 7, 1, 32), ("kernel", 3, 1, 9), ("padding", 1, 0, 8),
              ("stride", 2, 0, 8), ("dilation", 1, 1, 4))

    @checked(lang=OneOf(LANGS))
    def __init__(self, lang: str = "en"):
        self.lang = lang

    def __repr__(self) -> str:
        return "<Playground: output size of nn.Conv2d>"

    def _repr_html_(self) -> str:
        w = WORDS[self.lang]
        labels = {"size": w["size"], "kernel": w["kernel_in"], "padding": w["padding"],
                  "stride": w["stride"], "dilation": w["dilation"]}
        inputs = "".join(f'<label>{labels[name]} <input type="number" name="{name}" value="{v}" '
                         f'min="{lo}" max="{hi}" step="1"></label>' for name, v, lo, hi in self.FIELDS)
        n, k, p, s, d = (v for _, v, _, _ in self.FIELDS)
        out = playground_output_size(n, k, p, s, d)
        formula = (f"⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = "
                   f"⌊{n + 2 * p - d * (k - 1) - 1} / {s}⌋ + 1 = {out}")
        words = json.dumps({k: w[k] for k in ("dilated", "no_draw", "play", "pause")},
                           ensure_ascii=False)
        return (f'<div class="conv-playground" lang="{self.lang}">'
                f'<div class="cp-inputs">{inputs}</div>'
                f'<p>{w["out"]}: <output class="out-size" aria-live="polite">{out}</output></p>'
                f'<p class="cp-formula">{formula}</p><div class="cp-grid"></div>'
                f'<script type="application/json" class="conv-playground-data">{words}</script>'
                f'</div>')
