"""The shape playground of section 05, driven in headless Chromium: 600 random settings of
input size, kernel, padding, stride and dilation, each result compared with the output shape
of ``nn.Conv2d`` (an error where ``nn.Conv2d`` fails, with the message of
``companion.animation.playground_output_size``). A deliberately broken formula is caught."""
from __future__ import annotations

import random
import re
import warnings
from pathlib import Path

import torch
from torch import nn

from companion.animation import Playground, playground_output_size
from tests.helpers.browser import chromium, require_browser, serve

STATIC = Path(__file__).resolve().parents[1] / "_ext" / "static"
FIELDS = ("size", "kernel", "padding", "stride", "dilation")


def settings(count: int = 600, seed: int = 0) -> list[tuple[int, ...]]:
    """Random (n, k, p, s, d): often impossible (a kernel larger than the padded input, stride 0)."""
    rng = random.Random(seed)
    return [(rng.randint(1, 20), rng.randint(1, 9), rng.randint(0, 6), rng.randint(0, 5), rng.randint(1, 4))
            for _ in range(count)]


def torch_says(n: int, k: int, p: int, s: int, d: int) -> int | None:
    """The output side of nn.Conv2d on an n×n input, or None where it refuses."""
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
            return conv(torch.zeros(1, 1, n, n)).shape[-1]
    except RuntimeError:
        return None


def expected(setting: tuple[int, ...]) -> str:
    try:
        return str(playground_output_size(*setting))
    except ValueError as e:
        return str(e)


DRIVE = """
const root = document.querySelector("div.conv-playground"), out = [];
for (const values of arguments[0]) {
  values.forEach((v, i) => { root.querySelector(`input[name="${arguments[1][i]}"]`).value = String(v); });
  // as when the reader types into one field: an input event
  root.querySelector(`input[name="${arguments[1][values.length - 1]}"]`)
      .dispatchEvent(new Event("input", {bubbles: true}));
  out.push([root.querySelector(".out-size").textContent, root.querySelector(".cp-formula").textContent]);
}
return out;
"""


def drive(js: str, tmp_path: Path, cases: list[tuple[int, ...]]) -> list[list[str]]:
    """Serve a page holding the playground and the player ``js``; set every case, read back
    the output size and the formula."""
    (tmp_path / "conv_anim.js").write_text(js, encoding="utf-8")
    (tmp_path / "conv_anim.css").write_text((STATIC / "conv_anim.css").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="conv_anim.css">'
        f'</head><body>{Playground(lang="en")._repr_html_()}<script src="conv_anim.js"></script></body></html>',
        encoding="utf-8")
    with serve(tmp_path) as url, chromium() as browser:
        browser.get(url + "/index.html")
        browser.set_script_timeout(240)
        return browser.execute_script(DRIVE, [list(c) for c in cases], list(FIELDS))


def mismatches(results: list[list[str]], cases: list[tuple[int, ...]]) -> list[str]:
    problems = []
    for (shown, formula), case in zip(results, cases):
        truth = torch_says(*case)
        want = expected(case)
        if (truth is None) != (not want.isdigit()) or (truth is not None and want != str(truth)):
            problems.append(f"{case}: playground_output_size says {want!r}, nn.Conv2d {truth}")
        if shown != want:
            problems.append(f"{case}: the playground shows {shown!r}, expected {want!r}")
        if truth is not None:
            n, k, p, s, d = case
            head = f"⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = "
            if not formula.startswith(head) or not re.search(rf"= {truth}\b", formula):
                problems.append(f"{case}: formula {formula!r}")
    return problems


def test_playground_matches_nn_conv2d_on_600_random_settings(tmp_path):
    require_browser("the playground test")
    cases = settings()
    impossible = sum(torch_says(*c) is None for c in cases)
    assert 100 < impossible < 500, f"{impossible} of {len(cases)} settings are impossible: too few errors tested"
    assert sum(c[3] == 0 for c in cases) > 50  # stride 0 among them
    results = drive((STATIC / "conv_anim.js").read_text(encoding="utf-8"), tmp_path, cases)
    assert len(results) == len(cases)
    problems = mismatches(results, cases)
    assert not problems, f"{len(problems)} problems, e.g. " + "; ".join(problems[:5])


def test_a_broken_formula_is_caught(tmp_path):
    require_browser("the playground test")
    """The player with ceil instead of floor: the comparison must find it."""
    js = (STATIC / "conv_anim.js").read_text(encoding="utf-8")
    broken = js.replace("return {size: Math.floor((n + 2 * p - span) / s) + 1",
                        "return {size: Math.ceil((n + 2 * p - span) / s) + 1")
    assert broken != js, "the line to break is gone: update this test"
    cases = settings(60, seed=1)
    problems = mismatches(drive(broken, tmp_path, cases), cases)
    assert any("the playground shows" in p for p in problems)
