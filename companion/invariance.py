"""Translation invariance and locality, measured.

``shift2d`` moves images by whole pixels; ``equivariance_error`` checks that a layer's
output moves with its input; ``relative_change`` measures how much an output changes when
the input moves; ``influence_map`` shows which input pixels one output depends on, and
``receptive_field`` turns it into the set of pixels an output sees (``receptive_field_size``
gives its side by formula); ``conv_as_fc_matrix`` writes a convolution as the fully
connected layer it is a special case of.

Autograd sees a net at one input only. Where a ReLU sits exactly at 0 or a max pool has tied
values, the gradient of a pixel that does influence the output can come out 0. So
``influence_map`` refuses an input that puts a layer on such a kink, and ``receptive_field``
(which probes at a zero input) traces a net with layers that can block a path there (ReLU and
its relatives, max pooling, dropout in training mode) as ``open_paths(net)``: the net with
every path open (the same windows, positive weights, no such layers), whose field is the field
of ``net``.
"""
from __future__ import annotations

import copy
import warnings
from collections.abc import Callable

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F
from torch import nn

from . import _check
from ._check import Flag, Function, Int, Ints, Module, Offset, Pair, Tensor, checked


def image_like(X: object) -> torch.Tensor:
    """``X``: a non-empty tensor of at least 2 dimensions (..., h, w), of any dtype.

    >>> shift2d(torch.ones(3), (1, 0))
    Traceback (most recent call last):
    ...
    ValueError: X must have at least 2 dimensions (..., h, w), got shape (3,)
    """
    X = _check.Tensor(floating=False)(X, "X")
    if X.dim() < 2:
        raise ValueError(f"X must have at least 2 dimensions (..., h, w), got shape {tuple(X.shape)}")
    return X


