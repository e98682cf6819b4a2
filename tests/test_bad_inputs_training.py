"""Bad inputs for ``companion.training``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``.

A net that a case might train is built fresh for the case (``NET``); ``untouched`` then checks
that a refused call left its weights as they were (the error came before training started).
No GPU is at hand: the device cases patch what PyTorch reports as available."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from companion import training
from companion.data import Batches
from companion.training import History, confusion_matrix, evaluate_accuracy, make_optimizer, predict, train, train_epoch
from tests.helpers.bad_inputs import Case, Check, Lazy, checks_of, count, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


def toy_data(n=16, seed=0, channels=1):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, channels, 12, 12, generator=g), torch.randint(0, 2, (n,), generator=g)


def toy_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))


X, Y = toy_data()
X3, _ = toy_data(channels=3)
Y5 = Y.clone()
Y5[3] = 5
DATA = [(X, Y)]
NET0 = toy_net()  # for calls that do not train
EXPECTED = NET0(X).argmax(dim=1)


def make_net(env) -> nn.Module:
    env.net = toy_net()
    env.before = [p.detach().clone() for p in env.net.parameters()]
    return env.net


NET = Lazy(make_net)
OTHER_OPT = Lazy(lambda env: torch.optim.SGD(toy_net(1).parameters(), lr=0.1))
OWN_OPT = Lazy(lambda env: torch.optim.SGD(env.net.parameters(), lr=0.1))
LAST_LAYER_OPT = Lazy(lambda env: torch.optim.SGD(env.net[4].parameters(), lr=0.1))
LOSS = nn.CrossEntropyLoss()


def frozen(env) -> nn.Module:
    net = make_net(env)
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def untouched(env, outcome) -> None:
    """The refused call changed no weight of the case's net: it stopped before training."""
    assert all(torch.equal(p, q) for p, q in zip(env.net.parameters(), env.before)), "the net was trained"


def trained_last_layer_only(env, history) -> None:
    now = list(env.net.parameters())
    assert all(torch.equal(p, q) for p, q in zip(now[:2], env.before[:2])), "the first layer changed"
    assert not torch.equal(now[-2], env.before[-2]), "the last layer did not train"


def no_cuda(env):
    env.monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def one_gpu(env):
    env.monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    env.monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


def no_mps(env):
    env.monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def history(n: int) -> Check:
    return Check(lambda h: isinstance(h, History) and len(h) == n and all(0 <= a <= 1 for a in h.test_acc),
                 f"a History of {n} epochs")


def scalar_epoch(net, batches, loss_fn, optimizer, scheduler):
    loss, acc = train_epoch(net, batches, loss_fn, optimizer, scheduler)
    return np.float32(loss), np.float64(acc)


ONE_SCORE = nn.Sequential(nn.Flatten(), nn.Linear(144, 1), nn.Flatten(0))  # one number per example, not a row
NO_PARAMS = nn.Sequential(nn.AdaptiveAvgPool2d((1, 2)), nn.Flatten())      # class scores, nothing to train
gen = Lazy(lambda env: (batch for batch in DATA))


