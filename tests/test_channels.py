"""companion.channels against the references: F.conv2d and nn.Linear."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from companion.channels import corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1


def random_cases(n=50, seed=0, one_by_one=False):
    g = torch.Generator().manual_seed(seed)
    for _ in range(n):
        c_i, c_o = (int(v) for v in torch.randint(1, 6, (2,), generator=g))
        h, w = (int(v) for v in torch.randint(1, 10, (2,), generator=g))
        kh = 1 if one_by_one else int(torch.randint(1, h + 1, (1,), generator=g))
        kw = 1 if one_by_one else int(torch.randint(1, w + 1, (1,), generator=g))
        X = torch.randn(c_i, h, w, generator=g, dtype=torch.float64)
        K = torch.randn(c_o, c_i, kh, kw, generator=g, dtype=torch.float64)
        yield X, K


def reference(X, K):
    return F.conv2d(X[None], K)[0]


def test_multi_in_matches_f_conv2d():
    for X, K in random_cases():
        torch.testing.assert_close(corr2d_multi_in(X, K[0]), reference(X, K[:1])[0], rtol=1e-12, atol=1e-12)


def test_multi_in_out_matches_f_conv2d():
    for X, K in random_cases(seed=1):
        torch.testing.assert_close(corr2d_multi_in_out(X, K), reference(X, K), rtol=1e-12, atol=1e-12)


def test_1x1_matmul_matches_f_conv2d_and_a_linear_layer_per_pixel():
    for X, K in random_cases(seed=2, one_by_one=True):
        Y = corr2d_multi_in_out_1x1(X, K)
        torch.testing.assert_close(Y, reference(X, K), rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(Y, corr2d_multi_in_out(X, K), rtol=1e-12, atol=1e-12)
        linear = nn.Linear(X.shape[0], K.shape[0], bias=False, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(K[:, :, 0, 0])
        torch.testing.assert_close(Y, linear(X.permute(1, 2, 0)).permute(2, 0, 1), rtol=1e-12, atol=1e-12)


def test_d2l_examples():
    X = torch.tensor([[[0., 1., 2.], [3., 4., 5.], [6., 7., 8.]],
                      [[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]]])
    K = torch.tensor([[[0., 1.], [2., 3.]], [[1., 2.], [3., 4.]]])
    assert torch.equal(corr2d_multi_in(X, K), torch.tensor([[56., 72.], [104., 120.]]))
    K3 = torch.stack((K, K + 1, K + 2), 0)
    assert K3.shape == (3, 2, 2, 2)
    Y = corr2d_multi_in_out(X, K3)
    assert torch.equal(Y[0], corr2d_multi_in(X, K))
    assert torch.equal(Y, torch.tensor([[[56., 72.], [104., 120.]], [[76., 100.], [148., 172.]],
                                        [[96., 128.], [192., 224.]]]))


def test_keeps_dtype_and_gradient():
    X = torch.randn(3, 5, 6, dtype=torch.float64, requires_grad=True)
    K = torch.randn(2, 3, 2, 3, dtype=torch.float64, requires_grad=True)
    Y = corr2d_multi_in_out(X, K)
    assert Y.dtype == torch.float64
    got = torch.autograd.grad(Y.sum(), (X, K))
    want = torch.autograd.grad(reference(X, K).sum(), (X, K))
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b)
    K1 = torch.randn(4, 3, 1, 1, requires_grad=True)
    assert corr2d_multi_in_out_1x1(torch.randn(3, 4, 4), K1).requires_grad


@pytest.mark.parametrize("fn, X, K, error, name", [
    (corr2d_multi_in, [[[1.0]]], torch.ones(1, 1, 1), TypeError, "X"),
    (corr2d_multi_in, torch.ones(1, 3, 3), "K", TypeError, "K"),
    (corr2d_multi_in, torch.ones(2, 3, 3, dtype=torch.int64), torch.ones(2, 1, 1, dtype=torch.int64), TypeError, "X"),
    (corr2d_multi_in, torch.ones(2, 3, 3), torch.ones(2, 1, 1, dtype=torch.float64), TypeError, "X and K"),
    (corr2d_multi_in, torch.ones(3, 3), torch.ones(1, 1), ValueError, "X"),
    (corr2d_multi_in, torch.ones(2, 3, 3), torch.ones(1, 2, 1, 1), ValueError, "K"),
    (corr2d_multi_in, torch.ones(2, 3, 3), torch.ones(3, 2, 2), ValueError, "K must have as many input channels"),
    (corr2d_multi_in, torch.ones(2, 3, 3), torch.ones(2, 4, 1), ValueError, "K must not be larger"),
    (corr2d_multi_in, torch.ones(0, 3, 3), torch.ones(0, 1, 1), ValueError, "X"),
    (corr2d_multi_in_out, torch.ones(2, 3, 3), torch.ones(2, 2, 2), ValueError, "K"),
    (corr2d_multi_in_out, torch.ones(2, 3, 3), torch.ones(4, 3, 2, 2), ValueError, "K must have as many input channels"),
    (corr2d_multi_in_out, torch.ones(2, 3, 3), torch.ones(4, 2, 1, 4), ValueError, "K must not be larger"),
    (corr2d_multi_in_out, torch.ones(2, 3, 3, 1), torch.ones(4, 2, 1, 1), ValueError, "X"),
    (corr2d_multi_in_out, torch.ones(2, 3, 3), None, TypeError, "K"),
    (corr2d_multi_in_out_1x1, torch.ones(2, 3, 3), torch.ones(4, 2, 2, 2), ValueError, "K must be a 1x1"),
    (corr2d_multi_in_out_1x1, torch.ones(2, 3, 3), torch.ones(4, 3, 1, 1), ValueError, "K must have as many"),
    (corr2d_multi_in_out_1x1, torch.ones(2, 3, 3, dtype=torch.int32), torch.ones(4, 2, 1, 1), TypeError, "X"),
    (corr2d_multi_in_out_1x1, torch.ones(2, 3, 3), torch.ones(2, 1, 1), ValueError, "K"),
])
def test_bad_input(fn, X, K, error, name):
    with pytest.raises(error, match=name):
        fn(X, K)