@checked(image_like, shift=Offset())
def shift2d(X: torch.Tensor, shift: tuple[int, int]) -> torch.Tensor:
    """Move the image(s) ``X`` (shape (..., h, w)) down by ``shift[0]`` and right by
    ``shift[1]`` pixels (negative: up, left). Pixels pushed out are lost; the
    vacated rows and columns are filled with zeros (nothing wraps around).

    >>> shift2d(torch.arange(1., 10.).reshape(3, 3), (1, -1))
    tensor([[0., 0., 0.],
            [2., 3., 0.],
            [5., 6., 0.]])
    """
    dy, dx = shift
    h, w = X.shape[-2:]
    Y = torch.zeros_like(X)
    if abs(dy) >= h or abs(dx) >= w:  # everything is pushed out
        return Y
    rows = slice(max(-dy, 0), h - max(dy, 0))  # the rows of X that stay in the image
    cols = slice(max(-dx, 0), w - max(dx, 0))
    Y[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = X[..., rows, cols]
    return Y


def mask_within_budget(size: tuple[int, int]) -> None:
    """An (h, w) mask of ``size`` within the memory budget.

    >>> interior_mask((10**6, 10**6), (0, 0))
    Traceback (most recent call last):
    ...
    ValueError: size=(1000000, 1000000) (an 1000000 x 1000000 image) would allocate 3,725.3 GiB, more than the 2 GiB one call may use (companion._check.MEMORY_BUDGET)
    """
    h, w = size
    _check.within_budget(h * w * 4, f"size={(h, w)} (an {h} x {w} image)")


@checked(mask_within_budget, size=Pair(minimum=1), shift=Offset(), margin=Int(minimum=0))
def interior_mask(size: tuple[int, int], shift: tuple[int, int], margin: int = 0) -> torch.Tensor:
    """Boolean (h, w) mask of the positions that ``shift2d(·, shift)`` fills with real values
    (not vacated) and that lie at least ``margin`` positions away from every edge.

    >>> interior_mask((3, 4), (1, 1)).int()
    tensor([[0, 0, 0, 0],
            [0, 1, 1, 1],
            [0, 1, 1, 1]], dtype=torch.int32)
    """
    (h, w), m = size, margin
    keep = shift2d(torch.ones(h, w), shift) > 0
    if m:
        inner = torch.zeros(h, w, dtype=torch.bool)
        inner[m:h - m, m:w - m] = True
        keep &= inner
    return keep


def _values(X: torch.Tensor) -> torch.Tensor:
    """A measurement compares values: refuse a tensor on the meta device, which holds none."""
    if X.device.type == "meta":
        raise ValueError("X is on the meta device, which holds no values to measure: pass a real tensor")
    return X


def check_maps(y: object) -> torch.Tensor:
    """What the measurements expect back from ``f``: a (batch, channel, h, w) tensor.

    >>> check_maps(torch.ones(2, 5))
    Traceback (most recent call last):
    ...
    ValueError: f must return a (batch, channel, h, w) tensor, got torch.Size([2, 5])
    """
    if not isinstance(y, torch.Tensor) or y.dim() != 4:
        raise ValueError(f"f must return a (batch, channel, h, w) tensor, got {getattr(y, 'shape', y)!r}")
    return y


def maps_to_compare(f: Callable, X: torch.Tensor, shift: tuple[int, int], margin: int
                    ) -> tuple[Callable, torch.Tensor, tuple[int, int], int]:
    """``X`` on a device that holds values, and ``f`` returning (batch, channel, h, w) maps
    with a position left to compare (``check_maps``, ``check_compared``).

    >>> equivariance_error(nn.Flatten(), torch.ones(1, 1, 4, 4), (1, 1))
    Traceback (most recent call last):
    ...
    ValueError: f must return a (batch, channel, h, w) tensor, got torch.Size([1, 16])
    """
    _values(X)
    return (_check.returning(f, lambda y: _compared(check_maps(y), shift, margin), f"X of shape {tuple(X.shape)}"),
            X, shift, margin)


def _compared(y: torch.Tensor, shift: tuple[int, int], margin: int) -> torch.Tensor:
    check_compared(interior_mask(tuple(y.shape[-2:]), shift, margin), shift, margin)
    return y


def check_compared(keep: torch.Tensor, shift: tuple[int, int], margin: int) -> torch.Tensor:
    """``equivariance_error`` needs at least one position to compare.

    >>> check_compared(torch.zeros(2, 2, dtype=torch.bool), (2, 0), 0)
    Traceback (most recent call last):
    ...
    ValueError: no position is left to compare: shift (2, 0) and margin 0 cover the whole output of size (2, 2)
    """
    if not bool(keep.any()):
        raise ValueError(f"no position is left to compare: shift {shift} and margin {margin} "
                         f"cover the whole output of size {tuple(keep.shape)}")
    return keep


@checked(maps_to_compare, f=Function(), X=Tensor(ndim=4), shift=Offset(), margin=Int(minimum=0),
         relative=Flag())
def equivariance_error(f: Callable, X: torch.Tensor, shift: tuple[int, int],
                       margin: int = 0, relative: bool = False) -> float:
    """How far ``f`` is from translation equivariance: compares f(shift(X)) with
    shift(f(X)).

    ``X`` is a batch (n, c, h, w) and ``f`` returns a batch (n, c', h', w'). The two are
    compared where the shifted output is defined (not vacated), at least ``margin`` away
    from the edges. Returns the largest absolute difference there, or with
    ``relative=True`` the norm of the difference divided by the norm of shift(f(X)) on
    the same positions. A convolution without padding gives 0 (up to rounding).

    >>> conv = torch.nn.Conv2d(1, 1, 3)
    >>> equivariance_error(conv, torch.randn(2, 1, 8, 8), (2, 1)) < 1e-6
    True
    """
    with torch.no_grad():
        A = f(shift2d(X, shift))  # move, then apply f
        B = shift2d(f(X), shift)  # apply f, then move
    keep = interior_mask(tuple(A.shape[-2:]), shift, margin).to(A.device)
    diff, ref = (A - B)[..., keep], B[..., keep]
    if relative:
        return float(diff.norm() / ref.norm().clamp_min(torch.finfo(ref.dtype).tiny))
    return float(diff.abs().max())


def outputs_to_compare(f: Callable, X: torch.Tensor) -> tuple[Callable, torch.Tensor]:
    """``X`` on a device that holds values, and ``f`` returning outputs to compare
    (``check_outputs``).

    >>> relative_change(nn.Identity(), torch.zeros(2, 1, 5, 5), (1, 1))
    Traceback (most recent call last):
    ...
    ValueError: f(X) is zero for every example: a relative change is undefined
    """
    _values(X)
    return _check.returning(f, _Outputs(), f"X of shape {tuple(X.shape)}"), X


class _Outputs:
    """``check_outputs`` on the two results of ``f``, as they come: f(X), then f(shift(X))."""

    def __init__(self) -> None:
        self.before: object = None

    def __call__(self, y: object) -> object:
        if self.before is None:
            self.before = y
        else:
            check_outputs(self.before, y)
        return y


def check_outputs(before: object, after: object) -> tuple[torch.Tensor, torch.Tensor]:
    """What ``relative_change`` expects back from ``f``: two tensors of one shape, not all
    zero (a change relative to zero is undefined).

    >>> check_outputs(torch.zeros(2, 3), torch.ones(2, 3))
    Traceback (most recent call last):
    ...
    ValueError: f(X) is zero for every example: a relative change is undefined
    """
    if not isinstance(before, torch.Tensor) or not isinstance(after, torch.Tensor) \
            or before.shape != after.shape:
        raise ValueError("f must return tensors of one shape for X and for its shifted copy")
    if before.dim() == 0:
        raise ValueError("f must return one output per example of X (a tensor of shape (n, ...)), got a scalar")
    if not bool(before.flatten(1).norm(dim=1).gt(0).any()):
        raise ValueError("f(X) is zero for every example: a relative change is undefined")
    return before, after


@checked(outputs_to_compare, f=Function(), X=Tensor(ndim=4), shift=Offset())
def relative_change(f: Callable, X: torch.Tensor, shift: tuple[int, int]) -> float:
    """How much ``f``'s output changes when its input moves:
    ‖f(shift(X)) − f(X)‖ / ‖f(X)‖, computed per example of the batch ``X`` (n, c, h, w)
    and averaged (0 = invariant).
    Examples whose output is all zeros are skipped.

    >>> round(relative_change(torch.nn.Identity(), torch.ones(1, 1, 2, 2), (0, 1)), 4)
    0.7071
    """
    with torch.no_grad():
        before, after = f(X), f(shift2d(X, shift))
    before, after = before.flatten(1), after.flatten(1)  # one row per example
    norms = before.norm(dim=1)
    nonzero = norms > 0
    return float(((after - before).norm(dim=1)[nonzero] / norms[nonzero]).mean())


def traceable(f: Callable, X: torch.Tensor, out_pos: tuple[int, int], channel: int
              ) -> tuple[Callable, torch.Tensor, tuple[int, int], int]:
    """``X`` one example (1, c, h, w) on a device that holds values, no layer of ``f`` on a kink
    at ``X`` (``check_kinks``), and ``f`` returning maps that have ``channel`` and ``out_pos``
    (``check_traced``).

    A module ``f`` whose ReLU (or a relative) gets an input exactly at its kink, or whose max
    pooling takes a maximum from tied values, at ``X``, is refused: there autograd passes no
    gradient to pixels that do influence the output.

    >>> influence_map(abs, torch.ones(2, 1, 3, 3), (0, 0))
    Traceback (most recent call last):
    ...
    ValueError: X must hold one example, shape (1, c, h, w), got (2, 1, 3, 3)
    """
    if _values(X).shape[0] != 1:
        raise ValueError(f"X must hold one example, shape (1, c, h, w), got {tuple(X.shape)}")
    if isinstance(f, nn.Module):
        with _check.fits(f, f"X of shape {tuple(X.shape)}", root="f"):
            check_kinks(f, X)
    return (_check.returning(f, lambda y: check_traced(y, channel, out_pos), f"X of shape {tuple(X.shape)}"),
            X, out_pos, channel)


# Layers whose gradient is 0 on one side of a kink: (module type, the inputs where the kink is).
_KINKS: dict[type, Callable[[nn.Module], tuple[float, ...]]] = {
    nn.ReLU: lambda m: (0.0,),
    nn.Hardtanh: lambda m: (float(m.min_val), float(m.max_val)),  # and ReLU6
    nn.Threshold: lambda m: (float(m.threshold),),
    nn.Hardsigmoid: lambda m: (-3.0, 3.0),
    nn.Hardswish: lambda m: (-3.0, 3.0),
    nn.Hardshrink: lambda m: (-float(m.lambd), float(m.lambd)),
    nn.Softshrink: lambda m: (-float(m.lambd), float(m.lambd)),
}
_MAX_POOLS = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d,
              nn.AdaptiveMaxPool3d, nn.FractionalMaxPool2d, nn.FractionalMaxPool3d)
