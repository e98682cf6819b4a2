"""Bad inputs for ``companion.charts``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``.

A refused call leaves no figure open (it is refused before the figure is made); a drawn figure
is checked for what it shows, then closed."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from companion import charts  # noqa: E402
from companion.charts import (korean_font_path, plot_confusion_matrix, plot_history, plot_images,  # noqa: E402
                              plot_influence_maps, plot_lines, plot_mask, use_korean_font)
from companion.training import History  # noqa: E402
from tests.helpers.figures import env, no_figure_left  # noqa: E402,F401
from tests.helpers.bad_inputs import Case, Check, count, params, run, uncovered  # noqa: E402


def figure_of(result):
    return result if isinstance(result, plt.Figure) else result.figure


def texts(result) -> list[str]:
    return [t.get_text() for ax in figure_of(result).axes for t in ax.texts]


def red_box_at(i: int, j: int) -> Check:
    """The outline ``mark`` draws: a 1x1 rectangle around cell (i, j)."""
    def ok(ax):
        boxes = [p for p in ax.patches if p.get_width() == 1 and p.get_height() == 1]
        return len(boxes) == 1 and boxes[0].get_xy() == (j - 0.5, i - 0.5)
    return Check(ok, f"one box around cell ({i}, {j})")


def cell_texts(expected: list[str], image_max: float | None = None) -> Check:
    def ok(fig):
        shown = fig.axes[0].images[0].get_array()
        return texts(fig) == expected and (image_max is None or abs(float(shown.max()) - image_max) < 1e-6)
    return Check(ok, f"cells {expected}" + (f", the image up to {image_max}" if image_max is not None else ""))


H = History([1.0, 0.5], [0.6, 0.8], [0.55, 0.75])
EYE = torch.eye(3, dtype=torch.bool)
RATES = torch.tensor([[0.75, 0.25], [0.1, 0.9]])


def no_font(env):
    env.monkeypatch.setattr(charts, "_SYSTEM_FONT_DIRS", [])
    env.monkeypatch.setattr(charts.importlib.util, "find_spec", lambda name: None)


CASES = [
    # plot arguments out of range: a mark outside the grid, values a log axis cannot show, empty histories
    Case("plot ranges", plot_mask, (EYE,), {"mark": (3, 0)}, after=no_figure_left, raises=ValueError,
         match=r"mark \(3, 0\) must lie inside mask of shape \(3, 3\)"),
    Case("plot ranges", plot_mask, (EYE,), {"mark": (0, 7)}, after=no_figure_left, raises=ValueError, match=r"mark \(0, 7\)"),
    Case("plot ranges", plot_mask, (EYE,), {"mark": (-1, 0)}, after=no_figure_left, raises=ValueError, match=r"mark\[0\] must be >= 0"),
    Case("plot ranges", plot_influence_maps, ([torch.eye(3), torch.ones(4, 4)], ["a", "b"]), {"mark": (3, 3)},
         after=no_figure_left, raises=ValueError, match=r"mark \(3, 3\) must lie inside maps\[0\] of shape \(3, 3\)"),
    Case("plot ranges", plot_lines, ([0, 1, 10], {"a": [1, 2, 3]}), {"logx": True}, after=no_figure_left, raises=ValueError,
         match=r"x\[0\] is 0: a log axis \(logx=True\) shows only values > 0"),
    Case("plot ranges", plot_lines, ([1, 10], {"a": [2, -1]}), {"logy": True}, after=no_figure_left, raises=ValueError,
         match=r"series\['a'\]\[1\] is -1: a log axis \(logy=True\) shows only values > 0"),
    Case("plot ranges", plot_lines, ([1, 2], {"a": [1, float("nan")]}), after=no_figure_left, raises=ValueError,
         match=r"series\['a'\]\[1\] is nan: every value must be a finite number"),
    Case("plot ranges", plot_lines, ([1, float("inf")], {"a": [1, 2]}), after=no_figure_left, raises=ValueError,
         match=r"x\[1\] is inf: every value must be a finite number"),
    Case("plot ranges", plot_lines, ([1, 2], {"a": [1, "2"]}), after=no_figure_left, raises=TypeError,
         match=r"series\['a'\]\[1\] must be a number, got str"),
    Case("plot ranges", plot_history, ({"run": History()},), after=no_figure_left, raises=ValueError,
         match=r"histories\['run'\] has no epochs to plot"),
    Case("plot ranges", plot_images, ([torch.eye(3)], ["a"]), {"size": 0}, after=no_figure_left, raises=ValueError,
         match=r"size must be > 0, got 0"),
    Case("plot ranges", plot_images, ([torch.eye(3)], ["a"]), {"height": float("nan")}, after=no_figure_left, raises=ValueError,
         match=r"height must be a finite number"),
    Case("plot ranges", plot_images, ([torch.eye(3)] * 2, ["a", "b"]), {"size": 400}, after=no_figure_left, raises=ValueError,
         match=r"size=400 makes a figure of 800 x 400\.3 inches, .*more than the 65,536 pixels"),
    Case("plot ranges", plot_confusion_matrix, (torch.tensor([[5, -1], [0, 2]]), ["a", "b"]), after=no_figure_left,
         raises=ValueError, match=r"C must hold counts or rates >= 0, got -1"),
    Case("plot ranges", plot_confusion_matrix, (torch.tensor([[0.5, float("nan")], [0.0, 1.0]]), ["a", "b"]),
         after=no_figure_left, raises=ValueError, match=r"C must hold finite numbers, got nan"),
    Case("plot ranges", plot_mask, (EYE,), {"mark": (2, 1)}, expect=red_box_at(2, 1)),
    Case("plot ranges", plot_lines, ([1, 10, 100], {"a": [1, 10, 1000]}), {"logx": True, "logy": True},
         expect=Check(lambda ax: list(ax.lines[0].get_xdata()) == [1, 10, 100] and ax.get_xscale() == "log", "a log-log line")),

    # confusion-matrix plots given rates: the rates are shown, not truncated to 0
    Case("confusion rates", plot_confusion_matrix, (RATES, ["a", "b"]), expect=cell_texts(["0.75", "0.25", "0.10", "0.90"], 0.9)),
    Case("confusion rates", plot_confusion_matrix, (torch.tensor([[5.0, 1.0], [2.0, 7.0]]), ["a", "b"]),
         expect=cell_texts(["5", "1", "2", "7"], 7.0)),
    Case("confusion rates", plot_confusion_matrix, (torch.tensor([[5, 1], [2, 7]]), ["a", "b"]),
         expect=cell_texts(["5", "1", "2", "7"], 7.0)),
    Case("confusion rates", plot_confusion_matrix, (RATES.double() / 3, ["a", "b"]),
         expect=cell_texts(["0.25", "0.08", "0.03", "0.30"], 0.3)),
    Case("confusion rates", plot_confusion_matrix, (torch.tensor([[2.5, 1.0], [0.0, 3.0]]), ["a", "b"]),
         expect=cell_texts(["2.50", "1.00", "0.00", "3.00"], 3.0)),

    # integer-likes: NumPy integers and numbers wherever an int or a number is; bool refused
    Case("integer-likes", plot_mask, (EYE,), {"mark": (np.int64(1), np.int32(2))}, expect=red_box_at(1, 2)),
    Case("integer-likes", plot_mask, (EYE,), {"mark": np.array([0, 1])}, expect=red_box_at(0, 1)),
    Case("integer-likes", plot_images, ([torch.eye(3)] * 3, ["a", "b", "c"]), {"ncols": np.int64(2), "size": np.float32(1.5)},
         expect=Check(lambda fig: len(fig.axes) == 4 and tuple(fig.get_size_inches()) == (3.0, 3.3), "2 x 2 cells of 1.5 inches")),
    Case("integer-likes", plot_influence_maps, ([torch.eye(3)], ["a"]), {"mark": np.array([1, 1])},
         expect=Check(lambda fig: len(fig.axes[0].patches) == 1, "one box")),
    Case("integer-likes", plot_lines, (list(np.arange(1, 4)), {"a": list(np.float32([1, 2, 4]))}),
         expect=Check(lambda ax: list(ax.lines[0].get_ydata()) == [1, 2, 4], "the line")),
    Case("integer-likes", plot_mask, (EYE,), {"mark": (True, 0)}, after=no_figure_left, raises=TypeError,
         match=r"mark\[0\] must be an int, got bool"),
    Case("integer-likes", plot_images, ([torch.eye(3)], ["a"]), {"ncols": 1.0}, after=no_figure_left, raises=TypeError,
         match=r"ncols must be an int, got float"),
    Case("integer-likes", plot_images, ([torch.eye(3)], ["a"]), {"size": True}, after=no_figure_left, raises=TypeError,
         match=r"size must be a float, got bool"),

    # messages name what the user passed; empty lists are a ValueError
    Case("messages", plot_lines, ([], {"a": []}), after=no_figure_left, raises=ValueError, match=r"x must be a non-empty list"),
    Case("messages", plot_lines, (5, {"a": [1]}), after=no_figure_left, raises=TypeError, match=r"x must be a non-empty list"),
    Case("messages", plot_lines, ([1], {}), after=no_figure_left, raises=ValueError, match=r"series must be a non-empty dict"),
    Case("messages", plot_lines, ([1], [1]), after=no_figure_left, raises=TypeError, match=r"series must be a non-empty dict"),
    Case("messages", plot_images, ([], []), after=no_figure_left, raises=ValueError, match=r"images must be a non-empty list"),
    Case("messages", plot_images, ([torch.eye(3)], ["a"]), {"cmap": "no-such-map"}, after=no_figure_left, raises=ValueError,
         match=r"cmap must be a matplotlib colormap name, got 'no-such-map'"),
    Case("messages", plot_images, ([torch.ones(3)], ["a"]), after=no_figure_left, raises=ValueError,
         match=r"images\[0\] must be a 2-D tensor"),
    Case("messages", plot_influence_maps, ([], []), after=no_figure_left, raises=ValueError, match=r"maps must be a non-empty list"),
    Case("messages", plot_influence_maps, ([torch.eye(3), torch.ones(3)], ["a", "b"]), after=no_figure_left, raises=ValueError,
         match=r"maps\[1\] must be a 2-D tensor"),
    Case("messages", plot_history, ({},), after=no_figure_left, raises=ValueError, match=r"histories must be a non-empty dict"),
    Case("messages", plot_history, ({"run": [1.0]},), after=no_figure_left, raises=TypeError,
         match=r"histories\['run'\] must be a History, got list"),
    Case("messages", plot_history, ({"run": H},), {"labels": ("a", "b")}, after=no_figure_left, raises=TypeError,
         match=r"labels must be 3 strings"),
    Case("messages", plot_confusion_matrix, (torch.ones(2, 3), ["a", "b"]), after=no_figure_left, raises=ValueError,
         match=r"C must be square, got shape \(2, 3\)"),
    Case("messages", plot_confusion_matrix, (torch.ones(2, 2), ["a"]), after=no_figure_left, raises=ValueError,
         match=r"classes must hold one name per row of C \(2\)"),
    Case("messages", plot_mask, (torch.ones(3),), after=no_figure_left, raises=ValueError, match=r"mask must be a 2-D tensor"),
    Case("messages", korean_font_path, (), setup=no_font, raises=RuntimeError,
         match=r"No Korean font found for matplotlib figures\. Fix: `pip install koreanize-matplotlib"),
    Case("messages", use_korean_font, (), setup=no_font, raises=RuntimeError, match=r"No Korean font found"),
    Case("messages", korean_font_path, (), expect=Check(lambda p: p.name == "NanumGothic.ttf" and p.is_file(), "NanumGothic.ttf")),
    Case("messages", use_korean_font, (), expect="NanumGothic"),
    # the first figure registers the Korean font (importing the module changes nothing)
    Case("messages", charts.subplots, (), {"figsize": (2, 2)},
         expect=Check(lambda r: plt.close(r[0]) is None and "NanumGothic" in matplotlib.rcParams["font.family"],
                      "a figure, with NanumGothic registered")),
    Case("messages", plot_history, ({"run": H},),
         expect=Check(lambda fig: [list(line.get_ydata()) for line in fig.axes[0].lines] == [H.train_loss, H.train_acc, H.test_acc],
                      "the three curves")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(charts, CASES)


def test_classes():
    assert set(count(CASES)) == {"plot ranges", "confusion rates", "integer-likes", "messages"}, count(CASES)
