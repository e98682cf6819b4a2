"""Bad inputs for ``companion.invariance``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``.

Fields are checked against independent references: finite differences for ``influence_map``
(at inputs where the net is differentiable), the union of autograd probes at many random inputs
for ``receptive_field`` of ``open_paths`` (no single probe sees through every ReLU and max
pool), and ``F.conv2d`` / ``torch.roll`` for the rest."""
from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from companion import invariance
from companion.conv import Conv2D
from companion.invariance import (check_compared, check_kinks, check_maps, check_outputs, check_traced, conv_as_fc_matrix,
                                  equivariance_error, influence_map, interior_mask, open_paths, receptive_field,
                                  receptive_field_size, relative_change, shift2d)
from companion.models import LeNet
from tests.helpers.bad_inputs import Case, Check, Lazy, checks_of, count, covers, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


# --- nets and references -------------------------------------------------------------------------

def ones_conv(k: int, bias: float | None = None, c_in: int = 1, c_out: int = 1) -> nn.Conv2d:
    conv = nn.Conv2d(c_in, c_out, k, bias=bias is not None)
    with torch.no_grad():
        conv.weight.fill_(1.0)
        if bias is not None:
            conv.bias.fill_(bias)
    return conv


def seeded(seed: int, make):
    torch.manual_seed(seed)
    return make()


RELU = nn.Sequential(ones_conv(3), nn.ReLU(), ones_conv(3))                # zero probe: ReLU exactly at 0
DEAD = nn.Sequential(ones_conv(3, bias=-1.0), nn.ReLU(), ones_conv(3))     # zero probe: ReLU dead
MAX = nn.Sequential(ones_conv(3), nn.MaxPool2d(2))                         # zero probe: every window tied
DROP = nn.Sequential(ones_conv(3), nn.Dropout(0.5), ones_conv(3))          # training mode: drops at random
DROP_EVAL = nn.Sequential(ones_conv(3), nn.Dropout(0.5), ones_conv(3)).eval()
SIGMOID = nn.Sequential(ones_conv(3), nn.Sigmoid(), nn.AvgPool2d(2))
LEAKY = nn.Sequential(ones_conv(3), nn.LeakyReLU(0.1), ones_conv(3))
HEAD = seeded(0, lambda: LeNet(activation="relu", pool="max")[:6]).double()  # conv, ReLU, max pool, twice
RELU_MAX = seeded(1, lambda: nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 2, 2))).double()
RELU_RANDOM = seeded(2, lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 1, 3))).double()
CONV13 = seeded(3, lambda: nn.Conv2d(1, 3, 3))
ZEROS9 = torch.zeros(1, 1, 9, 9)


def block(shape, rows, cols) -> torch.Tensor:
    mask = torch.zeros(shape, dtype=torch.bool)
    mask[rows[0]:rows[1], cols[0]:cols[1]] = True
    return mask


def probed(net: nn.Module, shape: tuple[int, int], out_pos: tuple[int, int], n: int = 1024) -> torch.Tensor:
    """The pixels with a nonzero gradient at one or more of ``n`` random inputs: the field seen
    by probing, independent of ``open_paths``. The inputs go through as one batch (the
    examples of a batch do not mix), so the gradient of the summed outputs is each one's own."""
    g = torch.Generator().manual_seed(0)
    dtype = next(net.parameters()).dtype
    x = (2 * torch.rand((n, 1) + shape, generator=g, dtype=dtype) - 1).requires_grad_(True)
    (grad,) = torch.autograd.grad(net(x)[:, 0, out_pos[0], out_pos[1]].sum(), x)
    return (grad[:, 0] != 0).any(dim=0)


