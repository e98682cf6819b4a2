"""companion.bench: the comparisons are fair. d2l sees the companion's batches in the same
order, and the floor runs the very computation of the trainer, only without its bookkeeping."""
import torch

from companion.bench import _SameOrder, floor_epoch
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
