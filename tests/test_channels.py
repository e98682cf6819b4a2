"""companion.channels against the references: F.conv2d, nn.Conv2d, nn.Linear and PyTorch's flop counter."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from companion.channels import (ConvCost, conv2d_cost, corr2d_multi_in, corr2d_multi_in_out,
                                corr2d_multi_in_out_1x1)


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


CONFIGS = [  # c_i, c_o, kernel, input, padding, stride, bias
    (3, 64, 3, 224, 1, 1, True), (64, 128, 3, (56, 40), 1, 2, True), (10, 5, 1, 8, 0, 1, True),
    (256, 64, 1, 14, 0, 1, False), (1, 6, 5, 28, 2, 1, True), (6, 16, 5, 14, 0, 1, True),
    (2, 3, (5, 3), (9, 7), (2, 1), (3, 2), True), (4, 4, (1, 4), (1, 6), 0, (1, 3), False),
    (3, 2, 7, 3, 2, 1, True), (5, 1, (2, 3), (4, 4), (1, 0), (2, 1), True),
]


@pytest.mark.parametrize("c_i, c_o, k, size, p, s, bias", CONFIGS)
def test_cost_matches_nn_conv2d_and_flop_counter(c_i, c_o, k, size, p, s, bias):
    cost = conv2d_cost(c_i, c_o, k, size, padding=p, stride=s, bias=bias)
    assert isinstance(cost, ConvCost)
    layer = nn.Conv2d(c_i, c_o, k, padding=p, stride=s, bias=bias)
    assert cost.params == sum(q.numel() for q in layer.parameters())
    h, w = (size, size) if isinstance(size, int) else size
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        y = layer(torch.zeros(1, c_i, h, w))
    assert cost.output_shape == tuple(y.shape[1:])
    assert 2 * cost.macs == counter.get_total_flops()  # a multiply-add is two flops


def test_cost_of_the_seed_example():
    assert conv2d_cost(10, 5, 1, (8, 8)) == ConvCost(params=55, output_shape=(5, 8, 8), macs=3200)


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


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(in_channels=0), ValueError, "in_channels"),
    (dict(in_channels=2.0), TypeError, "in_channels"),
    (dict(out_channels=True), TypeError, "out_channels"),
    (dict(kernel_size=(3, 0)), ValueError, r"kernel_size\[1\]"),
    (dict(kernel_size=(3, 3, 3)), ValueError, "kernel_size"),
    (dict(input_size="8"), TypeError, "input_size"),
    (dict(padding=-1), ValueError, "padding"),
    (dict(stride=0), ValueError, "stride"),
    (dict(bias=1), TypeError, "bias"),
    (dict(kernel_size=9), ValueError, "kernel_size"),
    (dict(kernel_size=9, padding=1), ValueError, "kernel_size"),
])
def test_cost_bad_input(kwargs, error, name):
    args = dict(in_channels=3, out_channels=4, kernel_size=3, input_size=(6, 6))
    args.update(kwargs)
    with pytest.raises(error, match=name):
        conv2d_cost(**args)