_DROPOUTS = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)


def _kinks_of(m: nn.Module) -> tuple[float, ...]:
    if isinstance(m, nn.LeakyReLU):
        return (0.0,) if m.negative_slope == 0 else ()
    for kind, where in _KINKS.items():
        if isinstance(m, kind):
            return where(m)
    return ()


def check_kinks(f: nn.Module, X: torch.Tensor) -> None:
    """Refuse an input ``X`` at which a layer of ``f`` sits on a kink that matters: a ReLU (or
    a relative) whose input is exactly at its kink, or a max pooling window whose maximum is
    tied between values that depend on ``X`` differently. Autograd takes one side there, and
    pixels that do influence the output would get a gradient of 0.

    ``f`` runs once with a random tangent (forward-mode autograd): an entry whose tangent is
    0 does not depend on ``X`` (a ReLU that is off), and ties between such entries are harmless.

    >>> net = nn.Sequential(nn.Conv2d(1, 1, 3, bias=False), nn.ReLU())
    >>> check_kinks(net, torch.zeros(1, 1, 4, 4))
    Traceback (most recent call last):
    ...
    ValueError: X puts f[1] (ReLU()) exactly at its kink (input 0.0) at 4 positions that depend on X, where autograd passes no gradient: pixels that do influence the output would show none. Pass a generic input (e.g. X + 1e-3 * torch.randn_like(X)), or trace the paths with receptive_field(open_paths(f), ...)
    """
    names = _check.layer_names(f, "f")
    watched = [m for m in names if _kinks_of(m) or isinstance(m, nn.MaxPool2d)]
    if not watched:
        return
    found: list[str] = []

    def look(m: nn.Module, args: tuple, out: object) -> None:
        if found or not args or not isinstance(args[0], torch.Tensor):
            return
        x, t = fwAD.unpack_dual(args[0])
        live = torch.ones_like(x, dtype=torch.bool) if t is None else t != 0
        if isinstance(m, nn.MaxPool2d):
            n = _tied_windows(m, x, t)
            if n:
                found.append(f"X makes {names[m]} ({m}) take the maximum of {n} windows from tied values that "
                             f"depend on X differently: autograd passes the gradient to one of them only, and "
                             f"pixels that do influence the output would show none")
            return
        for v in _kinks_of(m):
            n = int(((x == v) & live).sum())
            if n:
                found.append(f"X puts {names[m]} ({m}) exactly at its kink (input {v}) at {n} positions that "
                             f"depend on X, where autograd passes no gradient: pixels that do influence the "
                             f"output would show none")
                return

    handles = [m.register_forward_hook(look) for m in watched]
    tangent = torch.randn(X.shape, generator=torch.Generator().manual_seed(0), dtype=X.dtype).to(X.device)
    buffers = [(b, b.detach().clone()) for b in f.buffers()]  # e.g. batch norm's running statistics
    try:  # the same random numbers (dropout) as the call that follows: the RNG state is restored
        with torch.random.fork_rng(devices=[X.device] if X.device.type == "cuda" else []), torch.no_grad():
            try:
                with fwAD.dual_level(), warnings.catch_warnings():
                    # PyTorch's forward mode warns about its own use of torch.jit.script on first use
                    warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated", category=FutureWarning)
                    f(fwAD.make_dual(X, tangent))
            except (NotImplementedError, RuntimeError):  # no forward mode: every entry counts as live
                found.clear()
                f(X)
    finally:
        for h in handles:
            h.remove()
        with torch.no_grad():
            for b, saved in buffers:
                b.copy_(saved)
    if found:
        raise ValueError(f"{found[0]}. Pass a generic input (e.g. X + 1e-3 * torch.randn_like(X)), or trace "
                         f"the paths with receptive_field(open_paths(f), ...)")


