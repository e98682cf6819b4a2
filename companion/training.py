"""Training and evaluating a classifier: D2L's ``train_ch6``, made fast and reproducible.

What makes it fast on a CPU (``python -m companion.bench`` measures it against ``d2l.train_ch6``):

- the data are tensors in memory (``companion.data.Batches``), so there is no per-image
  ``ToTensor`` and no worker processes competing with the training for the CPU cores;
- convolutions run in the channels-last memory layout, for which PyTorch's CPU backend
  (oneDNN) has faster kernels than for the default layout;
- the loss and the number of correct predictions are summed on the device and read once per
  epoch instead of once per batch (``.item()`` waits for a GPU to finish);
- evaluation runs under ``torch.inference_mode`` in large batches.

The same code runs on a GPU: pass ``device=torch.device("cuda")``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import torch
from torch import nn

from . import _check

OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


@dataclass
class History:
    """What ``train`` measured after each epoch: mean training loss, training accuracy
    (on the batches as they were trained on) and test accuracy.

    >>> h = History([0.5, 0.4], [0.8, 0.85], [0.82, 0.86])
    >>> len(h), h.test_acc[-1]
    (2, 0.86)
    """
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.train_loss)

    def __repr__(self) -> str:
        if not len(self):
            return "History(no epochs)"
        return (f"History({len(self)} epochs: loss {self.train_loss[-1]:.4f}, "
                f"train acc {self.train_acc[-1]:.4f}, test acc {self.test_acc[-1]:.4f})")


def _check_net(net: object) -> nn.Module:
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    return net


def _net_device(net: nn.Module, device: object) -> torch.device:
    if device is None:
        p = next(net.parameters(), None)
        return p.device if p is not None else torch.device("cpu")
    if isinstance(device, str):
        try:
            return torch.device(device)
        except RuntimeError:
            raise ValueError(f"device must name a device such as 'cpu' or 'cuda', got {device!r}") from None
    if not isinstance(device, torch.device):
        raise TypeError(f"device must be a torch.device, a str or None, got {type(device).__name__}")
    return device


def _layout(X: torch.Tensor, device: torch.device, channels_last: bool) -> torch.Tensor:
    X = X.to(device, non_blocking=True)
    if channels_last and X.dim() == 4:
        X = X.contiguous(memory_format=torch.channels_last)
    return X


def _chunks(data: object, name: str, batch_size: int) -> Iterable[tuple[torch.Tensor, torch.Tensor]]:
    """Batches of (X, y) from a pair of tensors, a ``Batches`` (re-cut into large batches,
    in order) or any iterable of (X, y) pairs such as a DataLoader."""
    if isinstance(data, tuple) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        X, y = data
    elif isinstance(getattr(data, "X", None), torch.Tensor) and isinstance(getattr(data, "y", None), torch.Tensor):
        X, y = data.X, data.y
    elif hasattr(data, "__iter__"):
        return data
    else:
        raise TypeError(f"{name} must be a pair of tensors (X, y), a Batches or an iterable of "
                        f"(X, y) batches, got {type(data).__name__}")
    _check.tensor(X, f"{name}[0]")
    _check.labels(y, f"{name}[1]")
    if len(X) != len(y):
        raise ValueError(f"{name} must hold as many labels as images, got {len(X)} and {len(y)}")
    return ((X[k:k + batch_size], y[k:k + batch_size]) for k in range(0, len(X), batch_size))


def _use_channels_last(channels_last: object, device: torch.device) -> bool:
    if channels_last is None:
        return device.type == "cpu"
    if not isinstance(channels_last, bool):
        raise TypeError(f"channels_last must be a bool or None, got {type(channels_last).__name__}")
    return channels_last


def evaluate_accuracy(net: nn.Module, data: object, device: torch.device | str | None = None,
                      batch_size: int = 2000, channels_last: bool | None = None) -> float:
    """Fraction of correctly classified examples in ``data``: a pair of tensors (X, y),
    a ``Batches`` or any iterable of (X, y) batches. The net is switched to ``eval()`` mode.

    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> X, y = torch.zeros(5, 1, 2, 2), torch.zeros(5, dtype=torch.long)
    >>> evaluate_accuracy(net, (X, y)) in (0.0, 1.0)
    True
    """
    net = _check_net(net)
    device = _net_device(net, device)
    batch_size = _check.integer(batch_size, "batch_size", minimum=1)
    cl = _use_channels_last(channels_last, device)
    batches = _chunks(data, "data", batch_size)
    net.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    n = 0
    with torch.inference_mode():
        for X, y in batches:
            y = y.to(device, non_blocking=True)
            correct += (net(_layout(X, device, cl)).argmax(dim=1) == y).sum()
            n += len(y)
    if n == 0:
        raise ValueError("data must hold at least one example, got none")
    return correct.item() / n


def predict(net: nn.Module, X: torch.Tensor, device: torch.device | str | None = None,
            batch_size: int = 2000, channels_last: bool | None = None) -> torch.Tensor:
    """Predicted class labels (int64, on the CPU) for the images ``X`` (n, c, h, w).

    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    >>> predict(net, torch.zeros(5, 1, 2, 2)).shape
    torch.Size([5])
    """
    net = _check_net(net)
    X = _check.tensor(X, "X", ndim=4)
    device = _net_device(net, device)
    batch_size = _check.integer(batch_size, "batch_size", minimum=1)
    cl = _use_channels_last(channels_last, device)
    net.eval()
    with torch.inference_mode():
        out = [net(_layout(X[k:k + batch_size], device, cl)).argmax(dim=1)
               for k in range(0, len(X), batch_size)]
    return torch.cat(out).cpu()


def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``C[i, j]`` of examples of true class ``i`` predicted as class ``j`` (int64).

    >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2)
    tensor([[1, 0],
            [1, 1]])
    """
    y_true, y_pred = _check.labels(y_true, "y_true"), _check.labels(y_pred, "y_pred")
    num_classes = _check.integer(num_classes, "num_classes", minimum=1)
    for t, name in ((y_true, "y_true"), (y_pred, "y_pred")):
        if int(t.min()) < 0 or int(t.max()) >= num_classes:
            raise ValueError(f"{name} must hold labels in [0, {num_classes}), got values in "
                             f"[{int(t.min())}, {int(t.max())}]")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    idx = y_true.to(torch.int64).cpu() * num_classes + y_pred.to(torch.int64).cpu()
    return torch.bincount(idx, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def make_optimizer(net: nn.Module, optimizer: str, lr: float, weight_decay: float = 0.0
                   ) -> torch.optim.Optimizer:
    """``torch.optim.SGD``, ``Adam`` or ``AdamW`` over the parameters of ``net``.

    >>> make_optimizer(nn.Linear(2, 1), "sgd", 0.9).defaults["lr"]
    0.9
    """
    net = _check_net(net)
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be a str ({', '.join(map(repr, OPTIMIZERS))}) or a "
                        f"torch.optim.Optimizer, got {type(optimizer).__name__}")
    if optimizer.lower() not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(map(repr, OPTIMIZERS))}, got {optimizer!r}")
    for v, name in ((lr, "lr"), (weight_decay, "weight_decay")):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{name} must be a float, got {type(v).__name__}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr}")
    if not weight_decay >= 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    return OPTIMIZERS[optimizer.lower()](net.parameters(), lr=lr, weight_decay=weight_decay)


