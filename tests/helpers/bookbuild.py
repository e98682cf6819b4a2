"""Build the book once per test run and read its table of contents.

Shared by tests/test_book.py (the strict build itself) and the tests that read or serve the
result (browser, accessibility, PDF, course download), so `make test` builds the book only
once. `make test` runs the test files in parallel processes (pytest-xdist); the first one
that needs the book builds it while holding a lock on ``_build/.build.lock``, and the others
wait for that lock and reuse the build it recorded for this run.
"""
from __future__ import annotations

import fcntl
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
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
    built_here: bool = True  # False: another test process of this run built it

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
    In a parallel run (pytest-xdist), one process builds and the others reuse its build.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # the same in every process of one run
    if run is None:
        return _strict_build()
    BUILD.mkdir(exist_ok=True)
    record = BUILD / ".build.json"
    with open(BUILD / ".build.lock", "w") as lock:
        # Another process may be building: wait until it is done (a build has a 600 s limit,
        # and the lock goes with its process if that process dies).
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            saved = json.loads(record.read_text(encoding="utf-8"))
            if saved.pop("run") == run:
                return Build(**saved, built_here=False)
        record.unlink(missing_ok=True)
        build = _strict_build()
        saved = {"run": run, **asdict(build)}
        del saved["built_here"]
        record.write_text(json.dumps(saved), encoding="utf-8")
        return build


def _strict_build() -> Build:
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