def _tied_windows(pool: nn.MaxPool2d, x: torch.Tensor, t: torch.Tensor | None) -> int:
    """How many windows of ``pool`` on ``x`` have their maximum at two entries or more whose
    tangents ``t`` differ (all, without tangents)."""
    if x.dim() not in (3, 4):
        return 0
    k, s, p, d = (nn.modules.utils._pair(v) for v in (pool.kernel_size, pool.stride, pool.padding, pool.dilation))
    x4 = x.reshape((-1, 1) + x.shape[-2:])
    out = F.max_pool2d(x4, k, s, p, d, pool.ceil_mode)
    extra = [max(0, (o - 1) * s[a] + d[a] * (k[a] - 1) + 1 - (x4.shape[2 + a] + 2 * p[a])) for a, o in
             enumerate(out.shape[2:])]  # what ceil_mode adds at the bottom and right
    pad = (p[1], p[1] + extra[1], p[0], p[0] + extra[0])
    cols = F.unfold(F.pad(x4, pad, value=float("-inf")), k, dilation=d, stride=s)  # (n, k_h k_w, windows)
    top = cols.max(dim=1, keepdim=True).values
    at_top = (cols == top) & (top > float("-inf"))
    tied = at_top.sum(dim=1) >= 2
    if t is None:
        return int(tied.sum())
    tc = F.unfold(F.pad(t.reshape(x4.shape), pad), k, dilation=d, stride=s)
    hi = torch.where(at_top, tc, torch.full_like(tc, float("-inf"))).max(dim=1).values
    lo = torch.where(at_top, tc, torch.full_like(tc, float("inf"))).min(dim=1).values
    return int((tied & (hi != lo)).sum())


