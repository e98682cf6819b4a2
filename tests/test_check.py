"""companion._check: the rules every public function's arguments are checked by, and ``checked``."""
import numpy as np
import pytest
import torch
from torch import nn

from companion import _check


def test_accepted_values_come_back_converted():
    assert _check.Pair()(3, "k") == (3, 3) and _check.Pair()([2, 5], "k") == (2, 5)
    assert _check.Ints(2, minimum=1)([6, 16], "channels") == (6, 16)
    assert _check.Ints()((0,), "sides") == (0,)
    assert _check.OneOf({"avg": 1, "max": 2})("avg", "pool") == "avg"
    assert _check.OneOf(("cosine",), allow_none=True)(None, "scheduler") is None
    assert _check.Flag()(False, "bias") is False and _check.Flag(allow_none=True)(None, "cl") is None
    net = nn.Linear(1, 1)
    assert _check.Module()(net, "net") is net
    assert _check.Function()(len, "f") is len
    assert _check.Strings(2, "a, b")(["a", "b"], "titles") == ("a", "b")


def test_numpy_integers_are_ints_and_come_back_as_python_ints():
    for v in (np.int64(4), np.uint8(4), np.int32(4)):
        out = _check.Int(minimum=1)(v, "n")
        assert out == 4 and type(out) is int
    assert _check.Pair()(np.int64(3), "k") == (3, 3) and type(_check.Pair()(np.int64(3), "k")[0]) is int
    for v in (np.bool_(True), np.float64(4.0), torch.tensor(4)):
        with pytest.raises(TypeError, match="n must be an int"):
            _check.Int()(v, "n")
    with pytest.raises(ValueError, match="n must be >= 5, got 4"):
        _check.Int(minimum=5)(np.int64(4), "n")


@pytest.mark.parametrize("call, error, message", [
    (lambda: _check.Int()(True, "n"), TypeError, "n must be an int, got bool"),
    (lambda: _check.Int(minimum=1)(0, "n"), ValueError, "n must be >= 1, got 0"),
    (lambda: _check.Pair()((1, 2, 3), "kernel_size"), ValueError, r"kernel_size must be an int or a pair"),
    (lambda: _check.Pair(minimum=1)((1, 0), "kernel_size"), ValueError, r"kernel_size\[1\] must be >= 1"),
    (lambda: _check.Ints(2)(5, "channels"), TypeError, "channels must be a tuple of 2 ints, got int"),
    (lambda: _check.Ints(2)((6,), "channels"), ValueError, r"channels must hold 2 ints, got 1: \(6,\)"),
    (lambda: _check.Ints(2)((6, 1.5), "channels"), TypeError, r"channels\[1\] must be an int"),
    (lambda: _check.Ints()([], "sides"), ValueError, r"sides must be a non-empty list of ints, got \[\]"),
    (lambda: _check.Ints(minimum=1)([3, 0], "sides"), ValueError, r"sides\[1\] must be >= 1"),
    (lambda: _check.OneOf(("max", "avg"))(1, "mode"), TypeError, "mode must be a str, 'max' or 'avg', got int"),
    (lambda: _check.OneOf(("max", "avg"))("min", "mode"), ValueError, "mode must be 'max' or 'avg', got 'min'"),
    (lambda: _check.OneOf(("sgd", "adam", "adamw"))("x", "opt"), ValueError, "opt must be 'sgd', 'adam' or 'adamw'"),
    (lambda: _check.OneOf(("max",))(None, "mode"), TypeError, "mode must be a str"),
    (lambda: _check.OneOf(("cosine",), allow_none=True)(3, "scheduler"), TypeError,
     "scheduler must be a str, None or 'cosine', got int"),
    (lambda: _check.Flag()(1, "bias"), TypeError, "bias must be a bool, got int"),
    (lambda: _check.Flag()(None, "bias"), TypeError, "bias must be a bool, got NoneType"),
    (lambda: _check.Flag(allow_none=True)("yes", "cl"), TypeError, "cl must be a bool or None, got str"),
    (lambda: _check.Module()(lambda x: x, "net"), TypeError, "net must be a torch.nn.Module, got function"),
    (lambda: _check.Function()(3, "f"), TypeError, "f must be a callable"),
    (lambda: _check.Strings(2, "input, output")(("a", 1), "titles"), TypeError,
     r"titles must be 2 strings \(input, output\)"),
    (lambda: _check.Strings(2, "input, output")("ab", "titles"), TypeError, "titles must be 2 strings"),
    (lambda: _check.Tensor()(torch.ones(2, 2, dtype=torch.long), "X"), TypeError, "X must have a floating-point"),
    (lambda: _check.Tensor(ndim=(2, 3))(torch.ones(2), "X"), ValueError, "X must be a 2 or 3-D tensor"),
    (lambda: _check.Labels()(torch.ones(2), "y"), TypeError, "y must hold integer class labels"),
    (lambda: _check.same_dtype(torch.ones(1), torch.ones(1, dtype=torch.float64), "X", "K"), TypeError,
     "X and K must have the same dtype"),
])
def test_refusals_name_the_argument_and_what_was_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_checked_runs_the_guard_once_at_the_public_boundary(monkeypatch):
    """corr2d_multi_in_out checks X once: not again per output channel (corr2d_multi_in) and per
    input channel (corr2d_fast), as when each definition started with its own guard line."""
    from companion.channels import corr2d_multi_in_out
    from companion.params import conv2d_ops
    seen = []
    tensor = _check.Tensor.__call__
    monkeypatch.setattr(_check.Tensor, "__call__", lambda self, x, name: seen.append(name) or tensor(self, x, name))
    corr2d_multi_in_out(torch.ones(3, 5, 5), torch.ones(4, 3, 2, 2))
    assert seen == ["X", "K"]
    integers = []
    integer = _check.Int.__call__
    monkeypatch.setattr(_check.Int, "__call__", lambda self, x, name: integers.append(name) or integer(self, x, name))
    conv2d_ops(3, 8, 5, 28, padding=2)
    assert integers.count("in_channels") == 1, integers  # was 3: conv2d_ops, then conv2d_cost's callees


def test_a_call_from_outside_the_package_is_checked_even_inside_a_checked_call():
    """A function the user passes (here a lambda) is not package code: what it calls is checked."""
    from companion.conv import corr2d
    from companion.invariance import relative_change
    with pytest.raises(ValueError, match=r"K must not be larger than X"):
        relative_change(lambda x: corr2d(x[0, 0], torch.ones(9, 9))[None, None], torch.ones(1, 1, 5, 5), (1, 1))


def test_checked_passes_on_what_the_guard_returned_and_keeps_the_guard_readable():
    @_check.checked(lambda k, n: (_check.Pair()(k, "k"), _check.Int()(n, "n")))
    def f(k, n=np.int64(2), flag=True):
        return k, n, flag
    assert f(3) == ((3, 3), 2, True) and type(f(3)[1]) is int
    assert f.guard is not None and f.__name__ == "f"
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        f(3, n=True)
    wrapped = _check.returning(lambda: 5, lambda y: _check.Int(minimum=6)(y, "f()"))
    with pytest.raises(ValueError, match=r"f\(\) must be >= 6, got 5"):
        wrapped()
