"""companion.bench: the comparisons are fair. d2l sees the companion's batches in the same
order, and the floor runs the very computation of the trainer, only without its bookkeeping."""
import contextlib
import io
import re
import time

import pytest
import torch

from companion.bench import (D2LEpochs, _NoAnimator, _SameOrder, bench_training, floor_epoch, interleave,
                             report_training, spread)
from companion.data import Batches
from companion.models import LeNet, init_xavier
from companion.training import make_optimizer, train


def test_bench_feeds_d2l_the_batches_in_companion_order():
    """The benchmark's fairness rests on this: d2l's DataLoader sampler replays Batches' order."""
    X, y = torch.arange(10.).reshape(10, 1, 1, 1), torch.arange(10)
    batches, sampler = Batches(X, y, batch_size=10, shuffle=True, seed=0), _SameOrder(10, seed=0)
    for _ in range(3):
        assert next(iter(batches))[1].tolist() == list(iter(sampler))


def test_the_floor_reaches_the_trainers_weights():
    """Same seed, batches and layout: three epochs of floor_epoch give bit-identical weights to
    train(), so the trainer/floor ratio measures nothing but the trainer's own work."""
    g = torch.Generator().manual_seed(0)
    X, y = torch.rand(96, 1, 12, 12, generator=g), torch.randint(0, 10, (96,), generator=g)
    torch.manual_seed(0)
    net = init_xavier(LeNet(input_size=12))
    floor_net = LeNet(input_size=12)
    floor_net.load_state_dict(net.state_dict())
    initial = net[0].weight.detach().clone()
    opt = make_optimizer(net, "sgd", 0.9)
    train(net, Batches(X, y, 32, shuffle=True, seed=0), (X, y), 3, optimizer=opt, verbose=False,
          channels_last=True)
    floor_net.to(memory_format=torch.channels_last).train()
    floor_opt = torch.optim.SGD(floor_net.parameters(), lr=0.9)
    floor_iter = Batches(X, y, 32, shuffle=True, seed=0)
    for _ in range(3):
        floor_epoch(floor_net, floor_iter, floor_opt, torch.device("cpu"), torch.channels_last)
    for p, q in zip(net.parameters(), floor_net.parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(floor_net[0].weight, initial)  # they did train


def test_interleave_takes_turns_and_each_goes_first_equally_often():
    """Round k starts with the (k mod n)-th run: with three runs over six rounds each goes
    first twice, and every run is timed once per round."""
    calls = []
    runs = {name: (lambda name=name: calls.append(name)) for name in ("trainer", "floor", "d2l")}
    seconds = interleave(runs, rounds=6)
    rounds = [calls[i:i + 3] for i in range(0, len(calls), 3)]
    assert all(sorted(r) == sorted(runs) for r in rounds)
    assert [r[0] for r in rounds] == ["trainer", "floor", "d2l"] * 2
    assert {name: len(s) for name, s in seconds.items()} == {name: 6 for name in runs}


def test_interleave_times_each_call_by_the_wall_clock():
    seconds = interleave({"slow": lambda: time.sleep(0.05), "fast": lambda: None}, rounds=2)
    assert all(s >= 0.05 for s in seconds["slow"]) and all(s < 0.05 for s in seconds["fast"])


def test_spread_is_median_and_range_of_the_paired_ratios():
    assert spread([2.0, 3.0, 9.0], [1.0, 1.0, 3.0]) == (3.0, 2.0, 3.0)
    assert spread([4.0, 6.0], [2.0, 2.0]) == (2.5, 2.0, 3.0)  # even count: the middle pair's mean
    with pytest.raises(ValueError, match="paired"):
        spread([1.0, 2.0], [1.0])


def test_d2l_one_epoch_at_a_time_trains_as_one_long_call():
    """The interleaved d2l run calls train_ch6 once per epoch; the weights after three such
    calls are those of one three-epoch call of train_ch6 (same seed, same batch order)."""
    from d2l import torch as d2l

    X = torch.rand(80, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    data = torch.utils.data.TensorDataset(X, torch.arange(80) % 10)

    def loaders():
        return (torch.utils.data.DataLoader(data, 16, sampler=_SameOrder(80)),
                torch.utils.data.DataLoader(data, 16))

    torch.manual_seed(0)
    per_epoch = D2LEpochs(LeNet(), *loaders(), 0.9, torch.device("cpu"))
    for _ in range(3):
        per_epoch()
    torch.manual_seed(0)
    whole = LeNet()
    animator, d2l.Animator = d2l.Animator, _NoAnimator
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            d2l.train_ch6(whole, *loaders(), 3, 0.9, torch.device("cpu"))
    finally:
        d2l.Animator = animator
    assert per_epoch.epochs == 3 and len(per_epoch.reports) == 3 and "test acc" in per_epoch.reports[-1]
    for p, q in zip(per_epoch.net.parameters(), whole.parameters()):
        assert torch.equal(p, q)
    assert "apply" not in per_epoch.net.__dict__  # the no-op is gone after the call


def test_bench_training_on_a_few_images(capsys):
    """The whole comparison on 320 images, 2 epochs, no worker processes: every run is timed
    every epoch, the floor ends with the trainer's weights, and the report prints both ratios
    with their range, d2l's worker count and the target line."""
    result = bench_training(2, 64, torch.device("cpu"), workers=0, limit=320)
    assert {name: len(s) for name, s in result["seconds"].items()} == {"trainer": 2, "floor": 2, "d2l": 2}
    assert result["examples"] == 320 and result["d2l_workers"] == 0
    assert result["acc"]["floor"] == result["acc"]["trainer"]
    report_training(result, 2)
    out = capsys.readouterr().out
    assert re.search(r"d2l / trainer: +\d+\.\d\dx \(\d+\.\d\dx-\d+\.\d\dx\)", out)
    assert re.search(r"trainer / floor: \d+\.\d\dx \(\d+\.\d\dx-\d+\.\d\dx\)", out)
    assert "used 0 worker processes" in out
    assert re.search(r"target trainer / floor <= 1\.15 \(median\): (met|NOT met)", out)
