import random

import numpy as np
import pytest
import torch

from companion.utils import seed_everything, show_source
from companion.conv import corr2d


def draw():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_seed_everything_repeats_python_numpy_and_torch():
    seed_everything(123)
    first = draw()
    seed_everything(123)
    assert draw() == first
    seed_everything(124)
    assert draw() != first


def test_seed_everything_picks_a_device():
    device = seed_everything(0)
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("seed, error", [(1.5, TypeError), ("1", TypeError), (True, TypeError),
                                         (-1, ValueError), (2**32, ValueError)])
def test_seed_everything_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        seed_everything(seed)


def test_show_source_shows_the_code_that_runs():
    src = show_source(corr2d)
    assert repr(src).startswith("def corr2d(")
    assert "Y[i, j] = (X[i:i + h, j:j + w] * K).sum()" in repr(src)
    assert src._repr_markdown_().startswith("```python\ndef corr2d(")
    with pytest.raises(TypeError, match="obj"):
        show_source(42)


def test_show_source_refuses_objects_without_source_by_name():
    namespace = {}
    exec("class Made:\n    pass\n", namespace)  # defined where no file is kept, like a notebook class
    for obj in (int, namespace["Made"]):
        with pytest.raises(TypeError, match="obj must be a function or class written in Python source"):
            show_source(obj)
