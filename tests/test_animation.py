"""companion.animation: what each animation shows, read back from its HTML, against PyTorch.

Every frame's numbers are read from the JSON inside the HTML a page stores (the numbers the
reader sees): the output cells after the last frame equal ``F.conv2d``, ``F.pad``,
``F.conv_transpose2d``, ``F.max_pool2d`` or ``F.avg_pool2d``; each frame's written arithmetic
evaluates to the cell it writes; the window's cells are the numbers the arithmetic multiplies.
A broken frame is caught (``test_a_broken_frame_is_caught``)."""
from __future__ import annotations

import json
import math
import re

import pytest
import torch
import torch.nn.functional as F

from companion import animation
from companion.animation import (Animation, Playground, animate_conv1x1, animate_conv2d,
                                 animate_conv_transpose2d, animate_corr2d, animate_multi_in,
                                 animate_multi_in_out, animate_padding_modes, animate_pool2d,
                                 dilated_kernel_fits, pad_modes, playground_output_size)
from companion.conv import corr2d

GEN = torch.Generator().manual_seed(0)


def ints(*shape: int) -> torch.Tensor:
    """Small integers as floats: sums print exactly."""
    return torch.randint(-4, 6, shape, generator=GEN).float()


def shown(anim: Animation) -> dict:
    """The frames and matrices as the HTML carries them (the player's data)."""
    html = anim._repr_html_()
    payload = re.search(r'<script type="application/json" class="conv-anim-data">(.*?)</script>', html, re.S)
    return json.loads(payload[1])


def replay(data: dict, upto: int) -> list[list[list[str]]]:
    values = [[list(row) for row in m["values"]] for m in data["matrices"]]
    for f in data["frames"][:upto + 1]:
        for m, r, c, text in f["set"]:
            values[m][r][c] = text
    return values


def number(text: str) -> float:
    return {"−∞": -math.inf, "∞": math.inf}[text] if text in ("−∞", "∞") else float(text)


def matrix(data: dict, m: int, upto: int | None = None) -> torch.Tensor:
    upto = len(data["frames"]) - 1 if upto is None else upto
    return torch.tensor([[number(v) for v in row] for row in replay(data, upto)[m]])


def evaluate(expr: str) -> float:
    """The arithmetic a frame writes, e.g. ``(1×2 + 3×(−1)) + (0×1)`` or ``max(−∞, 4)``."""
    py = expr.replace("×", "*").replace("−∞", "(-inf)").replace("−", "-")
    assert re.fullmatch(r"[-+*/(). 0-9e,a-z]*", py), expr
    return eval(py, {"__builtins__": {}}, {"inf": math.inf, "max": max})


def check_arithmetic(data: dict) -> None:
    """Each frame's text ``Y[...] = expression = value``: the expression evaluates to the value,
    and the value is the cell the frame writes."""
    for k, f in enumerate(data["frames"]):
        for line, (m, r, c, written) in zip(f["text"].split("\n"), f["set"]):
            lhs, expr, value = line.split(" = ")
            assert value == written, f"frame {k}: text says {value}, the cell shows {written}"
            assert evaluate(expr) == pytest.approx(number(value), rel=1e-5, abs=1e-5), f"frame {k}: {line}"


def window_values(data: dict, k: int, m: int = 0) -> list[float]:
    """The numbers under frame k's first window on matrix m (its marked cells when dilated)."""
    values = replay(data, k)[m]
    marks = [(r, c) for mm, r, c in data["frames"][k]["mark"] if mm == m]
    if marks:
        return [number(values[r][c]) for r, c in marks]
    _, r0, c0, h, w = next(b for b in data["frames"][k]["box"] if b[0] == m)
    return [number(values[r][c]) for r in range(r0, r0 + h) for c in range(c0, c0 + w)]


def first_factors(text: str) -> list[float]:
    expr = text.split(" = ")[1]
    if expr.startswith("max("):
        return [number(v) for v in expr[4:-1].split(", ")]
    if expr.startswith("(") and " / " in expr:
        return [number(v) for v in expr[1:expr.index(")")].split(" + ")]
    return [number(t.split("×")[0].strip("()")) for t in expr.split(" + ")]


