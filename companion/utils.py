"""Reproducibility and small notebook helpers."""
from __future__ import annotations

import inspect
import random

import numpy as np
import torch


def seed_everything(seed: int = 0) -> torch.device:
    """Seed Python, NumPy and PyTorch (CPU and GPU) and return the device to compute on.

    Every notebook calls this once at the top, so every run prints the same numbers.

    >>> seed_everything(42).type in ("cpu", "cuda")
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every GPU
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Source:
    """The source code of a companion function, shown as highlighted code in a notebook."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"


def show_source(obj: object) -> Source:
    """Show the code of a companion function or class, so the page and the tests share one source.

    >>> print(show_source(seed_everything).text.splitlines()[0])
    def seed_everything(seed: int = 0) -> torch.device:
    """
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        raise TypeError(f"obj must be a function or class, got {type(obj).__name__}")
    return Source(inspect.getsource(obj).rstrip())
