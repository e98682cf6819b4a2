"""Argument checks shared by the public functions: fail fast, name the argument."""
from __future__ import annotations

import torch


def tensor(x: object, name: str, ndim: int | tuple[int, ...] | None = None,
           floating: bool = True) -> torch.Tensor:
    """Return ``x`` if it is a tensor of the expected rank (and floating dtype)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if floating and not x.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype (e.g. torch.float32), got {x.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if x.dim() not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must be a {want}-D tensor, got shape {tuple(x.shape)} ({x.dim()}-D)")
    if x.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(x.shape)}")
    return x


def integer(x: object, name: str, minimum: int | None = None) -> int:
    """Return ``x`` if it is an int (not a bool) no smaller than ``minimum``."""
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"{name} must be an int, got {type(x).__name__}")
    if minimum is not None and x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return x


def pair(x: object, name: str, minimum: int = 0) -> tuple[int, int]:
    """Accept an int or a pair of ints (height, width) and return the pair."""
    if isinstance(x, (tuple, list)):
        if len(x) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {x!r}")
        return integer(x[0], f"{name}[0]", minimum), integer(x[1], f"{name}[1]", minimum)
    v = integer(x, name, minimum)
    return v, v


def labels(y: object, name: str) -> torch.Tensor:
    """Return ``y`` if it is a 1-D tensor of integer class labels."""
    y = tensor(y, name, ndim=1, floating=False)
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class labels (e.g. torch.int64), got {y.dtype}")
    return y


def same_dtype(a: torch.Tensor, b: torch.Tensor, name_a: str, name_b: str) -> None:
    if a.dtype != b.dtype:
        raise TypeError(f"{name_a} and {name_b} must have the same dtype, got {a.dtype} and {b.dtype}")
    if a.device != b.device:
        raise ValueError(f"{name_a} and {name_b} must be on the same device, got {a.device} and {b.device}")