def check_conv(anim: Animation, X: torch.Tensor, K: torch.Tensor, **conv) -> None:
    data = shown(anim)
    check_arithmetic(data)
    Y = F.conv2d(X[None, None], K[None, None], **conv)[0, 0]
    assert torch.allclose(matrix(data, 2), Y, atol=1e-5)
    s = conv.get("stride", 1)
    s = (s, s) if isinstance(s, int) else s
    for k, f in enumerate(data["frames"]):
        i, j = divmod(k, Y.shape[1])
        assert f["box"][0][1:3] == [i * s[0], j * s[1]], f"frame {k}: the window is not at output ({i}, {j})"
        assert window_values(data, k) == first_factors(f["text"])


# --- each animation against PyTorch -----------------------------------------------------

@pytest.mark.parametrize("shape,kshape", [((3, 3), (2, 2)), ((5, 6), (3, 2)), ((4, 4), (1, 3))])
def test_corr2d_frames_are_conv2d(shape, kshape):
    X, K = ints(*shape), ints(*kshape)
    anim = animate_corr2d(X, K)
    check_conv(anim, X, K)
    assert torch.equal(matrix(shown(anim), 2), corr2d(X, K))


@pytest.mark.parametrize("padding,stride,dilation", [(1, 1, 1), ((1, 2), (3, 2), 1), (0, 1, 2),
                                                     (2, 2, (2, 1)), (0, 2, 1)])
def test_conv2d_frames_are_conv2d(padding, stride, dilation):
    X, K = ints(5, 6), ints(2, 3)
    check_conv(animate_conv2d(X, K, padding, stride, dilation), X, K, padding=padding, stride=stride,
               dilation=dilation)


def test_padding_modes_are_torchs():
    X = ints(3, 4)
    data = shown(animate_padding_modes(X, padding=2))
    assert [f["text"].split(":")[0] for f in data["frames"]] == [f"padding_mode='{m}'" for m in animation.PADDING_MODES]
    for k, mode in enumerate(animation.PADDING_MODES):
        ref = F.pad(X[None, None], (2, 2, 2, 2), mode="constant" if mode == "zeros" else mode)[0, 0]
        assert torch.equal(matrix(data, 0, k)[2:-2, 2:-2], X)
        assert torch.equal(matrix(data, 0, k), ref), mode
        assert torch.equal(pad_modes(X, 2)[mode], ref)


