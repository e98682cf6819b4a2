"""Bad inputs for ``companion.diagrams``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``. A refused call leaves no figure open."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from companion import diagrams  # noqa: E402
from companion.diagrams import (draw_matrix, draw_matrix_grid, plot_architecture, plot_conv1x1_matmul,  # noqa: E402
                                plot_corr2d, plot_corr2d_multi_in, plot_padding_stride, plot_pool2d)
from companion.models import LeNet  # noqa: E402
from tests.helpers.figures import env, no_figure_left  # noqa: E402,F401
from tests.helpers.bad_inputs import Case, Check, count, covers, params, run, uncovered  # noqa: E402


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def writes(line: str) -> Check:
    return Check(lambda fig: line in texts(fig), f"a figure that writes {line!r}")


@covers(draw_matrix)
def matrix(M, **kwargs):
    """``draw_matrix`` on a fresh Axes; returns the Axes."""
    fig, ax = plt.subplots()
    try:
        draw_matrix(ax, M, **kwargs)
    finally:
        if not ax.texts:
            plt.close(fig)
    return ax


X3 = torch.arange(9.).reshape(3, 3)
K2 = torch.tensor([[0., 1.], [2., 3.]])
XC = torch.ones(2, 3, 3)


CASES = [
    # plot arguments out of range: a highlight, shade, pos or pixel outside the drawn grid
    Case("plot ranges", matrix, (X3,), {"highlight": (2, 2, 2, 2)}, after=no_figure_left, raises=ValueError,
         match=r"highlight \(2, 2, 2, 2\) must lie inside M of shape \(3, 3\): rows 2 to 3 and columns 2 to 3 do not"),
    Case("plot ranges", matrix, (X3,), {"highlight": (0, 0, 0, 1)}, after=no_figure_left, raises=ValueError,
         match=r"highlight\[2\] must be >= 1, got 0"),
    Case("plot ranges", matrix, (X3,), {"shade": torch.ones(2, 2, dtype=torch.bool)}, after=no_figure_left, raises=ValueError,
         match=r"shade must be a mask of M's shape \(3, 3\), got shape \(2, 2\)"),
    Case("plot ranges", matrix, (X3,), {"shade": torch.ones(4, 4, dtype=torch.bool)}, after=no_figure_left, raises=ValueError,
         match=r"shade must be a mask of M's shape \(3, 3\), got shape \(4, 4\)"),
    Case("plot ranges", plot_corr2d, (X3, K2, (2, 0)), after=no_figure_left, raises=ValueError,
         match=r"pos must lie inside the output of shape \(2, 2\), got \(2, 0\)"),
    Case("plot ranges", plot_corr2d_multi_in, (XC, torch.ones(2, 2, 2)), {"pos": (0, 2)}, after=no_figure_left, raises=ValueError,
         match=r"pos must lie inside the output of shape \(2, 2\), got \(0, 2\)"),
    Case("plot ranges", plot_conv1x1_matmul, (XC, torch.ones(4, 2, 1, 1)), {"pixel": (3, 0)}, after=no_figure_left,
         raises=ValueError, match=r"pixel must lie inside the input of shape \(3, 3\), got \(3, 0\)"),
    Case("plot ranges", plot_padding_stride, (X3, K2), {"positions": [(0, 0), (4, 0)]}, after=no_figure_left,
         raises=ValueError, match=r"positions\[1\] must lie inside the output of shape \(2, 2\), got \(4, 0\)"),
    Case("plot ranges", plot_pool2d, (X3, 2), {"pos": (0, 1)}, after=no_figure_left, raises=ValueError,
         match=r"pos must lie inside the output of shape \(1, 1\), got \(0, 1\)"),
    Case("plot ranges", draw_matrix_grid, ([[X3, K2]], [["a", "b"]]), {"shades": [[None, torch.ones(3, 3, dtype=torch.bool)]]},
         after=no_figure_left, raises=ValueError, match=r"shades\[0\]\[1\] must be a mask of rows\[0\]\[1\]'s shape \(2, 2\)"),
    Case("plot ranges", matrix, (X3,), {"highlight": (1, 1, 2, 2), "shade": torch.eye(3, dtype=torch.bool)},
         expect=Check(lambda ax: len(ax.texts) == 9 and len(ax.patches) == 10, "nine cells and a highlight")),
    Case("plot ranges", plot_corr2d, (X3, K2, (1, 1)), expect=writes("4×0 + 5×1 + 7×2 + 8×3 = 43")),
    Case("plot ranges", plot_pool2d, (X3, 2), {"stride": 1, "pos": (1, 1)}, expect=writes("max(4, 5, 7, 8) = 8")),

    # sizes: a padding or a matrix too large to draw is refused before the figure is made
    Case("sizes", plot_padding_stride, (X3, K2), {"padding": 10**5}, after=no_figure_left, raises=ValueError,
         match=r"padding=\(100000, 100000\) .*would allocate"),
    Case("sizes", matrix, (torch.zeros(1000, 1000),), after=no_figure_left, raises=ValueError,
         match=r"M has 1,000,000 cells: a diagram draws each one, at most 4,096 \(64 x 64\)"),
    Case("sizes", draw_matrix_grid, ([[torch.zeros(100, 100)]], [["big"]]), after=no_figure_left, raises=ValueError,
         match=r"rows\[0\]\[0\] has 10,000 cells"),
    Case("sizes", plot_padding_stride, (torch.ones(20, 20), torch.ones(3, 3)), {"positions": [(0, 0)]},
         expect=Check(lambda fig: "(0, 0):  1×1 + 1×1 + 1×1 + 1×1 + 1×1 + 1×1 + 1×1 + 1×1 + 1×1 = 9" in texts(fig), "a 20x20 input")),

    # integer-likes: NumPy integers wherever an int is; bool refused
    Case("integer-likes", plot_corr2d, (X3, K2, (np.int64(1), np.int32(1))), expect=writes("4×0 + 5×1 + 7×2 + 8×3 = 43")),
    Case("integer-likes", plot_padding_stride, (X3, K2), {"padding": np.int64(1), "stride": np.array([3, 2]),
                                                          "positions": [np.array([1, 0])]},
         expect=writes("(1, 0):  0×0 + 6×1 + 0×2 + 0×3 = 6")),
    Case("integer-likes", plot_pool2d, (X3, np.int64(2)), {"mode": "avg", "stride": np.int64(1)},
         expect=writes("(0 + 1 + 3 + 4) / 4 = 2")),
    Case("integer-likes", plot_conv1x1_matmul, (XC, torch.ones(4, 2, 1, 1)), {"pixel": (np.int64(2), np.int64(2))},
         expect=Check(lambda fig: "(2,2)" in texts(fig), "the pixel columns")),
    Case("integer-likes", matrix, (X3,), {"highlight": (np.int64(0), 0, np.int64(2), 2)},
         expect=Check(lambda ax: len(ax.patches) == 10, "nine cells and a highlight")),
    Case("integer-likes", plot_architecture, (LeNet(), (np.int64(1), 1, 28, 28)),
         expect=Check(lambda fig: "16 × 5 × 5" in texts(fig), "the shapes of LeNet")),
    Case("integer-likes", plot_corr2d, (X3, K2, (True, 0)), after=no_figure_left, raises=TypeError,
         match=r"pos\[0\] must be an int, got bool"),
    Case("integer-likes", matrix, (X3,), {"highlight": (0, 0, 1.0, 1)}, after=no_figure_left, raises=TypeError,
         match=r"highlight\[2\] must be an int, got float"),

    # messages name what the user passed
    Case("messages", plot_padding_stride, (X3, torch.ones(5, 5)), {"padding": 0}, after=no_figure_left, raises=ValueError,
         match=r"K of shape \(5, 5\) must not be larger than X of shape \(3, 3\) padded by padding \(0, 0\): \(3, 3\)"),
    Case("messages", plot_padding_stride, (X3, K2), {"positions": []}, after=no_figure_left, raises=ValueError,
         match=r"positions must be a non-empty list of \(i, j\) pairs"),
    Case("messages", plot_padding_stride, (X3, K2), {"positions": (0, 0)}, after=no_figure_left, raises=TypeError,
         match=r"positions\[0\] must be a pair \(i, j\), got 0"),
    Case("messages", plot_corr2d, (X3.long(), K2), after=no_figure_left, raises=TypeError, match=r"X must have a floating-point dtype"),
    Case("messages", plot_corr2d, (X3, K2), {"titles": "abc"}, after=no_figure_left, raises=TypeError, match=r"titles must be 3 strings"),
    Case("messages", plot_corr2d_multi_in, (XC, torch.ones(3, 2, 2)), after=no_figure_left, raises=ValueError,
         match=r"K must have as many input channels as X"),
    Case("messages", plot_conv1x1_matmul, (XC, torch.ones(4, 2, 2, 2)), after=no_figure_left, raises=ValueError,
         match=r"K must be a 1x1 kernel"),
    Case("messages", plot_pool2d, (X3, 2), {"mode": "sum"}, after=no_figure_left, raises=ValueError, match=r"mode must be 'max' or 'avg'"),
    Case("messages", matrix, ("M",), after=no_figure_left, raises=TypeError, match=r"M must be a torch\.Tensor, got str"),
    Case("messages", draw_matrix, (None, X3), raises=TypeError, match=r"ax must be a matplotlib Axes, got NoneType"),
    Case("messages", draw_matrix_grid, ([], []), after=no_figure_left, raises=ValueError,
         match=r"rows must be a non-empty list of non-empty lists of 2-D tensors"),
    Case("messages", draw_matrix_grid, ("rows", []), after=no_figure_left, raises=TypeError, match=r"rows must be a non-empty list"),
    Case("messages", draw_matrix_grid, ([[X3]], [["a"]]), {"shades": 3}, after=no_figure_left, raises=TypeError,
         match=r"shades must be a list of lists of masks \(or None\), row by row like rows, got int"),
    Case("messages", draw_matrix_grid, ([[X3]], [["a"]]), {"row_labels": 5}, after=no_figure_left, raises=TypeError,
         match=r"row_labels must be a list of strings, one per row, got int"),
    Case("messages", draw_matrix_grid, ([[X3]], [["a", "b"]]), after=no_figure_left, raises=ValueError,
         match=r"titles must hold one string per matrix"),
    Case("messages", plot_architecture, (LeNet(), (1, 3, 28, 28)), after=no_figure_left, raises=ValueError,
         match=r"input_shape \(1, 3, 28, 28\) does not fit net\[0\]"),
    Case("messages", plot_architecture, (nn.Conv2d(1, 1, 3),), after=no_figure_left, raises=TypeError,
         match=r"net must be a torch\.nn\.Sequential"),
    Case("messages", plot_architecture, (LeNet(),), {"title": 3}, after=no_figure_left, raises=TypeError,
         match=r"input_label and title must be strings"),
    Case("messages", draw_matrix_grid, ([[X3, K2]], [["a", "b"]]), {"row_labels": ["행"]},
         expect=Check(lambda fig: {"a", "b", "행"} <= set(texts(fig)), "titles and the row label")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(diagrams, CASES)


def test_classes():
    assert set(count(CASES)) == {"plot ranges", "sizes", "integer-likes", "messages"}, count(CASES)
