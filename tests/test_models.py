"""companion.models against the references: D2L's LeNet (0.17 nn.Sequential and 1.0 class)."""
import unicodedata

import pytest
import torch
from torch import nn

from companion.models import LeNet, Summary, init_xavier, layer_summary, lenet_feature_size


def d2l_sequential_lenet():
    """LeNet exactly as D2L (0.17, chapter 6.6) writes it."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def test_classic_lenet_is_d2l_lenet():
    ours, ref = LeNet(), d2l_sequential_lenet()
    assert [type(m) for m in ours] == [type(m) for m in ref]
    assert sum(p.numel() for p in ours.parameters()) == 61706
    ref.load_state_dict(ours.state_dict())  # same names, same shapes
    X = torch.rand(3, 1, 28, 28)
    torch.testing.assert_close(ours(X), ref(X), rtol=0, atol=0)


def test_layer_shapes_match_d2l_1_0_lenet():
    d2l = pytest.importorskip("d2l.torch")
    ref = d2l.LeNet()
    ref(torch.zeros(1, 1, 28, 28))  # materialise the lazy layers
    shapes = []
    X = torch.zeros(1, 1, 28, 28)
    for layer in ref.net:
        X = layer(X)
        shapes.append(tuple(X.shape))
    rows = layer_summary(LeNet())
    assert [r.output_shape for r in rows] == shapes
    assert sum(r.num_params for r in rows) == sum(p.numel() for p in ref.parameters()) == 61706


def test_layer_summary_of_classic_lenet():
    rows = layer_summary(LeNet())
    assert [r.name for r in rows] == ["Conv2d", "Sigmoid", "AvgPool2d", "Conv2d", "Sigmoid", "AvgPool2d",
                                      "Flatten", "Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    assert [r.output_shape for r in rows] == [
        (1, 6, 28, 28), (1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10), (1, 16, 10, 10), (1, 16, 5, 5),
        (1, 400), (1, 120), (1, 120), (1, 84), (1, 84), (1, 10)]
    assert [r.num_params for r in rows] == [156, 0, 0, 2416, 0, 0, 0, 48120, 0, 10164, 0, 850]
    assert isinstance(rows, Summary)
    text = repr(layer_summary(LeNet(), headers=("층", "출력", "파라미터"), total="합계"))
    assert text.splitlines()[0].startswith("층") and "61,706" in text.splitlines()[-1]
    md = rows._repr_markdown_()
    assert md.count("\n") == len(rows) + 2 and "**61,706**" in md


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_summary_text_table_is_aligned_on_screen_with_hangul_headers():
    """A Hangul character takes two columns: the right-aligned column ends at one screen
    column in every row, header and total included, and the rule is as wide as the table."""
    text = repr(layer_summary(LeNet(), headers=("층", "출력 모양", "파라미터 수"), total="합계"))
    lines = text.splitlines()
    widths = {display_width(line) for k, line in enumerate(lines) if k != 1}
    assert widths == {display_width(lines[1])}, text


@pytest.mark.parametrize("seed", range(12))
def test_variants_against_formula(seed):
    g = torch.Generator().manual_seed(seed)
    rand = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))  # noqa: E731
    c1, c2, h1, h2, k = rand(1, 12), rand(1, 24), rand(1, 150), rand(1, 100), rand(2, 12)
    size = rand(12, 40)
    act = ["sigmoid", "relu"][seed % 2]
    pool = ["avg", "max"][seed // 2 % 2]
    net = LeNet(act, pool, channels=(c1, c2), hidden=(h1, h2), num_classes=k, input_size=size)
    side = (size // 2 - 4) // 2
    assert lenet_feature_size(size) == side
    assert net(torch.rand(2, 1, size, size)).shape == (2, k)
    expected = (25 * c1 + c1) + (25 * c1 * c2 + c2) + (c2 * side * side * h1 + h1) + (h1 * h2 + h2) + (h2 * k + k)
    assert sum(r.num_params for r in layer_summary(net, (1, 1, size, size))) == expected
    assert isinstance(net[1], {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[act])
    assert isinstance(net[2], {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}[pool])


def test_fourteen_by_fourteen():
    net = LeNet(input_size=14)
    assert layer_summary(net, (1, 1, 14, 14))[5].output_shape == (1, 16, 1, 1)
    assert net[7].in_features == 16


def test_init_xavier():
    torch.manual_seed(0)
    net = LeNet()
    biases = [m.bias.clone() for m in net if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert init_xavier(net) is net
    for m, b in zip([m for m in net if isinstance(m, (nn.Conv2d, nn.Linear))], biases):
        fan_in = m.weight[0].numel()
        fan_out = m.weight.shape[0] * m.weight[0, 0].numel() if m.weight.dim() == 4 else m.weight.shape[0]
        bound = (6 / (fan_in + fan_out)) ** 0.5
        assert m.weight.abs().max() <= bound
        assert m.weight.abs().max() > 0.9 * bound  # uniform over the whole range
        assert torch.equal(m.bias, b)
    # the same draws as D2L's init (xavier_uniform_ over the layers in order)
    torch.manual_seed(1)
    a = init_xavier(LeNet())
    torch.manual_seed(1)
    b = LeNet()
    b.apply(lambda m: nn.init.xavier_uniform_(m.weight) if type(m) in (nn.Linear, nn.Conv2d) else None)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(activation="tanh"), ValueError, "activation"),
    (dict(activation=None), TypeError, "activation"),
    (dict(pool="min"), ValueError, "pool"),
    (dict(pool=2), TypeError, "pool"),
    (dict(channels=(6,)), ValueError, "channels"),
    (dict(channels=6), TypeError, "channels"),
    (dict(channels=(6, 0)), ValueError, r"channels\[1\]"),
    (dict(hidden=(120, 8.5)), TypeError, r"hidden\[1\]"),
    (dict(num_classes=1), ValueError, "num_classes"),
    (dict(input_size=11), ValueError, "input_size"),
    (dict(input_size="28"), TypeError, "input_size"),
])
def test_lenet_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        LeNet(**kwargs)


def test_other_bad_arguments():
    with pytest.raises(TypeError, match="net"):
        init_xavier("LeNet")
    with pytest.raises(TypeError, match="net"):
        layer_summary(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="input_shape"):
        layer_summary(LeNet(), 28)
    with pytest.raises(ValueError, match=r"input_shape\[2\]"):
        layer_summary(LeNet(), (1, 1, 0, 28))
    with pytest.raises(ValueError, match="input_shape"):
        layer_summary(LeNet(), (1, 1, 14, 14))  # the first Linear expects 28×28 images
    with pytest.raises(TypeError, match="headers"):
        layer_summary(LeNet(), headers=("a", "b"))
    with pytest.raises(TypeError, match="total"):
        layer_summary(LeNet(), total=1)
