"""LeNet-5 (LeCun et al., 1998) as D2L builds it, plus a modern variant and a layer summary.

``LeNet()`` is the classic model: two 5×5 convolutions with sigmoid activations and 2×2
average pooling, then three fully connected layers (120, 84, 10 units).
``LeNet(activation="relu", pool="max")`` is the modern variant; ``channels``, ``hidden`` and
``input_size`` change its width and the image size it expects.
"""
from __future__ import annotations

import math
import unicodedata
from typing import NamedTuple

import torch
from torch import nn

from . import _check
from ._check import Int, Ints, Module, OneOf, Strings, checked
from .shapes import conv_output_size

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


def pools_get_input(input_size: int) -> None:
    """An ``input_size`` of at least 12, so that both pooling layers get an input.

    >>> lenet_feature_size(11)
    Traceback (most recent call last):
    ...
    ValueError: input_size must be at least 12 so that both pooling layers get an input, got 11
    """
    if input_size // 2 - 4 < 2:
        raise ValueError(f"input_size must be at least 12 so that both pooling layers get an input, got {input_size}")


@checked(pools_get_input, input_size=Int(minimum=1))
def lenet_feature_size(input_size: int) -> int:
    """Side length of the feature maps that LeNet's second pooling layer hands to the
    fully connected layers, for a square ``input_size``×``input_size`` image.

    conv 5×5 with padding 2 keeps the size, pooling halves it, the unpadded 5×5 conv takes 4 away.

    >>> lenet_feature_size(28), lenet_feature_size(14)
    (5, 1)
    """
    n = conv_output_size(input_size, 5, total_padding=4)  # conv 5×5, padding 2 on each side
    n = conv_output_size(n, 2, stride=2)                  # 2×2 pool, stride 2
    n = conv_output_size(n, 5)                            # conv 5×5
    return conv_output_size(n, 2, stride=2)               # 2×2 pool, stride 2


def lenet_within_budget(channels: tuple[int, int], hidden: tuple[int, int], num_classes: int,
                        input_size: int) -> None:
    """An ``input_size`` that leaves both pooling layers an input (``pools_get_input``), and
    parameters that need at most ``MEMORY_BUDGET`` bytes (2 GiB): a larger LeNet is refused
    before a layer is built.

    >>> LeNet(channels=(10**5, 10**5))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: channels=(100000, 100000), ... (250,302,711,134 float32 parameters) would allocate 932.5 GiB, ...
    """
    pools_get_input(input_size)
    (c1, c2), (h1, h2), n = channels, hidden, num_classes
    side = lenet_feature_size.__wrapped__(input_size)  # the arithmetic alone: input_size is checked
    params = ((25 + 1) * c1 + (25 * c1 + 1) * c2 + (c2 * side * side + 1) * h1 + (h1 + 1) * h2
              + (h2 + 1) * n)
    dtype = torch.get_default_dtype()
    _check.within_budget(params * dtype.itemsize,
                         f"channels={(c1, c2)}, hidden={(h1, h2)}, num_classes={n}, input_size={input_size} "
                         f"({params:,} {str(dtype).removeprefix('torch.')} parameters)")


