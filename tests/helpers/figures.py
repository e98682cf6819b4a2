"""The `env` of the plotting modules' bad-input cases: it remembers which figures were open,
and closes the ones a case left behind."""
from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def env(tmp_path, monkeypatch):
    before = set(plt.get_fignums())
    yield SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch, figures=before)
    for n in set(plt.get_fignums()) - before:
        plt.close(n)


def no_figure_left(env, outcome) -> None:
    assert set(plt.get_fignums()) == env.figures, "the refused call left a figure open"
