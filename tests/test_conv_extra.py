"""What section 03 (convolutions for images) relies on, beyond tests/test_conv.py:
strict convolution against SciPy, the symmetries the edge-detection demo uses, the kernel
learning it shows, and receptive_field on padded, strided and parameter-free stacks."""
import math

import pytest
import torch
from scipy import signal
from torch import nn

from conv_cases import ones_conv, random_shapes, random_stacks
from companion.conv import Conv2D, conv2d_flip, corr2d, corr2d_fast, receptive_field, receptive_field_size


def edge_image():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    return X


# --- Cross-correlation and convolution ------------------------------------------------------

def test_conv2d_flip_is_scipy_convolution_and_corr2d_is_scipy_correlation():
    for X, K in random_shapes(n=40, seed=10):
        expected_conv = torch.from_numpy(signal.convolve2d(X.numpy(), K.numpy(), mode="valid"))
        expected_corr = torch.from_numpy(signal.correlate2d(X.numpy(), K.numpy(), mode="valid"))
        torch.testing.assert_close(conv2d_flip(X, K), expected_conv, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(corr2d_fast(X, K), expected_corr, rtol=1e-12, atol=1e-12)


def test_transposing_input_and_kernel_transposes_the_output():
    for X, K in random_shapes(n=40, seed=11):
        torch.testing.assert_close(corr2d(X.t(), K.t()), corr2d(X, K).t())
        torch.testing.assert_close(corr2d(X.flip((0, 1)), K.flip((0, 1))), corr2d(X, K).flip((0, 1)))


def test_corr2d_fast_works_on_a_transposed_view():
    X, K = torch.randn(7, 5, dtype=torch.float64), torch.randn(2, 3, dtype=torch.float64)
    assert not X.t().is_contiguous()
    torch.testing.assert_close(corr2d_fast(X.t(), K), corr2d(X.t().contiguous(), K))


def test_edge_detection_example():
    X, K = edge_image(), torch.tensor([[1.0, -1.0]])
    Y = corr2d(X, K)
    expected = torch.zeros(6, 7)
    expected[:, 1], expected[:, 5] = 1, -1  # white -> black at column 1|2, black -> white at 5|6
    assert torch.equal(Y, expected)
    assert torch.equal(corr2d(X.t(), K), torch.zeros(8, 5))  # horizontal edges: K sees nothing
    assert torch.equal(corr2d(X.t(), K.t()), Y.t())


def test_second_difference_kernel_is_exact_on_quadratics():
    j = torch.arange(12, dtype=torch.float64)
    rows = torch.stack([3 * j**2 - 2 * j + 1, -j**2 + 5])
    out = corr2d(rows, torch.tensor([[1.0, -2.0, 1.0]], dtype=torch.float64))
    torch.testing.assert_close(out, torch.tensor([[6.0], [-2.0]], dtype=torch.float64).expand(2, 10))


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_binomial_kernel_of_size_d_plus_1_takes_the_d_th_difference(d):
    kernel = torch.tensor([[(-1) ** (d - k) * math.comb(d, k) for k in range(d + 1)]], dtype=torch.float64)
    j = torch.arange(15, dtype=torch.float64)
    torch.testing.assert_close(corr2d((j**d)[None], kernel), torch.full((1, 15 - d), float(math.factorial(d)),
                                                                          dtype=torch.float64))
    for m in range(d):  # lower degrees vanish
        torch.testing.assert_close(corr2d((j**m)[None], kernel), torch.zeros(1, 15 - d, dtype=torch.float64))


# --- Learning the edge kernel (the page's claims) -------------------------------------------

def train_edge_kernel(layer, X, Y, lr, steps):
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        layer.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in layer.parameters():
                p -= lr * p.grad
    with torch.no_grad():
        return float(((layer(X) - Y) ** 2).sum())


def test_ten_steps_bring_nn_conv2d_within_0_1_of_the_edge_kernel_for_many_seeds():
    X = edge_image()
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    for seed in range(30):
        torch.manual_seed(seed)
        conv = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
        train_edge_kernel(conv, X[None, None], Y[None, None], lr=3e-2, steps=10)
        torch.testing.assert_close(conv.weight.detach().reshape(1, 2), torch.tensor([[1.0, -1.0]]),
                                   rtol=0, atol=0.1)


def test_companion_conv2d_with_bias_learns_with_a_smaller_rate_and_diverges_with_3e_2():
    X = edge_image()
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    torch.manual_seed(0)
    layer = Conv2D((1, 2))
    assert train_edge_kernel(layer, X, Y, lr=1e-2, steps=60) < 1e-3
    torch.testing.assert_close(layer.weight.detach(), torch.tensor([[1.0, -1.0]]), rtol=0, atol=1e-2)
    torch.testing.assert_close(layer.bias.detach(), torch.zeros(1), rtol=0, atol=1e-2)
    torch.manual_seed(0)
    assert train_edge_kernel(Conv2D((1, 2)), X, Y, lr=3e-2, steps=30) > 1e6
    # why: gradient descent on a quadratic is stable iff lr < 2 / (largest Hessian eigenvalue)
    A = torch.stack([X[:, :-1].flatten(), X[:, 1:].flatten(), torch.ones(X.shape[0] * (X.shape[1] - 1))], 1)
    assert 2 / torch.linalg.eigvalsh(2 * A[:, :2].T @ A[:, :2]).max() > 3e-2  # no bias: 2/60
    assert 2 / torch.linalg.eigvalsh(2 * A.T @ A).max() < 3e-2  # with bias: 2/124.3


# --- Receptive fields -----------------------------------------------------------------------

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
