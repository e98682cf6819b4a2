"""The bad-input battery's table format (issue 10), shared by ``tests/test_bad_inputs_*.py``.

One row per case, either a clear error or a correct result::

    Case("sizes", load_fashion_mnist, kwargs={"resize": 10**5}, raises=ValueError, match=r"resize=100000")
    Case("integer-likes", epoch_order, (np.int64(5), GEN), expect=Check(lambda r: r.tolist() == [...]))

- ``klass``: the issue's class the case belongs to (one of ``CLASSES``), for the per-class count.
- ``call``, ``args``, ``kwargs``: what is called. An argument may be ``Lazy(lambda env: ...)``, built
  when the case runs (a path under the case's own ``tmp_path``, a fresh generator, ...).
- ``raises`` and ``match``: the exception type and a regex its message must match (``re.search``);
  the regex names the user's argument (``resize``, ``root=...``, the path) and what is wrong.
- ``expect``: the correct result: a value (same type and ``==``; ``torch.equal`` for tensors),
  ``Check(predicate, "what it checks")``, or a ``Lazy`` that builds either.
- ``setup(env)``: prepares the world before the call (a data folder, a fault, a server);
  ``after(env, outcome)``: asserts what must hold afterwards (no file lost, no ``.part`` left);
  ``seconds``: the call must end within this many seconds (no hang).
- ``pending``: why the case can't pass yet (a fix owned elsewhere); it runs as a strict xfail, so
  it fails the day it passes and the marker must go.

``run(case, env)`` runs one row; ``env`` is whatever the module's fixture gives (with ``tmp_path``).
"""
from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from typing import Any, Callable, Iterable

import pytest
import torch

CLASSES = {
    "gradient maps": "maps that come out wrong where the gradient vanishes",
    "dtype values": "values the dtype can't hold",
    "labels": "labels outside the net's outputs",
    "non-finite": "non-finite hyperparameters",
    "optimizer": "an optimizer that doesn't hold the net's parameters",
    "plot ranges": "plot arguments out of range",
    "confusion rates": "confusion-matrix plots given rates rather than counts",
    "units": "units at their boundaries",
    "data loss": "a failed repair or download never deletes intact files; no .part left behind",
    "empty root": "an empty root and an empty COMPANION_DATA mean the same",
    "timeouts": "downloads time out (no hang)",
    "filesystem faults": "a DataError naming the path, what is wrong and the fix",
    "arguments before data": "arguments are checked before any data is read",
    "devices": "devices that are not available, or net and data on different devices",
    "sizes": "a call that would allocate more than the budget is refused up front",
    "integer-likes": "NumPy integers are accepted wherever an int is; bool stays refused",
    "errors from inside": "errors from inside the code become checks naming the argument",
    "empty test data": "empty test data is found before training starts",
    "messages": "messages name what the user passed",
}

_NOTHING = object()


@dataclasses.dataclass(frozen=True)
class Lazy:
    """An argument built when the case runs: ``Lazy(lambda env: env.tmp_path / "x")``."""
    make: Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class Check:
    """A correct result that is not one value: ``Check(lambda r: r.shape == (3,), "shape (3,)")``."""
    predicate: Callable[[Any], bool]
    text: str


@dataclasses.dataclass(frozen=True)
class Case:
    klass: str
    call: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    raises: type[BaseException] | None = None
    match: str | None = None
    expect: Any = _NOTHING
    setup: Callable[[Any], None] | None = None
    after: Callable[[Any, Any], None] | None = None
    seconds: float | None = None
    pending: str = ""
    id: str = ""

    def __post_init__(self):
        if self.klass not in CLASSES:
            raise ValueError(f"klass must be one of {sorted(CLASSES)}, got {self.klass!r}")
        if (self.raises is None) == (self.expect is _NOTHING):
            raise ValueError(f"{self.name}: give either raises (with match) or expect")
        if self.raises is not None and not self.match:
            raise ValueError(f"{self.name}: an expected error needs a regex its message must match")

    @property
    def name(self) -> str:
        if self.id:
            return f"{self.klass}: {self.id}"
        shown = [_short(a) for a in self.args] + [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return f"{self.klass}: {getattr(self.call, '__qualname__', self.call)}({', '.join(shown)})"


def _short(x: Any) -> str:
    if isinstance(x, torch.Tensor):
        return f"tensor{tuple(x.shape)}:{str(x.dtype).removeprefix('torch.')}"
    if isinstance(x, Lazy):
        return "<lazy>"
    # no memory address ("<function <lambda> at 0x7f...>"): the parallel test processes of
    # `make test` must collect the same test ids
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(x))
    return text if len(text) <= 30 else text[:27] + "..."


