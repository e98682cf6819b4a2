from pathlib import Path


def pytest_collection_modifyitems(session, config, items):
    """Pages that read Fashion-MNIST: check the data once, before any cell runs. Without the data
    (and no network to fetch it), stop with its one message and fix, not a failure per cell."""
    import re
    import pytest
    from tests.helpers.notebooks import code_cells, load, source
    pages = {Path(item.path) for item in items if Path(item.path).suffix == ".ipynb"}
    reads_data = re.compile(r"\b(load_fashion_mnist|fashion_mnist_batches|ensure_fashion_mnist)\(")
    if any(reads_data.search(source(cell)) for page in pages for cell in code_cells(load(page))):
        from companion.data import DataError, ensure_fashion_mnist
        try:
            ensure_fashion_mnist()
        except DataError as e:
            pytest.exit(f"the notebooks need Fashion-MNIST. {e}", returncode=1)


def pytest_terminal_summary(terminalreporter):
    """Report the strict build's time (target: 30 s with execution off). A time is measured
    here, never asserted: machines are shared and noisy."""
    from tests.helpers import bookbuild
    if bookbuild.build_book.cache_info().currsize:
        seconds = bookbuild.build_book().seconds
        terminalreporter.write_line(f"strict book build: {seconds:.1f} s (target <= 30 s)")
    for line in bookbuild.REPORT:  # figures the tests measured (search recall, web font size)
        terminalreporter.write_line(line)
