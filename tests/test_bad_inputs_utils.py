"""Bad inputs for ``companion.utils``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``."""
from __future__ import annotations

import functools
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from companion import utils
from companion.conv import corr2d
from companion.models import LeNet
from companion.utils import Source, seed_everything, show_source
from tests.helpers.bad_inputs import Case, Check, count, covers, params, run, uncovered


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


def made_by_exec(kind: str):
    namespace = {}
    exec("def made():\n    pass\n" if kind == "function" else "class Made:\n    pass\n", namespace)
    return namespace["made" if kind == "function" else "Made"]


def starts(text: str) -> Check:
    return Check(lambda src: isinstance(src, Source) and repr(src).startswith(text), f"source starting {text!r}")


WITHOUT_SOURCE = r"obj must be a function or class written in Python source, got .*, whose source is not available"

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

    # errors from inside: inspect's OSError and TypeError become a check naming obj
    Case("errors from inside", show_source, (int,), raises=TypeError, match=WITHOUT_SOURCE),
    Case("errors from inside", show_source, (made_by_exec("class"),), raises=TypeError, match=WITHOUT_SOURCE),
    Case("errors from inside", show_source, (made_by_exec("function"),), raises=TypeError, match=WITHOUT_SOURCE),
    Case("errors from inside", show_source, (len,), raises=TypeError,
         match=r"obj must be a function, method or class, got builtin_function_or_method"),
    Case("errors from inside", show_source, (functools.partial(corr2d),), raises=TypeError,
         match=r"obj must be a function, method or class, got functools\.partial"),
    Case("errors from inside", show_source, (LeNet(),), raises=TypeError,
         match=r"obj must be a function, method or class, got a LeNet object: pass its class, show_source\(LeNet\)"),
    Case("errors from inside", show_source, (42,), raises=TypeError, match=r"obj must be a function, method or class, got int"),
    Case("errors from inside", Source, (42,), raises=TypeError, match=r"text must be a str, got int"),
    Case("errors from inside", show_source, (corr2d,), expect=starts("def corr2d(")),
    Case("errors from inside", show_source, (LeNet,), expect=starts("class LeNet(nn.Sequential):")),
    Case("errors from inside", show_source, (LeNet().forward,), expect=starts("def forward(self, input")),
    Case("errors from inside", Source, ("x = 1",), expect=Check(lambda s: s._repr_markdown_() == "```python\nx = 1\n```",
                                                                  "a Markdown code block")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(utils, CASES)


def test_classes():
    assert set(count(CASES)) == {"integer-likes", "errors from inside"}, count(CASES)
