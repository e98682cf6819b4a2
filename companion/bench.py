"""Speed, measured side by side: ``python -m companion.bench`` (or ``make bench``).

1. The classic LeNet (Xavier init, SGD lr 0.9, batch 256, cross-entropy) is trained on
   Fashion-MNIST three times in this process, from the same seed:
   (a) ``companion.training.train`` on ``companion.data`` in-memory batches, one epoch
       per call with the same optimizer (see (c));
   (b) ``d2l.train_ch6`` (its Animator replaced by a no-op) on the pipeline of
       ``d2l.load_data_fashion_mnist``: torchvision's FashionMNIST with ``ToTensor`` in a
       ``DataLoader(batch_size=256, shuffle=True, num_workers=d2l.get_dataloader_workers())``,
       read from the companion's offline copy of the data.
   By default the DataLoader draws its shuffled order from the same seeded generator, in the
   same way, as ``companion.data.Batches``, so both runs see the same batches in the same order
   and differ only in how they compute (``--d2l-shuffle`` keeps DataLoader's own
   ``shuffle=True``: then the orders differ and the last epoch's test accuracy of this noisy
   model, SGD at lr 0.9, can differ by a few points from run to run).
   Both are timed by the wall clock around the training calls (data loading, training
   and the test evaluation after every epoch). d2l's own ``examples/sec`` line leaves out the
   time spent waiting for data, so it reads higher than its wall-clock rate.
   (c) The floor: the same model, seed, in-memory batches and memory layout (channels-last
   on a CPU) as (a), trained by a bare loop (forward, loss, backward, step) and nothing else:
   no bookkeeping, no evaluation, no printing. It reaches the very same weights as (a), so
   its test accuracy (computed after the clock stops) equals the trainer's. (a) and (c)
   take turns epoch by epoch (each first every other epoch, after an untimed warm-up), so
   that other load on the machine slows both alike. The
   trainer's time divided by the floor's is what the trainer costs on top of the
   arithmetic, including its test evaluation after every epoch (target <= 1.15x).
2. ``corr2d`` (Python loop), ``corr2d_fast`` (unfold + tensordot) and ``F.conv2d`` on a
   28×28 input with a 5×5 kernel, timed with ``timeit`` (best of several repeats).

Other processes on the machine slow either side down; run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
import timeit
import warnings

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


def bench_trainer_and_floor(epochs: int, batch_size: int, device: torch.device
                            ) -> tuple[list[float], float, list[float], float]:
    """Wall seconds of each epoch and final test accuracy, of the trainer and of the floor.

    Both start from the same seed with their own copy of the model, batches and optimizer,
    and take turns epoch by epoch (``train(..., num_epochs=1)`` with the same optimizer,
    then one ``floor_epoch``), so that a load that comes and goes on a shared machine
    slows both alike; each goes first every other epoch, after an untimed warm-up of the
    kernels on a throw-away model. The floor's test accuracy is computed after its clock stops.
    """
    from .data import Batches, fashion_mnist_batches
    from .models import LeNet, init_xavier
    from .training import evaluate_accuracy, make_optimizer, train
    from .utils import seed_everything
    train_iter, test_iter = fashion_mnist_batches(batch_size, seed=0)  # loaded before the clock starts
    floor_iter = Batches(train_iter.X, train_iter.y, batch_size, shuffle=True, seed=0)
    seed_everything(0)
    net = init_xavier(LeNet())
    opt = make_optimizer(net, "sgd", 0.9)
    seed_everything(0)
    floor_net = init_xavier(LeNet()).to(device)
    layout = torch.channels_last if device.type == "cpu" else torch.contiguous_format  # as train's
    floor_net.to(memory_format=layout).train()
    floor_opt = torch.optim.SGD(floor_net.parameters(), lr=0.9)
    warm_up = init_xavier(LeNet()).to(device, memory_format=layout).train()  # untimed, thrown away
    first = Batches(train_iter.X[:20 * batch_size], train_iter.y[:20 * batch_size], batch_size)
    floor_epoch(warm_up, first, torch.optim.SGD(warm_up.parameters(), lr=0.9), device, layout)
    evaluate_accuracy(warm_up, test_iter, device)
    seconds = {"train": [], "floor": []}  # per epoch
    for k in range(epochs):  # in turns, each going first every other epoch
        for name in ("train", "floor") if k % 2 == 0 else ("floor", "train"):
            start = time.perf_counter()
            if name == "train":
                history = train(net, train_iter, test_iter, 1, optimizer=opt, device=device, verbose=False)
            else:
                floor_epoch(floor_net, floor_iter, floor_opt, device, layout)
            if device.type == "cuda":
                torch.cuda.synchronize()
            seconds[name].append(time.perf_counter() - start)
    return (seconds["train"], history.test_acc[-1], seconds["floor"],
            evaluate_accuracy(floor_net, test_iter, device))


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


def bench_d2l(epochs: int, batch_size: int, device: torch.device, same_order: bool = True
              ) -> tuple[float, float, str]:
    """Wall seconds, final test accuracy and d2l's own report of ``d2l.train_ch6``."""
    import torchvision
    from d2l import torch as d2l

    from .data import ensure_fashion_mnist
    from .models import LeNet
    from .utils import seed_everything
    root = str(ensure_fashion_mnist())
    trans = torchvision.transforms.ToTensor()
    mnist_train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans, download=False)
    mnist_test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans, download=False)
    workers = d2l.get_dataloader_workers()
    order = dict(sampler=_SameOrder(len(mnist_train))) if same_order else dict(shuffle=True)
    train_iter = torch.utils.data.DataLoader(mnist_train, batch_size, num_workers=workers, **order)
    test_iter = torch.utils.data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=workers)
    animator, d2l.Animator = d2l.Animator, _NoAnimator
    seed_everything(0)
    net = LeNet()  # the same layers as D2L's; train_ch6 applies the same Xavier init itself
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            start = time.perf_counter()
            d2l.train_ch6(net, train_iter, test_iter, epochs, 0.9, device)
            seconds = time.perf_counter() - start
            test_acc = d2l.evaluate_accuracy_gpu(net, test_iter)
    finally:
        d2l.Animator = animator
    return seconds, test_acc, " / ".join(line.strip() for line in out.getvalue().splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m companion.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each training run (default 10)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if available)")
    parser.add_argument("--d2l-shuffle", action="store_true",
                        help="let d2l's DataLoader shuffle on its own (a different batch order)")
    parser.add_argument("--skip-training", action="store_true", help="only the corr2d timings")
    parser.add_argument("--skip-corr2d", action="store_true", help="only the training comparison")
    args = parser.parse_args(argv)
    # d2l asks for 4 workers whatever the core count, and PyTorch warns about it every epoch
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be >= 1")
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    print(f"torch {torch.__version__}, device {device}, {torch.get_num_threads()} CPU threads")
    if not args.skip_training:
        n = 60000 * args.epochs
        print(f"\nClassic LeNet on Fashion-MNIST, {args.epochs} epochs, batch {args.batch_size}, SGD lr 0.9, seed 0, "
              f"{'each its own batch order' if args.d2l_shuffle else 'the same batch order'}")
        epochs_ours, acc_ours, epochs_floor, acc_floor = bench_trainer_and_floor(args.epochs, args.batch_size, device)
        t_ours, t_floor = sum(epochs_ours), sum(epochs_floor)
        per_epoch = sorted(a / b for a, b in zip(epochs_ours, epochs_floor))
        print(f"  companion.train:  {t_ours:7.1f} s  {n / t_ours:9.0f} examples/s  test acc {acc_ours:.4f}")
        print(f"  floor (bare loop):{t_floor:7.1f} s  {n / t_floor:9.0f} examples/s  test acc {acc_floor:.4f}"
              f"  (the trainer's weights: {'yes' if acc_floor == acc_ours else 'NO'})", flush=True)
        t_d2l, acc_d2l, report = bench_d2l(args.epochs, args.batch_size, device, not args.d2l_shuffle)
        print(f"  d2l.train_ch6:    {t_d2l:7.1f} s  {n / t_d2l:9.0f} examples/s  test acc {acc_d2l:.4f}")
        print(f"    (d2l's own report, which leaves out data loading: {report})")
        ratio, diff, over = t_d2l / t_ours, acc_ours - acc_d2l, t_ours / t_floor
        print(f"  trainer / floor: {over:.2f}x the time of the bare loop "
              f"(target <= 1.15: {'met' if over <= 1.15 else 'NOT met'}); epoch by epoch "
              f"{per_epoch[0]:.2f}x to {per_epoch[-1]:.2f}x, median {per_epoch[len(per_epoch) // 2]:.2f}x")
        print(f"  d2l / trainer: {ratio:.2f}x speed-up (target >= 2.0: {'met' if ratio >= 2 else 'NOT met'}); "
              f"accuracy difference {diff:+.4f} (target within ±0.01: {'met' if abs(diff) <= 0.01 else 'NOT met'})",
              flush=True)
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
