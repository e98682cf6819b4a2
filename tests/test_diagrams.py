"""companion.diagrams: each diagram writes the arithmetic the companion computes, with
Hangul titles, and refuses bad input by name."""
import warnings

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from companion import diagrams  # noqa: E402
from companion.diagrams import plot_padding_stride  # noqa: E402


def test_corr2d_diagram_shows_the_arithmetic():
    X, K = torch.arange(9.).reshape(3, 3), torch.tensor([[0., 1.], [2., 3.]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = diagrams.plot_corr2d(X, K, (1, 1), titles=("입력", "커널", "출력"))
        fig.canvas.draw()
    texts = [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    assert "4×0 + 5×1 + 7×2 + 8×3 = 43" in texts
    assert {"입력", "커널", "출력"} <= set(texts)


def test_plot_corr2d_bad_input():
    X, K = torch.ones(3, 3), torch.ones(2, 2)
    with pytest.raises(ValueError, match="pos"):
        diagrams.plot_corr2d(X, K, (2, 0))
    with pytest.raises(TypeError, match="titles"):
        diagrams.plot_corr2d(X, K, titles="abc")
    with pytest.raises(TypeError, match="X"):
        diagrams.plot_corr2d([[1.0]], K)
    with pytest.raises(TypeError, match="M"):
        diagrams.draw_matrix(None, "M")
    with pytest.raises(TypeError, match="ax"):
        diagrams.draw_matrix(None, torch.ones(2, 2))


# --- padding and stride (04, 05) ----------------------------------------------------------------

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
    (dict(K=torch.ones(5, 5)), ValueError, r"K of shape \(5, 5\) must not be larger than X"),
    (dict(positions=[(2, 0)]), ValueError, r"positions\[0\]"),
    (dict(positions=[]), ValueError, "positions"),
    (dict(titles=("a", "b")), TypeError, "titles"),
])
def test_plot_padding_stride_bad_input(kwargs, error, name):
    args = dict(X=torch.ones(3, 3), K=torch.ones(2, 2), padding=0, stride=1) | kwargs
    with pytest.raises(error, match=name):
        plot_padding_stride(**args)


# --- channels (06), pooling (07), LeNet (08) -------------------------------------------------------

def test_plot_corr2d_multi_in_writes_the_sum_over_channels():
    X = torch.stack([torch.arange(9.).reshape(3, 3), torch.arange(1., 10.).reshape(3, 3)])
    K = torch.stack([torch.arange(4.).reshape(2, 2), torch.arange(1., 5.).reshape(2, 2)])
    texts = _figure_texts(diagrams.plot_corr2d_multi_in(X, K, (1, 1), titles=("입력", "커널", "채널", "출력")))
    expected = float(F.conv2d(X[None], K[None])[0, 0, 1, 1])
    assert f"(4×0 + 5×1 + 7×2 + 8×3) + (5×1 + 6×2 + 8×3 + 9×4) = {expected:g}" in texts
    assert {"입력 0", "커널 1", "채널 0", "출력"} <= set(texts)
    with pytest.raises(TypeError, match="titles"):
        diagrams.plot_corr2d_multi_in(X, K, titles=("a", "b"))


def test_plot_conv1x1_matmul_draws_the_product():
    X, K = torch.arange(12.).reshape(3, 2, 2), torch.ones(2, 3, 1, 1)
    texts = _figure_texts(diagrams.plot_conv1x1_matmul(X, K, pixel=(1, 0)))
    column_sum = f"{float(X[:, 1, 0].sum()):g}"
    assert texts.count(column_sum) >= 2  # both output channels of pixel (1, 0)
    with pytest.raises(ValueError, match="pixel"):
        diagrams.plot_conv1x1_matmul(X, K, pixel=(2, 0))


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_plot_pool2d_writes_what_pool2d_computes(mode):
    from companion.pooling import pool2d
    X = torch.arange(16.).reshape(4, 4)
    texts = _figure_texts(diagrams.plot_pool2d(X, 3, mode, padding=1, stride=2, pos=(0, 1)))
    value = f"{float(pool2d(X, 3, mode, 1, 2)[0, 1]):g}"
    line = [t for t in texts if t.endswith(f" = {value}")]
    assert len(line) == 1 and line[0].startswith("max(−∞" if mode == "max" else "(0 + ")
    with pytest.raises(ValueError, match="padding"):
        diagrams.plot_pool2d(X, 2, padding=2)
    with pytest.raises(ValueError, match="pos"):
        diagrams.plot_pool2d(X, 2, pos=(2, 0))


def test_draw_matrix_grid_bad_input():
    fig = diagrams.draw_matrix_grid([[torch.eye(2), torch.ones(1, 1)]], [["A", "B"]], row_labels=["행"])
    texts = _figure_texts(fig)
    assert {"A", "B", "행"} <= set(texts)
    with pytest.raises(ValueError, match="rows"):
        diagrams.draw_matrix_grid([], [])
    with pytest.raises(ValueError, match="titles"):
        diagrams.draw_matrix_grid([[torch.eye(2)]], [["A", "B"]])


def test_plot_architecture_shows_the_shapes_of_layer_summary():
    from companion.models import LeNet
    texts = _figure_texts(diagrams.plot_architecture(LeNet(), input_label="입력 이미지"))
    assert "입력 이미지" in texts and "Conv2d 5×5, 6 ch, pad 2 + Sigmoid" in texts
    assert "6 × 28 × 28" in texts and "10" in texts


# --- draw_matrix_grid: a row label never runs into the row's first matrix (seen in 07) -------

@pytest.mark.parametrize("labels", [["Original", "Shifted 1 px"], ["원래", "1픽셀 이동"],
                                    ["A much longer row label", "x"]])
def test_draw_matrix_grid_row_labels_stay_left_of_the_matrices(labels):
    rows = [[torch.zeros(6, 8), torch.zeros(6, 7)], [torch.ones(6, 8), torch.ones(6, 7)]]
    fig = diagrams.draw_matrix_grid(rows, [["A", "B"], ["A", "B"]], row_labels=labels)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    first_cell = min(p.get_window_extent(renderer).x0 for p in ax.patches)
    label_ends = [t.get_window_extent(renderer).x1 for t in ax.texts if t.get_text() in labels]
    plt.close(fig)
    assert len(label_ends) == 2
    assert max(label_ends) < first_cell, (labels, max(label_ends), first_cell)
