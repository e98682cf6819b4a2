"""companion.conv against the references: torch.nn.functional.conv2d, d2l.corr2d and SciPy;
the symmetries the edge-detection demo of section 03 uses, and the kernel learning it shows."""
import math

import pytest
import torch
import torch.nn.functional as F
from d2l import torch as d2l
from scipy import signal
from torch import nn

from companion.conv import Conv2D, conv2d_flip, corr2d, corr2d_fast


def random_shapes(n: int = 60, seed: int = 0):
    """``n`` random (X, K) float64 pairs with 1 <= K's sides <= X's sides <= 12."""
    g = torch.Generator().manual_seed(seed)
    for _ in range(n):
        h, w = (int(v) for v in torch.randint(1, 13, (2,), generator=g))
        kh = int(torch.randint(1, h + 1, (1,), generator=g))
        kw = int(torch.randint(1, w + 1, (1,), generator=g))
        yield (torch.randn(h, w, generator=g, dtype=torch.float64),
               torch.randn(kh, kw, generator=g, dtype=torch.float64))


def reference(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]


@pytest.mark.parametrize("fn", [corr2d, corr2d_fast])
def test_matches_f_conv2d_on_random_shapes(fn):
    for X, K in random_shapes():
        torch.testing.assert_close(fn(X, K), reference(X, K), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", [corr2d, corr2d_fast])
def test_matches_d2l_corr2d(fn):
    for X, K in random_shapes(n=20, seed=1):
        X, K = X.float(), K.float()
        torch.testing.assert_close(fn(X, K), d2l.corr2d(X, K), rtol=1e-5, atol=1e-5)


def test_docstring_example_values():
    X = torch.arange(9.).reshape(3, 3)
    K = torch.tensor([[0., 1.], [2., 3.]])
    expected = torch.tensor([[19., 25.], [37., 43.]])
    assert torch.equal(corr2d(X, K), expected)
    assert torch.equal(corr2d_fast(X, K), expected)


def test_keeps_dtype_and_gradient():
    X = torch.randn(5, 6, dtype=torch.float64, requires_grad=True)
    K = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    for fn in (corr2d, corr2d_fast):
        Y = fn(X, K)
        assert Y.dtype == torch.float64
        gX, gK = torch.autograd.grad(Y.sum(), (X, K))
        rX, rK = torch.autograd.grad(reference(X, K).sum(), (X, K))
        torch.testing.assert_close(gX, rX)
        torch.testing.assert_close(gK, rK)


def test_the_guard_passes_its_arguments_through_untouched():
    X, K = torch.randn(4, 5, dtype=torch.float64), torch.randn(2, 2, dtype=torch.float64)
    X2, K2 = corr2d.accept(X, K).values()
    assert X2 is X and K2 is K  # no copy: gradients and views still reach the caller's tensors


def test_flip_turns_correlation_into_convolution():
    for X, K in random_shapes(n=20, seed=2):
        torch.testing.assert_close(conv2d_flip(X, K), corr2d(X, torch.flip(K, (0, 1))))
        torch.testing.assert_close(conv2d_flip(X, torch.flip(K, (0, 1))), reference(X, K))


def test_conv2d_layer_matches_f_conv2d():
    torch.manual_seed(0)
    layer = Conv2D((2, 3))
    with torch.no_grad():
        layer.bias.fill_(0.5)
    X = torch.randn(6, 7)
    expected = F.conv2d(X[None, None], layer.weight[None, None], layer.bias)[0, 0]
    torch.testing.assert_close(layer(X), expected)
    assert Conv2D(3).weight.shape == (3, 3)
    assert [p.shape for p in layer.parameters()] == [torch.Size([2, 3]), torch.Size([1])]


@pytest.mark.parametrize("fn", [corr2d, corr2d_fast, conv2d_flip])
@pytest.mark.parametrize("X, K, error, name", [
    ([[1.0]], torch.ones(1, 1), TypeError, "X"),
    (torch.ones(3, 3), [[1.0]], TypeError, "K"),
    (torch.ones(3, 3, dtype=torch.int64), torch.ones(1, 1, dtype=torch.int64), TypeError, "X"),
    (torch.ones(3, 3), torch.ones(1, 1, dtype=torch.float64), TypeError, "X and K"),
    (torch.ones(1, 3, 3), torch.ones(1, 1), ValueError, "X"),
    (torch.ones(3, 3), torch.ones(2), ValueError, "K"),
    (torch.ones(3, 3), torch.ones(4, 1), ValueError, "K must not be larger"),
    (torch.ones(3, 3), torch.ones(1, 4), ValueError, "K must not be larger"),
    (torch.ones(0, 3), torch.ones(1, 1), ValueError, "X"),
])
def test_bad_input(fn, X, K, error, name):
    with pytest.raises(error, match=name):
        fn(X, K)


@pytest.mark.parametrize("size, error", [(0, ValueError), ((1, 0), ValueError), (1.5, TypeError),
                                         ((1, 2, 3), ValueError), ("3", TypeError), (True, TypeError)])
def test_conv2d_layer_bad_kernel_size(size, error):
    with pytest.raises(error, match="kernel_size"):
        Conv2D(size)


# --- Cross-correlation and convolution, the page's claims ---------------------------------------

def edge_image():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    return X


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
