"""Argument checks shared by the public functions: fail fast, name the argument.

Each check returns the value it accepted (converted where that helps, e.g. ``pair``). A
public function declares one rule per argument beside its definition, not inside it:
``@checked(kernel_inside, X=Tensor(ndim=2), K=Tensor(ndim=2))`` checks ``X`` and ``K`` (the
rules ``Tensor``, ``Int``, ``Pair``, ... wrap the checks below), then runs the guard
``kernel_inside`` on what spans both, before the body; so the body is the algorithm alone.

Memory budget: one call allocates at most ``MEMORY_BUDGET`` bytes (2 GiB). A call that would
allocate more (a huge kernel, padding, image or confusion matrix, a LeNet of 10⁵ channels, a
dataset resized to 10⁵ pixels) is refused by ``within_budget`` before anything is allocated,
naming the argument. Change ``companion._check.MEMORY_BUDGET`` to allow more.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import inspect
import math
import numbers
import os
import sys
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import torch
from torch import nn

MEMORY_BUDGET = 2 * 1024**3  # bytes one call may allocate; a larger request is refused up front


_INSIDE = contextvars.ContextVar("inside_a_checked_call", default=False)


def checked(guard: Callable[..., Any] | None = None, /, **rules: Rule) -> Callable:
    """Check a public function's arguments at the boundary, then run it on what was accepted.

    Each keyword names a parameter and its ``Rule`` (``X=Tensor(ndim=2)``): the constraints a
    program can read (``fn.rules``, the API page, the generated bad values of the tests). The
    optional ``guard`` states what no single rule can, across arguments (``kernel_fits``): it
    takes some of the function's parameters by name, as the rules accepted them, and returns
    ``None``, the parameters it converts by name (a dict), or all its parameters converted, in
    its own order (one value, else a tuple).
    A call made by the package's own code inside a checked call takes the unchecked path:
    its arguments were checked (and converted) once, at the boundary. ``fn.accept(...)``
    runs the checks alone and returns the accepted arguments by name.

    >>> @checked(n=Int(minimum=1))
    ... def square(n): return n * n
    >>> square(np.int64(3)), str(square.rules["n"])
    (9, 'an int >= 1')
    >>> square(0)
    Traceback (most recent call last):
    ...
    ValueError: n must be >= 1, got 0
    """
    names = list(inspect.signature(guard).parameters) if guard else []

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)
        if set(rules) - set(signature.parameters):
            raise TypeError(f"{fn.__qualname__} has no parameter {sorted(set(rules) - set(signature.parameters))}")
        ruled = [p for p in signature.parameters if p in rules]  # checked in the signature's order
        mine = [p for p in names if p in signature.parameters]

        def accept(*args: Any, **kwargs: Any) -> inspect.BoundArguments:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for p in ruled:
                bound.arguments[p] = rules[p](bound.arguments[p], p)
            values = guard(**{p: bound.arguments[p] for p in mine}) if guard else None
            if isinstance(values, dict):
                bound.arguments.update(values)
            elif values is not None:
                bound.arguments.update(zip(mine, (values,) if len(mine) == 1 else values))
            return bound

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            if _INSIDE.get() and sys._getframe(1).f_globals.get("__name__", "").startswith("companion."):
                return fn(*args, **kwargs)
            bound = accept(*args, **kwargs)
            token = _INSIDE.set(True)
            try:
                return fn(*bound.args, **bound.kwargs)
            finally:
                _INSIDE.reset(token)

        call.guard, call.rules = guard, {p: rules[p] for p in ruled}
        call.accept = lambda *args, **kwargs: dict(accept(*args, **kwargs).arguments)
        call.__doc__ = _with_contract(fn.__doc__ or "", call.rules, guard)
        return call
    return decorate


def _with_contract(doc: str, rules: dict[str, Rule], guard: Callable | None) -> str:
    """``doc`` with a last paragraph that lists each argument's rule and what the guard
    requires (the first paragraph of its docstring), for ``help()`` and the API page."""
    lines = [line for line in doc.splitlines()[1:] if line.strip()]
    indent = min((line[:len(line) - len(line.lstrip())] for line in lines), key=len, default="")
    items = [f"{indent}- ``{p}``: {rule}" for p, rule in rules.items()]
    if guard is not None:
        guard = getattr(guard, "func", guard)  # a functools.partial: the function it calls
        what = (inspect.getdoc(guard) or "").split("\n\n")[0].replace("\n", " ")
        items.append(f"{indent}- and ``{getattr(guard, '__name__', 'a guard')}``: {what}")
    return f"{doc.rstrip()}\n\n{indent}Arguments, checked first:\n\n" + "\n".join(items) + "\n"


class Rule:
    """What one argument must be: ``rule(x, name)`` returns ``x`` accepted (converted where
    that helps) or raises a ``TypeError`` (wrong type) or ``ValueError`` (wrong value) whose
    message starts with ``name``; ``str(rule)`` says it in words. The rules are dataclasses,
    so a test reads their fields to make bad values.

    >>> Int(minimum=1)(np.int64(3), "n"), str(Pair(minimum=1))
    (3, 'an int or a pair of ints, each >= 1')
    """

    def __call__(self, x: object, name: str) -> Any:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Int(Rule):
    """An int (NumPy integers too, returned as a Python int; not a bool), at least ``minimum``."""
    minimum: int | None = None

    def __call__(self, x: object, name: str) -> int:
        if isinstance(x, bool) or not isinstance(x, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(x).__name__}")
        if self.minimum is not None and x < self.minimum:
            raise ValueError(f"{name} must be >= {self.minimum}, got {x}")
        return int(x)

    def __str__(self) -> str: return "an int" + ("" if self.minimum is None else f" >= {self.minimum}")


@dataclasses.dataclass(frozen=True)
class Pair(Rule):
    """An int or a pair of ints (height, width), each at least ``minimum``: returned as a pair."""
    minimum: int = 0

    def __call__(self, x: object, name: str) -> tuple[int, int]:
        if is_sequence(x):
            if len(x) != 2:
                raise ValueError(f"{name} must be an int or a pair (height, width), got {x!r}")
            return Int(self.minimum)(x[0], f"{name}[0]"), Int(self.minimum)(x[1], f"{name}[1]")
        v = Int(self.minimum)(x, name)
        return v, v

    def __str__(self) -> str: return f"an int or a pair of ints, each >= {self.minimum}"


@dataclasses.dataclass(frozen=True)
class Ints(Rule):
    """A list or tuple (or 1-D NumPy array) of ``length`` ints (``None``: at least one), each at
    least ``minimum``: returned as a tuple."""
    length: int | None = None
    minimum: int | None = None

    def __call__(self, x: object, name: str) -> tuple[int, ...]:
        if self.length is None and not (is_sequence(x) and len(x)):
            error = ValueError if is_sequence(x) else TypeError
            raise error(f"{name} must be a non-empty list of ints, got {x!r}")
        if not is_sequence(x):
            raise TypeError(f"{name} must be a tuple of {self.length} ints, got {type(x).__name__}")
        if self.length is not None and len(x) != self.length:
            raise ValueError(f"{name} must hold {self.length} ints, got {len(x)}: {x!r}")
        return tuple(Int(self.minimum)(v, f"{name}[{k}]") for k, v in enumerate(x))

    def __str__(self) -> str:
        return (f"{self.length} ints" if self.length else "a non-empty list of ints") + (
            "" if self.minimum is None else f", each >= {self.minimum}")


@dataclasses.dataclass(frozen=True)
class Padding(Rule):
    """An int, a pair (rows, columns) or 4 ints (top, bottom, left, right), each >= 0:
    returned as 4 ints (top, bottom, left, right)."""
    def __call__(self, x: object, name: str) -> tuple[int, int, int, int]:
        if is_sequence(x) and len(x) == 4:
            return Ints(4, minimum=0)(x, name)
        p_h, p_w = Pair(minimum=0)(x, name)
        return p_h, p_h, p_w, p_w

    def __str__(self) -> str: return "an int, a pair or 4 ints (top, bottom, left, right), each >= 0"


@dataclasses.dataclass(frozen=True)
class Offset(Rule):
    """A pair of ints (down, right), negative for up and left."""
    def __call__(self, x: object, name: str) -> tuple[int, int]:
        if not is_sequence(x):
            raise TypeError(f"{name} must be a pair of ints (down, right), got {x!r}")
        if len(x) != 2:
            raise ValueError(f"{name} must be a pair of ints (down, right), got {x!r}")
        return Int()(x[0], f"{name}[0]"), Int()(x[1], f"{name}[1]")

    def __str__(self) -> str: return "a pair of ints (down, right), negative for up and left"


@dataclasses.dataclass(frozen=True)
class Maybe(Rule):
    """``None``, or what ``rule`` accepts."""
    rule: Rule
    def __call__(self, x: object, name: str) -> Any: return None if x is None else self.rule(x, name)
    def __str__(self) -> str: return f"None or {self.rule}"


@dataclasses.dataclass(frozen=True)
class Real(Rule):
    """A finite real number (a Python or NumPy int or float, not a bool), returned as a float,
    at least ``minimum`` and greater than ``above``."""
    minimum: float | None = None
    above: float | None = None

    def __call__(self, x: object, name: str) -> float:
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise TypeError(f"{name} must be a float, got {type(x).__name__}")
        v = float(x)
        if not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {x}")
        if self.minimum is not None and v < self.minimum:
            raise ValueError(f"{name} must be >= {self.minimum}, got {x}")
        if self.above is not None and not v > self.above:
            raise ValueError(f"{name} must be > {self.above}, got {x}")
        return v

    def __str__(self) -> str:
        bounds = ([f">= {self.minimum}"] if self.minimum is not None else []) + (
            [f"> {self.above}"] if self.above is not None else [])
        return " ".join(["a finite number"] + bounds)


@dataclasses.dataclass(frozen=True)
class Number(Rule):
    """A real number (a Python or NumPy int or float, not a bool); infinity and NaN included."""
    def __call__(self, x: object, name: str) -> numbers.Real:
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise TypeError(f"{name} must be a number, got {type(x).__name__}")
        return x

    def __str__(self) -> str: return "a number (not a bool)"


@dataclasses.dataclass(frozen=True)
class Flag(Rule):
    """A bool (``None`` too with ``allow_none``); 0 and 1 are refused."""
    allow_none: bool = False

    def __call__(self, x: object, name: str) -> bool | None:
        if not isinstance(x, bool) and not (x is None and self.allow_none):
            raise TypeError(f"{name} must be a bool{' or None' if self.allow_none else ''}, got {type(x).__name__}")
        return x

    def __str__(self) -> str: return "a bool" + (" or None" if self.allow_none else "")


@dataclasses.dataclass(frozen=True)
class OneOf(Rule):
    """One of the strings ``options`` (a dict: one of its keys), ``None`` too with ``allow_none``."""
    options: Iterable[str]
    allow_none: bool = False

    def __call__(self, x: object, name: str) -> str | None:
        if x is None and self.allow_none:
            return None
        if not isinstance(x, str):
            raise TypeError(f"{name} must be a str, {self.choices()}, got {type(x).__name__}")
        if x not in self.options:
            raise ValueError(f"{name} must be {self.choices()}, got {x!r}")
        return x

    def choices(self) -> str:
        names = (["None"] if self.allow_none else []) + [repr(k) for k in self.options]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

    def __str__(self) -> str: return f"one of {self.choices()}"


@dataclasses.dataclass(frozen=True)
class Tensor(Rule):
    """A non-empty ``torch.Tensor`` of ``ndim`` dimensions (one of them, for a tuple), of a
    floating-point dtype unless ``floating=False``."""
    ndim: int | tuple[int, ...] | None = None
    floating: bool = True

    def __call__(self, x: object, name: str) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
        if self.floating and not x.is_floating_point():
            raise TypeError(f"{name} must have a floating-point dtype (e.g. torch.float32), got {x.dtype}")
        if self.ndim is not None and x.dim() not in self.dims():
            raise ValueError(f"{name} must be a {' or '.join(map(str, self.dims()))}-D tensor, "
                             f"got shape {tuple(x.shape)} ({x.dim()}-D)")
        if x.numel() == 0:
            raise ValueError(f"{name} must not be empty, got shape {tuple(x.shape)}")
        return x

    def dims(self) -> tuple[int, ...]: return (self.ndim,) if isinstance(self.ndim, int) else self.ndim

    def __str__(self) -> str:
        dims = "" if self.ndim is None else " or ".join(map(str, self.dims())) + "-D "
        return f"a non-empty {dims}{'floating-point ' if self.floating else ''}tensor"


@dataclasses.dataclass(frozen=True)
class Labels(Rule):
    """A non-empty 1-D tensor of integer class labels."""
    def __call__(self, x: object, name: str) -> torch.Tensor:
        y = Tensor(ndim=1, floating=False)(x, name)
        if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
            raise TypeError(f"{name} must hold integer class labels (e.g. torch.int64), got {y.dtype}")
        return y

    def __str__(self) -> str: return "a non-empty 1-D tensor of integer class labels"


@dataclasses.dataclass(frozen=True)
class Strings(Rule):
    """``n`` strings (``what`` says which), returned as a tuple."""
    n: int
    what: str

    def __call__(self, x: object, name: str) -> tuple[str, ...]:
        if not (isinstance(x, (tuple, list)) and len(x) == self.n and all(isinstance(t, str) for t in x)):
            raise TypeError(f"{name} must be {self.n} strings ({self.what}), got {x!r}")
        return tuple(x)

    def __str__(self) -> str: return f"{self.n} strings ({self.what})"


@dataclasses.dataclass(frozen=True)
class Device(Rule):
    """A ``torch.device`` or a str such as 'cpu', 'cuda:1' or 'mps' that this machine has,
    returned as a ``torch.device``."""
    def __call__(self, x: object, name: str) -> torch.device:
        if isinstance(x, str):
            try:
                d = torch.device(x)
            except RuntimeError:
                raise ValueError(f"{name} must name a device such as 'cpu' or 'cuda', got {x!r}") from None
        elif isinstance(x, torch.device):
            d = x
        else:
            raise TypeError(f"{name} must be a torch.device, a str or None, got {type(x).__name__}")
        if d.type in ("cpu", "meta"):  # one device under two names: 'cpu' and 'cpu:0'
            return torch.device(d.type)
        if d.type == "mps":
            available, count = torch.backends.mps.is_available(), 1
        else:  # cuda, and the accelerators PyTorch names after their module (xpu, ...)
            backend = getattr(torch, d.type, None)
            available = bool(getattr(backend, "is_available", lambda: False)())
            count = getattr(backend, "device_count", lambda: 1)() if available else 0
        if not available:
            raise ValueError(f"{name}={x!r} is not available on this machine (PyTorch finds no {d.type} "
                             f"device). Fix: pass {name}='cpu', or {name}=None for the net's own device")
        if d.index is not None and d.index >= count:
            have = f"{d.type}:0" if count == 1 else f"{d.type}:0 to {d.type}:{count - 1}"
            raise ValueError(f"{name}={x!r} is not available: this machine has {count} {d.type} "
                             f"device{'s' if count != 1 else ''} ({have})")
        if d.index is None and d.type == "cuda":  # 'cuda' is the current one, as a tensor names it: 'cuda:0'
            return torch.device("cuda", torch.cuda.current_device())
        return d

    def __str__(self) -> str: return "a torch.device or a str such as 'cpu' or 'cuda:1', available here"


@dataclasses.dataclass(frozen=True)
class Folder(Rule):
    """A folder path (a str or ``os.PathLike``) or None, ``""`` counting as None; with ``flags``,
    True and False too. Accepted as given: a message quotes what the user passed."""
    flags: bool = False

    def __call__(self, x: object, name: str) -> object:
        if x is None or (self.flags and isinstance(x, bool)):
            return x
        text = os.fspath(x) if isinstance(x, (str, os.PathLike)) else None
        if not isinstance(text, str):
            raise TypeError(f"{name} must be {self}, got {type(x).__name__}")
        if "\0" in text:
            raise ValueError(f"{name} must not contain a NUL character, got {text!r}")
        return x

    def __str__(self) -> str:
        return "a folder path (str or os.PathLike) or " + ("None, True or False" if self.flags else "None")


@dataclasses.dataclass(frozen=True)
class Seed(Int):
    """An int in [0, ``2**64``): a seed for ``torch.Generator.manual_seed``."""
    minimum: int = 0

    def __call__(self, x: object, name: str) -> int:
        seed = super().__call__(x, name)
        if seed >= 2**64:
            raise ValueError(f"{name} must be < 2**64 (a torch.Generator seed), got {seed}")
        return seed

    def __str__(self) -> str: return "an int >= 0 and < ``2**64`` (a torch.Generator seed)"


@dataclasses.dataclass(frozen=True)
class Instance(Rule):
    """An instance of ``kind``; ``text`` names it (``Module()``, ``DType()``, ``Generator()``)."""
    kind: type
    text: str

    def __call__(self, x: object, name: str) -> Any:
        if not isinstance(x, self.kind):
            raise TypeError(f"{name} must be {self.text}, got {type(x).__name__}")
        return x

    def __str__(self) -> str: return self.text


def Module() -> Instance:
    """A ``torch.nn.Module``."""
    return Instance(nn.Module, "a torch.nn.Module")


def DType() -> Instance:
    """A ``torch.dtype``, such as ``torch.float32``."""
    return Instance(torch.dtype, "a torch.dtype (e.g. torch.float32)")


def Generator() -> Instance:
    """A ``torch.Generator``."""
    return Instance(torch.Generator, "a torch.Generator")


@dataclasses.dataclass(frozen=True)
class Function(Rule):
    """Anything that can be called: a function, or a module such as ``nn.Conv2d``."""
    def __call__(self, x: object, name: str) -> object:
        if not callable(x):
            raise TypeError(f"{name} must be a callable such as an nn.Module, got {type(x).__name__}")
        return x

    def __str__(self) -> str: return "a callable (a function or an nn.Module)"


def returning(f: Callable, check: Callable[[Any], Any], what: str = "the input", root: str = "f") -> Callable:
    """``f`` with ``check`` applied to what it returns: a guard's way to check the result of a
    callable the user passed (``conv``, ``f``) without a line in the algorithm. A module ``f``
    runs inside ``fits`` (``what`` names the input, ``root`` the module), so an input that a
    layer cannot take is a ``ValueError`` naming both, not an error from inside PyTorch.

    >>> returning(abs, lambda y: Int(minimum=2)(y, "f(x)"))(-1)
    Traceback (most recent call last):
    ...
    ValueError: f(x) must be >= 2, got 1
    """
    def call(*args: Any, **kwargs: Any) -> Any:
        if not isinstance(f, nn.Module):
            return check(f(*args, **kwargs))
        with fits(f, what, root):
            y = f(*args, **kwargs)
        return check(y)
    return call


def within_budget(nbytes: int, what: str, hint: str = "") -> int:
    """Refuse, before allocating, a request for more than ``MEMORY_BUDGET`` bytes; ``what``
    names the argument and what it asks for. Returns ``nbytes``.

    >>> within_budget(8 * 10**9, "num_classes=31623 (a 31623 x 31623 int64 matrix)")
    Traceback (most recent call last):
    ...
    ValueError: num_classes=31623 (a 31623 x 31623 int64 matrix) would allocate 7.5 GiB, more than the 2 GiB one call may use (companion._check.MEMORY_BUDGET)
    """
    if nbytes > MEMORY_BUDGET:
        raise ValueError(f"{what} would allocate {nbytes / 2**30:,.1f} GiB, more than the "
                         f"{MEMORY_BUDGET / 2**30:g} GiB one call may use (companion._check.MEMORY_BUDGET){hint}")
    return nbytes


def is_sequence(x: object) -> bool:
    """A list, a tuple (``torch.Size`` too) or a 1-D NumPy array, e.g. drawn with NumPy.

    >>> is_sequence((1, 2)), is_sequence(np.arange(2)), is_sequence(2)
    (True, True, False)
    """
    return isinstance(x, (tuple, list)) or (isinstance(x, np.ndarray) and x.ndim == 1)


def same_dtype(a: torch.Tensor, b: torch.Tensor, name_a: str, name_b: str) -> None:
    """Refuse two tensors of different dtypes or devices.

    >>> same_dtype(torch.ones(1), torch.zeros(1), "X", "K")
    """
    if a.dtype != b.dtype:
        raise TypeError(f"{name_a} and {name_b} must have the same dtype, got {a.dtype} and {b.dtype}")
    if a.device != b.device:
        raise ValueError(f"{name_a} and {name_b} must be on the same device, got {a.device} and {b.device}")


def layer_names(net: nn.Module, root: str) -> dict[nn.Module, str]:
    """Each module of ``net`` by the expression that reaches it from ``root``.

    >>> list(layer_names(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), "net").values())
    ['net', 'net[0]', 'net[1]']
    """
    names: dict[nn.Module, str] = {}
    for dotted, m in net.named_modules(remove_duplicate=False):
        text = root + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in dotted.split(".") if p)
        names.setdefault(m, text)
    return names


@contextlib.contextmanager
def fits(net: nn.Module, what: str, root: str = "net", hint: str = "") -> Iterator[None]:
    """Run ``net`` inside this block; an input that a layer of ``net`` cannot take becomes a
    ``ValueError`` that names the input (``what``) and the layer, as ``layer_summary`` does
    (``hint`` is added to the message).

    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(3, 1))
    >>> with fits(net, "X of shape (1, 4)"):
    ...     _ = net(torch.ones(1, 4))
    Traceback (most recent call last):
    ...
    ValueError: X of shape (1, 4) does not fit net[1] (Linear(in_features=3, out_features=1, bias=True)): mat1 and mat2 shapes cannot be multiplied (1x4 and 3x1)
    """
    stack: list[nn.Module] = []

    def enter(m: nn.Module, args: object) -> None:
        stack.append(m)

    def leave(m: nn.Module, args: object, out: object) -> None:
        stack.pop()

    names = layer_names(net, root)
    handles = []
    for m in names:
        handles += [m.register_forward_pre_hook(enter), m.register_forward_hook(leave)]
    try:
        yield
    except (RuntimeError, ValueError, TypeError, IndexError) as e:
        if not stack or isinstance(e, torch.OutOfMemoryError):
            raise
        layer = stack[-1]
        raise ValueError(f"{what} does not fit {names[layer]} ({layer}): {e}{hint}") from None
    finally:
        for h in handles:
            h.remove()


def trial(net: nn.Module, X: torch.Tensor, what: str, root: str = "net", hint: str = "") -> torch.Tensor:
    """``net(X)`` once, in evaluation mode and without gradients, to find up front which
    layer an input does not fit (``fits``); the modes of ``net``'s layers are restored.

    >>> trial(nn.Linear(3, 2), torch.ones(1, 3), "X").shape
    torch.Size([1, 2])
    """
    modes = [(m, m.training) for m in net.modules()]
    net.eval()
    try:
        with torch.no_grad(), fits(net, what, root, hint):
            return net(X)
    finally:
        for m, mode in modes:
            m.training = mode
