"""companion.pooling against the references: nn.MaxPool2d and nn.AvgPool2d (PyTorch defaults)."""
import pytest
import torch
from torch import nn

from companion.pooling import pool2d, pool2d_multi


def random_cases(n=80, seed=0):
    """Random inputs, windows, paddings (at most half the window) and strides, all legal."""
    g = torch.Generator().manual_seed(seed)
    rand = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))  # noqa: E731
    for _ in range(n):
        kh, kw = rand(1, 4), rand(1, 4)
        ph, pw = rand(0, kh // 2), rand(0, kw // 2)
        h, w = rand(max(1, kh - 2 * ph), 9), rand(max(1, kw - 2 * pw), 9)
        stride = None if rand(0, 3) == 0 else (rand(1, 3), rand(1, 3))
        c = rand(1, 3)
        X = torch.randn(c, h, w, generator=g, dtype=torch.float64)
        yield X, (kh, kw), (ph, pw), stride


REFERENCE = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d_matches_pytorch_with_padding_and_stride(mode):
    for X, k, p, s in random_cases(seed={"max": 0, "avg": 1}[mode]):
        ref = REFERENCE[mode](k, stride=s, padding=p)(X[None])[0]
        torch.testing.assert_close(pool2d(X[0], k, mode, padding=p, stride=s), ref[0], rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(pool2d_multi(X, k, mode, padding=p, stride=s), ref, rtol=1e-12, atol=1e-12)


def test_multi_channel_keeps_the_channel_count():
    for X, k, p, s in random_cases(n=20, seed=2):
        for mode in ("max", "avg"):
            Y = pool2d_multi(X, k, mode, padding=p, stride=s)
            assert Y.shape[0] == X.shape[0]
            for c in range(X.shape[0]):  # channel c of the output depends on channel c only
                torch.testing.assert_close(Y[c], pool2d(X[c], k, mode, padding=p, stride=s))


def test_padding_rules_of_pytorch():
    X = -torch.ones(2, 2)  # all negative: a zero pad would win a max
    assert torch.equal(pool2d(X, 2, "max", padding=1), -torch.ones(2, 2))  # padded with -inf
    # count_include_pad=True: the corner window holds one -1 and three zeros -> -1/4
    assert torch.equal(pool2d(X, 2, "avg", padding=1), torch.full((2, 2), -0.25))
    ref = nn.AvgPool2d(2, padding=1)(X[None])[0]
    assert torch.equal(pool2d(X, 2, "avg", padding=1), ref)
    assert nn.AvgPool2d(2).count_include_pad is True


def test_d2l_examples():
    X = torch.arange(9.).reshape(3, 3)
    assert torch.equal(pool2d(X, (2, 2), stride=1), torch.tensor([[4., 5.], [7., 8.]]))
    assert torch.equal(pool2d(X, (2, 2), "avg", stride=1), torch.tensor([[2., 3.], [5., 6.]]))
    X = torch.arange(16.).reshape(4, 4)
    assert torch.equal(pool2d(X, 3), torch.tensor([[10.]]))
    assert torch.equal(pool2d(X, 3, padding=1, stride=2), torch.tensor([[5., 7.], [13., 15.]]))
    assert torch.equal(pool2d(X, (2, 3), padding=(0, 1), stride=(2, 3)), torch.tensor([[5., 7.], [13., 15.]]))
    X2 = torch.stack((X, X + 1))
    assert pool2d_multi(X2, 3, padding=1, stride=2).shape == (2, 2, 2)


def test_keeps_dtype_and_gradient():
    X = torch.randn(5, 6, dtype=torch.float64, requires_grad=True)
    for mode in ("max", "avg"):
        Y = pool2d(X, 2, mode, padding=1, stride=(1, 2))
        assert Y.dtype == torch.float64
        (got,) = torch.autograd.grad(Y.sum(), X)
        (want,) = torch.autograd.grad(REFERENCE[mode](2, stride=(1, 2), padding=1)(X[None]).sum(), X)
        torch.testing.assert_close(got, want)


GOOD = dict(pool_size=2)


@pytest.mark.parametrize("fn", [pool2d, pool2d_multi])
@pytest.mark.parametrize("X, kwargs, error, name", [
    ([[1.0, 2.0]], GOOD, TypeError, "X"),
    ("X", GOOD, TypeError, "X"),
    (torch.ones(4, 4, dtype=torch.int64), GOOD, TypeError, "X"),
    (torch.ones(1, 1, 4, 4), GOOD, ValueError, "X"),
    (torch.ones(4), GOOD, ValueError, "X"),
    (torch.ones(4, 4), dict(pool_size=0), ValueError, "pool_size"),
    (torch.ones(4, 4), dict(pool_size=2.0), TypeError, "pool_size"),
    (torch.ones(4, 4), dict(pool_size=(2, 2, 2)), ValueError, "pool_size"),
    (torch.ones(4, 4), dict(pool_size=5), ValueError, "pool_size"),
    (torch.ones(4, 4), dict(pool_size=(7, 2), padding=(1, 0)), ValueError, "pool_size"),
    (torch.ones(4, 4), dict(pool_size=2, mode="min"), ValueError, "mode"),
    (torch.ones(4, 4), dict(pool_size=2, mode=max), TypeError, "mode"),
    (torch.ones(4, 4), dict(pool_size=2, padding=2), ValueError, "padding"),
    (torch.ones(4, 4), dict(pool_size=3, padding=(0, 2)), ValueError, "padding"),
    (torch.ones(4, 4), dict(pool_size=2, padding=-1), ValueError, "padding"),
    (torch.ones(4, 4), dict(pool_size=2, stride=0), ValueError, "stride"),
    (torch.ones(4, 4), dict(pool_size=2, stride=(1, 1.5)), TypeError, r"stride\[1\]"),
])
def test_bad_input(fn, X, kwargs, error, name):
    if fn is pool2d_multi and isinstance(X, torch.Tensor) and X.dim() == 2:
        X = X[None]  # a legal (c, h, w) input, so only the named argument is wrong
    with pytest.raises(error, match=name):
        fn(X, **kwargs)


def test_padding_rule_agrees_with_pytorch():
    """PyTorch refuses the same paddings that pool2d refuses."""
    X = torch.ones(1, 6, 6)
    for k in range(1, 5):
        for p in range(0, 4):
            ok = p <= k // 2
            for Ref in (nn.MaxPool2d, nn.AvgPool2d):
                if ok:
                    Ref(k, padding=p)(X)
                else:
                    with pytest.raises(RuntimeError):
                        Ref(k, padding=p)(X)
            if ok:
                pool2d(X[0], k, padding=p)
            else:
                with pytest.raises(ValueError, match="padding"):
                    pool2d(X[0], k, padding=p)
