"""Speed, measured side by side: ``python -m companion.bench`` (or ``make bench``).

1. The classic LeNet (Xavier init, SGD lr 0.9, batch 256, cross-entropy) is trained on
   Fashion-MNIST three times in this process, from the same seed, epoch by epoch in turns:
   (a) ``companion.training.train`` on ``companion.data`` in-memory batches, one epoch
       per call with the same optimizer;
   (b) ``d2l.train_ch6`` (its Animator replaced by a no-op) on the pipeline of
       ``d2l.load_data_fashion_mnist``: torchvision's FashionMNIST with ``ToTensor`` in a
       ``DataLoader(batch_size=256, shuffle=True, num_workers=d2l.get_dataloader_workers())``,
       read from the companion's offline copy of the data. It is called for one epoch at a
       time: the first call initializes the model as ``train_ch6`` always does, later calls
       skip that re-initialization (``net.apply`` is a no-op during them), and its SGD keeps
       no state between epochs, so the calls train exactly as one long call would.
   (c) The floor: the same model, seed, in-memory batches and memory layout (channels-last
       on a CPU) as (a), trained by a bare loop (forward, loss, backward, step) and nothing
       else: no bookkeeping, no evaluation, no printing. It reaches the very same weights as
       (a), so its test accuracy (computed after the clock stops) equals the trainer's.
   By default d2l's DataLoader draws its shuffled order from the same seeded generator, in
   the same way, as ``companion.data.Batches``, so all three see the same batches in the same
   order and differ only in how they compute (``--d2l-shuffle`` keeps DataLoader's own
   ``shuffle=True``: then the orders differ and the last epoch's test accuracy of this noisy
   model, SGD at lr 0.9, can differ by a few points from run to run).
   After an untimed warm-up, each round runs one epoch of each, in an order that rotates
   from round to round (each goes first equally often), so that a load that comes and goes
   on a shared machine slows all three alike. Each epoch is timed by the wall clock (data
   loading, training and, for (a) and (b), the test evaluation). The bench reports the
   median and the range (min-max) of the per-epoch ratios d2l / trainer and trainer / floor
   (target: trainer / floor <= 1.15). d2l's own ``examples/sec`` line leaves out the time
   spent waiting for data, so it reads higher than its wall-clock rate.
2. ``corr2d`` (Python loop), ``corr2d_fast`` (unfold + tensordot) and ``F.conv2d`` on a
   28×28 input with a 5×5 kernel, timed with ``timeit`` (best of several repeats).

Other processes on the machine slow every side, d2l's worker processes most of all; the
range of the ratios shows how much. Quote a ratio with its range and the machine.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
import timeit
import warnings
from typing import Callable

import torch
import torch.nn.functional as F


def _time_call(fn, repeat: int) -> float:
    """Best time of one call of ``fn`` in seconds (timeit, autoranged, best of ``repeat``)."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def bench_corr2d(repeat: int = 7) -> dict[str, float]:
    """Seconds per call of the three 2-D cross-correlations on 28×28 ⋆ 5×5."""
    from .conv import corr2d, corr2d_fast
    g = torch.Generator().manual_seed(0)
    X, K = torch.rand(28, 28, generator=g), torch.rand(5, 5, generator=g)
    ref = F.conv2d(X[None, None], K[None, None])[0, 0]
    assert torch.allclose(corr2d(X, K), ref, atol=1e-5) and torch.allclose(corr2d_fast(X, K), ref, atol=1e-5)
    return {"corr2d (loop)": _time_call(lambda: corr2d(X, K), repeat),
            "corr2d_fast": _time_call(lambda: corr2d_fast(X, K), repeat),
            "F.conv2d": _time_call(lambda: F.conv2d(X[None, None], K[None, None])[0, 0], repeat)}


