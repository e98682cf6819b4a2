"""Training and evaluating a classifier: D2L's ``train_ch6``, made fast and reproducible.

``train_epoch`` is one pass over the training data (forward, loss, backward, update);
``train`` wraps it with the set-up (device, memory layout, optimizer, schedule), the
``History`` of every epoch, the test accuracy and the printed progress. A page can hand
``train`` its own epoch loop: ``train(..., epoch=train_epoch)``.

What makes it fast on a CPU (``python -m companion.bench`` measures it against ``d2l.train_ch6``):

- the data are tensors in memory (``companion.data.Batches``), so there is no per-image
  ``ToTensor`` and no worker processes competing with the training for the CPU cores;
- convolutions run in the channels-last memory layout, for which PyTorch's CPU backend
  (oneDNN) has faster kernels than for the default layout;
- the loss and the number of correct predictions are summed on the device and read once per
  epoch instead of once per batch (``.item()`` waits for a GPU to finish);
- evaluation runs under ``torch.inference_mode`` in batches of 256 images, whose activations
  stay in the CPU's caches (batches of 2000 take twice as long on a 2-core CPU).

The same code runs on a GPU: pass ``device=torch.device("cuda")``.

Everything is checked before training starts: the device is available, the optimizer holds
the net's parameters, the batches are (X, y) pairs whose images fit the net (else the error
names the layer) and whose labels are below the number of outputs, the test data are not
empty. Data that can only be checked batch by batch (a DataLoader) is checked as it comes.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from . import _check
from ._check import Device, Flag, Function, Int, Labels, Maybe, Module, OneOf, Real, Tensor, checked

OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
EVAL_BATCH = 256  # images per forward pass when evaluating: their activations fit in the cache


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

    def __post_init__(self) -> None:
        for name in ("train_loss", "train_acc", "test_acc"):
            values = getattr(self, name)
            if not isinstance(values, list):
                raise TypeError(f"{name} must be a list of numbers, one per epoch, got {type(values).__name__}")
            for k, v in enumerate(values):
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                    raise TypeError(f"{name}[{k}] must be a number, got {type(v).__name__}")
        n = [len(self.train_loss), len(self.train_acc), len(self.test_acc)]
        if len(set(n)) != 1:
            raise ValueError(f"train_loss, train_acc and test_acc must hold one number per epoch, "
                             f"got {n[0]}, {n[1]} and {n[2]}")

    def __len__(self) -> int:
        return len(self.train_loss)

    def __repr__(self) -> str:
        if not len(self):
            return "History(no epochs)"
        return (f"History({len(self)} epochs: loss {self.train_loss[-1]:.4f}, "
                f"train acc {self.train_acc[-1]:.4f}, test acc {self.test_acc[-1]:.4f})")


def _net_device(net: nn.Module, device: torch.device | None) -> torch.device:
    """Where to compute: ``device`` (checked), else where the net's weights are (not on the meta device)."""
    p = next(net.parameters(), None)
    if p is not None and p.device.type == "meta":
        raise ValueError("net is on the meta device, which holds no weights: build the net on a real "
                         "device (e.g. net.to_empty(device='cpu') and initialize it)")
    if device is None:
        return p.device if p is not None else torch.device("cpu")
    return device


def _net_is_on(net: nn.Module, device: torch.device, given: object) -> None:
    """``predict`` and ``evaluate_accuracy`` run the net where it is: a ``device`` that is not
    the net's is refused (``train`` moves the net instead)."""
    p = next(net.parameters(), None)
    if given is None or p is None:
        return
    if p.device.type != device.type or (device.index is not None and p.device.index != device.index):
        raise ValueError(f"device={given!r}, but net's parameters are on {p.device}: pass device=None to use "
                         f"the net's device, or move the net first (net.to({str(device)!r}))")


def _layout(X: torch.Tensor, device: torch.device, channels_last: bool) -> torch.Tensor:
    X = X.to(device, non_blocking=True)
    if channels_last and X.dim() == 4:
        X = X.contiguous(memory_format=torch.channels_last)
    return X


def _on_meta(X: torch.Tensor, name: str) -> torch.Tensor:
    if X.device.type == "meta":
        raise ValueError(f"{name} is on the meta device, which holds no values: create it on a real device")
    return X


