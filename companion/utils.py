"""Reproducibility and small notebook helpers."""
from __future__ import annotations

import inspect
import numbers
import random
import textwrap

import numpy as np
import torch


def seed_everything(seed: int = 0) -> torch.device:
    """Seed Python, NumPy and PyTorch (CPU and GPU) and return the device to compute on.

    Every notebook calls this once at the top, so every run prints the same numbers.

    >>> seed_everything(42).type in ("cpu", "cuda")
    True
    """
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError("seed must be an int, got bool")
    if not isinstance(seed, numbers.Integral):  # a Python or NumPy integer
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every GPU
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Source:
    """The source code of a companion function, shown as highlighted code in a notebook."""

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"


def show_source(obj: object) -> Source:
    """The code of a function or class, shown as highlighted code in a notebook.

    >>> print(show_source(seed_everything).text.splitlines()[0])
    def seed_everything(seed: int = 0) -> torch.device:
    """
    if not (inspect.isfunction(obj) or inspect.ismethod(obj) or inspect.isclass(obj)):
        kind = type(obj)
        if kind.__module__ == "builtins":
            raise TypeError(f"obj must be a function, method or class, got {kind.__name__}")
        if kind.__module__ in ("functools", "operator", "itertools"):
            raise TypeError(f"obj must be a function, method or class, got {kind.__module__}.{kind.__qualname__}")
        raise TypeError(f"obj must be a function, method or class, got a {kind.__name__} object: pass its "
                        f"class, show_source({kind.__name__})")
    try:
        return Source(textwrap.dedent(inspect.getsource(obj)).rstrip())
    except (OSError, TypeError):  # built in (e.g. int), or defined where no file is kept
        raise TypeError(f"obj must be a function or class written in Python source, "
                        f"got {obj.__qualname__}, whose source is not available") from None
