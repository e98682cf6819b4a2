"""companion.params against PyTorch: parameter counts of nn.Linear / nn.Conv2d, bytes of real
tensors, and multiply-adds counted by torch.utils.flop_counter."""
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from companion.params import (ConvCost, conv2d_cost, conv_macs, conv_params, cost_table, fc_macs,
                              fc_params, human_bytes, param_bytes)


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def flops(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops()


def random_ints(seed, n, low, high):
    g = torch.Generator().manual_seed(seed)
    return [int(v) for v in torch.randint(low, high, (n,), generator=g)]


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("bias", [True, False])
def test_fc_params_match_nn_linear(seed, bias):
    n_in, n_out = random_ints(seed, 2, 1, 5000)
    layer = nn.Linear(n_in, n_out, bias=bias, device="meta")  # no memory is allocated
    assert fc_params(n_in, n_out, bias) == n_params(layer)


def test_the_seed_example_one_megapixel_into_1000_units():
    layer = nn.Linear(1_000_000, 1_000, device="meta")
    assert fc_params(1_000_000, 1_000) == n_params(layer) == 1_000_001_000
    assert param_bytes(fc_params(1_000_000, 1_000, bias=False)) == 4 * 10**9  # 4 GB in float32


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("bias", [True, False])
def test_conv_params_match_nn_conv2d(seed, bias):
    c_i, c_o, k_h, k_w = random_ints(seed, 4, 1, 9)
    kernel = (k_h, k_w) if seed % 2 else k_h
    layer = nn.Conv2d(c_i, c_o, kernel, bias=bias, device="meta")
    assert conv_params(c_i, c_o, kernel, bias) == n_params(layer)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64,
                                   torch.int8, torch.int64, torch.bool])
def test_param_bytes_match_real_tensors(dtype):
    for n in [0, 1, 7, 1000]:
        assert param_bytes(n, dtype) == torch.zeros(n, dtype=dtype).nbytes
    layer = nn.Linear(30, 20).to(dtype) if dtype.is_floating_point else None
    if layer is not None:
        assert param_bytes(n_params(layer), dtype) == sum(p.nbytes for p in layer.parameters())


@pytest.mark.parametrize("seed", range(15))
def test_fc_macs_match_flop_counter(seed):
    n_in, n_out = random_ints(seed, 2, 1, 300)
    layer = nn.Linear(n_in, n_out, bias=False)
    assert 2 * fc_macs(n_in, n_out) == flops(layer, torch.randn(1, n_in))  # 1 MAC = 2 FLOPs


@pytest.mark.parametrize("seed", range(15))
def test_conv_macs_match_flop_counter(seed):
    c_i, c_o, k, pad = random_ints(seed, 4, 1, 5)
    h, w = random_ints(seed + 100, 2, 6, 20)
    layer = nn.Conv2d(c_i, c_o, k, padding=pad - 1, bias=False)
    x = torch.randn(1, c_i, h, w)
    out_size = tuple(layer(x).shape[2:])
    assert 2 * conv_macs(c_i, c_o, k, out_size) == flops(layer, x)


def test_cost_table_matches_layers_of_each_size():
    rows = cost_table([28, 224, 1000], hidden=1000, in_channels=3, kernel_size=3)
    for row in rows:
        fc = nn.Linear(row.side * row.side * 3, 1000, device="meta")
        conv = nn.Conv2d(3, 1000, 3, device="meta")
        assert row.inputs == row.side * row.side * 3
        assert (row.fc_params, row.conv_params) == (n_params(fc), n_params(conv))
        assert (row.fc_bytes, row.conv_bytes) == (4 * row.fc_params, 4 * row.conv_params)
    assert len({row.conv_params for row in rows}) == 1  # the kernel does not grow with the image
    assert cost_table([1000])[0].fc_bytes == pytest.approx(4e9, rel=1e-5)
    assert cost_table([8], dtype=torch.float16)[0].fc_bytes == 2 * fc_params(64, 1000)


def test_human_bytes():
    assert [human_bytes(n) for n in (0, 999, 1000, 1_500_000, 4_000_004_000, 3 * 10**12)] == \
        ["0 B", "999 B", "1.0 kB", "1.5 MB", "4.0 GB", "3.0 TB"]


