"""Hangul renders in every figure: the configured font covers what the figures write."""
import warnings

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from companion import data, plotting  # noqa: E402
from notebooks import BOOK, HANGUL, code_cells, load, source, string_literals  # noqa: E402


def hangul_in_figures() -> set[str]:
    """Every Hangul syllable the Korean pages' code and the companion's labels can draw."""
    chars = set(HANGUL.findall("".join(data.CLASSES_KO)))
    for nb in sorted((BOOK / "ko").glob("*.ipynb")):
        for cell in code_cells(load(nb)):
            for s in string_literals(source(cell)):
                chars |= set(HANGUL.findall(s))
    return chars


def test_font_is_registered_and_used():
    assert plotting.use_korean_font() == "NanumGothic"
    assert "NanumGothic" in matplotlib.rcParams["font.family"]


def test_font_covers_every_syllable_used_in_figures():
    chars = hangul_in_figures() | set("가나다합성곱입력출력커널")
    cmap = TTFont(str(plotting.korean_font_path())).getBestCmap()
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


def test_corr2d_diagram_shows_the_arithmetic():
    X, K = torch.arange(9.).reshape(3, 3), torch.tensor([[0., 1.], [2., 3.]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plotting.plot_corr2d(X, K, (1, 1), titles=("입력", "커널", "출력"))
        fig.canvas.draw()
    texts = [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    assert "4×0 + 5×1 + 7×2 + 8×3 = 43" in texts
    assert {"입력", "커널", "출력"} <= set(texts)


def test_plot_corr2d_bad_input():
    X, K = torch.ones(3, 3), torch.ones(2, 2)
    with pytest.raises(ValueError, match="pos"):
        plotting.plot_corr2d(X, K, (2, 0))
    with pytest.raises(TypeError, match="titles"):
        plotting.plot_corr2d(X, K, titles="abc")
    with pytest.raises(TypeError, match="X"):
        plotting.plot_corr2d([[1.0]], K)
    with pytest.raises(TypeError, match="M"):
        plotting.draw_matrix(None, "M")
    with pytest.raises(TypeError, match="ax"):
        plotting.draw_matrix(None, torch.ones(2, 2))
    with pytest.raises(ValueError, match="mask"):
        plotting.plot_mask(torch.ones(3))
