"""Generic bad values for every checked public function (issue 15), made two ways.

- From one valid call each (``VALID``): for every argument, the values its type admits but the
  function must refuse or take as an equal (``bool`` where an int is expected, NumPy integers,
  the wrong number of dimensions, an empty tensor, NaN and infinity, the wrong dtype or device).
  The rule: a clear ``TypeError``/``ValueError`` that names the argument, or a result; never an
  error from inside.
- From the declared rules (``@checked(..., X=Tensor(ndim=2))``) of every function, with valid
  arguments from ``VALID`` or ``ARGUMENTS``: the values each rule must refuse (the rule's error,
  the message starting with the argument's name), a size of 10**9 (refused naming it, or
  computed) and NumPy integers (the same Python ints come through).

The hand-written tables (``test_bad_inputs_<module>.py``) keep the rules worth teaching."""
from __future__ import annotations

import inspect
import re
import time

import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from torch import nn

import companion
from companion import (_check, animation, channels, charts, conv, data, diagrams, invariance, models, params, pooling,
                       shapes, training)

G = torch.Generator().manual_seed(0)


def rand(*shape: int) -> torch.Tensor:
    return torch.rand(*shape, generator=G)


def conv3() -> nn.Conv2d:
    torch.manual_seed(0)
    return nn.Conv2d(1, 1, 3)


VALID = [  # one valid call of each guarded function: (function, args, kwargs)
    (conv.corr2d, (rand(4, 4), rand(2, 2)), {}),
    (conv.corr2d_fast, (rand(4, 4), rand(2, 2)), {}),
    (conv.conv2d_flip, (rand(4, 4), rand(2, 2)), {}),
    (channels.corr2d_multi_in, (rand(2, 4, 4), rand(2, 2, 2)), {}),
    (channels.corr2d_multi_in_out, (rand(2, 4, 4), rand(3, 2, 2, 2)), {}),
    (channels.corr2d_multi_in_out_1x1, (rand(2, 4, 4), rand(3, 2, 1, 1)), {}),
    (pooling.pool2d, (rand(4, 4), 2), {"padding": 1, "stride": (1, 2)}),
    (pooling.pool2d_multi, (rand(2, 4, 4), (2, 2)), {"mode": "avg"}),
    (shapes.conv_output_size, (8, 3), {"total_padding": 2, "stride": 2}),
    (shapes.conv_output_shape, (8, (3, 5)), {"padding": 1, "stride": (2, 1)}),
    (shapes.pad2d, (rand(3, 3), (1, 2)), {"value": 0.5}),
    (shapes.mirror_pad2d, (rand(4, 4), 1), {}),
    (shapes.insert_zeros, (rand(3, 3), 2), {}),
    (shapes.conv_transpose2d, (rand(3, 3), rand(2, 2)), {"stride": 2, "padding": 1}),
    (shapes.comp_conv2d, (conv3(), rand(5, 5)), {}),
    (params.fc_params, (4, 3), {}),
    (params.conv_params, (1, 2, 3), {}),
    (params.param_bytes, (10,), {}),
    (params.human_bytes, (1500,), {}),
    (params.fc_macs, (4, 3), {}),
    (params.conv_macs, (1, 2, 3, (4, 4)), {}),
    (params.conv2d_cost, (1, 2, 3, 8), {"padding": 1}),
    (params.pool2d_cost, (2, 2, 8), {"padding": 1}),
    (params.cost_table, ([8, 16], 10), {}),
    (params.conv2d_ops, (1, 2, 3, 8), {}),
    (params.conv2d_memory, (1, 2, 3, 8), {"batch_size": 4}),
    (params.conv2d_backward_macs, (1, 2, 3, 8), {}),
    (invariance.shift2d, (rand(3, 3), (1, 0)), {}),
    (invariance.interior_mask, ((3, 4), (1, 1)), {"margin": 1}),
    (invariance.open_paths, (conv3(),), {}),
    (invariance.equivariance_error, (conv3(), rand(2, 1, 6, 6), (1, 1)), {"margin": 1}),
    (invariance.relative_change, (conv3(), rand(2, 1, 6, 6), (0, 1)), {}),
    (invariance.influence_map, (conv3(), rand(1, 1, 6, 6), (1, 1)), {}),
    (invariance.receptive_field, (conv3(), (6, 6), (1, 1)), {}),
    (invariance.receptive_field_size, ([3, 3],), {"strides": [1, 2]}),
    (invariance.conv_as_fc_matrix, (rand(2, 2), (3, 3)), {}),
    (models.init_xavier, (nn.Linear(2, 2),), {}),
    (models.lenet_feature_size, (28,), {}),
    (models.layer_summary, (models.LeNet(), (1, 1, 28, 28)), {}),
]