def check_traced(y: object, channel: int, out_pos: tuple[int, int]) -> torch.Tensor:
    """What ``influence_map`` expects back from ``f``: a (1, c', h', w') tensor that has the
    traced ``channel`` and position ``out_pos``.

    >>> check_traced(torch.ones(1, 1, 2, 2), 0, (2, 0))
    Traceback (most recent call last):
    ...
    ValueError: out_pos (2, 0) must lie inside the output of size (2, 2)
    """
    y = check_maps(y)
    i, j = out_pos
    if channel >= y.shape[1]:
        raise ValueError(f"channel {channel} must be < {y.shape[1]}, the number of channels f returns")
    if not (i < y.shape[2] and j < y.shape[3]):
        raise ValueError(f"out_pos {(i, j)} must lie inside the output of size {tuple(y.shape[2:])}")
    return y


@checked(traceable, f=Function(), X=Tensor(ndim=4), out_pos=Pair(minimum=0), channel=Int(minimum=0))
def influence_map(f: Callable, X: torch.Tensor, out_pos: tuple[int, int],
                  channel: int = 0) -> torch.Tensor:
    """|∂ f(X)[0, channel, i, j] / ∂ X|: how strongly each input pixel moves one output.

    ``X`` has shape (1, c, h, w); the map is summed over the input channels and has
    shape (h, w). Zero means the pixel has no influence at all (outside the receptive
    field).

    >>> conv = torch.nn.Conv2d(1, 1, 3, padding=1)
    >>> int((influence_map(conv, torch.randn(1, 1, 6, 6), (2, 2)) > 0).sum())
    9
    """
    (i, j), c = out_pos, channel
    x = X.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        y = f(x)[0, c, i, j]
        # autograd.grad, not backward(): the gradient goes to x, not into f's .grad
        (grad,) = torch.autograd.grad(y, x, allow_unused=True) if y.grad_fn else (None,)
    if grad is None:  # the output does not depend on the input at all
        return torch.zeros(X.shape[2:], dtype=X.dtype)
    return grad[0].abs().sum(dim=0)