def _tensors(data: object, name: str, pair: bool = True) -> tuple[torch.Tensor, torch.Tensor, str] | None:
    """(X, y, the name of y) of a pair of tensors (X, y) (if ``pair``: data to evaluate) or a
    ``Batches``, checked; ``None`` for any other data (an iterable of batches)."""
    if pair and isinstance(data, tuple) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        (X, y), names = data, (f"{name}[0]", f"{name}[1]")
    elif isinstance(getattr(data, "X", None), torch.Tensor) and isinstance(getattr(data, "y", None), torch.Tensor):
        (X, y), names = (data.X, data.y), (f"{name}.X", name)
    else:
        return None
    _on_meta(_check.Tensor()(X, names[0]), names[0])
    _check.Labels()(y, names[1])
    if len(X) != len(y):
        raise ValueError(f"{name} must hold as many labels as images, got {len(X)} and {len(y)}")
    return X, y, names[1]


def _batch(batch: object, k: int, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Batch ``k`` of ``name``, checked: a pair (X, y) of images and as many integer labels."""
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        if isinstance(batch, torch.Tensor):
            what = f"a Tensor of shape {tuple(batch.shape)}"
        elif isinstance(batch, (tuple, list)):
            what = f"a {type(batch).__name__} of {len(batch)}"
        else:
            what = f"a {type(batch).__name__}"
        raise TypeError(f"{name} must yield (X, y) batches: its batch {k} is {what}")
    X, y = batch
    if not (isinstance(X, torch.Tensor) and isinstance(y, torch.Tensor)):
        raise TypeError(f"{name} must yield (X, y) batches of tensors: its batch {k} holds "
                        f"{type(X).__name__} and {type(y).__name__}")
    if y.dim() != 1 or y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(f"{name}'s batch {k} must hold integer class labels (e.g. torch.int64), got "
                        f"{y.dtype}" + (f" of shape {tuple(y.shape)}" if y.dim() != 1 else ""))
    if len(X) != len(y):
        raise ValueError(f"{name}'s batch {k} holds {len(X)} images and {len(y)} labels")
    _on_meta(X, f"{name}'s batch {k}")
    return X, y


def _labels_below(y: torch.Tensor, n_out: int, name: str, k: int | None = None) -> None:
    """Refuse labels the net has no output for (accuracy would quietly count them wrong)."""
    if not len(y):
        return
    lo, hi = int(y.min()), int(y.max())
    if lo < 0 or hi >= n_out:
        where = "" if k is None else f" (batch {k})"
        raise ValueError(f"{name} holds label {hi if hi >= n_out else lo}{where}, but net has {n_out} "
                         f"outputs: labels must be 0 to {n_out - 1}")


def _scores(out: object, n: int) -> torch.Tensor:
    """What the net must return: one row of class scores per example."""
    if not (isinstance(out, torch.Tensor) and out.dim() == 2 and out.shape[0] == n):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"net must return one row of class scores per example, (n, classes), got shape "
                         f"{shape} for {n} example{'s' if n != 1 else ''}")
    return out


def _outputs(net: nn.Module, X: torch.Tensor, what: str) -> int:
    """The number of outputs (classes) of ``net``, from one example of ``X``, which must fit."""
    p = next(net.parameters(), None)
    x = X[:1].to(p.device if p is not None else X.device)
    return _scores(_check.trial(net, x, what), 1).shape[1]


def _images(name: str, X: torch.Tensor) -> str:
    return f"{name} (images of shape {tuple(X.shape)})"


def _use_channels_last(channels_last: bool | None, device: torch.device) -> bool:
    return device.type == "cpu" if channels_last is None else channels_last


def _on_device(batches: Iterable, device: torch.device, channels_last: bool,
               net: nn.Module | None = None) -> Iterable:
    """The batches of ``batches`` moved to ``device`` (images in the chosen memory layout).

    With ``net``, batches not checked up front (a DataLoader's) are checked as they come: the
    first one fits the net, every one is an (X, y) pair with labels below the net's outputs."""
    n_out = None
    for k, batch in enumerate(batches):
        if net is not None:
            X, y = _batch(batch, k, "train_iter")
            if n_out is None:
                n_out = _outputs(net, X, _images("train_iter", X))
            _labels_below(y, n_out, "train_iter", k)
        else:
            X, y = batch
        yield _layout(X, device, channels_last), y.to(device, non_blocking=True)


def _accuracy(net: nn.Module, data: object, name: str, device: torch.device, batch_size: int,
              cl: bool) -> float:
    """``evaluate_accuracy`` with the data named ``name`` in its messages."""
    tensors = _tensors(data, name)
    if tensors is None and not hasattr(data, "__iter__"):
        raise TypeError(f"{name} must be a pair of tensors (X, y), a Batches or an iterable of "
                        f"(X, y) batches, got {type(data).__name__}")
    net.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    n = 0
    with torch.inference_mode():
        if tensors is not None:
            X_all, y_all, y_name = tensors
            _labels_below(y_all, _outputs(net, X_all, _images(name, X_all)), y_name)
            batches = ((X_all[k:k + batch_size], y_all[k:k + batch_size]) for k in range(0, len(X_all), batch_size))
        else:
            batches = data
        for k, batch in enumerate(batches):
            X, y = batch if tensors is not None else _batch(batch, k, name)
            with _check.fits(net, _images(name, X_all if tensors is not None else X)):
                out = _scores(net(_layout(X, device, cl)), len(X))
            if tensors is None:
                _labels_below(y, out.shape[1], name, k)
            correct += (out.argmax(dim=1) == y.to(device, non_blocking=True)).sum()
            n += len(y)
    if n == 0:
        raise ValueError(f"{name} must hold at least one example, got none")
    return correct.item() / n


def runs_where_net_is(net: nn.Module, device: object) -> dict[str, torch.device]:
    """``device`` None or the device the net's parameters are on (a ``torch.device`` or a str
    such as 'cpu' or 'cuda:1' that this machine has), not the meta device: the net runs where it
    is (``train`` moves it instead).

    Returns ``device`` as the device to compute on.

    >>> evaluate_accuracy(nn.Linear(4, 2), [(torch.zeros(1, 4), torch.zeros(1, dtype=torch.long))],
    ...                   device="meta")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: device='meta', but net's parameters are on cpu: pass device=None to use the net's device, ...
    """
    where = _net_device(net, None if device is None else _check.Device()(device, "device"))
    _net_is_on(net, where, device)
    return {"device": where}


EVALUATION = {"net": Module(), "batch_size": Int(minimum=1), "channels_last": Flag(allow_none=True)}


@checked(runs_where_net_is, **EVALUATION)
def evaluate_accuracy(net: nn.Module, data: object, device: torch.device | str | None = None,
                      batch_size: int = EVAL_BATCH, channels_last: bool | None = None) -> float:
    """Fraction of correctly classified examples in ``data``: a pair of tensors (X, y),
    a ``Batches`` or any iterable of (X, y) batches. The net is switched to ``eval()`` mode
    and runs where it is; the data are moved to it.

    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> X, y = torch.zeros(5, 1, 2, 2), torch.zeros(5, dtype=torch.long)
    >>> evaluate_accuracy(net, (X, y)) in (0.0, 1.0)
    True
    """
    cl = _use_channels_last(channels_last, device)
    return _accuracy(net, data, "data", device, batch_size, cl)


def input_where_net_is(X: torch.Tensor, net: nn.Module, device: object) -> dict[str, torch.device]:
    """``X`` holds values (it is not on the meta device), and ``device`` is None or where the
    net's parameters are (``runs_where_net_is``).

    >>> predict(nn.Linear(4, 2), torch.zeros(1, 1, 2, 2, device="meta"))
    Traceback (most recent call last):
    ...
    ValueError: X is on the meta device, which holds no values: create it on a real device
    """
    _on_meta(X, "X")
    return runs_where_net_is(net, device)


@checked(input_where_net_is, X=Tensor(ndim=4), **EVALUATION)
def predict(net: nn.Module, X: torch.Tensor, device: torch.device | str | None = None,
            batch_size: int = EVAL_BATCH, channels_last: bool | None = None) -> torch.Tensor:
    """Predicted class labels (int64, on the CPU) for the images ``X`` (n, c, h, w). The net
    runs where it is; ``X`` is moved to it.

    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    >>> predict(net, torch.zeros(5, 1, 2, 2)).shape
    torch.Size([5])
    """
    cl = _use_channels_last(channels_last, device)
    net.eval()
    with torch.inference_mode(), _check.fits(net, f"X of shape {tuple(X.shape)}"):
        out = [_scores(net(_layout(X[k:k + batch_size], device, cl)), len(X[k:k + batch_size])).argmax(dim=1)
               for k in range(0, len(X), batch_size)]
    return torch.cat(out).cpu()


def labels_below_num_classes(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> None:
    """A ``num_classes`` × ``num_classes`` matrix of int64 counts within ``MEMORY_BUDGET`` bytes
    (2 GiB), labels in [0, ``num_classes``), and as many predictions as true labels.

    >>> confusion_matrix(torch.tensor([0, 1]), torch.tensor([0, 2]), 2)
    Traceback (most recent call last):
    ...
    ValueError: y_pred must hold labels in [0, 2), got values in [0, 2]
    """
    _check.within_budget(num_classes * num_classes * 8, f"num_classes={num_classes} (a {num_classes} x "
                                                        f"{num_classes} matrix of int64 counts)")
    for t, name in ((y_true, "y_true"), (y_pred, "y_pred")):
        if int(t.min()) < 0 or int(t.max()) >= num_classes:
            raise ValueError(f"{name} must hold labels in [0, {num_classes}), got values in "
                             f"[{int(t.min())}, {int(t.max())}]")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")


@checked(labels_below_num_classes, y_true=Labels(), y_pred=Labels(), num_classes=Int(minimum=1))
def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts ``C[i, j]`` of examples of true class ``i`` predicted as class ``j`` (int64).

    >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2)
    tensor([[1, 0],
            [1, 1]])
    """
    idx = y_true.to(torch.int64).cpu() * num_classes + y_pred.to(torch.int64).cpu()
    return torch.bincount(idx, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def _trainable(net: nn.Module) -> list[nn.Parameter]:
    """The parameters of ``net`` an optimizer can change: refuse a net with none."""
    params = list(net.parameters())
    if not params:
        raise ValueError(f"net has no parameters to train: its layers ({type(net).__name__}) learn nothing")
    trainable = [p for p in params if p.requires_grad]
    if not trainable:
        raise ValueError("net has no parameters that require a gradient (all have requires_grad=False): "
                         "nothing would change. Unfreeze some, e.g. p.requires_grad_(True)")
    return trainable


def optimizer_trains(net: nn.Module, optimizer: object) -> None:
    """``optimizer`` 'sgd', 'adam' or 'adamw' (in any case), for a net with parameters that
    require a gradient.

    >>> make_optimizer(nn.Linear(2, 1), "rmsprop", 0.1)
    Traceback (most recent call last):
    ...
    ValueError: optimizer must be 'sgd', 'adam' or 'adamw', got 'rmsprop'
    """
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be a str ({', '.join(map(repr, OPTIMIZERS))}) or a "
                        f"torch.optim.Optimizer, got {type(optimizer).__name__}")
    _check.OneOf(tuple(OPTIMIZERS))(optimizer.lower(), "optimizer")
    _trainable(net)


def _holds(optimizer: torch.optim.Optimizer, net: nn.Module) -> None:
    """Refuse an optimizer that would train none of the net's weights (one made for another net)."""
    mine = {id(p) for p in _trainable(net)}
    if not any(id(p) in mine for group in optimizer.param_groups for p in group["params"]):
        raise ValueError("optimizer holds none of net's parameters, so training would not change the net "
                         "(was it made for another net?): build it from this net, e.g. "
                         "torch.optim.SGD(net.parameters(), lr=0.1) or make_optimizer(net, ...)")


@checked(optimizer_trains, net=Module(), lr=Real(above=0), weight_decay=Real(minimum=0))
def make_optimizer(net: nn.Module, optimizer: str, lr: float, weight_decay: float = 0.0
                   ) -> torch.optim.Optimizer:
    """``torch.optim.SGD``, ``Adam`` or ``AdamW`` over the parameters of ``net``; ``lr`` > 0
    and ``weight_decay`` >= 0 must be finite.

    >>> make_optimizer(nn.Linear(2, 1), "sgd", 0.9).defaults["lr"]
    0.9
    """
    return OPTIMIZERS[optimizer.lower()](net.parameters(), lr=lr, weight_decay=weight_decay)


def epoch_fits(net: nn.Module, train_iter: object, optimizer: object, scheduler: object) -> None:
    """``train_iter`` an iterable of batches, ``optimizer`` a ``torch.optim.Optimizer`` that holds
    some of the net's parameters, ``scheduler`` None or a learning-rate scheduler (with a step()
    method); batches that can be looked at without drawing them (a list, a ``Batches``) are
    (X, y) pairs of images that fit the net and labels below its number of outputs.

    >>> train_epoch(nn.Linear(2, 1), [], nn.MSELoss(), "sgd")
    Traceback (most recent call last):
    ...
    TypeError: optimizer must be a torch.optim.Optimizer, got str
    """
    if not hasattr(train_iter, "__iter__"):
        raise TypeError(f"train_iter must be an iterable of (X, y) batches, got {type(train_iter).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"scheduler must be None or a learning-rate scheduler (with a step() "
                        f"method), got {type(scheduler).__name__}")
    _holds(optimizer, net)
    _check_batches(net, train_iter, "train_iter", pair=False)


def _check_batches(net: nn.Module, data: object, name: str, pair: bool = True) -> bool:
    """Check up front what can be looked at without drawing it (a pair of tensors if ``pair``,
    a ``Batches``, a list of batches): (X, y) pairs, images that fit ``net``, labels below its
    outputs. Returns whether it could (else the batches are checked as they come)."""
    tensors = _tensors(data, name, pair)
    if tensors is not None:
        X, y, y_name = tensors
        _labels_below(y, _outputs(net, X, _images(name, X)), y_name)
    elif isinstance(data, (list, tuple)):
        if not data:
            raise ValueError(f"{name} must hold at least one batch, got none")
        batches = [_batch(b, k, name) for k, b in enumerate(data)]
        n_out = _outputs(net, batches[0][0], _images(name, batches[0][0]))
        for k, (_, y) in enumerate(batches):
            _labels_below(y, n_out, name, k)
    else:
        try:
            empty = len(data) == 0
        except TypeError:  # no len(): a generator, an iterable dataset
            empty = False
        if empty:
            raise ValueError(f"{name} must hold at least one batch, got none")
        return False
    return True


@checked(epoch_fits, net=Module(), loss_fn=Function())
def train_epoch(net: nn.Module, train_iter: Iterable, loss_fn: Callable,
                optimizer: torch.optim.Optimizer,
                scheduler: object = None) -> tuple[float, float]:
    """One epoch of minibatch training: for every batch (X, y) of ``train_iter``,
    forward, loss, backward and an update of the weights (then one ``scheduler`` step).

    Returns the mean loss and the accuracy over the epoch's examples, as they were
    trained on. The sums stay where the model runs and are read once, at the end.

    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> X, y = torch.randn(8, 1, 2, 2), torch.randint(0, 2, (8,))
    >>> opt = torch.optim.SGD(net.parameters(), lr=0.1)
    >>> loss, acc = train_epoch(net, [(X, y)], nn.CrossEntropyLoss(), opt)
    >>> loss > 0 and 0 <= acc <= 1
    True
    """
    net.train()
    loss_sum, correct, n = 0.0, 0, 0
    for X, y in train_iter:
        y_hat = net(X)
        loss = loss_fn(y_hat, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():  # no .item() per batch: a GPU would wait for each one
            loss_sum += loss * len(y)
            correct += (y_hat.argmax(dim=1) == y).sum()
        n += len(y)
    if n == 0:
        raise ValueError("train_iter must yield at least one batch, got none")
    return float(loss_sum) / n, int(correct) / n


def _epoch_result(result: object) -> tuple[float, float]:
    """What ``train`` needs back from ``epoch``: (mean loss, accuracy), two numbers."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2
            and all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in result)):
        raise TypeError(f"epoch must return (mean loss, accuracy) as two numbers, like "
                        f"train_epoch, got {result!r}")
    return float(result[0]), float(result[1])


def _passes(data: object, name: str, num_epochs: int, scheduler: str | None) -> None:
    """``train_iter`` is drawn once per epoch, ``test_iter`` evaluated after each: refuse what is
    used up after one pass (a generator), and a schedule over batches that cannot be counted."""
    if name == "train_iter":
        if isinstance(data, Iterator) and num_epochs > 1:
            raise TypeError(f"train_iter is a {type(data).__name__}, used up after one epoch: for "
                            f"num_epochs={num_epochs} pass a list of batches, a Batches or a DataLoader")
        if scheduler is not None and not hasattr(data, "__len__"):
            raise TypeError(f"scheduler={scheduler!r} needs len(train_iter), the number of batches per epoch: "
                            f"a {type(data).__name__} has none. Pass a list of batches, a Batches or a DataLoader")
    elif isinstance(data, Iterator):
        raise TypeError(f"test_iter is a {type(data).__name__}, used up after one pass: it is evaluated after "
                        f"every epoch, so pass (X, y), a Batches, a list of batches or a DataLoader")


def optimizer_for(net: nn.Module, optimizer: object, lr: object, weight_decay: object) -> dict[str, float] | None:
    """``optimizer`` a ``torch.optim.Optimizer`` that holds some of the net's parameters, or a
    name that ``make_optimizer`` takes, with its ``lr`` and ``weight_decay`` (which a ready
    optimizer does not use).

    >>> train(nn.Linear(2, 2), [], [], 1, lr=0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be > 0, got 0
    """
    if isinstance(optimizer, torch.optim.Optimizer):
        _holds(optimizer, net)
        return None
    rules = make_optimizer.rules  # a name: its lr and weight_decay as make_optimizer takes them
    accepted = {"lr": rules["lr"](lr, "lr"), "weight_decay": rules["weight_decay"](weight_decay, "weight_decay")}
    optimizer_trains(net, optimizer)
    return accepted


@checked(optimizer_for, net=Module(), num_epochs=Int(minimum=1), device=Maybe(Device()),
         scheduler=OneOf(("cosine",), allow_none=True), channels_last=Flag(allow_none=True), verbose=Flag(),
         epoch=Function())
def train(net: nn.Module, train_iter: Iterable, test_iter: object, num_epochs: int,
          lr: float = 0.9, optimizer: str | torch.optim.Optimizer = "sgd",
          device: torch.device | str | None = None, weight_decay: float = 0.0,
          scheduler: str | None = None, channels_last: bool | None = None,
          verbose: bool = True, epoch: Callable = train_epoch) -> History:
    """Train ``net`` with cross-entropy for ``num_epochs`` epochs and return its ``History``.

    ``train_iter`` yields (X, y) batches (a shuffled ``Batches``, a list of batches or a DataLoader);
    ``test_iter`` is anything ``evaluate_accuracy`` takes. ``optimizer`` is 'sgd', 'adam' or 'adamw' (built with
    ``lr`` and ``weight_decay``) or a ready ``torch.optim.Optimizer``. ``scheduler='cosine'``
    lowers the learning rate along a cosine from ``lr`` to 0 over the run, step by step.
    With ``verbose``, one line per epoch is printed (rounded, no timings). Initialize the
    weights before (e.g. ``init_xavier``); ``train`` does not.

    Each epoch is one call ``epoch(net, batches, loss_fn, optimizer, scheduler)`` with the
    batches already on the device; it returns (mean loss, accuracy). ``train_epoch`` is the
    default: pass your own to change the loop, keeping the set-up and the bookkeeping.

    Everything that can be checked is checked before the first step: a bad argument, an
    unavailable device, an optimizer without the net's parameters, images that do not fit the
    net (naming the layer), labels without an output, empty or used-up test data.

    >>> _ = torch.manual_seed(0)
    >>> X, y = torch.randn(64, 1, 4, 4), torch.randint(0, 2, (64,))
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    >>> h = train(net, [(X, y)], (X, y), num_epochs=3, lr=0.1, verbose=False)
    >>> len(h), h.train_loss[-1] < h.train_loss[0]
    (3, True)
    """
    if not hasattr(train_iter, "__iter__"):
        raise TypeError(f"train_iter must be an iterable of (X, y) batches, got {type(train_iter).__name__}")
    if _tensors(test_iter, "test_iter") is None and not hasattr(test_iter, "__iter__"):
        raise TypeError(f"test_iter must be a pair of tensors (X, y), a Batches or an iterable of "
                        f"(X, y) batches, got {type(test_iter).__name__}")
    device = _net_device(net, device)
    cl = _use_channels_last(channels_last, device)
    _passes(train_iter, "train_iter", num_epochs, scheduler)
    _passes(test_iter, "test_iter", num_epochs, scheduler)
    up_front = _check_batches(net, train_iter, "train_iter", pair=False)  # fail now, not in an epoch
    _check_batches(net, test_iter, "test_iter")                          # nor after the first one
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
    for k in range(num_epochs):
        batches = _on_device(train_iter, device, cl, None if up_front else net)
        loss, acc = _epoch_result(epoch(net, batches, loss_fn, opt, sched))
        history.train_loss.append(loss)
        history.train_acc.append(acc)
        history.test_acc.append(_accuracy(net, test_iter, "test_iter", device, EVAL_BATCH, cl))
        if verbose:
            print(f"epoch {k + 1:>{len(str(num_epochs))}}/{num_epochs}: "
                  f"loss {history.train_loss[-1]:.4f}, train acc {history.train_acc[-1]:.4f}, "
                  f"test acc {history.test_acc[-1]:.4f}", flush=True)
    return history
