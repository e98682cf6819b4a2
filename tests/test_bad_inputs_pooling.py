"""Bad inputs for ``companion.pooling``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``; results are checked against
``F.max_pool2d`` and ``F.avg_pool2d``."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion import pooling
from companion.pooling import pool2d, pool2d_multi
from tests.helpers.bad_inputs import Case, Check, checks_of, count, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


X = torch.randn(5, 6, generator=torch.Generator().manual_seed(0))
X3 = torch.randn(2, 5, 6, generator=torch.Generator().manual_seed(1))


def like(expected: torch.Tensor) -> Check:
    return Check(lambda r: r.shape == expected.shape and torch.allclose(r, expected), "equal to PyTorch's pooling")


def maxpool(x, k, p=0, s=None):
    return F.max_pool2d(x[None], k, s, p)[0]


def avgpool(x, k, p=0, s=None):
    return F.avg_pool2d(x[None], k, s, p)[0]


CASES = [
    # sizes: a padding whose padded input needs more than MEMORY_BUDGET bytes is refused up front
    Case("sizes", pool2d, (torch.ones(2, 2), 10**6), {"padding": 5 * 10**5}, raises=ValueError,
         match=r"padding=\(500000, 500000\) pads X of shape \(2, 2\) to \(1000002, 1000002\), which would allocate "
               r"3,725\.3 GiB, more than the 2 GiB .*MEMORY_BUDGET"),
    Case("sizes", pool2d_multi, (torch.ones(3, 2, 2), (2**16, 2**15)), {"padding": (2**15, 2**14), "mode": "avg"},
         raises=ValueError, match=r"padding=\(32768, 16384\) pads X .*would allocate"),
    Case("sizes", checks_of(pool2d), (torch.ones(2, 2), 10**6, "max", 5 * 10**5, None), raises=ValueError,
         match=r"would allocate"),
    Case("sizes", pool2d, (torch.ones(2, 2), 200), {"padding": 99, "mode": "avg"},
         expect=Check(lambda r: r.shape == (1, 1) and torch.allclose(r, torch.tensor([[4 / 40000]])), "4 / 200²")),

    # integer-likes: NumPy integers wherever an int is; bool refused
    Case("integer-likes", pool2d, (X, np.int64(2)), expect=like(maxpool(X[None], 2)[0])),
    Case("integer-likes", pool2d, (X, (np.int32(3), np.int64(2))), {"padding": np.int64(1), "stride": np.uint8(1)},
         expect=like(maxpool(X[None], (3, 2), 1, 1)[0])),
    Case("integer-likes", pool2d_multi, (X3, np.array([2, 3])), {"mode": "avg"}, expect=like(avgpool(X3, (2, 3)))),
    Case("integer-likes", checks_of(pool2d), (X, np.int64(2), "max", 0, None),
         expect=Check(lambda r: r[1:] == ((2, 2), "max", (0, 0), (2, 2)), "window, mode, padding, stride")),
    Case("integer-likes", pool2d, (X, True), raises=TypeError, match=r"pool_size must be an int, got bool"),
    Case("integer-likes", pool2d, (X, 2), {"stride": (1, True)}, raises=TypeError, match=r"stride\[1\] must be an int, got bool"),
    Case("integer-likes", pool2d_multi, (X3, 2.0), raises=TypeError, match=r"pool_size must be an int, got float"),

    # messages name what the user passed
    Case("messages", pool2d, (X, 7), raises=ValueError,
         match=r"pool_size \(7, 7\) must not exceed the padded input \(5, 6\)"),
    Case("messages", pool2d, (X, 2), {"padding": 2}, raises=ValueError,
         match=r"padding must be at most half the window \(pool_size // 2 = \(1, 1\)\), got \(2, 2\)"),
    Case("messages", pool2d, (X, 2), {"mode": "min"}, raises=ValueError, match=r"mode must be 'max' or 'avg', got 'min'"),
    Case("messages", pool2d, (X, 2), {"mode": None}, raises=TypeError, match=r"mode must be a str"),
    Case("messages", pool2d, (X, 2), {"stride": 0}, raises=ValueError, match=r"stride must be >= 1, got 0"),
    Case("messages", pool2d, (X, []), raises=ValueError, match=r"pool_size must be an int or a pair"),
    Case("messages", pool2d, (X3, 2), raises=ValueError, match=r"X must be a 2-D tensor, got shape \(2, 5, 6\)"),
    Case("messages", pool2d, (X.long(), 2), raises=TypeError, match=r"X must have a floating-point dtype"),
    Case("messages", pool2d_multi, (X, 2), raises=ValueError, match=r"X must be a 3-D tensor, got shape \(5, 6\)"),
    Case("messages", pool2d_multi, (torch.zeros(0, 4, 4), 2), raises=ValueError, match=r"X must not be empty"),
    Case("messages", checks_of(pool2d), (X, 0, "max", 0, None), raises=ValueError, match=r"pool_size must be >= 1, got 0"),
    Case("messages", pooling.pool_window, ((2, 2), (2, 2), None, (4, 4)), raises=ValueError,
         match=r"padding must be at most half the window \(pool_size // 2 = \(1, 1\)\), got \(2, 2\)"),

    # ... and what the guards let through is computed right
    Case("messages", pool2d, (X, 3), {"padding": 1, "stride": 2}, expect=like(maxpool(X[None], 3, 1, 2)[0])),
    Case("messages", pool2d, (X, (2, 3)), {"mode": "avg", "padding": (1, 1), "stride": (1, 2)},
         expect=like(avgpool(X[None], (2, 3), (1, 1), (1, 2))[0])),
    Case("messages", pool2d, (-torch.ones(2, 2), 2), {"padding": 1, "stride": 1}, expect=-torch.ones(3, 3)),
    Case("messages", pool2d_multi, (X3, 2), {"padding": 1}, expect=like(maxpool(X3, 2, 1))),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(pooling, CASES)


def test_classes():
    assert set(count(CASES)) == {"sizes", "integer-likes", "messages"}, count(CASES)
