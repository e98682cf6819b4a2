"""companion.params against PyTorch: parameter counts of nn.Linear / nn.Conv2d, bytes of real
tensors, and multiply-adds counted by torch.utils.flop_counter."""
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from companion.params import (conv_macs, conv_params, cost_table, fc_macs, fc_params, human_bytes,
                              param_bytes)


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
    (lambda: cost_table([]), TypeError, "sides"),
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
