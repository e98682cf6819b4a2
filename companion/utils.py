"""Reproducibility: one seed for Python, NumPy and PyTorch."""
from __future__ import annotations

import numbers
import random

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
