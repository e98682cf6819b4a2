"""Bad inputs for ``companion.params``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``; counts are checked against the layers
PyTorch builds (``nn.Conv2d``, ``nn.Linear``)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from companion import params
from companion.params import (ConvCost, conv2d_backward_macs, conv2d_cost, conv2d_memory, conv2d_ops, conv_macs, conv_params, cost_table, fc_macs,
                              fc_params, human_bytes, param_bytes, pool2d_cost)
from tests.helpers.bad_inputs import Case, Check, checks_of, count, params as cases_as_params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


def n_params(layer: nn.Module) -> int:
    return sum(p.numel() for p in layer.parameters())


def ints_only(value) -> bool:
    """Every number in ``value`` (a tuple, nested) is a Python int, as the pages print them."""
    if isinstance(value, tuple):
        return all(ints_only(v) for v in value)
    return type(value) is int


def plain(expected) -> Check:
    return Check(lambda r: r == expected and ints_only(r), f"{expected!r} in Python ints")


CASES = [
    # units at their boundaries: a value that rounds up to 1000 of a unit is the next unit
    Case("units", human_bytes, (999_999,), expect="1.0 MB"),
    Case("units", human_bytes, (999_950,), expect="1.0 MB"),
    Case("units", human_bytes, (999_949,), expect="999.9 kB"),
    Case("units", human_bytes, (999,), expect="999 B"),
    Case("units", human_bytes, (1000,), expect="1.0 kB"),
    Case("units", human_bytes, (0,), expect="0 B"),
    Case("units", human_bytes, (999_999_999,), expect="1.0 GB"),
    Case("units", human_bytes, (10**12 - 1,), expect="1.0 TB"),
    Case("units", human_bytes, (999_949_999_999_999,), expect="999.9 TB"),
    Case("units", human_bytes, (10**15 - 1,), expect="1.0 PB"),
    Case("units", human_bytes, (4_000_004_000,), expect="4.0 GB"),
    Case("units", human_bytes, (np.int64(999_999),), expect="1.0 MB"),
    Case("units", human_bytes, (-1,), raises=ValueError, match=r"n_bytes must be >= 0, got -1"),
    Case("units", human_bytes, (1.5e6,), raises=TypeError, match=r"n_bytes must be an int, got float"),
    Case("units", human_bytes, (True,), raises=TypeError, match=r"n_bytes must be an int, got bool"),

    # integer-likes: NumPy integers wherever an int is, Python ints back; bool refused
    Case("integer-likes", fc_params, (np.int64(784), np.int32(10)), expect=plain(n_params(nn.Linear(784, 10)))),
    Case("integer-likes", fc_macs, (np.uint16(784), np.int64(784)), expect=plain(614656)),
    Case("integer-likes", conv_params, (np.int64(1), np.int64(6), np.int64(5)), expect=plain(n_params(nn.Conv2d(1, 6, 5)))),
    Case("integer-likes", conv_params, (3, 8, np.array([5, 3])), {"bias": False},
         expect=plain(n_params(nn.Conv2d(3, 8, (5, 3), bias=False)))),
    Case("integer-likes", conv_macs, (1, 1, 3, (np.int64(28), np.int64(28))), expect=plain(7056)),
    Case("integer-likes", param_bytes, (np.int64(10), torch.float16), expect=plain(20)),
    Case("integer-likes", conv2d_cost, (np.int64(10), np.int64(5), np.int64(1), np.int64(8)),
         expect=Check(lambda r: type(r) is ConvCost and r == (55, (5, 8, 8), 3200) and ints_only(tuple(r)),
                      "ConvCost(params=55, output_shape=(5, 8, 8), macs=3200) in Python ints")),
    Case("integer-likes", pool2d_cost, (np.int64(6), np.int64(2), np.int64(28)), expect=plain((((6, 14, 14)), 3528, 0))),
    Case("integer-likes", cost_table, ([np.int64(28)],), {"hidden": np.int32(10)},
         expect=Check(lambda rows: len(rows) == 1 and ints_only(tuple(rows[0])) and rows[0].fc_params == 7850,
                      "one row in Python ints")),
    Case("integer-likes", cost_table, (np.array([28, 64]),),
         expect=Check(lambda rows: [r.side for r in rows] == [28, 64] and ints_only(tuple(rows[1])), "rows for 28 and 64")),
    Case("integer-likes", conv2d_ops, (np.int64(10), 5, 1, np.int64(8)), expect=plain((3200, 3200))),
    Case("integer-likes", conv2d_memory, (1, 6, 5, 28), {"padding": np.int64(2), "batch_size": np.int64(256)},
         expect=plain((624, 256 * 28 * 28 * 4, 256 * 6 * 28 * 28 * 4))),
    Case("integer-likes", conv2d_backward_macs, (np.int64(10), 5, 1, 8), expect=plain(6400)),
    Case("integer-likes", checks_of(fc_params), (np.int64(2), 3), expect=(2, 3, True)),
    Case("integer-likes", checks_of(conv_params), (np.int64(2), 3, np.int64(5)), expect=(2, 3, (5, 5), True)),
    Case("integer-likes", checks_of(param_bytes), (np.int64(2), torch.float64), expect=(2, torch.float64)),
    Case("integer-likes", checks_of(pool2d_cost), (np.int64(3), 2, 8, 1, None, "max"),
         expect=(3, (2, 2), (8, 8), (1, 1), (2, 2), "max")),
    Case("integer-likes", checks_of(cost_table), ([np.int64(28)], 10, 1, 3), expect=((28,), 10, 1, 3, torch.float32)),
    Case("integer-likes", checks_of(conv2d_cost), (np.int64(3), 8, 5, 28), {"padding": np.int64(2)},
         expect=(3, 8, (5, 5), (28, 28), (2, 2), (1, 1), True)),
    Case("integer-likes", checks_of(conv2d_memory), (1, 6, 5, 28), {"batch_size": np.int64(2)},
         expect=Check(lambda r: r[-2:] == (2, torch.float32), "batch 2, float32")),
    Case("integer-likes", checks_of(conv2d_backward_macs), (3, 8, 3, np.int64(32)), expect=(3, 8, (3, 3), (32, 32), (0, 0), (1, 1), True)),
    Case("integer-likes", fc_params, (True, 10), raises=TypeError, match=r"in_features must be an int, got bool"),
    Case("integer-likes", fc_params, (10, 10), {"bias": 1}, raises=TypeError, match=r"bias must be a bool, got int"),
    Case("integer-likes", conv_params, (1, np.bool_(True), 3), raises=TypeError, match=r"out_channels must be an int"),
    Case("integer-likes", conv_macs, (1, 1, 3, (28, 28.0)), raises=TypeError, match=r"output_size\[1\] must be an int, got float"),
    Case("integer-likes", param_bytes, (10.0,), raises=TypeError, match=r"n_params must be an int, got float"),
    Case("integer-likes", pool2d_cost, (6, 2, 28), {"stride": False}, raises=TypeError, match=r"stride must be an int, got bool"),

    # messages name what the user passed; empty lists of sizes are a ValueError
    Case("messages", cost_table, ([],), raises=ValueError, match=r"sides must be a non-empty list of ints, got \[\]"),
    Case("messages", cost_table, ((),), raises=ValueError, match=r"sides must be a non-empty list"),
    Case("messages", cost_table, (28,), raises=TypeError, match=r"sides must be a non-empty list of ints, got 28"),
    Case("messages", cost_table, ([28],), {"dtype": "float32"}, raises=TypeError,
         match=r"dtype must be a torch\.dtype \(e\.g\. torch\.float32\), got str"),
    Case("messages", cost_table, ([28, 0],), raises=ValueError, match=r"sides\[1\] must be >= 1, got 0"),
    Case("messages", checks_of(cost_table), ([], 10, 1, 3), raises=ValueError, match=r"sides must be a non-empty list"),
    Case("messages", conv2d_cost, (1, 1, 5, 3), raises=ValueError,
         match=r"kernel_size \(5, 5\) must not exceed the padded input \(input_size \+ 2 \* padding\) = \(3, 3\)"),
    Case("messages", conv2d_cost, (1, 1, 3, 8), {"bias": "no"}, raises=TypeError, match=r"bias must be a bool, got str"),
    Case("messages", conv2d_ops, (1, 1, 3, 8), {"stride": 0}, raises=ValueError, match=r"stride must be >= 1, got 0"),
    Case("messages", conv2d_memory, (1, 6, 5, 28), {"dtype": np.float32}, raises=TypeError, match=r"dtype must be a torch\.dtype"),
    Case("messages", conv2d_memory, (1, 6, 5, 28), {"batch_size": 0}, raises=ValueError, match=r"batch_size must be >= 1, got 0"),
    Case("messages", conv2d_backward_macs, (1, 6, 5, 28), {"input_grad": 0}, raises=TypeError,
         match=r"input_grad must be a bool, got int"),
    Case("messages", pool2d_cost, (6, 2, 28), {"mode": "min"}, raises=ValueError, match=r"mode must be .*got 'min'"),
    Case("messages", pool2d_cost, (6, 2, 28), {"padding": 2}, raises=ValueError, match=r"padding must be at most half"),
    Case("messages", param_bytes, (10, "float16"), raises=TypeError, match=r"dtype must be a torch\.dtype"),
    Case("messages", fc_macs, (0, 10), raises=ValueError, match=r"in_features must be >= 1, got 0"),
    Case("messages", checks_of(fc_params), (1, 1, None), raises=TypeError, match=r"bias must be a bool, got NoneType"),
    Case("messages", checks_of(conv_params), (1, 1, (3, 3, 3)), raises=ValueError, match=r"kernel_size must be an int or a pair"),
    Case("messages", checks_of(param_bytes), (-1, torch.float32), raises=ValueError, match=r"n_params must be >= 0, got -1"),
    Case("messages", checks_of(pool2d_cost), (0, 2, 8, 0, None, "max"), raises=ValueError, match=r"channels must be >= 1"),
    Case("messages", checks_of(conv2d_cost), (1, 1, 9, 4), raises=ValueError, match=r"kernel_size \(9, 9\) must not exceed"),
    Case("messages", checks_of(conv2d_memory), (1, 1, 3, 4), {"dtype": "half"}, raises=TypeError, match=r"dtype must be a torch\.dtype"),
    Case("messages", checks_of(conv2d_backward_macs), (1, 1, 3, 4), {"input_grad": None}, raises=TypeError, match=r"input_grad must be a bool"),

    # ... and what the guards let through is computed right (against the layers PyTorch builds)
    Case("messages", conv2d_cost, (3, 8, (5, 3), (32, 30)), {"padding": (2, 1), "stride": 2},
         expect=Check(lambda r: type(r) is ConvCost and r == (n_params(nn.Conv2d(3, 8, (5, 3))), (8, 16, 15),
                                                              8 * 16 * 15 * 3 * 5 * 3), "the cost of nn.Conv2d(3, 8, (5, 3))")),
    Case("messages", fc_params, (10**6, 1000), expect=10**9 + 1000),
]


@pytest.mark.parametrize("case", cases_as_params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    named_tuples = {"ConvCost", "PoolCost", "CostRow", "ConvOps", "ConvMemory"}  # results, built by the functions
    assert not uncovered(params, CASES) - named_tuples


def test_classes():
    assert set(count(CASES)) == {"units", "integer-likes", "messages"}, count(CASES)
