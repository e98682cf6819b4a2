"""Bad inputs for ``companion.models``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from companion import models
from companion.models import LayerInfo, LeNet, Summary, init_xavier, layer_summary, lenet_feature_size
from tests.helpers.bad_inputs import Case, Check, checks_of, count, covers, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


def n_params(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


@covers(LeNet)
def lenet_forward(shape=(2, 1, 28, 28), **kwargs) -> tuple[int, tuple[int, ...]]:
    """The parameter count of ``LeNet(**kwargs)`` and the shape of its output on zeros."""
    net = LeNet(**kwargs)
    return n_params(net), tuple(net(torch.zeros(shape)).shape)


ROWS = [LayerInfo("Conv2d", (1, 6, 28, 28), 156), LayerInfo("Sigmoid", (1, 6, 28, 28), 0)]
HEADERS = ("Layer", "Output shape", "Parameters")


def shapes_of(*expected) -> Check:
    return Check(lambda rows: [r.output_shape for r in rows] == list(expected), f"output shapes {expected}")


CASES = [
    # sizes: a LeNet whose parameters need more than MEMORY_BUDGET bytes is refused before a layer is built
    Case("sizes", LeNet, kwargs={"channels": (10**5, 10**5)}, raises=ValueError,
         match=r"channels=\(100000, 100000\), hidden=\(120, 84\), num_classes=10, input_size=28 \(250,\d{3},\d{3},\d{3} "
               r"float32 parameters\) would allocate 9\d\d\.\d GiB, more than the 2 GiB .*MEMORY_BUDGET"),
    Case("sizes", LeNet, kwargs={"hidden": (10**5, 10**5)}, raises=ValueError, match=r"hidden=\(100000, 100000\).*would allocate"),
    Case("sizes", LeNet, kwargs={"input_size": 10**4}, raises=ValueError, match=r"input_size=10000 \(.*would allocate"),
    Case("sizes", LeNet, kwargs={"num_classes": 10**9}, raises=ValueError, match=r"num_classes=1000000000, .*would allocate"),
    Case("sizes", LeNet, ("relu", "max", (10**5, 10**5), (120, 84), 10, 28), raises=ValueError,
         match=r"would allocate"),
    Case("sizes", layer_summary, (LeNet(), (1, 1, 10**5, 10**5)), raises=ValueError,
         match=r"input_shape=\(1, 1, 100000, 100000\) .*would allocate 37\.3 GiB"),
    Case("sizes", lenet_forward, (), {"channels": (60, 160), "hidden": (1200, 840)},
         expect=Check(lambda r: r[1] == (2, 10) and r[0] == 60 * 26 + 160 * 60 * 25 + 160 + 4000 * 1200 + 1200 + 1200 * 840 + 840
                      + 8410, "a 10x wider LeNet")),

    # integer-likes: NumPy integers wherever an int is; bool refused
    Case("integer-likes", lenet_forward, (), {"channels": (np.int64(6), np.int32(16)), "hidden": np.array([120, 84])},
         expect=(61706, (2, 10))),
    Case("integer-likes", lenet_forward, ((2, 1, 32, 32),), {"input_size": np.int64(32), "num_classes": np.uint8(5)},
         expect=(6 * 26 + 2416 + 16 * 36 * 120 + 120 + 10164 + 85 * 5, (2, 5))),
    Case("integer-likes", lenet_feature_size, (np.int64(28),), expect=5),
    Case("integer-likes", layer_summary, (LeNet(), (np.int64(2), 1, np.int32(28), 28)),
         expect=Check(lambda rows: rows[0].output_shape == (2, 6, 28, 28) and type(rows[0].output_shape[0]) is int
                      and rows[-1].output_shape == (2, 10), "rows for a batch of 2")),
    Case("integer-likes", checks_of(LeNet.__init__),
         (None, "relu", "max", (np.int64(6), 16), (120, 84), np.int64(10), np.int64(28)),
         expect=(None, "relu", "max", (6, 16), (120, 84), 10, 28)),
    Case("integer-likes", LeNet, kwargs={"num_classes": True}, raises=TypeError, match=r"num_classes must be an int, got bool"),
    Case("integer-likes", LeNet, kwargs={"channels": (6, np.bool_(True))}, raises=TypeError, match=r"channels\[1\] must be an int"),
    Case("integer-likes", lenet_feature_size, (True,), raises=TypeError, match=r"input_size must be an int, got bool"),
    Case("integer-likes", layer_summary, (LeNet(), (1, 1, 28, 28.0)), raises=TypeError, match=r"input_shape\[3\] must be an int"),

    # messages name what the user passed; an input that does not fit names the layer; empty lists are a ValueError
    Case("messages", layer_summary, (LeNet(), (1, 3, 28, 28)), raises=ValueError,
         match=r"input_shape \(1, 3, 28, 28\) does not fit net\[0\] \(Conv2d\(1, 6, kernel_size=\(5, 5\)"),
    Case("messages", layer_summary, (LeNet(), (1, 1, 14, 14)), raises=ValueError,
         match=r"input_shape \(1, 1, 14, 14\) does not fit net\[7\] \(Linear\(in_features=400, out_features=120"),
    Case("messages", layer_summary, (LeNet(), []), raises=ValueError, match=r"input_shape must be .*\(1, 1, 28, 28\), got \[\]"),
    Case("messages", layer_summary, (LeNet(), 28), raises=TypeError, match=r"input_shape must be a tuple of ints"),
    Case("messages", layer_summary, (nn.Conv2d(1, 1, 3),), raises=TypeError, match=r"net must be a torch\.nn\.Sequential"),
    Case("messages", layer_summary, (LeNet(),), {"headers": ("a", "b")}, raises=TypeError, match=r"headers must be three strings"),
    Case("messages", layer_summary, (LeNet(),), {"total": 1}, raises=TypeError, match=r"total must be a str, got int"),
    Case("messages", LeNet, kwargs={"channels": []}, raises=ValueError, match=r"channels must hold 2 ints, got 0: \[\]"),
    Case("messages", LeNet, kwargs={"hidden": ()}, raises=ValueError, match=r"hidden must hold 2 ints, got 0"),
    Case("messages", LeNet, kwargs={"activation": "tanh"}, raises=ValueError, match=r"activation must be 'sigmoid' or 'relu'"),
    Case("messages", LeNet, kwargs={"pool": "min"}, raises=ValueError, match=r"pool must be 'avg' or 'max', got 'min'"),
    Case("messages", LeNet, kwargs={"input_size": 11}, raises=ValueError, match=r"input_size must be at least 12"),
    Case("messages", LeNet, ("sigmoid", "avg", (6, 16), (120, 84), 1, 28), raises=ValueError,
         match=r"num_classes must be >= 2, got 1"),
    Case("messages", lenet_feature_size, (11,), raises=ValueError, match=r"input_size must be at least 12"),
    Case("messages", init_xavier, ("LeNet",), raises=TypeError, match=r"net must be a torch\.nn\.Module, got str"),
    Case("messages", init_xavier, (LeNet,), raises=TypeError, match=r"net must be a torch\.nn\.Module, got type"),
    Case("messages", Summary, (ROWS, ("Layer", "Output shape"), "Total"), raises=TypeError,
         match=r"headers must be 3 strings \(layer, output shape, parameters\)"),
    Case("messages", Summary, (ROWS, HEADERS, None), raises=TypeError, match=r"total must be a str, got NoneType"),
    Case("messages", Summary, ([("Conv2d", 156)], HEADERS, "Total"), raises=TypeError,
         match=r"rows must be LayerInfo rows \(name, output_shape, num_params\)"),

    # ... and what the guards let through is computed right
    Case("messages", layer_summary, (LeNet(), (3, 1, 28, 28)),
         expect=shapes_of((3, 6, 28, 28), (3, 6, 28, 28), (3, 6, 14, 14), (3, 16, 10, 10), (3, 16, 10, 10), (3, 16, 5, 5),
                          (3, 400), (3, 120), (3, 120), (3, 84), (3, 84), (3, 10))),
    Case("messages", layer_summary, (nn.Sequential(),), expect=Check(lambda rows: len(rows) == 0 and "Total" in repr(rows),
                                                                       "no rows, a total")),
    Case("messages", Summary, (ROWS, HEADERS, "Total"),
         expect=Check(lambda s: repr(s).splitlines()[-1].split() == ["Total", "156"], "a total of 156")),
    Case("messages", init_xavier, (nn.Sequential(nn.ReLU()),), expect=Check(lambda net: isinstance(net[0], nn.ReLU),
                                                                              "the net, unchanged")),
    Case("messages", init_xavier, (nn.Identity(),), expect=Check(lambda net: isinstance(net, nn.Identity), "the net")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(models, CASES) - {"LayerInfo"}  # a result row, built by layer_summary


def test_classes():
    assert set(count(CASES)) == {"sizes", "integer-likes", "messages"}, count(CASES)