IMAGES = (rand(4, 1, 6, 6), torch.tensor([0, 1, 2, 1]))
LINEAR = nn.Linear(2, 3)
# Valid arguments of the other functions with rules: a valid call would draw, train or read the
# data, so these are never called as given; each bad value below replaces one of them.
ARGUMENTS = [
    (animation.animate_corr2d, (rand(3, 3), rand(2, 2)), {}),
    (animation.animate_conv2d, (rand(3, 3), rand(2, 2)), {"padding": 1, "stride": 1, "dilation": 1}),
    (animation.pad_modes, (rand(3, 3), 1), {}),
    (animation.animate_padding_modes, (rand(3, 3), 1), {}),
    (animation.animate_conv_transpose2d, (rand(2, 2), rand(2, 2)), {"stride": 2, "padding": 0}),
    (animation.animate_multi_in, (rand(2, 3, 3), rand(2, 2, 2)), {}),
    (animation.animate_multi_in_out, (rand(2, 3, 3), rand(2, 2, 2, 2)), {}),
    (animation.animate_conv1x1, (rand(2, 3, 3), rand(2, 2, 1, 1)), {}),
    (animation.animate_pool2d, (rand(4, 4), 2), {"mode": "max", "padding": 0, "stride": 2}),
    (animation.animate_corr2d(rand(3, 3), rand(2, 2)).values_at, (1,), {}),
    (animation.Playground, (), {"lang": "en"}),
    (charts.plot_lines, ([1, 2], {"a": [1, 2]}), {"logx": False, "logy": True}),
    (charts.plot_images, ([rand(3, 3)], ["a"]), {"ncols": 1, "size": 2.0, "height": 2.0}),
    (charts.plot_mask, (torch.ones(3, 3, dtype=torch.bool),), {"mark": (1, 1)}),
    (charts.plot_influence_maps, ([rand(3, 3)], ["a"]), {"mark": (1, 1)}),
    (charts.plot_history, ({"a": training.History([0.5], [0.8], [0.8])},), {"labels": ("loss", "train", "test")}),
    (charts.plot_confusion_matrix, (torch.eye(2, dtype=torch.long), ["a", "b"]), {}),
    (conv.Conv2D, (3,), {}),
    (data.class_names, ("en",), {}),
    (data.data_root, (None,), {}),
    (data.ensure_fashion_mnist, (None, None), {}),
    (data.load_fashion_mnist, (None, 14), {}),
    (data.epoch_order, (5, torch.Generator().manual_seed(0)), {}),
    (data.Batches, IMAGES, {"batch_size": 2, "shuffle": True, "seed": 0}),
    (data.fashion_mnist_batches, (64, None, 14, 0), {}),
    (diagrams.draw_matrix, (Figure().add_subplot(), rand(2, 2)), {"shade": rand(2, 2)}),
    (diagrams.plot_corr2d, (rand(3, 3), rand(2, 2)), {"pos": (0, 0), "titles": ("a", "b", "c")}),
    (diagrams.plot_corr2d_multi_in, (rand(2, 3, 3), rand(2, 2, 2)), {"pos": (0, 0), "titles": ("a", "b", "c", "d")}),
    (diagrams.plot_conv1x1_matmul, (rand(2, 3, 3), rand(2, 2, 1, 1)), {"pixel": (0, 0), "titles": ("a", "b", "c")}),
    (diagrams.plot_padding_stride, (rand(3, 3), rand(2, 2)), {"padding": 1, "stride": 1, "titles": ("a", "b", "c")}),
    (diagrams.plot_pool2d, (rand(4, 4), 2), {"mode": "max", "padding": 0, "stride": 2, "pos": (0, 0),
                                             "titles": ("a", "b")}),
    (models.LeNet, (), {"channels": (6, 16), "hidden": (120, 84)}),
    (models.Summary, ([], ("layer", "output", "params")), {"total": "0"}),
    (training.evaluate_accuracy, (nn.Flatten(), IMAGES), {"batch_size": 2, "channels_last": False}),
    (training.predict, (nn.Flatten(), IMAGES[0]), {"batch_size": 2, "channels_last": False}),
    (training.confusion_matrix, (IMAGES[1], IMAGES[1], 3), {}),
    (training.make_optimizer, (nn.Linear(2, 2), "sgd", 0.1), {"weight_decay": 0.0}),
    (training.train_epoch, (LINEAR, [(rand(2, 2), IMAGES[1][:2])], nn.CrossEntropyLoss(),
                            torch.optim.SGD(LINEAR.parameters(), lr=0.1)), {}),
    (training.train, (nn.Sequential(nn.Flatten(), nn.Linear(36, 3)), [IMAGES], IMAGES, 1),
     {"device": "cpu", "scheduler": "cosine", "channels_last": False, "verbose": False}),
]


