"""companion.shapes against the reference: the shapes nn.Conv2d actually produces, F.pad."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from companion.shapes import comp_conv2d, conv_output_shape, conv_output_size, pad2d
from companion.shapes import conv_transpose2d, insert_zeros, mirror_pad2d

SIZES, KERNELS, PADDINGS, STRIDES = range(1, 11), range(1, 6), range(0, 4), range(1, 5)


def torch_shape(n, k, p, s):
    conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s, bias=False)
    with torch.no_grad():
        return tuple(conv(torch.zeros(1, 1, *n) if isinstance(n, tuple) else torch.zeros(1, 1, n, n)).shape[2:])


@pytest.mark.parametrize("s", STRIDES)
@pytest.mark.parametrize("p", PADDINGS)
def test_square_grid_matches_nn_conv2d(p, s):
    """Every (size, kernel) of the grid, 800 combinations in all: ours == nn.Conv2d, or both refuse."""
    for n, k in itertools.product(SIZES, KERNELS):
        if k <= n + 2 * p:
            want = torch_shape(n, k, p, s)
            assert conv_output_shape(n, k, p, s) == want, (n, k, p, s)
            assert conv_output_size(n, k, 2 * p, s) == want[0]
            assert want[0] == (n - k + 2 * p + s) // s  # the formula, written out
        else:
            with pytest.raises(RuntimeError):
                torch_shape(n, k, p, s)
            with pytest.raises(ValueError, match="kernel_size"):
                conv_output_shape(n, k, p, s)


def test_random_rectangular_cases_match_nn_conv2d():
    g = torch.Generator().manual_seed(0)
    rand = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))  # noqa: E731
    for _ in range(300):
        k = (rand(1, 7), rand(1, 7))
        p = (rand(0, 3), rand(0, 3))
        s = (rand(1, 5), rand(1, 5))
        n = (rand(max(1, k[0] - 2 * p[0]), 20), rand(max(1, k[1] - 2 * p[1]), 20))
        assert conv_output_shape(n, k, p, s) == torch_shape(n, k, p, s), (n, k, p, s)


def test_odd_total_padding_matches_uneven_f_pad():
    """D2L's total padding may be odd (even kernel): pad unevenly, then convolve without padding."""
    for n, k, total, s in itertools.product(range(3, 9), range(1, 5), range(0, 4), range(1, 4)):
        if k > n + total:
            continue
        X = torch.zeros(1, 1, n, n)
        Xp = F.pad(X, ((total + 1) // 2, total // 2, (total + 1) // 2, total // 2))
        want = F.conv2d(Xp, torch.zeros(1, 1, k, k), stride=s).shape[-1]
        assert conv_output_size(n, k, total, s) == want


def test_book_examples():
    assert conv_output_shape(8, 3, padding=1) == (8, 8)
    assert conv_output_shape(8, (5, 3), padding=(2, 1)) == (8, 8)
    assert conv_output_shape(8, 3, padding=1, stride=2) == (4, 4)
    assert conv_output_shape(8, (3, 5), padding=(0, 1), stride=(3, 4)) == (2, 2)
    assert conv_output_size(8, 3) == 6  # n - k + 1


@pytest.mark.parametrize("padding", [0, 1, 2, (1, 0), (0, 3), (1, 2, 0, 3), (0, 0, 0, 0)])
def test_pad2d_matches_f_pad(padding):
    X = torch.randn(3, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    if isinstance(padding, int):
        t = b = l = r = padding  # noqa: E741
    elif len(padding) == 2:
        t = b = padding[0]
        l = r = padding[1]  # noqa: E741
    else:
        t, b, l, r = padding  # noqa: E741
    for value in (0.0, -1.5):
        torch.testing.assert_close(pad2d(X, padding, value), F.pad(X, (l, r, t, b), value=value))


def test_pad2d_keeps_dtype_and_gradient():
    X = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    Y = pad2d(X, (1, 2))
    assert Y.dtype == torch.float64 and Y.shape == (4, 7)
    (g,) = torch.autograd.grad((Y * 2).sum(), X)
    assert torch.equal(g, torch.full_like(X, 2.0))
    assert torch.equal(pad2d(torch.ones(2, 2, dtype=torch.int64), 1).sum(), torch.tensor(4))


def test_comp_conv2d_matches_nn_conv2d():
    torch.manual_seed(0)
    for k, p, s in [(3, 1, 1), ((5, 3), (2, 1), 1), (3, 1, 2), ((3, 5), (0, 1), (3, 4)), (2, 0, 1)]:
        conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
        X = torch.rand(8, 8)
        Y = comp_conv2d(conv, X)
        torch.testing.assert_close(Y, conv(X[None, None])[0, 0])
        assert tuple(Y.shape) == conv_output_shape(8, k, p, s)


def test_comp_conv2d_accepts_same_padding():
    conv = nn.Conv2d(1, 1, kernel_size=(5, 3), padding="same")
    assert comp_conv2d(conv, torch.rand(6, 7)).shape == (6, 7)


CONV = nn.Conv2d(1, 1, 3)


@pytest.mark.parametrize("fn, args, error, name", [
    (conv_output_size, (8.0, 3), TypeError, "n"),
    (conv_output_size, (0, 3), ValueError, "n"),
    (conv_output_size, (8, 0), ValueError, "kernel_size"),
    (conv_output_size, (8, "3"), TypeError, "kernel_size"),
    (conv_output_size, (8, 3, -1), ValueError, "total_padding"),
    (conv_output_size, (8, 3, 1.0), TypeError, "total_padding"),
    (conv_output_size, (8, 3, 0, 0), ValueError, "stride"),
    (conv_output_size, (8, 3, 0, True), TypeError, "stride"),
    (conv_output_size, (2, 5, 2), ValueError, "kernel_size"),
    (conv_output_shape, ("8", 3), TypeError, "input_size"),
    (conv_output_shape, ((8, 8, 8), 3), ValueError, "input_size"),
    (conv_output_shape, ((8, 0), 3), ValueError, r"input_size\[1\]"),
    (conv_output_shape, (8, 0), ValueError, "kernel_size"),
    (conv_output_shape, (8, -3), ValueError, "kernel_size"),
    (conv_output_shape, (8, (3, 2.0)), TypeError, r"kernel_size\[1\]"),
    (conv_output_shape, (8, 3, -1), ValueError, "padding"),
    (conv_output_shape, (8, 3, (0, -2)), ValueError, r"padding\[1\]"),
    (conv_output_shape, (8, 3, "same"), TypeError, "padding"),
    (conv_output_shape, (8, 3, 0, 0), ValueError, "stride"),
    (conv_output_shape, (8, 3, 0, (2, -1)), ValueError, r"stride\[1\]"),
    (conv_output_shape, (8, 3, 0, 1.5), TypeError, "stride"),
    (conv_output_shape, (4, 7, 1), ValueError, "kernel_size"),
    (conv_output_shape, ((8, 2), (3, 5), (0, 1)), ValueError, "kernel_size"),
    (pad2d, ([[1.0]], 1), TypeError, "X"),
    (pad2d, (torch.ones(3), 1), ValueError, "X"),
    (pad2d, (torch.ones(1, 2, 2), 1), ValueError, "X"),
    (pad2d, (torch.ones(2, 2), -1), ValueError, "padding"),
    (pad2d, (torch.ones(2, 2), 1.0), TypeError, "padding"),
    (pad2d, (torch.ones(2, 2), (1, 2, 3)), ValueError, "padding"),
    (pad2d, (torch.ones(2, 2), (1, 0, -1, 0)), ValueError, r"padding\[2\]"),
    (pad2d, (torch.ones(2, 2), 1, "0"), TypeError, "value"),
    (comp_conv2d, ("conv", torch.ones(4, 4)), TypeError, "conv"),
    (comp_conv2d, (nn.Conv2d(2, 1, 3), torch.ones(4, 4)), ValueError, "conv"),
    (comp_conv2d, (nn.Conv2d(1, 3, 3), torch.ones(4, 4)), ValueError, "conv"),
    (comp_conv2d, (CONV, torch.ones(1, 1, 4, 4)), ValueError, "X"),
    (comp_conv2d, (CONV, [[1.0]]), TypeError, "X"),
    (comp_conv2d, (CONV, torch.ones(4, 4, dtype=torch.int64)), TypeError, "X"),
    (comp_conv2d, (CONV, torch.ones(4, 4, dtype=torch.float64)), TypeError, "X"),
    (comp_conv2d, (CONV, torch.ones(2, 5)), ValueError, "kernel_size"),
    (comp_conv2d, (nn.Flatten(0), torch.ones(4, 4)), ValueError, "conv"),
])
def test_bad_input(fn, args, error, name):
    with pytest.raises(error, match=name):
        fn(*args)


# --- mirror padding (D2L 7.3.3) against F.pad and NumPy -------------------------------------

def mirror_cases():
    """(shape, padding as given, (top, bottom, left, right)) over small shapes and paddings."""
    for h, w in [(1, 1), (1, 4), (3, 1), (2, 2), (3, 5), (6, 4)]:
        for t, b, l, r in itertools.product(range(4), repeat=4):  # noqa: E741
            if max(t, b) <= h and max(l, r) <= w:
                yield (h, w), (t, b, l, r), (t, b, l, r)
        for p in range(min(h, w) + 1):
            yield (h, w), p, (p, p, p, p)
        yield (h, w), (h, w), (h, h, w, w)


def test_mirror_pad2d_reflect_matches_f_pad_and_numpy():
    g = torch.Generator().manual_seed(2)
    checked = 0
    for shape, padding, (t, b, l, r) in mirror_cases():  # noqa: E741
        if max(t, b) >= shape[0] or max(l, r) >= shape[1]:
            continue  # reflect repeats no pixel, so it needs padding < size (so does F.pad)
        X = torch.randn(shape, generator=g, dtype=torch.float64)
        ours = mirror_pad2d(X, padding)
        torch.testing.assert_close(ours, F.pad(X[None], (l, r, t, b), mode="reflect")[0], rtol=0, atol=0)
        assert np.array_equal(ours.numpy(), np.pad(X.numpy(), ((t, b), (l, r)), mode="reflect"))
        checked += 1
    assert checked > 300


def test_mirror_pad2d_symmetric_matches_numpy():
    g = torch.Generator().manual_seed(3)
    checked = 0
    for shape, padding, (t, b, l, r) in mirror_cases():  # noqa: E741
        X = torch.randn(shape, generator=g, dtype=torch.float64)
        want = np.pad(X.numpy(), ((t, b), (l, r)), mode="symmetric")
        assert np.array_equal(mirror_pad2d(X, padding, mode="symmetric").numpy(), want), (shape, padding)
        checked += 1
    assert checked > 500


def test_reflect_padding_mode_of_nn_conv2d_is_mirror_pad2d_then_no_padding():
    torch.manual_seed(0)
    for k, p in [(3, 1), (5, 2), ((3, 5), (1, 2)), (4, (1, 3))]:
        conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, padding_mode="reflect", bias=False)
        X = torch.rand(7, 9)
        with torch.no_grad():
            want = conv(X[None, None])[0, 0]
            ours = F.conv2d(mirror_pad2d(X, p)[None, None], conv.weight)[0, 0]
        torch.testing.assert_close(ours, want)


def test_mirror_pad2d_keeps_dtype_and_gradient():
    X = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(6, 9, dtype=torch.float64)
    (ours,) = torch.autograd.grad((mirror_pad2d(X, (1, 2)) * weights).sum(), X)
    (want,) = torch.autograd.grad((F.pad(X[None], (2, 2, 1, 1), mode="reflect")[0] * weights).sum(), X)
    torch.testing.assert_close(ours, want)
    ints = torch.arange(6).reshape(2, 3)
    assert mirror_pad2d(ints, 1, mode="symmetric").dtype == torch.int64
    assert mirror_pad2d(ints, (0, 1)).tolist() == [[1, 0, 1, 2, 1], [4, 3, 4, 5, 4]]


# --- stride 1/2: zero insertion and transposed convolution (D2L 7.3.6) ----------------------

def test_insert_zeros_is_a_transposed_convolution_with_a_one_by_one_kernel():
    g = torch.Generator().manual_seed(4)
    for h, w, s in itertools.product(range(1, 5), range(1, 5), [1, 2, 3, (2, 3), (1, 4)]):
        X = torch.randn(h, w, generator=g)
        want = F.conv_transpose2d(X[None, None], torch.ones(1, 1, 1, 1), stride=s)[0, 0]
        assert torch.equal(insert_zeros(X, s), want), (h, w, s)


def test_conv_transpose2d_matches_nn_conv_transpose2d():
    g = torch.Generator().manual_seed(5)
    checked = 0
    for (h, w), (k_h, k_w), s, p in itertools.product(
            [(1, 1), (2, 3), (4, 4), (5, 2)], [(1, 1), (2, 2), (3, 3), (4, 4), (3, 5)],
            [1, 2, 3, (2, 1)], [0, 1, 2, (1, 0)]):
        p_h, p_w = (p, p) if isinstance(p, int) else p
        s_h, s_w = (s, s) if isinstance(s, int) else s
        if p_h > k_h - 1 or p_w > k_w - 1 or s_h * (h - 1) + k_h - 2 * p_h < 1 or s_w * (w - 1) + k_w - 2 * p_w < 1:
            continue
        X = torch.randn(h, w, generator=g, dtype=torch.float64)
        K = torch.randn(k_h, k_w, generator=g, dtype=torch.float64)
        layer = nn.ConvTranspose2d(1, 1, (k_h, k_w), stride=s, padding=p, bias=False, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(K[None, None])
            want = layer(X[None, None])[0, 0]
        torch.testing.assert_close(conv_transpose2d(X, K, s, p), want)
        checked += 1
    assert checked > 150


def test_conv_transpose2d_is_the_adjoint_of_the_strided_convolution():
    """<conv(X), Y> = <X, conv_transpose(Y)> with the same kernel, stride and padding: the
    transposed convolution multiplies by the transpose of the convolution's matrix."""
    g = torch.Generator().manual_seed(6)
    for n, k, s, p in [(7, 3, 2, 1), (8, 4, 2, 1), (9, 3, 3, 0), (10, 5, 1, 2)]:
        X = torch.randn(n, n, generator=g, dtype=torch.float64)
        K = torch.randn(k, k, generator=g, dtype=torch.float64)
        Y = torch.randn(conv_output_shape(n, k, p, s), generator=g, dtype=torch.float64)
        forward = F.conv2d(X[None, None], K[None, None], stride=s, padding=p)[0, 0]
        back = conv_transpose2d(Y, K, s, p)
        assert back.shape == X.shape
        torch.testing.assert_close((forward * Y).sum(), (X * back).sum())


def test_conv_transpose2d_gradient_matches_f_conv_transpose2d():
    X = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    K = torch.randn(4, 4, dtype=torch.float64, requires_grad=True)
    ours = torch.autograd.grad(conv_transpose2d(X, K, 2, 1).square().sum(), (X, K))
    want = torch.autograd.grad(F.conv_transpose2d(X[None, None], K[None, None], stride=2, padding=1)
                               .square().sum(), (X, K))
    for a, b in zip(ours, want):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("fn, args, error, name", [
    (mirror_pad2d, ([[1.0]], 1), TypeError, "X"),
    (mirror_pad2d, (torch.ones(3), 1), ValueError, "X"),
    (mirror_pad2d, (torch.ones(3, 3), -1), ValueError, "padding"),
    (mirror_pad2d, (torch.ones(3, 3), 1.0), TypeError, "padding"),
    (mirror_pad2d, (torch.ones(3, 3), (1, 2, 3)), ValueError, "padding"),
    (mirror_pad2d, (torch.ones(3, 3), 3), ValueError, "padding"),
    (mirror_pad2d, (torch.ones(3, 3), (0, 0, 0, 3)), ValueError, "padding"),
    (mirror_pad2d, (torch.ones(3, 3), 4, "symmetric"), ValueError, "padding"),
    (mirror_pad2d, (torch.ones(3, 3), 1, "mirror"), ValueError, "mode"),
    (mirror_pad2d, (torch.ones(3, 3), 1, None), TypeError, "mode"),
    (insert_zeros, ([[1.0]], 2), TypeError, "X"),
    (insert_zeros, (torch.ones(2, 2, 2), 2), ValueError, "X"),
    (insert_zeros, (torch.ones(2, 2), 0), ValueError, "stride"),
    (insert_zeros, (torch.ones(2, 2), 1.5), TypeError, "stride"),
    (insert_zeros, (torch.ones(2, 2), (2, 0)), ValueError, r"stride\[1\]"),
    (conv_transpose2d, ([[1.0]], torch.ones(2, 2)), TypeError, "X"),
    (conv_transpose2d, (torch.ones(2, 2), torch.ones(1, 2, 2)), ValueError, "K"),
    (conv_transpose2d, (torch.ones(2, 2, dtype=torch.int64), torch.ones(2, 2)), TypeError, "X"),
    (conv_transpose2d, (torch.ones(2, 2), torch.ones(2, 2, dtype=torch.float64)), TypeError, "K"),
    (conv_transpose2d, (torch.ones(2, 2), torch.ones(2, 2), 0), ValueError, "stride"),
    (conv_transpose2d, (torch.ones(2, 2), torch.ones(2, 2), 2, -1), ValueError, "padding"),
    (conv_transpose2d, (torch.ones(2, 2), torch.ones(3, 3), 2, 3), ValueError, "padding"),
    (conv_transpose2d, (torch.ones(1, 1), torch.ones(3, 3), 1, 2), ValueError, "padding"),
])
def test_bad_input_to_the_exercise_functions(fn, args, error, name):
    with pytest.raises(error, match=name):
        fn(*args)