def finite_differences(f, X: torch.Tensor, out_pos: tuple[int, int], channel: int = 0, eps: float = 1e-6) -> torch.Tensor:
    """|d f(X)[0, channel, i, j] / d X| by central differences, summed over the input channels."""
    i, j = out_pos
    flat = X.flatten()
    out = torch.zeros_like(flat)
    with torch.no_grad():
        for p in range(flat.numel()):
            step = torch.zeros_like(flat)
            step[p] = eps
            up, down = f((flat + step).reshape(X.shape)), f((flat - step).reshape(X.shape))
            out[p] = (up[0, channel, i, j] - down[0, channel, i, j]) / (2 * eps)
    return out.reshape(X.shape)[0].abs().sum(dim=0)


def same_mask(expected) -> Check:
    return Check(lambda r: r.dtype == torch.bool and torch.equal(r, expected), f"the mask\n{expected.int()}")


def probe_agrees(net, shape, out_pos) -> Lazy:
    """The probed field, computed when the case runs (not when the table is built)."""
    def make(env):
        want = probed(net, shape, out_pos)
        return Check(lambda r: torch.equal(r, want) and int(r.sum()) > 1, f"the probed field ({int(want.sum())} pixels)")
    return Lazy(make)


def like_differences(f, X, out_pos, channel=0) -> Lazy:
    """The finite differences, computed when the case runs (not when the table is built)."""
    def make(env):
        want = finite_differences(f, X, out_pos, channel)
        return Check(lambda r: r.shape == want.shape and torch.allclose(r.to(want.dtype), want, atol=1e-6)
                     and bool((r > 0).any()), "the finite differences")
    return Lazy(make)


@covers(open_paths)
def field_of_paths(net: nn.Module, input_shape, out_pos) -> torch.Tensor:
    """The receptive field of ``net``, traced through ``open_paths(net)``."""
    return receptive_field(open_paths(net), input_shape, out_pos)


def opened(net: nn.Module) -> Check:
    kinds = [type(m).__name__ for m in net]

    def ok(paths):
        return (paths is not net and [type(m).__name__ for m in net] == kinds  # the net itself is untouched
                and not any(isinstance(m, (nn.ReLU, nn.MaxPool2d, nn.Dropout)) for m in paths.modules()))
    return Check(ok, "a copy without ReLU, max pooling or dropout, the net untouched")


X12 = torch.randn(1, 1, 12, 12, generator=torch.Generator().manual_seed(5))
X16 = torch.randn(1, 1, 16, 16, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
X4D = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(6))
NO_CHANNEL = r"^(?![\s\S]*channel)"  # the user passed no channel: the message does not mention one