def field_traceable(net: nn.Module, input_shape: tuple[int, int], out_pos: tuple[int, int]
                    ) -> tuple[nn.Module, tuple[int, int], tuple[int, int]]:
    """A (1, 1, h, w) input of ``input_shape`` within the memory budget, which ``net`` takes and
    turns into (batch, channel, h', w') maps that have ``out_pos``; a net with a layer that can
    block a path (ReLU, max pooling, dropout) is traced as ``open_paths(net)``.

    A zero input sees through no layer that can block a path: ReLU and its relatives (0 at
    the kink and below), max pooling (ties: one winner per window), dropout in training mode.
    So the guard hands on ``open_paths(net)`` instead, whose field is the field of ``net``
    (``open_paths`` refuses what it cannot open). (A layer whose
    own ``forward`` calls ``F.relu`` or ``F.max_pool2d`` is not seen here: build nets from
    ``nn.ReLU``, ``nn.MaxPool2d``, ... layers.)

    >>> receptive_field.accept(nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2)), 6, (0, 0))["net"]
    Sequential(
      (0): Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1))
      (1): AvgPool2d(kernel_size=2, stride=2, padding=0)
    )
    """
    h, w = input_shape
    param = next(net.parameters(), None)
    dtype = param.dtype if param is not None else torch.float32
    _check.within_budget(h * w * dtype.itemsize, f"input_shape={(h, w)} (a (1, 1, {h}, {w}) input of {dtype})")
    if any(_blocks(m) for m in net.modules()):  # a zero probe would not see through: trace the paths
        net = _open_paths(net)
    device = param.device if param is not None else torch.device("cpu")
    y = _check.trial(net, torch.zeros((1, 1, h, w), dtype=dtype, device=device), f"input_shape {(h, w)}",
                     hint="; receptive_field feeds one channel, a (1, 1, h, w) input")
    if not isinstance(y, torch.Tensor) or y.dim() != 4:
        raise ValueError(f"net must return a (batch, channel, h, w) tensor, got "
                         f"{'shape ' + str(tuple(y.shape)) if isinstance(y, torch.Tensor) else type(y).__name__}")
    check_traced(y, 0, out_pos)
    return net, input_shape, out_pos


def _blocks(m: nn.Module) -> bool:
    """Whether the layer ``m`` can block a path at a zero input: a ReLU (or a relative) is flat
    at and below its kink, a max pooling window of tied values has one winner, dropout in
    training mode drops inputs at random."""
    return (isinstance(m, _MAX_POOLS) or bool(_kinks_of(m)) or isinstance(m, nn.Tanhshrink)
            or (isinstance(m, _DROPOUTS) and m.training and m.p > 0))


# Elementwise layers: in open_paths every one passes its input on unchanged (nn.Identity).
_ELEMENTWISE = (nn.ReLU, nn.ReLU6, nn.Hardtanh, nn.Threshold, nn.Hardsigmoid, nn.Hardswish, nn.Hardshrink,
                nn.Softshrink, nn.Tanhshrink, nn.LeakyReLU, nn.PReLU, nn.RReLU, nn.ELU, nn.CELU, nn.SELU, nn.GELU,
                nn.SiLU, nn.Mish, nn.Sigmoid, nn.Tanh, nn.Softplus, nn.Softsign, nn.LogSigmoid) + _DROPOUTS
