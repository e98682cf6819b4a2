"""companion.shapes against the reference: the shapes nn.Conv2d actually produces, F.pad."""
import itertools
import warnings

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from companion.plotting import plot_lines, plot_padding_stride  # noqa: E402
from companion.shapes import comp_conv2d, conv_output_shape, conv_output_size, pad2d  # noqa: E402

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


# --- the figures of 04_padding and 05_stride ---------------------------------------------------

def _figure_texts(fig):
    texts = [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    return texts


def test_plot_padding_stride_draws_what_f_conv2d_computes():
    X, K = torch.arange(9.).reshape(3, 3), torch.arange(4.).reshape(2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_padding_stride(X, K, padding=1, stride=(3, 2), titles=("패딩한 입력", "커널", "출력"))
        fig.canvas.draw()
    texts = _figure_texts(fig)
    Y = F.conv2d(X[None, None], K[None, None], padding=1, stride=(3, 2))[0, 0]
    assert Y.tolist() == [[0.0, 8.0], [6.0, 8.0]]
    assert "(0, 1):  0×0 + 0×1 + 1×2 + 2×3 = 8" in texts  # D2L's stride figure
    assert "(1, 1):  7×0 + 8×1 + 0×2 + 0×3 = 8" in texts
    assert {"패딩한 입력", "커널", "출력"} <= set(texts)
    texts = _figure_texts(plot_padding_stride(X, K, padding=1, positions=[(0, 0)]))
    assert "(0, 0):  0×0 + 0×1 + 0×2 + 0×3 = 0" in texts
    assert sum(t.startswith("(") for t in texts) == 1


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(X=[[1.0]]), TypeError, "X"),
    (dict(K=torch.ones(2, 2, 2)), ValueError, "K"),
    (dict(padding=-1), ValueError, "padding"),
    (dict(stride=0), ValueError, "stride"),
    (dict(K=torch.ones(5, 5)), ValueError, "kernel_size"),
    (dict(positions=[(2, 0)]), ValueError, r"positions\[0\]"),
    (dict(positions=[]), TypeError, "positions"),
    (dict(titles=("a", "b")), TypeError, "titles"),
])
def test_plot_padding_stride_bad_input(kwargs, error, name):
    args = dict(X=torch.ones(3, 3), K=torch.ones(2, 2), padding=0, stride=1) | kwargs
    with pytest.raises(error, match=name):
        plot_padding_stride(**args)


def test_plot_lines():
    ax = plot_lines([0, 1], {"a": [8, 6], "b": [8, 8]}, "층", "높이", logy=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_xlabel() == "층" and ax.get_yscale() == "log"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="series"):
        plot_lines([0, 1], {"a": [8]}, "x", "y")
    with pytest.raises(TypeError, match="x"):
        plot_lines([], {"a": []}, "x", "y")
    with pytest.raises(ValueError, match="annotate"):
        plot_lines([0], {"a": [1]}, annotate={"b": ["t"]})
