"""companion.conv against the references: torch.nn.functional.conv2d and d2l.corr2d."""
import pytest
import torch
import torch.nn.functional as F
from d2l import torch as d2l

from conv_cases import ones_conv, random_shapes, random_stacks
from companion.conv import Conv2D, conv2d_flip, corr2d, corr2d_fast, receptive_field, receptive_field_size


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
    with pytest.raises(TypeError, match="kernel_sizes"):
        receptive_field_size([])
    with pytest.raises(ValueError, match="kernel_sizes"):
        receptive_field_size([3, 0])
    with pytest.raises(ValueError, match="strides"):
        receptive_field_size([3, 3], [1])
    with pytest.raises(TypeError, match=r"strides\[0\]"):
        receptive_field_size([3], [1.0])
