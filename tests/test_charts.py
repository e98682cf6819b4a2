"""companion.charts: Hangul renders in every figure (the configured font covers what the
figures write), and each chart draws what it is given."""
import warnings

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from companion import charts, data  # noqa: E402
from tests.helpers.notebooks import BOOK, HANGUL, code_cells, load, source, string_literals  # noqa: E402


def hangul_in_figures() -> set[str]:
    """Every Hangul syllable the Korean pages' code and the companion's labels can draw."""
    chars = set(HANGUL.findall("".join(data.CLASSES_KO)))
    for nb in sorted((BOOK / "ko").glob("*.ipynb")):
        for cell in code_cells(load(nb)):
            for s in string_literals(source(cell)):
                chars |= set(HANGUL.findall(s))
    return chars


def test_font_is_registered_and_used():
    assert charts.use_korean_font() == "NanumGothic"
    assert "NanumGothic" in matplotlib.rcParams["font.family"]


def test_font_covers_every_syllable_used_in_figures():
    chars = hangul_in_figures() | set("가나다합성곱입력출력커널")
    cmap = TTFont(str(charts.korean_font_path())).getBestCmap()
    missing = sorted(c for c in chars if ord(c) not in cmap)
    assert not missing, f"NanumGothic lacks {missing}"


def test_hangul_figure_renders_without_warnings():
    text = "".join(sorted(hangul_in_figures() | set("합성곱 −1")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        ax.set_title(text)
        ax.plot([0, 1], [-1, 1])
        fig.canvas.draw()
        plt.close(fig)


def test_plot_lines():
    ax = charts.plot_lines([0, 1], {"a": [8, 6], "b": [8, 8]}, "층", "높이", logy=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_xlabel() == "층" and ax.get_yscale() == "log"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="series"):
        charts.plot_lines([0, 1], {"a": [8]}, "x", "y")
    with pytest.raises(ValueError, match="x"):
        charts.plot_lines([], {"a": []}, "x", "y")
    with pytest.raises(ValueError, match="annotate"):
        charts.plot_lines([0], {"a": [1]}, annotate={"b": ["t"]})


def test_plot_mask_bad_input():
    with pytest.raises(ValueError, match="mask"):
        charts.plot_mask(torch.ones(3))
    with pytest.raises(ValueError, match="mark"):
        charts.plot_mask(torch.ones(3, 3), mark=(-1, 0))


def test_plot_history_draws_each_run_and_names_bad_labels():
    from companion.training import History
    h = History([1.0, 0.5, 0.25], [0.5, 0.7, 0.9], [0.4, 0.6, 0.8])
    fig = charts.plot_history({"run a": h, "run b": h}, labels=("손실", "훈련 정확도", "테스트 정확도"))
    assert [ax.get_title() for ax in fig.axes] == ["run a", "run b"]
    assert [list(line.get_ydata()) for line in fig.axes[0].lines] == [h.train_loss, h.train_acc, h.test_acc]
    plt.close(fig)
    with pytest.raises(TypeError, match="labels"):
        charts.plot_history({"run": h}, labels=("loss", "acc"))
    with pytest.raises(TypeError, match="histories"):
        charts.plot_history({"run": [1.0]})


def test_plot_confusion_matrix_writes_the_counts():
    C = torch.tensor([[5, 1], [2, 7]])
    fig = charts.plot_confusion_matrix(C, ["셔츠", "코트"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    assert texts == ["5", "1", "2", "7"]
    with pytest.raises(ValueError, match="C must be square"):
        charts.plot_confusion_matrix(torch.ones(2, 3), ["a", "b"])
    with pytest.raises(ValueError, match="classes"):
        charts.plot_confusion_matrix(C, ["a"])


def test_plot_images_and_influence_maps():
    fig = charts.plot_images([torch.eye(3), None, torch.ones(2, 2)], ["a", "", "c"], ncols=2)
    assert [ax.get_title() for ax in fig.axes] == ["a", "", "c", ""]
    plt.close(fig)
    fig = charts.plot_influence_maps([torch.eye(3), torch.ones(3, 3)], ["one", "two"], mark=(1, 1))
    assert [ax.get_title() for ax in fig.axes] == ["one", "two"]
    plt.close(fig)
    with pytest.raises(ValueError, match="titles"):
        charts.plot_images([torch.eye(3)], ["a", "b"])
    with pytest.raises(ValueError, match=r"images\[0\]"):
        charts.plot_images([torch.ones(3)], ["a"])
    with pytest.raises(ValueError, match=r"maps\[1\]"):
        charts.plot_influence_maps([torch.eye(3), torch.ones(3)], ["a", "b"])


def test_importing_the_charts_changes_no_setting():
    """The Korean font is registered at the first figure, not on import (issue 15)."""
    import subprocess
    import sys
    code = ("import matplotlib; before = list(matplotlib.rcParams['font.family']); "
            "import companion.charts, companion.diagrams; "
            "assert list(matplotlib.rcParams['font.family']) == before, matplotlib.rcParams['font.family']; "
            "companion.charts.subplots(); assert 'NanumGothic' in matplotlib.rcParams['font.family']")
    subprocess.run([sys.executable, "-c", code], check=True, env={**__import__("os").environ, "MPLBACKEND": "Agg"})
