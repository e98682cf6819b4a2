"""Build the book once per test session and read its table of contents.

Shared by tests/test_book.py (the strict build itself) and tests/test_browser.py (which
serves the result to a real browser), so `make test` builds the book only once.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROBLEM = re.compile(r"\b(WARNING|ERROR|SEVERE|CRITICAL)\b|Traceback")
REPORT: list[str] = []  # lines for the end of the test run (tests/conftest.py prints them)


@dataclass(frozen=True)
class Build:
    returncode: int
    seconds: float
    output: str

    @property
    def problems(self) -> list[str]:
        """Every line of the build log that reports a warning or an error."""
        return [line for line in self.output.splitlines() if PROBLEM.search(line)]


def jupyter_book() -> str:
    beside_python = Path(sys.executable).parent / "jupyter-book"
    return str(beside_python) if beside_python.exists() else (shutil.which("jupyter-book") or "jupyter-book")


@functools.lru_cache(maxsize=1)
def build_book() -> Build:
    """The strict build, from scratch, into _build/html: `jupyter-book build . -W -n --keep-going`.

    The old HTML and doctrees are removed first, so every page is read and written again and
    every warning is reported (an incremental build stays silent about unchanged pages).
    """
    for stale in (HTML, BUILD / ".doctrees"):
        shutil.rmtree(stale, ignore_errors=True)
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.run([jupyter_book(), "build", ".", "-W", "-n", "--keep-going", "--all"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    return Build(proc.returncode, seconds, ANSI.sub("", proc.stdout + proc.stderr))


def toc() -> dict:
    return yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def _files(entries: list[dict]) -> list[str]:
    out = []
    for entry in entries:
        out.append(entry["file"])
        out += _files(entry.get("sections", []))
    return out


def part_files(caption: str) -> list[str]:
    """The files of one part of the table of contents, in reading order."""
    for part in toc()["parts"]:
        if part["caption"] == caption:
            return _files(part["chapters"])
    raise KeyError(f"_toc.yml has no part {caption!r}")


def all_pages() -> list[str]:
    """Every page of the book (without suffix), the landing page first."""
    t = toc()
    return [t["root"]] + [f for part in t["parts"] for f in _files(part["chapters"])]


def source_of(page: str) -> Path:
    """The source file of a page: page.ipynb or page.md."""
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{page}{suffix}").exists():
            return ROOT / f"{page}{suffix}"
    raise FileNotFoundError(f"{page}: neither {page}.ipynb nor {page}.md exists")