@pytest.mark.parametrize("call, exc, name", [
    (lambda: fc_params(0, 3), ValueError, "in_features"),
    (lambda: fc_params(3.0, 3), TypeError, "in_features"),
    (lambda: fc_params(3, -1), ValueError, "out_features"),
    (lambda: fc_params(3, 3, bias=1), TypeError, "bias"),
    (lambda: conv_params(0, 1, 3), ValueError, "in_channels"),
    (lambda: conv_params(1, "2", 3), TypeError, "out_channels"),
    (lambda: conv_params(1, 1, (3, 0)), ValueError, "kernel_size"),
    (lambda: conv_params(1, 1, (3, 3, 3)), ValueError, "kernel_size"),
    (lambda: conv_params(1, 1, 3, bias=None), TypeError, "bias"),
    (lambda: param_bytes(-1), ValueError, "n_params"),
    (lambda: param_bytes(10, "float32"), TypeError, "dtype"),
    (lambda: fc_macs(True, 3), TypeError, "in_features"),
    (lambda: conv_macs(1, 1, 3, (0, 5)), ValueError, "output_size"),
    (lambda: cost_table([]), ValueError, "sides"),
    (lambda: cost_table(28), TypeError, "sides"),
    (lambda: cost_table([28, 0]), ValueError, "sides"),
    (lambda: cost_table([28], hidden=0), ValueError, "hidden"),
    (lambda: cost_table([28], in_channels=1.5), TypeError, "in_channels"),
    (lambda: cost_table([28], kernel_size=0), ValueError, "kernel_size"),
    (lambda: cost_table([28], dtype=float), TypeError, "dtype"),
    (lambda: human_bytes(-5), ValueError, "n_bytes"),
])
def test_bad_input_is_rejected(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


# --- conv2d_cost: the three numbers of one layer (section 06) ----------------------------------

CONFIGS = [  # c_i, c_o, kernel, input, padding, stride, bias
    (3, 64, 3, 224, 1, 1, True), (64, 128, 3, (56, 40), 1, 2, True), (10, 5, 1, 8, 0, 1, True),
    (256, 64, 1, 14, 0, 1, False), (1, 6, 5, 28, 2, 1, True), (6, 16, 5, 14, 0, 1, True),
    (2, 3, (5, 3), (9, 7), (2, 1), (3, 2), True), (4, 4, (1, 4), (1, 6), 0, (1, 3), False),
    (3, 2, 7, 3, 2, 1, True), (5, 1, (2, 3), (4, 4), (1, 0), (2, 1), True),
]


@pytest.mark.parametrize("c_i, c_o, k, size, p, s, bias", CONFIGS)
def test_cost_matches_nn_conv2d_and_flop_counter(c_i, c_o, k, size, p, s, bias):
    cost = conv2d_cost(c_i, c_o, k, size, padding=p, stride=s, bias=bias)
    assert isinstance(cost, ConvCost)
    layer = nn.Conv2d(c_i, c_o, k, padding=p, stride=s, bias=bias)
    assert cost.params == sum(q.numel() for q in layer.parameters())
    h, w = (size, size) if isinstance(size, int) else size
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        y = layer(torch.zeros(1, c_i, h, w))
    assert cost.output_shape == tuple(y.shape[1:])
    assert 2 * cost.macs == counter.get_total_flops()  # a multiply-add is two flops


def test_cost_of_the_seed_example():
    assert conv2d_cost(10, 5, 1, (8, 8)) == ConvCost(params=55, output_shape=(5, 8, 8), macs=3200)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(in_channels=0), ValueError, "in_channels"),
    (dict(in_channels=2.0), TypeError, "in_channels"),
    (dict(out_channels=True), TypeError, "out_channels"),
    (dict(kernel_size=(3, 0)), ValueError, r"kernel_size\[1\]"),
    (dict(kernel_size=(3, 3, 3)), ValueError, "kernel_size"),
    (dict(input_size="8"), TypeError, "input_size"),
    (dict(padding=-1), ValueError, "padding"),
    (dict(stride=0), ValueError, "stride"),
    (dict(bias=1), TypeError, "bias"),
    (dict(kernel_size=9), ValueError, "kernel_size"),
    (dict(kernel_size=9, padding=1), ValueError, "kernel_size"),
])
def test_cost_bad_input(kwargs, error, name):
    args = dict(in_channels=3, out_channels=4, kernel_size=3, input_size=(6, 6))
    args.update(kwargs)
    with pytest.raises(error, match=name):
        conv2d_cost(**args)


# --- training one layer: conv2d_ops, conv2d_memory, conv2d_backward_macs (section 06) -----------

from companion.params import ConvMemory, ConvOps, conv2d_backward_macs, conv2d_memory, conv2d_ops  # noqa: E402


def as_pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