def rules_of(f) -> dict:
    """The declared rules of a function, a bound method or a class (its ``__init__``)."""
    return getattr(f.__init__ if inspect.isclass(f) else f, "rules", {})


def test_every_function_with_rules_has_arguments_to_spoil():
    ruled = {getattr(f.__init__ if inspect.isclass(f) else f, "__qualname__")
             for m in (animation, channels, charts, conv, data, diagrams, invariance, models, params, pooling, shapes,
                       training)
             for f in vars(m).values() if getattr(f, "__module__", None) == m.__name__ and rules_of(f)}
    ruled |= {"Animation.values_at"}  # a method with rules
    listed = {getattr(f.__init__ if inspect.isclass(f) else f, "__qualname__") for f, _, _ in VALID + ARGUMENTS}
    assert ruled <= listed, f"no valid arguments for {sorted(ruled - listed)}"


def checks_alone(f):
    """``f``'s checks, without the work: ``accept`` of a function, a bound method or a class."""
    if inspect.ismethod(f):
        return lambda *args, **kwargs: f.__func__.accept(f.__self__, *args, **kwargs)
    if inspect.isclass(f):
        return lambda *args, **kwargs: f.__init__.accept(None, *args, **kwargs)
    return f.accept


def test_the_arguments_to_spoil_are_valid():
    for f, args, kwargs in ARGUMENTS:
        checks_alone(f)(*args, **kwargs)


def test_every_guarded_function_has_a_valid_call():
    guarded = {f"{m.__name__}.{name}" for m in (channels, conv, invariance, models, params, pooling, shapes)
               for name, f in vars(m).items() if inspect.isfunction(f) and hasattr(f, "guard")
               and f.__module__ == m.__name__}
    assert guarded == {f"{f.__module__}.{f.__name__}" for f, _, _ in VALID}