_AVERAGES = {nn.MaxPool1d: nn.AvgPool1d, nn.MaxPool2d: nn.AvgPool2d, nn.MaxPool3d: nn.AvgPool3d,
             nn.LPPool1d: nn.AvgPool1d, nn.LPPool2d: nn.AvgPool2d}
_ADAPTIVE = {nn.AdaptiveMaxPool1d: nn.AdaptiveAvgPool1d, nn.AdaptiveMaxPool2d: nn.AdaptiveAvgPool2d,
             nn.AdaptiveMaxPool3d: nn.AdaptiveAvgPool3d}


@checked(net=Module())
def open_paths(net: nn.Module) -> nn.Module:
    """A copy of ``net`` in which every path from an input pixel to an output is open: the
    same windows, but every weight made positive (no two paths cancel), every elementwise
    activation and dropout passing its input on (``nn.Identity``), max pooling replaced by
    average pooling over the same windows (every pixel of a window counts, not one winner).
    Layers it does not know are kept as they are. ``net`` itself is not changed.

    The pixels an output depends on in ``open_paths(net)`` are those it can depend on in
    ``net``: ``receptive_field(open_paths(net), input_shape, out_pos)``.

    >>> net = nn.Sequential(nn.Conv2d(1, 1, 3), nn.ReLU(), nn.MaxPool2d(2))
    >>> open_paths(net)
    Sequential(
      (0): Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1))
      (1): Identity()
      (2): AvgPool2d(kernel_size=2, stride=2, padding=0)
    )
    """
    return _open_paths(net)


def _open_paths(net: nn.Module) -> nn.Module:
    """``open_paths`` for a net already checked (by ``field_traceable``)."""
    names = _check.layer_names(net, "net")
    paths = copy.deepcopy(net).eval()
    with torch.no_grad():
        for p in paths.parameters():
            p.abs_()
    return _opened(paths, names[net], names, net)


def _opened(m: nn.Module, name: str, names: dict, original: nn.Module) -> nn.Module:
    """``m`` (a copy of ``original``) with its paths opened, children first."""
    for (child_name, child), orig in zip(list(m.named_children()), original.children()):
        setattr(m, child_name, _opened(child, names[orig], names, orig))
    if isinstance(m, _ELEMENTWISE):
        return nn.Identity()
    for kind, avg in _AVERAGES.items():
        if type(m) is kind:
            if getattr(m, "dilation", 1) not in (1, (1,), (1, 1), (1, 1, 1)):
                raise ValueError(f"open_paths cannot open {name} ({m}): average pooling has no dilation")
            return avg(m.kernel_size, m.stride, getattr(m, "padding", 0), m.ceil_mode)
    for kind, avg in _ADAPTIVE.items():
        if type(m) is kind:
            return avg(m.output_size)
    if isinstance(m, _MAX_POOLS):  # fractional: windows drawn at random
        raise ValueError(f"open_paths cannot open {name} ({m}): its windows are drawn at random")
    return m


@checked(field_traceable, net=Module(), input_shape=Pair(minimum=1), out_pos=Pair(minimum=0))
def receptive_field(net: nn.Module, input_shape: tuple[int, int],
                    out_pos: tuple[int, int]) -> torch.Tensor:
    """Which input pixels influence output ``out_pos`` of ``net``? Found with autograd.

    Feeds a (1, 1, h, w) input through ``net`` and returns a boolean (h, w) mask of the
    pixels with a nonzero gradient for one output element of the first channel
    (``influence_map``). Use weights that cannot cancel (e.g. all ones) so that a zero
    gradient means "no influence". A zero input cannot see through ReLU, max pooling or
    dropout, so a net with such layers is traced as ``open_paths(net)``.

    >>> net = nn.Conv2d(1, 1, 3, bias=False); _ = nn.init.ones_(net.weight)
    >>> int(receptive_field(net, (5, 5), (0, 0)).sum())
    9
    """
    h, w = input_shape
    param = next(net.parameters(), None)  # the input takes the dtype of the weights
    dtype = param.dtype if param is not None else torch.float32
    return influence_map(net, torch.zeros((1, 1, h, w), dtype=dtype), out_pos) != 0