CASES = [
    # labels outside the net's outputs: refused up front, naming the labels and the number of outputs
    Case("labels", evaluate_accuracy, (NET0, (X, Y5)), raises=ValueError,
         match=r"data\[1\] holds label 5, but net has 2 outputs: labels must be 0 to 1"),
    Case("labels", evaluate_accuracy, (NET0, [(X, Y5)]), raises=ValueError, match=r"data holds label 5 \(batch 0\), but net has 2 outputs"),
    Case("labels", evaluate_accuracy, (NET0, Batches(X, Y5, 4)), raises=ValueError, match=r"data holds label 5, but net has 2 outputs"),
    Case("labels", evaluate_accuracy, (NET0, (X, Y - 1)), raises=ValueError, match=r"data\[1\] holds label -1, but net has 2 outputs"),
    Case("labels", train, (NET, Batches(X, Y5, 4, shuffle=True), DATA, 2), {"verbose": False}, after=untouched,
         raises=ValueError, match=r"train_iter holds label 5, but net has 2 outputs: labels must be 0 to 1"),
    Case("labels", train, (NET, [(X, Y), (X, Y5)], DATA, 1), {"verbose": False}, after=untouched, raises=ValueError,
         match=r"train_iter holds label 5 \(batch 1\), but net has 2 outputs"),
    Case("labels", train, (NET, DATA, (X, Y5), 1), {"verbose": False}, after=untouched, raises=ValueError,
         match=r"test_iter\[1\] holds label 5, but net has 2 outputs"),
    Case("labels", train, (NET, DataLoader(TensorDataset(X, Y5), batch_size=8), DATA, 1), {"verbose": False},
         after=untouched, raises=ValueError,
         match=r"train_iter holds label 5 \(batch 0\), but net has 2 outputs"),
    Case("labels", train_epoch, (NET, [(X, Y5)], LOSS, OWN_OPT), after=untouched, raises=ValueError,
         match=r"train_iter holds label 5 \(batch 0\), but net has 2 outputs"),
    Case("labels", checks_of(train_epoch),
         (NET0, Batches(X, Y5, 4), LOSS, torch.optim.SGD(NET0.parameters(), lr=0.1), None),
         raises=ValueError, match=r"train_iter holds label 5, but net has 2 outputs"),
    Case("labels", evaluate_accuracy, (NET0, (X, Y)), expect=(EXPECTED == Y).float().mean().item()),
    Case("labels", train, (NET, Batches(X, Y, 4, shuffle=True), (X, Y), 2), {"verbose": False}, expect=history(2)),

    # non-finite hyperparameters
    Case("non-finite", train, (NET, DATA, DATA, 1), {"lr": float("inf")}, after=untouched, raises=ValueError,
         match=r"lr must be a finite number, got inf"),
    Case("non-finite", train, (NET, DATA, DATA, 1), {"lr": float("nan")}, after=untouched, raises=ValueError,
         match=r"lr must be a finite number, got nan"),
    Case("non-finite", train, (NET, DATA, DATA, 1), {"weight_decay": float("inf")}, after=untouched, raises=ValueError,
         match=r"weight_decay must be a finite number, got inf"),
    Case("non-finite", train, (NET, DATA, DATA, 1), {"lr": np.float64("inf")}, after=untouched, raises=ValueError,
         match=r"lr must be a finite number, got inf"),
    Case("non-finite", make_optimizer, (NET0, "sgd", float("inf")), raises=ValueError, match=r"lr must be a finite number"),
    Case("non-finite", make_optimizer, (NET0, "adamw", 0.1, float("nan")), raises=ValueError,
         match=r"weight_decay must be a finite number, got nan"),
    Case("non-finite", make_optimizer, (NET0, "adam", -float("inf")), raises=ValueError, match=r"lr must be a finite number, got -inf"),
    Case("non-finite", make_optimizer, (NET0, "sgd", 0.0), raises=ValueError, match=r"lr must be > 0, got 0\.0"),
    Case("non-finite", make_optimizer, (NET0, "sgd", 1e300), expect=Check(lambda o: o.defaults["lr"] == 1e300, "lr 1e300")),
    Case("non-finite", make_optimizer, (NET0, "sgd", np.float32(0.5)), {"weight_decay": np.int64(0)},
         expect=Check(lambda o: o.defaults["lr"] == 0.5 and o.defaults["weight_decay"] == 0, "lr 0.5")),

    # an optimizer that does not hold the net's parameters
    Case("optimizer", train, (NET, DATA, DATA, 1), {"optimizer": OTHER_OPT, "verbose": False}, after=untouched,
         raises=ValueError, match=r"optimizer holds none of net's parameters, so training would not change the net.*make_optimizer\(net, \.\.\.\)"),
    Case("optimizer", train_epoch, (NET, DATA, LOSS, OTHER_OPT), after=untouched, raises=ValueError,
         match=r"optimizer holds none of net's parameters"),
    Case("optimizer", checks_of(train_epoch), (NET0, DATA, LOSS, OTHER_OPT, None), raises=ValueError,
         match=r"optimizer holds none of net's parameters"),
    Case("optimizer", train, (Lazy(frozen), DATA, DATA, 1), {"verbose": False}, after=untouched, raises=ValueError,
         match=r"net has no parameters that require a gradient"),
    Case("optimizer", make_optimizer, (nn.ReLU(), "sgd", 0.1), raises=ValueError, match=r"net has no parameters to train"),
    Case("optimizer", train, (NET, DATA, DATA, 1), {"optimizer": LAST_LAYER_OPT, "verbose": False},
         after=trained_last_layer_only, expect=history(1)),
    Case("optimizer", train, (NET, DATA, DATA, 2), {"optimizer": OWN_OPT, "verbose": False}, expect=history(2)),

    # devices: not available here (availability patched), or the net elsewhere than asked
    Case("devices", train, (NET, DATA, DATA, 1), {"device": "cuda"}, setup=no_cuda, after=untouched, raises=ValueError,
         match=r"device='cuda' is not available on this machine \(PyTorch finds no cuda device\)\. Fix: pass device='cpu'"),
    Case("devices", train, (NET, DATA, DATA, 1), {"device": "cuda:3"}, setup=one_gpu, after=untouched, raises=ValueError,
         match=r"device='cuda:3' is not available: this machine has 1 cuda device \(cuda:0\)"),
    Case("devices", train, (NET, DATA, DATA, 1), {"device": "mps"}, setup=no_mps, after=untouched, raises=ValueError,
         match=r"device='mps' is not available on this machine"),
    Case("devices", predict, (NET0, X), {"device": torch.device("cuda")}, setup=no_cuda, raises=ValueError,
         match=r"device=device\(type='cuda'\) is not available"),
    Case("devices", evaluate_accuracy, (NET0, DATA), {"device": "cuda:0"}, setup=no_cuda, raises=ValueError,
         match=r"device='cuda:0' is not available"),
    Case("devices", predict, (NET0, X), {"device": "meta"}, raises=ValueError,
         match=r"device='meta', but net's parameters are on cpu: pass device=None to use the net's device, or move the net "
               r"first \(net\.to\('meta'\)\)"),
    Case("devices", evaluate_accuracy, (NET0, DATA), {"device": torch.device("meta")}, raises=ValueError,
         match=r"but net's parameters are on cpu"),
    Case("devices", predict, (NET0, X.to("meta")), raises=ValueError, match=r"X is on the meta device, which holds no values"),
    Case("devices", predict, (Lazy(lambda env: toy_net().to("meta")), X), raises=ValueError,
         match=r"net is on the meta device, which holds no weights"),
    Case("devices", predict, (NET0, X), {"device": "cpu"}, expect=EXPECTED),
    # one device under two names: 'cpu' and 'cpu:0' (issue 18)
    Case("devices", predict, (NET0, X), {"device": "cpu:0"}, expect=EXPECTED),
    Case("devices", predict, (NET0, X), {"device": torch.device("cpu", 0)}, expect=EXPECTED),
    Case("devices", train, (NET, DATA, DATA, 1), {"device": "cpu:0", "verbose": False}, expect=history(1)),
    Case("devices", train, (NET, DATA, DATA, 1), {"device": torch.device("cpu"), "verbose": False}, expect=history(1)),

    # sizes
    Case("sizes", confusion_matrix, (Y, Y, 10**7), raises=ValueError,
         match=r"num_classes=10000000 \(a 10000000 x 10000000 matrix of int64 counts\) would allocate 745,058\.1 GiB"),
    Case("sizes", confusion_matrix, (Y, Y, 2**14 + 1), raises=ValueError, match=r"num_classes=16385 .*2\.0 GiB"),
    Case("sizes", confusion_matrix, (Y, Y, 1000), expect=Check(lambda C: C.shape == (1000, 1000) and int(C.sum()) == 16
                                                              and int(C.trace()) == 16, "16 counts on the diagonal")),

    # integer-likes: NumPy integers (and numbers) wherever an int is; bool refused
    Case("integer-likes", predict, (NET0, X), {"batch_size": np.int64(5)}, expect=EXPECTED),
    Case("integer-likes", evaluate_accuracy, (NET0, (X, Y)), {"batch_size": np.int32(3)}, expect=(EXPECTED == Y).float().mean().item()),
    Case("integer-likes", confusion_matrix, (Y, EXPECTED, np.int64(2)),
         expect=torch.tensor([[int(((Y == i) & (EXPECTED == j)).sum()) for j in range(2)] for i in range(2)])),
    Case("integer-likes", train, (NET, DATA, DATA, np.int64(2)), {"verbose": False}, expect=history(2)),
    Case("integer-likes", train, (NET, DATA, DATA, 1), {"verbose": False, "epoch": scalar_epoch},
         expect=Check(lambda h: type(h.train_loss[0]) is float and type(h.train_acc[0]) is float, "floats in the History")),
    Case("integer-likes", train, (NET, DATA, DATA, True), after=untouched, raises=TypeError, match=r"num_epochs must be an int, got bool"),
    Case("integer-likes", predict, (NET0, X), {"batch_size": True}, raises=TypeError, match=r"batch_size must be an int, got bool"),
    Case("integer-likes", confusion_matrix, (Y, Y, 2.0), raises=TypeError, match=r"num_classes must be an int, got float"),
    Case("integer-likes", make_optimizer, (NET0, "sgd", True), raises=TypeError, match=r"lr must be a float, got bool"),

    # errors from inside: iterables that are not batches of (X, y), a generator, an empty train_iter with a
    # scheduler, a net without parameters, a net or a function whose output has the wrong shape
    Case("errors from inside", evaluate_accuracy, (NET0, [X]), raises=TypeError,
         match=r"data must yield \(X, y\) batches: its batch 0 is a Tensor of shape \(16, 1, 12, 12\)"),
    Case("errors from inside", evaluate_accuracy, (NET0, [X[:2]]), raises=TypeError, match=r"its batch 0 is a Tensor of shape \(2, 1, 12, 12\)"),
    Case("errors from inside", evaluate_accuracy, (NET0, [(X, Y, Y)]), raises=TypeError, match=r"its batch 0 is a tuple of 3"),
    Case("errors from inside", evaluate_accuracy, (NET0, {"X": X}), raises=TypeError, match=r"its batch 0 is a str"),
    Case("errors from inside", evaluate_accuracy, (NET0, [(X, Y.float())]), raises=TypeError,
         match=r"data's batch 0 must hold integer class labels \(e\.g\. torch\.int64\), got torch\.float32"),
    Case("errors from inside", evaluate_accuracy, (NET0, [(X, Y[:3])]), raises=ValueError,
         match=r"data's batch 0 holds 16 images and 3 labels"),
    Case("errors from inside", train, (NET, [], DATA, 2), {"scheduler": "cosine"}, raises=ValueError,
         match=r"train_iter must hold at least one batch, got none"),
    Case("errors from inside", train, (NET, gen, DATA, 2), after=untouched, raises=TypeError,
         match=r"train_iter is a generator, used up after one epoch: for num_epochs=2 pass a list of batches, a Batches or a "
               r"DataLoader"),
    Case("errors from inside", train, (NET, gen, DATA, 1), {"scheduler": "cosine"}, after=untouched, raises=TypeError,
         match=r"scheduler='cosine' needs len\(train_iter\), the number of batches per epoch: a generator has none"),
    Case("errors from inside", train, (NET, [X], DATA, 1), after=untouched, raises=TypeError,
         match=r"train_iter must yield \(X, y\) batches: its batch 0 is a Tensor"),
    Case("errors from inside", train, (NO_PARAMS, DATA, DATA, 1), raises=ValueError, match=r"net has no parameters to train"),
    Case("errors from inside", train, (ONE_SCORE, DATA, DATA, 1), raises=ValueError,
         match=r"net must return one row of class scores per example, \(n, classes\), got shape \(1,\) for 1 example"),
    Case("errors from inside", predict, (ONE_SCORE, X), raises=ValueError, match=r"net must return one row of class scores"),
    Case("errors from inside", evaluate_accuracy, (ONE_SCORE, DATA), raises=ValueError, match=r"net must return one row of class"),
    Case("errors from inside", train_epoch, (NET, [X], LOSS, OWN_OPT), after=untouched, raises=TypeError,
         match=r"train_iter must yield \(X, y\) batches: its batch 0 is a Tensor"),
    Case("errors from inside", train, (NET, DATA, DATA, 1), {"verbose": False, "epoch": lambda *a: (0.5,)}, raises=TypeError,
         match=r"epoch must return \(mean loss, accuracy\) as two numbers, like train_epoch, got \(0\.5,\)"),
    Case("errors from inside", History, ([1.0], [], []), raises=ValueError,
         match=r"train_loss, train_acc and test_acc must hold one number per epoch, got 1, 0 and 0"),
    Case("errors from inside", History, (["a"], [0.5], [0.5]), raises=TypeError, match=r"train_loss\[0\] must be a number, got str"),
    Case("errors from inside", History, (), expect=Check(lambda h: repr(h) == "History(no epochs)" and len(h) == 0, "no epochs")),

    # empty test data: found before training starts, naming test_iter
    Case("empty test data", train, (NET, DATA, [], 1), after=untouched, raises=ValueError,
         match=r"test_iter must hold at least one batch, got none"),
    Case("empty test data", train, (NET, DATA, (X[:0], Y[:0]), 1), after=untouched, raises=ValueError,
         match=r"test_iter\[0\] must not be empty"),
    Case("empty test data", train, (NET, DATA, DataLoader(TensorDataset(X[:0], Y[:0])), 1), after=untouched, raises=ValueError,
         match=r"test_iter must hold at least one batch, got none"),
    Case("empty test data", train, (NET, DATA, Lazy(lambda env: iter([])), 1), after=untouched, raises=TypeError,
         match=r"test_iter is a list_iterator, used up after one pass: .*pass \(X, y\), a Batches, a list of batches or a DataLoader"),
    Case("empty test data", train, (NET, DATA, gen, 1), after=untouched, raises=TypeError, match=r"test_iter is a generator"),
    Case("empty test data", evaluate_accuracy, (NET0, []), raises=ValueError, match=r"data must hold at least one example, got none"),
    Case("empty test data", train, (NET, DATA, DataLoader(TensorDataset(X, Y), batch_size=5), 1), {"verbose": False},
         expect=history(1)),

    # messages name what the user passed; inputs that do not fit say which layer they do not fit
    Case("messages", predict, (NET0, X3), raises=ValueError,
         match=r"X of shape \(16, 3, 12, 12\) does not fit net\[0\] \(Conv2d\(1, 4, kernel_size=\(3, 3\)"),
    Case("messages", predict, (NET0, X[:, :, :8]), raises=ValueError,
         match=r"X of shape \(16, 1, 8, 12\) does not fit net\[4\] \(Linear\(in_features=144"),
    Case("messages", evaluate_accuracy, (NET0, (X3, Y)), raises=ValueError,
         match=r"data \(images of shape \(16, 3, 12, 12\)\) does not fit net\[0\] \(Conv2d"),
    Case("messages", train, (NET, [(X3, Y)], DATA, 1), after=untouched, raises=ValueError,
         match=r"train_iter \(images of shape \(16, 3, 12, 12\)\) does not fit net\[0\] \(Conv2d"),
    Case("messages", train, (NET, DATA, (X3, Y), 1), after=untouched, raises=ValueError,
         match=r"test_iter \(images of shape \(16, 3, 12, 12\)\) does not fit net\[0\]"),
    Case("messages", train, (NET, DataLoader(TensorDataset(X3, Y), batch_size=8), DATA, 1), after=untouched, raises=ValueError,
         match=r"train_iter \(images of shape \(8, 3, 12, 12\)\) does not fit net\[0\]"),
    Case("messages", train, (NET, DATA, 5, 1), raises=TypeError, match=r"test_iter must be a pair of tensors \(X, y\)"),
    Case("messages", train, (NET, DATA, DATA, 1), {"optimizer": torch.optim.SGD}, raises=TypeError,
         match=r"optimizer must be a str .*or a torch\.optim\.Optimizer, got type"),
    Case("messages", train, (NET, DATA, DATA, 1), {"device": 0}, raises=TypeError, match=r"device must be a torch\.device"),
    Case("messages", train, (NET, DATA, DATA, 1), {"device": "gpu0"}, raises=ValueError, match=r"device must name a device"),
    Case("messages", train_epoch, (NET, DATA, "ce", OWN_OPT), raises=TypeError, match=r"loss_fn must be a callable"),
    Case("messages", predict, (NET0, X[0]), raises=ValueError, match=r"X must be a 4-D tensor"),
    Case("messages", confusion_matrix, (Y, Y + 2, 3), raises=ValueError, match=r"y_pred must hold labels in \[0, 3\), got values in \[2, 3\]"),
    Case("messages", confusion_matrix, (Y, Y[:4], 2), raises=ValueError, match=r"y_true and y_pred must have the same length"),
    Case("messages", make_optimizer, (NET0, "rmsprop", 0.1), raises=ValueError, match=r"optimizer must be 'sgd', 'adam' or 'adamw'"),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(training, CASES)


def test_classes():
    assert set(count(CASES)) == {"labels", "non-finite", "optimizer", "devices", "sizes", "integer-likes",
                                 "errors from inside", "empty test data", "messages"}, count(CASES)
