"""Bad inputs for ``companion.utils``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``."""
from __future__ import annotations

import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from companion import utils
from companion.utils import seed_everything
from tests.helpers.bad_inputs import Case, count, covers, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    state = (random.getstate(), np.random.get_state(), torch.random.get_rng_state())
    yield SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)
    random.setstate(state[0])
    np.random.set_state(state[1])
    torch.random.set_rng_state(state[2])


@covers(seed_everything)
def draws_after(seed) -> tuple[float, float, float]:
    """The first draws of Python, NumPy and PyTorch after ``seed_everything(seed)``."""
    seed_everything(seed)
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def draws_of(seed: int) -> tuple[float, float, float]:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return random.random(), float(np.random.rand()), float(torch.rand(1))


CASES = [
    # integer-likes: a NumPy integer seed is a seed; bool refused
    Case("integer-likes", draws_after, (np.int64(7),), expect=draws_of(7)),
    Case("integer-likes", draws_after, (np.uint32(2**32 - 1),), expect=draws_of(2**32 - 1)),
    Case("integer-likes", seed_everything, (np.int32(3),), expect=torch.device("cpu") if not torch.cuda.is_available()
         else torch.device("cuda")),
    Case("integer-likes", seed_everything, (True,), raises=TypeError, match=r"seed must be an int, got bool"),
    Case("integer-likes", seed_everything, (np.bool_(False),), raises=TypeError, match=r"seed must be an int, got bool"),
    Case("integer-likes", seed_everything, (np.float64(3),), raises=TypeError, match=r"seed must be an int, got float64"),
    Case("integer-likes", seed_everything, (np.int64(-1),), raises=ValueError, match=r"seed must be in \[0, 2\*\*32\), got -1"),
    Case("integer-likes", seed_everything, (2**32,), raises=ValueError, match=r"seed must be in \[0, 2\*\*32\), got 4294967296"),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(utils, CASES)


def test_classes():
    assert set(count(CASES)) == {"integer-likes"}, count(CASES)