class LeNet(nn.Sequential):
    """LeNet-5 as a stack of layers (``nn.Sequential``):

    conv 5×5 (padding 2) → activation → 2×2 pool, stride 2 → conv 5×5 → activation →
    2×2 pool, stride 2 → flatten → FC ``hidden[0]`` → activation → FC ``hidden[1]`` →
    activation → FC ``num_classes``.

    >>> net = LeNet()
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in net.parameters())
    61706
    """

    @checked(lenet_within_budget, activation=OneOf(tuple(ACTIVATIONS)), pool=OneOf(tuple(POOLS)),
             channels=Ints(2, minimum=1), hidden=Ints(2, minimum=1), num_classes=Int(minimum=2),
             input_size=Int(minimum=1))
    def __init__(self, activation: str = "sigmoid", pool: str = "avg",
                 channels: tuple[int, int] = (6, 16),
                 hidden: tuple[int, int] = (120, 84),
                 num_classes: int = 10, input_size: int = 28):
        Act, Pool = ACTIVATIONS[activation], POOLS[pool]
        (c1, c2), (h1, h2) = channels, hidden
        side = lenet_feature_size(input_size)  # of the feature maps after the 2nd pool
        super().__init__(
            nn.Conv2d(1, c1, kernel_size=5, padding=2), Act(),
            Pool(kernel_size=2, stride=2),
            nn.Conv2d(c1, c2, kernel_size=5), Act(),
            Pool(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.Linear(c2 * side * side, h1), Act(),
            nn.Linear(h1, h2), Act(),
            nn.Linear(h2, num_classes))

    def __getitem__(self, idx: int | slice) -> nn.Module:
        if isinstance(idx, slice):  # net[:2], the first block: a plain nn.Sequential
            return nn.Sequential(*list(self)[idx])
        return super().__getitem__(idx)


@checked(net=Module())
def init_xavier(net: nn.Module) -> nn.Module:
    """Xavier-uniform initialization of every ``nn.Linear`` and ``nn.Conv2d`` weight, as
    D2L does (``init_cnn``); biases keep PyTorch's default. Returns ``net``.

    Xavier draws weights from U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), so that
    the variance of the signal stays about the same from layer to layer.

    >>> _ = torch.manual_seed(0)
    >>> w = init_xavier(nn.Linear(400, 120)).weight
    >>> bool(w.abs().max() <= (6 / (400 + 120)) ** 0.5)
    True
    """
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
    return net


class LayerInfo(NamedTuple):
    """One row of ``layer_summary``: a layer, the shape of its output, its parameter count."""
    name: str
    output_shape: tuple[int, ...]
    num_params: int


def summary_rows(rows: object, total: object) -> None:
    """``rows`` a list of ``LayerInfo`` rows and ``total`` the label of their sum (a str).

    >>> Summary([("Conv2d", 156)], ("Layer", "Output shape", "Parameters"), "Total")
    Traceback (most recent call last):
    ...
    TypeError: rows must be LayerInfo rows (name, output_shape, num_params), got [('Conv2d', 156)]
    """
    if not (isinstance(rows, (list, tuple)) and all(isinstance(r, LayerInfo) for r in rows)):
        raise TypeError(f"rows must be LayerInfo rows (name, output_shape, num_params), got {rows!r}")
    if not isinstance(total, str):
        raise TypeError(f"total must be a str, got {type(total).__name__}")


def _width(text: str) -> int:
    """Columns ``text`` takes on screen: a Hangul (wide) character takes two.

    >>> _width("합계"), _width("Total")
    (4, 5)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class Summary(list):
    """The rows of ``layer_summary``; shown as a text table (and as a Markdown table in the book)."""

    @checked(summary_rows, headers=Strings(3, "layer, output shape, parameters"))
    def __init__(self, rows: list[LayerInfo], headers: tuple[str, str, str], total: str):
        super().__init__(rows)
        self.headers, self.total = headers, total

    def _cells(self) -> list[tuple[str, str, str]]:
        out = [(r.name, " × ".join(map(str, r.output_shape)), f"{r.num_params:,}") for r in self]
        return out + [(self.total, "", f"{sum(r.num_params for r in self):,}")]

    def __repr__(self) -> str:
        rows = [tuple(self.headers)] + self._cells()
        w = [max(_width(r[k]) for r in rows) for k in range(3)]
        fill = lambda text, k: " " * (w[k] - _width(text))  # noqa: E731
        line = lambda r: f"{r[0]}{fill(r[0], 0)}  {r[1]}{fill(r[1], 1)}  {fill(r[2], 2)}{r[2]}"  # noqa: E731
        return "\n".join([line(rows[0]), "-" * (sum(w) + 4)] + [line(r) for r in rows[1:]])

    def _repr_markdown_(self) -> str:
        h = self.headers
        rows = [f"| {h[0]} | {h[1]} | {h[2]} |", "|:--|:--|--:|"]
        rows += [f"| {a} | {b} | {c} |" for a, b, c in self._cells()[:-1]]
        a, _, c = self._cells()[-1]
        return "\n".join(rows + [f"| **{a}** | | **{c}** |"])


def summarizable(net: object, input_shape: object, headers: object, total: object) -> dict[str, tuple]:
    """``net`` a ``torch.nn.Sequential`` (e.g. ``LeNet()``), ``input_shape`` a batch shape (at
    least two ints >= 1) whose zero input, in the dtype of ``net``, needs at most
    ``MEMORY_BUDGET`` bytes, three ``headers`` and a ``total`` (strings).

    Returns the shape and the headers as tuples.

    >>> layer_summary(LeNet(), [])
    Traceback (most recent call last):
    ...
    ValueError: input_shape must be a batch shape such as (1, 1, 28, 28), got []
    """
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be a torch.nn.Sequential (e.g. LeNet()), got {type(net).__name__}")
    if not _check.is_sequence(input_shape):
        raise TypeError(f"input_shape must be a tuple of ints such as (1, 1, 28, 28), got {input_shape!r}")
    if len(input_shape) < 2:
        raise ValueError(f"input_shape must be a batch shape such as (1, 1, 28, 28), got {input_shape!r}")
    shape = _check.Ints(minimum=1)(input_shape, "input_shape")
    if not (isinstance(headers, (tuple, list)) and len(headers) == 3 and all(isinstance(h, str) for h in headers)):
        raise TypeError(f"headers must be three strings (layer, output shape, parameters), got {headers!r}")
    if not isinstance(total, str):
        raise TypeError(f"total must be a str, got {type(total).__name__}")
    dtype = _dtype(net)
    _check.within_budget(math.prod(shape) * dtype.itemsize, f"input_shape={shape} (a zero input of {dtype})")
    return {"input_shape": shape, "headers": tuple(headers)}


def _dtype(net: nn.Module) -> torch.dtype:
    param = next(net.parameters(), None)
    return param.dtype if param is not None else torch.float32


@checked(summarizable)
def layer_summary(net: nn.Sequential, input_shape: tuple[int, ...] = (1, 1, 28, 28),
                  headers: tuple[str, str, str] = ("Layer", "Output shape", "Parameters"),
                  total: str = "Total") -> Summary:
    """Feed a zero tensor of ``input_shape`` through the layers of ``net`` one by one and
    list each layer's name, output shape and number of parameters.

    ``headers`` and ``total`` are the table's labels (translate them on a Korean page).

    >>> rows = layer_summary(LeNet())
    >>> rows[0]
    LayerInfo(name='Conv2d', output_shape=(1, 6, 28, 28), num_params=156)
    >>> rows[-1].output_shape, sum(r.num_params for r in rows)
    ((1, 10), 61706)
    """
    param = next(net.parameters(), None)
    X = torch.zeros(input_shape, dtype=_dtype(net), device=param.device if param is not None else "cpu")
    rows = []
    with torch.inference_mode(), _check.fits(net, f"input_shape {input_shape}"):
        for layer in net:
            X = layer(X)
            rows.append(LayerInfo(type(layer).__name__, tuple(X.shape),
                                  sum(p.numel() for p in layer.parameters())))
    return Summary(rows, headers, total)