def one_stride_per_kernel(kernel_sizes: tuple[int, ...], strides: object) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``strides``: one int >= 1 per kernel (``None``: all 1), returned as a tuple.

    >>> receptive_field_size([3, 3], [])
    Traceback (most recent call last):
    ...
    ValueError: strides must be a list with one int per kernel (2), got []
    """
    if strides is None:
        return kernel_sizes, (1,) * len(kernel_sizes)
    if not _check.is_sequence(strides) or len(strides) != len(kernel_sizes):
        raise ValueError(f"strides must be a list with one int per kernel ({len(kernel_sizes)}), got {strides!r}")
    return kernel_sizes, _check.Ints(len(kernel_sizes), minimum=1)(strides, "strides")


@checked(one_stride_per_kernel, kernel_sizes=Ints(minimum=1))
def receptive_field_size(kernel_sizes: list[int], strides: list[int] | None = None) -> int:
    """Side length of the receptive field of one output after stacked layers.

    r = 1 + sum_l (k_l - 1) * (s_1 * ... * s_{l-1})

    >>> receptive_field_size([3, 3])
    5
    >>> receptive_field_size([5, 2, 5, 2], strides=[1, 2, 1, 2])
    16
    """
    r, jump = 1, 1
    for k, s in zip(kernel_sizes, strides or [1] * len(kernel_sizes)):
        r += (k - 1) * jump
        jump *= s
    return r


def kernel_fits_input(K: torch.Tensor, input_size: tuple[int, int]) -> None:
    """``K`` no larger than the input, and a matrix within the memory budget.

    >>> conv_as_fc_matrix(torch.ones(5, 3), (4, 4))
    Traceback (most recent call last):
    ...
    ValueError: K must not be larger than the input, got K of shape (5, 3) for input_size (4, 4)
    """
    h, w = input_size
    if K.shape[0] > h or K.shape[1] > w:
        raise ValueError(f"K must not be larger than the input, got K of shape {tuple(K.shape)} "
                         f"for input_size {(h, w)}")
    shape = ((h - K.shape[0] + 1) * (w - K.shape[1] + 1), h * w)
    _check.within_budget(shape[0] * shape[1] * K.element_size(),
                         f"input_size={(h, w)} makes a {shape} matrix that")


@checked(kernel_fits_input, K=Tensor(ndim=2), input_size=Pair(minimum=1))
def conv_as_fc_matrix(K: torch.Tensor, input_size: tuple[int, int]) -> torch.Tensor:
    """The weight matrix of the fully connected layer that computes the
    cross-correlation with ``K`` on an image of ``input_size`` (h, w): one row per
    output pixel, one column per input pixel, so that ``W @ X.flatten()`` equals
    ``corr2d(X, K).flatten()``.

    Each row holds the kernel's k_h·k_w numbers (locality: all else is zero), and every
    row holds the same numbers, only moved (translation invariance: shared weights).

    >>> conv_as_fc_matrix(torch.tensor([[1., 2.]]), (1, 3))
    tensor([[1., 2., 0.],
            [0., 1., 2.]])
    """
    (h, w), (k_h, k_w) = input_size, K.shape
    out_h, out_w = h - k_h + 1, w - k_w + 1
    W = K.new_zeros((out_h, out_w, h, w))
    for i in range(out_h):
        for j in range(out_w):
            W[i, j, i:i + k_h, j:j + k_w] = K  # the same kernel, moved to output (i, j)
    return W.reshape(out_h * out_w, h * w)
