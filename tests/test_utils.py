import random

import numpy as np
import pytest
import torch

from companion.utils import seed_everything


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
