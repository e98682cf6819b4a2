"""`make test` runs the test files in parallel processes (pytest-xdist, ``-n auto --dist
loadfile``): all tests of one file, and all cells of one notebook, run in one process, in order.

- The slowest files go first, so that the processes finish at about the same time.
- Each process's PyTorch, and the notebook kernels it starts, get an equal share of the CPU
  cores (OMP_NUM_THREADS), so that two trainings do not fight over the same cores.
- The book is built once per run (tests/helpers/bookbuild.py), and the figures the tests
  measured (build time, search recall, ...) are gathered from every process and printed at
  the end.
"""
import os
from pathlib import Path

import pytest

# The slowest test files, in the order they start (seconds on a quiet 2-core machine, one
# core each). LeNet's page trains about 20 networks (about 600 s per edition); axe-core audits
# 31 pages 4 times (about 450 s with the build); the browser test and the PDFs drive Chromium.
# xdist hands a process the next file in this order when its current file is nearly done.
# The two LeNet pages (all CPU) alternate with the browser files (which also wait on the
# browser), so that a training and a browser, not two trainings, share the cores for most of
# the run. Every other file keeps its place, after these.
SLOWEST_FIRST = ["book/en/08_lenet.ipynb",
                 "tests/test_accessibility.py",
                 "book/ko/08_lenet.ipynb",
                 "tests/test_browser.py",
                 "tests/test_pdf.py",
                 "tests/test_learner.py"]


ROOT = Path(__file__).resolve().parents[1]


def _rank(item) -> int:
    """Where an item's file stands in SLOWEST_FIRST (after all of them if it is not there)."""
    path = Path(item.path).resolve()
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)


def pytest_configure(config):
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers and "OMP_NUM_THREADS" not in os.environ:  # set before PyTorch is imported
        os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // int(workers)))


def pytest_collection_modifyitems(session, config, items):
    """The slowest files first (stable otherwise). Pages that read Fashion-MNIST: check the data
    once, before any cell runs. Without the data (and no network to fetch it), stop with its
    one message and fix, not a failure per cell."""
    import re
    items.sort(key=_rank)
    from tests.helpers.notebooks import code_cells, load, source
    pages = {Path(item.path) for item in items if Path(item.path).suffix == ".ipynb"}
    reads_data = re.compile(r"\b(load_fashion_mnist|fashion_mnist_batches|ensure_fashion_mnist)\(")
    if any(reads_data.search(source(cell)) for page in pages for cell in code_cells(load(page))):
        from companion.data import DataError, ensure_fashion_mnist
        try:
            ensure_fashion_mnist()
        except DataError as e:
            pytest.exit(f"the notebooks need Fashion-MNIST. {e}", returncode=1)


def _report() -> list[str]:
    """The lines this process has for the end of the run: the strict build's time, if it
    built the book, then the figures its tests measured (search recall, web font size, ...)."""
    from tests.helpers import bookbuild
    lines = []
    if bookbuild.build_book.cache_info().currsize and bookbuild.build_book().built_here:
        beside = " while other test processes ran" if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", 1)) > 1 else ""
        lines.append(f"strict book build: {bookbuild.build_book().seconds:.1f} s{beside} (target <= 30 s)")
    return lines + bookbuild.REPORT


GATHERED: list[str] = []  # in the controlling process: the lines of the test processes


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # a test process of a parallel run
        session.config.workeroutput["report"] = _report()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    GATHERED.extend(getattr(node, "workeroutput", {}).get("report", []))


def pytest_terminal_summary(terminalreporter):
    """Print the figures the tests measured. A time is measured and printed, never asserted:
    machines are shared and noisy."""
    lines = sorted(GATHERED + _report(), key=lambda line: not line.startswith("strict book build"))
    for line in lines:
        terminalreporter.write_line(line)