@pytest.mark.parametrize("c_i, c_o, k, size, p, s, bias", CONFIGS)
def test_ops_count_every_product_and_every_addition(c_i, c_o, k, size, p, s, bias):
    ops = conv2d_ops(c_i, c_o, k, size, padding=p, stride=s, bias=bias)
    assert isinstance(ops, ConvOps)
    x = torch.zeros(1, c_i, *as_pair(size))
    # one column of F.unfold per output position, one row per product of a window
    columns = torch.nn.functional.unfold(x, as_pair(k), padding=as_pair(p), stride=as_pair(s))
    rows, positions = columns.shape[1:]
    assert ops.multiplications == c_o * positions * rows
    assert ops.additions == c_o * positions * (rows - 1 + bias)  # a sum of n terms: n - 1 additions
    layer = nn.Conv2d(c_i, c_o, k, padding=p, stride=s, bias=bias)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        y = layer(x)
    outputs = y.numel()
    # FlopCounterMode counts 2 operations per multiply-add and leaves the bias out
    assert ops.multiplications + ops.additions == counter.get_total_flops() - (0 if bias else outputs)


def test_ops_of_d2l_discussion_example():
    """D2L 7.4: a 256×256 image, 5×5 kernel, 128 channels in and out: over 53 billion
    operations, multiplications and additions counted separately."""
    ops = conv2d_ops(128, 128, 5, 256, padding=2)
    assert ops.multiplications == 256 * 256 * 25 * 128 * 128
    assert 53e9 < ops.multiplications + ops.additions < 54e9


@pytest.mark.parametrize("c_i, c_o, k, size, p, s, bias", CONFIGS)
@pytest.mark.parametrize("batch, dtype", [(1, torch.float32), (3, torch.float64), (2, torch.bfloat16)])
def test_memory_matches_the_tensors_of_forward_and_backward(c_i, c_o, k, size, p, s, bias, batch, dtype):
    mem = conv2d_memory(c_i, c_o, k, size, padding=p, stride=s, bias=bias, batch_size=batch,
                        dtype=dtype)
    assert isinstance(mem, ConvMemory)
    layer = nn.Conv2d(c_i, c_o, k, padding=p, stride=s, bias=bias).to(dtype)
    x = torch.randn(batch, c_i, *as_pair(size), dtype=dtype, requires_grad=True)
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t.nbytes) or t, lambda t: t):
        y = layer(x)
    assert mem.params == sum(q.nbytes for q in layer.parameters())
    assert (mem.input, mem.output) == (x.nbytes, y.nbytes)
    # what autograd keeps for the backward pass: the input and the weight
    assert sorted(saved) == sorted([mem.input, layer.weight.nbytes])
    grad_out = []
    y.register_hook(lambda g: grad_out.append(g.nbytes))
    y.sum().backward()
    # the backward pass makes one gradient per tensor, each as large as the tensor
    assert grad_out == [mem.output] and x.grad.nbytes == mem.input
    assert sum(q.grad.nbytes for q in layer.parameters()) == mem.params


def test_memory_of_a_large_layer_on_the_meta_device():
    mem = conv2d_memory(64, 128, 3, 224, padding=1, stride=2, batch_size=256)
    layer = nn.Conv2d(64, 128, 3, padding=1, stride=2, device="meta")  # nothing is allocated
    y = layer(torch.empty(256, 64, 224, 224, device="meta"))
    assert mem == (4 * n_params(layer), 4 * 256 * 64 * 224 * 224, 4 * y.numel())


@pytest.mark.parametrize("c_i, c_o, k, size, p, s, bias", CONFIGS)
@pytest.mark.parametrize("input_grad", [True, False])
def test_backward_macs_match_flop_counter(c_i, c_o, k, size, p, s, bias, input_grad):
    layer = nn.Conv2d(c_i, c_o, k, padding=p, stride=s, bias=bias)
    y = layer(torch.randn(1, c_i, *as_pair(size), requires_grad=input_grad))
    with FlopCounterMode(display=False) as counter:
        y.sum().backward()
    macs = conv2d_backward_macs(c_i, c_o, k, size, padding=p, stride=s, input_grad=input_grad)
    assert 2 * macs == counter.get_total_flops()
    forward = conv2d_cost(c_i, c_o, k, size, padding=p, stride=s).macs
    assert macs == (2 if input_grad else 1) * forward