def train(net: nn.Module, train_iter: Iterable, test_iter: object, num_epochs: int,
          lr: float = 0.9, optimizer: str | torch.optim.Optimizer = "sgd",
          device: torch.device | str | None = None, weight_decay: float = 0.0,
          scheduler: str | None = None, channels_last: bool | None = None,
          verbose: bool = True) -> History:
    """Train ``net`` with cross-entropy for ``num_epochs`` epochs and return its ``History``.

    ``train_iter`` yields (X, y) batches (a shuffled ``Batches`` or a DataLoader); ``test_iter``
    is anything ``evaluate_accuracy`` takes. ``optimizer`` is 'sgd', 'adam' or 'adamw' (built with
    ``lr`` and ``weight_decay``) or a ready ``torch.optim.Optimizer``. ``scheduler='cosine'``
    lowers the learning rate along a cosine from ``lr`` to 0 over the run, step by step.
    With ``verbose``, one line per epoch is printed (rounded, no timings). Initialise the
    weights before (e.g. ``init_xavier``); ``train`` does not.

    >>> _ = torch.manual_seed(0)
    >>> X, y = torch.randn(64, 1, 4, 4), torch.randint(0, 2, (64,))
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    >>> h = train(net, [(X, y)], (X, y), num_epochs=3, lr=0.1, verbose=False)
    >>> len(h), h.train_loss[-1] < h.train_loss[0]
    (3, True)
    """
    net = _check_net(net)
    num_epochs = _check.integer(num_epochs, "num_epochs", minimum=1)
    if not hasattr(train_iter, "__iter__"):
        raise TypeError(f"train_iter must be an iterable of (X, y) batches, got {type(train_iter).__name__}")
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose must be a bool, got {type(verbose).__name__}")
    if scheduler is not None:
        if not isinstance(scheduler, str):
            raise TypeError(f"scheduler must be None or 'cosine', got {type(scheduler).__name__}")
        if scheduler != "cosine":
            raise ValueError(f"scheduler must be None or 'cosine', got {scheduler!r}")
    _chunks(test_iter, "test_iter", 1)  # fail now, not after the first epoch
    device = _net_device(net, device)
    cl = _use_channels_last(channels_last, device)
    net.to(device)
    if cl:
        net.to(memory_format=torch.channels_last)
    if isinstance(optimizer, torch.optim.Optimizer):
        opt = optimizer
    else:
        opt = make_optimizer(net, optimizer, lr, weight_decay)
    sched = None
    if scheduler == "cosine":
        steps = num_epochs * len(train_iter)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps)))
    loss_fn = nn.CrossEntropyLoss()
    history = History()
    for epoch in range(num_epochs):
        net.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        n = 0
        for X, y in train_iter:
            X, y = _layout(X, device, cl), y.to(device, non_blocking=True)
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(y)
                correct += (y_hat.argmax(dim=1) == y).sum()
            n += len(y)
        if n == 0:
            raise ValueError("train_iter must yield at least one batch, got none")
        history.train_loss.append(loss_sum.item() / n)
        history.train_acc.append(correct.item() / n)
        history.test_acc.append(evaluate_accuracy(net, test_iter, device, channels_last=cl))
        if verbose:
            print(f"epoch {epoch + 1:>{len(str(num_epochs))}}/{num_epochs}: "
                  f"loss {history.train_loss[-1]:.4f}, train acc {history.train_acc[-1]:.4f}, "
                  f"test acc {history.test_acc[-1]:.4f}", flush=True)
    return history