def params(cases: Iterable[Case]) -> list:
    """The rows as ``pytest.param``s with readable ids (pending rows as strict xfails)."""
    return [pytest.param(c, id=c.name,
                         marks=[pytest.mark.xfail(strict=True, reason=c.pending)] if c.pending else [])
            for c in cases]


def count(cases: Iterable[Case]) -> dict[str, int]:
    """Cases per class, in the issue's order."""
    n = Counter(c.klass for c in cases)
    return {k: n[k] for k in CLASSES if n[k]}


def _has_lazy(x: Any) -> bool:
    if isinstance(x, Lazy):
        return True
    if isinstance(x, (tuple, list)):
        return any(_has_lazy(v) for v in x)
    return isinstance(x, dict) and any(_has_lazy(v) for v in x.values())


def _build(x: Any, env: Any) -> Any:
    if isinstance(x, Lazy):
        return x.make(env)
    if not _has_lazy(x):  # as given: a NamedTuple stays one
        return x
    if isinstance(x, tuple):
        return tuple(_build(v, env) for v in x)
    if isinstance(x, list):
        return [_build(v, env) for v in x]
    if isinstance(x, dict):
        return {k: _build(v, env) for k, v in x.items()}
    return x


def _same(result: Any, expected: Any) -> bool:
    if isinstance(expected, torch.Tensor):
        return isinstance(result, torch.Tensor) and result.dtype == expected.dtype and torch.equal(result, expected)
    if isinstance(expected, (tuple, list)):
        return (type(result) is type(expected) and len(result) == len(expected)
                and all(_same(r, e) for r, e in zip(result, expected)))
    return type(result) is type(expected) and result == expected


def run(case: Case, env: Any) -> Any:
    """Run one row: setup, the call (timed), the expected error or result, then ``after``."""
    if case.setup is not None:
        case.setup(env)
    args, kwargs = _build(case.args, env), _build(case.kwargs, env)
    start = time.monotonic()
    if case.raises is not None:
        with pytest.raises(case.raises) as info:
            case.call(*args, **kwargs)
        outcome = info.value
        assert re.search(case.match, str(outcome)), (
            f"the {type(outcome).__name__} message does not match {case.match!r}:\n{outcome}")
    else:
        outcome = case.call(*args, **kwargs)
        expected = _build(case.expect, env)
        if isinstance(expected, Check):
            assert expected.predicate(outcome), f"expected {expected.text}, got {outcome!r}"
        else:
            assert _same(outcome, expected), f"expected {expected!r}, got {outcome!r}"
    seconds = time.monotonic() - start
    if case.seconds is not None:
        assert seconds <= case.seconds, f"took {seconds:.1f} s, more than {case.seconds} s"
    if case.after is not None:
        case.after(env, outcome)
    return outcome


def public(module) -> dict[str, Any]:
    """The public functions and classes a module defines (not those it imports)."""
    import inspect
    return {name: obj for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", None) == module.__name__}


def covers(target: Callable) -> Callable:
    """Mark a small wrapper as a call of ``target`` (``layer(X)`` calls ``Conv2D``), for ``uncovered``."""
    def mark(fn: Callable) -> Callable:
        fn.covers = target
        return fn
    return mark


def checks_of(f: Callable) -> Callable:
    """``f``'s argument checks alone (``f.accept``): what they accepted, as a tuple in ``f``'s
    parameter order."""
    @covers(f)
    def accepted(*args: Any, **kwargs: Any) -> tuple:
        return tuple(f.accept(*args, **kwargs).values())
    accepted.__qualname__ = f"{f.__name__}.accept"
    return accepted


def uncovered(module, cases: Iterable[Case]) -> set[str]:
    """Public names of ``module`` that no case calls (directly or through a ``covers`` wrapper).
    A guard (``@checked(guard, ...)``) is called by every call of a function (or a class's
    ``__init__``) it guards."""
    called = [f for c in cases for f in (c.call, getattr(c.call, "covers", None)) if f is not None]
    guards = [getattr(g, "guard", None) for f in called for g in (f, getattr(f, "__init__", None))]
    ids = {id(f) for f in called + guards if f is not None}
    return {name for name, obj in public(module).items() if id(obj) not in ids}
