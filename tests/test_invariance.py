"""companion.invariance against PyTorch: torch.roll for shifts, nn.Conv2d / F.conv2d for
equivariance and the FC form of a convolution, autograd and weights for influence maps and
receptive fields (padded, strided and parameter-free stacks)."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from companion.invariance import (conv_as_fc_matrix, equivariance_error, influence_map, interior_mask,
                                  receptive_field, receptive_field_size, relative_change, shift2d)


def ones_conv(k: int, stride: int = 1, padding: int = 0, dtype: torch.dtype = torch.float32) -> nn.Conv2d:
    """A 1-channel convolution whose weights are all one: no two paths can cancel."""
    conv = nn.Conv2d(1, 1, k, stride=stride, padding=padding, bias=False, dtype=dtype)
    nn.init.ones_(conv.weight)
    return conv


def random_stacks(n: int, seed: int):
    """``n`` random stacks of 1-3 all-ones convolutions: yields (net, kernel sizes, strides)."""
    g = torch.Generator().manual_seed(seed)
    for _ in range(n):
        depth = int(torch.randint(1, 4, (1,), generator=g))
        ks = [int(k) for k in torch.randint(1, 5, (depth,), generator=g)]
        ss = [int(s) for s in torch.randint(1, 3, (depth,), generator=g)]
        yield nn.Sequential(*(ones_conv(k, s) for k, s in zip(ks, ss))), ks, ss


def roll_reference(X, dy, dx):
    """torch.roll wraps around; zero what wrapped."""
    h, w = X.shape[-2:]
    Y = torch.roll(X, shifts=(dy, dx), dims=(-2, -1)).clone()
    if dy > 0:
        Y[..., :min(dy, h), :] = 0
    elif dy < 0:
        Y[..., max(h + dy, 0):, :] = 0
    if dx > 0:
        Y[..., :, :min(dx, w)] = 0
    elif dx < 0:
        Y[..., :, max(w + dx, 0):] = 0
    return Y


def random_cases(n, seed):
    g = torch.Generator().manual_seed(seed)
    for _ in range(n):
        h, w = (int(v) for v in torch.randint(1, 12, (2,), generator=g))
        dy = int(torch.randint(-h - 1, h + 2, (1,), generator=g))
        dx = int(torch.randint(-w - 1, w + 2, (1,), generator=g))
        lead = tuple(int(v) for v in torch.randint(1, 4, (int(torch.randint(0, 3, (1,), generator=g)),), generator=g))
        yield torch.randn(*lead, h, w, generator=g, dtype=torch.float64), dy, dx


def test_shift2d_matches_roll_with_zeroed_wraparound():
    for X, dy, dx in random_cases(200, seed=0):
        Y = shift2d(X, (dy, dx))
        assert Y.shape == X.shape and Y.dtype == X.dtype
        # torch.roll is periodic in the size: compare only shifts that do not wrap twice
        if abs(dy) < X.shape[-2] and abs(dx) < X.shape[-1]:
            assert torch.equal(Y, roll_reference(X, dy, dx))
        else:
            assert torch.equal(Y, torch.zeros_like(X))


def test_shift2d_keeps_integers_and_composes_with_its_inverse_on_the_interior():
    X = torch.arange(30).reshape(5, 6)
    assert torch.equal(shift2d(X, (0, 0)), X)
    back = shift2d(shift2d(X, (2, -1)), (-2, 1))
    keep = interior_mask((5, 6), (-2, 1))
    assert torch.equal(back[keep], X[keep])
    assert torch.equal(back[~keep], torch.zeros_like(X[~keep]))


def test_interior_mask_matches_a_loop():
    for h, w, dy, dx, m in [(5, 6, 1, 2, 0), (5, 6, -2, 1, 1), (7, 7, 0, -3, 2), (4, 4, 4, 0, 0), (6, 5, 2, 2, 3)]:
        expected = torch.zeros(h, w, dtype=torch.bool)
        for i in range(h):
            for j in range(w):
                filled = 0 <= i - dy < h and 0 <= j - dx < w
                inside = m <= i < h - m and m <= j < w - m
                expected[i, j] = filled and inside
        assert torch.equal(interior_mask((h, w), (dy, dx), m), expected)


@pytest.mark.parametrize("seed", range(20))
def test_convolution_is_exactly_equivariant(seed):
    g = torch.Generator().manual_seed(seed)
    c_i, c_o, k = (int(v) for v in torch.randint(1, 5, (3,), generator=g))
    h, w = (int(v) for v in torch.randint(k + 3, 16, (2,), generator=g))
    dy, dx = (int(v) for v in torch.randint(-3, 4, (2,), generator=g))
    torch.manual_seed(seed)
    conv = nn.Conv2d(c_i, c_o, k).double()
    X = torch.randn(3, c_i, h, w, generator=g, dtype=torch.float64)
    assert equivariance_error(conv, X, (dy, dx)) < 1e-12
    # the same comparison written out with F.conv2d
    A = F.conv2d(shift2d(X, (dy, dx)), conv.weight, conv.bias)
    B = shift2d(F.conv2d(X, conv.weight, conv.bias), (dy, dx))
    keep = interior_mask(tuple(A.shape[-2:]), (dy, dx))
    torch.testing.assert_close(A[..., keep], B[..., keep])


@pytest.mark.parametrize("pad", [1, 2])
def test_zero_padding_breaks_equivariance_only_within_the_padding_of_the_edge(pad):
    torch.manual_seed(pad)
    conv = nn.Conv2d(2, 3, 2 * pad + 1, padding=pad).double()
    X = torch.randn(4, 2, 12, 12, dtype=torch.float64)
    assert equivariance_error(conv, X, (2, -3)) > 1e-3
    assert equivariance_error(conv, X, (2, -3), margin=pad) < 1e-12


def test_a_fully_connected_layer_is_not_equivariant():
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.Unflatten(1, (1, 8, 8)))
    X = torch.randn(16, 1, 8, 8)
    assert equivariance_error(mlp, X, (1, 1), relative=True) > 0.5
    assert equivariance_error(nn.Identity(), X, (1, 1), relative=True) == 0.0


def test_relative_change_matches_its_formula():
    torch.manual_seed(0)
    X = torch.randn(5, 2, 7, 9, dtype=torch.float64)
    conv = nn.Conv2d(2, 4, 3).double()
    got = relative_change(conv, X, (1, -2))
    with torch.no_grad():
        a, b = conv(X).flatten(1), conv(shift2d(X, (1, -2))).flatten(1)
    expected = ((b - a).norm(dim=1) / a.norm(dim=1)).mean()
    assert got == pytest.approx(float(expected), rel=1e-12)
    assert relative_change(conv, X, (0, 0)) == 0.0


def test_global_max_pooling_is_invariant_to_shifts_that_keep_the_object():
    X = torch.zeros(3, 1, 10, 10)
    X[:, :, 4:6, 4:6] = torch.rand(3, 1, 2, 2) + 0.5
    pool = nn.AdaptiveMaxPool2d(1)
    for s in [(1, 0), (-2, 3), (3, 3)]:
        assert relative_change(pool, X, s) == 0.0
    assert relative_change(nn.Identity(), X, (1, 0)) > 0.5


@pytest.mark.parametrize("seed", range(10))
def test_influence_map_of_a_conv_is_the_kernel_in_its_window(seed):
    torch.manual_seed(seed)
    c_i, c_o, k = 2, 3, 3
    conv = nn.Conv2d(c_i, c_o, k).double()
    X = torch.randn(1, c_i, 9, 9, dtype=torch.float64)
    i, j, c = seed % 7, (3 * seed) % 7, seed % c_o
    expected = torch.zeros(9, 9, dtype=torch.float64)
    expected[i:i + k, j:j + k] = conv.weight[c].detach().abs().sum(dim=0)
    torch.testing.assert_close(influence_map(conv, X, (i, j), channel=c), expected)


def test_influence_map_of_a_linear_layer_is_its_weight_row():
    torch.manual_seed(0)
    lin = nn.Linear(36, 36)
    net = nn.Sequential(nn.Flatten(), lin, nn.Unflatten(1, (1, 6, 6)))
    m = influence_map(net, torch.randn(1, 1, 6, 6), (2, 3))
    torch.testing.assert_close(m, lin.weight[2 * 6 + 3].detach().abs().reshape(6, 6))
    assert int((m > 0).sum()) == 36


def test_influence_map_agrees_with_receptive_field():
    net = nn.Sequential(nn.Conv2d(1, 1, 3, bias=False), nn.Conv2d(1, 1, 3, bias=False))
    for p in net.parameters():
        nn.init.ones_(p)
    m = influence_map(net, torch.rand(1, 1, 10, 10) + 0.1, (2, 4))
    assert torch.equal(m > 0, receptive_field(net, (10, 10), (2, 4)))
    assert int((m > 0).sum()) == 25


def test_conv_as_fc_matrix_matches_f_conv2d():
    g = torch.Generator().manual_seed(0)
    for _ in range(50):
        h, w = (int(v) for v in torch.randint(1, 10, (2,), generator=g))
        kh, kw = int(torch.randint(1, h + 1, (1,), generator=g)), int(torch.randint(1, w + 1, (1,), generator=g))
        X = torch.randn(h, w, generator=g, dtype=torch.float64)
        K = torch.randn(kh, kw, generator=g, dtype=torch.float64)
        W = conv_as_fc_matrix(K, (h, w))
        assert W.shape == ((h - kh + 1) * (w - kw + 1), h * w)
        torch.testing.assert_close(W @ X.flatten(), F.conv2d(X[None, None], K[None, None]).flatten())
        nonzero = (W != 0).sum(dim=1)
        assert bool((nonzero <= kh * kw).all())  # locality: each row reads one window


def test_conv_as_fc_matrix_used_as_nn_linear():
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 1, 3, bias=False)
    lin = nn.Linear(64, 36, bias=False)
    with torch.no_grad():
        lin.weight.copy_(conv_as_fc_matrix(conv.weight[0, 0], (8, 8)))
    X = torch.randn(5, 1, 8, 8)
    torch.testing.assert_close(lin(X.flatten(1)), conv(X).flatten(1))


conv3 = nn.Conv2d(1, 1, 3)


@pytest.mark.parametrize("call, exc, name", [
    (lambda: shift2d([[1.0]], (1, 1)), TypeError, "X"),
    (lambda: shift2d(torch.ones(4), (1, 1)), ValueError, "X"),
    (lambda: shift2d(torch.ones(3, 3), 1), TypeError, "shift"),
    (lambda: shift2d(torch.ones(3, 3), (1, 1.5)), TypeError, r"shift\[1\]"),
    (lambda: interior_mask((3, 0), (1, 1)), ValueError, "size"),
    (lambda: interior_mask((3, 3), (1, 1), margin=-1), ValueError, "margin"),
    (lambda: equivariance_error("conv", torch.ones(1, 1, 5, 5), (1, 1)), TypeError, "f"),
    (lambda: equivariance_error(conv3, torch.ones(5, 5), (1, 1)), ValueError, "X"),
    (lambda: equivariance_error(conv3, torch.ones(1, 1, 5, 5, dtype=torch.long), (1, 1)), TypeError, "X"),
    (lambda: equivariance_error(conv3, torch.ones(1, 1, 5, 5), (1, 1), relative="yes"), TypeError, "relative"),
    (lambda: equivariance_error(conv3, torch.ones(1, 1, 5, 5), (1, 1), margin=2), ValueError, "margin"),
    (lambda: equivariance_error(nn.Flatten(), torch.ones(1, 1, 5, 5), (1, 1)), ValueError, "f"),
    (lambda: relative_change(conv3, torch.ones(1, 5, 5), (1, 1)), ValueError, "X"),
    (lambda: relative_change(nn.Identity(), torch.zeros(2, 1, 5, 5), (1, 1)), ValueError, "f"),
    (lambda: relative_change(None, torch.ones(1, 1, 5, 5), (1, 1)), TypeError, "f"),
    (lambda: influence_map(conv3, torch.ones(2, 1, 5, 5), (0, 0)), ValueError, "X"),
    (lambda: influence_map(conv3, torch.ones(1, 1, 5, 5), (3, 0)), ValueError, "out_pos"),
    (lambda: influence_map(conv3, torch.ones(1, 1, 5, 5), (0, 0), channel=1), ValueError, "channel"),
    (lambda: influence_map(conv3, torch.ones(1, 1, 5, 5), (0, -1)), ValueError, "out_pos"),
    (lambda: conv_as_fc_matrix(torch.ones(3), (4, 4)), ValueError, "K"),
    (lambda: conv_as_fc_matrix(torch.ones(3, 3, dtype=torch.int64), (4, 4)), TypeError, "K"),
    (lambda: conv_as_fc_matrix(torch.ones(5, 3), (4, 4)), ValueError, "K"),
    (lambda: conv_as_fc_matrix(torch.ones(3, 3), (4, "4")), TypeError, "input_size"),
])
def test_bad_input_is_rejected(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


# --- Receptive fields (sections 02 and 03) -------------------------------------------------------

def test_receptive_field_moves_with_the_output_position():
    g = torch.Generator().manual_seed(5)  # picks the output positions
    for net, ks, ss in random_stacks(20, seed=4):
        jump = math.prod(ss)
        base = receptive_field(net, (30, 30), (0, 0))
        out_h, out_w = net(torch.zeros(1, 1, 30, 30)).shape[2:]
        i, j = int(torch.randint(0, out_h, (1,), generator=g)), int(torch.randint(0, out_w, (1,), generator=g))
        r = receptive_field_size(ks, ss)
        assert i * jump + r <= 30 and j * jump + r <= 30
        shifted = torch.roll(base, shifts=(i * jump, j * jump), dims=(0, 1))
        assert torch.equal(receptive_field(net, (30, 30), (i, j)), shifted)


def test_receptive_field_of_stacked_3x3_layers_grows_by_2_per_layer():
    for depth in range(1, 5):
        net = nn.Sequential(*(ones_conv(3) for _ in range(depth)))
        mask = receptive_field(net, (11, 11), (0, 0))
        assert int(mask.sum()) == (2 * depth + 1) ** 2 == receptive_field_size([3] * depth) ** 2


def test_receptive_field_is_clipped_by_padding_at_the_border():
    mask = receptive_field(ones_conv(3, padding=1), (5, 5), (0, 0))
    expected = torch.zeros(5, 5, dtype=torch.bool)
    expected[:2, :2] = True  # the other five cells of the 3x3 window are padding
    assert torch.equal(mask, expected)


def test_receptive_field_through_layers_without_parameters():
    mask = receptive_field(nn.AvgPool2d(2), (6, 6), (1, 2))
    expected = torch.zeros(6, 6, dtype=torch.bool)
    expected[2:4, 4:6] = True
    assert torch.equal(mask, expected)
    net = nn.Sequential(ones_conv(3), nn.AvgPool2d(2), ones_conv(3))
    mask = receptive_field(net, (20, 20), (0, 0))
    r = receptive_field_size([3, 2, 3], [1, 2, 1])
    assert r == 8 and int(mask.sum()) == r * r


def test_receptive_field_follows_the_dtype_of_the_net():
    mask = receptive_field(ones_conv(2, dtype=torch.float64), (4, 4), (1, 1))
    assert mask.dtype == torch.bool and int(mask.sum()) == 4


def test_receptive_field_leaves_the_net_untouched():
    net = nn.Sequential(ones_conv(3), ones_conv(3))
    before = [p.detach().clone() for p in net.parameters()]
    receptive_field(net, (7, 7), (1, 1))
    assert all(p.grad is None for p in net.parameters())  # no gradients left behind
    assert all(torch.equal(p, q) for p, q in zip(net.parameters(), before))


def test_receptive_field_of_a_constant_net_is_empty():
    class Constant(nn.Module):
        def forward(self, x):
            return torch.ones(1, 1, 2, 2, requires_grad=True) * 2

    assert not receptive_field(Constant(), (3, 3), (0, 0)).any()


def test_receptive_field_size_closed_forms():
    for k in range(1, 8):
        for depth in range(1, 6):
            assert receptive_field_size([k] * depth) == 1 + depth * (k - 1)
            assert receptive_field_size(tuple([k] * depth), [1] * depth) == receptive_field_size([k] * depth)
    # non-overlapping k x k windows with stride k tile the input: k ** depth
    for k in range(1, 5):
        for depth in range(1, 4):
            assert receptive_field_size([k] * depth, [k] * depth) == k ** depth


def test_receptive_field_agrees_with_formula():
    for net, ks, ss in random_stacks(25, seed=3):
        mask = receptive_field(net, (40, 40), (0, 0))
        rows, cols = mask.any(1).nonzero(), mask.any(0).nonzero()
        r = receptive_field_size(ks, ss)
        if all(s == 1 for s in ss):  # no holes: the whole r x r window counts
            assert int(mask.sum()) == r * r
        assert (int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())) == (0, r - 1, 0, r - 1)


def test_receptive_field_of_two_3x3_layers_is_5x5():
    mask = receptive_field(torch.nn.Sequential(ones_conv(3), ones_conv(3)), (9, 9), (2, 2))
    expected = torch.zeros(9, 9, dtype=torch.bool)
    expected[2:7, 2:7] = True
    assert torch.equal(mask, expected)
    assert receptive_field_size([3, 3]) == 5


def test_receptive_field_bad_input():
    with pytest.raises(TypeError, match="net"):
        receptive_field(lambda x: x, (4, 4), (0, 0))
    with pytest.raises(ValueError, match="out_pos"):
        receptive_field(ones_conv(3), (4, 4), (2, 0))
    with pytest.raises(ValueError, match="input_shape"):
        receptive_field(ones_conv(3), (0, 4), (0, 0))
    with pytest.raises(ValueError, match=r"must return a \(batch, channel, h, w\) tensor"):
        receptive_field(torch.nn.Flatten(), (4, 4), (0, 0))
    with pytest.raises(ValueError, match="kernel_sizes"):  # an empty list of sizes (issue 10)
        receptive_field_size([])
    with pytest.raises(ValueError, match="kernel_sizes"):
        receptive_field_size([3, 0])
    with pytest.raises(ValueError, match="strides"):
        receptive_field_size([3, 3], [1])
    with pytest.raises(TypeError, match=r"strides\[0\]"):
        receptive_field_size([3], [1.0])
