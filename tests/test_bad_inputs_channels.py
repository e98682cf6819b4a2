"""Bad inputs for ``companion.channels``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``; results are checked against ``F.conv2d``."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from companion import channels
from companion.channels import corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1
from tests.helpers.bad_inputs import Case, Check, count, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


g = torch.Generator().manual_seed(0)
X = torch.randn(3, 5, 6, generator=g)
K3 = torch.randn(3, 2, 2, generator=g)
K4 = torch.randn(4, 3, 2, 2, generator=g)
K1 = torch.randn(4, 3, 1, 1, generator=g)


def like(expected: torch.Tensor) -> Check:
    return Check(lambda r: r.shape == expected.shape and torch.allclose(r, expected, atol=1e-5), "equal to F.conv2d")


CASES = [
    # sizes: an output of more than MEMORY_BUDGET bytes is refused before it is computed
    Case("sizes", corr2d_multi_in_out_1x1, (torch.ones(1, 100, 100), torch.ones(10**6, 1, 1, 1)), raises=ValueError,
         match=r"K of shape \(1000000, 1, 1, 1\) and X of shape \(1, 100, 100\) make a \(1000000, 100, 100\) output "
               r"that would allocate 37\.3 GiB, more than the 2 GiB .*MEMORY_BUDGET"),
    Case("sizes", corr2d_multi_in_out, (torch.ones(1, 200, 200), torch.ones(2**14, 1, 1, 1)), raises=ValueError,
         match=r"\(16384, 200, 200\) output that would allocate 2\.4 GiB"),
    Case("sizes", corr2d_multi_in_out_1x1, (torch.ones(1, 100, 100), torch.ones(10**6, 1, 1, 1)), raises=ValueError,
         match=r"would allocate"),
    Case("sizes", corr2d_multi_in_out, (torch.ones(1, 200, 200), torch.ones(2**14, 1, 1, 1)), raises=ValueError,
         match=r"would allocate"),
    Case("sizes", corr2d_multi_in_out_1x1, (torch.ones(1, 10, 10), torch.ones(1000, 1, 1, 1)),
         expect=Check(lambda r: r.shape == (1000, 10, 10) and bool((r == 1).all()), "a (1000, 10, 10) output of ones")),

    # messages name what the user passed
    Case("messages", corr2d_multi_in, (X, K3[:2]), raises=ValueError,
         match=r"K must have as many input channels as X: X has c_i=3, K of shape \(2, 2, 2\) \(c_i, k_h, k_w\) has c_i=2"),
    Case("messages", corr2d_multi_in, (X, torch.ones(3, 6, 2)), raises=ValueError,
         match=r"K must not be larger than X, got a \(6, 2\) kernel for X of shape \(3, 5, 6\)"),
    Case("messages", corr2d_multi_in, (X[0], K3), raises=ValueError, match=r"X must be a 3-D tensor, got shape \(5, 6\)"),
    Case("messages", corr2d_multi_in, (X, K4), raises=ValueError, match=r"K must be a 3-D tensor, got shape \(4, 3, 2, 2\)"),
    Case("messages", corr2d_multi_in, (X.double(), K3), raises=TypeError, match=r"X and K must have the same dtype"),
    Case("messages", corr2d_multi_in, (X, K3.to("meta")), raises=ValueError, match=r"X and K must be on the same device"),
    Case("messages", corr2d_multi_in, (X.long(), K3.long()), raises=TypeError, match=r"X must have a floating-point dtype"),
    Case("messages", corr2d_multi_in, (torch.zeros(0, 5, 6), K3[:0]), raises=ValueError, match=r"X must not be empty"),
    Case("messages", corr2d_multi_in_out, (X, K3), raises=ValueError, match=r"K must be a 4-D tensor, got shape \(3, 2, 2\)"),
    Case("messages", corr2d_multi_in_out, (X, K4[:, :2]), raises=ValueError,
         match=r"K of shape \(4, 2, 2, 2\) \(c_o, c_i, k_h, k_w\) has c_i=2"),
    Case("messages", corr2d_multi_in_out, ([[1.0]], K4), raises=TypeError, match=r"X must be a torch\.Tensor, got list"),
    Case("messages", corr2d_multi_in_out_1x1, (X, K4), raises=ValueError,
         match=r"K must be a 1x1 kernel of shape \(c_o, c_i, 1, 1\), got shape \(4, 3, 2, 2\)"),
    Case("messages", corr2d_multi_in_out_1x1, (X, K1[:, :1]), raises=ValueError, match=r"X has c_i=3, K .* has c_i=1"),
    Case("messages", corr2d_multi_in_out_1x1, (X, K1.half()), raises=TypeError, match=r"X and K must have the same dtype"),
    Case("messages", corr2d_multi_in, (X, K3[:1]), raises=ValueError, match=r"K must have as many input channels as X"),
    Case("messages", corr2d_multi_in_out, (X, "K"), raises=TypeError, match=r"K must be a torch\.Tensor, got str"),
    Case("messages", corr2d_multi_in_out_1x1, (X, torch.ones(4, 3, 1, 2)), raises=ValueError, match=r"K must be a 1x1 kernel"),

    # ... and what the guards let through is computed right (against F.conv2d)
    Case("messages", corr2d_multi_in, (X, K3), expect=like(F.conv2d(X[None], K3[None])[0, 0])),
    Case("messages", corr2d_multi_in_out, (X, K4), expect=like(F.conv2d(X[None], K4)[0])),
    Case("messages", corr2d_multi_in_out_1x1, (X, K1), expect=like(F.conv2d(X[None], K1)[0])),
    Case("messages", corr2d_multi_in_out, (X, torch.ones(2, 3, 5, 6)), expect=like(X.sum().repeat(2).reshape(2, 1, 1))),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(channels, CASES)


def test_classes():
    assert set(count(CASES)) == {"sizes", "messages"}, count(CASES)
