"""companion.invariance against PyTorch: torch.roll for shifts, nn.Conv2d / F.conv2d for
equivariance and the FC form of a convolution, autograd and weights for influence maps."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from companion.conv import receptive_field
from companion.invariance import (conv_as_fc_matrix, equivariance_error, influence_map, interior_mask,
                                  relative_change, shift2d)


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