def bad_values(value: object) -> list[tuple[str, object, bool]]:
    """(what, bad value, whether it must give the valid call's result) for one argument."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        return [("bool for an int", True, False), ("NumPy int", np.int64(value), True),
                ("float for an int", float(value), False), ("str for an int", str(value), False)]
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, int) for v in value):
        return [("bool inside", type(value)([True] + list(value[1:])), False),
                ("NumPy ints inside", type(value)(np.int64(v) for v in value), True),
                ("one too many", type(value)(list(value) + [value[0]]), False)]
    if isinstance(value, torch.Tensor):
        nan, inf = value.clone(), value.clone()
        nan.view(-1)[0], inf.view(-1)[0] = float("nan"), float("inf")
        return [("one more dimension", value[None], False), ("one fewer dimension", value[0], False),
                ("empty", value[..., :0], False), ("NaN", nan, False), ("infinity", inf, False),
                ("int64", value.long(), False), ("float64", value.double(), False),
                ("meta device", value.to("meta"), False), ("a list", value.tolist(), False)]
    return []


def same(a: object, b: object) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and bool(torch.equal(a, b))
    return type(a) is type(b) and a == b


def cases() -> list:
    out = []
    for f, args, kwargs in VALID:
        names = list(inspect.signature(f).parameters)
        given = dict(zip(names, args)) | kwargs
        for name, value in given.items():
            for what, bad, equal in bad_values(value):
                out.append(pytest.param(f, given, name, bad, equal, id=f"{f.__name__}: {name} {what}"))
    return out


CASES = cases()


@pytest.mark.parametrize("f, given, name, bad, equal", CASES)
def test_a_generic_bad_value_gives_a_clear_error_or_a_result(f, given, name, bad, equal):
    torch.manual_seed(0)
    expected = f(**given) if equal else None
    torch.manual_seed(0)
    try:
        result = f(**(given | {name: bad}))
    except (TypeError, ValueError) as e:
        assert not equal, f"{f.__name__}({name}={bad!r}) must equal the valid call's result, got {e}"
        assert name in str(e) or name.split("_")[0] in str(e), f"the message does not name {name}: {e}"
        return
    if equal:
        assert same(result, expected), f"{f.__name__}({name}=...) gave {result!r}, not {expected!r}"


def test_the_generic_battery_is_large():
    """The number of generic bad values tried (reported in issue 15's closing note)."""
    assert len(CASES) >= 200, len(CASES)
    assert companion.__all__


# --- Bad values generated from the declared rules ------------------------------------------
# A function declares each argument's rule (``@checked(X=Tensor(ndim=2), ...)``); each rule
# implies values it must refuse, with which error. The message must start with the argument's
# name. A rule whose check were loosened fails here; an argument without a rule fails below.

def refused_by(rule: _check.Rule, value: object) -> list[tuple[str, object, type]]:
    """(what, bad value, the error it must raise) for an argument ``rule`` governs."""
    out: list[tuple[str, object, type]] = []
    if isinstance(rule, (_check.Int, _check.Pair, _check.Ints)):
        out += [("a bool", True, TypeError), ("a float", 2.5, TypeError), ("a str", "2", TypeError)]
        if rule.minimum is not None and not isinstance(rule, _check.Ints):
            out.append((f"below {rule.minimum}", rule.minimum - 1, ValueError))
    if isinstance(rule, _check.Pair):
        out += [("three ints", (2, 2, 2), ValueError), ("a bool inside", (2, True), TypeError), ("None", None, TypeError)]
    if isinstance(rule, _check.Padding):
        out += [("three ints", (1, 2, 3), ValueError), ("a negative int", -1, ValueError), ("a bool", True, TypeError),
                ("a float", 1.5, TypeError), ("a bool inside", (0, 0, 0, True), TypeError)]
    if isinstance(rule, _check.Number):
        out += [("a bool", True, TypeError), ("a str", "0", TypeError), ("None", None, TypeError)]
    if isinstance(rule, _check.Offset):
        out += [("three ints", (1, 2, 3), ValueError), ("a str", "1, 1", TypeError), ("a bool inside", (True, 0), TypeError),
                ("an int", 1, TypeError)]
    if isinstance(rule, _check.Maybe):
        out += [(what, bad, error) for what, bad, error in refused_by(rule.rule, value) if bad is not None]
    if isinstance(rule, _check.Labels):
        out += [("floats", torch.ones(3), TypeError), ("a matrix", torch.ones(2, 2, dtype=torch.long), ValueError),
                ("a list", [0, 1], TypeError)]
    if isinstance(rule, _check.Strings):
        out += [("one string too many", ["a"] * (rule.n + 1), TypeError), ("a str", "a" * rule.n, TypeError)]
    if isinstance(rule, _check.Seed):
        out.append(("2**64", 2**64, ValueError))
    if isinstance(rule, _check.Folder):
        out += [("an int", 3, TypeError), ("a NUL character", "a\0b", ValueError)]
    if isinstance(rule, _check.Device):
        out += [("an unknown name", "gpu7", ValueError), ("an int", 0, TypeError)]
    if isinstance(rule, _check.Ints):
        out += [("an empty list", [], ValueError), ("a bool inside", [True] * (rule.length or 1), TypeError)]
    if isinstance(rule, _check.Real):
        out += [("NaN", float("nan"), ValueError), ("infinity", float("inf"), ValueError), ("a bool", True, TypeError)]
    if isinstance(rule, _check.Flag):
        out += [("0", 0, TypeError), ("1", 1, TypeError), ("a str", "yes", TypeError)]
    if isinstance(rule, _check.OneOf):
        out += [("another string", "neither", ValueError), ("an int", 1, TypeError)]
    if isinstance(rule, _check.Tensor):
        out += [("a list", value.tolist(), TypeError), ("empty", value[..., :0], ValueError)]
        if rule.ndim is not None:
            out.append(("one more dimension", value[None], ValueError))
        if rule.floating:
            out.append(("int64", value.long(), TypeError))
    if isinstance(rule, _check.Instance):
        out += [("a str", "x", TypeError), ("a function", lambda x: x, TypeError)]
    if isinstance(rule, _check.Function):
        out.append(("an int", 3, TypeError))
    return out


def ruled_cases() -> list:
    out = []
    for f, args, kwargs in VALID + ARGUMENTS:
        signature = inspect.signature(f)
        given = signature.bind(*args, **kwargs)
        given.apply_defaults()
        for name, rule in rules_of(f).items():
            for what, bad, error in refused_by(rule, given.arguments[name]):
                out.append(pytest.param(f, dict(given.arguments), name, bad, error,
                                        id=f"{f.__qualname__}: {name} {what} ({rule})"))
    return out


RULED = ruled_cases()


@pytest.mark.parametrize("f, given, name, bad, error", RULED)
def test_a_value_the_declared_rule_refuses_is_refused_naming_the_argument(f, given, name, bad, error):
    with pytest.raises(error) as info:
        f(**(given | {name: bad}))
    assert re.match(rf"{name}\b", str(info.value)), f"the message does not start with {name}: {info.value}"


def test_every_argument_of_a_function_with_rules_is_checked():
    """A function that declares rules checks each of its arguments, by a rule or by its guard;
    each declared rule generates bad values above."""
    for f, args, kwargs in VALID:
        if not getattr(f, "rules", None):
            continue  # still one guard for all its arguments (the test above covers it)
        bound = inspect.signature(f).bind(*args, **kwargs)
        bound.apply_defaults()
        guarded = set(inspect.signature(f.guard).parameters) if f.guard else set()
        assert set(bound.arguments) <= set(f.rules) | guarded, f"{f.__name__}: {set(bound.arguments) - set(f.rules) - guarded} unchecked"
        for name, rule in f.rules.items():
            assert refused_by(rule, bound.arguments[name]), f"{f.__name__}: no bad value for {name} ({rule})"
    assert len(RULED) >= 300, len(RULED)


# --- Over the memory budget: sizes generated from the rules ----------------------------------

def huge(rule: _check.Rule) -> object:
    """A size of 10**9 that an ``Int`` or ``Pair`` rule (or ``Maybe`` of one) lets through, else None."""
    inner = rule.rule if isinstance(rule, _check.Maybe) else rule
    return {_check.Int: 10**9, _check.Pair: (10**9, 10**9)}.get(type(inner))


HUGE = [pytest.param(f, args, kwargs, name, id=f"{f.__qualname__}: {name}=10**9")
        for f, args, kwargs in VALID + ARGUMENTS
        if f not in (training.train, data.load_fashion_mnist, data.fashion_mnist_batches)  # epochs; reads the data
        for name, rule in rules_of(f).items() if huge(rule) is not None]


@pytest.mark.parametrize("f, args, kwargs, name", HUGE)
def test_a_huge_size_is_refused_naming_it_or_computed(f, args, kwargs, name):
    """A size of 10**9 (a kernel, a padding, a channel count, a batch) is either refused up
    front, naming the argument (more than the memory budget, more than a figure can show), or
    computed (an output size, a parameter count): never an error from inside, nor a long wait."""
    given = inspect.signature(f).bind(*args, **kwargs)
    given.apply_defaults()
    start = time.monotonic()
    try:
        f(**(dict(given.arguments) | {name: huge(rules_of(f)[name])}))
    except (TypeError, ValueError) as e:
        assert name in str(e), f"the message does not name {name}: {e}"
    finally:
        plt.close("all")
    assert time.monotonic() - start < 60, f"{f.__qualname__}({name}=10**9) took {time.monotonic() - start:.0f} s"


def numpy_ints(value: object) -> object:
    """``value`` with its ints as NumPy integers (an int, or a tuple or list of ints), else None."""
    if type(value) is int:
        return np.int64(value)
    if isinstance(value, (tuple, list)) and value and all(type(v) is int for v in value):
        return type(value)(np.int32(v) for v in value)
    return None


def given_arguments(f, args: tuple, kwargs: dict) -> dict:
    given = inspect.signature(f).bind(*args, **kwargs)
    given.apply_defaults()
    return dict(given.arguments)


INTEGER_LIKES = [pytest.param(f, given_arguments(f, args, kwargs), name, id=f"{f.__qualname__}: {name}")
                 for f, args, kwargs in VALID + ARGUMENTS for name, rule in rules_of(f).items()
                 if isinstance(rule.rule if isinstance(rule, _check.Maybe) else rule, (_check.Int, _check.Pair,
                                                                                        _check.Ints))
                 and numpy_ints(given_arguments(f, args, kwargs)[name]) is not None]


@pytest.mark.parametrize("f, given, name", INTEGER_LIKES)
def test_numpy_integers_are_accepted_wherever_a_rule_takes_ints(f, given, name):
    """Every argument a rule reads as ints takes NumPy integers too, and the checks hand the
    function the same Python ints (the checks alone run: no work is done)."""
    accepted = checks_alone(f)(**given)[name]
    from_numpy = checks_alone(f)(**(given | {name: numpy_ints(given[name])}))[name]
    assert from_numpy == accepted and type(from_numpy) is type(accepted), (from_numpy, accepted)
    assert all(type(v) is int for v in (from_numpy if isinstance(from_numpy, tuple) else (from_numpy,)))