@pytest.mark.parametrize("call, exc, name", [
    (lambda: conv2d_ops(0, 1, 3, 8), ValueError, "in_channels"),
    (lambda: conv2d_ops(1, 1.0, 3, 8), TypeError, "out_channels"),
    (lambda: conv2d_ops(1, 1, 9, 8), ValueError, "kernel_size"),
    (lambda: conv2d_ops(1, 1, 3, "8"), TypeError, "input_size"),
    (lambda: conv2d_ops(1, 1, 3, 8, padding=-1), ValueError, "padding"),
    (lambda: conv2d_ops(1, 1, 3, 8, stride=(1, 0)), ValueError, "stride"),
    (lambda: conv2d_ops(1, 1, 3, 8, bias=0), TypeError, "bias"),
    (lambda: conv2d_memory(1, 1, 3, 8, batch_size=0), ValueError, "batch_size"),
    (lambda: conv2d_memory(1, 1, 3, 8, batch_size=2.0), TypeError, "batch_size"),
    (lambda: conv2d_memory(1, 1, 3, 8, dtype="float32"), TypeError, "dtype"),
    (lambda: conv2d_memory(1, 1, (3, 3, 3), 8), ValueError, "kernel_size"),
    (lambda: conv2d_backward_macs(1, 1, 3, 8, input_grad=None), TypeError, "input_grad"),
    (lambda: conv2d_backward_macs(1, 1, 3, (8, 0)), ValueError, "input_size"),
])
def test_training_cost_bad_input(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


# --- pool2d_cost: a pooling layer's output and operations (section 07, D2L 7.5.4) -------------

import torch.nn.functional as F  # noqa: E402

from companion.params import PoolCost, pool2d_cost  # noqa: E402


def pool_configs(n):
    """Random (channels, window, input, padding, stride) that nn.MaxPool2d accepts."""
    g = torch.Generator().manual_seed(7)
    rand = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))  # noqa: E731
    configs = []
    while len(configs) < n:
        k = (rand(1, 5), rand(1, 5))
        p = (rand(0, k[0] // 2), rand(0, k[1] // 2))
        size = (rand(max(1, k[0] - 2 * p[0]), 12), rand(max(1, k[1] - 2 * p[1]), 12))
        stride = None if len(configs) % 3 == 0 else (rand(1, 4), rand(1, 4))
        configs.append((rand(1, 5), k, size, p, stride))
    return configs


@pytest.mark.parametrize("c, k, size, p, s", pool_configs(40))
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_cost_matches_pytorch_and_the_windows_it_reads(c, k, size, p, s, mode):
    cost = pool2d_cost(c, k, size, padding=p, stride=s, mode=mode)
    assert isinstance(cost, PoolCost)
    layer = (nn.MaxPool2d if mode == "max" else nn.AvgPool2d)(k, stride=s, padding=p)
    assert sum(q.numel() for q in layer.parameters()) == 0
    x = torch.randn(1, c, *size)
    y = layer(x)
    assert cost.output_shape == tuple(y.shape[1:])
    # every window, padded cells included, read by F.unfold: n numbers need n - 1 reductions
    windows = F.unfold(x, k, padding=p, stride=k if s is None else s)
    assert windows.shape[-1] * c == y.numel()
    assert cost.ops == windows.numel() - y.numel()
    assert cost.divisions == (y.numel() if mode == "avg" else 0)


def test_pool_cost_of_lenets_pooling_layers():
    assert pool2d_cost(6, 2, 28) == PoolCost((6, 14, 14), 3528, 0)
    assert pool2d_cost(16, 2, 10, mode="avg") == PoolCost((16, 5, 5), 1200, 400)
    assert pool2d_cost(1, 1, 5) == PoolCost((1, 5, 5), 0, 0)  # a 1x1 window reduces nothing


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(channels=0), ValueError, "channels"),
    (dict(channels=1.5), TypeError, "channels"),
    (dict(pool_size=(2, 0)), ValueError, r"pool_size\[1\]"),
    (dict(pool_size="2"), TypeError, "pool_size"),
    (dict(input_size=(8, 8, 8)), ValueError, "input_size"),
    (dict(input_size=0), ValueError, "input_size"),
    (dict(padding=-1), ValueError, "padding"),
    (dict(padding=2), ValueError, "padding"),          # more than half the 2x2 window
    (dict(stride=0), ValueError, "stride"),
    (dict(stride=2.0), TypeError, "stride"),
    (dict(mode="min"), ValueError, "mode"),
    (dict(mode=None), TypeError, "mode"),
    (dict(pool_size=9), ValueError, "pool_size"),      # larger than the 8x8 input
])
def test_pool_cost_bad_input(kwargs, error, name):
    args = dict(channels=3, pool_size=2, input_size=(8, 8))
    args.update(kwargs)
    with pytest.raises(error, match=name):
        pool2d_cost(**args)


def test_pool_cost_refuses_what_pytorch_refuses():
    with pytest.raises(RuntimeError):
        nn.MaxPool2d(2, padding=2)(torch.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError, match="padding"):
        pool2d_cost(1, 2, 8, padding=2)