@pytest.mark.parametrize("stride,padding", [(2, 0), (1, 0), ((2, 3), 1)])
def test_conv_transpose2d_frames(stride, padding):
    X, K = ints(2, 3), ints(3, 2)
    data = shown(animate_conv_transpose2d(X, K, stride, padding))
    check_arithmetic(data)
    Y = F.conv_transpose2d(X[None, None], K[None, None], stride=stride, padding=padding)[0, 0]
    assert torch.allclose(matrix(data, 4), Y)
    assert torch.equal(matrix(data, 3), torch.flip(K, dims=(0, 1)))
    s = (stride, stride) if isinstance(stride, int) else stride
    q = (K.shape[0] - 1 - padding, K.shape[1] - 1 - padding)   # the padding of the spread X
    for k, f in enumerate(data["frames"]):
        assert window_values(data, k, m=2) == first_factors(f["text"])
        _, r0, c0, h, w = f["box"][0]
        inside = sorted((r - q[0]) // s[0] * 10 + (c - q[1]) // s[1]   # X's entries in the window
                        for r in range(r0, r0 + h) for c in range(c0, c0 + w)
                        if r >= q[0] and c >= q[1] and (r - q[0]) % s[0] == 0 == (c - q[1]) % s[1]
                        and (r - q[0]) // s[0] < X.shape[0] and (c - q[1]) // s[1] < X.shape[1])
        assert sorted(r * 10 + c for m, r, c in f["mark"] if m == 0) == inside, f"frame {k}"


def test_multi_channel_frames():
    X, K = ints(2, 4, 3), ints(2, 2, 2)
    data = shown(animate_multi_in(X, K))
    check_arithmetic(data)
    assert torch.allclose(matrix(data, 4), F.conv2d(X[None], K[None])[0, 0])
    K3 = ints(3, 2, 2, 2)
    data = shown(animate_multi_in_out(X, K3))
    check_arithmetic(data)
    Y = F.conv2d(X[None], K3)[0]
    for o in range(3):
        assert torch.allclose(matrix(data, 2 + 6 + o), Y[o])
    K1 = ints(4, 2, 1, 1)
    data = shown(animate_conv1x1(X, K1))
    check_arithmetic(data)
    Y = F.conv2d(X[None], K1)[0]
    for o in range(4):
        assert torch.allclose(matrix(data, 3 + o), Y[o])


@pytest.mark.parametrize("mode,k,padding,stride", [("max", 3, 1, 2), ("avg", 2, 1, 2), ("max", 2, 0, None),
                                                   ("avg", (3, 2), (1, 1), 1)])
def test_pooling_frames(mode, k, padding, stride):
    X = torch.randn(4, 5, generator=GEN)
    data = shown(animate_pool2d(X, k, mode, padding, stride))
    check_arithmetic(data)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    Y = pool(X[None, None], k, stride, padding)[0, 0]
    assert torch.allclose(matrix(data, 1), Y, atol=1e-5)
    for kk, f in enumerate(data["frames"]):
        assert window_values(data, kk) == pytest.approx(first_factors(f["text"]))
    if mode == "max" and padding:
        assert matrix(data, 0)[0, 0] == -math.inf  # max pooling pads with −∞


# --- the checks can fail ------------------------------------------------------------------

def test_a_broken_frame_is_caught(monkeypatch):
    """One cell of one frame changed by 1: the comparison with PyTorch fails, and so does the
    written arithmetic."""
    X, K = ints(4, 4), ints(2, 2)
    good = animate_conv2d(X, K, padding=1)
    check_conv(good, X, K, padding=1)
    frame = good.frames[5]
    m, r, c, text = frame["set"][0]
    monkeypatch.setitem(frame, "set", [[m, r, c, f"{float(text) + 1:g}"]])
    with pytest.raises(AssertionError):
        check_conv(good, X, K, padding=1)
    with pytest.raises(AssertionError):
        check_arithmetic(shown(good))
    monkeypatch.undo()
    monkeypatch.setitem(good.frames[2], "box", [[0, 0, 0, 2, 2]])  # the window in the wrong place
    with pytest.raises(AssertionError, match="window"):
        check_conv(good, X, K, padding=1)


# --- the HTML ---------------------------------------------------------------------------

def test_html_is_deterministic_and_shows_the_first_frame():
    X, K = ints(3, 3), ints(2, 2)
    a, b = animate_corr2d(X, K, lang="ko", alt="설명"), animate_corr2d(X.clone(), K.clone(), lang="ko", alt="설명")
    html = a._repr_html_()
    assert html == b._repr_html_()
    assert ' id="' not in html and 'class="conv-anim"' in html and 'class="conv-anim-controls" hidden' in html
    assert html.count("<button") == 3 and "<select>" in html and 'aria-label="설명"' in html
    assert 'lang="ko"' in html and "재생" in html
    # the static SVG is frame 0: the first output cell is written, the others blank
    texts = re.findall(r'data-m="(\d+)" data-r="(\d+)" data-c="(\d+)">([^<]*)</text>', html)
    values = a.values_at(0)
    assert all(values[int(m)][int(r)][int(c)] == t for m, r, c, t in texts)
    assert values[2][0][0] == f"{float(corr2d(X, K)[0, 0]):g}" and values[2][1][1] == ""
    assert html.count('class="ca-box"') == 1
    assert repr(a) == "<Animation corr2d: 4 frames>"


def test_playground_html():
    html = Playground(lang="en")._repr_html_()
    assert 'class="conv-playground"' in html
    for name in ("size", "kernel", "padding", "stride", "dilation"):
        assert f'name="{name}"' in html
    assert re.search(r'class="out-size"[^>]*>4<', html)  # 7, 3, 1, 2, 1: ⌊(7 + 2 − 3) / 2⌋ + 1
    assert html == Playground(lang="en")._repr_html_()


@pytest.mark.parametrize("n,k,p,s,d", [(7, 3, 1, 2, 1), (8, 3, 1, 2, 2), (5, 5, 0, 1, 1), (1, 1, 0, 3, 4)])
def test_playground_output_size_is_conv2ds(n, k, p, s, d):
    conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    assert playground_output_size(n, k, p, s, d) == conv(torch.zeros(1, 1, n, n)).shape[-1]


# --- bad input: fail fast, name the argument ------------------------------------------------

X2, K2 = torch.ones(3, 3), torch.ones(2, 2)
BAD = [
    (animate_corr2d, (X2.numpy(), K2), {}, TypeError, r"^X must be a torch\.Tensor"),
    (animate_corr2d, (X2, torch.ones(4, 4)), {}, ValueError, r"^K must not be larger than X"),
    (animate_corr2d, (X2, K2), {"lang": "fr"}, ValueError, r"^lang must be 'en' or 'ko', got 'fr'"),
    (animate_corr2d, (X2, K2), {"lang": 1}, TypeError, r"^lang must be a str"),
    (animate_corr2d, (X2, K2), {"alt": None}, TypeError, r"^alt must be a str"),
    (animate_corr2d, (X2, K2), {"alt": " "}, ValueError, r"^alt must describe"),
    (animate_corr2d, (torch.ones(17, 3), K2), {}, ValueError, r"^X of shape \(17, 3\) is too large to animate"),
    (animate_conv2d, (X2, K2), {"stride": 0}, ValueError, r"^stride must be >= 1, got 0"),
    (animate_conv2d, (X2, K2), {"padding": -1}, ValueError, r"^padding must be >= 0, got -1"),
    (animate_conv2d, (X2, K2), {"dilation": 3}, ValueError, r"^K of shape \(2, 2\) dilated by \(3, 3\) spans \(4, 4\)"),
    (animate_conv2d, (X2, K2), {"dilation": 1.5}, TypeError, r"^dilation must be an int"),
    (animate_conv2d, (torch.ones(9, 9), torch.ones(1, 1)), {}, ValueError, r"81 frames, more than MAX_FRAMES"),
    (animate_conv2d, (X2, K2.double()), {}, TypeError, r"^X and K must have the same dtype"),
    (animate_conv2d, (X2, K2, (1, 2, 3), 1, 1), {}, ValueError, r"^padding must be an int or a pair"),
    (dilated_kernel_fits, (X2, K2, (0, 0), (3, 3)), {}, ValueError, r"^K of shape \(2, 2\) dilated by \(3, 3\) spans"),
    (animate_padding_modes, (X2,), {"padding": 3}, ValueError, r"^padding must be at most min\(X\.shape\) - 1 = 2"),
    (animate_padding_modes, (X2,), {"padding": "1"}, TypeError, r"^padding must be an int"),
    (pad_modes, (torch.ones(2), 1), {}, ValueError, r"^X must be a 2-D tensor"),
    (animate_conv_transpose2d, (X2, K2), {"padding": 2}, ValueError, r"^padding must be at most kernel size - 1"),
    (animate_conv_transpose2d, (X2, K2), {"stride": 9}, ValueError, r"too large to animate"),
    (animate_multi_in, (X2, K2), {}, ValueError, r"^X must be a 3-D tensor"),
    (animate_multi_in, (torch.ones(2, 3, 3), torch.ones(3, 2, 2)), {}, ValueError, r"^K must have as many input channels"),
    (animate_multi_in_out, (torch.ones(2, 3, 3), torch.ones(2, 2, 2)), {}, ValueError, r"^K must be a 4-D tensor"),
    (animate_conv1x1, (torch.ones(2, 3, 3), torch.ones(4, 2, 2, 2)), {}, ValueError, r"^K must be a 1x1 kernel"),
    (animate_pool2d, (X2, 2), {"mode": "min"}, ValueError, r"^mode must be 'max' or 'avg'"),
    (animate_pool2d, (X2, 2), {"padding": 2}, ValueError, r"^padding must be at most half the window"),
    (animate_pool2d, (X2, 0), {}, ValueError, r"^pool_size must be >= 1"),
    (Animation.values_at, (animate_corr2d(X2, K2), 4), {}, ValueError, r"^frame must be < 4, got 4"),
    (Playground, (), {"lang": "de"}, ValueError, r"^lang must be 'en' or 'ko'"),
    (playground_output_size, (5, 3, 0, 0, 1), {}, ValueError, r"^stride must be >= 1, got 0"),
    (playground_output_size, (5, 3, 0, 1, 0), {}, ValueError, r"^dilation must be >= 1, got 0"),
    (playground_output_size, (3, 3, 0, 1, 2), {}, ValueError,
     r"^kernel_size \(5, 5\) must not exceed the padded input \(input_size \+ 2 \* padding\) = \(3, 3\)"),
    (playground_output_size, (5, True, 0, 1, 1), {}, TypeError, r"^kernel_size must be an int, got bool"),
]


@pytest.mark.parametrize("call,args,kwargs,error,match", BAD, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(BAD)])
def test_bad_input_fails_fast_naming_the_argument(call, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        call(*args, **kwargs)


def test_every_public_function_has_a_bad_input_case():
    public = {name for name, v in vars(animation).items()
              if callable(v) and not name.startswith("_") and getattr(v, "__module__", "") == animation.__name__}
    called = {c[0].__qualname__.split(".")[0] for c in BAD}
    assert public - called == set(), f"no bad-input case for {sorted(public - called)}"


# --- the player in a browser ----------------------------------------------------------------

def test_player_steps_with_the_keyboard_and_respects_reduced_motion(tmp_path):
    """In headless Chromium: the controls appear, Tab reaches the step button and Enter moves
    one frame (the output cell and the arithmetic follow the frame's data); with
    prefers-reduced-motion nothing plays by itself, without it the animation plays."""
    from pathlib import Path

    from selenium.webdriver.common.keys import Keys

    from tests.helpers.browser import chromium, missing_browser, serve
    if missing_browser():
        pytest.skip(missing_browser())
    static = Path(__file__).resolve().parents[1] / "_ext" / "static"
    anim = animate_corr2d(ints(3, 3), ints(2, 2))
    for name in ("conv_anim.js", "conv_anim.css"):
        (tmp_path / name).write_text((static / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="conv_anim.css"></head>'
        f'<body>{anim._repr_html_()}<script src="conv_anim.js"></script></body></html>', encoding="utf-8")
    state = "const a = document.querySelector('div.conv-anim'); return [a.convAnim.frame(), " \
            "a.convAnim.playing(), a.querySelector('.ca-text').textContent, " \
            "a.querySelector('.conv-anim-controls').hidden, " \
            "[...a.querySelectorAll('text[data-m=\"2\"]')].map(t => t.textContent)]"
    with serve(tmp_path) as url, chromium() as browser:
        for reduce, plays in (("reduce", False), ("no-preference", True)):
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
                {"name": "prefers-reduced-motion", "value": reduce}]})
            browser.get(url + "/index.html")
            frame, playing, text, hidden, _ = browser.execute_script(state)
            assert (frame, hidden, text) == (0, False, anim.frames[0]["text"])
            assert playing is plays, f"prefers-reduced-motion: {reduce}, playing: {playing}"
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
            {"name": "prefers-reduced-motion", "value": "reduce"}]})
        browser.get(url + "/index.html")
        body = browser.find_element("css selector", "body")
        for _ in range(3):  # step back, play, step forward
            body.send_keys(Keys.TAB) if _ == 0 else browser.switch_to.active_element.send_keys(Keys.TAB)
        focused = browser.switch_to.active_element
        assert "ca-forward" in focused.get_attribute("class") and focused.tag_name == "button"
        focused.send_keys(Keys.ENTER)
        frame, playing, text, _, outputs = browser.execute_script(state)
        assert (frame, playing, text) == (1, False, anim.frames[1]["text"])
        assert outputs == [v for row in anim.values_at(1)[2] for v in row]
