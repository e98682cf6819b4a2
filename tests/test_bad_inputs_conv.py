"""Bad inputs for ``companion.conv``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``; correct results are checked against
``F.conv2d``."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from companion import conv
from companion.conv import Conv2D, conv2d_flip, corr2d, corr2d_fast
from tests.helpers.bad_inputs import Case, Check, count, covers, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


X = torch.arange(30.).reshape(5, 6)
K = torch.tensor([[1., -2.], [0.5, 3.]])
REF = F.conv2d(X[None, None], K[None, None])[0, 0]
NOT_K = r"^(?![\s\S]*\bK\b)"  # the message does not name K, which the user never passed


@covers(Conv2D)
def layer_forward(layer: Conv2D, x: object) -> torch.Tensor:
    """A ``Conv2D`` applied to ``x``, the way a page calls a layer."""
    return layer(x)


@covers(Conv2D)
def weight_shape(kernel_size: object) -> tuple[int, ...]:
    return tuple(Conv2D(kernel_size).weight.shape)


def close_to(expected: torch.Tensor) -> Check:
    return Check(lambda r: r.shape == expected.shape and torch.allclose(r, expected), f"close to {expected}")


CASES = [
    # sizes: a kernel of more than MEMORY_BUDGET bytes is refused before torch.rand allocates it
    Case("sizes", Conv2D, (10**5,), raises=ValueError,
         match=r"kernel_size=\(100000, 100000\) .*would allocate 37\.3 GiB, more than the 2 GiB .*MEMORY_BUDGET"),
    Case("sizes", Conv2D, ((2**15, 2**14 + 1),), raises=ValueError, match=r"kernel_size=\(32768, 16385\) .*2\.0 GiB"),
    Case("sizes", Conv2D, ((10**6, 1000),), raises=ValueError, match=r"kernel_size=\(1000000, 1000\)"),
    Case("sizes", weight_shape, ((1, 1000),), expect=(1, 1000)),

    # integer-likes: NumPy integers wherever an int is; bool refused
    Case("integer-likes", weight_shape, (np.int64(3),), expect=(3, 3)),
    Case("integer-likes", weight_shape, ((np.int32(1), np.uint8(2)),), expect=(1, 2)),
    Case("integer-likes", weight_shape, (np.array([2, 3]),), expect=(2, 3)),
    Case("integer-likes", weight_shape, (np.int64(2),), expect=(2, 2)),
    Case("integer-likes", Conv2D, (True,), raises=TypeError, match=r"kernel_size must be an int, got bool"),
    Case("integer-likes", Conv2D, ((2, np.bool_(True)),), raises=TypeError, match=r"kernel_size\[1\] must be an int"),
    Case("integer-likes", Conv2D, (2.0,), raises=TypeError, match=r"kernel_size must be an int, got float"),
    Case("integer-likes", Conv2D, (np.float64(3),), raises=TypeError, match=r"kernel_size must be an int"),

    # messages name what the user passed: a layer's own weight is not "K"
    Case("messages", layer_forward, (Conv2D((4, 1)), torch.ones(3, 3)), raises=ValueError,
         match=NOT_K + r"the layer's kernel of shape \(4, 1\) must not be larger than X, got X of shape \(3, 3\)"),
    Case("messages", layer_forward, (Conv2D(2), torch.ones(3, 3, dtype=torch.float64)), raises=TypeError,
         match=NOT_K + r"X must have the dtype of the layer's weight \(torch\.float32\), got torch\.float64"),
    Case("messages", layer_forward, (Conv2D(2), torch.ones(3, 3, device="meta")), raises=ValueError,
         match=NOT_K + r"X must be on the device of the layer's weight \(cpu\), got meta"),
    Case("messages", layer_forward, (Conv2D(2), torch.ones(1, 1, 3, 3)), raises=ValueError,
         match=r"X must be a 2-D tensor, got shape \(1, 1, 3, 3\)"),
    Case("messages", layer_forward, (Conv2D(2), [[1.0, 2.0], [3.0, 4.0]]), raises=TypeError,
         match=r"X must be a torch\.Tensor, got list"),
    Case("messages", Conv2D, ((0, 2),), raises=ValueError, match=r"kernel_size\[0\] must be >= 1, got 0"),
    Case("messages", Conv2D, ((2, 2, 2),), raises=ValueError, match=r"kernel_size must be an int or a pair"),
    Case("messages", Conv2D, ([],), raises=ValueError, match=r"kernel_size must be an int or a pair"),
    Case("messages", corr2d, (X, torch.ones(6, 2)), raises=ValueError,
         match=r"K must not be larger than X, got K of shape \(6, 2\) for X of shape \(5, 6\)"),
    Case("messages", corr2d, (X, K.double()), raises=TypeError,
         match=r"X and K must have the same dtype, got torch\.float32 and torch\.float64"),
    Case("messages", corr2d_fast, (X, K.to("meta")), raises=ValueError, match=r"X and K must be on the same device"),
    Case("messages", corr2d_fast, (X.long(), K), raises=TypeError, match=r"X must have a floating-point dtype"),
    Case("messages", corr2d_fast, (torch.zeros(0, 3), K), raises=ValueError, match=r"X must not be empty"),
    Case("messages", conv2d_flip, (X, K[None]), raises=ValueError, match=r"K must be a 2-D tensor, got shape \(1, 2, 2\)"),
    Case("messages", conv2d_flip, (X, "K"), raises=TypeError, match=r"K must be a torch\.Tensor, got str"),
    Case("messages", corr2d, (torch.ones(2, 2), torch.ones(3, 1)), raises=ValueError,
         match=r"K must not be larger than X"),
    # ... and what the guards let through is computed right (against F.conv2d)
    Case("messages", corr2d, (X, K), expect=close_to(REF)),
    Case("messages", corr2d_fast, (X, X), expect=close_to((X * X).sum().reshape(1, 1))),
    Case("messages", conv2d_flip, (X, K.flip(0, 1)), expect=close_to(REF)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(conv, CASES)


def test_classes():
    assert set(count(CASES)) == {"sizes", "integer-likes", "messages"}, count(CASES)