CASES = [
    # gradient maps: receptive_field answers for nets with layers a zero probe cannot see through,
    # by tracing open_paths(net) itself (issue 18; these rows asserted a refusal before), and open_paths
    # gives the true field of nets of convolution, pooling, activation, flatten, linear
    Case("gradient maps", receptive_field, (RELU, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", receptive_field, (DEAD, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", receptive_field, (MAX, (8, 8), (1, 1)), expect=same_mask(block((8, 8), (2, 6), (2, 6)))),
    Case("gradient maps", receptive_field, (DROP, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", receptive_field, (HEAD, (16, 16), (0, 0)), expect=probe_agrees(HEAD, (16, 16), (0, 0))),
    Case("gradient maps", receptive_field, (RELU_MAX, (12, 12), (1, 2)), expect=probe_agrees(RELU_MAX, (12, 12), (1, 2))),
    Case("gradient maps", receptive_field, (nn.ReLU(), (4, 4), (0, 0)), expect=same_mask(block((4, 4), (0, 1), (0, 1)))),
    Case("gradient maps", checks_of(receptive_field), (MAX, (8, 8), (0, 0)),
         expect=Check(lambda r: isinstance(r[0][1], nn.AvgPool2d) and r[1:] == ((8, 8), (0, 0)), "the paths opened")),
    Case("gradient maps", receptive_field, (nn.Sequential(ones_conv(3), nn.MaxPool2d(2, dilation=2)), (9, 9), (0, 0)),
         raises=ValueError, match=r"open_paths cannot open net\[1\] \(MaxPool2d\(.*dilation=2"),  # truly can't
    Case("gradient maps", field_of_paths, (RELU, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", field_of_paths, (DEAD, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", field_of_paths, (MAX, (8, 8), (1, 1)), expect=same_mask(block((8, 8), (2, 6), (2, 6)))),
    Case("gradient maps", field_of_paths, (DROP, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", field_of_paths, (HEAD, (16, 16), (0, 0)), expect=probe_agrees(HEAD, (16, 16), (0, 0))),
    Case("gradient maps", field_of_paths, (HEAD, (16, 16), (1, 1)), expect=probe_agrees(HEAD, (16, 16), (1, 1))),
    Case("gradient maps", field_of_paths, (RELU_MAX, (12, 12), (1, 2)), expect=probe_agrees(RELU_MAX, (12, 12), (1, 2))),
    Case("gradient maps", field_of_paths, (HEAD, (16, 16), (1, 0)), expect=same_mask(block((16, 16), (2, 16), (0, 14)))),
    Case("gradient maps", receptive_field, (SIGMOID, (8, 8), (1, 1)), expect=same_mask(block((8, 8), (2, 6), (2, 6)))),
    Case("gradient maps", receptive_field, (LEAKY, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", receptive_field, (DROP_EVAL, (9, 9), (2, 2)), expect=same_mask(block((9, 9), (2, 7), (2, 7)))),
    Case("gradient maps", open_paths, (HEAD,), expect=opened(HEAD)),
    Case("gradient maps", open_paths, (nn.Sequential(ones_conv(3), nn.MaxPool2d(2, dilation=2)),), raises=ValueError,
         match=r"open_paths cannot open net\[1\] \(MaxPool2d\(.*dilation=2"),
    Case("gradient maps", open_paths, (lambda x: x,), raises=TypeError, match=r"net must be a torch\.nn\.Module, got function"),
    # influence_map: exact where the net is differentiable at X, refused on a kink or a tie
    Case("gradient maps", influence_map, (RELU, ZEROS9, (2, 2)), raises=ValueError,
         match=r"X puts f\[1\] \(ReLU\(\)\) exactly at its kink \(input 0\.0\) at \d+ positions that depend on X"),
    Case("gradient maps", influence_map, (MAX, ZEROS9[..., :8, :8], (1, 1)), raises=ValueError,
         match=r"X makes f\[1\] \(MaxPool2d\(.*\)\) take the maximum of \d+ windows from tied values"),
    Case("gradient maps", influence_map, (nn.ReLU(), torch.zeros(1, 1, 3, 3), (1, 1)), raises=ValueError,
         match=r"X puts f \(ReLU\(\)\) exactly at its kink"),
    Case("gradient maps", influence_map, (nn.Sequential(ones_conv(2), nn.Hardtanh()), torch.full((1, 1, 5, 5), 0.25), (1, 1)),
         raises=ValueError, match=r"X puts f\[1\] \(Hardtanh\(.*\)\) exactly at its kink \(input 1\.0\)"),
    Case("gradient maps", checks_of(influence_map), (RELU, ZEROS9, (2, 2), 0), raises=ValueError, match=r"exactly at its kink"),
    Case("gradient maps", check_kinks, (nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2)), X12), expect=None),
    Case("gradient maps", check_kinks, (nn.Sequential(ones_conv(3, bias=1.0), nn.ReLU(), nn.MaxPool2d(2)), ZEROS9),
         raises=ValueError, match=r"X makes f\[2\] \(MaxPool2d"),
    Case("gradient maps", influence_map, (DEAD, ZEROS9, (2, 2)), expect=torch.zeros(9, 9)),
    Case("gradient maps", influence_map, (RELU_RANDOM, X12.double(), (3, 4)), expect=like_differences(RELU_RANDOM, X12.double(), (3, 4))),
    Case("gradient maps", influence_map, (RELU_MAX, X12.double(), (2, 1)), {"channel": 1},
         expect=like_differences(RELU_MAX, X12.double(), (2, 1), 1)),
    Case("gradient maps", influence_map, (HEAD, X16, (1, 1)), {"channel": 5}, expect=like_differences(HEAD, X16, (1, 1), 5)),

    # sizes: more than MEMORY_BUDGET bytes is refused before anything is allocated
    Case("sizes", receptive_field, (ones_conv(3), (10**5, 10**5), (0, 0)), raises=ValueError,
         match=r"input_shape=\(100000, 100000\) .*would allocate 37\.3 GiB, more than the 2 GiB .*MEMORY_BUDGET"),
    Case("sizes", conv_as_fc_matrix, (torch.ones(3, 3), (1000, 1000)), raises=ValueError,
         match=r"input_size=\(1000, 1000\) makes a \(996004, 1000000\) matrix that would allocate 3,710\.4 GiB"),
    Case("sizes", checks_of(conv_as_fc_matrix), (torch.ones(1, 1), (300, 300)), raises=ValueError,
         match=r"input_size=\(300, 300\) makes a \(90000, 90000\) matrix"),
    Case("sizes", interior_mask, ((10**6, 10**6), (0, 0)), raises=ValueError, match=r"size=\(1000000, 1000000\) .*would allocate"),
    Case("sizes", conv_as_fc_matrix, (torch.ones(1, 1), (30, 30)), expect=torch.eye(900)),

    # integer-likes: NumPy integers wherever an int is; bool refused
    Case("integer-likes", shift2d, (torch.arange(1., 10.).reshape(3, 3), (np.int64(1), np.int32(-1))),
         expect=torch.tensor([[0., 0., 0.], [2., 3., 0.], [5., 6., 0.]])),
    Case("integer-likes", shift2d, (torch.arange(1., 10.).reshape(3, 3), np.array([-1, 0])),
         expect=torch.tensor([[4., 5., 6.], [7., 8., 9.], [0., 0., 0.]])),
    Case("integer-likes", checks_of(shift2d), (torch.ones(2, 2), np.array([2, -3])), expect=Check(lambda r: r[1] == (2, -3), "(2, -3)")),
    Case("integer-likes", checks_of(shift2d), (torch.ones(2, 2), (np.int8(1), 0)), expect=Check(lambda r: r[1] == (1, 0), "(1, 0)")),
    Case("integer-likes", interior_mask, ((np.int64(3), 4), (np.int64(1), 1)), {"margin": np.int64(0)},
         expect=torch.tensor([[False] * 4, [False, True, True, True], [False, True, True, True]])),
    Case("integer-likes", receptive_field_size, (np.array([3, 3]),), expect=5),
    Case("integer-likes", receptive_field_size, ([5, np.int64(2)], [np.int32(1), np.int64(2)]), expect=6),
    Case("integer-likes", receptive_field_size, (np.array([5, 2, 5, 2]), np.array([1, 2, 1, 2])), expect=16),
    Case("integer-likes", checks_of(receptive_field_size), ([np.int64(3)], None), expect=((3,), (1,))),
    Case("integer-likes", receptive_field, (ones_conv(3), (np.int64(5), np.int64(5)), np.array([1, 1])),
         expect=same_mask(block((5, 5), (1, 4), (1, 4)))),
    Case("integer-likes", influence_map, (CONV13, X4D[:1], np.array([2, 3])), {"channel": np.int64(2)},
         expect=like_differences(copy.deepcopy(CONV13).double(), X4D[:1].double(), (2, 3), 2)),
    Case("integer-likes", conv_as_fc_matrix, (torch.tensor([[1., 2.]]), (np.int64(1), np.int64(3))),
         expect=torch.tensor([[1., 2., 0.], [0., 1., 2.]])),
    Case("integer-likes", equivariance_error, (ones_conv(3), X4D, np.array([1, 2])), {"margin": np.int64(1)},
         expect=Check(lambda r: type(r) is float and r < 1e-5, "0 up to rounding")),
    Case("integer-likes", relative_change, (nn.Identity(), torch.ones(1, 1, 2, 2), (np.int64(0), np.int64(1))),
         expect=Check(lambda r: abs(r - 0.5 ** 0.5) < 1e-6, "sqrt(1/2)")),
    Case("integer-likes", shift2d, (torch.ones(3, 3), (True, 0)), raises=TypeError, match=r"shift\[0\] must be an int, got bool"),
    Case("integer-likes", receptive_field_size, ([3, True],), raises=TypeError, match=r"kernel_sizes\[1\] must be an int, got bool"),
    Case("integer-likes", influence_map, (CONV13, X4D[:1], (0, 0)), {"channel": True}, raises=TypeError,
         match=r"channel must be an int, got bool"),
    Case("integer-likes", equivariance_error, (ones_conv(3), X4D, (1, 1)), {"margin": np.float64(1)}, raises=TypeError,
         match=r"margin must be an int, got float64"),

    # messages name what the user passed; inputs that do not fit say which layer they do not fit
    Case("messages", receptive_field, (ones_conv(3), (4, 4), (2, 0)), raises=ValueError,
         match=NO_CHANNEL + r"out_pos \(2, 0\) must lie inside the output of size \(2, 2\)"),
    Case("messages", influence_map, (CONV13, X4D[:1], (0, 0)), {"channel": 3}, raises=ValueError,
         match=r"channel 3 must be < 3, the number of channels f returns"),
    Case("messages", influence_map, (CONV13, X4D[:1], (6, 0)), raises=ValueError,
         match=NO_CHANNEL + r"out_pos \(6, 0\) must lie inside the output of size \(6, 6\)"),
    Case("messages", receptive_field, (nn.Sequential(ones_conv(5)), (3, 3), (0, 0)), raises=ValueError,
         match=r"input_shape \(3, 3\) does not fit net\[0\] \(Conv2d\(1, 1, kernel_size=\(5, 5\)"),
    Case("messages", receptive_field, (nn.Linear(4, 4), (2, 2), (0, 0)), raises=ValueError,
         match=r"input_shape \(2, 2\) does not fit net \(Linear\(in_features=4"),
    Case("messages", receptive_field, (nn.Sequential(ones_conv(1, c_in=3)), (4, 4), (0, 0)), raises=ValueError,
         match=r"input_shape \(4, 4\) does not fit net\[0\] .*receptive_field feeds one channel"),
    Case("messages", receptive_field, (Conv2D(2), (4, 4), (0, 0)), raises=ValueError,
         match=r"input_shape \(4, 4\) does not fit net \(Conv2D\(\)\): X must be a 2-D tensor"),
    Case("messages", receptive_field, (nn.Flatten(), (4, 4), (0, 0)), raises=ValueError,
         match=r"net must return a \(batch, channel, h, w\) tensor, got shape \(1, 16\)"),
    Case("messages", receptive_field, (lambda x: x, (4, 4), (0, 0)), raises=TypeError, match=r"net must be a torch\.nn\.Module"),
    Case("messages", receptive_field, (ones_conv(3), (0, 4), (0, 0)), raises=ValueError, match=r"input_shape\[0\] must be >= 1"),
    Case("messages", receptive_field_size, ([],), raises=ValueError, match=r"kernel_sizes must be a non-empty list of ints, got \[\]"),
    Case("messages", receptive_field_size, ([3, 3], []), raises=ValueError, match=r"strides must be a list with one int per kernel \(2\)"),
    Case("messages", receptive_field_size, (3,), raises=TypeError, match=r"kernel_sizes must be a non-empty list of ints, got 3"),
    Case("messages", checks_of(receptive_field_size), ([3], [0]), raises=ValueError, match=r"strides\[0\] must be >= 1, got 0"),
    Case("messages", shift2d, (torch.ones(3, 3), (1, 2, 3)), raises=ValueError, match=r"shift must be a pair of ints \(down, right\)"),
    Case("messages", shift2d, (torch.ones(3), (1, 1)), raises=ValueError, match=r"X must have at least 2 dimensions"),
    Case("messages", checks_of(shift2d), (torch.ones(3, 3), "1, 1"), raises=TypeError, match=r"shift must be a pair of ints"),
    Case("messages", checks_of(shift2d), ([[1.0]], (0, 0)), raises=TypeError, match=r"X must be a torch\.Tensor"),
    Case("messages", interior_mask, ((3, 0), (1, 1)), raises=ValueError, match=r"size\[1\] must be >= 1, got 0"),
    Case("messages", equivariance_error, (ones_conv(3), X4D, (2, 0)), {"margin": 3}, raises=ValueError,
         match=r"no position is left to compare: shift \(2, 0\) and margin 3 cover the whole output of size \(6, 6\)"),
    Case("messages", equivariance_error, (nn.Flatten(), X4D, (1, 1)), raises=ValueError,
         match=r"f must return a \(batch, channel, h, w\) tensor, got torch\.Size\(\[2, 64\]\)"),
    Case("messages", equivariance_error, (ones_conv(3), X4D[0], (1, 1)), raises=ValueError, match=r"X must be a 4-D tensor"),
    Case("messages", checks_of(equivariance_error), (abs, X4D, (1, 1), 0, 1), raises=TypeError, match=r"relative must be a bool, got int"),
    Case("messages", check_compared, (torch.zeros(2, 2, dtype=torch.bool), (2, 0), 0), raises=ValueError,
         match=r"no position is left to compare"),
    Case("messages", check_maps, (torch.ones(2, 5),), raises=ValueError, match=r"f must return a \(batch, channel, h, w\) tensor"),
    Case("messages", relative_change, (nn.Identity(), torch.zeros(2, 1, 5, 5), (1, 1)), raises=ValueError,
         match=r"f\(X\) is zero for every example: a relative change is undefined"),
    Case("messages", relative_change, ("f", X4D, (1, 1)), raises=TypeError, match=r"f must be a callable"),
    Case("messages", checks_of(relative_change), (abs, X4D, 5), raises=TypeError, match=r"shift must be a pair of ints"),
    Case("messages", check_outputs, (torch.ones(2, 3), torch.ones(3, 2)), raises=ValueError,
         match=r"f must return tensors of one shape for X and for its shifted copy"),
    Case("messages", influence_map, (CONV13, X4D, (0, 0)), raises=ValueError, match=r"X must hold one example, shape \(1, c, h, w\), got \(2, 1, 8, 8\)"),
    Case("messages", influence_map, (lambda x: x.flatten(1), X4D[:1], (0, 0)), raises=ValueError,
         match=r"f must return a \(batch, channel, h, w\) tensor, got torch\.Size\(\[1, 64\]\)"),
    Case("messages", check_traced, (torch.ones(1, 1, 2, 2), 0, (2, 0)), raises=ValueError,
         match=NO_CHANNEL + r"out_pos \(2, 0\) must lie inside the output of size \(2, 2\)"),
    Case("messages", check_traced, (torch.ones(1, 2, 2, 2), 2, (0, 0)), raises=ValueError, match=r"channel 2 must be < 2"),
    Case("messages", conv_as_fc_matrix, (torch.ones(5, 3), (4, 4)), raises=ValueError,
         match=r"K must not be larger than the input, got K of shape \(5, 3\) for input_size \(4, 4\)"),
    Case("messages", conv_as_fc_matrix, (torch.ones(3, 3, dtype=torch.int64), (4, 4)), raises=TypeError,
         match=r"K must have a floating-point dtype"),
    Case("messages", conv_as_fc_matrix, (torch.ones(3, 3), (4, "4")), raises=TypeError, match=r"input_size\[1\] must be an int"),

    # ... and what the guards let through is computed right
    Case("messages", conv_as_fc_matrix, (torch.tensor([[1., -2.], [3., 4.]]), (3, 4)),
         expect=Check(lambda W: torch.allclose(W @ X12[0, 0, :3, :4].flatten(),
                                               F.conv2d(X12[:, :, :3, :4], torch.tensor([[[[1., -2.], [3., 4.]]]])).flatten()),
                      "W @ X = F.conv2d")),
    Case("messages", shift2d, (X4D, (3, -2)), expect=Check(
        lambda r: torch.equal(r[..., 3:, :6], X4D[..., :5, 2:]) and not r[..., :3, :].any() and not r[..., 6:].any(),
        "X moved down 3 and left 2, zeros where nothing came in")),

    # errors from inside (issue 18): a function f that returns a scalar, an output that does not
    # depend on the input (its gradient map is all zeros, as influence_map promises)
    Case("errors from inside", equivariance_error, (lambda x: x.sum(), torch.ones(1, 1, 5, 5), (1, 1)), raises=ValueError,
         match=r"f must return a \(batch, channel, h, w\) tensor, got torch\.Size\(\[\]\)"),
    Case("errors from inside", equivariance_error, (lambda x: 3.0, torch.ones(1, 1, 5, 5), (1, 1)), raises=ValueError,
         match=r"f must return a \(batch, channel, h, w\) tensor, got 3\.0"),
    Case("errors from inside", relative_change, (lambda x: x.sum(), torch.ones(1, 1, 5, 5), (1, 1)), raises=ValueError,
         match=r"f must return one output per example of X \(a tensor of shape \(n, \.\.\.\)\), got a scalar"),
    Case("errors from inside", relative_change, (lambda x: 2.0, torch.ones(1, 1, 5, 5), (1, 1)), raises=ValueError,
         match=r"f must return tensors of one shape"),
    Case("errors from inside", influence_map, (lambda x: x.sum(), torch.ones(1, 1, 5, 5), (0, 0)), raises=ValueError,
         match=r"f must return a \(batch, channel, h, w\) tensor"),
    Case("errors from inside", influence_map, (lambda x: torch.ones(1, 1, 3, 3), torch.ones(1, 1, 5, 5), (1, 1)),
         expect=torch.zeros(5, 5)),
    Case("errors from inside", influence_map, (lambda x: x.detach()[:, :, :3, :3], torch.ones(1, 2, 5, 5), (1, 1)),
         expect=torch.zeros(5, 5)),
    Case("errors from inside", influence_map, (lambda x: x[:, :1, :3, :3] * 2, torch.ones(1, 1, 4, 4), (0, 0)),
         expect=Check(lambda m: m.shape == (4, 4) and float(m.sum()) == 2.0 and float(m[0, 0]) == 2.0, "2 at (0, 0) only")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(invariance, CASES)


def test_classes():
    assert set(count(CASES)) == {"gradient maps", "sizes", "integer-likes", "errors from inside", "messages"}, count(CASES)


def test_the_references_see_what_they_should():
    """The probe union sees a whole max-pool window, one probe does not; finite differences see
    the kernel of a convolution."""
    net = nn.Sequential(ones_conv(3), nn.MaxPool2d(2))
    assert int(probed(net, (8, 8), (1, 1)).sum()) == 16 and int(probed(net, (8, 8), (1, 1), n=1).sum()) == 9
    conv = nn.Conv2d(1, 1, 3).double()
    X = torch.randn(1, 1, 5, 5, dtype=torch.float64)
    expected = torch.zeros(5, 5, dtype=torch.float64)
    expected[1:4, 0:3] = conv.weight[0, 0].detach().abs()
    torch.testing.assert_close(finite_differences(conv, X, (1, 0)), expected)


def test_the_kink_check_prints_no_warning_on_a_page():
    """Forward mode (the kink check) makes PyTorch warn about torch.jit.script on first use, in
    a fresh process: a page's output must not show it."""
    import subprocess
    import sys
    code = ("import torch; from torch import nn; from companion.invariance import influence_map; "
            "net = nn.Sequential(nn.Conv2d(1, 1, 3), nn.ReLU()); influence_map(net, torch.randn(1, 1, 6, 6), (1, 1))")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr, done.stderr