def floor_epoch(net: torch.nn.Module, batches, optimizer: torch.optim.Optimizer,
                device: torch.device, layout: torch.memory_format) -> None:
    """The floor: one epoch of forward, loss, backward and step, and nothing else."""
    loss_fn = torch.nn.CrossEntropyLoss()
    for X, y in batches:
        X, y = X.to(device).contiguous(memory_format=layout), y.to(device)
        loss = loss_fn(net(X), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


def interleave(runs: dict[str, Callable[[], object]], rounds: int,
               sync: Callable[[], object] | None = None) -> dict[str, list[float]]:
    """Wall seconds of ``rounds`` calls of each run, taken in turns: round k runs them all,
    starting with the (k mod n)-th and going on in order, so each goes first equally often.
    ``sync`` (e.g. ``torch.cuda.synchronize``) is called before each clock stops.

    >>> seconds = interleave({"a": lambda: None, "b": lambda: None}, rounds=3)
    >>> [len(s) for s in seconds.values()]
    [3, 3]
    """
    names = list(runs)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for k in range(rounds):
        for name in names[k % len(names):] + names[:k % len(names)]:
            start = time.perf_counter()
            runs[name]()
            if sync is not None:
                sync()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def spread(numerators: list[float], denominators: list[float]) -> tuple[float, float, float]:
    """Median, min and max of the ratios of paired per-epoch times.

    >>> spread([2.0, 3.0, 9.0], [1.0, 1.0, 3.0])
    (3.0, 2.0, 3.0)
    """
    if not numerators or len(numerators) != len(denominators):
        raise ValueError(f"need paired epoch times, got {len(numerators)} and {len(denominators)}")
    ratios = [a / b for a, b in zip(numerators, denominators)]
    return statistics.median(ratios), min(ratios), max(ratios)


class _SameOrder(torch.utils.data.Sampler):
    """Every epoch, the order in which ``Batches(..., shuffle=True, seed=seed)`` visits the data."""

    def __init__(self, n: int, seed: int = 0):
        self.n, self.generator = n, torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        from .data import epoch_order
        return iter(epoch_order(self.n, self.generator).tolist())


class _NoAnimator:
    """Stands in for d2l.Animator, so only training is timed (no figures redrawn)."""

    def __init__(self, *args, **kwargs):
        pass

    def add(self, *args, **kwargs):
        pass


class D2LEpochs:
    """``d2l.train_ch6`` one epoch per call, training on as one call of many epochs would.

    The first call runs ``train_ch6`` as it is (it applies its Xavier init); later calls make
    ``net.apply`` a no-op for their duration, so the weights are not initialized again.
    ``train_ch6`` makes a new ``torch.optim.SGD`` (no momentum, no state) every call, which
    changes nothing. What it prints goes to ``reports``; its Animator is a no-op.
    """

    def __init__(self, net: torch.nn.Module, train_iter, test_iter, lr: float, device: torch.device):
        self.net, self.train_iter, self.test_iter = net, train_iter, test_iter
        self.lr, self.device, self.epochs, self.reports = lr, device, 0, []
        self._rng = torch.get_rng_state()  # train_ch6's init draws from it on the first call

    def __call__(self) -> None:
        from d2l import torch as d2l
        animator, d2l.Animator = d2l.Animator, _NoAnimator
        out = io.StringIO()
        try:
            if self.epochs == 0:
                torch.set_rng_state(self._rng)
            else:
                self.net.apply = lambda fn: self.net  # keep the trained weights
            with contextlib.redirect_stdout(out):
                d2l.train_ch6(self.net, self.train_iter, self.test_iter, 1, self.lr, self.device)
        finally:
            d2l.Animator = animator
            self.net.__dict__.pop("apply", None)
        self.epochs += 1
        self.reports.append(" / ".join(ln.strip() for ln in out.getvalue().splitlines()
                                       if ln.strip() and not ln.startswith("training on")))


def d2l_loaders(batch_size: int, same_order: bool = True, workers: int | None = None,
                limit: int | None = None):
    """The pipeline of ``d2l.load_data_fashion_mnist`` (``ToTensor`` in a DataLoader with
    ``d2l.get_dataloader_workers()`` workers unless ``workers`` is given), on the offline copy;
    ``limit`` keeps the first images of each set (for tests)."""
    import torchvision
    from d2l import torch as d2l

    from .data import ensure_fashion_mnist
    root = str(ensure_fashion_mnist())
    trans = torchvision.transforms.ToTensor()
    sets = [torchvision.datasets.FashionMNIST(root=root, train=train, transform=trans, download=False)
            for train in (True, False)]
    if limit is not None:
        sets = [torch.utils.data.Subset(s, range(min(limit, len(s)))) for s in sets]
    workers = d2l.get_dataloader_workers() if workers is None else workers
    order = dict(sampler=_SameOrder(len(sets[0]))) if same_order else dict(shuffle=True)
    return (torch.utils.data.DataLoader(sets[0], batch_size, num_workers=workers, **order),
            torch.utils.data.DataLoader(sets[1], batch_size, shuffle=False, num_workers=workers))


def bench_training(epochs: int, batch_size: int, device: torch.device, same_order: bool = True,
                   workers: int | None = None, limit: int | None = None) -> dict:
    """Per-epoch wall seconds (``seconds[name]``) and final test accuracy (``acc[name]``) of the
    trainer, the floor and d2l, interleaved (see the module's docstring), with d2l's own last
    report and its DataLoader's worker count. ``limit``: the first images of each set (tests)."""
    from d2l import torch as d2l

    from .data import Batches, fashion_mnist_batches
    from .models import LeNet, init_xavier
    from .training import evaluate_accuracy, make_optimizer, train
    from .utils import seed_everything
    train_iter, test_iter = fashion_mnist_batches(batch_size, seed=0)  # loaded before the clock starts
    if limit is not None:
        train_iter = Batches(train_iter.X[:limit], train_iter.y[:limit], batch_size, shuffle=True, seed=0)
        test_iter = Batches(test_iter.X[:limit], test_iter.y[:limit], batch_size)
    floor_iter = Batches(train_iter.X, train_iter.y, batch_size, shuffle=True, seed=0)
    d2l_train, d2l_test = d2l_loaders(batch_size, same_order, workers, limit)
    seed_everything(0)
    net = init_xavier(LeNet())
    opt = make_optimizer(net, "sgd", 0.9)
    seed_everything(0)
    floor_net = init_xavier(LeNet()).to(device)
    layout = torch.channels_last if device.type == "cpu" else torch.contiguous_format  # as train's
    floor_net.to(memory_format=layout).train()
    floor_opt = torch.optim.SGD(floor_net.parameters(), lr=0.9)
    seed_everything(0)
    d2l_run = D2LEpochs(LeNet(), d2l_train, d2l_test, 0.9, device)  # train_ch6 inits it
    # untimed warm-up of every kernel and of the DataLoader, on throw-away models
    n_warm = min(20 * batch_size, len(train_iter.y))
    warm_up = init_xavier(LeNet()).to(device, memory_format=layout).train()
    first = Batches(train_iter.X[:n_warm], train_iter.y[:n_warm], batch_size)
    floor_epoch(warm_up, first, torch.optim.SGD(warm_up.parameters(), lr=0.9), device, layout)
    evaluate_accuracy(warm_up, test_iter, device)
    warm_loader = torch.utils.data.DataLoader(torch.utils.data.Subset(d2l_train.dataset, range(n_warm)),
                                              batch_size, num_workers=d2l_train.num_workers)
    state = torch.get_rng_state()
    D2LEpochs(LeNet(), warm_loader, warm_loader, 0.9, device)()
    torch.set_rng_state(state)
    history = []
    runs = {"trainer": lambda: history.append(train(net, train_iter, test_iter, 1, optimizer=opt,
                                                    device=device, verbose=False)),
            "floor": lambda: floor_epoch(floor_net, floor_iter, floor_opt, device, layout),
            "d2l": d2l_run}
    seconds = interleave(runs, epochs, torch.cuda.synchronize if device.type == "cuda" else None)
    acc = {"trainer": history[-1].test_acc[-1], "floor": evaluate_accuracy(floor_net, test_iter, device),
           "d2l": d2l.evaluate_accuracy_gpu(d2l_run.net, d2l_test)}
    return {"seconds": seconds, "acc": acc, "d2l_report": d2l_run.reports[-1],
            "d2l_workers": d2l_train.num_workers, "examples": len(train_iter.y)}


def report_training(result: dict, epochs: int) -> None:
    """Print the interleaved comparison: totals, then the per-epoch ratios with their range."""
    seconds, acc, n = result["seconds"], result["acc"], result["examples"] * epochs
    for name, label in (("trainer", "companion.train:  "), ("floor", "floor (bare loop):"),
                        ("d2l", "d2l.train_ch6:    ")):
        t = sum(seconds[name])
        same = f"  (the trainer's weights: {'yes' if acc['floor'] == acc['trainer'] else 'NO'})" \
            if name == "floor" else ""
        print(f"  {label}{t:7.1f} s  {n / t:9.0f} examples/s  test acc {acc[name]:.4f}{same}")
    print(f"    (d2l's own report of its last epoch, which leaves out data loading: {result['d2l_report']})")
    cores = os.cpu_count()
    print(f"  d2l's DataLoader used {result['d2l_workers']} worker processes (d2l.get_dataloader_workers() is 4 "
          f"on any machine) on {cores} CPU cores.")
    if cores is not None and cores < 4:
        print(f"    On a 4-core laptop d2l picks the same 4 workers, but there they would not share {cores} cores "
              f"with the training; that ratio cannot be measured here (not measured).")
    over, over_lo, over_hi = spread(seconds["trainer"], seconds["floor"])
    ratio, lo, hi = spread(seconds["d2l"], seconds["trainer"])
    print(f"  Per-epoch ratios over {epochs} interleaved epochs: median (min-max)")
    print(f"  d2l / trainer:   {ratio:.2f}x ({lo:.2f}x-{hi:.2f}x): the trainer's speed-up over d2l.train_ch6")
    print(f"  trainer / floor: {over:.2f}x ({over_lo:.2f}x-{over_hi:.2f}x) the time of the bare loop")
    diff = acc["trainer"] - acc["d2l"]
    print(f"  target trainer / floor <= 1.15 (median): {'met' if over <= 1.15 else 'NOT met'}")
    print(f"  target same test accuracy as d2l within ±0.01: {'met' if abs(diff) <= 0.01 else 'NOT met'} "
          f"({diff:+.4f})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m companion.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each training run (default 10)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if available)")
    parser.add_argument("--d2l-shuffle", action="store_true",
                        help="let d2l's DataLoader shuffle on its own (a different batch order)")
    parser.add_argument("--d2l-workers", type=int, default=None,
                        help="DataLoader workers for d2l (default: d2l.get_dataloader_workers(), i.e. 4)")
    parser.add_argument("--skip-training", action="store_true", help="only the corr2d timings")
    parser.add_argument("--skip-corr2d", action="store_true", help="only the training comparison")
    args = parser.parse_args(argv)
    # d2l asks for 4 workers whatever the core count, and PyTorch warns about it every epoch
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be >= 1")
    if args.d2l_workers is not None and args.d2l_workers < 0:
        parser.error("--d2l-workers must be >= 0")
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    print(f"torch {torch.__version__}, device {device}, {torch.get_num_threads()} CPU threads, "
          f"{os.cpu_count()} CPU cores")
    if not args.skip_training:
        print(f"\nClassic LeNet on Fashion-MNIST, {args.epochs} epochs, batch {args.batch_size}, SGD lr 0.9, seed 0, "
              f"{'each its own batch order' if args.d2l_shuffle else 'the same batch order'}; trainer, floor "
              f"and d2l.train_ch6 take turns epoch by epoch (after an untimed warm-up)", flush=True)
        result = bench_training(args.epochs, args.batch_size, device, not args.d2l_shuffle, args.d2l_workers)
        report_training(result, args.epochs)
    if not args.skip_corr2d:
        print("\n2-D cross-correlation, 28×28 input ⋆ 5×5 kernel (best of 7 timeit repeats)")
        times = bench_corr2d()
        base = times["F.conv2d"]
        for name, t in times.items():
            print(f"  {name:<14} {t * 1e6:10.1f} µs per call  {t / base:8.2f}× F.conv2d")
        ratio = times["corr2d_fast"] / base
        print(f"  corr2d_fast within 3× of F.conv2d: {'met' if ratio <= 3 else 'NOT met'} ({ratio:.2f}×); "
              f"the loop is {times['corr2d (loop)'] / times['corr2d_fast']:.0f}× slower than corr2d_fast")
    return 0


if __name__ == "__main__":
    sys.exit(main())
